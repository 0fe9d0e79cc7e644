"""Runbook phase 1, step 2: splits are time-ordered and do not leak.

Checks: splits.time_order, splits.entity_overlap, splits.row_overlap, splits.target_leakage.
Every check reads every row of the splits: leakage is never judged on a sample.
"""

import pytest

from sentinel_checks.checks import (
    check_entity_overlap,
    check_row_overlap,
    check_target_leakage,
    check_time_order,
)
from sentinel_checks.splits import SPLIT_PAIRS

PAIR_IDS = [f"{a}-{b}" for a, b in SPLIT_PAIRS]


@pytest.mark.parametrize("pair", SPLIT_PAIRS, ids=PAIR_IDS)
def test_splits_are_time_ordered(gate, sentinel_config, sentinel_splits, pair):
    ts = sentinel_config.columns.timestamp
    if ts is None:
        pytest.skip("no [columns] timestamp configured: time order cannot be checked")
    earlier, later = (sentinel_splits[name][ts] for name in pair)
    gate.check(check_time_order(earlier, later, pair=pair, embargo=sentinel_config.splits.embargo))


@pytest.mark.parametrize("pair", SPLIT_PAIRS, ids=PAIR_IDS)
def test_no_entity_on_two_sides(gate, sentinel_config, sentinel_splits, sentinel_entity_column, pair):
    if sentinel_entity_column is None:
        pytest.skip("no [columns] entities configured: entity leakage cannot be checked")
    earlier, later = (sentinel_splits[name][sentinel_entity_column] for name in pair)
    gate.check(
        check_entity_overlap(
            earlier,
            later,
            column=sentinel_entity_column,
            pair=pair,
            max_share=sentinel_config.leakage.max_entity_overlap_share,
        )
    )


@pytest.mark.parametrize("pair", SPLIT_PAIRS, ids=PAIR_IDS)
def test_no_identical_rows_across_splits(gate, sentinel_config, sentinel_splits, sentinel_features, pair):
    gate.check(
        check_row_overlap(
            sentinel_splits[pair[0]],
            sentinel_splits[pair[1]],
            columns=sentinel_features,
            pair=pair,
            max_share=sentinel_config.leakage.max_row_overlap_share,
        )
    )


def test_no_feature_predicts_the_label_alone(
    gate, sentinel_config, sentinel_splits, sentinel_split_labels, sentinel_features
):
    gate.check(
        check_target_leakage(
            sentinel_splits.train,
            sentinel_split_labels["train"],
            features=sentinel_features,
            max_auc=sentinel_config.leakage.max_univariate_auc,
            flag_constant_per_class=sentinel_config.leakage.flag_constant_per_class,
            seed=sentinel_config.gate.seed,
        )
    )
