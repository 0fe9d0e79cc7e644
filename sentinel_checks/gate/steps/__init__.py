"""The gate's steps: loaded inputs and policy in, one :class:`CheckResult` out, no pytest.

One function per gate test. Each takes the :class:`GateSession` (inputs loaded
once) and the test's parameters, maps the config to the check's limits through
:mod:`sentinel_checks.gate.policy`, and returns the check's result. A step whose
input or policy is absent raises :class:`NotConfigured` with the reason; a bad
input raises its :class:`~sentinel_checks.errors.SentinelError`.

The shipped pytest suites are one call of a step per test; ``sentinel gate``'s
in-process runner (:mod:`sentinel_checks.gate.runner`), the self-test and the
library's tests call the same functions.

One module per runbook phase: :mod:`.data` (contract, labels), :mod:`.splits`
(time order, overlap, leakage), :mod:`.quality` (model scores, threshold, recall,
precision, ranking, gap, calibration, segments, baselines), :mod:`.drift`,
:mod:`.training` and :mod:`.promotion`; every step is importable from here.
"""

from sentinel_checks.gate.steps.data import dataset_contract, production_contract, split_labels
from sentinel_checks.gate.steps.drift import (
    calibration_drift,
    feature_drift,
    feature_drift_in_segments,
    label_drift,
    score_drift,
)
from sentinel_checks.gate.steps.promotion import compare_with_champion, promotion_verdict, vs_champion
from sentinel_checks.gate.steps.quality import (
    JUDGED_SPLITS,
    baselines,
    calibration,
    model_scores,
    precision,
    ranking,
    recall,
    segments,
    threshold,
    too_good,
    val_test_gap,
)
from sentinel_checks.gate.steps.splits import entity_overlap, purge, row_overlap, target_leakage, time_order
from sentinel_checks.gate.steps.training import training_curves

__all__ = [
    "JUDGED_SPLITS",
    "baselines",
    "calibration",
    "calibration_drift",
    "compare_with_champion",
    "dataset_contract",
    "entity_overlap",
    "feature_drift",
    "feature_drift_in_segments",
    "label_drift",
    "model_scores",
    "precision",
    "production_contract",
    "promotion_verdict",
    "purge",
    "ranking",
    "recall",
    "row_overlap",
    "score_drift",
    "segments",
    "split_labels",
    "target_leakage",
    "threshold",
    "time_order",
    "too_good",
    "training_curves",
    "val_test_gap",
    "vs_champion",
]
