"""Operating thresholds for the risky class."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_curve


def select_threshold_for_recall(y: np.ndarray, scores: np.ndarray, *, target_recall: float) -> float:
    """The highest threshold whose recall of the risky class reaches ``target_recall``.

    A request is flagged when ``score >= threshold``. The highest such threshold
    flags the fewest requests (best precision) among those meeting the target.

    >>> y = np.array([0, 0, 1, 1, 0, 1])
    >>> s = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.9])
    >>> select_threshold_for_recall(y, s, target_recall=2 / 3)
    0.8
    >>> select_threshold_for_recall(y, s, target_recall=1.0)
    0.35
    """
    y = np.asarray(y, dtype=bool)
    if not 0.0 < target_recall <= 1.0:
        raise ValueError(f"target_recall must be in (0, 1], got {target_recall}")
    if y.sum() == 0 or y.all():
        raise ValueError("both classes are needed to choose a threshold")
    _, recall, thresholds = precision_recall_curve(y, scores)
    # recall[i] is the recall at thresholds[i]; recall is non-increasing in i.
    meeting = np.flatnonzero(recall[:-1] >= target_recall)
    return float(thresholds[meeting.max()])


def recall_at(y: np.ndarray, scores: np.ndarray, threshold: float) -> float:
    """Recall of the risky class when flagging ``score >= threshold``; NaN without positives."""
    y = np.asarray(y, dtype=bool)
    positives = int(y.sum())
    if positives == 0:
        return float("nan")
    return float(np.count_nonzero(np.asarray(scores)[y] >= threshold) / positives)
