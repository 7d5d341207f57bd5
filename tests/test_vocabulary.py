"""The vocabulary tables (rules/vocabulary.yml, reference.yml makers, matching.yml calibers) and lookups."""

from __future__ import annotations

import pytest

from tracecheck.reference import compile_reference
from tracecheck.ruleset import load_pack
from tracecheck.text import fold
from tracecheck.vocabulary import FFL_PREFIX_RE, PLACE_RE, build_vocab, model_key


@pytest.fixture(scope="module")
def pack_data() -> dict:
    return load_pack().reference


@pytest.fixture(scope="module")
def ref(pack_data):
    return compile_reference(pack_data)


def test_model_table_names_known_makers_and_caliber_classes(pack_data, ref) -> None:
    makers = {m["name"] for m in pack_data["manufacturers"]}
    classes = set(pack_data["calibers"])
    for maker, models in pack_data["models"].items():
        assert maker in makers, f"models: {maker!r} is not a manufacturers name"
        for model, calibers in models.items():
            assert set(calibers) <= classes, f"models: {maker} {model}: unknown caliber class in {calibers}"
    assert ref.models["Glock"]["19"] == {"9x19"}


def test_importer_table_names_known_makers(pack_data) -> None:
    makers = {m["name"] for m in pack_data["manufacturers"]}
    for importer in pack_data["importers"]:
        assert set(importer["makers"]) <= makers, importer["name"]
        for place in importer["places"]:
            assert PLACE_RE.search(fold(place)), f"{importer['name']}: {place!r} does not read as a city and state"


def test_no_alias_names_two_makers(pack_data) -> None:
    seen: dict[str, str] = {}
    for entry in pack_data["manufacturers"]:
        for alias in {fold(a) for a in [entry["name"], *entry.get("aliases", [])]}:
            first = seen.setdefault(alias, entry["name"])
            assert first == entry["name"], f"{alias!r}: {first} and {entry['name']}"


@pytest.mark.parametrize(("text", "expected"), [
    ("9MM", "9x19"), ("9 MM.", "9x19"), (".380 AUTO", "380acp"), ("cal. 38", "38spl"), ("7.62X39", "762x39"),
    (".223 REM", "223rem"), ("5.56X45", "223rem"), ("12 GA", "12ga"), ("calibre 9mm", "9x19"), (".22 L.R.", "22lr"),
    ("CALIBRE .410", "410"), ("7.62 X 54 R", "762x54r"), ("9MN", None)])
def test_caliber_spellings(ref, text: str, expected: str | None) -> None:
    assert ref.vocabularies["calibers"].known(fold(text)) == expected


@pytest.mark.parametrize(("text", "maker", "expected"), [
    ("GLOCK 19", "Glock", "19"), ("G-19", "Glock", "19"), ("Mod. 19", "Glock", "19"),
    ("M&P 40", "Smith & Wesson", "MP40"), ("WASR-10", "Romarm", "WASR10"), ("GP100", "Ruger", "GP100")])
def test_model_key(ref, text: str, maker: str, expected: str) -> None:
    assert model_key(fold(text), ref.maker_aliases[maker]) == expected


def test_suggest_gives_best_alias_per_canonical_value_with_cutoff_and_limit() -> None:
    vocab = build_vocab({"Glock": ["GLOCK", "GLOCK GMBH"], "Colt": ["COLT"], "Bersa": ["BERSA"]})
    found = vocab.suggest("GLCOK", cutoff=60, limit=3)
    assert [(s.canonical, s.alias, s.score) for s in found] == [("Glock", "GLOCK", 80.0)]
    assert vocab.suggest("GLCOK", cutoff=90, limit=3) == []
    assert vocab.lookup("GLOCK GMBH AUSTRIA") == ("Glock", True)
    assert vocab.lookup("GLOCK") == ("Glock", False)


def test_words_vocabulary_finds_a_type_anywhere() -> None:
    vocab = build_vocab({"pistol": ["PISTOLA", "ARMA CORTA"], "rifle": ["FUSIL"]}, "words")
    assert vocab.known("PISTOLA SEMIAUTOMATICA") == "pistol"
    assert vocab.known("UNA ARMA CORTA") == "pistol"
    assert vocab.known("PISTOLAS") is None  # whole words only


@pytest.mark.parametrize(("marking", "place"), [
    ("CAI ST ALBANS VT", True), ("GLOCK INC SMYRNA GA 30080", True), ("TAURUS MIAMI FLORIDA", True),
    ("CENTURY ARMS", False), ("STURM RUGER CO INC", False), ("IMPORTADORA DE ARMAS", False)])
def test_place_in_a_marking(marking: str, place: bool) -> None:
    assert bool(PLACE_RE.search(fold(marking))) is place


@pytest.mark.parametrize(("text", "prefixed"), [
    ("98612345-1234", True), ("ACME 98612345-AB12", True), ("9-86-12345-1234", True), ("1234567-12", False),
    ("CAI-12345", False)])
def test_abbreviated_ffl_prefix(text: str, prefixed: bool) -> None:
    assert bool(FFL_PREFIX_RE.search(text)) is prefixed


def test_importer_found_at_the_start_of_a_marking(ref) -> None:
    assert ref.importers.find(fold("CAI GEORGIA VT")).name == "Century International Arms"
    assert ref.importers.find(fold("Glock, Inc. Smyrna GA")).closed is True
    assert ref.importers.find(fold("ACME IMPORTS")) is None


def test_messages_name_calibers_and_types_in_the_report_language() -> None:
    """TC141/TC143 read the pack's caliber names, not class ids; TC142 names the type in the report's language."""
    import datetime as dt

    import pandas as pd

    import tracecheck

    frame = pd.DataFrame({"serial_number": ["A1", "A2", "A3"], "manufacturer": ["Glock", "Glock", "Glock"],
                          "model": ["GLOCK 19", "17", "19"], "caliber": [".45 ACP", ".38 SPCL", "9MM"],
                          "firearm_type": ["PISTOL", "PISTOL", "PISTOLAA"]})
    for lang, pistol in (("en", "pistol"), ("es", "pistola")):
        report = tracecheck.check(frame, select=["TC141", "TC142", "TC143"], as_of=dt.date(2024, 6, 1), lang=lang)
        messages = {f["rule"]: f["message"] for f in report.findings.to_dict("records")}
        assert "(.45 ACP)" in messages["TC143"] and "9mm (9x19)" in messages["TC143"], messages
        assert "Glock 19 " in messages["TC143"] and "GLOCK 19" not in messages["TC143"], messages
        assert ".38 Special?" in messages["TC141"] and "38spl" not in messages["TC141"], messages
        assert f"{pistol}?" in messages["TC142"], messages
