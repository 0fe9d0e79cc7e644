"""The production sample read where it lies, or the note of why it was not.

With DuckDB or Spark and a parquet ``[production] path`` (file, directory or glob) whose
time column is stored as datetimes or numbers, production is an engine table over the
files (:func:`~sentinel_checks.engine.parquet_tables.table_from_parquet`), held for the
run. Otherwise its frame is read through pandas and registered; when that happens for a
reason the config does not say (a text time column, a schema that cannot be read, a
file Spark cannot read) the run's notes (``gate.json`` ``notes``) say what fell back, why
and what it cost.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ibis.expr.types import Table

    from sentinel_checks.gate.session_engine import SessionEngine


def production_in_place(session: SessionEngine) -> Table | None:
    """Production as an engine table read where it lies (rows numbered in the frame's
    order, held for the run, cached on ``session``); ``None`` when it is read through
    pandas instead: no engine, no sample, a loader, a catalog table, CSV, ``"@row"``, or
    (noted: :meth:`~sentinel_checks.gate.session_data.SessionData.note`) a time column
    stored as text, a schema pyarrow cannot read, nanosecond timestamps on Spark.

    Raises
    ------
    DataError
        The files cannot be read (a missing file, a file that is not readable parquet,
        named), a datetime column holds sub-microsecond parts, or the engine cannot hold
        the sample (:func:`~sentinel_checks.gate.engine_setup.hold_failure`: out of memory
        or disk, a file it could not read under ``[production] path``, anything else).
    """
    from sentinel_checks.data.io import format_from_suffix
    from sentinel_checks.data.parquet_files import is_many, parquet_files
    from sentinel_checks.engine.engine_errors import first_line
    from sentinel_checks.engine.ibis_connection import MICROSECONDS_FIX

    config = session.config
    source, ts = config.production, config.columns.timestamp
    if (
        config.data.engine not in ("duckdb", "spark")
        or source is None
        or source.path is None
        or source.loader
    ):
        return None
    path = source.path
    many = is_many(path)
    if not (
        source.format == "parquet"
        or (source.format == "auto" and (many or format_from_suffix(path) == "parquet"))
    ):
        return None
    if ts is not None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from sentinel_checks.data.time_axis import ROW_ORDER

        if ts == ROW_ORDER:
            return None
        try:
            first = parquet_files(path).files[0] if many else path
        except Exception:  # no file to read: the loader's and the preflight's problem, not a fallback
            return None
        if not Path(first).exists():
            return None  # a missing path is the preflight's problem, not a fallback to note
        try:
            schema = pq.read_schema(first)
        except Exception as error:  # pyarrow raises many types: the pandas reader names the problem
            session.note(
                f"[production] path {path} was read through pandas, not where it lies: its parquet "
                f"schema could not be read ({first_line(error)}); the whole sample is read into memory"
            )
            return None
        if ts in schema.names:
            kind = schema.field(ts).type
            if not (pa.types.is_timestamp(kind) or pa.types.is_integer(kind) or pa.types.is_floating(kind)):
                session.note(
                    f"[production] path {path} was read through pandas, not where it lies: its time "
                    f"column {ts!r} is stored as {kind}, which pandas parses; {_rows(path)} read into "
                    "memory. Store it as a timestamp (pd.to_datetime before writing the parquet) to read "
                    "it where it lies"
                )
                return None

    def read() -> Table | None:
        from sentinel_checks.engine import parquet_tables, split_checks
        from sentinel_checks.engine.engine_errors import out_of_engine_room
        from sentinel_checks.engine.spark_parquet import ParquetNotOnSpark
        from sentinel_checks.errors import DataError
        from sentinel_checks.gate.engine_setup import hold_failure

        con = session.engine_connection
        assert con is not None
        try:
            table = parquet_tables.table_from_parquet(con.backend, path, name="sentinel_production")
        except ParquetNotOnSpark as error:  # nanosecond timestamps: the frame is registered
            session.note(f"[production] path was read through pandas, not where it lies on Spark: {error}")
            return None
        except (FileNotFoundError, OSError) as error:
            raise DataError(f"[production] path: {error}") from None
        except Exception as error:  # the engine's own: out of memory or disk reading the files
            if not out_of_engine_room(error):
                raise
            raise hold_failure(
                config, "read the production sample where it lies", error, source="[production] path"
            ) from None
        finer = split_checks.finer_than_microseconds(table)
        if finer is not None:
            raise DataError(
                f"[data] engine = '{config.data.engine}' cannot read the production sample: column "
                f"{finer!r} of production has timestamps finer than a microsecond; the engine compares "
                f"microseconds ({MICROSECONDS_FIX.format(column=finer)})"
            )
        try:
            return session._held_for_run(table)
        except Exception as error:  # the engine's own error types (DuckDB, Py4J)
            raise hold_failure(
                config, "hold the production sample read where it lies", error, source="[production] path"
            ) from None

    return session._once("engine_production_in_place", read)


def _rows(path: Path) -> str:
    """``"its 21,592 rows"`` from the parquet footers of ``path``; ``"all its rows"`` when
    they cannot be read."""
    import pyarrow.parquet as pq

    from sentinel_checks.data.parquet_files import is_many, parquet_files

    try:
        files = parquet_files(path).files if is_many(path) else [path]
        return f"its {sum(pq.ParquetFile(f).metadata.num_rows for f in files):,} rows"
    except Exception:  # an unreadable footer: the pandas reader names the file
        return "all its rows"
