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

FORMATS = ("json", "csv")


def report_path(out_dir: Path, source: str, fmt: str) -> Path:
    stem = Path(source).stem
    suffix = {"json": ".report.json", "csv": ".findings.csv"}[fmt]
    return out_dir / f"{stem}{suffix}"


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


def write_report(report, out_dir: str | os.PathLike, formats: tuple[str, ...] = ("json",)) -> list[Path]:
    """Write ``report`` in each of ``formats`` into ``out_dir``; returns the paths written."""
    from tracecheck.writers.csv import write_findings_csv
    from tracecheck.writers.json import write_json

    writers = {"json": write_json, "csv": write_findings_csv}
    written = []
    for fmt in formats:
        path = report_path(Path(out_dir), report.batch["source"], fmt)
        written.append(write_atomic(path, lambda fp, w=writers[fmt]: w(report, fp)))
    return written


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
