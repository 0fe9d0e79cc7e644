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
