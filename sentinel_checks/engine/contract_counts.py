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

import functools
from collections.abc import Callable
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
    return _examples(rows, column, check, count, nulls) if count else None


def _examples(rows: Table, column: str, check: str, count: int, nulls: bool) -> _Found:
    """The failing ``rows``' first 10 positions and first 5 distinct values (row order)."""
    first = rows.order_by(ROW).limit(10).select(ROW).execute()[ROW].tolist()
    if nulls:
        examples: list[Any] = [None]
    else:
        distinct = rows.group_by(column).aggregate(__sentinel_first=rows[ROW].min())
        shown = distinct.order_by("__sentinel_first").limit(5).execute()[column]
        examples = [None if pd.isna(v) else v for v in shown.tolist()]
    return _Found(column, check, count, examples, tuple(int(r) for r in first))


@dataclass(frozen=True)
class _Rule:
    """A row-level check counted in the one pass of :func:`_counts`: ``failing(rows)`` is
    true on a failing row of the table the float bounds were added to."""

    column: str
    check: str
    failing: Callable[[Table], BooleanValue]
    nulls: bool = False


def _rule(name: str, kind: str, label: str, values: list[Any], bounds: dict[str, float]) -> _Rule:
    """The rule of an ``isin``/``ge``/``le`` check on column ``name``; a float bound is
    added to ``bounds`` under a name of its own (as data, never SQL text: DuckDB reads a
    float literal as a DECIMAL and misjudges values equal to it, ``ibis_connection.with_floats``).

    Raises
    ------
    NotCountable
        An ``isin`` listing floats (a float literal is SQL decimal text).
    """
    if kind == "isin":
        if any(isinstance(v, float) for v in values):
            raise NotCountable(f"column {name!r}: check {label} lists floats")

        def outside(rows: Table) -> BooleanValue:
            away = ~rows[name].isin([literal(v) for v in values]).fill_null(False)
            return ~missing(rows, name) & away.fill_null(False)

        return _Rule(name, label, outside)
    bound_name, as_data = f"__sentinel_bound{len(bounds)}", isinstance(values[0], float)
    if as_data:
        bounds[bound_name] = float(values[0])

    def past(rows: Table) -> BooleanValue:
        bound = rows[bound_name] if as_data else literal(values[0])
        beyond = rows[name] < bound if kind == "greater_than_or_equal_to" else rows[name] > bound
        return ~missing(rows, name) & beyond.fill_null(False)

    return _Rule(name, label, past)


def _missing_in(name: str, rows: Table) -> BooleanValue:
    return missing(rows, name)


def _counts(rows: Table, rules: list[_Rule], entirely_null: list[tuple[str, str]]) -> dict[str, Any]:
    """One aggregate over ``rows``: each rule's failing rows (``__sentinel_c{i}``) and each
    ``entirely_null`` column's present values (``__sentinel_p{i}``); no query when there is
    nothing to count. A sum over no rows is NULL: read it with ``whole_count`` (0)."""
    measures: dict[str, Any] = {}
    for i, rule in enumerate(rules):
        measures[f"__sentinel_c{i}"] = rule.failing(rows).fill_null(False).sum()
    for i, (name, _) in enumerate(entirely_null):
        measures[f"__sentinel_p{i}"] = (~missing(rows, name)).sum()
    if not measures:
        return {}
    return dict(rows.aggregate(**measures).execute().iloc[0])


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
    rules: list[_Rule] = []  # counted together below: one pass over the rows
    bounds: dict[str, float] = {}  # float bounds, brought in as data (with_floats)
    entirely_null: list[tuple[str, str]] = []  # (column, the check's label)
    for name, column in schema.columns.items():
        if name not in table.columns:
            continue
        if not column.nullable:
            rules.append(_Rule(name, "not_nullable", functools.partial(_missing_in, name), nulls=True))
        if column.unique:
            held = table.group_by(name).aggregate(__sentinel_n=table.count())
            twice = held.filter(held["__sentinel_n"] > 1).select(name)
            repeated = table.semi_join(twice, table[name] == twice[name])
            found.append(_group(repeated, name, "field_uniqueness", repeated[ROW].notnull()))
        for check in column.checks:
            label = check.error or check.name
            if check.name == "not entirely null":
                entirely_null.append((name, label))
                continue
            if check.name.startswith(("dtype is", "kind is")):
                continue  # read off the dtype above
            stats = check.statistics
            bound = stats.get("allowed_values", [stats.get("min_value"), stats.get("max_value")])
            values = [v for v in bound if v is not None]
            if check.name not in ELEMENT_CHECKS or not fits(table[name].type(), values):
                raise NotCountable(f"column {name!r}: check {label} on {table[name].type()}")
            rules.append(_rule(name, check.name, label, values, bounds))
    rows = with_floats(table, **bounds)
    counts = _counts(rows, rules, entirely_null)
    for i, rule in enumerate(rules):
        count = whole_count(counts[f"__sentinel_c{i}"])
        if count:
            failing = rows.filter(rule.failing(rows))
            found.append(_examples(failing, rule.column, rule.check, count, rule.nulls))
    for i, (name, label) in enumerate(entirely_null):
        if whole_count(counts[f"__sentinel_p{i}"]) == 0:
            groups.append(FailureGroup(name, label, 1, ("False",), ()))
            scalars.append(False)
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
