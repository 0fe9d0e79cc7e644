"""Operating thresholds for the risky class: chosen on validation for a target recall."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sentinel_checks.stats.ranking import Confusion, ThresholdCounts, threshold_counts, wilson_interval

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig


@dataclass(frozen=True)
class ThresholdChoice:
    """The operating threshold and why: a request is flagged when ``score >= threshold``."""

    threshold: float
    rule: str  # "target_recall", "target_recall_lower_bound" or "fixed"
    target_recall: float
    reached: bool  # whether the rule's target is met on validation
    validation: Confusion
    suggested: float | None = None  # for a fixed threshold: the one the target would choose

    def rationale(self) -> str:
        v = self.validation
        if self.rule == "fixed":
            head = f"threshold {self.threshold:.4g} fixed in config"
        elif self.rule == "target_recall_lower_bound":
            head = f"highest threshold whose validation recall lower bound reaches {self.target_recall:.2f}"
        else:
            head = f"highest threshold whose validation recall reaches {self.target_recall:.2f}"
        return (
            f"{head}: validation recall {v.recall:.3f}, precision {v.precision:.3f}, "
            f"flags {v.flagged_fraction:.2%} of requests"
        )


def choose_threshold(
    y: np.ndarray,
    scores: np.ndarray,
    *,
    target_recall: float,
    fixed: float | None = None,
    use_lower_bound: bool = False,
    confidence: float = 0.95,
) -> ThresholdChoice:
    """The highest threshold whose validation recall (or its Wilson lower bound) reaches
    ``target_recall``; or the ``fixed`` threshold, checked against the same target.

    When no threshold reaches the target, the lowest score is returned (flag
    everything that can be flagged) with ``reached=False``.

    Parameters
    ----------
    y : ndarray of bool, shape (n,)
        Validation labels (True = risky).
    scores : ndarray of float, shape (n,)
        Risk scores in [0, 1].
    target_recall : float
        In (0, 1].
    fixed : float, optional
        A threshold fixed in the config; the choice then records the one the target suggests.
    use_lower_bound : bool, optional
        Judge the Wilson lower bound of recall instead of recall itself.
    confidence : float, optional
        Confidence of the Wilson interval.

    Returns
    -------
    ThresholdChoice
        The threshold (flag when ``score >= threshold``), its rule and validation counts.

    Raises
    ------
    ValueError
        ``target_recall`` is outside (0, 1], or ``y`` has no risky row.
    """
    return choose_threshold_on_counts(
        threshold_counts(y, scores),
        target_recall=target_recall,
        fixed=fixed,
        use_lower_bound=use_lower_bound,
        confidence=confidence,
    )


def choose_threshold_on_counts(
    counts: ThresholdCounts,
    *,
    target_recall: float,
    fixed: float | None = None,
    use_lower_bound: bool = False,
    confidence: float = 0.95,
) -> ThresholdChoice:
    """:func:`choose_threshold` on the validation counts at every distinct score.

    The engine returns only these counts (one row per distinct score); the choice
    made on them equals the one made on the rows they count.

    Parameters
    ----------
    counts : ThresholdCounts
        Cumulative TP and FP (rows) at each distinct validation score, descending.
    target_recall, fixed, use_lower_bound, confidence
        As for :func:`choose_threshold`.

    Returns
    -------
    ThresholdChoice

    Raises
    ------
    ValueError
        ``target_recall`` is outside (0, 1], or the counts hold no risky row.
    """
    if not 0.0 < target_recall <= 1.0:
        raise ValueError(f"target_recall must be in (0, 1], got {target_recall}")
    if counts.positives == 0:
        raise ValueError("validation has no risky rows: no threshold can be chosen for recall")

    def meets(tp: np.ndarray) -> np.ndarray:
        return recall_rule_met(tp, counts.positives, target_recall, use_lower_bound, confidence)

    rule = "target_recall_lower_bound" if use_lower_bound else "target_recall"
    ok = meets(counts.tp)  # tp is non-decreasing as the threshold falls
    if fixed is not None:
        conf = counts.at(fixed)
        suggested = float(counts.thresholds[int(np.argmax(ok))]) if ok.any() else None
        return ThresholdChoice(
            float(fixed), "fixed", target_recall, bool(meets(np.array([conf.tp]))[0]), conf, suggested
        )
    if ok.any():
        i = int(np.argmax(ok))  # the first (highest) threshold meeting the target
        threshold = float(counts.thresholds[i])
        return ThresholdChoice(threshold, rule, target_recall, True, counts.at(threshold))
    lowest = float(counts.thresholds[-1])
    return ThresholdChoice(lowest, rule, target_recall, False, counts.at(lowest))


def recall_rule_met(
    tp: np.ndarray, positives: int, target_recall: float, use_lower_bound: bool, confidence: float
) -> np.ndarray:
    """Whether ``tp`` caught risky rows of ``positives`` meet the target: recall itself, or its
    Wilson lower bound at ``confidence`` (bool, the shape of ``tp``; non-decreasing in ``tp``)."""
    if not use_lower_bound:
        return tp / positives >= target_recall
    return wilson_interval(tp, positives, confidence=confidence)[0] >= target_recall


def caught_needed(
    positives: int, *, target_recall: float, use_lower_bound: bool = False, confidence: float = 0.95
) -> int | None:
    """The fewest caught risky rows (TP) meeting the recall rule of :func:`choose_threshold_on_counts`;
    None when even all ``positives`` do not. Found by bisection (the rule is monotone in
    TP): O(log positives) evaluations, no array of every TP value.

    The threshold that rule chooses is then the ``k``-th largest risky score (``k`` this
    number): every higher score catches fewer than ``k``. An engine finds it with one
    ordered query (:func:`~sentinel_checks.engine.threshold_grid.risky_score_at_rank`).

    >>> caught_needed(10, target_recall=0.8), caught_needed(10, target_recall=0.8, use_lower_bound=True)
    (8, None)
    """
    if positives <= 0:
        return None

    def met(tp: int) -> bool:
        return bool(recall_rule_met(np.array([tp]), positives, target_recall, use_lower_bound, confidence)[0])

    if not met(positives):
        return None
    low, high = 0, positives  # not met(low) (target > 0), met(high); the rule only turns true: bisect
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if met(mid) else (mid, high)
    return high


def select_threshold_for_recall(y: np.ndarray, scores: np.ndarray, *, target_recall: float) -> float:
    """The highest threshold whose recall of the risky class reaches ``target_recall``.

    Parameters
    ----------
    y : ndarray of bool or int, shape (n,)
        Labels (True or 1 = risky).
    scores : ndarray of float, shape (n,)
        Risk scores.
    target_recall : float
        In (0, 1].

    Returns
    -------
    float
        The threshold; the lowest score when none reaches the target.

    Raises
    ------
    ValueError
        As for :func:`choose_threshold`.

    Examples
    --------
    >>> y = np.array([0, 0, 1, 1, 0, 1])
    >>> s = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.9])
    >>> select_threshold_for_recall(y, s, target_recall=2 / 3)
    0.8
    >>> select_threshold_for_recall(y, s, target_recall=1.0)
    0.35
    """
    return choose_threshold(y, scores, target_recall=target_recall).threshold


def recall_at(y: np.ndarray, scores: np.ndarray, threshold: float) -> float:
    """Recall of the risky class when flagging ``score >= threshold``; NaN without positives.

    Parameters
    ----------
    y : ndarray of bool or int, shape (n,)
        Labels (True or 1 = risky).
    scores : ndarray of float, shape (n,)
        Risk scores.
    threshold : float
        Flag rows with ``score >= threshold``.

    Returns
    -------
    float
        In [0, 1], or NaN when ``y`` has no risky row.
    """
    return threshold_counts(y, scores).at(threshold).recall


def fixed_threshold(role: str, config: SentinelConfig) -> float | None:
    """The operating threshold the config fixes for a model, if any: the champion's
    ``[promotion] champion_threshold``, every other model's ``[quality] threshold``."""
    return config.promotion.champion_threshold if role == "champion" else config.quality.threshold


def operating_choice(role: str, config: SentinelConfig, val: ThresholdCounts) -> ThresholdChoice:
    """The model's operating threshold, chosen on its validation counts by ``[quality]``'s rule
    (or fixed: :func:`fixed_threshold`).

    Raises
    ------
    DataError
        Validation lacks a risky or a safe row.
    """
    from sentinel_checks.errors import DataError

    q = config.quality
    if val.positives == 0 or val.negatives == 0:
        raise DataError(
            f"{role}: the validation split has {val.positives} risky and "
            f"{val.negatives} safe row(s): no threshold can be chosen (see contract.labels)"
        )
    return choose_threshold_on_counts(
        val,
        target_recall=q.target_recall,
        # each model at its own operating threshold: [quality] threshold is the candidate's
        fixed=fixed_threshold(role, config),
        use_lower_bound=q.threshold_uses_lower_bound,
        confidence=q.confidence,
    )
