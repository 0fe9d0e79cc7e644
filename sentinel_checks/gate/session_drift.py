"""What the drift steps read, on either engine: the rows' counts, the missing shares,
the shift descriptions and Evidently's sample for ``drift.features``; the label counts
for ``drift.labels``; the score counts for ``drift.scores``.

:class:`SessionDrift` sits between :class:`~sentinel_checks.gate.session_production.SessionProduction`
and :class:`~sentinel_checks.gate.session.GateSession`. With ``[data] engine =
"pandas"`` every method reads the pandas frames as before; with an engine
(:meth:`~sentinel_checks.gate.session_data.SessionData.engine_table` is not None) it
reads the engine's tables only: aggregates
(:mod:`sentinel_checks.engine.drift_statistics`,
:mod:`sentinel_checks.engine.score_drift_statistics`) and the bounded seeded sample
(:func:`~sentinel_checks.engine.samples.sample_table`, the rows ``bounded_sample``
draws), so every result equals the pandas one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sentinel_checks.errors import DataError
from sentinel_checks.gate.cache import NotConfigured
from sentinel_checks.gate.session_evidently import SessionEvidently, drift_key

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from ibis.expr.types import Table

    from sentinel_checks.adapters.evidently_drift import DriftRun
    from sentinel_checks.checks.drift import DriftInputs
    from sentinel_checks.checks.score_drift import ScoreDriftCounts


@dataclass(frozen=True)
class FeatureDriftMeasures:
    """What ``drift.features`` judges for one pair (and segment value).

    ``run`` is Evidently's (None under the minimum rows), ``inputs`` its prepared
    sample, ``rows`` the whole reference and current row counts, ``missing`` the
    missing counts per feature on every row (``missing_counts``' shape) and
    ``describe(column)`` the one-line shift of a column over every row (``describe_shift``).
    """

    run: DriftRun | None
    inputs: DriftInputs
    rows: tuple[int, int]
    missing: dict[str, tuple[int, int, int, int]]
    describe: Callable[[str], str]


class SessionDrift(SessionEvidently):
    """The drift steps' inputs, from pandas frames or, with an engine, from its tables."""

    def feature_drift_measures(
        self, pair: tuple[str, str], *, segment: tuple[str, str] | None = None
    ) -> FeatureDriftMeasures:
        """``drift.features``' inputs for ``pair`` (optionally one segment value), once.

        Parameters
        ----------
        pair : tuple of (str, str)
            The reference and the current split, by name (``"train"``, ..., ``"production"``).
        segment : tuple of (str, str), optional
            ``(column, value)``: only rows whose column, as pandas writes it as text, is ``value``.

        Returns
        -------
        FeatureDriftMeasures
            Evidently's run and inputs are also recorded in ``drift_runs`` / ``drift_inputs``.

        Raises
        ------
        NotConfigured
            ``pair`` names ``production`` and no sample is configured.
        DataError
            A side lacks a feature column (named), or the data cannot be loaded.
        ConfigError
            Evidently used a drift method whose direction the gate does not know.
        """
        key = drift_key(pair, segment)
        if self._drift_tables(pair) is None:
            return self._pandas_drift_measures(pair, segment)
        return self._once(f"drift_measures:{key}", lambda: self._engine_drift_measures(key, pair, segment))

    def _pandas_drift_measures(
        self, pair: tuple[str, str], segment: tuple[str, str] | None
    ) -> FeatureDriftMeasures:
        from sentinel_checks.checks.drift import describe_shift, missing_counts

        run, inputs, ref, cur = self.feature_drift(pair, segment=segment)  # type: ignore[attr-defined]
        return FeatureDriftMeasures(
            run,
            inputs,
            (len(ref), len(cur)),
            missing_counts(ref, cur, self.features),
            lambda column: describe_shift(ref[column], cur[column]),
        )

    def _engine_drift_measures(
        self, key: str, pair: tuple[str, str], segment: tuple[str, str] | None
    ) -> FeatureDriftMeasures:
        from sentinel_checks.checks.drift_inputs import describe_column_shift
        from sentinel_checks.engine import drift_statistics as stats

        prepared = self.measured_drift(pair, segment)
        run = self.drift_runs[key]
        ref, cur = prepared.sides

        def describe(column: str) -> str:
            return describe_column_shift(stats.column_shift(ref, column), stats.column_shift(cur, column))

        missing = stats.missing_counts(ref, cur, self.features)
        return FeatureDriftMeasures(run, prepared.inputs, prepared.rows, missing, describe)

    def engine_importance_sample(
        self, features: list[str], *, max_rows: int, seed: int
    ) -> tuple[pd.DataFrame, np.ndarray] | None:
        """The validation rows permutation importance reads, drawn in the engine; ``None``
        when the engine did not split the data (read ``splits["val"]`` then).

        The draw (:func:`~sentinel_checks.models.importance.sample_ranks`) reads only
        validation's risky and safe counts (:meth:`engine_label_counts`, which checks the
        labels in the pandas words); the rows at those ranks are read back by
        :func:`~sentinel_checks.engine.importance_sample.importance_sample`: the rows,
        order and labels ``importance_shares`` takes from the frame.

        Returns
        -------
        (DataFrame, ndarray of bool) or None
            At most ``max_rows`` rows of ``features``, and True for the risky ones.

        Raises
        ------
        DataError
            A label is missing, null or neither value (as :func:`~sentinel_checks.data.labels.binary_target`),
            or a feature column is missing.
        """
        counts = self.engine_label_counts("val")
        if counts is None:
            return None
        from sentinel_checks.engine.importance_sample import importance_sample
        from sentinel_checks.models.importance import sample_ranks

        table = self.engine_table("val")
        assert table is not None  # engine_label_counts found the engine's splits
        missing = [f for f in features if f not in table.columns]
        if missing:
            raise DataError(f"val: feature column(s) {missing} are missing: importance cannot be measured")
        risky, safe = sample_ranks(*counts, max_rows, seed)
        c = self.config.columns
        return importance_sample(
            table, label=c.label, positive=c.positive, features=features, risky_ranks=risky, safe_ranks=safe
        )

    def drift_segment_values(self, name: str, column: str) -> list[str]:
        """The values of segment ``column`` in split ``name``, as text, sorted (nulls left out)."""
        table = self.engine_table(name)
        if table is None:
            frame = self.frame(name)
            return sorted(frame[column].astype("string").dropna().unique())
        from sentinel_checks.engine.drift_statistics import segment_levels

        return sorted(segment_levels(table, column))

    def label_counts(self, name: str) -> tuple[int, int]:
        """(risky rows, labelled rows) of split ``name`` (unlabelled rows left out).

        Raises
        ------
        NotConfigured
            ``name`` is ``production`` and it has no label column or no labelled row yet.
        DataError
            The label column is missing (not production), or holds a value neither
            ``[columns] positive`` nor ``negative``.
        """
        label = self.config.columns.label
        table = self.engine_table(name)
        columns = self.frame(name).columns if table is None else table.columns
        if label not in columns:
            if name == "production":  # labels arrive late: nothing to compare yet
                raise NotConfigured("production has no label column yet: prevalence cannot be compared")
            raise DataError(f"{name}: label column {label!r} is missing: prevalence cannot be measured")
        if table is None:
            from sentinel_checks.data.io import binary_target

            frame = self.frame(name)
            labelled = frame[frame[label].notna()]
            y = binary_target(labelled, self.config, what=name)
            risky, n = int(y.sum()), len(y)
        else:
            from sentinel_checks.engine.drift_statistics import label_counts

            c = self.config.columns
            risky, n = label_counts(
                table, label, positive=c.positive, negative=c.negative, where=name, allow_unlabelled=True
            )
        if name == "production" and n == 0:
            raise NotConfigured("no labelled production rows yet: prevalence cannot be compared")
        return risky, n

    def score_drift_side(self, name: str) -> Table | np.ndarray:
        """The candidate's scores on ``name``: its scored table when the engine scored it
        (:meth:`scored_table`), else the score array (production, on main, is scored in pandas).

        Raises
        ------
        NotConfigured
            ``name`` is a split the candidate is not scored on (``train``), or
            ``production`` without a sample.
        """
        if name not in ("val", "test", "production"):
            raise NotConfigured(f"the candidate is not scored on {name!r}: use val, test or production")
        if self._scores_in_engine(name):
            return self.scored_table("candidate", name)
        return self.production_scores if name == "production" else self.scores("candidate", name)

    def score_drift_counts(
        self, pair: tuple[str, str], threshold: float
    ) -> tuple[ScoreDriftCounts, tuple[np.ndarray, np.ndarray]]:
        """``drift.scores``' counts for ``pair`` and the bounded seeded samples of scores
        Evidently reads (``[drift] max_rows`` a side, the positions ``bounded_sample`` draws).

        With both sides scored in the engine the counts are grouped there
        (:func:`~sentinel_checks.engine.score_drift_statistics.score_drift_counts`);
        otherwise the arrays are counted as ``check_score_drift`` counts them. Equal either way.
        """
        import numpy as np

        from sentinel_checks.checks.score_drift import count_score_drift
        from sentinel_checks.engine.scores import SCORE
        from sentinel_checks.stats.sampling import bounded_sample_values

        limit, seed = self.config.drift.max_rows, self.config.gate.seed
        sides = [self.score_drift_side(name) for name in pair]
        if all(not isinstance(side, np.ndarray) for side in sides):
            from sentinel_checks.engine.samples import sample_table
            from sentinel_checks.engine.score_drift_statistics import score_drift_counts

            counts = score_drift_counts(sides[0], sides[1], SCORE, threshold=threshold)
            ref, cur = (
                sample_table(side, limit=limit, seed=seed, columns=[SCORE])[SCORE].to_numpy(dtype=np.float64)
                for side in sides
            )
            return counts, (ref, cur)
        arrays = [
            side if isinstance(side, np.ndarray) else self._engine_scores("candidate", name)
            for side, name in zip(sides, pair, strict=True)
        ]
        counts = count_score_drift(arrays[0], arrays[1], threshold)
        return counts, (
            bounded_sample_values(arrays[0], limit, seed),
            bounded_sample_values(arrays[1], limit, seed),
        )
