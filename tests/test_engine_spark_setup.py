"""``[engine.spark]`` setup mistakes stop the gate in the preflight (exit 2) with a message
naming the key and the fix, never a Java stack trace: no Java, PySpark missing, a
session function that cannot be imported, raises or returns something else. None of
these starts a JVM (fast lane), but the last one runs ``sentinel gate`` (slow)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import sentinel_checks.engine.spark_connection as spark_connection
from tests.conftest import SUITES, run_sentinel
from tests.test_preflight import _problems, _project


def not_a_session():
    return "a string"


def raising_session():
    raise RuntimeError("cluster unreachable: sparkmaster.example:7077")


def _spark_project(folder: Path, engine: str) -> Path:
    config = _project(folder)
    text = config.read_text().replace('path = "data.parquet"', 'path = "data.parquet"\nengine = "spark"', 1)
    config.write_text(text + "\n[engine.spark]\n" + engine + "\n")
    return config


def _only_engine_problem(config: Path) -> str:
    problems = _problems(config)
    assert [p.key for p in problems] == ["[engine.spark]"], problems
    text = problems[0].message
    assert "Traceback" not in text and "py4j" not in text and "\n" not in text, text
    return text


def test_missing_java_is_a_setup_problem_naming_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(spark_connection, "java_path", lambda: None)
    # a session to build: the Spark tests' session, when this process runs them, is not it
    monkeypatch.setattr(spark_connection, "_running_session", lambda session_class: None)
    text = _only_engine_problem(_spark_project(tmp_path, 'master = "local[1]"'))
    assert "Java 17" in text and "openjdk-17-jre-headless" in text and "session" in text, text


def test_missing_pyspark_is_a_setup_problem_naming_the_extra(tmp_path, monkeypatch):
    config = _spark_project(tmp_path, 'master = "local[1]"')  # the config check sees PySpark
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # ... the connection does not
    text = _only_engine_problem(config)
    assert "gradient-sentinel[spark]" in text, text


@pytest.mark.parametrize(
    ("reference", "says"),
    [
        ("no_such_module.sessions:build", "cannot import it"),
        ("tests.test_engine_spark_setup:no_such_function", "cannot import it"),
        ("tests.test_engine_spark_setup:raising_session", "raised RuntimeError: cluster unreachable"),
        ("tests.test_engine_spark_setup:not_a_session", "returned a str, not a pyspark.sql.SparkSession"),
    ],
)
def test_a_bad_session_function_is_a_setup_problem(tmp_path, reference, says):
    text = _only_engine_problem(_spark_project(tmp_path, f'session = "{reference}"'))
    assert f"session = {reference}" in text and says in text, text


def test_the_pandas_engine_never_connects(tmp_path, monkeypatch):
    monkeypatch.setattr(spark_connection, "connect_spark", lambda settings: pytest.fail("connected"))
    assert _problems(_project(tmp_path)) == []


@pytest.mark.slow
def test_sentinel_gate_exits_2_on_a_bad_session_function(tmp_path):
    config = _spark_project(tmp_path, 'session = "no_such_module.sessions:build"')
    args = ["gate", "--config", str(config), "--reports", "reports", "--suites", str(SUITES)]
    code, out = run_sentinel(*args, cwd=tmp_path)
    assert code == 2, out[-3000:]
    assert out.count("[engine.spark]") == 1 and "no_such_module" in out, out
    assert "Traceback" not in out, out


class _FakeConf:
    def __init__(self, values: dict[str, str]):
        self.values = values

    def get(self, key, default=None):
        return self.values.get(key, default)

    def set(self, key, value):
        self.values[key] = value

    def unset(self, key):
        self.values.pop(key, None)


class _FakeSession:
    """A Spark session a user started before the gate: conf only (no JVM)."""

    def __init__(self, zone: str | None):
        self.conf = _FakeConf({} if zone is None else {"spark.sql.session.timeZone": zone})
        self.stopped = False

    def stop(self):
        self.stopped = True


def _ibis_connect(session):
    """What Ibis' PySpark backend sets on the session it connects to."""
    session.conf.set("spark.sql.session.timeZone", "UTC")
    session.conf.set("spark.sql.mapKeyDedupPolicy", "LAST_WIN")
    return object()


def _failing_connect(session):
    """Ibis connects (setting its keys), then the session fails."""
    _ibis_connect(session)
    raise RuntimeError("py4j.protocol.Py4JJavaError: the session is gone")


def _connect_to_running(monkeypatch, running: _FakeSession, connect=_ibis_connect, **settings):
    import ibis
    from pyspark.sql import SparkSession

    from sentinel_checks.config.engine import SparkSettings

    monkeypatch.setattr(SparkSession, "getActiveSession", staticmethod(lambda: running))
    # a running session is used as it is: no builder (getOrCreate would apply its settings)
    monkeypatch.setattr(spark_connection, "_built_session", lambda settings, cls: pytest.fail("built"))
    monkeypatch.setattr(ibis.pyspark, "connect", connect)
    return spark_connection.connect_spark(SparkSettings(**settings))


@pytest.mark.parametrize("zone", ["Europe/Paris", None])
def test_a_running_sessions_time_zone_is_restored_when_the_gate_closes(monkeypatch, zone):
    running = _FakeSession(zone)
    connection = _connect_to_running(monkeypatch, running)
    assert running.conf.get("spark.sql.session.timeZone") == "UTC"  # the gate computes in UTC
    # and collects through Arrow (Spark 4.0's default pickles every row: 3.6 GiB at 10M)
    assert running.conf.get(spark_connection.ARROW_KEY) == "true"
    connection.close()
    assert running.conf.get("spark.sql.session.timeZone") == zone and not running.stopped
    assert running.conf.get(spark_connection.ARROW_KEY) is None  # unset again, as it was
    assert running.conf.get("spark.sql.mapKeyDedupPolicy") is None  # Ibis' setting too


def test_a_running_session_is_put_back_when_the_gate_cannot_use_it(monkeypatch):
    running = _FakeSession("Europe/Paris")
    running.conf.set(spark_connection.ARROW_KEY, "false")

    with pytest.raises(spark_connection.SparkUnavailable, match="cannot be used"):
        _connect_to_running(monkeypatch, running, connect=_failing_connect)
    assert running.conf.values == {
        "spark.sql.session.timeZone": "Europe/Paris",
        spark_connection.ARROW_KEY: "false",
    }
    assert not running.stopped


@pytest.mark.parametrize("conf, arrow", [({}, "true"), ({spark_connection.ARROW_KEY: "false"}, "false")])
def test_a_built_session_collects_through_arrow_unless_the_conf_says_otherwise(monkeypatch, conf, arrow):
    import ibis

    from sentinel_checks.config.engine import SparkSettings

    built = _FakeSession(None)
    monkeypatch.setattr(spark_connection, "_running_session", lambda cls: None)
    monkeypatch.setattr(spark_connection, "_built_session", lambda settings, cls: built)
    monkeypatch.setattr(spark_connection.atexit, "register", lambda function, *args: None)
    monkeypatch.setattr(ibis.pyspark, "connect", _ibis_connect)
    connection = spark_connection.connect_spark(SparkSettings(conf=conf))
    assert connection.created and built.conf.get(spark_connection.ARROW_KEY) == arrow
    assert built.conf.get("spark.sql.session.timeZone") == "UTC"
    connection.close()
    assert built.stopped


def test_master_and_conf_ignored_for_a_running_session_are_said(monkeypatch):
    running = _FakeSession("UTC")
    with pytest.warns(UserWarning) as caught:
        connection = _connect_to_running(
            monkeypatch, running, master="spark://h:7077", conf={"spark.executor.memory": "4g"}
        )
    text = str(caught[0].message)
    assert "[engine.spark] master" in text and "conf" in text and "already runs" in text, text
    assert connection.ignored == ("[engine.spark] master", "[engine.spark] conf")
    quiet = _connect_to_running(monkeypatch, _FakeSession("UTC"))  # nothing set: nothing ignored
    assert quiet.ignored == ()


def test_master_and_conf_ignored_for_a_running_session_are_noted_in_gate_json(tmp_path, monkeypatch):
    """The UserWarning shows in pytest's summary only: gate.json's ``notes`` keeps it, also
    after the session closed (``sentinel gate`` writes its reports after closing)."""
    import ibis
    from pyspark.sql import SparkSession

    from sentinel_checks.config import load_config
    from sentinel_checks.gate.session import GateSession
    from sentinel_checks.reports.gate_json import GateReport
    from sentinel_checks.reports.gate_report import GateRun, gate_document

    running = _FakeSession("UTC")
    monkeypatch.setattr(SparkSession, "getActiveSession", staticmethod(lambda: running))
    monkeypatch.setattr(spark_connection, "_built_session", lambda settings, cls: pytest.fail("built"))
    monkeypatch.setattr(ibis.pyspark, "connect", _ibis_connect)

    def notes(engine: str) -> list[str]:
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        folder.mkdir()
        session = GateSession(load_config(_spark_project(folder, engine)))
        with pytest.warns(UserWarning) if "master" in engine else _no_warning():
            assert session.engine_connection is not None
        session.close()
        doc = gate_document(GateRun(config_path="c", data={}, seed=0, notes=session.engine_notes))
        assert GateReport.from_dict(doc).notes == tuple(doc.get("notes", ()))
        return doc.get("notes", [])

    noted = notes('master = "spark://h:7077"\n[engine.spark.conf]\n"spark.executor.memory" = "4g"')
    assert len(noted) == 1, noted
    assert "already" in noted[0] and "[engine.spark] master" in noted[0] and "[engine.spark] conf" in noted[0]
    assert notes("") == []  # nothing set, nothing ignored: no notes key at all


def _no_warning():
    import contextlib
    import warnings

    @contextlib.contextmanager
    def refused():
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            yield

    return refused()


class _RefusingConf(_FakeConf):
    """A session that refuses to change one key (a py4j error on Spark)."""

    def __init__(self, values, refused):
        super().__init__(values)
        self.refused = refused

    def unset(self, key):
        if key == self.refused:
            raise RuntimeError("py4j.protocol.Py4JJavaError: cannot modify the value of a Spark config")
        super().unset(key)


def test_a_key_the_session_refuses_to_restore_neither_escapes_nor_stops_the_others(monkeypatch):
    """Review: the first refused key raised a py4j error past SparkUnavailable and left the
    keys after it changed."""
    running = _FakeSession("Europe/Paris")
    running.conf = _RefusingConf({"spark.sql.session.timeZone": "Europe/Paris"}, spark_connection.ARROW_KEY)

    with pytest.raises(spark_connection.SparkUnavailable, match="cannot be used"):
        _connect_to_running(monkeypatch, running, connect=_failing_connect)
    # the others are back, the refused one is what stayed
    assert running.conf.values == {
        "spark.sql.session.timeZone": "Europe/Paris",
        spark_connection.ARROW_KEY: "true",
    }
    closing = _FakeSession(None)
    closing.conf = _RefusingConf({}, spark_connection.ARROW_KEY)
    connection = _connect_to_running(monkeypatch, closing)
    with pytest.warns(
        UserWarning, match=r"spark\.sql\.execution\.arrow\.pyspark\.enabled could not be put back"
    ):
        connection.close()
    assert closing.conf.values == {spark_connection.ARROW_KEY: "true"} and not closing.stopped


def test_a_running_context_without_a_session_is_used_not_stopped(monkeypatch):
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    on_context = _FakeSession(None)

    class Builder:
        calls = 0

        def getOrCreate(self):
            Builder.calls += 1
            return on_context

    def no_session():
        raise RuntimeError("[NO_ACTIVE_OR_DEFAULT_SESSION]")

    monkeypatch.setattr(SparkSession, "active", staticmethod(no_session))
    monkeypatch.setattr(SparkSession, "builder", Builder())
    monkeypatch.setattr(SparkContext, "_active_spark_context", None)
    assert spark_connection._running_session(SparkSession) is None and Builder.calls == 0
    monkeypatch.setattr(SparkContext, "_active_spark_context", object())
    assert spark_connection._running_session(SparkSession) is on_context and Builder.calls == 1

    def refusing(self):
        raise RuntimeError("py4j.protocol.Py4JError: the context is stopping")

    monkeypatch.setattr(Builder, "getOrCreate", refusing)
    with pytest.raises(spark_connection.SparkUnavailable, match="SparkContext runs in this process"):
        spark_connection._running_session(SparkSession)


def test_a_built_session_gets_the_users_conf_over_the_local_defaults(monkeypatch):
    """``[engine.spark.conf]`` wins over LOCAL_DEFAULTS and the Arrow default; the zone is UTC."""
    from sentinel_checks.config.engine import SparkSettings

    given: dict[str, str] = {}

    class Builder:
        def master(self, value):
            return self

        def appName(self, value):
            return self

        def config(self, key, value):
            given[key] = value
            return self

        def getOrCreate(self):
            session = _FakeSession(None)
            session.sparkContext = type("Context", (), {"setLogLevel": lambda self, level: None})()
            return session

    spark_session = type("Session", (), {"builder": Builder()})
    monkeypatch.setattr(spark_connection, "java_path", lambda: "/usr/bin/java")
    conf = {spark_connection.ARROW_KEY: "false", "spark.sql.shuffle.partitions": "64"}
    spark_connection._built_session(SparkSettings(conf=conf), spark_session)
    assert given[spark_connection.ARROW_KEY] == "false" and given["spark.sql.shuffle.partitions"] == "64"
    assert given["spark.sql.session.timeZone"] == "UTC" and given["spark.ui.enabled"] == "false"
    # a JVM that exits on OutOfMemoryError rather than hang the run (tenth benchmark round)
    assert given["spark.driver.extraJavaOptions"] == "-XX:+ExitOnOutOfMemoryError"
    conf["spark.driver.extraJavaOptions"] = "-Dteam.flag=1"  # the user's options keep the flag
    spark_connection._built_session(SparkSettings(conf=conf), spark_session)
    assert given["spark.driver.extraJavaOptions"] == "-Dteam.flag=1 -XX:+ExitOnOutOfMemoryError"
