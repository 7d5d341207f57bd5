"""The progress bar: shown for large inputs in a terminal, silent otherwise."""

from __future__ import annotations

import io
import sys

import tracecheck.cli as cli


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_drawn_for_a_large_file_in_a_terminal(tmp_path, monkeypatch):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * cli.PROGRESS_MIN_BYTES)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with cli._progress(str(big), 3) as step:
        assert step is not None
        for stage in ("read", "normalise", "report"):
            step(stage)
    assert "checking big.csv" in terminal.getvalue()


def test_no_progress_bar_when_piped_or_small(tmp_path, monkeypatch):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * cli.PROGRESS_MIN_BYTES)
    small = tmp_path / "small.csv"
    small.write_bytes(b"x")
    piped = io.StringIO()  # isatty() is False
    monkeypatch.setattr(sys, "stderr", piped)
    with cli._progress(str(big), 3) as step:
        assert step is None
    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    with cli._progress(str(small), 3) as step:
        assert step is None
    assert piped.getvalue() == ""
