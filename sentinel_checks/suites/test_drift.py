"""Runbook phase 1 step 3 and phase 5: offline data still looks like production.

Checks: drift.features (Evidently, per pair and optionally per segment),
drift.labels (prevalence: odds ratio and difference with their intervals),
drift.scores (PSI, flagged fraction at the operating threshold), drift.calibration
(ECE increase from test to labelled production, bootstrap interval). Evidently's HTML report for each pair is
written to reports/drift/. Each test runs one step of :mod:`sentinel_checks.gate.steps`.
"""

from sentinel_checks.gate import steps


def test_features_have_not_drifted(gate, sentinel_feature_pair):
    gate.run(steps.feature_drift, pair=sentinel_feature_pair)


def test_features_have_not_drifted_within_segments(
    gate, sentinel_drift_segment_column, sentinel_feature_pair
):
    gate.run(
        steps.feature_drift_in_segments, column=sentinel_drift_segment_column, pair=sentinel_feature_pair
    )


def test_prevalence_has_not_shifted(gate, sentinel_label_pair):
    gate.run(steps.label_drift, pair=sentinel_label_pair)


def test_scores_have_not_shifted(gate, sentinel_score_pair):
    gate.run(steps.score_drift, pair=sentinel_score_pair)


def test_calibration_has_not_drifted(gate):
    gate.run(steps.calibration_drift)
