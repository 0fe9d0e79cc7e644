"""Scoring at scale: a model's risk scores computed batch by batch over an Ibis table.

The table is streamed out of the engine as Arrow record batches
(``to_pyarrow_batches``); each batch becomes a small pandas frame of the feature
columns, is scored by :func:`~sentinel_checks.models.scoring.risk_scores` (the one
scoring path: the same risky-column rule, the same errors), and its scores, with the
columns the quality statistics need (label, segments, row key), are appended to a
DuckDB table, a few batches at a time (:data:`APPEND_ROWS`). At no time are more than
one batch's features held in memory; the scored table holds only the kept columns and
the score.

The model is the :class:`~sentinel_checks.models.loading.LoadedModel` the gate loads
(skops by default, pickle only with ``trusted = true``): nothing here loads a file.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sentinel_checks.errors import ModelLoadError
from sentinel_checks.models.loading import LoadedModel
from sentinel_checks.models.scoring import risk_scores

if TYPE_CHECKING:
    import pyarrow as pa
    from ibis.backends.duckdb import Backend
    from ibis.expr.types import Table

#: Name of the score column (float64, the probability of the risky class) in a scored table.
SCORE = "__sentinel_score"

#: Rows per Arrow batch streamed through ``predict_proba``: 100k rows of ten features
#: are tens of MiB in pandas, while a model's encoded copy of them stays small.
BATCH_ROWS = 100_000

#: Scored rows gathered before one append to the scored table: at least two of DuckDB's
#: row groups (122,880 rows each; with :data:`BATCH_ROWS` batches, 300k rows an append).
#: An append smaller than a row group costs DuckDB several times more per row (1.5M
#: scored rows in 100k-row appends: 0.72 s; in 245,760-row appends: 0.17 s;
#: docs/benchmarks.md). The gathered rows are the kept columns and the score only (a few
#: MiB), not the features.
APPEND_ROWS = 2 * 122_880

_BATCH_VIEW = "__sentinel_scored_batch"


def score_table(
    con: Backend,
    table: Table,
    model: LoadedModel,
    *,
    features: Sequence[str],
    positive: Any,
    keep: Sequence[str],
    name: str,
    chunk_size: int = BATCH_ROWS,
    append_rows: int = APPEND_ROWS,
    around_batch: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext,
) -> Table:
    """Score every row of ``table`` with ``model`` in Arrow batches; keep ``keep`` beside the score.

    Parameters
    ----------
    con : DuckDB backend, from :func:`~sentinel_checks.engine.ibis_connection.connect_duckdb`
        The connection ``table`` lives on; the scored table is created on it.
    table : ibis Table, n rows
        Holds ``features`` (or the model's score column) and ``keep``.
    model : LoadedModel
        The loaded model, or the column already holding its scores.
    features : sequence of str
        The columns passed to ``predict_proba``, in this order (the model's own list,
        :meth:`LoadedModel.feature_list`).
    positive : scalar
        The risky label (``[columns] positive``); decides the ``predict_proba`` column
        as :func:`~sentinel_checks.models.scoring.positive_column` does.
    keep : sequence of str
        Columns copied beside the score (label, segments, a row key such as
        :data:`~sentinel_checks.engine.ibis_connection.ROW`).
    name : str
        Name of the DuckDB table written (replaced if it exists; dropped again if a
        batch cannot be scored). With a score
        column no table is written: the result is a projection of ``table``.
    chunk_size : int, default :data:`BATCH_ROWS`
        Rows per Arrow batch (and per ``predict_proba`` call).
    append_rows : int, default :data:`APPEND_ROWS`
        Scored rows gathered before they are appended to the table (the last append
        may hold fewer).
    around_batch : callable returning a context manager, default none
        Entered around each batch's ``predict_proba`` (the gate's
        :func:`~sentinel_checks.gate.core_sharing.shared_cores`: one OpenMP thread
        while its drift worker computes). It must not change the scores.

    Returns
    -------
    ibis Table, n rows
        The ``keep`` columns, in that order, then :data:`SCORE` (float64). Scores
        equal :func:`~sentinel_checks.models.scoring.risk_scores` on the whole frame
        exactly (``tests/test_engine_quality_scores.py``); they are not yet checked
        to be finite and in [0, 1] (the quality statistics do that).

    Raises
    ------
    ModelLoadError
        A feature or the score column is not in the table, or the model cannot
        score a batch (the message names the model).
    KeyError
        A ``keep`` column is not in the table.
    ValueError
        ``chunk_size`` or ``append_rows`` is not a positive number of rows.
    """
    if chunk_size < 1 or append_rows < 1:
        raise ValueError(
            f"chunk_size and append_rows must be at least 1 row, got {chunk_size} and {append_rows}"
        )
    column = score_column_table(table, model, features=features, keep=keep)
    if column is not None:
        return column
    read = list(dict.fromkeys([*features, *keep]))
    reader = con.to_pyarrow_batches(table.select(*read), chunk_size=chunk_size)
    # a second connection to the same database: the first one is busy streaming
    writer = con.con.cursor()
    quoted = '"' + name.replace('"', '""') + '"'
    try:
        created, gathered, rows = False, [], 0
        for batch in _batches(reader):
            with around_batch():
                gathered.append(_scored_batch(batch, model, features, positive, keep))
            rows += batch.num_rows
            if rows >= append_rows:
                _append(writer, quoted, gathered, create=not created)
                created, gathered, rows = True, [], 0
        if gathered:
            _append(writer, quoted, gathered, create=not created)
            created = True
        if not created:  # no rows: the table still has its columns
            _append(
                writer, quoted, [_scored_frame(reader.schema.empty_table(), np.empty(0), keep)], create=True
            )
    except BaseException:  # a batch the model cannot score: no half-written table is left behind
        writer.execute(f"DROP TABLE IF EXISTS {quoted}")
        raise
    finally:
        reader.close()
        writer.close()
    from sentinel_checks.engine.ibis_connection import quiet_schema_lookup

    with quiet_schema_lookup():
        return con.table(name)


def score_column_table(
    table: Table, model: LoadedModel, *, features: Sequence[str], keep: Sequence[str]
) -> Table | None:
    """The checks every engine's scorer makes first: ``keep`` and the features (or the
    score column) are in ``table``. Returns the projection ``keep`` + :data:`SCORE` when the
    model is a score column (nothing to score), else ``None``.

    Raises
    ------
    KeyError, ModelLoadError
        As :func:`score_table`.
    """
    for column in keep:
        if column not in table.columns:
            raise KeyError(f"column {column!r} to keep beside the scores is not in the table")
    if model.score_column is not None:
        if model.score_column not in table.columns:
            raise ModelLoadError(
                f"[models.{model.role}] score_column {model.score_column!r} is not in the table"
            )
        return table.select(*keep, **{SCORE: table[model.score_column].cast("float64")})
    missing = [f for f in features if f not in table.columns]
    if missing:
        shown = ", ".join(repr(f) for f in missing)
        raise ModelLoadError(f"{model.role}: feature column {shown} is not in the table")
    return None


def scored_batch(
    batch: pa.RecordBatch, model: LoadedModel, features: Sequence[str], positive: Any, keep: Sequence[str]
) -> pa.Table:
    """One Arrow batch scored: its ``keep`` columns and :data:`SCORE`; the features go to
    :func:`~sentinel_checks.models.scoring.risk_scores` as ``batch.select(features).to_pandas()``
    (the same conversion on every engine, so the scores are the same bits)."""
    return _scored_batch(batch, model, features, positive, keep)


def _batches(reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
    """The reader's batches. Ibis 12 streams DuckDB results with ``fetch_record_batch``,
    which DuckDB 1.5 deprecates (for ``to_arrow_reader``); the warning is Ibis' to fix and
    is silenced here, at each read, by its message only."""
    while True:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message=r"fetch_record_batch\(\) is deprecated", category=DeprecationWarning
            )
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
        yield batch


def _scored_batch(
    batch: pa.RecordBatch, model: LoadedModel, features: Sequence[str], positive: Any, keep: Sequence[str]
) -> pa.Table:
    import pyarrow as pa

    frame = batch.select(list(features)).to_pandas()
    scores = risk_scores(model, frame, features=list(features), positive=positive)
    return _scored_frame(pa.Table.from_batches([batch]), scores, keep)


def _scored_frame(arrow: pa.Table, scores: np.ndarray, keep: Sequence[str]) -> pa.Table:
    import pyarrow as pa

    return arrow.select(list(keep)).append_column(SCORE, pa.array(np.asarray(scores, dtype=np.float64)))


def _append(writer: Any, quoted: str, gathered: list[pa.Table], *, create: bool) -> None:
    """The gathered scored batches, in order, appended to the scored table in one statement."""
    import pyarrow as pa

    writer.register(_BATCH_VIEW, pa.concat_tables(gathered))
    try:
        if create:
            writer.execute(f"CREATE OR REPLACE TABLE {quoted} AS SELECT * FROM {_BATCH_VIEW}")
        else:
            writer.execute(f"INSERT INTO {quoted} SELECT * FROM {_BATCH_VIEW}")
    finally:
        writer.unregister(_BATCH_VIEW)
