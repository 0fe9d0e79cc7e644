"""Parse a timestamp column: ISO-8601 strings or datetimes, one kind of time zone, or numbers.

Offsets (``Z``, ``+02:00``) become UTC, strings without one stay naive, and a column
mixing both is a :class:`~sentinel_checks.errors.DataError`: ordering is what the
split checks judge. Numbers (a year, a period index) are an ordered time of their own
and are kept as numbers: see :mod:`sentinel_checks.data.time_axis`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from sentinel_checks.errors import ColumnSettingError

#: The setting a timestamp error is reported under (:class:`ColumnSettingError`).
TIMESTAMP_KEY = "[columns] timestamp"

# An offset after a time of day: "10:00Z", "10:00:00+02:00", "10:00:00.5 UTC".
_TZ_SUFFIX = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)\s*$"


def parse_timestamps(
    values: pd.Series,
    *,
    column: str,
    origin: str = "data",
    datetimes: Callable[[], Sequence[str]] = tuple,
) -> pd.Series:
    """Return ``values`` as a datetime64 series (or as numbers), or raise a :class:`DataError`.

    Strings with an offset (``Z``, ``+02:00``) are converted to UTC; strings without
    one stay naive. A column mixing both is an error: the order of such values is
    ambiguous, and ordering is what the split checks judge.

    Parameters
    ----------
    values : Series, n rows
        Datetimes or numbers (returned as they are: numbers are periods compared as
        numbers, never read as epochs) or ISO-8601 strings; nulls stay null.
    column : str
        The ``[columns] timestamp`` column's name, for error messages (which name the key).
    origin : str, optional
        Where the values come from (file or loader), for error messages.
    datetimes : callable returning a sequence of str, optional
        The data's datetime columns, asked for and named only in an error: the values
        are not timestamps (trial: "name the column of datetimes" named none).

    Returns
    -------
    Series of datetime64 or numbers, n rows
        UTC-aware when every present value had an offset, else naive.

    Raises
    ------
    ColumnSettingError
        A :class:`~sentinel_checks.errors.DataError` keyed ``[columns] timestamp``: the
        values are booleans, mix timezone-aware and naive values, or some are not
        timestamps.
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        raise ColumnSettingError(
            f"{origin}: column {column!r} ([columns] timestamp) holds booleans, not times; store "
            "datetimes, ISO-8601 strings or ordered numbers (a year, a period index)"
            f"{_hint(datetimes, column)}",
            TIMESTAMP_KEY,
        )
    if pd.api.types.is_datetime64_any_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        return values
    present = values.dropna()
    aware = tz_awareness(present)
    if aware.any() and not aware.all():
        examples = [str(present[aware].iloc[0]), str(present[~aware].iloc[0])]
        raise ColumnSettingError(
            f"{origin}: column {column!r} ([columns] timestamp) mixes timezone-aware and naive timestamps "
            f"({int(aware.sum()):,} aware, {int((~aware).sum()):,} naive; e.g. {examples}); "
            "make them all one kind",
            TIMESTAMP_KEY,
        )
    utc = bool(aware.all()) and len(present) > 0
    parsed = None
    for fmt in ("ISO8601", "mixed"):
        try:
            parsed = pd.to_datetime(values, format=fmt, utc=utc, errors="coerce")
            break
        except (ValueError, TypeError, OverflowError):
            continue
    if parsed is None:
        raise ColumnSettingError(
            f"{origin}: column {column!r} ([columns] timestamp) cannot be parsed as timestamps", TIMESTAMP_KEY
        )
    bad = parsed.isna() & values.notna()
    if bad.any():
        examples = values[bad].astype(str).unique()[:5].tolist()
        raise ColumnSettingError(
            f"{origin}: column {column!r} ([columns] timestamp) has {int(bad.sum()):,} value(s) that "
            f"are not timestamps, e.g. {examples}: name the column of datetimes, ISO-8601 "
            f"strings or ordered numbers as [columns] timestamp{_hint(datetimes, column)}",
            TIMESTAMP_KEY,
        )
    return parsed


def _hint(datetimes: Callable[[], Sequence[str]], column: str) -> str:
    """`` (the datetime column of the data: request_ts)``, or ``""`` when it has none."""
    seen = [c for c in datetimes() if c != column]
    return (
        f" (the datetime column{'s' if len(seen) > 1 else ''} of the data: {', '.join(seen)})" if seen else ""
    )


def tz_awareness(present: pd.Series) -> np.ndarray:
    """Whether each value of ``present`` (no missing values) carries a timezone: a string
    ending in ``Z`` or an offset, or a datetime with a ``tzinfo``; bool, shape (n,)."""
    if len(present) == 0:
        return np.zeros(0, dtype=bool)
    if pd.api.types.is_string_dtype(present.dtype) and present.map(type).eq(str).all():
        return present.str.contains(_TZ_SUFFIX, regex=True).to_numpy(dtype=bool)
    return np.fromiter(
        (getattr(v, "tzinfo", None) is not None for v in present), dtype=bool, count=len(present)
    )
