"""The gate's one configuration: ``sentinel.toml`` or ``[tool.sentinel]`` in ``pyproject.toml``.

Every key and its default is documented in ``docs/configuration.md``; the pydantic
models below are the single source of those defaults. Unknown keys, wrong types and
missing files are rejected on load with one :class:`~sentinel_checks.errors.ConfigError`
that names the file and every offending key.
"""

from __future__ import annotations

import itertools
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sentinel_checks.errors import ConfigError

#: Environment variable naming the config file (below ``--sentinel-config``, above the defaults).
CONFIG_ENV = "SENTINEL_CONFIG"
DEFAULT_CONFIG_NAME = "sentinel.toml"

_CALLABLE_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")

LabelValue = bool | int | float | str


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_callable_ref(value: str | None) -> str | None:
    if value is not None and not _CALLABLE_RE.match(value):
        raise ValueError(f"expected 'module:function', got {value!r}")
    return value


class DataSource(_Section):
    """Where a frame comes from: a parquet/CSV file, or a ``module:function`` returning one."""

    path: Path | None = None
    loader: str | None = None
    format: Literal["auto", "parquet", "csv"] = "auto"

    @field_validator("loader")
    @classmethod
    def _loader_ref(cls, v: str | None) -> str | None:
        return _check_callable_ref(v)

    @model_validator(mode="after")
    def _one_source(self) -> DataSource:
        if (self.path is None) == (self.loader is None):
            raise ValueError("give exactly one of 'path' or 'loader'")
        return self


class Columns(_Section):
    """Roles of the dataset's columns."""

    label: str = "label"
    positive: LabelValue = 1
    negative: LabelValue = 0
    timestamp: str | None = None
    entities: list[str] = Field(default_factory=list)
    segments: list[str] = Field(default_factory=list)
    features: list[str] | None = None
    exclude: list[str] = Field(default_factory=list)
    id: str | None = None

    @model_validator(mode="after")
    def _distinct_classes(self) -> Columns:
        if self.positive == self.negative:
            raise ValueError(f"'positive' and 'negative' are both {self.positive!r}")
        if self.features is not None and not self.features:
            raise ValueError("'features' is empty: list the feature columns or leave it out")
        return self


class SplitSpec(_Section):
    """How train/val/test are made. Boundaries are half-open: see docs/configuration.md."""

    method: Literal["time", "column", "callable"]
    # method = "time"
    val_start: str | None = None
    test_start: str | None = None
    end: str | None = None
    embargo: str = "0s"
    purge_entities: bool = False
    # method = "column"
    column: str | None = None
    train_value: LabelValue = "train"
    val_value: LabelValue = "val"
    test_value: LabelValue = "test"
    # method = "callable"
    function: str | None = None

    @field_validator("function")
    @classmethod
    def _function_ref(cls, v: str | None) -> str | None:
        return _check_callable_ref(v)

    @field_validator("embargo")
    @classmethod
    def _timedelta(cls, v: str) -> str:
        import pandas as pd

        try:
            delta = pd.Timedelta(v)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"not a duration such as '0s', '1h' or '2D': {v!r}") from exc
        if delta < pd.Timedelta(0):
            raise ValueError(f"must not be negative, got {v!r}")
        return v

    @model_validator(mode="after")
    def _method_fields(self) -> SplitSpec:
        import pandas as pd

        if self.method == "time":
            missing = [k for k in ("val_start", "test_start") if getattr(self, k) is None]
            if missing:
                raise ValueError(f"method 'time' needs {', '.join(missing)}")
            try:
                stamps = [pd.Timestamp(self.val_start), pd.Timestamp(self.test_start)]
                if self.end is not None:
                    stamps.append(pd.Timestamp(self.end))
            except (ValueError, TypeError) as exc:
                raise ValueError(f"a boundary is not a timestamp: {exc}") from exc
            if any(b <= a for a, b in itertools.pairwise(stamps)):
                raise ValueError("boundaries must increase: val_start < test_start (< end)")
        elif self.method == "column" and self.column is None:
            raise ValueError("method 'column' needs 'column'")
        elif self.method == "callable" and self.function is None:
            raise ValueError("method 'callable' needs 'function' ('module:function')")
        return self


class ModelSpec(_Section):
    """A model to score with, or a column that already holds its scores."""

    path: Path | None = None
    uri: str | None = None
    format: Literal["auto", "skops", "pickle", "joblib", "mlflow"] = "auto"
    trusted: bool = False
    trusted_types: list[str] = Field(default_factory=list)
    score_column: str | None = None
    features: list[str] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ModelSpec:
        given = [k for k in ("path", "uri", "score_column") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'path', 'uri' or 'score_column'")
        return self


class Models(_Section):
    candidate: ModelSpec | None = None
    champion: ModelSpec | None = None


class FeatureRule(_Section):
    """Optional per-feature data contract."""

    dtype: Literal["numeric", "integer", "float", "string", "category", "bool", "datetime"] | None = None
    min: float | None = None
    max: float | None = None
    allowed: list[LabelValue] | None = None
    nullable: bool = True


class Contract(_Section):
    min_positives_per_split: int = Field(default=30, ge=1)
    min_negatives_per_split: int = Field(default=30, ge=1)
    features: dict[str, FeatureRule] = Field(default_factory=dict)


class Leakage(_Section):
    max_entity_overlap_share: float = Field(default=0.0, ge=0.0, le=1.0)
    max_row_overlap_share: float = Field(default=0.001, ge=0.0, le=1.0)
    max_univariate_auc: float = Field(default=0.95, gt=0.5, le=1.0)
    flag_constant_per_class: bool = True


class Quality(_Section):
    """Model-quality policy: the operating threshold and the floors it is judged by."""

    target_recall: float = Field(default=0.80, gt=0.0, le=1.0)
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    threshold_uses_lower_bound: bool = False
    bound: Literal["wilson", "point"] = "wilson"
    confidence: float = Field(default=0.95, gt=0.5, lt=1.0)
    min_positives: int = Field(default=30, ge=1)
    min_recall: float = Field(default=0.75, ge=0.0, le=1.0)
    min_precision: float = Field(default=0.05, ge=0.0, le=1.0)
    min_roc_auc: float = Field(default=0.70, ge=0.0, le=1.0)
    min_pr_auc_lift: float = Field(default=2.0, ge=0.0)
    max_val_test_gap: float = Field(default=0.10, ge=0.0, le=1.0)
    max_val_test_auc_gap: float = Field(default=0.05, ge=0.0, le=1.0)
    calibration_bins: int = Field(default=10, ge=2, le=100)
    max_ece: float = Field(default=0.05, ge=0.0, le=1.0)
    max_brier: float | None = Field(default=None, ge=0.0, le=1.0)
    min_segment_recall: float = Field(default=0.50, ge=0.0, le=1.0)
    segment_min_positives: int = Field(default=20, ge=1)
    segment_bound: Literal["point", "wilson"] = "point"
    baselines: bool = True
    baseline_features: list[str] | None = None
    baseline_max_train_rows: int = Field(default=200_000, ge=1_000)
    baseline_metric: Literal["pr_auc", "roc_auc"] = "pr_auc"
    baseline_margin: float = Field(default=0.0, ge=-1.0, le=1.0)
    baseline_bound: Literal["bootstrap", "point"] = "bootstrap"
    bootstrap_resamples: int = Field(default=200, ge=20, le=10_000)


SPLIT_SOURCES = ("train", "val", "test", "production")


def _check_pairs(pairs: list[str]) -> list[str]:
    for pair in pairs:
        a, sep, b = pair.partition(":")
        if not sep or a not in SPLIT_SOURCES or b not in SPLIT_SOURCES or a == b:
            raise ValueError(f"{pair!r} is not 'reference:current' with two of {list(SPLIT_SOURCES)}")
    return pairs


class DriftPolicy(_Section):
    """Distribution shift between splits and production (Evidently)."""

    feature_pairs: list[str] = Field(default_factory=lambda: ["train:val", "train:test", "train:production"])
    label_pairs: list[str] = Field(default_factory=lambda: ["test:production"])
    score_pairs: list[str] = Field(default_factory=lambda: ["test:production"])
    required_pairs: list[str] = Field(default_factory=list)
    method: str | None = None
    threshold: float | None = Field(default=None, gt=0.0)
    per_column_method: dict[str, str] = Field(default_factory=dict)
    per_column_threshold: dict[str, float] = Field(default_factory=dict)
    max_drift_share: float = Field(default=0.5, ge=0.0, le=1.0)
    critical_features: list[str] = Field(default_factory=list)
    min_rows: int = Field(default=200, ge=1)
    label_max_abs_change: float = Field(default=0.01, ge=0.0, le=1.0)
    label_max_rel_change: float = Field(default=1.0, ge=0.0)
    label_alpha: float = Field(default=0.01, gt=0.0, lt=1.0)
    max_score_psi: float = Field(default=0.2, ge=0.0)
    max_flagged_change: float = Field(default=0.05, ge=0.0, le=1.0)
    segment_columns: list[str] = Field(default_factory=list)
    min_segment_rows: int = Field(default=1000, ge=1)
    max_rows: int = Field(default=50_000, ge=1_000)

    @field_validator("feature_pairs", "label_pairs", "score_pairs", "required_pairs")
    @classmethod
    def _pairs(cls, v: list[str]) -> list[str]:
        return _check_pairs(v)

    @field_validator("method")
    @classmethod
    def _method(cls, v: str | None) -> str | None:
        from sentinel_checks.adapters.evidently_drift import KNOWN_TESTS

        if v is not None and v not in KNOWN_TESTS:
            raise ValueError(f"{v!r} is not one of {sorted(KNOWN_TESTS)}")
        return v

    @field_validator("per_column_method")
    @classmethod
    def _methods(cls, v: dict[str, str]) -> dict[str, str]:
        from sentinel_checks.adapters.evidently_drift import KNOWN_TESTS

        bad = {k: m for k, m in v.items() if m not in KNOWN_TESTS}
        if bad:
            raise ValueError(f"unknown method(s) {bad}; use one of {sorted(KNOWN_TESTS)}")
        return v


class Training(_Section):
    """A training log (one row per epoch or iteration) and the limits for its curves."""

    log: Path | None = None
    epoch: str = "epoch"
    train_loss: str = "train_loss"
    val_loss: str = "val_loss"
    val_metric: str | None = None
    overfit_patience: int = Field(default=10, ge=1)
    overfit_tolerance: float = Field(default=0.01, ge=0.0)
    min_val_metric: float | None = None
    flat_tolerance: float = Field(default=0.01, ge=0.0)
    spike_mads: float = Field(default=8.0, gt=0.0)
    selected_epoch: int | None = None
    selected_epoch_tolerance: int = Field(default=0, ge=0)


class Promotion(_Section):
    """Champion vs challenger: the criteria a candidate must meet to replace the champion."""

    require_champion: bool = False
    splits: list[Literal["test", "production"]] = Field(
        default_factory=lambda: list[Literal["test", "production"]](["test", "production"])
    )
    shared_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    max_fnr_increase: float = Field(default=0.03, ge=0.0, le=1.0)
    max_precision_drop: float = Field(default=0.02, ge=0.0, le=1.0)
    target_metric: Literal["pr_auc", "roc_auc"] = "pr_auc"
    min_target_lead: float = Field(default=0.0, ge=-1.0, le=1.0)
    target_bound: Literal["point", "bootstrap"] = "point"
    max_flip_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    bootstrap_resamples: int = Field(default=500, ge=50, le=10_000)


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
            raise ValueError(f"experiment names must be unique: {dupes}")
        return v


class Gate(_Section):
    seed: int = 0


class SentinelConfig(_Section):
    data: DataSource
    columns: Columns = Field(default_factory=Columns)
    splits: SplitSpec
    production: DataSource | None = None
    models: Models = Field(default_factory=Models)
    contract: Contract = Field(default_factory=Contract)
    leakage: Leakage = Field(default_factory=Leakage)
    quality: Quality = Field(default_factory=Quality)
    drift: DriftPolicy = Field(default_factory=DriftPolicy)
    training: Training = Field(default_factory=Training)
    promotion: Promotion = Field(default_factory=Promotion)
    registry: Registry = Field(default_factory=Registry)
    experiments: Experiments = Field(default_factory=Experiments)
    monitor: Monitor = Field(default_factory=Monitor)
    gate: Gate = Field(default_factory=Gate)

    #: The file this config was read from (not a TOML key).
    source: Path = Field(default=Path("<memory>"), exclude=True)

    @property
    def base_dir(self) -> Path:
        return self.source.parent

    def role_columns(self) -> list[str]:
        """Columns with a role other than feature: label, timestamp, ids, split column."""
        cols = self.columns
        roles = [cols.label, cols.timestamp, cols.id, *cols.entities]
        if self.splits.method == "column":
            roles.append(self.splits.column)
        for spec in (self.models.candidate, self.models.champion):
            if spec is not None:
                roles.append(spec.score_column)
        return [c for c in dict.fromkeys(roles) if c is not None]

    def input_files(self) -> list[Path]:
        """Every file the gate reads: this config, the data, the models, the logs."""
        paths = [self.source, self.data.path, self.training.log, self.monitor.reference, self.monitor.labels]
        if self.production is not None:
            paths.append(self.production.path)
        for spec in (self.models.candidate, self.models.champion):
            if spec is not None:
                paths.append(spec.path)
        return [p for p in paths if p is not None]

    def required_columns(self, *, production: bool = False) -> list[str]:
        """Role columns a frame must have: all of them offline; in production, all but
        the split column and the label (production labels arrive late)."""
        skip = {self.columns.label}
        if production and self.splits.method == "column":
            skip.add(self.splits.column)  # type: ignore[arg-type]
        return [c for c in self.role_columns() if not production or c not in skip]


# --------------------------------------------------------------------------- loading


def find_config(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """Which config file to read: the explicit path, ``$SENTINEL_CONFIG``, then
    ``./sentinel.toml``, then ``./pyproject.toml`` if it has ``[tool.sentinel]``."""
    cwd = Path.cwd() if cwd is None else cwd
    for given, origin in (
        (explicit, "--sentinel-config"),
        (os.environ.get(CONFIG_ENV), CONFIG_ENV),
    ):
        if given:
            path = Path(given).expanduser()
            path = path if path.is_absolute() else cwd / path
            if not path.is_file():
                raise ConfigError(f"config file not found: {path} (from {origin})")
            return path
    candidate = cwd / DEFAULT_CONFIG_NAME
    if candidate.is_file():
        return candidate
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file() and "sentinel" in _read_toml(pyproject).get("tool", {}):
        return pyproject
    raise ConfigError(
        f"no configuration found in {cwd}: pass --sentinel-config PATH, set {CONFIG_ENV}, "
        f"or create {DEFAULT_CONFIG_NAME} (see docs/configuration.md)"
    )


def load_config(path: str | os.PathLike[str]) -> SentinelConfig:
    """Read, validate and resolve one config file."""
    path = Path(path).resolve()
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    raw = _read_toml(path)
    if path.name == "pyproject.toml":
        raw = raw.get("tool", {}).get("sentinel")
        if raw is None:
            raise ConfigError(f"{path}: no [tool.sentinel] table")
    return config_from_mapping(raw, source=path)


def config_from_mapping(raw: Mapping[str, Any], *, source: Path) -> SentinelConfig:
    """Validate a parsed mapping as if it had been read from ``source``."""
    try:
        config = SentinelConfig.model_validate(dict(raw))
    except pydantic.ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, source)) from None
    config = config.model_copy(update={"source": source})
    return _resolve_paths(config)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _format_validation_error(exc: pydantic.ValidationError, source: Path) -> str:
    lines = [f"{source}: invalid configuration ({exc.error_count()} problem(s)):"]
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        # pydantic reports the failing branch of a union as a location part; drop it.
        loc = [p for p in loc if p not in {"function-after[_one_source(), DataSource]"}]
        key = _toml_key(loc)
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; see docs/configuration.md)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        else:
            msg = err["msg"].removeprefix("Value error, ")
            if "input" in err and err["type"] not in {"value_error"}:
                msg += f" (got {err['input']!r})"
        lines.append(f"  {key}: {msg}")
    return "\n".join(lines)


def _toml_key(loc: list[str]) -> str:
    if not loc:
        return "(top level)"
    *tables, leaf = loc
    return f"[{'.'.join(tables)}] {leaf}" if tables else leaf


def _resolve_paths(config: SentinelConfig) -> SentinelConfig:
    """Make relative paths absolute against the config file and check they exist."""
    base = config.base_dir
    problems: list[str] = []

    def resolve(path: Path | None, key: str, must_exist: bool = True) -> Path | None:
        if path is None:
            return None
        full = path.expanduser()
        full = full if full.is_absolute() else (base / full)
        full = Path(os.path.normpath(full))
        if must_exist and not full.exists():
            problems.append(f"  {key}: file not found: {full}")
        return full

    data = config.data.model_copy(update={"path": resolve(config.data.path, "[data] path")})
    production = config.production
    if production is not None:
        production = production.model_copy(update={"path": resolve(production.path, "[production] path")})
    models: dict[str, ModelSpec | None] = {}
    for role in ("candidate", "champion"):
        spec: ModelSpec | None = getattr(config.models, role)
        if spec is not None:
            spec = spec.model_copy(update={"path": resolve(spec.path, f"[models.{role}] path")})
        models[role] = spec
    training = config.training.model_copy(update={"log": resolve(config.training.log, "[training] log")})
    mon = config.monitor
    monitor = mon.model_copy(
        update={
            "reference": resolve(mon.reference, "[monitor] reference"),
            "labels": resolve(mon.labels, "[monitor] labels"),
            "history": resolve(mon.history, "", must_exist=False),
            "evidently_workspace": resolve(mon.evidently_workspace, "", must_exist=False),
        }
    )
    if problems:
        raise ConfigError("\n".join([f"{config.source}: missing file(s):", *problems]))
    reg = config.registry
    uri = reg.store
    if uri.startswith("sqlite:///") and not Path(uri.removeprefix("sqlite:///")).is_absolute():
        uri = f"sqlite:///{resolve(Path(uri.removeprefix('sqlite:///')), '', must_exist=False)}"
    registry = reg.model_copy(
        update={
            "tracking_uri": uri,
            "artifact_location": resolve(reg.artifact_location, "", must_exist=False),
            "audit_log": resolve(reg.audit_log, "", must_exist=False),
        }
    )
    return config.model_copy(
        update={
            "data": data,
            "production": production,
            "models": Models(**models),
            "training": training,
            "registry": registry,
            "monitor": monitor,
        }
    )
