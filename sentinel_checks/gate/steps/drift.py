"""Runbook 1, 5, drift: features (whole frames and within segments), labels and scores."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel_checks.errors import SentinelError
from sentinel_checks.gate import policy
from sentinel_checks.gate.session import GateSession, NotConfigured
from sentinel_checks.result import Status

if TYPE_CHECKING:
    from sentinel_checks.result import CheckResult


# --------------------------------------------------------------------------- runbook 1, 5: drift


def _pair(text: str | None, what: str) -> tuple[str, str]:
    if text is None:
        raise NotConfigured(f"no [drift] {what} configured")
    a, b = text.split(":")
    return a, b


def _importance(s: GateSession) -> tuple[dict[str, float] | None, str]:
    """The candidate's importance shares, or None and why (drift is still judged without them)."""
    try:
        measured = s.feature_importance()
    except (NotConfigured, SentinelError) as exc:
        return None, f"not measured: {exc}"
    return (measured.shares or None), measured.source


def _feature_drift(s: GateSession, pair: tuple[str, str], segment: tuple[str, str] | None) -> CheckResult:
    from sentinel_checks.checks.drift import check_feature_drift

    measures = s.feature_drift_measures(pair, segment=segment)
    columns = measures.run.columns if measures.run is not None else []
    drifted = {c.column for c in columns if c.drifted}
    importance, source = _importance(s)
    return check_feature_drift(
        columns,
        pair=pair if segment is None else (f"{pair[0]}[{segment[0]}={segment[1]}]", pair[1]),
        n_reference=measures.rows[0],
        n_current=measures.rows[1],
        required=":".join(pair) in s.config.drift.required_pairs,
        descriptions={c: measures.describe(c) for c in sorted(drifted)},
        notes=measures.inputs.notes,
        importance=importance,
        importance_source=source,
        missing=measures.missing,
        **policy.feature_drift(s.config, segment=segment is not None),
    )


def feature_drift(s: GateSession, pair: str | None) -> CheckResult:
    """``drift.features`` between two frames (``pair``: ``"train:production"``).

    Parameters
    ----------
    s : GateSession
        The run's inputs; frames by name (:meth:`GateSession.frame`).
    pair : str or None
        ``"reference:current"``, each ``train``, ``val``, ``test`` or ``production``;
        one of ``[drift] feature_pairs``, ``None`` when none is configured.

    Returns
    -------
    CheckResult
        Check id ``drift.features``; limits from ``[drift]``
        (:func:`~sentinel_checks.gate.policy.feature_drift`); the candidate's importance
        shares from :meth:`GateSession.feature_importance` (when it cannot be measured,
        the importance rule is not applied and the evidence says why); the missing
        shares counted on every row of both frames.

    Raises
    ------
    NotConfigured
        ``pair`` is ``None``, or it names ``production`` and no sample is configured.
    DataError
        A frame lacks a feature column, or the data cannot be loaded.
    """
    return _feature_drift(s, _pair(pair, "feature_pairs"), None)


def feature_drift_in_segments(s: GateSession, column: str | None, pair: str | None) -> CheckResult:
    """``drift.features`` within each value of a segment column: the worst segment's result.

    Parameters
    ----------
    s : GateSession
        The run's inputs.
    column : str or None
        One of ``[drift] segment_columns``; ``None`` when none is configured.
    pair : str or None
        ``"reference:current"`` (one of ``[drift] feature_pairs``).

    Returns
    -------
    CheckResult
        Check id ``drift.features`` of the worst judged segment; limits from ``[drift]``,
        ``min_segment_rows`` as the minimum rows.

    Raises
    ------
    NotConfigured
        ``column`` or ``pair`` is ``None``, or no segment value reaches
        ``[drift] min_segment_rows``.
    DataError
        As for :func:`feature_drift`.
    """
    if column is None or pair is None:
        raise NotConfigured("no [drift] segment_columns configured")
    frames = _pair(pair, "feature_pairs")
    values = s.drift_segment_values(frames[0], column)
    results = [_feature_drift(s, frames, (column, v)) for v in values]
    judged = [r for r in results if r.status.value != "skip"]
    if not judged:
        raise NotConfigured(f"no {column} segment reaches [drift] min_segment_rows")
    # the worst segment: an error or failure first, then an inconclusive one (so that
    # [gate] block_inconclusive sees it), then a warning, then the most drifted pass
    severity = {Status.ERROR: 0, Status.FAIL: 1, Status.INCONCLUSIVE: 2, Status.WARN: 3, Status.PASS: 4}
    return min(judged, key=lambda r: (severity.get(r.status, 5), -(r.measured or 0)))


def label_drift(s: GateSession, pair: str | None) -> CheckResult:
    """``drift.labels``: prevalence of the risky class in two frames.

    Parameters
    ----------
    s : GateSession
        The run's inputs.
    pair : str or None
        ``"reference:current"`` (one of ``[drift] label_pairs``); ``None`` when none is configured.

    Returns
    -------
    CheckResult
        Check id ``drift.labels``; limits from ``[drift]``
        (:func:`~sentinel_checks.gate.policy.label_drift`).

    Raises
    ------
    NotConfigured
        ``pair`` is ``None``, there is no production sample, or it has no labelled rows yet.
    DataError
        A frame's label is not binary, or the data cannot be loaded.
    """
    from sentinel_checks.checks.drift import check_label_drift

    frames = _pair(pair, "label_pairs")
    counts = []
    for name in frames:
        counts += list(s.label_counts(name))
    return check_label_drift(*counts, pair=frames, **policy.label_drift(s.config))


def score_drift(s: GateSession, pair: str | None) -> CheckResult:
    """``drift.scores``: PSI of the candidate's scores and the flagged fraction.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the candidate's scores.
    pair : str or None
        ``"reference:current"`` of ``val``, ``test`` or ``production`` (one of
        ``[drift] score_pairs``); ``None`` when none is configured.

    Returns
    -------
    CheckResult
        Check id ``drift.scores``; limits from ``[drift]``
        (:func:`~sentinel_checks.gate.policy.score_drift`). PSI and the flagged
        fractions on every row (grouped in the engine when it scored both sides:
        :meth:`GateSession.score_drift_counts`); Evidently's score reported beside them
        on the bounded seeded sample of at most ``[drift] max_rows`` a side.

    Raises
    ------
    NotConfigured
        ``pair`` is ``None``, names a split the candidate is not scored on (``train``),
        or names ``production`` and no sample is configured.
    ConfigError, ModelLoadError, DataError
        As for :func:`~sentinel_checks.gate.steps.quality.threshold`.
    """
    from sentinel_checks.checks.score_drift import judge_score_drift

    frames = _pair(pair, "score_pairs")
    ev = s.evaluation("candidate")
    counts, samples = s.score_drift_counts(frames, ev.threshold)
    return judge_score_drift(
        counts,
        pair=frames,
        evidently_score=s.evidently_score_drift(*samples),
        **policy.score_drift(s.config),
    )


def calibration_drift(s: GateSession) -> CheckResult:
    """``drift.calibration``: the candidate's calibration did not get worse from test to production.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the candidate's evaluation: its test and labelled
        production rows grouped by (score, label) (``SplitScores.cells``, read off the
        threshold counts, grouped in the engine with ``[data] engine = "duckdb"``); no
        per-row score or label is read.

    Returns
    -------
    CheckResult
        Check id ``drift.calibration``; limits from ``[drift]``, bins, confidence and
        resamples from ``[quality]`` (:func:`~sentinel_checks.gate.policy.calibration_drift`).

    Raises
    ------
    NotConfigured
        No labelled production rows (no ``[production]`` sample, or its labels have not arrived).
    ConfigError, ModelLoadError, DataError
        No candidate is configured, it cannot score, or the data cannot be loaded.
    """
    from sentinel_checks.checks.calibration_change import check_calibration_change_cells

    ev = s.evaluation("candidate")
    prod = ev.scored("production")
    if prod is None:
        raise NotConfigured("no labelled production rows: calibration on production cannot be compared")
    test = ev.splits["test"]
    return check_calibration_change_cells(
        test.cells,
        prod.cells,
        pair=("test", "production"),
        grids=(test.counts.grid, prod.counts.grid),
        **policy.calibration_drift(s.config),
    )
