"""Load the configured frames: a parquet/CSV file or a ``module:function``.

Loaders are the only place (with the report writers) that touch files. They turn
every failure into a :class:`~sentinel_checks.errors.DataError` naming the file,
loader or column, so a user never reads a traceback from deep inside pandas.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from sentinel_checks.config import DataSource, SentinelConfig

# Moved to their own modules (issue 14); importable from here as before.
from sentinel_checks.data.fingerprints import fingerprint_file as fingerprint_file
from sentinel_checks.data.fingerprints import fingerprint_frame as fingerprint_frame
from sentinel_checks.data.labels import _origin
from sentinel_checks.data.labels import binary_target as binary_target
from sentinel_checks.data.labels import risky_mask as risky_mask
from sentinel_checks.data.parquet_files import is_many, read_parquet_files
from sentinel_checks.data.time_axis import ROW_ORDER, with_row_order
from sentinel_checks.data.timestamps import parse_timestamps as parse_timestamps
from sentinel_checks.data.timestamps import tz_awareness
from sentinel_checks.errors import DataError, path_not_found

#: The suffixes ``format = "auto"`` reads (any case), by format: the one list of them.
FILE_FORMATS: dict[Literal["parquet", "csv"], tuple[str, ...]] = {
    "parquet": (".parquet", ".pq"),
    "csv": (".csv", ".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz"),
}


def format_from_suffix(path: Path) -> Literal["parquet", "csv"] | None:
    """The format ``format = "auto"`` reads ``path`` as, from its suffixes; None if unknown.

    Examples
    --------
    >>> [format_from_suffix(Path(name)) for name in ("log.CSV.GZ", "log.pq", "a.txt")]
    ['csv', 'parquet', None]
    """
    suffixes = "".join(path.suffixes).lower()
    return next((kind for kind, known in FILE_FORMATS.items() if suffixes.endswith(known)), None)


def load_frame(source: DataSource, *, base_dir: Path, what: str = "dataset") -> pd.DataFrame:
    """Read one frame as configured: a parquet/CSV file or a ``module:function`` loader.

    Parameters
    ----------
    source : DataSource
        ``[data]`` or ``[production]``: ``path`` (and ``format``) or ``loader``. A
        ``path`` may be a directory or a glob of parquet files
        (:func:`~sentinel_checks.data.parquet_files.read_parquet_files`).
    base_dir : Path
        The config's folder, searched for the loader's module.
    what : str, optional
        Names the frame in errors (``"dataset"``, ``"production"``).

    Returns
    -------
    DataFrame
        The frame as read (text columns of parquet files as Arrow-backed strings);
        ``attrs["sentinel_origin"]`` names the file or loader.

    Raises
    ------
    DataError
        ``source`` is a ``table`` (read by the gate session's engine, not here); the
        file is missing, of an unknown format or unreadable; a directory or glob
        holds no parquet file, or files whose schemas differ; the loader cannot be
        imported, raises, or returns something other than a DataFrame; or column
        names are duplicated.
    """
    if source.table is not None:  # read by the gate session's engine (SessionData)
        raise DataError(
            f"[{'data' if what == 'dataset' else what}] table = {source.table!r}: a catalog table is read "
            "through the gate's engine (sentinel gate / pytest suites); this command needs a path or a loader"
        )
    if source.loader is not None:
        frame = _call_loader(source.loader, base_dir=base_dir, what=what)
        origin = f"loader {source.loader}"
    else:
        assert source.path is not None  # guaranteed by DataSource validation
        frame = _read_file(source.path, source.format, what=what)
        origin = str(source.path)
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what} from {origin}: expected a pandas DataFrame, got {type(frame).__name__}")
    dupes = frame.columns[frame.columns.duplicated()].unique().tolist()
    if dupes:
        raise DataError(f"{what} from {origin}: duplicate column names {dupes}")
    frame.attrs["sentinel_origin"] = origin
    return frame


def prepare_frame(frame: pd.DataFrame, config: SentinelConfig, *, what: str = "dataset") -> pd.DataFrame:
    """Parse the configured timestamp column in place of the raw one (a copy is returned);
    with ``[columns] timestamp = "@row"``, add the row positions as column ``@row``.

    Parameters
    ----------
    frame : DataFrame
        A frame from :func:`load_frame`.
    config : SentinelConfig
        Its ``[columns] timestamp`` names the column to parse (nothing is done without one,
        or when the frame lacks it).
    what : str, optional
        Names the frame in errors when it has no recorded origin.

    Returns
    -------
    DataFrame
        ``frame`` itself when nothing changes, else a shallow copy with the column as
        datetime64 (numbers stay numbers), or with the ``@row`` column added.

    Raises
    ------
    DataError
        The timestamps cannot be parsed (see :func:`parse_timestamps`).
    """
    ts = config.columns.timestamp
    origin = frame.attrs.get("sentinel_origin", what)
    if ts == ROW_ORDER:
        return with_row_order(frame, origin=origin)
    if ts is None or ts not in frame.columns:
        return frame
    parsed = parse_timestamps(
        frame[ts],
        column=ts,
        origin=origin,
        datetimes=lambda: [str(c) for c in frame.columns if _holds_times(frame[c])],
    )
    if parsed is frame[ts]:
        return frame
    out = frame.copy(deep=False)
    out[ts] = parsed
    return out


def _holds_times(values: pd.Series) -> bool:
    """Datetimes, or text whose first values present (up to 100 of the first 1,000) all
    parse as ISO-8601 times (a CSV's times: review, the hint named no column for them):
    the column a wrong ``[columns] timestamp`` could have meant."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return True
    if not (pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype)):
        return False
    head = values.head(1000).dropna().head(100)  # never a pass over a 10M-row column
    if len(head) == 0 or not head.map(type).eq(str).all():
        return False
    # ISO-8601 with a date part: "2025" or "12" alone are not taken for times
    looks = head.str.match(r"^\d{4}-\d{2}-\d{2}")
    parsed = pd.to_datetime(head, format="ISO8601", errors="coerce", utc=True)
    aware = tz_awareness(head)  # both kinds in one column: refused once named (review)
    return bool(looks.all() and parsed.notna().all() and (aware.all() or not aware.any()))


def feature_columns(
    frame: pd.DataFrame, config: SentinelConfig, *, require_present: bool = False
) -> list[str]:
    """The configured feature list, or every column without a role and not excluded.

    Parameters
    ----------
    frame : DataFrame
        The dataset.
    config : SentinelConfig
        ``[columns] features``, or the role columns and ``[columns] exclude`` left out.
    require_present : bool, optional
        Raise when a configured feature is missing from ``frame``.

    Returns
    -------
    list of str
        The feature columns, in the configured or the frame's order.

    Raises
    ------
    DataError
        With ``require_present``, a configured feature is missing from ``frame``.
    """
    if config.columns.features is not None:
        features = list(config.columns.features)
        missing = [f for f in features if f not in frame.columns]
        if require_present and missing:
            raise DataError(
                f"{_origin(frame, 'dataset')}: feature column(s) {missing} listed under "
                "[columns] features are not in the data"
            )
        return features
    skip = set(config.role_columns()) | set(config.columns.exclude)
    return [c for c in frame.columns if c not in skip]


def load_training_log(path: Path) -> pd.DataFrame:
    """A training log: CSV, or JSON (a list of per-epoch records, or a table of columns).

    Parameters
    ----------
    path : Path
        ``[training] log``; ``.json`` is read as JSON, anything else as CSV.

    Returns
    -------
    DataFrame
        One row per epoch, the columns as written.

    Raises
    ------
    DataError
        The file is missing, cannot be read, or has no rows.
    """
    if not path.is_file():
        raise DataError(f"training log not found: {path}")
    try:
        if path.suffix.lower() == ".json":
            import json

            raw = json.loads(path.read_text(encoding="utf-8"))
            frame = pd.DataFrame(raw if isinstance(raw, list) else dict(raw))
        else:
            frame = pd.read_csv(path)
    except Exception as exc:
        raise DataError(f"training log {path}: cannot read: {exc}") from exc
    if frame.empty:
        raise DataError(f"training log {path} has no rows")
    return frame


def import_callable(ref: str, *, base_dir: Path, key: str) -> Callable[..., Any]:
    """Import ``module:function``; the config's folder is searched too.

    Parameters
    ----------
    ref : str
        ``"module:function"`` (e.g. ``"pipeline:load"``).
    base_dir : Path
        The config's folder, put on ``sys.path`` while importing.
    key : str
        The config key that names ``ref``, for error messages (e.g. ``"[data] loader"``).

    Returns
    -------
    callable
        The function.

    Raises
    ------
    DataError
        The module cannot be imported, or has no callable of that name.
    """
    module_name, _, attr = ref.partition(":")
    with _on_sys_path(base_dir):
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # any import-time failure is the user's module's
            raise DataError(f"{key} = {ref!r}: cannot import {module_name!r}: {exc}") from exc
    func = getattr(module, attr, None)
    if not callable(func):
        raise DataError(f"{key} = {ref!r}: module {module_name!r} has no callable {attr!r}")
    return func


def _call_loader(ref: str, *, base_dir: Path, what: str) -> Any:
    func = import_callable(ref, base_dir=base_dir, key=f"[{what}] loader")
    try:
        return func()
    except Exception as exc:
        raise DataError(f"{what} loader {ref!r} raised {type(exc).__name__}: {exc}") from exc


def _read_file(path: Path, fmt: str, *, what: str) -> pd.DataFrame:
    if is_many(path):  # a directory or a glob of parquet files
        if fmt == "csv":
            raise DataError(
                f"{what} {path}: a directory or a glob is read as parquet files; "
                "format = 'csv' needs one file"
            )
        return read_parquet_files(path, what=what)
    if not path.is_file():
        raise DataError(path_not_found(path, what))
    if fmt == "auto":
        kind = format_from_suffix(path)
        if kind is None:
            raise DataError(
                f"{what} file {path}: cannot tell the format from the suffix; set format = 'parquet' or 'csv'"
            )
        fmt = kind
    try:
        if fmt == "parquet":
            return _read_parquet(path, what)
        header = _csv_header(path)
        dupes = sorted({c for c in header if header.count(c) > 1})
        if dupes:
            # pandas would silently rename the second one to "name.1"
            raise DataError(f"{what} from {path}: duplicate column names {dupes}")
        return pd.read_csv(path, low_memory=False)
    except DataError:
        raise
    except Exception as exc:  # pyarrow / the csv parser raise many types
        raise DataError(f"{what} file {path}: cannot read as {fmt}: {exc}") from exc


def _csv_header(path: Path) -> list[str]:
    """The header row of a CSV file as written (compressed files too)."""
    first = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False)
    return [str(v) for v in first.iloc[0]] if len(first) else []


def _read_parquet(path: Path, what: str) -> pd.DataFrame:
    """Text columns as Arrow-backed strings, not Python objects: at 10M rows three id
    columns alone are ~1.9 GiB as objects and ~0.4 GiB as Arrow strings, and reading is
    several times faster."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    mapping = {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow")}
    names = pq.read_schema(path).names
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(f"{what} from {path}: duplicate column names {dupes}")
    table = pq.read_table(path)
    # self_destruct frees each decoded column once pandas holds it; release_unused hands
    # the decoding buffers back to the OS (at 10M rows: 2.3 -> 1.5 GiB resident).
    frame = table.to_pandas(types_mapper=mapping.get, split_blocks=True, self_destruct=True)
    del table
    pa.default_memory_pool().release_unused()
    return frame


@contextmanager
def _on_sys_path(folder: Path):  # type: ignore[no-untyped-def]
    entry = str(folder)
    added = entry not in sys.path
    if added:
        sys.path.insert(0, entry)
    try:
        yield
    finally:
        if added and entry in sys.path:
            sys.path.remove(entry)
