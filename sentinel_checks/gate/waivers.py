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

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

    from sentinel_checks.result import CheckResult

#: What follows each message: how a check is accepted instead.
ACCEPT = (
    "the gate waives no check through pytest: to accept it, change its limit in the config, "
    "or deselect the test with -k (a partial gate cannot be promoted)"
)


def waived(report: pytest.TestReport, call: pytest.CallInfo[None], result: CheckResult | None) -> str | None:
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

    Returns
    -------
    str or None
        The failure's text: the check's explanation and what pytest would have counted
        (a failed, errored or blocking inconclusive check pytest xfailed or passed), or
        the marker that kept the check from running (``skip``/``skipif``, ``xfail`` with
        ``run=False``, an ``xfail`` raised before the check); ``None`` for a test pytest
        failed already, a skip of the library's own (nothing configured to judge), and an
        ``xfail`` of a test whose check passed.
    """
    from sentinel_checks.result import Status

    if report.failed:
        return None
    xfailed = hasattr(report, "wasxfail")
    if result is not None and result.status is not Status.SKIP and not result.passed:
        # the call's report only: its teardown passes after the check failed (fresh-clone
        # demo: each failed check was also counted an error)
        if report.when != "call" or not (xfailed or report.passed):
            return None
        from sentinel_checks.reports.explain import explain

        how = (
            f"xfailed (an xfail marker: {report.wasxfail})" if xfailed else "passed (its failure was caught)"
        )
        return f"{explain(result)}\n  pytest would have counted it as {how}: {ACCEPT}"
    if result is not None or not report.skipped:
        return None
    if xfailed:
        return f"xfailed by pytest ({report.wasxfail}) before its check ran: {ACCEPT}"
    # pytest's skip marks raise their skip at the item's location; a fixture's skip does not
    exc = call.excinfo.value if call.excinfo is not None else None
    if exc is not None and getattr(exc, "_use_item_location", False):
        return f"skipped by a skip or skipif marker ({exc}) before its check ran: {ACCEPT}"
    return None
