"""A step the engine cannot run where the data lies falls back to pandas, and says so:
the run's ``notes`` (gate.json, gate.md) name what was read through pandas and why
(issue 18's new-user trial: the fallbacks were silent)."""

from __future__ import annotations

import pytest

import sentinel_checks.engine.parquet_tables as parquet_tables
from sentinel_checks.config import load_config
from sentinel_checks.engine.spark_parquet import ParquetNotOnSpark
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
    raise ParquetNotOnSpark(WHY)  # as spark_parquet.table_from_parquet says it, no JVM needed


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


# ----------------------------------------------------- the splits and production (issue 18, item 3)


def test_a_time_column_held_as_text_is_split_through_pandas_and_noted(tmp_path):
    from tests.test_engine_lazy_splits import frame, sessions

    data = frame()
    data["ts"] = data["ts"].dt.strftime("%Y-%m-%d %H:%M:%S")  # text pandas parses
    by_pandas, by_duckdb = sessions(tmp_path, data)
    assert by_duckdb.engine_notes == ()
    tables = by_duckdb.engine_tables
    assert {k: int(t.count().execute()) for k, t in tables.items()} == {
        k: len(f) for k, f in by_pandas.splits.items()
    }
    (note,) = by_duckdb.engine_notes
    assert note.startswith("[data] the splits were made through pandas"), note
    assert "'ts'" in note and "string" in note and "3,000 rows" in note and "pd.to_datetime" in note, note
    by_duckdb.close()


def test_split_values_of_another_type_than_the_split_column_are_noted(tmp_path):
    from tests.test_engine_lazy_splits import frame, sessions

    data = frame()
    data["split"] = data["split"].map({"train": 0, "val": 1, "test": 2})
    floats = 'method = "column"\ncolumn = "split"\ntrain_value = 0.0\nval_value = 1.0\ntest_value = 2.0'
    by_pandas, by_duckdb = sessions(tmp_path, data, floats)
    counts = {k: int(t.count().execute()) for k, t in by_duckdb.engine_tables.items()}
    assert counts == {k: len(f) for k, f in by_pandas.splits.items()}
    (note,) = by_duckdb.engine_notes
    assert "split column 'split' (int64)" in note and "train_value = 0.0" in note, note
    assert "3,000 rows" in note and "int64 values" in note, note
    by_duckdb.close()


def test_a_clean_engine_split_has_no_note(tmp_path):
    from tests.test_engine_lazy_splits import frame, sessions

    _, by_duckdb = sessions(tmp_path, frame())
    assert by_duckdb.engine_tables is not None and by_duckdb.engine_notes == ()
    by_duckdb.close()


def test_a_text_time_column_noted_by_the_preflight_reaches_the_run_notes(tmp_path):
    """The preflight holds the splits, so the note is there before any check runs and
    gate.json (written from ``engine_notes``) carries it."""
    from sentinel_checks.gate.preflight import preflight
    from tests.test_engine_lazy_splits import frame, sessions

    data = frame()
    data["ts"] = data["ts"].dt.strftime("%Y-%m-%d %H:%M:%S")
    _, by_duckdb = sessions(tmp_path, data)
    assert [p for p in preflight(by_duckdb) if p.about != "not_checked"] == []
    assert any(n.startswith("[data] the splits were made through pandas") for n in by_duckdb.engine_notes)
    by_duckdb.close()


def test_a_production_time_column_held_as_text_is_noted(gate_project, small_log):
    production = small_log.production.assign(request_ts=small_log.production["request_ts"].astype(str))
    session = GateSession(load_config(gate_project(config_text=DUCKDB, production=production).config))
    assert session._production_in_place() is None
    (note,) = [n for n in session.engine_notes if n.startswith("[production]")]
    assert "'request_ts'" in note and "string" in note and f"{len(production):,} rows" in note, note
    session.close()


def test_a_production_schema_that_cannot_be_read_is_noted(gate_project):
    project = gate_project(config_text=DUCKDB)
    (project.folder / "data" / "production.parquet").write_bytes(b"not parquet " * 20)
    session = GateSession(load_config(project.config))
    assert session._production_in_place() is None
    (note,) = [n for n in session.engine_notes if n.startswith("[production]")]
    assert "schema could not be read" in note and "magic bytes" in note, note
    session.close()


def test_a_production_glob_whose_file_cannot_be_read_is_noted_too(gate_project):
    """Final read of stop 46: the missing-path test looked at the glob itself, which never
    exists as a path, so a matched file with a damaged schema lost its note."""
    project = gate_project(config_text=DUCKDB)
    (project.folder / "data" / "production.parquet").write_bytes(b"not parquet " * 20)
    text = project.config.read_text().replace("production.parquet", "prod*.parquet")
    assert text != project.config.read_text()
    project.config.write_text(text)
    session = GateSession(load_config(project.config))
    assert session._production_in_place() is None
    (note,) = [n for n in session.engine_notes if n.startswith("[production]")]
    assert "schema could not be read" in note, note
    session.close()


def test_a_clean_production_sample_is_read_where_it_lies_without_a_note(gate_project):
    session = GateSession(load_config(gate_project(config_text=DUCKDB).config))
    assert session._production_in_place() is not None
    assert session.engine_notes == ()
    session.close()


def test_the_run_notes_are_shown_in_the_terminal_gate_md_and_gate_html(tmp_path):
    """Trial: a time column stored as text read the whole dataset into pandas, and only
    gate.json's ``notes`` said so; the terminal, gate.md and gate.html said nothing."""
    from tests.conftest import run_suites
    from tests.test_engine_lazy_splits import frame, sessions

    data = frame()
    data["ts"] = data["ts"].dt.strftime("%Y-%m-%d %H:%M:%S")
    sessions(tmp_path, data)  # writes duckdb.toml over the parquet parts
    suites = tmp_path / "my_suites"
    suites.mkdir()
    (suites / "test_rows.py").write_text(
        "def test_rows(sentinel_session):\n    assert sentinel_session.engine_table('train') is not None\n"
    )
    code, out = run_suites(suites, tmp_path / "duckdb.toml", cwd=tmp_path)
    said = "[data] the splits were made through pandas, not where the data lies"
    assert code == 0, out[-3000:]
    assert f"note: {said}" in out, out[-3000:]
    md = (tmp_path / "reports" / "gate.md").read_text()
    assert "## Notes on this run" in md and said in md, md
    assert (tmp_path / "reports" / ".sentinel-reports").is_file()  # pytest's run marks its folder
    page = (tmp_path / "reports" / "gate.html").read_text()
    assert "Notes on this run" in page and said in page


def test_production_without_labels_yet_is_left_out_of_quality_on_the_engine_as_on_pandas(gate_project):
    """Review: pandas writes a label column of only None as Arrow's null type, which DuckDB
    reads as int32; comparing it with 'risky' raised in every check reading the candidate's
    evaluation (recall on test included), where pandas leaves unlabelled production out."""
    import pandas as pd

    from sentinel_checks.gate.session import NotConfigured

    project = gate_project(config_text=DUCKDB)
    production = pd.read_parquet(project.folder / "data" / "production.parquet")
    production["label"] = None
    production.to_parquet(project.folder / "data" / "production.parquet")
    got = {}
    for engine in ("duckdb", "pandas"):
        text = project.config.read_text()
        if engine == "pandas":
            text = text.replace('engine = "duckdb"\n', "")
        config = project.folder / f"{engine}.toml"
        config.write_text(text)
        session = GateSession(load_config(config))
        try:
            assert (session.engine_table("production") is not None) == (engine == "duckdb")
            test = steps.recall(session, "test")
            with pytest.raises(NotConfigured):
                steps.recall(session, "production")
            with pytest.raises(NotConfigured):  # no labelled production row: not measured
                steps.calibration_drift(session)
            got[engine] = (test.status, test.measured, steps.score_drift(session, "test:production").status)
        finally:
            session.close()
    assert got["duckdb"] == got["pandas"], got
    assert got["duckdb"][0].value in ("pass", "warn", "inconclusive", "fail"), got
