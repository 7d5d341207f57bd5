"""A time-bounded mutation fuzzer for the csv and xlsx readers (run outside the test suite).

    python tests/fuzz_readers.py --seconds 1800 --seed 1 --crashes fuzz-crashes/

Each iteration takes a seed file (csv text or a small workbook built here, never a committed
binary), mutates it, writes it to a temporary file and runs it the way the CLI does:
``read_batch`` must either return a table or raise a one-line InputError naming the file, and
whatever was read must go through ``tracecheck.check`` and the JSON writer (every writer, for
one input in ten) without an exception (a pandas ParserWarning, which announces lost data, counts
as one). An iteration that uses more than ``--hang-seconds`` of CPU time counts as a hang (CPU time, not
wall time: run at low priority on a shared machine, a 5-second input can wait minutes for the CPU).

Mutations: byte flips, inserted "interesting" bytes (quotes, delimiters, line breaks, NUL, BOMs,
invalid UTF-8), deleted and duplicated chunks, splices of two seeds, re-encoding; for workbooks
also mutations of the XML *inside* the zip (re-zipped with valid checksums, so they reach the XML
parser rather than stopping at the zip layer), and rewrites of the XML's syntax that keep it valid
(``--kinds xml`` for those alone): single or double quotes, spaces, tabs and line breaks around
``=`` and between attributes, attributes in another order, a namespace prefix on every element
(``x:row``, ``x:c``), lower-case cell references, cells and rows without ``r``, each combined with
a cell or row moved far away, so that the workbook guard must see through the syntax to refuse it.

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

ROOT = Path(__file__).resolve().parent.parent
# the package of this checkout, not one installed elsewhere (``python tests/fuzz_readers.py`` puts tests/ first
# on the path, and an editable install of another checkout would otherwise be the one fuzzed)
sys.path.insert(0, str(ROOT))

import tracecheck  # noqa: E402
from tracecheck.errors import InputError  # noqa: E402
from tracecheck.read import read_batch  # noqa: E402
from tracecheck.writers import FORMATS, write_report  # noqa: E402

AS_OF = dt.date(2026, 11, 22)
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


def mutate_xml_syntax(seeds: list[bytes], rnd: random.Random) -> bytes:
    """A workbook whose XML parts are rewritten in another valid syntax (see the module docstring),
    usually with a far cell or row, so that only a guard that reads XML as XML refuses it."""
    source = zipfile.ZipFile(io.BytesIO(rnd.choice(seeds)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", rnd.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename.endswith((".xml", ".rels")):
                if info.filename.startswith("xl/worksheets/") and rnd.random() < 0.7:
                    part = _far_reference(part, rnd)
                if rnd.random() < 0.8:
                    part = rewrite_syntax(part, rnd)
            target.writestr(info.filename, part)
    return buffer.getvalue()


_TAG = re.compile(rb"<(/?)([A-Za-z_][\w.-]*)((?:\s[^<>]*?)?)(/?)>")
_ATTRIBUTE = re.compile(rb'([\w:.-]+)\s*=\s*("[^"]*"|\'[^\']*\')')
_SPACES = [b" ", b"  ", b"\t", b"\n", b"\r\n", b" \n\t "]


def rewrite_syntax(xml: bytes, rnd: random.Random) -> bytes:
    """The same document in another valid syntax: quoting, spacing, attribute order, a namespace
    prefix on the elements of the default namespace, lower-case references, references dropped."""
    quote = rnd.choice(["double", "single", "mixed"])
    spaced = rnd.random() < 0.5
    shuffle = rnd.random() < 0.5
    lower = rnd.random() < 0.2
    drop_r = rnd.random() < 0.1
    prefix = rnd.choice([None, None, b"x", b"main", b"ns0", b"s"])

    def space() -> bytes:
        return rnd.choice(_SPACES) if spaced else b" "

    def attribute(name: bytes, value: bytes) -> bytes:
        inner = value[1:-1]
        if name == b"r" and lower:
            inner = inner.lower()
        single = quote == "single" or quote == "mixed" and rnd.random() < 0.5
        if single and b"'" not in inner:
            quoted = b"'" + inner + b"'"
        elif b'"' not in inner:
            quoted = b'"' + inner + b'"'
        else:
            quoted = value
        around = (space(), space()) if spaced and rnd.random() < 0.5 else (b"", b"")
        return name + around[0].lstrip(b" ") + b"=" + around[1].lstrip(b" ") + quoted

    def tag(match: re.Match[bytes]) -> bytes:
        closing, name, rest, empty = match.groups()
        if name.startswith(b"?") or b":" in name and not prefix:
            return match.group()
        attributes = [(m.group(1), m.group(2)) for m in _ATTRIBUTE.finditer(rest)]
        if drop_r and name in (b"c", b"row"):
            attributes = [a for a in attributes if a[0] != b"r"]
        if shuffle:
            rnd.shuffle(attributes)
        if prefix and b":" not in name:
            attributes = [(b"xmlns:" + prefix if a == b"xmlns" else a, v) for a, v in attributes]
            name = prefix + b":" + name
        body = b"".join(space() + attribute(a, v) for a, v in attributes)
        return b"<" + closing + name + body + (space() if spaced and rnd.random() < 0.3 else b"") + empty + b">"

    return _TAG.sub(tag, xml)


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
    seeds["xml"] = seeds["xlsx"]
    kinds = args.kinds.split(",")
    failures: dict[str, str] = {}
    counts = {kind: 0 for kind in kinds}
    previous = signal.signal(signal.SIGVTALRM, _on_alarm)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="tracecheck-fuzz-"))
    print(f"fuzzing {Path(tracecheck.__file__).parent}; inputs are written to {work}; if this process dies "
          f"(a crash in native code), the input.* file there is the culprit", flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)  # pandas says it is dropping data
        while time.perf_counter() - started < args.seconds:
            kind = rnd.choice(kinds)
            if kind == "csv":
                data = mutate_csv(seeds["csv"], rnd)
            elif kind == "xml":  # the XML syntax rewrites alone
                data = mutate_xml_syntax(seeds["xlsx"], rnd)
            else:
                data = mutate_xml_syntax(seeds["xlsx"], rnd) if rnd.random() < 0.3 else mutate_xlsx(seeds["xlsx"], rnd)
            path = work / f"input.{'csv' if kind == 'csv' else 'xlsx'}"
            path.write_bytes(data)
            counts[kind] += 1
            signal.setitimer(signal.ITIMER_VIRTUAL, args.hang_seconds)  # this process's CPU time
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
                signal.setitimer(signal.ITIMER_VIRTUAL, 0)
            if signature and signature not in failures:
                args.crashes.mkdir(parents=True, exist_ok=True)
                saved = args.crashes / f"{kind}-{hashlib.sha1(data).hexdigest()[:12]}.{path.suffix[1:]}"
                saved.write_bytes(data)
                failures[signature] = str(saved)
                print(f"FAILURE {signature}: {saved}", flush=True)
    signal.signal(signal.SIGVTALRM, previous)
    shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - started
    total = sum(counts.values())
    print(f"fuzzed {total:,} inputs ({', '.join(f'{k} {v:,}' for k, v in counts.items())}) in {elapsed:,.0f} s "
          f"({total / elapsed:,.1f}/s), seed {args.seed}: {len(failures)} distinct failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
