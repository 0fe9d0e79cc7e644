"""Connecting DuckDB and reading parquet files, directories and globs as Ibis tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sentinel_checks.engine.ibis_connection import (
    ROW,
    connect_duckdb,
    table_from_frame,
)
from sentinel_checks.engine.parquet_tables import table_from_parquet
from sentinel_checks.engine.split_statistics import shared_entities, time_range


def test_connection_applies_the_duckdb_settings(tmp_path):
    con = connect_duckdb(memory_limit="256MB", threads=1, temp_directory=tmp_path / "spill")
    rows = con.raw_sql(
        "select current_setting('threads'), current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchall()
    threads, limit, spill = rows[0]
    assert (int(threads), spill) == (1, str(tmp_path / "spill"))
    assert limit.endswith("MiB") and float(limit.split()[0]) < 260


def test_a_bad_setting_is_a_clear_error():
    with pytest.raises(ValueError, match="memory_limit = lots"):
        connect_duckdb(memory_limit="lots")


def test_parquet_directory_glob_and_file_read_every_part(tmp_path):
    for part in range(3):
        frame = pd.DataFrame({"user_id": [f"u{part}", f"u{part + 1}"], "x": [1.0, 2.0]})
        (tmp_path / "logs" / f"day={part}").mkdir(parents=True)
        frame.to_parquet(tmp_path / "logs" / f"day={part}" / "part-0.parquet")
    con = connect_duckdb(threads=1)
    directory = table_from_parquet(con, tmp_path / "logs", name="by_dir")
    pattern = table_from_parquet(con, str(tmp_path / "logs" / "day=*" / "*.parquet"), name="by_glob")
    single = table_from_parquet(con, tmp_path / "logs" / "day=0" / "part-0.parquet", name="one")
    counts = [int(t.count().to_pyarrow().as_py()) for t in (directory, pattern, single)]
    assert counts == [6, 6, 2]
    rows = directory.order_by(ROW).to_pandas()
    assert rows[ROW].tolist() == list(range(6))  # each row's position in the frame pandas reads
    assert rows["user_id"].tolist() == ["u0", "u1", "u1", "u2", "u2", "u3"]
    assert shared_entities(single, directory, ["user_id"]).later_rows == 3  # u0 once, u1 twice


def test_an_empty_part_written_by_pandas_is_read_as_pandas_reads_it(tmp_path):
    from sentinel_checks.data.parquet_files import read_parquet_files

    (tmp_path / "logs").mkdir()
    frame = pd.DataFrame({"user_id": ["u1", "u2"], "x": [1.0, 2.0], "label": ["risky", "safe"]})
    # an empty frame's text columns are written with Arrow type null: first in path order
    pd.DataFrame(columns=frame.columns).to_parquet(tmp_path / "logs" / "part-0.parquet")
    frame.to_parquet(tmp_path / "logs" / "part-1.parquet")
    assert pq.read_schema(tmp_path / "logs" / "part-0.parquet").field("user_id").type == pa.null()
    con = connect_duckdb(threads=1)
    rows = table_from_parquet(con, tmp_path / "logs", name="logs").order_by(ROW).to_pandas()
    expected = read_parquet_files(tmp_path / "logs")
    assert rows[ROW].tolist() == [0, 1]
    assert rows["user_id"].tolist() == expected["user_id"].tolist() == ["u1", "u2"]
    assert rows["label"].tolist() == ["risky", "safe"]


def test_parquet_parts_of_two_schemas_are_refused_naming_the_column_as_pandas_does(tmp_path):
    from sentinel_checks.data.parquet_files import read_parquet_files
    from sentinel_checks.engine.parquet_tables import UnreadableParquet
    from sentinel_checks.errors import DataError

    (tmp_path / "logs").mkdir()
    pd.DataFrame({"user_id": ["u1"], "x": [1.0]}).to_parquet(tmp_path / "logs" / "part-0.parquet")
    pd.DataFrame({"user_id": ["u2"], "x": ["2.0"]}).to_parquet(tmp_path / "logs" / "part-1.parquet")
    with pytest.raises(DataError, match="differ in their schema") as pandas_error:
        read_parquet_files(tmp_path / "logs")
    with pytest.raises(UnreadableParquet, match="differ in their schema") as engine_error:
        table_from_parquet(connect_duckdb(threads=1), tmp_path / "logs", name="logs")
    said = str(pandas_error.value).split("differ in their schema: ")[1]
    assert said in str(engine_error.value) and said.startswith("column x is double")


def test_a_null_part_does_not_let_two_other_types_through(tmp_path):
    from sentinel_checks.data.parquet_files import read_parquet_files
    from sentinel_checks.engine.parquet_tables import UnreadableParquet
    from sentinel_checks.errors import DataError

    (tmp_path / "logs").mkdir()
    pd.DataFrame({"x": pd.Series([], dtype=object)}).to_parquet(tmp_path / "logs" / "part-0.parquet")
    pd.DataFrame({"x": [1.5]}).to_parquet(tmp_path / "logs" / "part-1.parquet")
    pd.DataFrame({"x": ["a"]}).to_parquet(tmp_path / "logs" / "part-2.parquet")
    with pytest.raises(DataError, match="incompatible types"):
        read_parquet_files(tmp_path / "logs")
    with pytest.raises(UnreadableParquet, match="incompatible types"):  # not read as text
        table_from_parquet(connect_duckdb(threads=1), tmp_path / "logs", name="logs")


def test_a_partition_key_also_a_column_of_the_files_is_refused_as_pandas_refuses_it(tmp_path):
    from sentinel_checks.data.parquet_files import read_parquet_files
    from sentinel_checks.engine.parquet_tables import UnreadableParquet
    from sentinel_checks.errors import DataError

    for month in (1, 2):  # the file's values differ from the folder's
        (tmp_path / "logs" / f"month={month}").mkdir(parents=True)
        frame = pd.DataFrame({"month": [month + 10], "x": [float(month)]})
        frame.to_parquet(tmp_path / "logs" / f"month={month}" / "a.parquet")
    with pytest.raises(DataError, match="month"):
        read_parquet_files(tmp_path / "logs")
    with pytest.raises(UnreadableParquet, match="'month' is both a partition folder key"):
        table_from_parquet(connect_duckdb(threads=1), tmp_path / "logs", name="logs")


def test_missing_parquet_inputs_are_named(tmp_path):
    con = connect_duckdb(threads=1)
    # worded as the pandas reader words it (trial: "parquet input not found" on DuckDB only)
    with pytest.raises(
        FileNotFoundError, match=r"path not found: .*nothing.parquet \(no such file or directory\)"
    ):
        table_from_parquet(con, tmp_path / "nothing.parquet", name="x")
    with pytest.raises(FileNotFoundError, match="no file matches"):
        table_from_parquet(con, str(tmp_path / "*.parquet"), name="x")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no \\*.parquet file under"):
        table_from_parquet(con, tmp_path / "empty", name="x")


def test_nan_in_parquet_counts_as_missing_like_pandas(tmp_path):
    """A parquet float column can hold NaN apart from NULL; pandas reads both as
    missing, and so must the engine (DuckDB alone would count NaN as the largest value)."""
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"period": pa.array([1.0, float("nan"), None, 3.0], from_pandas=False)}), path)
    con = connect_duckdb(threads=1)
    got = time_range(table_from_parquet(con, path, name="t"), "period")
    want = pd.read_parquet(path)["period"].dropna()
    assert (got.n, got.min, got.max) == (len(want), want.min(), want.max()) == (2, 1.0, 3.0)


def test_frame_keeps_row_positions_and_category_values():
    con = connect_duckdb(threads=1)
    frame = pd.DataFrame({"c": pd.Categorical(["b", "a", None]), "x": [np.nan, 1.0, 2.0]})
    table = table_from_frame(con, frame, name="f")
    out = table.to_pandas()
    assert out[ROW].tolist() == [0, 1, 2]
    assert out["c"].tolist()[:2] == ["b", "a"]


def test_a_column_arrow_cannot_read_is_named():
    con = connect_duckdb(threads=1)
    frame = pd.DataFrame({"ok": [1, 2], "mixed": [1, "a"]})
    with pytest.raises(ValueError, match="mixed"):
        table_from_frame(con, frame, name="requests")


def test_microsecond_timestamps_read_by_pyarrow_are_not_refused():
    """``datetime64[us]`` (what ``pyarrow`` gives for Spark/DuckDB parquet) holds
    microseconds: only nanosecond columns can be finer than the engine compares."""
    con = connect_duckdb(threads=1)
    ts = pd.Series(pd.to_datetime(["2025-01-01 00:00:00.000123", "2025-01-02 00:00:00.000000"])).astype(
        "datetime64[us]"
    )
    table = table_from_frame(con, pd.DataFrame({"ts": ts}), name="requests")
    assert table.count().execute() == 2
    nanos = pd.DataFrame({"ts": pd.to_datetime(["2025-01-01 00:00:00.000000123"])})
    with pytest.raises(ValueError, match="finer than a microsecond"):
        table_from_frame(con, nanos, name="requests")
