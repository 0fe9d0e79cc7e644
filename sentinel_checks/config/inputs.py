"""The sections naming the gate's inputs: ``[data]`` / ``[production]``, ``[columns]``,
``[splits]`` and ``[models.*]``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from sentinel_checks.config.section import LabelValue, _check_callable_ref, _Section


class DataSource(_Section):
    """Where a frame comes from: a parquet/CSV file, a directory or glob of parquet files,
    a ``module:function`` returning one, or a table of the engine's catalog."""

    #: A file, a directory (every ``*.parquet`` below it) or a glob of parquet files.
    path: Path | None = None
    loader: str | None = None
    #: A table of the engine's catalog (``"name"`` or ``"schema.name"``): the tables of
    #: ``[engine.duckdb] database``, or of the Spark session; needs an engine.
    table: str | None = None
    format: Literal["auto", "parquet", "csv"] = "auto"

    @field_validator("table")
    @classmethod
    def _table_name(cls, v: str | None) -> str | None:
        if v is not None and (not v.strip() or any(not part.strip() for part in v.split("."))):
            raise ValueError(f"expected a table name such as 'requests' or 'analytics.requests', got {v!r}")
        return v

    @field_validator("loader")
    @classmethod
    def _loader_ref(cls, v: str | None) -> str | None:
        return _check_callable_ref(v)

    def _given(self) -> list[str]:
        return [key for key in ("path", "loader", "table") if getattr(self, key) is not None]

    @model_validator(mode="after")
    def _one_source(self) -> DataSource:
        given = self._given()
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'path', 'loader' or 'table'"
                + (f" (got {' and '.join(given)})" if given else "")
            )
        return self

    def key(self, section: str) -> str:
        """The config key naming this source in section ``section`` (``"data"``,
        ``"production"``): ``"[data] path"``, ``"[production] table"``…

        >>> DataSource(table="requests").key("production")
        '[production] table'
        """
        return f"[{section}] {self._given()[0]}"

    def path_missing(self) -> bool:
        """``path`` is set and names no data file: nothing exists there, a directory holds
        no ``*.parquet`` file, or a glob matches no file."""
        from sentinel_checks.data.parquet_files import is_many, parquet_files
        from sentinel_checks.errors import DataError

        if self.path is None:
            return False
        if not is_many(self.path):
            return not self.path.exists()
        try:
            parquet_files(self.path, what="[data] path")
        except DataError:
            return True
        return False


class Columns(_Section):
    """Roles of the dataset's columns."""

    label: str = "label"
    positive: LabelValue = 1
    negative: LabelValue = 0
    timestamp: str | None = None
    #: Each entity is a column, or a list of columns identifying it together.
    entities: list[str | list[str]] = Field(default_factory=list)
    segments: list[str] = Field(default_factory=list)
    features: list[str] | None = None
    exclude: list[str] = Field(default_factory=list)
    id: str | None = None

    @model_validator(mode="after")
    def _distinct_classes(self) -> Columns:
        if self.positive == self.negative:
            raise ValueError(f"'positive' and 'negative' are both {self.positive!r}")
        if self.features is not None and not self.features:
            raise ValueError("'features' is empty: list the feature columns or leave it out")
        names = []
        for entity in self.entities:
            if isinstance(entity, list):
                if not entity:
                    raise ValueError("'entities' holds an empty list: a composite id needs its columns")
                if len(set(entity)) < len(entity):
                    raise ValueError(f"'entities': a column is named twice in {' + '.join(entity)}")
                names.append("+".join(entity))
            else:
                names.append(entity)
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"'entities' names {', '.join(twice)} twice")
        return self

    def entity_columns(self) -> list[str]:
        """Every column of ``entities``, composite ids flattened, each once."""
        flat = [c for e in self.entities for c in ([e] if isinstance(e, str) else e)]
        return list(dict.fromkeys(flat))


class SplitSpec(_Section):
    """How train/val/test are made. Boundaries are half-open: see docs/configuration.md."""

    method: Literal["time", "column", "callable"]
    # method = "time": dates for a datetime column, values of a numeric one (2016 or
    # "2016"), positions or fractions of the rows for [columns] timestamp = "@row"
    val_start: str | int | float | None = None
    test_start: str | int | float | None = None
    end: str | int | float | None = None
    # a duration ("2D") for datetimes, a number of the column's units for numeric time
    embargo: str | int | float = "0s"
    purge_entities: bool = False
    max_purged_share: float = Field(default=0.50, gt=0.0, le=1.0)  # splits.purge
    # method = "column"
    column: str | None = None
    train_value: LabelValue = "train"
    val_value: LabelValue = "val"
    test_value: LabelValue = "test"
    # method = "callable"
    function: str | None = None

    @field_validator("function")
    @classmethod
    def _function_ref(cls, v: str | None) -> str | None:
        return _check_callable_ref(v)

    @field_validator("val_start", "test_start", "end", "embargo", mode="before")
    @classmethod
    def _no_booleans(cls, v: object) -> object:
        if isinstance(v, bool):
            raise ValueError(f"a date, a number or a duration is needed, got {str(v).lower()}")
        return v

    @field_validator("embargo")
    @classmethod
    def _timedelta(cls, v: str | int | float) -> str | int | float:
        import pandas as pd

        if not isinstance(v, str):
            if not v >= 0:
                raise ValueError(f"must be a number ≥ 0 (units of a numeric time column), got {v}")
            return v
        try:
            delta = pd.Timedelta(v)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"not a duration such as '0s', '1h' or '2D': {v!r}") from exc
        if delta < pd.Timedelta(0):
            raise ValueError(f"must not be negative, got {v!r}")
        return v

    @model_validator(mode="after")
    def _method_fields(self) -> SplitSpec:
        if self.method == "time":
            missing = [k for k in ("val_start", "test_start") if getattr(self, k) is None]
            if missing:
                raise ValueError(f"method 'time' needs {', '.join(missing)}")
            _check_increasing(self.val_start, self.test_start, self.end)
        elif self.method == "column" and self.column is None:
            raise ValueError("method 'column' needs 'column'")
        elif self.method == "callable" and self.function is None:
            raise ValueError("method 'callable' needs 'function' ('module:function')")
        return self


#: An ISO 8601 date, with an optional time (after ``T`` or a space) and its UTC offset.
_ISO_DATE = re.compile(
    r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}(:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?\s*$"
)


def _check_increasing(*boundaries: str | int | float | None) -> None:
    """Boundaries given as numbers (or numeric strings) or as dates must increase; the
    column they apply to is checked when the data is split."""
    import pandas as pd

    named = [
        (k, v) for k, v in zip(("val_start", "test_start", "end"), boundaries, strict=True) if v is not None
    ]
    values: list[float] | list[pd.Timestamp]
    try:
        values = [float(v) for _, v in named]
    except ValueError:
        dates = [(k, v) for k, v in named if isinstance(v, str)]
        if len(dates) != len(named):
            shown = ", ".join(f"{k} = {v!r}" for k, v in named)
            raise ValueError(f"boundaries mix dates and numbers ({shown}); give all of one kind") from None
        for k, v in dates:
            if not _ISO_DATE.match(v):
                # pandas reads "02/04/2025" as 4 February: a day-first date split the wrong rows (trial)
                raise ValueError(
                    f"{k} = {v!r} is not an ISO 8601 date: write the year first, e.g. '2025-04-02' or "
                    "'2025-04-02T12:00' ('02/04/2025' could be 2 April or 4 February)"
                ) from None
        try:
            values = [pd.Timestamp(v) for _, v in dates]
        except (ValueError, TypeError) as exc:
            raise ValueError(f"a boundary is not a timestamp (nor a number): {exc}") from exc
    for (k1, v1), (k2, v2), a, b in zip(named, named[1:], values, values[1:], strict=False):
        try:
            increasing = a < b
        except TypeError:  # pandas cannot order a naive time and one with a UTC offset
            raise ValueError(
                f"{k1} = {v1!r} and {k2} = {v2!r}: one has a UTC offset and the other not; "
                "give every boundary with one, or none"
            ) from None
        if not increasing:
            raise ValueError(f"boundaries must increase: {k1} = {v1!r} is not before {k2} = {v2!r}")


class ModelSpec(_Section):
    """A model to score with, or a column that already holds its scores."""

    path: Path | None = None
    uri: str | None = None
    format: Literal["auto", "skops", "pickle", "joblib", "mlflow"] = "auto"
    trusted: bool = False
    trusted_types: list[str] = Field(default_factory=list)
    score_column: str | None = None
    features: list[str] | None = None
    #: The model class (a value of its ``classes_``) that is the risky one; needed when
    #: the model's classes are of another type than ``[columns] positive``.
    positive_class: LabelValue | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ModelSpec:
        given = [k for k in ("path", "uri", "score_column") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'path', 'uri' or 'score_column'")
        if self.score_column is not None and self.positive_class is not None:
            raise ValueError("'positive_class' names a model class; a score_column has no classes")
        return self


class Models(_Section):
    candidate: ModelSpec | None = None
    champion: ModelSpec | None = None
