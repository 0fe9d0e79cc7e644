"""The AUCs' range over every order inside tied groups (stats/tie_bounds.py), against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinel_checks.stats.ranking import (
    pr_auc,
    pr_auc_from_counts,
    roc_auc,
    roc_auc_from_counts,
    threshold_counts,
)
from sentinel_checks.stats.tie_bounds import tie_bounds


def _every_order(y: np.ndarray, grouped: np.ndarray) -> tuple[list[float], list[float]]:
    """ROC AUC and AP of every weak order inside the groups of ``grouped`` (brute force):
    each row gets a sub-rank, equal sub-ranks staying tied (a tree model's own ties)."""
    rocs, aps = [], []
    for ranks in itertools.product(range(len(y)), repeat=len(y)):
        scores = grouped + np.array(ranks) * 1e-3
        counts = threshold_counts(y, scores)
        rocs.append(roc_auc_from_counts(counts))
        aps.append(pr_auc_from_counts(counts))
    return rocs, aps


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.integers(0, 2)), min_size=2, max_size=5).filter(
        lambda rows: len({r[0] for r in rows}) == 2
    )
)
def test_the_bounds_are_the_extremes_over_every_order(rows: list[tuple[bool, int]]) -> None:
    y = np.array([r[0] for r in rows], dtype=int)
    grouped = np.array([r[1] for r in rows], dtype=float)
    b = tie_bounds(threshold_counts(y, grouped))
    rocs, aps = _every_order(y, grouped)
    assert b.roc_auc[0] <= b.roc_auc[1] <= b.roc_auc[2] and b.pr_auc[0] <= b.pr_auc[1] <= b.pr_auc[2]
    assert b.roc_auc[0] == pytest.approx(min(rocs), abs=1e-12)
    assert b.roc_auc[2] == pytest.approx(max(rocs), abs=1e-12)
    assert b.pr_auc[0] == pytest.approx(min(aps), abs=1e-12)
    assert b.pr_auc[2] == pytest.approx(max(aps), abs=1e-12)
    assert b.roc_auc[1] == pytest.approx(roc_auc(y, grouped), abs=1e-12)
    assert b.pr_auc[1] == pytest.approx(pr_auc(y, grouped), abs=1e-12)


def test_risky_rows_tied_under_a_safe_one_are_at_the_top_of_their_range() -> None:
    """The review's case: average precision gives tied risky rows the precision at their
    group's end, more than any strict order gives; the range must still hold it."""
    y = np.r_[np.zeros(100), np.ones(10), np.zeros(1)].astype(int)
    grouped = np.r_[np.full(100, 0.9), np.full(11, 0.5)]
    b = tie_bounds(threshold_counts(y, grouped))
    assert b.below("pr_auc") >= 0 and b.above("pr_auc") >= 0
    risky_first_tied = np.r_[np.full(100, 0.9), np.full(10, 0.5), 0.4]  # a weak order of the rows
    assert b.pr_auc[2] == pytest.approx(pr_auc(y, risky_first_tied), abs=1e-12)


def test_distinct_scores_have_no_range() -> None:
    rng = np.random.default_rng(3)
    y = rng.random(500) < 0.2
    s = rng.random(500)
    b = tie_bounds(threshold_counts(y, s))
    assert b.below("roc_auc") == pytest.approx(0.0, abs=1e-12) and b.above("roc_auc") == pytest.approx(
        0.0, abs=1e-12
    )
    assert b.below("pr_auc") == pytest.approx(0.0, abs=1e-12) and b.above("pr_auc") == pytest.approx(
        0.0, abs=1e-12
    )


def test_one_group_holding_everything_spans_the_whole_range() -> None:
    y = np.array([1, 1, 0, 0, 0])
    b = tie_bounds(threshold_counts(y, np.zeros(5)))
    assert b.roc_auc == (0.0, 0.5, 1.0)
    assert b.pr_auc[2] == pytest.approx(1.0)
    assert b.pr_auc[0] == pytest.approx((1 / 4 + 2 / 5) / 2)


def test_large_groups_stay_accurate() -> None:
    """Digamma differences on groups of millions of rows: the bound equals the direct sum."""
    y = np.r_[np.ones(3_000), np.zeros(2_000_000), np.ones(1_000)].astype(int)
    s = np.r_[np.full(3_000, 0.9), np.full(2_000_000, 0.5), np.full(1_000, 0.5)]
    b = tie_bounds(threshold_counts(y, s))
    i = np.arange(1, 1_001)
    worst = (3_000 + np.sum((3_000 + i) / (2_003_000 + i))) / 4_000
    best = (3_000 + np.sum((3_000 + i) / (3_000 + i))) / 4_000
    assert b.pr_auc[0] == pytest.approx(worst, rel=1e-12)
    assert b.pr_auc[2] == pytest.approx(best, rel=1e-12)


def test_undefined_without_both_classes() -> None:
    b = tie_bounds(threshold_counts(np.array([0, 0]), np.array([0.2, 0.2])))
    assert all(np.isnan(v) for v in (*b.roc_auc, *b.pr_auc))
    only_risky = tie_bounds(threshold_counts(np.array([1, 1]), np.array([0.2, 0.2])))
    assert np.isnan(only_risky.roc_auc[0]) and only_risky.pr_auc == pytest.approx((1.0, 1.0, 1.0))
