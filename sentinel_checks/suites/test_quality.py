"""Runbook phases 2–4: judge the candidate where the incident hurt — missed risky requests.

Checks: quality.threshold, quality.recall (and FNR), quality.precision, quality.auc,
quality.val_test_gap, quality.calibration, quality.segments, quality.baselines.
Scores are computed once per split (fixture ``sentinel_candidate_eval``); every
threshold metric comes from one sort of them.
"""

import pytest

from sentinel_checks.checks.quality import (
    check_auc,
    check_baselines,
    check_calibration,
    check_precision,
    check_recall_policy,
    check_segments_policy,
    check_threshold,
    check_val_test_gap,
)
from sentinel_checks.metrics import brier, pr_auc, roc_auc

JUDGED_SPLITS = ["test", "production"]


def split_or_skip(evaluation, split):
    if split not in evaluation.splits:
        pytest.skip(f"no labelled {split} rows: configure [production] with labels to judge it")
    return evaluation.splits[split]


def test_threshold_is_chosen_for_the_target_recall(gate, sentinel_candidate_eval):
    ev = sentinel_candidate_eval
    gate.check(check_threshold(ev.choice, test=ev.confusion("test"), at_default=ev.confusion("val", 0.5)))


@pytest.mark.parametrize("split", JUDGED_SPLITS)
def test_recall_of_the_risky_class_meets_its_floor(gate, sentinel_config, sentinel_candidate_eval, split):
    split_or_skip(sentinel_candidate_eval, split)
    gate.check(check_recall_policy(sentinel_candidate_eval, split, sentinel_config.quality))


@pytest.mark.parametrize("split", JUDGED_SPLITS)
def test_precision_meets_its_floor(gate, sentinel_config, sentinel_candidate_eval, split):
    ev, q = sentinel_candidate_eval, sentinel_config.quality
    split_or_skip(ev, split)
    gate.check(
        check_precision(
            ev.confusion(split),
            split=split,
            threshold=ev.threshold,
            min_precision=q.min_precision,
            bound=q.bound,
            confidence=q.confidence,
        )
    )


@pytest.mark.parametrize("split", JUDGED_SPLITS)
def test_ranking_quality_meets_its_floor(gate, sentinel_config, sentinel_candidate_eval, split):
    s, q = split_or_skip(sentinel_candidate_eval, split), sentinel_config.quality
    gate.check(
        check_auc(
            roc_auc(s.y, s.scores),
            pr_auc(s.y, s.scores),
            prevalence=s.prevalence,
            split=split,
            min_roc_auc=q.min_roc_auc,
            min_pr_auc_lift=q.min_pr_auc_lift,
            n=s.counts.n,
            n_positive=s.counts.positives,
        )
    )


def test_test_is_not_much_worse_than_validation(gate, sentinel_config, sentinel_candidate_eval):
    ev, q = sentinel_candidate_eval, sentinel_config.quality
    gate.check(
        check_val_test_gap(
            ev.summary("val"),
            ev.summary("test"),
            max_gap=q.max_val_test_gap,
            max_auc_gap=q.max_val_test_auc_gap,
        )
    )


@pytest.mark.parametrize("split", JUDGED_SPLITS)
def test_scores_are_calibrated(gate, sentinel_config, sentinel_candidate_eval, split):
    s, q = split_or_skip(sentinel_candidate_eval, split), sentinel_config.quality
    gate.check(
        check_calibration(
            s.calibration(q.calibration_bins),
            brier(s.y, s.scores),
            split=split,
            max_ece=q.max_ece,
            max_brier=q.max_brier,
        )
    )


@pytest.mark.parametrize("split", JUDGED_SPLITS)
def test_recall_holds_in_every_segment(
    gate, sentinel_config, sentinel_candidate_eval, sentinel_segment_column, split
):
    if sentinel_segment_column is None:
        pytest.skip("no [columns] segments configured")
    split_or_skip(sentinel_candidate_eval, split)
    gate.check(
        check_segments_policy(
            sentinel_candidate_eval, split, sentinel_segment_column, sentinel_config.quality
        )
    )


def test_candidate_is_not_worse_than_simple_baselines(
    gate, sentinel_config, sentinel_candidate_eval, sentinel_baseline_evals
):
    q = sentinel_config.quality
    test = sentinel_candidate_eval.splits["test"]
    gate.check(
        check_baselines(
            test.y,
            test.scores,
            {name: ev.splits["test"].scores for name, ev in sentinel_baseline_evals.items()},
            metric=q.baseline_metric,
            split="test",
            margin=q.baseline_margin,
            bound=q.baseline_bound,
            confidence=q.confidence,
            resamples=q.bootstrap_resamples,
            seed=sentinel_config.gate.seed,
        )
    )
