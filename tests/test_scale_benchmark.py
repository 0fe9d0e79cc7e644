"""The scale benchmark's harness (benchmarks/scale.py, scale_data.py, scale_hand.py,
memory.py) on ~2,000 rows: the chunked parquet directory, the cache, the config, the
process-tree memory reading, the result parsing, and the hand-written pass held equal
to the library's own split and statistics. The whole run with `sentinel gate` in a
subprocess is the slow test at the end."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sentinel_checks.adapters import skops_io
from sentinel_checks.config import load_config
from sentinel_checks.data.splits import group_time_split
from sentinel_checks.entities import shared_entities
from sentinel_checks.stats.leakage import numeric_view, symmetric_auc
from sentinel_checks.stats.row_repeats import row_repeats
from tests.conftest import BASE_CONFIG, SOUND_FEATURES

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
ROWS = 2_000


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return tuple(importlib.import_module(m) for m in ("scale_data", "scale", "scale_hand", "memory"))
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def models(tmp_path_factory, small_model):
    """A stand-in for the `sentinel demo` folder scale_data.build_models makes (that
    trains three models: minutes): the session's sound model as candidate and champion,
    and a fixed.toml template with the demo's split, columns and quality settings."""
    folder = tmp_path_factory.mktemp("models")
    (folder / "models").mkdir()
    (folder / "training").mkdir()
    model, _ = small_model
    for name in ("fixed", "champion"):
        skops_io.dump(model, folder / f"models/{name}.skops")
    (folder / "training/fixed.csv").write_text("iteration,train_loss,val_loss\n1,0.5,0.5\n")
    template = BASE_CONFIG.replace('[models.candidate]\nscore_column = "score"\n', "")
    trusted = skops_io.untrusted_types(folder / "models/fixed.skops")
    template += textwrap.dedent(
        f"""
        [models.candidate]
        path = "models/fixed.skops"
        trusted_types = {json.dumps(trusted)}

        [models.champion]
        path = "models/champion.skops"
        trusted_types = {json.dumps(trusted)}

        [promotion]
        champion_threshold = 0.2

        [[experiments.runs]]
        name = "x"
        base = "B"
        threshold = 0.5
        """
    )
    (folder / "fixed.toml").write_text(template)
    (folder / "demo.json").write_text("{}")  # build_models reuses a folder holding it
    return folder


@pytest.fixture(scope="module")
def inputs(bench, models, tmp_path_factory):
    scale_data = bench[0]
    work = tmp_path_factory.mktemp("work")
    models.rename(work / "models-seed0-train999")
    return scale_data.prepare(work, ROWS, seed=0, train_rows=999, chunk_rows=700)


def test_rows_written_in_parts_with_the_demo_schema(bench, inputs):
    parts = sorted((inputs.folder / "requests").glob("part-*.parquet"))
    assert len(parts) == 3  # 700 + 700 + 600
    frame = pd.read_parquet(inputs.folder / "requests")
    assert len(frame) == ROWS == inputs.rows
    from sentinel_checks.demo.data import generate

    assert list(frame.columns) == list(generate(500, seed=1).offline.columns)
    # each part is its own population: ids carry the part's prefix and never collide
    users = frame["user_id"].str.slice(0, 5)
    assert sorted(users.unique()) == ["c0000", "c0001", "c0002"]
    per_user_parts = frame.groupby("user_id")["request_id"].agg(lambda s: s.str.slice(0, 5).nunique())
    assert per_user_parts.max() == 1
    assert frame["request_id"].is_unique
    # every part spans the demo's months (the last one was cut by a sample, not by time)
    for part in parts:
        ts = pd.read_parquet(part, columns=["request_ts"])["request_ts"]
        assert ts.min() < pd.Timestamp("2025-06-01") and ts.max() >= pd.Timestamp("2025-10-01")
    schema = pq.read_schema(parts[0])
    assert str(schema.field("request_ts").type) == "timestamp[us]"  # what Spark reads
    prod = pd.read_parquet(inputs.folder / "production.parquet")
    assert len(prod) == inputs.production_rows > 0
    assert prod["request_ts"].min() >= pd.Timestamp("2025-11-01")
    assert inputs.bytes_on_disk == sum(p.stat().st_size for p in inputs.folder.rglob("*.parquet"))


def test_inputs_are_cached_by_rows_and_seed(bench, inputs):
    scale_data = bench[0]
    before = {p: p.stat().st_mtime_ns for p in inputs.folder.rglob("*.parquet")}
    again = scale_data.prepare(inputs.folder.parent, ROWS, seed=0, train_rows=999, chunk_rows=700)
    assert again.cached and not inputs.cached
    assert {p: p.stat().st_mtime_ns for p in inputs.folder.rglob("*.parquet")} == before
    assert again.bytes_on_disk == inputs.bytes_on_disk
    # a folder without its manifest (an interrupted write) is written again
    other = scale_data.prepare(inputs.folder.parent, 800, seed=0, train_rows=999, chunk_rows=700)
    (other.folder / scale_data.MANIFEST).unlink()
    redone = scale_data.prepare(inputs.folder.parent, 800, seed=0, train_rows=999, chunk_rows=700)
    assert not redone.cached and len(pd.read_parquet(redone.folder / "requests")) == 800


def test_config_points_every_engine_at_the_directory(bench, inputs):
    for engine in ("duckdb", "spark", "pandas"):
        cfg = load_config(inputs.config(engine))
        assert cfg.data.engine == engine
        assert Path(cfg.data.path) == inputs.folder / "requests"
        assert Path(cfg.production.path) == inputs.folder / "production.parquet"
        assert Path(cfg.models.candidate.path).exists() and Path(cfg.models.champion.path).exists()
        assert cfg.promotion.champion_threshold == 0.2  # the template's own settings kept
        assert "experiments" not in inputs.config(engine).read_text()


def test_tree_memory_counts_descendants(bench):
    memory = bench[3]
    grandchild = "import time; b = b'x' * (150 * 2**20); time.sleep(2)"
    child = (
        "import subprocess, sys, time; a = b'x' * (150 * 2**20); "
        f"p = subprocess.Popen([sys.executable, '-c', {grandchild!r}]); p.wait()"
    )
    proc = subprocess.Popen([sys.executable, "-c", child])
    with memory.TreePeakRss(proc.pid, interval=0.1) as tree:
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    # wait4's ru_maxrss: the largest single process (the child or a descendant it reaped)
    assert usage.ru_maxrss / 1024 >= 150
    assert tree.peak >= 300 and tree.samples >= 5  # child + grandchild at once, summed
    # each process's own peak, by role: the one started ("root") and its descendant by name
    others = [mib for role, mib in tree.peak_by_role.items() if role != "root"]
    assert 150 <= tree.peak_by_role["root"] < 300 and others and 150 <= max(others) < 300, tree.peak_by_role


def test_verdicts_compared_between_engines(bench, tmp_path):
    scale = bench[1]
    results = tmp_path / "results.jsonl"
    run = {"rows": 10, "engine": "duckdb", "verdict": "fail", "checks": {"a": "pass", "b": "fail"}}
    lines = [run, {**run, "engine": "spark"}]
    results.write_text("".join(json.dumps(r) + "\n" for r in lines))
    assert scale.compare(results, 10, ["duckdb", "spark"]) == (True, [])
    # the latest run of an engine counts; a planted difference is named
    results.write_text(
        results.read_text()
        + json.dumps({**run, "engine": "spark", "checks": {"a": "pass", "b": "pass"}})
        + "\n"
    )
    same, diffs = scale.compare(results, 10, ["duckdb", "spark"])
    assert not same and diffs == ["b: duckdb fail, spark pass"]
    same, diffs = scale.compare(results, 10, ["duckdb", "pandas"])
    assert not same and "no run of pandas" in diffs[0]
    assert scale.read_verdicts(tmp_path / "missing.json") == {"verdict": "no gate.json", "checks": {}}
    row = scale.markdown_row(
        {**run, "wall_s": 12.34, "peak_tree_mib": 2048.0, "parquet_bytes": 2**30, "write_s": 3}
    )
    assert row == "| 10 | duckdb | 12.3 | – | 2.00 | – | fail | – | – | – | – | 1.00 | 3 |"


def _library_splits(inputs, purge: bool):
    frame = pd.read_parquet(inputs.folder / "requests")
    return group_time_split(
        frame,
        timestamp="request_ts",
        entities=["user_id", "session_id"] if purge else [],
        val_start="2025-09-15",
        test_start="2025-10-01",
        embargo="1D",
    )


@pytest.mark.parametrize("purge", [True, False])
def test_hand_written_pass_equals_the_library(bench, inputs, small_model, purge, tmp_path):
    hand_module = bench[2]
    config = inputs.config("duckdb")
    if not purge:
        config = tmp_path / "nopurge.toml"
        config.write_text(
            inputs.config("duckdb").read_text().replace("purge_entities = true", "purge_entities = false")
        )
    hand = hand_module.HandPass(config, threads=1, memory_limit="500MB")
    hand.run()
    splits = _library_splits(inputs, purge)
    assert hand.results["split"] == {n: len(getattr(splits, n)) for n in ("train", "val", "test")}
    for ent in ("user_id", "session_id"):
        for a, b in hand_module.PAIRS:
            want = shared_entities(getattr(splits, a)[ent], getattr(splits, b)[ent])
            assert hand.results["entity overlap"][f"{ent} {a}/{b}"] == (len(want.shared), want.later_rows)
    if not purge:  # the planted overlap: without the purge users do cross the boundary
        assert hand.results["entity overlap"]["user_id train/val"][0] > 0
    for a, b in hand_module.PAIRS:
        want = row_repeats(getattr(splits, a), getattr(splits, b), SOUND_FEATURES)
        assert hand.results["row overlap"][f"{a}/{b}"] == (want.count, want.within)
    y = splits.train["label"].eq("risky").to_numpy()
    for col, auc in hand.results["univariate AUC"].items():
        assert auc == pytest.approx(symmetric_auc(y, numeric_view(splits.train[col])), abs=1e-12)
    assert set(hand.results["univariate AUC"]) == {
        c for c in SOUND_FEATURES if c not in ("country", "channel")
    }
    # the scores' confusion counts at the threshold the pass chose, from the model directly
    model, _ = small_model
    t = hand.results["threshold counts"]["threshold"]
    test = splits.test
    flagged = model.predict_proba(test[SOUND_FEATURES])[:, 1] >= t
    risky = test["label"].eq("risky").to_numpy()
    assert hand.results["threshold counts"]["candidate test"] == {
        "tp": int((risky & flagged).sum()),
        "fp": int((~risky & flagged).sum()),
        "fn": int((risky & ~flagged).sum()),
        "tn": int((~risky & ~flagged).sum()),
    }
    assert 0 <= hand.results["calibration bins"] < 1
    psi = hand.results["drift histograms"]
    assert set(psi) == {"val", "test", "production"} and set(psi["production"]) == set(SOUND_FEATURES)
    assert psi["production"]["channel"] > 0.1  # the demo's wallet channel appears after the shift
    assert all(np.isfinite(v) for v in psi["production"].values())


def _rest_module():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("scale_hand_rest")
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_hand_written_resample_metrics_are_scikit_learns_under_any_weights():
    """scale_hand_rest's per-resample FNR, precision, ROC-AUC and average precision equal
    scikit-learn's with the same sample weights, row by row (Poisson rows, zeros included),
    on scores with ties; a planted lead shows in every resample."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    rest = _rest_module()
    rng = np.random.default_rng(3)
    y = rng.random(3000) < 0.1
    s = np.round(np.where(y, rng.beta(3, 2, 3000), rng.beta(2, 3, 3000)), 2)  # ties
    w = rng.poisson(1.0, size=(3, len(y))).astype(float)
    flag = s >= 0.5
    got = rest.Ranked(y, s, flag).metrics(w)
    for row, weights in zip(got, w, strict=True):
        tp, fl = (weights * (y & flag)).sum(), (weights * flag).sum()
        want = [
            1 - tp / (weights * y).sum(),
            tp / fl,
            roc_auc_score(y, s, sample_weight=weights),
            average_precision_score(y, s, sample_weight=weights),
        ]
        assert row == pytest.approx(want, abs=1e-12)
    assert not np.allclose(got[0], got[1])  # the rows are their own weightings
    noise = rng.random(3000)
    lead = rest.paired_bootstrap(y, s, noise, 0.5, 0.5, resamples=50)
    assert lead.shape == (50, 4) and (lead[:, 2] > 0.1).all() and (lead[:, 3] > 0.1).all()
    # rows pooled by their slot among the risky scores (and decision), weighted by their
    # counts: the same metrics as the rows themselves
    for scores in (s, noise):
        keys = np.stack([y, rest._slots(scores, y), scores >= 0.5], axis=1).astype(np.int64)
        cells, counts = np.unique(keys, axis=0, return_counts=True)
        assert len(cells) < len(y)
        pooled = rest.Ranked(cells[:, 0] == 1, cells[:, 1], cells[:, 2] == 1).metrics(counts[None, :] * 1.0)
        rows = rest.Ranked(y, scores, scores >= 0.5).metrics(np.ones((1, len(y))))
        assert pooled == pytest.approx(rows, abs=1e-12)


def test_hand_written_target_encoding_finds_a_planted_leak():
    """A feature copying the label scores AUC 1 out of fold; noise about 0.5."""
    import duckdb

    rest = _rest_module()
    con = duckdb.connect()
    rng = np.random.default_rng(5)
    y = rng.random(4000) < 0.2
    frame = pd.DataFrame(  # noqa: F841 (read by DuckDB by name)
        {
            "label": y,
            "leak": np.where(y, 1.0, 0.0),
            "noise": rng.random(4000),
            "kind": rng.choice(["a", "b"], 4000),
        }
    )
    con.execute("CREATE TABLE train AS SELECT * FROM frame")
    hand = types.SimpleNamespace(
        con=con, features=["leak", "noise", "kind"], y_sql="(label)", sql=lambda q: con.execute(q).fetchall()
    )
    got = rest.target_encoding(hand)
    assert got["leak"] == pytest.approx(1.0)
    assert 0.5 <= got["noise"] < 0.56 and 0.5 <= got["kind"] < 0.56, got


@pytest.mark.slow
def test_hand_written_full_pass_pairs_every_models_scores_with_their_rows(bench, inputs):
    """``--full``: the baselines are scored in the candidate's batches, so their scores
    pair with the labels (the baselines' ROC-AUC on test equals scikit-learn's on the
    library's test split); the bootstraps, Evidently's drift and the encodings ran."""
    from sklearn.metrics import roc_auc_score

    rest = _rest_module()
    hand = bench[2].HandPass(inputs.config("duckdb"), threads=2, memory_limit="500MB", full=True)
    hand.run()
    assert set(hand.results["paired bootstrap"]) == {
        "champion test",
        "champion production",
        "logistic test",
        "trees test",
    }
    assert hand.results["paired bootstrap"]["champion test"].shape == (rest.CHAMPION_RESAMPLES, 4)
    scored = hand.results["scoring (Arrow batches)"]["test"]
    test = _library_splits(inputs, True).test
    risky = test["label"].eq("risky").to_numpy()
    for name, model in hand.extra_models.items():
        want = roc_auc_score(risky, model.predict_proba(test[SOUND_FEATURES])[:, 1])
        assert roc_auc_score(scored["y"], scored[name]) == pytest.approx(want, abs=1e-12), name
    assert set(hand.results["Evidently drift"]["production"]) == set(SOUND_FEATURES)
    assert all(np.isfinite(v) for v in hand.results["target encoding"].values())
    assert {"baselines: fit", "paired bootstrap", "Evidently drift", "target encoding"} <= set(hand.timings)


@pytest.mark.slow
def test_whole_run_measures_a_real_gate(bench, inputs, capsys):
    """`sentinel gate` in a subprocess on the 2,000 rows (too few risky rows: the gate
    fails), its gate.json read back; the hand-written pass and the ratio."""
    scale = bench[1]
    code = scale.main(
        [
            "--rows",
            str(ROWS),
            "--workdir",
            str(inputs.folder.parent),
            "--train-rows",
            "999",
            "--chunk-rows",
            "700",
            "--engine",
            "duckdb",
            "--hand-written",
        ]
    )
    out = capsys.readouterr().out.splitlines()
    record = json.loads(out[0])
    assert code == 0 and record["exit_code"] == 1, Path(record["log"]).read_text()[-3000:]
    report = json.loads((inputs.folder / "reports-duckdb/gate.json").read_text())
    assert record["verdict"] == report["verdict"] == "fail"
    assert (
        len(record["checks"]) == len(report["checks"])
        and record["checks"]["contract.labels[train]"] == "fail"
    )
    assert record["peak_tree_mib"] > 50 and record["max_process_mib"] > 50
    assert record["ratio"] == pytest.approx(record["wall_s"] / record["hand_s"], rel=0.01)
    assert record["cpu_s"] > 0 and record["hand_cpu_s"] > 0
    assert out[-1].startswith(f"| {ROWS:,} | duckdb |")


def test_summary_reports_cost_per_million_rows(bench, tmp_path):
    scale = bench[1]
    base = {"engine": "duckdb", "verdict": "pass", "parquet_bytes": 0, "write_s": 1}
    runs = [
        {**base, "rows": 10_000_000, "wall_s": 99.0, "cpu_s": 150.0},
        {**base, "rows": 30_000_000, "wall_s": 300.0, "cpu_s": 450.0},
        {**base, "rows": 10_000_000, "wall_s": 50.0, "cpu_s": 80.0},  # the latest 10M run counts
        {**base, "rows": 1_000_000, "engine": "pandas"},  # inputs only (--skip-gate): no row
    ]
    (tmp_path / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in runs))
    lines = scale.summary(tmp_path / "results.jsonl")
    assert lines[0] == scale.HEADER
    assert [line.split(" | ")[0] for line in lines[1:3]] == ["| 10,000,000", "| 30,000,000"]
    assert "| 50.0 | 80.0 |" in lines[1]
    assert lines[3] == "duckdb, per million rows: 10M: 5.0 s wall, 8.0 s CPU; 30M: 10.0 s wall, 15.0 s CPU"
    assert len(lines) == 4


def test_duckdb_config_caps_memory_only_when_asked(bench, inputs):
    """A peak-memory figure measures the gate, not DuckDB's cache (80% of RAM by default)."""
    scale_data = bench[0]
    models = inputs.folder.parent / "models-seed0-train999"
    capped = scale_data.config_text(models, inputs.folder, "duckdb", memory_limit="750MB")
    path = inputs.folder / "capped.toml"
    path.write_text(capped)
    cfg = load_config(path)
    assert cfg.engine.duckdb.memory_limit == "750MB"
    assert Path(cfg.engine.duckdb.temp_directory) == inputs.folder / "duckdb-spill"
    for engine in ("spark", "pandas"):
        assert "[engine.duckdb]" not in scale_data.config_text(
            models, inputs.folder, engine, memory_limit="750MB"
        )
    assert "[engine.duckdb]" not in scale_data.config_text(models, inputs.folder, "duckdb")
    assert bench[1]._limit("None") is None and bench[1]._limit("1GB") == "1GB"


def test_spark_driver_memory_reaches_the_spark_config_only(bench, inputs):
    """``--spark-driver-memory`` sets ``[engine.spark.conf] spark.driver.memory`` of the
    Spark config (Spark's own 1g ran out of memory in two checks at 1M rows); the other
    engines' configs do not get it, and the config loads."""
    scale_data = bench[0]
    again = scale_data.prepare(
        inputs.folder.parent, ROWS, seed=0, train_rows=999, chunk_rows=700, spark_memory="4g"
    )
    spark = load_config(again.config("spark"))
    assert spark.engine.spark.conf == {"spark.driver.memory": "4g"}
    assert "spark.driver.memory" not in again.config("duckdb").read_text()
    plain = scale_data.prepare(inputs.folder.parent, ROWS, seed=0, train_rows=999, chunk_rows=700)
    assert load_config(plain.config("spark")).engine.spark.conf == {}
