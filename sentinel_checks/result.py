"""The one result type every check returns.

A check measures something, compares it with a limit and returns a frozen
:class:`CheckResult`. Rendering (terminal, Markdown, JSON) lives in the report
writers, never here.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sentinel_checks.reasons import Reason
from sentinel_checks.scalars import python_scalar


class Status(enum.StrEnum):
    """Outcome of one check.

    ``PASS`` (shown within the limit) and ``WARN`` let the gate pass; ``FAIL`` (shown
    beyond it) and ``ERROR`` (could not be measured) block it. ``INCONCLUSIVE``: the
    data cannot tell at this sample size (the interval holds the limit); it blocks
    only when the result says so (:attr:`CheckResult.inconclusive_blocks`, set by the
    gate from ``[gate] block_inconclusive``).
    """

    PASS = "pass"
    WARN = "warn"
    INCONCLUSIVE = "inconclusive"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"


class Direction(enum.StrEnum):
    """How the measured value relates to its limit."""

    AT_MOST = "at_most"  # measured must be <= limit (a share, a distance)
    AT_LEAST = "at_least"  # measured must be >= limit (a recall, a count)
    NONE = "none"  # no single number is judged (e.g. a set of per-class counts)


#: Parameters that name *where* a check looked; they make up its label.
LABEL_KEYS = ("model", "dataset", "split", "column", "segment", "pair")

#: How many offending items travel in one piece of evidence; the total is kept beside it.
EVIDENCE_CAP = 10


@dataclass(frozen=True)
class Evidence:
    """What a failure points at: the offending ids, rows, features or windows.

    ``items`` is capped at :data:`EVIDENCE_CAP`; ``total`` is the full count.
    """

    kind: str
    items: tuple[Any, ...]
    total: int
    detail: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def capped(
        cls,
        kind: str,
        items: Sequence[Any],
        *,
        total: int | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> Evidence:
        return cls(
            kind=kind,
            items=tuple(plain(x) for x in list(items)[:EVIDENCE_CAP]),
            total=len(items) if total is None else int(total),
            detail=dict(detail or {}),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "items": [plain(x) for x in self.items],
            "total": self.total,
            "detail": {k: plain(v) for k, v in self.detail.items()},
        }


@dataclass(frozen=True)
class CheckResult:
    """The frozen outcome of one check.

    Attributes
    ----------
    id : stable dotted check id, e.g. ``"splits.entity_overlap"``.
    status : :class:`Status`.
    measured : the number that was judged (``None`` when nothing could be measured).
    limit : the limit it was judged against.
    direction : whether ``measured`` must be at most or at least ``limit``.
    message : one sentence: what was measured, against what, and the verdict.
    reason : a :class:`~sentinel_checks.reasons.Reason` (``Reason.OK``, ``Reason.TOO_FEW_POSITIVES``…);
        reports write its value (``"ok"``, ``"too_few_positives"``).
    support : sample sizes behind the measurement (``n``, ``n_positive``…).
    evidence : the offending items.
    parameters : what the check was asked (column, split pair, options).
    hint : what to do about a failure.
    needed : for an ``INCONCLUSIVE`` result, the sample sizes that would settle it
        (same keys as ``support``, e.g. ``{"n_positive": 290}``); empty otherwise.
    inconclusive_blocks : an ``INCONCLUSIVE`` result fails the gate (policy, set by
        the gate step from ``[gate] block_inconclusive``); ignored for other statuses.
    """

    id: str
    status: Status
    message: str
    measured: float | None = None
    limit: float | None = None
    direction: Direction = Direction.NONE
    reason: Reason = Reason.OK
    support: Mapping[str, int] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)
    hint: str = ""
    needed: Mapping[str, int] = field(default_factory=dict)
    inconclusive_blocks: bool = False

    @classmethod
    def undefined(
        cls,
        check_id: str,
        message: str,
        *,
        reason: Reason,
        parameters: Mapping[str, Any] | None = None,
        support: Mapping[str, int] | None = None,
        hint: str = "",
    ) -> CheckResult:
        """A check that could not measure: an ``ERROR``, never a pass."""
        return cls(
            id=check_id,
            status=Status.ERROR,
            message=message,
            reason=reason,
            parameters=dict(parameters or {}),
            support=dict(support or {}),
            hint=hint,
        )

    @property
    def passed(self) -> bool:
        """PASS and WARN pass; INCONCLUSIVE passes unless its policy blocks it."""
        if self.status is Status.INCONCLUSIVE:
            return not self.inconclusive_blocks
        return self.status in (Status.PASS, Status.WARN)

    @property
    def label(self) -> str:
        """The id with its parameters, e.g. ``splits.entity_overlap[user_id, train→val]``."""
        shown = ", ".join(str(self.parameters[k]) for k in LABEL_KEYS if k in self.parameters)
        return f"{self.id}[{shown}]" if shown else self.id

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "status": self.status.value,
            "reason": self.reason.value,
            "measured": plain(self.measured),
            "limit": plain(self.limit),
            "direction": self.direction.value,
            "message": self.message,
            "support": {k: int(v) for k, v in self.support.items()},
            "evidence": [e.to_dict() for e in self.evidence],
            "parameters": {k: plain(v) for k, v in self.parameters.items()},
            "hint": self.hint,
            "needed": {k: int(v) for k, v in self.needed.items()},
            "inconclusive_blocks": self.inconclusive_blocks,
        }


def at_fault(names: Sequence[Any]) -> dict[str, Any]:
    """A failed check's ``parameters`` naming what it found at fault (features,
    segments…), in its order, each once: ``{"failing": [...]}`` with at most
    :data:`EVIDENCE_CAP` names, and ``"failing_total"`` when there are more. The reports name the first few
    on the summary line (:func:`sentinel_checks.reports.measures.failing_suffix`).

    >>> at_fault(["a", "b", "a"])
    {'failing': ['a', 'b']}
    >>> at_fault([str(i) for i in range(12)])["failing_total"]
    12
    """
    unique = list(dict.fromkeys(str(n) for n in names))
    shown = unique[:EVIDENCE_CAP]
    return {"failing": shown, **({"failing_total": len(unique)} if len(unique) > len(shown) else {})}


def judge(measured: float, limit: float, direction: Direction) -> Status:
    """Pass or fail a measured value against a limit; an undefined value fails.

    ``NaN <= limit`` is ``False`` and ``NaN > limit`` is also ``False``: comparing
    NaN either way silently picks a side, so it is handled first.

    >>> judge(0.0, 0.0, Direction.AT_MOST).value
    'pass'
    >>> judge(float("nan"), 1.0, Direction.AT_MOST).value
    'error'
    """
    if measured is None or not math.isfinite(float(measured)):
        return Status.ERROR
    if direction is Direction.AT_MOST:
        return Status.PASS if measured <= limit else Status.FAIL
    if direction is Direction.AT_LEAST:
        return Status.PASS if measured >= limit else Status.FAIL
    raise ValueError(f"judge() needs a direction, got {direction!r}")


def judge_interval(low: float, high: float, limit: float, direction: Direction) -> Status:
    """Three outcomes from an interval around the measured value.

    ``AT_LEAST``: pass when the whole interval is at or above ``limit`` (shown within
    it), fail when the whole interval is below (shown beyond it), inconclusive when
    it holds the limit. ``AT_MOST`` mirrors that. An undefined bound is an error.

    >>> judge_interval(0.70, 0.86, 0.75, Direction.AT_LEAST).value
    'inconclusive'
    >>> judge_interval(0.76, 0.86, 0.75, Direction.AT_LEAST).value
    'pass'
    >>> judge_interval(0.60, 0.74, 0.75, Direction.AT_LEAST).value
    'fail'
    >>> judge_interval(0.01, 0.02, 0.03, Direction.AT_MOST).value
    'pass'
    """
    if not (math.isfinite(float(low)) and math.isfinite(float(high))):
        return Status.ERROR
    if direction is Direction.AT_LEAST:
        if low >= limit:
            return Status.PASS
        return Status.FAIL if high < limit else Status.INCONCLUSIVE
    if direction is Direction.AT_MOST:
        if high <= limit:
            return Status.PASS
        return Status.FAIL if low > limit else Status.INCONCLUSIVE
    raise ValueError(f"judge_interval() needs a direction, got {direction!r}")


def plain(value: Any) -> Any:
    """Make numpy/pandas scalars and containers JSON friendly, deterministically."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None  # JSON has no NaN or Infinity
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return plain(python_scalar(value))
    item = getattr(value, "item", None)  # a 0-d array or another scalar wrapper
    if callable(item):
        try:
            return plain(item())
        except (TypeError, ValueError):
            pass
    isoformat = getattr(value, "isoformat", None)  # Timestamp, datetime
    if callable(isoformat):
        return str(isoformat())
    return str(value)
