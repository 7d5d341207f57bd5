"""Duplicate groups as three columnar tables: groups, member rows, and the scored pairs inside groups.

Nothing here builds a Python object per pair: groups, members and pairs are numpy arrays turned
into DataFrames, so a batch with hundreds of thousands of pairs costs a few array sorts. Text is
rendered only by ``tracecheck.matching.explain`` (one explanation per pair) and read by the writers.

Shapes (one row each):

* ``groups`` (``GROUP_COLUMNS``): ``group`` id (``DR-12``: kind prefix and first sheet row),
  ``kind`` (duplicate-request, re-recovery, possible-duplicate), ``confidence`` (flag, review),
  ``score`` (the weakest link used, log2-odds points), ``size`` (rows), ``first`` (position of the
  group's first pair in ``pairs``), ``pairs`` (how many), ``weakest_a``/``weakest_b`` (sheet rows of
  the weakest link; missing when the group has none). Report order: duplicate requests, then
  re-recoveries, then possible duplicates, each by first row.
* ``members`` (``MEMBER_COLUMNS``): ``row`` (sheet row), the group's ``group``, ``kind``,
  ``confidence`` and ``score``, ``related_rows`` (the group's other rows, ascending) and
  ``pair_a``/``pair_b`` (the first pair of the group that names this row: its evidence).
* ``pairs`` (``PAIR_COLUMNS``): ``group``, sheet rows ``a`` < ``b`` by position, ``score``, the
  comparison level and weight of each field (``serial``, ``w_serial``...), the evidence text of
  each field (``t_serial``..., missing when nothing is said) and the ``explanation`` (the texts
  joined). Within a group, strongest pair first.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from tracecheck.matching.cluster import Group

FIELDS = ("serial", "maker", "model", "caliber", "recovery")
PREFIX = {"duplicate-request": "DR", "re-recovery": "RR", "possible-duplicate": "PD"}
KINDS = tuple(PREFIX)
GROUP_COLUMNS = ["group", "kind", "confidence", "score", "size", "first", "pairs", "weakest_a", "weakest_b"]
MEMBER_COLUMNS = ["row", "group", "kind", "confidence", "score", "related_rows", "pair_a", "pair_b"]
PAIR_COLUMNS = ["group", "a", "b", "score", *FIELDS, *(f"w_{f}" for f in FIELDS), *(f"t_{f}" for f in FIELDS),
                "explanation"]


@dataclass(frozen=True)
class DuplicateTables:
    """The duplicate groups of one batch (see the module docstring for the three tables' columns)."""

    groups: pd.DataFrame
    members: pd.DataFrame
    pairs: pd.DataFrame

    @classmethod
    def empty(cls) -> DuplicateTables:
        return cls(pd.DataFrame(columns=GROUP_COLUMNS), pd.DataFrame(columns=MEMBER_COLUMNS),
                   pd.DataFrame(columns=PAIR_COLUMNS))

    def __len__(self) -> int:
        return len(self.groups)

    def group_of_row(self) -> pd.Series:
        """Each grouped row's primary group (its duplicate-request group, else re-recovery, else
        possible duplicate), indexed by sheet row."""
        members = self.members
        first = ~members["row"].duplicated()  # members are in report order: the primary kind first
        return pd.Series(members.loc[first, "group"].to_numpy(), index=members.loc[first, "row"].to_numpy(),
                         dtype="str")

    def rows_of(self, positions: np.ndarray | None = None) -> list[list[int]]:
        """The sheet rows of the groups at ``positions`` (default: all), ascending."""
        members = self.members
        starts = np.r_[0, np.cumsum(self.groups["size"].to_numpy(dtype=np.int64))]
        rows = members["row"].to_numpy(dtype=np.int64)
        wanted = range(len(self.groups)) if positions is None else positions
        return [rows[starts[k]:starts[k + 1]].tolist() for k in wanted]

    def records(self, positions: np.ndarray | list[int] | None = None, *, texts: bool = False) -> list[dict[str, Any]]:
        """The groups at ``positions`` (default: all) as the JSON report's objects: id, kind,
        confidence, score, rows, weakest_link and pairs (rows, score, explanation, evidence: field,
        level, weight; and, with ``texts``, each field's evidence text). Slow for very many groups:
        the writers stream the tables instead."""
        groups = self.groups
        wanted = np.arange(len(groups)) if positions is None else np.asarray(positions, dtype=np.int64)
        rows = self.rows_of(wanted)
        chosen = groups.iloc[wanted]
        first, count = chosen["first"].to_numpy(dtype=np.int64), chosen["pairs"].to_numpy(dtype=np.int64)
        take = (np.concatenate([np.arange(f, f + c) for f, c in zip(first, count)]) if len(chosen)
                else np.empty(0, np.int64))
        pairs = [_pair_record({str(k): v for k, v in p.items()}, texts)
                 for p in self.pairs.iloc[take].to_dict("records")]
        ends = np.cumsum(count).tolist()
        out = []
        for k, (g, members) in enumerate(zip(chosen.to_dict("records"), rows)):
            weakest = None if pd.isna(g["weakest_a"]) else {"rows": [int(g["weakest_a"]), int(g["weakest_b"])],
                                                             "score": float(g["score"])}
            out.append({"id": g["group"], "kind": g["kind"], "confidence": g["confidence"], "score": float(g["score"]),
                        "rows": members, "weakest_link": weakest,
                        "pairs": pairs[ends[k] - int(count[k]):ends[k]]})
        return out


def _pair_record(pair: dict[str, Any], texts: bool) -> dict[str, Any]:
    evidence = []
    for f in FIELDS:
        text = pair[f"t_{f}"]
        if isinstance(text, str):
            item = {"field": f, "level": pair[f], "weight": float(pair[f"w_{f}"])}
            evidence.append({**item, "text": text} if texts else item)
    return {"rows": [int(pair["a"]), int(pair["b"])], "score": float(pair["score"]),
            "explanation": pair["explanation"], "evidence": evidence}


def group_tables(found: list[tuple[str, list[Group]]], pairs: pd.DataFrame, rows: np.ndarray, flag: float
                 ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(groups, members, pair index) from the groups of each kind. ``pairs`` is the scored pair table
    (columns i, j, score: positions), ``rows`` the sheet row of each position, ``flag`` the score
    from which a duplicate-request group is flagged rather than left for review. The third table
    has one row per (group, pair): ``group_pos`` and ``pair_id`` (an index label of ``pairs``) in
    the order the report lists them; the caller adds the evidence."""
    listed = [(kind, g) for kind, groups in found for g in groups]
    n_groups = len(listed)
    kinds = np.array([kind for kind, _ in listed], dtype=object)
    sizes = np.array([len(g.members) for _, g in listed], dtype=np.int64)
    member_group = np.repeat(np.arange(n_groups), sizes)
    member_pos = np.fromiter(chain.from_iterable(g.members for _, g in listed), dtype=np.int64, count=int(sizes.sum()))
    member_row = rows[member_pos] if len(member_pos) else np.empty(0, np.int64)
    order = np.lexsort((member_row, member_group))
    member_group, member_pos, member_row = member_group[order], member_pos[order], member_row[order]

    pair_counts = np.fromiter((len(g.pair_ids) for _, g in listed), dtype=np.int64, count=n_groups)
    pair_group = np.repeat(np.arange(n_groups), pair_counts)
    pair_id = np.fromiter(chain.from_iterable(g.pair_ids for _, g in listed), dtype=np.int64,
                          count=int(pair_counts.sum()))
    at = pairs.index.get_indexer(pd.Index(pair_id))
    pi, pj = pairs["i"].to_numpy()[at], pairs["j"].to_numpy()[at]
    score = pairs["score"].to_numpy(dtype=float)[at]
    keep = _first_of(pair_group, pair_id)  # a pair listed twice in one group counts once
    pair_group, pair_id, pi, pj, score = (a[keep] for a in (pair_group, pair_id, pi, pj, score))
    order = np.lexsort((pj, pi, -score, pair_group))  # within a group: strongest first, then by position
    pair_group, pair_id, pi, pj, score = (a[order] for a in (pair_group, pair_id, pi, pj, score))

    group_score, weak_i, weak_j = _weakest(listed, pair_group, pi, pj, score, n_groups)
    first_row = np.full(n_groups, -1, dtype=np.int64)
    if len(member_row):
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        first_row[sizes > 0] = member_row[starts[sizes > 0]]
    ids = np.array([f"{PREFIX[k]}-{r}" for k, r in zip(kinds.tolist(), first_row.tolist())], dtype=object)
    confidence = np.where((kinds == "duplicate-request") & (group_score < flag), "review", "flag").astype(object)
    n_pairs = np.bincount(pair_group, minlength=n_groups)
    weakest_a = pd.array(np.where(weak_i >= 0, rows[np.maximum(weak_i, 0)], 0) if len(rows) else weak_i, dtype="Int64")
    weakest_b = pd.array(np.where(weak_j >= 0, rows[np.maximum(weak_j, 0)], 0) if len(rows) else weak_j, dtype="Int64")
    weakest_a[weak_i < 0] = pd.NA
    weakest_b[weak_j < 0] = pd.NA
    groups = pd.DataFrame({"group": pd.Series(ids, dtype="str"), "kind": pd.Series(kinds, dtype="str"),
                           "confidence": pd.Series(confidence, dtype="str"), "score": group_score,
                           "size": sizes, "first": (np.cumsum(n_pairs) - n_pairs).astype(np.int64),
                           "pairs": n_pairs.astype(np.int64), "weakest_a": weakest_a, "weakest_b": weakest_b},
                          columns=GROUP_COLUMNS)
    members = _members(groups, member_group, member_row, pair_group, rows[pi] if len(pi) else pi,
                       rows[pj] if len(pj) else pj)
    index = pd.DataFrame({"group_pos": pair_group, "pair_id": pair_id})
    return groups, members, index


def _related(sizes: np.ndarray, member_group: np.ndarray, member_row: np.ndarray) -> list[tuple[int, ...]]:
    """Per member (grouped, rows ascending within a group): the group's other rows. Pairs, the
    most common groups, are answered with arrays; larger groups one by one."""
    starts = np.r_[0, np.cumsum(sizes)]
    size = sizes[member_group] if len(member_group) else np.zeros(0, dtype=np.int64)
    within = np.arange(len(member_row)) - starts[member_group] if len(member_row) else size
    two = size == 2
    partner = np.where(within == 0, 1, 0) + starts[member_group] if len(member_row) else size
    related: list[tuple[int, ...]] = [()] * len(member_row)
    for k, other in zip(np.flatnonzero(two).tolist(), member_row[partner[two]].tolist()):
        related[k] = (other,)
    rows = member_row.tolist()
    for k in np.flatnonzero(~two).tolist():
        g = int(member_group[k])
        related[k] = tuple(r for r in rows[starts[g]:starts[g + 1]] if r != rows[k])
    return related


def _first_of(group: np.ndarray, item: np.ndarray) -> np.ndarray:
    """Mask keeping the first occurrence of each (group, item)."""
    if not len(group):
        return np.zeros(0, dtype=bool)
    _, first = np.unique(np.column_stack([group, item]), axis=0, return_index=True)
    keep = np.zeros(len(group), dtype=bool)
    keep[first] = True
    return keep


def _weakest(listed: list[tuple[str, Group]], pair_group: np.ndarray, pi: np.ndarray, pj: np.ndarray,
             score: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group: the score of its weakest link and that link's positions (-1 when none). A group
    joined from spanning links (duplicate requests) uses the weakest of those; any other group the
    weakest of its pairs. Ties go to the lowest positions."""
    group_score = np.zeros(n_groups)
    wi = np.full(n_groups, -1, dtype=np.int64)
    wj = np.full(n_groups, -1, dtype=np.int64)
    links = [(k, i, j, s) for k, (_, g) in enumerate(listed) for i, j, s in g.links]
    if links:
        lk, li, lj, ls = (np.array(c) for c in zip(*links))
        _take_min(lk, li.astype(np.int64), lj.astype(np.int64), ls.astype(float), group_score, wi, wj)
    linked = wi >= 0
    if len(pair_group):
        gs, gi, gj = group_score.copy(), wi.copy(), wj.copy()
        _take_min(pair_group, pi, pj, score, gs, gi, gj)
        group_score[~linked], wi[~linked], wj[~linked] = gs[~linked], gi[~linked], gj[~linked]
    return group_score, wi, wj


def _take_min(group: np.ndarray, i: np.ndarray, j: np.ndarray, score: np.ndarray, out_score: np.ndarray,
              out_i: np.ndarray, out_j: np.ndarray) -> None:
    """Write into the outputs, per group, the (score, i, j)-smallest entry."""
    order = np.lexsort((j, i, score, group))
    group, i, j, score = group[order], i[order], j[order], score[order]
    first = np.r_[True, group[1:] != group[:-1]]
    out_score[group[first]], out_i[group[first]], out_j[group[first]] = score[first], i[first], j[first]


def _members(groups: pd.DataFrame, member_group: np.ndarray, member_row: np.ndarray, pair_group: np.ndarray,
             pair_a: np.ndarray, pair_b: np.ndarray) -> pd.DataFrame:
    """One row per (group, member), in report order, with the first pair of its group that names it."""
    related = _related(groups["size"].to_numpy(dtype=np.int64), member_group, member_row)
    # the first pair (in report order) naming each (group, row): a stable sort keeps report order
    width = int(member_row.max()) + 1 if len(member_row) else 1
    ends = np.concatenate([pair_group, pair_group]).astype(np.int64) * width + np.concatenate([pair_a, pair_b])
    pos = np.concatenate([np.arange(len(pair_a)), np.arange(len(pair_a))])
    order = np.lexsort((pos, ends))
    ends, pos = ends[order], pos[order]
    first = np.r_[True, ends[1:] != ends[:-1]] if len(ends) else np.zeros(0, dtype=bool)
    found = pd.Index(ends[first]).get_indexer(member_group.astype(np.int64) * width + member_row)
    has = found >= 0
    at = pos[first][np.where(has, found, 0)] if len(pos) else np.zeros(len(member_row), dtype=np.int64)
    a = pd.array(np.where(has, pair_a[at] if len(pair_a) else 0, 0), dtype="Int64")
    b = pd.array(np.where(has, pair_b[at] if len(pair_b) else 0, 0), dtype="Int64")
    a[~has], b[~has] = pd.NA, pd.NA
    g = groups.iloc[member_group] if len(member_group) else groups.iloc[:0]
    return pd.DataFrame({"row": member_row.astype(np.int64), "group": g["group"].to_numpy(),
                         "kind": g["kind"].to_numpy(), "confidence": g["confidence"].to_numpy(),
                         "score": g["score"].to_numpy(dtype=float), "related_rows": related, "pair_a": a,
                         "pair_b": b}, columns=MEMBER_COLUMNS)
