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

from collections.abc import Callable, Iterator
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
    """Call every release function, even when one raises; then raise the first error."""
    first: BaseException | None = None
    for release in releases:
        try:
            release()
        except Exception as error:  # a stopped Spark session, a closed DuckDB connection
            first = first or error
    if first is not None:
        raise first


@contextmanager
def held(table: Table) -> Iterator[Table]:
    """``table`` held (:func:`hold`) while the block runs, released on exit."""
    out, release = hold(table)
    try:
        yield out
    finally:
        release()
