"""The HTML report: numbers equal the JSON, nothing remote, escaping, caps, languages, and a real browser.

The browser tests run headless Chromium (/usr/bin/chromium, Debian package ``chromium``, which
.ci/run installs; helpers in tests/browser.py); without it they skip, except under ``CI=true`` where
they fail. They check that the page renders (screenshot size, ``--dump-dom`` title and sections)
and that Chromium logs no console message or uncaught exception for the page:
with ``--enable-logging=stderr`` Chromium writes each console message as
``INFO:CONSOLE:<line>] "<message>", source: file:///... (<line>)``; a control page that throws
proves the check would see one. tests/test_writer_html_layout.py measures the page at phone and
desktop widths and prints it to PDF.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from browser import chromium, page_console_lines  # tests/browser.py

import tracecheck
import tracecheck.writers.html as html_writer
from synth.batches import generate_batch
from tracecheck.catalogue import catalogue
from tracecheck.matching.tables import DuplicateTables
from tracecheck.report.build import WORST_ROWS_KEPT
from tracecheck.report.view import ReportView
from tracecheck.writers import write_atomic
from tracecheck.writers.html import MAX_GROUPS, MAX_ROWS, write_html

AS_OF = dt.date(2026, 11, 22)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HEADLINE_METRICS = ["summary.rows", "summary.findings", "summary.by_severity.error", "summary.by_severity.warning",
                    "summary.by_severity.info", "summary.rows_traceable", "summary.traceable_share",
                    "summary.duplicates.groups.duplicate-request", "summary.duplicates.review_groups",
                    "summary.duplicates.requests_after_removing_duplicates"]
EVIL = "<script>alert(1)</script>"


class Page(HTMLParser):
    """What the tests look at in a page: metrics, resource references, tags, texts."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.tags: dict[str, int] = {}
        self.metrics: list[dict] = []  # {path, value, text}
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.styles: list[str] = []
        self.title = ""
        self.texts: list[str] = []
        self.attrs: list[dict] = []
        self._open: list[dict] = []
        self._in = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.attrs.append({"tag": tag, **a})
        if tag == "html":
            self.lang = a.get("lang")
        self.urls += [(tag, k, v or "") for k, v in attrs if k in ("src", "href", "srcset", "xlink:href", "action",
                                                                   "poster", "data", "background")]
        if "data-metric" in a:
            self._open.append({"tag": tag, "path": a["data-metric"], "value": json.loads(a["data-value"]),
                               "text": ""})
        self._in = tag

    def handle_endtag(self, tag):
        if self._open and self._open[-1]["tag"] == tag:
            self.metrics.append(self._open.pop())
        self._in = None

    def handle_data(self, data):
        if self._open:
            self._open[-1]["text"] += data
        if self._in == "style":
            self.styles.append(data)
        elif self._in == "title" and not self.title:
            self.title = data
        self.texts.append(data)

    @property
    def text(self) -> str:
        return " ".join(self.texts)


def walk(document: dict, path: str):
    node = document
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def render(report) -> str:
    buffer = io.StringIO()
    write_html(ReportView(report), buffer)
    return buffer.getvalue()


def shown_number(text: str, locale: str = "en_US") -> float:
    """The number a reader sees, read back with the locale's separators (Babel)."""
    from babel.numbers import parse_decimal

    text = text.replace("\u202f", "").replace("\u00a0", "").strip()
    if text.endswith("%"):
        return float(parse_decimal(text[:-1].strip(), locale=locale)) / 100
    return float(parse_decimal(text, locale=locale))


def T(lang: str, section: str, key: str, **values) -> str:
    return catalogue(lang).text(section, key, **values)


_REPORTS: dict = {}


def checked(source, lang: str = "en", **kwargs):
    key = (str(source) if not isinstance(source, pd.DataFrame) else id(source), lang, tuple(sorted(kwargs.items())))
    if key not in _REPORTS:
        _REPORTS[key] = tracecheck.check(source, as_of=AS_OF, lang=lang, **kwargs)
    return _REPORTS[key]


@pytest.fixture(scope="module")
def mx_report():
    return checked(EXAMPLES / "rastreo_mx.csv", "en")


@pytest.fixture(scope="module")
def mx_report_es():
    return checked(EXAMPLES / "rastreo_mx.csv", "es")


@pytest.fixture(scope="module")
def us_report():
    return checked(EXAMPLES / "traces_us.csv", "en")


_BIG = generate_batch(3000, seed=1)


@pytest.fixture(scope="module")
def big_report():
    """A synthetic batch with more rows with findings than MAX_ROWS and more groups than MAX_GROUPS."""
    return checked(_BIG, "en")


@pytest.fixture(scope="module")
def evil_report():
    rows = [{"Request ID": "R-1\"><img src=x onerror=alert(2)>", "Agency": "<b>Evil & Co</b>",
             "Manufacturer": "Glock", "Model": "19", "Caliber": "9MM", "Type": "PISTOL", "Serial Number": EVIL,
             "Country of Origin": "Austria", "Importer": "", "Purchase Date": "2020-01-02",
             "Recovery Date": "2021-03-04", "Request Date": "2021-03-10"},
            {"Request ID": "R-2", "Agency": "Laredo PD", "Manufacturer": "Ruger", "Model": "LCP", "Caliber": ".380",
             "Type": "PISTOL", "Serial Number": "371-12345", "Country of Origin": "US", "Importer": "",
             "Purchase Date": "2021-01-10", "Recovery Date": "2024-06-01", "Request Date": "2024-06-20"}]
    return tracecheck.check(pd.DataFrame(rows), as_of=AS_OF, name="<i>batch</i>.xlsx")


@pytest.mark.parametrize("which,lang,locale", [("mx", "es", None), ("mx", "en", None), ("us", "en", None),
                                                ("us", "es", None), ("mx", "es", "es_ES"), ("big", "en", None)])
def test_every_tagged_number_equals_the_json(which, lang, locale):
    source = {"mx": EXAMPLES / "rastreo_mx.csv", "us": EXAMPLES / "traces_us.csv", "big": _BIG}[which]
    report = checked(source, lang, **({"locale": locale} if locale else {}))
    page, document = Page(render(report)), report.to_dict()
    paths = [m["path"] for m in page.metrics]
    assert set(HEADLINE_METRICS) <= set(paths)
    for metric in page.metrics:
        expected = walk(document, metric["path"])
        assert metric["value"] == expected, metric
        assert shown_number(metric["text"], report.locale) == pytest.approx(expected, abs=0.0005), metric
    for metric_name, buckets in document["summary"]["age_buckets"].items():  # every bucket drawn, incl. unknown
        assert "unknown" in buckets
        for bucket in buckets:
            assert f"summary.age_buckets.{metric_name}.{bucket}" in paths
    assert sum(p.startswith("summary.by_rule.") for p in paths) == len(document["summary"]["by_rule"])
    shown_agencies = [a for a in document["summary"]["by_agency"] if a["errors"] or a["warnings"]]
    assert sum(p.startswith("summary.by_agency.") for p in paths) == 3 * min(len(shown_agencies), 15)
    shown_rows = min(len(document["summary"]["worst_rows"]), MAX_ROWS)
    assert sum(p.startswith("summary.worst_rows.") for p in paths) == 3 * shown_rows


def test_numbers_follow_the_locale(mx_report_es):
    """es_MX writes 12.3% and 1,234 (as a Mexican reader expects); es_ES writes 12,3 % and 1.234."""
    share = mx_report_es.summary["traceable_share"]
    mx = Page(render(mx_report_es))
    spain = Page(render(checked(EXAMPLES / "rastreo_mx.csv", "es", locale="es_ES")))
    text_mx = next(m["text"] for m in mx.metrics if m["path"] == "summary.traceable_share")
    text_es = next(m["text"] for m in spain.metrics if m["path"] == "summary.traceable_share")
    assert text_mx == f"{share * 100:.1f}%"
    assert text_es == f"{share * 100:.1f}".replace(".", ",") + "\u00a0%"


def test_no_remote_resource_at_all(mx_report, us_report):
    for report in (mx_report, us_report):
        text = render(report)
        page = Page(text)
        assert page.urls == []  # no src=, href=... anywhere: nothing to load
        assert not {"script", "link", "img", "iframe", "object", "embed"} & set(page.tags)
        css = "".join(page.styles)
        assert "@import" not in css and "url(" not in css
        assert not re.search(r"https?://", text)


def test_structure_charts_and_sections(us_report):
    text = render(us_report)
    page = Page(text)
    assert text.startswith("<!DOCTYPE html>")
    assert page.lang == "en"
    assert "traces_us.csv" in page.title
    assert any(a["tag"] == "meta" and a.get("name") == "viewport" for a in page.attrs)
    assert "@media print" in "".join(page.styles) and "@media (max-width" in "".join(page.styles)
    assert page.tags["svg"] >= 5  # three age charts, findings by rule, findings by agency
    ids = {a.get("id") for a in page.attrs if a["tag"] == "section"}
    assert {"headline", "ages", "by-rule", "by-agency", "duplicates", "worst-rows"} <= ids
    assert "<rect" in text


def test_spanish_page(mx_report_es):
    page = Page(render(mx_report_es))
    assert page.lang == "es"
    for section, key in (("page", "headline"), ("page", "by_rule"), ("page", "by_agency"), ("page", "worst_rows"),
                         ("page", "duplicates"), ("labels", "after_duplicates"), ("labels", "rows_traceable"),
                         ("bucket", "unknown"), ("severity", "warning")):
        assert T("es", section, key) in page.text, key
    assert T("en", "page", "by_agency") not in page.text
    assert "Fiscalía General del Estado de Jalisco" in page.text  # data kept as submitted
    assert "Misma arma y mismo aseguramiento" in page.text  # the duplicate's message... in Spanish
    assert page.title.startswith(T("es", "labels", "title"))


def test_english_is_default(us_report):
    assert Page(render(us_report)).lang == "en"
    with pytest.raises(ValueError):
        tracecheck.check(EXAMPLES / "traces_us.csv", lang="fr")


def test_values_from_the_data_are_escaped(evil_report):
    text = render(evil_report)
    assert EVIL not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # the serial, in its finding message
    assert "<img" not in text and "<b>Evil" not in text and "<i>batch" not in text
    assert "&lt;b&gt;Evil &amp; Co&lt;/b&gt;" in text  # the agency, in the table and the chart
    page = Page(text)
    assert not {"script", "img"} & set(page.tags)
    assert EVIL in page.text  # after unescaping, the reader sees the value as it was typed
    assert "<i>batch</i>.xlsx" in page.title


def test_worst_rows_are_capped_with_the_remaining_count(big_report):
    worst = big_report.summary["worst_rows"]
    flagged = big_report.rows["status"].isin(["error", "warning"]).sum()
    assert flagged > WORST_ROWS_KEPT > MAX_ROWS and len(worst) == WORST_ROWS_KEPT  # the JSON keeps more
    report_es = checked(_BIG, "es")
    page = Page(render(report_es))
    shown = [a for a in page.attrs if a["tag"] == "tr" and a.get("class", "").startswith("st-")]
    assert len(shown) == MAX_ROWS
    more = [a for a in page.attrs if "data-more-rows" in a]
    assert [int(a["data-more-rows"]) for a in more] == [flagged - MAX_ROWS]
    assert T("es", "page", "more_rows", n=catalogue("es").number(flagged - MAX_ROWS)) in page.text
    assert worst[0]["errors"] == max(w["errors"] for w in worst)


def test_duplicate_groups_are_capped(big_report):
    groups = big_report.duplicate_groups
    assert len(groups) > MAX_GROUPS
    page = Page(render(big_report))
    assert sum(1 for a in page.attrs if a["tag"] == "article") == MAX_GROUPS
    more = [int(a["data-more-groups"]) for a in page.attrs if "data-more-groups" in a]
    assert more == [len(groups) - MAX_GROUPS]
    assert T("en", "page", "more_groups", n=f"{len(groups) - MAX_GROUPS:,}") in page.text


def test_duplicate_evidence_is_shown(mx_report):
    page = Page(render(mx_report))
    group = mx_report.duplicates.records([0], texts=True)[0]
    assert group["id"] in page.text
    assert group["pairs"][0]["evidence"]
    for evidence in group["pairs"][0]["evidence"]:
        assert evidence["text"] and evidence["text"] in page.text
        assert evidence["text"] in group["pairs"][0]["explanation"]


def test_findings_by_agency_add_up(mx_report, big_report):
    for report in (mx_report, big_report):
        table = report.summary["by_agency"]
        facts = {r["rule"] for r in report.rule_pack["rules"] if r["fact"]}
        findings = report.findings[report.findings["row"].notna()]
        fixable = findings[~findings["rule"].isin(facts)]
        assert sum(a["errors"] for a in table) == (fixable["severity"] == "error").sum()
        assert sum(a["warnings"] for a in table) == (fixable["severity"] == "warning").sum()
        assert sum(a["facts"] for a in table) == findings["rule"].isin(facts).sum() > 0
        assert sum(a["requests"] for a in table) == len(report.rows)
        ranked = [(-a["errors"], -a["warnings"]) for a in table]
        assert ranked == sorted(ranked)


def test_findings_by_agency_are_capped(big_report, monkeypatch):
    table = [a for a in big_report.summary["by_agency"] if a["errors"] or a["warnings"]]
    assert len(table) > 5
    monkeypatch.setattr(html_writer, "TOP_AGENCIES", 5)
    text = render(big_report)
    section = re.search(r'<section id="by-agency">.*?</section>', text, re.DOTALL).group(0)
    assert section.count("<tr>") == 1 + 5  # header + the five worst
    assert section.count("<g>") == 5  # one bar each
    assert f"<td>{table[0]['agency']}</td>" in section


def test_clean_batch_has_no_tables_of_problems():
    frame = pd.DataFrame([{"Request ID": "TR-1", "Agency": "Laredo PD", "Manufacturer": "Ruger", "Model": "LCP",
                           "Caliber": ".380", "Type": "PISTOL", "Serial Number": "371-12345",
                           "Country of Origin": "US", "Importer": "", "Purchase Date": "2021-01-10",
                           "Recovery Date": "2024-06-01", "Request Date": "2024-06-20"}])
    report = tracecheck.check(frame, as_of=AS_OF)
    page = Page(render(report))
    if report.summary["findings"] == 0:
        assert T("en", "page", "no_findings") in page.text
    assert T("en", "page", "duplicates_none") in page.text
    assert {m["path"] for m in page.metrics} >= set(HEADLINE_METRICS)


def test_page_stays_small_for_a_large_batch():
    report = tracecheck.check(generate_batch(20_000, seed=2), as_of=AS_OF)
    text = render(report)
    assert len(text.encode()) < 400_000  # tables are capped: size does not grow with the batch


# ---------------------------------------------------------------------------------------------
# a real browser


@pytest.fixture(scope="module")
def browser_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("html_browser")


def test_console_check_sees_errors(browser_dir, chromium_path):
    bad = browser_dir / "control.html"
    bad.write_text("<!DOCTYPE html><title>t</title><script>throw new Error('boom')</script>", encoding="utf-8")
    result = chromium(browser_dir, "--dump-dom", bad.as_uri())
    assert any("Uncaught" in line for line in page_console_lines(result.stderr, bad.as_uri()))


@pytest.mark.parametrize("lang", ["es", "en"])
def test_page_renders_in_chromium(lang, browser_dir, chromium_path):
    report = checked(EXAMPLES / "rastreo_mx.csv", lang)
    page = browser_dir / f"rastreo_mx.{lang}.html"
    write_atomic(page, lambda fp: write_html(ReportView(report), fp))
    shot = browser_dir / f"rastreo_mx.{lang}.png"
    result = chromium(browser_dir, f"--screenshot={shot}", "--window-size=1200,2000", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 50_000, "screenshot missing or blank"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"\nscreenshot: {shot}")
    assert page_console_lines(result.stderr, page.as_uri()) == []

    dom = chromium(browser_dir, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = Page(dom.stdout)
    assert rendered.title.startswith(T(lang, "labels", "title")) and "rastreo_mx.csv" in rendered.title
    assert rendered.lang == lang
    assert rendered.tags.get("svg", 0) >= 5
    assert page_console_lines(dom.stderr, page.as_uri()) == []


def test_capped_groups_show_every_kind(big_report):
    def group(i, kind, confidence="flag"):
        return {"group": f"G{i}", "kind": kind, "confidence": confidence, "score": 1.0, "size": 0, "first": 0,
                "pairs": 0, "weakest_a": None, "weakest_b": None}

    groups = ([group(i, "duplicate-request") for i in range(40)] + [group(40, "duplicate-request", "review")]
              + [group(i, "re-recovery") for i in range(41, 44)]
              + [group(i, "possible-duplicate") for i in range(44, 60)])
    tables = DuplicateTables(pd.DataFrame(groups).astype({"weakest_a": "Int64", "weakest_b": "Int64"}),
                             big_report.duplicates.members.iloc[:0], big_report.duplicates.pairs.iloc[:0])
    fake = dataclasses.replace(big_report, duplicates=tables)
    picked = [g["id"] for g in ReportView(fake).groups(10)]
    assert picked == ["G40", "G0", "G1", "G2", "G41", "G42", "G43", "G44", "G45", "G46"]
    assert len(ReportView(fake).groups(100)) == len(groups)
    real = ReportView(big_report).groups(MAX_GROUPS)
    assert {g["kind"] for g in real} == {g["kind"] for g in big_report.duplicate_groups}

