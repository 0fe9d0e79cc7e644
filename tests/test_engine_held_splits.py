"""Splits made where the data lies are computed once and held by the engine for the whole
run, then released when the session closes.

Without the hold every statistic recomputed the split from the files (row numbering,
windows, entity purge): on Spark every query also re-planned that lineage, and the whole
plan over 3,000 rows took over 20 minutes on an idle 2-core machine (2 minutes held,
``tests/test_engine_spark_plan.py``). Held, DuckDB keeps each split in a temp table
(spilled past ``memory_limit``), Spark persists it on the executors.
"""

from __future__ import annotations

import dataclasses

import pytest

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
            backend = out._find_backend()
            assert name in temp_tables(backend)  # still there: released before the connection closes
            release()
            assert name not in temp_tables(backend)  # dropped, not just asked to be
            released.append(name)

        return out, recorded

    monkeypatch.setattr(held_table, "hold", spy)
    _, by_duckdb = sessions(tmp_path, frame(), TIME)
    names = sorted(by_duckdb.engine_table(s).get_name().split(".")[-1] for s in ("train", "val", "test"))
    # the purge held val and test per entity key (user_id, then shop + till), each step
    # dropped once the next is held, the last once the splits are; each split is held
    # once, renumbered (not held first as made)
    before = list(released)
    purges = [name for name in before if "sentinel_purge" in name]
    assert len(purges) == 4 and len(before) == 4, before
    assert before[:2] == purges[:2]  # the first key's val and test, dropped when the second's are held
    assert not set(before) & set(temp_tables(by_duckdb.engine_connection.backend))
    assert len(temp_tables(by_duckdb.engine_connection.backend)) == 3  # the three splits, nothing else
    by_duckdb.close()
    assert sorted(released[4:]) == names
    by_duckdb.close()  # twice is safe
    assert sorted(released[4:]) == names


def test_a_release_that_fails_still_closes_the_connection_and_is_raised(tmp_path):
    """A user's Spark session stopped before the gate's teardown makes a release raise:
    the other releases still run, the connection still closes, the error is not hidden."""
    _, by_duckdb = sessions(tmp_path, frame(), TIME)
    by_duckdb.engine_table("train")
    releases = by_duckdb._cache["engine_releases"]
    calls: list[str] = []

    def broken() -> None:
        calls.append("broken")
        raise RuntimeError("the session was stopped")

    releases.insert(0, broken)
    con = by_duckdb.engine_connection
    closed: list[bool] = []

    def close() -> None:
        closed.append(True)
        con.close()

    by_duckdb._cache["engine_connection"] = dataclasses.replace(con, close=close)
    with pytest.raises(RuntimeError, match="stopped"):
        by_duckdb.close()
    assert calls == ["broken"] and closed == [True]


#: What a failed hold of the entity purge names.
PURGE = r"the val and test splits made where the data lies \(purging"


@pytest.mark.parametrize(
    ("failing_prefix", "nth", "what"),
    [
        ("sentinel_purge", 3, PURGE),  # the second key's val
        ("sentinel_purge", 4, PURGE),  # the second key's test
        ("sentinel_split", 1, "the train split"),  # train renumbered
        ("sentinel_split", 2, "the val split"),  # val renumbered
    ],
    ids=["purge-val", "purge-test", "train-renumbered", "val-renumbered"],
)
def test_a_split_the_engine_cannot_hold_is_one_data_error_and_nothing_stays_held(
    tmp_path, monkeypatch, failing_prefix, nth, what
):
    """Out of memory while holding a step of the entity purge, or train or val
    (renumbered): whatever was held is dropped again and every step gets the same
    DataError naming what could not be held (cached, the splits are not held again)."""
    from sentinel_checks.errors import DataError

    _, by_duckdb = sessions(tmp_path, frame(), TIME)
    real = held_table.hold
    calls: list[str] = []

    def failing(table, *, prefix="sentinel_held"):
        calls.append(prefix)
        if prefix == failing_prefix and calls.count(prefix) == nth:
            raise MemoryError("Out of Memory Error: could not allocate block")
        return real(table, prefix=prefix)

    monkeypatch.setattr(held_table, "hold", failing)
    with pytest.raises(DataError, match=f"could not hold {what}.*memory_limit") as first:
        by_duckdb.engine_table("train")
    tried = len(calls)
    with pytest.raises(DataError) as again:
        by_duckdb.engine_table("test")
    assert str(again.value) == str(first.value) and len(calls) == tried  # not held again
    backend = by_duckdb.engine_connection.backend
    assert temp_tables(backend) == []  # no split or purge step stays held


def test_a_renumbering_that_loses_a_row_is_an_error_and_nothing_stays_held(tmp_path, monkeypatch):
    """``number_rows`` joins the rows back on ROW: a repeated or missing position would
    drop or repeat rows silently. The split's and its hold's counts are compared: a planted renumbering
    that loses train's first row stops the run, and nothing of it stays held."""
    from sentinel_checks.engine import split_tables
    from sentinel_checks.engine.ibis_connection import ROW
    from sentinel_checks.errors import DataError

    _, by_duckdb = sessions(tmp_path, frame(), TIME)
    real = split_tables.number_rows
    monkeypatch.setattr(split_tables, "number_rows", lambda t: real(t).filter(lambda r: r[ROW] != 0))
    with pytest.raises(DataError, match="could not hold the train split.*row count from"):
        by_duckdb.engine_table("train")
    backend = by_duckdb.engine_connection.backend
    assert temp_tables(backend) == []  # neither the split nor the purge steps it read


def test_a_failed_cleanup_does_not_hide_why_a_split_could_not_be_held(tmp_path, monkeypatch):
    """Out of memory holding the renumbered train split while dropping the entity purge's
    holds fails too: the run is told it ran out of memory (the memory fix), not the cleanup's error."""
    from sentinel_checks.errors import EngineResourceError

    _, by_duckdb = sessions(tmp_path, frame(), TIME)
    real = held_table.hold

    def failing(table, *, prefix="sentinel_held"):
        if prefix == "sentinel_split":
            raise MemoryError("Out of Memory Error: could not allocate block")
        out, _ = real(table, prefix=prefix)

        def broken() -> None:
            raise RuntimeError("the connection is gone")

        return out, broken

    monkeypatch.setattr(held_table, "hold", failing)
    with pytest.raises(EngineResourceError, match="could not hold the train split.*memory_limit"):
        by_duckdb.engine_table("train")


def _releases_failing_once(monkeypatch, prefix: str, attempts: list[str], *, fail_hold: int = 0):
    """``held_table.hold`` whose releases of ``prefix`` holds fail on their first call
    (then drop the table), and whose ``fail_hold``-th ``prefix`` hold runs out of memory."""
    real = held_table.hold
    holds: list[str] = []

    def flaky(table, *, prefix="sentinel_held"):
        if prefix == wanted:
            holds.append(prefix)
            if len(holds) == fail_hold:
                raise MemoryError("Out of Memory Error: could not allocate block")
        out, release = real(table, prefix=prefix)
        if prefix != wanted:
            return out, release
        name = out.get_name().split(".")[-1]

        def once_broken() -> None:
            attempts.append(name)
            if attempts.count(name) == 1:
                raise RuntimeError("busy")
            release()

        return out, once_broken

    wanted = prefix
    monkeypatch.setattr(held_table, "hold", flaky)


def test_purge_steps_that_cannot_be_dropped_are_dropped_when_the_run_ends(tmp_path, monkeypatch):
    """Dropping each entity step's purged val and test fails once: the first key's (tried
    when the second key's are held) are tried again once the splits are held, and dropped;
    the second key's (tried once the splits are held) stay until the session closes, when
    they are dropped. The splits are usable and equal pandas'."""
    attempts: list[str] = []
    _releases_failing_once(monkeypatch, "sentinel_purge", attempts)
    by_pandas, by_duckdb = sessions(tmp_path, frame(), TIME)
    assert by_duckdb.engine_table("test").count().execute() == len(by_pandas.splits.test)
    backend = by_duckdb.engine_connection.backend
    left = [t for t in temp_tables(backend) if "sentinel_purge" in t]
    first_key = sorted(set(attempts) - set(left))
    assert len(left) == 2 and len(first_key) == 2
    assert sorted(attempts) == sorted(first_key * 2 + left)  # the first key's tried twice
    by_duckdb.close()  # the connection closes too: the attempts tell what was dropped
    assert sorted(attempts) == sorted((first_key + left) * 2)  # the second key's retried at the end


def test_a_purge_that_runs_out_of_memory_is_told_even_when_its_cleanup_fails(tmp_path, monkeypatch):
    """The second key's test cannot be held, and dropping the steps held before fails
    too: the run is told the engine ran out of memory holding the purge (not the
    cleanup's error), and the three steps held (the first key's val and test, the second's
    val) are dropped on a second try before the error is raised."""
    from sentinel_checks.errors import EngineResourceError

    attempts: list[str] = []
    _releases_failing_once(monkeypatch, "sentinel_purge", attempts, fail_hold=4)
    _, by_duckdb = sessions(tmp_path, frame(), TIME)
    with pytest.raises(EngineResourceError, match=f"could not hold {PURGE}.*memory_limit"):
        by_duckdb.engine_table("train")
    backend = by_duckdb.engine_connection.backend
    assert not [t for t in temp_tables(backend) if "sentinel_purge" in t]
    assert len(set(attempts)) == 3 and sorted(attempts) == sorted([*set(attempts)] * 2)


def test_a_missing_entity_column_is_told_in_the_words_pandas_uses(tmp_path):
    """``till`` (part of the composite entity) is not in the data: the engine's split says
    what the pandas split says, not a failed hold or a KeyError from Ibis."""
    from sentinel_checks.errors import DataError

    by_pandas, by_duckdb = sessions(tmp_path, frame().drop(columns="till"), TIME)
    words = "entity column 'till' is missing; cannot purge entity overlap"
    with pytest.raises(DataError, match=words):
        by_pandas.splits  # noqa: B018 (the property loads and splits)
    with pytest.raises(DataError, match=words):
        by_duckdb.engine_table("train")


def _positions_table(backend):
    """Six rows whose source positions (ROW) are not 0..5: what a split of a source holds."""
    from sentinel_checks.engine.ibis_connection import ROW

    values = ", ".join(
        f"({x}, {r})" for x, r in [(5.0, 9), (1.0, 2), (4.0, 7), (2.0, 3), (6.0, 11), (3.0, 4)]
    )
    backend.raw_sql(
        f'CREATE TEMP TABLE source_rows AS SELECT x, r::BIGINT AS "{ROW}" FROM (VALUES {values}) t(x, r)'
    )
    return backend.table("source_rows")


@pytest.mark.parametrize("hold_first", [False, True])
def test_a_split_is_renumbered_the_same_held_first_or_not(hold_first, monkeypatch):
    """Spark holds a split as made before renumbering it (each query re-plans its lineage);
    DuckDB renumbers it straight from the source. Same rows, same positions; the first
    hold is dropped once the renumbered split is held."""
    from sentinel_checks.engine.ibis_connection import ROW, connect_duckdb
    from sentinel_checks.engine.split_tables import SOURCE_ROW, number_rows

    backend = connect_duckdb(threads=1)
    releases: list = []
    prefixes: list[str] = []
    real = held_table.hold

    def recording(table, *, prefix="sentinel_held"):
        prefixes.append(prefix)
        return real(table, prefix=prefix)

    monkeypatch.setattr(held_table, "hold", recording)
    out = held_table.hold_renumbered(_positions_table(backend), number_rows, releases, hold_first=hold_first)
    assert prefixes == (["sentinel_part", "sentinel_split"] if hold_first else ["sentinel_split"])
    got = out.order_by(ROW).execute()
    assert got[ROW].tolist() == [0, 1, 2, 3, 4, 5]
    assert got[SOURCE_ROW].tolist() == [2, 3, 4, 7, 9, 11]
    assert got["x"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    held = [t for t in temp_tables(backend) if "sentinel_split" in t or "sentinel_part" in t]
    assert len(held) == 1 and "sentinel_split" in held[0] and len(releases) == 1
    releases[0]()
    assert not [t for t in temp_tables(backend) if "sentinel_" in t]


def test_a_first_hold_that_cannot_be_dropped_is_dropped_when_the_run_ends(monkeypatch):
    from sentinel_checks.engine.ibis_connection import connect_duckdb
    from sentinel_checks.engine.split_tables import number_rows

    backend = connect_duckdb(threads=1)
    real = held_table.hold
    attempts: list[str] = []

    def flaky(table, *, prefix="sentinel_held"):
        out, release = real(table, prefix=prefix)
        if prefix != "sentinel_part":
            return out, release

        def once_broken() -> None:
            attempts.append(prefix)
            if len(attempts) == 1:
                raise RuntimeError("busy")
            release()

        return out, once_broken

    monkeypatch.setattr(held_table, "hold", flaky)
    releases: list = []
    out = held_table.hold_renumbered(_positions_table(backend), number_rows, releases, hold_first=True)
    assert out.count().execute() == 6 and attempts == ["sentinel_part"]
    assert len([t for t in temp_tables(backend) if "sentinel_part" in t]) == 1  # not dropped yet
    assert len(releases) == 2  # the split's and the first hold's, retried when the run ends
    held_table.release_all(releases)
    assert not [t for t in temp_tables(backend) if "sentinel_" in t]


def test_a_renumbered_split_that_cannot_be_held_drops_the_first_hold(monkeypatch):
    from sentinel_checks.engine.ibis_connection import connect_duckdb
    from sentinel_checks.engine.split_tables import number_rows

    backend = connect_duckdb(threads=1)
    real = held_table.hold

    def failing(table, *, prefix="sentinel_held"):
        if prefix == "sentinel_split":
            raise MemoryError("Out of Memory Error: could not allocate block")
        return real(table, prefix=prefix)

    monkeypatch.setattr(held_table, "hold", failing)
    releases: list = []
    with pytest.raises(MemoryError):
        held_table.hold_renumbered(_positions_table(backend), number_rows, releases, hold_first=True)
    assert not [t for t in temp_tables(backend) if "sentinel_" in t] and releases == []


@pytest.mark.parametrize(
    ("engine", "purged", "held_first"),
    [
        ("duckdb", False, {"train": False, "val": False, "test": False}),
        ("pyspark", False, {"train": True, "val": True, "test": True}),
        ("pyspark", True, {"train": True, "val": False, "test": False}),  # the purge holds them
    ],
)
def test_only_spark_holds_a_split_before_renumbering_it(monkeypatch, engine, purged, held_first):
    """Spark re-plans a split's lineage in every query: a split not already held by the
    entity purge is held as made first; DuckDB renumbers straight from the files."""
    from types import SimpleNamespace

    from sentinel_checks.engine import split_tables
    from sentinel_checks.gate import held_splits

    asked: dict[str, bool] = {}

    class Split:
        def __init__(self, name: str) -> None:
            self.name = name

        def _find_backend(self):
            return SimpleNamespace(name=engine)

    def renumbered(table, number, releases, *, hold_first=False):
        asked[table.name] = hold_first
        return table

    monkeypatch.setattr(held_table, "hold_renumbered", renumbered)
    monkeypatch.setattr(split_tables, "purge_entities", lambda tables, keys, releases: tables)
    cache = {"engine_purge_keys": ["user_id"]} if purged else {}
    tables = {name: Split(name) for name in ("train", "val", "test")}
    held_splits.hold_splits(tables, cache=cache, config=None)
    assert asked == held_first
