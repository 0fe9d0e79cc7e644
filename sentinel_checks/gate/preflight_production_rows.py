"""A production sample holding rows of the dataset, told before any check runs.

The production sample is what the model meets after the offline data: its rows must be
requests the dataset does not hold. A sample drawn from the dataset (a shuffled copy of
the test split, trial) passes every test→production check, as they compare rows with
themselves; :func:`~sentinel_checks.gate.preflight_inputs.production_in_dataset` finds a
shared or copied file, this finds shared rows by ``[columns] id``; without an id, or
when no id is shared (copies under new ids), by their values: a production row equal to
a dataset row in every column both hold with the same dtype (datetimes in any unit) but
the label, the id, ``[columns] exclude`` and a split column, the timestamp among them (a
missing value equals a missing value, as in ``splits.row_overlap``; no timestamp, or
``"@row"``: not matched, as distinct requests may share every feature). A production
time column of another kind than the dataset's (epoch integers beside datetimes) is a
problem of its own: its rows could not be matched.

Ids of two types are compared the same way by pandas and in the engine: as they are when
their types agree; two integer types as int64; an integer and a float as float64; else as
text, a whole float written as an integer ("7", not "7.0": a CSV's id column with a
missing value reads as floats). A missing id matches nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from ibis.expr.types import Column, Table

    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.gate.preflight import SetupProblem
    from sentinel_checks.gate.session import GateSession

#: How many shared ids the message names.
SHOWN = 3


def production_rows_in_dataset(session: GateSession, frames: dict[str, pd.DataFrame]) -> list[SetupProblem]:
    """One problem under the ``[production]`` source's key when production rows carry a
    ``[columns] id`` that is also a row of the dataset, else equal a dataset row by value,
    or production's time column is of another kind than the dataset's.

    Parameters
    ----------
    session : GateSession
        The run's session; a dataset or production sample the engine reads where it lies
        (not in ``session.materialized()``) is matched there, a semi join; else by
        pandas. Ids of two types are compared by the module's rule.
    frames : dict of str to DataFrame
        The preflight's ``dataset`` and ``production`` frames (columns only for those
        read where they lie).

    Returns
    -------
    list of SetupProblem
        Empty without either frame, or when no production row is a dataset row by id (a
        missing id matches nothing) nor by value (:func:`compared_columns`).
    """
    source = session.config.production
    if source is None or any(n not in frames for n in ("dataset", "production")):
        return []
    rid = session.config.columns.id
    if rid is None or any(rid not in frames[n] for n in ("dataset", "production")):
        return _rows_by_value(session, frames)
    in_pandas = session.materialized()
    if "dataset" in in_pandas and "production" in in_pandas:
        shared, rows, first = _in_pandas(frames["dataset"][rid], frames["production"][rid])
    else:
        shared, rows, first = _in_engine(session, frames, rid)
    if not shared:  # copies under new (or no) ids: their values (review)
        return _rows_by_value(session, frames)
    return _problem(
        session,
        f"{shared:,} of the production sample's {rows:,} rows carry a {rid} ([columns] id) that is a "
        f"row of the dataset too (e.g. {', '.join(map(str, first))})",
    )


def _problem(session: GateSession, found: str) -> list[SetupProblem]:
    """Production rows that are dataset rows (``found`` says how many and how matched)."""
    return _under_production_key(
        session,
        f"{found}: the production sample must be requests the dataset does not hold, or every "
        "test→production check compares rows with themselves; point it at requests served after "
        "the dataset's, or drop those rows",
    )


def _under_production_key(session: GateSession, text: str) -> list[SetupProblem]:
    """One problem under the ``[production]`` source's key (path, loader or table)."""
    from sentinel_checks.gate.preflight import SetupProblem

    source = session.config.production
    assert source is not None
    key = source.key("production")
    return [SetupProblem(key, f"{key}: {text}")]


def compared_columns(config: SentinelConfig, frames: dict[str, pd.DataFrame]) -> list[str]:
    """The columns production rows are matched on by value: those the dataset and the
    production frame both hold with the same dtype (datetimes in any unit), but the label,
    the id, ``[columns] exclude`` (ids a copy may have regenerated, trial) and the
    ``[splits] column``; empty unless the ``[columns] timestamp`` column is among them."""
    from sentinel_checks.data.time_axis import ROW_ORDER

    dataset, production = frames["dataset"], frames["production"]
    cols = config.columns
    left_out = {cols.label, config.splits.column, cols.id, *cols.exclude}
    shared = [c for c in dataset.columns if c in production.columns and c not in left_out]
    columns = [c for c in shared if _comparable(dataset[c].dtype, production[c].dtype)]
    timestamp = config.columns.timestamp
    return columns if timestamp not in (None, ROW_ORDER) and timestamp in columns else []


def _comparable(a: object, b: object) -> bool:
    """Two dtypes whose values compare: equal, or two datetime dtypes of one time zone in
    any unit (a copy written by Spark or pyarrow holds microseconds or milliseconds)."""
    import pandas as pd

    if a == b:
        return True
    times = pd.api.types.is_datetime64_any_dtype
    return bool(times(a) and times(b) and getattr(a, "tz", None) == getattr(b, "tz", None))


def _in_nanoseconds(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``columns`` of ``frame``, datetimes in nanoseconds (row hashes read their integers)."""
    import pandas as pd

    out = frame[columns].copy()
    for c in columns:
        if pd.api.types.is_datetime64_any_dtype(out[c].dtype):
            out[c] = out[c].dt.as_unit("ns")
    return out


def _time_of_another_kind(session: GateSession, frames: dict[str, pd.DataFrame]) -> list[SetupProblem]:
    """The problem of a production time column of another kind than the dataset's
    (trial: epoch integers beside datetimes: copies could not be matched, and nothing said
    the column had changed)."""
    timestamp = session.config.columns.timestamp
    dataset, production = frames["dataset"], frames["production"]
    if timestamp is None or timestamp not in dataset.columns or timestamp not in production.columns:
        return []
    ours, theirs = dataset[timestamp].dtype, production[timestamp].dtype
    if _time_kind(ours) == _time_kind(theirs):  # two time zones: told where times are compared
        return []
    return _under_production_key(
        session,
        f"its {timestamp} ([columns] timestamp) holds {theirs}, the dataset's {ours}: production's "
        "times cannot be compared with the dataset's (nor its rows matched with the dataset's); "
        "write the column as the dataset does",
    )


def _time_kind(dtype: object) -> str:
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    return "number" if pd.api.types.is_numeric_dtype(dtype) else "text"


def _rows_by_value(session: GateSession, frames: dict[str, pd.DataFrame]) -> list[SetupProblem]:
    other_kind = _time_of_another_kind(session, frames)
    if other_kind:
        return other_kind
    columns = compared_columns(session.config, frames)
    if not columns:
        return []
    in_pandas = session.materialized()
    if "dataset" in in_pandas and "production" in in_pandas:
        from sentinel_checks.stats.row_repeats import row_repeats

        production = frames["production"]
        dataset = _in_nanoseconds(frames["dataset"], columns)
        mask = row_repeats(dataset, _in_nanoseconds(production, columns), columns).mask
        shared, rows = int(mask.sum()), len(production)
        first = production.loc[mask, session.config.columns.timestamp].head(SHOWN).tolist()
    else:
        shared, rows, first = _values_in_engine(session, frames, columns)
    if not shared:
        return []
    timestamp = session.config.columns.timestamp
    return _problem(
        session,
        f"{shared:,} of the production sample's {rows:,} rows equal a row of the dataset in every "
        f"column both hold but the label and the id ({len(columns)} columns: {', '.join(columns)}; "
        f"{_no_id(session.config)}), e.g. rows served at {timestamp} = {', '.join(map(str, first))}",
    )


def _in_pandas(dataset: pd.Series, production: pd.Series) -> tuple[int, int, list[object]]:
    import pandas as pd

    present = production.dropna()
    known, ids = _pandas_keys(dataset.dropna(), present)
    shared = present[ids.isin(pd.Index(known.unique())).to_numpy()]  # by position: an index may repeat
    return len(shared), len(production), shared.head(SHOWN).tolist()


def _pandas_keys(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Two id columns (no missing values) in one comparable form, by the module's rule."""
    kinds = _pandas_kind(a), _pandas_kind(b)
    if a.dtype == b.dtype:
        return a, b
    if kinds == ("integer", "integer"):
        return a.astype("int64"), b.astype("int64")
    if "text" not in kinds:
        return a.astype("float64"), b.astype("float64")
    return _pandas_text(a), _pandas_text(b)


def _pandas_kind(ids: pd.Series) -> str:
    import pandas as pd

    if pd.api.types.is_bool_dtype(ids.dtype) or not pd.api.types.is_numeric_dtype(ids.dtype):
        return "text"
    return "integer" if pd.api.types.is_integer_dtype(ids.dtype) else "float"


def _pandas_text(ids: pd.Series) -> pd.Series:
    if _pandas_kind(ids) != "float":
        return ids.astype(str)
    whole = ids == ids.round()
    return ids.astype(str).mask(whole, ids.where(whole, 0).astype("int64").astype(str))


def _in_engine(
    session: GateSession, frames: dict[str, pd.DataFrame], rid: str
) -> tuple[int, int, list[object]]:
    dataset, production = _engine_tables(session, frames, [rid])
    known_key, key = _engine_keys(dataset[rid], production[rid])
    known = dataset.select(key=known_key)
    shared = production.select(key=key, id=production[rid]).semi_join(
        known, "key"
    )  # SQL never matches a null
    count = int(shared.count().execute())
    first = shared.limit(SHOWN).execute()["id"].tolist() if count else []
    return count, int(production.count().execute()), first


def _no_id(config: SentinelConfig) -> str:
    """Why rows were matched by value: no id configured, or none shared."""
    rid = config.columns.id
    return "no [columns] id to match on" if rid is None else f"under other {rid} values"


def _values_in_engine(
    session: GateSession, frames: dict[str, pd.DataFrame], columns: list[str]
) -> tuple[int, int, list[object]]:
    """Production rows equal to a dataset row over ``columns`` (``IS NOT DISTINCT FROM``:
    missing equals missing, a float NaN is missing), a semi join in the engine."""
    from sentinel_checks.engine.split_statistics import plain_value

    dataset, production = _engine_tables(session, frames, columns)
    left = production.select(**{c: plain_value(production, c) for c in columns})
    right = dataset.select(**{c: plain_value(dataset, c) for c in columns})
    shared = left.semi_join(right, [left[c].identical_to(right[c]) for c in columns])
    count = int(shared.count().execute())
    timestamp = session.config.columns.timestamp
    first = shared.limit(SHOWN).execute()[timestamp].tolist() if count else []
    return count, int(production.count().execute()), first


def _engine_tables(
    session: GateSession, frames: dict[str, pd.DataFrame], columns: list[str]
) -> tuple[Table, Table]:
    """The dataset and the production sample as engine tables: read where they lie, or
    ``columns`` of their pandas frames."""
    from sentinel_checks.engine.ibis_connection import table_from_frame

    in_pandas = session.materialized()
    backend = session.engine_connection
    assert backend is not None
    dataset = session.engine_source
    if dataset is None or "dataset" in in_pandas:
        dataset = table_from_frame(backend.backend, frames["dataset"][columns], name="sentinel_dataset_rows")
    production = session.engine_production if "production" not in in_pandas else None
    if production is None:
        production = table_from_frame(
            backend.backend, frames["production"][columns], name="sentinel_production_rows"
        )
    return dataset, production


def _engine_keys(a: Column, b: Column) -> tuple[Column, Column]:
    """Two id columns of the engine in one comparable form, by the module's rule (as they are
    when their types agree: a cast costs 1.5 s at 10M rows on DuckDB, the join 0.35 s)."""
    ta, tb = a.type(), b.type()
    if ta == tb:
        return a, b
    if ta.is_integer() and tb.is_integer():
        return a.cast("int64"), b.cast("int64")
    if ta.is_numeric() and tb.is_numeric():
        return a.cast("float64"), b.cast("float64")
    return _engine_text(a), _engine_text(b)


def _engine_text(ids: Column) -> Column:
    if not ids.type().is_floating():
        return ids.cast("string")
    return (ids == ids.floor()).ifelse(ids.cast("int64").cast("string"), ids.cast("string"))
