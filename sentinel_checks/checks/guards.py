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
    """An ``ERROR`` result when either split of ``pair`` has no ``of`` (rows, ids…), else None."""
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
