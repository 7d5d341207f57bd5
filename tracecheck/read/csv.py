"""Csv files: decoded to utf-8, the delimiter sniffed, parsed into a grid of text, then shaped.

Encodings: utf-16 (with a BOM), utf-8 (with or without a BOM), else cp1252 (latin-1 for the
bytes cp1252 leaves undefined); a file with NUL bytes and no utf-16 BOM is not text. The
delimiter is the one of ``, ; tab |`` with the most consistent count per line. A rectangular
file takes Arrow's multi-threaded reader (the fast path); a ragged one (title or note lines,
blank lines) or one with an unbalanced quote takes the pandas parser, which pads short rows,
retries when a record is wider than guessed and reads an unterminated quote literally.

CSV values are kept as text (``"N/A"``, ``"NONE"`` and ``"NA"`` stay text); blank cells are
missing. The module is named like the standard library's ``csv``, which it uses: imports are
absolute, so ``import csv`` here is the standard library's.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections import Counter

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pa_compute
import pyarrow.csv as pa_csv

from tracecheck.errors import InputError
from tracecheck.read.shape import _shape, _Table
from tracecheck.read.sniff import _one_line

CSV_DELIMITERS = (",", ";", "\t", "|")  # earlier wins ties

DELIMITER_SAMPLE_LINES = 50
DELIMITER_SAMPLE_BYTES = 1 << 16
MAX_PARSE_ATTEMPTS = 10
EXACT_WIDTH_AFTER = 3  # "too many fields" retries before counting the width exactly

_EXPECTED_FIELDS_RE = re.compile(r"Expected \d+ fields in line \d+, saw (\d+)")


def _read_csv(data: bytes, shown: str, header_row: int | None) -> tuple[_Table, str, str]:
    """Decode, sniff the delimiter, parse and shape a csv file."""
    utf8, encoding = _to_utf8(data, shown)
    sample = _sample_lines(utf8)
    delimiter = _detect_delimiter(sample)
    width = max((_count_unquoted(line, delimiter) + 1 for line in sample), default=1)
    grid = _arrow_csv(utf8, delimiter, width)
    if grid is None:  # ragged rows (title or note lines, blank lines): the slower, forgiving parser
        grid = _parse_csv(utf8, delimiter, width, shown)
    return _shape(grid, header_row, shown, None), encoding, delimiter


def _to_utf8(data: bytes, shown: str) -> tuple[bytes, str]:
    """Return the file as BOM-less utf-8 bytes and the name of its encoding."""
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode("utf-16").encode("utf-8"), name
            except UnicodeDecodeError:
                raise InputError("cannot decode utf-16 text", path=shown) from None
    if b"\x00" in data:
        raise InputError("not a text file (contains NUL bytes); expected a csv", path=shown)
    if data.startswith(codecs.BOM_UTF8):
        data, name = data[len(codecs.BOM_UTF8):], "utf-8-sig"
    else:
        name = "utf-8"
    try:
        data.decode("utf-8")
        return data, name
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252").encode("utf-8"), "cp1252"
    except UnicodeDecodeError:  # bytes undefined in cp1252 (0x81, 0x8D, ...)
        return data.decode("latin-1").encode("utf-8"), "latin-1"


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


def _arrow_csv(utf8: bytes, delimiter: str, width: int) -> pd.DataFrame | None:
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


def _parse_csv(utf8: bytes, delimiter: str, width: int, shown: str) -> pd.DataFrame:
    """Parse all records as text into a grid indexed by line number (ragged rows padded).

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
                return _clean_text_grid(_pandas_csv(utf8, delimiter, width, quoting))
        except pd.errors.ParserWarning:  # found by tests/fuzz_readers.py
            message = "records wider than expected"
            width = max(width + 1, _csv_width(utf8, delimiter, quoting))
            continue
        except pd.errors.ParserError as err:
            message = _one_line(err)
        wider = _EXPECTED_FIELDS_RE.search(message)
        if wider:
            widened += 1
            width = max(width + 1, int(wider.group(1)))
            if widened == EXACT_WIDTH_AFTER:
                width = max(width, _csv_width(utf8, delimiter, quoting))
        elif "EOF inside string" in message and quoting != csv.QUOTE_NONE:
            quoting = csv.QUOTE_NONE
        else:
            break
    raise InputError(f"cannot parse csv: {message}", path=shown)


def _pandas_csv(utf8: bytes, delimiter: str, width: int, quoting: int) -> pd.DataFrame:
    if not utf8.strip():
        return pd.DataFrame()
    return pd.read_csv(io.BytesIO(utf8), sep=delimiter, header=None, names=range(width),  # type: ignore[call-overload]
                       dtype="str", keep_default_na=False, na_filter=False,  # (quoting: an int QUOTE_* constant)
                       skip_blank_lines=False, index_col=False, encoding="utf-8",
                       engine="c", quotechar='"', doublequote=True, quoting=quoting)


def _csv_width(utf8: bytes, delimiter: str, quoting: int) -> int:
    text = io.StringIO(utf8.decode("utf-8"), newline="")
    reader = csv.reader(text, delimiter=delimiter, quoting=quoting)  # type: ignore[arg-type]  # QUOTE_* ints
    return max((len(record) for record in reader), default=1)


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
