"""The production sample's columns and dtypes without its rows, when the engine reads it
where it lies.

:class:`SessionProduction` sits between
:class:`~sentinel_checks.gate.session_quality.SessionQuality` and
:class:`~sentinel_checks.gate.session_drift.SessionDrift`. When DuckDB reads a parquet
``[production] path`` in place
(:meth:`~sentinel_checks.gate.session_engine.SessionEngine.engine_table`), the
production contract is judged as the dataset's is: pandera on a zero-row frame with the
dtypes pandas would read (:attr:`engine_production_typed_frame`), engine counts for the
row-level checks (:mod:`~sentinel_checks.engine.contract_counts`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel_checks.gate.session_quality import SessionQuality

if TYPE_CHECKING:
    import pandas as pd
    from ibis.expr.types import Table


class SessionProduction(SessionQuality):
    """The production sample's typed columns, read from its parquet footers."""

    @property
    def engine_production(self) -> Table | None:
        """The production sample as the engine reads it where it lies; ``None`` when it is
        not read there (no sample, pandas, a loader, CSV, a text time column, a catalog
        table) or its frame is already in memory (then :attr:`production` is read).

        Raises
        ------
        DataError
            As :meth:`~sentinel_checks.gate.session_engine.SessionEngine.engine_table`.
        """
        if self.config.production is None or "production" in self._cache:
            return None
        return self._production_in_place()

    @property
    def engine_production_typed_frame(self) -> pd.DataFrame | None:
        """The production sample's columns with the dtypes pandas reads them as, and no
        rows (the parquet schema converted as :func:`~sentinel_checks.data.io.load_frame`
        converts it, timestamps parsed by :func:`~sentinel_checks.data.io.prepare_frame`);
        ``None`` when :attr:`engine_production` is ``None``.

        Raises
        ------
        DataError
            The files cannot be read, or their schemas differ.
        """
        if self.engine_production is None:
            return None

        def read() -> pd.DataFrame:
            import pandas as pd
            import pyarrow as pa
            import pyarrow.parquet as pq

            from sentinel_checks.data.io import prepare_frame
            from sentinel_checks.data.parquet_files import is_many, read_parquet_files

            source = self.config.production
            assert source is not None and source.path is not None
            path = source.path
            if is_many(path):
                frame = read_parquet_files(path, what="production", rows=0)
            else:
                mapping = {
                    pa.string(): pd.StringDtype("pyarrow"),
                    pa.large_string(): pd.StringDtype("pyarrow"),
                }
                frame = pq.read_schema(path).empty_table().to_pandas(types_mapper=mapping.get)
            frame.attrs["sentinel_origin"] = str(path)
            return prepare_frame(frame, self.config, what="production")

        return self._once("engine_production_typed_frame", read)
