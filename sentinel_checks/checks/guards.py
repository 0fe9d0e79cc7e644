"""Shared preconditions of the checks: what makes a measurement impossible."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult


def empty_side(
    check_id: str,
    pair: tuple[str, str],
    sizes: tuple[int, int],
    *,
    of: str = "rows",
    parameters: Mapping[str, Any],
    support: Mapping[str, int],
) -> CheckResult | None:
    """An ``ERROR`` result when either split of ``pair`` has no ``of`` (rows, ids…), else None.

    Parameters
    ----------
    check_id : str
        Id of the check the result is for (e.g. ``"splits.time_order"``).
    pair : (str, str)
        Names of the two splits compared.
    sizes : (int, int)
        Count of ``of`` in each split, in the order of ``pair``.
    of : str, default "rows"
        What was counted (``"rows"``, ``"timestamps"``, ``"ids"``…), in the message.
    parameters : Mapping[str, Any]
        The check's parameters, copied into the result.
    support : Mapping[str, int]
        The check's support counts, copied into the result.

    Returns
    -------
    CheckResult or None
        ``CheckResult.undefined(check_id, …)`` (status ``error``,
        ``Reason.EMPTY``) for the first empty split, None when both have some.

    Examples
    --------
    >>> empty_side("x", ("a", "b"), (3, 0), parameters={}, support={}).reason
    <Reason.EMPTY: 'empty'>
    >>> empty_side("x", ("a", "b"), (3, 1), parameters={}, support={}) is None
    True
    """
    for name, size in zip(pair, sizes, strict=True):
        if size == 0:
            return CheckResult.undefined(
                check_id,
                f"split {name!r} has no {of}: {check_id} cannot be measured",
                reason=Reason.EMPTY,
                parameters=parameters,
                support=support,
                hint="Check the split boundaries or split column: a split must not be empty.",
            )
    return None
