"""Scoring on Spark: a model's risk scores computed on the executors, batch by batch.

The Spark counterpart of :func:`~sentinel_checks.engine.scores.score_table`. The table's
features and kept columns go through ``DataFrame.mapInArrow``: each Arrow batch is scored
by :func:`~sentinel_checks.engine.scores.scored_batch`, the very function DuckDB's scorer
calls (``batch.select(features).to_pandas()``, then
:func:`~sentinel_checks.models.scoring.risk_scores`), so a row's score is the same float64
on both engines and in pandas. ``mapInArrow`` rather than ``mapInPandas``: Spark's own
Arrow-to-pandas conversion of a batch differs from pyarrow's (e.g. its handling of
nullable integers and timestamps), and the scores must be the same bits.

The model shipped to the executors is the :class:`~sentinel_checks.models.loading.LoadedModel`
the gate loaded on the driver (skops with its ``trusted_types``, pickle only with
``trusted = true``), serialized with the function by Spark: an executor never opens the
model file, so it cannot load it under other rules. The scored rows are persisted
(memory, then disk) so the statistics that read them do not score again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sentinel_checks.engine.engine_errors import out_of_engine_room
from sentinel_checks.engine.scores import SCORE, score_column_table, scored_batch
from sentinel_checks.engine.spark_connection import persist_frame
from sentinel_checks.errors import ModelLoadError
from sentinel_checks.models.loading import LoadedModel

if TYPE_CHECKING:
    import pyarrow as pa
    from ibis.backends.pyspark import Backend
    from ibis.expr.types import Table


def score_table_spark(
    backend: Backend,
    table: Table,
    model: LoadedModel,
    *,
    features: Sequence[str],
    positive: Any,
    keep: Sequence[str],
    name: str,
    releases: list[Callable[[], None]] | None = None,
) -> Table:
    """Score every row of ``table`` with ``model`` on Spark; keep ``keep`` beside the score.

    Parameters
    ----------
    backend : PySpark backend (:func:`~sentinel_checks.engine.spark_connection.connect_spark`)
    table : ibis Table on ``backend``, n rows
    model : LoadedModel
        The loaded model, or the column already holding its scores.
    features, positive, keep
        As :func:`~sentinel_checks.engine.scores.score_table`.
    name : str
        Name of the temporary view of the scored rows (replaced if it exists).
    releases : list of callables, optional
        Where the function that drops the view and frees the persisted rows is appended
        (a run's :meth:`~sentinel_checks.gate.session.GateSession.close` calls it: a
        user's Spark session outlives the gate and would keep the rows otherwise).

    Returns
    -------
    ibis Table, n rows
        The ``keep`` columns, in that order, then :data:`~sentinel_checks.engine.scores.SCORE`
        (float64), equal to :func:`~sentinel_checks.models.scoring.risk_scores` on the whole
        frame bit for bit (``tests/test_engine_spark_scores.py``); not yet checked to be
        finite and in [0, 1].

    Raises
    ------
    ModelLoadError
        A feature or the score column is not in the table, or the model cannot score a
        batch (the message is the scorer's, e.g. naming the model, without the executor's
        traceback).
    Exception
        Spark out of memory or disk while scoring
        (:func:`~sentinel_checks.engine.engine_errors.out_of_engine_room`): Spark's own
        error, which the run records under ``[engine.spark.conf] spark.driver.memory``
        (:func:`~sentinel_checks.gate.engine_setup.out_of_memory_text`), not the model's.
    KeyError
        A ``keep`` column is not in the table.
    """
    from pyspark.sql.types import DoubleType, StructField, StructType

    column = score_column_table(table, model, features=features, keep=keep)
    if column is not None:
        return column
    read = list(dict.fromkeys([*features, *keep]))
    frame = backend._session.sql(backend.compile(table.select(*read)))
    schema = StructType([frame.schema[c] for c in keep] + [StructField(SCORE, DoubleType(), True)])
    features, keep = list(features), list(keep)

    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:  # runs on an executor, with the driver's model
            yield from scored_batch(batch, model, features, positive, keep).to_batches()

    try:  # scored now, once: errors surface here, not in a later statistic
        release = persist_frame(backend._session, frame.mapInArrow(score, schema), name)
    except Exception as error:  # PythonException / Py4JJavaError from the executors
        if out_of_engine_room(error):  # Spark's memory or disk, not the model: told by the run
            raise
        raise ModelLoadError(executor_error(error, model.role)) from None
    if releases is not None:
        releases.append(release)
    return backend.table(name)


#: The last ``Name: message`` line of a Python traceback (an executor's error as Spark relays it).
_RAISED = re.compile(r"^(?:[\w.]+\.)?(\w*(?:Error|Exception)): (.+)$", re.MULTILINE)


def executor_error(error: BaseException, role: str) -> str:
    """The message of the error a scoring batch raised on an executor, without the tracebacks
    Spark wraps it in; the model's role when nothing better is found.

    >>> executor_error(RuntimeError("Traceback ...\\nerrors.ModelLoadError: no predict_proba"), "candidate")
    'no predict_proba'
    """
    found = _RAISED.findall(str(error))
    python = [(kind, text) for kind, text in found if not kind.startswith(("Py4J", "Spark", "Python"))]
    if python:
        kind, text = python[-1]
        return (
            text.strip()
            if kind == "ModelLoadError"
            else f"{role}: the model cannot score: {kind}: {text.strip()}"
        )
    first = str(error).strip().splitlines()
    return f"{role}: the model cannot score on Spark: {first[0] if first else type(error).__name__}"
