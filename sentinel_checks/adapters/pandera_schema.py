"""pandera: build the data contract from the config and collect its failure cases."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
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


def column_kind(dtype: Any) -> str:
    """The kind of a column, as the contract compares them: bool, numeric, datetime,
    category or string (object and Arrow-backed text alike).

    Parameters
    ----------
    dtype : dtype
        A pandas or numpy dtype.

    Returns
    -------
    str
        ``"bool"``, ``"numeric"``, ``"datetime"``, ``"category"`` or ``"string"``.
    """
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    return "string"


def build_schema(
    columns: Columns,
    *,
    features: list[str],
    rules: Mapping[str, FeatureRule],
    label_required: bool = True,
    extra_required: list[str] | None = None,
    kinds: Mapping[str, str] | None = None,
) -> Any:
    """A pandera ``DataFrameSchema`` for the configured roles and feature rules.

    ``label_required=False`` is for production samples, whose labels arrive late:
    the label column may be absent or partly null, but any value present must be
    one of the two classes. Every feature must hold at least one value; in the
    constant features are not a violation (:func:`constant_features` finds them
    for a warning). The id column, when configured, is never null and unique. Entity columns (each part of a
    composite id) must be present and may hold nulls.

    Parameters
    ----------
    columns : Columns
        ``[columns]``: label and its two values, timestamp, entities, id, segments.
    features : list of str
        The feature columns (each nullable, not entirely null).
    rules : mapping of str to FeatureRule
        ``[contract] features``: dtype, min, max, allowed values, nullable, by column.
    label_required : bool, optional
        False for a production sample.
    extra_required : list of str, optional
        Further columns that must be present (any values).
    kinds : mapping of str to str, optional
        The kind each feature has in the offline dataset (:func:`column_kind`), which
        production must keep.

    Returns
    -------
    pandera.DataFrameSchema
        Not strict (other columns are allowed) and not coercing.
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
        from sentinel_checks.data.time_axis import is_time_dtype

        time_check = pa.Check(lambda s: is_time_dtype(s.dtype), name="dtype is datetime or a number")
        spec[columns.timestamp] = pa.Column(None, checks=time_check, nullable=False)
    for entity in columns.entity_columns():  # a missing id is no entity: allowed, counted by the checks
        spec[entity] = pa.Column(None, nullable=True)
    if columns.id is not None:
        spec[columns.id] = pa.Column(None, nullable=False, unique=True)
    for name in [*columns.segments, *(extra_required or [])]:
        spec.setdefault(name, pa.Column(None, nullable=True))
    for name in features:
        spec[name] = pa.Column(None, checks=_feature_checks(name, label_required, kinds), nullable=True)
    for name, rule in rules.items():
        checks = list(_feature_checks(name, label_required, kinds)) if name in features else []
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


def _feature_checks(name: str, offline: bool, kinds: Mapping[str, str] | None) -> list[Any]:
    # A constant feature is not a violation here: see constant_features (a warning).
    import pandera.pandas as pa

    checks = [pa.Check(lambda s: bool(s.notna().any()), ignore_na=False, name="not entirely null")]
    kind = (kinds or {}).get(name)
    if kind is not None:
        checks.append(pa.Check(lambda s: column_kind(s.dtype) == kind, name=f"kind is {kind} as offline"))
    return checks


def constant_features(frame: pd.DataFrame, features: list[str]) -> dict[str, Any]:
    """The features holding one value in every row, with that value.

    Missing is a level: a column that is 1.0 or missing (a left-join flag) holds two
    levels and is not constant. An entirely null column is not listed here (the
    schema's "not entirely null" check fails it).

    Parameters
    ----------
    frame : DataFrame
    features : list of str
        Feature names; those absent from ``frame`` are skipped.

    Returns
    -------
    dict of str to value
        Column name → its one value, in the order of ``features``.

    Examples
    --------
    >>> f = pd.DataFrame({"flag": [1.0, None], "one": [2, 2], "empty": [None, None]})
    >>> constant_features(f, ["flag", "one", "empty"])
    {'one': 2}
    """
    found = {}
    for name in features:
        if name not in frame.columns:
            continue
        values = frame[name]
        if values.notna().all() and values.nunique(dropna=False) == 1:
            value = values.iloc[0]
            found[name] = value.item() if hasattr(value, "item") else value  # numpy scalar → Python
    return found


#: pandera's names of its built-in checks, as a person reads a failure of them.
_PLAIN = {
    "column_in_dataframe": "column is missing",
    "not_nullable": "null values",
    "field_uniqueness": "duplicate values",
    "not entirely null": "null in every row",
}
_PLAIN_PREFIX = {
    "isin": "values outside the allowed set",
    "greater_than_or_equal_to": "values below {}",
    "less_than_or_equal_to": "values above {}",
}


def plain_check(check: str) -> str:
    """What a failed check means, in words: pandera's check names translated.

    Parameters
    ----------
    check : str
        A check name as :func:`failures` groups them.

    Returns
    -------
    str

    Examples
    --------
    >>> plain_check("field_uniqueness"), plain_check("greater_than_or_equal_to(0.0)")
    ('duplicate values', 'values below 0.0')
    >>> plain_check("dtype is datetime")
    'not of dtype datetime'
    """
    if check in _PLAIN:
        return _PLAIN[check]
    head, _, rest = check.partition("(")
    if head in _PLAIN_PREFIX:
        return _PLAIN_PREFIX[head].format(rest.rstrip(")"))
    if check.startswith("dtype is "):
        return "not of dtype " + check.removeprefix("dtype is ")
    return check


def failures(schema: Any, frame: pd.DataFrame) -> list[FailureGroup]:
    """Validate every row lazily; group the failure cases by column and check.

    Parameters
    ----------
    schema : pandera.DataFrameSchema
        As :func:`build_schema` makes it.
    frame : DataFrame
        The frame validated.

    Returns
    -------
    list of FailureGroup
        One group per (column, check), sorted, with its count, up to 5 example values
        (the first distinct ones in row order, as text: :func:`failure_case_texts`) and
        the first 10 row labels in row order; ``[]`` when the frame is valid. On a frame
        whose index repeats a label the order is pandera's (not the rows').
    """
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
    if frame.index.is_unique:
        # pandera sorts its failure cases with an unstable sort (by schema context): put
        # them back in the frame's row order, the order the engine reads them in
        position = frame.index.get_indexer(cases["index"])
        cases = cases.iloc[np.argsort(position, kind="stable")]
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


def failure_case_texts(
    groups: Sequence[tuple[Any, Sequence[Any]]], scalars: Sequence[Any] = ()
) -> list[tuple[str, ...]]:
    """The example values of failure groups as :func:`failures` shows them, for cases found
    without pandera (an engine counting the contract where the data lies).

    pandera concatenates the failure cases of every failed check into one column (each
    check's cases of its column's dtype; a check failing on the whole column gives a
    scalar, a record of its own) and :func:`failures` reads that column as text, so the
    dtype pandas gives the concatenation decides each text: a null of ``string[pyarrow]``
    is ``'<NA>'`` alone but ``'nan'`` beside a float column; ``-3`` of an integer column is
    ``'-3.0'`` beside one. This concatenates the same dtypes the same way.

    Parameters
    ----------
    groups : sequence of (dtype, sequence of values)
        Per row-level group, in any order: the pandas dtype of its column (as the reader
        gives it) and its example values (``None`` for a missing value), all of one group
        failing or none missing, as pandera's cases are.
    scalars : sequence
        The scalar failure cases of the column-level groups (a missing column's name;
        ``False`` for a dtype check or a column null in every row).

    Returns
    -------
    list of tuple of str
        Per group of ``groups``, in its order, its distinct texts (first 5).

    Examples
    --------
    >>> failure_case_texts([("string[pyarrow]", [None])])
    [('<NA>',)]
    >>> failure_case_texts([("string[pyarrow]", [None]), ("float64", [None])])
    [('nan',), ('nan',)]
    >>> failure_case_texts([("int64", [-3, -4]), ("float64", [-1.0])])
    [('-3.0', '-4.0'), ('-1.0',)]
    """
    if not groups:
        return []
    parts = [pd.DataFrame({"failure_case": _cases(dtype, values)}) for dtype, values in groups]
    if scalars:
        parts.append(pd.DataFrame.from_records([{"failure_case": v} for v in scalars]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # as failures() does around pandera
        text = pd.concat(parts, ignore_index=True)["failure_case"].astype(str).tolist()
    out, start = [], 0
    for _, values in groups:
        out.append(tuple(pd.unique(pd.Series(text[start : start + len(values)], dtype=object))[:5]))
        start += len(values)
    return out


def _cases(dtype: Any, values: Sequence[Any]) -> pd.Series:
    """``values`` as pandas holds them in a column of ``dtype``: an integer or bool column
    holding nulls is read as float64 or object; a category keeps its values as objects
    (the categories pandas read are not known here)."""
    dtype = pd.api.types.pandas_dtype(dtype)
    nulls = any(v is None for v in values)
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Series([np.nan if v is None else v for v in values], dtype=object)
    if not isinstance(dtype, pd.api.extensions.ExtensionDtype) and nulls:
        if dtype.kind in "iu":
            dtype = np.dtype("float64")
        elif dtype.kind == "b":
            dtype = np.dtype(object)
    return pd.Series(list(values), dtype=dtype)
