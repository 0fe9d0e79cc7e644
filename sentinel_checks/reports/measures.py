"""What each check's measured number is (its kind), for every text report.

A bare ``measured 0.4444`` says nothing; ``share of features drifted: measured 44.44%
· limit ≤ 50%`` does. The kind comes from the check id; the unit and the digits from
:func:`sentinel_checks.reports.html_values.measured_vs_limit`, so the terminal, gate.md
and gate.html show a number the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from sentinel_checks.reports.html_values import measured_vs_limit
from sentinel_checks.result import CheckResult

#: The quantity in a check's ``measured`` (and ``limit``), by check id.
MEASURED_KIND: Mapping[str, str] = {
    "contract.schema": "rows breaking the contract",
    "contract.labels": "risky rows in the split",
    "splits.time_order": "rows out of time order",
    "splits.entity_overlap": "share of ids also in the earlier split",
    "splits.row_overlap": "share of repeated rows",
    "splits.target_leakage": "strongest single-feature score",
    "splits.purge": "largest share of a split purged",
    "training.curves": "training-curve problems",
    "model.scores": "invalid scores",
    "quality.threshold": "validation recall at the threshold",
    "quality.recall": "recall",
    "quality.precision": "precision",
    "quality.auc": "ROC AUC",
    "quality.too_good": "ROC AUC",
    "quality.segments": "worst segment recall",
    "quality.val_test_gap": "val/test gap of the deciding metric",
    "quality.calibration": "ECE",
    "quality.baselines": "lead over the best baseline (interval's lower end)",
    "drift.features": "share of features drifted",
    "drift.labels": "prevalence odds ratio",
    "drift.scores": "score PSI",
    "drift.calibration": "ECE change",
    "promotion.vs_champion": "FNR change vs the champion (interval's upper end)",
}


def measured_as(result: CheckResult) -> str:
    """The measured value and limit with the kind of number they are.

    Parameters
    ----------
    result : CheckResult
        A check's result.

    Returns
    -------
    str
        ``"<kind>: measured <value> · limit <op> <value>"``; a check id with no known
        kind, or a result naming the criterion that decided (``parameters["criterion"]``,
        shown after "measured"), gets ``"measured …"`` alone; ``"not measured"`` when
        there is no number.

    Examples
    --------
    >>> from sentinel_checks.result import Direction, Status
    >>> measured_as(CheckResult("quality.auc", Status.PASS, "m", measured=0.91, limit=0.75,
    ...                         direction=Direction.AT_LEAST))
    'ROC AUC: measured 0.91 · limit ≥ 0.75'
    """
    if result.measured is None and result.limit is None:
        return "not measured"
    shown = measured_vs_limit(result)
    if result.parameters.get("criterion"):
        return shown  # the criterion that decided names the number; the check's usual kind may not fit
    kind = MEASURED_KIND.get(result.id)
    return f"{kind}: {shown}" if kind else shown
