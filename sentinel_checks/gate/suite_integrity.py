"""Whether the shipped checks a run collects are the shipped functions, and all of them.

A suite file the gate ships (``suites/test_quality.py``, written by ``sentinel init``)
imports the shipped tests (``from sentinel_checks.suites.test_quality import *``) and
invites the team's own tests beside them. A team function named like a shipped test
replaces it in the module's namespace: the shipped check never runs, and nothing said so
(trial: a model failing production recall at 0.641 passed the gate and was promoted).
That is an error entry (:data:`REPLACED`): the verdict is fail and ``sentinel promote``
refuses it. A shipped test a suite file does not collect (a node id given on the command
line, an edited import) or that a hook drops after collection without deselecting it is
counted with the deselected tests: a partial gate, which cannot be promoted.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.reports.gate_report import TestOutcome

#: The node id of the entry recording shipped checks a team function replaced.
REPLACED = "sentinel run::shipped checks replaced"


def replaced_checks(items: Sequence[Any]) -> dict[tuple[str, str], str]:
    """``"<file>: <test> is not the shipped check …"`` for each shipped test that a file
    named like a shipped suite collects as another function of the same name, and
    ``"<file>: the gate fixture is not the plugin's …"`` for a file whose tests get
    another ``gate`` fixture.

    Parameters
    ----------
    items : sequence of pytest items
        The session's collected items, before any deselection.

    Returns
    -------
    dict of (str, str) to str
        ``(file name, test name)`` (test name ``""`` for the fixture) → the phrase, by
        file then test; empty when nothing is replaced.
    """
    from sentinel_checks.scaffold import SHIPPED_SUITES

    by_file: dict[Any, dict[str, set[int]]] = {}
    for item in items:
        path = getattr(item, "path", None)
        if path is None or path.stem not in SHIPPED_SUITES:
            continue
        name = getattr(item, "originalname", None) or item.name.split("[")[0]
        by_file.setdefault(path, {}).setdefault(name, set()).add(id(getattr(item, "function", None)))
    found: dict[tuple[str, str], str] = {}
    for path, collected in sorted(by_file.items(), key=lambda kv: str(kv[0])):
        for name, shipped in _shipped_tests(path.stem).items():
            if name in collected and collected[name] != {id(shipped)}:
                replaced = "is not the shipped check (a function of that name replaced it)"
                found[(path.name, name)] = f"{path.name}: {name} {replaced}"
    for file in sorted({i.path.name for i in items if i.path in by_file and not _plugin_gate(i)}):
        found[(file, "")] = (
            f"{file}: the gate fixture is not the plugin's (a fixture named gate in the file or a "
            "conftest replaced it, so its checks record nothing)"
        )
    return found


def _plugin_gate(item: Any) -> bool:
    """Whether ``item`` gets the plugin's ``gate`` fixture (or asks for none): the closest
    definition of that name pytest resolves for it (review: a conftest's stand-in made
    every shipped test pass with no check run)."""
    info = getattr(item, "_fixtureinfo", None)
    defs = info.name2fixturedefs.get("gate") if info is not None else None
    if not defs:
        return True
    return getattr(defs[-1].func, "__module__", "") == "sentinel_checks.gate.plugin_fixtures"


def left_out(
    config: SentinelConfig,
    suites: set[str],
    kept: set[tuple[str, str]],
    replaced: Collection[tuple[str, str]] = (),
) -> int:
    """How many tests the shipped suites hold for ``config`` (:func:`~.runner.plan`) in
    the suite files that ran, ``suites``, that are not among ``kept`` (``(file name, test
    name)`` of the items run or deselected with -k/-m): a node id given on the command
    line, an edited import, a hook that dropped items (review). Tests of a function in
    ``replaced`` (``(file name, function name)``) are not counted: an error says so (trial:
    "2 gate tests deselected … pass --allow-partial" for a replaced check)."""
    from sentinel_checks.gate.runner import plan

    expected = {tuple(t.nodeid.rsplit("/", 1)[-1].split("::", 1)) for t in plan(config)}
    return sum(
        1
        for file, name in expected
        if file in suites and (file, name) not in kept and (file, name.split("[")[0]) not in replaced
    )


def _shipped_tests(stem: str) -> dict[str, Any]:
    module = importlib.import_module(f"sentinel_checks.suites.{stem}")
    return {
        name: fn
        for name, fn in vars(module).items()
        if name.startswith("test_") and callable(fn) and getattr(fn, "__module__", "") == module.__name__
    }


def replaced_stop(found: Sequence[str]) -> TestOutcome | None:
    """The error entry for :func:`replaced_checks`' phrases, or ``None`` without any."""
    from sentinel_checks.reports.gate_report import TestOutcome

    if not found:
        return None
    message = (
        f"{'; '.join(found)}: the shipped check did not run, and a gate that skips a shipped "
        "check does not pass. Keep `from sentinel_checks.suites.<suite> import *` in the file "
        "and rename your test or fixture (or leave a check out deliberately with -k, a partial gate)"
    )
    return TestOutcome(REPLACED, "error", message, None)
