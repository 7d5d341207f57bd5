"""Agency names folded through the pack's ``agency_aliases`` table: one agency, however it is spelled,
counts once in summary.by_agency and shows under its name in worst_rows and the duplicate cards."""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
from pathlib import Path

import pytest
from conftest import HEADER

import tracecheck
from tracecheck.reference import agency_key, agency_name, agency_names
from tracecheck.report.view import ReportView
from tracecheck.ruleset import load_pack
from tracecheck.writers.html import write_html

AS_OF = dt.date(2026, 11, 22)
FGR = "Fiscalía General de la República"
SEDENA = "Secretaría de la Defensa Nacional"
ROW = "R-{n},{agency},Glock,19,9MM,PISTOL,{serial},Austria,GLOCK INC SMYRNA GA,2020-08-15,2024-02-01,2024-02-20\n"

# One agency spelled six ways, another two ways, and names the table must leave as written: a bare
# state-prosecutor acronym (one per state) and an office of a listed agency.
SPELLINGS = [("FGR", FGR), (FGR, FGR), ("fiscalia general de la republica", FGR), ("F.G.R.", FGR),
             (f"{FGR} (FGR)", FGR), ("Procuraduría General de la República", FGR),
             ("SEDENA", SEDENA), ("Secretaria de la Defensa Nacional", SEDENA),
             ("FGE", "FGE"), ("ATF Mexico City Country Office", "ATF Mexico City Country Office"),
             ("Fiscalía General del Estado de Jalisco (FGR)", "Fiscalía General del Estado de Jalisco (FGR)")]


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    return agency_names(load_pack().reference)


@pytest.mark.parametrize("written,expected", SPELLINGS)
def test_the_default_table_folds_case_accents_punctuation_and_acronyms(names, written, expected):
    assert agency_name(written, names) == expected


def test_no_name_of_the_default_table_names_two_agencies():
    table = load_pack().reference["agency_aliases"]
    claimed: dict[str, str] = {}
    for agency, aliases in table.items():
        for alias in [agency, *aliases]:
            assert claimed.setdefault(agency_key(alias), agency) == agency, f"{alias!r} names two agencies"
    assert {"Fiscalía General de la República", "Secretaría de la Defensa Nacional", "Guardia Nacional",
            "Bureau of Alcohol, Tobacco, Firearms and Explosives"} <= set(table)
    assert "FGE" not in {a for aliases in table.values() for a in aliases}  # one per state: never folded


def test_a_user_pack_extends_the_table_and_can_move_a_name(tmp_path: Path):
    path = tmp_path / "pack.yml"
    path.write_text(textwrap.dedent(f"""\
        extends: default
        agency_aliases:
          {FGR}: [Fiscalía Federal]
          Fiscalía del Estado de Jalisco: [FGE Jalisco, FEJ]
          Agencia de Investigación Criminal: [PGR]
        """), encoding="utf-8")
    names = agency_names(load_pack(path).reference)
    assert agency_name("Fiscalia federal", names) == FGR  # added to the default entry
    assert agency_name("FGR", names) == FGR  # the default names stay
    assert agency_name("fge-jalisco", names) == "Fiscalía del Estado de Jalisco"  # a new entry
    assert agency_name("PGR", names) == "Agencia de Investigación Criminal"  # the later entry wins


def test_a_bad_table_is_a_pack_error(tmp_path: Path):
    path = tmp_path / "pack.yml"
    path.write_text("extends: default\nagency_aliases: [FGR]\n", encoding="utf-8")
    with pytest.raises(tracecheck.RulePackError, match="agency_aliases"):
        load_pack(path)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A batch where one gun was filed by FGR and by the Fiscalía General de la República (two
    spellings of one agency) and by SEDENA; the other rows spell the same agencies other ways. Row 2's
    caliber is a placeholder: a warning on a FGR row."""
    serials = [f"{chr(64 + n)}{n * 7919 % 9000 + 1000}K{n}" for n in range(1, len(SPELLINGS) + 1)]  # far apart
    rows = [ROW.format(n=n, agency=agency, serial=serial)
            for n, ((agency, _), serial) in enumerate(zip(SPELLINGS, serials), 1)]
    rows[0] = rows[0].replace(",9MM,", ",N/A,")
    rows += [ROW.format(n=90, agency=FGR, serial="DUP4521"), ROW.format(n=91, agency="FGR", serial="DUP4521"),
             ROW.format(n=92, agency="SEDENA", serial="DUP4521")]
    path = tmp_path_factory.mktemp("agencies") / "agencies.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return tracecheck.check(path, as_of=AS_OF)


def test_by_agency_counts_each_agency_once_under_its_name(report):
    table = {a["agency"]: a for a in report.summary["by_agency"]}
    assert table[FGR]["requests"] == 6 + 2
    assert table[SEDENA]["requests"] == 2 + 1
    assert not {"FGR", "SEDENA", "F.G.R.", "fiscalia general de la republica"} & set(table)
    assert {"FGE", "ATF Mexico City Country Office"} <= set(table)
    assert sum(a["requests"] for a in table.values()) == len(report.rows)
    fgr_rows = report.canonical.index[report.canonical["agency__name"].eq(FGR)]
    found = report.findings[report.findings["row"].isin(fgr_rows)]
    assert table[FGR]["warnings"] == (found["severity"] == "warning").sum() >= 1
    assert table[FGR]["errors"] == (found["severity"] == "error").sum()


def test_worst_rows_and_duplicate_members_show_the_agency_name(report):
    worst = {w["row"]: w for w in report.summary["worst_rows"]}
    assert worst[2]["agency"] == FGR  # row 2 of the sheet: "FGR" with a caliber placeholder
    view = ReportView(report)
    groups = [g for g in report.duplicate_groups if g["kind"] == "duplicate-request"]
    assert len(groups) == 1
    members = view.member_values(groups[0]["rows"], ["agency", "request_id"], named=True)
    assert sorted(members["request_id"]) == ["R-90", "R-91", "R-92"]
    assert sorted(members["agency"]) == [FGR, FGR, SEDENA]
    submitted = view.member_values(groups[0]["rows"], ["agency"])["agency"]  # the workbook shows the cells
    assert submitted == report.canonical.loc[groups[0]["rows"], "agency"].tolist() == [FGR, "FGR", "SEDENA"]
    page = io.StringIO()
    write_html(view, page)
    card = page.getvalue().split('<article class="group', 1)[1].split("</article>", 1)[0]
    agencies = re.findall(r'<td data-label="[^"]*">([^<]*)</td>', card)  # the agency cells (no markup inside)
    assert sorted(agencies) == [FGR, FGR, SEDENA]
