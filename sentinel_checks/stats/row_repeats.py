"""Rows of one split that repeat rows of another, and the columns that make every row unique.

What ``splits.row_overlap`` decides on. Every row is hashed (64 bits, in chunks:
see :func:`~sentinel_checks.stats.leakage.row_hashes`), so memory stays a few bytes
per row whatever the columns hold; nothing is sampled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from sentinel_checks.stats.leakage import member_of, row_hashes, sorted_distinct

#: A column is unique per row when at least this share of its rows hold a distinct value…
UNIQUE_SHARE = 0.99
#: …in a split of at least this many rows (below it, a fine integer is distinct by luck).
UNIQUE_MIN_ROWS = 100


@dataclass(frozen=True, eq=False)
class RowRepeats:
    """Rows of ``later`` whose values over some columns equal a row of ``earlier``.

    ``mask`` marks them (shape ``(m,)``, bool); ``count`` is their number;
    :attr:`within` counts the rows of ``earlier`` whose values another of its rows has
    (the leave-one-out chance rate is ``within / n_earlier``). ``within_of`` is that
    count, or the function that computes it on first read: an engine's ``GROUP BY``
    over every row of ``earlier`` that only the feature repeats' judgement reads (the
    copies of an event, compared on every raw column, never do; 10M rows: ~3 s).
    """

    mask: np.ndarray
    count: int
    within_of: int | Callable[[], int] = field(repr=False)

    @cached_property
    def within(self) -> int:
        """The rows of ``earlier`` another of its rows repeats (int ≥ 0), computed once."""
        return int(self.within_of()) if callable(self.within_of) else int(self.within_of)


def row_repeats(earlier: pd.DataFrame, later: pd.DataFrame, columns: list[str]) -> RowRepeats:
    """Which rows of ``later`` repeat a row of ``earlier`` over ``columns``, and how
    many rows of ``earlier`` repeat each other.

    Parameters
    ----------
    earlier : DataFrame, n rows
    later : DataFrame, m rows
    columns : list of str
        The columns compared; each must be in both frames.

    Returns
    -------
    RowRepeats

    Raises
    ------
    KeyError
        A name in ``columns`` is missing from either frame.

    Examples
    --------
    >>> r = row_repeats(pd.DataFrame({"x": [1, 1, 2]}), pd.DataFrame({"x": [2, 3]}), ["x"])
    >>> r.mask.tolist(), r.count, r.within
    ([True, False], 1, 2)
    """
    earlier_hashes = row_hashes(earlier, columns)
    mask = member_of(row_hashes(later, columns), sorted_distinct(earlier_hashes))
    _, counts = np.unique(earlier_hashes, return_counts=True)
    return RowRepeats(mask, int(np.count_nonzero(mask)), int(counts[counts > 1].sum()))


def unique_per_row(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """The columns that hold a distinct value in (almost) every row and count things
    rather than measure them: integers (or floats holding only whole numbers), text,
    categories and datetimes with at least ``UNIQUE_SHARE`` of the rows distinct.

    Such a column (a row number, a request id, a timestamp) differs between two
    copies of one event logged twice, so every feature row is unique with it and
    row comparison cannot find the copies. A continuous measurement (an amount with
    cents) is distinct per row as well but is copied with the event, so floats with
    fractional values are not counted.

    Parameters
    ----------
    frame : DataFrame, n rows
    columns : list of str
        The columns looked at, each in ``frame``.

    Returns
    -------
    list of str
        In the order of ``columns``; empty when ``frame`` has fewer than
        ``UNIQUE_MIN_ROWS`` rows.

    Examples
    --------
    >>> f = pd.DataFrame({"row": range(200), "amount": [i + 0.5 for i in range(200)], "code": [1, 2] * 100})
    >>> unique_per_row(f, ["row", "amount", "code"])
    ['row']
    """
    if len(frame) < UNIQUE_MIN_ROWS:
        return []
    found = []
    for name in columns:
        values = frame[name]
        if pd.api.types.is_bool_dtype(values.dtype):
            continue
        if pd.api.types.is_float_dtype(values.dtype):
            present = values.dropna().to_numpy(dtype=float)
            if not np.all(np.isfinite(present)) or not np.array_equal(present, np.round(present)):
                continue  # a measurement, copied with its event
        if values.nunique(dropna=True) >= UNIQUE_SHARE * len(frame):
            found.append(name)
    return found
