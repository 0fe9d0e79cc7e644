"""No pytest mechanism waives a gate check: a team's ``xfail``, ``skip`` or ``skipif``
marker on a gate test, or a wrapper test catching its assert, leaves pytest counting a
failed or never-run check as xfailed, skipped or passed. The plugin turns such a test's
report into a failure (:func:`waived`), so pytest's count, its exit status, ``junit.xml``
and the gate's verdict agree: the gate blocks (trial and review, stop 49: the gate passed
with "4 failed" in its own counts and exit 0, and ``sentinel promote`` accepted it).
A check is accepted only through its limit in the config, or deselected with ``-k`` (a
partial gate, which ``sentinel promote`` refuses).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

import pytest

if TYPE_CHECKING:
    from sentinel_checks.result import CheckResult


#: The attribute set on the library's own skip: nothing configured for the test to judge
#: (no champion, no production sample, a check skipped by its config). Any other skip of
#: a shipped gate test (a marker, ``pytest.skip`` in a team's wrapper, ``importorskip``, a
#: hook) is a waiver. pytest marks a fixture's skip like a marker's
#: (``_use_item_location``), so the library marks its own (review); an attribute, not a
#: subclass, which pytest would name in every skip's message.
NOTHING_TO_JUDGE = "sentinel_nothing_to_judge"


def skip_nothing_to_judge(reason: str) -> NoReturn:
    """Skip the running test as the library does when there is nothing to judge: pytest's
    own skip ("Skipped: <reason>"), marked :data:`NOTHING_TO_JUDGE`."""
    skip = pytest.skip.Exception(reason)
    setattr(skip, NOTHING_TO_JUDGE, True)
    raise skip


#: What follows each message: how a check is accepted instead.
ACCEPT = (
    "the gate waives no check through pytest: to accept it, change its limit in the config, "
    "or deselect the test with -k (a partial gate cannot be promoted)"
)


def waived(
    report: pytest.TestReport,
    call: pytest.CallInfo[None],
    result: CheckResult | None,
    *,
    shipped: bool,
) -> str | None:
    """Why pytest did not count a gate test as failed although the gate blocks on it, or
    ``None``.

    Parameters
    ----------
    report : pytest.TestReport
        The test's report for one phase, after pytest's own ``skipping`` plugin made it.
    call : pytest.CallInfo
        That phase's call (its exception, if any).
    result : CheckResult or None
        The check result the test recorded, if it got that far.
    shipped : bool
        The test is one of the shipped suites' (directly or through ``sentinel init``'s
        wrappers): a skip of its own is a waiver; a team's own test may skip as it likes
        unless it recorded a check that blocks.

    Returns
    -------
    str or None
        The failure's text: the check's explanation and what pytest would have counted
        (a failed, errored or blocking inconclusive check pytest xfailed, skipped or
        passed in the test's call), or what kept a shipped test's check from running (a
        ``skip``/``skipif`` marker, ``xfail(run=False)``, ``pytest.skip`` or ``xfail`` in a
        wrapper, a hook); ``None`` for a test pytest failed already, a phase other than
        the call with a recorded result, the library's own skip
        (:func:`skip_nothing_to_judge`), and an ``xfail`` or skip of a test whose check passed.
    """
    from sentinel_checks.result import Status

    if report.failed:
        return None
    xfailed = hasattr(report, "wasxfail")
    if result is not None:
        blocking = result.status is not Status.SKIP and not result.passed
        # the call's report only: its teardown passes after the check failed (fresh-clone
        # demo: each failed check was also counted an error)
        if not blocking or report.when != "call":
            return None
        from sentinel_checks.reports.explain import explain

        how = (
            f"xfailed (an xfail marker: {report.wasxfail})"
            if xfailed
            else "skipped"
            if report.skipped
            else "passed (its failure was caught)"
        )
        return f"{explain(result)}\n  pytest would have counted it as {how}: {ACCEPT}"
    if not (shipped and report.skipped):
        return None
    exc = call.excinfo.value if call.excinfo is not None else None
    if getattr(exc, NOTHING_TO_JUDGE, False):
        return None
    if xfailed:
        return f"xfailed by pytest ({report.wasxfail}) before its check ran: {ACCEPT}"
    return f"skipped by pytest ({exc}) before its check ran, not by the gate: {ACCEPT}"
