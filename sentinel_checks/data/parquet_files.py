"""Parquet data spread over many files: a directory (every ``*.parquet`` below it) or a
glob (``"logs/2026-*/part-*.parquet"``), read the same way by pandas and the engines.

The one place that turns a ``[data] path`` / ``[production] path`` into its list of
files: :func:`parquet_files` (sorted, so the rows come in the same order in pandas and
in an engine: a row's position is its file's offset plus its row within the file),
:func:`schema_difference` (files that disagree on a column are refused, naming it) and
:func:`read_parquet_files` (pandas, through :mod:`pyarrow.dataset`, hive partitions such
as ``month=2026-01/`` becoming columns).
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sentinel_checks.errors import DataError, path_not_found

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

#: Characters that make a ``path`` a glob pattern.
GLOB_MARKS = "*?["


def is_many(path: Path) -> bool:
    """Whether ``path`` names many parquet files: a directory or a glob pattern.

    >>> is_many(Path("logs/2026-*/part-*.parquet")), is_many(Path("requests.parquet"))
    (True, False)
    """
    return path.is_dir() or any(mark in str(path) for mark in GLOB_MARKS)


@dataclass(frozen=True)
class ParquetFiles:
    """The files a directory or glob names, sorted by path, and the folder below which
    ``key=value`` folders are hive partitions (the directory, or the glob's fixed prefix)."""

    files: tuple[Path, ...]
    base: Path


def parquet_files(path: Path, *, what: str = "dataset") -> ParquetFiles:
    """The parquet files a directory or a glob names.

    Parameters
    ----------
    path : Path
        A directory (every ``*.parquet`` below it, at any depth) or a glob
        (``**`` spans folders).
    what : str, optional
        Names the input in errors (``"dataset"``, ``"production"``).

    Returns
    -------
    ParquetFiles
        At least one file, sorted by path.

    Raises
    ------
    DataError
        Nothing matches: the message names the directory or the pattern.
    """
    text = str(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.parquet") if p.is_file())
        if not files:
            raise DataError(f"{what}: no *.parquet file under the directory {text}")
        return ParquetFiles(tuple(files), path)
    if not any(mark in text for mark in GLOB_MARKS):
        raise DataError(path_not_found(text, what))
    files = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
    if not files:
        raise DataError(f"{what}: no file matches the parquet glob {text}")
    first = next(i for i, part in enumerate(path.parts) if any(mark in part for mark in GLOB_MARKS))
    base = Path(*path.parts[:first]) if first else Path(".")  # the fixed prefix of the pattern
    return ParquetFiles(tuple(files), base)


def files_named(path: Path) -> set[Path]:
    """The files ``path`` names, resolved: the parquet files of a directory or glob
    (:func:`parquet_files`), else the file itself; empty when it names none.

    >>> files_named(Path("no/such/file.parquet"))
    set()
    """
    if is_many(path):
        try:
            return {p.resolve() for p in parquet_files(path).files}
        except DataError:
            return set()
    return {path.resolve()} if path.is_file() else set()


def schema_difference(files: ParquetFiles, schemas: Sequence[pa.Schema] | None = None) -> str | None:
    """Where the files' schemas disagree, in words; ``None`` when they agree.

    Each file's schema is read from its footer (no data), unless ``schemas`` (one per
    file, in order) were read already. A column missing from a file,
    or of another type there, is a difference; a column that is all null in one file
    (Arrow type ``null``) agrees with any type.

    Returns
    -------
    str or None
        E.g. ``"column user is string in month=0/part-0.parquet but int64 in
        month=1/part-1.parquet"``: the first differing column of the first file that
        differs from the first file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    read = list(schemas) if schemas is not None else [pq.read_schema(f) for f in files.files]
    first, reference = files.files[0], read[0]
    for other, schema in zip(files.files[1:], read[1:], strict=True):
        for field in reference:
            if field.name not in schema.names:
                return f"column {field.name} is in {_shown(first, files)} but not in {_shown(other, files)}"
            theirs = schema.field(field.name).type
            if theirs != field.type and not pa.types.is_null(theirs) and not pa.types.is_null(field.type):
                return (
                    f"column {field.name} is {field.type} in {_shown(first, files)} "
                    f"but {theirs} in {_shown(other, files)}"
                )
        extra = [name for name in schema.names if name not in reference.names]
        if extra:
            return f"column {extra[0]} is in {_shown(other, files)} but not in {_shown(first, files)}"
    return None


def _shown(path: Path, files: ParquetFiles) -> str:
    try:
        return str(path.relative_to(files.base))
    except ValueError:
        return str(path)


def unified_schema(
    files: ParquetFiles, *, what: str, source: Path, schemas: Sequence[pa.Schema] | None = None
) -> pa.Schema:
    """The one schema of the files (a column all null in a file takes the others' type).
    ``schemas``: each file's, when its footer was read already (else read here, once).

    Raises
    ------
    DataError
        The files disagree (:func:`schema_difference`), or a footer cannot be read;
        the message names ``source`` and the column.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        read = list(schemas) if schemas is not None else [pq.read_schema(f) for f in files.files]
        difference = schema_difference(files, read)
        if difference is not None:
            raise DataError(f"{what} {source}: the parquet files differ in their schema: {difference}")
        return pa.unify_schemas(read)
    except DataError:
        raise
    except Exception as exc:  # a corrupt footer, an unreadable file
        raise DataError(f"{what} {source}: cannot read the parquet files' schema: {exc}") from exc


def read_parquet_files(path: Path, *, what: str = "dataset", rows: int | None = None) -> pd.DataFrame:
    """Every row of the parquet files a directory or glob names, as one pandas frame.

    Read with :func:`pyarrow.dataset.dataset` over the sorted files: the rows of the
    first file, then the second's, and so on (the engines number rows the same way);
    ``key=value`` folders below the directory (or the glob's fixed prefix) become
    columns (hive partitioning, types inferred by Arrow). Text columns become
    Arrow-backed strings, as for a single file. The index is 0..n-1.

    Parameters
    ----------
    path : Path
        A directory or a glob (:func:`parquet_files`).
    what : str, optional
        Names the input in errors.
    rows : int, optional
        Read only the first ``rows`` rows (``0``: the columns and their dtypes only).

    Returns
    -------
    DataFrame, one row per row of every file

    Raises
    ------
    DataError
        Nothing matches; the files' schemas differ (naming the first differing column
        and the two files); a file cannot be read.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as ds

    files = parquet_files(path, what=what)
    schema = unified_schema(files, what=what, source=path)
    dupes = sorted({n for n in schema.names if schema.names.count(n) > 1})
    if dupes:
        raise DataError(f"{what} from {path}: duplicate column names {dupes}")
    try:
        partitioning = ds.partitioning(flavor="hive")
        found = ds.dataset(
            [str(f) for f in files.files],
            format="parquet",
            partitioning=partitioning,
            partition_base_dir=str(files.base),
        )
        keys = [field for field in found.schema if field.name not in schema.names]
        unified = found.replace_schema(pa.schema([*schema.remove_metadata(), *keys]))
        table = unified.to_table() if rows is None else unified.head(rows)
    except Exception as exc:  # pyarrow raises many types
        raise DataError(f"{what} {path}: cannot read the parquet files: {exc}") from exc
    mapping = {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow")}
    frame = table.to_pandas(types_mapper=mapping.get, split_blocks=True, self_destruct=True)
    del table
    pa.default_memory_pool().release_unused()
    return frame.reset_index(drop=True)
