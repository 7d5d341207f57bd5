"""Ctrl-C and SIGTERM during ``tracecheck check``: a clean stop instead of a traceback."""

from __future__ import annotations

import signal


class interruptible:
    """Turns Ctrl-C (SIGINT) and SIGTERM into a clean stop: the report being written is discarded by
    write_atomic (the previous one stays), and the caller exits 128 + the signal number."""

    def __enter__(self) -> list[int]:
        self.stopped: list[int] = []
        self.previous = None
        try:
            self.previous = signal.signal(signal.SIGTERM, self._on_term)
        except ValueError:  # not the main thread (an embedding application): leave SIGTERM alone
            pass
        return self.stopped

    @staticmethod
    def _on_term(signum, frame):
        raise _Terminated()

    def __exit__(self, kind, exc, tb) -> bool:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        if kind is KeyboardInterrupt:
            self.stopped.append(signal.SIGINT)
            return True
        if kind is _Terminated:
            self.stopped.append(signal.SIGTERM)
            return True
        return False


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread like KeyboardInterrupt so that cleanup handlers run."""
