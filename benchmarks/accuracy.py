"""Detection accuracy of the rules against the synthetic generator's ground truth.

    python benchmarks/accuracy.py [--rows 50000] [--seed 11] [--profile defects|spoiled|all]

For each injected defect kind that a rule is meant to catch, prints how many injected rows the
rule flagged (recall) and how many of the rule's findings fall on rows that carry none of the
defects it is meant to catch (the other rows: a rough false-positive rate). Run it after
changing a rule or the generator; numbers go into the issue's closing note.

The ``spoiled`` profile takes a clean generated batch and spoils serial, type, date and dealer-licence
cells the way exports and examiners do (float suffix, thousands separators, date text, wrappers,
look-alike letters, obliteration statements in three languages, privately made firearms, partial
serials, ammunition and magazines in the type column, placeholder dates, mistyped FFL numbers), each
from its own list of real spellings, and prints the recall of the reason each spoiling must give.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--profile", choices=("defects", "spoiled", "all"), default="all")
    args = parser.parse_args()
    if args.profile in ("defects", "all"):
        for language, profile in (("en", "us"), ("es", "mexico")):
            print(f"\n{args.rows:,} rows, language={language}, profile={profile}, seed={args.seed}")
            print(measure(args.rows, args.seed, language, profile).to_string(index=False))
    if args.profile in ("spoiled", "all"):
        print(f"\nspoiled values: {args.rows:,} rows, seed={args.seed}")
        print(measure_spoiled(args.rows, args.seed).to_string(index=False))


if __name__ == "__main__":
    main()
