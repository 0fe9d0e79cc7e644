"""The sections for what happens around the gate: ``[registry]`` (promotion, rollback),
``[monitor]`` (production batches) and ``[experiments]`` (the ablation matrix)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from sentinel_checks.config.section import _Section

#: The registry when neither ``[registry] tracking_uri`` nor ``$MLFLOW_TRACKING_URI`` names one.
LOCAL_REGISTRY = "sqlite:///.sentinel/mlflow.db"


class Registry(_Section):
    """Where promoted models live (MLflow model registry) and the audit log of every move."""

    tracking_uri: str | None = None  # None: $MLFLOW_TRACKING_URI, else LOCAL_REGISTRY
    artifact_location: Path = Path(".sentinel/artifacts")
    model_name: str = "risk-classifier"
    audit_log: Path = Path(".sentinel/audit.jsonl")
    timeout_seconds: float = Field(default=10.0, gt=0.0)

    @property
    def store(self) -> str:
        """The tracking URI to use (loading a config resolves a relative sqlite path)."""
        return self.tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or LOCAL_REGISTRY


class MonitorSeverity(_Section):
    """Severity of each alert rule: ``warning`` (exit 1, reported) or ``critical``."""

    score_shift: Literal["warning", "critical"] = "warning"
    flagged_fraction: Literal["warning", "critical"] = "warning"
    recall: Literal["warning", "critical"] = "critical"
    brier: Literal["warning", "critical"] = "warning"
    estimated_recall: Literal["warning", "critical"] = "warning"


class Monitor(_Section):
    """``sentinel monitor``: one production batch against a reference, alerts and a history."""

    model: Literal["champion", "candidate"] = "champion"
    score_column: str | None = None
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    reference: Path | None = None
    labels: Path | None = None
    history: Path = Path(".sentinel/monitor_history.jsonl")
    evidently_workspace: Path | None = None
    evidently_project: str = "gradient-sentinel monitoring"
    min_labelled_positives: int = Field(default=30, ge=1)
    min_segment_rows: int = Field(default=500, ge=1)
    max_score_psi: float = Field(default=0.2, ge=0.0)
    max_flagged_change: float = Field(default=0.5, ge=0.0)
    max_recall_drop: float = Field(default=0.10, ge=0.0, le=1.0)
    max_brier_increase: float = Field(default=0.02, ge=0.0, le=1.0)
    max_estimated_recall_drop: float = Field(default=0.10, ge=0.0, le=1.0)
    severity: MonitorSeverity = Field(default_factory=MonitorSeverity)
    retrain_window_months: int = Field(default=6, ge=1)
    retrain_cadence_days: int = Field(default=30, ge=1)
    retrain_on: list[Literal["score_shift", "flagged_fraction", "recall", "brier", "estimated_recall"]] = (
        Field(
            default_factory=lambda: list[
                Literal["score_shift", "flagged_fraction", "recall", "brier", "estimated_recall"]
            ](["score_shift", "recall", "estimated_recall"])
        )
    )


class Experiment(_Section):
    """One ablation: a baseline (A: logistic regression, B: boosted trees) with one thing changed."""

    name: str = Field(min_length=1)
    base: Literal["A", "B"] = "B"
    features: list[str] | None = None
    features_add: list[str] = Field(default_factory=list)
    features_remove: list[str] = Field(default_factory=list)
    class_weight: Literal["balanced", "none"] | None = None
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    target_recall: float | None = Field(default=None, gt=0.0, le=1.0)

    def changes(self) -> list[str]:
        """What this experiment changes relative to its base."""
        changed = []
        if self.features is not None or self.features_add or self.features_remove:
            changed.append("features")
        if self.class_weight is not None:
            changed.append("class_weight")
        if self.threshold is not None or self.target_recall is not None:
            changed.append("threshold_rule")
        return changed

    @model_validator(mode="after")
    def _one_change(self) -> Experiment:
        changed = self.changes()
        if len(changed) != 1:
            raise ValueError(
                f"experiment {self.name!r} changes {len(changed)} things "
                f"({', '.join(changed) or 'nothing'}): "
                "an ablation changes exactly one (features, class_weight, or the threshold rule)"
            )
        if self.features is not None and (self.features_add or self.features_remove):
            raise ValueError(f"experiment {self.name!r}: give 'features' or 'features_add'/'features_remove'")
        if self.threshold is not None and self.target_recall is not None:
            raise ValueError(f"experiment {self.name!r}: give 'threshold' or 'target_recall', not both")
        return self


class Experiments(_Section):
    """``sentinel experiments``: the runbook's experiment matrix."""

    tracking_uri: str | None = None
    mlflow_experiment: str = "gradient-sentinel-experiments"
    runs: list[Experiment] = Field(default_factory=list)

    @field_validator("runs")
    @classmethod
    def _unique(cls, v: list[Experiment]) -> list[Experiment]:
        names = [r.name for r in v]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"experiment names must be unique: {', '.join(map(str, dupes))}")
        return v
