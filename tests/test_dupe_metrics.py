"""Unit tests for benchmarks/dupe_metrics.py on small hand-made examples."""

from __future__ import annotations

import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import dupe_metrics as dm  # noqa: E402


def as_set(keys: np.ndarray) -> set[tuple[int, int]]:
    a, b = dm.decode_pairs(keys)
    return set(zip(a.tolist(), b.tolist()))


def test_encode_decode_roundtrip_orders_and_dedupes():
    keys = dm.encode_pairs([5, 1, 1, 3], [1, 5, 2, 3])   # (5,1) == (1,5); (3,3) is a self-pair
    assert keys.dtype == np.int64
    assert as_set(keys) == {(1, 5), (1, 2)}
    assert list(keys) == sorted(keys)


def test_encode_rejects_negative_ids():
    with pytest.raises(ValueError):
        dm.encode_pairs([-1], [2])


def test_pairs_from_labels_all_pairs_within_each_label():
    # rows 0,2,4 share "a"; 1,5 share "b"; 3 is alone; 6 is unlabelled
    labels = ["a", "b", "a", "c", "a", "b", None]
    assert as_set(dm.pairs_from_labels(labels)) == {(0, 2), (0, 4), (2, 4), (1, 5)}


def test_pairs_from_labels_with_sheet_row_ids_and_nan():
    labels = np.array([7.0, np.nan, 7.0, np.nan])   # NaN is "no label", never a group of its own
    assert as_set(dm.pairs_from_labels(labels, ids=np.arange(4) + 2)) == {(2, 4)}


def test_pairs_from_labels_empty_and_all_singletons():
    assert len(dm.pairs_from_labels([])) == 0
    assert len(dm.pairs_from_labels([1, 2, 3])) == 0


def test_pairs_from_groups_matches_itertools_on_mixed_sizes():
    groups = [[10, 11], [3, 4, 5, 6], [], [8], [20, 21, 22], [30, 31]]
    expected = {p for g in groups for p in combinations(sorted(g), 2)}
    assert as_set(dm.pairs_from_groups(groups)) == expected
    assert len(dm.pairs_from_groups(groups)) == 1 + 6 + 3 + 1


def test_pairs_from_groups_overlapping_groups_are_united():
    assert as_set(dm.pairs_from_groups([[1, 2, 3], [3, 4], [1, 2]])) == {(1, 2), (1, 3), (2, 3), (3, 4)}


def test_pairs_from_groups_empty():
    assert len(dm.pairs_from_groups([])) == 0
    assert len(dm.pairs_from_groups([[1]])) == 0


def test_pair_generation_is_vectorised_at_scale():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 200_000, size=500_000)
    keys = dm.pairs_from_labels(labels)
    sizes = np.bincount(labels)
    assert len(keys) == int((sizes * (sizes - 1) // 2).sum())


def test_pair_scores_counts_and_values():
    truth = dm.encode_pairs([1, 1, 2, 7], [2, 3, 3, 8])
    predicted = dm.encode_pairs([1, 4, 7], [2, 5, 8])
    s = dm.pair_scores(predicted, truth)
    assert (s.tp, s.fp, s.fn) == (2, 1, 2)
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == pytest.approx(2 / 4)
    assert s.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert (s.predicted, s.actual) == (3, 4)


def test_pair_scores_empty_sets():
    some = dm.encode_pairs([1], [2])
    nothing = dm.EMPTY
    both_empty = dm.pair_scores(nothing, nothing)
    assert (both_empty.precision, both_empty.recall, both_empty.f1) == (1.0, 1.0, 1.0)
    missed = dm.pair_scores(nothing, some)        # nothing predicted: no false positive, all missed
    assert (missed.precision, missed.recall, missed.f1) == (1.0, 0.0, 0.0)
    spurious = dm.pair_scores(some, nothing)      # nothing to find: every prediction is wrong
    assert (spurious.precision, spurious.recall, spurious.f1) == (0.0, 1.0, 0.0)
    nan = dm.pair_scores(nothing, some, zero_division=float("nan"))
    assert np.isnan(nan.precision) and nan.recall == 0.0


def test_candidate_recall():
    truth = dm.encode_pairs([1, 3, 5], [2, 4, 6])
    candidates = dm.encode_pairs([1, 3, 9], [2, 4, 10])
    assert dm.candidate_recall(candidates, truth) == pytest.approx(2 / 3)
    assert dm.candidate_recall(candidates, dm.EMPTY) == 1.0
    assert dm.candidate_recall(dm.EMPTY, truth) == 0.0


def test_restrict_keeps_pairs_with_both_ids_allowed():
    keys = dm.encode_pairs([1, 1, 2, 5], [2, 3, 3, 6])
    assert as_set(dm.restrict(keys, [1, 2, 3])) == {(1, 2), (1, 3), (2, 3)}
    assert as_set(dm.restrict(keys, [1, 2, 5])) == {(1, 2)}     # (5, 6): only one side usable
    assert len(dm.restrict(keys, [])) == 0


def test_difference_gives_re_recoveries():
    # gun 1 = rows 0,1,2; rows 0 and 1 are one recovery event, row 2 a later recovery
    same_gun = dm.pairs_from_labels([1, 1, 1, 2])
    same_event = dm.pairs_from_labels([10, 10, 11, 12])
    assert as_set(dm.difference(same_gun, same_event)) == {(0, 2), (1, 2)}
    assert as_set(dm.union(same_event, dm.encode_pairs([3], [0]))) == {(0, 1), (0, 3)}


def test_labels_from_groups_singletons_and_overlap():
    labels = dm.labels_from_groups([[3, 4], [6, 2]], ids=[2, 3, 4, 5, 6])
    assert labels[1] == labels[2] and labels[0] == labels[4]
    assert len(set(labels.tolist())) == 3                      # {3,4}, {2,6}, {5}
    with pytest.raises(ValueError):
        dm.labels_from_groups([[2, 3], [3, 4]], ids=[2, 3, 4])
    first = dm.labels_from_groups([[2, 3], [3, 4]], ids=[2, 3, 4], overlap="first")
    assert first[0] == first[1] != first[2]
    with pytest.raises(ValueError):
        dm.labels_from_groups([[2, 99]], ids=[2, 3])


def test_bcubed_perfect_and_all_singletons():
    truth = [1, 1, 2, 2, 3]
    assert dm.bcubed(["x", "x", "y", "y", "z"], truth) == dm.BCubed(1.0, 1.0, 1.0)
    singletons = dm.bcubed([0, 1, 2, 3, 4], truth)
    assert singletons.precision == 1.0
    assert singletons.recall == pytest.approx((0.5 * 4 + 1) / 5)


def test_bcubed_hand_computed_merge():
    # truth {a,b} {c} ; predicted {a,b,c}
    # precision per record: a 2/3, b 2/3, c 1/3 -> 5/9 ; recall: 1,1,1
    s = dm.bcubed([0, 0, 0], [1, 1, 2])
    assert s.precision == pytest.approx(5 / 9)
    assert s.recall == 1.0
    assert s.f1 == pytest.approx(2 * (5 / 9) / (5 / 9 + 1))


def test_bcubed_rejects_missing_labels_and_handles_empty():
    with pytest.raises(ValueError):
        dm.bcubed([0, None], [0, 1])
    assert dm.bcubed([], []).f1 == 1.0
