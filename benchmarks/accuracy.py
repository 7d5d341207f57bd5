"""Detection accuracy of the rules against the synthetic generator's ground truth.

    python benchmarks/accuracy.py [--rows 50000] [--seed 11]

For each injected defect kind that a rule is meant to catch, prints how many injected rows the
rule flagged (recall) and how many of the rule's findings fall on rows that carry none of the
defects it is meant to catch (the other rows: a rough false-positive rate). Run it after
changing a rule or the generator; numbers go into the issue's closing note.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root: synth/

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    for language, profile in (("en", "us"), ("es", "mexico")):
        print(f"\n{args.rows:,} rows, language={language}, profile={profile}, seed={args.seed}")
        print(measure(args.rows, args.seed, language, profile).to_string(index=False))


if __name__ == "__main__":
    main()
