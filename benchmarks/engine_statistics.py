"""Time the engine's split and leakage statistics against the pandas ones, same rows.

Run by hand (not part of the test suite):

    PYTHONPATH=. .venv/bin/python benchmarks/engine_statistics.py --rows 1000000 --threads 2

It generates one request log (``--rows`` rows: string user ids, composite ids,
time-zoned timestamps with nulls and ties, numeric features with NaN), cuts it at
2/3 into an earlier and a later split, and times each statistic twice on the same
process: the pandas implementation the checks use today
(:mod:`sentinel_checks.stats`, :mod:`sentinel_checks.entities`) and the Ibis one on
embedded DuckDB (:mod:`sentinel_checks.engine`). The DuckDB column includes nothing
of the frame's conversion; that is timed apart ("frames → Arrow → DuckDB"). Every
pair of results is compared and the script stops if they differ. Times are the best
of ``--repeat`` runs, in seconds of wall time.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd


def request_log(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ts = pd.Timestamp("2026-01-01", tz="Europe/Paris") + pd.to_timedelta(
        np.sort(rng.integers(0, 180 * 86_400, size=rows)), unit="s"
    )
    users = rng.integers(0, rows // 10, size=rows)
    return pd.DataFrame(
        {
            "request_ts": pd.Series(ts).mask(rng.random(rows) < 0.01),
            "user_id": pd.Series([f"u{u}" for u in users], dtype=object).mask(rng.random(rows) < 0.01),
            "yearacc": rng.choice([2024.0, 2025.0, np.nan], size=rows, p=[0.5, 0.45, 0.05]),
            "caseid": rng.integers(0, rows // 20, size=rows),
            "amount": rng.gamma(2.0, 50.0, size=rows).round(0),
            "country": rng.choice(["fr", "de", "es", "it"], size=rows),
            "hour": rng.integers(0, 24, size=rows),
            "history": np.where(rng.random(rows) < 0.1, np.nan, rng.normal(size=rows).round(2) + 0.0),
            "label": rng.random(rows) < 0.05,
        }
    )


def best(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return min(times), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--spark", action="store_true", help="also time a local[N] SparkSession (N = --threads) through Ibis"
    )
    args = parser.parse_args(argv)

    from sentinel_checks.engine import leakage_statistics as engine_leakage
    from sentinel_checks.engine import row_repeats as engine_rows
    from sentinel_checks.engine import split_statistics as engine_splits
    from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
    from sentinel_checks.entities import shared_entities
    from sentinel_checks.stats.leakage import numeric_view, symmetric_auc, time_range
    from sentinel_checks.stats.row_repeats import row_repeats

    frame = request_log(args.rows)
    cut = len(frame) * 2 // 3
    earlier, later = frame.iloc[:cut].reset_index(drop=True), frame.iloc[cut:].reset_index(drop=True)
    y = earlier["label"].to_numpy()
    con = connect_duckdb(threads=args.threads)
    start = time.perf_counter()
    first, second = table_from_frame(con, earlier, name="earlier"), table_from_frame(con, later, name="later")
    load = time.perf_counter() - start
    compared = ["amount", "country", "hour", "history"]

    def pandas_time() -> tuple[int, int, int]:
        a, b = time_range(earlier["request_ts"]), time_range(later["request_ts"])
        return a.n, int((later["request_ts"] <= a.max).sum()), int((earlier["request_ts"] >= b.min).sum())

    def engine_time(first: Any, second: Any) -> tuple[int, int, int]:
        t = engine_splits.time_order(first, second, "request_ts", gap=pd.Timedelta(0), tz="Europe/Paris")
        return t.first.n, t.later_too_early, t.earlier_too_late

    cases: list[tuple[str, Callable[[], Any], Callable[[Any, Any], Any]]] = [
        ("time order (ranges + out-of-order counts)", pandas_time, engine_time),
        (
            "entity overlap, user_id (text)",
            lambda: _ids(shared_entities(earlier["user_id"], later["user_id"])),
            lambda first, second: _ids(engine_splits.shared_entities(first, second, ["user_id"])),
        ),
        (
            "entity overlap, yearacc+caseid",
            lambda: _ids(shared_entities(earlier[["yearacc", "caseid"]], later[["yearacc", "caseid"]])),
            lambda first, second: _ids(engine_splits.shared_entities(first, second, ["yearacc", "caseid"])),
        ),
        (
            "row overlap, 4 columns",
            lambda: _rows(row_repeats(earlier, later, compared)),
            lambda first, second: _rows(engine_rows.row_repeats(first, second, compared)),
        ),
        (
            "univariate AUC, 3 numeric features",
            lambda: [symmetric_auc(y, numeric_view(earlier[c])) for c in ("amount", "hour", "history")],
            lambda first, second: [
                engine_leakage.monotone_auc(first, c, label="label", positive=True)
                for c in ("amount", "hour", "history")
            ],
        ),
    ]
    print(f"{args.rows:,} rows ({cut:,} earlier, {args.rows - cut:,} later); DuckDB threads {args.threads}")
    print(f"frames → Arrow → DuckDB views: {load:.2f} s")
    spark_tables = _spark_tables(earlier, later, args.threads) if args.spark else None
    print(
        f"{'statistic':<42} {'pandas s':>9} {'DuckDB s':>9} {'ratio':>6}"
        + (" Spark s" if spark_tables else "")
    )
    total_p = total_d = total_s = 0.0
    for name, on_pandas, on_engine in cases:
        tp, want = best(args.repeat, on_pandas)
        td, got = best(args.repeat, functools.partial(on_engine, first, second))
        if not _same(got, want):
            print(f"MISMATCH in {name}: pandas {want} vs DuckDB {got}")
            return 1
        line = f"{name:<42} {tp:>9.2f} {td:>9.2f} {tp / td:>6.1f}"
        if spark_tables is not None:
            ts, on_spark = best(args.repeat, functools.partial(on_engine, *spark_tables))
            if not _same(on_spark, want):
                print(f"MISMATCH in {name}: pandas {want} vs Spark {on_spark}")
                return 1
            total_s += ts
            line += f" {ts:>8.2f}"
        total_p, total_d = total_p + tp, total_d + td
        print(line)
    last = f"{'all of the above':<42} {total_p:>9.2f} {total_d:>9.2f} {total_p / total_d:>6.1f}"
    print(last + (f" {total_s:>8.2f}" if spark_tables is not None else ""))
    return 0


def _spark_tables(earlier: pd.DataFrame, later: pd.DataFrame, threads: int) -> tuple[Any, Any]:
    """Both splits on a local SparkSession the way the gate builds one; prints the start
    and registration times."""
    from sentinel_checks.config.engine import SparkSettings
    from sentinel_checks.engine.ibis_connection import table_from_frame
    from sentinel_checks.engine.spark_connection import connect_spark

    start = time.perf_counter()
    spark = connect_spark(SparkSettings(master=f"local[{threads}]"))
    print(f"SparkSession start (local[{threads}]): {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    tables = (
        table_from_frame(spark.backend, earlier, name="earlier"),
        table_from_frame(spark.backend, later, name="later"),
    )
    print(f"frames → Arrow → Spark views: {time.perf_counter() - start:.2f} s")
    return tables


def _ids(r: Any) -> tuple[int, int, int, list[Any]]:
    return r.n_earlier, r.n_later, r.later_rows, r.shared.tolist()


def _rows(r: Any) -> tuple[int, int, bytes]:
    return r.count, r.within, np.packbits(r.mask).tobytes()


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, list) and want and isinstance(want[0], float):
        return all(abs(g - w) <= 1e-12 * abs(w) for g, w in zip(got, want, strict=True))
    return bool(got == want)


if __name__ == "__main__":
    sys.exit(main())
