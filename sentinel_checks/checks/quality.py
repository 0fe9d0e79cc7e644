"""``quality.*``: the candidate judged where the incident hurt — missed risky requests.

Every check takes counts or arrays already computed (scores once per split, one
sort per split) and keyword-only limits. Floors are judged on the Wilson lower
bound of a proportion by default (``bound="point"`` judges the point estimate), and
an undefined metric (no positives, nothing flagged, one class) never passes.

This module is the public path of the model-quality checks; each lives in a module
named after what it judges, and is re-exported here:

* :mod:`sentinel_checks.checks.threshold` — ``quality.threshold``
* :mod:`sentinel_checks.checks.floors` — ``quality.recall``, ``quality.precision``,
  ``quality.auc``
* :mod:`sentinel_checks.checks.gap` — ``quality.val_test_gap``
* :mod:`sentinel_checks.checks.calibration` — ``quality.calibration``
* :mod:`sentinel_checks.checks.segments` — ``quality.segments``
* :mod:`sentinel_checks.checks.baselines` — ``quality.baselines``
"""

from __future__ import annotations

from sentinel_checks.checks.baselines import BASELINES_ID, check_baselines
from sentinel_checks.checks.calibration import CALIBRATION_ID, check_calibration
from sentinel_checks.checks.floors import (
    AUC_ID,
    PRECISION_ID,
    RECALL_HINT,
    RECALL_ID,
    check_auc,
    check_precision,
    check_recall,
)
from sentinel_checks.checks.gap import GAP_ID, check_val_test_gap
from sentinel_checks.checks.segments import SEGMENTS_ID, check_segments
from sentinel_checks.checks.threshold import THRESHOLD_ID, check_threshold
from sentinel_checks.models.thresholds import ThresholdChoice
from sentinel_checks.stats.calibration import CalibrationBins
from sentinel_checks.stats.confusion import Confusion

__all__ = [
    "AUC_ID",
    "BASELINES_ID",
    "CALIBRATION_ID",
    "GAP_ID",
    "PRECISION_ID",
    "RECALL_HINT",
    "RECALL_ID",
    "SEGMENTS_ID",
    "THRESHOLD_ID",
    "CalibrationBins",
    "Confusion",
    "ThresholdChoice",
    "check_auc",
    "check_baselines",
    "check_calibration",
    "check_precision",
    "check_recall",
    "check_segments",
    "check_threshold",
    "check_val_test_gap",
]
