"""A run stops at the first check that finds Spark's driver JVM ended.

A session the gate builds exits on ``java.lang.OutOfMemoryError``
(``-XX:+ExitOnOutOfMemoryError``, so a dead scheduler thread cannot hang the run); a
driver killed by the system for memory ends as well. Nothing can query it afterwards:
every later check would only meet Py4J's refused connection and repeat the same
out-of-memory error. So the check that met the ended JVM is recorded as it is (the
engine's memory, exit 2: :func:`~sentinel_checks.gate.engine_setup.out_of_memory_text`)
and the run stops there, with one more entry, ``sentinel run::checks not run``, saying
which checks were not run and why, and ``run.json``'s ``stopped_by`` says so. The same
rule in both runners: the pytest plugin (:mod:`~sentinel_checks.gate.plugin_reports`) and
the in-process one (:func:`~sentinel_checks.gate.runner.run_plan`).

A pytest run that ends for another reason before every collected gate test ran
(interrupted, or ``-x``) is recorded the same way by the plugin, under :data:`UNFINISHED`
(:func:`unfinished_stop`): an error, so a partial gate never passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentinel_checks.reports.gate_report import TestOutcome

#: The node id of the entry recording the checks a stop left unrun.
NOT_RUN = "sentinel run::checks not run"


#: What ``run.json``'s ``stopped_by`` says of a run this stop ended.
STOPPED_BY = "spark driver ended"


def engine_ended_stop(nodeid: str, remaining: Sequence[str]) -> TestOutcome | None:
    """The entry to record, and stop the run with, when Spark's driver JVM has ended
    while its SparkContext was active
    (:func:`~sentinel_checks.engine.engine_errors.spark_driver_ended`: its gateway's port
    refuses a connection) after the check ``nodeid`` errored; ``None`` when it has not
    (or PySpark never started one, or it was stopped on purpose) or no check is left.

    Parameters
    ----------
    nodeid : str
        The check that errored, e.g. ``"suites/test_splits.py::test_no_feature_predicts_the_label_alone"``.
    remaining : sequence of str
        The node ids of the gate checks after it that would run; named in the message.

    Returns
    -------
    TestOutcome or None
        ``error``, ``input_error`` (exit 2 unless a check already failed on its own: the
        engine's memory is the user's setting to fix), under :data:`NOT_RUN`.
    """
    from sentinel_checks.engine.engine_errors import spark_driver_ended
    from sentinel_checks.reports.gate_report import TestOutcome

    if not remaining or not spark_driver_ended(active_only=True):
        return None
    checks = "check was" if len(remaining) == 1 else "checks were"
    names = ", ".join(n.split("::")[-1] for n in remaining)
    message = (
        f"{len(remaining)} later {checks} not run: Spark's driver JVM ended in {nodeid} (its "
        "error says why), so nothing could query it; raise [engine.spark.conf] "
        f"spark.driver.memory and run again. Not run: {names}"
    )
    return TestOutcome(NOT_RUN, "error", message, None, input_error=True, not_run=tuple(remaining))


#: The node id of the entry recording the gate tests a run ended before (interrupted,
#: or stopped by ``-x`` / ``--maxfail``), and what ``run.json``'s ``stopped_by`` says of it.
UNFINISHED = "sentinel run::checks left unrun"
UNFINISHED_BY = "run ended before every check"


def unfinished_stop(
    remaining: Sequence[str], why: str, fix: str = "Run it again to the end.", *, input_error: bool = False
) -> TestOutcome | None:
    """The entry to record when a pytest run ended before gate tests it had collected:
    an ``error`` (not an input error), so a partial gate never passes; ``None`` when every
    collected gate test ran (trial: a gate interrupted by Ctrl-C after 6 of 51 tests
    wrote verdict ``pass``, and ``sentinel promote`` accepted it).

    Parameters
    ----------
    remaining : sequence of str
        The node ids of the collected gate tests that have no outcome.
    why : str
        Why the run ended, e.g. ``"the run was interrupted"``.
    fix : str, optional
        What to do, one sentence.
    input_error : bool, optional
        The run stopped on a setup mistake the user fixes (pytest refused its command
        line): a setup stop, exit 2, never "gate FAIL" (trial).
    """
    from sentinel_checks.reports.gate_report import TestOutcome

    if not remaining:
        return None
    checks = "check was" if len(remaining) == 1 else "checks were"
    names = ", ".join(n.split("::")[-1] for n in remaining)
    message = (
        f"{len(remaining)} {checks} not run: {why}; a gate that did not run every check it "
        f"collected does not pass. {fix} Not run: {names}"
    )
    return TestOutcome(UNFINISHED, "error", message, None, input_error=input_error, not_run=tuple(remaining))


def stopped_info(outcomes: Sequence[TestOutcome]) -> dict[str, str]:
    """``run.json``'s ``{"stopped_by": ...}`` when ``outcomes`` hold the :data:`NOT_RUN`
    entry (:data:`STOPPED_BY`) or the :data:`UNFINISHED` one (:data:`UNFINISHED_BY`), else nothing."""
    ids = {o.nodeid for o in outcomes}
    if NOT_RUN in ids:
        return {"stopped_by": STOPPED_BY}
    return {"stopped_by": UNFINISHED_BY} if UNFINISHED in ids else {}
