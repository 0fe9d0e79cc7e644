"""``sentinel demo``: write the golden-incident data, three models and two gate configs.

Everything goes under one folder (default ``./sentinel-demo``). A manifest
(``demo.json``) records the sha256 of every file written; a later run overwrites
only files the manifest lists with their recorded content, so nothing a user
created or edited there is lost.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from sentinel_checks.adapters import skops_io
from sentinel_checks.data.io import fingerprint_file, risky_mask
from sentinel_checks.data.splits import group_time_split
from sentinel_checks.demo.data import (
    FEATURES_BASE,
    FEATURES_HISTORY,
    LEAKY_FEATURE,
    NEGATIVE,
    POSITIVE,
    SHIFT,
    generate,
)
from sentinel_checks.errors import SentinelError
from sentinel_checks.models.thresholds import recall_at, select_threshold_for_recall
from sentinel_checks.reports.gate_report import write_atomic
from sentinel_checks.toml_writer import toml_dumps

MANIFEST = "demo.json"
CATEGORICAL = ["country", "channel"]
TARGET_RECALL = 0.80
CHAMPION_FEATURES = FEATURES_BASE + FEATURES_HISTORY
TRUSTED_TYPES = [
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
]

# The sound pipeline's time split (half-open, 1-day embargo, users purged).
FIXED_SPLIT = {"val_start": "2025-09-15", "test_start": "2025-10-01", "embargo": "1D"}
# The champion: trained before the shift, with a sound split.
CHAMPION_SPLIT = {"val_start": "2025-07-01", "test_start": "2025-08-01", "end": "2025-09-01"}


class DemoWriteError(SentinelError):
    """The demo folder holds files the demo did not create (or that were edited)."""


@dataclass
class ModelReport:
    name: str
    story: str
    features: list[str]
    threshold: float
    threshold_rule: str
    offline_auc: float
    production_auc: float
    production_recall: float
    production_positives: int

    def row(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "threshold": round(self.threshold, 4),
            "threshold_rule": self.threshold_rule,
            "offline_val_auc": round(self.offline_auc, 4),
            "production_auc": round(self.production_auc, 4),
            "production_recall": round(self.production_recall, 4),
            "production_fnr": round(1 - self.production_recall, 4),
            "production_positives": self.production_positives,
        }


@dataclass
class DemoResult:
    folder: Path
    configs: dict[str, Path]
    models: list[ModelReport] = field(default_factory=list)
    seconds: float = 0.0


def make_pipeline(
    features: list[str],
    *,
    class_weight: str | None,
    seed: int,
    max_depth: int | None = None,
    max_iter: int = 150,
    learning_rate: float = 0.08,
) -> Pipeline:
    """One-hot encode the categoricals and fit histogram gradient boosting.

    (HistGradientBoosting's native categorical support stores a ``functools.partial``
    that skops rightly refuses to trust; one-hot columns need no such type.)
    """
    categorical = [c for c in features if c in CATEGORICAL]
    numeric = [c for c in features if c not in CATEGORICAL]
    encode = ColumnTransformer(
        [
            (
                "categories",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                categorical,
            ),
            ("numbers", "passthrough", numeric),
        ],
        verbose_feature_names_out=False,
    )
    model = HistGradientBoostingClassifier(
        max_iter=max_iter,
        learning_rate=learning_rate,
        max_depth=max_depth,
        max_leaf_nodes=31,
        class_weight=class_weight,
        early_stopping=False,
        random_state=seed,
    )
    return Pipeline([("encode", encode), ("model", model)])


def _xy(frame: pd.DataFrame, features: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    return frame[features], _risky(frame)


def _risky(frame: pd.DataFrame) -> np.ndarray:
    return risky_mask(frame["label"], positive=POSITIVE, negative=NEGATIVE, where="demo")[0]


def _score(model: Any, frame: pd.DataFrame, features: list[str]) -> np.ndarray:
    x, _ = _xy(frame, features)
    return np.asarray(model.predict_proba(x))[:, 1]


def build_demo(folder: Path, *, n_requests: int = 200_000, seed: int = 7) -> DemoResult:
    """Generate, train and write the whole demo into ``folder``."""
    started = time.perf_counter()
    folder = folder.resolve()
    manifest = _read_manifest(folder)
    planned = [
        "data/requests.parquet",
        "data/incident_requests.parquet",
        "data/production.parquet",
        "models/champion.skops",
        "models/incident.skops",
        "models/fixed.skops",
        "training/incident.csv",
        "training/fixed.csv",
        "incident.toml",
        "fixed.toml",
        MANIFEST,
    ]
    _refuse_foreign_files(folder, planned, manifest)

    log = generate(n_requests, seed=seed)
    prod_labelled = log.production[log.production["label"].notna()]
    reports: list[ModelReport] = []
    models: dict[str, Pipeline] = {}

    # 1. The champion: a sound split, trained before the September shift.
    champ = group_time_split(log.offline, timestamp="request_ts", entities=["user_id"], **CHAMPION_SPLIT)
    models["champion"], report = _fit_and_report(
        "champion",
        "trained on May-June with a sound time+user split, before the shift",
        make_pipeline(CHAMPION_FEATURES, class_weight="balanced", seed=seed),
        champ.train,
        champ.val,
        prod_labelled,
        CHAMPION_FEATURES,
        threshold_rule="recall",
    )
    reports.append(report)

    # 2. The incident: old window, random row split, leaky feature, no class weights, 0.5.
    rng = np.random.default_rng(seed + 1)
    old = log.offline[log.offline["request_ts"] < SHIFT].copy()
    old["split"] = rng.choice(np.array(["train", "val", "test"]), size=len(old), p=[0.7, 0.15, 0.15])
    incident_features = [*FEATURES_BASE, LEAKY_FEATURE]
    models["incident"], report = _fit_and_report(
        "incident",
        "the retrain a month ago: May-August, random row split, "
        f"{LEAKY_FEATURE} over the whole log, no class weights, threshold 0.5",
        make_pipeline(incident_features, class_weight=None, seed=seed),
        old[old["split"] == "train"],
        old[old["split"] == "val"],
        prod_labelled,
        incident_features,
        threshold_rule="0.5",
    )
    reports.append(report)

    # 3. The fixed candidate: time+user split including the shifted months, as-of history.
    fixed_features = FEATURES_BASE + FEATURES_HISTORY
    fixed = group_time_split(log.offline, timestamp="request_ts", entities=["user_id"], **FIXED_SPLIT)
    models["fixed"], report = _fit_and_report(
        "fixed",
        "time+user split through mid-September, as-of history, class weights, "
        f"threshold chosen on validation for recall {TARGET_RECALL:.0%}",
        sound_model(fixed_features, seed=seed),
        fixed.train,
        fixed.val,
        prod_labelled,
        fixed_features,
        threshold_rule="recall",
    )
    reports.append(report)

    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "models").mkdir(parents=True, exist_ok=True)
    (folder / "training").mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}

    def record(rel: str) -> None:
        written[rel] = fingerprint_file(folder / rel)

    log.offline.to_parquet(folder / "data/requests.parquet", index=False)
    record("data/requests.parquet")
    old.to_parquet(folder / "data/incident_requests.parquet", index=False)
    record("data/incident_requests.parquet")
    log.production.to_parquet(folder / "data/production.parquet", index=False)
    record("data/production.parquet")
    for name, model in models.items():
        skops_io.dump(model, folder / f"models/{name}.skops")
        record(f"models/{name}.skops")
    logs = {
        "incident": training_log(
            models["incident"],
            old[old["split"] == "train"],
            old[old["split"] == "val"],
            incident_features,
            balanced=False,
        ),
        "fixed": training_log(models["fixed"], fixed.train, fixed.val, fixed_features, balanced=True),
    }
    for name, frame in logs.items():
        write_atomic(folder / f"training/{name}.csv", frame.to_csv(index=False))
        record(f"training/{name}.csv")
    by_name = {r.name: r for r in reports}
    write_atomic(folder / "incident.toml", _incident_config(by_name["incident"]))
    record("incident.toml")
    write_atomic(folder / "fixed.toml", _fixed_config(by_name["fixed"]))
    record("fixed.toml")

    elapsed = time.perf_counter() - started
    manifest_doc = {
        "generator": "sentinel demo",
        "rows": {"offline": len(log.offline), "production": len(log.production)},
        "seed": seed,
        "files": written,
        "models": [r.row() for r in reports],
    }
    write_atomic(folder / MANIFEST, json.dumps(manifest_doc, indent=2) + "\n")
    return DemoResult(
        folder=folder,
        configs={"incident": folder / "incident.toml", "fixed": folder / "fixed.toml"},
        models=reports,
        seconds=elapsed,
    )


def sound_model(features: list[str], *, seed: int) -> CalibratedClassifierCV:
    """The fixed pipeline's model: shallow class-weighted boosting, then Platt calibration.

    Class weights buy recall but inflate the scores; the sigmoid calibrator (fitted on
    cross-validated predictions, ``ensemble=False`` so the booster sees all of train)
    maps them back to probabilities without changing the ranking.
    """
    # Shallow trees, stopped at 65 iterations where validation loss bottoms out: a longer
    # run overfits, and the gate's training.curves check says so.
    booster = make_pipeline(
        features, class_weight="balanced", seed=seed, max_depth=3, max_iter=65, learning_rate=0.1
    )
    return CalibratedClassifierCV(booster, method="sigmoid", cv=3, ensemble=False)


def training_log(
    model: Any, train: pd.DataFrame, val: pd.DataFrame, features: list[str], *, balanced: bool
) -> pd.DataFrame:
    """Per-iteration train and validation log loss of a fitted boosting pipeline (real curves)."""
    pipeline = (
        model.calibrated_classifiers_[0].estimator if hasattr(model, "calibrated_classifiers_") else model
    )
    booster = pipeline[-1]
    rows: dict[str, list[float]] = {"epoch": [], "train_loss": [], "val_loss": []}
    sample = train.sample(n=min(len(train), 30_000), random_state=0)
    curves = {}
    for name, frame in (("train_loss", sample), ("val_loss", val)):
        x, y = _xy(frame, features)
        weights = None
        if balanced:
            weights = np.where(y, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
        losses = []
        for proba in booster.staged_predict_proba(pipeline[:-1].transform(x)):
            losses.append(log_loss(y, proba[:, 1], sample_weight=weights, labels=[False, True]))
        curves[name] = losses
    rows["epoch"] = list(range(1, len(curves["train_loss"]) + 1))
    rows["train_loss"] = [round(v, 6) for v in curves["train_loss"]]
    rows["val_loss"] = [round(v, 6) for v in curves["val_loss"]]
    return pd.DataFrame(rows)


def _fit_and_report(
    name: str,
    story: str,
    model: Any,
    train: pd.DataFrame,
    val: pd.DataFrame,
    production: pd.DataFrame,
    features: list[str],
    *,
    threshold_rule: str,
) -> tuple[Any, ModelReport]:
    x, y = _xy(train, features)
    model.fit(x, y)
    val_scores = _score(model, val, features)
    y_val = _risky(val)
    if threshold_rule == "recall":
        threshold = select_threshold_for_recall(y_val, val_scores, target_recall=TARGET_RECALL)
        rule = f"highest threshold with validation recall >= {TARGET_RECALL:.2f}"
    else:
        threshold, rule = 0.5, "library default 0.5 (nobody chose it)"
    prod_scores = _score(model, production, features)
    y_prod = _risky(production)
    return model, ModelReport(
        name=name,
        story=story,
        features=features,
        threshold=threshold,
        threshold_rule=rule,
        offline_auc=float(roc_auc_score(y_val, val_scores)),
        production_auc=float(roc_auc_score(y_prod, prod_scores)),
        production_recall=recall_at(y_prod, prod_scores, threshold),
        production_positives=int(y_prod.sum()),
    )


def _common_tables(features: list[str], champion_features: list[str]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            "",
            {
                "columns": {
                    "label": "label",
                    "positive": POSITIVE,
                    "negative": NEGATIVE,
                    "timestamp": "request_ts",
                    "id": "request_id",
                    "entities": ["user_id", "session_id"],
                    "segments": ["country", "channel"],
                    "features": list(features),
                },
                "production": {"path": "data/production.parquet"},
            },
        ),
        (
            "HistGradientBoosting's tree predictor is not on skops' default trust list.",
            {
                "models": {
                    "champion": {
                        "path": "models/champion.skops",
                        "trusted_types": list(TRUSTED_TYPES),
                        "features": list(champion_features),
                    }
                }
            },
        ),
        (
            "",
            {
                "contract": {
                    "features": {
                        "amount": {"min": 0.0},
                        "channel": {"allowed": ["web", "app", "api", "wallet"]},
                        "ip_risk": {"min": 0.0, "max": 1.0},
                    }
                },
                "gate": {"seed": 0},
            },
        ),
    ]


def _config_text(header: str, chunks: list[tuple[str, dict[str, Any]]]) -> str:
    """A demo config: the header comment, then each chunk of tables (tomli-w) after its comment."""
    parts = [header]
    for comment, tables in chunks:
        parts.append(("".join(f"# {line}\n" for line in comment.splitlines())) + toml_dumps(tables))
    return "\n".join(parts)


def _incident_config(report: ModelReport) -> str:
    header = f"""# Gradient Sentinel demo: the incident ("the retrain a month ago").
# Written by `sentinel demo`. Expected: the gate FAILS (time order, entity overlap,
# row overlap, target leakage, and the recall floor of the risky class).
# {report.story}
# Threshold: {report.threshold} ({report.threshold_rule}).
"""
    return _config_text(
        header,
        [
            (
                "",
                {
                    "data": {"path": "data/incident_requests.parquet"},
                    "splits": {"method": "column", "column": "split"},
                    "models": {
                        "candidate": {"path": "models/incident.skops", "trusted_types": list(TRUSTED_TYPES)}
                    },
                },
            ),
            ("nobody chose the threshold: the library default", {"quality": {"threshold": 0.5}}),
            ("", {"training": {"log": "training/incident.csv"}}),
            *_common_tables(report.features, CHAMPION_FEATURES),
        ],
    )


def _fixed_config(report: ModelReport) -> str:
    header = f"""# Gradient Sentinel demo: the fixed pipeline.
# Written by `sentinel demo`. Expected: the gate PASSES.
# {report.story}
# Threshold: {report.threshold:.4f} ({report.threshold_rule}).
"""
    return _config_text(
        header,
        [
            (
                "",
                {
                    "data": {"path": "data/requests.parquet"},
                    "splits": {"method": "time", **FIXED_SPLIT, "purge_entities": True},
                    "models": {
                        "candidate": {"path": "models/fixed.skops", "trusted_types": list(TRUSTED_TYPES)}
                    },
                },
            ),
            (
                "Baselines A and B use the raw request features; the candidate adds the as-of\n"
                "user-history features (runbook experiment 1), which must earn their place.",
                {"quality": {"target_recall": TARGET_RECALL, "baseline_features": list(FEATURES_BASE)}},
            ),
            (
                "`sentinel experiments --config fixed.toml`: the runbook's experiment matrix.\n"
                "Baselines A and B always run; each experiment changes one thing of its base.",
                {
                    "experiments": {
                        "runs": [
                            {"name": "history_features", "base": "B", "features_add": list(FEATURES_HISTORY)},
                            {"name": "no_class_weights", "base": "B", "class_weight": "none"},
                            {"name": "threshold_0.5", "base": "B", "threshold": 0.5},
                        ]
                    }
                },
            ),
            ("", {"training": {"log": "training/fixed.csv"}}),
            *_common_tables(report.features, CHAMPION_FEATURES),
        ],
    )


def _read_manifest(folder: Path) -> dict[str, str]:
    path = folder / MANIFEST
    if not path.exists():
        return {}
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
        return {str(k): str(v) for k, v in files.items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DemoWriteError(
            f"{path} exists but is not a demo manifest ({exc}); choose another --out folder"
        ) from exc


def _refuse_foreign_files(folder: Path, planned: list[str], manifest: dict[str, str]) -> None:
    foreign = []
    for rel in planned:
        path = folder / rel
        if not path.exists() or (rel == MANIFEST and manifest):
            continue
        if rel not in manifest or not path.is_file() or fingerprint_file(path) != manifest[rel]:
            foreign.append(str(path))
    if foreign:
        listed = "\n  ".join(foreign)
        raise DemoWriteError(
            "sentinel demo would overwrite files it did not create (or that were edited since):\n  "
            f"{listed}\nMove them away or choose another folder with --out."
        )
