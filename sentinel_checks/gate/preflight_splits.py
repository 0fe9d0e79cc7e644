"""The ``[splits]`` half of the preflight (:mod:`.preflight`): time boundaries and the
embargo in the units of the time column.

A number as embargo on a datetime column, a date as boundary on a numeric one, or a
duration on ``"@row"`` is only found when the splits are built, inside every gate test
that needs them (the same message under 35 failed tests after the whole gate ran). The
rule is :func:`~sentinel_checks.data.splits.assign_time_splits`' own (it reads the
boundaries with :func:`~sentinel_checks.data.time_axis.boundary` and the embargo with
:func:`~sentinel_checks.data.time_axis.embargo_gap`): it is run here on the dataset's
time column, before any suite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel_checks.errors import ConfigError, DataError
from sentinel_checks.gate.preflight import SetupProblem

if TYPE_CHECKING:
    import pandas as pd

    from sentinel_checks.config import SentinelConfig


def split_problems(config: SentinelConfig, frames: dict[str, pd.DataFrame]) -> list[SetupProblem]:
    """The problem of time splits whose boundaries or embargo do not fit the time column.

    Parameters
    ----------
    config : SentinelConfig
        ``[splits]`` (``method = "time"``: ``val_start``, ``test_start``, ``end``,
        ``embargo``) and ``[columns] timestamp``.
    frames : dict of str to DataFrame
        The frames that loaded; the ``"dataset"`` one, timestamps parsed (a datetime64
        or numeric column, or the ``@row`` positions), is read.

    Returns
    -------
    list of SetupProblem
        At most one, under the key ``[splits]``, in the words the split builder would
        raise (the value, the column and what to give instead). Empty for other split
        methods, or when the time column is missing (reported with the columns).
    """
    from sentinel_checks.data.splits import assign_time_splits

    spec, column = config.splits, config.columns.timestamp
    dataset = frames.get("dataset")
    if spec.method != "time" or column is None or dataset is None or column not in dataset.columns:
        return []
    if spec.val_start is None or spec.test_start is None:
        return []  # refused when the config loaded
    try:
        assigned = assign_time_splits(
            dataset[column],
            val_start=spec.val_start,
            test_start=spec.test_start,
            end=spec.end,
            embargo=spec.embargo,
        )
    except (ConfigError, DataError) as exc:
        return [SetupProblem("[splits]", str(exc).removeprefix("[splits] "))]  # the key leads once
    return empty_split_problems(config, {name: int((assigned == name).sum()) for name in SPLITS})


#: The splits a time split makes, in time order.
SPLITS = ("train", "val", "test")


def empty_split_problems(config: SentinelConfig, rows: dict[str, int]) -> list[SetupProblem]:
    """The problem of a time split left with no row by its boundaries and embargo (e.g.
    ``test_start`` 12 hours after ``val_start`` with a 1-day embargo: val is empty), which
    every check on that split would otherwise fail on, one by one.

    Parameters
    ----------
    config : SentinelConfig
        ``[splits]``: the boundaries and the embargo, as configured.
    rows : dict of str to int
        Rows of ``train``, ``val`` and ``test`` before the entity purge.

    Returns
    -------
    list of SetupProblem
        At most one, under ``[splits]``, naming each empty split, its window and the
        rows of the others.
    """
    spec = config.splits
    gap = "" if _no_embargo(spec.embargo) else f" + embargo {spec.embargo}"
    window = {
        "train": f"before val_start {spec.val_start}",
        "val": f"from val_start {spec.val_start}{gap} to test_start {spec.test_start}",
        "test": f"from test_start {spec.test_start}{gap}" + (f" to end {spec.end}" if spec.end else ""),
    }
    empty = [name for name in SPLITS if rows.get(name, 0) == 0]
    if not empty:
        return []
    said = "; ".join(f"{name} ({window[name]})" for name in empty)
    others = ", ".join(f"{name} {rows.get(name, 0):,}" for name in SPLITS)
    return [
        SetupProblem(
            "[splits]",
            f"no row of {config.columns.timestamp!r} falls in {said} (rows per split: {others}); "
            "every check on an empty split would fail: move the boundaries or shorten the embargo",
        )
    ]


def _no_embargo(embargo: object) -> bool:
    """Whether ``[splits] embargo`` is none or zero (``0``, ``"0s"``, the default)."""
    import pandas as pd

    if embargo is None:
        return True
    try:
        return float(embargo) == 0  # type: ignore[arg-type]
    except (TypeError, ValueError):
        try:
            return bool(pd.Timedelta(str(embargo)) == pd.Timedelta(0))
        except ValueError:
            return False
