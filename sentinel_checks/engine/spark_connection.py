"""Connecting to Spark through Ibis: the one adapter that knows PySpark.

The gate either builds a session from ``[engine.spark]`` ``master`` and ``conf`` (and
stops it when the run ends) or calls the user's ``session`` function and leaves that
session running. Either way the session time zone is set to UTC: Spark reads a
naive datetime in the session zone and returns instants without their zone, so UTC
keeps naive values as written and lets :func:`~sentinel_checks.engine.split_statistics.time_range`
show instants in the column's own zone again.

Every failure to get a session (no Java, PySpark missing, a bad master or setting, the
user's function missing or raising) is a :class:`SparkUnavailable` whose message names
the ``[engine.spark]`` key and the fix, never a Java stack trace.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import shutil
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sentinel_checks.engine.pyspark_warnings import ignore_arrow_warnings

if TYPE_CHECKING:
    import pyarrow as pa
    from ibis.backends.pyspark import Backend
    from ibis.expr.types import Table

    from sentinel_checks.config.engine import SparkSettings

#: Settings of a session the gate builds (a user's ``conf`` overrides them):
#: no web UI and no progress bars for a local run, as many shuffle partitions as a small
#: local machine uses well.
LOCAL_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
}
#: The driver JVM option the gate adds to ``spark.driver.extraJavaOptions`` of a session
#: it builds, unless that value already says what to do on ``OutOfMemoryError``.
EXIT_ON_OUT_OF_MEMORY = "-XX:+ExitOnOutOfMemoryError"
_JAVA_OPTIONS = "spark.driver.extraJavaOptions"


class SparkUnavailable(RuntimeError):
    """No Spark session could be had; the message names the ``[engine.spark]`` key and the fix."""


#: The session setting the gate sets to UTC (and restores on a session it did not build).
TIME_ZONE_KEY = "spark.sql.session.timeZone"
#: Collect results to Python through Arrow (off by default in Spark 4.0: ``toPandas()``
#: pickles every row as a Python ``Row``; docs/benchmarks.md, seventh round).
ARROW_KEY = "spark.sql.execution.arrow.pyspark.enabled"
#: What the gate sets on every session it uses (restored on one it did not build). A
#: session the gate builds keeps ``[engine.spark.conf]``'s own value of ARROW_KEY.
SESSION_SETTINGS = {TIME_ZONE_KEY: "UTC", ARROW_KEY: "true"}
#: Settings put back on a session the gate did not build: SESSION_SETTINGS and the one
#: Ibis' PySpark backend sets when it connects.
RESTORED_KEYS = (*SESSION_SETTINGS, "spark.sql.mapKeyDedupPolicy")


@dataclass(frozen=True)
class SparkConnection:
    """An Ibis PySpark backend, its session, and whether the gate built that session.

    ``previous``: a session the gate did not build, each of :data:`RESTORED_KEYS` as it
    was before the gate (or Ibis) set it (``None``: unset), put back by :meth:`close`.
    ``ignored``: the ``[engine.spark]`` keys set in the config but not applied, a session
    already running.
    """

    backend: Backend
    session: Any  # pyspark.sql.SparkSession
    created: bool
    previous: Mapping[str, str | None] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()

    def close(self) -> None:
        """Stop the session if the gate built it; a user's session is left running, its
        time zone and Arrow setting as they were."""
        if self.created:
            stop(self.session)
            return
        failed = _restore(self.session, self.previous)
        if failed:  # the run's verdict stands; the user is told what stayed changed
            warnings.warn(
                f"the Spark session's {', '.join(failed)} could not be put back as they were "
                "before the gate ran (the session refused to change them)",
                UserWarning,
                stacklevel=2,
            )


def stop(session: Any) -> None:
    """Stop ``session``; one whose driver JVM already ended (out of memory mid-run:
    :func:`~sentinel_checks.engine.engine_errors.spark_jvm_gone`) has nothing left to stop.

    Raises
    ------
    Exception
        Spark's own error stopping a session whose JVM still answers.
    """
    from sentinel_checks.engine.engine_errors import spark_jvm_gone

    try:
        session.stop()
    except Exception as error:
        if not spark_jvm_gone(error):
            raise


def _restore(session: Any, previous: Mapping[str, str | None]) -> list[str]:
    """Put each setting of ``previous`` back on ``session`` (``None``: unset it), each on
    its own; returns the keys the session refused (a py4j or Spark Connect error). A
    session whose driver JVM ended (:func:`~sentinel_checks.engine.engine_errors.spark_jvm_gone`,
    already reported by the check that met it) has nothing left to put back: none."""
    from sentinel_checks.engine.engine_errors import spark_jvm_gone

    failed = []
    for key, value in previous.items():
        try:
            if value is None:
                session.conf.unset(key)
            else:
                session.conf.set(key, value)
        except Exception as error:  # the session's own error: the next key is still tried
            if spark_jvm_gone(error):
                return []
            failed.append(key)
    return failed


def _settings_of(session: Any) -> dict[str, str | None]:
    """The values of :data:`RESTORED_KEYS` on ``session`` (``None``: unset). Ibis' own key
    is read when the session allows it (Spark Connect on Databricks may refuse it, as Ibis
    allows); the gate's keys must be readable."""
    values = {key: session.conf.get(key, None) for key in SESSION_SETTINGS}
    for key in RESTORED_KEYS:
        if key not in values:
            with contextlib.suppress(Exception):  # not readable, hence not restored
                values[key] = session.conf.get(key, None)
    return values


def _running_session(session_class: Any) -> Any:
    """The session already running in this process (the user's: the gate neither
    configures nor stops it), or None: the active or the default session
    (``SparkSession.active()``), else, a SparkContext running without one, a session on
    that context (``getOrCreate`` with no settings).

    Raises
    ------
    SparkUnavailable
        Spark failed to hand out the running session.
    """
    from pyspark import SparkContext

    with contextlib.suppress(Exception):  # PySparkRuntimeError NO_ACTIVE_OR_DEFAULT_SESSION
        return session_class.active()
    if SparkContext._active_spark_context is None:
        return None
    try:
        return session_class.builder.getOrCreate()
    except Exception as error:  # py4j: the running context refused
        raise SparkUnavailable(
            f"[engine.spark]: a SparkContext runs in this process but gave no session: {_first_line(error)}"
        ) from None


def java_path() -> str | None:
    """The ``java`` a local Spark driver starts: ``$JAVA_HOME/bin/java``, else on ``PATH``."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = os.path.join(home, "bin", "java")
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("java")


def connect_spark(settings: SparkSettings) -> SparkConnection:
    """A Spark session through Ibis, as ``[engine.spark]`` says.

    Parameters
    ----------
    settings : SparkSettings
        ``master`` and ``conf`` of a session to build, or ``session`` naming a
        ``"module:function"`` that returns a ``pyspark.sql.SparkSession``.

    Returns
    -------
    SparkConnection
        ``created`` is True when the gate built the session (it stops it in
        :meth:`SparkConnection.close`).

    Raises
    ------
    SparkUnavailable
        PySpark or Ibis' PySpark backend is not installed; Java is missing (a session to
        build needs a local driver JVM); Spark refused the master or a setting; the
        session function cannot be imported, raises, or returns something else.
    """
    try:
        import ibis
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise SparkUnavailable(
            f"[data] engine = 'spark' needs PySpark and Ibis ({error}): "
            "pip install 'gradient-sentinel[spark]'"
        ) from None
    ignored: tuple[str, ...] = ()
    if settings.session is not None:
        session, created = _user_session(settings.session, SparkSession), False
    else:
        session = _running_session(SparkSession)
        created = session is None
        if session is None:
            session = _built_session(settings, SparkSession)
            atexit.register(stop, session)  # a run that never reaches close() (an interrupt)
        else:  # not ours to stop, nor to configure: its master and settings stay as they are
            ignored = tuple(
                f"[engine.spark] {k}" for k in ("master", "conf") if k in settings.model_fields_set
            )
    if ignored:
        warnings.warn(
            f"a Spark session already runs in this process: the gate uses it as it is and ignored "
            f"{' and '.join(ignored)}",
            UserWarning,
            stacklevel=2,
        )
    wanted = dict(SESSION_SETTINGS)
    if created and ARROW_KEY in settings.conf:  # the user's choice for a session the gate builds
        wanted[ARROW_KEY] = settings.conf[ARROW_KEY]
    previous: dict[str, str | None] = {}
    try:
        if not created:  # read before anything is set, to be put back by close()
            previous = _settings_of(session)
        for key, value in wanted.items():
            session.conf.set(key, value)
        ignore_arrow_warnings()
        backend = ibis.pyspark.connect(session)
    except Exception as error:  # py4j / PySpark errors: a session that cannot be used
        if created:
            session.stop()
        else:
            _restore(session, previous)
        raise SparkUnavailable(
            f"[engine.spark]: the Spark session cannot be used: {_first_line(error)}"
        ) from None
    return SparkConnection(backend, session, created, previous, ignored)


def _built_session(settings: SparkSettings, spark_session: Any) -> Any:
    if java_path() is None:
        raise SparkUnavailable(
            "[engine.spark] master: a Spark driver needs Java 17 or later and none was found "
            "(no $JAVA_HOME/bin/java, no java on PATH): install it (Debian: apt-get install "
            "openjdk-17-jre-headless), or set [engine.spark] session to a function returning your session"
        )
    if settings.master.startswith("local"):
        # the executors' Python workers run here: the gate's interpreter has the scorer's
        # libraries (Spark's default, "python3" on PATH, may not); a set PYSPARK_PYTHON wins
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    conf = {**LOCAL_DEFAULTS, **SESSION_SETTINGS, **settings.conf}  # the zone is UTC (validated)
    conf[_JAVA_OPTIONS] = java_options(conf.get(_JAVA_OPTIONS))
    builder = spark_session.builder.master(settings.master).appName("gradient-sentinel")
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # the JVM did not start, or refused master/conf
        raise SparkUnavailable(
            f"[engine.spark] master = {settings.master}: Spark did not start ({_first_line(error)}); "
            "check master and conf, and that Java 17+ runs"
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def java_options(given: str | None) -> str:
    """``spark.driver.extraJavaOptions`` of a session the gate builds: ``given`` (the
    user's) with :data:`EXIT_ON_OUT_OF_MEMORY` added, unless it already names an
    ``OutOfMemoryError`` option. The driver JVM then exits on a heap exhausted in one of
    Spark's own threads rather than live on without it: at 10M rows with a 4g heap the
    run hung in ``splits.target_leakage`` (docs/benchmarks.md, tenth round); now the
    check that meets the ended JVM says so
    (:func:`~sentinel_checks.engine.engine_errors.spark_jvm_gone`).

    >>> java_options(None)
    '-XX:+ExitOnOutOfMemoryError'
    >>> java_options("-Dx=1")
    '-Dx=1 -XX:+ExitOnOutOfMemoryError'
    >>> java_options("-XX:+CrashOnOutOfMemoryError")
    '-XX:+CrashOnOutOfMemoryError'
    """
    if not given or not given.strip():
        return EXIT_ON_OUT_OF_MEMORY
    if "OutOfMemoryError" in given:
        return given
    return f"{given.strip()} {EXIT_ON_OUT_OF_MEMORY}"


def _user_session(reference: str, spark_session: Any) -> Any:
    module_name, _, function_name = reference.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as error:
        raise SparkUnavailable(
            f"[engine.spark] session = {reference}: cannot import it ({_first_line(error)}); "
            "name a function importable from where the gate runs"
        ) from None
    try:
        session = function()
    except Exception as error:  # the user's code: anything may go wrong in it
        raise SparkUnavailable(
            f"[engine.spark] session = {reference} raised {type(error).__name__}: {_first_line(error)}"
        ) from None
    if not isinstance(session, spark_session):
        raise SparkUnavailable(
            f"[engine.spark] session = {reference} returned a {type(session).__name__}, "
            "not a pyspark.sql.SparkSession"
        )
    return session


def register_arrow(backend: Backend, arrow: pa.Table, *, name: str) -> Table:
    """An Arrow table as a Spark temporary view ``name``, read back as an Ibis table.

    Spark 4 builds the DataFrame from the Arrow batches; timestamps arrive at
    microseconds (Spark's resolution), a zoned column as Spark ``TIMESTAMP`` (an instant,
    read in the session's UTC), a naive one as ``TIMESTAMP_NTZ``.
    """
    frame = backend._session.createDataFrame(arrow)
    frame.createOrReplaceTempView(name)
    return backend.table(name)


def _first_line(error: BaseException) -> str:
    """An error's first line without a JVM stack trace."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def persisted(backend: Backend, table: Table, name: str) -> tuple[Table, Any]:
    """``table`` computed now and persisted on the executors (memory and disk), registered as
    the temporary view ``name``; and the function that drops the view and the stored rows
    (safe twice). Later queries read the stored rows (Spark's cache manager swaps them in
    for the expression's plan) instead of recomputing the expression.

    The in-memory tables the expression joins are registered first (Ibis' own
    ``Table.cache()`` does not, and its query fails with TABLE_OR_VIEW_NOT_FOUND).
    ``persist`` rather than ``localCheckpoint``: a checkpoint's rows have no size
    estimate for the planner and ``unpersist`` does not free them (a test session ran out
    of broadcast memory after a few runs).
    """
    backend._run_pre_execute_hooks(table)  # the in-memory tables (and UDFs) it reads
    release = persist_frame(backend._session, backend._session.sql(backend.compile(table)), name)
    return backend.table(name), release


def persist_frame(session: Any, frame: Any, name: str) -> Callable[[], None]:
    """Persist the Spark DataFrame ``frame`` (memory and disk), compute it now (its errors
    are raised here, with nothing left persisted), register it as the temporary view
    ``name``; return the function that drops the view and frees the rows (safe twice)."""
    from pyspark import StorageLevel

    stored = frame.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        stored.count()  # compute now, once
    except BaseException:
        stored.unpersist()  # persist() registered it already
        raise
    stored.createOrReplaceTempView(name)

    def release() -> None:
        session.catalog.dropTempView(name)
        stored.unpersist()

    return release
