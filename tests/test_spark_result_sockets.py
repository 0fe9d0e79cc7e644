"""PySpark leaves each query's result socket to the garbage collector, whose ResourceWarning a
project's ``filterwarnings = error`` turns into an exception in a finalizer: it failed the
check it landed in, and pytest kept its traceback, with the query's Spark DataFrame and so
the query's plan in the JVM, until the test's phase ended (the tests' 2 GiB Spark session
ran out of heap in CI). Gate checks ignore that warning, and the one a failed Arrow
collect gives before its error
(:func:`~sentinel_checks.engine.pyspark_warnings.ignore_pyspark_warnings`, over every filter
of the project's); a project's own tests keep their filters."""

from __future__ import annotations

import gc
import socket
import sys
import warnings

import pytest

from sentinel_checks.engine.pyspark_warnings import ignore_pyspark_warnings
from sentinel_checks.gate import steps
from sentinel_checks.gate.session import GateSession
from tests.conftest import run_suites

LEAKS = """
import socket

import pytest

pytestmark = pytest.mark.filterwarnings("error")  # closest to the test: wins over -W and ini


def leak():
    socket.socket()  # never closed: freed at once, its finalizer closes it with a ResourceWarning


def test_a_gate_check(gate):
    leak()


def test_the_projects_own():
    leak()


def test_a_gate_check_meeting_a_failed_arrow_collect(gate):
    import warnings

    # what PySpark's toPandas does when an Arrow collect fails: warn, then raise the error
    warnings.warn("toPandas attempted Arrow optimization because ... failed by the reason below", UserWarning)
    raise RuntimeError("the Java error itself")


def test_a_gate_check_meeting_a_failed_arrow_upload(gate):
    import warnings

    # the same from createDataFrame (an upload, e.g. a memtable)
    warnings.warn("createDataFrame attempted Arrow optimization because ... failed", UserWarning)
    raise RuntimeError("the upload's own error")
"""


@pytest.mark.slow
def test_a_gate_check_ignores_an_unclosed_socket_where_the_project_makes_warnings_errors(gate_project):
    project = gate_project()
    (project.folder / "pytest.ini").write_text("[pytest]\nfilterwarnings =\n    error\n")
    (project.folder / "test_leaks.py").write_text(LEAKS)
    code, out = run_suites(project.folder / "test_leaks.py", project.config, "-v", cwd=project.folder)
    assert "test_leaks.py::test_a_gate_check PASSED" in out, out
    # the project's own test keeps the project's filters: there the warning is an error
    assert "test_leaks.py::test_the_projects_own FAILED" in out, out
    assert "unclosed <socket.socket" in out and code == 1, out
    # a failed Arrow collect: the error itself is recorded, not the warning before it
    assert "test_leaks.py::test_a_gate_check_meeting_a_failed_arrow_collect FAILED" in out, out
    assert "RuntimeError: the Java error itself" in out, out
    assert "UserWarning: toPandas attempted Arrow optimization" not in out, out
    assert "test_leaks.py::test_a_gate_check_meeting_a_failed_arrow_upload FAILED" in out, out
    assert "RuntimeError: the upload's own error" in out, out
    assert "UserWarning: createDataFrame attempted Arrow optimization" not in out, out


def test_the_gate_filter_stops_the_warning_becoming_an_unraisable_error():
    """Under ``error``, a socket closed by its finalizer reaches ``sys.unraisablehook`` (what
    pytest records, traceback and all); with the gate's filter, nothing does."""
    unraisable: dict[bool, list] = {}
    hook = sys.unraisablehook
    for ignored in (False, True):
        unraisable[ignored] = []
        sys.unraisablehook = unraisable[ignored].append
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                if ignored:
                    ignore_pyspark_warnings()
                socket.socket()
        finally:
            sys.unraisablehook = hook
    assert [type(u.exc_value) for u in unraisable[False]] == [ResourceWarning], unraisable
    assert str(unraisable[False][0].exc_value).startswith("unclosed <socket.socket")
    assert unraisable[True] == []


def _live_dataframes() -> int:
    from pyspark.sql import DataFrame

    gc.collect()
    return sum(isinstance(o, DataFrame) for o in gc.get_objects())


@pytest.mark.spark
@pytest.mark.slow
def test_repeated_spark_queries_keep_no_dataframe_alive_with_the_gate_filter(
    gate_project, spark_session, closing
):
    """Warnings as errors (a project's ``filterwarnings = error``): each run of a split check
    on Spark leaves its queries' DataFrames alive in pytest's record of the unraisable
    warnings (if not, PySpark closes its result sockets now); with the gate's filter, a run
    leaves none."""
    from tests.test_engine_spark import _config

    session = closing(GateSession(_config(gate_project, "spark")))
    pair = ("train", "test")
    steps.row_overlap(session, pair)  # the splits are read and held once, before counting
    grown = {}
    for ignored in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            if ignored:
                ignore_pyspark_warnings()
            before = _live_dataframes()
            for _ in range(2):
                steps.row_overlap(session, pair)
            grown[ignored] = _live_dataframes() - before
    assert grown[False] > 0, grown  # the fault: each query's DataFrame kept
    assert grown[True] == 0, grown
