"""The gate's one configuration: ``sentinel.toml`` or ``[tool.sentinel]`` in ``pyproject.toml``.

Every key and its default is documented in ``docs/configuration.md``; the pydantic
models below are the single source of those defaults. Unknown keys, wrong types and
missing files are rejected on load with one :class:`~sentinel_checks.errors.ConfigError`
that names the file and every offending key.

The package: the section models by what they configure (:mod:`.inputs`,
:mod:`.policies`, :mod:`.lifecycle`, on the base in :mod:`.section`), the whole
document (:mod:`.sentinel_config`), finding and reading a file (:mod:`.loading`) and
writing one (:mod:`.toml_writer`). Every public name is importable from here.
"""

from __future__ import annotations

from sentinel_checks.config.engine import DuckDBSettings, Engine, EngineSettings, OfflineData, SparkSettings
from sentinel_checks.config.inputs import Columns, DataSource, Models, ModelSpec, SplitSpec
from sentinel_checks.config.lifecycle import (
    LOCAL_REGISTRY,
    Experiment,
    Experiments,
    Monitor,
    MonitorSeverity,
    Registry,
)
from sentinel_checks.config.loading import (
    CONFIG_ENV,
    DEFAULT_CONFIG_NAME,
    config_from_mapping,
    find_config,
    load_config,
)
from sentinel_checks.config.policies import (
    SPLIT_SOURCES,
    Contract,
    DriftPolicy,
    FeatureRule,
    Gate,
    Leakage,
    Promotion,
    Quality,
    Training,
)
from sentinel_checks.config.section import LabelValue
from sentinel_checks.config.sentinel_config import SentinelConfig

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG_NAME",
    "LOCAL_REGISTRY",
    "SPLIT_SOURCES",
    "Columns",
    "Contract",
    "DataSource",
    "DriftPolicy",
    "DuckDBSettings",
    "Engine",
    "EngineSettings",
    "Experiment",
    "Experiments",
    "FeatureRule",
    "Gate",
    "LabelValue",
    "Leakage",
    "ModelSpec",
    "Models",
    "Monitor",
    "MonitorSeverity",
    "OfflineData",
    "Promotion",
    "Quality",
    "Registry",
    "SentinelConfig",
    "SparkSettings",
    "SplitSpec",
    "Training",
    "config_from_mapping",
    "find_config",
    "load_config",
]
