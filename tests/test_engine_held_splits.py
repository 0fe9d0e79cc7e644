"""Splits made where the data lies are computed once and held by the engine for the whole
run, then released when the session closes.

Without the hold every statistic recomputed the split from the files (row numbering,
windows, entity purge): on Spark every query also re-planned that lineage, and the whole
plan over 3,000 rows took over 20 minutes on an idle 2-core machine (2 minutes held,
``tests/test_engine_spark_plan.py``). Held, DuckDB keeps each split in a temp table
(spilled past ``memory_limit``), Spark persists it on the executors.
"""

from __future__ import annotations

from sentinel_checks.engine import held_table
from tests.test_engine_lazy_splits import TIME, frame, sessions, split_steps


def temp_tables(backend) -> list[str]:
    rows = backend.raw_sql("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    return sorted(name for (name,) in rows)


def test_the_engine_splits_are_held_once_and_equal_the_pandas_splits(tmp_path):
    by_pandas, by_duckdb = sessions(tmp_path, frame(), TIME)
    train = by_duckdb.engine_table("train")
    backend = train._find_backend()
    held = [t for t in temp_tables(backend) if "sentinel_split" in t]
    assert len(held) == 3, held  # train, val, test: each computed once
    # every split statistic reads the held tables and still equals pandas, unread
    assert split_steps(by_duckdb) == split_steps(by_pandas)
    assert by_duckdb.materialized() == []
    for name, split in by_pandas.splits.items():
        assert by_duckdb.engine_table(name).count().execute() == len(split)
    assert [t for t in temp_tables(backend) if "sentinel_split" in t] == held  # not held again


def test_closing_the_session_releases_what_the_engine_holds(tmp_path, monkeypatch):
    released: list[str] = []
    real = held_table.hold

    def spy(table, *, prefix="sentinel_held"):
        out, release = real(table, prefix=prefix)
        name = out.get_name().split(".")[-1]  # temp.main.<name>

        def recorded() -> None:
            assert name in temp_tables(
                out._find_backend()
            )  # still there: released before the connection closes
            release()
            released.append(name)

        return out, recorded

    monkeypatch.setattr(held_table, "hold", spy)
    _, by_duckdb = sessions(tmp_path, frame(), TIME)
    names = sorted(by_duckdb.engine_table(s).get_name().split(".")[-1] for s in ("train", "val", "test"))
    assert released == []
    by_duckdb.close()
    assert sorted(released) == names
    by_duckdb.close()  # twice is safe
    assert sorted(released) == names
