"""Peak memory of scoring a large parquet input: in Arrow batches through the engine, or at once.

Run each mode in its own process under ``/usr/bin/time -v`` (its "Maximum resident set
size" is the figure)::

    PYTHONPATH=. .venv/bin/python benchmarks/engine_scoring.py prepare --rows 1000000 --out /tmp/score1m
    /usr/bin/time -v .venv/bin/python benchmarks/engine_scoring.py batches --out /tmp/score1m
    /usr/bin/time -v .venv/bin/python benchmarks/engine_scoring.py frame --out /tmp/score1m

``prepare`` repeats the demo's incident requests (``sentinel demo``'s
``data/incident_requests.parquet``) to ``--rows`` rows in one parquet file; ``frame``
reads it into pandas and calls :func:`~sentinel_checks.models.scoring.risk_scores` on
the whole frame (what the gate does today); ``batches`` reads it lazily in DuckDB and
scores it with :func:`~sentinel_checks.engine.scores.score_table`, keeping the label,
segments and request id beside the scores. Both print the sum of the scores, which
must agree.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sentinel_checks.config.loading import load_config
from sentinel_checks.models.loading import load_model
from sentinel_checks.models.scoring import risk_scores

KEEP = ["request_id", "label", "country", "channel"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["prepare", "batches", "frame"])
    parser.add_argument("--out", type=Path, required=True, help="folder of the repeated parquet input")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--demo", type=Path, default=Path("sentinel-demo"), help="a `sentinel demo` folder")
    parser.add_argument("--chunk", type=int, default=100_000, help="rows per Arrow batch")
    args = parser.parse_args()
    source = args.out / "requests.parquet"
    if args.mode == "prepare":
        demo = pd.read_parquet(args.demo / "data" / "incident_requests.parquet")
        copies = -(-args.rows // len(demo))
        big = pd.concat([demo] * copies, ignore_index=True).iloc[: args.rows]
        args.out.mkdir(parents=True, exist_ok=True)
        big.to_parquet(source, index=False)
        print(f"wrote {len(big):,} rows to {source}")
        return
    config = load_config(args.demo / "incident.toml")
    spec = config.models.candidate
    assert spec is not None, "the demo config names a candidate model"
    model = load_model(spec, role="candidate")
    features = model.feature_list(list(config.columns.features))
    start = time.perf_counter()
    if args.mode == "frame":
        frame = pd.read_parquet(source)
        scores = risk_scores(model, frame, features=features, positive=config.columns.positive)
        total, n = float(np.sum(scores)), len(scores)
    else:
        from sentinel_checks.engine.ibis_connection import connect_duckdb
        from sentinel_checks.engine.parquet_tables import table_from_parquet
        from sentinel_checks.engine.scores import SCORE, score_table

        con = connect_duckdb(threads=2, memory_limit="1GB")
        table = table_from_parquet(con, source, name="requests")
        scored = score_table(
            con,
            table,
            model,
            features=features,
            positive=config.columns.positive,
            keep=KEEP,
            name="scored",
            chunk_size=args.chunk,
        )
        row = scored.aggregate(total=scored[SCORE].sum(), n=scored.count()).to_pandas().iloc[0]
        total, n = float(row["total"]), int(row["n"])
    print(f"{args.mode}: {n:,} rows scored in {time.perf_counter() - start:.1f} s; sum of scores {total:.6f}")


if __name__ == "__main__":
    main()
