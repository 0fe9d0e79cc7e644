"""Time the data-contract and split/leakage checks on large generated logs.

Run by hand (not part of the test suite):

    .venv/bin/python benchmarks/bench_splits.py --rows 1000000 5000000

For each size it writes one request log (parquet, under a temporary folder), then
runs two variants, each in a fresh process so peak memory is its own:

* ``gate``: the checks as the suites call them — contract.schema (pandera) on every
  row, contract.labels per split, splits.time_order / entity_overlap (user_id,
  session_id) / row_overlap for the three split pairs, splits.target_leakage on train;
* ``baseline``: a hand-written pandas/numpy pass computing the same things
  (null and membership tests, min/max timestamps, set intersections of entity ids,
  row hashing with isin, one ROC AUC per feature).

It prints wall time, the peak resident memory during the work above the loaded
frame ("peak MiB") and the process's peak resident memory ("total RSS MiB"), and
the gate/baseline time ratio. The issue's target is a ratio of at most 3.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from memory import PeakRss  # benchmarks/memory.py

FEATURES = ["amount", "country", "channel", "account_age_days", "hour", "device_new", "ip_risk"]
ENTITIES = ["user_id", "session_id"]
PAIRS = [("train", "val"), ("train", "test"), ("val", "test")]


def generate(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    users = rng.integers(0, max(n // 8, 1), n)
    ts = pd.Timestamp("2025-05-01") + pd.to_timedelta(np.sort(rng.uniform(0, 183 * 86400, n)), unit="s")
    y = rng.random(n) < 0.03
    return pd.DataFrame(
        {
            "request_id": pd.RangeIndex(n).astype(str).str.pad(10, fillchar="0"),
            "user_id": pd.Series(users).astype(str).radd("u"),
            "session_id": pd.Series(users * 7 + rng.integers(0, 7, n)).astype(str).radd("s"),
            "request_ts": ts.round("s"),
            "country": rng.choice(["US", "GB", "DE", "BR", "IN", "MX"], n),
            "channel": rng.choice(["web", "app", "api", "wallet"], n),
            "amount": np.round(rng.lognormal(3.4, 0.9, n) * np.where(y, 1.4, 1.0), 2),
            "account_age_days": rng.integers(0, 3000, n),
            "hour": rng.integers(0, 24, n),
            "device_new": rng.random(n) < 0.1,
            "ip_risk": np.round(rng.beta(1.4, 8.0, n), 4),
            "label": np.where(y, "risky", "safe"),
        }
    )


def _splits(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    ts = frame["request_ts"]
    return {
        "train": frame[ts < "2025-09-01"],
        "val": frame[(ts >= "2025-09-01") & (ts < "2025-10-01")],
        "test": frame[ts >= "2025-10-01"],
    }


def run_gate(frame: pd.DataFrame) -> dict[str, str]:
    from sentinel_checks.checks import (
        check_entity_overlap,
        check_labels,
        check_row_overlap,
        check_schema,
        check_target_leakage,
        check_time_order,
    )
    from sentinel_checks.config import Columns, FeatureRule

    columns = Columns(
        label="label",
        positive="risky",
        negative="safe",
        timestamp="request_ts",
        entities=ENTITIES,
        id="request_id",
    )
    rules = {
        "amount": FeatureRule(min=0.0),
        "channel": FeatureRule(allowed=["web", "app", "api", "wallet"]),
    }
    out = {
        "contract.schema": check_schema(frame, columns=columns, features=FEATURES, rules=rules).status.value
    }
    splits = _splits(frame)
    labels = {k: v["label"].eq("risky").to_numpy() for k, v in splits.items()}
    for name, y in labels.items():
        out[f"contract.labels[{name}]"] = check_labels(y, split=name).status.value
    for a, b in PAIRS:
        out[f"time_order[{a},{b}]"] = check_time_order(
            splits[a]["request_ts"], splits[b]["request_ts"], pair=(a, b)
        ).status.value
        for col in ENTITIES:
            out[f"entity[{col},{a},{b}]"] = check_entity_overlap(
                splits[a][col], splits[b][col], column=col, pair=(a, b)
            ).status.value
        out[f"rows[{a},{b}]"] = check_row_overlap(
            splits[a], splits[b], columns=FEATURES, pair=(a, b)
        ).status.value
    out["target_leakage"] = check_target_leakage(
        splits["train"], labels["train"], features=FEATURES
    ).status.value
    return out


def run_baseline(frame: pd.DataFrame) -> dict[str, str]:
    from sklearn.metrics import roc_auc_score

    out = {}
    ok = (
        frame["label"].isin(["risky", "safe"]).all()
        and frame[["label", "request_ts", *ENTITIES]].notna().all().all()
    )
    ok = ok and (frame["amount"] >= 0).all() and frame["channel"].isin(["web", "app", "api", "wallet"]).all()
    out["schema"] = str(bool(ok))
    splits = _splits(frame)
    for name, part in splits.items():
        out[f"labels[{name}]"] = str(int(part["label"].eq("risky").sum()))
    for a, b in PAIRS:
        out[f"time[{a},{b}]"] = str(splits[a]["request_ts"].max() < splits[b]["request_ts"].min())
        for col in ENTITIES:
            later = pd.unique(splits[b][col])
            shared = later[pd.Index(later).isin(pd.unique(splits[a][col]))]
            out[f"entity[{col},{a},{b}]"] = str(len(shared))
        ha = pd.util.hash_pandas_object(splits[a][FEATURES], index=False)
        hb = pd.util.hash_pandas_object(splits[b][FEATURES], index=False)
        out[f"rows[{a},{b}]"] = str(int(hb.isin(ha).sum()))
    train = splits["train"]
    y = train["label"].eq("risky").to_numpy()
    for f in FEATURES:
        x = train[f]
        if not pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
            # in-sample mean-label encoding (the gate cross-fits, which costs more)
            x = pd.Series(y, index=train.index).groupby(x.to_numpy()).transform("mean")
        out[f"auc[{f}]"] = f"{roc_auc_score(y, x.astype(float)):.3f}"
    return out


def child(path: str, variant: str) -> None:
    frame = pd.read_parquet(path)
    with PeakRss() as rss:
        started = time.perf_counter()
        result = run_gate(frame) if variant == "gate" else run_baseline(frame)
        seconds = time.perf_counter() - started
    stats = {"seconds": seconds, "peak_mib": rss.peak - rss.start, "rss_mib": rss.peak, "result": result}
    print(json.dumps(stats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"{'rows':>10} {'variant':>9} {'seconds':>8} {'peak MiB':>9} {'total RSS MiB':>14}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.rows:
            path = Path(tmp) / f"log_{n}.parquet"
            generate(n).to_parquet(path, index=False)
            timings = {}
            for variant in ("baseline", "gate"):
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", str(path), variant],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                stats = json.loads(proc.stdout.strip().splitlines()[-1])
                timings[variant] = stats["seconds"]
                print(
                    f"{n:>10} {variant:>9} {stats['seconds']:>8.2f} {stats['peak_mib']:>9.0f} "
                    f"{stats['rss_mib']:>14.0f}",
                    flush=True,
                )
            print(f"{n:>10} {'ratio':>9} {timings['gate'] / timings['baseline']:>8.2f}  (gate / baseline)")


if __name__ == "__main__":
    main()
