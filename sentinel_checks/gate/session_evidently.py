"""Evidently's runs for the drift steps, in this process or in the drift worker
(:mod:`~sentinel_checks.gate.drift_worker`): each pair's seeded samples, drawn from the
pandas frames or the engine's tables (the same rows), and the run on them.

:class:`SessionEvidently` sits between :class:`~sentinel_checks.gate.session_production.SessionProduction`
and :class:`~sentinel_checks.gate.session_drift.SessionDrift`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sentinel_checks.errors import DataError
from sentinel_checks.gate.drift_worker import DriftWorker, PendingCall, WorkerSnapshot, WorkerUnavailable
from sentinel_checks.gate.session_production import SessionProduction

if TYPE_CHECKING:
    import numpy as np
    from ibis.expr.types import Table

    from sentinel_checks.adapters.evidently_drift import ColumnDrift, DriftRun
    from sentinel_checks.checks.drift import DriftInputs
    from sentinel_checks.models.importance import FeatureImportance


def drift_key(pair: tuple[str, str], segment: tuple[str, str] | None) -> str:
    """The name of a pair's (and segment value's) drift run: ``drift_runs``' key, the page's file name."""
    return f"{pair[0]}_vs_{pair[1]}" + (f"__{segment[0]}={segment[1]}" if segment else "")


@dataclass(frozen=True)
class PreparedDrift:
    """A pair's drift, ready for Evidently: the prepared sample (``inputs``), the keyword
    arguments of ``column_drift`` (None under the minimum rows), the whole sides' row
    counts, the whole sides (frames, or the engine's tables) and the worker's request id
    when it was handed over early (:meth:`SessionEvidently.prefetch_feature_drift`)."""

    inputs: DriftInputs
    call: dict[str, Any] | None
    rows: tuple[int, int]
    sides: tuple[Any, Any]
    request: int | None = None


class SessionEvidently(SessionProduction):
    """Each drift pair's samples and Evidently's run on them, here or in the drift worker."""

    #: The drift worker process, when one runs (:meth:`start_drift_worker`).
    drift_worker: DriftWorker | None = None
    #: Drift handed to the worker before its test asked (:meth:`prefetch_feature_drift`), by key.
    _drift_pending: dict[str, PreparedDrift]
    #: The candidate's importance, or its call handed to the worker, before its test asked.
    _importance_pending: FeatureImportance | PendingCall | None

    def _drift_tables(self, pair: tuple[str, str]) -> tuple[Table, Table] | None:
        """Both tables of ``pair`` on the run's engine, each holding every feature; None with pandas."""
        ref, cur = self.engine_table(pair[0]), self.engine_table(pair[1])
        if ref is None or cur is None:
            return None
        tables = (ref, cur)
        for name, table in zip(pair, tables, strict=True):
            missing = [f for f in self.features if f not in table.columns]
            if missing:
                raise DataError(f"{name}: feature column(s) {missing} are missing: drift cannot be measured")
        return tables

    def prepare_drift(self, pair: tuple[str, str], segment: tuple[str, str] | None) -> PreparedDrift:
        """``pair``'s seeded samples of at most ``[drift] max_rows`` a side, prepared for
        Evidently: drawn from the engine's tables (:func:`~sentinel_checks.engine.samples.sample_table`)
        or the pandas frames (``bounded_sample``), the same rows either way.

        Raises
        ------
        NotConfigured
            ``pair`` names ``production`` and no sample is configured.
        DataError
            A side lacks a feature column (named), or the data cannot be loaded.
        """
        from sentinel_checks.gate.feature_drift import drift_call, drift_frames

        features, limit, seed = self.features, self.config.drift.max_rows, self.config.gate.seed
        tables = self._drift_tables(pair)
        if tables is None:
            from sentinel_checks.stats.sampling import bounded_sample

            ref, cur = drift_frames(pair, self.frame(pair[0]), self.frame(pair[1]), features, segment)
            rows = (len(ref), len(cur))
            samples = (bounded_sample(ref, limit, seed), bounded_sample(cur, limit, seed))
        else:
            from sentinel_checks.engine import drift_statistics as stats
            from sentinel_checks.engine.samples import sample_table

            ref, cur = tables if segment is None else (self._segment(t, *segment) for t in tables)
            rows = (stats.row_count(ref), stats.row_count(cur))
            samples = tuple(sample_table(t, limit=limit, seed=seed, columns=features) for t in (ref, cur))
        inputs, call = drift_call(*samples, rows, features, self.config, segmented=segment is not None)
        return PreparedDrift(inputs, call, rows, (ref, cur))

    def run_drift(self, prepared: PreparedDrift) -> DriftRun | None:
        """Evidently's run on ``prepared``: by the drift worker when one runs
        (:mod:`~sentinel_checks.gate.drift_worker`), else, or when it cannot answer, here.

        Raises
        ------
        ConfigError
            Evidently used a drift method whose direction the gate does not know.
        """
        from sentinel_checks.adapters.evidently_drift import column_drift

        call, worker = prepared.call, self.drift_worker
        if call is None:
            return None
        if worker is None:
            return column_drift(**call)
        rid = worker.submit("column_drift", call) if prepared.request is None else prepared.request
        try:
            run, html = worker.result(rid)
        except WorkerUnavailable:  # made again here: the same run, or the real error
            return column_drift(**call)
        run.snapshot = None if html is None else WorkerSnapshot(html)
        return run

    def start_drift_worker(self) -> None:
        """Start the drift worker process (:mod:`~sentinel_checks.gate.drift_worker`) once,
        on two cores or more, as ``[gate] drift_process`` says: ``"auto"`` with ``[data]
        engine = "pandas"`` only (DuckDB's and Spark's threads already use the second core:
        at 1M rows on DuckDB the worker made the gate 2 s slower), ``true`` with any engine."""
        wanted = self.config.gate.drift_process
        if wanted == "auto":
            wanted = self.config.data.engine == "pandas"
        if self.drift_worker is None and wanted:
            self.drift_worker = DriftWorker.start()

    def prefetch_feature_drift(self) -> None:
        """Hand the drift worker each ``[drift] feature_pairs`` pair's samples now, so that
        Evidently runs there while the other suites run here. A pair whose samples cannot
        be drawn is left to its drift test, which meets the same error and reports it."""
        if self.drift_worker is None:
            return
        for text in self.config.drift.feature_pairs:
            a, b = text.split(":")
            key = drift_key((a, b), None)
            if key in self._drift_pending or key in self.drift_runs:  # type: ignore[attr-defined]
                continue
            try:
                prepared = self.prepare_drift((a, b), None)
            except Exception:  # the drift test draws the samples again and reports why
                continue
            if prepared.call is not None:
                prepared = replace(prepared, request=self.drift_worker.submit("column_drift", prepared.call))
            self._drift_pending[key] = prepared
        if self.config.drift.feature_pairs and self._importance_pending is None:
            try:  # the importance shares the drift tests weigh drifted features by
                call = self.importance_call()  # type: ignore[attr-defined]
            except Exception:  # the drift test measures it again and says why it could not
                return
            if isinstance(call, PendingCall):
                call = replace(
                    call, request=self.drift_worker.submit("call", call.function, call.args, call.kwargs)
                )
            self._importance_pending = call

    def run_call(self, call: PendingCall) -> Any:
        """``call`` by the drift worker when one runs (its early request when handed over
        by :meth:`prefetch_feature_drift`), else, or when it cannot answer, here."""
        worker = self.drift_worker
        if worker is not None:
            request = call.request
            if request is None:
                request = worker.submit("call", call.function, call.args, call.kwargs)
            try:
                return worker.result(request)
            except WorkerUnavailable:  # made again here: the same value, or the real error
                pass
        return call.function(*call.args, **call.kwargs)

    def evidently_score_drift(self, reference: np.ndarray, current: np.ndarray) -> ColumnDrift | None:
        """Evidently's drift score of two score samples
        (:func:`~sentinel_checks.adapters.evidently_drift.score_drift`), by the drift worker when one runs."""
        from sentinel_checks.adapters.evidently_drift import score_drift

        if self.drift_worker is not None:
            try:
                return self.drift_worker.result(self.drift_worker.submit("score_drift", reference, current))
            except WorkerUnavailable:
                pass
        return score_drift(reference, current)

    def close(self) -> None:
        """Release the engine (:meth:`SessionData.close`), then end the drift worker."""
        try:
            super().close()
        finally:
            worker, self.drift_worker = self.drift_worker, None
            if worker is not None:
                worker.close()

    @staticmethod
    def _segment(table: Table, column: str, value: str) -> Table:
        from sentinel_checks.engine import drift_statistics as stats

        raws = stats.segment_levels(table, column).get(value)
        if raws is None:  # no row carries the value on this side
            return stats.segment_rows(table, column, table.select(column).limit(0).to_pandas()[column])
        return stats.segment_rows(table, column, raws)
