"""Hypothesis strategies and a split-soundness helper for *your* split code.

Point :func:`assert_sound_split` at the function your pipeline uses to make
train/val/test, and let hypothesis feed it request logs from :func:`request_logs`::

    from hypothesis import given
    from sentinel_checks.strategies import assert_sound_split, request_logs

    @given(request_logs())
    def test_my_split_is_sound(log):
        assert_sound_split(my_split, log, timestamp="request_ts", entities=["user_id"])

The logs are built so that the bugs happen: entity ids come from small pools (the
same user recurs), timestamps come from a coarse grid (ties are common), and both
label classes are present. A session is named both by ``session_id`` and by the
composite id ``["user_id", "session_no"]`` (session numbers restart for each user),
and ``missing_users=True`` leaves some user ids missing (rows of no entity).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from sentinel_checks.checks import check_entity_overlap, check_time_order
from sentinel_checks.data.splits import SPLIT_NAMES, SPLIT_PAIRS, Splits
from sentinel_checks.entities import EntityKey, entity_ids, entity_name
from sentinel_checks.reasons import Reason
from sentinel_checks.reports.explain import explain

__all__ = [
    "assert_sound_split",
    "request_logs",
    "split_boundaries",
]

_EPOCH = pd.Timestamp("2025-01-01")


@st.composite
def request_logs(
    draw: st.DrawFn,
    *,
    min_rows: int = 6,
    max_rows: int = 80,
    max_users: int = 8,
    max_sessions_per_user: int = 3,
    time_grid: int = 40,
    tz: str | None = None,
    label_values: tuple[Any, Any] = (1, 0),
    missing_users: bool = False,
) -> pd.DataFrame:
    """A request log: ``request_id, user_id, session_id, session_no, request_ts, amount,
    country, label``.

    * ``user_id`` is drawn from ``max_users`` ids, so users recur across the log;
    * ``session_id`` belongs to one user (a user has up to ``max_sessions_per_user``);
      ``session_no`` is its number within the user (0, 1, …), so the session is also
      the composite id ``["user_id", "session_no"]``;
    * with ``missing_users``, some rows have no ``user_id`` (None): they belong to no
      user and to no composite session;
    * ``request_ts`` lies on a grid of ``time_grid`` hours, so ties are common;
    * ``label`` uses ``label_values`` (positive, negative); both classes occur.

    Parameters
    ----------
    min_rows, max_rows : int, optional
        Bounds on the number of rows (at least 2).
    max_users : int, optional
        Size of the pool of user ids.
    max_sessions_per_user : int, optional
        Sessions per user.
    time_grid : int, optional
        Hours after 2025-01-01 the timestamps are drawn from.
    tz : str, optional
        A timezone to localise ``request_ts`` to (naive when ``None``).
    label_values : (object, object), optional
        The positive and the negative label.
    missing_users : bool, optional
        Draw rows without a user id.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of DataFrame
        ``request_ts`` is datetime64; the index is a RangeIndex.
    """
    n = draw(st.integers(min_value=max(min_rows, 2), max_value=max_rows))
    users = draw(st.lists(st.integers(0, max_users - 1), min_size=n, max_size=n))
    sessions = draw(st.lists(st.integers(0, max_sessions_per_user - 1), min_size=n, max_size=n))
    hours = draw(st.lists(st.integers(0, time_grid - 1), min_size=n, max_size=n))
    amounts = draw(
        st.lists(st.floats(0, 5_000, allow_nan=False, allow_infinity=False), min_size=n, max_size=n)
    )
    countries = draw(st.lists(st.sampled_from(["US", "BR", "DE"]), min_size=n, max_size=n))
    labels = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    unknown = draw(st.lists(st.booleans(), min_size=n, max_size=n)) if missing_users else [False] * n
    # both classes present: pin the first two rows
    labels[0], labels[1] = True, False
    pos, neg = label_values
    ts = _EPOCH + pd.to_timedelta(hours, unit="h")
    if tz is not None:
        ts = ts.tz_localize(tz)
    return pd.DataFrame(
        {
            "request_id": [f"r{i:04d}" for i in range(n)],
            "user_id": [None if gone else f"u{u}" for u, gone in zip(users, unknown, strict=True)],
            "session_id": [f"u{u}-s{s}" for u, s in zip(users, sessions, strict=True)],
            "session_no": sessions,
            "request_ts": ts,
            "amount": amounts,
            "country": countries,
            "label": [pos if y else neg for y in labels],
        }
    )


@st.composite
def split_boundaries(
    draw: st.DrawFn, log: pd.DataFrame, *, timestamp: str = "request_ts"
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``(val_start, test_start)`` taken from the log's own timestamps, so rows sit
    exactly on a boundary and half-open windows are tested where they bite.

    Parameters
    ----------
    log : DataFrame
        A request log (e.g. from :func:`request_logs`).
    timestamp : str, optional
        Its timestamp column (datetime64).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of (Timestamp, Timestamp)
        ``val_start < test_start``.
    """
    stamps = sorted(pd.unique(log[timestamp]))
    if len(stamps) < 2:
        first = pd.Timestamp(stamps[0])
        return first, first + pd.Timedelta("1h")
    i = draw(st.integers(0, len(stamps) - 2))
    j = draw(st.integers(i + 1, len(stamps) - 1))
    return pd.Timestamp(stamps[i]), pd.Timestamp(stamps[j])


SplitFunction = Callable[[pd.DataFrame], Any]


def assert_sound_split(
    split_function: SplitFunction,
    frame: pd.DataFrame,
    *,
    timestamp: str | None = "request_ts",
    entities: Sequence[EntityKey] = ("user_id",),
    embargo: str | pd.Timedelta = "0s",
    allow_unassigned: bool = True,
    seed: int = 0,
) -> Splits:
    """Assert that ``split_function(frame)`` is a sound train/val/test split.

    ``split_function`` returns a :class:`~sentinel_checks.data.splits.Splits`, a dict of
    three frames, or one label per row (``"train"``, ``"val"``, ``"test"`` or None).
    ``frame`` must have a unique index: rows are identified by it.

    Asserts: (1) every row is in at most one split, and in exactly one unless
    ``allow_unassigned`` (embargo, purging); no row is invented; (2) with
    ``timestamp``, every later split is strictly after the earlier ones (plus
    ``embargo``); (3) no entity (the value of an ``entities`` column, or of a list of
    columns forming a composite id; rows without an id excepted) is in two splits; (4) the
    assignment does not depend on row order. Returns the splits.

    Parameters
    ----------
    split_function : callable
        Your split code: takes ``frame``, returns the splits as above.
    frame : DataFrame
        The rows to split, with a unique index.
    timestamp : str or None, optional
        The timestamp column (datetime64); ``None`` skips the time-order assertion.
    entities : sequence of str or of lists of str, optional
        Entity id columns, or lists of columns identifying an entity together, that
        must not be shared by two splits.
    embargo : str or Timedelta, optional
        A duration the later split must start after the earlier one ends.
    allow_unassigned : bool, optional
        Accept rows in no split.
    seed : int, optional
        Seeds the row shuffle of the order-independence assertion.

    Returns
    -------
    Splits

    Raises
    ------
    AssertionError
        The split is not sound; the message says how.
    ValueError
        ``frame``'s index is not unique.
    """
    __tracebackhide__ = True
    if not frame.index.is_unique:
        raise ValueError("assert_sound_split needs a frame with a unique index")
    splits = _as_splits(split_function(frame), frame)
    membership = _membership(splits, frame)

    if not allow_unassigned and membership.isna().any():
        missing = membership.index[membership.isna().to_numpy()]
        raise AssertionError(f"{len(missing)} row(s) are in no split, e.g. index {missing[:5].tolist()}")
    problems = []
    for pair in SPLIT_PAIRS:
        a, b = splits[pair[0]], splits[pair[1]]
        if len(a) == 0 or len(b) == 0:
            continue
        if timestamp is not None:
            result = check_time_order(a[timestamp], b[timestamp], pair=pair, embargo=embargo)
            if not result.passed:
                problems.append(explain(result))
        for key in entities:
            result = check_entity_overlap(
                entity_ids(a, key), entity_ids(b, key), column=entity_name(key), pair=pair
            )
            if not result.passed and result.reason is not Reason.EMPTY:  # a side without ids shares none
                problems.append(explain(result))
    if problems:
        raise AssertionError("unsound split:\n" + "\n".join(problems))
    # (4) row order: the same rows land in the same splits after a shuffle
    order = np.random.default_rng(seed).permutation(len(frame))
    shuffled = _membership(_as_splits(split_function(frame.iloc[order]), frame.iloc[order]), frame)
    moved = membership.index[membership.ne(shuffled.reindex(membership.index)).to_numpy()]
    if len(moved):
        raise AssertionError(
            f"split depends on row order: {len(moved)} row(s) change split when the rows are "
            f"shuffled, e.g. index {moved[:5].tolist()}"
        )
    return splits


def _as_splits(produced: Any, frame: pd.DataFrame) -> Splits:
    if isinstance(produced, Splits):
        return produced
    if isinstance(produced, dict):
        return Splits(**{name: produced[name] for name in SPLIT_NAMES})
    return Splits.from_assignment(frame, np.asarray(produced, dtype=object))


def _membership(splits: Splits, frame: pd.DataFrame) -> pd.Series:
    """Per original index label, the split it landed in (None if none); asserts a partition."""
    __tracebackhide__ = True
    seen: dict[Any, str] = {}
    for name, part in splits.items():
        unknown = part.index.difference(frame.index)
        if len(unknown):
            raise AssertionError(f"split {name!r} holds rows not in the input: {unknown[:5].tolist()}")
        if not part.index.is_unique:
            dup = part.index[part.index.duplicated()]
            raise AssertionError(f"split {name!r} holds row(s) twice, e.g. index {dup[:5].tolist()}")
        for label in part.index:
            if label in seen:
                raise AssertionError(f"row {label!r} is in both {seen[label]!r} and {name!r}")
            seen[label] = name
    return pd.Series([seen.get(i) for i in frame.index], index=frame.index, dtype=object)
