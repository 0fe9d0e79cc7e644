"""Rows, risky rows and caught risky rows per value of a segment column: what
``quality.segments`` judges, counted from rows in memory
(:meth:`SegmentCounts.from_arrays`) or grouped in an engine
(:func:`sentinel_checks.engine.quality_statistics.segment_counts`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: How a missing segment value is named (as ``quality.segments`` names it).
MISSING_SEGMENT = "(missing)"


@dataclass(frozen=True, eq=False)
class SegmentCounts:
    """Rows, risky rows and caught risky rows per value of one segment column.

    Attributes
    ----------
    names : tuple of str, length g
        Segment values as ``quality.segments`` names them (their text; a missing
        value is :data:`MISSING_SEGMENT`), sorted as :func:`numpy.unique` sorts text.
    rows, positives, tp : ndarray of int64, shape (g,)
        Rows, risky rows, and risky rows flagged (score at or above the threshold).
    flagged : ndarray of int64, shape (g,)
        Rows flagged, risky or not.
    """

    names: tuple[str, ...]
    rows: np.ndarray
    positives: np.ndarray
    tp: np.ndarray
    flagged: np.ndarray

    @property
    def recall(self) -> np.ndarray:
        """tp / positives per segment (float64, in [0, 1]); NaN for a segment without a risky row."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.positives > 0, self.tp / np.maximum(self.positives, 1), np.nan)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SegmentCounts):
            return NotImplemented
        return self.names == other.names and all(
            a.dtype == b.dtype and np.array_equal(a, b)
            for a, b in zip(
                (self.rows, self.positives, self.tp, self.flagged),
                (other.rows, other.positives, other.tp, other.flagged),
                strict=True,
            )
        )

    __hash__ = None  # type: ignore[assignment]  # holds arrays: equal by value, not hashable

    @classmethod
    def from_arrays(cls, segments: np.ndarray, y: np.ndarray, flagged: np.ndarray) -> SegmentCounts:
        """The counts from rows in memory, reading segment values as ``quality.segments`` does.

        Parameters
        ----------
        segments : array_like, shape (n,)
            Segment value per row (any dtype; None and NaN are missing).
        y : array_like of bool, shape (n,)
            True for a risky row.
        flagged : array_like of bool, shape (n,)
            True where the score reaches the threshold.

        Returns
        -------
        SegmentCounts

        Examples
        --------
        >>> c = SegmentCounts.from_arrays(
        ...     np.array(["fr", "de", None, "fr"], dtype=object),
        ...     np.array([True, True, False, True]),
        ...     np.array([True, False, False, False]),
        ... )
        >>> c.names, c.positives.tolist(), c.tp.tolist()
        (('(missing)', 'de', 'fr'), [0, 1, 2], [0, 0, 1])
        """
        y = np.asarray(y, dtype=bool)
        hit = np.asarray(flagged, dtype=bool)
        ones = np.ones(len(y), dtype=np.int64)
        return counts_by_name(np.asarray(segments, dtype=object), ones, y.astype(np.int64), (y & hit), hit)


def counts_by_name(
    values: np.ndarray, rows: np.ndarray, pos: np.ndarray, tp: np.ndarray, flagged: np.ndarray
) -> SegmentCounts:
    """Counts per name, a value's name being its text as ``quality.segments`` reads it.

    Parameters
    ----------
    values : ndarray of object, shape (k,)
        Raw segment values (rows, or distinct values grouped elsewhere).
    rows, pos, tp, flagged : ndarray of int, shape (k,)
        Counts per entry.

    Returns
    -------
    SegmentCounts
        Entries with one name added up.
    """
    labels = pd.Series(values, dtype=object).astype("string").fillna(MISSING_SEGMENT)
    names, inverse = np.unique(labels.to_numpy(dtype=str), return_inverse=True)
    size = len(names)

    def total(counts: np.ndarray) -> np.ndarray:
        return np.bincount(inverse, weights=counts, minlength=size).astype(np.int64)

    return SegmentCounts(tuple(str(v) for v in names), total(rows), total(pos), total(tp), total(flagged))
