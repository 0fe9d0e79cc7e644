"""A table an engine computes once and holds while a block of queries reads it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ibis.expr.types import Table


@contextmanager
def held(table: Table) -> Iterator[Table]:
    """``table`` computed once into a DuckDB temp table (spilled past ``memory_limit``),
    dropped on exit; on another engine ``table`` itself (recomputed by each query).

    Ibis 12's ``Table.cache()`` and ``drop_table`` on DuckDB, with the installed sqlglot,
    send a ``DROP TABLE IF EXISTS`` that names no table (a DuckDB parser error): DuckDB's
    table is dropped by its (generated, plain) name in SQL here instead. On PySpark,
    ``Table.cache()`` runs the compiled SQL without registering the in-memory tables the
    expression joins (``ibis.memtable``: TABLE_OR_VIEW_NOT_FOUND), so Spark gets no hold.
    """
    import ibis

    backend = table._find_backend()
    if backend.name != "duckdb":
        yield table
        return
    name = ibis.util.gen_name("sentinel_held")
    out = backend.create_table(name, table, temp=True)
    try:
        yield out
    finally:
        backend.raw_sql(f'DROP TABLE IF EXISTS "{name}"')
