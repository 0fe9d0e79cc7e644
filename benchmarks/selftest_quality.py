"""Verdict quality of the gate: ``sentinel selftest`` on two datasets.

Run by hand (not part of the test suite; about 21 + 11 minutes on 2 cores):

    .venv/bin/python benchmarks/selftest_quality.py [--rows 200000] [--resamples 20]

1. **demo**: ``sentinel demo`` (the golden incident's data), judged with the fixed
   pipeline's config (``fixed.toml``: a sound candidate, a champion, a training log).
2. **renamed**: the demo generator (same seed) with every column renamed
   (``outcome`` with string labels ``fraud``/``legit``, ``event_time``, ``txn_id``,
   ``account``/``visit`` entities, ``region``/``product`` segments); its own
   class-weighted, calibrated boosting model saved with skops; a time split with
   entities purged; no champion and no training log (those faults report "not
   applicable").

For each: the self-test's detection per fault and strength, the weakest strength
caught, and the false-alarm rate of every check over the clean resamples. The
figures go into docs/selftest.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

RENAME = {
    "label": "outcome",
    "request_ts": "event_time",
    "request_id": "txn_id",
    "user_id": "account",
    "session_id": "visit",
    "country": "region",
    "channel": "product",
    "amount": "value_eur",
    "account_age_days": "tenure_days",
    "hour": "hour_of_day",
    "device_new": "new_device",
    "ip_risk": "network_risk",
    "user_prior_requests": "prior_txns",
    "user_prior_risk_rate": "prior_fraud_rate",
}
CATEGORICAL = ["region", "product"]

RENAMED_CONFIG = """
[data]
path = "data/events.parquet"

[production]
path = "data/live.parquet"

[columns]
label = "outcome"
positive = "fraud"
negative = "legit"
timestamp = "event_time"
id = "txn_id"
entities = ["account", "visit"]
segments = ["region", "product"]
features = {features}

[splits]
method = "time"
val_start = "2025-09-15"
test_start = "2025-10-01"
embargo = "1D"
purge_entities = true

[models.candidate]
path = "model.skops"
trusted_types = {trusted}

[quality]
target_recall = 0.8
# as in the demo: the baselines use the raw request features, the candidate adds history
baseline_features = {base}
"""


def renamed_dataset(folder: Path, rows: int) -> Path:
    """The demo generator, renamed, with its own model: a dataset the gate was not tuned on."""
    import skops.io as sio
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    from sentinel_checks.data.splits import group_time_split
    from sentinel_checks.demo.data import FEATURES_BASE, FEATURES_HISTORY, generate

    log = generate(rows, seed=7)  # the demo's process and seed; names, labels, split and model differ
    frames = {}
    for name, frame in (("events", log.offline), ("live", log.production)):
        out = frame.rename(columns=RENAME)
        out["outcome"] = np.where(out["outcome"].eq("risky"), "fraud", "legit")
        out.loc[frame["label"].isna().to_numpy(), "outcome"] = None
        frames[name] = out
    features = [RENAME[f] for f in [*FEATURES_BASE, *FEATURES_HISTORY]]
    splits = group_time_split(
        frames["events"],
        timestamp="event_time",
        entities=["account", "visit"],
        val_start="2025-09-15",
        test_start="2025-10-01",
        embargo="1D",
    )
    encode = ColumnTransformer(
        [
            ("categories", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL),
            ("numbers", "passthrough", [f for f in features if f not in CATEGORICAL]),
        ],
        verbose_feature_names_out=False,
    )
    booster = Pipeline(
        [
            ("encode", encode),
            (
                "boost",
                HistGradientBoostingClassifier(
                    max_iter=65, learning_rate=0.1, max_depth=3, class_weight="balanced", random_state=0
                ),
            ),
        ]
    )
    model = CalibratedClassifierCV(booster, method="sigmoid", cv=3, ensemble=False)
    model.fit(splits.train[features], splits.train["outcome"].eq("fraud").to_numpy())
    (folder / "data").mkdir(parents=True)
    frames["events"].to_parquet(folder / "data/events.parquet", index=False)
    frames["live"].to_parquet(folder / "data/live.parquet", index=False)
    sio.dump(model, folder / "model.skops")
    trusted = sio.get_untrusted_types(file=folder / "model.skops")
    config = folder / "sentinel.toml"
    config.write_text(
        textwrap.dedent(
            RENAMED_CONFIG.format(
                features=json.dumps(features),
                trusted=json.dumps(trusted),
                base=json.dumps([RENAME[f] for f in FEATURES_BASE]),
            )
        )
    )
    return config


def selftest(config: Path, reports: Path, resamples: int) -> dict:
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sentinel_checks.cli",
            "selftest",
            "--config",
            str(config),
            "--reports",
            str(reports),
            "--resamples",
            str(resamples),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if not (reports / "selftest.json").is_file():
        raise SystemExit(f"selftest did not report (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    doc = json.loads((reports / "selftest.json").read_text())
    doc["exit_code"] = proc.returncode
    doc["wall_seconds"] = time.perf_counter() - started
    return doc


def summary(name: str, doc: dict) -> str:
    verdict = f"self-test {doc['verdict'].upper()} (exit {doc['exit_code']}, {doc['wall_seconds']:.0f} s)"
    lines = [f"\n## {name}: {verdict}"]
    lines.append(f"{'fault':26} {'weakest caught':>16} {'at default':>11}  caught by")
    for f in doc["faults"]:
        if not f["applicable"]:
            lines.append(f"{f['name']:26} {'n/a':>16} {'':>11}  {f['not_applicable_because']}")
            continue
        weakest = f["weakest_detected_strength"]
        shown = "none" if weakest is None else f"{weakest:g}"
        default = next(r for r in f["runs"] if r["strength"] == f["default_strength"])
        lines.append(
            f"{f['name']:26} {shown:>16} {('yes' if f['caught_at_default'] else 'NO'):>11}  "
            f"{', '.join(default['caught_by'])}"
        )
    alarms = {k: v for k, v in doc["false_alarms"].items() if v["failed"]}
    n = next(iter(doc["false_alarms"].values()))["resamples"] if doc["false_alarms"] else 0
    lines.append(f"false alarms over {n} clean resamples: " + (json.dumps(alarms) if alarms else "none"))
    for reason in doc["reasons"]:
        lines.append(f"  reason: {reason}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--resamples", type=int, default=20)
    parser.add_argument("--out", type=Path, help="keep the data and reports here (default: a temp folder)")
    parser.add_argument("--only", choices=["demo", "renamed"], help="one of the two datasets")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.out or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        docs = {}
        if args.only in (None, "demo"):
            demo = [sys.executable, "-m", "sentinel_checks.cli", "demo", "--out", str(root / "demo")]
            subprocess.run([*demo, "--rows", str(args.rows)], check=True, capture_output=True)
            docs["demo (fixed.toml)"] = selftest(
                root / "demo/fixed.toml", root / "demo-reports", args.resamples
            )
        if args.only in (None, "renamed"):
            config = renamed_dataset(root / "renamed", args.rows)
            docs["renamed dataset"] = selftest(config, root / "renamed-reports", args.resamples)
        for name, doc in docs.items():
            print(summary(name, doc))


if __name__ == "__main__":
    main()
