"""A generic probabilistic record linker, configured as a competent data engineer would: the reference
that tracecheck's duplicate finder is benchmarked against.

    from splink_reference import run_splink
    result = run_splink(frame_without_truth_columns)   # SplinkResult: groups (sheet rows), seconds

splink (Fellegi-Sunter, DuckDB backend) is a benchmark-only extra and never a runtime dependency of
tracecheck. Works with splink 4 (``Linker(df, settings, db_api)``) and splink 5 (tables registered
with ``db_api.register`` first).

What the configuration knows is deliberately generic, not domain-aware:

* cleaning: upper case; serial stripped of everything but letters and digits (spaces, dashes,
  punctuation); manufacturer / model / caliber trimmed with runs of spaces collapsed; blanks as
  null; recovery date parsed as ISO (anything else null);
* comparisons: serial exact (term-frequency adjusted, so repeated junk serials weigh less) /
  Levenshtein <= 1 / <= 2 / else; manufacturer and model exact / Jaro-Winkler >= 0.9 / else;
  caliber exact / else; recovery date exact / <= 7 days / <= 30 days / <= 365 days / else;
* blocking for prediction (union): cleaned serial; first 5 serial characters; last 5 serial
  characters; manufacturer + recovery date;
* training: prior from a deterministic rule (serial + manufacturer, recall 0.8), u by random
  sampling (1e7 pairs, seeded), m by EM on two blocking rules (serial; manufacturer + recovery
  date) so that every comparison is estimated once;
* clusters: connected components of pairs with match probability >= 0.95.

It knows nothing about O/0, I/1, B/8, S/5 confusions, "S/N:" labels or that consecutive serials are
different guns, and it links "same gun" rather than "same recovery event": exactly the gap the
design notes (peers.md, "Where generic tools fail") describe.
"""

from __future__ import annotations

import inspect
import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

THRESHOLD = 0.95
U_MAX_PAIRS = 1e7
PREFIX = 5

COLUMNS = {  # English generator header -> splink column
    "Manufacturer": "manufacturer",
    "Model": "model",
    "Caliber": "caliber",
    "Serial Number": "serial",
    "Recovery Date": "recovery_date",
}


@dataclass
class SplinkResult:
    groups: list[list[int]]          # predicted clusters of size >= 2, as sheet row numbers
    seconds: float                   # clean + train + predict + cluster
    candidates: np.ndarray | None    # blocked pairs (dupe_metrics keys of sheet rows), after timing
    version: str
    config: str
    timings: dict[str, float] = field(default_factory=dict)


def config_summary() -> str:
    return (
        "splink dedupe_only, DuckDB; clean: upper, serial [^A-Z0-9] removed, spaces collapsed, ISO dates; "
        "comparisons: serial exact(tf)/lev<=1/lev<=2, manufacturer exact/JW>=0.9, model exact/JW>=0.9, "
        "caliber exact, recovery date exact/<=7d/<=30d/<=365d; "
        f"blocking: serial | serial[:{PREFIX}] | serial[-{PREFIX}:] | manufacturer+recovery_date; "
        f"prior: serial+manufacturer (recall 0.8); u: random sampling {U_MAX_PAIRS:.0e} pairs; "
        f"m: EM on serial, manufacturer+recovery_date; clusters: connected components at p >= {THRESHOLD}"
    )


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Light, generic cleaning; ``unique_id`` is the sheet row number (position + 2)."""
    out = pd.DataFrame({"unique_id": np.arange(len(frame), dtype=np.int64) + 2})
    for header, name in COLUMNS.items():
        text = frame[header].astype("string").str.upper().str.strip()
        if name == "serial":
            text = text.str.replace(r"[^A-Z0-9]", "", regex=True)
        elif name == "recovery_date":
            out[name] = pd.to_datetime(text, format="ISO8601", errors="coerce").dt.date.to_numpy()
            continue
        else:
            text = text.str.replace(r"\s+", " ", regex=True)
        text = text.mask(text.eq(""))
        out[name] = text.astype(object).where(text.notna(), None).to_numpy()
    return out


def _settings():
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.LevenshteinAtThresholds("serial", [1, 2]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("manufacturer", [0.9]),
            cl.JaroWinklerAtThresholds("model", [0.9]),
            cl.ExactMatch("caliber"),
            cl.AbsoluteDateDifferenceAtThresholds("recovery_date", input_is_string=False,
                                                  metrics=["day", "day", "day"], thresholds=[7, 30, 365]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("serial"),
            block_on(f"substr(serial, 1, {PREFIX})"),
            block_on(f"substr(serial, -{PREFIX})"),
            block_on("manufacturer", "recovery_date"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def _linker(table: pd.DataFrame):
    """A DuckDB-backed Linker for splink 4 or 5."""
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI()
    params = inspect.signature(Linker.__init__).parameters
    if "db_api" in params:                                    # splink 4
        return Linker(table, _settings(), db_api=db_api)
    kwargs = {"log_level": None} if "log_level" in params else {}
    return Linker(db_api.register(table), _settings(), **kwargs)   # splink 5


def _fetch(sdf, columns: str) -> pd.DataFrame:
    try:
        return sdf.as_duckdbpyrelation().select(columns).df()
    except AttributeError:
        return sdf.as_pandas_dataframe()[[c.strip() for c in columns.split(",")]]


def run_splink(frame: pd.DataFrame, *, seed: int = 5, with_candidates: bool = True) -> SplinkResult:
    """Dedupe ``frame`` (generator headers, truth columns removed) and time the whole pipeline."""
    import splink
    from splink import block_on

    for name in ("splink", "duckdb"):
        logging.getLogger(name).setLevel(logging.WARNING)
    timings: dict[str, float] = {}
    start = mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = round(now - mark, 3)
        mark = now

    table = clean(frame)
    lap("clean")
    linker = _linker(table)
    for name in ("splink", "duckdb"):
        logging.getLogger(name).setLevel(logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("serial", "manufacturer")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("serial"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("manufacturer", "recovery_date"))
    lap("train")
    predictions = linker.inference.predict()
    lap("predict")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=THRESHOLD)
    members = _fetch(clusters, "cluster_id, unique_id")
    lap("cluster")
    sizes = members["cluster_id"].map(members["cluster_id"].value_counts())
    multi = members[sizes.to_numpy() > 1]
    groups = [g.tolist() for _, g in multi.groupby("cluster_id", sort=False)["unique_id"]]
    lap("groups")
    seconds = time.perf_counter() - start

    candidates = None
    if with_candidates:   # every blocked pair, whatever its score: the linker's blocking recall
        from dupe_metrics import encode_pairs

        pairs = _fetch(predictions, "unique_id_l, unique_id_r")
        candidates = encode_pairs(pairs["unique_id_l"].to_numpy(), pairs["unique_id_r"].to_numpy())
    return SplinkResult(groups, seconds, candidates, splink.__version__, config_summary(), timings)
