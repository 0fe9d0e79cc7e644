"""Which engine computes the statistics: ``[data] engine``, ``[engine.duckdb]``, ``[engine.spark]``.

``[data]`` is a :class:`~sentinel_checks.config.inputs.DataSource` with one more key,
``engine``: ``"pandas"`` (the default: every statistic on in-memory frames),
``"duckdb"`` (embedded DuckDB through Ibis, :mod:`sentinel_checks.engine`; needs the
``engine`` extra) or ``"spark"`` (PySpark through Ibis; needs the ``spark`` extra and
Java 17+). ``[engine.duckdb]`` tunes the embedded DuckDB; ``[engine.spark]`` says which
Spark session to use.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from sentinel_checks.config.inputs import DataSource
from sentinel_checks.config.section import _check_callable_ref, _Section

#: The engines ``[data] engine`` accepts.
Engine = Literal["pandas", "duckdb", "spark"]

_MEMORY_RE = re.compile(
    r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(B|KB?|MB?|GB?|TB?|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE | re.ASCII
)
#: Bytes per unit of a DuckDB size: KB, MB, ... (and K, M, ...) in powers of 1000, KiB,
#: MiB, ... of 1024, as DuckDB reads them (``SET memory_limit = '2G'`` is 2 * 1000^3 bytes).
_UNIT_BYTES = {
    **{unit: 1000**i for i, unit in enumerate(("b", "kb", "mb", "gb", "tb"))},
    **{unit: 1000 ** (i + 1) for i, unit in enumerate(("k", "m", "g", "t"))},
    **{unit: 1024 ** (i + 1) for i, unit in enumerate(("kib", "mib", "gib", "tib"))},
}


class OfflineData(DataSource):
    """``[data]``: the offline dataset, and the engine its statistics run on."""

    engine: Engine = "pandas"

    @field_validator("engine")
    @classmethod
    def _engine_installed(cls, v: Engine) -> Engine:
        if v == "duckdb" and (
            importlib.util.find_spec("ibis") is None or importlib.util.find_spec("duckdb") is None
        ):
            raise ValueError(
                "engine = 'duckdb' needs Ibis and DuckDB: pip install 'gradient-sentinel[engine]' "
                "(from a clone: pip install -e '.[engine]')"
            )
        if v == "spark" and (
            importlib.util.find_spec("ibis") is None or importlib.util.find_spec("pyspark") is None
        ):
            raise ValueError(
                "engine = 'spark' needs Ibis and PySpark: pip install 'gradient-sentinel[spark]' "
                "(from a clone: pip install -e '.[spark]')"
            )
        return v

    @model_validator(mode="after")
    def _table_needs_engine(self) -> OfflineData:
        if self.table is not None and self.engine == "pandas":
            raise ValueError(
                f"table = {self.table!r} is a table of an engine's catalog: set engine = 'duckdb' "
                "(and [engine.duckdb] database) or engine = 'spark'"
            )
        return self


class DuckDBSettings(_Section):
    """``[engine.duckdb]``: the embedded DuckDB's resources (DuckDB's defaults when unset)."""

    #: Most memory DuckDB may use, e.g. ``"2GB"``; past it, it spills to ``temp_directory``.
    memory_limit: str | None = None
    #: Worker threads (at least 1); every core when unset.
    threads: int | None = Field(default=None, ge=1)
    #: Where DuckDB spills (relative to the config file's folder).
    temp_directory: Path | None = None
    #: A DuckDB database file, opened read-only, whose tables ``[data] table`` and
    #: ``[production] table`` name (relative to the config file's folder).
    database: Path | None = None

    @field_validator("memory_limit")
    @classmethod
    def _memory(cls, v: str | None) -> str | None:
        if v is None:
            return v
        size = _MEMORY_RE.match(v)
        if size is None:
            raise ValueError(f"expected a size such as '2GB' or '512MiB', got {v!r}")
        size_bytes = float(size.group(1)) * _UNIT_BYTES[size.group(2).lower()]
        if size_bytes < 1000:
            # DuckDB does not start under 1KB ("0.5KB", "1B", "0.4B": out of memory at connect)
            raise ValueError(f"{v!r} leaves DuckDB no memory to start with: give a size such as '2GB'")
        if size_bytes >= 2**63:
            # DuckDB reads 2^64 bytes and more as a wrapped size (0 bytes: "out of memory")
            raise ValueError(f"{v!r} is more than DuckDB can count (2^63 bytes): give a size such as '2GB'")
        return v


class SparkSettings(_Section):
    """``[engine.spark]``: the Spark session the gate computes on.

    Either the gate builds a session (``master``, ``conf``; stopped when the run ends)
    or ``session`` names a function that returns the user's own (left running). The
    session time zone is always UTC (``spark.sql.session.timeZone``): instants compare
    the same on every engine, and naive datetimes are read as they are written.
    """

    #: Spark master of the session the gate builds: ``"local[2]"``, ``"spark://host:7077"``,
    #: ``"yarn"``, ``"k8s://..."``.
    master: str = "local[2]"
    #: Spark settings of that session, e.g. ``{"spark.executor.memory" = "4g"}``.
    conf: dict[str, str] = Field(default_factory=dict)
    #: ``"module:function"`` returning a ready ``SparkSession``; excludes ``master`` and ``conf``.
    session: str | None = None

    @field_validator("session")
    @classmethod
    def _session_ref(cls, v: str | None) -> str | None:
        return _check_callable_ref(v)

    @field_validator("conf")
    @classmethod
    def _utc_only(cls, v: dict[str, str]) -> dict[str, str]:
        zone = v.get("spark.sql.session.timeZone")
        if zone is not None and zone.upper() not in ("UTC", "ETC/UTC"):
            raise ValueError(
                f"spark.sql.session.timeZone = {zone} is not allowed: the gate runs Spark in UTC "
                "(time zones are kept on the columns); remove the setting"
            )
        return v

    @model_validator(mode="before")
    @classmethod
    def _session_alone(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("session") is not None:
            both = [key for key in ("master", "conf") if key in data]
            if both:
                raise ValueError(
                    f"session excludes {' and '.join(both)}: the function named by session builds "
                    f"the SparkSession itself; remove {' and '.join(both)} or session"
                )
        return data


def engine_label(data: OfflineData, engine: EngineSettings) -> str:
    """The engine a run computes on, as reports name it: ``"pandas"``, ``"spark"``,
    ``"duckdb"`` or ``"duckdb (memory_limit 2GB)"`` when ``[engine.duckdb]`` sets one."""
    if data.engine == "duckdb" and engine.duckdb.memory_limit is not None:
        return f"duckdb (memory_limit {engine.duckdb.memory_limit})"
    return data.engine


class EngineSettings(_Section):
    """``[engine]``: one table per engine, and how much of the scores' counts leaves it."""

    #: The most (label, candidate score, other model's score) groups a paired comparison
    #: (``promotion.vs_champion``, ``quality.baselines``) brings out of the engine; past
    #: it the scores are grouped on a grid
    #: (:func:`~sentinel_checks.engine.paired_statistics.paired_rows`). About 40 bytes a group.
    max_paired_groups: int = Field(default=1 << 18, ge=64)
    #: The most distinct scores one model's counts by threshold bring out of the engine
    #: (recall, precision, the PR curve, AUCs, calibration); past it the scores are grouped
    #: on a grid, exact at every threshold that decides
    #: (:mod:`~sentinel_checks.engine.threshold_grid`). 24 bytes a group.
    max_threshold_groups: int = Field(default=1 << 18, ge=64)
    duckdb: DuckDBSettings = Field(default_factory=DuckDBSettings)
    spark: SparkSettings = Field(default_factory=SparkSettings)
