"""Reading the data where it lies: ``[data] path`` as a parquet directory or glob (pandas
and the engines alike), ``[data] table`` from an engine's catalog, split statistics from
tables split in the engine, and the session closed at the end of a pytest run."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.config import DataSource, load_config
from sentinel_checks.data.identity import data_fingerprints
from sentinel_checks.data.io import load_frame
from sentinel_checks.errors import DataError
from tests.conftest import BASE_CONFIG
from tests.test_engine_gate import DATA, RANDOM_SPLIT, TIME_SPLIT, _split_results


def _frame(n: int = 600, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "user": rng.integers(0, 50, size=n).astype(str),
            "label": rng.integers(0, 2, size=n),
        }
    )


def _write_parts(folder: Path, frame: pd.DataFrame, parts: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i, chunk in enumerate(np.array_split(np.arange(len(frame)), parts)):
        path = folder / f"month={i}" / f"part-{i}.parquet"
        path.parent.mkdir(exist_ok=True)
        frame.iloc[chunk].to_parquet(path, index=False)
        files.append(path)
    return files


# --------------------------------------------------------------------------- [data] path: directory, glob


def test_a_parquet_directory_reads_every_file_below_it(tmp_path):
    frame = _frame()
    _write_parts(tmp_path / "logs", frame)
    read = load_frame(DataSource(path=tmp_path / "logs"), base_dir=tmp_path)
    got = read[["x", "user", "label"]].sort_values("x").reset_index(drop=True)
    want = frame.sort_values("x").reset_index(drop=True)
    assert len(read) == 600
    assert np.array_equal(got["x"].to_numpy(), want["x"].to_numpy())
    assert list(got["user"].astype(str)) == list(want["user"])


def test_a_parquet_glob_reads_the_files_it_matches(tmp_path):
    frame = _frame()
    _write_parts(tmp_path / "logs", frame)
    read = load_frame(DataSource(path=tmp_path / "logs" / "month=*" / "part-[01].parquet"), base_dir=tmp_path)
    assert len(read) == 400  # two of three parts
    assert set(read.columns) >= {"x", "user", "label"}


def test_a_glob_matching_nothing_names_the_pattern(tmp_path):
    pattern = tmp_path / "logs" / "2026-*" / "part-*.parquet"
    with pytest.raises(DataError, match=r"no file matches.*2026-\*"):
        load_frame(DataSource(path=pattern), base_dir=tmp_path)


def test_files_with_different_schemas_name_the_first_differing_column(tmp_path):
    files = _write_parts(tmp_path / "logs", _frame())
    odd = pd.read_parquet(files[1]).assign(user=lambda f: f["user"].astype(int))
    odd.to_parquet(files[1], index=False)
    with pytest.raises(DataError, match=r"(?s)logs.*column user.*part-1\.parquet"):
        load_frame(DataSource(path=tmp_path / "logs"), base_dir=tmp_path)


def test_the_fingerprint_of_a_directory_covers_every_file(tmp_path):
    files = _write_parts(tmp_path / "data" / "logs", _frame())
    config = tmp_path / "sentinel.toml"
    config.write_text('[data]\npath = "data/logs"\n\n[splits]\nmethod = "column"\ncolumn = "split"\n')
    first = data_fingerprints(load_config(config))
    assert first["dataset"].startswith("sha256:")
    _frame(seed=1).iloc[:200].to_parquet(files[2], index=False)  # one part rewritten
    second = data_fingerprints(load_config(config))
    assert second["dataset"] != first["dataset"]


def test_gate_json_lists_each_file_of_a_directory_and_which_one_changed(tmp_path):
    """Issue 18: docs/configuration.md says gate.json lists each file; it held one sha256.
    ``data_files`` lists each part (relative path, bytes, sha256) beside the combined digest."""
    import hashlib
    import json

    from sentinel_checks.data.identity import data_identity
    from sentinel_checks.gate.run_record import gate_run
    from sentinel_checks.reports.gate_report import GateReport, write_reports

    files = _write_parts(tmp_path / "data" / "logs", _frame(), parts=2)
    config = tmp_path / "sentinel.toml"
    config.write_text('[data]\npath = "data/logs"\n\n[splits]\nmethod = "column"\ncolumn = "split"\n')

    def written(folder: Path) -> dict:
        cfg = load_config(config)
        write_reports(gate_run(cfg, [], coverage={"suites": [], "deselected": 0}), folder)
        assert GateReport.read(folder / "gate.json").data_files["dataset"]  # read back
        return json.loads((folder / "gate.json").read_text())

    before = written(tmp_path / "before")
    listed = before["data_files"]["dataset"]
    assert [f["path"] for f in listed] == ["month=0/part-0.parquet", "month=1/part-1.parquet"]
    for entry, path in zip(listed, files, strict=True):  # each entry is that file's own figures
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert before["data"]["dataset"] == data_fingerprints(load_config(config))["dataset"]
    assert data_identity(load_config(config)).files == before["data_files"]

    _frame(seed=1).iloc[:250].to_parquet(files[1], index=False)  # the second part rewritten
    after = written(tmp_path / "after")
    assert after["data"]["dataset"] != before["data"]["dataset"]
    changed = [
        a["path"]
        for a, b in zip(before["data_files"]["dataset"], after["data_files"]["dataset"], strict=True)
        if a != b
    ]
    assert changed == ["month=1/part-1.parquet"]


def test_a_single_file_input_has_no_file_list(tmp_path):
    """``data_files`` is written only for a directory or glob input (a file's sha256 is in ``data``)."""
    from sentinel_checks.gate.run_record import gate_run
    from sentinel_checks.reports.gate_report import gate_document

    (tmp_path / "data").mkdir()
    _frame().to_parquet(tmp_path / "data" / "one.parquet", index=False)
    config = tmp_path / "sentinel.toml"
    config.write_text('[data]\npath = "data/one.parquet"\n\n[splits]\nmethod = "column"\ncolumn = "split"\n')
    doc = gate_document(gate_run(load_config(config), [], coverage={}))
    assert doc["data"]["dataset"].startswith("sha256:") and "data_files" not in doc


# --------------------------------------------------------------------------- the pytest run closes the session


def test_the_plugin_closes_the_session_and_its_engine_at_the_end(gate_project):
    from sentinel_checks.gate import plugin
    from sentinel_checks.gate.engine_setup import EngineConnection
    from sentinel_checks.gate.plugin_state import STATE, GateState
    from sentinel_checks.gate.session import GateSession

    closed: list[str] = []
    session = GateSession(load_config(gate_project().config))
    session._cache["engine_connection"] = EngineConnection(
        backend=None, close=lambda: closed.append("engine")
    )
    state = GateState(config_option="sentinel.toml", reports_dir=Path("reports"), session=session)
    fake_config = SimpleNamespace(stash={STATE: state})
    plugin.pytest_unconfigure(fake_config)
    assert closed == ["engine"]
    plugin.pytest_unconfigure(fake_config)  # twice: nothing more to close
    assert closed == ["engine"]


# --------------------------------------------------------------------------- split statistics split in the engine


def _as_directory(project, frame: pd.DataFrame, parts: int = 4) -> None:
    """The dataset again as a folder of parquet parts (``data/logs/part-i/``), rows in order."""
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), parts)):
        folder = project.folder / "data" / "logs" / f"part-{i}"  # no key=value: no partition column
        folder.mkdir(parents=True)
        frame.iloc[rows].to_parquet(folder / "data.parquet", index=False)


def _engine_was_not_fed_frames(monkeypatch):
    import sentinel_checks.engine.ibis_connection as ibis_connection

    def refuse(*args, **kwargs):
        raise AssertionError("the split frames were registered: the engine did not split the data itself")

    monkeypatch.setattr(ibis_connection, "table_from_frame", refuse)


@pytest.mark.parametrize("split", ["time", "column"])
def test_split_results_are_identical_from_a_file_in_pandas_and_a_parquet_directory_in_duckdb(
    gate_project, small_log, monkeypatch, split
):
    """A clean time split with users purged, and a random row split with 300 train rows
    copied into test (time order, users and rows leak): pandas on one file and DuckDB
    on the same rows as a directory of parts, split in DuckDB, judge identically."""
    from sentinel_checks.gate.session import GateSession

    offline = small_log.offline.copy()
    text = BASE_CONFIG
    if split == "column":
        offline["split"] = np.random.default_rng(0).choice(["train", "val", "test"], size=len(offline))
        copies = offline[offline["split"] == "train"].head(300).assign(split="test")
        offline = pd.concat([offline, copies], ignore_index=True)
        text = text.replace(TIME_SPLIT, RANDOM_SPLIT)
    project = gate_project(offline=offline, config_text=text)
    by_pandas = _split_results(GateSession(load_config(project.config)))
    _as_directory(project, offline)
    (project.folder / "data" / "requests.parquet").unlink()  # the directory is the only copy
    engine_config = project.folder / "engine.toml"
    engine_config.write_text(text.replace(DATA, '[data]\npath = "data/logs"\nengine = "duckdb"\n'))
    _engine_was_not_fed_frames(monkeypatch)
    session = GateSession(load_config(engine_config))
    by_duckdb = _split_results(session)
    assert session.engine_source is not None
    statuses = {r[1].value for r in by_pandas}
    assert statuses <= {"pass", "warn"} if split == "time" else "fail" in statuses
    assert by_duckdb == by_pandas


# --------------------------------------------------------------------------- splits.target_leakage's monotone AUC in the engine


def _leak_frame(n: int = 3000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.2
    frame = pd.DataFrame(
        {
            "leak": np.where(y, 5.0, 0.0) + rng.normal(scale=0.3, size=n),  # AUC ≈ 1
            "noise": rng.integers(0, 7, size=n).astype(float),  # ties
            "flag": rng.random(n) < 0.5,
            "country": rng.choice(["de", "fr", "us"], size=n),  # text: read in pandas
            "label": np.where(y, "risky", "safe"),
        }
    )
    frame.loc[rng.random(n) < 0.05, "noise"] = np.nan
    return frame, y


def test_target_leakage_monotone_auc_read_by_duckdb_is_the_pandas_reading():
    from sentinel_checks.engine.ibis_connection import connect_duckdb, table_from_frame
    from sentinel_checks.engine.leakage_statistics import monotone_auc
    from sentinel_checks.stats.univariate import feature_association

    frame, y = _leak_frame()
    table = table_from_frame(connect_duckdb(threads=1), frame, name="train")
    for f in ("leak", "noise", "flag"):
        engine = monotone_auc(table, f, label="label", positive="risky")
        assert engine == feature_association(frame[f], y, seed=0).monotone_auc, f
    assert feature_association(frame["leak"], y, seed=0).score > 0.95


def test_the_target_leakage_step_reads_the_monotone_auc_through_the_engine(
    gate_project, small_log, monkeypatch
):
    """With DuckDB the gate asks the engine for each numeric feature's monotone AUC (and
    every other reading), and judges exactly as pandas does on a planted leak (a copy of
    the label plus noise)."""
    import sentinel_checks.engine.leakage_statistics as leakage_statistics
    from sentinel_checks.gate import steps
    from sentinel_checks.gate.session import GateSession

    offline = small_log.offline.copy()
    risky = (offline["label"] == "risky").to_numpy()
    offline["ip_risk"] = risky + np.random.default_rng(1).normal(scale=0.2, size=len(offline))
    results = {}
    asked: list[str] = []
    real = leakage_statistics.monotone_auc

    def counting(table, column, **kwargs):
        asked.append(column)
        return real(table, column, **kwargs)

    monkeypatch.setattr(leakage_statistics, "monotone_auc", counting)
    for engine in ("pandas", "duckdb"):
        project = gate_project(
            offline=offline, config_text=BASE_CONFIG.replace(DATA, DATA + f'engine = "{engine}"\n')
        )
        session = GateSession(load_config(project.config))
        result = steps.target_leakage(session)
        results_features = session.features
        results[engine] = (result.status, result.measured, result.message, result.evidence, result.support)
    # with duckdb every reading is engine counts: one monotone AUC per numeric feature
    # (of its float view, numeric_view's), none for text; pandas asks none
    from sentinel_checks.stats.leakage import numeric_view

    train = GateSession(load_config(project.config)).splits.train
    numeric = [f for f in train.columns if f in results_features and numeric_view(train[f]) is not None]
    assert len(asked) == len(numeric) and "ip_risk" in numeric
    assert results["duckdb"][0].value == "fail"
    assert results["duckdb"] == results["pandas"]


# --------------------------------------------------------------------------- [data] table


def _duckdb_file(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA analytics")
    for name, frame in tables.items():
        con.register("incoming", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
        con.unregister("incoming")
    con.close()


def test_a_duckdb_catalog_table_is_the_dataset_and_splits_as_the_file_does(
    gate_project, small_log, monkeypatch
):
    from sentinel_checks.gate.session import GateSession

    project = gate_project()
    by_pandas = _split_results(GateSession(load_config(project.config)))
    _duckdb_file(project.folder / "data" / "warehouse.duckdb", {"analytics.requests": small_log.offline})
    text = BASE_CONFIG.replace(DATA, '[data]\ntable = "analytics.requests"\nengine = "duckdb"\n')
    engine_config = project.folder / "engine.toml"
    engine_config.write_text(text + '\n[engine.duckdb]\ndatabase = "data/warehouse.duckdb"\n')
    _engine_was_not_fed_frames(monkeypatch)
    session = GateSession(load_config(engine_config))
    assert len(session.dataset) == len(small_log.offline)
    assert session.dataset["request_id"].tolist() == small_log.offline["request_id"].tolist()
    assert _split_results(session) == by_pandas


def test_a_missing_table_is_named_with_the_tables_there_are(tmp_path):
    from sentinel_checks.gate.session import GateSession

    _duckdb_file(tmp_path / "w.duckdb", {"requests": _frame(), "analytics.requests_2026": _frame()})
    config = tmp_path / "sentinel.toml"
    config.write_text(
        '[data]\ntable = "reqests"\nengine = "duckdb"\n\n[engine.duckdb]\ndatabase = "w.duckdb"\n\n'
        '[splits]\nmethod = "column"\ncolumn = "split"\n'
    )
    with pytest.raises(DataError, match=r"\[data\] table: no table reqests .*did you mean requests\?"):
        _ = GateSession(load_config(config)).dataset
    config.write_text(config.read_text().replace('"reqests"', '"analytics.requests_2025"'))
    with pytest.raises(DataError, match=r"no table analytics.requests_2025 in analytics.*requests_2026"):
        _ = GateSession(load_config(config)).dataset


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            'table = "requests"\n',
            r"table = 'requests' is a table of an engine's catalog: set engine = 'duckdb'",
        ),
        (
            'table = "requests"\npath = "x.parquet"\nengine = "duckdb"\n',
            r"exactly one of 'path', 'loader' or 'table' \(got path and table\)",
        ),
    ],
)
def test_a_table_needs_an_engine_and_no_other_source(tmp_path, data, error):
    from sentinel_checks.errors import ConfigError

    (tmp_path / "x.parquet").write_bytes(b"")
    config = tmp_path / "sentinel.toml"
    config.write_text(f'[data]\n{data}\n[splits]\nmethod = "column"\ncolumn = "split"\n')
    with pytest.raises(ConfigError, match=error):
        load_config(config)


def test_a_production_table_is_read_from_the_same_database(tmp_path):
    from sentinel_checks.gate.session import GateSession

    frame = _frame().assign(split="train")
    _duckdb_file(tmp_path / "w.duckdb", {"requests": frame, "analytics.production": frame.head(50)})
    config = tmp_path / "sentinel.toml"
    config.write_text(
        '[data]\ntable = "requests"\nengine = "duckdb"\n\n[production]\ntable = "analytics.production"\n\n'
        '[engine.duckdb]\ndatabase = "w.duckdb"\n\n[splits]\nmethod = "column"\ncolumn = "split"\n'
    )
    session = GateSession(load_config(config))
    assert session.production["x"].tolist() == frame["x"].head(50).tolist()
    assert len(session.dataset) == 600
