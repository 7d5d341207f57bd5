"""XML the workbook guard reads with a real parser: small parts (workbook.xml, relationships) parsed
whole, and sheets streamed through expat when the fast byte scan of tracecheck.read.xlsx_parts cannot
vouch for them.

Both parsers are defused (defusedxml): a part with a DTD, an entity declaration or an external
reference is refused instead of expanded. Malformed XML raises :class:`PartError`; the guard then
refuses the workbook rather than let calamine read what the guard could not measure.

Names are compared by their local part (``x:c`` and ``c`` are both cells) and attribute values in
any quoting, spacing or order, since that is what the XML grammar allows and what calamine
(quick-xml) accepts.
"""

from __future__ import annotations

import xml.parsers.expat
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml
import defusedxml.ElementTree

FEED_BYTES = 1 << 20  # expat is fed the part in slices of this size (bounded memory)


class PartError(ValueError):
    """A workbook part the guard must read is missing, malformed or defused (the message says which)."""


def parse_part(data: bytes, part: str) -> Element:
    """A small part (workbook.xml, a .rels) as an element tree; PartError when it is not well-formed
    XML or declares a DTD or entities."""
    try:
        return defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as err:
        raise PartError(f"{part} declares {type(err).__name__.replace('Forbidden', '').lower()} "
                        f"(not written by a spreadsheet program)") from None
    except (defusedxml.ElementTree.ParseError, ValueError) as err:
        raise PartError(f"{part} is not well-formed XML ({err})") from None


def local(name: str) -> str:
    """``{namespace}sheet``, ``x:sheet`` or ``sheet`` -> ``sheet``."""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def stream(data: bytes, part: str, start: Any, end: Any) -> None:
    """Feed ``data`` to a defused, non-namespace-aware expat parser calling ``start(name, attrs)`` and
    ``end(name)`` with raw names (``table:table-row``); PartError when it is not well-formed."""
    parser = xml.parsers.expat.ParserCreate()
    parser.buffer_text = True

    def forbidden(*_: Any) -> int:
        raise PartError(f"{part} declares a DTD or entities (not written by a spreadsheet program)")

    parser.StartDoctypeDeclHandler = forbidden
    parser.EntityDeclHandler = forbidden
    parser.UnparsedEntityDeclHandler = forbidden
    parser.ExternalEntityRefHandler = forbidden
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        for offset in range(0, len(data), FEED_BYTES):
            parser.Parse(data[offset:offset + FEED_BYTES], False)
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as err:
        raise PartError(f"{part} is not well-formed XML ({err})") from None


def reference(text: str) -> tuple[int, int] | None:
    """(row, column), both 1-based, of a reference as calamine reads it (``XFD1048576``, ``b7``; a
    row alone gives column 0); None when calamine would refuse it."""
    letters = text.rstrip("0123456789")
    digits = text[len(letters):]
    if not digits or not letters.isascii() or not (letters.isalpha() or not letters):
        return None
    column = 0
    for char in letters.upper():
        column = column * 26 + ord(char) - 64
    return int(digits), column


def sheet_extent(data: bytes, part: str) -> tuple[int, int, int]:
    """(rows, columns, cells) a SpreadsheetML sheet reaches, following calamine's reader: a ``<c>``
    with ``r`` sits there; one without sits after the previous cell of its row, on the current row
    (the ``r`` of the last ``<row>``, else one past the previous row). Rows and cells nested inside
    a cell are skipped, as calamine's cell loop skips them. An upper bound: every ``r`` counts."""
    state = {"row": 0, "column": 0, "rows": 0, "columns": 0, "cells": 0, "depth": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        kind = local(name)
        if kind not in ("row", "c"):
            return
        if state["depth"]:  # inside a cell
            state["depth"] += kind == "c"
            return
        found = reference(attrs["r"]) if "r" in attrs else None
        if kind == "row":
            if found:
                state["row"] = found[0] - 1
                state["rows"] = max(state["rows"], found[0])
            return
        state["depth"], state["cells"] = 1, state["cells"] + 1
        if found and found[1]:
            row, column = found[0], found[1]
            state["column"] = column - 1
        else:
            row, column = state["row"] + 1, state["column"] + 1
        state["rows"], state["columns"] = max(state["rows"], row), max(state["columns"], column)

    def end(name: str) -> None:
        kind = local(name)
        if kind == "c" and state["depth"]:
            state["depth"] -= 1
            state["column"] += not state["depth"]
        elif kind == "row" and not state["depth"]:
            state["row"], state["column"] = state["row"] + 1, 0

    stream(data, part, start, end)
    return state["rows"], state["columns"], state["cells"]
