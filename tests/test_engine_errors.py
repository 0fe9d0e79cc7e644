"""An engine's error is told for what it is (review of main 6ba03fc).

Every error while holding a split was told "Raise memory_limit" (a damaged snappy page
of one part gave "[engine.duckdb] memory_limit unset: DuckDB could not hold the val
split (Invalid Input Error: Failed to read file …)"); Spark out of memory was not
recognised (the 1M-row benchmark on Spark's default driver memory recorded two checks as
plain ``Py4JJavaError`` failures), and while scoring it blamed the model; a Python
``MemoryError`` on the pandas engine was called DuckDB's; a failing cleanup in
``held_table.hold`` hid the engine's error. No JVM is needed here: Spark's errors are
fakes shaped as Py4J's (``java_exception`` with ``getClass().getName()``,
``getMessage()``, ``getCause()``).
"""

from __future__ import annotations

import duckdb
import pytest

from sentinel_checks.config import load_config
from sentinel_checks.engine import held_table
from sentinel_checks.engine.engine_errors import spark_memory_line
from sentinel_checks.errors import DataError, EngineResourceError
from sentinel_checks.gate.engine_setup import hold_failure, out_of_engine_memory, out_of_memory_text
from tests.test_engine_lazy_splits import TIME, frame, sessions

SNAPPY = (
    'Invalid Input Error: Failed to read file "/data/parts/part-2/data.parquet": Snappy decompression failure'
)
SPARK_OOM = "[UNABLE_TO_ACQUIRE_MEMORY] Unable to acquire 65536 bytes of memory, got 0. SQLSTATE: 53200"


class _JavaClass:
    def __init__(self, name: str) -> None:
        self.name = name

    def getName(self) -> str:
        return self.name


class FakeThrowable:
    """A Java ``Throwable`` as Py4J hands it over: each call would ask the JVM."""

    def __init__(self, name: str, message: str | None, cause: FakeThrowable | None = None) -> None:
        self.name, self.message, self.cause = name, message, cause
        self._target_id = "o77"

    def getClass(self) -> _JavaClass:
        return _JavaClass(self.name)

    def getMessage(self) -> str | None:
        return self.message

    def getCause(self) -> FakeThrowable | None:
        return self.cause


class DeadThrowable:
    """A Java exception whose JVM is gone: every access raises."""

    _target_id = "o78"

    def __getattr__(self, name: str):
        raise ConnectionRefusedError("Py4J gateway closed")


class FakePy4JJavaError(Exception):
    """Shaped as ``py4j.protocol.Py4JJavaError``: its message is Py4J's, the Java
    exception is ``java_exception``."""

    def __init__(self, java_exception) -> None:
        super().__init__("An error occurred while calling o123.count.\n")
        self.java_exception = java_exception


def spark_oom_error() -> FakePy4JJavaError:
    """A task's ``SparkOutOfMemoryError`` under Spark's ``SparkException`` (job aborted)."""
    cause = FakeThrowable("org.apache.spark.memory.SparkOutOfMemoryError", SPARK_OOM)
    job = FakeThrowable(
        "org.apache.spark.SparkException",
        "Job aborted due to stage failure: Task 3 in stage 7.0 failed 1 times",
        cause,
    )
    return FakePy4JJavaError(job)


def _config(tmp_path, engine: str = "duckdb"):
    from tests.test_engine_fail_fast import _project

    config = load_config(_project(tmp_path, rows=400))
    return config.model_copy(update={"data": config.data.model_copy(update={"engine": engine})})


# ------------------------------------------------------- 1. not every engine error is memory


def test_a_damaged_file_while_holding_a_split_is_a_data_error_naming_the_file(tmp_path, monkeypatch):
    _, by_duckdb = sessions(tmp_path, frame(), TIME)
    real, calls = held_table.hold, []

    def damaged(table, *, prefix="sentinel_held"):
        calls.append(prefix)
        if len(calls) == 2:
            raise duckdb.InvalidInputException(SNAPPY)
        return real(table, prefix=prefix)

    monkeypatch.setattr(held_table, "hold", damaged)
    with pytest.raises(DataError) as raised:
        by_duckdb.engine_table("train")
    text = str(raised.value)
    assert not isinstance(raised.value, EngineResourceError), text
    assert text == f"[data] path: /data/parts/part-2/data.parquet could not be read: {SNAPPY}", text
    assert "memory_limit" not in text


def test_an_engine_error_that_is_not_memory_is_not_told_as_memory(tmp_path):
    config = _config(tmp_path)
    told = hold_failure(config, "hold the val split made where the data lies", RuntimeError("bad plan\nmore"))
    assert type(told) is DataError, told
    assert str(told) == (
        "[data] engine = 'duckdb' could not hold the val split made where the data lies: RuntimeError: bad plan"
    )
    unnamed = hold_failure(
        config, "hold the val split", duckdb.InvalidInputException("Invalid Input Error: x")
    )
    assert type(unnamed) is DataError and "memory_limit" not in str(unnamed), unnamed


def test_a_production_file_is_named_under_its_own_key(tmp_path):
    told = hold_failure(
        _config(tmp_path),
        "hold the production sample",
        duckdb.IOException('IO Error: Cannot open file "p.parquet"'),
        source="[production] path",
    )
    assert str(told).startswith("[production] path: p.parquet could not be read: IO Error"), told


def test_out_of_memory_and_out_of_disk_are_still_resource_errors(tmp_path):
    config = _config(tmp_path)
    oom = hold_failure(config, "hold the val split", duckdb.OutOfMemoryException("Out of Memory Error: x"))
    assert isinstance(oom, EngineResourceError) and "Raise memory_limit" in str(oom), oom
    disk = duckdb.IOException('IO Error: Could not write file "/tmp/spill/x.block": No space left on device')
    full = hold_failure(config, "hold the val split", disk)
    assert isinstance(full, EngineResourceError) and "temp_directory" in str(full), full


# ------------------------------------------------------------- 2. Spark out of memory


def test_spark_out_of_memory_is_recognised_from_the_java_cause_chain():
    error = spark_oom_error()
    assert out_of_engine_memory(error)
    assert spark_memory_line(error) == f"org.apache.spark.memory.SparkOutOfMemoryError: {SPARK_OOM}"
    java = FakePy4JJavaError(FakeThrowable("java.lang.OutOfMemoryError", "Java heap space"))
    assert out_of_engine_memory(java)
    other = FakePy4JJavaError(FakeThrowable("org.apache.spark.SparkException", "Job aborted: bad row"))
    assert not out_of_engine_memory(other) and spark_memory_line(other) is None


def test_spark_errors_are_read_without_a_jvm_call_failing():
    """A real Py4JJavaError whose gateway is gone (``str()`` asks the JVM and raises):
    classified from what Python holds, never raising."""
    from py4j.protocol import Py4JJavaError

    class Gone:
        def send_command(self, command):
            raise ConnectionRefusedError("gateway closed")

    error = Py4JJavaError("An error occurred while calling o9.count.\n", FakeThrowable("x.Y", "z"))
    error.java_exception._gateway_client = Gone()
    with pytest.raises(ConnectionRefusedError):
        str(error)  # what Py4J does: the guard below is needed
    assert not out_of_engine_memory(error)
    assert out_of_memory_text(error, "spark") is None
    assert not out_of_engine_memory(FakePy4JJavaError(DeadThrowable()))


def test_spark_out_of_memory_text_of_a_captured_exception_is_recognised():
    """pyspark's CapturedException keeps the Java text in ``_desc`` / ``_stackTrace``."""
    from pyspark.errors.exceptions.captured import UnknownException

    error = UnknownException.__new__(UnknownException)
    error._desc = "org.apache.spark.SparkException: Job aborted due to stage failure"
    error._stackTrace = f"Caused by: org.apache.spark.memory.SparkOutOfMemoryError: {SPARK_OOM}\n\tat x"
    error._origin = None
    assert out_of_engine_memory(error)


def test_a_spark_out_of_memory_in_a_check_names_spark_driver_memory():
    from sentinel_checks.gate.runner import outcome_of

    def call():
        raise spark_oom_error()

    outcome = outcome_of("suites/test_quality.py::test_x", call, engine="spark")
    assert outcome.outcome == "error" and outcome.input_error, outcome
    assert outcome.message.startswith("[engine.spark.conf] spark.driver.memory: Spark ran out of memory"), (
        outcome
    )
    assert SPARK_OOM in outcome.message and "Spark's default is 1g" in outcome.message, outcome
    assert "spark.executor.memory" in outcome.message and "memory_limit" not in outcome.message


def test_a_spark_split_out_of_memory_quotes_the_out_of_memory_line(tmp_path):
    told = hold_failure(
        _config(tmp_path, "spark"), "hold the val split made where the data lies", spark_oom_error()
    )
    assert isinstance(told, EngineResourceError), told
    text = str(told)
    assert text.startswith(
        "[engine.spark.conf] spark.driver.memory unset (Spark's default: 1g): Spark could not"
    )
    assert SPARK_OOM in text and "o123.count" not in text, text


def test_a_python_memory_error_on_pandas_is_not_called_duckdb():
    text = out_of_memory_text(MemoryError(), "pandas")
    assert text is not None and "[engine.duckdb]" not in text and "DuckDB ran out" not in text, text
    assert text.startswith("[data] engine: Python ran out of memory in this check (MemoryError)"), text


def test_the_preflight_names_the_pandas_engine_s_key_not_an_invented_one(tmp_path, monkeypatch):
    from sentinel_checks.gate import preflight as preflight_module
    from sentinel_checks.gate.session import GateSession
    from tests.test_preflight import _project as pandas_project

    session = GateSession(load_config(pandas_project(tmp_path)))

    def out_of_memory(session):
        raise MemoryError()

    monkeypatch.setattr(preflight_module, "_preflight", out_of_memory)
    (problem,) = preflight_module.preflight(session)
    assert problem.key == "[data] engine", problem
    assert "[engine.pandas]" not in str(problem), problem


def test_spark_out_of_memory_while_scoring_does_not_blame_the_model(monkeypatch):
    """``score_table_spark``'s ``count()`` raising Spark's out of memory is re-raised as
    Spark's (the run words it), not a ModelLoadError; any other error still is one."""
    import ibis
    from pyspark.sql.types import DoubleType, StructField, StructType

    from sentinel_checks.engine import spark_scores
    from sentinel_checks.errors import ModelLoadError

    unpersisted: list[bool] = []

    class Scored:
        def __init__(self, error):
            self.error = error

        def persist(self, level):
            return self

        def count(self):
            raise self.error

        def unpersist(self):
            unpersisted.append(True)

    class Frame:
        schema = StructType([StructField("x", DoubleType()), StructField("id", DoubleType())])

        def __init__(self, error):
            self.error = error

        def mapInArrow(self, function, schema):
            return Scored(self.error)

    class Backend:
        def __init__(self, error):
            self._session = type("S", (), {"sql": lambda _, sql: Frame(error)})()

        def compile(self, expr):
            return "select 1"

    table = ibis.table({"x": "float64", "id": "float64"}, name="t")
    model = type("M", (), {"role": "candidate"})()
    monkeypatch.setattr(spark_scores, "score_column_table", lambda *a, **k: None)
    oom = spark_oom_error()
    with pytest.raises(FakePy4JJavaError) as raised:
        spark_scores.score_table_spark(
            Backend(oom), table, model, features=["x"], positive=1, keep=["id"], name="s"
        )
    assert raised.value is oom and unpersisted == [True]
    with pytest.raises(ModelLoadError, match="candidate"):
        spark_scores.score_table_spark(
            Backend(RuntimeError("ValueError: bad input")),
            table,
            model,
            features=["x"],
            positive=1,
            keep=["id"],
            name="s",
        )


# ------------------------------------------------------- 3. a failing cleanup hides nothing


def test_a_failing_release_does_not_hide_the_engine_error(monkeypatch):
    from sentinel_checks.engine.ibis_connection import connect_duckdb

    backend = connect_duckdb(threads=1)
    backend.raw_sql("CREATE TABLE t AS SELECT 1 AS a")
    table = backend.table("t")

    def create_table(*args, **kwargs):
        raise duckdb.OutOfMemoryException("Out of Memory Error: the original")

    def raw_sql(sql):
        raise duckdb.ConnectionException("Connection Error: connection already closed")

    monkeypatch.setattr(backend, "create_table", create_table)
    monkeypatch.setattr(backend, "raw_sql", raw_sql)
    with pytest.raises(duckdb.OutOfMemoryException, match="the original"):
        held_table.hold(table)


# ------------------------------------- a really damaged part: one setup problem naming it


def _damage(file) -> str:
    """Flip one byte of ``file`` (a parquet part) where DuckDB then fails to decompress a
    snappy page; DuckDB's message. Scans offsets in a fixed order, each read on a fresh
    connection: one connection caches a file's metadata by its modification time, which
    a rewrite within the same second keeps, so a shared one read stale metadata and gave
    a different error at random."""
    base = file.read_bytes()
    for offset in range(4, len(base) - 1000, 97):
        damaged = bytearray(base)
        damaged[offset] ^= 0xFF
        file.write_bytes(bytes(damaged))
        con = duckdb.connect()
        try:
            con.sql(f"SELECT * FROM read_parquet('{file}')").fetchall()
        except duckdb.InvalidInputException as error:
            if "Snappy" in str(error):
                return str(error)
        except duckdb.Error:
            pass
        finally:
            con.close()
    raise AssertionError("no offset gave a snappy failure")


def test_a_damaged_snappy_page_is_one_setup_problem_naming_the_file_not_memory(tmp_path):
    from sentinel_checks.gate.preflight import preflight
    from sentinel_checks.gate.session import GateSession
    from tests.test_engine_fail_fast import _project

    config = _project(tmp_path, rows=4000)
    part = tmp_path / "parts" / "part-2" / "data.parquet"
    said = _damage(part)
    session = GateSession(load_config(config))
    try:
        problems = preflight(session)
    finally:
        session.close()
    assert len(problems) == 1, problems
    (problem,) = problems
    text = str(problem)
    assert problem.key == "[data] path", text
    assert text.startswith(f"[data] path: {part} could not be read: Invalid Input Error"), text
    assert "Snappy decompression failure" in text and said.splitlines()[0] in text, text
    assert "memory_limit" not in text and "Raise" not in text, text
