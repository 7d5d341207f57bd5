"""Detection accuracy of the rules against the synthetic generator's ground truth.

    python benchmarks/accuracy.py [--rows 50000] [--seed 11] [--profile defects|spoiled|sales|vocabulary|all]

For each injected defect kind that a rule is meant to catch, prints how many injected rows the
rule flagged (recall) and how many of the rule's findings fall on rows that carry none of the
defects it is meant to catch (the other rows: a rough false-positive rate). Run it after
changing a rule or the generator; numbers go into the issue's closing note.

The ``spoiled`` profile takes a clean generated batch and spoils serial, type, date and dealer-licence
cells the way exports and examiners do (float suffix, thousands separators, date text, wrappers,
look-alike letters, obliteration statements in three languages, privately made firearms, partial
serials, ammunition and magazines in the type column, placeholder dates, mistyped FFL numbers), each
from its own list of real spellings, and prints the recall of the reason each spoiling must give.

The ``sales`` profile gives every row a purchaser and a dealer state and plants multiple sales
(``measure_sales``): recall of TC401/TC402, near misses flagged, and findings on other rows.

The ``vocabulary`` profile plants maker, caliber and type typos, a caliber the model was never made
in (a Glock 19 in .45, a WASR-10 in 5.56), a model typo (SD9EV), importer names without city and state and a Glock Inc
marking on a Taurus, in both languages, and prints the recall of each and the vocabulary rules'
findings on the rows left clean.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root: synth/

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import tracecheck  # noqa: E402
from synth.batches import generate_batch  # noqa: E402

# rule name -> defect kinds (from synth.batches.DEFECT_KINDS) the rule should flag
EXPECTED = {
    "serial-missing": ["serial_blank", "serial_placeholder", "serial_obliterated"],
    "serial-malformed": ["serial_truncated", "serial_label", "serial_non_ascii", "serial_repeated_char"],
    "serial-stored-as-number": ["serial_excel_mangled"],
    "import-marking-missing": ["importer_missing"],
    "manufacturer-missing": ["manufacturer_missing"],
    "model-missing": ["model_missing"],
    "caliber-missing": ["caliber_missing"],
    "firearm-type-missing": ["type_missing"],
    "date-unparseable": ["date_unparseable"],
    "date-unknown": ["date_placeholder"],
    "date-order": ["purchase_after_recovery", "recovery_after_request"],
    "date-future": ["date_future"],
    "ffl-malformed": ["ffl_short_sequence"],
    "ffl-region-district": ["ffl_region_district_mismatch"],
    "ffl-licence-type": ["ffl_bad_type"],
}


def measure(rows: int, seed: int, language: str, profile: str) -> pd.DataFrame:
    frame = generate_batch(rows, seed=seed, language=language, profile=profile, with_truth=True)
    truth = frame.filter(like="_truth_")
    report = tracecheck.check(frame.drop(columns=truth.columns), as_of=dt.date(2026, 11, 1))
    defects = truth["_truth_defects"].fillna("").str.split(";").set_axis(report.rows["row"].to_numpy())
    lines = []
    for rule, kinds in EXPECTED.items():
        flagged = set(report.findings.loc[report.findings["name"] == rule, "row"].dropna().astype(int))
        injected = {row for row, ks in defects.items() if set(ks) & set(kinds)}
        other = flagged - injected
        lines.append({"rule": rule, "injected": len(injected), "caught": len(injected & flagged),
                      "recall": round(len(injected & flagged) / len(injected), 3) if injected else None,
                      "flagged": len(flagged), "on_other_rows": len(other)})
    return pd.DataFrame(lines)


_CYRILLIC = str.maketrans("ACEKMOPTX", "АСЕКМОРТХ")  # Latin letters -> the Cyrillic letters drawn the same
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# reason -> (rule that must say it, column spoiled, spoil(serial, rng) -> cell text)
SPOILS = {
    "float_suffix": ("TC103", "Serial Number", lambda s, r: f"{r.integers(10**6, 10**9)}.0"),
    "thousands_separator": ("TC103", "Serial Number",
                            lambda s, r: f"{r.integers(10**6, 10**9):,}".replace(",", r.choice([",", "."]))),
    "date_text": ("TC103", "Serial Number", lambda s, r: r.choice(
        [f"{r.integers(1, 29)}-{m}" for m in ("Jan", "Mar", "Apr", "Dec", "ene", "abr", "dic")]
        + [f"{m}-{r.integers(0, 99):02d}" for m in ("Jan", "Apr", "Dec", "Sep")])),
    "text_prefix": ("TC102", "Serial Number", lambda s, r: "'" + s),
    "lookalike": ("TC102", "Serial Number", lambda s, r: s.translate(_CYRILLIC) if any(c in s for c in "ACEKMOPTX")
                  else s.translate(_FULL_WIDTH)),
    "obliterated": ("TC101", "Serial Number", lambda s, r: r.choice([
        "Removed by mechanical action", "eliminated intentionally", "tampered by abrasion", "SERIAL GROUND OFF",
        "Número de serie esmerilado", "MATRICULA LIMADA", "borrado por abrasión", "ilegible por corrosión",
        "suprimido por ação mecânica", "numeração raspada", "adulterada"])),
    "privately_made": ("TC101", "Serial Number", lambda s, r: r.choice([
        "NONE - PMF", "PMF", "POLYMER80 NO SERIAL", "ghost gun", "SIN NUMERO - ARMA HECHIZA", "hechiza",
        "ARTESANAL", "arma caseira"])),
    "partial": ("TC101", "Serial Number", lambda s, r: s[:2] + "??" + s[4:] if len(s) > 5 else "???" + s),
    "placeholder": ("TC306", "Recovery Date", lambda s, r: r.choice(
        ["1900-01-01", "9999-12-31", "00/00/0000", "unknown", "N/D", "S/F", "sin fecha", "desconocida"])),
    "TC014:float_suffix": ("TC014", "Request ID", lambda s, r: f"{r.integers(10**6, 10**9)}.0"),
    "TC014:scientific_notation": ("TC014", "Request ID",
                                  lambda s, r: f"{r.integers(1, 9)}.{r.integers(1000, 99999)}E+11"),
    "TC013:blank": ("TC013", "Request ID", lambda s, r: r.choice(["", " ", "N/A", "S/N"])),
    "TC314:blank": ("TC314", "Recovery Date", lambda s, r: ""),
    # dealer licences (the FFL Number cell; the serial only seeds the sequence): a letter O for a zero,
    # a county of two digits, a region ATF does not use, a month letter I
    "letter_in_digits": ("TC130", "FFL Number", lambda s, r: f"5-74-{r.choice(['O21', '0O1', '2O1'])}-01-7C-04676"),
    "wrong_shape": ("TC130", "FFL Number", lambda s, r: f"9-86-13-01-7M-{r.integers(0, 10**5):05d}"),
    "no_region": ("TC131", "FFL Number",
                  lambda s, r: f"{r.choice(['0', '2', '7'])}-74-021-01-7C-{r.integers(0, 10**5):05d}"),
    "bad_month": ("TC133", "FFL Number", lambda s, r: f"1-58-055-02-5{r.choice(list('INPZ'))}-07652"),
    "not_a_firearm": (None, "Type", lambda s, r: r.choice(
        ["CARTUCHOS", "Ammunition", "MAGAZINE", "Cargador de pistola", "Munições", "spare parts", "Funda"])),
}


def _reasons(key: str) -> list[str]:
    """The reasons a spoiling may be said with: its key without the rule prefix ("TC014:float_suffix");
    a blank id may also be read as a placeholder."""
    reason = key.split(":")[-1]
    return [reason, "placeholder"] if reason == "blank" else [reason]


def measure_spoiled(rows: int, seed: int) -> pd.DataFrame:
    """Recall of each spoiling's reason on a clean batch spoiled at known rows (see the module docstring)."""
    frame = generate_batch(rows, seed=seed, language="en", profile="us", with_truth=True)
    clean = frame["_truth_defects"].isna() & frame["Serial Number"].notna()
    frame = frame.drop(columns=frame.filter(like="_truth_").columns)
    rng = np.random.default_rng(seed)
    chosen = rng.permutation(np.flatnonzero(clean.to_numpy()))
    per = min(len(chosen) // len(SPOILS), max(rows // 100, 1))
    planted: dict[str, list[int]] = {}
    for k, (reason, (_, column, spoil)) in enumerate(SPOILS.items()):
        at = chosen[k * per:(k + 1) * per]
        frame.loc[at, column] = [spoil(str(frame.at[i, "Serial Number"]), rng) for i in at]
        planted[reason] = [int(i) + 2 for i in at]  # sheet row numbers (header on row 1)
    report = tracecheck.check(frame, as_of=dt.date(2026, 11, 1))
    findings = report.findings
    dropped = {d["row"] for d in report.to_dict()["batch"]["dropped_rows"] if d["reason"] == "not_a_firearm"}
    lines = []
    for reason, (rule, _, _) in SPOILS.items():
        if rule is None:
            said = dropped
        else:
            said = set(findings.loc[(findings["rule"] == rule) & findings["reason"].isin(_reasons(reason)), "row"]
                       .astype(int))
        caught = len(set(planted[reason]) & said)
        lines.append({"reason": reason, "rule": rule or "dropped", "planted": len(planted[reason]), "caught": caught,
                      "recall": round(caught / len(planted[reason]), 3) if planted[reason] else None,
                      "said_elsewhere": len(said - set(planted[reason]))})
    return pd.DataFrame(lines)


_FIRST = ["JUAN", "MARIA", "JOSE", "ANA", "LUIS", "ROSA", "CARLOS", "ELENA", "PEDRO", "LAURA", "JORGE", "SOFIA",
          "MIGUEL", "CARMEN", "RAUL", "TERESA", "DAVID", "PATRICIA", "JAMES", "MARY", "ROBERT", "LINDA", "JOHN",
          "SUSAN"]
_LAST = ["PEREZ", "GARCIA", "LOPEZ", "MARTINEZ", "RODRIGUEZ", "HERNANDEZ", "GONZALEZ", "SANCHEZ", "RAMIREZ", "TORRES",
         "FLORES", "RIVERA", "GOMEZ", "DIAZ", "CRUZ", "MORALES", "ORTIZ", "GUTIERREZ", "SMITH", "JOHNSON", "WILLIAMS",
         "BROWN", "JONES", "MILLER", "DAVIS", "WILSON", "ANDERSON", "TAYLOR", "THOMAS", "MOORE"]
_HANDGUN = {"PISTOL", "REVOLVER", "SEMI-AUTO PISTOL", "PI", "PR"}
_SEMI_AUTO_RIFLE = {"AR-15", "AR15", "AR-556", "AR556", "WASR-10", "M&P15", "M4 LE6920", "AR15 SPORTER", "RAS47"}


def measure_sales(rows: int, seed: int) -> pd.DataFrame:
    """Recall of the multiple-sales rules on planted sales: a generated batch gets one purchaser per row
    (a distinct four-word name) and a dealer state; pairs of handguns, and of semi-automatic rifles
    above .22 in Texas, are then sold to one purchaser (the second row's name in "LAST, FIRST" order)
    0-4 business days apart (planted), and as many pairs 5-9 business days apart, or rifles sold in
    Nevada, as near misses that must not be flagged. The names come from a small vocabulary, so a few
    distinct names hold the same words in another order ("MARIA DAVID GARCIA RIVERA", "DAVID MARIA
    GARCIA RIVERA"); the rules sort a name's words, take them for one person, and flag them when
    their sales fall in one window: those are the findings on other rows."""
    frame = generate_batch(rows, seed=seed, language="en", profile="us", with_truth=True)
    rng = np.random.default_rng(seed)
    copied = frame["Request ID"].isin(frame["_truth_duplicate_of"].dropna())  # rows another row repeats
    clean = (frame["_truth_defects"].isna() & frame["_truth_duplicate_of"].isna() & ~copied).to_numpy()
    frame = frame.drop(columns=frame.filter(like="_truth_").columns)
    space = len(_FIRST) ** 2 * len(_LAST) ** 2  # given, middle, two surnames: 518,400 distinct names
    names = rng.choice(space, size=len(frame), replace=len(frame) > space)
    parts = [names // (len(_FIRST) * len(_LAST) ** 2), names // len(_LAST) ** 2 % len(_FIRST),
             names // len(_LAST) % len(_LAST), names % len(_LAST)]
    frame["Purchaser"] = [f"{_FIRST[a]} {_FIRST[b]} {_LAST[c]} {_LAST[d]}" for a, b, c, d in zip(*parts)]
    frame["Dealer State"] = rng.choice(["TX", "Texas", "AZ", "CA", "New Mexico", "FL", "NV", "GA"], size=len(frame))
    kind = frame["Type"].str.upper()
    handguns = np.flatnonzero(clean & kind.isin(_HANDGUN).to_numpy())
    rifles = np.flatnonzero(clean & kind.eq("RIFLE").to_numpy() & frame["Model"].isin(_SEMI_AUTO_RIFLE).to_numpy())
    planted: dict[str, set[int]] = {"TC401": set(), "TC402": set()}
    misses: dict[str, set[int]] = {"TC401": set(), "TC402": set()}
    for code, pool in (("TC401", rng.permutation(handguns)), ("TC402", rng.permutation(rifles))):
        pairs = pool[:len(pool) // 4 * 4].reshape(-1, 2)[: max(rows // 400, 2)]
        for k, (a, b) in enumerate(pairs):
            near_miss = k % 2 == 1
            day = np.datetime64("2015-01-05") + int(rng.integers(0, 3000))
            gap = int(rng.integers(5, 10) if near_miss and code == "TC401" else rng.integers(0, 5))
            later = np.busday_offset(np.busday_offset(day, 0, roll="forward"), gap)
            frame.loc[[a, b], "Purchase Date"] = [str(np.busday_offset(day, 0, roll="forward")), str(later)]
            given, middle_name, surname, second = frame.at[a, "Purchaser"].split()
            frame.at[b, "Purchaser"] = f"{surname.title()} {second.title()}, {given.title()} {middle_name.title()}"
            state = "NV" if near_miss and code == "TC402" else "TX"
            frame.loc[[a, b], "Dealer State"] = state
            (misses if near_miss else planted)[code].update({int(a) + 2, int(b) + 2})
    report = tracecheck.check(frame, select="sales", as_of=dt.date(2026, 11, 1))
    lines = []
    for code in ("TC401", "TC402"):
        said = set(report.findings.loc[report.findings["rule"] == code, "row"].astype(int))
        lines.append({"rule": code, "planted_rows": len(planted[code]), "caught": len(planted[code] & said),
                      "recall": round(len(planted[code] & said) / len(planted[code]), 3) if planted[code] else None,
                      "near_miss_rows": len(misses[code]), "near_miss_flagged": len(misses[code] & said),
                      "on_other_rows": len(said - planted[code] - misses[code])})
    return pd.DataFrame(lines)
# spoiling -> (rule, reason it must give or None, spoil(frame, rows, rng) writing the planted cells)
def _set(column: str, values: list[str]):
    def spoil(frame: pd.DataFrame, rows: np.ndarray, rng: np.random.Generator) -> None:
        frame.loc[rows, column] = rng.choice(values, size=len(rows))
    return spoil


def _glock_19_in_45(frame: pd.DataFrame, rows: np.ndarray, rng: np.random.Generator) -> None:
    frame.loc[rows, ["Manufacturer", "Model", "Caliber"]] = ["GLOCK", "19", ".45 ACP"]


def _wasr_in_556(frame: pd.DataFrame, rows: np.ndarray, rng: np.random.Generator) -> None:
    frame.loc[rows, ["Manufacturer", "Model", "Caliber"]] = ["ROMARM", "WASR-10", "5.56X45"]


def _sw_model_typo(frame: pd.DataFrame, rows: np.ndarray, rng: np.random.Generator) -> None:
    frame.loc[rows, ["Manufacturer", "Model", "Caliber"]] = ["S&W", "SD9EV", "9MM"]


def _taurus_by_glock_inc(frame: pd.DataFrame, rows: np.ndarray, rng: np.random.Generator) -> None:
    frame.loc[rows, ["Manufacturer", "Importer"]] = ["TAURUS", "GLOCK INC SMYRNA GA"]


VOCABULARY_SPOILS = {
    "maker_typo": ("TC140", "typo", _set("Manufacturer", ["GLCOK", "SMITH & WESON", "TAURUSS", "RUGGER", "BERRETA",
                                                          "REMINGTN", "NORINKO", "SIG SAUR"])),
    "caliber_typo": ("TC141", "typo", _set("Caliber", [".45 ACCP", "9MMM", ".380 AUTTO", ".223 REMM"])),
    "type_typo": ("TC142", "typo", _set("Type", ["PISTOLAA", "REVOLBER", "ESCOPTA", "RIFEL", "SHOTGUM"])),
    "glock_19_in_45": ("TC143", None, _glock_19_in_45),
    "wasr_in_556": ("TC143", None, _wasr_in_556),
    "model_typo": ("TC144", None, _sw_model_typo),
    "importer_name_only": ("TC111", "unknown_importer", _set("Importer", ["ACME IMPORTS", "GUN TRADERS LLC",
                                                                          "IMPORTADORA DEL NORTE"])),
    "importer_maker_mismatch": ("TC112", None, _taurus_by_glock_inc),
}
VOCABULARY_RULES = ("TC111", "TC112", "TC140", "TC141", "TC142", "TC143", "TC144")


def measure_vocabulary(rows: int, seed: int, language: str, profile: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Recall of each vocabulary spoiling, and the vocabulary rules' findings on the clean rows."""
    frame = generate_batch(rows, seed=seed, language=language, profile=profile, with_truth=True)
    clean = frame["_truth_defects"].isna()
    frame = frame.drop(columns=frame.filter(like="_truth_").columns)
    # the spoilings name the English headers; the generator's columns 2-5 and 8 are these in any language
    english = dict(zip(frame.columns[[2, 3, 4, 5, 8]], ["Manufacturer", "Model", "Caliber", "Type", "Importer"]))
    frame = frame.rename(columns=english)
    rng = np.random.default_rng(seed)
    chosen = rng.permutation(np.flatnonzero(clean.to_numpy()))
    per = min(len(chosen) // (2 * len(VOCABULARY_SPOILS)), max(rows // 200, 1))
    planted: dict[str, set[int]] = {}
    for k, (name, (_, _, spoil)) in enumerate(VOCABULARY_SPOILS.items()):
        at = chosen[k * per:(k + 1) * per]
        spoil(frame, at, rng)
        planted[name] = {int(i) + 2 for i in at}
    spoiled = set().union(*planted.values())
    frame = frame.rename(columns={v: k for k, v in english.items()})
    report = tracecheck.check(frame, as_of=dt.date(2026, 11, 1))
    findings = report.findings[report.findings["rule"].isin(VOCABULARY_RULES)]
    lines = []
    for name, (rule, reason, _) in VOCABULARY_SPOILS.items():
        hit = findings["rule"] == rule
        if reason:
            hit &= findings["reason"] == reason
        said = set(findings.loc[hit, "row"].dropna().astype(int))
        caught = len(planted[name] & said)
        lines.append({"spoiling": name, "rule": rule, "planted": len(planted[name]), "caught": caught,
                      "recall": round(caught / len(planted[name]), 3) if planted[name] else None})
    clean_rows = set(np.flatnonzero(clean.to_numpy()) + 2) - spoiled
    on_clean = findings[findings["row"].isin(clean_rows)]
    summary = (on_clean.groupby(["rule", "severity", "reason"], dropna=False).size().rename("findings_on_clean_rows")
               .reset_index())
    summary.attrs["clean_rows"] = len(clean_rows)
    return pd.DataFrame(lines), summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--profile", choices=("defects", "spoiled", "sales", "vocabulary", "all"), default="all")
    args = parser.parse_args()
    if args.profile in ("defects", "all"):
        for language, profile in (("en", "us"), ("es", "mexico")):
            print(f"\n{args.rows:,} rows, language={language}, profile={profile}, seed={args.seed}")
            print(measure(args.rows, args.seed, language, profile).to_string(index=False))
    if args.profile in ("spoiled", "all"):
        print(f"\nspoiled values: {args.rows:,} rows, seed={args.seed}")
        print(measure_spoiled(args.rows, args.seed).to_string(index=False))
    if args.profile in ("sales", "all"):
        print(f"\nmultiple sales: {args.rows:,} rows, seed={args.seed}")
        print(measure_sales(args.rows, args.seed).to_string(index=False))
    if args.profile in ("vocabulary", "all"):
        for language, profile in (("en", "us"), ("es", "mexico")):
            recall, clean = measure_vocabulary(args.rows, args.seed, language, profile)
            print(f"\nvocabulary spoilings: {args.rows:,} rows, language={language}, profile={profile}, "
                  f"seed={args.seed}")
            print(recall.to_string(index=False))
            print(f"vocabulary findings on {clean.attrs['clean_rows']:,} clean rows:")
            print(clean.to_string(index=False) if len(clean) else "none")


if __name__ == "__main__":
    main()
