"""A model's evaluation from engine counts: no per-row array of a split is read to build it.

With ``[data] engine = "duckdb"`` :meth:`SessionModels.evaluation
<sentinel_checks.gate.session_models.SessionModels.evaluation>` builds each split's
:class:`~sentinel_checks.models.evaluation.SplitScores` from the model's scored table
(:meth:`~sentinel_checks.gate.session_models.SessionModels.labelled_scores`): the
invalid scores are counted there (NULL, NaN, infinite, below 0 or above 1: the same
``DataError`` as the in-memory path, with the same count), then the
:class:`~sentinel_checks.stats.confusion.ThresholdCounts` are grouped there: validation's
first, exact at the operating threshold chosen on them, then test's and production's,
split at that threshold when they are grouped on a grid
(:mod:`~sentinel_checks.engine.threshold_grid`). The
labels, scores and segment columns row by row are read back (ordered by ``ROW``, the
pandas order) only if a step asks for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel_checks.gate.cache import NotConfigured
from sentinel_checks.models.thresholds import fixed_threshold, operating_choice

#: The threshold ``quality.threshold`` and threshold.json also report counts at (0.5); the
#: cells are split there too, so those counts stay exact on a grid of any width.
DEFAULT_THRESHOLD = 0.5

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np
    import pandas as pd
    from ibis.expr.types import Table

    from sentinel_checks.gate.session_models import SessionModels
    from sentinel_checks.models.evaluation import SplitScores
    from sentinel_checks.stats.confusion import ThresholdCounts


def engine_split_scores(session: SessionModels, role: str) -> tuple[dict[str, SplitScores], dict[str, str]]:
    """The model's val, test and labelled production splits, counted in the engine.

    Parameters
    ----------
    session : SessionModels
        A session scoring in the engine (DuckDB).
    role : str
        ``"candidate"`` or ``"champion"`` (or any role :meth:`scored_table` accepts).

    Returns
    -------
    (dict of str to SplitScores, dict of str to str)
        ``"val"``, ``"test"`` and ``"production"`` when the production sample has a
        label column with at least one labelled row; and production, by name, with the
        reason, when its labelled rows' scores are invalid (it is then left out:
        :attr:`~sentinel_checks.models.evaluation.ModelEvaluation.unscored`).

    Raises
    ------
    DataError
        A val or test score is NULL, NaN, infinite or outside [0, 1] (named with its count, as
        :func:`~sentinel_checks.models.evaluation.evaluate_model` names it), or a label
        is NULL or neither configured value
        (:func:`~sentinel_checks.engine.quality_statistics.threshold_counts`).
    """
    from sentinel_checks.models.evaluation import SplitScores, leave_out_invalid

    names = ["val", "test"]
    if session.has_production:
        try:
            table = session.engine_table("production")
        except NotConfigured:
            table = None
        label = session.config.columns.label
        # labels arrive late: production without a labelled row is left out, as pandas
        # leaves it out; its label column may then be of no type of its own (an Arrow null
        # column reads as int32 on DuckDB) and cannot be compared with the label values
        if table is not None and label in table.columns and _labelled(table, label):
            names.append("production")
    unscored: dict[str, str] = {}
    for name in list(names):
        invalid, rows = _invalid_scores(session, role, name)
        if invalid:
            leave_out_invalid(role, name, invalid, rows, unscored)
            names.remove(name)
    val = _validation_counts(session, role)
    operating = (operating_choice(role, session.config, val).threshold, DEFAULT_THRESHOLD)
    scored = {"val": SplitScores("val", val, _reader(session, role, "val"))}
    for name in names[1:]:
        counts = session._engine_counts(role, name, split_at=operating)
        if name == "production" and counts.n == 0:
            continue
        scored[name] = SplitScores(name, counts, _reader(session, role, name))
    return scored, unscored


def _labelled(table: Table, label: str) -> bool:
    """Whether ``table`` holds a row whose ``label`` is not NULL (one count in the engine)."""
    from sentinel_checks.engine.ibis_connection import whole_count

    return whole_count(table.aggregate(n=table[label].count()).to_pandas()["n"].iloc[0]) > 0


def _validation_counts(session: SessionModels, role: str) -> ThresholdCounts:
    """The model's validation counts, exact at its operating threshold, at the one the
    target recall chooses and at :data:`DEFAULT_THRESHOLD`: on a grid, the cells are
    split at each (the chosen one found in the engine as a risky row's score,
    :func:`~sentinel_checks.engine.threshold_grid.risky_score_at_rank`), so the choice
    made on them equals the one made on every distinct score."""
    from sentinel_checks.engine.quality_statistics import scored_rows
    from sentinel_checks.engine.threshold_grid import grid_threshold_counts, risky_score_at_rank
    from sentinel_checks.models.thresholds import caught_needed

    fixed = fixed_threshold(role, session.config)
    known = (DEFAULT_THRESHOLD,) if fixed is None else (float(fixed), DEFAULT_THRESHOLD)
    val = session._engine_counts(role, "val", split_at=known)
    q = session.config.quality
    k = caught_needed(
        val.positives,
        target_recall=q.target_recall,
        use_lower_bound=q.threshold_uses_lower_bound,
        confidence=q.confidence,
    )
    if not val.grid or k is None:  # none meets the target: the lowest score, exact on any grid
        return val
    rows = scored_rows(session.labelled_scores(role, "val"), session.scored_columns)
    split_at = tuple(sorted({*known, risky_score_at_rank(rows, k, val)}))
    return session._once(
        f"engine_counts_at_choice:{role}:{split_at!r}",
        lambda: grid_threshold_counts(
            rows,
            split_at=split_at,
            max_groups=session.config.engine.max_threshold_groups,
            finest=val.grid,  # a finer one gave too many groups already
            column=session.scored_columns.score,
        ),
    )


def _invalid_scores(session: SessionModels, role: str, split: str) -> tuple[int, int]:
    """Rows of the labelled scored table whose score is NULL, NaN, infinite, < 0 or > 1,
    and its rows."""
    import ibis

    from sentinel_checks.engine.ibis_connection import whole_count
    from sentinel_checks.engine.scores import SCORE

    table = session.labelled_scores(role, split)
    s = table[SCORE]
    bad = s.isnull() | s.isnan().fill_null(True) | s.isinf().fill_null(True) | (s < 0) | (s > 1)
    counted = table.aggregate(bad=ibis.ifelse(bad.fill_null(True), 1, 0).sum(), n=table.count()).to_pandas()
    return whole_count(counted["bad"].iloc[0]), whole_count(counted["n"].iloc[0])


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
