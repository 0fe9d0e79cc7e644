"""``sentinel demo``: write the golden-incident data, three models and two gate configs.

Everything goes under one folder (default ``./sentinel-demo``). A manifest
(``demo.json``) records the sha256 of every file written; a later run overwrites
only files the manifest lists with their recorded content, so nothing a user
created or edited there is lost (:mod:`sentinel_checks.demo.manifest`). How the
models are trained and measured: :mod:`sentinel_checks.demo.training`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from sentinel_checks.adapters import skops_io
from sentinel_checks.config.toml_writer import toml_dumps
from sentinel_checks.data.fingerprints import fingerprint_file
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
from sentinel_checks.demo.manifest import DEMO_FILES as DEMO_FILES
from sentinel_checks.demo.manifest import MANIFEST as MANIFEST
from sentinel_checks.demo.manifest import DemoWriteError as DemoWriteError
from sentinel_checks.demo.manifest import refuse_foreign_files as refuse_foreign_files
from sentinel_checks.demo.training import CATEGORICAL as CATEGORICAL
from sentinel_checks.demo.training import TARGET_RECALL as TARGET_RECALL
from sentinel_checks.demo.training import ModelReport as ModelReport
from sentinel_checks.demo.training import fit_and_report
from sentinel_checks.demo.training import make_pipeline as make_pipeline
from sentinel_checks.demo.training import sound_model as sound_model
from sentinel_checks.demo.training import training_log as training_log
from sentinel_checks.reports.gate_report import write_atomic

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


@dataclass
class DemoResult:
    folder: Path
    configs: dict[str, Path]
    models: list[ModelReport] = field(default_factory=list)
    seconds: float = 0.0


def build_demo(folder: Path, *, n_requests: int = 200_000, seed: int = 7) -> DemoResult:
    """Generate, train and write the whole demo into ``folder``."""
    started = time.perf_counter()
    folder = folder.resolve()
    refuse_foreign_files(folder, DEMO_FILES)  # before anything is generated or written

    log = generate(n_requests, seed=seed)
    prod_labelled = log.production[log.production["label"].notna()]
    reports: list[ModelReport] = []
    models: dict[str, Pipeline] = {}

    # 1. The champion: a sound split, trained before the September shift.
    champ = group_time_split(log.offline, timestamp="request_ts", entities=["user_id"], **CHAMPION_SPLIT)
    models["champion"], report = fit_and_report(
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
    models["incident"], report = fit_and_report(
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
    models["fixed"], report = fit_and_report(
        "fixed",
        "time+user split through mid-September, as-of history, class weights then Platt "
        "calibration, "
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
    champion_threshold = round(by_name["champion"].threshold, 4)  # the one it runs at in production
    write_atomic(folder / "incident.toml", _incident_config(by_name["incident"], champion_threshold))
    record("incident.toml")
    write_atomic(folder / "fixed.toml", _fixed_config(by_name["fixed"], champion_threshold))
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


def _common_tables(
    features: list[str], champion_features: list[str], champion_threshold: float
) -> list[tuple[str, dict[str, Any]]]:
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
        (
            "The champion is judged at the threshold it runs at in production, chosen on its own\n"
            "validation for recall 80% ([quality] threshold is the candidate's alone).",
            {"promotion": {"champion_threshold": champion_threshold}},
        ),
    ]


def _config_text(header: str, chunks: list[tuple[str, dict[str, Any]]]) -> str:
    """A demo config: the header comment, then each chunk of tables (tomli-w) after its comment."""
    parts = [header]
    for comment, tables in chunks:
        parts.append(("".join(f"# {line}\n" for line in comment.splitlines())) + toml_dumps(tables))
    return "\n".join(parts)


def _incident_config(report: ModelReport, champion_threshold: float) -> str:
    header = f"""# Gradient Sentinel demo: the incident ("the retrain a month ago").
# Written by `sentinel demo`. Expected: the gate FAILS (time order, entity overlap,
# target leakage, and the recall floor of the risky class).
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
            *_common_tables(report.features, CHAMPION_FEATURES, champion_threshold),
        ],
    )


def _fixed_config(report: ModelReport, champion_threshold: float) -> str:
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
            *_common_tables(report.features, CHAMPION_FEATURES, champion_threshold),
        ],
    )
