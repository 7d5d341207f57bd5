"""Report writers. Only this package (and tracecheck.read) touches files.

Every report is written atomically: into a temporary file in the target folder, flushed,
then renamed over the final name, so a crash never leaves a half-written report.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable, TextIO

from tracecheck.errors import ReportWriteError

FORMATS = ("json", "xlsx", "html", "csv")
SUFFIXES = {"json": ".report.json", "xlsx": ".report.xlsx", "html": ".report.html", "csv": ".findings.csv"}
LANGS = ("en", "es")


def report_path(out_dir: Path, source: str, fmt: str) -> Path:
    return out_dir / f"{Path(source).stem}{SUFFIXES[fmt]}"


def write_atomic(path: Path, write: Callable[[TextIO], None], *, binary: bool = False) -> Path:
    """Write through ``write(fp)`` into a temp file beside ``path``, then rename it into place.
    ``binary`` opens the temp file in binary mode (workbooks)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ReportWriteError(f"cannot write report: {exc.strerror or exc}", path=str(path)) from None
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as fp:
            write(fp)
            fp.flush()
            os.fsync(fp.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is as readable as any new file
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise ReportWriteError(f"cannot write report: {exc.strerror or exc}", path=str(path)) from None
        raise
    return path


def write_report(report, out_dir: str | os.PathLike, formats: tuple[str, ...] = ("json",), *,
                 lang: str = "en") -> list[Path]:
    """Write ``report`` in each of ``formats`` (json, xlsx, html, csv) into ``out_dir``, each
    atomically; returns the paths written. ``lang`` (en, es) applies to the workbook and page."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or lang not in LANGS:
        raise ValueError(f"formats must be among {', '.join(FORMATS)} and lang among {', '.join(LANGS)}")
    written = []
    for fmt in formats:
        path = report_path(Path(out_dir), report.batch["source"], fmt)
        write, binary = _writer(fmt, lang)
        written.append(write_atomic(path, lambda fp, w=write: w(report, fp), binary=binary))
    return written


def _writer(fmt: str, lang: str) -> tuple[Callable, bool]:
    """The writer function for a format (imported on use: the workbook writer loads openpyxl)."""
    if fmt == "json":
        from tracecheck.writers.json import write_json
        return write_json, False
    if fmt == "csv":
        from tracecheck.writers.csv import write_findings_csv
        return write_findings_csv, False
    if fmt == "xlsx":
        from tracecheck.writers.xlsx import write_xlsx
        return (lambda report, fp: write_xlsx(report, fp, lang=lang)), True
    from tracecheck.writers.html import write_html
    return (lambda report, fp: write_html(report, fp, lang=lang)), False


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
