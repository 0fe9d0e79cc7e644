"""The engine seam: statistics computed where the data lives, written once against Ibis.

* :mod:`~sentinel_checks.engine.ibis_connection` connects DuckDB (embedded, no server)
  and reads parquet files, directories, globs and pandas frames (via Arrow) into Ibis
  tables. It is the only module that knows DuckDB.
* :mod:`~sentinel_checks.engine.spark_connection` gets a Spark session (built from
  ``[engine.spark]`` or the user's own) and registers Arrow tables on it; the only
  module that knows PySpark.
* :mod:`~sentinel_checks.engine.split_statistics`: per-split time ranges and
  out-of-order counts, entity overlap.
* :mod:`~sentinel_checks.engine.row_repeats`: exact multi-column row overlap, and the
  columns unique per row.
* :mod:`~sentinel_checks.engine.leakage_statistics`: the count-based univariate ROC AUC.
* :mod:`~sentinel_checks.engine.columns` (missing as pandas' ``isna`` counts it, a scalar
  as a literal) and :mod:`~sentinel_checks.engine.labels` (risky rows, the label checked
  as ``risky_mask`` checks it): what the other modules build on.

Each statistic returns the same small object as its pandas counterpart in
:mod:`sentinel_checks.stats` (:class:`~sentinel_checks.stats.leakage.TimeRange`,
:class:`~sentinel_checks.stats.leakage.SharedIds`,
:class:`~sentinel_checks.stats.row_repeats.RowRepeats`), so a check cannot tell which
engine computed it; the parity tests (``tests/test_engine_parity.py``) hold them equal.
Identity is decided by joins on values, never by an engine's ``hash()`` (DuckDB's and
Spark's differ, and Spark's 32-bit one collides at about 77k distinct values).

Ibis and DuckDB are an optional extra (``pip install 'gradient-sentinel[engine]'``),
PySpark another (``[spark]``); they are imported when this package is used, not by the
rest of the library.
"""
