"""The engine of one gate run: its connection opened once, its setup problems named.

``[data] engine`` picks DuckDB (:func:`~sentinel_checks.engine.ibis_connection.connect_configured`)
or Spark (:func:`~sentinel_checks.engine.spark_connection.connect_spark`); either way a
failure to connect is a :class:`~sentinel_checks.errors.ConfigError` naming the
``[engine.*]`` key and the fix, which the preflight reports as a setup problem (exit 2)
before any check runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.gate.preflight import SetupProblem
    from sentinel_checks.gate.session_data import SessionData


@dataclass(frozen=True)
class EngineConnection:
    """An Ibis backend and how to release it when the run ends."""

    backend: BaseBackend
    close: Callable[[], None]


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
        return EngineConnection(spark.backend, spark.close)
    from sentinel_checks.engine import ibis_connection

    try:
        duck = ibis_connection.connect_configured(config.engine.duckdb, base_dir=config.base_dir)
    except ValueError as error:
        raise ConfigError(f"{config.source}: {error}") from None
    return EngineConnection(duck, duck.disconnect)


def engine_key(config: SentinelConfig) -> str:
    """The config table of the configured engine, as problems name it: ``[engine.spark]``."""
    return f"[engine.{config.data.engine}]"


def engine_problems(session: SessionData) -> list[SetupProblem]:
    """The preflight's look at the engine: connect it once (kept for the run), and
    report a failure as a setup problem under its ``[engine.*]`` key.

    Nothing is done with ``[data] engine = "pandas"``. A Spark session takes tens of
    seconds to start; it is started here rather than by the first split check, so a
    missing Java stops the run before anything is judged.
    """
    from sentinel_checks.errors import ConfigError
    from sentinel_checks.gate.preflight import SetupProblem

    if session.config.data.engine == "pandas":
        return []
    try:
        _ = session.engine_connection  # connects once; the run reuses it
    except ConfigError as error:
        message = str(error).removeprefix(f"{session.config.source}: ")
        key = engine_key(session.config)
        return [SetupProblem(key, message.removeprefix(f"{key} ").removeprefix(f"{key}: "))]
    return []
