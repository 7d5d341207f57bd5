"""Cell text that is safe in a spreadsheet: no formula runs, no character XML cannot hold.

Shared by the workbook and csv writers (no spreadsheet library needed here).
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32_767  # Excel's limit per cell
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # what XML 1.0 cannot hold


def is_formula_like(value: Any) -> bool:
    """True for text a spreadsheet program could run as a formula (=, +, -, @, tab, CR first)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def safe_cell_text(value: Any) -> Any:
    """The value to put in a workbook cell: text loses the control characters XML cannot hold
    and is cut to Excel's 32,767 characters; other values pass unchanged. The text itself is
    kept exactly (no quote added): formula-like text is made safe by writing the cell with
    string type, so it reads back as the same string."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS.sub("\ufffd", value)[:MAX_CELL_TEXT]
    return value


def csv_safe(value: Any) -> Any:
    """For csv output: formula-like text gets a leading single quote (the usual convention)."""
    return "'" + value if is_formula_like(value) else value
