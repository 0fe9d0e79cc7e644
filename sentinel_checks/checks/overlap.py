"""``splits.entity_overlap``: the same user or session on two sides.

``splits.row_overlap`` (the same row on two sides) is in
:mod:`sentinel_checks.checks.row_overlap`, re-exported here.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from sentinel_checks.checks.guards import empty_side
from sentinel_checks.checks.row_overlap import ROW_ID, check_row_overlap
from sentinel_checks.entities import missing_ids, shared_entities
from sentinel_checks.options import check_option
from sentinel_checks.reasons import Reason
from sentinel_checks.result import EVIDENCE_CAP, CheckResult, Direction, Evidence, judge
from sentinel_checks.stats.leakage import SharedIds

__all__ = ["ENTITY_ID", "ROW_ID", "check_entity_overlap", "check_row_overlap", "judge_entity_overlap"]

ENTITY_ID = "splits.entity_overlap"
#: How to keep an entity on one side, by ``[splits] method``: only ``time`` splits purge,
#: and the time hint depends on how many later rows the purge would take (:func:`entity_hint`).
ENTITY_HINTS: dict[str, str] = {
    "time": (
        "Keep each {column} on one side: either [splits] purge_entities = true, which drops from "
        "{later} the rows of ids seen earlier{cost} (splits.purge fails above {limit}, "
        "max_purged_share; group_time_split drops the same rows); or group-split whole ids in a "
        'split column (method = "column", e.g. GroupShuffleSplit): every row kept, time mixed.'
    ),
    "column": (
        "The split column ([splits] column) puts the same {column} on two sides: assign whole "
        "{column} groups to one split where that column is written (e.g. "
        "sentinel_checks.splits.group_time_split, or scikit-learn's GroupShuffleSplit on {column})."
    ),
    "callable": (
        "The split function ([splits] function) puts the same {column} on two sides: make it "
        "assign whole {column} groups to one split (e.g. call sentinel_checks.splits.group_time_split)."
    ),
}
#: The time hint when purging would take more of the later split than ``max_purged_share``.
ENTITY_HINT_NO_PURGE = (
    "Do not purge: {share} of {later} rows carry a {column} also in {earlier}; purging would fail "
    "splits.purge (limit {limit}, max_purged_share). Name an entity that does not span the splits "
    '(a session, the id + day); or group-split whole ids (method = "column"; time is then mixed); '
    "or, if production sees the same ids, leave this one out of [columns] entities."
)
#: The hint for a time split (kept for callers that import it).
ENTITY_HINT = ENTITY_HINTS["time"]


def entity_hint(
    split_method: str,
    *,
    column: str,
    pair: tuple[str, str],
    purge_share: float | None,
    max_purged_share: float,
) -> str:
    """How to keep ``column`` on one side, for ``[splits] method``.

    For a time split, ``purge_entities`` is offered with its cost (``purge_share``,
    the share of the later split's rows carrying an id also in the earlier one, in
    [0, 1]; None when unknown) and never when that cost exceeds ``max_purged_share``:
    the purge would then fail ``splits.purge``, and the user would be sent in a loop.

    Examples
    --------
    >>> entity_hint("time", column="user_id", pair=("train", "val"), purge_share=0.97,
    ...             max_purged_share=0.5)[:68]
    'Do not purge: 97% of val rows carry a user_id also in train; purging'
    """
    earlier, later = pair
    limit = f"{max_purged_share:.0%}"
    if split_method != "time":
        return ENTITY_HINTS[split_method].format(column=column)
    if purge_share is not None and purge_share > max_purged_share:
        share = f"{purge_share:.0%}"
        return ENTITY_HINT_NO_PURGE.format(
            column=column, share=share, later=later, earlier=earlier, limit=limit
        )
    cost = "" if purge_share is None else f", {purge_share:.0%} of {later} rows here"
    return ENTITY_HINTS["time"].format(column=column, later=later, cost=cost, limit=limit)


#: How train/val/test were made (``[splits] method``): decides the entity hint.
SplitMethod = Literal["time", "column", "callable"]


def check_entity_overlap(
    earlier: pd.Series | pd.DataFrame,
    later: pd.Series | pd.DataFrame,
    *,
    column: str,
    pair: tuple[str, str],
    max_share: float = 0.0,
    split_method: SplitMethod = "time",
    max_purged_share: float = 0.50,
    purged_rows: int | None = None,
) -> CheckResult:
    """Share of ``later``'s distinct entities that also occur in ``earlier``.

    A row without an id (null, or any part of a composite id null) belongs to no
    entity: it is never shared, and the rows without one are counted in the support
    (``missing_<split>``) and the message.

    Parameters
    ----------
    earlier : pandas.Series, shape (n,), or DataFrame, shape (n, k)
        Entity ids (user, session, device…) of the earlier split; a frame holds the
        k columns of a composite id (compared by value on all of them).
    later : pandas.Series, shape (m,), or DataFrame, shape (m, k)
        Entity ids of the later split, in the same form.
    column : str
        Name of the entity (``"yearacc+caseid"`` for a composite id), in messages and
        ``parameters["column"]``.
    pair : (str, str)
        Names of the earlier and later splits.
    max_share : float, default 0.0
        Largest share of ``later``'s distinct entities (proportion in [0, 1]) that
        may also occur in ``earlier``.
    split_method : {"time", "column", "callable"}, default "time"
        ``[splits] method``: the hint says how to keep an entity on one side with it
        (``purge_entities`` exists for time splits only).
    max_purged_share : float, default 0.50
        ``[splits] max_purged_share``: for a time split the hint offers
        ``purge_entities`` with the share of ``later``'s rows it would drop (rows with
        an id also in ``earlier`` over all of ``later``'s rows), and not at all above
        this share (``splits.purge`` would fail). Only the hint depends on it.
    purged_rows : int, optional
        Rows of ``later`` the purge would drop: those whose id occurs in *any* earlier
        split (train or val for test), which the caller counts; by default the rows
        whose id occurs in ``earlier`` (all there is for val). The hint's cost is this
        over all of ``later``'s rows; ``support["rows_purged"]``.

    Returns
    -------
    CheckResult
        Id ``splits.entity_overlap``. Measured: the share of shared entities, in
        [0, 1]; limit ``max_share``; direction at most. The shared ids are in the
        evidence.

    Raises
    ------
    ValueError
        When ``split_method`` is not one of the three methods.

    Notes
    -----
    Never raises for bad data: a split with no (non-null) ids is a CheckResult with
    status ``error``.

    Examples
    --------

    >>> a, b = pd.Series(["u1", "u2"]), pd.Series(["u2", "u3", "u4", "u5"])
    >>> r = check_entity_overlap(a, b, column="user_id", pair=("train", "val"))
    >>> r.status.value, r.measured
    ('fail', 0.25)
    """
    check_option("split_method", split_method, SplitMethod)
    ids = shared_entities(earlier, later)
    no_id = (int(missing_ids(earlier).sum()), int(missing_ids(later).sum()))
    return judge_entity_overlap(
        ids,
        no_id,
        column=column,
        pair=pair,
        max_share=max_share,
        split_method=split_method,
        later_rows=len(later),
        max_purged_share=max_purged_share,
        purged_rows=purged_rows,
    )


def judge_entity_overlap(
    ids: SharedIds,
    no_id: tuple[int, int],
    *,
    column: str,
    pair: tuple[str, str],
    max_share: float,
    split_method: SplitMethod = "time",
    later_rows: int | None = None,
    max_purged_share: float = 0.50,
    purged_rows: int | None = None,
) -> CheckResult:
    """``splits.entity_overlap`` judged from the shared ids already found, by pandas
    (:func:`~sentinel_checks.entities.shared_entities`) or the engine
    (:func:`~sentinel_checks.engine.split_statistics.shared_entities`).

    Parameters
    ----------
    ids : SharedIds
        Distinct ids per side, the shared ids (or the first of them and their count,
        ``n_shared``) and the ``later`` rows carrying one.
    no_id : (int, int)
        Rows of ``earlier`` and of ``later`` without an id (a missing part), not counted.
    column, pair, max_share, split_method, max_purged_share
        As :func:`check_entity_overlap`.
    later_rows : int, optional
        All rows of the later split (with or without an id): the purge's cost in the
        hint is ``purged_rows / later_rows``; unknown (not stated) when None.
    purged_rows : int, optional
        As :func:`check_entity_overlap`; ``ids.later_rows`` when None.

    Returns
    -------
    CheckResult
        As :func:`check_entity_overlap`.
    """
    check_option("split_method", split_method, SplitMethod)
    params = {"column": column, "pair": f"{pair[0]}→{pair[1]}"}
    shared, n_shared, rows_affected = ids.shared, ids.count, ids.later_rows
    purged = rows_affected if purged_rows is None else purged_rows
    missing = {f"missing_{name}": n for name, n in zip(pair, no_id, strict=True)}
    sizes = {f"entities_{pair[0]}": ids.n_earlier, f"entities_{pair[1]}": ids.n_later, **missing}
    empty = empty_side(
        ENTITY_ID, pair, (ids.n_earlier, ids.n_later), of=f"{column} values", parameters=params, support=sizes
    )
    if empty is not None:
        return empty
    share = n_shared / ids.n_later
    status = judge(share, max_share, Direction.AT_MOST)
    message = (
        f"{n_shared:,} of {ids.n_later:,} {column} value(s) in {pair[1]} ({share:.2%}) also occur "
        f"in {pair[0]} ({rows_affected:,} {pair[1]} row(s)); limit {max_share:.2%}"
    )
    without = [f"{n:,} {name}" for name, n in zip(pair, missing.values(), strict=True) if n][::-1]
    if without:
        message += f"; {' and '.join(without)} rows without a {column}, not counted"
    return CheckResult(
        id=ENTITY_ID,
        status=status,
        message=message,
        measured=share,
        limit=max_share,
        direction=Direction.AT_MOST,
        reason=Reason.OK if status.value == "pass" else Reason.ENTITY_LEAK,
        support={
            **sizes,
            "shared": n_shared,
            "rows_affected": rows_affected,
            "rows_purged": purged,
        },
        evidence=(Evidence.capped(f"shared_{column}", list(shared[:EVIDENCE_CAP]), total=n_shared),),
        parameters=params,
        hint=entity_hint(
            split_method,
            column=column,
            pair=pair,
            purge_share=purged / later_rows if later_rows else None,
            max_purged_share=max_purged_share,
        ),
    )
