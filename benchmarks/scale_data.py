"""The scale benchmark's inputs: a demo-like parquet directory of N rows, a production
file, the demo's candidate and champion, and one config per engine.

Layout under ``--workdir`` (each part written once and reused while its key is unchanged):

    models-seed{S}-train{T}/            `sentinel demo` built once on T requests
                                        (fixed.skops = the candidate, champion.skops,
                                        fixed.toml, training/fixed.csv)
    rows{N}-seed{S}/requests/part-*.parquet   the offline log, N rows, in chunks
    rows{N}-seed{S}/production.parquet        the production month (``production_rows``)
    rows{N}-seed{S}/inputs.json               rows, bytes and write seconds; written last,
                                              so a directory without it is rewritten
    rows{N}-seed{S}/sentinel-{engine}.toml    the demo's fixed.toml pointed at the above

The rows come from :func:`sentinel_checks.demo.data.generate` (the demo's own
generator, the same schema and story) called once per chunk with its own seed; ids
get the chunk's prefix (``c0003-u000123``) so users, sessions and requests of two
chunks never collide and each chunk is one independent population spanning the
demo's whole time range. Memory while writing is one chunk (about 0.45 GiB of pandas
per 500k rows), whatever N. Timestamps are written at microseconds
(``coerce_timestamps="us"``), which Spark needs; the generator stores whole seconds,
so nothing is lost.
"""

from __future__ import annotations

import json
import shutil
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

#: Offline rows per generated chunk (the write's memory bound).
CHUNK_ROWS = 500_000
#: The demo generator returns about this many offline rows per requested row.
_OFFLINE_PER_REQUEST = 1.06
ENGINES = ("duckdb", "spark", "pandas")
MANIFEST = "inputs.json"


@dataclass(frozen=True)
class Inputs:
    """What one benchmark size reads: the config of each engine and the data's figures."""

    folder: Path
    rows: int
    production_rows: int
    bytes_on_disk: int
    write_seconds: float
    cached: bool

    def config(self, engine: str) -> Path:
        return self.folder / f"sentinel-{engine}.toml"


def default_production_rows(rows: int) -> int:
    """A production month about a sixth of the offline log (the demo's share), at most 1M
    rows: the figures are about the offline log's scale."""
    return max(200, min(rows // 6, 1_000_000))


def build_models(workdir: Path, *, seed: int, train_rows: int) -> Path:
    """`sentinel demo` once on ``train_rows`` requests (the sample the models are trained
    on); returns its folder. Reused when its ``demo.json`` exists."""
    from sentinel_checks.demo.build import build_demo

    folder = workdir / f"models-seed{seed}-train{train_rows}"
    if not (folder / "demo.json").exists():
        build_demo(folder, n_requests=train_rows, seed=seed)
    return folder


def _chunk(index: int, requested: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One independent demo population; ids prefixed with the chunk's number."""
    from sentinel_checks.demo.data import generate

    log = generate(requested, seed=seed * 100_003 + index)
    prefix = f"c{index:04d}-"
    for frame in (log.offline, log.production):
        for col in ("request_id", "user_id", "session_id"):
            frame[col] = prefix + frame[col]
    return log.offline, log.production


def _write(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path, coerce_timestamps="us", allow_truncated_timestamps=False)


def write_rows(
    folder: Path, rows: int, *, seed: int, production_rows: int, chunk_rows: int = CHUNK_ROWS
) -> tuple[int, int, float]:
    """Write ``rows`` offline rows as ``folder/requests/part-*.parquet`` and
    ``production_rows`` rows as ``folder/production.parquet``, one chunk in memory at a
    time. The last chunk is cut to size by a seeded sample of its rows (time order kept),
    so every part spans the whole time range. Returns (bytes on disk, production rows
    written, seconds); fewer production rows than asked when the chunks hold fewer."""
    started = time.perf_counter()
    parts = folder / "requests"
    if folder.exists():
        shutil.rmtree(folder)
    parts.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    written = prod_written = index = 0
    prod_writer: pq.ParquetWriter | None = None
    try:
        while written < rows:
            want = min(chunk_rows, rows - written)
            offline, production = _chunk(index, max(int(want / _OFFLINE_PER_REQUEST) + 50, 100), seed)
            if len(offline) > want:
                keep = np.sort(rng.choice(len(offline), size=want, replace=False))
                offline = offline.iloc[keep].reset_index(drop=True)
            _write(offline, parts / f"part-{index:05d}.parquet")
            written += len(offline)
            if prod_written < production_rows:
                production = production.iloc[: production_rows - prod_written]
                table = pa.Table.from_pandas(production, preserve_index=False)
                if prod_writer is None:
                    prod_writer = pq.ParquetWriter(
                        folder / "production.parquet", table.schema, coerce_timestamps="us"
                    )
                prod_writer.write_table(table.cast(prod_writer.schema))
                prod_written += len(production)
            index += 1
    finally:
        if prod_writer is not None:
            prod_writer.close()
    size = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
    return size, prod_written, time.perf_counter() - started


def config_text(
    models: Path,
    folder: Path,
    engine: str,
    *,
    memory_limit: str | None = None,
    spark_memory: str | None = None,
    drift_process: str = "auto",
) -> str:
    """The demo's fixed.toml with the data, production, models and training log pointed at
    absolute paths, and ``[data] engine``. The threshold rules, champion threshold, contract
    and seed are the demo's. With ``engine = "duckdb"`` and ``memory_limit`` (e.g. ``"1GB"``),
    ``[engine.duckdb] memory_limit`` and a ``temp_directory`` in ``folder`` to spill to: without
    a limit DuckDB may cache up to 80% of RAM, which a peak-memory figure would measure.
    With ``engine = "spark"`` and ``spark_memory`` (e.g. ``"4g"``), ``[engine.spark.conf]``
    ``spark.driver.memory`` (a local master runs its tasks in the driver; Spark's default is 1g).
    ``drift_process`` (``"auto"``, ``"true"`` or ``"false"``) is written as ``[gate] drift_process``."""
    from sentinel_checks.config.toml_writer import toml_dumps

    doc = tomllib.loads((models / "fixed.toml").read_text())
    doc["data"] = {"path": str(folder / "requests"), "engine": engine}
    doc["production"] = {"path": str(folder / "production.parquet")}
    doc["models"]["candidate"]["path"] = str(models / "models/fixed.skops")
    doc["models"]["champion"]["path"] = str(models / "models/champion.skops")
    doc["training"] = {"log": str(models / "training/fixed.csv")}
    doc.pop("experiments", None)  # `sentinel experiments` only; the gate does not read them
    if engine == "duckdb" and memory_limit is not None:
        spill = str(folder / "duckdb-spill")
        doc["engine"] = {"duckdb": {"memory_limit": memory_limit, "temp_directory": spill}}
    if engine == "spark" and spark_memory is not None:
        doc["engine"] = {"spark": {"conf": {"spark.driver.memory": spark_memory}}}
    doc.setdefault("gate", {})["drift_process"] = {"true": True, "false": False}.get(
        drift_process, drift_process
    )
    header = f"# Scale benchmark: the demo's fixed pipeline on {folder.name}, engine {engine}.\n"
    return header + toml_dumps(doc)


def prepare(
    workdir: Path,
    rows: int,
    *,
    seed: int = 0,
    train_rows: int = 200_000,
    production_rows: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    memory_limit: str | None = None,
    spark_memory: str | None = None,
    drift_process: str = "auto",
) -> Inputs:
    """Everything one size needs, written once: reused when ``inputs.json`` matches."""
    workdir = workdir.resolve()
    production_rows = default_production_rows(rows) if production_rows is None else production_rows
    models = build_models(workdir, seed=seed, train_rows=train_rows)
    folder = workdir / f"rows{rows}-seed{seed}"
    manifest = folder / MANIFEST
    key = {"rows": rows, "seed": seed, "production_rows": production_rows}
    cached = manifest.exists() and {k: json.loads(manifest.read_text()).get(k) for k in key} == key
    if cached:
        meta = json.loads(manifest.read_text())
    else:
        size, prod_written, seconds = write_rows(
            folder, rows, seed=seed, production_rows=production_rows, chunk_rows=chunk_rows
        )
        meta = {**key, "production_written": prod_written, "bytes": size, "write_seconds": round(seconds, 2)}
        manifest.write_text(json.dumps(meta) + "\n")
    for engine in ENGINES:
        text = config_text(
            models,
            folder,
            engine,
            memory_limit=memory_limit,
            spark_memory=spark_memory,
            drift_process=drift_process,
        )
        (folder / f"sentinel-{engine}.toml").write_text(text)
    return Inputs(
        folder=folder,
        rows=rows,
        production_rows=int(meta["production_written"]),
        bytes_on_disk=int(meta["bytes"]),
        write_seconds=float(meta["write_seconds"]),
        cached=cached,
    )
