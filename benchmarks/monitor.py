"""`sentinel monitor` on one large batch: wall time and peak memory, scoring excluded.

Run by hand (not part of the test suite):

    .venv/bin/python benchmarks/monitor.py --rows 1000000

Writes, in a temporary folder, a batch of ``--rows`` requests with 20 numeric
features, two segment columns (country: 6 values, channel: 4), request ids,
timestamps, a calibrated-looking score column and labels on 60% of the rows, and a
labelled reference batch of 200k rows. Then, in this process, runs the monitor
exactly as the CLI does (load and check the batch, statistics overall and per
segment, Evidently on the scores, alert rules, history append, latest.json/md) and
prints wall time and peak resident memory above the interpreter with the libraries
imported. The model is a score column, so scoring is excluded as the issue asks.
"""

from __future__ import annotations

import argparse
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
from memory import PeakRss

from sentinel_checks.config import load_config
from sentinel_checks.monitor.run import run_monitor

FEATURES = [f"f{i:02d}" for i in range(20)]


def frame(n: int, *, seed: int, start: str, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {f: rng.normal(shift if i < 3 else 0.0, 1.0, n) for i, f in enumerate(FEATURES)}
    logit = -4.0 + 1.2 * data["f00"] + 0.8 * data["f01"] - 0.5 * data["f02"]
    p = 1 / (1 + np.exp(-logit))
    risky = rng.random(n) < p
    label = np.where(risky, "risky", "safe").astype(object)
    label[rng.random(n) < 0.4] = None
    stamps = pd.Timestamp(start, tz="UTC") + pd.to_timedelta(np.sort(rng.uniform(0, 86_400 * 7, n)), unit="s")
    return pd.DataFrame(
        {
            "request_id": np.char.add(f"r{seed}-", np.arange(n).astype(str)),
            "request_ts": stamps,
            "country": rng.choice(["US", "BR", "DE", "GB", "IN", "MX"], n),
            "channel": rng.choice(["web", "app", "api", "wallet"], n),
            "label": label,
            "score": np.clip(p + rng.normal(0, 0.01, n), 0, 1),
            **data,
        }
    )


CONFIG = """
[data]
path = "reference.parquet"
[columns]
label = "label"
positive = "risky"
negative = "safe"
timestamp = "request_ts"
id = "request_id"
segments = ["country", "channel"]
[splits]
method = "time"
val_start = "2025-10-03"
test_start = "2025-10-05"
[monitor]
score_column = "score"
threshold = 0.05
reference = "reference.parquet"
history = "history.jsonl"
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frame(200_000, seed=1, start="2025-10-01").to_parquet(folder / "reference.parquet", index=False)
        (folder / "sentinel.toml").write_text(textwrap.dedent(CONFIG))
        config = load_config(folder / "sentinel.toml")
        head = ("rows", "seconds", "peak MiB above start", "process peak MiB", "alerts")
        print(f"{head[0]:>10} {head[1]:>8} {head[2]:>21} {head[3]:>17} {head[4]:>7}")
        for i, n in enumerate(args.rows):
            batch = folder / f"batch{i}.parquet"
            frame(n, seed=10 + i, start=f"2025-11-{1 + 7 * i:02d}").to_parquet(batch, index=False)
            with PeakRss() as rss:
                started = time.perf_counter()
                outcome = run_monitor(config, batch, reports_dir=folder / "reports")
                seconds = time.perf_counter() - started
            above = rss.peak - rss.start
            print(f"{n:>10,} {seconds:>8.1f} {above:>21,.0f} {rss.peak:>17,.0f} {len(outcome.alerts):>7}")


if __name__ == "__main__":
    main()
