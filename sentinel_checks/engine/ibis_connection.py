"""Connecting to DuckDB through Ibis and reading inputs as Ibis tables.

The one adapter that knows DuckDB: a change in DuckDB's or Ibis' connection API
touches this file (and :mod:`~sentinel_checks.engine.parquet_tables`, which reads
parquet where it lies and numbers its rows) only. Frames go in through Arrow (a
zero-copy view registered in DuckDB, not a copy into its storage); parquet is read
where it lies (a file, a directory of files or a glob), so DuckDB streams it and
spills to ``temp_directory`` past ``memory_limit``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa
    from ibis.backends import BaseBackend
    from ibis.backends.duckdb import Backend
    from ibis.expr.types import Table

    from sentinel_checks.config.engine import DuckDBSettings

#: Column added to a table read from a frame: the row's position in the frame (int64),
#: so a per-row answer (which rows of a split repeat another's) maps back to the frame.
ROW = "__sentinel_row"


@contextlib.contextmanager
def quiet_schema_lookup() -> Iterator[None]:
    """Silence, inside the block only, the one DeprecationWarning Ibis 12's DuckDB backend
    sets off each time it looks up a table's schema (``con.table``, ``read_parquet``,
    ``create_view``): it calls DuckDB's ``fetch_arrow_table()``, which DuckDB 1.5
    deprecates for ``to_arrow_table()``. The call is Ibis' (no Ibis 12 API avoids it),
    so the filter matches that message from ``ibis.backends.duckdb`` and nothing else."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message=r"fetch_arrow_table\(\) is deprecated",
            category=DeprecationWarning,
            module=r"ibis\.backends\.duckdb",
        )
        yield


def connect_duckdb(
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
    temp_directory: Path | None = None,
    database: Path | None = None,
) -> Backend:
    """An in-process DuckDB connection (no server) through Ibis: in memory, or a database
    file opened read-only.

    Parameters
    ----------
    memory_limit : str, optional
        DuckDB's ``memory_limit`` (e.g. ``"2GB"``); DuckDB's default (80% of RAM) when None.
    threads : int, optional
        Worker threads; DuckDB's default (every core) when None.
    temp_directory : Path, optional
        Where DuckDB spills past ``memory_limit``; DuckDB's default when None.
    database : Path, optional
        A DuckDB database file, opened read-only (its tables are what ``[data] table``
        names); in memory when None.

    Returns
    -------
    ibis.backends.duckdb.Backend

    Raises
    ------
    ValueError
        A setting DuckDB rejects (a malformed memory limit, threads < 1), a database
        file that is missing or not DuckDB's, or a ``temp_directory`` DuckDB could not
        spill to (a file, a folder not writable, or one DuckDB cannot create because
        its parent folder is missing), naming it.
    """
    import ibis

    if database is not None and not database.is_file():
        raise ValueError(f"[engine.duckdb] database: file not found: {database}")
    if temp_directory is not None:
        _check_spill_folder(temp_directory)

    settings: dict[str, object] = {}
    if memory_limit is not None:
        settings["memory_limit"] = memory_limit
    if threads is not None:
        settings["threads"] = threads
    if temp_directory is not None:
        settings["temp_directory"] = str(temp_directory)
    try:
        if database is not None:
            return ibis.duckdb.connect(str(database), read_only=True, **settings)
        return ibis.duckdb.connect(**settings)
    except Exception as error:  # duckdb raises its own error types for bad settings
        if database is not None:
            raise ValueError(f"[engine.duckdb] database {database}: DuckDB cannot open it: {error}") from None
        named = ", ".join(f"{key} = {value}" for key, value in settings.items())
        raise ValueError(f"DuckDB rejected the [engine.duckdb] settings ({named}): {error}") from None


def _check_spill_folder(folder: Path) -> None:
    """Raise ValueError when DuckDB could not spill to ``folder``. DuckDB makes the folder
    (not its parents) on its first spill, which happens only once the data outgrows
    ``memory_limit``: without this a misspelt path surfaces at scale, as every check's
    failed hold, after the run has started (trial)."""
    import os

    key = "[engine.duckdb] temp_directory"
    if folder.is_symlink() and not folder.exists():
        raise ValueError(
            f"{key}: {folder} is a link to {os.readlink(folder)}, which does not exist: "
            "create that folder, or point temp_directory elsewhere"
        )
    if folder.exists():
        if not folder.is_dir():
            raise ValueError(f"{key}: {folder} is a file, not a folder DuckDB can spill to")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ValueError(f"{key}: DuckDB cannot write to {folder} (permission denied)")
        return
    parent = folder.parent
    if not parent.is_dir():
        raise ValueError(
            f"{key}: {folder} does not exist and DuckDB cannot create it: its parent folder "
            f"{parent} does not exist (DuckDB creates only the last folder); create it, or fix the path"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(
            f"{key}: {folder} does not exist and DuckDB cannot create it in {parent} (permission denied)"
        )


def table_from_frame(con: BaseBackend, frame: pd.DataFrame, *, name: str) -> Table:
    """A pandas frame as an Ibis table on ``con``, with its row positions in :data:`ROW`.

    The frame is converted to Arrow once (:func:`frame_as_arrow`). On DuckDB it is
    registered as a view (DuckDB reads the Arrow buffers; nothing is copied into
    DuckDB's storage); on Spark it becomes a temporary view built from the Arrow batches
    (:func:`~sentinel_checks.engine.spark_connection.register_arrow`). This is the one
    place that branches on the backend. Datetimes are kept at microsecond resolution
    (DuckDB's and Spark's timestamps), time zones kept (both return instants in UTC);
    categories become their values.

    Parameters
    ----------
    con : DuckDB backend (:func:`connect_duckdb`) or PySpark backend
        (:func:`~sentinel_checks.engine.spark_connection.connect_spark`)
    frame : DataFrame, n rows
    name : str
        Name of the view (a later call with the same name replaces it).

    Returns
    -------
    ibis Table
        The frame's columns and :data:`ROW` (int64, 0..n-1).

    Raises
    ------
    ValueError
        A column Arrow cannot convert (mixed Python types), or a datetime column with
        sub-microsecond parts (they would be cut, and order could change), naming it.
    """
    arrow = frame_as_arrow(frame, name=name)
    if con.name == "pyspark":
        from sentinel_checks.engine.spark_connection import register_arrow

        return register_arrow(con, arrow, name=name)
    con.con.register(name, arrow)
    with quiet_schema_lookup():
        return con.table(name)


def frame_as_arrow(frame: pd.DataFrame, *, name: str) -> pa.Table:
    """A pandas frame as Arrow the engines read alike, with :data:`ROW` appended.

    Timestamps at microseconds (time zone kept), categories as their values.

    Raises
    ------
    ValueError
        As :func:`table_from_frame`, naming the column.
    """
    import pyarrow as pa

    check_microseconds(frame, name=name)
    try:
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise ValueError(f"{name}: a column cannot be read by the engine: {error}") from None
    fields = []
    for field in arrow.schema:
        if pa.types.is_timestamp(field.type) and field.type.unit == "ns":
            field = field.with_type(pa.timestamp("us", tz=field.type.tz))
        elif pa.types.is_dictionary(field.type):  # a category: its values, so two frames join
            field = field.with_type(field.type.value_type)
        fields.append(field)
    return arrow.cast(pa.schema(fields)).append_column(ROW, pa.array(np.arange(len(frame), dtype=np.int64)))


def check_microseconds(frame: pd.DataFrame, *, name: str) -> None:
    """Refuse datetime columns with sub-microsecond parts: the engines compare (and Ibis
    writes time literals in) microseconds, so such values would be cut and order could change.

    Raises
    ------
    ValueError
        Naming the first such column and ``name`` (the frame).
    """
    finer = first_finer_than_microseconds(frame)
    if finer is not None:
        raise ValueError(
            f"column {finer[0]!r} of {name} has timestamps finer than a microsecond; "
            f"the engine compares microseconds ({MICROSECONDS_FIX.format(column=finer[0])})"
        )


#: What to do about sub-microsecond timestamps, as messages say it (``column`` filled in).
MICROSECONDS_FIX = (
    "round the column to microseconds, e.g. df['{column}'] = df['{column}'].dt.floor('us'), "
    "or use [data] engine = 'pandas'"
)


def first_finer_than_microseconds(frame: pd.DataFrame) -> tuple[str, int] | None:
    """The first datetime column (in column order) of ``frame`` holding a value with a
    sub-microsecond part, and the position (0..n-1) of its first such row; ``None`` when
    every datetime column is whole microseconds (missing values ignored)."""
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values.dtype) and values.dt.unit == "ns":
            nanos = np.asarray(values.array.asi8)  # ns since the epoch (UTC when zoned)
            finer = (nanos % 1000 != 0) & values.notna().to_numpy()
            if finer.any():
                return str(column), int(np.argmax(finer))
    return None


def connect_configured(settings: DuckDBSettings, *, base_dir: Path) -> Backend:
    """:func:`connect_duckdb` with ``[engine.duckdb]``; a relative ``temp_directory`` or
    ``database`` resolves against ``base_dir`` (the config file's folder), as every config path."""
    spill, database = settings.temp_directory, settings.database
    if spill is not None and not spill.is_absolute():
        spill = base_dir / spill
    if database is not None and not database.is_absolute():
        database = base_dir / database
    return connect_duckdb(
        memory_limit=settings.memory_limit, threads=settings.threads, temp_directory=spill, database=database
    )


def with_floats(rows: Table, **values: float) -> Table:
    """``rows`` (n rows) with each value as a constant float64 column, brought in as data (a one-row
    Arrow table, cross-joined), never as SQL text: Ibis writes a float literal as
    decimal digits, which DuckDB reads as a DECIMAL, and ``score >= 0.0938592046459044``
    is then compared in decimals, missing a score equal to it (even under a cast to
    DOUBLE, the decimal's conversion is not always the nearest double)."""
    import ibis
    import pyarrow as pa

    if not values:
        return rows
    constants = pa.table({name: pa.array([float(v)], type=pa.float64()) for name, v in values.items()})
    return rows.cross_join(ibis.memtable(constants))


def whole_count(value: Any) -> int:
    """An engine count (int, numpy integer, or NULL/NaN for a sum over no rows) as an int; NULL is 0.

    >>> whole_count(None), whole_count(np.int64(3))
    (0, 3)
    """
    return 0 if value is None or pd.isna(value) else int(value)


def table_from_catalog(con: BaseBackend, name: str) -> Table:
    """A table of the engine's catalog (``"name"`` or ``"schema.name"``), with each
    row's position in :data:`ROW`.

    On DuckDB (a database file opened read-only) the position is the table's
    ``rowid``, its storage order; on Spark it is the row's rank ordered by every column
    (rows equal in every column are interchangeable, so whichever gets which rank,
    every statistic is the same). Materialize a frame ordered by :data:`ROW` so that
    frame positions and :data:`ROW` agree.

    Parameters
    ----------
    con : DuckDB backend or PySpark backend
    name : str
        ``[data] table`` / ``[production] table``.

    Returns
    -------
    ibis Table
        The table's columns and :data:`ROW` (int64, 0..n-1).

    Raises
    ------
    LookupError
        No such table: the message names it, the closest names and the tables there are.
    """
    import difflib

    import ibis

    schema, _, table = name.rpartition(".")
    try:
        known = sorted(_catalog_tables(con, schema))
    except Exception as error:  # an unknown schema: the engine's own error type
        raise LookupError(
            f"table {name}: the engine cannot list the tables of {schema or 'its catalog'}: {error}"
        ) from None
    if table not in known:
        close = difflib.get_close_matches(table, known, n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        there = (
            f"tables there: {', '.join(known[:20])}{' …' if len(known) > 20 else ''}"
            if known
            else "no tables there"
        )
        raise LookupError(f"no table {name} in {schema or 'the catalog'}{hint} ({there})")
    if con.name == "duckdb":
        quoted = ".".join(f'"{part}"' for part in name.split("."))
        view = f"sentinel_{'_'.join(name.split('.'))}"  # a temporary view: allowed read-only
        con.con.execute(f'CREATE OR REPLACE TEMP VIEW "{view}" AS SELECT *, rowid AS "{ROW}" FROM {quoted}')
        with quiet_schema_lookup():
            return con.table(view)
    found = con.table(table, database=schema or None)
    position = ibis.row_number().over(order_by=[found[c] for c in found.columns])
    return found.mutate(**{ROW: position.cast("int64")})


def _catalog_tables(con: BaseBackend, schema: str) -> list[str]:
    """The tables (and views) of ``schema`` (the default one when empty). On DuckDB read
    from ``information_schema`` (Ibis' ``list_tables`` calls a DuckDB API that DuckDB 1.4
    deprecates)."""
    if con.name == "duckdb":
        rows = con.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
            [schema or "main"],
        ).fetchall()
        return [str(row[0]) for row in rows]
    found = con.list_tables(database=schema) if schema else con.list_tables()
    return [str(name) for name in found]


def frame_from_table(table: Table) -> pd.DataFrame:
    """A table with :data:`ROW` as a pandas frame in :data:`ROW` order, without it; text
    as Arrow-backed strings (as :func:`~sentinel_checks.data.io.load_frame` reads parquet).

    Returns
    -------
    DataFrame, one row per row of ``table``, index 0..n-1
    """
    import pyarrow as pa

    arrow = table.order_by(ROW).drop(ROW).to_pyarrow()
    mapping = {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow")}
    return arrow.to_pandas(types_mapper=mapping.get).reset_index(drop=True)
