"""Write the model-quality artefacts: threshold.json, experiments.csv and the figures."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sentinel_checks.adapters import plots
from sentinel_checks.evaluation import ModelEvaluation
from sentinel_checks.reports import write_atomic

EXPERIMENT_COLUMNS = [
    "model",
    "split",
    "threshold",
    "recall",
    "fnr",
    "precision",
    "flagged_fraction",
    "roc_auc",
    "pr_auc",
    "ece",
    "brier",
    "n",
    "n_positive",
    "identity",
]


def threshold_document(evaluation: ModelEvaluation) -> dict[str, Any]:
    """The operating threshold, its rule and rationale, and what 0.5 would give."""
    choice = evaluation.choice
    per_split: dict[str, dict[str, Any]] = {}
    for name in evaluation.splits:
        for label, t in (("at_threshold", choice.threshold), ("at_0.5", 0.5)):
            c = evaluation.confusion(name, t)
            per_split.setdefault(name, {})[label] = {
                "recall": _num(c.recall),
                "fnr": _num(c.fnr),
                "precision": _num(c.precision),
                "flagged_fraction": _num(c.flagged_fraction),
                "positives": c.positives,
                "n": c.n,
            }
    return {
        "model": evaluation.role,
        "identity": evaluation.identity,
        "threshold": choice.threshold,
        "rule": choice.rule,
        "target_recall": choice.target_recall,
        "reached_on_validation": choice.reached,
        "rationale": choice.rationale(),
        "splits": per_split,
    }


def experiments_csv(evaluations: Mapping[str, ModelEvaluation], *, n_bins: int) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPERIMENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for evaluation in evaluations.values():
        for row in evaluation.experiment_rows(n_bins=n_bins):
            writer.writerow({k: format_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def write_quality_reports(
    folder: Path,
    evaluations: Mapping[str, ModelEvaluation],
    *,
    n_bins: int,
    training_log: pd.DataFrame | None = None,
    training_columns: tuple[str, list[str]] | None = None,
) -> dict[str, Path]:
    """Write every artefact that the evaluations allow; returns name → path."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    candidate = evaluations.get("candidate")
    if candidate is not None:
        doc = json.dumps(threshold_document(candidate), indent=2)
        out["threshold.json"] = write_atomic(folder / "threshold.json", doc + "\n")
        bins = {
            name: s.calibration(n_bins) for name, s in candidate.splits.items() if name != "val" and len(s.y)
        }
        if bins:
            out["reliability.png"] = plots.reliability_diagram(bins, folder / "reliability.png")
        test = candidate.splits["test"]
        if test.y.any() and not test.y.all():
            out["scores.png"] = plots.score_histograms(
                test.y, test.scores, candidate.threshold, folder / "scores.png"
            )
    if evaluations:
        out["experiments.csv"] = write_atomic(
            folder / "experiments.csv", experiments_csv(evaluations, n_bins=n_bins)
        )
        curves = {
            role: (e.splits["test"].counts, e.threshold)
            for role, e in evaluations.items()
            if "test" in e.splits and e.splits["test"].counts.positives
        }
        if curves:
            out["pr_curve.png"] = plots.pr_curves(curves, folder / "pr_curve.png")
    if training_log is not None and training_columns is not None:
        epoch, series = training_columns
        out["training_curves.png"] = plots.training_curves(
            training_log, epoch=epoch, series=series, path=folder / "training_curves.png"
        )
    return out


def _num(value: float) -> float | None:
    return None if not math.isfinite(value) else float(value)


def format_cell(value: Any) -> Any:
    if isinstance(value, float):
        return "" if not math.isfinite(value) else f"{value:.6g}"
    return value
