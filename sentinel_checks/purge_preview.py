"""What ``[splits] purge_entities`` would cost, measured before a config exists.

``sentinel init`` proposes time-split boundaries and entity columns; purging an
entity that spans the log (a user active every month) would then remove most of
val and test, and the scaffold's own gate would fail ``splits.purge``. This runs
the gate's purge (:func:`~sentinel_checks.data.splits.purge_entity_overlap` over
:func:`~sentinel_checks.data.splits.assign_time_splits`) one entity at a time, and,
with more than one entity, all of them together as the gate purges them (two entities
each within the limit can exceed it together: user_id 43% and device_id 41% of test
alone, 81% together), so init can leave the purge off and say why.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sentinel_checks.data.splits import assign_time_splits, purge_entity_overlap
from sentinel_checks.data.time_axis import Boundary
from sentinel_checks.entities import EntityKey, PurgeLoss, entity_name, purge_losses

__all__ = ["purge_costs", "together", "worst_loss"]


def purge_costs(
    frame: pd.DataFrame,
    *,
    timestamps: pd.Series,
    entities: Sequence[EntityKey],
    val_start: Boundary,
    test_start: Boundary,
) -> dict[str, tuple[PurgeLoss, ...]]:
    """Rows of val and test that purging each entity alone, and all of them together, would remove.

    Parameters
    ----------
    frame : DataFrame, n rows
        Holds the entity columns (every row of the data: a purge is a whole-log count).
    timestamps : Series, n rows
        The parsed time column (datetime64 or numbers, no nulls) or the row positions.
    entities : sequence of str or of lists of str
        Entity columns, or the columns of a composite id.
    val_start, test_start : str, number or Timestamp
        The split boundaries, as ``[splits]`` takes them.

    Returns
    -------
    dict of str to tuple of PurgeLoss
        Per entity (its name, ``"a+b"`` for a composite id): val's and test's rows
        before and after the purge; with two or more entities, also under
        :func:`together` of their names, the purge of all of them at once (what
        ``purge_entities = true`` does).

    Raises
    ------
    DataError
        An entity column is missing, or the timestamps hold nulls or are not times.
    ConfigError
        The boundaries do not increase or are not values of the time column.

    Examples
    --------
    >>> frame = pd.DataFrame({"user": ["a", "b", "a", "c", "a", "d"]})
    >>> order = pd.Series(range(6))
    >>> costs = purge_costs(frame, timestamps=order, entities=["user"], val_start=2, test_start=4)
    >>> [(x.split, x.rows_before, x.rows_after) for x in costs["user"]]
    [('val', 2, 1), ('test', 2, 1)]
    """
    assignment = assign_time_splits(timestamps, val_start=val_start, test_start=test_start)
    costs = {}
    for key in entities:
        purged, _ = purge_entity_overlap(frame, assignment, [key])
        costs[entity_name(key)] = purge_losses(assignment, purged)
    if len(entities) > 1:
        purged, _ = purge_entity_overlap(frame, assignment, list(entities))
        costs[together([entity_name(key) for key in entities])] = purge_losses(assignment, purged)
    return costs


def together(names: Sequence[str]) -> str:
    """The name of the purge of several entities at once.

    Examples
    --------
    >>> together(["user_id", "device_id", "yearacc+caseid"])
    'user_id, device_id and yearacc+caseid together'
    """
    return f"{', '.join(names[:-1])} and {names[-1]} together"


def worst_loss(losses: Sequence[PurgeLoss]) -> PurgeLoss:
    """The split (val or test) that loses the largest share of its rows; val on a tie."""
    return max(losses, key=lambda loss: loss.share)
