"""Counts and lists agree with their words in English and Spanish: "1 group", "row 21", "rows 3, 4,
and 5", "la fila 21", "las filas 3, 4 y 5". The mechanism is one plural spec,
``{n:plural:# group|# groups}``, taken by the catalogue's texts, the rule packs' messages and the
duplicate evidence; these tests hold the mechanism and the outputs that use it (terminal, through
CliRunner and a real process; findings; the page and workbook texts)."""

from __future__ import annotations

import datetime as dt
import re
import string
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import tracecheck
from tracecheck.catalogue import catalogue
from tracecheck.cli import main
from tracecheck.ruleset import default_rules_dir, load_pack
from tracecheck.ruleset.models import template_problem
from tracecheck.templates import render

AS_OF = dt.date(2026, 11, 22)
LOCALES = Path(__file__).resolve().parent.parent / "tracecheck" / "locales"
EN, ES, ES_ES = catalogue("en"), catalogue("es"), catalogue("es", "es_ES")
# Placeholders that are counts or lists of rows wherever they appear: each must carry a plural spec.
COUNTED_TERMS = {"n", "rows", "findings", "errors", "warnings", "traceable", "groups", "remain", "days"}
FIXED_COUNTS = {("labels", "strong_lead_note")}  # {days} is the constant 1,095 (3 years): always plural
COUNTED_MESSAGES = {"related_rows", "days", "years", "max_days", "max_years", "known", "length", "fields"}


def specs(text: str) -> dict[str, str]:
    return {name: spec or "" for _, name, spec, _ in string.Formatter().parse(str(text)) if name}


# ------------------------------------------------------------------ the mechanism


@pytest.mark.parametrize("words, value, expected", [
    (EN, 1, "1 group"), (EN, 0, "0 groups"), (EN, 2, "2 groups"), (EN, 1234, "1,234 groups"),
    (EN, "1", "1 group"), (EN, "1,234", "1,234 groups"), (EN, np.int64(1), "1 group"),
    (EN, 1.0, "1.0 groups"), (EN, 1.5, "1.5 groups"),  # a visible decimal takes the plural in English
    (ES, 1, "1 grupo"), (ES, 3, "3 grupos"), (ES, 1_000_000, "1,000,000 grupos"),
    (ES_ES, "1.234", "1.234 grupos"), (ES_ES, "1", "1 grupo"),
])
def test_counts_pick_their_form(words, value, expected):
    forms = "# group|# groups" if words.lang == "en" else "# grupo|# grupos"
    assert words.plural(value, forms) == expected


@pytest.mark.parametrize("words, rows, expected", [
    (EN, [21], "row 21"), (EN, (3, 4), "rows 3 and 4"), (EN, np.array([3, 4, 5]), "rows 3, 4, and 5"),
    (EN, [3, 4, 5, 6], "rows 3, 4, 5, and 6"),
    (ES, [21], "la fila 21"), (ES, (3, 4), "las filas 3 y 4"), (ES, [3, 4, 5], "las filas 3, 4 y 5"),
])
def test_lists_are_counted_and_written_in_words(words, rows, expected):
    forms = "row #|rows #" if words.lang == "en" else "la fila #|las filas #"
    assert words.plural(rows, forms) == expected


def test_the_vectorised_renderer_and_the_catalogue_take_the_spec():
    related = pd.Series([(21,), (3, 4), None], dtype=object)
    days = pd.Series([1, 2, 1095])
    out = render("as {r:plural:row #|rows #}, {d:plural:# day|# days} apart", {"r": related, "d": days}, EN)
    assert out.tolist() == ["as row 21, 1 day apart", "as rows 3 and 4, 2 days apart", "as , 1,095 days apart"]
    assert render("{n:plural:# row|# rows}", {"n": 1}, EN) == "1 row"
    assert EN.text("terminal", "duplicates", groups="1", remain="1") == \
        "duplicates: 1 group; 1 request remains after removing them"
    assert ES.text("terminal", "duplicates", groups="1", remain="3") == \
        "duplicados: 1 grupo; quedan 3 solicitudes al quitarlos"
    assert EN.text("page", "more_rows", n="1") == "1 more row has errors or warnings (see the JSON or CSV report)."
    assert ES.text("page", "more_rows", n="2").startswith("2 filas más tienen errores o advertencias")
    assert EN.text("page", "by_agency_note", n=1).endswith(": the agency with the most errors.")
    assert EN.text("evidence", "recovery.within_window", a="x", b="y", days="1") == \
        "recovery dates x and y, 1 day apart"


def test_a_pack_message_with_a_bad_plural_spec_is_refused():
    samples = {"related_rows": [2, 3], "days": 1, "value": "x"}
    assert template_problem("on {related_rows:plural:row #|rows #}", samples) is None
    assert template_problem("{days:plural:# day|# days}", samples) is None
    assert "two forms" in template_problem("{days:plural:# days}", samples)
    assert "a count or a list" in template_problem("{value:plural:# x|# xs}", samples)


# ------------------------------------------------------------------ every count uses it


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_count_in_the_catalogue_is_plural_aware(lang):
    data = yaml.safe_load((LOCALES / f"{lang}.yml").read_text(encoding="utf-8"))
    english = yaml.safe_load((LOCALES / "en.yml").read_text(encoding="utf-8"))
    for section, texts in data.items():
        if not isinstance(texts, dict) or section == "rules":
            continue
        for key, text in texts.items():
            found = specs(text)
            for name, spec in found.items():
                if name in COUNTED_TERMS and (section, key) not in FIXED_COUNTS:
                    assert spec.startswith("plural:"), f"{lang}: {section}.{key}: {{{name}}} has no plural spec"
            plural = {n for n, s in found.items() if s.startswith("plural:")}
            assert plural == {n for n, s in specs(english[section][key]).items() if s.startswith("plural:")}, key


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_count_in_the_rule_messages_is_plural_aware(lang):
    words = catalogue(lang)
    for rule in load_pack().all_rules:
        for reason in [None, *rule.messages]:
            for name, spec in specs(rule.template(reason, words)).items():
                if name in COUNTED_MESSAGES:
                    assert spec.startswith("plural:"), (lang, rule.code, reason, name)
    for path in default_rules_dir().glob("tc*.yml"):  # the shipped English texts themselves
        assert not re.search(r"rows \{related_rows\}", path.read_text(encoding="utf-8")), path.name


# ------------------------------------------------------------------ what a person reads


def frame_with_one_repeat(extra_repeats: int = 0) -> pd.DataFrame:
    ids = ["R1", "R2", "R1"] + ["R1"] * extra_repeats
    n = len(ids)
    return pd.DataFrame({"Request ID": ids, "Serial Number": [f"ABC{100 + i}" for i in range(n)],
                         "Manufacturer": ["Glock"] * n, "Model": ["19"] * n, "Caliber": ["9MM"] * n,
                         "Type": ["Pistol"] * n})


@pytest.mark.parametrize("lang, one, many", [
    ("en", "Request id 'R1' also appears on row 4", "Request id 'R1' also appears on rows 4, 5, and 6"),
    ("es", "El folio 'R1' aparece también en la fila 4", "El folio 'R1' aparece también en las filas 4, 5 y 6"),
])
def test_repeated_request_id_names_one_row_or_several(lang, one, many):
    messages = tracecheck.check(frame_with_one_repeat(), as_of=AS_OF, lang=lang, select="TC008").findings["message"]
    assert messages.iloc[0] == one
    messages = tracecheck.check(frame_with_one_repeat(2), as_of=AS_OF, lang=lang, select="TC008").findings["message"]
    assert messages.iloc[0] == many  # row 2's: the other rows of R1


@pytest.mark.parametrize("lang, expected", [
    ("en", "Same firearm and recovery as row 3 (group DR-2, score"),
    ("es", "Misma arma y mismo aseguramiento que la fila 3 (grupo DR-2, puntaje"),
])
def test_a_pair_of_duplicates_names_the_other_row(lang, expected):
    frame = pd.DataFrame({"Serial Number": ["1983OR7017", "1983-0R7017"], "Manufacturer": ["ROMARM", "CUGIR"],
                          "Model": ["WASR-10", "WASR 10"], "Caliber": ["7.62X39", "7.62 X 39 MM"],
                          "Recovery Date": ["2024-03-01", "2024-03-01"], "Agency": ["Policia Estatal", "FGR"]})
    report = tracecheck.check(frame, as_of=AS_OF, lang=lang, select="TC201")
    assert report.findings["message"].iloc[0].startswith(expected)


ONE_ROW = ("Request ID,Agency,Manufacturer,Model,Caliber,Type,Serial Number,Country of Origin,Importer,"
           "Purchase Date,Recovery Date,Request Date\n"
           "R1,PD,Glock,19,9MM,Pistol,,Austria,GLOCK INC,2024-01-05,2024-06-01,2024-06-03\n")


@pytest.mark.parametrize("how", ["runner", "module"])
@pytest.mark.parametrize("lang, expected", [
    ("en", ": 1 row, 1 finding (1 error, 0 warnings, 0 info); 0 rows look traceable"),
    ("es", ": 1 fila, 1 hallazgo (1 error, 0 advertencias, 0 de información); 0 filas parecen rastreables"),
])
def test_terminal_summary_agrees_with_its_counts(tmp_path, how, lang, expected):
    batch = tmp_path / "one.csv"
    batch.write_text(ONE_ROW, encoding="utf-8")
    args = ["check", str(batch), "--out", str(tmp_path / "out"), "--lang", lang, "--as-of", "2026-11-22",
            "--select", "TC101"]
    if how == "runner":
        result = CliRunner().invoke(main, args)
        code, stderr = result.exit_code, result.stderr
    else:
        proc = subprocess.run([sys.executable, "-m", "tracecheck", *args], capture_output=True, text=True, timeout=300)
        code, stderr = proc.returncode, proc.stderr
    assert code == 1
    assert expected in stderr.splitlines()[0]


def test_terminal_duplicates_line_in_the_singular(tmp_path):
    frame = pd.DataFrame({"Serial Number": ["1983OR7017", "1983-0R7017", "XYZ4521"],
                          "Manufacturer": ["ROMARM", "CUGIR", "Glock"], "Model": ["WASR-10", "WASR 10", "19"],
                          "Caliber": ["7.62X39", "7.62 X 39 MM", "9MM"],
                          "Recovery Date": ["2024-03-01", "2024-03-01", "2024-03-02"]})
    batch = tmp_path / "dupes.csv"
    frame.to_csv(batch, index=False)
    result = CliRunner().invoke(main, ["check", str(batch), "--out", str(tmp_path / "out"), "--as-of", "2026-11-22"])
    assert "  duplicates: 1 group; 2 requests remain after removing them" in result.stderr.splitlines()
