"""The preflight on a DuckDB session that reads a parquet directory where it lies: the
dataset is never read into pandas (``GateSession.materialized``) and the problems equal
the pandas session's on the same files, clean and with planted faults."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.config import load_config
from sentinel_checks.gate.preflight import preflight
from sentinel_checks.gate.session import GateSession
from tests.test_engine_lazy_splits import CONFIG, TIME, frame


def sessions(tmp_path, data: pd.DataFrame, splits: str = TIME, label: bool = True, timestamp: str = "ts"):
    parts = tmp_path / "parts"
    for i, rows in enumerate(np.array_split(np.arange(len(data)), 4)):
        (parts / f"part-{i}").mkdir(parents=True)
        data.iloc[rows].to_parquet(parts / f"part-{i}" / "data.parquet", index=False)
    out = []
    for engine in ("pandas", "duckdb"):
        text = textwrap.dedent(CONFIG.format(data=f'path = "parts"\nengine = "{engine}"', splits=splits))
        if not label:
            text = text.replace('label = "label"\n', "")
        text = text.replace('timestamp = "ts"', f"timestamp = {timestamp!r}")
        config = tmp_path / f"{engine}.toml"
        config.write_text(text)
        out.append(GateSession(load_config(config)))
    return out


def problems(session: GateSession) -> list[tuple]:
    return [(p.key, p.message, p.about) for p in preflight(session) if p.key != "[engine.duckdb]"]


@pytest.mark.parametrize(
    "fault",
    [None, "label_values", "label_missing", "null_time", "number_boundary", "unset_label", "number_embargo"],
)
def test_the_preflight_from_engine_counts_equals_pandas_without_reading_the_dataset(tmp_path, fault):
    data, splits, label = frame(), TIME, True
    if fault == "label_values":  # a third class, in two spellings
        data.loc[[5, 9, 11], "label"] = "Risky"
        data.loc[[20], "label"] = "unknown"
    elif fault == "label_missing":
        data.loc[[3, 4], "label"] = None
    elif fault == "null_time":
        data.loc[[7], "ts"] = pd.NaT
    elif fault == "number_boundary":  # a number as boundary on a datetime column
        splits = TIME.replace('val_start = "2025-03-01"', "val_start = 5")
        splits = splits.replace('test_start = "2025-04-01"', "test_start = 10")
    elif fault == "number_embargo":  # a number as embargo on a datetime column
        splits = TIME.replace('embargo = "1D"', "embargo = 3")
    elif fault == "unset_label":  # no [columns] label, no column "label": two-valued columns suggested
        data = data.rename(columns={"label": "is_risky"})
        label = False
    by_pandas, by_duckdb = sessions(tmp_path, data, splits, label)
    want, got = problems(by_pandas), problems(by_duckdb)
    assert "dataset" not in by_duckdb.materialized()
    assert got == want
    assert "dataset" in by_pandas.materialized()
    if fault is None:
        assert got == []
    else:
        assert got, fault


ROW_SPLITS = 'method = "time"\nval_start = 0.6\ntest_start = 0.8\nembargo = 5'


@pytest.mark.parametrize(
    ("fault", "splits"),
    [
        (None, ROW_SPLITS),
        ("date_boundaries", 'method = "time"\nval_start = "2025-03-01"\ntest_start = "2025-04-01"'),
        ("fraction_outside", ROW_SPLITS.replace("test_start = 0.8", "test_start = 1.5")),
        ("equal_positions", ROW_SPLITS.replace("test_start = 0.8", "test_start = 0.6001")),  # both row 1800
        ("duration_embargo", ROW_SPLITS.replace("embargo = 5", 'embargo = "1D"')),
    ],
)
def test_row_order_boundaries_are_checked_by_the_engine_preflight_as_by_pandas(tmp_path, fault, splits):
    """``timestamp = "@row"``: boundaries are row positions or fractions of the rows; the
    engine preflight reports a bad one as the pandas preflight does, same words."""
    by_pandas, by_duckdb = sessions(tmp_path, frame(), splits, timestamp="@row")
    want, got = problems(by_pandas), problems(by_duckdb)
    assert "dataset" not in by_duckdb.materialized()
    assert got == want
    if fault is None:
        assert got == []
    else:
        assert [key for key, _, _ in got] == ["[splits]"], fault


@pytest.mark.parametrize("fault", [None, "production_label_values", "production_missing_feature"])
def test_the_preflight_reads_a_parquet_production_sample_where_it_lies(tmp_path, fault):
    """The preflight read the whole production sample into pandas whatever the engine, and
    the session kept that frame: every production check then ran on it instead of in the
    engine (at 10M rows a 1M-row frame, held in Spark's driver for the run). Now, with
    the sample read where it lies, the preflight takes its columns without rows and
    counts its label values in the engine: the same problems as pandas on planted
    faults, and no production frame in memory afterwards."""
    data = frame()
    production = frame(800, seed=1).drop(columns=["split"])
    if fault == "production_label_values":
        production.loc[[3, 4, 5], "label"] = "RISKY"
    elif fault == "production_missing_feature":
        production = production.drop(columns=["amount"])
    production.to_parquet(tmp_path / "production.parquet", index=False)
    by_pandas, by_duckdb = sessions(tmp_path, data)
    for session in (by_pandas, by_duckdb):
        text = session.config.source.read_text() + '\n[production]\npath = "production.parquet"\n'
        session.config.source.write_text(text)
    by_pandas, by_duckdb = (GateSession(load_config(s.config.source)) for s in (by_pandas, by_duckdb))
    want, got = problems(by_pandas), problems(by_duckdb)
    assert got == want
    assert ("production" in by_pandas.materialized()) and ("production" not in by_duckdb.materialized())
    if fault is None:
        assert got == []
    else:
        assert any(
            key in ("[columns]", "[models.candidate]") or "production" in message for key, message, _ in got
        )
        assert fault != "production_label_values" or any("'RISKY' (3 rows)" in m for _, m, _ in got), got
    if fault is None:  # the production checks then read the held table, not a frame
        from sentinel_checks.gate import steps

        assert steps.production_contract(by_duckdb).status == steps.production_contract(by_pandas).status
        assert by_duckdb.engine_production is not None and "production" not in by_duckdb.materialized()


def test_an_engine_that_cannot_connect_is_its_own_problem_and_production_is_still_checked(
    tmp_path, monkeypatch
):
    """Review: reading production where it lies reached the engine connection unguarded, so
    a connection error came out under [production] and hid production's own faults. It is
    reported once, under its [engine.*] key, and production is checked through pandas."""
    from sentinel_checks.errors import ConfigError
    from sentinel_checks.gate import engine_setup

    def refused(config):
        raise ConfigError(f"{config.source}: [engine.duckdb] database: cannot open (planted)")

    monkeypatch.setattr(engine_setup, "open_engine", refused)
    production = frame(800, seed=1).drop(columns=["split", "amount"])
    production.loc[[3], "label"] = "Risky"
    production.to_parquet(tmp_path / "production.parquet", index=False)
    _, by_duckdb = sessions(tmp_path, frame())
    by_duckdb.config.source.write_text(
        by_duckdb.config.source.read_text() + '\n[production]\npath = "production.parquet"\n'
    )
    found = preflight(GateSession(load_config(by_duckdb.config.source)))
    keys = [p.key for p in found]
    assert not any(k == "[production]" for k in keys), found
    messages = " ".join(p.message for p in found)
    assert "'Risky'" in messages and "'amount' is not a column of the production sample" in messages
    # the connection was tried (to read production where it lies) and failed: told now, not
    # "not tried" (review: it was hidden until the next run)
    assert "[engine.duckdb] database" in keys, found
    clean = tmp_path / "clean"
    clean.mkdir()
    frame(800, seed=1).drop(columns=["split"]).to_parquet(clean / "production.parquet", index=False)
    _, by_duckdb = sessions(clean, frame())
    by_duckdb.config.source.write_text(
        by_duckdb.config.source.read_text() + '\n[production]\npath = "production.parquet"\n'
    )
    found = preflight(GateSession(load_config(by_duckdb.config.source)))
    # under the setting the engine's message names (trial: "[engine.duckdb]: temp_directory: ...")
    assert [p.key for p in found] == ["[engine.duckdb] database"] and "planted" in found[0].message
    assert str(found[0]) == "[engine.duckdb] database: cannot open (planted)"
