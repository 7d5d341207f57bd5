"""Tests for the labelled duplicate-request generator (synth.duplicates)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from synth import duplicates as sd
from synth.duplicates import NOISE_KINDS, NOISE_RATES, generate_linked_batch

HEADERS = ["Request ID", "Requesting Agency", "Manufacturer", "Model", "Caliber", "Type", "Serial Number",
           "Importer", "Country of Origin", "Purchase Date", "Recovery Date", "Request Date"]
TRUTH = ["_truth_gun", "_truth_event", "_truth_serial_usable", "_truth_noise"]
TODAY = dt.date(2026, 11, 1)

# Independent of the module: strip a leading label, keep letters and digits, upper case, fold look-alikes.
LABEL = re.compile(r"^(S/N:?\s*|NO\.\s*|#\s*|SERIE\s+|MATRICULA\s+|MAT\.\s*|SN#\s*)")
FOLD = str.maketrans("OQDILBSZG", "000118526")
SERIAL_NOISE = ("serial_confusable", "serial_separator", "serial_case", "serial_label", "serial_transposition",
                "serial_indel", "serial_affix_missing")


def norm(serial: str) -> str:
    s = LABEL.sub("", serial.upper().strip())
    return re.sub(r"[^A-Z0-9]", "", s).translate(FOLD)


def substitution(a: str, b: str) -> tuple[str, str] | None:
    """The differing pair when a and b have equal length and differ in exactly one position."""
    if len(a) != len(b):
        return None
    diff = [(x, y) for x, y in zip(a, b) if x != y]
    return diff[0] if len(diff) == 1 else None


def noise_free(frame: pd.DataFrame, kinds=SERIAL_NOISE) -> pd.Series:
    noise = frame["_truth_noise"].fillna("")
    return ~noise.str.contains("|".join(kinds)) & frame["_truth_serial_usable"]


@pytest.fixture(scope="module")
def big():
    f = generate_linked_batch(20_000, seed=7)
    f["norm"] = [norm(s) if u else None for s, u in zip(f["Serial Number"], f["_truth_serial_usable"])]
    for col in ("Purchase Date", "Recovery Date", "Request Date"):
        f[col + " d"] = pd.to_datetime(f[col], format="%Y-%m-%d")
    return f


def test_determinism_per_seed():
    a = generate_linked_batch(3_000, seed=42)
    b = generate_linked_batch(3_000, seed=42)
    c = generate_linked_batch(3_000, seed=43)
    pd.testing.assert_frame_equal(a, b)
    assert not a[HEADERS].equals(c[HEADERS])


@pytest.mark.parametrize("n", [0, 1, 2, 7, 100, 1_234, 5_001])
def test_row_count_exact_and_ids_unique(n):
    f = generate_linked_batch(n, seed=n)
    assert len(f) == n
    assert f["Request ID"].is_unique


def test_negative_rows_rejected():
    with pytest.raises(ValueError):
        generate_linked_batch(-1)


def test_headers_and_types(big):
    f = generate_linked_batch(2_000, seed=3)
    assert list(f.columns) == HEADERS + TRUTH
    for col in HEADERS + ["_truth_noise"]:
        assert f[col].dtype == object
        assert all(v is None or isinstance(v, str) for v in f[col])
    assert f["_truth_gun"].dtype.kind == "i" and f["_truth_event"].dtype.kind == "i"
    assert f["_truth_serial_usable"].dtype == bool
    for col in ("Purchase Date", "Request Date"):
        assert f[col].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    rec = f["Recovery Date"].dropna()
    assert rec.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    kinds = set(big["_truth_noise"].dropna().str.split(";").explode())
    assert kinds == set(NOISE_KINDS)


def test_today_parameter_bounds_dates():
    today = dt.date(2020, 6, 30)
    f = generate_linked_batch(2_000, seed=5, today=today)
    assert pd.to_datetime(f["Request Date"]).max() <= pd.Timestamp(today)


def test_rows_are_shuffled(big):
    ev = big["_truth_event"].to_numpy()
    adjacent = (ev[1:] == ev[:-1]).mean()
    assert adjacent < 0.01


def test_event_belongs_to_one_gun(big):
    assert (big.groupby("_truth_event")["_truth_gun"].nunique() == 1).all()
    assert big.groupby("_truth_gun")["_truth_event"].nunique().max() <= 2


def test_gun_fields_and_purchase_constant_per_gun(big):
    per_gun = big.groupby("_truth_gun")
    assert (per_gun["Purchase Date"].nunique() == 1).all()
    assert (per_gun["Importer"].nunique(dropna=False) == 1).all()
    assert (per_gun["Country of Origin"].nunique() == 1).all()
    foreign = big["Country of Origin"] != "USA"
    assert big.loc[foreign, "Importer"].notna().all()
    assert big.loc[~foreign, "Importer"].isna().all()


def test_dates_are_ordered(big):
    rec = big["Recovery Date d"]
    have = rec.notna()
    assert (big.loc[have, "Purchase Date d"] < rec[have]).all()
    assert (big.loc[have, "Request Date d"] > rec[have]).all()
    assert (big["Request Date d"] <= pd.Timestamp(TODAY)).all()
    ttc_years = (rec[have] - big.loc[have, "Purchase Date d"]).dt.days / 365.25
    assert 3 < ttc_years.median() < 10


def test_duplicate_rows_share_recovery_date_within_three_days(big):
    span = big.groupby("_truth_event")["Recovery Date d"].agg(lambda s: (s.max() - s.min()).days if s.notna().any()
                                                              else 0)
    assert span.max() <= 6
    blank_in_dup = big[big.groupby("_truth_event")["_truth_event"].transform("size") > 1]["Recovery Date"].isna()
    assert blank_in_dup.sum() > 0


def test_duplicate_rows_come_from_different_agencies(big):
    sizes = big.groupby("_truth_event")["Requesting Agency"].agg(["size", "nunique"])
    multi = sizes[sizes["size"] > 1]
    assert len(multi) > 100
    assert (multi["size"] == multi["nunique"]).all()
    assert multi["size"].max() <= 5


def test_re_recoveries_far_apart_and_by_another_agency(big):
    two = big.groupby("_truth_gun")["_truth_event"].transform("nunique") == 2
    sub = big[two]
    n_guns = big["_truth_gun"].nunique()
    assert 0.015 < sub["_truth_gun"].nunique() / n_guns < 0.045
    for _, g in sub.groupby("_truth_gun"):
        dates = g.groupby("_truth_event")["Recovery Date d"].agg(["min", "max"]).dropna()
        if len(dates) == 2:
            assert (dates["min"].max() - dates["max"].min()).days >= 100
        firsts = g.sort_values("Request Date d").groupby("_truth_event")["Requesting Agency"].first()
        assert firsts.nunique() == 2


def test_duplicate_requests_follow_the_first_request(big):
    req = big.groupby("_truth_event")["Request Date d"]
    first = req.transform("min")
    n_first = (big["Request Date d"] == first).groupby(big["_truth_event"]).sum()
    assert (n_first == 1).all()


def test_structure_rates(big):
    sizes = big.groupby("_truth_event").size()
    multi_share = (sizes > 1).mean()
    assert 0.06 < multi_share < 0.10


def test_no_digit_substitution_within_a_gun(big):
    """The hard-negative signature (one digit replaced by another) never occurs inside a gun."""
    usable = big[big["_truth_serial_usable"]]
    checked = 0
    for _, serials in usable.groupby("_truth_gun")["norm"]:
        vals = serials.tolist()
        for i in range(len(vals)):
            for j in range(i + 1, len(vals)):
                checked += 1
                diff = substitution(vals[i], vals[j])
                assert diff is None, (vals[i], vals[j])
    assert checked > 2_000


def test_true_duplicates_are_still_recognisable(big):
    """Noise stays within what normalisation plus edits of one transposition/indel/affix can absorb."""
    usable = big[big["_truth_serial_usable"]]
    exact = total = 0
    for _, serials in usable.groupby("_truth_gun")["norm"]:
        vals = serials.tolist()
        for i in range(len(vals)):
            for j in range(i + 1, len(vals)):
                total += 1
                exact += vals[i] == vals[j]
    assert 0.6 < exact / total < 0.97


def test_straw_runs_have_consecutive_serials_on_different_guns(big):
    clean = big[noise_free(big)].drop_duplicates("_truth_gun")
    by_stem = defaultdict(list)
    for gun, s, purchase, model in zip(clean["_truth_gun"], clean["norm"], clean["Purchase Date"], clean["Model"]):
        digits = [i for i, ch in enumerate(s) if ch.isdigit()]
        last = digits[-1]
        by_stem[(s[:last], s[last + 1:], purchase)].append((int(s[last]), gun, model))
    runs = [v for v in by_stem.values() if len(v) > 1]
    pairs = 0
    for members in runs:
        members.sort()
        assert len({gun for _, gun, _ in members}) == len(members)
        for (d1, _, _), (d2, _, _) in itertools.pairwise(members):
            pairs += d2 - d1 == 1
    assert len(runs) >= 30
    assert pairs >= 60


def test_raids_share_agency_date_and_model(big):
    firsts = big[noise_free(big, SERIAL_NOISE + ("model_variant", "maker_variant", "maker_is_importer",
                                                 "recovery_date_offset", "recovery_date_blank"))]
    firsts = firsts.drop_duplicates("_truth_event")
    raids = 0
    for _, g in firsts.groupby(["Requesting Agency", "Recovery Date"]):
        if g["_truth_gun"].nunique() >= 3 and g["Model"].nunique() == 1 and g["Manufacturer"].nunique() == 1:
            raids += 1
            assert g["norm"].is_unique
    assert raids >= 10


def test_same_serial_under_two_makers(big):
    clean = big[noise_free(big) & (big["Importer"] == "INTERARMS")].drop_duplicates("_truth_gun")
    twins = clean[clean.duplicated("norm", keep=False)]
    pairs = twins.groupby("norm").filter(lambda g: set(g["Country of Origin"]) == {"SPAIN", "EGYPT"})
    assert pairs["norm"].nunique() >= 2
    assert pairs["norm"].str.fullmatch(r"\d{7}").all()
    assert pairs.groupby("norm")["_truth_gun"].nunique().eq(2).all()


def test_placeholder_share(big):
    share = (~big["_truth_serial_usable"]).mean()
    assert 0.03 < share < 0.05
    ph = big.loc[~big["_truth_serial_usable"], "Serial Number"]
    assert ph.isna().any()
    assert ph.dropna().isin(["SIN MATRICULA", "N/A", "UNK", "MATRICULA LIMADA", "", "NONE", "OBLITERATED",
                             "SIN NUMERO", "BORRADA", "ILEGIBLE", "NO SERIAL", "LIMADO"]).all()
    # a 4-digit factory number with a dropped character is the shortest usable serial
    assert big.loc[big["_truth_serial_usable"], "Serial Number"].str.strip().str.len().min() >= 3


def test_noise_rates_on_later_rows(big):
    first_req = big.groupby("_truth_event")["Request Date d"].transform("min")
    dup_events = big.groupby("_truth_event")["_truth_event"].transform("size") > 1
    later = big[dup_events & (big["Request Date d"] > first_req)]
    first = big[big["Request Date d"] == first_req]
    kinds = later["_truth_noise"].dropna().str.split(";").explode().value_counts() / len(later)
    kinds_first = first["_truth_noise"].dropna().str.split(";").explode().value_counts() / len(first)
    for kind in ("maker_variant", "caliber_variant", "model_variant", "serial_separator", "serial_confusable",
                 "recovery_date_offset", "serial_indel", "serial_transposition"):
        assert NOISE_RATES[kind] * 0.7 < kinds.get(kind, 0) < NOISE_RATES[kind] * 1.3, kind
        assert kinds_first.get(kind, 0) < NOISE_RATES[kind] * 0.3, kind


def test_field_variants_are_realistic(big):
    makers = set(big["Manufacturer"])
    assert {"S&W", "SMITH AND WESSON", "Smith & Wesson"} <= makers
    assert {"ROMARM", "CUGIR", "ROMARM CUGIR"} & makers
    assert {"COLT", "COLT'S MFG CO"} <= makers
    assert {"AR-15", "AR15", "AR 15"} <= set(big["Model"])
    assert {".223", "223 REM", "5.56", "5.56X45", "9MM", "9X19", "9MM LUGER", "9MM PARABELLUM",
            "7.62X39", "7.62 X 39 MM"} <= set(big["Caliber"])
    wasr = big[(big["Model"] == "WASR-10") & noise_free(big)]
    assert wasr["Serial Number"].str.fullmatch(r"[A-Z]{2}-\d{4}-\d{2}").all()
    short = big[big["_truth_noise"].fillna("").str.contains("serial_affix_missing")]
    assert short["Serial Number"].str.contains(r"^(?:#|S/N|No\.|SERIE|MATRICULA|MAT\.|SN#)?\s*\d{4}$").any()


def test_large_batch_generates():
    f = generate_linked_batch(200_000, seed=1)
    assert len(f) == 200_000
    assert f["Request ID"].is_unique


def test_guard_undoes_the_noisy_row_of_a_substitution_pair():
    """Two indels can line up into a one-character substitution; the guard resets the noisy row."""
    def mat(*serials):
        out = np.zeros((len(serials), sd._W), np.uint8)
        for i, s in enumerate(serials):
            out[i, :len(s)] = np.frombuffer(s.encode(), np.uint8)
        return out

    clean = mat("330-12345", "330-12345", "330-12345", "ABC1234")
    # rows 1 and 2 dropped different digits: 3301345 / 3301245 differ by one substitution
    noisy = mat("330-12345", "3301345", "3301245", "ABC1234")
    bits = np.array([0, sd._BIT["serial_indel"], sd._BIT["serial_indel"], 0], np.int32)
    gun = np.array([5, 5, 5, 9])
    sd._guard_substitutions(noisy, clean, gun, np.ones(4, bool), bits)
    assert sd._to_text(noisy).tolist() == ["330-12345", "3301345", "330-12345", "ABC1234"]
    assert bits.tolist() == [0, int(sd._BIT["serial_indel"]), 0, 0]
