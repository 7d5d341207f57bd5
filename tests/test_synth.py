"""Tests for the synthetic batch generator (synth.batches)."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from synth import batches as synth
from synth.batches import DEFECT_KINDS, HEADERS, generate_batch

TODAY = dt.date(2026, 11, 1)
GUN_COLUMNS = {"en": ["Manufacturer", "Model", "Caliber", "Type", "Obliterated", "Importer",
                      "Country of Origin", "FFL Number"],
               "es": ["Marca", "Modelo", "Calibre", "Tipo de arma", "Matrícula limada", "Importador",
                      "País de fabricación", "Licencia del armero"]}
SERIAL = {"en": "Serial Number", "es": "Matrícula"}
ID = {"en": "Request ID", "es": "Folio"}
AGENCY = {"en": "Requesting Agency", "es": "Dependencia"}
DATES = {"en": ["Purchase Date", "Recovery Date", "Request Date"],
         "es": ["Fecha de compra", "Fecha de aseguramiento", "Fecha de solicitud"]}
MONTHS_ES = {m: i + 1 for i, m in enumerate(["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago",
                                              "sep", "oct", "nov", "dic"])}


@pytest.fixture(scope="module")
def big_mx():
    return generate_batch(20_000, seed=11, language="es", profile="mexico", with_truth=True)


@pytest.fixture(scope="module")
def big_us():
    return generate_batch(20_000, seed=12, language="en", profile="us", with_truth=True)


def defects(frame: pd.DataFrame) -> pd.Series:
    """Share of rows carrying each defect kind."""
    kinds = frame["_truth_defects"].dropna().str.split(";").explode()
    return kinds.value_counts().reindex(DEFECT_KINDS, fill_value=0) / len(frame)


def yy(two: int) -> int:
    return 2000 + two if two <= TODAY.year % 100 else 1900 + two


def parse_date(text, language):
    """Parse a generated date in the orders the generator promises; None if not parseable."""
    if not isinstance(text, str):
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", text)
        if m:
            a, b, y = int(m[1]), int(m[2]), int(m[3])
            y = yy(y) if len(m[3]) == 2 else y
            return dt.date(y, a, b) if language == "en" else dt.date(y, b, a)
        m = re.fullmatch(r"(\d{1,2})-([a-z]{3})-(\d{4})", text)
        if m and language == "es":
            return dt.date(int(m[3]), MONTHS_ES[m[2]], int(m[1]))
    except ValueError:
        return None
    return None


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


# ---------------------------------------------------------------------------------------
# Shape, headers, determinism
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "es"])
def test_headers_exact_and_no_truth_by_default(language):
    frame = generate_batch(50, seed=1, language=language)
    assert list(frame.columns) == HEADERS[language]
    assert not any(c.startswith("_truth_") for c in frame.columns)


def test_header_lists_are_the_documented_ones():
    assert HEADERS["en"] == ["Request ID", "Requesting Agency", "Manufacturer", "Model", "Caliber", "Type",
                             "Serial Number", "Obliterated", "Importer", "Country of Origin", "Purchase Date",
                             "Recovery Date", "Request Date", "Recovery Location", "FFL Number"]
    assert HEADERS["es"] == ["Folio", "Dependencia", "Marca", "Modelo", "Calibre", "Tipo de arma", "Matrícula",
                             "Matrícula limada", "Importador", "País de fabricación", "Fecha de compra",
                             "Fecha de aseguramiento", "Fecha de solicitud", "Lugar de aseguramiento",
                             "Licencia del armero"]


def test_truth_columns_follow_the_headers():
    frame = generate_batch(50, seed=1, language="es", with_truth=True)
    assert list(frame.columns[:15]) == HEADERS["es"]
    assert {"_truth_defects", "_truth_duplicate_of", "_truth_serial"} <= set(frame.columns[15:])
    assert all(c.startswith("_truth_") for c in frame.columns[15:])


@pytest.mark.parametrize("n", [0, 1, 7, 60, 1234])
def test_row_count(n):
    assert len(generate_batch(n, seed=3)) == n


def test_all_cells_are_text_or_none():
    frame = generate_batch(3000, seed=4, language="es", with_truth=True)
    assert all(dtype.kind == "O" for dtype in frame.dtypes)
    values = frame.to_numpy().ravel()
    assert all(v is None or type(v) is str for v in values)
    assert frame[SERIAL["es"]].isna().any()  # blanks are None, not "nan"
    assert not (frame == "nan").any().any()


@pytest.mark.parametrize("language,profile", [("en", "mexico"), ("es", "us"), ("es", "mexico")])
def test_same_seed_same_frame(language, profile):
    a = generate_batch(2000, seed=42, language=language, profile=profile, with_truth=True)
    b = generate_batch(2000, seed=42, language=language, profile=profile, with_truth=True)
    pd.testing.assert_frame_equal(a, b)


def test_different_seeds_differ():
    a = generate_batch(500, seed=1)
    b = generate_batch(500, seed=2)
    assert (a["Serial Number"].fillna("") != b["Serial Number"].fillna("")).mean() > 0.9
    assert not a.equals(b)


def test_request_ids_unique_sequential_from_start():
    frame = generate_batch(300, seed=5, language="en", start_request_id=9001)
    ids = frame["Request ID"]
    assert ids.is_unique
    assert ids.iloc[0].endswith("0009001") and ids.iloc[-1].endswith("0009300")


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        generate_batch(5, language="fr")
    with pytest.raises(ValueError):
        generate_batch(5, profile="canada")


# ---------------------------------------------------------------------------------------
# Defect rates (loose bounds around the intended rates)
# ---------------------------------------------------------------------------------------

MX_RATES = {  # kind: (low, high) share of rows, profile mexico
    "serial_obliterated": (0.035, 0.065), "serial_blank": (0.015, 0.035), "serial_placeholder": (0.012, 0.03),
    "serial_truncated": (0.004, 0.013), "serial_label": (0.012, 0.03), "serial_confusable": (0.018, 0.04),
    "serial_transposition": (0.005, 0.016), "serial_indel": (0.005, 0.016), "serial_spaces_hyphens": (0.028, 0.052),
    "serial_non_ascii": (0.001, 0.006), "serial_repeated_char": (0.0005, 0.005),
    "manufacturer_missing": (0.013, 0.028), "model_missing": (0.02, 0.04), "caliber_missing": (0.02, 0.04),
    "type_missing": (0.02, 0.04), "purchase_date_blank": (0.02, 0.04), "date_unparseable": (0.001, 0.006),
    "date_placeholder": (0.004, 0.013),
    "purchase_after_recovery": (0.001, 0.005), "recovery_after_request": (0.001, 0.005),
    "date_future": (0.0005, 0.004), "duplicate_exact": (0.01, 0.02), "duplicate_fuzzy": (0.01, 0.02),
    "importer_missing": (0.05, 0.11),
}


def test_defect_rates_mexico(big_mx):
    rates = defects(big_mx)
    for kind, (low, high) in MX_RATES.items():
        assert low <= rates[kind] <= high, (kind, rates[kind])
    # every documented kind occurs in a 20k batch
    assert (rates > 0).all(), rates[rates == 0]


def test_defect_rates_us_lower_obliteration(big_us, big_mx):
    us, mx = defects(big_us), defects(big_mx)
    assert 0.008 <= us["serial_obliterated"] <= 0.025
    assert us["serial_obliterated"] < mx["serial_obliterated"] / 2
    assert (us > 0).sum() >= len(DEFECT_KINDS) - 2


def test_importer_missing_about_quarter_of_foreign(big_mx):
    foreign = big_mx["_truth_foreign"] == "1"
    assert 0.25 <= foreign.mean() <= 0.36  # ~30-33% non-US-made
    missing = big_mx["Importador"].isna() & foreign
    share = missing.sum() / foreign.sum()
    assert 0.2 <= share <= 0.33


def test_firearm_type_mix_mexico(big_mx):
    types = big_mx["Tipo de arma"].dropna().str.upper()
    pistol = types.isin(["PISTOLA", "ARMA CORTA"]).mean()
    rifle = types.isin(["RIFLE", "FUSIL", "FUSIL DE ASALTO", "ARMA LARGA"]).mean()
    revolver = types.isin(["REVOLVER", "REVÓLVER"]).mean()
    assert 0.45 <= pistol <= 0.55 and 0.23 <= rifle <= 0.31 and 0.12 <= revolver <= 0.18
    assert types.isin(["ESCOPETA"]).mean() > 0.03


def test_placeholders_and_obliterated_flag(big_mx):
    kinds = big_mx["_truth_defects"].fillna("")
    obl = big_mx[kinds.str.contains("serial_obliterated")]
    serials = obl["Matrícula"].dropna().str.strip()
    serials = serials[serials != ""]
    assert serials.str.contains("LIMAD|BORRAD|ILEGIBLE|NO VISIBLE|NO LEGIBLE|OBLITERATED|REMARCADA").all()
    flag = obl["Matrícula limada"].fillna("").str.upper()
    assert flag.isin(["SI", "SÍ"]).mean() > 0.75
    inconsistent = big_mx[kinds.str.contains("obliterated_flag_inconsistent")]["Matrícula limada"]
    assert not inconsistent.fillna("").str.upper().isin(["SI", "SÍ"]).any()
    ph = big_mx[kinds.str.contains("serial_placeholder")]["Matrícula"]
    assert set(ph) <= {"SIN NUMERO", "SIN NÚMERO", "SIN MATRICULA", "SIN MATRÍCULA", "S/N", "N/A", "0000", "-",
                       "?", "NONE", "UNK", "UNKNOWN"}
    assert ph.nunique() >= 8


def test_serial_defect_shapes(big_us):
    frame = big_us
    kinds = frame["_truth_defects"].fillna("")
    sn = frame["Serial Number"]

    def rows(kind):
        return kinds.str.contains(rf"(?:^|;){kind}(?:;|$)") & ~kinds.str.contains("duplicate_")

    excel = sn[rows("serial_excel_mangled")]
    assert excel.str.fullmatch(r"\d\.\d{5}E\+\d{2}").all()
    label = frame[rows("serial_label")]
    assert label["Serial Number"].str.match(r"(S/N:? |SN# |#|SN |SERIAL |NO\. )").all()
    assert all(t in s for s, t in zip(label["Serial Number"], label["_truth_serial"]))
    assert sn[rows("serial_non_ascii")].map(lambda s: any(ord(c) > 127 for c in s)).all()
    rep = sn[rows("serial_repeated_char")]
    assert rep.map(lambda s: len(set(s)) == 1 and len(s) >= 6).all()
    conf = frame[rows("serial_confusable")]
    assert all(edit_distance(s, t) == 1 for s, t in zip(conf["Serial Number"], conf["_truth_serial"]))
    spaced = frame[rows("serial_spaces_hyphens")]
    assert all(re.sub(r"[ -]", "", s) == re.sub(r"[ -]", "", t)
               for s, t in zip(spaced["Serial Number"], spaced["_truth_serial"]))
    assert all(s != t for s, t in zip(spaced["Serial Number"], spaced["_truth_serial"]))
    trunc = frame[rows("serial_truncated")]
    assert all(len(s) <= 3 and t.startswith(s) for s, t in zip(trunc["Serial Number"], trunc["_truth_serial"]))
    ruger = trunc[trunc["Manufacturer"].fillna("").str.upper().str.contains("RUGER")]
    assert ruger["Serial Number"].str.fullmatch(r"\d{3}").all()
    clean = frame[kinds == ""]
    assert (clean["Serial Number"] == clean["_truth_serial"]).all()


def test_manufacturer_serial_formats(big_mx):
    truth = big_mx["_truth_serial"]
    make = big_mx["Marca"].fillna("").str.upper()
    assert truth[make.str.startswith("GLOCK")].str.fullmatch(r"[A-Z]{4}\d{3}|[A-Z]{2}\d{3}US").all()
    assert truth[make.str.contains("RUGER")].str.fullmatch(r"\d{3}-?\d{5}").all()
    assert truth[make.isin(["S&W", "SMITH & WESSON", "SMITH AND WESSON", "SMITH&WESSON"])].str.fullmatch(
        r"[A-Z]{3}\d{4}").all()
    assert truth[make.str.startswith("SPRINGFIELD")].str.fullmatch(r"XD\d{6}").all()
    wasr = truth[make.isin(["ROMARM", "CUGIR", "ROMARM/CUGIR", "ROMARM CUGIR"])]
    assert wasr.str.fullmatch(r"[A-Z]{2}-\d{4}-\d{2}|\d{4}").all()
    assert wasr.str.fullmatch(r"[A-Z]{2}-\d{4}-\d{2}").mean() > 0.6
    ruger_sn = big_mx.loc[make.str.contains("RUGER"), "Matrícula"].dropna()
    assert ruger_sn.str.fullmatch(r"\d{8}").any() and ruger_sn.str.fullmatch(r"\d{3}-\d{5}").any()
    sw = big_mx.loc[make.str.contains("S&W|SMITH"), "Marca"]
    assert sw.nunique() >= 4  # spelled several ways


# ---------------------------------------------------------------------------------------
# Duplicates
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fixture,language", [("big_mx", "es"), ("big_us", "en")])
def test_duplicates_refer_to_earlier_rows_and_differ_by_at_most_one_char(fixture, language, request):
    frame = request.getfixturevalue(fixture)
    dups = frame[frame["_truth_duplicate_of"].notna()]
    assert 0.025 <= len(dups) / len(frame) <= 0.035
    position = {rid: i for i, rid in enumerate(frame[ID[language]])}
    exact = fuzzy = 0
    for i, row in dups.iterrows():
        j = position[row["_truth_duplicate_of"]]
        assert j < i
        orig = frame.iloc[j]
        assert pd.isna(orig["_truth_duplicate_of"])
        for col in GUN_COLUMNS[language]:
            assert row[col] == orig[col] or (pd.isna(row[col]) and pd.isna(orig[col])), col
        d = edit_distance(row[SERIAL[language]], orig[SERIAL[language]])
        assert d <= 1
        kind = "duplicate_exact" if "duplicate_exact" in row["_truth_defects"] else "duplicate_fuzzy"
        assert d == (0 if kind == "duplicate_exact" else 1)
        exact += kind == "duplicate_exact"
        fuzzy += kind == "duplicate_fuzzy"
        assert row[AGENCY[language]] != orig[AGENCY[language]]
        rec_a = parse_date(row[DATES[language][1]], language)
        rec_b = parse_date(orig[DATES[language][1]], language)
        orig_kinds = orig["_truth_defects"] or ""
        if rec_a and rec_b and "recovery" not in orig_kinds and "date" not in orig_kinds:
            assert abs((rec_a - rec_b).days) <= 3
    assert abs(exact - fuzzy) <= 1


def test_small_batch_still_has_duplicates():
    frame = generate_batch(60, seed=1, language="es", with_truth=True)
    kinds = frame["_truth_defects"].fillna("")
    assert kinds.str.contains("duplicate_exact").any() and kinds.str.contains("duplicate_fuzzy").any()


@pytest.mark.parametrize("seed", [0, 5, 9])
@pytest.mark.parametrize("language,profile", [("es", "mexico"), ("en", "us")])
def test_sixty_rows_show_every_serial_and_date_defect(seed, language, profile):
    frame = generate_batch(60, seed=seed, language=language, profile=profile, with_truth=True)
    kinds = set(frame["_truth_defects"].dropna().str.split(";").explode())
    assert kinds & {"date_unparseable", "date_placeholder"}  # date text that gives no date (one draw, either kind)
    wanted = set(synth._SERIAL_CATS) | {"purchase_date_blank", "purchase_after_recovery",
                                        "recovery_after_request", "date_future", "manufacturer_missing",
                                        "importer_missing", "serial_excel_mangled"}
    assert wanted <= kinds, wanted - kinds


# ---------------------------------------------------------------------------------------
# Dates and time-to-crime
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fixture,language", [("big_mx", "es"), ("big_us", "en")])
def test_dates_parse_in_intended_order(fixture, language, request):
    frame = request.getfixturevalue(fixture)
    kinds = frame["_truth_defects"].fillna("")
    ok = ~kinds.str.contains("date_unparseable|date_placeholder|date_blank|after_|date_future")
    parsed = {c: frame.loc[ok, c].map(lambda s: parse_date(s, language)) for c in DATES[language]}
    for col in DATES[language]:
        assert parsed[col].notna().all(), frame.loc[ok & frame[col].notna(), col][parsed[col].isna()].head()
    purchase, recovery, request_ = (parsed[c] for c in DATES[language])
    ttc = [(r - p).days for p, r in zip(purchase, recovery)]
    lag = [(q - r).days for r, q in zip(recovery, request_)]
    assert ttc == frame.loc[ok, "_truth_ttc_days"].astype(int).tolist()
    assert lag == frame.loc[ok, "_truth_lag_days"].astype(int).tolist()
    assert min(ttc) >= 0 and min(lag) >= 0 and max(request_) <= TODAY
    # several formats are mixed in each column
    text = frame[DATES[language][1]].dropna()
    if language == "en":
        assert text.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}").mean() > 0.6
        assert text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").mean() > 0.05
        assert text.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}").mean() > 0.05
    else:
        assert text.str.fullmatch(r"\d{2}/\d{2}/\d{4}").mean() > 0.6
        assert text.str.fullmatch(r"\d{2}/\d{2}/\d{2}").mean() > 0.05
        assert text.str.fullmatch(r"\d{1,2}-[a-z]{3}-\d{4}").mean() > 0.05


@pytest.mark.parametrize("fixture,language", [("big_mx", "es"), ("big_us", "en")])
def test_injected_date_errors(fixture, language, request):
    frame = request.getfixturevalue(fixture)
    kinds = frame["_truth_defects"].fillna("")
    p, r, q = DATES[language]
    for kind, check in (("purchase_after_recovery", lambda row: row[p] > row[r]),
                        ("recovery_after_request", lambda row: row[r] > row[q]),
                        ("date_future", lambda row: row[q] > TODAY)):
        sub = frame.loc[kinds.str.contains(kind), [p, r, q]].map(lambda s: parse_date(s, language)).dropna()
        assert len(sub) > 0 and sub.apply(check, axis=1).all(), kind
    junk = frame.loc[kinds.str.contains("date_unparseable|date_placeholder"), [p, r, q]]
    assert (junk.map(lambda s: s is not None and parse_date(s, language) is None)).any(axis=1).all()


def test_time_to_crime_profiles(big_mx, big_us):
    mx = big_mx["_truth_ttc_days"].astype(int) / 365.25
    us = big_us["_truth_ttc_days"].astype(int) / 365.25
    assert 12 <= mx.mean() <= 16 and 0.14 <= (mx < 3).mean() <= 0.22
    assert 4.5 <= us.median() <= 8 and 0.18 <= (us < 1).mean() <= 0.30
    lag_mx = big_mx["_truth_lag_days"].astype(int)
    lag_us = big_us["_truth_lag_days"].astype(int)
    assert (lag_mx >= 365).mean() > 0.3 and lag_mx.max() <= 3 * 366 + 60
    assert (lag_us < 90).mean() > 0.85


def test_ffl_numbers_mostly_well_formed(big_us):
    ffl = big_us["FFL Number"].dropna()
    kinds = big_us.loc[ffl.index, "_truth_defects"].fillna("")
    full = ffl.str.fullmatch(r"[1345689]-\d{2}-\d{3}-\d{2}-\d[A-HJ-M]-\d{5}|[1345689]\d{5}\d{2}\d[A-HJ-M]\d{5}")
    assert full.mean() > 0.8
    assert ffl[kinds.str.contains("ffl_abbreviated")].str.fullmatch(r"\d-\d{2}-\d{5}").all()
    assert ffl[kinds.str.contains("ffl_short_sequence")].str.fullmatch(r".*-\d{4}").all()
