"""A time-bounded mutation fuzzer for the csv and xlsx readers (run outside the test suite).

    python tests/fuzz_readers.py --seconds 1800 --seed 1 --crashes fuzz-crashes/

Each iteration takes a seed file (csv text or a small workbook built here, never a committed
binary), mutates it, writes it to a temporary file and runs it the way the CLI does:
``read_batch`` must either return a table or raise a one-line InputError naming the file, and
whatever was read must go through ``tracecheck.check`` and the JSON writer (every writer, for
one input in ten) without an exception (a pandas ParserWarning, which announces lost data, counts
as one). An iteration that takes longer than ``--hang-seconds`` counts as a hang.

Mutations: byte flips, inserted "interesting" bytes (quotes, delimiters, line breaks, NUL, BOMs,
invalid UTF-8), deleted and duplicated chunks, splices of two seeds, re-encoding; for workbooks
also mutations of the XML *inside* the zip (re-zipped with valid checksums, so they reach the XML
parser rather than stopping at the zip layer).

Failures are saved under ``--crashes`` as ``<kind>-<sha1>.<ext>`` with a line on stdout; turn
each into a regression case in tests/test_bad_inputs.py. A crash in native code (the workbook
reader is Rust) kills the process: the input being tried is then left in the work folder printed
at the start. The final line reports iterations,
seconds, iterations per second and the number of distinct failures. Exit code 1 if any.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

import tracecheck
from tracecheck.errors import InputError
from tracecheck.read import read_batch
from tracecheck.writers import FORMATS, write_report

AS_OF = dt.date(2026, 11, 22)
ROOT = Path(__file__).resolve().parent.parent
INTERESTING = [b'"', b",", b";", b"\t", b"\n", b"\r", b"\r\n", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xc3",
               b"\xe2\x80\x8f", b"=", b"-", b"1e308", b"9" * 40, b"<", b"&", b"]]>", b"'", b" " * 200]
XML_INTERESTING = [b'r="XFD1048576"', b't="s"', b't="d"', b't="e"', b't="b"', b"<v>-1</v>", b"<v>1e308</v>",
                   b"<v>99999999</v>", b"<f>A1</f>", b"<v/>", b'ref="A1:XFD1048576"', b"&#0;", b"&amp;",
                   b"<is><t>x</t></is>", b'<c r="A1">', b"</c>", b"</row>", b'<row r="0">', b'<row r="1048577">',
                   b'date1904="1"', b'state="hidden"', b"<mergeCell ref=\"A1:C3\"/>", b"\x00", b"\xff"]


class Hang(BaseException):
    pass


def _on_alarm(signum, frame):  # pragma: no cover - timing
    raise Hang()


# --------------------------------------------------------------------------- seeds


def csv_seeds() -> list[bytes]:
    seeds = []
    for name in ("traces_us.csv", "rastreo_mx.csv"):
        lines = (ROOT / "examples" / name).read_bytes().splitlines(keepends=True)
        seeds.append(b"".join(lines[:25]))
    seeds.append("Matrícula;Marca;Fecha de recuperación\n\"AB-12\";Glock;31/02/2021\n".encode("cp1252"))
    seeds.append('Serial Number,Manufacturer\n"a ""b"" c",Colt\n=1+1,@SUM(A1)\n'.encode("utf-16"))
    return seeds


def xlsx_seeds() -> list[bytes]:
    seeds = []
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Requests"
    ws.append(["Trace report", None, None])
    ws.append(["Serial Number", "Manufacturer", "Model", "Recovery Date", "Request Date", "Country"])
    ws.append(["BXYZ123", "Glock", "19", dt.date(2024, 3, 1), "2024-04-02", "AUSTRIA"])
    ws.append([12345.0, "Ruger", "LCP", 45000, None, "US"])
    ws.append(["=A3&\"-X\"", "S&W", "=B4", dt.datetime(2023, 1, 5, 10, 30), dt.date(2023, 2, 1), "US"])
    ws.merge_cells("B6:C6")
    ws["A6"] = "note"
    ws.row_dimensions[5].hidden = True
    hidden = wb.create_sheet("Lists")
    hidden.sheet_state = "hidden"
    hidden.append(["a", "b"])
    for epoch in (None, openpyxl.utils.datetime.CALENDAR_MAC_1904):
        if epoch is not None:
            wb.epoch = epoch
        buffer = io.BytesIO()
        wb.save(buffer)
        seeds.append(buffer.getvalue())
    return seeds


# --------------------------------------------------------------------------- mutations


def mutate_bytes(data: bytes, rnd: random.Random, extras: list[bytes], others: list[bytes]) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        op = rnd.randrange(6)
        pos = rnd.randrange(len(out) + 1)
        if op == 0 and out:
            out[min(pos, len(out) - 1)] = rnd.randrange(256)
        elif op == 1:
            out[pos:pos] = rnd.choice(extras)
        elif op == 2 and out:
            del out[pos:pos + rnd.randint(1, 64)]
        elif op == 3 and out:
            chunk = out[pos:pos + rnd.randint(1, 256)]
            out[pos:pos] = chunk * rnd.randint(1, 4)
        elif op == 4 and others:
            other = rnd.choice(others)
            cut = rnd.randrange(len(other) + 1)
            out = out[:pos] + bytearray(other[cut:])
        elif op == 5 and out:
            out[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 16)))
    return bytes(out)


def mutate_csv(seeds: list[bytes], rnd: random.Random) -> bytes:
    data = mutate_bytes(rnd.choice(seeds), rnd, INTERESTING, seeds)
    if rnd.random() < 0.05:
        data = data.decode("utf-8", "replace").encode(rnd.choice(["utf-16", "utf-16-le", "cp1252", "latin-1"]),
                                                      "replace")
    return data


def mutate_xlsx(seeds: list[bytes], rnd: random.Random) -> bytes:
    seed = rnd.choice(seeds)
    if rnd.random() < 0.25:  # the zip container itself
        return mutate_bytes(seed, rnd, INTERESTING, [])
    source = zipfile.ZipFile(io.BytesIO(seed))
    names = [info.filename for info in source.infolist()]
    targets = {rnd.choice(names) for _ in range(rnd.randint(1, 2))}
    if rnd.random() < 0.6:
        targets.add("xl/worksheets/sheet1.xml")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            part = source.read(name)
            if name in targets and rnd.random() < 0.15:  # a valid but extreme cell or row reference
                part = _far_reference(part, rnd)
            elif name in targets:
                part = mutate_bytes(part, rnd, XML_INTERESTING + INTERESTING, [])
            if rnd.random() > 0.01:  # now and then a part goes missing
                target.writestr(name, part)
    return buffer.getvalue()


def _far_reference(xml: bytes, rnd: random.Random) -> bytes:
    """Move one cell (or row) reference far away: the XML stays valid, the sheet's extent explodes."""
    references = list(re.finditer(rb' r="([A-Z]*)(\d+)"', xml))
    if not references:
        return xml
    match = rnd.choice(references)
    column = rnd.choice([b"", b"Z", b"AZ", b"ZZ", b"AAA", b"XFD"]) if match.group(1) else b""
    row = str(rnd.choice([1, 65536, 100_000, 1_048_576, 2_000_000, 10**9])).encode()
    return xml[:match.start()] + b' r="' + column + row + b'"' + xml[match.end():]


# --------------------------------------------------------------------------- one run


def run_one(path: Path, out: Path, formats: tuple[str, ...]) -> None:
    """What the CLI does with a file: read, check, write the reports."""
    try:
        read_batch(path)
    except InputError as err:
        message = str(err)
        if "\n" in message or path.name not in message:
            raise AssertionError(f"InputError is not one line naming the file: {message!r}") from None
        return
    report = tracecheck.check(path, as_of=AS_OF, lang="es" if path.stat().st_size % 2 else "en")
    write_report(report, out, formats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hang-seconds", type=int, default=20)
    parser.add_argument("--crashes", type=Path, default=Path("fuzz-crashes"))
    parser.add_argument("--kinds", default="csv,xlsx")
    args = parser.parse_args(argv)

    rnd = random.Random(args.seed)
    seeds = {"csv": csv_seeds(), "xlsx": xlsx_seeds()}
    kinds = args.kinds.split(",")
    failures: dict[str, str] = {}
    counts = {kind: 0 for kind in kinds}
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="tracecheck-fuzz-"))
    print(f"inputs are written to {work}; if this process dies (a crash in native code), "
          f"the input.* file there is the culprit", flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)  # pandas says it is dropping data
        while time.perf_counter() - started < args.seconds:
            kind = rnd.choice(kinds)
            data = mutate_csv(seeds["csv"], rnd) if kind == "csv" else mutate_xlsx(seeds["xlsx"], rnd)
            path = work / f"input.{kind}"
            path.write_bytes(data)
            counts[kind] += 1
            signal.alarm(args.hang_seconds)
            try:
                run_one(path, work / "out", FORMATS if rnd.random() < 0.1 else ("json",))
            except Hang:
                signature = f"hang {kind}"
            except Exception as err:  # noqa: BLE001 - every escape is a finding of the fuzzer
                frame = traceback.extract_tb(err.__traceback__)[-1]
                signature = f"{type(err).__name__} at {Path(frame.filename).name}:{frame.lineno}"
            else:
                signature = None
            finally:
                signal.alarm(0)
            if signature and signature not in failures:
                args.crashes.mkdir(parents=True, exist_ok=True)
                saved = args.crashes / f"{kind}-{hashlib.sha1(data).hexdigest()[:12]}.{kind}"
                saved.write_bytes(data)
                failures[signature] = str(saved)
                print(f"FAILURE {signature}: {saved}", flush=True)
    signal.signal(signal.SIGALRM, previous)
    shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - started
    total = sum(counts.values())
    print(f"fuzzed {total:,} inputs ({', '.join(f'{k} {v:,}' for k, v in counts.items())}) in {elapsed:,.0f} s "
          f"({total / elapsed:,.1f}/s), seed {args.seed}: {len(failures)} distinct failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
