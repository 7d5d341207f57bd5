"""How a batch compares with the earlier batches of its history store (batch.history), in the HTML
page (section "history": store, one sentence, a chart), the terminal summary and the workbook's
Summary sheet: the numbers are the report's, in English and Spanish; this batch is counted the way
the store counts it when recorded; a first batch says so; a batch checked without a store shows
none of it. The page's layout with history is measured in tests/test_writer_html_layout.py."""

from __future__ import annotations

import io
import json
import re
import shutil
from html.parser import HTMLParser

import numpy as np
import openpyxl
import pytest
from histories import AS_OF, fill_store, repeating_batch

import tracecheck
from tracecheck.catalogue import catalogue
from tracecheck.report.view import ReportView
from tracecheck.writers.html import write_html
from tracecheck.writers.text import summary_text
from tracecheck.writers.xlsx import write_xlsx

EARLIER = 3


class Tagged(HTMLParser):
    """The numbers of a piece of page tagged data-metric (a JSON path) or data-derived (a name in the
    view), with the text shown; and the page's visible text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.numbers: list[dict] = []
        self.texts: list[str] = []
        self._open: list[dict] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for kind in ("data-metric", "data-derived"):
            if kind in a:
                self._open.append({"tag": tag, "kind": kind, "name": a[kind], "value": json.loads(a["data-value"]),
                                   "text": ""})

    def handle_endtag(self, tag):
        if self._open and self._open[-1]["tag"] == tag:
            self.numbers.append(self._open.pop())

    def handle_data(self, data):
        if self._open:
            self._open[-1]["text"] += data
        self.texts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())


def walk(document: dict, path: str):
    node = document
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def shown_share(text: str, locale: str) -> float:
    from babel.numbers import parse_decimal

    text = text.replace("\u00a0", "").replace("\u202f", "").strip()
    assert text.endswith("%"), text
    return float(parse_decimal(text[:-1], locale=locale)) / 100


def render(report) -> str:
    page = io.StringIO()
    write_html(ReportView(report), page)
    return page.getvalue()


def section(text: str) -> str | None:
    found = re.search(r'<section id="history">.*?</section>', text, re.DOTALL)
    return found.group(0) if found else None


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("history")
    history = fill_store(folder / "store.sqlite", EARLIER)
    yield history
    history.close()


@pytest.fixture(scope="module")
def reports(store):
    """The repeating batch checked against the store (not recorded), in English and Spanish."""
    batch = repeating_batch()
    return {lang: tracecheck.check(batch, as_of=AS_OF, lang=lang, history=store, name="solicitudes_2026_04.xlsx")
            for lang in ("en", "es")}


def expected_numbers(report) -> dict[str, float | None]:
    """What the section shows that the view works out, counted here from the report itself."""
    rows = report.summary["rows"]
    in_groups = report.rows["duplicate_group"].astype(str).str.startswith("DR").sum()
    f = report.findings
    prior = f.loc[f["name"].eq("prior-duplicate") & f["reason"].ne("re-recovery"), "row"].nunique()
    previous = report.batch["history"]["previous"]
    repeats = [round(p["duplicate_share"] + p["prior_duplicate_share"], 4) for p in previous]
    this = {"duplicate_share": round(in_groups / rows, 4), "prior_duplicate_share": round(prior / rows, 4)}
    return {"history.this.repeat_share": round(this["duplicate_share"] + this["prior_duplicate_share"], 4),
            "history.usable_average": round(float(np.mean([p["usable_serial_share"] for p in previous])), 4),
            "history.repeat_average": round(float(np.mean(repeats)), 4),
            **{f"history.previous.{i}.repeat_share": r for i, r in enumerate(repeats)}}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_section_numbers_equal_the_report(reports, lang):
    report = reports[lang]
    w, document = catalogue(lang), report.to_dict()
    about = document["batch"]["history"]
    assert len(about["previous"]) == EARLIER and about["batches"] == EARLIER and not about["recorded"]
    part = section(render(report))
    assert part is not None
    seen = Tagged(part)
    metrics = [n for n in seen.numbers if n["kind"] == "data-metric"]
    derived = {n["name"]: n for n in seen.numbers if n["kind"] == "data-derived"}
    for n in metrics:
        assert n["value"] == walk(document, n["name"]), n
        if n["name"].endswith("_share"):
            assert shown_share(n["text"], report.locale) == pytest.approx(n["value"], abs=0.0005), n
    paths = {n["name"] for n in metrics}
    assert {"batch.history.batches", "batch.history.requests", "summary.usable_serial_share"} <= paths
    for i in range(EARLIER):  # each earlier batch's usable serials, from the JSON
        assert f"batch.history.previous.{i}.usable_serial_share" in paths
    expected = expected_numbers(report)
    assert set(expected) <= set(derived)
    for name, value in expected.items():
        assert derived[name]["value"] == pytest.approx(value, abs=1e-9), name
        assert shown_share(derived[name]["text"], report.locale) == pytest.approx(value, abs=0.0005), name
    assert expected["history.this.repeat_share"] > expected["history.repeat_average"]  # it repeats batch 1

    sentence = w.text("page", "history_sentence", n=EARLIER, usable=w.percent(report.summary["usable_serial_share"]),
                      usable_before=w.percent(expected["history.usable_average"]),
                      repeat=w.percent(expected["history.this.repeat_share"]),
                      repeat_before=w.percent(expected["history.repeat_average"]))
    assert " ".join(sentence.split()) in seen.text
    assert w.text("page", "history") in seen.text and about["store"] in seen.text
    assert part.count("<svg") == 1 and "<script" not in part
    rows = re.findall(r'<g class="(earlier|this)">', part)
    assert rows == ["earlier"] * EARLIER + ["this"]
    assert w.text("page", "this_batch") in Tagged(part.split('<g class="this">')[1]).text
    other = catalogue("es" if lang == "en" else "en")
    assert other.text("page", "history") not in seen.text


def test_this_batch_is_counted_as_the_store_records_it(reports, store, tmp_path):
    """Recorded, the batch's numbers in the store (what the next batch's chart shows of it) are those
    its own chart shows."""
    report = reports["en"]
    this = ReportView(report).history.this
    assert this.prior_duplicate_share and this.duplicate_share  # both kinds of repeat occur
    copy = tmp_path / "copy.sqlite"
    shutil.copy(store.name, copy)
    with tracecheck.History(copy) as later:
        later.record(report)
        recorded = later.trend().iloc[-1]
    assert recorded["rows"] == this.rows
    for share in ("usable_serial_share", "duplicate_share", "prior_duplicate_share"):
        assert recorded[share] == pytest.approx(getattr(this, share), abs=1e-9), share


@pytest.mark.parametrize("lang", ["en", "es"])
def test_first_batch_in_the_store_says_so(tmp_path, lang):
    with tracecheck.History(tmp_path / "empty.sqlite") as empty:
        report = tracecheck.check(repeating_batch(), as_of=AS_OF, lang=lang, history=empty)
    part = section(render(report))
    w = catalogue(lang)
    assert part is not None and "<svg" not in part
    seen = Tagged(part)
    assert w.text("page", "history_first") in seen.text
    assert w.text("page", "history_sentence", n=0, usable="", usable_before="", repeat="",
                  repeat_before="").split(":")[0] not in seen.text
    assert {n["name"]: n["value"] for n in seen.numbers} == {"batch.history.batches": 0, "batch.history.requests": 0}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_terminal_and_workbook_say_what_the_store_held(reports, lang):
    report = reports[lang]
    w, about = catalogue(lang), report.batch["history"]
    f = report.findings
    prior = int(f.loc[f["name"].eq("prior-duplicate") & f["reason"].ne("re-recovery"), "row"].nunique())
    assert prior > 0
    values = {"store": about["store"], "batches": about["batches"], "requests": about["requests"], "prior": prior}
    view = ReportView(report)
    lines = summary_text(view, []).splitlines()
    assert [line.strip() for line in lines if about["store"] in line] == [w.text("terminal", "history", **values)]
    book = io.BytesIO()
    write_xlsx(view, book)
    book.seek(0)
    summary = openpyxl.load_workbook(book).worksheets[0]
    cells = [v for row in summary.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert [c for c in cells if about["store"] in c] == [w.text("workbook", "history", **values)]


def test_without_a_store_there_is_no_history_anywhere():
    report = tracecheck.check(repeating_batch(), as_of=AS_OF)
    assert "history" not in report.batch and ReportView(report).history is None
    text = render(report)
    w = catalogue("en")
    assert section(text) is None and "data-derived" not in text and w.text("page", "history") not in text
    assert not [line for line in summary_text(ReportView(report), []).splitlines()
                if line.strip().startswith("history:")]
    book = io.BytesIO()
    write_xlsx(ReportView(report), book)
    book.seek(0)
    cells = [v for row in openpyxl.load_workbook(book).worksheets[0].iter_rows(values_only=True) for v in row
             if isinstance(v, str)]
    assert not [c for c in cells if c.startswith("History store")]
