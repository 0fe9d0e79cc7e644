"""``splits.entity_overlap`` and ``splits.row_overlap``: the same user, session or row on two sides."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sentinel_checks.checks.guards import empty_side
from sentinel_checks.entities import missing_ids, shared_entities
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, judge, judge_interval
from sentinel_checks.stats.intervals import coverage_text
from sentinel_checks.stats.leakage import member_of, row_hashes, sorted_distinct
from sentinel_checks.stats.power import rows_to_show_difference
from sentinel_checks.stats.proportion_difference import newcombe_interval

ENTITY_ID = "splits.entity_overlap"
ROW_ID = "splits.row_overlap"
ENTITY_HINT = (
    "Split by entity as well as by time so that no {column} is on two sides: "
    "[splits] purge_entities = true, or sentinel_checks.splits.group_time_split in your pipeline."
)
ROW_HINT = (
    "Deduplicate the log before splitting (retries and replays produce identical rows), "
    "and split by time and entity so copies of one event stay together."
)


def check_entity_overlap(
    earlier: pd.Series | pd.DataFrame,
    later: pd.Series | pd.DataFrame,
    *,
    column: str,
    pair: tuple[str, str],
    max_share: float = 0.0,
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

    Returns
    -------
    CheckResult
        Id ``splits.entity_overlap``. Measured: the share of shared entities, in
        [0, 1]; limit ``max_share``; direction at most. The shared ids are in the
        evidence.

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
    params = {"column": column, "pair": f"{pair[0]}→{pair[1]}"}
    ids = shared_entities(earlier, later)
    shared, rows_affected = ids.shared, ids.later_rows
    missing = {
        f"missing_{name}": int(missing_ids(side).sum())
        for name, side in zip(pair, (earlier, later), strict=True)
    }
    sizes = {f"entities_{pair[0]}": ids.n_earlier, f"entities_{pair[1]}": ids.n_later, **missing}
    empty = empty_side(
        ENTITY_ID, pair, (ids.n_earlier, ids.n_later), of=f"{column} values", parameters=params, support=sizes
    )
    if empty is not None:
        return empty
    share = len(shared) / ids.n_later
    status = judge(share, max_share, Direction.AT_MOST)
    message = (
        f"{len(shared)} of {ids.n_later} {column} value(s) in {pair[1]} ({share:.2%}) also occur "
        f"in {pair[0]} ({rows_affected} {pair[1]} row(s)); limit {max_share:.2%}"
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
            "shared": len(shared),
            "rows_affected": rows_affected,
        },
        evidence=(Evidence.capped(f"shared_{column}", list(shared), total=len(shared)),),
        parameters=params,
        hint=ENTITY_HINT.format(column=column),
    )


def check_row_overlap(
    earlier: pd.DataFrame,
    later: pd.DataFrame,
    *,
    columns: list[str],
    pair: tuple[str, str],
    max_share: float = 0.001,
    confidence: float = 0.95,
) -> CheckResult:
    """Rows of ``later`` repeating a row of ``earlier`` beyond what chance repeats.

    ``columns`` are the features (ids and timestamp excluded by the caller): a row
    that reappears with the same features on the other side lets a model score its
    memory instead of its generalisation. But when the features are coarse (a few
    codes per column), different people share a row by coincidence, and a fresh
    sample from the same population repeats ``earlier`` just as often. The chance
    rate is estimated from ``earlier`` itself: the share of its rows whose values
    occur in another of its rows (leave-one-out; under exchangeability, the
    probability that a new row matches one of ``n − 1`` rows of the same
    distribution). The check judges the **excess** of the observed share over that
    rate.

    A raw share at or below ``max_share`` passes. Above it — hypothesis: the excess
    is at most ``max_share``. Interval: Newcombe's hybrid score interval of the
    difference of the two shares (Newcombe 1998) at ``confidence``. Pass when the
    whole interval is at or below ``max_share``, fail when it is above, inconclusive
    otherwise (``needed`` gives the ``later`` rows; the message says both readings).
    A split that copies rows of one event to both sides (retries, replays) repeats
    ``earlier`` far more than ``earlier`` repeats itself and fails. A random split
    of a log whose copies sit within each side as well shows no excess: the entity
    overlap check (``splits.entity_overlap`` on the session or user) is what finds
    that, and the evidence gives the within-``earlier`` share.

    Parameters
    ----------
    earlier : pandas.DataFrame, shape (n, ...)
        Rows of the earlier split; must hold every name in ``columns``.
    later : pandas.DataFrame, shape (m, ...)
        Rows of the later split; same requirement.
    columns : list of str
        Columns compared (rows are hashed over these values).
    pair : (str, str)
        Names of the earlier and later splits.
    max_share : float, default 0.001
        Largest excess share of ``later``'s rows (proportion in [0, 1]) repeating an
        ``earlier`` row beyond the chance rate.
    confidence : float, default 0.95
        Coverage of the two-sided interval of the excess.

    Returns
    -------
    CheckResult
        Id ``splits.row_overlap``. Measured: the excess share (observed − chance), in
        [-1, 1]; limit ``max_share``; direction at most. Support: the rows repeated
        and the rows of ``earlier`` repeating each other. Up to 10 index labels of
        repeated rows are in the evidence, with both shares and the interval.

    Raises
    ------
    KeyError
        When a name in ``columns`` is missing from either frame.

    Notes
    -----
    Never raises for bad data otherwise: no columns or an empty split is a
    CheckResult with status ``error``.

    References
    ----------
    Newcombe, R. G. (1998). Statistics in Medicine 17(8), 873–890 (method 10).

    Examples
    --------
    >>> a = pd.DataFrame({"x": range(1000)})
    >>> b = pd.DataFrame({"x": list(range(100)) + list(range(5000, 5900))})
    >>> r = check_row_overlap(a, b, columns=["x"], pair=("train", "val"))
    >>> r.status.value, r.measured
    ('fail', 0.1)
    >>> coarse = pd.DataFrame({"x": [i % 3 for i in range(9000)]})  # every row repeats by chance
    >>> r = check_row_overlap(coarse, coarse.iloc[:6000], columns=["x"], pair=("train", "val"))
    >>> r.status.value, r.measured
    ('pass', 0.0)
    """
    params = {"pair": f"{pair[0]}→{pair[1]}"}
    support = {f"n_{pair[0]}": len(earlier), f"n_{pair[1]}": len(later)}
    if not columns:
        return CheckResult.undefined(
            ROW_ID, "no feature columns to compare", reason=Reason.NO_FEATURES, parameters=params
        )
    empty = empty_side(ROW_ID, pair, (len(earlier), len(later)), parameters=params, support=support)
    if empty is not None:
        return empty
    earlier_hashes = row_hashes(earlier, columns)
    mask = member_of(row_hashes(later, columns), sorted_distinct(earlier_hashes))
    count = int(np.count_nonzero(mask))
    _, counts = np.unique(earlier_hashes, return_counts=True)
    within = int(counts[counts > 1].sum())  # rows of earlier whose values another of its rows has
    excess, low, high = newcombe_interval(count, len(later), within, len(earlier), confidence=confidence)
    share, chance = count / len(later), within / len(earlier)
    # no more repeats than the limit allows at all: nothing to explain by chance
    status = Status.PASS if share <= max_share else judge_interval(low, high, max_share, Direction.AT_MOST)
    needed = {}
    text = f"{coverage_text(confidence)} CI [{low:+.3%}, {high:+.3%}]"
    if status is Status.INCONCLUSIVE:
        half = (excess - low) if excess > max_share else (high - excess)
        needed = {f"n_{pair[1]}": rows_to_show_difference(len(later), excess, half, max_share)}
        text += (
            " holds the limit: inconclusive — coincidences of coarse features, or copies a random "
            "split spread over both sides (configure the session or user as an entity to tell); "
            f"settling it needs ≈ {needed[f'n_{pair[1]}']:,} {pair[1]} rows"
        )
    examples = later.index[mask][:10].tolist()
    return CheckResult(
        id=ROW_ID,
        status=status,
        message=(
            f"{count} of {len(later)} {pair[1]} row(s) ({share:.3%}) repeat a {pair[0]} row on "
            f"{len(columns)} feature column(s), against {chance:.3%} of {pair[0]} rows repeating each "
            f"other by chance: excess {excess:+.3%} ({text}); limit {max_share:.3%}"
        ),
        measured=excess,
        limit=max_share,
        direction=Direction.AT_MOST,
        reason=Reason.OK if status is Status.PASS else Reason.DUPLICATE_ROWS,
        support={**support, "duplicates": count, f"duplicates_within_{pair[0]}": within},
        evidence=(
            Evidence.capped(
                f"{pair[1]}_row_index",
                examples,
                total=count,
                detail={"share": share, "chance_share": chance, "excess": excess, "interval": [low, high]},
            ),
        ),
        parameters=params,
        hint=ROW_HINT,
        needed=needed,
    )
