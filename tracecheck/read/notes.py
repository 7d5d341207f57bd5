"""What the reader tells besides the table: rows it dropped (and why), and things it had to mend.

Leaf of the read package. Nothing a reader drops or mends is lost silently: dropped rows go into
the report's ``batch.dropped_rows`` with their reason; notes become findings (the ``read_note``
check kind), on the row and column they concern.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Why a row below the header is not a request (the reasons a reader gives; the report counts them).
DROP_REASONS = (
    "note_block",  # a block of short notes after three or more blank rows below the data
    "repeated_header",  # the header again inside the data (a report export repeats it on every page)
    "total_line",  # a totals or subtotal line (Total, Subtotal Laredo PD, Total de solicitudes: 14, a lone count)
    "footer_line",  # a signature, page or report line (Elaboró, Preparado por, Generado por, Página 1 de 1)
    "table_totals",  # the totals row of an Excel table (totalsRowCount)
    "misaligned",  # a csv record that does not split into the header's number of fields (TC012)
    "not_a_firearm",  # ammunition, a magazine, a part or an accessory (normalise: the row's type cell)
)


@dataclass(frozen=True)
class DroppedRow:
    """A sheet row below the header that is not checked as a request, and why."""

    row: int
    reason: str  # one of DROP_REASONS


@dataclass(frozen=True)
class ReadNote:
    """Something the reader mended or could not read as written, on a sheet row (and column letter)."""

    kind: str  # e.g. "encoding", "control_characters", "misaligned"
    row: int | None
    column: str | None = None
    value: str | None = None  # what was found (before mending), when that helps the person fixing it
    details: dict[str, int] = field(default_factory=dict)  # numbers for the message, e.g. {"fields": 14}
