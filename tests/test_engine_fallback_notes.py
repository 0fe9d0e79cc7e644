"""A step the engine cannot run where the data lies falls back to pandas, and says so:
the run's ``notes`` (gate.json, gate.md) name what was read through pandas and why
(issue 18's new-user trial: the fallbacks were silent)."""

from __future__ import annotations

import pytest

import sentinel_checks.engine.parquet_tables as parquet_tables
from sentinel_checks.config import load_config
from sentinel_checks.engine.spark_connection import ParquetNotOnSpark
from sentinel_checks.gate import steps
from sentinel_checks.gate.session import GateSession
from tests.conftest import BASE_CONFIG

DATA = '[data]\npath = "data/requests.parquet"\n'
DUCKDB = BASE_CONFIG.replace(DATA, DATA + 'engine = "duckdb"\n')
WHY = (
    "column 'request_ts' of data/requests.parquet is stored at nanoseconds, which Spark 4 cannot "
    "read as timestamps; write it at microseconds (df.to_parquet(..., coerce_timestamps='us'))"
)


def _refuse(*args, **kwargs):
    raise ParquetNotOnSpark(WHY)  # as spark_connection.table_from_parquet says it, no JVM needed


def test_a_clean_run_on_the_engine_has_no_fallback_note(gate_project):
    session = GateSession(load_config(gate_project(config_text=DUCKDB).config))
    assert session.engine_source is not None
    assert steps.dataset_contract(session).status.value == "pass"
    assert session.engine_notes == ()
    session.close()


def test_a_dataset_spark_cannot_read_is_read_through_pandas_and_noted(gate_project, monkeypatch):
    session = GateSession(load_config(gate_project(config_text=DUCKDB).config))
    monkeypatch.setattr(parquet_tables, "table_from_parquet", _refuse)
    assert session.engine_source is None  # the pandas frames are registered instead
    assert session.engine_source is None  # asked twice, noted once
    (note,) = session.engine_notes
    assert note.startswith("[data] path was read through pandas") and WHY in note
    session.close()
    assert session.engine_notes == (note,)  # kept for the reports written after close()


def test_a_production_sample_spark_cannot_read_is_read_through_pandas_and_noted(gate_project, monkeypatch):
    session = GateSession(load_config(gate_project(config_text=DUCKDB).config))
    monkeypatch.setattr(parquet_tables, "table_from_parquet", _refuse)
    assert session._production_in_place() is None
    (note,) = [n for n in session.engine_notes if n.startswith("[production]")]
    assert WHY in note
    session.close()


CHANNEL_AS_NUMBERS = "\n[contract.features.channel]\nallowed = [1, 2]\n"


def test_a_contract_the_engine_cannot_count_is_validated_by_pandas_and_noted(gate_project):
    project = gate_project(config_text=DUCKDB, extra=CHANNEL_AS_NUMBERS)
    session = GateSession(load_config(project.config))
    result = steps.dataset_contract(session)
    assert result.status.value == "fail"  # pandas judged it: no channel is 1 or 2
    notes = [n for n in session.engine_notes if n.startswith("contract.schema of dataset")]
    assert len(notes) == 1 and "'channel'" in notes[0] and "through pandas" in notes[0]
    assert "numbers for a numeric one" in notes[0]  # the fix
    steps.dataset_contract(GateSession(load_config(project.config)))  # another session: its own notes
    assert len([n for n in session.engine_notes if "'channel'" in n]) == 1
    steps.dataset_contract(session)  # the same step again on the same session: noted once
    assert len([n for n in session.engine_notes if "'channel'" in n]) == 1
    session.close()


@pytest.mark.slow
def test_the_fallback_note_reaches_gate_json(gate_project, tmp_path):
    import json

    from sentinel_checks.gate.artefacts import write_gate_reports
    from sentinel_checks.gate.runner import gate_run_in_process

    config = load_config(gate_project(config_text=DUCKDB, extra=CHANNEL_AS_NUMBERS).config)
    run, session = gate_run_in_process(config)
    write_gate_reports(run, session, tmp_path / "reports")
    notes = json.loads((tmp_path / "reports" / "gate.json").read_text())["notes"]
    assert any(n.startswith("contract.schema of dataset") and "'channel'" in n for n in notes)
