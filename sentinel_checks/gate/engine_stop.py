"""A run stops at the first check that finds Spark's driver JVM ended.

A session the gate builds exits on ``java.lang.OutOfMemoryError``
(``-XX:+ExitOnOutOfMemoryError``, so a dead scheduler thread cannot hang the run); a
driver killed by the system for memory ends as well. Nothing can query it afterwards:
every later check would only meet Py4J's refused connection and repeat the same
out-of-memory error. So the check that met the ended JVM is recorded as it is (the
engine's memory, exit 2: :func:`~sentinel_checks.gate.engine_setup.out_of_memory_text`)
and the run stops there, with one more entry, ``sentinel run::checks not run``, saying
how many checks were not run and why. The same rule in both runners: the pytest plugin
(:mod:`~sentinel_checks.gate.plugin_reports`) and the in-process one
(:func:`~sentinel_checks.gate.runner.run_plan`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentinel_checks.reports.gate_report import TestOutcome

#: The node id of the entry recording the checks a stop left unrun.
NOT_RUN = "sentinel run::checks not run"


def engine_ended_stop(nodeid: str, remaining: int) -> TestOutcome | None:
    """The entry to record, and stop the run with, when Spark's driver JVM has ended
    (:func:`~sentinel_checks.engine.engine_errors.spark_driver_ended`: its gateway's port
    refuses a connection) after the check ``nodeid`` errored; ``None`` when it has not
    (or PySpark never started one) or no check is left.

    Parameters
    ----------
    nodeid : str
        The check that errored, e.g. ``"suites/test_splits.py::test_no_feature_predicts_the_label_alone"``.
    remaining : int
        Gate checks after it that would run.

    Returns
    -------
    TestOutcome or None
        ``error``, ``input_error`` (exit 2: the engine's memory is the user's setting to
        fix), under :data:`NOT_RUN`.
    """
    from sentinel_checks.engine.engine_errors import spark_driver_ended
    from sentinel_checks.reports.gate_report import TestOutcome

    if remaining <= 0 or not spark_driver_ended():
        return None
    checks = "check was" if remaining == 1 else "checks were"
    message = (
        f"{remaining} later {checks} not run: Spark's driver JVM ended in {nodeid} (its error "
        "says why), so nothing could query it; raise [engine.spark.conf] spark.driver.memory "
        "and run again"
    )
    return TestOutcome(NOT_RUN, "error", message, None, input_error=True)
