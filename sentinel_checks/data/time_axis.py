"""What orders the rows: datetimes, an integer period column, or the row order itself.

``[columns] timestamp`` names the column that orders the rows in time. It may hold

* datetimes (or ISO-8601 strings): boundaries are dates, ``[splits] embargo`` a
  duration such as ``"2D"``;
* numbers (a year, a period index 1..120, a month number): boundaries are values of
  that column (``2016`` or ``"2016"``), the embargo a number of the column's units;
* ``"@row"`` (:data:`ROW_ORDER`): the file's row order is time order. The loader adds
  a column ``@row`` holding each row's position (0, 1, …), boundaries are positions
  (integers) or fractions of the rows (floats in (0, 1]), the embargo a number of rows.

Every check that uses time then reads one column of one of two kinds, datetime or
number, with boundaries, gaps and messages in that column's units.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd

from sentinel_checks.errors import ConfigError, DataError

#: ``[columns] timestamp = "@row"``: the rows are in time order; the column added holds positions.
ROW_ORDER = "@row"

Boundary: TypeAlias = str | int | float | pd.Timestamp
Gap: TypeAlias = pd.Timedelta | float


@dataclass(frozen=True)
class TimeAxis:
    """What :func:`boundary` and :func:`embargo_gap` read of a time column, without its rows:
    an engine's schema and counts give it (``GateSession`` on a table read where it lies).

    ``name`` is the column; ``datetime`` says whether it holds datetimes (else numbers);
    ``tz`` is its zone (a tzinfo or its name; ``None``: naive or numeric); ``rows`` its length; ``example``
    returns the text of its middle present value, for the error naming a wrong boundary.
    """

    name: str
    datetime: bool
    tz: object | None
    rows: int
    example: Callable[[], str]


def axis_of(timestamps: pd.Series | TimeAxis) -> TimeAxis:
    """The :class:`TimeAxis` of a pandas time column (a :class:`TimeAxis` is returned as it is)."""
    if isinstance(timestamps, TimeAxis):
        return timestamps
    zone = getattr(timestamps.dtype, "tz", None)
    return TimeAxis(
        name=timestamps.name,
        datetime=bool(pd.api.types.is_datetime64_any_dtype(timestamps.dtype)),
        tz=zone,
        rows=len(timestamps),
        example=lambda: _example(timestamps),
    )


def is_time_dtype(dtype: object) -> bool:
    """True for datetime64 and for numbers other than booleans: the kinds a time column may have."""
    if pd.api.types.is_bool_dtype(dtype):
        return False
    return bool(pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype))


def with_row_order(frame: pd.DataFrame, *, origin: str) -> pd.DataFrame:
    """``frame`` with a column :data:`ROW_ORDER` holding each row's position (int64, 0-based).

    Raises
    ------
    DataError
        ``frame`` already has a column of that name.
    """
    if ROW_ORDER in frame.columns:
        raise DataError(
            f"{origin}: has a column named {ROW_ORDER!r}, the name [columns] timestamp = "
            f"'{ROW_ORDER}' gives to row positions; rename it"
        )
    out = frame.copy(deep=False)
    out[ROW_ORDER] = np.arange(len(frame), dtype=np.int64)
    return out


def boundary(value: Boundary, timestamps: pd.Series | TimeAxis, key: str) -> pd.Timestamp | float:
    """A ``[splits]`` boundary as a value comparable with ``timestamps``.

    Parameters
    ----------
    value : str, int, float or Timestamp
        As configured: a date for datetime columns; a value of the column for numeric
        ones (``2016`` or ``"2016"``); on :data:`ROW_ORDER`, an integer position or a
        float fraction of the rows in (0, 1].
    timestamps : Series, n rows, or TimeAxis
        The time column (datetime64 or numeric), or what an engine's schema says of it.
    key : str
        The config key (``val_start``, ``test_start``, ``end``), for errors.

    Returns
    -------
    Timestamp or float

    Raises
    ------
    ConfigError
        The value is not comparable with the column (a date on a numeric column, a
        number on datetimes, a timezone on a naive column, a fraction outside (0, 1]).
    """
    axis = axis_of(timestamps)
    column = axis.name
    if not axis.datetime:
        number = _number(value)
        if number is None:
            raise ConfigError(
                f"[splits] {key} = {_shown(value)} is not a value of the numeric time column "
                f"{column!r}; give a number such as {axis.example()}"
            )
        if column == ROW_ORDER and isinstance(number, float):
            if not 0 < number <= 1:
                raise ConfigError(
                    f"[splits] {key} = {_shown(value)}: on row order a float is a fraction of "
                    "the rows in (0, 1]; give a row position as an integer"
                )
            return float(round(number * axis.rows))
        return float(number)
    if isinstance(value, (bool, int, float, np.number)):
        raise ConfigError(
            f"[splits] {key} = {_shown(value)} is a number, but column {column!r} holds "
            "datetimes; give a date such as '2025-02-01'"
        )
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"[splits] {key} = {_shown(value)} is not a timestamp") from exc
    tz = axis.tz
    if tz is not None and ts.tzinfo is None:
        return ts.tz_localize(tz)  # a naive boundary is read in the column's timezone
    if tz is None and ts.tzinfo is not None:
        raise ConfigError(f"[splits] {key} = {_shown(value)} has a timezone but column {column!r} is naive")
    return ts


def embargo_gap(embargo: str | int | float | pd.Timedelta, timestamps: pd.Series | TimeAxis) -> Gap:
    """``[splits] embargo`` in the units of ``timestamps``: a Timedelta for datetimes,
    a float (units of the column, rows on :data:`ROW_ORDER`) for numbers.

    A zero duration (the default ``"0s"``) is zero on either kind.

    Raises
    ------
    ConfigError
        A non-zero duration on a numeric column, a number other than 0 on datetimes,
        or a negative or unreadable value.
    """
    axis = axis_of(timestamps)
    column = axis.name
    numeric_axis = not axis.datetime
    if isinstance(embargo, (int, float, np.number)) and not isinstance(embargo, bool):
        amount = float(embargo)
        if not math.isfinite(amount) or amount < 0:
            raise ConfigError(f"[splits] embargo = {_shown(embargo)} must be a number ≥ 0")
        if numeric_axis:
            return amount
        if amount == 0:
            return pd.Timedelta(0)
        raise ConfigError(
            f"[splits] embargo = {_shown(embargo)} is a number, but column {column!r} holds "
            f"datetimes: give a duration such as '{_shown(embargo)}D'"
        )
    try:
        delta = pd.Timedelta(embargo)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"[splits] embargo = {_shown(embargo)} is not a duration such as '1D'") from exc
    if not numeric_axis:
        return delta
    if delta == pd.Timedelta(0):
        return 0.0
    raise ConfigError(
        f"[splits] embargo = {_shown(embargo)} is a duration, but {_axis_name(column)} is a numeric "
        f"time column: give the embargo as a number of {_unit(column, 2)} (e.g. embargo = 1)"
    )


def gap_text(gap: Gap, column: object) -> str:
    """A gap for a message: ``"3 days 00:00:00"``, ``"1 year unit"``, ``"6 rows"``."""
    if isinstance(gap, pd.Timedelta):
        return str(gap)
    amount = float(gap)
    shown = str(int(amount)) if amount.is_integer() else f"{amount:g}"
    return f"{shown} {_unit(column, amount)}"


def _unit(column: object, amount: float) -> str:
    plural = "" if amount == 1 else "s"
    return f"row{plural}" if column == ROW_ORDER else f"{column} unit{plural}"


def _axis_name(column: object) -> str:
    return "the row order" if column == ROW_ORDER else f"column {column!r}"


def _number(value: object) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.number)):
        return value.item() if isinstance(value, np.number) else value
    if isinstance(value, str):
        for parse in (int, float):
            try:
                return parse(value.strip())
            except ValueError:
                continue
    return None


def _shown(value: object) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def _example(timestamps: pd.Series) -> str:
    present = timestamps.dropna()
    return str(present.iloc[len(present) // 2]) if len(present) else "2016"
