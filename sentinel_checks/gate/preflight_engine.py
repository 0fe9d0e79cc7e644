"""The preflight (:mod:`.preflight`) on a dataset the engine reads where it lies: the
dataset is never read into pandas for it.

The column checks read the dataset's columns with the dtypes pandas gives them and no
rows (:attr:`~sentinel_checks.gate.session_engine.SessionEngine.engine_typed_frame`);
the label's values, the two-valued columns an unset label suggests, and the time split's
boundaries, embargo and missing timestamps are engine counts
(:mod:`~sentinel_checks.engine.preflight_counts`,
:mod:`~sentinel_checks.engine.columns`), in the words the pandas preflight uses.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sentinel_checks.errors import ConfigError, DataError
from sentinel_checks.gate.preflight import SetupProblem

if TYPE_CHECKING:
    import pandas as pd
    from ibis.expr.types import Table

    from sentinel_checks.data.time_axis import TimeAxis
    from sentinel_checks.gate.preflight_labels import LabelCounts
    from sentinel_checks.gate.session import GateSession
    from sentinel_checks.gate.session_data import SessionData


def dataset_columns(session: GateSession) -> pd.DataFrame | None:
    """The dataset's columns, typed as pandas reads them, no rows; ``None`` when the engine
    does not read the dataset where it lies (or its time column is text pandas parses),
    or the engine cannot be connected: the preflight then loads the dataset.

    Raises
    ------
    SentinelError
        The files or the table cannot be read (the ``[data]`` problem).
    """
    return session.engine_typed_frame if _connected(session) else None


def _connected(session: SessionData) -> bool:
    """Whether an engine other than pandas is configured and connects (reading where it
    lies starts it: Spark, its session). A connection error is reported once, under its
    ``[engine.*]`` key (:func:`~.engine_setup.engine_problems`), so it is ``False`` here."""
    if session.config.data.engine == "pandas":
        return False
    try:
        _ = session.engine_connection
    except ConfigError:
        return False
    return True


def production_columns(session: GateSession) -> pd.DataFrame | None:
    """The production sample's columns, typed as pandas reads them, no rows, when the engine
    reads it where it lies; ``None`` otherwise, or when the engine cannot be connected (that
    is reported once, under its ``[engine.*]`` key): the preflight then loads the sample.

    Raises
    ------
    SentinelError
        The files cannot be read, their schemas differ, or holding them failed (the
        ``[production]`` problem: sub-microsecond timestamps, out of memory).
    """
    return session.engine_production_typed_frame if _connected(session) else None


def production_held_in_place(session: SessionData) -> bool:
    """Whether the engine reads the production sample where it lies. Holding it refused
    sub-microsecond timestamps already (a DataError naming the column, which the
    preflight's loading reported), so :func:`~.engine_setup.timestamp_problems` does not
    read its rows into pandas to look again. Never raises: an error is the preflight's
    ``[production]`` or ``[engine.*]`` problem already."""
    from sentinel_checks.errors import SentinelError
    from sentinel_checks.gate.cache import NotConfigured

    if not _connected(session):
        return False  # production was loaded through pandas
    try:
        return session.engine_production is not None  # type: ignore[attr-defined]
    except (SentinelError, NotConfigured):
        return True  # its error is the preflight's problem for [production] already


def label_counts(
    session: GateSession, *, dataset: bool = True, production: bool = True
) -> dict[str, LabelCounts]:
    """:data:`~.preflight_labels.LabelCounts` from engine counts of the dataset (when
    ``dataset``: it is read where it lies) and of the production sample when it is read
    where it lies (and ``production``: it loaded); a frame whose label column is absent is
    left out (reported with the columns, or unlabelled production)."""
    from sentinel_checks.engine import preflight_counts

    cols = session.config.columns
    tables = {"dataset": session.engine_source if dataset else None}
    if production and session.has_production:
        tables["production"] = session.engine_production
    return {
        name: preflight_counts.label_values(table, cols.label, cols.positive, cols.negative)
        for name, table in tables.items()
        if table is not None and cols.label in table.columns
    }


def two_valued_columns(session: GateSession) -> list[str]:
    """The label's candidates an unset label suggests, from engine counts
    (:func:`~sentinel_checks.column_roles.two_valued_columns`' rule)."""
    from sentinel_checks.engine import preflight_counts

    source = session.engine_source
    return [] if source is None else preflight_counts.two_valued_columns(source)


def split_problems(session: GateSession) -> list[SetupProblem]:
    """:func:`~.preflight_splits.split_problems` from the engine: missing timestamps, the
    boundaries and the embargo read in the time column's units
    (:attr:`~sentinel_checks.gate.session_engine.SessionEngine.engine_time_axis`), the
    boundaries increasing; the same order and words as
    :func:`~sentinel_checks.data.splits.assign_time_splits`. On ``timestamp = "@row"`` the
    axis is the row positions 0..n-1 (n an engine count), as the loader's
    :func:`~sentinel_checks.data.time_axis.with_row_order` gives them."""
    from sentinel_checks.data.time_axis import ROW_ORDER, boundary, embargo_gap
    from sentinel_checks.engine.columns import missing_count
    from sentinel_checks.gate.preflight_splits import empty_split_problems

    spec, ts, source = session.config.splits, session.config.columns.timestamp, session.engine_source
    row_order = ts == ROW_ORDER
    if spec.method != "time" or ts is None or source is None or not (row_order or ts in source.columns):
        return []
    if spec.val_start is None or spec.test_start is None:
        return []  # refused when the config loaded
    axis = _row_axis(source) if row_order else session.engine_time_axis
    try:
        if axis is None:  # text or booleans: the engine split leaves them to pandas
            raise DataError(f"time split needs datetimes or numbers in {ts!r}, got {source[ts].type()}")
        nulls = 0 if row_order else missing_count(source, ts)
        if nulls:
            raise DataError(
                f"column {ts!r} has {nulls} null timestamp(s): such rows cannot be placed in a time split"
            )
        v = boundary(spec.val_start, axis, "val_start")
        t = boundary(spec.test_start, axis, "test_start")
        e = boundary(spec.end, axis, "end") if spec.end is not None else None
        gap = embargo_gap(spec.embargo, axis)
        if not v < t or (e is not None and not t < e):
            raise ConfigError(f"split boundaries must increase: val_start={v}, test_start={t}, end={e}")
    except (ConfigError, DataError) as exc:
        return [SetupProblem("[splits]", str(exc).removeprefix("[splits] "))]
    if row_order:  # positions 0..n-1: the integers in each half-open window
        n = axis.rows

        def within(low: float, high: float) -> int:
            return max(0, min(n, math.ceil(high)) - max(0, math.ceil(low)))

        rows = {
            "train": within(0, v),
            "val": within(v + gap, t),
            "test": within(t + gap, n if e is None else e),
        }
    else:
        from sentinel_checks.engine.split_tables import time_window_counts

        rows = time_window_counts(source, ts, val_start=v, test_start=t, end=e, gap=gap)
    return empty_split_problems(session.config, rows)


def _row_axis(source: Table) -> TimeAxis:
    """The :class:`~sentinel_checks.data.time_axis.TimeAxis` of ``"@row"`` on ``source``:
    numbers 0..n-1, n counted by the engine; the example (the middle position) is the one
    the pandas column of positions gives."""
    from sentinel_checks.data.time_axis import ROW_ORDER, TimeAxis
    from sentinel_checks.engine import split_checks

    rows = split_checks.row_count(source)
    return TimeAxis(name=ROW_ORDER, datetime=False, tz=None, rows=rows, example=lambda: str(rows // 2))
