"""The data of one gate run, loaded lazily and once: the dataset, its feature columns,
the splits and their labels, and the production sample.

:class:`SessionData` is the base of :class:`~sentinel_checks.gate.session.GateSession`,
which adds the models, their evaluations, drift runs and champion comparisons; both
cache through :func:`~sentinel_checks.gate.cache.once`, errors included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sentinel_checks.gate.cache import NotConfigured, once

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from ibis.expr.types import Table

    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.data.splits import Splits
    from sentinel_checks.gate.drift_worker import PendingCall
    from sentinel_checks.gate.engine_setup import EngineConnection

T = TypeVar("T")


class SessionData:
    """The configured data of one gate run, each input computed on first use and cached.

    A subclass sets :attr:`config` and :attr:`_cache` (inputs already loaded, by name);
    see :class:`~sentinel_checks.gate.session.GateSession`.
    """

    config: SentinelConfig
    _cache: dict[str, Any]

    def _once(self, key: str, compute: Callable[[], T]) -> T:
        return once(self._cache, key, compute)

    def run_call(self, call: PendingCall) -> Any:
        """``call`` made here (:class:`~sentinel_checks.gate.session_evidently.SessionEvidently`
        hands it to the drift worker when one runs)."""
        return call.run()

    @property
    def dataset(self) -> pd.DataFrame:
        """The offline dataset, timestamps parsed (DataError when empty or unreadable).

        A ``[data] table`` is read from :attr:`engine_source` (ordered by its row
        positions); a path or loader by :func:`~sentinel_checks.data.inputs.load_dataset`.
        Either way it is read into pandas once per run, on first use: when the engine
        splits the data where it lies, only steps that still need rows read it.
        """
        from sentinel_checks.data.inputs import load_dataset

        if self.config.data.table is None:
            return self._once("dataset", lambda: load_dataset(self.config))

        def from_table() -> pd.DataFrame:
            from sentinel_checks.data.io import prepare_frame
            from sentinel_checks.engine.ibis_connection import frame_from_table
            from sentinel_checks.errors import DataError

            source = self.engine_source
            assert source is not None
            frame = frame_from_table(source)
            frame.attrs["sentinel_origin"] = f"table {self.config.data.table}"
            if frame.empty:
                raise DataError(f"dataset table {self.config.data.table} has no rows")
            return prepare_frame(frame, self.config, what="dataset")

        return self._once("dataset", from_table)

    @property
    def engine_source(self) -> Table | None:
        """The dataset as a table of the run's engine, read where it lies, with each row's
        position in :data:`~sentinel_checks.engine.ibis_connection.ROW` (its row in
        :attr:`dataset`); ``None`` when the engine does not read it there: ``[data]
        engine = "pandas"``, a loader, a CSV file, or parquet on Spark with a timestamp
        column stored at nanoseconds (whose frames are sent to Spark as Arrow instead).

        A parquet ``[data] path`` is :func:`~sentinel_checks.engine.parquet_tables.table_from_parquet`
        (a file, a directory or a glob; DuckDB or Spark); a ``[data] table`` is
        :func:`~sentinel_checks.engine.ibis_connection.table_from_catalog` on either engine.

        Raises
        ------
        DataError
            The table does not exist (naming it and close names), or the files cannot be read.
        ConfigError
            The engine cannot be connected.
        """
        data = self.config.data
        if data.engine == "pandas" or data.loader is not None:
            return None
        if data.table is None:
            from sentinel_checks.data.io import format_from_suffix
            from sentinel_checks.data.parquet_files import is_many

            assert data.path is not None
            parquet = data.format == "parquet" or (
                data.format == "auto" and (is_many(data.path) or format_from_suffix(data.path) == "parquet")
            )
            if not parquet:
                return None

        def read() -> Table | None:
            from sentinel_checks.engine import ibis_connection, parquet_tables
            from sentinel_checks.engine.spark_parquet import ParquetNotOnSpark
            from sentinel_checks.errors import DataError

            con = self.engine_connection
            assert con is not None
            try:
                if data.table is not None:
                    return ibis_connection.table_from_catalog(con.backend, data.table)
                assert data.path is not None
                return parquet_tables.table_from_parquet(con.backend, data.path, name="sentinel_dataset")
            except ParquetNotOnSpark as error:  # nanosecond timestamps: Spark gets the pandas frames
                self.note(f"[data] path was read through pandas, not where it lies on Spark: {error}")
                return None
            except LookupError as error:
                raise DataError(f"[data] table: {error}") from None
            except (FileNotFoundError, OSError) as error:
                raise DataError(f"[data] path: {error}") from None
            except Exception as error:  # the engine's own: out of memory or disk reading the files
                from sentinel_checks.engine.engine_errors import out_of_engine_room
                from sentinel_checks.gate.engine_setup import hold_failure

                if not out_of_engine_room(error):
                    raise
                raise hold_failure(self.config, "read the dataset where it lies", error) from None

        return self._once("engine_source", read)

    @property
    def features(self) -> list[str]:
        """The feature columns, each present in the dataset."""
        from sentinel_checks.data.io import feature_columns

        return self._once(
            "features", lambda: feature_columns(self.dataset, self.config, require_present=True)
        )

    @property
    def splits(self) -> Splits:
        """train/val/test as the config makes them."""
        from sentinel_checks.data.splits import build_splits

        return self._once("splits", lambda: build_splits(self.dataset, self.config))

    @property
    def engine_tables(self) -> dict[str, Table] | None:
        """The splits as Ibis tables on the run's engine, registered once per run;
        ``None`` with ``[data] engine = "pandas"`` (the engine is then never imported).

        The connection is :attr:`engine_connection`. When the engine reads the data where
        it lies (:attr:`engine_source`), the splits are made there
        (:mod:`~sentinel_checks.engine.split_tables`, after the pandas split, whose
        boundaries they use); otherwise each split frame is registered with its row
        positions (:func:`~sentinel_checks.engine.ibis_connection.table_from_frame`: a
        zero-copy Arrow view on DuckDB, a temporary view built from Arrow on Spark).
        Splits made in the engine do not read the dataset into pandas; a step that
        still needs the pandas splits reads them on first use (:attr:`splits`).

        Raises
        ------
        ConfigError
            The engine cannot be connected (see :attr:`engine_connection`).
        DataError
            A split holds a column the engine cannot read (named), or the data cannot
            be loaded or split.
        """
        if self.config.data.engine == "pandas":
            return None

        def register() -> dict[str, Table]:
            from sentinel_checks.engine import ibis_connection
            from sentinel_checks.errors import DataError
            from sentinel_checks.gate.held_splits import hold_splits

            con = self.engine_connection
            assert con is not None
            try:
                in_engine = self._once("engine_split_plan", self._split_in_engine)
                if in_engine is not None:
                    return hold_splits(in_engine, cache=self._cache, config=self.config)
                if self.engine_source is not None:
                    ibis_connection.check_microseconds(self.dataset, name="the dataset")
                return {
                    # prefixed: on a user's Spark session a view named "train" may be theirs
                    name: ibis_connection.table_from_frame(con.backend, frame, name=f"sentinel_{name}")
                    for name, frame in self.splits.items()
                }
            except ValueError as error:
                where = self.config.data.path or self.config.data.loader or f"table {self.config.data.table}"
                raise DataError(
                    f"[data] engine = '{self.config.data.engine}' cannot read the dataset ({where}): {error}"
                ) from None

        return self._once("engine_tables", register)

    def _held_for_run(self, table: Table) -> Table:
        """``table`` computed once and held by the engine until :meth:`close`
        (:func:`~sentinel_checks.engine.held_table.hold`): a split or production read
        where it lies is not recomputed (and, on Spark, re-planned) by every statistic."""
        from sentinel_checks.engine.held_table import hold

        out, release = hold(table, prefix="sentinel_split")
        self._cache.setdefault("engine_releases", []).append(release)
        return out

    def _split_in_engine(self) -> dict[str, Table] | None:
        """train/val/test split in the engine; ``None`` here (the frames are registered).
        :class:`~sentinel_checks.gate.session_engine.SessionEngine` splits there."""
        return None

    def engine_table(self, name: str) -> Table | None:
        """A split (``"train"``, ``"val"``, ``"test"``) or ``"production"`` as a table of the
        run's engine, with :data:`~sentinel_checks.engine.ibis_connection.ROW` holding
        0..n-1 in the pandas frame's order; ``None`` with ``[data] engine = "pandas"``.

        The splits are :attr:`engine_tables`; the production sample is registered from
        :attr:`production` once per run
        (:func:`~sentinel_checks.engine.ibis_connection.table_from_frame`).

        Raises
        ------
        NotConfigured
            ``name`` is ``"production"`` and no ``[production]`` sample is configured.
        DataError, ConfigError
            As :attr:`engine_tables` and :attr:`production`.
        """
        tables = self.engine_tables
        if tables is None:
            return None
        if name != "production":
            return tables[name]

        def register() -> Table:
            from sentinel_checks.engine import ibis_connection
            from sentinel_checks.errors import DataError

            con = self.engine_connection
            assert con is not None
            try:
                return ibis_connection.table_from_frame(
                    con.backend, self.production, name="sentinel_production"
                )
            except ValueError as error:
                raise DataError(
                    f"[data] engine = '{self.config.data.engine}' cannot read the production sample: {error}"
                ) from None

        return self._once("engine_production", register)

    @property
    def engine_connection(self) -> EngineConnection | None:
        """The run's one engine connection (``[engine.duckdb]`` or ``[engine.spark]``),
        opened on first use; ``None`` with ``[data] engine = "pandas"``.

        A Spark session the gate built is stopped by :meth:`close`; a user's own
        (``[engine.spark] session``) is left running.

        Raises
        ------
        ConfigError
            The engine cannot be connected; the message names the ``[engine.*]`` key.
        """
        if self.config.data.engine == "pandas":
            return None
        from sentinel_checks.gate.engine_setup import open_engine

        def connect() -> EngineConnection:
            connection = open_engine(self.config)
            self._cache["engine_notes"] = connection.notes  # kept by close(): reports come later
            return connection

        return self._once("engine_connection", connect)

    @property
    def engine_notes(self) -> tuple[str, ...]:
        """What the engine left for ``gate.json``'s ``notes``, first seen first: what
        connecting it said (e.g. the ``[engine.spark]`` keys a running Spark session made
        the gate ignore), then each silent fallback to pandas during the run
        (:meth:`note`: a parquet file Spark cannot read, a contract check the engine
        cannot count). Empty when no engine was connected and nothing fell back."""
        return (*self._cache.get("engine_notes", ()), *self._cache.get("run_notes", ()))

    def note(self, text: str) -> None:
        """Record ``text`` for :attr:`engine_notes` (once, however often a step says it):
        what the run did other than the config asks, e.g. read a file through pandas."""
        notes: list[str] = self._cache.setdefault("run_notes", [])
        if text not in notes:
            notes.append(text)

    def close(self) -> None:
        """Release what the run opened: the tables the engine holds, then the engine
        connection, if one was opened.

        Safe to call twice, and when nothing was opened. Every release is tried and the
        connection closed even when one raises (e.g. a user's Spark session stopped
        first); the first error is raised afterwards.
        """
        con = self._cache.pop("engine_connection", None)
        releases = self._cache.pop("engine_releases", [])
        for key in (
            "engine_tables",
            "engine_split_plan",
            "engine_source",
            "engine_production",
            "engine_production_in_place",
        ):
            self._cache.pop(key, None)
        from sentinel_checks.engine.held_table import release_all

        try:
            # last held first: what reads a held table (a split's scores) goes before that table
            release_all(releases[::-1])
        finally:
            if con is not None and hasattr(con, "close"):
                con.close()

    @property
    def split_labels(self) -> dict[str, np.ndarray]:
        """Per split, the label as a boolean array (True = risky)."""
        from sentinel_checks.data.io import binary_target

        def labels() -> dict[str, np.ndarray]:
            return {
                name: binary_target(frame, self.config, what=f"{name} split")
                for name, frame in self.splits.items()
            }

        return self._once("split_labels", labels)

    @property
    def has_production(self) -> bool:
        if "production" in self._cache:
            return self._cache["production"] is not None
        return self.config.production is not None

    @property
    def production(self) -> pd.DataFrame:
        """The production sample; NotConfigured when ``[production]`` is absent."""
        from sentinel_checks.data.inputs import load_production

        source = self.config.production
        if source is not None and source.table is not None:
            frame = self._once("production", lambda: self._production_table(source.table))
        else:
            frame = self._once("production", lambda: load_production(self.config))
        if frame is None:
            raise NotConfigured("no [production] sample configured")
        return frame

    def _production_table(self, name: str | None) -> pd.DataFrame:
        """``[production] table`` read from the run's engine catalog, timestamps parsed."""
        from sentinel_checks.data.io import prepare_frame
        from sentinel_checks.engine import ibis_connection
        from sentinel_checks.errors import DataError

        assert name is not None
        con = self.engine_connection
        if con is None:
            raise DataError(
                f"[production] table = {name!r} is a table of an engine's catalog: set [data] engine "
                "= 'duckdb' (and [engine.duckdb] database) or 'spark'"
            )
        try:
            frame = ibis_connection.frame_from_table(ibis_connection.table_from_catalog(con.backend, name))
        except LookupError as error:
            raise DataError(f"[production] table: {error}") from None
        frame.attrs["sentinel_origin"] = f"table {name}"
        return prepare_frame(frame, self.config, what="production")

    def frame(self, name: str) -> pd.DataFrame:
        """A split (train, val, test) or the production sample, by name.

        Parameters
        ----------
        name : str
            ``"train"``, ``"val"``, ``"test"`` or ``"production"``.

        Returns
        -------
        DataFrame

        Raises
        ------
        NotConfigured
            ``name`` is ``"production"`` and no ``[production]`` sample is configured.
        DataError, ConfigError
            The data cannot be loaded or split.
        """
        return self.production if name == "production" else self.splits[name]
