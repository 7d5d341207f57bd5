"""History across batches: a store of every recorded batch's requests, checked against each new one.

``History(url)`` opens a store (a SQLite file by default, PostgreSQL for a team);
``tracecheck.check(..., history=History(...))`` adds the prior-duplicate rule's findings (TC204)
and ``History.record(report)`` adds a checked batch. See ``tracecheck.history.store``.
"""

from tracecheck.history.store import History, Recorded

__all__ = ["History", "Recorded"]
