"""The whole configuration: :class:`SentinelConfig`, one field per TOML table."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from sentinel_checks.config.engine import EngineSettings, OfflineData
from sentinel_checks.config.inputs import Columns, DataSource, Models, SplitSpec
from sentinel_checks.config.lifecycle import Experiments, Monitor, Registry
from sentinel_checks.config.policies import (
    Contract,
    DriftPolicy,
    Gate,
    Leakage,
    Promotion,
    Quality,
    Training,
)
from sentinel_checks.config.section import _Section


class SentinelConfig(_Section):
    data: OfflineData
    columns: Columns = Field(default_factory=Columns)
    splits: SplitSpec
    production: DataSource | None = None
    models: Models = Field(default_factory=Models)
    contract: Contract = Field(default_factory=Contract)
    leakage: Leakage = Field(default_factory=Leakage)
    quality: Quality = Field(default_factory=Quality)
    drift: DriftPolicy = Field(default_factory=DriftPolicy)
    training: Training = Field(default_factory=Training)
    promotion: Promotion = Field(default_factory=Promotion)
    registry: Registry = Field(default_factory=Registry)
    experiments: Experiments = Field(default_factory=Experiments)
    monitor: Monitor = Field(default_factory=Monitor)
    gate: Gate = Field(default_factory=Gate)
    engine: EngineSettings = Field(default_factory=EngineSettings)

    #: The file this config was read from (not a TOML key).
    source: Path = Field(default=Path("<memory>"), exclude=True)

    @property
    def base_dir(self) -> Path:
        return self.source.parent

    def role_columns(self) -> list[str]:
        """Columns with a role other than feature: label, timestamp, ids, split column."""
        cols = self.columns
        roles = [cols.label, cols.timestamp, cols.id, *cols.entity_columns()]
        if self.splits.method == "column":
            roles.append(self.splits.column)
        for spec in (self.models.candidate, self.models.champion):
            if spec is not None:
                roles.append(spec.score_column)
        return [c for c in dict.fromkeys(roles) if c is not None]

    def input_files(self) -> list[Path]:
        """Every file the gate reads: this config, the data, the models, the logs."""
        paths = [self.source, self.data.path, self.training.log, self.monitor.reference, self.monitor.labels]
        if self.production is not None:
            paths.append(self.production.path)
        for spec in (self.models.candidate, self.models.champion):
            if spec is not None:
                paths.append(spec.path)
        return [p for p in paths if p is not None]

    def required_columns(self, *, production: bool = False) -> list[str]:
        """Role columns a frame must have: all of them offline; in production, all but
        the split column and the label (production labels arrive late)."""
        skip = {self.columns.label}
        if production and self.splits.method == "column":
            skip.add(self.splits.column)  # type: ignore[arg-type]
        return [c for c in self.role_columns() if not production or c not in skip]
