"""Runbook phases 2–4: judge the candidate where the incident hurt — missed risky requests.

Checks: quality.threshold, quality.recall (and FNR), quality.precision, quality.auc,
quality.too_good, quality.val_test_gap, quality.calibration, quality.segments, quality.baselines.
The candidate is scored once per split (the session's evaluation); every
threshold metric comes from one sort of its scores. Each test runs one step of
:mod:`sentinel_checks.gate.steps`.
"""

import pytest

from sentinel_checks.gate import steps

JUDGED_SPLITS = list(steps.JUDGED_SPLITS)


def test_threshold_is_chosen_for_the_target_recall(gate):
    gate.run(steps.threshold)


@pytest.mark.parametrize("split", JUDGED_SPLITS)
def test_recall_of_the_risky_class_meets_its_floor(gate, split):
    gate.run(steps.recall, split=split)


@pytest.mark.parametrize("split", JUDGED_SPLITS)
def test_precision_meets_its_floor(gate, split):
    gate.run(steps.precision, split=split)


@pytest.mark.parametrize("split", JUDGED_SPLITS)
def test_ranking_quality_meets_its_floor(gate, split):
    gate.run(steps.ranking, split=split)


def test_test_scores_are_not_too_good_to_be_true(gate):
    gate.run(steps.too_good)


def test_test_is_not_much_worse_than_validation(gate):
    gate.run(steps.val_test_gap)


@pytest.mark.parametrize("split", JUDGED_SPLITS)
def test_scores_are_calibrated(gate, split):
    gate.run(steps.calibration, split=split)


@pytest.mark.parametrize("split", JUDGED_SPLITS)
def test_recall_holds_in_every_segment(gate, sentinel_segment_column, split):
    gate.run(steps.segments, column=sentinel_segment_column, split=split)


def test_candidate_is_not_worse_than_simple_baselines(gate):
    gate.run(steps.baselines)
