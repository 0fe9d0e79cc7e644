"""Engine setup mistakes stop the gate before any check (issue 18's new-user trial).

A ``[engine.duckdb] memory_limit`` too small to hold the splits made where the data lies
ran the whole gate with one error per check (46 on the demo, exit 1); a corrupt part of a
parquet directory gave pyarrow's ``ArrowInvalid`` traceback without naming the file. Both
are now one setup problem (exit 2) naming the key or the file and the fix.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sentinel_checks.config import load_config
from sentinel_checks.errors import DataError, EngineResourceError
from sentinel_checks.gate.preflight import preflight
from sentinel_checks.gate.session import GateSession
from tests.conftest import SUITES, run_sentinel, run_suites
from tests.test_engine_held_splits import temp_tables
from tests.test_engine_lazy_splits import CONFIG, TIME, frame

#: Rows whose three held splits do not fit in 20MB of DuckDB memory (the counts do).
ROWS = 50_000


def _project(folder: Path, *, engine: str = "", rows: int = ROWS) -> Path:
    """A parquet directory of four parts and a DuckDB config over it; ``engine`` is
    appended (an ``[engine.duckdb]`` table)."""
    data = frame(rows)
    parts = folder / "parts"
    for i, positions in enumerate(np.array_split(np.arange(len(data)), 4)):
        (parts / f"part-{i}").mkdir(parents=True)
        data.iloc[positions].to_parquet(parts / f"part-{i}" / "data.parquet", index=False)
    text = textwrap.dedent(CONFIG.format(data='path = "parts"\nengine = "duckdb"', splits=TIME)) + engine
    config = folder / "sentinel.toml"
    config.write_text(text)
    return config


LOW = '\n[engine.duckdb]\nmemory_limit = "20MB"\n'


def test_a_memory_limit_too_small_to_hold_a_split_is_one_setup_problem(tmp_path):
    session = GateSession(load_config(_project(tmp_path, engine=LOW)))
    problems = preflight(session)
    assert len(problems) == 1, problems
    (problem,) = problems
    text = str(problem)
    assert problem.key == "[engine.duckdb] memory_limit", text
    assert text.startswith("[engine.duckdb] memory_limit = '20MB', temp_directory unset:"), text
    assert "split made where the data lies" in text and "Out of Memory" in text, text
    assert "Raise memory_limit" in text and "set temp_directory" in text, text
    assert text.count("\n") == 0  # one line
    with pytest.raises(EngineResourceError):  # cached: a check asking again is not held again
        session.engine_table("test")
    assert not [t for t in temp_tables(session.engine_connection.backend) if "sentinel_split" in t]
    session.close()


def test_out_of_memory_with_a_spill_folder_set_does_not_ask_to_set_it(tmp_path):
    """Trial: the message said "also set temp_directory" when it was set already."""
    import duckdb

    from sentinel_checks.gate.engine_setup import hold_failure

    spill = tmp_path / "spill"
    engine = f'\n[engine.duckdb]\nmemory_limit = "20MB"\ntemp_directory = "{spill}"\n'
    config = load_config(_project(tmp_path, engine=engine, rows=200))
    error = duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block of size 256.0 KiB")
    told = hold_failure(config, "hold the train split made where the data lies", error)
    text = str(told)
    assert isinstance(told, EngineResourceError), text
    assert text.startswith(f"[engine.duckdb] memory_limit = '20MB', temp_directory '{spill}':"), text
    assert "memory DuckDB could not spill there" in text and "set temp_directory" not in text, text
    disk = OSError(28, "No space left on device")
    told_disk = str(hold_failure(config, "hold the train split made where the data lies", disk))
    assert "give temp_directory more room" in told_disk, told_disk


def test_a_sound_memory_limit_holds_the_splits_once_in_the_preflight(tmp_path):
    session = GateSession(load_config(_project(tmp_path)))
    assert preflight(session) == []
    backend = session.engine_connection.backend
    held = [t for t in temp_tables(backend) if "sentinel_split" in t]
    assert len(held) == 3, held  # held by the preflight ...
    assert session.engine_table("train").count().execute() > 0
    assert [t for t in temp_tables(backend) if "sentinel_split" in t] == held  # ... and not again
    assert session.materialized() == []  # nothing read into pandas for it
    session.close()


def test_duckdb_out_of_memory_in_the_preflight_counts_is_one_problem_not_a_traceback(tmp_path):
    config = _project(tmp_path, engine='\n[engine.duckdb]\nmemory_limit = "1MB"\n', rows=3000)
    (problem,) = preflight(GateSession(load_config(config)))
    assert problem.key == "[engine.duckdb] memory_limit", problem
    assert "'1MB'" in str(problem) and "Raise memory_limit" in str(problem), problem


def _stops_once(code: int, out: str, needle: str) -> None:
    assert code == 2, out[-3000:]
    assert out.count(needle) == 1, out[-3000:]
    # no check ran: pytest's summary counts none (DuckDB's own message may say "failed to pin")
    assert "Traceback" not in out and not re.search(r"\d+ (passed|failed)", out), out[-3000:]


@pytest.mark.slow
def test_sentinel_gate_and_pytest_stop_with_exit_2_on_a_split_that_cannot_be_held(tmp_path):
    config = _project(tmp_path, engine=LOW)
    args = ["gate", "--config", str(config), "--reports", "reports", "--suites", str(SUITES)]
    code, out = run_sentinel(*args, cwd=tmp_path)
    _stops_once(code, out, "DuckDB could not hold")
    _stops_once(*run_suites(SUITES, config, cwd=tmp_path), "DuckDB could not hold")


def _corrupt(part: Path, how: str) -> None:
    if how == "truncated":
        part.write_bytes(part.read_bytes()[:500])
    else:
        part.write_bytes(b"not parquet at all " * 50)


@pytest.mark.parametrize("how", ["truncated", "overwritten"])
def test_a_corrupt_part_is_one_data_problem_naming_the_file(tmp_path, how):
    config = _project(tmp_path, rows=3000)
    bad = tmp_path / "parts" / "part-2" / "data.parquet"
    _corrupt(bad, how)
    problems = preflight(GateSession(load_config(config)))
    real = [p for p in problems if p.about != "not_checked"]
    assert len(real) == 1, problems
    text = str(real[0])
    assert real[0].key == "[data] path", text
    assert str(bad) in text and "is not readable parquet" in text and "part-1" not in text, text


def test_a_corrupt_production_part_read_where_it_lies_is_a_data_error_naming_it(tmp_path):
    config = _project(tmp_path, rows=3000)
    prod = tmp_path / "prod"
    prod.mkdir()
    frame(400, seed=1).to_parquet(prod / "a.parquet", index=False)
    (prod / "b.parquet").write_bytes(b"PAR1 but nothing after")
    config.write_text(config.read_text() + '\n[production]\npath = "prod"\n')
    session = GateSession(load_config(config))
    with pytest.raises(DataError, match=r"\[production\] path: .*b\.parquet is not readable parquet"):
        session._production_in_place()
    session.close()


def _with_production(config: Path) -> Path:
    """``config`` with a clean production sample of 400 rows beside the dataset (``prod/``)."""
    prod = config.parent / "prod"
    prod.mkdir()
    frame(400, seed=1).to_parquet(prod / "a.parquet", index=False)
    config.write_text(config.read_text() + '\n[production]\npath = "prod"\n')
    return config


@pytest.mark.parametrize("source", ["dataset", "production"])
def test_the_engine_out_of_memory_reading_a_source_is_told_under_its_memory_key(
    tmp_path, monkeypatch, source
):
    """Review: the wording of DuckDB out of memory while reading the dataset or production
    where it lies had no test of its own (the preflight's catch-all gave the same key)."""
    import duckdb

    from sentinel_checks.engine import parquet_tables

    config = _with_production(
        _project(tmp_path, engine='\n[engine.duckdb]\nmemory_limit = "1GB"\n', rows=3000)
    )

    def out_of_memory(con, path, *, name):
        raise duckdb.OutOfMemoryException(f"{OOM}\n\nPossible solutions:\nSee also https://duckdb.org/docs")

    monkeypatch.setattr(parquet_tables, "table_from_parquet", out_of_memory)
    session = GateSession(load_config(config))
    try:
        with pytest.raises(EngineResourceError) as told:
            _ = session.engine_source if source == "dataset" else session._production_in_place()
    finally:
        session.close()
    text = str(told.value)
    assert text.startswith("[engine.duckdb] memory_limit = '1GB'"), text
    assert f"read the {'dataset' if source == 'dataset' else 'production sample'} where it lies" in text, text
    assert OOM in text and "Raise memory_limit" in text and "rewrite" not in text, text


@pytest.mark.parametrize("source", ["dataset", "production"])
def test_an_engine_error_reading_a_source_that_is_not_memory_is_not_blamed_on_memory(
    tmp_path, monkeypatch, source
):
    import duckdb

    from sentinel_checks.engine import parquet_tables

    def broken(con, path, *, name):
        raise duckdb.InvalidInputException("Invalid Input Error: something else")

    config = _with_production(_project(tmp_path, rows=3000))
    monkeypatch.setattr(parquet_tables, "table_from_parquet", broken)
    session = GateSession(load_config(config))
    try:
        with pytest.raises(duckdb.InvalidInputException):
            _ = session.engine_source if source == "dataset" else session._production_in_place()
    finally:
        session.close()


@pytest.mark.slow
def test_sentinel_gate_stops_with_exit_2_on_a_corrupt_part(tmp_path):
    config = _project(tmp_path, rows=3000)
    _corrupt(tmp_path / "parts" / "part-1" / "data.parquet", "truncated")
    args = ["gate", "--config", str(config), "--reports", "reports", "--suites", str(SUITES)]
    code, out = run_sentinel(*args, cwd=tmp_path)
    _stops_once(code, out, "is not readable parquet")
    assert "part-1" in out and "ArrowInvalid" not in out


# ------------------------------------------- out of memory inside a check, after the preflight

OOM = "Out of Memory Error: failed to pin block of size 256.0 KiB (47.5 MiB/47.6 MiB used)"


def test_a_check_the_engine_runs_out_of_memory_in_is_an_input_error_naming_the_key():
    """On the demo at memory_limit = "50MB" the splits are held but the contract's and
    row overlap's queries ran out of memory: the gate recorded DuckDB's last line ("See
    also https://duckdb.org/...") and exited 1."""
    import duckdb

    from sentinel_checks.gate.runner import outcome_of

    def call():
        raise duckdb.OutOfMemoryException(f"{OOM}\n\nPossible solutions:\nSee also https://duckdb.org/docs")

    outcome = outcome_of("suites/test_splits.py::test_x", call)
    assert outcome.outcome == "error" and outcome.input_error, outcome
    assert outcome.message.startswith("[engine.duckdb] memory_limit: DuckDB ran out of memory"), outcome
    assert OOM in outcome.message and "Raise memory_limit" in outcome.message, outcome
    assert "also set temp_directory" in outcome.message, outcome
    # with temp_directory set, the fix asks for room there (review: only the preflight did)
    spilled = outcome_of("suites/test_splits.py::test_x", call, engine="duckdb", spill_folder_set=True)
    assert "memory DuckDB could not spill there" in spilled.message, spilled
    assert "set temp_directory" not in spilled.message, spilled


def test_the_in_process_runner_words_memory_with_the_spill_folder_in_force(tmp_path):
    """run_plan passes whether temp_directory is set (review: a dropped wiring passed)."""
    import duckdb

    from sentinel_checks.gate.runner import PlannedTest, run_plan
    from tests.test_preflight import _project as pandas_project

    config = pandas_project(tmp_path)
    config.write_text(config.read_text() + f'\n[engine.duckdb]\ntemp_directory = "{tmp_path / "spill"}"\n')

    def step(session):
        raise duckdb.OutOfMemoryException(OOM)

    session = GateSession(load_config(config))
    try:
        (outcome,) = run_plan(session, [PlannedTest("suites/test_x.py::test_x", step)])
    finally:
        session.close()
    assert outcome.input_error and "memory DuckDB could not spill there" in outcome.message, outcome


FULL = "failed to offload data block of size 256.0 KiB (1.0 GiB/1.0 GiB used)"


@pytest.mark.parametrize(
    ("spill", "said", "ran_out", "fix"),
    [
        (False, OOM, "memory", "also set temp_directory"),
        (True, OOM, "memory", "memory DuckDB could not spill there"),  # review: only the preflight knew
        (True, FULL, "disk", "give temp_directory more room"),  # DuckDB's temp_directory full
    ],
)
def test_pytest_records_an_engine_out_of_memory_in_a_gate_test_as_exit_2(tmp_path, spill, said, ran_out, fix):
    from tests.test_preflight import _project as pandas_project

    config = pandas_project(tmp_path)
    if spill:
        config.write_text(
            config.read_text() + f'\n[engine.duckdb]\ntemp_directory = "{tmp_path / "spill"}"\n'
        )
    suites = tmp_path / "my_suites"
    suites.mkdir()
    (suites / "test_rows.py").write_text(
        "import duckdb\n\n"
        "def test_rows(sentinel_dataset):\n"
        f"    raise duckdb.OutOfMemoryException({said!r} + '\\nSee also https://duckdb.org/docs')\n"
    )
    code, out = run_suites(suites, config, cwd=tmp_path)
    assert code == 2, out[-3000:]
    assert f"[engine.duckdb] memory_limit: DuckDB ran out of {ran_out}" in out, out[-3000:]
    assert fix in " ".join(out.split()), out[-3000:]


@pytest.mark.parametrize("limit", ["1KB", "100KB"])
def test_a_memory_limit_too_small_to_read_the_footers_is_not_blamed_on_the_files(tmp_path, limit):
    """Trial: with 1KB-300KB DuckDB ran out of memory reading the parquet schemas, and the
    problem said the files could not be read as parquet and should be rewritten."""
    config = _project(tmp_path, engine=f'\n[engine.duckdb]\nmemory_limit = "{limit}"\n', rows=3000)
    problems = [p for p in preflight(GateSession(load_config(config))) if p.about != "not_checked"]
    assert [p.key for p in problems] == ["[engine.duckdb] memory_limit"], problems
    text = str(problems[0])
    assert f"'{limit}'" in text and "Raise memory_limit" in text and "rewrite" not in text, text


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("missing/a/b", "its parent folder"),  # DuckDB creates only the last folder
        ("a-file", "is a file"),
        # review: a link to a missing folder passed (exists() is False, its parent writable)
        ("dangling", "which does not exist"),
    ],
)
def test_a_spill_folder_duckdb_cannot_use_is_a_setup_problem_before_any_check(tmp_path, where, says):
    """Trial: a temp_directory whose parent was missing passed the preflight (DuckDB had not
    spilled yet at 60MB) and every check then failed to hold its split."""
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    spill = tmp_path / where
    engine = f'\n[engine.duckdb]\nmemory_limit = "1GB"\ntemp_directory = "{spill}"\n'
    problems = preflight(GateSession(load_config(_project(tmp_path, engine=engine, rows=3000))))
    real = [p for p in problems if p.about != "not_checked"]
    assert len(real) == 1, problems
    text = str(real[0])
    assert text.startswith("[engine.duckdb] temp_directory: "), text
    assert str(spill) in text and says in text, text


def test_a_bad_spill_folder_beside_a_misspelt_column_is_told_in_the_same_run(tmp_path):
    """Review: reading the data where it lies tried to connect and failed on the spill
    folder; with another problem found, the engine's line said "holding the splits not
    tried" and the spill folder was told only on the next run."""
    spill = tmp_path / "missing" / "spill"
    engine = f'\n[engine.duckdb]\ntemp_directory = "{spill}"\n'
    config = _project(tmp_path, engine=engine, rows=3000)
    config.write_text(config.read_text().replace('label = "label"', 'label = "labl"', 1))
    problems = preflight(GateSession(load_config(config)))
    keys = [p.key for p in problems if p.about != "not_checked"]
    assert "[engine.duckdb] temp_directory" in keys and len(keys) >= 2, problems
    assert not any("not tried" in p.message for p in problems), problems


@pytest.mark.parametrize(("engine", "data_path"), [("duckdb", "parts"), ("pandas", "parts/*/*.parquet")])
def test_a_production_sample_inside_the_dataset_folder_is_a_setup_problem(tmp_path, engine, data_path):
    """Trial: ``[data] path = "data"`` with production in ``data/production/`` read the
    production rows into the dataset (into test), and no check or note said so."""
    config = _project(tmp_path, rows=3000)
    base = config.read_text().replace('path = "parts"', f'path = "{data_path}"')
    if engine == "pandas":
        base = base.replace('engine = "duckdb"\n', "")
    outside, inside = tmp_path / "prod", tmp_path / "parts" / "production"
    for seed, folder in enumerate((outside, inside), start=1):  # other rows: not a copy of each other
        folder.mkdir()
        frame(400, seed=seed).to_parquet(folder / "p.parquet", index=False)

    def problems(production: str) -> dict[str, str]:
        config.write_text(base + f'\n[production]\npath = "{production}"\n')
        return _problems(config)

    told = problems("parts/production")["[production] path"]
    assert "1 file(s) of the production sample" in told and str(inside / "p.parquet") in told, told
    assert "also read as the dataset by [data] path" in told, told
    assert "[production] path" not in problems("prod")  # beside the dataset, not in it
    (tmp_path / "linked.parquet").hardlink_to(tmp_path / "parts" / "part-0" / "data.parquet")
    told = problems("linked.parquet")["[production] path"]  # review: a hard link is the same file
    assert f"read there as {tmp_path / 'parts' / 'part-0' / 'data.parquet'})" in told, (
        told
    )  # trial: the one to move


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_a_copy_of_the_production_sample_inside_the_dataset_folder_is_a_setup_problem(tmp_path, engine):
    """Trial: a copy of production.parquet (another file, the same bytes) in the dataset's
    folder passed the check that compares files; with labels its rows were split into
    train, val and test and compared with themselves."""
    config = _project(tmp_path, rows=3000)
    base = config.read_text()
    if engine == "pandas":
        base = base.replace('engine = "duckdb"\n', "").replace('path = "parts"', 'path = "parts/*/*.parquet"')
    (tmp_path / "prod").mkdir()
    frame(400, seed=1).to_parquet(tmp_path / "prod" / "p.parquet", index=False)
    copy = tmp_path / "parts" / "copied" / "data.parquet"
    production = "prod/p.parquet"

    def problems() -> dict[str, str]:
        config.write_text(base + f'\n[production]\npath = "{production}"\n')
        return _problems(config)

    assert "[production] path" not in problems()  # beside the dataset: fine
    copy.parent.mkdir()
    copy.write_bytes((tmp_path / "prod" / "p.parquet").read_bytes())
    told = problems()["[production] path"]
    assert "the same bytes" in told and str(copy) in told and "p.parquet" in told, told
    frame(400, seed=2).to_parquet(copy, index=False)  # other rows, same size or not: not a copy
    assert "[production] path" not in problems()
    # review: empty parts of one schema are byte-equal, and hold no production row
    typed = pa.Table.from_pandas(frame(400, seed=1), preserve_index=False).schema  # no null-typed column
    empty = pa.Table.from_pandas(frame(400, seed=1).iloc[:0], schema=typed, preserve_index=False)
    pq.write_table(empty, copy)
    pq.write_table(empty, tmp_path / "prod" / "empty.parquet")
    production = "prod"  # the production folder: p.parquet and the empty part
    assert "[production] path" not in problems()


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
@pytest.mark.parametrize(
    ("splits", "empty", "window"),
    [
        (  # test_start 12 hours after val_start, a 1-day embargo: val has no row
            'val_start = "2025-03-01"\ntest_start = "2025-03-01T12:00:00"\nembargo = "1D"',
            "val",
            "val (from val_start 2025-03-01 + embargo 1D to test_start 2025-03-01T12:00:00)",
        ),
        (  # the data ends in April: test starts after it
            'val_start = "2025-03-01"\ntest_start = "2025-06-01"',
            "test",
            "test (from test_start 2025-06-01)",
        ),
        (  # positions: val [1005, 1001) after an embargo of 5 rows
            "val_start = 1000\ntest_start = 1001\nembargo = 5",
            "val",
            "val (from val_start 1000 + embargo 5 to test_start 1001)",
        ),
    ],
    ids=["embargo", "after-the-data", "row-order"],
)
def test_a_split_left_empty_by_its_boundaries_is_a_setup_problem(tmp_path, engine, splits, empty, window):
    """Trial: ``test_start`` 12 hours after ``val_start`` with a 1-day embargo left val
    empty; the gate ran and 28 checks errored one by one (exit 1)."""
    config = _project(tmp_path, rows=3000)
    text = config.read_text().replace(TIME, f'method = "time"\n{splits}')
    if "embargo = 5" in splits:
        text = text.replace('timestamp = "ts"', 'timestamp = "@row"')
    if engine == "pandas":
        text = text.replace('engine = "duckdb"\n', "")
    config.write_text(text)
    told = _problems(config)
    assert list(told) == ["[splits]"], told
    timestamp = "@row" if "embargo = 5" in splits else "ts"
    assert f"no row of {timestamp!r} falls in {window} (rows per split: train " in told["[splits]"]
    assert re.search(rf"{empty} 0\b", told["[splits]"]), told
    assert "move the boundaries or shorten the embargo" in told["[splits]"]


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_splits_with_rows_on_every_side_are_no_problem(tmp_path, engine):
    config = _project(tmp_path, rows=3000)
    if engine == "pandas":
        config.write_text(config.read_text().replace('engine = "duckdb"\n', ""))
    assert "[splits]" not in _problems(config)


def _problems(config: Path) -> dict[str, str]:
    """The preflight's problems on ``config`` (those it checked), by key, the session closed."""
    session = GateSession(load_config(config))
    try:
        return {p.key: str(p) for p in preflight(session) if p.about != "not_checked"}
    finally:
        session.close()
