"""Build train/val/test as configured, and a group-aware time split for your own pipelines.

Boundaries are half-open. With ``val_start = V``, ``test_start = T``, optional
``end = E`` and ``embargo = g``:

* train: ``ts < V``
* val:   ``V + g <= ts < T``
* test:  ``T + g <= ts < E`` (no upper bound without ``end``)

The time column may hold datetimes, numbers (a year, a period index: boundaries are
values of the column, the embargo a number of its units) or row positions
(``[columns] timestamp = "@row"``); see :mod:`sentinel_checks.data.time_axis`.
Rows inside an embargo window, or at/after ``end``, belong to no split. With
``purge_entities``, rows of an entity (user, session…) already present in an
earlier split are removed from the later one, so no entity is on two sides.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sentinel_checks.config import SentinelConfig
from sentinel_checks.data.io import import_callable
from sentinel_checks.data.time_axis import Boundary, boundary, embargo_gap, is_time_dtype
from sentinel_checks.entities import (
    EntityKey,
    PurgeLoss,
    entity_codes,
    entity_columns,
    entity_name,
    purge_losses,
)
from sentinel_checks.errors import ConfigError, DataError

SPLIT_NAMES: tuple[str, str, str] = ("train", "val", "test")
#: Every ordered pair (earlier, later) that the split checks compare.
SPLIT_PAIRS: tuple[tuple[str, str], ...] = (("train", "val"), ("train", "test"), ("val", "test"))


@dataclass(frozen=True)
class Splits:
    """Three frames plus how they were made and how many rows went to none of them."""

    train: pd.DataFrame
    val: pd.DataFrame
    test: pd.DataFrame
    method: str = "given"
    unassigned: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)
    purge: tuple[PurgeLoss, ...] = ()  # rows val and test lost to purging entities

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in SPLIT_NAMES:
            raise KeyError(f"unknown split {name!r}; expected one of {SPLIT_NAMES}")
        frame: pd.DataFrame = getattr(self, name)
        return frame

    def items(self) -> Iterator[tuple[str, pd.DataFrame]]:
        for name in SPLIT_NAMES:
            yield name, self[name]

    def sizes(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.items()}

    @classmethod
    def from_assignment(
        cls,
        frame: pd.DataFrame,
        assignment: Sequence[str | None] | pd.Series | np.ndarray,
        *,
        method: str = "given",
        notes: Sequence[str] = (),
        purge: Sequence[PurgeLoss] = (),
    ) -> Splits:
        """Split ``frame`` by a per-row label: ``"train"``, ``"val"``, ``"test"`` or None.

        Parameters
        ----------
        frame : DataFrame, n rows
            The rows to split.
        assignment : sequence, Series or ndarray, shape (n,)
            One label per row; None (or any other value) leaves the row unassigned.
        method : str, optional
            How the split was made, recorded on the result.
        notes : sequence of str, optional
            Remarks recorded on the result (e.g. rows purged).
        purge : sequence of PurgeLoss, optional
            Rows each later split lost to purging entities.

        Returns
        -------
        Splits
            The three frames (original index kept) and the number of unassigned rows.

        Raises
        ------
        ValueError, DataError
            ``assignment`` does not have one label per row (pandas raises ValueError
            first when building the labels).
        """
        labels = pd.Series(np.asarray(assignment, dtype=object), index=frame.index)
        if len(labels) != len(frame):
            raise DataError(f"split assignment has {len(labels)} labels for {len(frame)} rows")
        parts = {name: frame[(labels == name).to_numpy()] for name in SPLIT_NAMES}
        unassigned = len(frame) - sum(len(p) for p in parts.values())
        return cls(**parts, method=method, unassigned=unassigned, notes=tuple(notes), purge=tuple(purge))


def assign_time_splits(
    timestamps: pd.Series,
    *,
    val_start: Boundary,
    test_start: Boundary,
    end: Boundary | None = None,
    embargo: str | float | pd.Timedelta = "0s",
) -> np.ndarray:
    """Label each timestamp ``"train"``, ``"val"``, ``"test"`` or None (half-open windows).

    train is ``[.., val_start)``, val ``[val_start + embargo, test_start)``, test
    ``[test_start + embargo, end)``; rows in an embargo are in no split.

    Parameters
    ----------
    timestamps : Series of datetime64 or numbers, n rows
        One time value per row (a datetime, a period such as a year, or a row
        position), no nulls.
    val_start, test_start : str, number or Timestamp
        Where validation and test begin: dates (ISO-8601 strings are parsed) for
        datetimes, values of the column for numbers, positions or fractions of the
        rows for ``@row`` (:func:`~sentinel_checks.data.time_axis.boundary`).
    end : str, number or Timestamp, optional
        Where test ends (exclusive); unbounded when ``None``.
    embargo : str, number or Timedelta, optional
        Left out after each boundary: a duration (e.g. ``"1D"``) for datetimes, a
        number of the column's units for numbers.

    Returns
    -------
    ndarray of object, shape (n,)
        ``"train"``, ``"val"``, ``"test"`` or ``None`` per row.

    Raises
    ------
    DataError
        ``timestamps`` is neither datetime64 nor numeric, or holds nulls.
    ConfigError
        The boundaries do not increase, or they or the embargo are not in the column's units.

    Examples
    --------
    >>> ts = pd.Series(pd.to_datetime(["2025-01-01", "2025-02-01", "2025-02-02", "2025-03-05"]))
    >>> assign_time_splits(ts, val_start="2025-02-01", test_start="2025-03-01").tolist()
    ['train', 'val', 'val', 'test']
    >>> assign_time_splits(ts, val_start="2025-02-01", test_start="2025-03-01", embargo="1D").tolist()
    ['train', None, 'val', 'test']
    >>> years = pd.Series([2014, 2015, 2016, 2017], name="year")
    >>> assign_time_splits(years, val_start=2015, test_start="2017").tolist()
    ['train', 'val', 'val', 'test']
    """
    if not is_time_dtype(timestamps.dtype):
        raise DataError(
            f"time split needs datetimes or numbers in {timestamps.name!r}, got dtype {timestamps.dtype}"
        )
    nulls = int(timestamps.isna().sum())
    if nulls:
        raise DataError(
            f"column {timestamps.name!r} has {nulls} null timestamp(s): "
            "such rows cannot be placed in a time split"
        )
    v = boundary(val_start, timestamps, "val_start")
    t = boundary(test_start, timestamps, "test_start")
    e = boundary(end, timestamps, "end") if end is not None else None
    gap = embargo_gap(embargo, timestamps)
    if not v < t or (e is not None and not t < e):
        raise ConfigError(f"split boundaries must increase: val_start={v}, test_start={t}, end={e}")
    out = np.full(len(timestamps), None, dtype=object)
    out[(timestamps < v).to_numpy()] = "train"
    out[((timestamps >= v + gap) & (timestamps < t)).to_numpy()] = "val"
    in_test = timestamps >= t + gap
    if e is not None:
        in_test &= timestamps < e
    out[in_test.to_numpy()] = "test"
    return out


def purge_entity_overlap(
    frame: pd.DataFrame, assignment: np.ndarray, entities: Sequence[EntityKey]
) -> tuple[np.ndarray, dict[str, int]]:
    """Drop rows of entities already present in an earlier split from the later ones.

    Parameters
    ----------
    frame : DataFrame, n rows
        Holds the entity columns.
    assignment : ndarray of object, shape (n,)
        ``"train"``, ``"val"``, ``"test"`` or ``None`` per row (:func:`assign_time_splits`).
    entities : sequence of str or of lists of str
        Entity id columns (e.g. customer, device), or lists of columns that identify
        an entity together (``["yearacc", "caseid"]``, compared by value on all of
        them). A row whose id (any part of it) is missing belongs to no entity and
        is never purged.

    Returns
    -------
    assignment : ndarray of object, shape (n,)
        A copy, purged rows set to ``None``.
    removed : dict of str to int
        Per entity (its name, ``"yearacc+caseid"`` for a composite id), how many
        rows were removed.

    Raises
    ------
    DataError
        An entity column is missing from ``frame``.
    """
    out = np.asarray(assignment, dtype=object).copy()
    removed: dict[str, int] = {}
    for key in entities:
        column = entity_name(key)
        for part in entity_columns(key):
            if part not in frame.columns:
                raise DataError(f"entity column {part!r} is missing; cannot purge entity overlap")
        # Integer codes instead of the ids themselves: no Python object per row, and
        # "seen before" is one boolean lookup per row.
        codes = entity_codes(frame, key)
        known = codes >= 0  # a missing id is not an entity
        seen = np.zeros(int(codes.max(initial=-1)) + 1, dtype=bool)
        seen[codes[(out == "train") & known]] = True
        removed[column] = 0
        for later in ("val", "test"):
            mask = (out == later) & known
            mask[mask] = seen[codes[mask]]
            removed[column] += int(mask.sum())
            out[mask] = None
            seen[codes[(out == later) & known]] = True
    return out, removed


def group_time_split(
    frame: pd.DataFrame,
    *,
    timestamp: str,
    entities: Sequence[EntityKey],
    val_start: Boundary,
    test_start: Boundary,
    end: Boundary | None = None,
    embargo: str | float | pd.Timedelta = "0s",
) -> Splits:
    """Time-ordered train/val/test in which no entity appears in two splits.

    Call it from your own pipeline: rows are first placed by time (half-open windows
    with an optional embargo), then rows of an entity seen in an earlier split are
    removed from the later split. Every remaining row is in exactly one split.

    Parameters
    ----------
    frame : DataFrame
        Holds ``timestamp`` (datetime64 or numbers) and the ``entities`` columns.
    timestamp : str
        The timestamp column.
    entities : sequence of str or of lists of str
        Entity id columns, or lists of columns identifying an entity together.
    val_start, test_start, end, embargo
        As for :func:`assign_time_splits`.

    Returns
    -------
    Splits
        ``method="group_time"``, with a note per entity on the rows purged and the
        rows each later split lost (:attr:`Splits.purge`).

    Raises
    ------
    DataError
        A column is missing, or the timestamps are neither datetimes nor numbers, or hold nulls.
    ConfigError
        The boundaries do not increase.
    """
    if timestamp not in frame.columns:
        raise DataError(f"timestamp column {timestamp!r} is missing")
    assignment = assign_time_splits(
        frame[timestamp], val_start=val_start, test_start=test_start, end=end, embargo=embargo
    )
    purged, removed = purge_entity_overlap(frame, assignment, entities)
    notes = [f"purged {n} row(s) whose {c} was in an earlier split" for c, n in removed.items()]
    losses = purge_losses(assignment, purged)
    return Splits.from_assignment(frame, purged, method="group_time", notes=notes, purge=losses)


def build_splits(frame: pd.DataFrame, config: SentinelConfig) -> Splits:
    """Make train/val/test as ``[splits]`` says.

    Parameters
    ----------
    frame : DataFrame
        The prepared dataset (timestamps parsed).
    config : SentinelConfig
        ``[splits]`` (``method``: ``time``, ``column`` or ``callable``) and ``[columns]``.

    Returns
    -------
    Splits
        The three frames, the method, unassigned rows and notes.

    Raises
    ------
    ConfigError
        ``method = 'time'`` without ``[columns] timestamp``, or boundaries that do not increase.
    DataError
        The timestamp, split or entity column is missing or invalid, the split column
        holds other values, or the ``[splits] function`` fails or returns something unusable.
    """
    spec = config.splits
    if spec.method == "time":
        ts = config.columns.timestamp
        if ts is None:
            raise ConfigError(f"{config.source}: [splits] method = 'time' needs [columns] timestamp")
        if ts not in frame.columns:
            raise DataError(f"{_origin(frame)}: timestamp column {ts!r} is missing")
        assert spec.val_start is not None and spec.test_start is not None  # SplitSpec validation
        assignment = assign_time_splits(
            frame[ts],
            val_start=spec.val_start,
            test_start=spec.test_start,
            end=spec.end,
            embargo=spec.embargo,
        )
        notes: list[str] = []
        losses: tuple[PurgeLoss, ...] = ()
        if spec.purge_entities:
            purged, removed = purge_entity_overlap(frame, assignment, config.columns.entities)
            notes = [f"purged {n} row(s) whose {c} was in an earlier split" for c, n in removed.items()]
            label = config.columns.label
            risky = (
                (frame[label] == config.columns.positive).fillna(False).to_numpy(dtype=bool)
                if label in frame.columns
                else None
            )  # a missing label (nullable dtype) is not risky here: the contract reports it
            assignment, losses = purged, purge_losses(assignment, purged, risky)
        return Splits.from_assignment(frame, assignment, method="time", notes=notes, purge=losses)
    if spec.method == "column":
        return _splits_from_column(frame, config)
    return _splits_from_callable(frame, config)


def _splits_from_column(frame: pd.DataFrame, config: SentinelConfig) -> Splits:
    spec = config.splits
    column = spec.column
    assert column is not None
    if column not in frame.columns:
        raise DataError(f"{_origin(frame)}: split column {column!r} ([splits] column) is missing")
    mapping = {spec.train_value: "train", spec.val_value: "val", spec.test_value: "test"}
    values = frame[column]
    known = values.isin(list(mapping))
    if not known.all():
        unknown = pd.unique(values[~known])[:5].tolist()
        raise DataError(
            f"{_origin(frame)}: split column {column!r} has {int((~known).sum())} row(s) with "
            f"values other than {list(mapping)}, e.g. {unknown}; set train_value/val_value/"
            "test_value under [splits] or filter those rows in a loader"
        )
    assignment = values.map(mapping).to_numpy(dtype=object)
    return Splits.from_assignment(frame, assignment, method="column")


def _splits_from_callable(frame: pd.DataFrame, config: SentinelConfig) -> Splits:
    ref = config.splits.function
    assert ref is not None
    func = import_callable(ref, base_dir=config.base_dir, key="[splits] function")
    try:
        produced = func(frame)
    except Exception as exc:
        raise DataError(f"[splits] function {ref!r} raised {type(exc).__name__}: {exc}") from exc
    if isinstance(produced, Splits):
        return produced
    if isinstance(produced, dict) and set(produced) == set(SPLIT_NAMES):
        return Splits(**produced, method="callable")
    if isinstance(produced, (pd.Series, np.ndarray, list)) and len(produced) == len(frame):
        labels = np.asarray(produced, dtype=object)
        bad = ~pd.Series(labels).isin([*SPLIT_NAMES, None]).to_numpy()
        if bad.any():
            raise DataError(
                f"[splits] function {ref!r} returned labels other than {SPLIT_NAMES} or None, "
                f"e.g. {pd.unique(labels[bad])[:5].tolist()}"
            )
        return Splits.from_assignment(frame, labels, method="callable")
    raise DataError(
        f"[splits] function {ref!r} must return a Splits, a dict with keys {SPLIT_NAMES}, "
        f"or one label per row; got {type(produced).__name__}"
    )


def _origin(frame: pd.DataFrame) -> str:
    return str(frame.attrs.get("sentinel_origin", "dataset"))
