"""Duplicate-request detection: keys → blocking → pair scores → constrained groups → evidence.

``find_duplicates(frame, reference)`` is pure (no I/O) and runs once per batch; the TC2xx rules
turn its groups into findings and the report carries the groups themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from tracecheck.catalogue import Catalogue
from tracecheck.matching.blocking import candidate_pairs
from tracecheck.matching.cluster import Group, constrained_groups
from tracecheck.matching.compare import score_pairs
from tracecheck.matching.explain import evidence_lists
from tracecheck.matching.keys import Keys, build_keys
from tracecheck.reference import Reference

PREFIX = {"duplicate-request": "DR", "re-recovery": "RR", "possible-duplicate": "PD"}
MAX_RERECOVERY_SIZE = 12
MEMBER_COLUMNS = ["row", "group", "kind", "confidence", "score", "related_rows", "explanation"]


@dataclass(frozen=True)
class DuplicateResult:
    groups: list[dict]  # report-ready: duplicate-request groups, then re-recovery, then possible-duplicate
    members: pd.DataFrame  # one row per (group, member row): MEMBER_COLUMNS
    candidate_pairs: np.ndarray  # (n, 2) sheet rows of every scored candidate pair (blocking output)

    def group_of_row(self) -> dict[int, str]:
        """Each row's primary group: its duplicate-request group, else re-recovery, else possible."""
        primary: dict[int, str] = {}
        for group in self.groups:
            for row in group["rows"]:
                primary.setdefault(row, group["id"])
        return primary


def find_duplicates(frame: pd.DataFrame, ref: Reference, words: Catalogue, *, serials: pd.DataFrame | None = None
                    ) -> DuplicateResult:
    """Groups of requests for the same firearm, their pairs' evidence in the language of ``words``."""
    config = ref.matching
    keys = build_keys(frame, ref, config, ref.calibers, serials)
    i, j = candidate_pairs(keys, max_block=int(config["max_block_size"]),
                           max_event_block=int(config["max_event_block_size"]))
    pairs = score_pairs(keys, i, j, config)
    raw = {name: _objects(frame[column]) for name, column in
           (("serial", "serial_number"), ("maker", "manufacturer"), ("model", "model"), ("caliber", "caliber"))}
    builder = _Builder(keys, pairs, config)
    found = [("duplicate-request", builder.duplicates()), ("re-recovery", builder.re_recoveries()),
             ("possible-duplicate", builder.possibles())]
    wanted = pairs.loc[sorted({pid for _, kind_groups in found for g in kind_groups for pid in g.pair_ids})]
    evidence, sentences = evidence_lists(wanted, keys, raw, config["weights"], words)
    records = dict(zip(wanted.index.tolist(), zip(wanted["i"].tolist(), wanted["j"].tolist(),
                                                   wanted["score"].tolist())))
    groups, members = [], []
    for kind, kind_groups in found:
        for group in kind_groups:
            described, texts = _describe(kind, group, records, (evidence, sentences), keys,
                                         float(config["flag_threshold"]))
            groups.append(described)
            members += [(int(keys.rows[m]), described, texts.get(m, "")) for m in group.members]
    return DuplicateResult(groups=groups, members=_member_table(members),
                           candidate_pairs=np.column_stack([keys.rows[i], keys.rows[j]]))


def _objects(values: pd.Series) -> np.ndarray:
    """A column as an object array, missing values as None."""
    return values.astype(object).where(values.notna(), None).to_numpy()


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
    for k, pair_id in zip(li[inside].tolist(), edges.index.to_numpy()[inside].tolist()):
        groups[k].pair_ids.append(pair_id)
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


def _describe(kind: str, group: Group, records: dict, explained: tuple[dict, dict], keys: Keys, flag: float
              ) -> tuple[dict, dict[int, str]]:
    """The report's group object, and the first explanation that mentions each member."""
    evidence, sentences = explained
    inside = sorted(set(group.pair_ids), key=lambda pid: (-records[pid][2], records[pid][0], records[pid][1]))
    described: list[dict[str, Any]] = []
    first_text: dict[int, str] = {}
    for pid in inside:
        i, j, score = records[pid]
        text = sentences[pid]
        described.append({"rows": [int(keys.rows[i]), int(keys.rows[j])], "score": float(score),
                          "explanation": text, "evidence": evidence[pid]})
        first_text.setdefault(i, text)
        first_text.setdefault(j, text)
    weakest = group.weakest or (min((records[pid] for pid in inside), key=lambda e: e[2]) if inside else None)
    score = float(weakest[2]) if weakest else 0.0
    rows = sorted(int(keys.rows[m]) for m in group.members)
    confidence = "review" if kind == "duplicate-request" and score < flag else "flag"
    return ({"id": f"{PREFIX[kind]}-{rows[0]}", "kind": kind, "confidence": confidence, "score": score,
             "rows": rows,
             "weakest_link": {"rows": [int(keys.rows[weakest[0]]), int(keys.rows[weakest[1]])],
                              "score": float(weakest[2])} if weakest else None,
             "pairs": described}, first_text)


def _member_table(members: list[tuple[int, dict, str]]) -> pd.DataFrame:
    records = [{"row": row, "group": g["id"], "kind": g["kind"], "confidence": g["confidence"], "score": g["score"],
                "related_rows": tuple(r for r in g["rows"] if r != row), "explanation": text}
               for row, g, text in members]
    return pd.DataFrame(records, columns=MEMBER_COLUMNS)
