"""A retraining pipeline that promotes only what the gate passed (runbook steps 12 and 15–16).

Run from any empty folder, with only the installed package (``pip install
'gradient-sentinel[mlflow]'``):

    python retrain.py --workdir pipeline

What it does, as a team's scheduled retrain would:

1. ``sentinel demo``: the request log, the production sample and the model serving
   today (``models/champion.skops``).
2. ``sentinel adopt``: register that model as the first ``@champion`` of the local
   registry (``pipeline/registry``).
3. Retrain **the bad way** (the incident: the old window, a random row split, a
   feature computed over the whole log, no class weights, threshold 0.5), run the
   gate against ``@champion``, and promote only on a pass. It is blocked.
4. Retrain **the sound way** (time+user split through the shifted months, as-of
   history features, class weights, calibrated, threshold chosen for recall 0.8),
   gate, promote. It becomes ``@champion``, the adopted model ``@previous``.
5. ``sentinel rollback``: the adopted model serves again.

It prints each step and, last, one JSON line with what happened (gate exit codes,
the champion version after each step), which the repository's test reads.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from sentinel_checks.adapters import skops_io
from sentinel_checks.demo.build import FIXED_SPLIT, build_demo, make_pipeline, sound_model, training_log
from sentinel_checks.demo.data import FEATURES_BASE, FEATURES_HISTORY, LEAKY_FEATURE, SHIFT
from sentinel_checks.splits import group_time_split

REGISTRY = "risk-classifier"


def sentinel(*args: str) -> int:
    """Run the ``sentinel`` command as CI would; its output goes to the log."""
    command = [sys.executable, "-m", "sentinel_checks.cli", *args]
    print("$ sentinel " + " ".join(args), flush=True)
    return subprocess.run(command, check=False).returncode


def champion_version(config: Path) -> str | None:
    out = subprocess.run(
        [sys.executable, "-m", "sentinel_checks.cli", "status", "--config", str(config), "--json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    entry = json.loads(out)["aliases"]["champion"]
    return None if entry is None else str(entry["version"])


def registry_table(workdir: Path) -> str:
    root = (workdir / "registry").resolve()
    return (
        f'\n[registry]\ntracking_uri = "sqlite:///{root / "mlflow.db"}"\n'
        f'artifact_location = "{root / "artifacts"}"\naudit_log = "{root / "audit.jsonl"}"\n'
        f'model_name = "{REGISTRY}"\n'
    )


def gated_config(demo: Path, template: str, candidate: str, workdir: Path) -> Path:
    """The demo's config for this training recipe, judging ``candidate`` (and its training
    log) against ``@champion``."""
    text = (demo / template).read_text(encoding="utf-8")
    text = text.replace('path = "models/champion.skops"', f'uri = "models:/{REGISTRY}@champion"')
    stem = Path(candidate).stem
    for recipe in ("incident", "fixed"):
        text = text.replace(f'path = "models/{recipe}.skops"', f'path = "{candidate}"')
        text = text.replace(f'log = "training/{recipe}.csv"', f'log = "training/{stem}.csv"')
    path = demo / f"gate_{Path(candidate).stem}.toml"
    path.write_text(text + registry_table(workdir), encoding="utf-8")
    return path


def retrain_bad(demo: Path) -> str:
    """The incident's recipe, retrained: old window, random split, leaky feature, no weights."""
    import pandas as pd

    frame = pd.read_parquet(demo / "data/incident_requests.parquet")  # May-August, split column
    features = [*FEATURES_BASE, LEAKY_FEATURE]
    train, val = frame[frame["split"] == "train"], frame[frame["split"] == "val"]
    model = make_pipeline(features, class_weight=None, seed=11)
    model.fit(train[features], train["label"].eq("risky").to_numpy())
    training_log(model, train, val, features, balanced=False).to_csv(
        demo / "training/retrained_bad.csv", index=False
    )
    skops_io.dump(model, demo / "models/retrained_bad.skops")
    return "models/retrained_bad.skops"


def retrain_sound(demo: Path) -> str:
    """The fixed recipe, retrained: time+user split through the shift, as-of history, weights."""
    import pandas as pd

    frame = pd.read_parquet(demo / "data/requests.parquet")
    features = FEATURES_BASE + FEATURES_HISTORY
    splits = group_time_split(frame, timestamp="request_ts", entities=["user_id"], **FIXED_SPLIT)
    model = sound_model(features, seed=11)
    model.fit(splits.train[features], splits.train["label"].eq("risky").to_numpy())
    log = training_log(model, splits.train, splits.val, features, balanced=True)
    log.to_csv(demo / "training/retrained_sound.csv", index=False)
    skops_io.dump(model, demo / "models/retrained_sound.skops")
    return "models/retrained_sound.skops"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("pipeline"))
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    workdir = args.workdir.resolve()
    demo = workdir / "demo"
    np.seterr(all="ignore")
    summary: dict[str, object] = {"shift": str(SHIFT)}

    print("== 1. the data and the model serving today", flush=True)
    build_demo(demo, n_requests=args.rows)
    adopt_config = demo / "adopt.toml"
    adopt_config.write_text((demo / "fixed.toml").read_text(encoding="utf-8") + registry_table(workdir))

    print("== 2. adopt it as the first @champion", flush=True)
    if sentinel("adopt", "--config", str(adopt_config), "--reason", "serving before the gate existed") != 0:
        return 2
    summary["adopted"] = champion_version(adopt_config)

    for name, recipe, template in (
        ("bad", retrain_bad, "incident.toml"),
        ("sound", retrain_sound, "fixed.toml"),
    ):
        print(f"== retrain the {name} way, gate it against @champion, promote only on a pass", flush=True)
        config = gated_config(demo, template, recipe(demo), workdir)
        reports = workdir / f"reports_{name}"
        code = sentinel("gate", "--config", str(config), "--reports", str(reports), "--", "-q", "--no-header")
        summary[f"{name}_gate_exit"] = code
        if code == 0:
            summary[f"{name}_promote_exit"] = sentinel(
                "promote", "--config", str(config), "--report", str(reports / "gate.json")
            )
        else:
            print(f"   blocked: the gate failed (exit {code}); see {reports / 'gate.md'}", flush=True)
        summary[f"champion_after_{name}"] = champion_version(config)

    print("== rollback: the previous champion serves again", flush=True)
    summary["rollback_exit"] = sentinel("rollback", "--config", str(adopt_config), "--reason", "drill")
    summary["champion_after_rollback"] = champion_version(adopt_config)
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
