"""What kind of file this is, and its bytes.

The kind a file claims comes from its extension (``.xlsx``/``.xlsm``/``.xls`` or
``.csv``/``.txt``/``.tsv``); the kind it is comes from its first bytes, and a file whose
content contradicts its name (a workbook saved as .csv, a zip, an encrypted workbook, a text
file named .xlsx) is refused with an error that says what to do. The input file is only ever
opened for reading; OS errors become one-line InputErrors.
"""

from __future__ import annotations

import os
from pathlib import Path

from tracecheck.errors import InputError

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})


def _file_kind(path: Path) -> str:
    """'xlsx' or 'csv' from the extension; InputError for anything else."""
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if not os.path.lexists(path):
        raise InputError("file not found", path=str(path))
    shown = f"'{suffix}'" if suffix else "(no extension)"
    raise InputError(f"unsupported file type {shown}; expected .xlsx or .csv", path=str(path))


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


def _content_kind(data: bytes) -> str:
    """What the bytes are, whatever the name says: workbook, encrypted, xls, zip, text or binary."""
    if data.startswith(_ZIP_MAGIC):
        return "workbook" if b"xl/workbook.xml" in data or b"xl/_rels/" in data else "zip"
    if data.startswith(_CFB_MAGIC):  # stream names are UTF-16 in the compound file's directory
        return "encrypted" if "EncryptionInfo".encode("utf-16-le") in data else "xls"
    head = data[:8192]
    if b"\x00" not in head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"
    return "binary"


def _refuse_mislabelled(data: bytes, kind: str, shown: str) -> None:
    """A clear error when the content contradicts the extension (an xlsx saved as .csv, and so on)."""
    content = _content_kind(data)
    if content == "encrypted":
        raise InputError("workbook is password-protected (encrypted); remove the password in Excel "
                         "(File > Info > Protect Workbook) and save it again", path=shown)
    if kind == "csv" and content in ("workbook", "xls"):
        real = ".xlsx" if content == "workbook" else ".xls"
        raise InputError(f"is an Excel workbook ({real}) with a csv name; rename it to {real} "
                         "(or save it from Excel as csv)", path=shown)
    if kind == "csv" and content == "zip":
        raise InputError("is a zip archive, not a csv; unpack it and check the file inside", path=shown)
    if kind == "xlsx" and content == "text" and data.strip():
        raise InputError("is a text file, not an Excel workbook; if it is a csv, rename it to .csv", path=shown)
