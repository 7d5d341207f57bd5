"""Report writers. Only this package (and tracecheck.read) touches files.

Every writer formats a ``tracecheck.report.view.ReportView`` and decides nothing. Every report is
written atomically: into a temporary file in the target folder, flushed, then renamed over the
final name, so a crash never leaves a half-written report.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from tracecheck.errors import ReportWriteError

FORMATS = ("json", "xlsx", "html", "csv", "parquet")
ALL = ("json", "xlsx", "html", "csv")  # "all": the reports a person opens; parquet is asked for by name
SUFFIXES = {"json": ".report.json", "xlsx": ".report.xlsx", "html": ".report.html", "csv": ".findings.csv",
            "parquet": ".report.json"}  # parquet: four files named after the JSON's stem (writers.parquet)


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Formats from ``"json,csv"``, ``"all"`` or a list of names, in order and without repeats.
    ValueError for an unknown format or none at all."""
    names = [formats] if isinstance(formats, str) else list(formats)
    parts = tuple(dict.fromkeys(p.strip().lower() for name in names for p in str(name).split(",") if p.strip()))
    if "all" in parts:
        return tuple(dict.fromkeys([*ALL, *(p for p in parts if p != "all")]))
    unknown = [p for p in parts if p not in FORMATS]
    if unknown or not parts:
        raise ValueError(f"unknown format {unknown[0] if unknown else formats!r}; choose from {', '.join(FORMATS)} "
                         f"or all ({', '.join(ALL)})")
    return parts


def report_path(out_dir: Path, source: str, fmt: str) -> Path:
    """``<input stem>.report.<ext>`` in ``out_dir``; characters no file system takes in a name
    (``<dataframe>``) become ``_``."""
    stem = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", Path(source).stem).strip("_ .") or "batch"
    return out_dir / f"{stem}{SUFFIXES[fmt]}"


_PARQUET_NAME = re.compile(r"\.report\.[a-z_]+\.parquet$")  # <stem>.report.<table>.parquet (writers.parquet)


def report_suffix(name: str) -> str | None:
    """The ending that marks ``name`` as a report tracecheck writes (``.report.xlsx``,
    ``.findings.csv``, ``.report.findings.parquet``, ...; any case), or None for any other name."""
    lowered = name.lower()
    found = next((suffix for suffix in dict.fromkeys(SUFFIXES.values()) if lowered.endswith(suffix)), None)
    parquet = _PARQUET_NAME.search(lowered)
    return found or (parquet.group(0) if parquet else None)


def write_atomic(path: Path, write: Callable[[Any], None], *, binary: bool = False) -> Path:
    """Write through ``write(fp)`` into a temp file beside ``path``, then rename it into place.
    ``binary`` opens the temp file in binary mode (workbooks). ReportWriteError when it fails."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ReportWriteError(f"cannot write report: {exc.strerror or exc}", path=str(path)) from None
    try:
        fp: IO[Any]
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


def write_report(report: Any, out_dir: str | os.PathLike[str], formats: str | Iterable[str] = "json", *,
                 csv_delimiter: str | None = None, progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write ``report`` in each of ``formats`` ("json", "xlsx", "html", "csv", "parquet", a
    comma-separated list or "all": every format but parquet) into ``out_dir`` as
    ``<input stem>.report.<ext>`` (csv: ``<input stem>.findings.csv``; parquet: four
    ``<input stem>.report.<table>.parquet`` files, see tracecheck.writers.parquet), each atomically, in
    the report's language; returns the paths written. The csv is UTF-8 with a byte-order mark,
    separated by ``csv_delimiter`` (",", ";" or "tab"; default ";" for a Spanish report, "," otherwise),
    so that Excel opens it in columns. ValueError for an unknown format or delimiter; ReportWriteError
    when a file cannot be written. ``progress`` is called with "write:<format>" before each format."""
    from tracecheck.report.view import ReportView
    from tracecheck.writers.csv import csv_delimiter as delimiter_of

    view = ReportView(report)
    csv_sep = delimiter_of(view.words.lang, csv_delimiter)  # a bad delimiter fails before anything is written
    written = []
    for fmt in parse_formats(formats):
        if progress:
            progress(f"write:{fmt}")
        path = report_path(Path(out_dir), report.batch["source"], fmt)
        if fmt == "parquet":
            written += _write_parquet(report, path)
            continue
        write, binary = _writer(fmt)
        extra = {"delimiter": csv_sep} if fmt == "csv" else {}
        written.append(write_atomic(path, functools.partial(write, view, **extra), binary=binary))
    return written


def _write_parquet(report: Any, json_path: Path) -> list[Path]:
    from tracecheck.writers.parquet import table_paths, tables, write_table

    paths = table_paths(json_path)
    return [write_atomic(paths[name], functools.partial(write_table, table), binary=True)
            for name, table in tables(report).items()]


def _writer(fmt: str) -> tuple[Callable[..., None], bool]:
    """The writer function for a format (imported on use: the workbook writer loads XlsxWriter)."""
    if fmt == "json":
        from tracecheck.report.encode import write_json

        return (lambda view, fp: write_json(view.report, fp)), False
    if fmt == "csv":
        from tracecheck.writers.csv import write_findings_csv

        return write_findings_csv, False
    if fmt == "xlsx":
        from tracecheck.writers.xlsx import write_xlsx

        return write_xlsx, True
    from tracecheck.writers.html import write_html

    return write_html, False


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
