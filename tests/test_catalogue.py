"""The message catalogue: complete in every language, numbers per locale, Spanish outputs with no
English left in them, and a third language added by adding one file."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import string
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

import tracecheck
import tracecheck.catalogue as catalogue_module
from tracecheck.catalogue import catalogue, languages
from tracecheck.checks import REGISTRY
from tracecheck.report.view import ReportView
from tracecheck.ruleset import load_pack
from tracecheck.ruleset.models import template_problem, template_samples
from tracecheck.writers.html import write_html
from tracecheck.writers.text import summary_text
from tracecheck.writers.xlsx import write_xlsx

AS_OF = dt.date(2026, 11, 22)
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
LOCALES = ROOT / "tracecheck" / "locales"
META = {"language", "locale", "rules"}


def raw(lang: str) -> dict:
    return yaml.safe_load((LOCALES / f"{lang}.yml").read_text(encoding="utf-8"))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(str(text)) if name}


# ------------------------------------------------------------------ complete and consistent


def test_languages_are_the_catalogue_files():
    assert languages() == tuple(sorted(p.stem for p in LOCALES.glob("*.yml"))) and {"en", "es"} <= set(languages())


@pytest.mark.parametrize("lang", [lang for lang in languages() if lang != "en"])
def test_every_language_has_every_english_key_with_the_same_placeholders(lang):
    english, other = raw("en"), raw(lang)
    assert set(other) == set(english) | {"rules"}
    for section, texts in english.items():
        if section in META:
            continue
        assert set(other[section]) == set(texts), section
        for key, text in texts.items():
            assert placeholders(other[section][key]) == placeholders(text), f"{section}.{key}"


@pytest.mark.parametrize("lang", [lang for lang in languages() if lang != "en"])
def test_every_default_rule_is_translated(lang):
    """Title, message, fix and why of every rule, and a message for each reason the English has; every
    placeholder is one the rule can fill."""
    rules = raw(lang)["rules"]
    for rule in load_pack().all_rules:
        entry = rules.get(rule.code)
        assert entry, rule.code
        assert {"title", "message", "fix", "why"} <= set(entry), rule.code
        assert set(rule.messages) <= set(entry.get("messages") or {}), rule.code
        samples = template_samples(rule.params, REGISTRY[rule.check])
        for text in [entry["message"], *(entry.get("messages") or {}).values()]:
            assert template_problem(text, samples) is None, (rule.code, text)


@pytest.mark.parametrize("lang", languages())
def test_rule_level_texts_have_no_placeholders(lang):
    """Title, fix and why are said of the rule, not of one finding: nothing fills a {placeholder}
    in them, so none may be left there (the report and the workbook show them as written)."""
    for rule in load_pack().all_rules:
        for key in ("title", "fix", "why"):
            text = rule.text(key, catalogue(lang))
            assert not re.search(r"\{\w+\}", text), (lang, rule.code, key, text)


def test_numbers_and_percentages_follow_the_locale():
    assert (catalogue("en").number(1234567), catalogue("en").percent(0.1234)) == ("1,234,567", "12.3%")
    assert (catalogue("es").number(1234567), catalogue("es").percent(0.1234)) == ("1,234,567", "12.3%")  # es_MX
    spain = catalogue("es", "es_ES")
    assert (spain.number(1234567), spain.percent(0.1234)) == ("1.234.567", "12,3\u00a0%")
    assert catalogue("es").locale == "es_MX" and spain.locale == "es_ES"


def test_unknown_language_or_locale_is_a_value_error():
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        catalogue("fr")
    with pytest.raises(ValueError, match="unknown locale"):
        catalogue("es", "xx_YY_ZZ")
    with pytest.raises(ValueError, match="unknown language"):
        tracecheck.check(EXAMPLES / "traces_us.csv", lang="fr")


def test_messages_use_field_labels_in_the_report_language():
    frame = pd.DataFrame({"Serial Number": ["ABC1234"], "Manufacturer": ["Glock"], "Purchase Date": ["31/02/2021"]})
    english = tracecheck.check(frame, select=["TC301"], as_of=AS_OF)
    spanish = tracecheck.check(frame, select=["TC301"], as_of=AS_OF, lang="es")
    assert english.findings["message"].tolist() == ["Purchase date value '31/02/2021' is not a date"]
    assert spanish.findings["message"].tolist() == ["El valor '31/02/2021' de Fecha de compra no es una fecha"]
    assert english.findings["field"].tolist() == spanish.findings["field"].tolist() == ["purchase_date"]  # the id


# ------------------------------------------------------------------ no English in Spanish outputs


def english_fragments() -> set[str]:
    """Every piece of English text the catalogue and the default pack can put in front of a person:
    the literal runs between placeholders, at least two words long, that Spanish does not share."""
    texts: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, str):
            texts.append(node)

    walk({k: v for k, v in raw("en").items() if k not in META})
    for rule in load_pack().all_rules:
        texts += [rule.title, rule.message, *rule.messages.values(), rule.fix, rule.why]
    english = texts
    texts = []
    walk(raw("es"))  # every Spanish text, rule texts too: a citation both share (27 CFR 478) is not English left
    spanish, texts = [" ".join(t.split()) for t in texts], english
    fragments = set()
    for text in texts:
        for literal, *_ in string.Formatter().parse(" ".join(str(text).split())):
            for piece in re.split(r"[():;,.]\s*", literal):
                piece = piece.strip()
                if len(piece.split()) >= 2 and not any(piece in s for s in spanish):
                    fragments.add(piece)
    return fragments


@pytest.fixture(scope="module")
def spanish_outputs(tmp_path_factory) -> dict[str, str]:
    """The Spanish page, workbook and terminal summary of a batch with every kind of finding the
    examples give, duplicates with evidence included."""
    report = tracecheck.check(EXAMPLES / "rastreo_mx.csv", as_of=AS_OF, lang="es")
    assert report.duplicate_groups and report.summary["findings"] > 50
    view = ReportView(report)
    page = io.StringIO()
    write_html(view, page)
    book = io.BytesIO()
    write_xlsx(view, book)
    book.seek(0)
    wb = openpyxl.load_workbook(book)
    cells = [*wb.sheetnames]
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and not re.match(r"^(batch|rule_pack|summary)\.", cell.value):
                    cells.append(cell.value)
                if cell.comment:
                    cells.append(cell.comment.text)
    html_text = re.sub(r"<[^>]+>", " ", page.getvalue().split("<body>", 1)[1])
    return {"html": html_text, "xlsx": "\n".join(cells),
            "terminal": summary_text(view, [Path("out/rastreo_mx.report.json")])}


@pytest.mark.parametrize("output", ["html", "xlsx", "terminal"])
def test_spanish_outputs_contain_no_english_catalogue_string(spanish_outputs, output):
    text = spanish_outputs[output]
    found = sorted(f for f in english_fragments() if f in text)
    assert found == [], f"English left in the Spanish {output}: {found[:10]}"


def test_the_english_fragments_are_really_looked_for(spanish_outputs):
    """The check above can fail: an English report holds many of the fragments."""
    report = tracecheck.check(EXAMPLES / "rastreo_mx.csv", as_of=AS_OF)
    page = io.StringIO()
    write_html(ReportView(report), page)
    assert len([f for f in english_fragments() if f in page.getvalue()]) > 30


# ------------------------------------------------------------------ a third language is one file


def test_adding_a_language_is_adding_one_file(tmp_path, monkeypatch):
    for lang in ("en", "es"):
        shutil.copy(LOCALES / f"{lang}.yml", tmp_path / f"{lang}.yml")
    portuguese = raw("es")
    portuguese.update(language="Português", locale="pt_BR")
    portuguese["labels"]["title"] = "Verificação de pedidos de rastreamento"
    portuguese["fields"]["serial_number"] = "Número de série"
    portuguese["rules"]["TC101"]["messages"]["blank"] = "O número de série está vazio"
    (tmp_path / "pt.yml").write_text(yaml.safe_dump(portuguese, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(catalogue_module, "folder", lambda: tmp_path)
    for cached in (catalogue_module.languages, catalogue_module._load, catalogue_module.catalogue):
        cached.cache_clear()
    try:
        assert catalogue_module.languages() == ("en", "es", "pt")
        frame = pd.DataFrame({"Serial Number": [None, "ABC1234"], "Manufacturer": ["Glock", "Glock"]})
        report = tracecheck.check(frame, select=["TC101"], as_of=AS_OF, lang="pt")
        assert report.findings["message"].tolist() == ["O número de série está vazio"]
        assert report.batch["locale"] == "pt_BR"
        page = io.StringIO()
        write_html(ReportView(report), page)
        assert '<html lang="pt"' in page.getvalue() and "Verificação de pedidos de rastreamento" in page.getvalue()
    finally:
        for cached in (catalogue_module.languages, catalogue_module._load, catalogue_module.catalogue):
            cached.cache_clear()


def test_a_user_pack_that_rewrites_a_message_is_not_shadowed_by_the_catalogue(tmp_path):
    """The catalogue translates the default pack's texts; once a user pack changes a rule's English
    message, its old Spanish translation no longer fits and is not used (the pack's own translation is)."""
    frame = pd.DataFrame({"Serial Number": [None], "Manufacturer": ["Glock"]})
    changed = tmp_path / "changed.yml"
    changed.write_text('extends: default\nrules:\n'
                       '  TC101: {messages: {blank: "No serial at all"}, title: "No serial"}\n', encoding="utf-8")
    report = tracecheck.check(frame, tracecheck.load_pack(changed), select="TC101", as_of=AS_OF, lang="es")
    assert report.findings["message"].tolist() == ["No serial at all"]
    assert report.rule_pack["rules"][0]["title"] == "No serial"
    assert report.rule_pack["rules"][0]["fix"].startswith("Anote la matrícula")  # the fix was not changed
    translated = tmp_path / "translated.yml"
    translated.write_text(changed.read_text(encoding="utf-8") + 'translations:\n  es:\n'
                          '    TC101: {messages: {blank: "Sin matrícula alguna"}, title: "Sin matrícula"}\n',
                          encoding="utf-8")
    report = tracecheck.check(frame, tracecheck.load_pack(translated), select="TC101", as_of=AS_OF, lang="es")
    assert report.findings["message"].tolist() == ["Sin matrícula alguna"]
    assert report.rule_pack["rules"][0]["title"] == "Sin matrícula"


@pytest.mark.parametrize("lang", languages())
def test_catalogue_keys_are_text(lang):
    """YAML reads a bare `off:` or `no:` as a boolean: every key must stay text."""
    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                assert isinstance(key, str), f"{lang}: key {key!r} under {where} is not text (quote it)"
                walk(value, f"{where}.{key}")

    walk(raw(lang), lang)


def test_country_names_in_messages_follow_the_language():
    frame = pd.DataFrame({"Serial Number": ["1983AR1148"], "Manufacturer": ["Romarm"], "Country of Origin": ["US"]})
    spanish = tracecheck.check(frame, select="TC110", as_of=AS_OF, lang="es").findings.iloc[0]
    assert "Rumania" in spanish["message"] and "Romania" not in spanish["message"]
    assert spanish["context"]["country"] == "Romania"  # the data stays as the pack names it
