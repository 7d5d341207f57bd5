"""Which INPUTs ``tracecheck check`` reads, decided before anything is read or written.

- The tool's own reports are never inputs: a name ending like a report tracecheck writes
  (``<stem>.report.xlsx``, ``<stem>.findings.csv``, ``<stem>.report.json``, ...;
  ``tracecheck.writers.report_suffix``) is skipped with a note, so re-running ``check *.xlsx`` in
  the output folder does not check last run's report workbook (and write ``x.report.report.json``).
- Two inputs whose reports would have the same names (``a/batch.xlsx`` and ``b/batch.csv`` both
  write ``batch.report.json``; names compared ignoring case, as Windows and macOS file systems
  compare them) are refused: the second report would replace the first. The same file given twice
  is checked twice into the same report, which loses nothing.
"""

from __future__ import annotations

from pathlib import Path

from tracecheck.writers import SUFFIXES, report_path, report_suffix


def own_reports(inputs: tuple[str, ...]) -> tuple[list[str], list[tuple[str, str]]]:
    """The inputs to check, and the skipped ones (path, the report ending its name has)."""
    keep, skipped = [], []
    for path in inputs:
        suffix = report_suffix(Path(path).name)
        if suffix is None:
            keep.append(path)
        else:
            skipped.append((path, suffix))
    return keep, skipped


def report_clash(inputs: list[str]) -> tuple[str, str, str] | None:
    """The first two inputs (in order) whose reports would share names, with that shared stem; None
    when every input writes its own reports."""
    seen: dict[str, tuple[str, Path]] = {}
    for path in inputs:
        stem = report_path(Path("."), Path(path).name, "json").name.removesuffix(SUFFIXES["json"])
        key = stem.casefold()
        resolved = Path(path).resolve()
        if key in seen and seen[key][1] != resolved:
            return seen[key][0], path, stem
        seen.setdefault(key, (path, resolved))
    return None
