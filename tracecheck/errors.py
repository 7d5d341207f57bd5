"""Exceptions for misuse and unreadable input.

Problems *in the data* never raise: they become findings. These exceptions are
kept for things a report cannot describe: a file that cannot be read, a sheet
that does not exist, a malformed rule pack, an unknown rule code. Each carries
the exit code the CLI uses for it and a one-line message that names the file,
sheet, row and column where that applies.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2  # usage error, unreadable input, bad rule pack
EXIT_WRITE = 3  # the report could not be written
EXIT_HISTORY = 4  # the history store cannot be opened, is newer than this tracecheck, or refused a write
EXIT_INTERNAL = 70  # a bug in tracecheck (EX_SOFTWARE)
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT); 143 for SIGTERM: 128 + the signal number, as shells do


class TracecheckError(Exception):
    """Base class; ``str(err)`` is a complete one-line message."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, path: str | None = None, sheet: str | None = None,
                 row: int | None = None, column: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.sheet = sheet
        self.row = row
        self.column = column
        self.line = line  # a line of a text file such as a rule pack (not a sheet row): "pack.yml:3"
        where = []
        if path:
            where.append(f"{path}:{line}" if line else str(path))
        if sheet:
            where.append(f"sheet {sheet!r}")
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column {column}")
        self.bare_message = message
        text = f"{', '.join(where)}: {message}" if where else message
        super().__init__(" ".join(text.split()))  # always one line


class InputError(TracecheckError):
    """The input file cannot be read as a batch (missing, corrupt, wrong type, bad sheet)."""


class RulePackError(TracecheckError):
    """A rule pack is malformed, or a selector names no rule."""


class ReportWriteError(TracecheckError):
    """A report could not be written."""

    exit_code = EXIT_WRITE


class HistoryError(TracecheckError):
    """The history store cannot be opened or used: unreachable server, a store written by a newer
    tracecheck, an unknown batch."""

    exit_code = EXIT_HISTORY
