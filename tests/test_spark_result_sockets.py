"""PySpark leaves each query's result socket to the garbage collector, whose ResourceWarning a
project's ``filterwarnings = error`` turns into an exception in a finalizer: it failed the
check it landed in, and pytest kept its traceback, with the query's Spark DataFrame and so
the query's plan in the JVM, until the test ended (the tests' 2 GiB Spark session ran out
of heap in CI). The gate's checks ignore that warning
(:data:`~sentinel_checks.engine.spark_connection.SOCKET_WARNING_FILTER`); a project's own
tests keep their filters."""

from __future__ import annotations

import gc
import warnings

import pytest

from sentinel_checks.engine.spark_connection import UNCLOSED_SOCKET_WARNING
from sentinel_checks.gate import steps
from sentinel_checks.gate.session import GateSession
from tests.conftest import _run_module

LEAKS = """
import gc
import socket


def leak():
    socket.socket()  # never closed: the garbage collector closes it, with a ResourceWarning
    gc.collect()


def test_a_gate_check(gate):
    leak()


def test_the_projects_own():
    leak()
"""


@pytest.mark.slow
def test_a_gate_check_ignores_an_unclosed_socket_where_the_project_makes_warnings_errors(gate_project):
    project = gate_project()
    (project.folder / "pytest.ini").write_text("[pytest]\nfilterwarnings =\n    error\n")
    (project.folder / "test_leaks.py").write_text(LEAKS)
    code, out = _run_module(
        "pytest",
        "test_leaks.py",
        "--sentinel-config",
        str(project.config),
        "--sentinel-reports",
        "reports",
        "-p",
        "no:cacheprovider",
        "-v",
        cwd=project.folder,
        timeout=300,
    )
    assert "test_leaks.py::test_a_gate_check PASSED" in out, out
    # the project's own test keeps the project's filters: there the warning is an error
    assert "test_leaks.py::test_the_projects_own FAILED" in out, out
    assert "unclosed <socket.socket" in out and code == 1, out


def _live_dataframes() -> int:
    from pyspark.sql import DataFrame

    gc.collect()
    return sum(isinstance(o, DataFrame) for o in gc.get_objects())


@pytest.mark.spark
@pytest.mark.slow
def test_repeated_spark_queries_keep_no_dataframe_alive_when_the_socket_warning_is_ignored(
    gate_project, spark_session, closing
):
    """Warnings as errors (a project's ``filterwarnings = error``): each run of a split check
    on Spark leaves its queries' DataFrames alive in pytest's record of the unraisable
    warnings; with the gate's filter, a run leaves none."""
    from tests.test_engine_spark import _config

    session = closing(GateSession(_config(gate_project, "spark")))
    pair = ("train", "test")
    steps.row_overlap(session, pair)  # the splits are read and held once, before counting
    grown = {}
    for ignored in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            if ignored:  # what the gate's checks add (SOCKET_WARNING_FILTER)
                warnings.filterwarnings("ignore", message=UNCLOSED_SOCKET_WARNING, category=ResourceWarning)
            before = _live_dataframes()
            for _ in range(2):
                steps.row_overlap(session, pair)
            grown[ignored] = _live_dataframes() - before
    assert grown[False] > 0, grown  # the fault: each query's DataFrame kept
    assert grown[True] == 0, grown


def test_the_filter_names_the_warning_python_gives():
    import socket

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        socket.socket()
        gc.collect()
    messages = [str(w.message) for w in caught if w.category is ResourceWarning]
    assert messages and all(m.startswith(UNCLOSED_SOCKET_WARNING) for m in messages), messages
