"""``contract.schema`` counted in the engine: the failure cases of the pandera contract
(:func:`~sentinel_checks.adapters.pandera_schema.build_schema`) on a table read where it
lies, grouped as :func:`~sentinel_checks.adapters.pandera_schema.failures` groups them.

Two sources, one result:

* **pandera itself**, on a zero-row frame with the dataset's pandas dtypes (what pandas
  would read: the parquet schema, converted as the reader converts it): the column-level
  checks, which read only the dtype — a required column missing, ``dtype is …``,
  ``kind is … as offline``;
* **engine aggregates**, for the row-level checks: nulls where none are allowed
  (NULL, or NaN in a float column, as pandas' ``isna``), duplicate ids (every row of a
  value held more than once, as pandera reports them), values outside ``isin`` sets and
  below/above ``ge``/``le`` bounds (missing values ignored, as pandera's ``ignore_na``),
  and the feature missing in every row. Each group: the exact count, the first 10 row
  positions (:data:`~sentinel_checks.engine.ibis_connection.ROW`, the frame's index) and
  the first 5 distinct values in row order, as text in the dtype pandas gives pandera's
  concatenated failure cases (:func:`~sentinel_checks.adapters.pandera_schema.failure_case_texts`:
  a null of text is ``<NA>`` alone, ``nan`` beside a float column). The pandas path puts
  pandera's cases in row order too (:func:`~sentinel_checks.adapters.pandera_schema.failures`).

Only counts and those few values leave the engine. :func:`constant_features` is the
engine's :func:`~sentinel_checks.adapters.pandera_schema.constant_features`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from sentinel_checks.adapters.pandera_schema import FailureGroup, failure_case_texts, failures
from sentinel_checks.engine.columns import literal, missing
from sentinel_checks.engine.ibis_connection import ROW, whole_count, with_floats
from sentinel_checks.engine.split_checks import fits

if TYPE_CHECKING:
    from ibis.expr.types import BooleanValue, Table

#: Row-level checks the engine counts, by pandera's check name.
ELEMENT_CHECKS = ("isin", "greater_than_or_equal_to", "less_than_or_equal_to", "not entirely null")


class NotCountable(Exception):
    """A check the engine cannot count the way pandas does (a value of another type than
    the column's); the caller validates the pandas frame instead."""


def _group(
    table: Table, column: str, check: str, failing: BooleanValue, *, nulls: bool = False
) -> _Found | None:
    rows = table.filter(failing)
    count = int(rows.count().execute())
    if not count:
        return None
    first = rows.order_by(ROW).limit(10).select(ROW).execute()[ROW].tolist()
    if nulls:
        examples: list[Any] = [None]
    else:
        distinct = rows.group_by(column).aggregate(__sentinel_first=rows[ROW].min())
        shown = distinct.order_by("__sentinel_first").limit(5).execute()[column]
        examples = [None if pd.isna(v) else v for v in shown.tolist()]
    return _Found(column, check, count, examples, tuple(int(r) for r in first))


@dataclass(frozen=True)
class _Found:
    """A row-level failure group with its example values as the engine returns them."""

    column: str
    check: str
    count: int
    values: list[Any]
    rows: tuple[int, ...]


def contract_failures(table: Table, schema: Any, typed: pd.DataFrame) -> list[FailureGroup]:
    """The failure groups of ``schema`` on every row of ``table``, equal to
    :func:`~sentinel_checks.adapters.pandera_schema.failures` on the pandas frame.

    Parameters
    ----------
    table : ibis Table, n rows, with :data:`ROW`
        The dataset where it lies.
    schema : pandera.DataFrameSchema
        As :func:`~sentinel_checks.adapters.pandera_schema.build_schema` builds it.
    typed : DataFrame, 0 rows
        The dataset's columns with the dtypes pandas reads them as.

    Returns
    -------
    list of FailureGroup
        Sorted by (column, check), as pandas groups them.

    Raises
    ------
    NotCountable
        An ``isin``/``ge``/``le`` value of another type than its column, or a check the
        engine does not know: validate the pandas frame instead.
    """
    groups = [
        g
        for g in failures(schema, typed)
        if g.check == "column_in_dataframe" or g.check.startswith(("dtype is", "kind is"))
    ]
    scalars: list[Any] = [g.column if g.check == "column_in_dataframe" else False for g in groups]
    found: list[_Found | None] = []
    for name, column in schema.columns.items():
        if name not in table.columns:
            continue
        value, present = table[name], ~missing(table, name)
        if not column.nullable:
            found.append(_group(table, name, "not_nullable", ~present, nulls=True))
        if column.unique:
            held = table.group_by(name).aggregate(__sentinel_n=table.count())
            twice = held.filter(held["__sentinel_n"] > 1).select(name)
            repeated = table.semi_join(twice, table[name] == twice[name])
            found.append(_group(repeated, name, "field_uniqueness", repeated[ROW].notnull()))
        for check in column.checks:
            label = check.error or check.name
            if check.name == "not entirely null":
                if int(table.filter(present).count().execute()) == 0:
                    groups.append(FailureGroup(name, label, 1, ("False",), ()))
                    scalars.append(False)
                continue
            if check.name.startswith(("dtype is", "kind is")):
                continue  # read off the dtype above
            stats = check.statistics
            bound = stats.get("allowed_values", [stats.get("min_value"), stats.get("max_value")])
            values = [v for v in bound if v is not None]
            if check.name not in ELEMENT_CHECKS or not fits(value.type(), values):
                raise NotCountable(f"column {name!r}: check {label} on {value.type()}")
            if check.name == "isin":
                if any(isinstance(v, float) for v in values):
                    # a float literal is SQL decimal text (see ibis_connection.with_floats)
                    raise NotCountable(f"column {name!r}: check {label} lists floats")
                outside = ~value.isin([literal(v) for v in values]).fill_null(False)
                found.append(_group(table, name, label, present & outside.fill_null(False)))
                continue
            # the bound enters as data, never as SQL text: DuckDB reads a float literal
            # as a DECIMAL and misjudges values equal to it (ibis_connection.with_floats)
            as_data = isinstance(values[0], float)
            rows = with_floats(table, __sentinel_bound=float(values[0])) if as_data else table
            bound = rows["__sentinel_bound"] if as_data else literal(values[0])
            past = rows[name] < bound if check.name == "greater_than_or_equal_to" else rows[name] > bound
            found.append(_group(rows, name, label, ~missing(rows, name) & past.fill_null(False)))
    rows = [f for f in found if f is not None]
    texts = failure_case_texts([(typed[f.column].dtype, f.values) for f in rows], scalars)
    groups += [FailureGroup(f.column, f.check, f.count, t, f.rows) for f, t in zip(rows, texts, strict=True)]
    return sorted(groups, key=lambda g: (g.column, g.check))


def constant_features(table: Table, features: list[str]) -> dict[str, Any]:
    """The features holding one value in every row (never missing), with that value
    (a Python scalar); those absent from ``table`` are skipped. Equal to
    :func:`~sentinel_checks.adapters.pandera_schema.constant_features` on the frame.

    A column never missing is constant exactly when its least and greatest values are
    equal: one streaming ``min``/``max`` pass, where ``COUNT(DISTINCT)`` of nine
    columns ran DuckDB out of memory on 100M rows (1 GB ``memory_limit``, docs/benchmarks.md).
    """
    present = [f for f in features if f in table.columns]
    if not present:
        return {}
    counts = table.aggregate(
        **{f"m{i}": missing(table, f).sum() for i, f in enumerate(present)},
        **{f"v{i}": table[f].min() for i, f in enumerate(present)},
        **{f"x{i}": table[f].max() for i, f in enumerate(present)},
        n=table.count(),
    ).execute()
    found: dict[str, Any] = {}
    if whole_count(counts["n"].iloc[0]) == 0:
        return found
    for i, name in enumerate(present):
        value, top = counts[f"v{i}"].iloc[0], counts[f"x{i}"].iloc[0]
        if whole_count(counts[f"m{i}"].iloc[0]) == 0 and bool(value == top):
            found[name] = value.item() if hasattr(value, "item") else value
    return found
