"""The header corpus (tests/mapping/header_corpus.yml): header spellings from real exports, each with
the field it must map to. Each header is decided on its own (and with its column's values where the
corpus gives them), as ``map_batch`` decides a batch's headers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tracecheck.mapping import content, required_fields, vocabulary_of
from tracecheck.mapping.decide import decide
from tracecheck.reference import compile_reference
from tracecheck.ruleset import load_pack

CORPUS = Path(__file__).resolve().parent / "mapping" / "header_corpus.yml"
MIN_ACCURACY = 0.98


def _entries() -> list[tuple[str, str, str | None, list | None]]:
    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    out = []
    for group, items in data.items():
        for item in items:
            if isinstance(item, dict):
                out.append((group, str(item["header"]), item["field"], item.get("values")))
            else:
                out.append((group, str(item[0]), item[1], None))
    return out


ENTRIES = _entries()


@pytest.fixture(scope="module")
def decided() -> list[tuple[str, str, str | None, str | None]]:
    """(group, header, expected field, mapped field) for every corpus entry."""
    pack = load_pack()
    vocab, required = vocabulary_of(pack), required_fields(pack)
    reference = compile_reference(pack.reference)
    out = []
    for group, header, expected, values in ENTRIES:
        profiles = {header: content.profile(values, reference, vocab)} if values else None
        mapping = decide([header], vocab, profiles=profiles, required=required, fuzzy_threshold=pack.fuzzy_threshold)
        out.append((group, header, expected, mapping.decisions[0].field))
    return out


def test_the_corpus_is_large_and_varied() -> None:
    assert len(ENTRIES) >= 150
    assert {"english", "spanish", "portuguese", "snake_case", "truncated", "abbreviated", "compound",
            "content"} <= {g for g, *_ in ENTRIES}
    assert sum(1 for *_, values in ENTRIES if values) >= 5  # meaningless headers with telling content


def test_mapping_accuracy(decided) -> None:
    wrong = [(h, e, m) for _, h, e, m in decided if e != m]
    accuracy = 1 - len(wrong) / len(decided)
    assert accuracy >= MIN_ACCURACY, f"{accuracy:.1%} correct; wrong (header, expected, mapped): {wrong}"


def test_no_wrong_mapping_of_a_required_field(decided) -> None:
    required = required_fields(load_pack())
    assert required >= {"serial_number", "manufacturer"}
    wrong = [(h, e, m) for _, h, e, m in decided if e != m and m is not None and (m in required or e in required)]
    assert wrong == []


@pytest.mark.parametrize("header, expected", [
    ("Fecha de compra (dd/mm/aaaa)", "dayfirst"), ("Purchase Date (MM/DD/YYYY)", "monthfirst"),
    ("Recovery Date [yyyy-mm-dd]", "monthfirst"), ("Fecha de solicitud", None)])
def test_a_format_hint_sets_the_date_order(header: str, expected: str | None) -> None:
    pack = load_pack()
    mapping = decide([header], vocabulary_of(pack), required=required_fields(pack))
    column = mapping.columns[0]
    assert column.field.endswith("_date")
    assert column.date_order == expected
