"""Runbook phase 1, step 2: splits are time-ordered and do not leak.

Checks: splits.time_order, splits.entity_overlap, splits.purge, splits.row_overlap,
splits.target_leakage.
Every check reads every row of the splits: leakage is never judged on a sample.
Each test runs one step of :mod:`sentinel_checks.gate.steps`.
"""

import pytest

from sentinel_checks.data.splits import SPLIT_PAIRS
from sentinel_checks.gate import steps

PAIR_IDS = [f"{a}-{b}" for a, b in SPLIT_PAIRS]


@pytest.mark.parametrize("pair", SPLIT_PAIRS, ids=PAIR_IDS)
def test_splits_are_time_ordered(gate, pair):
    gate.run(steps.time_order, pair=pair)


@pytest.mark.parametrize("pair", SPLIT_PAIRS, ids=PAIR_IDS)
def test_no_entity_on_two_sides(gate, sentinel_entity_column, pair):
    gate.run(steps.entity_overlap, column=sentinel_entity_column, pair=pair)


def test_purge_keeps_the_splits(gate):
    gate.run(steps.purge)


@pytest.mark.parametrize("pair", SPLIT_PAIRS, ids=PAIR_IDS)
def test_no_identical_rows_across_splits(gate, pair):
    gate.run(steps.row_overlap, pair=pair)


def test_no_feature_predicts_the_label_alone(gate):
    gate.run(steps.target_leakage)
