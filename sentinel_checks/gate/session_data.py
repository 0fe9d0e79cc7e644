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

    @property
    def dataset(self) -> pd.DataFrame:
        """The offline dataset, timestamps parsed (DataError when empty or unreadable)."""
        from sentinel_checks.data.inputs import load_dataset

        return self._once("dataset", lambda: load_dataset(self.config))

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

        The connection is :attr:`engine_connection`; each split frame is registered
        with its row positions (:func:`~sentinel_checks.engine.ibis_connection.table_from_frame`:
        a zero-copy Arrow view on DuckDB, a temporary view built from Arrow on Spark).
        The frames are still read into pandas first: memory is that of the pandas run.

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

            con = self.engine_connection
            assert con is not None
            try:
                return {
                    name: ibis_connection.table_from_frame(con.backend, frame, name=name)
                    for name, frame in self.splits.items()
                }
            except ValueError as error:
                where = self.config.data.path or self.config.data.loader
                raise DataError(
                    f"[data] engine = '{self.config.data.engine}' cannot read the dataset ({where}): {error}"
                ) from None

        return self._once("engine_tables", register)

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

        return self._once("engine_connection", lambda: open_engine(self.config))

    def close(self) -> None:
        """Release what the run opened: the engine connection, if one was opened.

        Safe to call twice, and when nothing was opened.
        """
        con = self._cache.pop("engine_connection", None)
        self._cache.pop("engine_tables", None)
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

        frame = self._once("production", lambda: load_production(self.config))
        if frame is None:
            raise NotConfigured("no [production] sample configured")
        return frame

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
