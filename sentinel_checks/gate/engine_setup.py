"""The engine of one gate run: its connection opened once, its setup problems named.

``[data] engine`` picks DuckDB (:func:`~sentinel_checks.engine.ibis_connection.connect_configured`)
or Spark (:func:`~sentinel_checks.engine.spark_connection.connect_spark`); either way a
failure to connect is a :class:`~sentinel_checks.errors.ConfigError` naming the
``[engine.*]`` key and the fix, which the preflight reports as a setup problem (exit 2)
before any check runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.errors import DataError
    from sentinel_checks.gate.preflight import SetupProblem
    from sentinel_checks.gate.session_data import SessionData
    from sentinel_checks.gate.session_engine import SessionEngine


@dataclass(frozen=True)
class EngineConnection:
    """An Ibis backend, how to release it when the run ends, and what connecting it
    leaves for the run's notes (``gate.json``'s ``notes``)."""

    backend: BaseBackend
    close: Callable[[], None]
    notes: tuple[str, ...] = ()


def open_engine(config: SentinelConfig) -> EngineConnection:
    """Connect the engine ``[data] engine`` names (not ``"pandas"``).

    Raises
    ------
    ConfigError
        DuckDB rejects an ``[engine.duckdb]`` setting; no Spark session could be had
        (no Java, PySpark missing, Spark refused ``master``/``conf``, the ``session``
        function missing, raising or returning something else). The message names
        the key and the config file.
    """
    from sentinel_checks.errors import ConfigError

    if config.data.engine == "spark":
        from sentinel_checks.engine.spark_connection import SparkUnavailable, connect_spark

        try:
            spark = connect_spark(config.engine.spark)
        except SparkUnavailable as error:
            raise ConfigError(f"{config.source}: {error}") from None
        return EngineConnection(spark.backend, spark.close, _ignored_note(spark.ignored))
    from sentinel_checks.engine import ibis_connection

    try:
        duck = ibis_connection.connect_configured(config.engine.duckdb, base_dir=config.base_dir)
    except ValueError as error:
        raise ConfigError(f"{config.source}: {error}") from None
    return EngineConnection(duck, duck.disconnect)


def _ignored_note(ignored: tuple[str, ...]) -> tuple[str, ...]:
    """The run's note of the ``[engine.spark]`` keys a Spark session already running in
    the process made the gate ignore (also a UserWarning of ``connect_spark``)."""
    if not ignored:
        return ()
    return (
        f"[engine.spark]: a Spark session already ran in this process: the gate used it as it was "
        f"and ignored {' and '.join(ignored)}",
    )


def engine_key(config: SentinelConfig) -> str:
    """The config table of the configured engine, as problems name it: ``[engine.spark]``."""
    return f"[engine.{config.data.engine}]"


def engine_problems(session: SessionEngine) -> list[SetupProblem]:
    """The preflight's look at the engine: connect it once (kept for the run), and
    report a failure as a setup problem under its ``[engine.*]`` key.

    Nothing is done with ``[data] engine = "pandas"``. A Spark session takes tens of
    seconds to start; it is started here rather than by the first split check, so a
    missing Java stops the run before anything is judged.
    """
    from sentinel_checks.config import DuckDBSettings
    from sentinel_checks.errors import ConfigError
    from sentinel_checks.gate.preflight import SetupProblem

    if session.config.data.engine == "pandas":
        return []
    try:
        _ = session.engine_connection  # connects once; the run reuses it
    except ConfigError as error:
        message = str(error).removeprefix(f"{session.config.source}: ")
        key = engine_key(session.config)
        # DuckDB's message names the setting it refuses: "[engine.duckdb] temp_directory: ..."
        setting = re.match(rf"\[engine\.duckdb\] ({'|'.join(DuckDBSettings.model_fields)}): ", message)
        if setting is not None:
            return [SetupProblem(f"{key} {setting[1]}", message[setting.end() :])]
        return [SetupProblem(key, message.removeprefix(f"{key} ").removeprefix(f"{key}: "))]
    return timestamp_problems(session) or hold_problems(session)


def hold_problems(session: SessionEngine) -> list[SetupProblem]:
    """The splits made where the data lies, held now (they are held once per run anyway:
    the checks reuse them, nothing is computed twice); a split the engine cannot hold (out
    of memory or disk, :class:`~sentinel_checks.errors.EngineResourceError`) is one setup
    problem under the engine's memory key (:func:`memory_fix`) instead of one error per
    check; so is a file the engine could not read
    (:class:`~sentinel_checks.errors.UnreadableDataFile`, under ``[data] path``). Nothing
    is done when the splits are not made in the engine (the pandas splits are registered
    later, as before); any other error of the split is left to the checks, which report it.
    """
    from sentinel_checks.errors import EngineResourceError, UnreadableDataFile

    try:
        session.hold_engine_splits()
    except (EngineResourceError, UnreadableDataFile) as error:
        problem = failure_problem(session.config, "", error)
        assert problem is not None
        return [problem]
    return []


def failure_problem(config: SentinelConfig, what: str, error: BaseException) -> SetupProblem | None:
    """The setup problem of an engine failure: out of memory or disk under the engine's
    memory key (:func:`memory_fix`), a data file it could not read under ``[data] path``
    (or the key its :class:`~sentinel_checks.errors.UnreadableDataFile` names); ``None``
    for any other error (a :class:`~sentinel_checks.errors.SentinelError` that is neither
    is a bad input of its own, left to its caller). ``error`` is the engine's own (worded
    by :func:`hold_failure` with ``what``) or what :func:`hold_failure` made of it."""
    from sentinel_checks.errors import EngineResourceError, SentinelError, UnreadableDataFile
    from sentinel_checks.gate.preflight import SetupProblem

    told = error if isinstance(error, SentinelError) else hold_failure(config, what, error)
    if isinstance(told, EngineResourceError):
        return SetupProblem(memory_fix(config.data.engine)[0], str(told))
    if isinstance(told, UnreadableDataFile):
        return SetupProblem(told.key, str(told).removeprefix(f"{told.key}: "))
    return None


def out_of_engine_memory(error: BaseException) -> bool:
    """Whether ``error`` is an engine out of memory: Python's :class:`MemoryError`,
    DuckDB's ``OutOfMemoryException`` (``memory_limit`` reached, or nothing left to spill
    to), Spark's ``SparkOutOfMemoryError`` / ``java.lang.OutOfMemoryError``
    (:func:`~sentinel_checks.engine.engine_errors.out_of_engine_memory`)."""
    from sentinel_checks.engine import engine_errors

    return engine_errors.out_of_engine_memory(error)


def memory_fix(engine: str, *, spill_folder_set: bool = False, out_of_disk: bool = False) -> tuple[str, str]:
    """The config key an engine's memory is set by, and the fix, for ``[data] engine``
    ``engine`` (``"duckdb"``, ``"spark"``, ``"pandas"``): every message about the engine
    out of memory or disk words it this way. ``spill_folder_set``: DuckDB's
    ``temp_directory`` is set already, so the fix does not ask to set it: it asks for room
    there when the engine ran out of disk (``out_of_disk``), else says memory ran out.

    >>> memory_fix("spark")[0]
    '[engine.spark.conf] spark.driver.memory'
    >>> "could not spill" in memory_fix("duckdb", spill_folder_set=True)[1]
    True
    """
    if engine == "duckdb":
        spill = (
            "give temp_directory more room, or point it at a folder that has it: DuckDB spills there"
            if spill_folder_set and out_of_disk
            else "temp_directory is set, so what ran out is memory DuckDB could not spill there"
            if spill_folder_set
            else "on data larger than memory also set temp_directory to a folder with room, "
            "where DuckDB spills past the limit"
        )
        return "[engine.duckdb] memory_limit", f"Raise memory_limit (e.g. to twice its value, above); {spill}"
    if engine == "spark":
        return (
            "[engine.spark.conf] spark.driver.memory",
            "Give Spark more memory: [engine.spark.conf] spark.driver.memory (a local master runs "
            "its tasks in the driver; Spark's default is 1g), spark.executor.memory on a cluster; "
            "spark.local.dir for room to spill",
        )
    return (
        "[data] engine",
        f"The {engine} engine holds the data in this process's memory: run on a machine with "
        "more memory, or set [data] engine = 'duckdb', which spills to disk past its memory_limit",
    )


ENGINE_NAMES = {"duckdb": "DuckDB", "spark": "Spark"}


def memory_setting(config: SentinelConfig) -> tuple[str, bool]:
    """``[data] engine`` and whether DuckDB's ``temp_directory`` is set: what words an
    engine out of memory (:func:`out_of_memory_text`, :func:`memory_fix`)."""
    return config.data.engine, bool(config.engine.duckdb.temp_directory)


def out_of_memory_text(
    error: BaseException, engine: str | None = None, *, spill_folder_set: bool = False
) -> str | None:
    """What a gate test records when the engine ran out of memory inside it (after the
    preflight held the splits, a later query can still need more): the key, the engine's
    own out-of-memory line (DuckDB's gives the limit in MiB; Spark's the
    ``SparkOutOfMemoryError``, not Py4J's ``An error occurred while calling o12.count.``)
    and the fix (:func:`memory_fix`); ``None`` for any other error. A DuckDB or Spark
    error is worded as that engine's (a team's own test may query DuckDB on any
    engine); Python's :class:`MemoryError` as ``engine``'s, ``[data] engine``
    (``"pandas"`` when not given). Out of disk where it spills is said so, with the
    fix for room. ``spill_folder_set``: as :func:`memory_fix`."""
    from sentinel_checks.engine.engine_errors import out_of_engine_disk

    disk = out_of_engine_disk(error)
    if not (disk or out_of_engine_memory(error)):
        return None
    engine = _engine_of(error) or engine or "pandas"
    key, fix = memory_fix(engine, spill_folder_set=spill_folder_set, out_of_disk=disk)
    who = ENGINE_NAMES.get(engine, "Python")
    return f"{key}: {who} ran out of {'disk' if disk else 'memory'} in this check ({_said(error)}). {fix}"


def _engine_of(error: BaseException) -> str | None:
    """``"duckdb"`` or ``"spark"`` for an error of that engine's own types, else ``None``."""
    from sentinel_checks.engine.engine_errors import spark_memory_line

    if spark_memory_line(error) is not None:
        return "spark"
    return "duckdb" if (type(error).__module__ or "").startswith(("duckdb", "_duckdb")) else None


def _said(error: BaseException) -> str:
    """The engine's own line to quote: Spark's out-of-memory line, else the first line."""
    from sentinel_checks.engine.engine_errors import first_line, spark_memory_line

    return spark_memory_line(error) or first_line(error)


def hold_failure(
    config: SentinelConfig, what: str, error: BaseException, *, source: str = "[data] path"
) -> DataError:
    """The error of what the engine could not do (``what``: ``"hold the train split made
    where the data lies"``, ``"count the data where it lies"``), by what ``error`` (the
    engine's own; its line is quoted) is:

    - out of memory or disk
      (:func:`~sentinel_checks.engine.engine_errors.out_of_engine_room`): an
      :class:`~sentinel_checks.errors.EngineResourceError` naming it, the ``[engine.*]``
      keys in force and the fix (:func:`memory_fix`: DuckDB, raise ``memory_limit``,
      ``temp_directory`` gives it room to spill; Spark, ``spark.driver.memory`` /
      ``spark.executor.memory``, ``spark.local.dir``);
    - DuckDB failing to read a file (``InvalidInputException``, ``IOException``) that its
      message names: an :class:`~sentinel_checks.errors.UnreadableDataFile`
      ``"<source>: <file> could not be read: <DuckDB's first line>"`` (``source``, the
      config key of the data: ``[data] path``, ``[production] path``);
    - anything else: a DataError saying what failed, with the error's type and first line.
    """
    from sentinel_checks.engine import engine_errors
    from sentinel_checks.errors import DataError, EngineResourceError, UnreadableDataFile

    said = _said(error)
    engine = config.data.engine
    if not engine_errors.out_of_engine_room(error):
        file = engine_errors.named_file(error) if engine_errors.unreadable_file_error(error) else None
        if file is not None:
            return UnreadableDataFile(f"{source}: {file} could not be read: {said}", source)
        return DataError(f"[data] engine = '{engine}' could not {what}: {type(error).__name__}: {said}")
    key, fix = memory_fix(
        engine,
        spill_folder_set=memory_setting(config)[1],
        out_of_disk=engine_errors.out_of_engine_disk(error),
    )
    if engine == "duckdb":
        duck = config.engine.duckdb
        limit = f"= {duck.memory_limit!r}" if duck.memory_limit else "unset (DuckDB's default: 80% of RAM)"
        spill = f"'{duck.temp_directory}'" if duck.temp_directory else "unset"
        return EngineResourceError(
            f"{key} {limit}, temp_directory {spill}: DuckDB could not {what} ({said}). {fix}"
        )
    if engine == "spark":
        conf = config.engine.spark.conf
        memory = conf.get("spark.driver.memory")
        setting = f"= {memory!r}" if memory else "unset (Spark's default: 1g)"
        return EngineResourceError(f"{key} {setting}: Spark could not {what} ({said}). {fix}")
    return EngineResourceError(f"{key} = '{engine}' could not {what} ({said}). {fix}")


def timestamp_problems(session: SessionData) -> list[SetupProblem]:
    """The dataset's and production sample's datetime columns holding sub-microsecond
    parts, one problem per frame naming the column, the file (of a parquet folder or
    glob, the file holding the first such row) and the fix: the engines compare
    microseconds, so such values would be cut and order could change. The frames
    are those the preflight loaded (cached on the session); nothing is read again
    except parquet footers (row counts) to name the file.
    """
    from sentinel_checks.engine.ibis_connection import MICROSECONDS_FIX, first_finer_than_microseconds
    from sentinel_checks.errors import SentinelError
    from sentinel_checks.gate.cache import NotConfigured
    from sentinel_checks.gate.preflight import SetupProblem

    config, problems = session.config, []
    frames: list[tuple[str, str, Any, Callable[[], Any]]] = [
        ("[data]", "the dataset", config.data.path, lambda: session.dataset)
    ]
    try:
        source = session.engine_source  # read where it lies: asked in the engine, not pandas
    except (SentinelError, NotConfigured):
        source = None
    if source is not None:
        frames = []
        found = _first_finer_in_engine(source)
        if found is not None:
            column, row, value = found
            where = _file_of_row(config.data.path, row) or config.data.path or f"table {config.data.table}"
            problems.append(
                SetupProblem(
                    "[data]",
                    f"column {column!r} of the dataset ({where}) has timestamps finer than a microsecond "
                    f"(first at row {row:,}: {value}); [data] engine = '{config.data.engine}' compares "
                    f"microseconds: {MICROSECONDS_FIX.format(column=column)}",
                )
            )
    from sentinel_checks.gate.preflight_engine import production_held_in_place

    if session.has_production and not production_held_in_place(session):
        frames.append(
            (
                "[production]",
                "the production sample",
                getattr(config.production, "path", None),
                lambda: session.production,
            )
        )
    for key, what, path, load in frames:
        try:
            frame = load()
        except (SentinelError, NotConfigured):
            continue  # reported by the preflight's own loading
        finer = first_finer_than_microseconds(frame)
        if finer is None:
            continue
        column, row = finer
        where = _file_of_row(path, row) or frame.attrs.get("sentinel_origin") or what
        problems.append(
            SetupProblem(
                key,
                f"column {column!r} of {what} ({where}) has timestamps finer than a microsecond "
                f"(first at row {row:,}: {frame[column].iloc[row]}); [data] engine = "
                f"'{config.data.engine}' compares microseconds: {MICROSECONDS_FIX.format(column=column)}",
            )
        )
    return problems


def _first_finer_in_engine(source: Any) -> tuple[str, int, Any] | None:
    """The first datetime column of an engine table holding a sub-microsecond part, the
    first such row's position (:data:`~sentinel_checks.engine.ibis_connection.ROW`) and
    its value; counted in the engine
    (:func:`~sentinel_checks.engine.split_checks.finer_than_microseconds`)."""
    import ibis.expr.datatypes as dt

    from sentinel_checks.engine.ibis_connection import ROW
    from sentinel_checks.engine.split_checks import finer_than_microseconds

    column = finer_than_microseconds(source)
    if column is None:
        return None
    value = source[column]
    finer = (value.cast(dt.Timestamp(timezone=value.type().timezone, scale=6)) != value).fill_null(False)
    first = source.filter(finer).order_by(ROW).limit(1).select(ROW, column).execute()
    return column, int(first[ROW].iloc[0]), first[column].iloc[0]


def _file_of_row(path: object, row: int) -> str | None:
    """The parquet file holding row ``row`` (0-based, over the files in the order pandas
    reads them) of a ``[data] path`` folder or glob; ``None`` for anything else."""
    from pathlib import Path

    if path is None:
        return None
    import numpy as np
    import pyarrow.parquet as pq

    from sentinel_checks.data.parquet_files import is_many, parquet_files
    from sentinel_checks.errors import DataError

    target = Path(str(path))
    if not is_many(target):
        return str(target)
    try:
        files = list(parquet_files(target).files)
        ends = np.cumsum([pq.ParquetFile(f).metadata.num_rows for f in files])
    except (DataError, OSError):
        return None
    index = int(np.searchsorted(ends, row, side="right"))
    return str(files[index]) if index < len(files) else None
