"""A table an engine computes once and holds while queries read it.

A split made where the data lies is an expression over the files (rows numbered, split
assigned, entities purged); without a hold every statistic recomputes it, and on Spark
every query also re-plans that lineage (seconds a query on a local session). Held, it is
computed once: on DuckDB into a temp table (spilled to ``[engine.duckdb]
temp_directory`` past ``memory_limit``), on Spark persisted on the executors
(:func:`~sentinel_checks.engine.spark_connection.persisted`: memory and disk). Only the
engine holds the rows; none reach Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ibis.expr.types import Table


def hold(table: Table, *, prefix: str = "sentinel_held") -> tuple[Table, Callable[[], None]]:
    """``table`` computed now and held by its engine, and the function that releases it.

    Parameters
    ----------
    table : ibis Table
        An expression on a DuckDB or PySpark backend (any other backend: returned as is,
        recomputed by each query, and releasing does nothing).
    prefix : str
        The start of the held table's generated name (``sentinel_split`` for what a run
        holds until it ends, ``sentinel_held`` for a block's).

    Returns
    -------
    (ibis Table, callable)
        The held rows (same columns, types and rows as ``table``), and a function that
        drops them (safe to call twice). When computing them fails (on DuckDB: out of
        memory), the engine's error is raised and nothing stays held.

    Notes
    -----
    Ibis 12's ``Table.cache()`` and ``drop_table`` on DuckDB, with the installed sqlglot,
    send a ``DROP TABLE IF EXISTS`` that names no table (a DuckDB parser error): DuckDB's
    table is dropped by its (generated, plain) name in SQL here instead. On PySpark,
    ``Table.cache()`` runs the compiled SQL without registering the in-memory tables the
    expression joins (``ibis.memtable``: TABLE_OR_VIEW_NOT_FOUND): Spark's hold registers
    them first (:func:`~sentinel_checks.engine.spark_connection.persisted`).
    """
    import ibis

    backend = table._find_backend()
    name = ibis.util.gen_name(prefix)
    if backend.name == "pyspark":
        from sentinel_checks.engine.spark_connection import persisted

        return persisted(backend, table, name)
    if backend.name != "duckdb":
        return table, lambda: None

    def release() -> None:
        backend.raw_sql(f'DROP TABLE IF EXISTS "{name}"')

    try:
        out = backend.create_table(name, table, temp=True)
    except Exception:  # out of memory part way: Ibis created the table before filling it
        with suppress(Exception):  # the engine's own error is the one to tell, not the cleanup's
            release()
        raise
    return out, release


def release_all(releases: list[Callable[[], None]]) -> None:
    """Call every release function, even when one raises; then raise the first error.
    Failing because Spark's driver JVM ended is not an error of releasing: the rows went
    with it (:func:`~sentinel_checks.engine.engine_errors.spark_jvm_gone`); a query that
    met the end, if any did, told it as Spark out of memory."""
    from sentinel_checks.engine.engine_errors import spark_jvm_gone

    first: BaseException | None = None
    for release in releases:
        try:
            release()
        except Exception as error:  # a stopped Spark session, a closed DuckDB connection
            if spark_jvm_gone(error):
                continue
            first = first or error
    if first is not None:
        raise first


def release_or_defer(releases: Iterable[Callable[[], None]], deferred: list[Callable[[], None]]) -> None:
    """Call every release function now; each that raises is appended to ``deferred`` (the
    run's releases: called again, and the error told, when the run ends) instead of
    raising, so that the error being told (an engine's, a check's) is not replaced by the
    cleanup's and no held table is forgotten."""
    for release in list(releases):
        try:
            release()
        except Exception:
            deferred.append(release)


@contextmanager
def held(table: Table) -> Iterator[Table]:
    """``table`` held (:func:`hold`) while the block runs, released on exit."""
    out, release = hold(table)
    try:
        yield out
    finally:
        release()


def hold_renumbered(
    table: Table,
    number: Callable[[Table], Table],
    releases: list[Callable[[], None]],
    *,
    hold_first: bool = False,
) -> Table:
    """``number(table)`` computed and held, its row count checked against ``table``'s.

    For a renumbering that orders the positions alone and joins the rows back
    (:func:`~sentinel_checks.engine.split_tables.number_rows`): ``table`` is read twice,
    once for its positions and once for its rows, so it must be cheap to recompute — a
    filter over the files or a table the engine holds (the entity purge holds each of
    its steps). Holding the split first and renumbering that hold cost twice the time
    (10M rows on DuckDB with a 1 GB limit: train 8.3 s held then renumbered, 3.4 s
    renumbered from the files; docs/benchmarks.md). With ``hold_first``, ``table`` is held
    first (prefix ``sentinel_part``) and renumbered from that hold, which is then dropped:
    for a source that is not cheap to read twice (on Spark, a catalog table's positions
    are a window over every row, and every query re-plans the lineage).

    Parameters
    ----------
    table : ibis Table
        As :func:`hold`.
    number : callable, Table -> Table
        Must keep every row (checked: the row counts of ``table`` and the hold are compared).
    releases : list of callables
        Where the result's release is appended (the run's, called when it ends); also the
        first hold's, when dropping it fails (retried, and told, when the run ends).
    hold_first : bool
        Hold ``table`` before renumbering it (see above).

    Returns
    -------
    ibis Table
        ``number(table)``, held.

    Raises
    ------
    ValueError
        ``number`` changed the row count (positions repeated or missing): nothing of it
        stays held.
    Exception
        The engine's own, when it cannot hold a table: nothing of this call stays held.
    """
    if hold_first:
        part, release_part = hold(table, prefix="sentinel_part")
        try:
            out = hold_renumbered(part, number, releases)
        except BaseException:
            with suppress(Exception):  # the hold's error is the one to tell, not the cleanup's
                release_part()
            raise
        release_or_defer([release_part], releases)
        return out
    out, release = hold(number(table), prefix="sentinel_split")
    try:
        before, after = int(table.count().execute()), int(out.count().execute())
        if before != after:
            raise ValueError(
                f"renumbering changed the row count from {before:,} to {after:,}: "
                "the row positions are not unique, or one is missing"
            )
    except BaseException:
        with suppress(Exception):  # the check's error is the one to tell
            release()
        raise
    releases.append(release)
    return out
