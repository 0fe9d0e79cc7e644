"""Bounded, seeded sampling: at most a given number of rows, the same rows every run.

Drift scores are effect sizes (distances) or tests that saturate on huge samples, so
a seeded sample of each side is enough and keeps Evidently fast. The gate samples
frames (:func:`bounded_sample`); the monitor samples score arrays
(:func:`bounded_sample_values`), drawing the positions the gate would draw from a
frame of the same length. (pandas is imported on use: the gate session imports this.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def bounded_sample(frame: pd.DataFrame, limit: int, seed: int) -> pd.DataFrame:
    """At most ``limit`` rows of ``frame``, drawn with ``seed``, in their original order.

    Parameters
    ----------
    frame : pandas.DataFrame, shape (n, ...)
        The rows to sample from.
    limit : int
        Most rows returned; ``frame`` itself is returned when it has no more.
    seed : int
        ``random_state`` of ``DataFrame.sample`` (without replacement).

    Returns
    -------
    pandas.DataFrame, shape (min(n, limit), ...)
        The sampled rows, sorted by index (their original order when the index is sorted).
    """
    return frame if len(frame) <= limit else frame.sample(n=limit, random_state=seed).sort_index()


def bounded_sample_values(values: np.ndarray, limit: int, seed: int) -> np.ndarray:
    """At most ``limit`` of ``values``, drawn with ``seed``, in their original order: the
    positions :func:`bounded_sample` draws from a frame of ``len(values)`` rows.

    Parameters
    ----------
    values : ndarray, shape (n,)
        The values to sample from (e.g. scores).
    limit : int
        Most values returned; ``values`` itself is returned when it has no more.
    seed : int
        Seed, as for :func:`bounded_sample`.

    Returns
    -------
    ndarray, shape (min(n, limit),)
        The sampled values in their original order.

    Examples
    --------

    >>> import numpy as np, pandas as pd
    >>> bounded_sample_values(np.arange(5.0), 10, seed=0)
    array([0., 1., 2., 3., 4.])
    >>> x = np.arange(1000.0)
    >>> picked = bounded_sample_values(x, 10, seed=0)
    >>> len(picked), bool(np.all(np.diff(picked) > 0))
    (10, True)
    >>> rows = pd.DataFrame({"x": x})
    >>> bool(np.array_equal(picked, bounded_sample(rows, 10, seed=0)["x"].to_numpy()))
    True
    """
    if len(values) <= limit:
        return values
    positions = sample_positions(len(values), limit, seed)
    assert positions is not None
    return values[positions]


def sample_positions(n: int, limit: int, seed: int) -> np.ndarray | None:
    """The positions :func:`bounded_sample` keeps of a frame of ``n`` rows with a sorted
    index, ascending; ``None`` when ``n <= limit`` (every row is kept).

    pandas' ``DataFrame.sample(n=limit, random_state=seed)`` draws
    ``numpy.random.RandomState(seed).choice(n, size=limit, replace=False)``; this is that
    draw, so an engine can pick the same rows by position without holding the frame
    (:func:`sentinel_checks.engine.samples.sample_table`). Memory: one int64 per row of
    ``n`` while drawing (numpy permutes all positions).

    Parameters
    ----------
    n : int
        Rows to draw from.
    limit : int
        Most positions returned.
    seed : int
        Seed, as for :func:`bounded_sample`.

    Returns
    -------
    ndarray of int64, shape (limit,), or None

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"x": range(100)})
    >>> picked = sample_positions(100, 5, seed=3)
    >>> bool((bounded_sample(frame, 5, seed=3).index.to_numpy() == picked).all())
    True
    >>> sample_positions(4, 5, seed=3) is None
    True
    """
    import numpy as np

    if n <= limit:
        return None
    return np.sort(np.random.RandomState(seed).choice(n, size=limit, replace=False)).astype(np.int64)
