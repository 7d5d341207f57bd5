"""A header as words: format hints removed, case changes and separators split, accents folded.

Pure text functions, no vocabulary: which field the words name is decided in ``vocabulary`` and
``decide``. ``tokenise("Fecha de compra (dd/mm/aaaa)")`` gives the words ``FECHA DE COMPRA`` and
the date order ``dayfirst``; ``tokenise("Make/Model")`` gives two parts, ``MAKE`` and ``MODEL``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Letters of a date format hint: day (d, j in French, t in German), month (m), year (y, a in
# Spanish and Portuguese, j in German when 3-4 long). "dd/mm/aaaa", "(MM-DD-YYYY)", "[YYYY-MM-DD]".
_PART = r"(?:d{1,2}|j{1,4}|t{1,2}|m{1,3}|y{2,4}|a{2,4}|dia|día|mes|año|ano)"
_HINT = re.compile(rf"[(\[{{]?\s*(?<![A-Za-z])({_PART})\s*([/\-. ])\s*({_PART})\s*\2\s*({_PART})"
                   rf"(?![A-Za-z])\s*[)\]}}]?", re.IGNORECASE)
# Yes/no hints in brackets ("(Y/N)", "(S/N)" = Sí/No, "[SI/NO]"), and a bare trailing "Y/N".
_FLAG_HINT = re.compile(r"[(\[]\s*(?:y|s|si|sí|sim|yes|v|t|true)\s*/\s*(?:n|no|não|nao|f|false)\s*(?:/\s*\w+\s*)?[)\]]"
                        r"|\bY\s*/\s*N\s*$", re.IGNORECASE)
# A plural ending in brackets glued to its word: "Location(s)", "recovery(ies)".
_PLURAL = re.compile(r"(?<=[A-Za-z])\((?:s|es|ies|as|os)\)", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]{2})")
_WORD = re.compile(r"[A-Z0-9]+|#")
# Where one header joins the names of two things: "Make/Model", "Marca y Modelo", "Make & Model".
_JOIN = re.compile(r"\s*[/|&+;]\s*|\s+(?:y|and|e|o|or|u)\s+", re.IGNORECASE)
_SLASH_PAIR = re.compile(r"(?<![A-Za-z])([A-Za-z])\s*/\s*([A-Za-z])(?![A-Za-z])")  # S/N, N/S: one word


@dataclass(frozen=True)
class Tokens:
    """A header read as text. ``words``: the folded words of the whole header; ``parts``: the
    words of each piece where the header joins names ("Make/Model" → (MAKE,), (MODEL,)), one
    part when nothing is joined; ``date_hint``/``date_order``: a date format hint found in the
    header (removed from the words) and the day/month order it gives (dayfirst, monthfirst);
    ``flag_hint``: the header carried a yes/no hint; ``length``: characters of the header as
    written (names cut at 10 or 8 characters come from old database exports)."""

    header: str
    words: tuple[str, ...]
    parts: tuple[tuple[str, ...], ...]
    date_hint: str | None = None
    date_order: str | None = None
    flag_hint: bool = False
    length: int = 0


def fold_text(text: str) -> str:
    """Upper case with accents removed; other characters kept ("Nº de Série" → "NO DE SERIE")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()


def words_of(text: str) -> tuple[str, ...]:
    """The folded words of ``text``, camelCase split and ``#`` kept as a word of its own."""
    return tuple(_WORD.findall(fold_text(_CAMEL.sub(" ", text))))


def tokenise(header: object) -> Tokens:
    """Read ``header`` (any value; None and NaN are empty) as words; see ``Tokens``."""
    raw = "" if header is None or header != header else " ".join(str(header).split())
    text, date_hint, order = _date_hint(raw)
    text, flag = _FLAG_HINT.subn(" ", text)
    text = _PLURAL.sub("", text)
    text = _SLASH_PAIR.sub(r"\1 \2", text)  # "S/N" stays two letters of one name, not a join
    pieces = [p for p in _JOIN.split(text) if p and p.strip()]
    parts = tuple(w for w in (words_of(p) for p in pieces) if w)
    return Tokens(header=raw, words=words_of(text), parts=parts or ((),), date_hint=date_hint, date_order=order,
                  flag_hint=bool(flag), length=len(raw.strip()))


def _date_hint(text: str) -> tuple[str, str | None, str | None]:
    """``text`` without its date format hint, the hint as written, and its day/month order."""
    for match in _HINT.finditer(text):
        kinds = [_kind(match.group(i)) for i in (1, 3, 4)]
        if sorted(k for k in kinds if k) != ["day", "month", "year"]:
            continue
        day, month = kinds.index("day"), kinds.index("month")
        order = "dayfirst" if day < month else "monthfirst"
        hint = match.group(0).strip(" ()[]{}")
        return (text[:match.start()] + " " + text[match.end():]).strip(), hint, order
    return text, None, None


def _kind(part: str) -> str | None:
    p = fold_text(part).lower()
    if p in ("dia",) or re.fullmatch(r"d{1,2}|t{1,2}|j{1,2}", p):
        return "day"
    if p == "mes" or re.fullmatch(r"m{1,3}", p):
        return "month"
    if p in ("ano",) or re.fullmatch(r"y{2,4}|a{2,4}|j{3,4}", p):
        return "year"
    return None
