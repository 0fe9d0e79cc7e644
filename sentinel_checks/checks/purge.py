"""``splits.purge``: how many rows purging entities took from val and test.

``[splits] purge_entities`` removes from a later split the rows of every entity
already seen in an earlier one. When one entity spans the whole log (an aircraft
flies all year, a customer buys every month), that empties the later splits, and
the gate would judge a model on the few hundred rows left, at a different
prevalence. This check reports the loss per split and fails when a split loses
more than a share of its rows. A deterministic count: no sampling error, outside
the false-block budget.
"""

from __future__ import annotations

from collections.abc import Sequence

from sentinel_checks.entities import PurgeLoss
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, judge

PURGE_ID = "splits.purge"
PURGE_HINT = (
    "An entity spans the log: purging (as group_time_split does, or putting each entity in "
    "the split of its first row) keeps only entities new to a split. Set "
    "purge_entities = false and name a different entity that does not span the splits "
    '(aircraft-day, a session); or group-split whole entities in a split column (method = "column"; '
    "time is then mixed); or leave out an id that cannot carry the label."
)


def check_purge(losses: Sequence[PurgeLoss], *, max_share: float = 0.50) -> CheckResult:
    """Share of each later split's rows removed by ``[splits] purge_entities``.

    Parameters
    ----------
    losses : sequence of PurgeLoss
        Rows (and risky rows) of val and test before and after the purge
        (:attr:`Splits.purge <sentinel_checks.data.splits.Splits>`).
    max_share : float, default 0.50
        Largest share of a split's rows (proportion in (0, 1]) the purge may remove.

    Returns
    -------
    CheckResult
        Id ``splits.purge``. Measured: the largest share removed over the splits, in
        [0, 1]; limit ``max_share``; direction at most. The message gives rows
        before → after and the prevalence before → after per split; the evidence
        one item per split.

    Examples
    --------
    >>> r = check_purge([PurgeLoss("val", 1000, 300, 100, 90), PurgeLoss("test", 1000, 990)])
    >>> r.status.value, r.measured
    ('fail', 0.7)
    >>> r.message.split(";")[0]
    'val lost 700 of 1,000 rows to the purge (70.00%): 1,000 → 300 rows, prevalence 10.00% → 30.00%'
    """
    if not losses:
        return CheckResult.undefined(PURGE_ID, "no split was purged", reason=Reason.EMPTY)
    worst = max(loss.share for loss in losses)
    status = judge(worst, max_share, Direction.AT_MOST)
    parts = [_describe(loss) for loss in losses]
    return CheckResult(
        id=PURGE_ID,
        status=status,
        message=f"{'; '.join(parts)}; limit {max_share:.2%} of a split's rows ([splits] max_purged_share)",
        measured=worst,
        limit=max_share,
        direction=Direction.AT_MOST,
        reason=Reason.OK if status.value == "pass" else Reason.PURGE_LOSS,
        support={
            f"{x.split}_{k}": v
            for x in losses
            for k, v in (("before", x.rows_before), ("after", x.rows_after))
        },
        evidence=(
            Evidence.capped(
                "rows_purged",
                [f"{x.split}: {x.rows_before:,} → {x.rows_after:,} rows" for x in losses],
                detail={x.split: {"removed": x.removed, "share": x.share} for x in losses},
            ),
        ),
        hint=PURGE_HINT,
    )


def _describe(loss: PurgeLoss) -> str:
    text = (
        f"{loss.split} lost {loss.removed:,} of {loss.rows_before:,} rows to the purge ({loss.share:.2%}): "
        f"{loss.rows_before:,} → {loss.rows_after:,} rows"
    )
    if loss.positives_before is not None and loss.positives_after is not None:
        text += f", prevalence {_rate(loss.positives_before, loss.rows_before)} → "
        text += _rate(loss.positives_after, loss.rows_after)
    return text


def _rate(positives: int, rows: int) -> str:
    return f"{positives / rows:.2%}" if rows else "undefined (no rows)"
