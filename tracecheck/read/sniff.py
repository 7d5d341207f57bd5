"""What kind of file this is, and its bytes.

The kind a file claims comes from its extension (workbooks ``.xlsx``/``.xlsm``/``.xls``/``.xlsb``/
``.ods``, text ``.csv``/``.txt``/``.tsv``); the kind it is comes from its first bytes. A file whose
content contradicts its name is refused with a one-line error saying what it really is and what to
do: a workbook saved as .csv, an encrypted workbook, a text file named .xlsx, and files that are no
table at all (a PDF, an image, an archive, a Word document: a small table of signatures, the
magic bytes their formats define). A web page's "export to Excel" (an HTML table under an .xls or
.csv name) is recognised so that the HTML reader reads it. A 0-byte file is "empty" whatever its
name. The input file is only ever opened for reading; OS errors become one-line InputErrors.
"""

from __future__ import annotations

import codecs
import os
import re
import zipfile
from io import BytesIO
from pathlib import Path

from tracecheck.errors import InputError

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
_SUFFIXES_SHOWN = ".xlsx, .xlsm, .xls, .xlsb, .ods, .csv, .tsv or .txt"


def _file_kind(path: Path) -> str:
    """'xlsx' (any workbook) or 'csv' from the extension; InputError for anything else, and for an
    empty file whatever its name."""
    suffix = path.suffix.lower()
    if not os.path.lexists(path):
        raise InputError("file not found", path=str(path))
    if path.is_file() and path.stat().st_size == 0:
        raise InputError("empty file (0 bytes): nothing to check", path=str(path))
    if suffix in WORKBOOK_SUFFIXES:
        return "xlsx"
    if suffix in CSV_SUFFIXES:
        return "csv"
    shown = f"'{suffix}'" if suffix else "(no extension)"
    raise InputError(f"unsupported file type {shown}; expected {_SUFFIXES_SHOWN}", path=str(path))


def _read_bytes(path: Path) -> bytes:
    """The whole file, opened read-only; OS errors become one-line InputErrors."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputError("file not found", path=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=str(path)) from None
    except PermissionError:
        raise InputError("permission denied", path=str(path)) from None
    except OSError as err:
        raise InputError(f"cannot read file: {err.strerror or err}", path=str(path)) from None


def _one_line(err: Exception) -> str:
    """An exception's message on one line, for an InputError (the csv and workbook readers use it)."""
    return " ".join(str(err).split())


_ZIP_MAGIC = b"PK\x03\x04"
_CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # OLE compound file: an old .xls, or an encrypted workbook
# Magic bytes of files that are no table: (offset, bytes, what the file is).
_SIGNATURES = (
    (0, b"%PDF-", "a PDF document"),
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF87a", "a GIF image"),
    (0, b"GIF89a", "a GIF image"),
    (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"),
    (8, b"WEBP", "a WebP image"),
    (4, b"ftypheic", "a HEIC image"),
    (0, b"\x1f\x8b", "a gzip archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"Rar!\x1a\x07", "a RAR archive"),
    (0, b"\xfd7zXZ\x00", "an xz archive"),
    (0, b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (4, b"1AY&SY", "a bzip2 archive"),
    (257, b"ustar", "a tar archive"),
    (0, b"SQLite format 3\x00", "an SQLite database"),
    (0, b"PAR1", "a Parquet file"),
    (0, b"\x7fELF", "a program (ELF executable)"),
    (0, b"{\\rtf", "an RTF document"),
)
_HTML = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|meta|title)[\s>]",
                   re.I | re.S)
_XML_SPREADSHEET = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*>\s*(?:<\?mso-application[^>]*Excel\.Sheet)", re.I)
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
BINARY_SHARE = 0.10  # control bytes (besides tab and line breaks) in the first 64 KB of a file that is no text
BINARY_SAMPLE = 1 << 16


def utf16_order(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for UTF-16 text without a byte-order mark (the NUL half of each
    ASCII character sits on one side), else None."""
    head = data[:4096]
    head = head[:len(head) // 2 * 2]
    if len(head) < 4:
        return None
    odd, even = head[1::2].count(0) / (len(head) / 2), head[0::2].count(0) / (len(head) / 2)
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _content_kind(data: bytes) -> tuple[str, str]:
    """(kind, what it is) whatever the name says: kind is workbook, encrypted, xls, html, text, or
    other (no table: a PDF, an image, an archive...), with words for the error message."""
    if data.startswith(_ZIP_MAGIC):
        return _zip_kind(data)
    if data.startswith(_CFB_MAGIC):  # stream names are UTF-16 in the compound file's directory
        if "EncryptionInfo".encode("utf-16-le") in data:
            return "encrypted", "a password-protected workbook"
        if "WordDocument".encode("utf-16-le") in data:
            return "other", "a Word document (.doc)"
        return "xls", "an Excel workbook (.xls)"
    for offset, magic, what in _SIGNATURES:
        if data[offset:offset + len(magic)] == magic:
            return "other", what
    if data[:2] == b"BM" and data[6:10] == b"\0\0\0\0":
        return "other", "a BMP image"
    head = data[:BINARY_SAMPLE]
    text = head[:4096]
    utf16 = "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else utf16_order(head)
    if utf16:  # markup saved as UTF-16 ("Unicode" web pages) is sniffed as text
        text = text[:len(text) // 2 * 2].decode(utf16, "ignore").encode("utf-8")
    if _XML_SPREADSHEET.match(text):
        return "other", "an Excel 2003 XML spreadsheet"
    if _HTML.match(text):
        return "html", "an HTML page"
    if utf16:
        return "text", "a text file"
    if len(head) - len(head.translate(None, CONTROL_BYTES)) > BINARY_SHARE * len(head):
        return "other", "a binary file, not text"
    return "text", "a text file"


def _zip_kind(data: bytes) -> tuple[str, str]:
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, KeyError):
        names = set()  # a damaged zip: what its local headers name decides
        if not (b"xl/" in data or b"opendocument" in data or b"word/" in data or b"ppt/" in data):
            return "damaged", "a damaged zip archive"  # a truncated workbook, most likely: the reader says so
    if not names:
        names = {"xl/workbook.xml"} if b"xl/workbook.xml" in data or b"xl/_rels/" in data else set()
        names |= {"xl/workbook.bin"} if b"xl/workbook.bin" in data else set()
        names |= {"content.xml"} if b"opendocument.spreadsheet" in data else set()
    lowered = {name.replace("\\", "/").lower() for name in names}
    if lowered & {"xl/workbook.xml", "xl/workbook.bin"} or any(n.startswith("xl/") for n in lowered):
        return "workbook", "an Excel workbook (.xlsx)"
    if b"application/vnd.oasis.opendocument.spreadsheet" in data[:200] or "content.xml" in lowered and \
            b"opendocument.spreadsheet" in data:
        return "workbook", "an OpenDocument spreadsheet (.ods)"
    if any(n.startswith("word/") for n in lowered):
        return "other", "a Word document (.docx)"
    if any(n.startswith("ppt/") for n in lowered):
        return "other", "a PowerPoint presentation (.pptx)"
    if b"application/vnd.oasis.opendocument" in data[:200]:
        return "other", "an OpenDocument file that is no spreadsheet"
    return "zip", "a zip archive"


def _refuse_mislabelled(data: bytes, kind: str, shown: str) -> str:
    """The content kind (see _content_kind); a clear error when the content contradicts the
    extension (an xlsx saved as .csv, a PDF named .xlsx, and so on)."""
    content, what = _content_kind(data)
    named = "csv" if kind == "csv" else "spreadsheet"
    if content == "encrypted":
        raise InputError("workbook is password-protected (encrypted); remove the password in Excel "
                         "(File > Info > Protect Workbook) and save it again", path=shown)
    if content == "other" and "spreadsheet" in what:
        raise InputError(f"is {what}, a format tracecheck does not read; open it in Excel and save it as .xlsx",
                         path=shown)
    if content == "other":
        raise InputError(f"is {what}, not a {named}; export the table itself as .xlsx or .csv", path=shown)
    if kind == "csv" and content in ("workbook", "xls"):
        real = ".xls" if content == "xls" else ".ods" if "(.ods)" in what else ".xlsx"
        raise InputError(f"is {what.split(' (')[0]} ({real}) with a csv name; rename it to {real} "
                         "(or save it from Excel as csv)", path=shown)
    if kind == "csv" and content in ("zip", "damaged"):
        raise InputError("is a zip archive, not a csv; unpack it and check the file inside", path=shown)
    if kind == "xlsx" and content == "zip":
        raise InputError("is a zip archive, not a workbook; unpack it and check the file inside", path=shown)
    if kind == "xlsx" and content == "text" and data.strip():
        raise InputError("is a text file, not an Excel workbook; if it is a csv, rename it to .csv", path=shown)
    return content
