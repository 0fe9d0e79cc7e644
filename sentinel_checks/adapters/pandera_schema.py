"""pandera: build the data contract from the config and collect its failure cases."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sentinel_checks.config import Columns, FeatureRule

_DTYPE_TESTS = {
    "numeric": pd.api.types.is_numeric_dtype,
    "integer": pd.api.types.is_integer_dtype,
    "float": pd.api.types.is_float_dtype,
    "string": lambda d: pd.api.types.is_string_dtype(d) or pd.api.types.is_object_dtype(d),
    "category": lambda d: isinstance(d, pd.CategoricalDtype) or pd.api.types.is_string_dtype(d),
    "bool": pd.api.types.is_bool_dtype,
    "datetime": pd.api.types.is_datetime64_any_dtype,
}


@dataclass(frozen=True)
class FailureGroup:
    """All failures of one check on one column."""

    column: str
    check: str
    count: int
    examples: tuple[Any, ...]
    rows: tuple[Any, ...]


def build_schema(
    columns: Columns,
    *,
    features: list[str],
    rules: Mapping[str, FeatureRule],
    label_required: bool = True,
    extra_required: list[str] | None = None,
) -> Any:
    """A pandera ``DataFrameSchema`` for the configured roles and feature rules.

    ``label_required=False`` is for production samples, whose labels arrive late:
    the label column may be absent or partly null, but any value present must be
    one of the two classes.
    """
    import pandera.pandas as pa

    def dtype_check(kind: str) -> Any:
        test = _DTYPE_TESTS[kind]
        return pa.Check(lambda s: bool(test(s.dtype)), name=f"dtype is {kind}")

    spec: dict[str, Any] = {}
    spec[columns.label] = pa.Column(
        None,
        checks=pa.Check.isin([columns.positive, columns.negative]),
        nullable=not label_required,
        required=label_required,
    )
    if columns.timestamp is not None:
        spec[columns.timestamp] = pa.Column(None, checks=dtype_check("datetime"), nullable=False)
    for entity in columns.entities:
        spec[entity] = pa.Column(None, nullable=False)
    for name in [*columns.segments, *(extra_required or []), *features]:
        spec.setdefault(name, pa.Column(None, nullable=True))
    for name, rule in rules.items():
        checks = []
        if rule.dtype is not None:
            checks.append(dtype_check(rule.dtype))
        if rule.min is not None:
            checks.append(pa.Check.ge(rule.min))
        if rule.max is not None:
            checks.append(pa.Check.le(rule.max))
        if rule.allowed is not None:
            checks.append(pa.Check.isin(rule.allowed))
        spec[name] = pa.Column(None, checks=checks, nullable=rule.nullable)
    return pa.DataFrameSchema(spec, strict=False, coerce=False)


def failures(schema: Any, frame: pd.DataFrame) -> list[FailureGroup]:
    """Validate every row lazily; group the failure cases by column and check."""
    import pandera.errors as pe

    try:
        with warnings.catch_warnings():
            # pandera concatenates failure-case frames in a way pandas 2.x warns about.
            warnings.simplefilter("ignore", FutureWarning)
            schema.validate(frame, lazy=True)
    except pe.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    missing = cases["check"].astype(str) == "column_in_dataframe"
    column_of = cases["column"].astype(object).where(~missing, cases["failure_case"])
    groups: list[FailureGroup] = []
    for (column, check), part in cases.groupby(
        [column_of.fillna("(frame)").astype(str), cases["check"].astype(str)], sort=True
    ):
        examples = pd.unique(part["failure_case"].astype(str))[:5]
        rows = [r for r in part["index"].tolist() if r is not None][:10]
        groups.append(FailureGroup(column, check, len(part), tuple(examples.tolist()), tuple(rows)))
    return groups
