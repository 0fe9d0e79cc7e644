"""The data of one gate run split where it lies: the engine splits a table read in place
without the dataset ever being read into pandas.

:class:`SessionEngine` sits between :class:`~sentinel_checks.gate.session_data.SessionData`
and the models (``GateSession``'s bases). When the engine reads the dataset where it lies
(:attr:`~SessionData.engine_source`) and the split is one a filter expresses
(``method = "time"`` on a datetime or numeric column, or ``method = "column"``), the
checks the pandas split makes are made on engine counts, in the same words: no rows,
timestamps finer than a microsecond, a missing time or split column, missing timestamps,
split values outside the three, boundaries or an embargo not in the column's units
(read from the column's type: :class:`~sentinel_checks.data.time_axis.TimeAxis`),
boundaries that do not increase. :attr:`features` comes from the table's columns and
:attr:`engine_purge` counts what the purge cost. ``dataset``, ``splits`` and
``split_labels`` stay lazy: a step that still needs rows reads them on first touch
(:meth:`materialized` lists which were read).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel_checks.engine.ibis_connection import MICROSECONDS_FIX
from sentinel_checks.gate.cache import Failed
from sentinel_checks.gate.session_data import SessionData

if TYPE_CHECKING:
    import pandas as pd
    from ibis.expr.types import Table

    from sentinel_checks.data.time_axis import TimeAxis
    from sentinel_checks.entities import PurgeLoss

#: The per-row pandas inputs a session may read; :meth:`SessionEngine.materialized` lists the ones read.
PANDAS_INPUTS = ("dataset", "splits", "split_labels", "production")


class SessionEngine(SessionData):
    """:class:`SessionData` whose splits are made and checked in the engine when it can."""

    def materialized(self) -> list[str]:
        """The per-row pandas inputs (:data:`PANDAS_INPUTS`) read so far, in that order; a
        failed read is not listed. With the engine reading the data where it lies, a run of
        the data and split steps leaves ``dataset`` and ``splits`` out of it."""
        return [k for k in PANDAS_INPUTS if k in self._cache and not isinstance(self._cache[k], Failed)]

    def loaded_frames(self) -> dict[str, pd.DataFrame]:
        """The frames the run's loaders returned and it read (none is read here), by input
        (``"dataset"``, ``"production"``): what gate.json fingerprints of a loader."""
        sources = {"dataset": self.config.data, "production": self.config.production}
        read = {name: self._cache.get(name) for name, source in sources.items() if source and source.loader}
        return {name: got for name, got in read.items() if got is not None and not isinstance(got, Failed)}

    @property
    def features(self) -> list[str]:
        """The feature columns, each present in the dataset; from the engine table's columns
        when the dataset is read where it lies and not yet in pandas (the same list: the
        frame's columns are the table's, in order)."""
        import pandas as pd

        from sentinel_checks.data.io import feature_columns
        from sentinel_checks.engine.ibis_connection import ROW

        def listed() -> list[str]:
            source = None if "dataset" in self._cache else self.engine_source
            if source is None:
                return feature_columns(self.dataset, self.config, require_present=True)
            schema = pd.DataFrame(columns=[c for c in source.columns if c != ROW])
            schema.attrs["sentinel_origin"] = self._origin()
            return feature_columns(schema, self.config, require_present=True)

        return self._once("features", listed)

    def _origin(self) -> str:
        data = self.config.data
        return f"table {data.table}" if data.table is not None else str(data.path)

    @property
    def engine_time_axis(self) -> TimeAxis | None:
        """The ``[columns] timestamp`` column as the engine types it (datetime or number, its
        zone, its rows); ``None`` when the engine does not read the dataset where it lies, or
        the column is absent or of another type (text: pandas parses it)."""
        from sentinel_checks.data.time_axis import ROW_ORDER, TimeAxis
        from sentinel_checks.engine import split_checks

        source, ts = self.engine_source, self.config.columns.timestamp
        if source is None or ts is None or ts == ROW_ORDER or ts not in source.columns:
            return None
        kind = source[ts].type()
        if not (kind.is_timestamp() or kind.is_integer() or kind.is_floating()):
            return None

        def axis() -> TimeAxis:
            rows = split_checks.row_count(source)
            zone = self._parquet_zone(ts) if kind.is_timestamp() and kind.timezone else None
            return TimeAxis(
                name=ts,
                datetime=kind.is_timestamp(),
                tz=zone or (kind.timezone if kind.is_timestamp() else None),
                rows=rows,
                example=lambda: str(split_checks.value_at(source, ts, rows // 2)),
            )

        return self._once("engine_time_axis", axis)

    def _parquet_zone(self, column: str) -> str | None:
        """The zone pandas reads ``column`` of the parquet ``[data] path`` in (its Arrow type's)."""
        if self.config.data.path is None:
            return None
        import pyarrow.parquet as pq

        from sentinel_checks.data.parquet_files import is_many, parquet_files

        path = self.config.data.path
        first = parquet_files(path).files[0] if is_many(path) else path
        kind = pq.read_schema(first).field(column).type
        return getattr(kind, "tz", None)

    def hold_engine_splits(self) -> None:
        """Make and hold the splits where the data lies now, if the engine makes them (what
        :attr:`engine_tables` does on first use, cached: the preflight calls this so that a
        split the engine cannot hold stops the run before any check, and no split is held
        again). Nothing is done when the splits are not made in the engine; an error of the
        split itself is cached for the checks, which report it as before.

        Raises
        ------
        EngineResourceError
            The engine ran out of memory or disk holding a split (names it and the fix).
        UnreadableDataFile
            The engine could not read a file of the data holding a split (names it).
        """
        from sentinel_checks.errors import EngineResourceError, SentinelError, UnreadableDataFile

        if self.config.data.engine == "pandas":
            return
        try:
            made = self._once("engine_split_plan", self._split_in_engine)
            if made is not None:
                _ = self.engine_tables
        except (EngineResourceError, UnreadableDataFile):
            raise
        except (SentinelError, ValueError):
            return  # cached: engine_tables raises it to each check, in its words

    def _split_in_engine(self) -> dict[str, Table] | None:
        """train/val/test split in the engine from :attr:`engine_source`, checked there, not
        yet purged of shared entities nor renumbered
        (:func:`~sentinel_checks.gate.held_splits.hold_splits` purges by the keys this
        sets, holding each step, then holds and renumbers each split);
        ``None`` when the splits cannot be made there (no source read where it lies,
        ``method = "callable"``, ``timestamp = "@row"``, a time column held as text or
        booleans, a split column whose values are not of its type): the caller then
        registers the pandas splits, whose errors are the run's.

        Raises
        ------
        DataError, ConfigError
            As :func:`~sentinel_checks.data.splits.build_splits` raises them, same words.
        ValueError
            A datetime column holds sub-microsecond parts (the caller names the dataset).
        """
        from sentinel_checks.data.time_axis import ROW_ORDER
        from sentinel_checks.engine import split_checks
        from sentinel_checks.errors import DataError

        source, spec = self.engine_source, self.config.splits
        row_order = spec.method == "time" and self.config.columns.timestamp == ROW_ORDER
        if source is None or spec.method == "callable" or row_order:
            return None
        if split_checks.row_count(source) == 0:
            raise DataError(f"dataset {self._origin()} has no rows")
        finer = split_checks.finer_than_microseconds(source)
        if finer is not None:
            raise ValueError(
                f"column {finer!r} of the dataset has timestamps finer than a microsecond; "
                f"the engine compares microseconds ({MICROSECONDS_FIX.format(column=finer)})"
            )
        if spec.method == "column":
            return self._split_by_column(source)
        return self._split_by_time(source)

    def _split_by_column(self, source: Table) -> dict[str, Table] | None:
        from sentinel_checks.engine import split_checks, split_tables
        from sentinel_checks.errors import DataError

        spec = self.config.splits
        column = spec.column
        assert column is not None
        if column not in source.columns:
            raise DataError(f"{self._origin()}: split column {column!r} ([splits] column) is missing")
        values = {"train": spec.train_value, "val": spec.val_value, "test": spec.test_value}
        kind = source[column].type()
        typed = (
            (kind.is_string(), str),
            (kind.is_integer(), int),
            (kind.is_boolean(), bool),
        )
        if not any(is_kind and all(type(v) is t for v in values.values()) for is_kind, t in typed):
            written = ", ".join(f"{k}_value = {v!r}" for k, v in values.items())
            self._note_split_fallback(
                source,
                f"[splits] {written} are not all of the type of split column {column!r} ({kind}), and "
                "pandas compares across types",
                f"write the three values as {kind} values",
            )
            return None  # pandas compares across types; its split decides
        known = [spec.train_value, spec.val_value, spec.test_value]
        count, shown = split_checks.unknown_values(source, column, known)
        if count:
            raise DataError(
                f"{self._origin()}: split column {column!r} has {count} row(s) with "
                f"values other than {list(dict.fromkeys(known))}, e.g. {shown}; set train_value/val_value/"
                "test_value under [splits] or filter those rows in a loader"
            )
        self._cache["engine_split"] = "column"
        return split_tables.split_by_column(source, column, values)

    def _split_by_time(self, source: Table) -> dict[str, Table] | None:
        from sentinel_checks.data.time_axis import boundary, embargo_gap
        from sentinel_checks.engine import split_tables
        from sentinel_checks.engine.columns import missing_count
        from sentinel_checks.entities import entity_columns
        from sentinel_checks.errors import ConfigError, DataError

        spec, ts = self.config.splits, self.config.columns.timestamp
        if ts is None:
            raise ConfigError(f"{self.config.source}: [splits] method = 'time' needs [columns] timestamp")
        if ts not in source.columns:
            raise DataError(f"{self._origin()}: timestamp column {ts!r} is missing")
        axis = self.engine_time_axis
        if axis is None:
            self._note_split_fallback(
                source,
                f"its time column {ts!r} is stored as {source[ts].type()}, not as datetimes or numbers",
                "store it as a timestamp (pd.to_datetime before writing the parquet)",
            )
            return None  # text or booleans: pandas parses or refuses them
        nulls = missing_count(source, ts)
        if nulls:
            raise DataError(
                f"column {ts!r} has {nulls} null timestamp(s): such rows cannot be placed in a time split"
            )
        assert spec.val_start is not None and spec.test_start is not None
        v = boundary(spec.val_start, axis, "val_start")
        t = boundary(spec.test_start, axis, "test_start")
        e = None if spec.end is None else boundary(spec.end, axis, "end")
        gap = embargo_gap(spec.embargo, axis)
        if not v < t or (e is not None and not t < e):
            raise ConfigError(f"split boundaries must increase: val_start={v}, test_start={t}, end={e}")
        entities = self.config.columns.entities if spec.purge_entities else ()
        for part in (name for key in entities for name in entity_columns(key)):
            if part not in source.columns:  # pandas' words (purge_entity_overlap)
                raise DataError(f"entity column {part!r} is missing; cannot purge entity overlap")
        self._cache["engine_split"] = "time"
        self._cache["engine_windows"] = split_tables.time_windows(
            source, ts, val_start=v, test_start=t, end=e, gap=gap
        )
        self._cache["engine_purge_keys"] = tuple(entities)  # purged as they are held
        return self._cache["engine_windows"]

    def _note_split_fallback(self, source: Table, why: str, fix: str) -> None:
        """Note (:meth:`note`) that the dataset is split through pandas, not where it lies:
        ``why``, the cost (its rows read into memory, an engine count) and ``fix``."""
        from sentinel_checks.engine import split_checks

        rows = split_checks.row_count(source)
        self.note(
            f"[data] the splits were made through pandas, not where the data lies: {why}; the dataset "
            f"({self._origin()}, {rows:,} rows) is read into memory. To split it where it lies, {fix}"
        )

    @property
    def engine_purge(self) -> tuple[PurgeLoss, ...] | None:
        """What ``[splits] purge_entities`` cost val and test, counted in the engine (equal to
        ``splits.purge``); ``()`` when the splits are not purged; ``None`` when the engine
        did not split the data (read ``splits.purge`` then)."""
        tables = self.engine_tables
        method, windows = self._cache.get("engine_split"), self._cache.get("engine_windows")
        if tables is None or method is None:
            return None
        if method != "time" or not self.config.splits.purge_entities:
            return ()
        from sentinel_checks.engine import split_checks

        columns = self.config.columns
        assert windows is not None  # set with method "time"

        def count() -> tuple[PurgeLoss, ...]:
            return split_checks.purge_losses(windows, tables, label=columns.label, positive=columns.positive)

        return self._once("engine_purge", count)

    @property
    def engine_typed_frame(self) -> pd.DataFrame | None:
        """The dataset's columns with the dtypes pandas reads them as, and no rows (the
        parquet schema converted as the reader converts it; a catalog table's first zero
        rows); ``None`` when the dataset is not read where it lies, is already in pandas,
        or its time column is one pandas parses (text). What the engine's contract check
        reads the column-level checks (dtypes, missing columns) from."""
        ts = self.config.columns.timestamp
        source = None if "dataset" in self._cache else self.engine_source
        if source is None or (ts is not None and ts in source.columns and self.engine_time_axis is None):
            return None

        def read() -> pd.DataFrame:
            import pandas as pd
            import pyarrow as pa
            import pyarrow.parquet as pq

            from sentinel_checks.data.io import prepare_frame
            from sentinel_checks.data.parquet_files import is_many, read_parquet_files
            from sentinel_checks.engine.ibis_connection import frame_from_table

            path = self.config.data.path
            if path is None:
                frame = frame_from_table(source.limit(0))
            elif is_many(path):
                frame = read_parquet_files(path, rows=0)
            else:
                mapping = {
                    pa.string(): pd.StringDtype("pyarrow"),
                    pa.large_string(): pd.StringDtype("pyarrow"),
                }
                frame = pq.read_schema(path).empty_table().to_pandas(types_mapper=mapping.get)
            frame.attrs["sentinel_origin"] = self._origin()
            return prepare_frame(frame, self.config, what="dataset")

        return self._once("engine_typed_frame", read)

    def engine_label_counts(self, split: str) -> tuple[int, int] | None:
        """Risky and safe rows of ``split`` counted in the engine (what ``contract.labels``
        reads of :attr:`split_labels`, :func:`~sentinel_checks.engine.labels.label_counts`);
        ``None`` when the engine did not split the data (read :attr:`split_labels` then).

        Raises
        ------
        DataError
            As :func:`~sentinel_checks.data.labels.binary_target`, same words: the label
            column missing, null labels, values other than positive/negative.
        """
        from sentinel_checks.engine.labels import label_counts
        from sentinel_checks.errors import DataError

        tables = self.engine_tables
        if tables is None or self._cache.get("engine_split") is None:
            return None
        table, col = tables[split], self.config.columns
        if col.label not in table.columns:
            raise DataError(f"{self._origin()}: label column {col.label!r} is missing")

        def count() -> tuple[int, int]:
            risky, labelled = label_counts(
                table, col.label, positive=col.positive, negative=col.negative, where=self._origin()
            )
            return risky, labelled - risky

        return self._once(f"engine_label_counts:{split}", count)

    def engine_table(self, name: str) -> Table | None:
        """As :meth:`SessionData.engine_table`; with DuckDB or Spark and a parquet ``[production]
        path`` (file, directory or glob) whose time column is stored as datetimes or
        numbers, ``"production"`` is read where it lies
        (:func:`~sentinel_checks.engine.parquet_tables.table_from_parquet`, rows numbered
        in the frame's order) instead of registering :attr:`production`, unless that frame
        is already in memory.

        Raises
        ------
        DataError
            The files cannot be read, or a datetime column holds sub-microsecond parts
            (in the words the registered frame is refused with).
        """
        if name == "production" and "production" not in self._cache:
            table = self._production_in_place()
            if table is not None:
                return table
        return super().engine_table(name)

    def _production_in_place(self) -> Table | None:
        """:func:`~sentinel_checks.gate.production_in_place.production_in_place` of this session."""
        from sentinel_checks.gate.production_in_place import production_in_place

        return production_in_place(self)
