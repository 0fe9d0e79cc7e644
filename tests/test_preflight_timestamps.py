"""Sub-microsecond timestamps with an engine: one setup problem before any check runs.

DuckDB and Spark compare timestamps in microseconds, so nanosecond parts (ordinary
after pandas arithmetic) would be cut. Instead of every engine check failing on it,
the preflight names the column, the file holding the first such row and the fix.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sentinel_checks.engine.ibis_connection import first_finer_than_microseconds
from tests.conftest import SUITES, run_sentinel
from tests.test_preflight import _frame, _problems, _project

FIX = "df['request_ts'] = df['request_ts'].dt.floor('us')"


def _parquet_folder_project(folder, *, nanoseconds: bool):
    """A project whose [data] path is a folder of two parquet files; with
    ``nanoseconds`` the second file's request_ts carry a 7 ns part."""
    config = _project(folder)
    frame = _frame(0)
    half = len(frame) // 2
    if nanoseconds:  # as pandas arithmetic on float seconds makes them
        later = frame.index >= half
        frame.loc[later, "request_ts"] += pd.to_timedelta(frame.index[later] % 3 * 7, unit="ns")
    parts = folder / "parts"
    parts.mkdir()
    frame.iloc[:half].to_parquet(parts / "part-0.parquet")
    frame.iloc[half:].to_parquet(parts / "part-1.parquet")
    text = config.read_text().replace('path = "data.parquet"', 'path = "parts"\nengine = "duckdb"')
    config.write_text(text)
    return config


def test_the_first_finer_value_is_found_with_its_row_zoned_or_not():
    stamps = pd.Series(
        pd.to_datetime(["2025-01-01 00:00:00", None, "2025-01-01 00:00:00.000001"], format="ISO8601").astype(
            "datetime64[ns]"
        )
    )
    assert first_finer_than_microseconds(pd.DataFrame({"t": stamps})) is None
    planted = stamps.copy()
    planted.iloc[2] += pd.Timedelta(1, "ns")
    assert first_finer_than_microseconds(pd.DataFrame({"t": stamps, "u": planted})) == ("u", 2)
    zoned = planted.dt.tz_localize("Europe/Berlin")
    assert first_finer_than_microseconds(pd.DataFrame({"z": zoned})) == ("z", 2)


def test_nanosecond_timestamps_are_one_problem_naming_column_file_and_fix(tmp_path):
    problems = _problems(_parquet_folder_project(tmp_path, nanoseconds=True))
    assert len(problems) == 1, problems
    text = str(problems[0])
    assert problems[0].key == "[data]", text
    assert "'request_ts'" in text and "part-1.parquet" in text and "part-0" not in text, text
    assert FIX in text and "engine = 'pandas'" in text, text


def test_microsecond_timestamps_are_no_problem(tmp_path):
    assert _problems(_parquet_folder_project(tmp_path, nanoseconds=False)) == []


def test_sentinel_gate_stops_with_exit_2_before_any_check(tmp_path):
    config = _parquet_folder_project(tmp_path, nanoseconds=True)
    args = ["gate", "--config", str(config), "--reports", "reports", "--suites", str(SUITES)]
    code, out = run_sentinel(*args, cwd=tmp_path)
    assert code == 2, out[-3000:]
    assert out.count("finer than a microsecond") == 1 and FIX in out and "part-1.parquet" in out, out[-3000:]
    assert "Traceback" not in out and " passed" not in out and " failed" not in out, out[-3000:]


def test_a_timestamp_column_holding_no_times_is_a_problem_of_the_setting(tmp_path):
    """Trial (stop 46): ``timestamp = "user_id"`` was told as a problem of ``[data]`` and of
    ``[production]``, then "(not checked) [columns] … as the dataset could not be read",
    although both files were read: one setting to change, named as the key."""
    from sentinel_checks.gate.preflight import NOT_CHECKED

    problems = _problems(_project(tmp_path, timestamp='"user_id"'))
    found = [p for p in problems if p.about != NOT_CHECKED]
    assert [p.key for p in found] == ["[columns] timestamp", "[columns] timestamp"], problems
    assert "data.parquet" in str(found[0]) and "production.parquet" in str(found[1])
    assert all(
        "'user_id' ([columns] timestamp) has 400 value(s) that are not timestamps" in str(p) for p in found
    )
    # the column it could have meant (trial: "name the column of datetimes" named none)
    assert all(str(p).endswith("(the datetime column of the data: request_ts)") for p in found), found
    (note,) = [p for p in problems if p.about == NOT_CHECKED and p.key == "[columns]"]
    assert "could not be loaded with this [columns] timestamp" in note.message, note
    assert "could not be read" not in note.message
    # one key twice: the second entry numbered (trial: "[columns] timestamp'", a stray quote)
    from sentinel_checks.gate.preflight_report import problem_outcomes

    assert [o.nodeid for o in problem_outcomes(found)] == [
        "sentinel preflight::[columns] timestamp",
        "sentinel preflight::[columns] timestamp (2)",
    ]


def test_the_note_names_the_timestamp_only_when_the_dataset_failed_on_it(tmp_path):
    """Review: a missing dataset file and a production sample whose timestamps do not parse
    said the dataset "could not be loaded with this [columns] timestamp"."""
    from sentinel_checks.gate.preflight import NOT_CHECKED

    config = _project(tmp_path)
    production = _frame(1).drop(columns=["CANCELLED", "split"])
    production["request_ts"] = "soon"
    production.to_parquet(tmp_path / "production.parquet")
    (tmp_path / "data.parquet").unlink()
    from sentinel_checks.config import load_config
    from sentinel_checks.gate.preflight import preflight
    from sentinel_checks.gate.session import GateSession

    problems = preflight(GateSession(load_config(config, check_files=False)))
    keys = [p.key for p in problems if p.about != NOT_CHECKED]
    assert keys[:2] == ["[data] path", "[columns] timestamp"], problems
    (note,) = [p for p in problems if p.about == NOT_CHECKED and p.key == "[columns]"]
    assert "as the dataset could not be read (above)" in note.message, note


def test_timestamps_written_as_text_are_offered_as_the_datetime_column():
    """Review (stop 48): read from a CSV, the times are strings, so the hint named no
    column; text that parses as ISO-8601 times is offered too."""
    from pathlib import Path

    from sentinel_checks.config.loading import config_from_mapping
    from sentinel_checks.data.io import prepare_frame
    from sentinel_checks.errors import DataError

    frame = pd.DataFrame(
        {
            "user_id": ["u1", "u2", "u3"],
            "request_ts": ["2025-01-01T00:00:00", "2025-01-02 10:30:00", None],
            "country": ["US", "BR", "2025"],
        }
    )
    raw = {"data": {"path": "x.csv"}, "splits": {"method": "column", "column": "s"}}
    config = config_from_mapping(
        {**raw, "columns": {"timestamp": "user_id"}}, source=Path("/x/s.toml"), check_files=False
    )
    with pytest.raises(DataError) as err:
        prepare_frame(frame, config)
    assert str(err.value).endswith("(the datetime column of the data: request_ts)"), err.value


def test_text_mixing_zoned_and_naive_times_is_not_offered():
    """Review (stop 49): a column mixing times with and without a zone was offered, and
    naming it is refused ("mixes timezone-aware and naive"); only a column of one kind is."""
    from sentinel_checks.data.io import _holds_times

    assert _holds_times(pd.Series(["2025-01-01T00:00:00Z", "2025-01-02T00:00:00+02:00"]))
    assert _holds_times(pd.Series(["2025-01-01T00:00:00", "2025-01-02 10:30:00"]))
    assert not _holds_times(pd.Series(["2025-01-01T00:00:00Z", "2025-01-02T00:00:00"]))
