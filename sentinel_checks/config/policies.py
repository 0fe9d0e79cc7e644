"""The sections holding the gate's limits: ``[contract]``, ``[leakage]``, ``[quality]``,
``[drift]``, ``[training]``, ``[promotion]`` and ``[gate]``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from sentinel_checks.config.section import LabelValue, _Section


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
    min_pr_auc_skill: float = Field(default=0.05, ge=0.0, le=1.0)
    # quality.too_good: test ROC AUC at or above this (or recall = precision = 1) is a leak hint
    too_good_auc: float = Field(default=0.99, gt=0.5, le=1.0)
    too_good_action: Literal["warn", "fail"] = "warn"
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
    baseline_max_train_rows: int = Field(default=50_000, ge=1_000)
    baseline_metric: Literal["pr_auc", "roc_auc"] = "pr_auc"
    baseline_margin: float = Field(default=0.01, ge=0.0, le=1.0)
    baseline_rule: Literal["no_worse", "better"] = "no_worse"
    baseline_bound: Literal["bootstrap", "point"] = "bootstrap"
    bootstrap_resamples: int = Field(default=200, ge=20, le=10_000)

    renamed_keys: ClassVar[Mapping[str, str]] = {
        "min_pr_auc_lift": (
            "by [quality] min_pr_auc_skill, the floor on (PR AUC − prevalence) / (1 − prevalence), "
            "reachable at every prevalence (a lift of L at prevalence p is a skill of "
            "(L·p − p) / (1 − p); see docs/configuration.md)"
        ),
    }

    @model_validator(mode="after")
    def _floor_within_target(self) -> Quality:
        # the threshold is tuned on validation for target_recall; a floor above it
        # would fail, on test, the very recall the threshold was chosen for
        if self.min_recall > self.target_recall:
            raise ValueError(
                f"min_recall ({self.min_recall}) is above target_recall ({self.target_recall}): the "
                "threshold is chosen for target_recall, so the floor must be at most the target"
            )
        return self

    @field_validator("baseline_margin", mode="before")
    @classmethod
    def _margin_is_a_deficit(cls, v: object) -> object:
        if isinstance(v, int | float) and not isinstance(v, bool) and v < 0:
            raise ValueError(
                f"baseline_margin = {v} is negative: it is now the deficit the candidate may have "
                f"against a baseline (≥ 0; the candidate fails when shown worse by more). The old "
                f"negative form 'lead must reach {v}' is baseline_margin = {-v}"
            )
        return v


SPLIT_SOURCES = ("train", "val", "test", "production")


def _check_pairs(pairs: list[str]) -> list[str]:
    for pair in pairs:
        a, sep, b = pair.partition(":")
        if not sep or a not in SPLIT_SOURCES or b not in SPLIT_SOURCES or a == b:
            raise ValueError(f"{pair!r} is not 'reference:current' with two of {', '.join(SPLIT_SOURCES)}")
    return pairs


#: Removed ``[drift]`` keys of drift.labels and what replaced them (a clear error, not "extra key").
class DriftPolicy(_Section):
    """Distribution shift between splits and production (Evidently)."""

    renamed_keys: ClassVar[Mapping[str, str]] = {
        "label_max_rel_change": (
            "by [drift] label_max_odds_ratio (default 1.5: the odds may move by at most ×/÷1.5); "
            "drift.labels judges the odds ratio both ways"
        ),
        "label_alpha": (
            "by [gate] false_block_rate (default 0.05): drift.labels decides on confidence "
            "intervals whose coverage comes from the gate's false-block budget"
        ),
    }

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
    #: Severe-effect limit by Evidently stattest name, over the built-in table
    #: (sentinel_checks.checks.drift_severity.SEVERE_EFFECT); a feature at or over it fails.
    severe_effect: dict[str, float] = Field(default_factory=dict)
    important_feature_share: float = Field(default=0.25, ge=0.0, le=1.0)
    importance_rows: int = Field(default=5000, ge=100)
    importance_repeats: int = Field(default=5, ge=1, le=100)
    max_missing_increase: float = Field(default=0.10, ge=0.0, le=1.0)
    min_rows: int = Field(default=200, ge=1)
    label_max_odds_ratio: float = Field(default=1.5, gt=1.0)
    label_max_abs_change: float = Field(default=0.002, ge=0.0, le=1.0)
    max_ece_increase: float = Field(default=0.01, ge=0.0, le=1.0)
    max_brier_increase: float | None = Field(default=None, ge=0.0, le=1.0)
    max_score_psi: float = Field(default=0.2, ge=0.0)
    max_flagged_change: float = Field(default=0.05, ge=0.0, le=1.0)
    segment_columns: list[str] = Field(default_factory=list)
    min_segment_rows: int = Field(default=1000, ge=1)
    max_rows: int = Field(default=50_000, ge=1_000, validate_default=True)

    #: The largest ``max_rows`` with ``empirical_mmd``: Evidently 0.7's test builds
    #: (2 x rows)² float64 kernel matrices (several at once: 128 MiB each at 2,000 rows a
    #: side) and permutes one 100 times per column (about 12 s a column at 2,000 rows).
    KERNEL_MAX_ROWS: ClassVar[int] = 2_000

    @field_validator("max_rows")
    @classmethod
    def _kernel_rows(cls, v: int, info: ValidationInfo) -> int:
        methods = [info.data.get("method"), *(info.data.get("per_column_method") or {}).values()]
        if "empirical_mmd" in methods and v > cls.KERNEL_MAX_ROWS:
            gib = (2 * v) ** 2 * 8 / 2**30
            raise ValueError(
                f"empirical_mmd builds (2 x max_rows)² kernel matrices in memory, several at "
                f"once ({gib:,.0f} GiB each at max_rows = {v:,}: the gate is killed for memory), "
                f"and permutes them 100 times per column: set max_rows = {cls.KERNEL_MAX_ROWS} "
                "or less, or use another method"
            )
        return v

    @field_validator("feature_pairs", "label_pairs", "score_pairs", "required_pairs")
    @classmethod
    def _pairs(cls, v: list[str]) -> list[str]:
        return _check_pairs(v)

    @field_validator("score_pairs")
    @classmethod
    def _scored_sides(cls, v: list[str]) -> list[str]:
        # the candidate is scored on val, test and production, never on train
        for pair in v:
            if "train" in pair.split(":"):
                raise ValueError(
                    f"{pair!r}: the candidate's scores exist for val, test and production, not train"
                )
        return v

    @field_validator("method")
    @classmethod
    def _method(cls, v: str | None) -> str | None:
        from sentinel_checks.adapters.evidently_drift import KNOWN_TESTS

        if v is not None and v not in KNOWN_TESTS:
            raise ValueError(f"{v!r} is not one of {', '.join(sorted(KNOWN_TESTS))}{_renamed(v)}")
        return v

    @field_validator("severe_effect")
    @classmethod
    def _severe(cls, v: dict[str, float]) -> dict[str, float]:
        from sentinel_checks.adapters.evidently_drift import DISTANCE_TESTS

        bad = {k: x for k, x in v.items() if k not in DISTANCE_TESTS or not x > 0}
        if bad:
            raise ValueError(
                f"{', '.join(f'{k} = {x}' for k, x in bad.items())}: each key must be a distance method, "
                f"one of {', '.join(sorted(DISTANCE_TESTS))} "
                "(a p-value test is judged by the effect size measured beside it), each limit > 0"
            )
        return v

    @field_validator("per_column_method")
    @classmethod
    def _methods(cls, v: dict[str, str]) -> dict[str, str]:
        from sentinel_checks.adapters.evidently_drift import KNOWN_TESTS

        bad = {k: m for k, m in v.items() if m not in KNOWN_TESTS}
        if bad:
            shown = ", ".join(f"{k} = {m!r}" for k, m in bad.items())
            hints = "".join(dict.fromkeys(_renamed(m) for m in bad.values()))
            raise ValueError(f"unknown method(s) {shown}; use one of {', '.join(sorted(KNOWN_TESTS))}{hints}")
        return v


#: Drift method names the gate once accepted, and Evidently's own name for each.
_RENAMED_METHODS = {"epps_singleton": "es"}


def _renamed(method: str) -> str:
    """A hint for a method under a name the gate once accepted, else ``""``."""
    new = _RENAMED_METHODS.get(method)
    return f" ({method!r} is Evidently's {new!r}: write {new!r})" if new else ""


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
        default_factory=lambda: list[Literal["test", "production"]](["test", "production"]), min_length=1
    )
    shared_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    #: The champion's operating threshold in production; default: chosen on validation
    #: for [quality] target_recall ([quality] threshold is the candidate's alone).
    champion_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    max_fnr_increase: float = Field(default=0.03, ge=0.0, le=1.0)
    max_precision_drop: float = Field(default=0.02, ge=0.0, le=1.0)
    target_metric: Literal["pr_auc", "roc_auc"] = "pr_auc"
    max_target_drop: float = Field(default=0.01, ge=0.0, le=1.0)
    min_target_lead: float = Field(default=0.0, ge=-1.0, le=1.0)
    require_improvement: bool = False
    max_flip_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    bootstrap_resamples: int = Field(default=500, ge=50, le=10_000)

    @model_validator(mode="after")
    def _one_threshold_rule(self) -> Promotion:
        if self.champion_threshold is not None and self.shared_threshold is not None:
            raise ValueError(
                f"champion_threshold ({self.champion_threshold}) and shared_threshold "
                f"({self.shared_threshold}) are both set: shared_threshold judges both models at "
                "one threshold, champion_threshold the champion at its own; keep one"
            )
        return self

    renamed_keys: ClassVar[Mapping[str, str]] = {
        "target_bound": (
            "by [promotion] require_improvement: the target metric is now always judged on its "
            "paired bootstrap interval (a "
            "candidate shown worse than the champion by more than max_target_drop fails); "
            'for target_bound = "bootstrap" (an improvement must be shown) use '
            'require_improvement = true; for target_bound = "point" delete the key'
        ),
    }


class Gate(_Section):
    """Run-wide settings: the seed, and which checks block when they are inconclusive."""

    #: Seeds every draw of the run (samples, folds, resamples, Evidently's permutations):
    #: 0 to 4294967295 (2³² - 1), the seeds numpy's ``RandomState`` and scikit-learn's ``random_state`` take.
    seed: int = 0
    #: The chance a sound retrain is blocked by the statistical checks together, at most
    #: (shared across checks by :mod:`sentinel_checks.gate.budget`).
    false_block_rate: float = Field(default=0.05, gt=0.0, le=0.5)
    #: Check ids whose INCONCLUSIVE result fails the gate; every other inconclusive
    #: result is reported (terminal, gate.md, HTML) and lets the gate pass.
    block_inconclusive: list[str] = Field(default_factory=list)
    #: Run Evidently's drift reports in a second process beside the other checks
    #: (:mod:`sentinel_checks.gate.drift_worker`), on two cores or more: ``"auto"`` with
    #: ``[data] engine = "pandas"`` or ``"duckdb"`` (not Spark, whose JVM runs beside the
    #: gate), ``true`` with any engine, ``false`` never. Same results either way.
    drift_process: bool | Literal["auto"] = "auto"

    @field_validator("seed", mode="before")
    @classmethod
    def _seed_range(cls, v: object) -> object:
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 2**32 - 1:
            raise ValueError(
                f"{str(v).lower() if isinstance(v, bool) else repr(v)} is not a seed numpy and "
                "scikit-learn take: use a whole number from 0 to 4294967295"
            )
        return v

    @field_validator("drift_process", mode="before")
    @classmethod
    def _drift_process(cls, v: object) -> object:
        if v is True or v is False or v == "auto":  # not "yes" or 1: one of three words
            return v
        raise ValueError(f'{v!r} is not one of true, false, "auto"')

    @field_validator("block_inconclusive")
    @classmethod
    def _known_checks(cls, v: list[str]) -> list[str]:
        from difflib import get_close_matches

        from sentinel_checks.check_ids import CHECK_IDS

        for check_id in v:
            if check_id not in CHECK_IDS:
                close = get_close_matches(check_id, sorted(CHECK_IDS), n=1)
                did = f"; did you mean {close[0]!r}?" if close else f"; known checks: {sorted(CHECK_IDS)}"
                raise ValueError(f"{check_id!r} is not a check id{did}")
        return v
