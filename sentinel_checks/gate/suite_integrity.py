"""Whether the shipped checks a run collects are the shipped functions.

A suite file the gate ships (``suites/test_quality.py``, written by ``sentinel init``)
imports the shipped tests (``from sentinel_checks.suites.test_quality import *``) and
invites the team's own tests beside them. A team function named like a shipped test
replaces it in the module's namespace, and an edited import can drop one: either way
the shipped check never runs, and nothing said so (trial: a model failing production
recall at 0.641 passed the gate and was promoted). In a file named like a shipped suite,
every shipped test must be collected as the shipped function; otherwise the run records
an error entry (:data:`REPLACED`), so the verdict is fail and ``sentinel promote``
refuses it. ``-k``/``-m`` deselection happens after this look and stays a partial gate.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sentinel_checks.reports.gate_report import TestOutcome

#: The node id of the entry recording shipped checks a suite file did not collect as shipped.
REPLACED = "sentinel run::shipped checks replaced"


def replaced_checks(items: Sequence[Any]) -> list[str]:
    """``"<file>: <test> is not the shipped check …"`` (or ``"… was not collected"``) for
    each shipped test a collected suite file of a shipped suite's name lacks.

    Parameters
    ----------
    items : sequence of pytest items
        The session's collected items, before any deselection.

    Returns
    -------
    list of str
        One phrase per shipped test replaced or missing, by file then test; empty when
        every file named like a shipped suite collects every shipped test as shipped.
    """
    from sentinel_checks.scaffold import SHIPPED_SUITES

    by_file: dict[str, dict[str, set[int]]] = {}
    for item in items:
        stem = item.path.stem if hasattr(item, "path") else ""
        if stem in SHIPPED_SUITES:
            name = getattr(item, "originalname", None) or item.name.split("[")[0]
            by_file.setdefault(stem, {}).setdefault(name, set()).add(id(getattr(item, "function", None)))
    found = []
    for stem, collected in sorted(by_file.items()):
        for name, shipped in _shipped_tests(stem).items():
            if name not in collected:
                found.append(f"{stem}.py: {name} was not collected")
            elif collected[name] != {id(shipped)}:
                replaced = "is not the shipped check (a function of that name replaced it)"
                found.append(f"{stem}.py: {name} {replaced}")
    return found


def _shipped_tests(stem: str) -> dict[str, Any]:
    module = importlib.import_module(f"sentinel_checks.suites.{stem}")
    return {
        name: fn
        for name, fn in vars(module).items()
        if name.startswith("test_") and callable(fn) and getattr(fn, "__module__", "") == module.__name__
    }


def replaced_stop(found: Sequence[str]) -> TestOutcome | None:
    """The error entry for :func:`replaced_checks`' findings, or ``None`` without any."""
    from sentinel_checks.reports.gate_report import TestOutcome

    if not found:
        return None
    message = (
        f"{'; '.join(found)}: the shipped check did not run, and a gate that skips a shipped "
        "check does not pass. Keep `from sentinel_checks.suites.<suite> import *` in the file "
        "and rename your test (or leave a check out deliberately with -k, a partial gate)"
    )
    return TestOutcome(REPLACED, "error", message, None)
