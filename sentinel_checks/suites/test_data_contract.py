"""Runbook phase 1, step 1: the data is what the config says, and each split can be judged.

Checks: contract.schema (pandera), contract.labels (prevalence; enough of each class).
"""

import pytest

from sentinel_checks.checks import check_labels, check_schema
from sentinel_checks.loaders import feature_columns
from sentinel_checks.splits import SPLIT_NAMES


def test_dataset_matches_contract(gate, sentinel_config, sentinel_dataset):
    # Features as configured, present or not: a missing one is a contract failure here.
    gate.check(
        check_schema(
            sentinel_dataset,
            columns=sentinel_config.columns,
            features=feature_columns(sentinel_dataset, sentinel_config),
            rules=sentinel_config.contract.features,
            dataset="dataset",
            extra_required=sentinel_config.required_columns(),
        )
    )


def test_production_matches_contract(gate, sentinel_config, sentinel_production, sentinel_dataset):
    gate.check(
        check_schema(
            sentinel_production,
            columns=sentinel_config.columns,
            features=feature_columns(sentinel_dataset, sentinel_config),
            rules=sentinel_config.contract.features,
            dataset="production",
            label_required=False,
            extra_required=sentinel_config.required_columns(production=True),
            reference=sentinel_dataset,
        )
    )


@pytest.mark.parametrize("split", SPLIT_NAMES)
def test_split_has_both_classes(gate, sentinel_config, sentinel_split_labels, split):
    gate.check(
        check_labels(
            sentinel_split_labels[split],
            split=split,
            min_positives=sentinel_config.contract.min_positives_per_split,
            min_negatives=sentinel_config.contract.min_negatives_per_split,
        )
    )
