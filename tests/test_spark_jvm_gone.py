"""A Spark driver JVM that ends mid-run is told as Spark out of memory, never hangs the run
nor leaves a traceback at its end (tenth benchmark round, docs/benchmarks.md).

At 10M rows with a 4g heap the gate's target-leakage check hit ``java.lang.OutOfMemoryError``
in the scheduler's dispatcher thread: the JVM lived on without it and the run hung. A
session the gate builds now exits on it (``-XX:+ExitOnOutOfMemoryError``), and what
Python then sees is Py4J's side alone: ``ConnectionRefusedError`` from its socket (PySpark's
``ClientServer``), ``Py4JNetworkError`` (a ``JavaGateway``). The gateways here are real
Py4J ones pointed at a port nothing listens on, the state PySpark is in once its JVM
ended; no JVM is needed.
"""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest
from pyspark import SparkContext

from sentinel_checks.engine import spark_connection
from sentinel_checks.engine.engine_errors import spark_jvm_gone, spark_memory_line
from sentinel_checks.engine.held_table import release_all
from sentinel_checks.gate.engine_setup import out_of_engine_memory, out_of_memory_text
from tests.conftest import free_port, run_suites


def dead_gateway_client():
    """A real Py4J ClientServer (PySpark's kind) pointed at a port nothing listens on, its
    Python side on daemon threads (a process holding it still ends)."""
    from py4j.clientserver import ClientServer, JavaParameters, PythonParameters

    return ClientServer(
        java_parameters=JavaParameters(port=free_port()),
        python_parameters=PythonParameters(port=0, daemonize=True, daemonize_connections=True),
        python_server_entry_point=None,
    )


@pytest.fixture
def dead_gateway():
    """PySpark's gateway once its JVM ended: nothing answers."""
    gateway = dead_gateway_client()
    yield gateway
    gateway.shutdown()


@pytest.fixture
def live_port():
    """A port that accepts connections (a JVM alive, even one that would not answer)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def _refused(gateway) -> BaseException:
    """The error a call through ``gateway`` raises (Py4J's own, from its frames)."""
    try:
        gateway.jvm.java.lang.System.nanoTime()
    except Exception as error:
        return error
    raise AssertionError("the gateway answered: nothing listens on its port")


def test_a_call_refused_once_the_jvm_ended_is_spark_out_of_memory(monkeypatch, dead_gateway):
    error = _refused(dead_gateway)
    assert isinstance(error, ConnectionRefusedError), error  # what PySpark's ClientServer raises
    monkeypatch.setattr(SparkContext, "_gateway", dead_gateway)
    assert spark_jvm_gone(error) and out_of_engine_memory(error)
    line = spark_memory_line(error)
    assert line is not None and line.startswith(
        "Spark's driver JVM ended mid-run (ConnectionRefusedError: "
    ), line
    told = out_of_memory_text(error, "pandas")  # worded as Spark's whatever [data] engine is
    assert told is not None and told.startswith(
        "[engine.spark.conf] spark.driver.memory: Spark ran out of memory in this check "
        "(Spark's driver JVM ended mid-run"
    ), told
    assert "java.lang.OutOfMemoryError" in told and "Spark's default is 1g" in told, told


def test_py4j_network_error_once_the_jvm_ended_is_spark_out_of_memory(monkeypatch, dead_gateway):
    """A ``JavaGateway`` (Py4J's other client) raises its own Py4JNetworkError."""
    from py4j.java_gateway import GatewayParameters, JavaGateway

    other = JavaGateway(gateway_parameters=GatewayParameters(port=free_port()))
    try:
        error = _refused(other)
    finally:
        other.close()
    assert type(error).__name__ == "Py4JNetworkError", error
    monkeypatch.setattr(SparkContext, "_gateway", dead_gateway)
    assert spark_jvm_gone(error)
    assert (spark_memory_line(error) or "").startswith("Spark's driver JVM ended mid-run (Py4JNetworkError: ")


def test_a_py4j_failure_while_the_jvm_port_accepts_is_not_the_jvm_gone(monkeypatch, dead_gateway, live_port):
    """A JVM whose gateway port still accepts (alive, even stuck: the probe never waits
    on an answer) has not ended; nor has one PySpark never launched."""
    error = _refused(dead_gateway)
    alive = SimpleNamespace(gateway_parameters=SimpleNamespace(address="127.0.0.1", port=live_port))
    monkeypatch.setattr(SparkContext, "_gateway", alive)
    assert not spark_jvm_gone(error) and spark_memory_line(error) is None
    assert out_of_memory_text(error, "spark") is None
    monkeypatch.setattr(SparkContext, "_gateway", None)  # PySpark never launched a JVM
    assert not spark_jvm_gone(error)


def test_a_java_exception_relayed_is_not_the_jvm_gone(monkeypatch, dead_gateway):
    """An error carrying a Java exception came from a JVM that answered: classified by
    its Java chain, never as the JVM gone."""
    from tests.test_engine_errors import FakePy4JJavaError, FakeThrowable

    monkeypatch.setattr(SparkContext, "_gateway", dead_gateway)
    error = FakePy4JJavaError(FakeThrowable("org.apache.spark.SparkException", "Job aborted: bad row"))
    assert not spark_jvm_gone(error) and spark_memory_line(error) is None


def test_a_refused_connection_outside_py4j_is_not_the_jvm_gone(monkeypatch, dead_gateway):
    monkeypatch.setattr(SparkContext, "_gateway", dead_gateway)
    try:
        socket.create_connection(("127.0.0.1", free_port()), timeout=5)
    except ConnectionRefusedError as error:
        assert not spark_jvm_gone(error) and not out_of_engine_memory(error)
    else:
        raise AssertionError("nothing listens on that port")


def test_releasing_held_tables_after_the_jvm_ended_is_not_an_error(monkeypatch, dead_gateway):
    """The gate's end released a Spark split through the dead JVM: a traceback after the
    verdict (1M rows, 512 MiB heap). Other release errors still raise, after every release ran."""
    monkeypatch.setattr(SparkContext, "_gateway", dead_gateway)
    released: list[str] = []

    def through_the_dead_jvm() -> None:
        released.append("spark view")
        dead_gateway.jvm.java.lang.System.nanoTime()

    release_all([through_the_dead_jvm, lambda: released.append("next")])
    assert released == ["spark view", "next"]

    def closed() -> None:
        raise RuntimeError("Connection already closed")

    # after the dead JVM's release, another error still surfaces, once every release ran
    with pytest.raises(RuntimeError, match="already closed"):
        release_all([through_the_dead_jvm, closed, lambda: released.append("last")])
    assert released[-2:] == ["spark view", "last"]


def test_stopping_a_session_whose_jvm_ended_is_quiet_and_other_errors_raise(monkeypatch, dead_gateway):
    monkeypatch.setattr(SparkContext, "_gateway", dead_gateway)

    class Session:
        def __init__(self, stop):
            self.stop = stop

    def refuse() -> None:
        raise RuntimeError("refused to stop")

    ended = Session(lambda: dead_gateway.jvm.java.lang.System.nanoTime())
    spark_connection.stop(ended)
    # the run's end stops a session it built through the same function
    spark_connection.SparkConnection(backend=None, session=ended, created=True).close()
    with pytest.raises(RuntimeError, match="refused to stop"):
        spark_connection.stop(Session(refuse))
    with pytest.raises(RuntimeError, match="refused to stop"):
        spark_connection.SparkConnection(backend=None, session=Session(refuse), created=True).close()


def test_closing_a_users_session_whose_jvm_ended_is_quiet_and_a_refusal_warns(monkeypatch, dead_gateway):
    """A user's session is left running with its settings put back; once its JVM ended
    there is nothing to put back (CI printed "the session refused to change them" after the
    check had said the JVM ended). A session that refuses, alive, is still named."""
    import warnings

    monkeypatch.setattr(SparkContext, "_gateway", dead_gateway)

    class Conf:
        def __init__(self, change):
            self.set = self.unset = lambda *args: change()

    def refuse() -> None:
        raise RuntimeError("[CANNOT_MODIFY_CONFIG] cannot modify the value of a Spark config")

    previous = {spark_connection.TIME_ZONE_KEY: "Europe/Paris", spark_connection.ARROW_KEY: None}
    ended = SimpleNamespace(conf=Conf(lambda: dead_gateway.jvm.java.lang.System.nanoTime()))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spark_connection.SparkConnection(
            backend=None, session=ended, created=False, previous=previous
        ).close()
    refusing = SimpleNamespace(conf=Conf(refuse))
    with pytest.warns(
        UserWarning,
        match="spark.sql.session.timeZone, spark.sql.execution.arrow.pyspark.enabled could not be put back",
    ):
        spark_connection.SparkConnection(
            backend=None, session=refusing, created=False, previous=previous
        ).close()


def test_a_gate_test_meeting_the_ended_jvm_is_exit_2_naming_spark_driver_memory(tmp_path):
    """End to end in pytest: a team's test whose Spark call finds the JVM gone is the
    engine's memory (exit 2: the user's setting to fix), worded, not Py4J's socket error."""
    from tests.test_preflight import _project as pandas_project

    config = pandas_project(tmp_path)
    suites = tmp_path / "my_suites"
    suites.mkdir()
    (suites / "test_rows.py").write_text(
        "from pyspark import SparkContext\n\n"
        "from tests.test_spark_jvm_gone import dead_gateway_client\n\n\n"
        "def test_rows(sentinel_dataset):\n"
        "    SparkContext._gateway = dead_gateway_client()\n"
        "    SparkContext._gateway.jvm.java.lang.System.nanoTime()\n"
    )
    code, out = run_suites(suites, config, cwd=tmp_path)
    said = " ".join(out.split())
    assert code == 2, out[-3000:]
    assert (
        "[engine.spark.conf] spark.driver.memory: Spark ran out of memory in this check "
        "(Spark's driver JVM ended mid-run (ConnectionRefusedError:" in said
    ), out[-3000:]
    assert "Traceback" not in out, out[-3000:]


def _refusing_step(calls: list[str], name: str):
    """A gate step that meets Spark's ended JVM (a call through the dead gateway)."""

    def step(session):
        calls.append(name)
        SparkContext._gateway.jvm.java.lang.System.nanoTime()

    return step


def _counting_step(calls: list[str], name: str, error: Exception | None = None):
    def step(session):
        calls.append(name)
        if error is not None:
            raise error
        from sentinel_checks.result import CheckResult, Status

        return CheckResult("x.y", Status.PASS, "fine")

    return step


def _run_plan(tmp_path, **steps):
    """``run_plan`` of ``suites/test_a.py::test_<name>`` for each step, in order, on a
    small pandas project."""
    from sentinel_checks.config import load_config
    from sentinel_checks.gate.runner import PlannedTest, run_plan
    from sentinel_checks.gate.session import GateSession
    from tests.test_preflight import _project as pandas_project

    session = GateSession(load_config(pandas_project(tmp_path)))
    try:
        return run_plan(session, [PlannedTest(f"suites/test_a.py::test_{n}", s) for n, s in steps.items()])
    finally:
        session.close()


def test_the_in_process_runner_stops_at_the_first_check_meeting_the_ended_jvm(
    tmp_path, monkeypatch, dead_gateway
):
    """The later checks are not run (each would only repeat Py4J's refused connection):
    one entry says how many and why, exit 2."""
    from sentinel_checks.gate.engine_stop import NOT_RUN

    monkeypatch.setattr(SparkContext, "_gateway", dead_gateway)
    monkeypatch.setattr(SparkContext, "_active_spark_context", SimpleNamespace())  # not stopped
    calls: list[str] = []
    outcomes = _run_plan(
        tmp_path,
        first=_counting_step(calls, "first"),
        leakage=_refusing_step(calls, "leakage"),
        third=_counting_step(calls, "third"),
        fourth=_counting_step(calls, "fourth"),
    )
    assert calls == ["first", "leakage"], calls
    assert [o.nodeid for o in outcomes] == [
        "suites/test_a.py::test_first",
        "suites/test_a.py::test_leakage",
        NOT_RUN,
    ], outcomes
    assert outcomes[1].input_error and "Spark's driver JVM ended mid-run" in outcomes[1].message
    stop = outcomes[2]
    assert stop.outcome == "error" and stop.input_error, stop
    assert stop.message.startswith(
        "2 later checks were not run: Spark's driver JVM ended in suites/test_a.py::test_leakage"
    ), stop.message
    assert "spark.driver.memory" in stop.message, stop.message
    assert stop.message.endswith("Not run: test_third, test_fourth"), stop.message


def test_the_last_check_meeting_the_ended_jvm_adds_no_entry(tmp_path, monkeypatch, dead_gateway):
    """Nothing left to run: the check's own error is all the report needs."""
    monkeypatch.setattr(SparkContext, "_gateway", dead_gateway)
    monkeypatch.setattr(SparkContext, "_active_spark_context", SimpleNamespace())
    calls: list[str] = []
    outcomes = _run_plan(tmp_path, first=_counting_step(calls, "first"), last=_refusing_step(calls, "last"))
    assert calls == ["first", "last"], calls
    assert [o.outcome for o in outcomes] == ["passed", "error"], outcomes


@pytest.mark.parametrize("case", ["jvm alive", "stopped on purpose earlier"])
def test_the_in_process_runner_goes_on_after_an_error_while_the_jvm_lives(
    tmp_path, monkeypatch, dead_gateway, live_port, case
):
    """An error while the JVM's port accepts stops nothing; nor does a gateway left by a
    SparkContext stopped on purpose earlier in the process (``stop()`` keeps ``_gateway``
    but clears the active context): that JVM did not end mid-run."""
    if case == "jvm alive":
        monkeypatch.setattr(dead_gateway.gateway_parameters, "port", live_port)
        monkeypatch.setattr(SparkContext, "_active_spark_context", SimpleNamespace())
    else:
        monkeypatch.setattr(SparkContext, "_active_spark_context", None)
    monkeypatch.setattr(SparkContext, "_gateway", dead_gateway)
    calls: list[str] = []
    outcomes = _run_plan(
        tmp_path,
        first=_counting_step(calls, "first", RuntimeError("boom")),
        second=_counting_step(calls, "second"),
    )
    assert calls == ["first", "second"], calls
    assert [o.outcome for o in outcomes] == ["error", "passed"], outcomes


def test_the_plugin_stops_at_the_first_gate_test_meeting_the_ended_jvm(tmp_path):
    """In pytest: the test after the one that met the ended JVM does not run; gate.json
    has the stop's entry; exit 2; pytest says why between its "!" rules."""
    import json

    from sentinel_checks.gate.engine_stop import NOT_RUN, STOPPED_BY
    from tests.test_preflight import _project as pandas_project

    config = pandas_project(tmp_path)
    suites = tmp_path / "my_suites"
    suites.mkdir()
    ran = tmp_path / "later_ran"
    (suites / "test_rows.py").write_text(
        "from pathlib import Path\n\n"
        "from pyspark import SparkContext\n\n"
        "from tests.test_spark_jvm_gone import dead_gateway_client\n\n\n"
        "def test_rows(sentinel_dataset):\n"
        "    SparkContext._gateway = dead_gateway_client()\n"
        "    SparkContext._active_spark_context = object()  # a context never stopped\n"
        "    SparkContext._gateway.jvm.java.lang.System.nanoTime()\n\n\n"
        "def test_later(sentinel_dataset):\n"
        f"    Path({str(ran)!r}).write_text('ran')\n\n\n"
        "def test_last(sentinel_dataset):\n"
        f"    Path({str(ran)!r}).write_text('ran')\n"
    )
    code, out = run_suites(suites, config, cwd=tmp_path)
    said = " ".join(out.split())
    assert code == 2, out[-3000:]
    assert not ran.exists(), out[-3000:]
    assert (
        "sentinel: 2 later checks were not run: Spark's driver JVM ended in "
        "my_suites/test_rows.py::test_rows" in said
    ), out[-3000:]
    assert "Not run: test_later, test_last" in said, out[-3000:]
    entries = {e["test"]: e for e in json.loads((tmp_path / "reports" / "gate.json").read_text())["checks"]}
    assert entries[NOT_RUN]["outcome"] == "error" and entries[NOT_RUN]["input_error"], entries
    assert not any("test_later" in n or "test_last" in n for n in entries), sorted(entries)
    run = json.loads((tmp_path / "reports" / "run.json").read_text())
    assert run["stopped_by"] == STOPPED_BY, run
