"""Ibis 12's DuckDB backend calls DuckDB's deprecated ``fetch_arrow_table()`` at every
schema lookup; the engine silences exactly that warning where it calls Ibis, so it no
longer reaches the gate's terminal, and nothing else is silenced."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from sentinel_checks.engine import ibis_connection, parquet_tables


@pytest.fixture
def con():
    backend = ibis_connection.connect_duckdb()
    yield backend
    backend.disconnect()


def test_ibis_schema_lookup_does_warn_without_the_filter(con):
    """The fault the filter is for (if Ibis stops calling it, this says the filter can go)."""
    con.con.register("raw", pd.DataFrame({"a": [1, 2]}))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        con.table("raw")
    assert any("fetch_arrow_table() is deprecated" in str(w.message) for w in caught), caught


def test_the_engine_reads_parquet_and_frames_without_a_warning(con, tmp_path):
    """Every warning recorded (DuckDB raising one as an error from C does not surface
    as that warning, so recording is the sharper test than "error")."""
    pd.DataFrame({"a": [1, 2, 3]}).to_parquet(tmp_path / "a.parquet")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from_parquet = parquet_tables.table_from_parquet(con, tmp_path / "a.parquet", name="p")
        from_frame = ibis_connection.table_from_frame(con, pd.DataFrame({"a": [1, 2]}), name="f")
        assert int(from_parquet.count().execute()) == 3 and int(from_frame.count().execute()) == 2
    assert [str(w.message) for w in caught] == []


def test_only_that_warning_is_silenced():
    with warnings.catch_warnings(), ibis_connection.quiet_schema_lookup():
        warnings.simplefilter("error")  # set before the block's filter: the block's still wins
    with ibis_connection.quiet_schema_lookup(), pytest.raises(DeprecationWarning, match="other"):
        warnings.filterwarnings("error", category=DeprecationWarning, append=True)
        warnings.warn("other() is deprecated", DeprecationWarning, stacklevel=1)
    with ibis_connection.quiet_schema_lookup(), pytest.raises(DeprecationWarning, match="fetch_arrow_table"):
        warnings.filterwarnings("error", category=DeprecationWarning, append=True)
        warnings.warn("fetch_arrow_table() is deprecated", DeprecationWarning, stacklevel=1)  # not from Ibis
