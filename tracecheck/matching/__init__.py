"""Duplicate-request detection: keys → blocking → pair scores → constrained groups → evidence.

``find_duplicates(frame, reference)`` is pure (no I/O) and runs once per batch; the TC2xx rules
turn its groups into findings and the report carries the groups themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from tracecheck.catalogue import Catalogue
from tracecheck.matching.blocking import candidate_pairs
from tracecheck.matching.cluster import Group, constrained_groups
from tracecheck.matching.compare import score_pairs
from tracecheck.matching.explain import evidence_columns
from tracecheck.matching.keys import Keys, build_keys
from tracecheck.matching.tables import FIELDS, PAIR_COLUMNS, DuplicateTables, group_tables
from tracecheck.reference import Reference

MAX_RERECOVERY_SIZE = 12


@dataclass(frozen=True)
class DuplicateResult:
    tables: DuplicateTables  # groups, members and pairs (tracecheck.matching.tables)
    candidate_pairs: np.ndarray  # (n, 2) sheet rows of every scored candidate pair (blocking output)

    @property
    def members(self) -> pd.DataFrame:
        return self.tables.members


def find_duplicates(frame: pd.DataFrame, ref: Reference, words: Catalogue, *, serials: pd.DataFrame | None = None,
                    candidates: tuple[np.ndarray, np.ndarray] | None = None) -> DuplicateResult:
    """Groups of requests for the same firearm, their pairs' evidence in the language of ``words``.
    ``candidates``: the candidate pairs as two arrays of sheet rows, when the blocking was done elsewhere
    for a whole batch of which ``frame`` holds some rows (tracecheck.spark); every pair's rows must be
    in ``frame``. Default: ``candidate_pairs`` on ``frame``."""
    config = ref.matching
    keys = build_keys(frame, ref, config, ref.calibers, serials)
    if candidates is None:
        i, j = candidate_pairs(keys, max_block=int(config["max_block_size"]),
                               max_event_block=int(config["max_event_block_size"]))
    else:
        i, j = _positions(keys.rows, *candidates)
    pairs = score_pairs(keys, i, j, config)
    builder = _Builder(keys, pairs, config)
    found = [("duplicate-request", builder.duplicates()), ("re-recovery", builder.re_recoveries()),
             ("possible-duplicate", builder.possibles())]
    groups, members, listed = group_tables(found, pairs, keys.rows, float(config["flag_threshold"]))
    wanted = pairs.loc[np.unique(listed["pair_id"].to_numpy())]
    raw = {name: frame[column] for name, column in
           (("serial", "serial_number"), ("maker", "manufacturer"), ("model", "model"), ("caliber", "caliber"))}
    evidence = evidence_columns(wanted, keys, raw, config["weights"], words).reindex(listed["pair_id"].to_numpy())
    chosen = pairs.loc[listed["pair_id"].to_numpy()]
    table = pd.DataFrame({"group": groups["group"].to_numpy()[listed["group_pos"].to_numpy()],
                          "a": keys.rows[chosen["i"].to_numpy()], "b": keys.rows[chosen["j"].to_numpy()],
                          "score": chosen["score"].to_numpy(dtype=float),
                          **{f: chosen[f].array for f in FIELDS}})
    table = pd.concat([table, evidence.reset_index(drop=True)], axis=1)[PAIR_COLUMNS]
    table = table.astype({"group": "str"})
    return DuplicateResult(tables=DuplicateTables(groups, members, table),
                           candidate_pairs=np.column_stack([keys.rows[i], keys.rows[j]]))


def _positions(rows: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sheet-row pairs as position pairs (i, j), i < j, sorted as ``candidate_pairs`` gives them."""
    order = np.argsort(rows, kind="stable")
    pa_, pb = order[np.searchsorted(rows, a, sorter=order)], order[np.searchsorted(rows, b, sorter=order)]
    lo, hi = np.minimum(pa_, pb).astype(np.int64), np.maximum(pa_, pb).astype(np.int64)
    packed = np.unique(lo * max(len(rows), 1) + hi)
    return packed // max(len(rows), 1), packed % max(len(rows), 1)


class _Builder:
    """Turns scored pairs into groups of the three kinds, in that order."""

    def __init__(self, keys: Keys, pairs: pd.DataFrame, config: dict) -> None:
        self.keys, self.pairs = keys, pairs
        self.flag, self.review = float(config["flag_threshold"]), float(config["review_threshold"])
        self.max_size = int(config["max_group_size"])
        self.unit = np.arange(len(keys.rows))  # position -> first position of its duplicate group

    def duplicates(self) -> list[Group]:
        p = self.pairs
        edges = p[p["both_usable"] & (p["score"] >= self.review) & (p["recovery"] != "apart")]
        identical = ((edges["serial"] == "exact") & (edges["maker"] == "same") & (edges["model"] != "different")
                     & (edges["caliber"] != "different") & (edges["recovery"] == "same_day")).to_numpy()
        groups = constrained_groups(edges, self.keys.agency, identical, max_size=self.max_size)
        for group in groups:
            self.unit[group.members] = min(group.members)
        return _with_inner_pairs(groups, edges, len(self.unit))

    def re_recoveries(self) -> list[Group]:
        """Same gun (strong serial match) recovered on different occasions: joins duplicate groups."""
        p = self.pairs
        # a second recovery needs a serial that matches exactly (or after folding): at a different
        # time and place, a swapped or dropped character is as likely to be another gun of a series
        edges = p[p["both_usable"] & (p["score"] >= self.flag) & (p["recovery"] == "apart")
                  & p["serial"].isin(["exact", "folded"])]
        ui, uj = self.unit[edges["i"].to_numpy()], self.unit[edges["j"].to_numpy()]
        edges, ui, uj = edges[ui != uj], ui[ui != uj], uj[ui != uj]
        label = _components(ui, uj, len(self.unit))[self.unit]  # every position, via its unit
        groups = []
        for members in _split(np.flatnonzero(label >= 0), label):
            if 2 <= len(members) <= MAX_RERECOVERY_SIZE:
                groups.append(Group([int(m) for m in members]))
        return _with_inner_pairs(groups, edges, len(self.unit))

    def possibles(self) -> list[Group]:
        """A row without a usable serial whose maker, model, caliber and recovery date agree with
        exactly one other request (or duplicate group) from a different agency."""
        p, keys = self.pairs, self.keys
        ai, aj = keys.agency[p["i"].to_numpy()], keys.agency[p["j"].to_numpy()]
        agree = (~p["both_usable"] & (p["maker"] == "same") & (p["model"] == "same") & (p["caliber"] == "same")
                 & p["recovery"].isin(["same_day", "within_window"])).to_numpy() & ~((ai == aj) & (ai >= 0))
        edges = p[agree]
        weak_rows, partner_units, pair_ids = [], [], []
        for side, other in (("i", "j"), ("j", "i")):
            mine = edges[~keys.usable[edges[side].to_numpy()]]
            weak_rows.append(mine[side].to_numpy())
            partner_units.append(self.unit[mine[other].to_numpy()])
            pair_ids.append(mine.index.to_numpy())
        links = pd.DataFrame({"weak": np.concatenate(weak_rows), "unit": np.concatenate(partner_units),
                              "pair": np.concatenate(pair_ids)})
        single = links.groupby("weak")["unit"].transform("nunique") == 1  # ambiguous rows (raids) drop out
        unit_members = _unit_members(self.unit)
        groups: dict[tuple[int, ...], Group] = {}
        for weak, chosen in links[single].groupby("weak"):
            unit = int(chosen["unit"].to_numpy()[0])
            members = tuple(sorted({int(cast(int, weak)), *unit_members.get(unit, [unit])}))
            group = groups.setdefault(members, Group(list(members)))
            group.pair_ids.extend(int(x) for x in chosen["pair"])
        return list(groups.values())


def _with_inner_pairs(groups: list[Group], edges: pd.DataFrame, n: int) -> list[Group]:
    """Attach to each group the ids of every scored edge between two of its members."""
    label = np.full(n, -1)
    for k, group in enumerate(groups):
        label[group.members] = k
    li, lj = label[edges["i"].to_numpy()], label[edges["j"].to_numpy()]
    inside = (li == lj) & (li >= 0)
    owner, ids = li[inside], edges.index.to_numpy()[inside]
    order = np.argsort(owner, kind="stable")
    owner, ids = owner[order], ids[order]
    bounds = np.searchsorted(owner, np.arange(len(groups) + 1)).tolist()
    for k, group in enumerate(groups):
        group.pair_ids.extend(ids[bounds[k]:bounds[k + 1]].tolist())
    return groups


def _components(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Component label per node 0..n-1 (-1 for nodes on no edge), via union-find."""
    parent = np.arange(n)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in zip(a.tolist(), b.tolist()):
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    label = np.full(n, -1)
    touched = np.unique(np.concatenate([a, b])) if len(a) else np.empty(0, int)
    for node in touched.tolist():
        label[node] = find(node)
    return label


def _split(positions: np.ndarray, label: np.ndarray) -> list[np.ndarray]:
    """Positions grouped by label, groups in order of their first position."""
    if not len(positions):
        return []
    order = positions[np.argsort(label[positions], kind="stable")]
    cuts = np.flatnonzero(np.diff(label[order])) + 1
    return sorted(np.split(order, cuts), key=lambda g: int(g.min()))


def _unit_members(unit: np.ndarray) -> dict[int, list[int]]:
    grouped = np.flatnonzero(unit != np.arange(len(unit)))
    members: dict[int, list[int]] = {}
    for position in grouped.tolist():
        members.setdefault(int(unit[position]), [int(unit[position])]).append(position)
    return members
