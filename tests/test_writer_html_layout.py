"""The HTML page as a manager reads it: duplicate cards that say who filed each copy and how sure the
match is in words, a worst-rows table capped to rows with an error or a warning, a layout that fits a
390 px phone and a 1280 px desktop in headless Chromium, and a page that prints to PDF; the same for
a page that compares its batch with the 12 earlier batches of a history store (a chart of 13 rows).

The example is the 80-row workbook (examples/fiscalia_titled.xlsx). The browser tests skip without
Chromium, except under ``CI=true`` where they fail (tests/conftest.py ``chromium_path``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import chromium, layout, page_console_lines, pdf_pages, png_size
from histories import fill_store

import tracecheck
from synth.batches import generate_batch
from tracecheck.catalogue import catalogue
from tracecheck.report.view import ReportView
from tracecheck.writers import write_atomic
from tracecheck.writers.html import MAX_GROUPS, MAX_ROWS, write_html

AS_OF = dt.date(2026, 11, 22)
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "fiscalia_titled.xlsx"
SECTIONS = {"headline", "ages", "by-rule", "by-agency", "duplicates", "worst-rows", "mapping"}


class Texts(HTMLParser):
    """The visible text of a piece of page, and each element's attributes."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.attrs: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.attrs.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


@pytest.fixture(scope="module", params=["fiscalia-es", "fiscalia-en", "synthetic-es"])
def example(request):
    """The 80-row example in both languages, and a synthetic 3,000-row batch with 50 duplicate cards
    shown, possible duplicates among them."""
    source, lang = request.param.split("-")
    batch = EXAMPLE if source == "fiscalia" else generate_batch(3000, seed=1)
    report = tracecheck.check(batch, as_of=AS_OF, lang=lang)
    page = io.StringIO()
    write_html(ReportView(report), page)
    return report, page.getvalue()


def articles(text: str) -> dict[str, str]:
    """Group id -> the HTML of its card."""
    return {m.group(1): m.group(0) for m in re.finditer(r'<article [^>]*data-group="([^"]+)".*?</article>', text,
                                                       re.DOTALL)}


def test_each_duplicate_card_says_who_filed_each_copy(example):
    report, text = example
    view, cards = ReportView(report), articles(text)
    groups = view.groups(MAX_GROUPS)
    assert groups and set(cards) == {g["id"] for g in groups}
    for group in groups:
        rows = group["rows"]
        values = view.member_values(rows, ["request_id", "agency", "recovery_date"], named=True)
        for k, row in enumerate(rows):
            line = re.search(rf'<tr data-row="{row}">.*?</tr>', cards[group["id"]], re.DOTALL)
            assert line, (group["id"], row)
            cells = [Texts(c).text for c in re.findall(r"<td[^>]*>(.*?)</td>", line.group(0), re.DOTALL)]
            date, agency = values["recovery_date"][k], values["agency"][k]
            assert cells == [str(row), values["request_id"][k], agency or view.words.label("no_agency"),
                             date.isoformat() if isinstance(date, dt.date) else date]
            assert all(cells), cells
    if report.batch["source"] == EXAMPLE.name:  # its group: a copy filed by the FGR, under the pack's name
        agencies = {a for g in groups for a in view.member_values(g["rows"], ["agency"], named=True)["agency"]}
        assert "Fiscalía General de la República" in agencies and "FGR" not in agencies


def test_confidence_in_words_and_the_score_only_in_a_tooltip_or_folded(example):
    report, text = example
    w = catalogue(report.lang)
    groups, cards = ReportView(report).groups(MAX_GROUPS), articles(text)
    possible = [g for g in groups if g["kind"] == "possible-duplicate"]
    assert possible or report.batch["source"] == EXAMPLE.name  # the synthetic batch shows some
    assert {g["confidence"] for g in possible} <= {"flag"} and {ReportView.sureness(g) for g in possible} <= {"review"}
    for group in groups:
        card = cards[group["id"]]
        outside = re.sub(r"<details.*?</details>", "", card, flags=re.DOTALL)
        seen = Texts(outside)
        assert w.text("confidence", ReportView.sureness(group)) in seen.text
        assert w.text("kind", group["kind"]) in seen.text
        assert w.label("score") not in seen.text and 'class="w"' not in outside and 'class="score"' not in outside
        verdict = [a for tag, a in seen.attrs if "verdict" in a.get("class", "")]
        assert [a["title"] for a in verdict] == [w.text("page", "group_score", score=f"{group['score']:g}")]
        folded = Texts(re.search(r"<details.*?</details>", card, re.DOTALL).group(0)).text
        for pair in group["pairs"]:
            assert f"{w.label('score')} {pair['score']:g}" in folded
            for evidence in pair["evidence"]:
                weight = evidence["weight"]
                assert (f"{weight:+g}" if weight > 0 else f"{weight:g}") in folded


@pytest.mark.parametrize("cap", [MAX_ROWS, 20])
def test_worst_rows_lists_at_most_max_rows_with_an_error_or_a_warning(example, cap, monkeypatch):
    """At most MAX_ROWS (50) rows, only rows with an error or a warning to fix, the rest counted.
    The 80-row example has 41 such rows (batch facts flag no row), so the cap is also tried at 20."""
    from tracecheck.writers import html as html_writer

    report, _ = example
    assert MAX_ROWS == 50
    monkeypatch.setattr(html_writer, "MAX_ROWS", cap)
    page = io.StringIO()
    write_html(ReportView(report), page)
    text = page.getvalue()
    flagged = report.rows[report.rows["status"].isin(["error", "warning"])]
    info_only = set(report.rows.loc[report.rows["status"].eq("info"), "row"])
    assert len(flagged) > 20
    section = re.search(r'<section id="worst-rows">.*?</section>', text, re.DOTALL).group(0)
    shown = [int(r) for r in re.findall(r'data-metric="summary\.worst_rows\.\d+\.row" data-value="(\d+)"', section)]
    assert len(shown) == min(cap, len(flagged)) and len(set(shown)) == len(shown)
    assert set(shown) <= set(flagged["row"]) and not set(shown) & info_only
    counts = {r["row"]: r for r in report.summary["worst_rows"]}
    assert all(counts[r]["errors"] + counts[r]["warnings"] > 0 for r in shown)
    rest = len(flagged) - len(shown)
    assert re.findall(r'data-more-rows="(\d+)"', section) == ([str(rest)] if rest else [])
    if rest:
        w = catalogue(report.lang)
        assert w.text("page", "more_rows", n=w.number(rest)) in Texts(section).text


# ---------------------------------------------------------------------------------------------
# headless Chromium


@pytest.fixture(scope="module")
def written(example, tmp_path_factory):
    report, _ = example
    folder = tmp_path_factory.mktemp("html_layout")
    page = folder / f"{Path(report.batch['source']).stem.strip('<>')}.{report.lang}.html"
    write_atomic(page, lambda fp: write_html(ReportView(report), fp))
    return folder, page


@pytest.mark.parametrize("width", [390, 1280])
def test_page_fits_a_phone_and_a_desktop(width, written, chromium_path):
    folder, page = written
    shot = folder / f"{page.stem}.{width}.png"
    result = chromium(folder, f"--screenshot={shot}", f"--window-size={width},900", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert png_size(shot) == (width, 900) and shot.stat().st_size > 20_000, "screenshot missing, sized wrong or blank"
    assert page_console_lines(result.stderr, page.as_uri()) == []
    print(f"\nscreenshot: {shot}")

    measured = layout(folder, page, width)
    assert measured["client_width"] <= width
    assert measured["scroll_width"] <= measured["client_width"], measured  # no sideways scrolling
    assert measured["wide"] == [], measured  # nothing reaches past the right edge (outside a scroll box)
    assert measured["spill"] == [], measured  # nor out of a card or a chart
    assert SECTIONS <= set(measured["sections"])
    assert measured["height"] > 900


def test_narrow_layout_stacks_the_page(written, chromium_path):
    folder, page = written
    phone, desktop = layout(folder, page, 390), layout(folder, page, 1280)
    assert phone["height"] > desktop["height"]  # cards, charts and tables stack instead of overflowing


def test_page_prints_to_pdf(written, chromium_path):
    folder, page = written
    pdf = folder / f"{page.stem}.pdf"
    result = chromium(folder, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert result.returncode == 0 and pdf.exists(), result.stderr[-2000:]
    pages = pdf_pages(pdf)
    print(f"\nprinted {page.name}: {pages} pages ({pdf})")
    # fiscalia_titled: 10 pages in Spanish, 9 in English when written (11 and 10 before the caps);
    # the synthetic batch, capped at 50 groups and 50 rows, about twice that
    assert 1 <= pages <= (15 if page.stem.startswith("fiscalia") else 30)


# ---------------------------------------------------------------------------------------------
# with a history store: the comparison with the earlier batches


@pytest.fixture(scope="module")
def history_written(tmp_path_factory):
    """The Spanish page of the example checked against a store of 12 earlier batches (as many as the
    chart shows), with long file names."""
    folder = tmp_path_factory.mktemp("html_history")
    with fill_store(folder / "store.sqlite", 12, rows=25) as store:
        report = tracecheck.check(EXAMPLE, as_of=AS_OF, lang="es", history=store)
    assert len(report.batch["history"]["previous"]) == 12
    page = folder / "fiscalia_titled.history.html"
    write_atomic(page, lambda fp: write_html(ReportView(report), fp))
    return folder, page


@pytest.mark.parametrize("width", [390, 1280])
def test_history_chart_fits_a_phone_and_a_desktop(width, history_written, chromium_path):
    folder, page = history_written
    measured = layout(folder, page, width)
    assert "history" in measured["sections"] and SECTIONS <= set(measured["sections"])
    charts = [c for c in measured["charts"] if c["section"] == "history"]
    assert len(charts) == 1, measured["charts"]
    chart = charts[0]
    assert chart["height"] > 150 and min(300, width - 40) <= chart["width"] <= 480, chart  # 13 rows, legible
    assert chart["right"] <= measured["client_width"], chart
    assert measured["scroll_width"] <= measured["client_width"], measured  # no sideways scrolling
    assert measured["wide"] == [], measured
    assert measured["spill"] == [], measured


def test_history_page_prints_to_pdf(history_written, chromium_path):
    folder, page = history_written
    pdf = folder / f"{page.stem}.pdf"
    result = chromium(folder, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert result.returncode == 0 and pdf.exists(), result.stderr[-2000:]
    assert page_console_lines(result.stderr, page.as_uri()) == []
    pages = pdf_pages(pdf)
    print(f"\nprinted {page.name}: {pages} pages ({pdf})")
    assert 1 <= pages <= 16  # the page without history prints on 10; the comparison adds under a page
