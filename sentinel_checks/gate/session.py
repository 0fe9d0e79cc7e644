"""The gate's inputs for one run, loaded lazily and once, without pytest.

A :class:`GateSession` is what the pytest fixtures, ``sentinel gate``, the
self-test and the library's own tests share: the configured dataset, splits,
production sample, models and their evaluations, Evidently runs and champion
comparisons, each computed on first use and kept for the reports. An optional
input that is not configured raises :class:`NotConfigured` (the pytest plugin turns
it into a skip, the in-process runner into a skipped outcome); a bad input raises
the :class:`~sentinel_checks.errors.SentinelError` it raised the first time, every
time it is asked for (as a failing session fixture does in pytest).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sentinel_checks.gate.cache import NotConfigured as NotConfigured
from sentinel_checks.gate.drift_worker import PendingCall
from sentinel_checks.gate.session_drift import SessionDrift
from sentinel_checks.result import Status
from sentinel_checks.stats.sampling import bounded_sample as bounded_sample

if TYPE_CHECKING:
    import pandas as pd

    from sentinel_checks.adapters.evidently_drift import DriftRun
    from sentinel_checks.checks.drift import DriftInputs
    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.models.evaluation import ModelEvaluation
    from sentinel_checks.models.importance import FeatureImportance
    from sentinel_checks.result import CheckResult
    from sentinel_checks.stats.comparison import PairedComparison


class GateSession(SessionDrift):
    """Every input of one gate run over one :class:`SentinelConfig`, computed once.

    Parameters
    ----------
    config : SentinelConfig
        The validated configuration (see :func:`sentinel_checks.config.load_config`).
    preloaded : dict, optional
        Inputs already in memory, by name (see :attr:`PRELOADABLE`): e.g. the splits
        of a resampled copy and its models, so a benchmark judges them without files.
        ``production`` may be ``None`` (no production sample).

    Notes
    -----
    Attributes are loaded on first access and cached, errors included. ``models``,
    ``evaluations``, ``drift_runs``, ``comparisons`` and ``training_log_loaded``
    record what was used, in the order it was used, for the reports. The data
    (``dataset``, ``features``, ``splits``, ``split_labels``, ``production``,
    :meth:`frame`) comes from :class:`~sentinel_checks.gate.session_data.SessionData`;
    the models, their scores (in the engine with ``[data] engine = "duckdb"``),
    evaluations (``model``, ``scores``, ``evaluation``) from
    :class:`~sentinel_checks.gate.session_models.SessionModels`; the baselines
    (``baseline_evaluations``) from :class:`~sentinel_checks.gate.session_baselines.SessionBaselines`;
    what the drift steps read, from the frames or the engine (``feature_drift_measures``,
    ``label_counts``, ``score_drift_counts``), from
    :class:`~sentinel_checks.gate.session_drift.SessionDrift`.
    """

    #: What a caller may hand in already loaded (``preloaded``): the frames and models.
    PRELOADABLE = frozenset(
        {"dataset", "features", "splits", "production", "model:candidate", "model:champion", "training_log"}
    )

    def __init__(self, config: SentinelConfig, *, preloaded: dict[str, Any] | None = None) -> None:
        unknown = set(preloaded or {}) - self.PRELOADABLE
        if unknown:
            raise ValueError(
                f"preloaded: unknown input(s) {sorted(unknown)}; known: {sorted(self.PRELOADABLE)}"
            )
        self.config = config
        self._cache = dict(preloaded or {})
        self.models: dict[str, str] = {}  # role -> identity, of the models loaded
        self.evaluations: dict[str, ModelEvaluation] = {}
        self.drift_runs: dict[str, DriftRun | None] = {}
        self.drift_inputs: dict[str, DriftInputs] = {}
        self.drift_worker = None
        self._drift_pending = {}
        self._importance_pending: FeatureImportance | PendingCall | None = None
        self.comparisons: dict[str, PairedComparison] = {}
        self.training_log_loaded: pd.DataFrame | None = None

    def decided(self, result: CheckResult) -> CheckResult:
        """``result`` under the configured policy for inconclusive results.

        An ``INCONCLUSIVE`` result whose check id is in ``[gate] block_inconclusive``
        is marked to block the gate (its status stays inconclusive, so reports still
        say the data could not tell); every other result is returned as it is.
        """
        if result.status is Status.INCONCLUSIVE and result.id in self.config.gate.block_inconclusive:
            return replace(result, inconclusive_blocks=True)
        return result

    @property
    def val_test_gap(self) -> CheckResult:
        """``quality.val_test_gap`` of the candidate, judged once: its own gate test and a
        criterion of ``promotion.vs_champion``."""
        from sentinel_checks.checks.quality import check_val_test_gap
        from sentinel_checks.gate import policy

        def judge() -> CheckResult:
            ev = self.evaluation("candidate")
            return check_val_test_gap(
                ev.summary("val"), ev.summary("test"), **policy.val_test_gap(self.config)
            )

        return self._once("val_test_gap", judge)

    def repeats_within(self, split: str, columns: list[str]) -> int:
        """Rows of the engine's ``split`` that another of its rows repeats over ``columns``,
        counted once per split and columns (train is the earlier split of two pairs).

        Parameters
        ----------
        split : str
            A split made in the engine (``s.engine_tables``).
        columns : list of str
            The columns compared.

        Returns
        -------
        int
            :func:`~sentinel_checks.engine.row_repeats.repeats_within`.
        """
        import json

        from sentinel_checks.engine.row_repeats import repeats_within

        tables = self.engine_tables
        assert tables is not None
        key = f"repeats_within:{json.dumps([split, list(columns)])}"
        return self._once(key, lambda: repeats_within(tables[split], columns))

    @property
    def target_leakage(self) -> CheckResult:
        """``splits.target_leakage`` on every row of the train split, judged once: its own
        gate test, and the features ``quality.too_good`` names as suspects."""
        from sentinel_checks.checks import check_target_leakage
        from sentinel_checks.gate import policy

        def judge() -> CheckResult:
            from sentinel_checks.gate.session_leakage import engine_target_leakage

            in_engine = engine_target_leakage(self)  # None with engine = "pandas"
            if in_engine is not None:
                return in_engine
            return check_target_leakage(
                self.splits.train,
                self.split_labels["train"],
                features=self.features,
                **policy.target_leakage(self.config),
            )

        return self._once("target_leakage", judge)

    @property
    def training_log(self) -> pd.DataFrame:
        """The training log (one row per epoch); NotConfigured without ``[training] log``."""
        from sentinel_checks.data.io import load_training_log

        def load() -> pd.DataFrame:
            if self.config.training.log is None:
                raise NotConfigured("no [training] log configured")
            log = load_training_log(self.config.training.log)
            self.training_log_loaded = log
            return log

        return self._once("training_log", load)

    # ------------------------------------------------------------------ drift and promotion

    def feature_drift(
        self, pair: tuple[str, str], *, segment: tuple[str, str] | None = None
    ) -> tuple[DriftRun | None, DriftInputs, pd.DataFrame, pd.DataFrame]:
        """Evidently's column drift for a pair of frames (optionally within one segment
        value), run once on seeded samples of at most ``[drift] max_rows`` a side.

        Parameters
        ----------
        pair : tuple of (str, str)
            The reference and the current frame, by name (:meth:`frame`).
        segment : tuple of (str, str), optional
            ``(column, value)``: only rows whose column, as text, equals ``value``.

        Returns
        -------
        tuple
            (the run, or None when a side is below ``[drift] min_rows`` /
            ``min_segment_rows``; the prepared inputs; the reference frame; the current frame).

        Raises
        ------
        NotConfigured
            ``pair`` names ``production`` and no sample is configured.
        DataError
            A frame lacks a feature column, or the data cannot be loaded.
        ConfigError
            Evidently used a drift method whose direction the gate does not know.
        """
        from sentinel_checks.gate.feature_drift import drift_frames
        from sentinel_checks.gate.session_evidently import drift_key

        key = drift_key(pair, segment)
        ref, cur = drift_frames(pair, self.frame(pair[0]), self.frame(pair[1]), self.features, segment)
        if key not in self.drift_runs:
            self.measured_drift(pair, segment)
        return self.drift_runs[key], self.drift_inputs[key], ref, cur

    def feature_importance(self) -> FeatureImportance:
        """The candidate's importance share per feature on validation, measured once.

        See :func:`~sentinel_checks.models.importance.importance_shares`: the model's
        ``feature_importances_`` or permutation importance on at most
        ``[drift] importance_rows`` validation rows, seeded by ``[gate] seed``. When the
        engine split the data, the sample is drawn there from the class counts
        (:meth:`~sentinel_checks.gate.session_drift.SessionDrift.engine_importance_sample`):
        the same rows, the same shares, without the splits in pandas.

        Raises
        ------
        ConfigError, ModelLoadError, DataError
            As for :meth:`model` and :attr:`splits`.
        """

        def measure() -> FeatureImportance:
            call = self._importance_pending or self.importance_call()
            self._importance_pending = None
            return self.run_call(call) if isinstance(call, PendingCall) else call

        return self._once("importance:candidate", measure)

    def importance_call(self) -> FeatureImportance | PendingCall:
        """What :meth:`feature_importance` measures: the model's own importance, or
        :func:`~sentinel_checks.models.importance.permutation_shares` on the seeded sample
        (drawn here: in the engine when it split the data, else from validation's frame),
        to run here or in the drift worker (:meth:`run_call`)."""
        from sentinel_checks.data.labels import binary_target
        from sentinel_checks.models.importance import fixed_importance, importance_rows, permutation_shares

        model, d = self.candidate, self.config.drift
        features = model.feature_list(self.features)
        fixed = fixed_importance(model, features)
        if fixed is not None:
            return fixed
        seed, positive = self.config.gate.seed, self.config.columns.positive
        sample = self.engine_importance_sample(features, max_rows=d.importance_rows, seed=seed)
        if sample is None:
            val = self.splits["val"]
            y = binary_target(val, self.config, what="val")
            sample = importance_rows(val, y, features=features, max_rows=d.importance_rows, seed=seed)
        kwargs = {"features": features, "positive": positive, "repeats": d.importance_repeats, "seed": seed}
        return PendingCall(permutation_shares, (model, *sample), kwargs)

    def comparison(self, split: str) -> PairedComparison:
        """Candidate vs champion on ``split``, paired, computed once.

        Parameters
        ----------
        split : str
            ``"test"`` or ``"production"``.

        Returns
        -------
        PairedComparison
            Also recorded in :attr:`comparisons`.

        Raises
        ------
        NotConfigured
            No champion is configured, or ``split`` has no labelled rows.
        ConfigError, ModelLoadError, DataError
            As for :meth:`evaluation`.
        """
        from sentinel_checks.gate.steps.promotion import compare_with_champion

        if split not in self.comparisons:
            candidate = self.evaluation("candidate")
            champion = self.evaluation("champion")
            if candidate.scored(split) is None or champion.scored(split) is None:
                from sentinel_checks.gate.steps.quality import unlabelled

                raise NotConfigured(unlabelled(self.config, split, "compare on it"))
            self.comparisons[split] = compare_with_champion(
                candidate, champion, split, self.config, counted=self.engine_paired
            )
        return self.comparisons[split]
