"""What the command line shows while one input is checked, stage by stage.

Stages arrive as names from ``tracecheck.check(progress=...)`` ("read", "normalise", each rule
code, "report") and from ``write_report(progress=...)`` ("write:json", "write:xlsx", ...). They
are shown as a progress bar on standard error for inputs of at least ``PROGRESS_MIN_BYTES`` in a
terminal, labelled in plain words: reading, normalising, checking, matching duplicates (the
duplicate rules, TC2xx), building the report, writing each format.

With the environment variable ``TRACECHECK_STAGE_LOG`` set to a file path, one line per stage is
appended to that file: ``<stage>\\t<seconds since the start>\\t<peak RSS in MB>``. The benchmarks
read it to time each stage of the real command (``benchmarks/scale.py``).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import click

PROGRESS_MIN_BYTES = 2_000_000  # show a progress bar for inputs larger than this, in a terminal
STAGE_LOG = "TRACECHECK_STAGE_LOG"


def stage_label(stage: str) -> str:
    """The words shown for a stage name."""
    if stage.startswith("write:"):
        return f"writing {stage.removeprefix('write:')}"
    if stage.startswith("TC2"):
        return "matching duplicates"
    if stage.startswith("TC"):
        return f"checking {stage}"
    return {"read": "reading", "normalise": "normalising", "history": "matching earlier batches",
            "report": "building the report"}.get(stage, stage)


class Stages:
    """Context manager: ``with Stages(path, n) as step: ... step("read") ...`` (``step`` is None when
    nothing is shown or logged). ``n`` is the number of stages expected, for the bar's length."""

    def __init__(self, path: str, stages: int) -> None:
        try:
            big = os.path.getsize(path) >= PROGRESS_MIN_BYTES
        except OSError:
            big = False
        self.name = Path(path).name
        self.bar: Any = click.progressbar(length=stages, label=f"{self.name}: reading", file=sys.stderr,
                                          show_pos=False) if big and sys.stderr.isatty() else None
        self.log = os.environ.get(STAGE_LOG) or None
        self.start = time.perf_counter()

    def __enter__(self):
        if self.bar is not None:
            self.bar.__enter__()
        return self.step if (self.bar is not None or self.log) else None

    def step(self, stage: str) -> None:
        if self.log:
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
            with open(self.log, "a", encoding="utf-8") as fp:
                fp.write(f"{stage}\t{time.perf_counter() - self.start:.3f}\t{peak_mb:.0f}\n")
        if self.bar is not None:
            self.bar.label = f"{self.name}: {stage_label(stage)}"
            self.bar.update(1)

    def __exit__(self, *exc):
        if self.log and not any(exc):
            self.step("done")
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False
