"""Header mapping (tracecheck.mapping): headers read as words, content that confirms or refuses a
reading, the decision recorded with its method and confidence, and shown where a user looks (JSON,
terminal, HTML, workbook, ``tracecheck map``). The corpus-wide accuracy is tests/test_mapping_corpus.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

import tracecheck
from tracecheck.api import read_source
from tracecheck.cli import main
from tracecheck.mapping import content, required_fields, vocabulary_of
from tracecheck.mapping.decide import decide
from tracecheck.mapping.tokens import tokenise
from tracecheck.reference import compile_reference
from tracecheck.report import REPORT_VERSION
from tracecheck.ruleset import load_pack

AS_OF = "2026-01-01"
SERIALS = ["HKR1037", "BXR1074", "ACB001111", "1983AR1148", "P1001185", "V101222", "BER001259Z", "371-01296"]


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def _decide(pack, headers, values=None):
    vocab = vocabulary_of(pack)
    reference = compile_reference(pack.reference)
    profiles = {h: content.profile(v, reference, vocab) for h, v in (values or {}).items()}
    return decide(headers, vocab, profiles=profiles, required=required_fields(pack))


# ------------------------------------------------------------------ tokens


def test_tokens_split_case_changes_separators_and_drop_a_date_hint() -> None:
    assert tokenise("firearm_serialNumber").words == ("FIREARM", "SERIAL", "NUMBER")
    hinted = tokenise("Fecha de compra (dd/mm/aaaa)")
    assert (hinted.words, hinted.date_hint, hinted.date_order) == (("FECHA", "DE", "COMPRA"), "dd/mm/aaaa", "dayfirst")
    assert tokenise("Recovery Date (MM-DD-YYYY)").date_order == "monthfirst"
    assert tokenise("Make/Model").parts == (("MAKE",), ("MODEL",))
    assert tokenise("S/N").parts == (("S", "N"),)  # one name, not two joined


# ------------------------------------------------------------------ headers


@pytest.mark.parametrize("header, field, method", [
    ("Nº de Serie", "serial_number", "alias"), ("Marca/Fabricante", "manufacturer", "tokens"),
    ("Importador / Marcaje de imp.", "import_marking", "tokens"), ("F. de Compra", "purchase_date", "tokens"),
    ("Req No", "request_id", "tokens"), ("Purch. Date", "purchase_date", "tokens"),
    ("firearm_serial", "serial_number", "tokens"), ("dealer_ffl", "ffl_number", "tokens"),
    ("RECOVERY_D", "recovery_date", "tokens"), ("País de fabricação", "country_of_origin", "tokens"),
    ("Recovry Date", "recovery_date", "fuzzy")])
def test_headers_analysts_write_map_by_their_words(pack, header, field, method) -> None:
    mapped = _decide(pack, [header]).columns
    assert [(c.field, c.method) for c in mapped] == [(field, method)]
    assert 0.5 <= mapped[0].confidence <= 1.0


def test_a_header_naming_another_thing_is_not_taken_for_the_field(pack) -> None:
    decision = _decide(pack, ["País Importador"]).decisions[0]
    assert decision.field is None and decision.status == "unmapped"


def test_a_header_naming_two_fields_is_compound(pack) -> None:
    mapping = _decide(pack, ["Make/Model"])
    assert mapping.columns == ()
    assert mapping.compound == (("Make/Model", ("manufacturer", "model")),)


def test_the_surer_header_takes_a_field_and_the_other_is_not_used(pack) -> None:
    mapping = _decide(pack, ["Case No.", "Request ID"])
    assert mapping.header_for("request_id") == "Request ID"
    assert mapping.decisions[0].status in ("unmapped", "conflict")


# ------------------------------------------------------------------ content


def test_content_maps_a_header_that_says_nothing(pack) -> None:
    mapping = _decide(pack, ["Unnamed: 3", "Columna7"], {"Unnamed: 3": SERIALS,
                                                          "Columna7": ["Glock", "Ruger", "Taurus", "Beretta", "Colt"]})
    assert [(c.field, c.header, c.method) for c in mapping.columns] == [
        ("serial_number", "Unnamed: 3", "content"), ("manufacturer", "Columna7", "content")]


def test_content_refuses_a_header_match_it_contradicts(pack) -> None:
    dates = ["2024-01-03", "2024-02-11", "2024-03-09", "2024-04-01", "2024-05-30", "2024-06-02"]
    decision = _decide(pack, ["Gun Model"], {"Gun Model": dates}).decisions[0]
    assert decision.field is None
    assert decision.candidates[0].refused
    assert any(e.kind == "content_against" for e in decision.candidates[0].evidence)


def test_a_required_field_is_never_mapped_on_weak_evidence(pack) -> None:
    # "Arma No." reads as firearm + number: a serial number only if the values say so
    assert _decide(pack, ["Arma No."]).header_for("serial_number") is None
    assert _decide(pack, ["Arma No."], {"Arma No.": ["1", "2", "3", "4", "5", "6"]}).header_for("serial_number") is None
    assert _decide(pack, ["Arma No."], {"Arma No.": SERIALS}).header_for("serial_number") == "Arma No."


def test_a_required_field_named_with_unknown_words_needs_its_values(pack) -> None:
    """A seizure sheet of a vehicle: "Marca del vehículo" holds car makers, not firearm makers, and
    "Número de serie del cargador" is a magazine's: no required field may come from them."""
    values = {"Marca del vehículo": ["NISSAN", "FORD", "CHEVROLET", "TOYOTA", "VW", "NISSAN"],
              "Número de serie del cargador": SERIALS, "Matrícula del vehículo": ["JAB-1234", "JBC-9921", "XYZ-0001",
                                                                                  "KLM-2231", "JAB-7781", "PQR-1200"]}
    decided = _decide(pack, list(values), values)
    assert decided.header_for("manufacturer") is None
    assert decided.header_for("serial_number") is None
    # the same unknown word with a firearm maker's values: the values confirm it
    makers = {"Marca del arma": ["GLOCK", "TAURUS", "BERETTA", "SMITH & WESSON", "RUGER", "GLOCK"]}
    assert _decide(pack, list(makers), makers).header_for("manufacturer") == "Marca del arma"


# ------------------------------------------------------------------ the batch and its report


def test_the_format_hint_is_the_columns_date_order(tmp_path) -> None:
    path = tmp_path / "hint.csv"
    # 03/04/2021 alone settles nothing: the hint says day first, so 3 April
    path.write_text("Serial Number,Manufacturer,Fecha de compra (dd/mm/aaaa),Purchase Note\n"
                    "HKR1037,Glock,03/04/2021,x\nBXR1074,Ruger,05/06/2021,y\n", encoding="utf-8")
    report = tracecheck.check(path, as_of=AS_OF)
    assert report.batch["date_order"]["purchase_date"] == "dayfirst"
    purchase = next(m for m in report.mapping if m["field"] == "purchase_date")
    assert purchase["date_order"] == "dayfirst"
    assert {"kind": "date_hint", "detail": "dd/mm/aaaa", "share": None} in purchase["evidence"]
    assert str(report.canonical.at[2, "purchase_date"].date()) == "2021-04-03"


SNAKE = ("source_row,dealer_ffl,manufacturer_name,firearm_serial,firearm_caliber,case_number,purchase_date,"
         "crime_date,Arma No.\n"
         "1,1-23-45678,Glock,BXR1074,9MM,CR-11,2019-01-03,2020-02-08,1\n"
         "2,1-23-45678,Ruger,371-01000,.380,CR-12,2019-04-10,2020-06-06,2\n")


def test_the_report_records_method_confidence_and_what_was_not_found(tmp_path) -> None:
    path = tmp_path / "snake.csv"
    path.write_text(SNAKE, encoding="utf-8")
    report = tracecheck.check(path, as_of=AS_OF)
    mapped = {m["field"]: (m["header"], m["method"]) for m in report.mapping}
    assert mapped["serial_number"] == ("firearm_serial", "tokens")
    assert mapped["recovery_date"] == ("crime_date", "tokens")  # a crime date stands where recovery belongs
    assert all(0 < m["confidence"] <= 1 and m["evidence"] for m in report.mapping)
    missing = {f["field"]: f for f in report.summary["fields_not_found"]}
    assert "serial_number" not in missing and missing["model"]["candidate"] is None
    unused = {h["header"]: h["status"] for h in report.summary["headers_not_used"]}
    assert unused == {"source_row": "unmapped", "Arma No.": "unmapped"}


def test_terminal_html_and_workbook_show_the_mapping(tmp_path) -> None:
    path = tmp_path / "nosn.csv"
    path.write_text("Request ID,Manufacturer,Arma No.,Notes\nR1,Glock,A,x\nR2,Ruger,B,y\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(path), "--out", str(out), "--format", "json,html,xlsx",
                                       "--as-of", AS_OF])
    assert result.exit_code == 1  # required column missing
    assert "fields not found:" in result.stderr
    assert 'serial_number (Serial number): best candidate "Arma No." (column C): --map serial_number="Arma No."' \
        in result.stderr
    assert 'headers not used: "Arma No.", "Notes"' in result.stderr
    page = (out / "nosn.report.html").read_text(encoding="utf-8")
    assert 'id="mapping"' in page and "--map serial_number=&quot;Arma No.&quot;" in page
    assert 'data-metric="mapping.0.confidence"' in page
    sheet = openpyxl.load_workbook(out / "nosn.report.xlsx", read_only=True)["Technical"]
    texts = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert "Column mapping" in texts and '--map serial_number="Arma No."' in texts


# ------------------------------------------------------------------ fixed mappings that do not fit


def test_a_map_header_the_batch_lacks_is_exit_2_listing_its_headers(tmp_path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("Serial Number,Manufacturer\nHKR1037,Glock\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--out", str(tmp_path), "--map", "serial_number=Serie"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert '"Serie"' in result.stderr and '"Serial Number", "Manufacturer"' in result.stderr
    pack = tmp_path / "pack.yml"
    pack.write_text('extends: default\nmap:\n  serial_number: "Serie"\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "tracecheck", "check", str(path), "--out", str(tmp_path),
                           "--rules", str(pack)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and f"the map: of {pack}" in proc.stderr and '"Serial Number"' in proc.stderr


def test_tracecheck_map_prints_the_decision_and_a_pack_that_keeps_it(tmp_path) -> None:
    path = tmp_path / "snake.csv"
    path.write_text(SNAKE, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "tracecheck", "map", str(path)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "firearm_serial" in proc.stderr and "serial_number" in proc.stderr and "tokens" in proc.stderr
    assert "model: no header names it" in proc.stderr
    snippet = yaml.safe_load(proc.stdout)
    assert snippet["extends"] == "default"
    assert snippet["map"]["serial_number"] == "firearm_serial"
    kept = tmp_path / "kept.yml"
    result = CliRunner().invoke(main, ["map", str(path), "--out", str(kept)])
    assert result.exit_code == 0 and result.stdout == ""
    report = tracecheck.check(path, rules=kept, as_of=AS_OF)
    assert {m["field"]: m["header"] for m in report.mapping} == snippet["map"]
    assert {m["method"] for m in report.mapping} == {"override"}


def test_tracecheck_map_of_a_missing_file_is_one_line_exit_2(tmp_path) -> None:
    result = CliRunner().invoke(main, ["map", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1


def test_json_report_validates_with_the_new_mapping_fields(tmp_path) -> None:
    path = tmp_path / "snake.csv"
    path.write_text(SNAKE, encoding="utf-8")
    out = tmp_path / "out"
    CliRunner().invoke(main, ["check", str(path), "--out", str(out), "--as-of", AS_OF, "-q"])
    report = json.loads((out / "snake.report.json").read_text(encoding="utf-8"))
    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[1] / "docs" / "report.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(report)
    assert report["report_version"] == REPORT_VERSION


def test_tracecheck_map_reads_the_table_as_check_does_so_check_accepts_its_pack(tmp_path) -> None:
    """Row 1 holds merged group labels, row 2 the sub-labels: map and check both join them where the
    joined names map better ("Fechas Compra"), and the pack map writes is accepted by check."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Solicitudes"
    sheet.append(["Solicitud", None, "Arma", None, None, None, None, None, None, "Fechas", None, None])
    sheet.append(["Folio", "Dependencia", "Marca", "Modelo", "Calibre", "Tipo", "Matrícula", "Importador", "País",
                  "Compra", "Aseguramiento", "Solicitud"])
    for n, serial in enumerate(SERIALS + SERIALS[:4]):
        sheet.append([f"F-{n}", "SSP", "Glock", "19", "9mm", "Pistola", f"{serial}{n}", "Glock Inc", "Austria",
                      "2024-01-10", "2024-02-10", "2024-03-01"])
    for area in ("A1:B1", "C1:I1", "J1:L1"):
        sheet.merge_cells(area)
    path = tmp_path / "grupos.xlsx"
    workbook.save(path)
    raw = read_source(path, load_pack())
    report = tracecheck.check(path, as_of=AS_OF)
    assert {m["header"] for m in report.mapping} <= set(raw.frame.columns)
    assert {"Fechas Compra", "Fechas Aseguramiento", "Fechas Solicitud"} <= set(raw.frame.columns)
    kept = tmp_path / "kept.yaml"
    result = CliRunner().invoke(main, ["map", str(path), "--out", str(kept)])
    assert result.exit_code == 0, result.output
    assert "Fechas Compra" in result.stderr
    assert yaml.safe_load(kept.read_text(encoding="utf-8"))["map"]["purchase_date"] == "Fechas Compra"
    checked = CliRunner().invoke(main, ["check", str(path), "--rules", str(kept), "--out", str(tmp_path / "out"),
                                        "--as-of", AS_OF, "-q"])
    assert checked.exit_code == 0, checked.stderr
    again = tracecheck.check(path, kept, as_of=AS_OF)
    assert {m["field"]: m["header"] for m in again.mapping}["request_date"] == "Fechas Solicitud"


def test_tracecheck_map_takes_sheet_and_header_row_as_check_does(tmp_path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Resumen"
    workbook.active.append(["Mes", "Solicitudes"])
    for name in ("Enero", "Febrero"):
        tab = workbook.create_sheet(name)
        for row in (["Solicitudes de rastreo"], [f"Periodo: {name}"], [],
                    ["Request ID", "Agency", "Serial Number", "Request Date"],
                    *[[f"TR-{n}", "Laredo PD", serial, "2024-03-01"] for n, serial in enumerate(SERIALS)]):
            tab.append(row)
    path = tmp_path / "meses.xlsx"
    workbook.save(path)
    for args in (["--header-row", "4"], ["--sheet", "Febrero", "--header-row", "4"], ["--sheet", "all"]):
        result = CliRunner().invoke(main, ["map", str(path), *args])
        assert result.exit_code == 0, (args, result.stderr)
        assert yaml.safe_load(result.stdout)["map"]["serial_number"] == "Serial Number"
    result = CliRunner().invoke(main, ["map", str(path), "--header-row", "40"])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "header row 40 is beyond the last row of every sheet" in result.stderr


@pytest.mark.parametrize("value, parts", [
    ("GLOCK 19", ("GLOCK", "19")),
    ("Smith & Wesson M&P9 Shield", ("Smith & Wesson", "M&P9 Shield")),
    ("Taurus/PT-92", ("Taurus", "PT-92")),
    ("FABRICA DE ARME CUGIR - WASR-10", ("FABRICA DE ARME CUGIR", "WASR-10")),
    ("Beretta", ("Beretta", None)),
    ("GLCK 17", None),  # a misspelt maker does not split: kept whole, TC015 lists it
    ("19 GLOCK", None),  # the maker must come first
])
def test_make_model_value_splits_at_the_longest_known_maker(pack, value, parts):
    from tracecheck.mapping.split import split_value

    assert split_value(value, compile_reference(pack.reference)) == parts


def test_make_model_column_feeds_maker_and_model_through_the_cli(tmp_path):
    """A real export shape: one "Make/Model" column; `tracecheck map` shows the split and its pack keeps it
    to the mapper, and `check` reports maker and model apart (TC015 once, plus the value it could not split)."""
    batch = tmp_path / "make_model.csv"
    batch.write_text("Request ID,Make/Model,Serial Number,Caliber\nR1,GLOCK 19,BXYZ123,9MM\n"
                     "R2,Smith & Wesson M&P9,HKL4411,9MM\nR3,GLCK 17,ZZT8812,9MM\n", encoding="utf-8")
    shown = subprocess.run([sys.executable, "-m", "tracecheck", "map", str(batch)], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert "split" in shown.stderr and '# manufacturer: split from "Make/Model"' in shown.stdout
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(batch), "--out", str(out), "-q", "--as-of", "2026-01-01"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads((out / "make_model.report.json").read_text(encoding="utf-8"))
    mapped = {m["field"]: (m["header"], m["method"]) for m in report["mapping"]}
    assert mapped["manufacturer"] == mapped["model"] == ("Make/Model", "split")
    split = [f for f in report["findings"] if f["rule"] == "TC015"]
    assert [(f["row"], f["reason"]) for f in split] == [(None, "split"), (4, "no_maker")]
    assert not [f for f in report["findings"] if f["rule"] in ("TC001", "TC120") and f["row"] in (2, 3)]
    models = [f for f in report["findings"] if f["rule"] == "TC121"]
    assert [f["row"] for f in models] == [4]  # only the value kept whole lacks a model
