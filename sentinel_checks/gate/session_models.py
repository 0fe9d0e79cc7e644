"""The models of one gate run: loaded once, scored once per split, evaluated once.

:class:`SessionModels` is the base of :class:`~sentinel_checks.gate.session.GateSession`
between :class:`~sentinel_checks.gate.session_data.SessionData` (the data) and the
session (drift runs, comparisons). With ``[data] engine = "duckdb"`` or ``"spark"``
each model scores each of train/val/test and production once in the engine
(:meth:`SessionModels.scored_table`: on DuckDB
:func:`~sentinel_checks.engine.scores.score_table`, Arrow batches through
``predict_proba``, the scores written to a DuckDB table beside the row position, label
and segment columns; on Spark
:func:`~sentinel_checks.engine.spark_scores.score_table_spark`, the same batches on the
executors) and the counts behind every threshold statistic (threshold choice, recall,
precision, FNR, ROC and PR AUC) are grouped there
(:func:`~sentinel_checks.engine.quality_statistics.threshold_counts`); ``model.scores``
reads the score column back in row order (docs/scaling.md lists what reads what).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sentinel_checks.errors import ConfigError
from sentinel_checks.gate.cache import NotConfigured
from sentinel_checks.gate.core_sharing import shared_cores
from sentinel_checks.gate.drift_worker import DriftWorker
from sentinel_checks.gate.session_engine import SessionEngine

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from ibis.expr.types import Table

    from sentinel_checks.data.splits import Splits
    from sentinel_checks.engine.quality_statistics import ScoredColumns
    from sentinel_checks.models.evaluation import ModelEvaluation
    from sentinel_checks.models.loading import LoadedModel
    from sentinel_checks.stats.confusion import ThresholdCounts
    from sentinel_checks.stats.score_summary import ScoreSummary

#: Tables the models score in the engine (:meth:`SessionData.engine_table`): the splits and
#: the production sample (registered from its frame).
ENGINE_SPLITS = ("train", "val", "test", "production")


class SessionModels(SessionEngine):
    """The candidate and the champion of one gate run, and their evaluations (the baselines:
    :class:`~sentinel_checks.gate.session_baselines.SessionBaselines`).

    A subclass sets :attr:`models` and :attr:`evaluations` (what was used, for the
    reports); see :class:`~sentinel_checks.gate.session.GateSession`.
    """

    models: dict[str, str]
    evaluations: dict[str, ModelEvaluation]
    #: The drift worker process, when one runs
    #: (:meth:`~sentinel_checks.gate.session_evidently.SessionEvidently.start_drift_worker`):
    #: scoring uses one OpenMP thread while it computes
    #: (:func:`~sentinel_checks.gate.core_sharing.shared_cores`).
    drift_worker: DriftWorker | None = None

    def model(self, role: str) -> LoadedModel:
        """The candidate or champion; NotConfigured for an absent champion, ConfigError
        for an absent candidate.

        Parameters
        ----------
        role : str
            ``"candidate"`` or ``"champion"``.

        Returns
        -------
        LoadedModel
            Loaded once; its identity is recorded in :attr:`models`.

        Raises
        ------
        NotConfigured
            ``role`` is ``"champion"`` and ``[models.champion]`` is absent.
        ConfigError
            ``[models.candidate]`` is absent.
        ModelLoadError
            The model cannot be loaded (see :func:`~sentinel_checks.models.loading.load_model`).
        """
        from sentinel_checks.models.loading import load_model

        def load() -> LoadedModel:
            spec = getattr(self.config.models, role)
            if spec is None:
                if role == "candidate":
                    raise ConfigError(f"{self.config.source}: [models.candidate] is not configured")
                raise NotConfigured(f"no [models.{role}] configured")
            return load_model(spec, role=role, tracking_uri=self.config.registry.store)

        model = self._once(f"model:{role}", load)
        self.models[model.role] = model.identity
        return model

    @property
    def candidate(self) -> LoadedModel:
        return self.model("candidate")

    @property
    def champion(self) -> LoadedModel:
        return self.model("champion")

    def scores(self, role: str, split: str) -> np.ndarray:
        """The risk scores of the candidate or champion on ``split`` (val, test, or every
        production row), computed once and shared by ``model.scores``, the model's
        evaluation and ``drift.scores``.

        Parameters
        ----------
        role : str
            ``"candidate"`` or ``"champion"``.
        split : str
            ``"val"``, ``"test"`` or ``"production"`` (``"train"`` works too, but no step asks for it).

        Returns
        -------
        ndarray of float64, shape (n,)
            One score per row of the frame (in its row order), not yet checked to lie in
        [0, 1]. With ``[data] engine = "duckdb"`` the model scores the split in the
        engine (:meth:`scored_table`) and the score column is read back in row order.

        Raises
        ------
        NotConfigured, ConfigError, ModelLoadError
            As for :meth:`model` (and :meth:`frame` for production).
        DataError
            The data cannot be loaded or split.
        """
        from sentinel_checks.models.scoring import risk_scores

        def score() -> np.ndarray:
            if self._scores_in_engine(split):
                return self._engine_scores(role, split)
            model = self.model(role)
            frame = self.production if split == "production" else self.splits[split]
            with shared_cores(self.drift_worker):
                return risk_scores(
                    model,
                    frame,
                    features=model.feature_list(self.features),
                    positive=self.config.columns.positive,
                )

        return self._once(f"scores:{role}:{split}", score)

    def score_summary(self, role: str, split: str) -> ScoreSummary:
        """What ``model.scores`` judges of the model's scores on ``split`` (every production
        row): computed in the engine when the split is scored there
        (:func:`~sentinel_checks.engine.score_summary.score_summary`, no per-row array
        read), else from :meth:`scores`. Raises as :meth:`scores`."""
        from sentinel_checks.stats.score_summary import ScoreSummary

        def summarise() -> ScoreSummary:
            if self._scores_in_engine(split):
                from sentinel_checks.engine.score_summary import score_summary
                from sentinel_checks.engine.scores import SCORE

                return score_summary(self.scored_table(role, split), SCORE)
            return ScoreSummary.from_array(self.scores(role, split))

        return self._once(f"score_summary:{role}:{split}", summarise)

    def evaluation(self, role: str) -> ModelEvaluation:
        """The candidate or champion scored once on val, test and labelled production,
        with its operating threshold chosen on validation.

        Parameters
        ----------
        role : str
            ``"candidate"`` or ``"champion"``.

        Returns
        -------
        ModelEvaluation
            Also recorded in :attr:`evaluations`.

        Raises
        ------
        NotConfigured, ConfigError, ModelLoadError
            As for :meth:`model`.
        DataError
            The data cannot be loaded or split, a score is NaN or outside [0, 1], or
            validation lacks a risky or a safe row
            (see :func:`~sentinel_checks.models.evaluation.evaluate_model`).
        """

        def evaluate() -> ModelEvaluation:
            model = self.model(role)
            if self._scores_in_engine("val"):
                from sentinel_checks.gate.session_evaluation import engine_split_scores
                from sentinel_checks.models.evaluation import evaluation_of

                evaluation = evaluation_of(model, self.config, *engine_split_scores(self, role))
                self.evaluations[model.role] = evaluation
                return evaluation
            production = self.production if self.has_production else None
            splits, features = self.splits, self.features
            scored = {name: self.scores(role, name) for name in ("val", "test")}
            label = self.config.columns.label
            if production is not None and label in production.columns:
                scored["production"] = self.scores(role, "production")[production[label].notna().to_numpy()]
            return self._evaluate(model, production, splits, features, scored)

        return self._once(f"evaluation:{role}", evaluate)

    def _evaluate(
        self,
        model: LoadedModel,
        production: pd.DataFrame | None,
        splits: Splits,
        features: list[str],
        scored: dict[str, np.ndarray] | None = None,
        counts: Mapping[str, Callable[[], ThresholdCounts]] | None = None,
    ) -> ModelEvaluation:
        from sentinel_checks.models.evaluation import evaluate_model

        evaluation = evaluate_model(
            model,
            config=self.config,
            splits=splits,
            production=production,
            features=features,
            scores=scored,
            counts=counts,
        )
        self.evaluations[model.role] = evaluation
        return evaluation

    @property
    def production_scores(self) -> np.ndarray:
        """The candidate's risk scores on every production row, labelled or not."""
        return self.scores("candidate", "production")

    # ------------------------------------------------------------------ scores in the engine

    def _scores_in_engine(self, split: str) -> bool:
        """Whether ``split`` is scored in the engine: DuckDB or Spark, an engine table only."""
        return self.config.data.engine in ("duckdb", "spark") and split in ENGINE_SPLITS

    def scored_table(self, role: str, split: str) -> Table:
        """The model's scores on ``split`` as a table of the engine, scored once per session:
        a DuckDB table (:func:`~sentinel_checks.engine.scores.score_table`) or persisted
        Spark rows (:func:`~sentinel_checks.engine.spark_scores.score_table_spark`).

        Columns: :data:`~sentinel_checks.engine.ibis_connection.ROW` (the row's position
        in the split frame), the label (when the table has it), the configured segment columns present, and
        :data:`~sentinel_checks.engine.scores.SCORE` (float64).

        Parameters
        ----------
        role : str
            ``"candidate"`` or ``"champion"``.
        split : str
            ``"train"``, ``"val"``, ``"test"`` or ``"production"`` (every row).

        Returns
        -------
        ibis Table, one row per row of the split

        Raises
        ------
        ConfigError
            ``[data] engine = "pandas"`` (callers check first).
        NotConfigured, ModelLoadError
            As for :meth:`model`; a feature is not in the table or the model cannot score.
        DataError
            The data cannot be loaded, split or registered in the engine.
        """
        from sentinel_checks.engine.ibis_connection import ROW
        from sentinel_checks.engine.scores import score_table
        from sentinel_checks.engine.spark_scores import score_table_spark

        def score() -> Table:
            table, con = self.engine_table(split), self.engine_connection
            if table is None or con is None:
                raise ConfigError(
                    f"{self.config.source}: scores are written to the engine with DuckDB or Spark only"
                )
            model = self.model(role)
            cols = self.config.columns
            label = [cols.label] if cols.label in table.columns else []  # production may be unlabelled
            keep = [ROW, *label, *(c for c in cols.segments if c in table.columns and c != cols.label)]
            features, name = model.feature_list(self.features), f"__sentinel_scores_{role}_{split}"
            common: dict[str, Any] = {
                "features": features,
                "positive": cols.positive,
                "keep": keep,
                "name": name,
            }
            if con.backend.name == "pyspark":  # persisted in the user's session: freed by close()
                releases = self._cache.setdefault("engine_releases", [])
                return score_table_spark(con.backend, table, model, **common, releases=releases)
            # one OpenMP thread while the drift worker computes, decided per batch
            return score_table(
                con.backend, table, model, **common, around_batch=lambda: shared_cores(self.drift_worker)
            )

        return self._once(f"scored_table:{role}:{split}", score)

    def _engine_scores(self, role: str, split: str) -> np.ndarray:
        """The score column of :meth:`scored_table`, read back in the split's row order."""
        import numpy as np

        from sentinel_checks.engine.ibis_connection import ROW
        from sentinel_checks.engine.scores import SCORE

        table = self.scored_table(role, split)
        column = table.order_by(ROW)[SCORE].to_pyarrow()
        return np.asarray(column.to_numpy(), dtype=np.float64)

    def _engine_counts(self, role: str, split: str, split_at: tuple[float, ...] = ()) -> ThresholdCounts:
        """TP and FP at every distinct score of the model on ``split``, grouped in the engine
        (past ``[engine] max_threshold_groups`` on a grid split at ``split_at``)."""
        from sentinel_checks.engine.quality_statistics import threshold_counts

        return self._once(
            f"engine_counts:{role}:{split}:{split_at!r}",
            lambda: threshold_counts(
                self.labelled_scores(role, split),
                self.scored_columns,
                split_at=split_at,
                max_groups=self.config.engine.max_threshold_groups,
            ),
        )

    @property
    def scored_columns(self) -> ScoredColumns:
        """Where a scored table (:meth:`scored_table`) holds the score and the label."""
        from sentinel_checks.engine.quality_statistics import ScoredColumns
        from sentinel_checks.engine.scores import SCORE

        cols = self.config.columns
        return ScoredColumns(score=SCORE, label=cols.label, positive=cols.positive, negative=cols.negative)

    def labelled_scores(self, role: str, split: str) -> Table:
        """:meth:`scored_table`, restricted on ``"production"`` to its labelled rows (the
        rows its quality is judged on); a split's every row."""
        table = self.scored_table(role, split)
        if split != "production":
            return table
        from sentinel_checks.engine.quality_statistics import labelled_rows

        return labelled_rows(table, self.config.columns.label)
