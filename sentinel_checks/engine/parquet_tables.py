"""Parquet read where it lies as an engine table, each row numbered by its position.

A parquet file, a directory of files or a glob becomes a lazy Ibis table (DuckDB streams
it and spills to ``temp_directory`` past ``memory_limit``; on Spark, Spark's own scan),
with :data:`~sentinel_checks.engine.ibis_connection.ROW` holding each row's position in
the frame :func:`~sentinel_checks.data.io.load_frame` reads from the same files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sentinel_checks.engine.engine_errors import first_line, out_of_engine_room
from sentinel_checks.engine.ibis_connection import ROW, quiet_schema_lookup

if TYPE_CHECKING:
    import pyarrow as pa
    from ibis.backends.duckdb import Backend
    from ibis.expr.types import Table


class UnreadableParquet(OSError):
    """A file of a parquet input that is not readable parquet (truncated, overwritten, not
    parquet at all); the message names the file. An :class:`OSError`, as a missing file
    is: the callers name the ``[data]`` / ``[production]`` key."""


def _footer(file: Path) -> tuple[int, pa.Schema]:
    """The rows and the Arrow schema of one parquet file, from its footer (read once).

    Raises
    ------
    UnreadableParquet
        The footer cannot be read: pyarrow raises ``ArrowInvalid`` ("Parquet magic bytes
        not found in footer") for a truncated or foreign file, ``OSError`` when it cannot
        be opened; both are :class:`pyarrow.ArrowException` or :class:`OSError`.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        footer = pq.ParquetFile(file)
        return int(footer.metadata.num_rows), footer.schema_arrow
    except (pa.ArrowException, OSError) as error:
        raise UnreadableParquet(f"{file} is not readable parquet ({first_line(error)}): {FIX}") from None


#: What to do about an unreadable parquet file, as messages say it.
FIX = "rewrite it, or move it out of the folder"


def table_from_parquet(con: Backend, path: Path | str, *, name: str) -> Table:
    """Parquet data as an Ibis table on ``con``, read lazily where it lies, with each
    row's position in :data:`ROW`.

    The files are those pandas reads (:func:`~sentinel_checks.data.parquet_files.parquet_files`:
    sorted by path), so a row's position — its file's offset (the rows of the files
    before it, from their footers) plus its row within the file (DuckDB's
    ``file_row_number``) — is its row in the frame
    :func:`~sentinel_checks.data.io.load_frame` reads. ``key=value`` folders of a
    directory or glob are columns (hive partitioning), as in pandas.

    On Spark the same positions come from Spark's own parquet scan
    (:func:`~sentinel_checks.engine.spark_parquet.table_from_parquet`:
    ``_metadata.file_path`` and ``_metadata.row_index``).

    Parameters
    ----------
    con : DuckDB backend or PySpark backend
    path : Path or str
        A parquet file, a directory (every ``*.parquet`` below it) or a glob
        (``"logs/2026-*/part-*.parquet"``).
    name : str
        Name of the view in the engine.

    Returns
    -------
    ibis Table
        The files' columns (and partition keys) and :data:`ROW` (int64, 0..n-1).

    Raises
    ------
    FileNotFoundError
        Nothing matches ``path`` (the message names it).
    UnreadableParquet
        A file is not readable parquet (the message names the file).
    ParquetNotOnSpark
        On Spark: a timestamp column stored at nanoseconds (the caller reads the files
        through pandas instead).
    """
    import ibis
    import pyarrow as pa

    from sentinel_checks.data.parquet_files import is_many, parquet_files
    from sentinel_checks.errors import DataError, path_not_found

    target = Path(str(path))
    many = is_many(target)
    base = None
    if many:
        try:
            listed = parquet_files(target)
        except DataError as error:
            raise FileNotFoundError(str(error).removeprefix("dataset: ")) from None
        files, base = list(listed.files), listed.base
    elif target.is_file():
        files = [target]
    else:
        raise FileNotFoundError(path_not_found(target))
    if con.name == "pyspark":
        from sentinel_checks.engine import spark_parquet

        return spark_parquet.table_from_parquet(con, files, base=base, name=name, row=ROW)
    import duckdb  # after Spark's branch: the spark extra does not install DuckDB

    footers = [_footer(f) for f in files]  # first: a file that is not parquet is named
    sizes = [rows for rows, _ in footers]
    null_typed = False
    if many:  # the files pandas would refuse, refused alike (DuckDB reads the first file's schema)
        from sentinel_checks.data.parquet_files import unified_schema

        try:
            schema = unified_schema(listed, what="parquet", source=target, schemas=[s for _, s in footers])
        except DataError as error:
            raise UnreadableParquet(str(error).removeprefix("parquet ")) from None
        keys = {
            p.split("=", 1)[0] for f in files for p in f.relative_to(listed.base).parent.parts if "=" in p
        }
        both = sorted(keys & set(schema.names))
        if both:  # pandas refuses these too (the key's type and the column's disagree)
            raise UnreadableParquet(
                f"{target}: {both[0]!r} is both a partition folder key ({both[0]}=…) and a column "
                "of the files: rename the column or the folders"
            )
        null_typed = any(pa.types.is_null(field.type) for _, part in footers for field in part)

    offsets = ibis.memtable(
        {
            "__sentinel_file": [str(f) for f in files],
            "__sentinel_offset": np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64),
        }
    )
    with quiet_schema_lookup():
        try:
            scan = con.read_parquet(
                [str(f) for f in files],
                table_name=f"{name}_files",
                filename="__sentinel_file",
                file_row_number=True,
                hive_partitioning=many,
                # a column all null in a file (an empty part written by pandas: Arrow type
                # null) takes the other files' type, as pandas reads it; only then: DuckDB
                # 1.5 misreads a hive key that is also a file column under union_by_name
                union_by_name=null_typed,
            )
        except duckdb.Error as error:  # InvalidInputException, IOException: DuckDB names the file
            if out_of_engine_room(error):  # memory_limit too small even to read the footers: not the files
                raise
            raise UnreadableParquet(
                f"{target}: DuckDB cannot read it as parquet ({first_line(error)}): {FIX}"
            ) from None
        data = [c for c in scan.columns if c not in ("__sentinel_file", "file_row_number")]
        joined = scan.join(offsets, "__sentinel_file")
        position = (joined["__sentinel_offset"] + joined["file_row_number"]).cast("int64")
        table = joined.select(*data, **{ROW: position})
        con.create_view(name, table, overwrite=True)
        return con.table(name)
