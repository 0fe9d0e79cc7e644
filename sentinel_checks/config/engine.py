"""Which engine computes the statistics: ``[data] engine`` and ``[engine.duckdb]``.

``[data]`` is a :class:`~sentinel_checks.config.inputs.DataSource` with one more key,
``engine``: ``"pandas"`` (the default: every statistic on in-memory frames) or
``"duckdb"`` (embedded DuckDB through Ibis, :mod:`sentinel_checks.engine`; needs the
``engine`` extra). ``[engine.duckdb]`` tunes the embedded DuckDB.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from sentinel_checks.config.inputs import DataSource
from sentinel_checks.config.section import _Section

#: The engines ``[data] engine`` accepts.
Engine = Literal["pandas", "duckdb"]

_MEMORY_RE = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


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
                "engine = 'duckdb' needs Ibis and DuckDB: pip install 'gradient-sentinel[engine]'"
            )
        return v


class DuckDBSettings(_Section):
    """``[engine.duckdb]``: the embedded DuckDB's resources (DuckDB's defaults when unset)."""

    #: Most memory DuckDB may use, e.g. ``"2GB"``; past it, it spills to ``temp_directory``.
    memory_limit: str | None = None
    #: Worker threads (at least 1); every core when unset.
    threads: int | None = Field(default=None, ge=1)
    #: Where DuckDB spills (relative to the config file's folder).
    temp_directory: Path | None = None

    @field_validator("memory_limit")
    @classmethod
    def _memory(cls, v: str | None) -> str | None:
        if v is not None and not _MEMORY_RE.match(v):
            raise ValueError(f"expected a size such as '2GB' or '512MiB', got {v!r}")
        return v


class EngineSettings(_Section):
    """``[engine]``: one table per engine."""

    duckdb: DuckDBSettings = Field(default_factory=DuckDBSettings)
