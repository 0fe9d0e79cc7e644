"""Runbook 2-4, quality: the models' scores, the operating threshold, recall, precision,
ranking, the val-test gap, calibration, segments and the baselines."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from sentinel_checks.gate import policy
from sentinel_checks.gate.session import GateSession, NotConfigured

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.models.evaluation import SplitScores
    from sentinel_checks.result import CheckResult

#: Splits the candidate's quality is judged on (production: its labelled rows).
JUDGED_SPLITS = ("test", "production")


# --------------------------------------------------------------------------- models


def model_scores(s: GateSession, role: str, split: str) -> CheckResult:
    """``model.scores``: the model loads and gives valid probabilities on ``split``.

    The evaluation's scores are reused where the model was already evaluated (the
    candidate, the champion), so each model scores each split once per session.

    Parameters
    ----------
    s : GateSession
        The run's inputs.
    role : str
        ``"candidate"`` or ``"champion"`` (``[models.<role>]``).
    split : str
        ``"val"``, ``"test"`` or ``"production"`` (every production row).

    Returns
    -------
    CheckResult
        Check id ``model.scores`` (no configured limits: scores must be finite and in [0, 1]).

    Raises
    ------
    NotConfigured
        ``role`` is ``"champion"`` and no champion is configured, or ``split`` is
        ``"production"`` and no ``[production]`` sample is.
    ConfigError
        No ``[models.candidate]`` is configured.
    ModelLoadError
        The model cannot be loaded, is untrusted, or cannot score the frame.
    DataError
        The data cannot be loaded or split.
    """
    from sentinel_checks.checks.scores import check_score_summary

    return check_score_summary(s.score_summary(role, split), model=role, split=split)


# --------------------------------------------------------------------------- runbook 2-4: quality


def _judged(s: GateSession, split: str) -> SplitScores:
    scored = s.evaluation("candidate").scored(split)
    if scored is None:
        raise NotConfigured(unlabelled(s.config, split, "judge it"))
    return scored


def unlabelled(config: SentinelConfig, split: str, to: str) -> str:
    """Why ``split`` has no labelled rows to ``to`` ("judge it"): no ``[production]``
    configured, or a sample whose label is missing in every row (trial: "configure
    [production] with labels" read wrong beside a configured sample)."""
    if split == "production" and config.production is not None:
        return f"no labelled production rows: the sample's {config.columns.label!r} is missing in every row"
    return f"no labelled {split} rows: configure [production] with labels to {to}"


def threshold(s: GateSession) -> CheckResult:
    """``quality.threshold``: the operating threshold and why it was chosen.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the candidate's evaluation.

    Returns
    -------
    CheckResult
        Check id ``quality.threshold``: the choice made on validation by the
        ``[threshold]`` section, with test and default-0.5 confusion counts.

    Raises
    ------
    ConfigError
        No ``[models.candidate]`` is configured.
    ModelLoadError
        The candidate cannot be loaded or cannot score.
    DataError
        The data cannot be loaded or split.
    """
    from sentinel_checks.checks.quality import check_threshold

    ev = s.evaluation("candidate")
    return check_threshold(ev.choice, test=ev.confusion("test"), at_default=ev.confusion("val", 0.5))


def recall(s: GateSession, split: str) -> CheckResult:
    """``quality.recall`` (and FNR) of the risky class at the operating threshold.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the candidate's evaluation.
    split : str
        ``"test"`` or ``"production"`` (its labelled rows).

    Returns
    -------
    CheckResult
        Check id ``quality.recall``; limits from ``[quality]``
        (:func:`~sentinel_checks.gate.policy.recall`).

    Raises
    ------
    NotConfigured
        ``split`` has no labelled rows (e.g. no labelled ``[production]`` sample).
    ConfigError, ModelLoadError, DataError
        As for :func:`threshold`.
    """
    from sentinel_checks.checks.quality import check_recall

    _judged(s, split)
    ev = s.evaluation("candidate")
    return check_recall(ev.confusion(split), split=split, threshold=ev.threshold, **policy.recall(s.config))


def precision(s: GateSession, split: str) -> CheckResult:
    """``quality.precision`` at the operating threshold.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the candidate's evaluation.
    split : str
        ``"test"`` or ``"production"`` (its labelled rows).

    Returns
    -------
    CheckResult
        Check id ``quality.precision``; limits from ``[quality]``
        (:func:`~sentinel_checks.gate.policy.precision`).

    Raises
    ------
    NotConfigured
        ``split`` has no labelled rows.
    ConfigError, ModelLoadError, DataError
        As for :func:`threshold`.
    """
    from sentinel_checks.checks.quality import check_precision

    _judged(s, split)
    ev = s.evaluation("candidate")
    return check_precision(
        ev.confusion(split), split=split, threshold=ev.threshold, **policy.precision(s.config)
    )


def ranking(s: GateSession, split: str) -> CheckResult:
    """``quality.auc``: ROC AUC (on its interval) and PR AUC (skill over a random ranking).

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the candidate's evaluation.
    split : str
        ``"test"`` or ``"production"`` (its labelled rows).

    Returns
    -------
    CheckResult
        Check id ``quality.auc``; limits from ``[quality]``
        (:func:`~sentinel_checks.gate.policy.auc`).

    Raises
    ------
    NotConfigured
        ``split`` has no labelled rows.
    ConfigError, ModelLoadError, DataError
        As for :func:`threshold`.
    """
    from sentinel_checks.checks.quality import check_auc

    sc = _judged(s, split)
    return check_auc(
        sc.roc_auc,
        sc.pr_auc,
        prevalence=sc.prevalence,
        split=split,
        n=sc.counts.n,
        n_positive=sc.counts.positives,
        ties=sc.tie_bounds,
        grid=sc.counts.grid,
        **policy.auc(s.config),
    )


def too_good(s: GateSession) -> CheckResult:
    """``quality.too_good``: test scores too good to be true (a hint to look for leakage).

    Only when the scores are too good does it read ``splits.target_leakage`` (judged
    once per session) to name the strongest single features; when that cannot be
    measured the warning goes out without names.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the candidate's evaluation on test.

    Returns
    -------
    CheckResult
        Check id ``quality.too_good``; limits from ``[quality]``
        (:func:`~sentinel_checks.gate.policy.too_good`).

    Raises
    ------
    ConfigError, ModelLoadError, DataError
        As for :func:`threshold`.
    """
    from sentinel_checks.checks.too_good import check_too_good, is_too_good
    from sentinel_checks.errors import SentinelError

    sc = _judged(s, "test")
    confusion = s.evaluation("candidate").confusion("test")
    auc = sc.roc_auc
    limits = policy.too_good(s.config)
    suspects: list[tuple[str, float]] = []
    if is_too_good(auc, confusion, max_auc=limits["max_auc"]):
        try:
            leakage = s.target_leakage
        except SentinelError:  # its own gate test reports why; the warning stands without names
            leakage = None
        if leakage is not None and leakage.evidence and leakage.evidence[0].kind == "univariate_auc":
            suspects = [(row["feature"], row["auc"]) for row in leakage.evidence[0].items]
    result = check_too_good(auc, confusion, split="test", suspects=suspects, **limits)
    if not sc.counts.grid:
        return result
    # the grouped scores' ROC AUC (not widened: a warning), and said so
    note = f" (ROC AUC of scores grouped in the engine on a 1/{sc.counts.grid} grid)"
    return dataclasses.replace(result, message=result.message + note)


def val_test_gap(s: GateSession) -> CheckResult:
    """``quality.val_test_gap``: test not much worse than validation.

    Parameters
    ----------
    s : GateSession
        The run's inputs; the result is judged once per session
        (:attr:`GateSession.val_test_gap`).

    Returns
    -------
    CheckResult
        Check id ``quality.val_test_gap``; limits from ``[quality]``
        (:func:`~sentinel_checks.gate.policy.val_test_gap`).

    Raises
    ------
    ConfigError, ModelLoadError, DataError
        As for :func:`threshold`.
    """
    return s.val_test_gap


def calibration(s: GateSession, split: str) -> CheckResult:
    """``quality.calibration``: ECE (and Brier) judged on their bootstrap intervals.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the candidate's evaluation.
    split : str
        ``"test"`` or ``"production"`` (its labelled rows).

    Returns
    -------
    CheckResult
        Check id ``quality.calibration``; limits and ``calibration_bins`` from ``[quality]``
        (:func:`~sentinel_checks.gate.policy.calibration`).

    Raises
    ------
    NotConfigured
        ``split`` has no labelled rows.
    ConfigError, ModelLoadError, DataError
        As for :func:`threshold`.
    """
    from sentinel_checks.checks.calibration import check_calibration_cells

    sc = _judged(s, split)
    return check_calibration_cells(sc.cells, split=split, grid=sc.counts.grid, **policy.calibration(s.config))


def segments(s: GateSession, column: str | None, split: str) -> CheckResult:
    """``quality.segments``: recall of the risky class in each value of ``column``.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the candidate's evaluation.
    column : str or None
        One of ``[columns] segments``; ``None`` when none is configured.
    split : str
        ``"test"`` or ``"production"`` (its labelled rows).

    Returns
    -------
    CheckResult
        Check id ``quality.segments``; limits from ``[quality]``
        (:func:`~sentinel_checks.gate.policy.segments`).

    Raises
    ------
    NotConfigured
        ``column`` is ``None``, or ``split`` has no labelled rows.
    ConfigError, ModelLoadError, DataError
        As for :func:`threshold`.
    """
    from sentinel_checks.checks.segments import check_segment_counts

    if column is None:
        raise NotConfigured("no [columns] segments configured")
    sc = _judged(s, split)
    ev = s.evaluation("candidate")
    counts = s.engine_segment_counts(column, split, ev.threshold)
    if counts is None:
        from sentinel_checks.stats.segment_counts import SegmentCounts

        counts = SegmentCounts.from_arrays(sc.segments[column], sc.y, sc.scores >= ev.threshold)
    return check_segment_counts(counts, column=column, split=split, **policy.segments(s.config))


def baselines(s: GateSession) -> CheckResult:
    """``quality.baselines``: the candidate against logistic regression and a small tree model.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the candidate's evaluation and fits the baselines on
        the train split (:attr:`GateSession.baseline_evaluations`); with DuckDB, the
        test rows grouped in the engine per baseline
        (:meth:`~sentinel_checks.gate.session_baselines.SessionBaselines.engine_baseline_rows`).

    Returns
    -------
    CheckResult
        Check id ``quality.baselines`` on the test split; limits from ``[quality]``
        and the seed from ``[gate] seed`` (:func:`~sentinel_checks.gate.policy.baselines`).

    Raises
    ------
    NotConfigured
        ``[quality] baselines = false``.
    DataError
        A ``[quality] baseline_features`` column is not in the data, or the data cannot
        be loaded or split.
    ConfigError, ModelLoadError
        As for :func:`threshold`.
    """
    from sentinel_checks.checks.baselines import check_baselines_rows
    from sentinel_checks.checks.quality import check_baselines

    ev = s.evaluation("candidate")
    fitted = s.baseline_evaluations
    test = ev.splits["test"]
    grouped = s.engine_baseline_rows("test")
    if grouped is not None:  # DuckDB or Spark: the test rows grouped there, never read row by row
        n, positives = test.counts.n, test.counts.positives
        return check_baselines_rows(
            grouped, n=n, n_positive=positives, split="test", **policy.baselines(s.config)
        )
    return check_baselines(
        test.y,
        test.scores,
        {name: b.splits["test"].scores for name, b in fitted.items()},
        split="test",
        **policy.baselines(s.config),
    )
