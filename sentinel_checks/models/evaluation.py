"""Score a model once per split and keep what every quality check and report needs.

A :class:`ModelEvaluation` holds, per split (val, test, and the labelled part of
the production sample), the labels, the scores, one sorted :class:`ThresholdCounts`
and the segment columns; plus the operating threshold chosen on validation.

Every threshold statistic is read off the counts (in memory, or grouped in the
engine with ``[data] engine = "duckdb"``): the threshold choice
(:func:`~sentinel_checks.models.thresholds.choose_threshold_on_counts`), recall,
precision, FNR, flagged fraction (:meth:`ThresholdCounts.at`), ROC AUC and PR AUC
(:func:`~sentinel_checks.stats.ranking.roc_auc_from_counts`,
:func:`~sentinel_checks.stats.ranking.pr_auc_from_counts`). Calibration (ECE,
Brier and their bootstrap) is read off the same counts, as cells
(:class:`~sentinel_checks.stats.calibration_cells.CalibrationCells`). The labels and
scores row by row are read only by the steps that still need each row (the baseline
leads, the drift of scores and calibration, and on pandas segments and the champion
comparison); with the engine they are read back from it only when such a step asks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sentinel_checks.config import SentinelConfig
from sentinel_checks.data.labels import binary_target
from sentinel_checks.data.splits import Splits
from sentinel_checks.errors import DataError
from sentinel_checks.models.loading import LoadedModel
from sentinel_checks.models.scoring import risk_scores
from sentinel_checks.models.thresholds import ThresholdChoice, operating_choice
from sentinel_checks.stats.calibration_cells import CalibrationCells
from sentinel_checks.stats.ranking import (
    CalibrationBins,
    Confusion,
    ThresholdCounts,
    pr_auc_from_counts,
    roc_auc_from_counts,
    threshold_counts,
)

if TYPE_CHECKING:
    from sentinel_checks.stats.tie_bounds import TieBounds

EVALUATED_SPLITS = ("val", "test", "production")


@dataclass(frozen=True)
class SplitScores:
    """One split's evaluation: its :class:`ThresholdCounts` and, on demand, its rows.

    ``counts`` is what the quality statistics read (threshold, recall, precision,
    AUCs, calibration cells). The per-row arrays ``y`` (bool, shape (n,)), ``scores``
    (float64, shape (n,)) and ``segments`` (column name to ``pd.Categorical``) are
    given in memory (:meth:`of`) or read back from the engine the first time a
    step asks for them (``rows``, a callable returning the three).
    """

    name: str
    counts: ThresholdCounts
    rows: Callable[[], tuple[np.ndarray, np.ndarray, Mapping[str, pd.Categorical]]] = field(
        repr=False, compare=False
    )

    @classmethod
    def of(
        cls,
        name: str,
        y: np.ndarray,
        scores: np.ndarray,
        counts: ThresholdCounts,
        segments: Mapping[str, pd.Categorical] | None = None,
    ) -> SplitScores:
        """A split whose rows are already in memory."""
        rows = (y, scores, dict(segments or {}))
        return cls(name, counts, lambda: rows)

    @cached_property
    def _rows(self) -> tuple[np.ndarray, np.ndarray, Mapping[str, pd.Categorical]]:
        return self.rows()

    @property
    def y(self) -> np.ndarray:
        """True where the row is risky (bool, shape (n,))."""
        return self._rows[0]

    @property
    def scores(self) -> np.ndarray:
        """The model's risk score of each row (float64, shape (n,))."""
        return self._rows[1]

    @property
    def segments(self) -> Mapping[str, pd.Categorical]:
        """The configured segment columns of the split, as categoricals."""
        return self._rows[2]

    @property
    def prevalence(self) -> float:
        return self.counts.positives / self.counts.n if self.counts.n else math.nan

    @property
    def roc_auc(self) -> float:
        """ROC AUC of the scores, read off :attr:`counts` (NaN with one class only)."""
        return roc_auc_from_counts(self.counts)

    @property
    def pr_auc(self) -> float:
        """Average precision (PR AUC), read off :attr:`counts` (NaN without a risky row)."""
        return pr_auc_from_counts(self.counts)

    @property
    def tie_bounds(self) -> TieBounds | None:
        """How far the AUCs can move over every order of the rows inside a grid cell when
        the engine grouped the scores on a grid (``counts.grid``); None when exact."""
        from sentinel_checks.stats.tie_bounds import tie_bounds

        return tie_bounds(self.counts) if self.counts.grid else None

    def calibration(self, n_bins: int) -> CalibrationBins:
        """Equal-mass calibration bins of this split's scores.

        Parameters
        ----------
        n_bins : int
            The number of bins (``[quality] calibration_bins``).

        Returns
        -------
        CalibrationBins
            Per bin the mean score, observed risky rate and count, and the ECE; from
            :attr:`cells` (no per-row array is read).
        """
        return self.cells.bins(n_bins)

    @property
    def cells(self) -> CalibrationCells:
        """The rows grouped by (score, label), read off :attr:`counts` (calibration's input)."""
        return CalibrationCells.from_counts(self.counts)


@dataclass(frozen=True)
class ModelEvaluation:
    role: str
    identity: str
    splits: Mapping[str, SplitScores]
    choice: ThresholdChoice
    #: splits left out because the model's scores on their labelled rows are invalid
    #: (production only: val and test raise), by name: the reason, raised by :meth:`scored`
    unscored: Mapping[str, str] = field(default_factory=dict)

    @property
    def threshold(self) -> float:
        return self.choice.threshold

    def scored(self, split: str) -> SplitScores | None:
        """``split``'s labels and scores; ``None`` when it has no labelled rows.

        Raises
        ------
        DataError
            The model's scores on ``split``'s labelled rows are invalid
            (:func:`invalid_scores_text`; trial: a candidate scoring NaN on 4 production
            requests stopped the test split's checks too).
        """
        if split in self.unscored:
            raise DataError(self.unscored[split])
        return self.splits.get(split)

    def confusion(self, split: str, threshold: float | None = None) -> Confusion:
        """Confusion counts on ``split`` when flagging ``score >= threshold``.

        Parameters
        ----------
        split : str
            A split evaluated (``"val"``, ``"test"``, ``"production"``).
        threshold : float, optional
            Default: the operating threshold chosen on validation.

        Returns
        -------
        Confusion

        Raises
        ------
        KeyError
            ``split`` was not evaluated.
        ValueError
            The engine grouped the split's scores on a grid (past ``[engine]
            max_threshold_groups``) and ``threshold`` falls inside a cell: only the
            operating threshold, 0.5 and the listed scores are exact there
            (:meth:`~sentinel_checks.stats.confusion.ThresholdCounts.exact_at`).
        """
        t = self.threshold if threshold is None else threshold
        return self.splits[split].counts.at(t)

    def summary(self, split: str) -> dict[str, float]:
        """Recall and precision at the operating threshold, ROC AUC and PR AUC on ``split``.

        Parameters
        ----------
        split : str
            A split evaluated.

        Returns
        -------
        dict of str to float
            ``recall``, ``precision``, ``roc_auc``, ``pr_auc`` (NaN when undefined) and the
            counts behind them (rows, as floats): ``tp``, ``n_positive``, ``n_negative``,
            ``flagged`` (``quality.val_test_gap`` judges the drops on intervals); with scores
            grouped on a grid in the engine also ``score_grid``, ``roc_auc_below`` and
            ``roc_auc_above`` (:attr:`SplitScores.tie_bounds`).

        Raises
        ------
        KeyError
            ``split`` was not evaluated.
        """
        s = self.splits[split]
        c = self.confusion(split)
        return {
            "recall": c.recall,
            "precision": c.precision,
            "roc_auc": s.roc_auc,
            "pr_auc": s.pr_auc,
            "tp": float(c.tp),
            "n_positive": float(c.positives),
            "n_negative": float(c.n - c.positives),
            "flagged": float(c.tp + c.fp),
            **self._grid_summary(s),
        }

    @staticmethod
    def _grid_summary(s: SplitScores) -> dict[str, float]:
        """With scores grouped on a grid: the grid and how far ROC AUC can move (``summary``)."""
        ties = s.tie_bounds
        if ties is None:
            return {}
        below, above = ties.below("roc_auc"), ties.above("roc_auc")
        return {"score_grid": float(s.counts.grid), "roc_auc_below": below, "roc_auc_above": above}

    def experiment_rows(self, *, n_bins: int) -> list[dict[str, Any]]:
        """One row per split for ``reports/experiments.csv``."""
        rows = []
        for name, s in self.splits.items():
            c = self.confusion(name)
            rows.append(
                {
                    "model": self.role,
                    "split": name,
                    "threshold": round(self.threshold, 6),
                    "recall": c.recall,
                    "fnr": c.fnr,
                    "precision": c.precision,
                    "flagged_fraction": c.flagged_fraction,
                    "roc_auc": s.roc_auc,
                    "pr_auc": s.pr_auc,
                    "ece": s.calibration(n_bins).ece,
                    "brier": s.cells.brier(),
                    "n": c.n,
                    "n_positive": c.positives,
                    "identity": self.identity,
                }
            )
        return rows


def evaluate_model(
    model: LoadedModel,
    *,
    config: SentinelConfig,
    splits: Splits,
    production: pd.DataFrame | None,
    features: list[str],
    scores: Mapping[str, np.ndarray] | None = None,
    counts: Mapping[str, Callable[[], ThresholdCounts]] | None = None,
) -> ModelEvaluation:
    """Score val, test and the labelled production rows once; choose the threshold on val.

    Parameters
    ----------
    model : LoadedModel
        The model (or score column) to evaluate.
    config : SentinelConfig
        ``[columns]`` (label, positive value, segments) and ``[quality]`` (threshold
        rule, target recall, confidence).
    splits : Splits
        The train/val/test frames.
    production : DataFrame or None
        The production sample; its labelled rows are evaluated as ``"production"``.
    features : list of str
        The configured feature columns (the model's own list takes precedence).
    scores : mapping of str to ndarray of float, optional
        The model's risk scores already computed on some of these splits (by name,
        shape (n,) with one per row of that split), used instead of scoring again.
    counts : mapping of str to callable, optional
        By split name, what gives that split's :class:`ThresholdCounts` computed
        elsewhere (grouped in the engine,
        :func:`~sentinel_checks.engine.quality_statistics.threshold_counts`), called
        once the scores are known to be valid; the other splits are counted in memory.
        The counts must be those of ``scores`` on that split.

    Returns
    -------
    ModelEvaluation
        Per split the labels, scores, counts by threshold and segments, and the
        threshold chosen on validation.

    Raises
    ------
    DataError
        A split's label is missing or not binary, a score is NaN or outside [0, 1],
        or validation lacks a risky or a safe row.
    ModelLoadError
        The model cannot score the frame.
    """
    frames: dict[str, pd.DataFrame] = {"val": splits.val, "test": splits.test}
    if production is not None and config.columns.label in production.columns:
        labelled = production[production[config.columns.label].notna()]
        if len(labelled):
            frames["production"] = labelled
    scored: dict[str, SplitScores] = {}
    unscored: dict[str, str] = {}
    cols = model.feature_list(features)
    for name, frame in frames.items():
        y = binary_target(frame, config, what=f"{name} split")
        known = (scores or {}).get(name)
        values = (
            risk_scores(model, frame, features=cols, positive=config.columns.positive)
            if known is None
            else known
        )
        bad = ~np.isfinite(values) | (values < 0) | (values > 1)
        if bad.any():
            leave_out_invalid(model.role, name, int(bad.sum()), len(values), unscored)
            continue
        # categorical codes, not one Python object per row: three models' segments of
        # millions of rows would otherwise hold GiBs for the whole session
        segments = {c: pd.Categorical(frame[c]) for c in config.columns.segments if c in frame.columns}
        counted = (counts or {}).get(name)
        split_counts = threshold_counts(y, values) if counted is None else counted()
        scored[name] = SplitScores.of(name, y, values, split_counts, segments)
    return evaluation_of(model, config, scored, unscored)


def leave_out_invalid(role: str, split: str, invalid: int, rows: int, unscored: dict[str, str]) -> None:
    """A split whose labelled rows' scores are invalid: production is left out, its reason
    kept in ``unscored`` (:attr:`ModelEvaluation.unscored`: its checks raise it; val and
    test are judged); val or test stops the evaluation.

    Raises
    ------
    DataError
        ``split`` is not ``"production"`` (:func:`invalid_scores_text`).
    """
    why = invalid_scores_text(role, split, invalid, rows)
    if split != "production":
        raise DataError(why)
    unscored[split] = why


def invalid_scores_text(role: str, split: str, invalid: int, rows: int) -> str:
    """Why a model's quality cannot be measured on ``split``: ``invalid`` of its ``rows``
    labelled rows score NaN, ±inf or outside [0, 1] (the DataError of the pandas and the
    engine evaluation alike; ``model.scores`` names the rows on every split).

    >>> invalid_scores_text("candidate", "production", 4, 683)  # doctest: +NORMALIZE_WHITESPACE
    'candidate scores on production: 4 of 683 labelled row(s) are NaN, infinite or outside
     [0, 1] (model.scores names them); quality cannot be measured'
    """
    return (
        f"{role} scores on {split}: {invalid:,} of {rows:,} labelled row(s) are NaN, infinite or "
        "outside [0, 1] (model.scores names them); quality cannot be measured"
    )


def evaluation_of(
    model: LoadedModel,
    config: SentinelConfig,
    scored: Mapping[str, SplitScores],
    unscored: Mapping[str, str] | None = None,
) -> ModelEvaluation:
    """The evaluation of splits already counted: the operating threshold chosen on
    ``scored["val"]``; ``unscored``: :attr:`ModelEvaluation.unscored`.

    Raises
    ------
    DataError
        Validation lacks a risky or a safe row.
    """
    choice = operating_choice(model.role, config, scored["val"].counts)
    return ModelEvaluation(model.role, model.identity, dict(scored), choice, dict(unscored or {}))
