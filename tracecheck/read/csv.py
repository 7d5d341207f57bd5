"""Csv files: decoded to utf-8, the delimiter sniffed, parsed into a grid of text, then shaped.

Decoding (utf-16 with or without a BOM, utf-8, cp1252, a few lines in another encoding, control
characters, stray byte-order marks) is tracecheck.read.decode's; what it mended becomes notes here,
on the cells concerned (kinds ``encoding`` and ``control_characters``). The delimiter is the one of
``, ; tab |`` with the most consistent count per line; quotes are escaped by doubling them, or by a
backslash when that splits the lines more consistently (database dumps). A rectangular file takes
Arrow's multi-threaded reader (the fast path); a ragged one (title or note lines, blank lines) or
one with an unbalanced quote takes the pandas parser, which pads short rows, retries when a record
is wider than guessed and reads an unterminated quote literally.

A data record that does not split into the table's number of fields (the most common count among
the data rows) is misaligned: its values may sit in the wrong columns, so it is dropped (reason
``misaligned``) and noted (kind ``misaligned``, with the counts) instead of checked. Empty fields
after the last column (a delimiter at the end of data lines) are no misalignment.

CSV values are kept as text (``"N/A"``, ``"NONE"`` and ``"NA"`` stay text); blank cells are
missing. The module is named like the standard library's ``csv``, which it uses: imports are
absolute, so ``import csv`` here is the standard library's.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pa_compute
import pyarrow.csv as pa_csv

from tracecheck.errors import InputError
from tracecheck.read.decode import decode, record_numbers, unmark
from tracecheck.read.notes import DroppedRow, ReadNote
from tracecheck.read.shape import _shape, _Table, column_letter
from tracecheck.read.sniff import _one_line

CSV_DELIMITERS = (",", ";", "\t", "|")  # earlier wins ties

DELIMITER_SAMPLE_LINES = 50
DELIMITER_SAMPLE_BYTES = 1 << 16
MAX_PARSE_ATTEMPTS = 10
EXACT_WIDTH_AFTER = 3  # "too many fields" retries before counting the width exactly

_EXPECTED_FIELDS_RE = re.compile(r"Expected \d+ fields in line \d+, saw (\d+)")


def _read_csv(data: bytes, shown: str, header_row: int | None) -> tuple[_Table, str, str, tuple[ReadNote, ...]]:
    """Decode, sniff the delimiter, parse and shape a csv file; the notes say what was mended."""
    decoded = decode(data, shown)
    utf8 = decoded.utf8
    sample = _sample_lines(utf8)
    delimiter = _detect_delimiter(sample)
    escape = _escape_char(sample, delimiter)
    if escape:
        width = max((len(r) for r in csv.reader(sample, delimiter=delimiter, escapechar=escape)), default=1)
    else:
        width = max((_count_unquoted(line, delimiter) + 1 for line in sample), default=1)
    grid, counts = _arrow_csv(utf8, delimiter, width, escape), None
    if grid is None:  # ragged rows (title or note lines, blank lines): the slower, forgiving parser
        grid, quoting = _parse_csv(utf8, delimiter, width, shown, escape)
        counts = _field_counts(utf8, delimiter, quoting, escape)
    cells: list[ReadNote] = []
    if decoded.marked:
        grid, cells = _remove_marks(grid)
    if decoded.encoded_lines:
        cells += _encoding_notes(grid, record_numbers(utf8, decoded.encoded_lines))
    table = _shape(grid, header_row, shown, None)
    table, misaligned = _drop_misaligned(table, grid, counts)
    if cells:  # notes on rows the table kept (not on title lines above the header, nor on dropped rows)
        kept = set(table.frame.index[table.frame.index.isin([n.row for n in cells])].tolist()) | {table.header_row}
        cells = [n for n in cells if n.row in kept]
    notes = tuple(sorted(cells + misaligned, key=lambda n: (n.row or 0, n.column or "")))
    return table, decoded.encoding, delimiter, notes


def _escape_char(sample: list[str], delimiter: str) -> str | None:
    """A backslash, when quotes inside quoted fields are escaped by one (``"a \\"b\\" c"``) and reading
    them so splits the sample lines into a more consistent number of fields; else None (doubled quotes)."""
    if not any('\\"' in line for line in sample):  # the sample decides below anyway
        return None

    def consistency(escape: str | None) -> float:
        counts = Counter(len(r) for r in csv.reader(sample, delimiter=delimiter, escapechar=escape))
        return max(counts.values()) / len(sample)

    return "\\" if consistency("\\") > consistency(None) else None


def _field_counts(utf8: bytes, delimiter: str, quoting: int, escape: str | None) -> np.ndarray | None:
    """The number of fields of each record, as the pandas parser splits them (None if unsure)."""
    text = io.StringIO(utf8.decode("utf-8"), newline="")
    try:
        reader = csv.reader(text, delimiter=delimiter, quoting=quoting, escapechar=escape)  # type: ignore[arg-type]
        return np.array([len(record) for record in reader], dtype=np.int64)
    except csv.Error:  # a field longer than the csv module allows: the record widths stay unchecked
        return None


def _drop_misaligned(table: _Table, grid: pd.DataFrame, counts: np.ndarray | None) -> tuple[_Table, list[ReadNote]]:
    """Drop (and note) the data records whose number of fields is not the table's (see the module
    docstring); ``counts`` are the fields of each record (None: the fast path, every record alike)."""
    if counts is None or len(counts) != len(grid) or not len(table.frame):
        return table, []
    rows = table.frame.index.to_numpy(dtype=np.int64)
    fields = counts[rows - 1]
    usual = Counter(fields.tolist())
    header = int(counts[table.header_row - 1]) if table.header_row else 0
    expected = max(usual, key=lambda n: (usual[n], n == header, n))
    notes, bad = [], []
    for row, found in zip(rows[fields != expected].tolist(), fields[fields != expected].tolist()):
        if found > expected and grid.loc[row, expected:found - 1].isna().all():
            continue  # only empty fields after the last column: a trailing delimiter
        bad.append(row)
        notes.append(ReadNote("misaligned", row, details={"fields": found, "expected_fields": expected}))
    if not bad:
        return table, []
    dropped = sorted(table.dropped_rows + [DroppedRow(row, "misaligned") for row in bad], key=lambda d: d.row)
    frame = table.frame.drop(index=bad)
    # columns that only the dropped records reached (no header, no value left) go with them
    positions = {column_letter(p): p for p in range(len(grid.columns))}
    header_cells = grid.loc[table.header_row] if table.header_row in grid.index else None
    gone = [name for name, letter in table.column_letters.items() if header_cells is not None
            and pd.isna(header_cells.iloc[positions[letter]]) and frame[name].isna().all()]
    letters = {name: letter for name, letter in table.column_letters.items() if name not in gone}
    return _Table(frame.drop(columns=gone), table.header_row, letters, table.duplicate_headers, dropped), notes


def _remove_marks(grid: pd.DataFrame) -> tuple[pd.DataFrame, list[ReadNote]]:
    """Remove the marked control characters from the grid's cells, with a note on each cell (its
    value shows what was removed, as control pictures: ``HKR␀4521``)."""
    notes, grid = [], grid.copy()
    for position, column in enumerate(grid.columns):
        values = grid[column]
        hit = values.str.contains("[\ufdd0-\ufdef\ufffe]", regex=True).fillna(False).to_numpy(dtype=bool)
        for row, text in zip(values.index[hit].tolist(), values[hit].tolist()):
            cleaned, shown = unmark(str(text))
            cleaned = cleaned.strip()
            grid.loc[row, column] = cleaned or None
            notes.append(ReadNote("control_characters", int(row), column_letter(position), shown))
    return grid, notes


def _encoding_notes(grid: pd.DataFrame, records: dict[int, int]) -> list[ReadNote]:
    """A note on each cell of the records decoded as cp1252 that holds a character beyond ASCII
    (on the record itself when none does)."""
    notes = []
    for row in sorted(set(records.values())):
        if row not in grid.index:
            continue
        values = grid.loc[row].to_numpy(dtype=object).tolist()
        cells = [(p, v) for p, v in enumerate(values) if isinstance(v, str) and not v.isascii()]
        notes += [ReadNote("encoding", row, column_letter(p), v) for p, v in cells] or [ReadNote("encoding", row)]
    return notes


def _sample_lines(utf8: bytes) -> list[str]:
    """The first non-blank lines of the file, for delimiter detection."""
    head = utf8[:DELIMITER_SAMPLE_BYTES]
    lines = head.decode("utf-8", errors="ignore").splitlines()
    if len(utf8) > len(head) and lines:
        lines.pop()  # probably cut in the middle
    return [line for line in lines if line.strip()][:DELIMITER_SAMPLE_LINES]


def _detect_delimiter(lines: list[str]) -> str:
    """The delimiter with the most consistent non-zero count per line (ties: comma)."""
    best, best_key = CSV_DELIMITERS[0], (0, 0)
    for delimiter in CSV_DELIMITERS:
        counts = Counter(c for c in (_count_unquoted(line, delimiter) for line in lines) if c)
        if not counts:
            continue
        mode, frequency = max(counts.items(), key=lambda item: (item[1], item[0]))
        if (frequency, mode) > best_key:
            best, best_key = delimiter, (frequency, mode)
    return best


def _count_unquoted(line: str, delimiter: str) -> int:
    """How often ``delimiter`` occurs in ``line`` outside double quotes."""
    if '"' not in line:
        return line.count(delimiter)
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _arrow_csv(utf8: bytes, delimiter: str, width: int, escape: str | None = None) -> pd.DataFrame | None:
    """Fast path for a rectangular csv: Arrow's multi-threaded reader, every column as text.

    Returns None when any record has a different number of fields than the sample's widest
    (a title row above the header, a blank line, a note below the data) or a quote is left
    open; the caller then uses the pandas parser, which pads ragged rows and reads an open
    quote literally. Row numbers are record numbers in both.
    """
    ragged = []

    def on_invalid_row(row: pa_csv.InvalidRow) -> str:
        ragged.append(row.number)
        return "skip"

    if not utf8.strip() or utf8.count(b'"') % 2:  # empty, or an unbalanced quote somewhere
        return None
    names = [str(i) for i in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(utf8),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                              escape_char=escape or False,
                                              newlines_in_values=True, ignore_empty_lines=False,
                                              invalid_row_handler=on_invalid_row),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, ValueError):
        return None
    if ragged or table.num_rows == 0:
        return None
    index = pd.RangeIndex(1, table.num_rows + 1)
    columns = {}
    for i, name in enumerate(names):
        text = pa_compute.utf8_trim_whitespace(table.column(name))
        text = pa_compute.if_else(pa_compute.equal(text, ""), pa.scalar(None, pa.string()), text)
        columns[i] = pd.Series(pd.arrays.ArrowStringArray(text.combine_chunks()), index=index, dtype="str")
    return pd.DataFrame(columns, index=index)


def _parse_csv(utf8: bytes, delimiter: str, width: int, shown: str,
               escape: str | None = None) -> tuple[pd.DataFrame, int]:
    """Parse all records as text into a grid indexed by line number (ragged rows padded), and the
    quoting it took (csv.QUOTE_NONE after an unterminated quote).

    ``width`` is a first guess of the widest record; a wider one makes the C
    parser fail with "Expected N fields ..., saw M" and we retry with M (after a
    few such retries the exact width is counted once). An unterminated quote
    makes us re-read with quotes taken literally instead of failing.
    """
    quoting, widened = csv.QUOTE_MINIMAL, 0
    for _ in range(MAX_PARSE_ATTEMPTS):
        try:
            with warnings.catch_warnings():
                # pandas only warns (and drops fields) when the *first* record is wider than ``width``
                warnings.simplefilter("error", pd.errors.ParserWarning)
                return _clean_text_grid(_pandas_csv(utf8, delimiter, width, quoting, escape)), quoting
        except pd.errors.ParserWarning:  # found by tests/fuzz_readers.py
            message = "records wider than expected"
            width = max(width + 1, _csv_width(utf8, delimiter, quoting, escape))
            continue
        except pd.errors.ParserError as err:
            message = _one_line(err)
        wider = _EXPECTED_FIELDS_RE.search(message)
        if wider:
            widened += 1
            width = max(width + 1, int(wider.group(1)))
            if widened == EXACT_WIDTH_AFTER:
                width = max(width, _csv_width(utf8, delimiter, quoting, escape))
        elif "EOF inside string" in message and quoting != csv.QUOTE_NONE:
            quoting = csv.QUOTE_NONE
        else:
            break
    raise InputError(f"cannot parse csv: {message}", path=shown)


def _pandas_csv(utf8: bytes, delimiter: str, width: int, quoting: int, escape: str | None) -> pd.DataFrame:
    if not utf8.strip():
        return pd.DataFrame()
    return pd.read_csv(io.BytesIO(utf8), sep=delimiter, header=None, names=range(width),  # type: ignore[call-overload]
                       dtype="str", keep_default_na=False, na_filter=False,  # (quoting: an int QUOTE_* constant)
                       skip_blank_lines=False, index_col=False, encoding="utf-8",
                       engine="c", quotechar='"', doublequote=True, quoting=quoting, escapechar=escape)


def _csv_width(utf8: bytes, delimiter: str, quoting: int, escape: str | None) -> int:
    text = io.StringIO(utf8.decode("utf-8"), newline="")
    reader = csv.reader(text, delimiter=delimiter, quoting=quoting, escapechar=escape)  # type: ignore[arg-type]
    try:
        return max((len(record) for record in reader), default=1)
    except csv.Error:  # a field longer than the csv module allows: the pandas parser says how wide
        return 1


def _clean_text_grid(grid: pd.DataFrame) -> pd.DataFrame:
    """Strip every cell, make blank cells missing, index rows by line number.

    Columns stay pandas' text dtype (Arrow-backed when pyarrow is installed), so later
    stages run their string operations vectorised instead of once per Python object.
    """
    columns = {}
    for column in grid.columns:
        values = grid[column].astype("str").str.strip()
        columns[column] = values.where(values.str.len() > 0).to_numpy()
    frame = pd.DataFrame(columns, index=pd.RangeIndex(1, len(grid) + 1), columns=grid.columns)
    return frame.astype("str") if len(frame.columns) else frame


def sniff_csv(head: bytes, shown: str) -> tuple[str, str]:
    """(encoding, delimiter) of a csv file from its first bytes, as this reader decides them: for
    another reader of the same file (tracecheck.cli_spark hands them to Spark's csv reader)."""
    decoded = decode(head, shown)
    return decoded.encoding, _detect_delimiter(_sample_lines(decoded.utf8))
