"""How much of the gate a run covered: the shipped suites it ran and the gate tests it
deselected (``gate.json``'s ``coverage``), and the words for a partial gate, said beside
its verdict (the terminal, gate.md) and in ``sentinel promote``'s refusal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sentinel_checks.reports.gate_report import TestOutcome


def _shipped() -> tuple[str, ...]:
    from sentinel_checks.scaffold import SHIPPED_SUITES

    return SHIPPED_SUITES


def missing_suites(coverage: Mapping[str, Any]) -> list[str]:
    """The shipped suite files (``test_<name>.py``, sorted) a run that reached the suites
    did not run; ``[]`` for a run that ran none (stopped at setup: told as such)."""
    ran = set(coverage.get("suites") or [])
    return sorted({f"{s}.py" for s in _shipped()} - ran) if ran else []


def partial_gate(coverage: Mapping[str, Any]) -> str:
    """``"a partial gate: 46 gate tests deselected, 2 suites not run (…); it cannot be
    promoted"``, or ``""`` for the whole gate (and a run that reached no suite).

    >>> partial_gate({"suites": ["test_splits.py"], "deselected": 0})[:58]
    'a partial gate: 6 suites not run (test_data_contract.py, t'
    """
    parts = []
    deselected = int(coverage.get("deselected") or 0)
    if deselected:
        parts.append(f"{deselected} gate test{'s' if deselected != 1 else ''} deselected")
    missing = missing_suites(coverage)
    if missing and not set(coverage.get("suites") or []) & {f"{s}.py" for s in _shipped()}:
        parts.append(f"none of the {len(missing)} shipped suites ran")  # a team's own gate tests only
    elif missing:
        parts.append(f"{len(missing)} suite{'s' if len(missing) != 1 else ''} not run ({', '.join(missing)})")
    return f"a partial gate: {', '.join(parts)}; it cannot be promoted" if parts else ""


def skip_reasons(outcomes: Sequence[TestOutcome]) -> dict[str, list[str]]:
    """The skipped tests by the reason they give (its first line, without pytest's
    "Skipped: "), reasons in the order met; each test by its name in its file
    (``test_x[val]``), said once per reason by the terminal and gate.md (trial: gate.md
    listed each skipped test by its node id)."""
    reasons: dict[str, list[str]] = {}
    for o in outcomes:
        if o.outcome == "skipped":
            lines = o.message.strip().splitlines()
            why = (lines[0] if lines else "").removeprefix("Skipped: ")
            reasons.setdefault(why, []).append(o.nodeid.split("::")[-1])
    return reasons
