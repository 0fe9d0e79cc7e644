"""The gate's steps: loaded inputs and policy in, one :class:`CheckResult` out, no pytest.

One function per gate test. Each takes the :class:`GateSession` (inputs loaded
once) and the test's parameters, maps the config to the check's limits through
:mod:`sentinel_checks.gate.policy`, and returns the check's result. A step whose
input or policy is absent raises :class:`NotConfigured` with the reason; a bad
input raises its :class:`~sentinel_checks.errors.SentinelError`.

The shipped pytest suites are one call of a step per test; ``sentinel gate``'s
in-process runner (:mod:`sentinel_checks.gate.runner`), the self-test and the
library's tests call the same functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel_checks.gate import policy
from sentinel_checks.gate.session import GateSession, NotConfigured

if TYPE_CHECKING:
    import numpy as np

    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.models.evaluation import SplitScores
    from sentinel_checks.result import CheckResult
    from sentinel_checks.stats.comparison import PairedComparison

#: Splits the candidate's quality is judged on (production: its labelled rows).
JUDGED_SPLITS = ("test", "production")

# --------------------------------------------------------------------------- runbook 1: data


def dataset_contract(s: GateSession) -> CheckResult:
    """``contract.schema`` of the offline dataset (features as configured, present or not).

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads ``s.dataset`` (the frame at ``[data] path``).

    Returns
    -------
    CheckResult
        Check id ``contract.schema`` (dataset ``"dataset"``). Its limits are the
        ``[columns]`` and ``[contract] features`` sections (no :mod:`~sentinel_checks.gate.policy` map).

    Raises
    ------
    DataError
        The dataset is missing, unreadable or empty.
    ConfigError
        Raised by the session when the configuration cannot be used.
    """
    from sentinel_checks.checks import check_schema
    from sentinel_checks.data.io import feature_columns

    cfg, dataset = s.config, s.dataset
    return check_schema(
        dataset,
        columns=cfg.columns,
        features=feature_columns(dataset, cfg),
        rules=cfg.contract.features,
        dataset="dataset",
        extra_required=cfg.required_columns(),
    )


def production_contract(s: GateSession) -> CheckResult:
    """``contract.schema`` of the production sample (the label may be absent).

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads ``s.production`` and ``s.dataset`` (the reference for
        category and range rules).

    Returns
    -------
    CheckResult
        Check id ``contract.schema`` (dataset ``"production"``), with limits from
        ``[columns]`` and ``[contract] features``.

    Raises
    ------
    NotConfigured
        No ``[production]`` sample is configured.
    DataError
        The production sample or the dataset is missing, unreadable or empty.
    """
    from sentinel_checks.checks import check_schema
    from sentinel_checks.data.io import feature_columns

    cfg = s.config
    production, dataset = s.production, s.dataset
    return check_schema(
        production,
        columns=cfg.columns,
        features=feature_columns(dataset, cfg),
        rules=cfg.contract.features,
        dataset="production",
        label_required=False,
        extra_required=cfg.required_columns(production=True),
        reference=dataset,
    )


def split_labels(s: GateSession, split: str) -> CheckResult:
    """``contract.labels`` of one split.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads ``s.split_labels`` (boolean arrays, True = risky).
    split : str
        ``"train"``, ``"val"`` or ``"test"``.

    Returns
    -------
    CheckResult
        Check id ``contract.labels``; limits from ``[contract]``
        (:func:`~sentinel_checks.gate.policy.labels`).

    Raises
    ------
    DataError
        The dataset cannot be loaded or split, or its label is not binary.
    """
    from sentinel_checks.checks import check_labels

    return check_labels(s.split_labels[split], split=split, **policy.labels(s.config))


# --------------------------------------------------------------------------- runbook 1-2: splits


def time_order(s: GateSession, pair: tuple[str, str]) -> CheckResult:
    """``splits.time_order`` of a pair of splits.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the ``[columns] timestamp`` column of ``s.splits``.
    pair : tuple of (str, str)
        The earlier and the later split, e.g. ``("train", "val")``.

    Returns
    -------
    CheckResult
        Check id ``splits.time_order``; the embargo (a duration) comes from ``[splits] embargo``.

    Raises
    ------
    NotConfigured
        No ``[columns] timestamp`` is configured.
    DataError
        The dataset cannot be loaded or split.
    """
    from sentinel_checks.checks import check_time_order

    ts = s.config.columns.timestamp
    if ts is None:
        raise NotConfigured("no [columns] timestamp configured: time order cannot be checked")
    earlier, later = (s.splits[name][ts] for name in pair)
    return check_time_order(earlier, later, pair=pair, embargo=s.config.splits.embargo)


def entity_overlap(s: GateSession, column: str | None, pair: tuple[str, str]) -> CheckResult:
    """``splits.entity_overlap`` of one entity column across a pair of splits.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads ``s.splits``.
    column : str or None
        One of ``[columns] entities``; ``None`` when none is configured.
    pair : tuple of (str, str)
        The earlier and the later split, e.g. ``("train", "test")``.

    Returns
    -------
    CheckResult
        Check id ``splits.entity_overlap``; limits from ``[leakage]``
        (:func:`~sentinel_checks.gate.policy.entity_overlap`).

    Raises
    ------
    NotConfigured
        ``column`` is ``None`` (no ``[columns] entities``).
    DataError
        The dataset cannot be loaded or split.
    """
    from sentinel_checks.checks import check_entity_overlap

    if column is None:
        raise NotConfigured("no [columns] entities configured: entity leakage cannot be checked")
    earlier, later = (s.splits[name][column] for name in pair)
    return check_entity_overlap(earlier, later, column=column, pair=pair, **policy.entity_overlap(s.config))


def row_overlap(s: GateSession, pair: tuple[str, str]) -> CheckResult:
    """``splits.row_overlap`` over the feature columns of a pair of splits.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads ``s.splits`` and ``s.features``.
    pair : tuple of (str, str)
        The two splits compared, e.g. ``("train", "test")``.

    Returns
    -------
    CheckResult
        Check id ``splits.row_overlap``; limits from ``[leakage]``
        (:func:`~sentinel_checks.gate.policy.row_overlap`).

    Raises
    ------
    DataError
        The dataset cannot be loaded or split, or a configured feature is absent.
    """
    from sentinel_checks.checks import check_row_overlap

    splits, features = s.splits, s.features
    return check_row_overlap(
        splits[pair[0]], splits[pair[1]], columns=features, pair=pair, **policy.row_overlap(s.config)
    )


def target_leakage(s: GateSession) -> CheckResult:
    """``splits.target_leakage`` on every row of the train split.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the train split, its labels and ``s.features``.

    Returns
    -------
    CheckResult
        Check id ``splits.target_leakage``; limits from ``[leakage]`` and the seed from
        ``[gate] seed`` (:func:`~sentinel_checks.gate.policy.target_leakage`).

    Raises
    ------
    DataError
        The dataset cannot be loaded or split, or its label is not binary.
    """
    from sentinel_checks.checks import check_target_leakage

    splits, labels, features = s.splits, s.split_labels, s.features
    return check_target_leakage(
        splits.train, labels["train"], features=features, **policy.target_leakage(s.config)
    )


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
    from sentinel_checks.checks import check_scores

    return check_scores(s.scores(role, split), model=role, split=split)


# --------------------------------------------------------------------------- runbook 2-4: quality


def _judged(s: GateSession, split: str) -> SplitScores:
    ev = s.evaluation("candidate")
    if split not in ev.splits:
        raise NotConfigured(f"no labelled {split} rows: configure [production] with labels to judge it")
    return ev.splits[split]


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
    """``quality.auc``: ROC AUC and PR AUC (lift over prevalence).

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
    from sentinel_checks.stats.ranking import pr_auc, roc_auc

    sc = _judged(s, split)
    return check_auc(
        roc_auc(sc.y, sc.scores),
        pr_auc(sc.y, sc.scores),
        prevalence=sc.prevalence,
        split=split,
        n=sc.counts.n,
        n_positive=sc.counts.positives,
        **policy.auc(s.config),
    )


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
    """``quality.calibration``: ECE over equal-mass bins and the Brier score.

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
    from sentinel_checks.checks.quality import check_calibration
    from sentinel_checks.stats.ranking import brier

    sc = _judged(s, split)
    return check_calibration(
        sc.calibration(s.config.quality.calibration_bins),
        brier(sc.y, sc.scores),
        split=split,
        **policy.calibration(s.config),
    )


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
    from sentinel_checks.checks.quality import check_segments

    if column is None:
        raise NotConfigured("no [columns] segments configured")
    sc = _judged(s, split)
    ev = s.evaluation("candidate")
    return check_segments(
        sc.segments[column],
        sc.y,
        sc.scores >= ev.threshold,
        column=column,
        split=split,
        **policy.segments(s.config),
    )


def baselines(s: GateSession) -> CheckResult:
    """``quality.baselines``: the candidate against logistic regression and a small tree model.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the candidate's evaluation and fits the baselines on
        the train split (:attr:`GateSession.baseline_evaluations`).

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
    from sentinel_checks.checks.quality import check_baselines

    ev = s.evaluation("candidate")
    fitted = s.baseline_evaluations
    test = ev.splits["test"]
    return check_baselines(
        test.y,
        test.scores,
        {name: b.splits["test"].scores for name, b in fitted.items()},
        split="test",
        **policy.baselines(s.config),
    )


# --------------------------------------------------------------------------- runbook 1, 5: drift


def _pair(text: str | None, what: str) -> tuple[str, str]:
    if text is None:
        raise NotConfigured(f"no [drift] {what} configured")
    a, b = text.split(":")
    return a, b


def _feature_drift(s: GateSession, pair: tuple[str, str], segment: tuple[str, str] | None) -> CheckResult:
    from sentinel_checks.checks.drift import check_feature_drift, describe_shift

    run, inputs, ref, cur = s.feature_drift(pair, segment=segment)
    columns = run.columns if run is not None else []
    drifted = {c.column for c in columns if c.drifted}
    return check_feature_drift(
        columns,
        pair=pair if segment is None else (f"{pair[0]}[{segment[0]}={segment[1]}]", pair[1]),
        n_reference=len(ref),
        n_current=len(cur),
        required=":".join(pair) in s.config.drift.required_pairs,
        descriptions={c: describe_shift(ref[c], cur[c]) for c in drifted},
        notes=inputs.notes,
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
        (:func:`~sentinel_checks.gate.policy.feature_drift`).

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
    reference = s.frame(frames[0])
    values = sorted(reference[column].astype("string").dropna().unique())
    results = [_feature_drift(s, frames, (column, v)) for v in values]
    judged = [r for r in results if r.status.value != "skip"]
    if not judged:
        raise NotConfigured(f"no {column} segment reaches [drift] min_segment_rows")
    return min(judged, key=lambda r: (r.passed, -(r.measured or 0)))


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
    from sentinel_checks.data.io import binary_target

    frames = _pair(pair, "label_pairs")
    counts = []
    for name in frames:
        frame = s.frame(name)
        labelled = frame[frame[s.config.columns.label].notna()]
        if name == "production" and labelled.empty:
            raise NotConfigured("no labelled production rows yet: prevalence cannot be compared")
        y = binary_target(labelled, s.config, what=name)
        counts += [int(y.sum()), len(y)]
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
        (:func:`~sentinel_checks.gate.policy.score_drift`).

    Raises
    ------
    NotConfigured
        ``pair`` is ``None``, names a split the candidate is not scored on (``train``),
        or names ``production`` and no sample is configured.
    ConfigError, ModelLoadError, DataError
        As for :func:`threshold`.
    """
    from sentinel_checks.adapters.evidently_drift import score_drift as evidently_score_drift
    from sentinel_checks.checks.drift import check_score_drift

    frames = _pair(pair, "score_pairs")
    ev = s.evaluation("candidate")

    def scores(name: str) -> np.ndarray:
        if name == "production":
            return s.production_scores
        if name not in ev.splits:
            raise NotConfigured(f"the candidate is not scored on {name!r}: use val, test or production")
        return ev.splits[name].scores

    reference, current = scores(frames[0]), scores(frames[1])
    return check_score_drift(
        reference,
        current,
        threshold=ev.threshold,
        pair=frames,
        evidently_score=evidently_score_drift(reference, current),
        **policy.score_drift(s.config),
    )


# --------------------------------------------------------------------------- runbook 2: training


def training_curves(s: GateSession) -> CheckResult:
    """``training.curves``: overfitting, underfitting, instability in the training log.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads ``s.training_log`` (one row per epoch).

    Returns
    -------
    CheckResult
        Check id ``training.curves``; the log's column names and limits come from
        ``[training]`` (:func:`~sentinel_checks.gate.policy.training_curves`).

    Raises
    ------
    NotConfigured
        No ``[training] log`` is configured.
    DataError
        The training log is missing or unreadable.
    """
    from sentinel_checks.checks.training import check_training_curves

    return check_training_curves(s.training_log, **policy.training_curves(s.config))


# --------------------------------------------------------------------------- runbook 4-5: promotion


def vs_champion(s: GateSession, split: str | None) -> CheckResult:
    """``promotion.vs_champion`` on ``split``; without a champion, a skip (or a failure when
    ``[promotion] require_champion``).

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads both evaluations and their paired comparison.
    split : str or None
        One of ``[promotion] splits`` (``"test"`` or ``"production"``); ``None`` when none
        is configured.

    Returns
    -------
    CheckResult
        Check id ``promotion.vs_champion``; limits from ``[promotion]`` and ``[quality]``
        (:func:`~sentinel_checks.gate.policy.vs_champion`).

    Raises
    ------
    NotConfigured
        A champion is configured but ``split`` is ``None`` or has no labelled rows.
    ConfigError, ModelLoadError, DataError
        As for :func:`threshold` (for either model).
    """
    from sentinel_checks.checks.promotion import check_champion_missing

    cfg = s.config
    if cfg.models.champion is None:
        return check_champion_missing(required=cfg.promotion.require_champion)
    if split is None:
        raise NotConfigured("no [promotion] splits configured")
    comparison = s.comparison(split)
    return promotion_verdict(comparison, val_test_gap=s.val_test_gap, config=cfg)


def promotion_verdict(
    comparison: PairedComparison, *, val_test_gap: CheckResult, config: SentinelConfig
) -> CheckResult:
    """:func:`~sentinel_checks.checks.promotion.check_vs_champion` of a paired comparison
    with the limits of ``[promotion]`` and ``[quality]``.

    ``sentinel experiments`` judges each experiment against Baseline A with it.

    Parameters
    ----------
    comparison : PairedComparison
        Candidate vs champion on one split (:func:`~sentinel_checks.gate.policy.compare_with_champion`).
    val_test_gap : CheckResult
        The candidate's own ``quality.val_test_gap`` result (a criterion of the decision).
    config : SentinelConfig
        The validated configuration.

    Returns
    -------
    CheckResult
        Check id ``promotion.vs_champion``.
    """
    from sentinel_checks.checks.promotion import check_vs_champion

    return check_vs_champion(comparison, val_test_gap=val_test_gap, **policy.vs_champion(config))
