"""The HTML report: numbers equal the JSON, nothing remote, escaping, caps, languages, and a real browser.

The browser tests run headless Chromium when /usr/bin/chromium (Debian package ``chromium``) is
installed and skip otherwise. They check that the page renders (screenshot size, ``--dump-dom``
title and sections) and that Chromium logs no console message or uncaught exception for the page:
with ``--enable-logging=stderr`` Chromium writes each console message as
``INFO:CONSOLE:<line>] "<message>", source: file:///... (<line>)``; a control page that throws
proves the check would see one.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import tracecheck
import tracecheck.writers.html as html_writer
from synth.batches import generate_batch
from tracecheck.writers import write_atomic
from tracecheck.writers.html import MAX_GROUPS, MAX_ROWS, agency_counts, pick_groups, row_counts, write_html
from tracecheck.writers.i18n import LABELS, label

AS_OF = dt.date(2026, 11, 22)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CHROMIUM = Path("/usr/bin/chromium")
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


def render(report, lang: str = "en") -> str:
    buffer = io.StringIO()
    write_html(report, buffer, lang=lang)
    return buffer.getvalue()


def shown_number(text: str) -> float:
    """The number a reader sees: thousands separators (',' or narrow space) dropped, ',' as decimal in es."""
    text = text.replace("\u202f", "").replace("\u00a0", "").strip()
    if text.endswith("%"):
        return float(text[:-1].replace(",", ".")) / 100
    return float(text.replace(",", ""))


@pytest.fixture(scope="module")
def mx_report():
    return tracecheck.check(EXAMPLES / "rastreo_mx.csv", as_of=AS_OF)


@pytest.fixture(scope="module")
def us_report():
    return tracecheck.check(EXAMPLES / "traces_us.csv", as_of=AS_OF)


@pytest.fixture(scope="module")
def big_report():
    """A synthetic batch with more rows with findings than MAX_ROWS and more groups than MAX_GROUPS."""
    return tracecheck.check(generate_batch(3000, seed=1), as_of=AS_OF)


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


@pytest.mark.parametrize("which,lang", [("mx", "es"), ("mx", "en"), ("us", "en"), ("us", "es"), ("big", "en")])
def test_every_tagged_number_equals_the_json(which, lang, mx_report, us_report, big_report):
    report = {"mx": mx_report, "us": us_report, "big": big_report}[which]
    page, document = Page(render(report, lang)), report.to_dict()
    paths = [m["path"] for m in page.metrics]
    assert set(HEADLINE_METRICS) <= set(paths)
    for metric in page.metrics:
        expected = walk(document, metric["path"])
        assert metric["value"] == expected, metric
        assert shown_number(metric["text"]) == pytest.approx(expected, abs=0.0005), metric
    for metric_name in document["summary"]["age_buckets"]:  # every bucket drawn, incl. these two
        for bucket in ("unknown", "negative"):
            assert f"summary.age_buckets.{metric_name}.{bucket}" in paths
    assert sum(p.startswith("summary.by_rule.") for p in paths) == len(document["summary"]["by_rule"])


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


def test_spanish_page(mx_report):
    page = Page(render(mx_report, "es"))
    assert page.lang == "es"
    for key in ("headline", "by_rule", "by_agency", "worst_rows", "duplicates", "after_duplicates",
                "rows_traceable", "bucket_unknown", "sev_warning"):
        assert LABELS["es"][key] in page.text, key
    assert LABELS["en"]["by_agency"] not in page.text
    assert "Fiscalía General del Estado de Jalisco" in page.text  # data kept as submitted
    assert "Same firearm and recovery" not in page.title  # messages are in the rows, the title is the label
    assert page.title.startswith(LABELS["es"]["title"])


def test_english_is_default_and_unknown_language_refused(us_report):
    assert Page(render(us_report)).lang == "en"
    with pytest.raises(ValueError):
        render(us_report, "fr")


def test_labels_exist_in_both_languages():
    assert LABELS["en"].keys() == LABELS["es"].keys()
    assert label("es", "no-such-key_fallback") == "fallback"
    assert label("xx", "title") == LABELS["en"]["title"]


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
    counts = row_counts(big_report)
    with_findings = big_report.findings["row"].dropna().nunique()
    assert len(counts) == with_findings > MAX_ROWS
    text = render(big_report, "es")
    page = Page(text)
    shown = [a for a in page.attrs if a["tag"] == "tr" and a.get("class", "").startswith("st-")]
    assert len(shown) == MAX_ROWS
    more = [a for a in page.attrs if "data-more-rows" in a]
    assert [int(a["data-more-rows"]) for a in more] == [with_findings - MAX_ROWS]
    n = f"{with_findings - MAX_ROWS:,}".replace(",", "\u202f")
    assert label("es", "more_rows").format(n=n) in page.text
    first = counts.iloc[0]
    assert first["error"] == counts["error"].max()


def test_duplicate_groups_are_capped(big_report):
    groups = big_report.duplicate_groups
    assert len(groups) > MAX_GROUPS
    page = Page(render(big_report))
    assert sum(1 for a in page.attrs if a["tag"] == "article") == MAX_GROUPS
    more = [int(a["data-more-groups"]) for a in page.attrs if "data-more-groups" in a]
    assert more == [len(groups) - MAX_GROUPS]
    assert label("en", "more_groups").format(n=f"{len(groups) - MAX_GROUPS:,}") in page.text


def test_duplicate_evidence_is_shown(mx_report):
    page = Page(render(mx_report))
    group = mx_report.duplicate_groups[0]
    assert group["id"] in page.text
    for evidence in group["pairs"][0]["evidence"]:
        assert evidence["text"] in page.text


def test_findings_by_agency_add_up(mx_report, big_report):
    for report in (mx_report, big_report):
        table = agency_counts(report)
        findings = report.findings[report.findings["row"].notna()]
        assert table["error"].sum() == (findings["severity"] == "error").sum()
        assert table["warning"].sum() == (findings["severity"] == "warning").sum()
        ranked = list(zip(-table["error"], -table["warning"]))
        assert ranked == sorted(ranked)


def test_findings_by_agency_are_capped(big_report, monkeypatch):
    table = agency_counts(big_report)
    assert len(table) > 5
    monkeypatch.setattr(html_writer, "TOP_AGENCIES", 5)
    text = render(big_report)
    section = re.search(r'<section id="by-agency">.*?</section>', text, re.DOTALL).group(0)
    assert section.count("<tr>") == 1 + 5  # header + the five worst
    assert section.count("<g>") == 5  # one bar each
    first = table.index[0]
    assert f"<td>{first}</td>" in section


def test_clean_batch_has_no_tables_of_problems():
    frame = pd.DataFrame([{"Request ID": "TR-1", "Agency": "Laredo PD", "Manufacturer": "Ruger", "Model": "LCP",
                           "Caliber": ".380", "Type": "PISTOL", "Serial Number": "371-12345",
                           "Country of Origin": "US", "Importer": "", "Purchase Date": "2021-01-10",
                           "Recovery Date": "2024-06-01", "Request Date": "2024-06-20"}])
    report = tracecheck.check(frame, as_of=AS_OF)
    page = Page(render(report))
    if report.summary["findings"] == 0:
        assert LABELS["en"]["no_findings"] in page.text
    assert LABELS["en"]["duplicates_none"] in page.text
    assert {m["path"] for m in page.metrics} >= set(HEADLINE_METRICS)


def test_page_stays_small_for_a_large_batch():
    report = tracecheck.check(generate_batch(20_000, seed=2), as_of=AS_OF)
    text = render(report)
    assert len(text.encode()) < 400_000  # tables are capped: size does not grow with the batch


# ---------------------------------------------------------------------------------------------
# a real browser


def chromium(tmp: Path, *args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    profile = tmp / "profile"
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args]
    try:
        return subprocess.run(command, check=False, capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def page_console_lines(stderr: str, url: str) -> list[str]:
    """Console messages and uncaught exceptions Chromium logged for ``url``."""
    return [line for line in stderr.splitlines()
            if (":CONSOLE" in line or "Uncaught" in line) and url in line]


needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("html_browser")


@needs_chromium
def test_console_check_sees_errors(browser_dir):
    bad = browser_dir / "control.html"
    bad.write_text("<!DOCTYPE html><title>t</title><script>throw new Error('boom')</script>", encoding="utf-8")
    result = chromium(browser_dir, "--dump-dom", bad.as_uri())
    assert any("Uncaught" in line for line in page_console_lines(result.stderr, bad.as_uri()))


@needs_chromium
@pytest.mark.parametrize("lang", ["es", "en"])
def test_page_renders_in_chromium(lang, mx_report, browser_dir):
    page = browser_dir / f"rastreo_mx.{lang}.html"
    write_atomic(page, lambda fp: write_html(mx_report, fp, lang=lang))
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
    assert rendered.title.startswith(label(lang, "title")) and "rastreo_mx.csv" in rendered.title
    assert rendered.lang == lang
    assert rendered.tags.get("svg", 0) >= 5
    assert page_console_lines(dom.stderr, page.as_uri()) == []


def test_capped_groups_show_every_kind(big_report):
    def group(i, kind, confidence="flag"):
        return {"id": f"G{i}", "kind": kind, "confidence": confidence}

    groups = ([group(i, "duplicate-request") for i in range(40)] + [group(40, "duplicate-request", "review")]
              + [group(i, "re-recovery") for i in range(41, 44)] + [group(i, "possible-duplicate") for i in range(44, 60)])
    picked = [g["id"] for g in pick_groups(groups, 10)]
    assert picked == ["G40", "G0", "G1", "G2", "G41", "G42", "G43", "G44", "G45", "G46"]
    assert len(pick_groups(groups, 100)) == len(groups)
    real = pick_groups(big_report.duplicate_groups, MAX_GROUPS)
    assert {g["kind"] for g in real} == {g["kind"] for g in big_report.duplicate_groups}
