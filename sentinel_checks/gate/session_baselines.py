"""The baselines of one gate run: fitted once, scored and evaluated like the candidate.

:class:`SessionBaselines` sits between
:class:`~sentinel_checks.gate.session_models.SessionModels` (the candidate and the
champion, their scored tables) and
:class:`~sentinel_checks.gate.session_quality.SessionQuality`. With ``[data] engine =
"duckdb"`` nothing per row of a split or of production is read into pandas for them:

* the fitting sample is drawn in the engine: the train split's class counts
  (:meth:`~sentinel_checks.gate.session_engine.SessionEngine.engine_label_counts`) give
  the ranks within each class scikit-learn's stratified draw picks
  (:func:`~sentinel_checks.models.baselines.fitting_ranks`), and only those rows'
  baseline features and label leave the engine
  (:func:`~sentinel_checks.engine.baseline_rows.fitting_rows`), in the pandas order:
  the same baselines, coefficient for coefficient;
* each baseline scores val, test and production in the engine like the candidate
  (:meth:`~sentinel_checks.gate.session_models.SessionModels.scored_table`, Arrow
  batches), and its evaluation is built from counts grouped there
  (:func:`~sentinel_checks.gate.session_evaluation.engine_split_scores`);
* ``quality.baselines`` reads, per baseline, the test rows grouped by (label, candidate
  score, baseline score) (:meth:`engine_baseline_rows`), as the champion comparison does.

Otherwise (pandas, or splits the engine did not make) the rows are read as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel_checks.errors import DataError
from sentinel_checks.gate.cache import NotConfigured
from sentinel_checks.gate.session_models import SessionModels

if TYPE_CHECKING:
    from collections.abc import Iterable

    import numpy as np
    import pandas as pd

    from sentinel_checks.gate.drift_worker import PendingCall
    from sentinel_checks.models.evaluation import ModelEvaluation
    from sentinel_checks.models.loading import LoadedModel
    from sentinel_checks.stats.paired_rows import PairedRows


class SessionBaselines(SessionModels):
    """Baselines A and B of one gate run: fitted, scored and evaluated once."""

    #: The baselines' fit, handed to the drift worker before its test asked.
    _baselines_pending: PendingCall | None = None

    def model(self, role: str) -> LoadedModel:
        """As :meth:`SessionModels.model`; a baseline's name
        (:data:`~sentinel_checks.models.baselines.BASELINE_NAMES`) gives the fitted
        baseline (not recorded in :attr:`models`, as on the pandas path), so
        :meth:`scored_table` scores it in the engine like the candidate.

        Raises
        ------
        NotConfigured, DataError
            For a baseline, as :attr:`baseline_evaluations`.
        """
        from sentinel_checks.models.baselines import BASELINE_NAMES

        if role in BASELINE_NAMES:
            return self._baseline_models()[role]
        return super().model(role)

    @property
    def baseline_evaluations(self) -> dict[str, ModelEvaluation]:
        """Baselines A and B fitted on the train split and evaluated like the candidate.

        Returns
        -------
        dict of str to ModelEvaluation
            By baseline name; each also recorded in :attr:`evaluations`. In the engine
            (DuckDB, splits made there) from counts grouped there
            (:func:`~sentinel_checks.gate.session_evaluation.engine_split_scores`).

        Raises
        ------
        NotConfigured
            ``[quality] baselines = false``.
        DataError
            A ``[quality] baseline_features`` column is not in the data, the train split
            has one class, a label is missing or not binary, or a score is invalid.
        """

        def evaluate() -> dict[str, ModelEvaluation]:
            fitted = self._baseline_models()
            if not self._baselines_in_engine():
                production = self.production if self.has_production else None
                return {
                    name: self._evaluate(model, production, self.splits, self.features)
                    for name, model in fitted.items()
                }
            from sentinel_checks.gate.session_evaluation import engine_split_scores
            from sentinel_checks.models.evaluation import evaluation_of

            out = {}
            for name, model in fitted.items():
                out[name] = evaluation_of(model, self.config, *engine_split_scores(self, name))
                self.evaluations[model.role] = out[name]
            return out

        return self._once("baselines", evaluate)

    def engine_baseline_rows(self, split: str) -> dict[str, PairedRows] | None:
        """Per baseline, the labelled rows of ``split`` grouped in the engine by (label,
        candidate score, baseline score); ``None`` when the baselines are not scored there.

        Parameters
        ----------
        split : str
            ``"test"`` (``quality.baselines``), ``"val"`` or ``"production"``.

        Returns
        -------
        dict of str to PairedRows, or None
            :func:`~sentinel_checks.engine.paired_statistics.paired_rows` of the
            candidate's and the baseline's scored tables joined on the row position: at
            most one group per row (fewer with tied scores), the input of
            :func:`~sentinel_checks.checks.baselines.check_baselines_rows`.

        Raises
        ------
        NotConfigured, DataError
            As :attr:`baseline_evaluations` and
            :func:`~sentinel_checks.engine.paired_statistics.joined_scores`.
        """
        if not self._baselines_in_engine():
            return None
        from sentinel_checks.engine import paired_statistics
        from sentinel_checks.engine.scores import SCORE

        def group() -> dict[str, PairedRows]:
            columns = self.scored_columns
            candidate = self.labelled_scores("candidate", split)
            return {
                name: paired_statistics.paired_rows(
                    paired_statistics.joined_scores(
                        candidate, self.labelled_scores(name, split), columns, champion_score=SCORE
                    ),
                    max_groups=self.config.engine.max_paired_groups,
                )
                for name in self._baseline_models()
            }

        return self._once(f"engine_baseline_rows:{split}", group)

    # ------------------------------------------------------------------ fitting

    def _baselines_in_engine(self) -> bool:
        """The engine (DuckDB or Spark) scores the splits and made them (its class counts are the run's)."""
        if not self._scores_in_engine("train") or self.engine_table("train") is None:
            return False
        return self.engine_label_counts("train") is not None

    def _baseline_models(self) -> dict[str, LoadedModel]:
        """Both baselines, fitted once (:meth:`baselines_call`): by the drift worker when it
        was handed the fit early (:meth:`run_call`), else here."""

        def fit() -> dict[str, LoadedModel]:
            pending, self._baselines_pending = self._baselines_pending, None
            # not handed over: made here, not queued behind the drift runs the worker makes
            fitted: dict[str, LoadedModel] = (
                self.run_call(pending) if pending is not None else self.baselines_call().run()
            )
            return fitted

        return self._once("baseline_models", fit)

    def baselines_call(self) -> PendingCall:
        """The baselines' fit (:func:`~sentinel_checks.models.baselines.fit_baselines`) on
        the rows it fits on, drawn here: in the engine when it split the data (the ranks
        scikit-learn's stratified draw picks), else from the train frame
        (:func:`~sentinel_checks.models.baselines.fitting_positions`); only those rows and
        the baseline features go to the call, so it can run in the drift worker.

        Raises
        ------
        NotConfigured
            ``[quality] baselines = false``.
        DataError
            As :attr:`baseline_evaluations`.
        ValueError
            scikit-learn's stratified draw cannot be made (a class of one train row, with
            more train rows than ``[quality] baseline_max_train_rows``): the baselines'
            test errors with it, as it would where the fit is made.
        """
        from sentinel_checks.gate.drift_worker import PendingCall
        from sentinel_checks.models.baselines import fit_baselines, fitting_positions

        q = self.config.quality
        if not q.baselines:
            raise NotConfigured("[quality] baselines = false")
        chosen = q.baseline_features or self.features
        seed, max_rows = self.config.gate.seed, q.baseline_max_train_rows
        if self._baselines_in_engine():
            train, y = self._engine_fitting_rows(chosen, max_rows=max_rows, seed=seed)
            rows_left: int | None = None
        else:
            train, y = self.splits.train, self.split_labels["train"]
            _check_present(chosen, train.columns)
            if not y.any() or y.all():  # fit_baselines' own error, raised before any row is sent
                raise DataError("the train split has one class: baselines cannot be trained")
            train, rows_left = train[chosen], max_rows
            if len(train) > max_rows:  # the draw fit_baselines makes (and its ValueError, e.g.
                # for a class of one row), made here: only the rows drawn are sent
                keep = fitting_positions(y, max_rows=max_rows, seed=seed)
                train, y, rows_left = train.iloc[keep], y[keep], None
        return PendingCall(
            fit_baselines, (train, y), {"features": chosen, "seed": seed, "max_rows": rows_left}
        )

    def _engine_fitting_rows(
        self, chosen: list[str], *, max_rows: int, seed: int
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """The train rows the pandas path fits on, drawn in the engine, and their labels."""
        from sentinel_checks.data.labels import binary_target
        from sentinel_checks.engine.baseline_rows import fitting_rows
        from sentinel_checks.models.baselines import fitting_ranks

        table, cols = self.engine_table("train"), self.config.columns
        assert table is not None
        _check_present(chosen, table.columns)
        counts = self.engine_label_counts("train")
        assert counts is not None
        risky, safe = counts
        if risky == 0 or safe == 0:
            raise DataError("the train split has one class: baselines cannot be trained")
        ranks = fitting_ranks(safe, risky, max_rows=max_rows, seed=seed) if risky + safe > max_rows else None
        frame = fitting_rows(
            table, columns=[*chosen, cols.label], label=cols.label, positive=cols.positive, ranks=ranks
        )
        return frame, binary_target(frame, self.config, what="train split")


def _check_present(chosen: list[str], columns: Iterable[str]) -> None:
    """DataError naming each ``[quality] baseline_features`` column not among ``columns``."""
    present = set(columns)
    missing = [f for f in chosen if f not in present]
    if missing:
        shown = ", ".join(repr(f) for f in missing)
        raise DataError(f"[quality] baseline_features: {shown} not in the data")
