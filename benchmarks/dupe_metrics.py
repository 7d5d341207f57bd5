"""Pure, vectorised metrics for duplicate detection (entity resolution) benchmarks.

A *pair* of records is stored as one int64 key, ``a * 2**32 + b`` with ``a < b``, where ``a`` and
``b`` are record ids (DataFrame positions or sheet row numbers, non-negative and < 2**31). A pair
set is a sorted, de-duplicated 1-D int64 array of such keys, so set algebra is ``np.intersect1d``
/ ``np.setdiff1d`` / ``np.isin`` and a few million pairs cost a few tens of MB.

Pair generation never loops over rows or pairs: records are grouped, groups of equal size are
stacked into a matrix and every within-group pair is taken at once with ``np.triu_indices``.

Empty sets: precision is ``zero_division`` (default 1.0: nothing was predicted, so nothing was
wrong) when no pair is predicted, recall is ``zero_division`` when there is no true pair, and F1
is 0.0 when precision + recall is 0. Callers that print a table should show the counts too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SHIFT = np.int64(1 << 32)
EMPTY = np.empty(0, dtype=np.int64)


# ---------------------------------------------------------------- pair keys

def encode_pairs(a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> np.ndarray:
    """Pair set from two equal-length id arrays; order inside a pair and repeats do not matter.

    Self-pairs (``a == b``) are dropped.
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    if a.shape != b.shape:
        raise ValueError("a and b must have the same length")
    if a.size and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= 1 << 31):
        raise ValueError("record ids must be in [0, 2**31)")
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keep = lo != hi
    return np.unique(lo[keep] * SHIFT + hi[keep])


def decode_pairs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` id arrays of a pair set, ``a < b``."""
    keys = np.asarray(keys, dtype=np.int64)
    return keys // SHIFT, keys % SHIFT


def pairs_from_membership(members: Sequence[int] | np.ndarray, groups: Sequence | np.ndarray) -> np.ndarray:
    """All pairs of ids that share a group; ``members[i]`` belongs to group ``groups[i]``.

    An id may belong to several groups (the pair sets are united). Missing group labels
    (None / NaN) mean "in no group".
    """
    members = np.asarray(members, dtype=np.int64)
    codes = pd.factorize(pd.Series(groups))[0]    # missing labels -> -1
    if len(codes) != len(members):
        raise ValueError("members and groups must have the same length")
    keep = codes >= 0
    members, codes = members[keep], codes[keep]
    if members.size == 0:
        return EMPTY.copy()
    order = np.lexsort((members, codes))
    members, codes = members[order], codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    sizes = np.diff(np.r_[starts, len(codes)])
    chunks = []
    for size in np.unique(sizes[sizes > 1]):
        first = starts[sizes == size]
        matrix = members[first[:, None] + np.arange(size)[None, :]]   # (groups, size)
        iu, ju = np.triu_indices(int(size), k=1)
        chunks.append((matrix[:, iu].ravel(), matrix[:, ju].ravel()))
    if not chunks:
        return EMPTY.copy()
    return encode_pairs(np.concatenate([c[0] for c in chunks]), np.concatenate([c[1] for c in chunks]))


def pairs_from_labels(labels: Sequence | np.ndarray | pd.Series,
                      ids: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
    """True pairs from a label column: every two records with the same (non-missing) label.

    ``ids`` names the records (default: positions 0..n-1), e.g. ``np.arange(n) + 2`` for sheet rows.
    """
    ids = np.arange(len(labels)) if ids is None else np.asarray(ids)
    if len(ids) != len(labels):
        raise ValueError("ids and labels must have the same length")
    return pairs_from_membership(ids, labels)


def pairs_from_groups(groups: Iterable[Sequence[int]]) -> np.ndarray:
    """Predicted pairs from a list of groups (lists of record ids): all pairs within each group."""
    groups = [list(g) for g in groups]
    sizes = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
    if sizes.sum() == 0:
        return EMPTY.copy()
    members = np.fromiter((m for g in groups for m in g), dtype=np.int64, count=int(sizes.sum()))
    return pairs_from_membership(members, np.repeat(np.arange(len(groups)), sizes))


def labels_from_groups(groups: Iterable[Sequence[int]], ids: Sequence[int] | np.ndarray, *,
                       overlap: str = "raise") -> np.ndarray:
    """Cluster label per id in ``ids``: its group's index, or a fresh singleton label.

    Groups must be disjoint; with ``overlap="first"`` an id in several groups keeps the first.
    Group members that are not in ``ids`` raise ``ValueError``.
    """
    if overlap not in ("raise", "first"):
        raise ValueError("overlap must be 'raise' or 'first'")
    ids = np.asarray(ids, dtype=np.int64)
    groups = [list(g) for g in groups]
    sizes = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
    members = np.fromiter((m for g in groups for m in g), dtype=np.int64, count=int(sizes.sum()))
    gid = np.repeat(np.arange(len(groups), dtype=np.int64), sizes)
    uniq, first = np.unique(members, return_index=True)
    if len(uniq) != len(members):
        if overlap == "raise":
            raise ValueError("a record belongs to more than one group")
        members, gid = members[first], gid[first]
    pos = pd.Index(ids).get_indexer(members)
    if (pos < 0).any():
        raise ValueError(f"group members not among ids: {members[pos < 0][:5].tolist()}")
    labels = len(groups) + np.arange(len(ids), dtype=np.int64)   # singletons
    labels[pos] = gid
    return labels


# ---------------------------------------------------------------- set algebra

def restrict(keys: np.ndarray, allowed_ids: Sequence[int] | np.ndarray) -> np.ndarray:
    """The pairs whose two records are both in ``allowed_ids`` (e.g. rows with a usable serial)."""
    a, b = decode_pairs(keys)
    allowed = np.asarray(allowed_ids, dtype=np.int64)
    return np.asarray(keys, dtype=np.int64)[np.isin(a, allowed) & np.isin(b, allowed)]


def difference(keys: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Pairs in ``keys`` and not in ``other`` (e.g. same gun minus same event = re-recoveries)."""
    return np.setdiff1d(keys, other, assume_unique=True)


def union(*pair_sets: np.ndarray) -> np.ndarray:
    return np.unique(np.concatenate([EMPTY, *pair_sets])) if pair_sets else EMPTY.copy()


# ---------------------------------------------------------------- scores

@dataclass(frozen=True)
class PairScores:
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def actual(self) -> int:
        return self.tp + self.fn


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def pair_scores(predicted: np.ndarray, truth: np.ndarray, *, zero_division: float = 1.0) -> PairScores:
    """Pairwise precision, recall and F1 of a predicted pair set against the true one."""
    predicted, truth = np.unique(predicted), np.unique(truth)
    tp = int(np.isin(predicted, truth, assume_unique=True).sum())
    fp, fn = len(predicted) - tp, len(truth) - tp
    precision = tp / (tp + fp) if tp + fp else zero_division
    recall = tp / (tp + fn) if tp + fn else zero_division
    return PairScores(tp, fp, fn, precision, recall, _f1(precision, recall))


def candidate_recall(candidates: np.ndarray, truth: np.ndarray, *, zero_division: float = 1.0) -> float:
    """Blocking recall: the share of true pairs present in the candidate-pair set."""
    truth = np.unique(truth)
    if len(truth) == 0:
        return zero_division
    return float(np.isin(truth, candidates).sum() / len(truth))


@dataclass(frozen=True)
class BCubed:
    precision: float
    recall: float
    f1: float


def bcubed(predicted_labels: Sequence | np.ndarray, true_labels: Sequence | np.ndarray) -> BCubed:
    """B-cubed precision/recall/F1 of two complete clusterings of the same records.

    Every record needs a label in both (singletons get their own label; see
    ``labels_from_groups``). Per record, precision is the share of its predicted cluster that
    shares its true cluster, recall the share of its true cluster that shares its predicted one;
    both are averaged over records. Computed from the contingency table, not per record.
    """
    pred = pd.factorize(pd.Series(predicted_labels))[0]
    true = pd.factorize(pd.Series(true_labels))[0]
    if len(pred) != len(true):
        raise ValueError("label arrays must have the same length")
    n = len(pred)
    if n == 0:
        return BCubed(1.0, 1.0, 1.0)
    if (pred < 0).any() or (true < 0).any():
        raise ValueError("every record needs a label (use labels_from_groups for singletons)")
    cells = pd.DataFrame({"p": pred, "t": true}).value_counts().reset_index(name="n")
    pred_size = np.bincount(pred)[cells["p"].to_numpy()]
    true_size = np.bincount(true)[cells["t"].to_numpy()]
    nij = cells["n"].to_numpy(dtype=np.float64)
    precision = float((nij ** 2 / pred_size).sum() / n)
    recall = float((nij ** 2 / true_size).sum() / n)
    return BCubed(precision, recall, _f1(precision, recall))
