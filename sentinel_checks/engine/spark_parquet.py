"""Parquet files scanned by Spark where they lie, numbered as pandas reads them; the
files Spark 4 cannot scan (nanosecond timestamps) are refused for pandas to read.
Split from :mod:`sentinel_checks.engine.spark_connection` (the session)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sentinel_checks.engine.spark_connection import _first_line

if TYPE_CHECKING:
    import pyarrow as pa
    from ibis.backends.pyspark import Backend
    from ibis.expr.types import Table


class ParquetNotOnSpark(ValueError):
    """Parquet files Spark 4 cannot scan as pandas reads them (a nanosecond timestamp
    column: Spark reads ``INT64 TIMESTAMP(NANOS)`` only as plain integers); the caller reads
    them through pandas instead. The message names the column and the file."""


def nanosecond_column(files: Sequence[Path]) -> tuple[str, Path] | None:
    """The first timestamp column stored at nanoseconds, and its file, among ``files``'
    footers (no data read); ``None`` when every timestamp is at micro- or milliseconds."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for file in files:
        for column in pq.read_schema(file):
            if pa.types.is_timestamp(column.type) and column.type.unit == "ns":
                return column.name, file
    return None


def table_from_parquet(
    backend: Backend, files: Sequence[Path], *, base: Path | None, name: str, row: str
) -> Table:
    """Parquet files scanned by Spark where they lie, each row numbered as pandas reads it.

    ``row`` (int64) is the row's position in the frame
    :func:`~sentinel_checks.data.parquet_files.read_parquet_files` reads: the files in the
    order given (sorted by path), the rows of a file in file order. Spark 4's parquet scan
    exposes each row's file (``_metadata.file_path``, a ``file:`` URI) and its position in
    that file (``_metadata.row_index``); the file offsets (rows of the files before it, from
    the footers) are a one-row-per-file table joined on the file, so the position is
    ``offset + row_index`` with no window over all rows. The same table carries the
    ``key=value`` folders below ``base`` (hive partitions) as columns, typed as Arrow infers
    them for pandas (Spark, given the files, discovers no partitions itself).

    Parameters
    ----------
    backend : PySpark backend (:func:`connect_spark`)
    files : sequence of Path
        At least one parquet file, in the frame's order.
    base : Path or None
        The folder below which ``key=value`` folders are partitions; ``None``: no partitions
        (a single file).
    name : str
        Name of the temporary view.
    row : str
        Name of the position column (:data:`~sentinel_checks.engine.ibis_connection.ROW`).

    Returns
    -------
    ibis Table
        The files' columns, the partition keys, then ``row`` (int64, 0..n-1).

    Raises
    ------
    ParquetNotOnSpark
        A timestamp column is stored at nanoseconds (pandas' default when writing parquet).
    OSError
        Spark cannot list or read the files, or reads a file not in ``files``.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    found = nanosecond_column(files)
    if found is not None:
        raise ParquetNotOnSpark(
            f"column {found[0]!r} of {found[1]} is stored at nanoseconds, which Spark 4 cannot read "
            "as timestamps; write it at microseconds (df.to_parquet(..., coerce_timestamps='us'))"
        )
    session = backend._session
    local = [str(Path(f).resolve()) for f in files]
    try:
        scan = session.read.parquet(*local)
        metadata = scan.select("_metadata.file_path").distinct().collect()
    except Exception as error:  # py4j / Spark analysis errors: a file Spark cannot read
        raise OSError(f"Spark cannot read the parquet files: {_first_line(error)}") from None
    uris = {_local_path(r["file_path"]): r["file_path"] for r in metadata}
    unknown = sorted(set(uris) - set(local))
    if unknown:
        raise OSError(f"Spark read a parquet file the gate did not list: {unknown[0]}")
    sizes = [pq.ParquetFile(f).metadata.num_rows for f in files]
    unread = [p for p, size in zip(local, sizes, strict=True) if size and p not in uris]
    if unread:  # e.g. spark.sql.files.ignoreCorruptFiles: its rows would vanish in the join
        shown = f"{unread[0]} ({len(unread)} file(s) in all)"
        raise OSError(f"Spark did not read the rows of parquet file {shown}")
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    columns: dict[str, pa.Array] = {
        "__sentinel_file": pa.array([uris.get(p, "") for p in local], type=pa.string()),  # "": no rows
        "__sentinel_offset": pa.array(offsets, type=pa.int64()),
    }
    keys = _partition_keys(files, base)
    columns.update({k: v for k, v in keys.items() if k not in scan.columns})
    per_file = session.createDataFrame(pa.table(columns))
    from pyspark.sql import functions as F

    rows = scan.select("*", F.col("_metadata.file_path").alias("__sentinel_file"), "_metadata.row_index")
    joined = rows.join(F.broadcast(per_file), "__sentinel_file")
    position = (F.col("__sentinel_offset") + F.col("row_index")).cast("long").alias(row)
    data = [F.col(f"`{c}`") for c in scan.columns]
    extra = [F.col(f"`{k}`") for k in columns if not k.startswith("__sentinel_")]
    joined.select(*data, *extra, position).createOrReplaceTempView(name)
    return backend.table(name)


def _partition_keys(files: Sequence[Path], base: Path | None) -> dict[str, pa.Array]:
    """Per file, the values of its ``key=value`` folders below ``base``, typed as
    :func:`pyarrow.dataset.dataset` infers them for pandas; empty without partitions."""
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    if base is None:
        return {}
    found = ds.dataset(
        [str(f) for f in files],
        format="parquet",
        partitioning=ds.partitioning(flavor="hive"),
        partition_base_dir=str(base),
    )
    stored = set(pq.read_schema(files[0]).names)
    keys = [field.name for field in found.schema if field.name not in stored]
    if not keys:
        return {}
    by_file = {
        str(Path(fragment.path).resolve()): ds.get_partition_keys(fragment.partition_expression)
        for fragment in found.get_fragments()
    }
    out = {}
    for key in keys:
        values = [by_file[str(Path(f).resolve())].get(key) for f in files]
        out[key] = pa.array(values, type=found.schema.field(key).type)
    return out


def _local_path(uri: str) -> str:
    """A ``file:`` URI as Spark writes it (``file:/tmp/a%20b.parquet``) as a local path."""
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(uri).path)
