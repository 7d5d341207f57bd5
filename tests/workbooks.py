"""Small workbooks the tests write with openpyxl (shared by conftest's make_xlsx and the shape tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]],
               setup: Callable[[str, Any], None] | None = None) -> Path:
    """Write ``sheets`` (name -> rows of cell values) to ``path``; ``setup(name, sheet)`` may merge
    cells or add tables before saving. Returns ``path``."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if setup:
            setup(name, sheet)
    workbook.save(path)
    return path
