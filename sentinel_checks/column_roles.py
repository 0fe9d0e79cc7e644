"""Column roles guessed from a data file, for ``sentinel init`` to pre-fill and a person to confirm.

What is guessed, from a sample of the first 100,000 rows (split boundaries from the
whole time column):

- the time axis (:mod:`sentinel_checks.data.time_axis`): a datetime column (or ISO-8601
  text); else a whole-number column that counts time forward (a name with year, period,
  step or epoch; or a time-like name such as ``month`` or ``t`` whose values never
  decrease down the file). A whole-number column that may be cyclic (``hour`` in no
  order) is only suggested, next to ``"@row"`` (the row order is time order);
- the label: a two-valued column named like one (``label``, ``target``, ``is_*``,
  ``fraud``…) and its risky value; none is invented when no name fits;
- row indexes written by a data frame library (``Unnamed: 0``; an integer column named
  ``index``, ``idx``, ``level_0``, ``row``… counting 0..n-1 or 1..n): excluded, never
  features;
- one id per row, entity columns (a composite ``[period, id]`` when ids restart each
  period), and text segments with 2 to 50 values;
- what purging each entity would cost at the proposed boundaries, on every row
  (:mod:`sentinel_checks.purge_preview`): init leaves the purge off when it would
  remove more of val or test than ``[splits] max_purged_share`` allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sentinel_checks.data.io import FILE_FORMATS, format_from_suffix
from sentinel_checks.data.time_axis import ROW_ORDER
from sentinel_checks.data.timestamps import parse_timestamps
from sentinel_checks.entities import EntityKey, PurgeLoss, entity_columns
from sentinel_checks.errors import ConfigError, DataError
from sentinel_checks.purge_preview import purge_costs, worst_loss

_LABEL_NAME = re.compile(r"(^|_)(label|target|class|y|is_.*|fraud|risk.*|outcome)$", re.IGNORECASE)
_POSITIVE_VALUE = re.compile(r"^(risky|fraud|fraudulent|bad|yes|true|1|positive|high)$", re.IGNORECASE)
_TIME_NAME = re.compile(r"(ts|time|timestamp|date|datetime|created_at|_at)$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_ID_NAME = re.compile(r"(^id$|_id$|[a-z]id$|uuid$|_key$)", re.IGNORECASE)
#: A period an id may be numbered within (case 12 of 1999 is not case 12 of 2000).
_PERIOD_NAME = re.compile(r"(year|yr|season|period)", re.IGNORECASE)
#: Whole-number columns that count time forward by their name alone.
_FORWARD_TIME_NAME = re.compile(r"(year|yr|period|step|epoch)", re.IGNORECASE)
#: Whole-number columns that may be a time axis, or a cycle (hour of day, month of year).
_MAYBE_TIME_NAME = re.compile(
    r"(^t$|time|^ts$|_ts$|date|month|week|day|quarter|hour|minute|second|season)", re.IGNORECASE
)
#: Column names a data frame library gives a written index.
_UNNAMED = re.compile(r"^(Unnamed: \d+)?$")
_INDEX_NAME = re.compile(
    r"^(index|idx|level_\d+|row|rownum|row_?(no|num|number|index)|rownames)$", re.IGNORECASE
)
#: Share of an id's values seen in more than one period before it is read as per period.
_REUSED_ACROSS_PERIODS = 0.05
#: Where validation and test start, as shares of the rows in time order.
SPLIT_SHARES = (0.7, 0.85)


@dataclass
class Roles:
    """Column roles inferred from a sample of the data.

    ``split_bounds`` are dates (text) for a datetime time axis, values of the column
    (int) for a whole-number one; ``time_suggestions`` are columns that may order the
    rows in time but were not taken (written commented out, with ``"@row"``).
    ``purge`` holds, per entity name, val's and test's rows before and after purging
    that entity at the proposed boundaries (empty when it could not be measured).
    """

    timestamp: str | None = None
    label: str | None = None
    positive: Any = None
    negative: Any = None
    label_candidates: list[str] = field(default_factory=list)
    #: the two values of each label candidate (sorted as text), named in init's label TODO
    candidate_values: dict[str, list[Any]] = field(default_factory=dict)
    id: str | None = None
    entities: list[str | list[str]] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    split_bounds: tuple[str, str] | tuple[int, int] | None = None
    time_suggestions: list[str] = field(default_factory=list)
    purge: dict[str, tuple[PurgeLoss, ...]] = field(default_factory=dict)

    @property
    def purge_shares(self) -> dict[str, float]:
        """Per entity, the largest share of val's or test's rows its purge would remove, in [0, 1]."""
        return {name: worst_loss(losses).share for name, losses in self.purge.items()}


def file_format(path: Path) -> Literal["parquet", "csv"]:
    """The format ``[data] path`` reads ``path`` as, from its suffix (any case).

    Raises
    ------
    DataError
        The suffix is not one of :data:`FILE_FORMATS`; the message names the file and them.
    """
    kind = format_from_suffix(path)
    if kind is not None:
        return kind
    known = ", ".join(s for suffixes in FILE_FORMATS.values() for s in suffixes)
    raise DataError(f"--data {path}: not a format the gate reads; give a file ending in {known}")


def infer_roles(path: Path, *, sample_rows: int = 100_000) -> Roles:
    """Guess column roles from (a sample of) a parquet or CSV file.

    Parameters
    ----------
    path : Path
        A file of one of :data:`FILE_FORMATS` (compressed CSV too).
    sample_rows : int, optional
        Rows read to guess roles (the first ones; parquet: the first batch).

    Returns
    -------
    Roles

    Raises
    ------
    DataError
        The file is missing, of another format, or unreadable.
    """
    frame = _read_sample(path, sample_rows)
    roles = Roles(exclude=[str(c) for c in frame.columns if _is_row_index(str(c), frame[c])])
    columns = [str(c) for c in frame.columns if str(c) not in roles.exclude]
    roles.timestamp = next((c for c in columns if _is_time(c, frame[c])), None)
    roles.label_candidates = two_valued_columns(frame[columns])
    roles.candidate_values = {
        c: sorted(frame[c].dropna().unique().tolist(), key=str) for c in roles.label_candidates
    }
    if roles.label_candidates and _LABEL_NAME.search(roles.label_candidates[0]):
        roles.label = roles.label_candidates[0]
        levels = sorted(frame[roles.label].dropna().unique().tolist(), key=str)
        positive = next((v for v in levels if _POSITIVE_VALUE.match(str(v))), levels[-1])
        roles.positive = positive
        roles.negative = next(v for v in levels if v != positive)
    if roles.timestamp is None:
        _numeric_time(frame, columns, roles)
    n = len(frame)
    for name in columns:
        values = frame[name]
        if name in (roles.label, roles.timestamp) or pd.api.types.is_float_dtype(values):
            continue
        if roles.label is None and name in roles.label_candidates:
            continue  # it may be the label the user picks (trial: `dead` proposed as a segment)
        distinct = values.nunique(dropna=True)
        if _ID_NAME.search(name) and distinct > 2:
            if distinct == n and roles.id is None:
                roles.id = name
            else:
                roles.entities.append(name)
        elif (values.dtype == object or isinstance(values.dtype, pd.CategoricalDtype | pd.StringDtype)) and (
            2 <= distinct <= 50
        ):
            roles.segments.append(name)
    roles.entities = [_within_period(frame, str(e), roles) for e in roles.entities]
    if roles.timestamp is not None:  # the whole column: a sorted file's first rows are its first weeks
        roles.split_bounds = _split_bounds(_read_columns(path, [roles.timestamp])[roles.timestamp])
    roles.purge = _purge_costs(path, roles)
    return roles


def two_valued_columns(frame: pd.DataFrame) -> list[str]:
    """Columns with exactly two values (nulls aside): the label's candidates, those named
    like a label (``label``, ``target``, ``is_*``, ``fraud``…) first, then by name.

    A first look at 10,000 rows keeps this fast on large frames: a column with more than
    two values there has more than two in all.

    Examples
    --------
    >>> frame = pd.DataFrame({"CANCELLED": [0, 1, 1], "is_fraud": ["n", "y", "n"], "a": [1, 2, 3]})
    >>> two_valued_columns(frame)
    ['is_fraud', 'CANCELLED']
    """
    head = frame.head(10_000)
    found = [
        str(c)
        for c in frame.columns
        if head[c].nunique(dropna=True) <= 2 and frame[c].nunique(dropna=True) == 2
    ]
    return sorted(found, key=lambda c: (not _LABEL_NAME.search(c), c))


def _is_row_index(name: str, values: pd.Series) -> bool:
    """``Unnamed: 0`` (a written index), or an integer column named like an index counting rows."""
    if _UNNAMED.match(name):
        return True
    if not _INDEX_NAME.match(name) or not _whole_numbers(values) or values.isna().any():
        return False
    counted = values.to_numpy(dtype=np.int64)
    rows = np.arange(len(counted), dtype=np.int64)
    return bool(len(counted)) and (np.array_equal(counted, rows) or np.array_equal(counted, rows + 1))


def _whole_numbers(values: pd.Series) -> bool:
    return pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)


def _numeric_time(frame: pd.DataFrame, columns: list[str], roles: Roles) -> None:
    """Take a whole-number column that counts time forward as the time axis; list the
    ones that may be cyclic in ``roles.time_suggestions``."""
    for name in columns:
        values = frame[name]
        if name == roles.label or not _whole_numbers(values) or values.nunique(dropna=True) < 3:
            continue
        forward = bool(_FORWARD_TIME_NAME.search(name))
        if not forward and not _MAYBE_TIME_NAME.search(name):
            continue
        if forward or values.dropna().is_monotonic_increasing:
            roles.timestamp = name
            return
        roles.time_suggestions.append(name)


def _split_bounds(column: pd.Series) -> tuple[str, str] | tuple[int, int] | None:
    """Validation and test starts at :data:`SPLIT_SHARES` of the rows: dates, or values of a
    whole-number column (the next value up when few values make two quantiles equal)."""
    if _whole_numbers(column):
        values = column.dropna()
        distinct = np.sort(values.unique())
        if len(distinct) < 3:
            return None
        val, test = (values.quantile(q, interpolation="higher") for q in SPLIT_SHARES)
        val = max(val, distinct[1])  # train keeps at least the first value
        later = distinct[distinct > val]
        if test <= val:
            test = later[0] if len(later) else distinct[-1]
        if test <= val:  # val was the last value
            val, test = distinct[-2], distinct[-1]
        return int(val), int(test)
    stamps = pd.to_datetime(column, errors="coerce", utc=True).dropna()
    if not len(stamps):
        return None
    start_val, start_test = stamps.quantile(list(SPLIT_SHARES))
    return start_val.strftime("%Y-%m-%d"), start_test.strftime("%Y-%m-%d")


def _within_period(frame: pd.DataFrame, entity: str, roles: Roles) -> str | list[str]:
    """``[period, entity]`` when the id is numbered anew in each period, else ``entity``.

    Read so when a period-like column (name with year, season or period; 2 to 50
    whole-number or text values) holds more than one value for at least 5% of the
    id's values: case ids restarting every year name a vehicle only with their year.
    A global id (one user over several years) would look the same; the written
    config says which reading was taken, to confirm. The period may be the time axis.
    """
    ids = frame[entity]
    for column in frame.columns:
        name, values = str(column), frame[column]
        if (
            name in (entity, roles.label)
            or name in roles.exclude
            or not _PERIOD_NAME.search(name)
            or pd.api.types.is_float_dtype(values)
            or pd.api.types.is_datetime64_any_dtype(values)
            or not 2 <= values.nunique(dropna=True) <= 50
        ):
            continue
        periods = values.groupby(ids, dropna=True).nunique()
        if len(periods) and float((periods > 1).mean()) >= _REUSED_ACROSS_PERIODS:
            return [name, entity]
    return entity


def _read_sample(path: Path, rows: int) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"--data {path}: file not found")
    kind = file_format(path)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            table = pq.ParquetFile(path)
            batches = table.iter_batches(batch_size=rows)
            return next(batches).to_pandas() if table.metadata.num_rows else table.read().to_pandas()
        return pd.read_csv(path, nrows=rows)  # compression from the suffix
    except Exception as exc:  # pyarrow / the csv parser raise many types
        raise DataError(f"--data {path}: cannot read it as {kind}: {exc}") from exc


def _read_columns(path: Path, columns: list[str]) -> pd.DataFrame:
    if file_format(path) == "parquet":
        return pd.read_parquet(path, columns=columns)
    return pd.read_csv(path, usecols=columns)


def _purge_costs(path: Path, roles: Roles) -> dict[str, tuple[PurgeLoss, ...]]:
    """Per entity, what purging it would take from val and test at the proposed
    boundaries (the time column's, or :data:`SPLIT_SHARES` of the rows in file order),
    on every row of the file; empty when there is no entity or no boundary to measure at."""
    if not roles.entities or (roles.timestamp is not None and roles.split_bounds is None):
        return {}
    keys: list[EntityKey] = list(roles.entities)
    needed = list(dict.fromkeys(c for key in keys for c in entity_columns(key)))
    time = [roles.timestamp] if roles.timestamp is not None else []
    frame = _read_columns(path, list(dict.fromkeys(needed + time)))
    try:
        if roles.timestamp is None:
            stamps = pd.Series(np.arange(len(frame), dtype=np.int64), name=ROW_ORDER)
            bounds: tuple[Any, Any] = SPLIT_SHARES
        else:
            stamps = parse_timestamps(frame[roles.timestamp], column=roles.timestamp, origin=str(path))
            frame, stamps = frame[stamps.notna()], stamps.dropna()  # init proposes; the gate reports nulls
            assert roles.split_bounds is not None
            bounds = roles.split_bounds
        return purge_costs(frame, timestamps=stamps, entities=keys, val_start=bounds[0], test_start=bounds[1])
    except (DataError, ConfigError):  # a time column init cannot split on: nothing to propose
        return {}


def _is_time(column: str, values: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(values):
        return True
    if values.dtype != object:
        return False
    sample = values.dropna().head(1000).astype(str)
    if not _TIME_NAME.search(column) and not sample.str.match(_ISO_DATE).mean() >= 0.95:
        return False
    parsed = pd.to_datetime(values.dropna().head(1000), errors="coerce", utc=True, format="mixed")
    return bool(len(parsed)) and float(parsed.notna().mean()) >= 0.95
