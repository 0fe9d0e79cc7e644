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
