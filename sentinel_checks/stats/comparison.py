"""Candidate vs champion on the same rows: paired statistics for the promotion decision.

:func:`compare_paired` scores nothing; it takes both models' scores on the same
rows, each model's operating threshold, and returns a :class:`PairedComparison`;
:func:`compare_paired_rows` takes the same rows as counts
(:mod:`~sentinel_checks.stats.paired_rows`: grouped in memory, or in an engine)
and is the one implementation. It holds every metric of both models with an interval, the paired differences
(candidate − champion) with a paired Poisson-bootstrap interval, the decision
flips, McNemar's exact test on the risky rows the two models disagree on, and the
per-segment FNR of both. The promotion check (:mod:`sentinel_checks.checks.promotion`)
and the decision record judge and render it.

The bootstrap is a paired Poisson bootstrap on pooled counts
(:mod:`~sentinel_checks.stats.paired_cells`): rows with the same label, decisions
and slot of each model's score among the risky rows' scores form a cell, and each
resample draws one Poisson(count) weight per cell (what a Poisson(1) weight per
row sums to), shared by both models, so the comparison is paired, every metric is
exact, and a resample costs O(cells), not O(rows); FNR and precision on the (label,
decisions) cells alone (:func:`~sentinel_checks.stats.paired_cells.decision_draws`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import binomtest

from sentinel_checks.stats.intervals import bootstrap_interval, wilson_interval
from sentinel_checks.stats.paired_cells import DELTA_METRICS, paired_cell_bootstrap
from sentinel_checks.stats.paired_rows import PairedRows, SegmentFlips
from sentinel_checks.stats.ranking import pr_auc_from_counts, roc_auc_from_counts
from sentinel_checks.stats.tie_bounds import grid_entry, lead_widening

#: Metrics reported for each model (proportions get Wilson intervals, AUCs bootstrap ones).
MODEL_METRICS = ("recall", "fnr", "precision", "flagged_fraction", "roc_auc", "pr_auc")


@dataclass(frozen=True)
class Interval:
    """A point estimate with the two ends of its two-sided interval (NaN when undefined)."""

    point: float
    low: float
    high: float

    def to_dict(self) -> dict[str, float]:
        """``{"point", "low", "high"}`` for gate.json."""
        return {"point": self.point, "low": self.low, "high": self.high}

    def shown(self, fmt: str = ".3f") -> str:
        """``"0.800 [0.700, 0.880]"``: the point and interval for messages.

        >>> Interval(0.8, 0.7, 0.88).shown()
        '0.800 [0.700, 0.880]'
        """
        return f"{self.point:{fmt}} [{self.low:{fmt}}, {self.high:{fmt}}]"


@dataclass(frozen=True)
class PairedComparison:
    """Both models on one split's rows, at their operating thresholds."""

    split: str
    n: int
    n_positive: int
    thresholds: Mapping[str, float]  # "candidate", "champion"
    candidate: Mapping[str, Interval]
    champion: Mapping[str, Interval]
    delta: Mapping[str, Interval]  # candidate - champion
    flips: Mapping[str, int]  # decision changes, overall and on risky rows
    mcnemar_p: float  # exact test on risky rows caught by exactly one model
    segments: tuple[dict[str, Any], ...] = ()
    resamples: int = 0
    confidence: float = 0.95
    seed: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)
    cells: int = 0  # units the bootstrap resampled (paired_cells: label x score slots x decisions)
    grid: int = 0  # 0: exact scores; else the engine grouped them on a 1/grid grid (PairedRows.grid)
    tie_ranges: Mapping[str, Mapping[str, tuple[float, float]]] = field(default_factory=dict)

    def delta_widening(self, metric: str) -> tuple[float, float]:
        """How far :attr:`delta` ``[metric]``'s interval was widened below and above for a
        score grid (:meth:`PairedRows.lead_widening`); ``(0.0, 0.0)`` without one."""
        if not self.grid or metric not in self.tie_ranges.get("candidate", {}):
            return 0.0, 0.0
        return lead_widening(self.tie_ranges["candidate"][metric], self.tie_ranges["champion"][metric])

    @property
    def flip_rate(self) -> float:
        """Share of rows whose decision (flagged or not) differs between the models."""
        return self.flips["changed"] / self.n if self.n else math.nan

    def to_dict(self) -> dict[str, Any]:
        """The comparison as plain JSON-ready values (gate.json evidence, the decision record)."""
        return {
            "split": self.split,
            "n": self.n,
            "n_positive": self.n_positive,
            "thresholds": dict(self.thresholds),
            "candidate": {k: v.to_dict() for k, v in self.candidate.items()},
            "champion": {k: v.to_dict() for k, v in self.champion.items()},
            "delta": {k: v.to_dict() for k, v in self.delta.items()},
            "flips": dict(self.flips),
            "flip_rate": self.flip_rate,
            "mcnemar_p": self.mcnemar_p,
            "segments": list(self.segments),
            "bootstrap": {
                "resamples": self.resamples,
                "confidence": self.confidence,
                "seed": self.seed,
                "unit": "cells",
                "cells": self.cells,
            },
            **self.grid_detail(),
        }

    def grid_detail(self) -> dict[str, Any]:
        """``{"score_grid": {grid, cell_width, auc_below_above}}`` when the engine put the
        scores on a grid (each model's AUC range below and above its tied value), else ``{}``."""
        ranges = {r: dict(m) for r, m in self.tie_ranges.items()}
        return {"score_grid": grid_entry(self.grid, auc_below_above=ranges)} if self.grid else {}


def compare_paired(
    y: np.ndarray,
    candidate: np.ndarray,
    champion: np.ndarray,
    *,
    split: str,
    candidate_threshold: float,
    champion_threshold: float,
    segments: Mapping[str, Any] | None = None,
    min_segment_positives: int = 20,
    resamples: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
) -> PairedComparison:
    """Paired comparison of two models' scores on the same rows (``y`` True = risky).

    Parameters
    ----------
    y : array_like of bool, shape (n,)
        True where the row is risky.
    candidate, champion : array_like of float, shape (n,)
        Each model's risk scores on the same rows (probabilities, finite).
    split : str
        Name of the rows (e.g. ``"test"``), for messages.
    candidate_threshold, champion_threshold : float
        Each model flags ``score >= threshold``.
    segments : mapping of str to array_like of shape (n,), optional
        Segment columns; the FNR of both models is reported per value.
    min_segment_positives : int, default 20
        Risky rows a segment value needs to be marked measurable.
    resamples : int, default 200
        Poisson bootstrap resamples (paired: the same weights for both models).
    confidence : float, default 0.95
        Coverage of every two-sided interval: Wilson for the proportions (recall,
        FNR, precision, flagged fraction), bootstrap percentiles for the AUCs and the
        differences. Each end alone is a one-sided ``1 - (1 - confidence) / 2``
        bound: with 0.95, the "95% upper bound" of the FNR increase is a one-sided
        97.5% bound.
    seed : int, default 0
        Seed of the bootstrap.

    Returns
    -------
    PairedComparison
        Both models' metrics with intervals, the differences (candidate − champion),
        decision flips, McNemar's exact p-value and the per-segment rows.

    Raises
    ------
    ValueError
        When the three arrays differ in length, or scores are not finite.

    References
    ----------
    McNemar, Q. (1947). Note on the sampling error of the difference between
    correlated proportions or percentages. Psychometrika 12(2), 153–157 (here its
    exact form: a two-sided binomial test on the risky rows caught by exactly one
    model). Wilson (1927), JASA 22 (score interval). Hanley & MacGibbon (2006);
    Chamandy et al. (2012) (Poisson bootstrap; see
    :func:`~sentinel_checks.stats.intervals.poisson_bootstrap`).

    Examples
    --------
    >>> y = np.array([1, 1, 1, 1, 0, 0, 0, 0] * 10, dtype=bool)
    >>> c = compare_paired(y, y * 0.8 + 0.1, np.full(80, 0.5), split="test",
    ...                    candidate_threshold=0.5, champion_threshold=0.5, resamples=20)
    >>> c.flips["changed"], c.delta["fnr"].point
    (40, 0.0)
    """
    y = np.asarray(y, dtype=bool)
    a = np.asarray(candidate, dtype=float)
    b = np.asarray(champion, dtype=float)
    if not (len(y) == len(a) == len(b)):
        raise ValueError(f"{split}: labels and the two score arrays differ in length")
    flag_a, flag_b = a >= candidate_threshold, b >= champion_threshold
    return compare_paired_rows(
        PairedRows.from_arrays(y, a, b),
        split=split,
        candidate_threshold=candidate_threshold,
        champion_threshold=champion_threshold,
        segments={
            column: SegmentFlips.from_arrays(values, y, flag_a, flag_b)
            for column, values in (segments or {}).items()
        },
        min_segment_positives=min_segment_positives,
        resamples=resamples,
        confidence=confidence,
        seed=seed,
    )


def compare_paired_rows(
    rows: PairedRows,
    *,
    split: str,
    candidate_threshold: float,
    champion_threshold: float,
    segments: Mapping[str, SegmentFlips] | None = None,
    min_segment_positives: int = 20,
    resamples: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
) -> PairedComparison:
    """:func:`compare_paired` from counts: the one implementation both entries run.

    Parameters
    ----------
    rows : PairedRows
        The rows grouped by (label, candidate score, champion score), from memory
        (:meth:`PairedRows.from_arrays`) or from an engine
        (:func:`sentinel_checks.engine.paired_statistics.paired_rows`).
    segments : mapping of str to SegmentFlips, optional
        Per segment column, the risky rows by both decisions per value.
    split, candidate_threshold, champion_threshold, min_segment_positives, resamples, confidence, seed
        As :func:`compare_paired`.

    Returns
    -------
    PairedComparison
        When ``rows.grid`` is 0, equal to :func:`compare_paired` on the rows the counts
        were made of, field for field: the cells, their order and the bootstrap draws are the same
        (:func:`~sentinel_checks.stats.paired_cells.paired_cells` with ``counts=``), the
        AUCs are read off integer :class:`~sentinel_checks.stats.confusion.ThresholdCounts`.
        When the engine grouped the scores on a grid (``rows.grid``), the decisions at
        the thresholds are still exact, and every AUC interval and AUC difference is
        widened by how far ties inside the grid cells could move it (:attr:`PairedComparison.tie_ranges`).
    """
    if rows.grid and rows.split_at != (candidate_threshold, champion_threshold):
        raise ValueError(  # a cell holding a threshold would be decided by its smallest score
            f"the scores were grouped on a grid split at {rows.split_at}, not at the thresholds "
            f"({candidate_threshold}, {champion_threshold}): the decisions would not be exact"
        )
    y, a, b, counts = rows.y, rows.a, rows.b, rows.counts
    flag_a, flag_b = a >= candidate_threshold, b >= champion_threshold
    n, n_pos = rows.n, rows.positives

    def rows_where(mask: np.ndarray) -> int:
        return int(counts[mask].sum())

    models = {
        "candidate": _model_metrics(rows, "candidate", flag_a, confidence),
        "champion": _model_metrics(rows, "champion", flag_b, confidence),
    }
    boot, drawn = paired_cell_bootstrap(
        y, a, b, flag_a, flag_b, resamples=resamples, seed=seed, counts=counts
    )
    alpha = (1 - confidence) / 2
    for role, idx in (("candidate", 0), ("champion", 1)):
        for metric in ("roc_auc", "pr_auc"):
            draws = boot[metric][:, idx]
            models[role][metric] = _percentile(models[role][metric].point, draws, alpha)
    delta = {}
    for metric in DELTA_METRICS:
        point = models["candidate"][metric].point - models["champion"][metric].point
        delta[metric] = _percentile(point, boot[metric][:, 0] - boot[metric][:, 1], alpha)

    ranges = _widen_for_grid(rows, models, delta) if rows.grid else {}

    newly_missed = rows_where(y & flag_b & ~flag_a)
    newly_caught = rows_where(y & flag_a & ~flag_b)
    flips = {
        "changed": rows_where(flag_a != flag_b),
        "newly_flagged": rows_where(flag_a & ~flag_b),
        "newly_cleared": rows_where(flag_b & ~flag_a),
        "risky_newly_missed": newly_missed,
        "risky_newly_caught": newly_caught,
    }
    discordant = newly_missed + newly_caught
    p = float(binomtest(newly_missed, discordant, 0.5).pvalue) if discordant else 1.0
    return PairedComparison(
        split=split,
        n=n,
        n_positive=n_pos,
        thresholds={"candidate": float(candidate_threshold), "champion": float(champion_threshold)},
        candidate=models["candidate"],
        champion=models["champion"],
        delta=delta,
        flips=flips,
        mcnemar_p=p,
        segments=_segment_rows(segments or {}, min_segment_positives),
        resamples=resamples,
        confidence=confidence,
        seed=seed,
        cells=len(drawn.cells),
        grid=rows.grid,
        tie_ranges=ranges,
    )


def _widen_for_grid(
    rows: PairedRows, models: dict[str, dict[str, Interval]], delta: dict[str, Interval]
) -> dict[str, dict[str, tuple[float, float]]]:
    """Widen the AUC intervals by how far ties inside the engine's grid cells could move them
    (:meth:`PairedRows.tie_bounds`, :meth:`PairedRows.lead_widening`). Mutates ``models``
    and ``delta``; returns each model's ``{metric: (below, above)}``."""
    ranges = {}
    for role in ("candidate", "champion"):
        bounds = rows.tie_bounds(role)
        ranges[role] = {m: (bounds.below(m), bounds.above(m)) for m in ("roc_auc", "pr_auc")}
        for metric, (below, above) in ranges[role].items():
            models[role][metric] = _widened(models[role][metric], below, above)
    for metric in ("roc_auc", "pr_auc"):
        delta[metric] = _widened(delta[metric], *rows.lead_widening(metric))
    return ranges


def _widened(interval: Interval, below: float, above: float) -> Interval:
    """``interval``'s ends moved out by ``below`` and ``above`` (NaN spreads)."""
    return Interval(interval.point, interval.low - below, interval.high + above)


def _model_metrics(rows: PairedRows, model: str, flag: np.ndarray, confidence: float) -> dict[str, Interval]:
    counts = rows.counts
    n_pos, tp, flagged = rows.positives, int(counts[rows.y & flag].sum()), int(counts[flag].sum())
    recall = _proportion(tp, n_pos, confidence)
    ranked = rows.threshold_counts(model)
    return {
        "recall": recall,
        "fnr": Interval(1 - recall.point, 1 - recall.high, 1 - recall.low),
        "precision": _proportion(tp, flagged, confidence),
        "flagged_fraction": _proportion(flagged, rows.n, confidence),
        "roc_auc": Interval(roc_auc_from_counts(ranked), math.nan, math.nan),
        "pr_auc": Interval(pr_auc_from_counts(ranked), math.nan, math.nan),
    }


def _proportion(successes: int, n: int, confidence: float) -> Interval:
    if n == 0:
        return Interval(math.nan, math.nan, math.nan)
    low, high = wilson_interval(successes, n, confidence=confidence)
    return Interval(successes / n, low, high)


def _percentile(point: float, draws: np.ndarray, alpha: float) -> Interval:
    draws = draws[np.isfinite(draws)]
    if not math.isfinite(point) or len(draws) == 0:
        return Interval(point, math.nan, math.nan)
    low, high = bootstrap_interval(point, draws, confidence=1 - 2 * alpha)
    return Interval(point, low, high)


def segment_name(row: Mapping[str, Any]) -> str:
    """``"country=BR"``: a row of :attr:`PairedComparison.segments` by its column and value."""
    return f"{row['column']}={row['value']}"


def _segment_rows(segments: Mapping[str, SegmentFlips], min_positives: int) -> tuple[dict[str, Any], ...]:
    """FNR of both models per segment value, worst regression (most newly missed) first."""
    rows: list[dict[str, Any]] = []
    for column, flips in segments.items():
        for i, value in enumerate(flips.names):
            n_pos = int(flips.both[i] + flips.candidate_only[i] + flips.champion_only[i] + flips.neither[i])
            if n_pos == 0:
                continue
            missed_a = int(flips.champion_only[i] + flips.neither[i])
            missed_b = int(flips.candidate_only[i] + flips.neither[i])
            rows.append(
                {
                    "column": column,
                    "value": str(value),
                    "n_positive": n_pos,
                    "fnr_candidate": missed_a / n_pos,
                    "fnr_champion": missed_b / n_pos,
                    "fnr_change": (missed_a - missed_b) / n_pos,
                    "risky_newly_missed": int(flips.champion_only[i]),
                    "risky_newly_caught": int(flips.candidate_only[i]),
                    "measurable": n_pos >= min_positives,
                }
            )
    rows.sort(key=lambda r: (-(r["risky_newly_missed"] - r["risky_newly_caught"]), r["column"], r["value"]))
    return tuple(rows)
