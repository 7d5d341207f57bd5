"""Dealer licence (FFL) rules TC130-TC134 on a real public list: every licence of
tests/real_world/atf_ffl_licences.csv (1,912 ATF licences with their premises state) passes in its
full and short forms, with and without hyphens; corrupted copies are each flagged with the right
rule and reason (recall measured and required to be 100 %)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tracecheck
from tracecheck.ffl import abbreviate, parse

FIXTURE = Path(__file__).resolve().parent / "real_world" / "atf_ffl_licences.csv"
AS_OF = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    return pd.read_csv(FIXTURE, comment="#", dtype=str)


def _check(numbers: list[str], states: list[str]) -> pd.DataFrame:
    """TC13x findings of a batch holding ``numbers`` and ``states`` (rows 2..n+1)."""
    frame = pd.DataFrame({"Serial Number": [f"SN{i:07d}" for i in range(len(numbers))],
                          "Manufacturer": "Glock", "FFL Number": numbers, "Dealer State": states})
    found = tracecheck.check(frame, as_of=AS_OF, select=["TC13"]).findings
    return found[found["rule"].str.startswith("TC13")]


def test_fixture_is_licence_numbers_and_states_only(real: pd.DataFrame) -> None:
    assert list(real.columns) == ["ffl_number", "premise_state"]
    assert len(real) == real["ffl_number"].nunique() == 1912
    assert real["ffl_number"].str.fullmatch(r"\d-\d\d-\d{3}-\d\d-\d[A-Z]-\d{5}").all()


def test_parse_splits_every_real_licence(real: pd.DataFrame) -> None:
    for number in real["ffl_number"]:
        lic = parse(number)
        assert lic.form == "full" and lic.problem is None, number
        assert "-".join([lic.region, lic.district, lic.county, lic.type, lic.expiry, lic.sequence]) == number
        assert parse(number.replace("-", "")) == lic
        assert parse(abbreviate(lic)).sequence == lic.sequence


def test_every_real_licence_passes_in_every_form(real: pd.DataFrame) -> None:
    full = real["ffl_number"].tolist()
    short = [abbreviate(parse(n)) for n in full]
    forms = [full, [n.replace("-", "") for n in full], short, [n.replace("-", "") for n in short],
             [n.replace("-", " ").lower() for n in full]]
    numbers = [n for form in forms for n in form]
    states = real["premise_state"].tolist() * len(forms)
    found = _check(numbers, states)
    assert found.empty, found[["row", "rule", "reason", "message"]].head(10).to_string()


def _corruptions(real: pd.DataFrame, rng: np.random.Generator) -> list[tuple[str, str, str, str, str]]:
    """(kind, number, state, rule, reason): each licence corrupted one way, chosen round-robin."""
    regions = sorted({n[0] for n in real["ffl_number"]})
    pairs = sorted({n[:4] for n in real["ffl_number"]})
    district_states: dict[str, set[str]] = {}
    for n, s in zip(real["ffl_number"], real["premise_state"], strict=True):
        district_states.setdefault(n[:4], set()).add(s)
    all_states = sorted(set(real["premise_state"]))
    kinds = ["other_region", "no_region", "district_swap", "type_05", "expiry_i", "drop_county_digit",
             "drop_county_digit_hyphenless", "drop_sequence_digit", "letter_for_digit", "insert_letter",
             "wrong_state"]
    out = []
    for i, (number, state) in enumerate(zip(real["ffl_number"], real["premise_state"], strict=True)):
        kind = kinds[i % len(kinds)]
        r, d, c, t, e, s = number.split("-")
        if kind == "other_region":
            new = rng.choice([x for x in regions if x != r])
            out.append((kind, f"{new}-{d}-{c}-{t}-{e}-{s}", state, "TC131", "other_region"))
        elif kind == "no_region":
            out.append((kind, f"{rng.choice(['0', '2', '7'])}-{d}-{c}-{t}-{e}-{s}", state, "TC131", "no_region"))
        elif kind == "district_swap":
            other = rng.choice([p for p in pairs if p[0] != r])
            out.append((kind, f"{r}-{other[2:]}-{c}-{t}-{e}-{s}", state, "TC131", "other_region"))
        elif kind == "type_05":
            out.append((kind, f"{r}-{d}-{c}-05-{e}-{s}", state, "TC132", "reserved"))
        elif kind == "expiry_i":
            out.append((kind, f"{r}-{d}-{c}-{t}-{e[0]}I-{s}", state, "TC133", "bad_month"))
        elif kind == "drop_county_digit":
            out.append((kind, f"{r}-{d}-{c[1:]}-{t}-{e}-{s}", state, "TC130", "wrong_shape"))
        elif kind == "drop_county_digit_hyphenless":
            out.append((kind, f"{r}{d}{c[:2]}{t}{e}{s}", state, "TC130", "wrong_length"))
        elif kind == "drop_sequence_digit":
            out.append((kind, f"{r}-{d}-{c}-{t}-{e}-{s[1:]}", state, "TC130", "short_sequence"))
        elif kind == "letter_for_digit":
            j = int(rng.integers(0, 3))
            out.append((kind, f"{r}-{d}-{c[:j]}{rng.choice(list('OSBZ'))}{c[j + 1:]}-{t}-{e}-{s}", state,
                        "TC130", "letter_in_digits"))
        elif kind == "insert_letter":
            out.append((kind, f"{r}-{d}{rng.choice(list('ABXK'))}-{c}-{t}-{e}-{s}", state, "TC130", "wrong_shape"))
        else:
            wrong = rng.choice([x for x in all_states if x not in district_states[number[:4]]])
            out.append((kind, number, str(wrong), "TC134", "state_mismatch"))
    return out


def test_corrupted_real_licences_are_flagged_with_their_reason(real: pd.DataFrame) -> None:
    rows = _corruptions(real, np.random.default_rng(13))
    found = _check([r[1] for r in rows], [r[2] for r in rows])
    said = set(zip(found["row"].astype(int), found["rule"], found["reason"], strict=True))
    table = pd.DataFrame(rows, columns=["kind", "number", "state", "rule", "reason"])
    table["caught"] = [(i + 2, rule, reason) in said for i, (rule, reason) in
                       enumerate(zip(table["rule"], table["reason"], strict=True))]
    recall = table.groupby("kind")["caught"].mean()
    missed = table[~table["caught"]]
    assert (recall == 1.0).all(), f"recall by corruption:\n{recall}\nmissed:\n{missed.head(10).to_string()}"
    assert len(table) == 1912 and table["kind"].nunique() == 11
