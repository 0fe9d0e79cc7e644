"""A model's evaluation from engine counts: no per-row array of a split is read to build it.

With ``[data] engine = "duckdb"`` :meth:`SessionModels.evaluation
<sentinel_checks.gate.session_models.SessionModels.evaluation>` builds each split's
:class:`~sentinel_checks.models.evaluation.SplitScores` from the model's scored table
(:meth:`~sentinel_checks.gate.session_models.SessionModels.labelled_scores`): the
invalid scores are counted there (NULL, NaN, infinite, below 0 or above 1: the same
``DataError`` as the in-memory path, with the same count), then the
:class:`~sentinel_checks.stats.confusion.ThresholdCounts` are grouped there. The
labels, scores and segment columns row by row are read back (ordered by ``ROW``, the
pandas order) only if a step asks for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel_checks.errors import DataError
from sentinel_checks.gate.cache import NotConfigured

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np
    import pandas as pd

    from sentinel_checks.gate.session_models import SessionModels
    from sentinel_checks.models.evaluation import SplitScores


def engine_split_scores(session: SessionModels, role: str) -> dict[str, SplitScores]:
    """The model's val, test and labelled production splits, counted in the engine.

    Parameters
    ----------
    session : SessionModels
        A session scoring in the engine (DuckDB).
    role : str
        ``"candidate"`` or ``"champion"`` (or any role :meth:`scored_table` accepts).

    Returns
    -------
    dict of str to SplitScores
        ``"val"``, ``"test"`` and ``"production"`` when the production sample has a
        label column with at least one labelled row.

    Raises
    ------
    DataError
        A score is NULL, NaN, infinite or outside [0, 1] (named with its count, as
        :func:`~sentinel_checks.models.evaluation.evaluate_model` names it), or a label
        is NULL or neither configured value
        (:func:`~sentinel_checks.engine.quality_statistics.threshold_counts`).
    """
    from sentinel_checks.models.evaluation import SplitScores

    names = ["val", "test"]
    if session.has_production:
        try:
            table = session.engine_table("production")
        except NotConfigured:
            table = None
        if table is not None and session.config.columns.label in table.columns:
            names.append("production")
    scored = {}
    for name in names:
        invalid = _invalid_scores(session, role, name)
        if invalid:
            raise DataError(
                f"{role} scores on {name}: {invalid} value(s) are NaN or outside [0, 1] "
                "(see model.scores); quality cannot be measured"
            )
        counts = session._engine_counts(role, name)
        if name == "production" and counts.n == 0:
            continue
        scored[name] = SplitScores(name, counts, _reader(session, role, name))
    return scored


def _invalid_scores(session: SessionModels, role: str, split: str) -> int:
    """Rows of the labelled scored table whose score is NULL, NaN, infinite, < 0 or > 1."""
    import ibis

    from sentinel_checks.engine.ibis_connection import whole_count
    from sentinel_checks.engine.scores import SCORE

    table = session.labelled_scores(role, split)
    s = table[SCORE]
    bad = s.isnull() | s.isnan().fill_null(True) | s.isinf().fill_null(True) | (s < 0) | (s > 1)
    counted = table.aggregate(bad=ibis.ifelse(bad.fill_null(True), 1, 0).sum()).to_pandas()
    return whole_count(counted["bad"].iloc[0])


def _reader(
    session: SessionModels, role: str, split: str
) -> Callable[[], tuple[np.ndarray, np.ndarray, dict[str, pd.Categorical]]]:
    """What reads the split's labels, scores and segments back, in row order, when asked."""

    def read() -> tuple[np.ndarray, np.ndarray, dict[str, pd.Categorical]]:
        import numpy as np
        import pandas as pd

        from sentinel_checks.data.labels import binary_target
        from sentinel_checks.engine.ibis_connection import ROW
        from sentinel_checks.engine.scores import SCORE

        cols = session.config.columns
        table = session.labelled_scores(role, split)
        frame = table.order_by(ROW).drop(ROW).to_pandas()
        y = binary_target(frame, session.config, what=f"{split} split")
        scores = np.asarray(frame[SCORE].to_numpy(), dtype=np.float64)
        segments = {c: pd.Categorical(frame[c]) for c in cols.segments if c in frame.columns}
        return y, scores, segments

    return read
