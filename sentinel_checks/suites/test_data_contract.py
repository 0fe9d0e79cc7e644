"""Runbook phase 1, step 1: the data is what the config says, and each split can be judged.

Checks: contract.schema (pandera), contract.labels (prevalence; enough of each class).
Each test runs one step of :mod:`sentinel_checks.gate.steps`.
"""

import pytest

from sentinel_checks.data.splits import SPLIT_NAMES
from sentinel_checks.gate import steps


def test_dataset_matches_contract(gate):
    gate.run(steps.dataset_contract)


def test_production_matches_contract(gate):
    gate.run(steps.production_contract)


@pytest.mark.parametrize("split", SPLIT_NAMES)
def test_split_has_both_classes(gate, split):
    gate.run(steps.split_labels, split=split)
