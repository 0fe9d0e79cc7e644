"""Evidently's runs for the drift steps, in this process or in the drift worker
(:mod:`~sentinel_checks.gate.drift_worker`): each pair's seeded samples, drawn from the
pandas frames or the engine's tables (the same rows), and the run on them.

:class:`SessionEvidently` sits between :class:`~sentinel_checks.gate.session_production.SessionProduction`
and :class:`~sentinel_checks.gate.session_drift.SessionDrift`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sentinel_checks.errors import DataError
from sentinel_checks.gate import drift_worker as worker_module
from sentinel_checks.gate.core_sharing import here_as_there
from sentinel_checks.gate.drift_worker import (
    AUTO_ENGINES,
    DriftWorker,
    PendingCall,
    WorkerSnapshot,
    WorkerUnavailable,
    baselines_collected,
    drift_last,
    feature_pairs_collected,
)
from sentinel_checks.gate.session_production import SessionProduction

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from ibis.expr.types import Table

    from sentinel_checks.adapters.evidently_drift import ColumnDrift, DriftRun
    from sentinel_checks.checks.drift import DriftInputs
    from sentinel_checks.models.importance import FeatureImportance


def _with_page(reply: tuple[DriftRun, str | None]) -> DriftRun:
    """The worker's run with its rendered page in place of Evidently's snapshot."""
    run, html = reply
    run.snapshot = None if html is None else WorkerSnapshot(html)
    return run


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

    #: Drift handed to the worker before its test asked (:meth:`prefetch_feature_drift`), by key.
    _drift_pending: dict[str, PreparedDrift]
    #: The candidate's importance, or its call handed to the worker, before its test asked.
    _importance_pending: FeatureImportance | PendingCall | None
    #: Evidently's runs and their prepared inputs, by :func:`drift_key` (set by ``GateSession``).
    drift_runs: dict[str, DriftRun | None]
    drift_inputs: dict[str, DriftInputs]

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

            def sample(name: str, table: Table) -> pd.DataFrame:
                def draw() -> pd.DataFrame:
                    return sample_table(table, limit=limit, seed=seed, columns=features)

                # a whole split's sample is drawn once: train is the reference of three pairs
                # (10M rows: a permutation of 7.4M positions and a pass over train each time)
                return draw() if segment is not None else self._once(f"drift_sample:{name}", draw)

            samples = (sample(pair[0], ref), sample(pair[1], cur))
        inputs, call = drift_call(*samples, rows, features, self.config, segmented=segment is not None)
        return PreparedDrift(inputs, call, rows, (ref, cur))

    def measured_drift(self, pair: tuple[str, str], segment: tuple[str, str] | None) -> PreparedDrift:
        """``pair``'s drift (optionally one segment value's) prepared and run, its run and
        inputs recorded in ``drift_runs`` / ``drift_inputs``: handed to the worker early
        (:meth:`prefetch_feature_drift`), or prepared now.

        Raises
        ------
        NotConfigured, DataError
            As :meth:`prepare_drift`.
        ConfigError
            As :meth:`run_drift`.
        """
        key = drift_key(pair, segment)
        prepared = self._drift_pending.pop(key, None) or self.prepare_drift(pair, segment)
        self.drift_runs[key] = self.run_drift(prepared)
        self.drift_inputs[key] = prepared.inputs
        return prepared

    def run_drift(self, prepared: PreparedDrift) -> DriftRun | None:
        """Evidently's run on ``prepared`` (None under the minimum rows): by the drift worker
        when one runs (:mod:`~sentinel_checks.gate.drift_worker`), else here.

        Raises
        ------
        ConfigError
            Evidently used a drift method whose direction the gate does not know.
        """
        from sentinel_checks.adapters.evidently_drift import column_drift

        call = prepared.call
        if call is None:
            return None
        run: DriftRun = self._answer(
            lambda worker: worker.submit("column_drift", call),
            lambda: here_as_there(column_drift, **call),
            request=prepared.request,
            read=_with_page,
        )
        return run

    def run_call(self, call: PendingCall) -> Any:
        """``call`` by the drift worker when one runs (its early request when handed over
        by :meth:`prefetch_feature_drift`), else here."""
        return self._answer(
            call.submit,
            call.run,
            request=call.request,
        )

    def evidently_score_drift(self, reference: np.ndarray, current: np.ndarray) -> ColumnDrift | None:
        """Evidently's drift score of two score samples
        (:func:`~sentinel_checks.adapters.evidently_drift.score_drift`), by the drift worker when one runs."""
        from sentinel_checks.adapters.evidently_drift import score_drift

        value: ColumnDrift | None = self._answer(
            lambda worker: worker.submit("score_drift", reference, current),
            lambda: here_as_there(score_drift, reference, current),
        )
        return value

    def _answer(
        self,
        submit: Callable[[DriftWorker], int],
        here: Callable[[], Any],
        *,
        request: int | None = None,
        read: Callable[[Any], Any] = lambda reply: reply,
    ) -> Any:
        """The worker's reply to ``request`` (or to what ``submit`` hands it), read by
        ``read``; ``here()`` when no worker runs, or when it cannot answer (noted: the
        same call made here returns the same value or raises the real error; ``here``
        makes it as the worker does, :func:`~.core_sharing.here_as_there`)."""
        worker = self.drift_worker
        if worker is None:
            return here()
        try:
            return read(worker.result(submit(worker) if request is None else request))
        except WorkerUnavailable as exc:
            said = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            self.note(
                f"[gate] drift_process: the drift worker could not answer ({said}); "
                "the call was made in the gate's process on the same inputs"
            )
            return here()

    def start_drift_worker(self) -> None:
        """Start the drift worker process (:mod:`~sentinel_checks.gate.drift_worker`) once,
        on two cores or more, as ``[gate] drift_process`` says: ``"auto"`` with ``[data]
        engine = "pandas"`` or ``"duckdb"`` (on DuckDB, idle, 1M rows: 28.4–28.7 s with it,
        30.8–32.8 s without; not with Spark, whose JVM runs beside the gate's process),
        ``true`` with any engine."""
        wanted = self.config.gate.drift_process
        if wanted == "auto":
            wanted = self.config.data.engine in AUTO_ENGINES
        if self.drift_worker is None and wanted:
            self.drift_worker = DriftWorker.start()

    def worker_for(self, items: list[Any]) -> dict[str, int] | None:
        """Start the drift worker for the collected pytest ``items`` (stop the one ``sentinel
        gate`` started when no feature-drift test was collected: nothing to hand it) and,
        with one, move the shipped drift suite last (:func:`drift_last`: each node id's
        place before the move, which the reports keep); None when no worker runs."""
        if not feature_pairs_collected(items):
            self.stop_drift_worker()
            return None
        self.start_drift_worker()
        told = self.config.gate.drift_process is True and worker_module.ENABLED
        if self.drift_worker is None and told:  # asked for by name: say why there is none
            why = (
                "this process may run on one core" if worker_module.cores() < 2 else "it could not be started"
            )
            self.note(
                f"[gate] drift_process = true: no drift worker ({why}); "
                "the drift step runs in the gate's process"
            )
        return drift_last(items) if self.drift_worker is not None else None

    def hand_over(self, items: list[Any]) -> None:
        """Once the preflight passed: :meth:`prefetch_feature_drift` of the feature pairs
        and the baselines' fit whose tests are among the collected ``items``."""
        self.prefetch_feature_drift(feature_pairs_collected(items), baselines=baselines_collected(items))

    def stop_drift_worker(self) -> None:
        """End the drift worker, if one runs; what was handed to it is made here when asked."""
        worker, self.drift_worker = self.drift_worker, None
        self._drift_pending.clear()
        self._importance_pending = self._baselines_pending = None
        if worker is not None:
            worker.close()

    def prefetch_feature_drift(self, pairs: Sequence[str] | None = None, *, baselines: bool = False) -> None:
        """Hand the drift worker the samples of ``pairs`` (``"train:val"``, …; default every
        ``[drift] feature_pairs`` pair) and the permutation-importance call now, so that
        they run there while the other suites run here; with ``baselines`` and ``[data]
        engine = "pandas"``, first the baselines' fit (:meth:`baselines_call`: its test comes
        before the drift suite's). Not with an engine: its threads already keep both cores
        busy, and at 1M rows on DuckDB the fit there made the gate no faster (30.8 and
        31.2 s against 30.3 and 29.6 s, the means of three runs each, twice).
        What cannot be drawn is left to its test, which meets the same error and reports it."""
        worker = self.drift_worker
        if worker is None:
            return
        fitted = "baseline_models" in self._cache
        if (
            baselines
            and self.config.data.engine == "pandas"
            and self._baselines_pending is None
            and not fitted
        ):
            with contextlib.suppress(Exception):  # e.g. baselines = false: its test says so
                self._baselines_pending = self.baselines_call().handed_to(worker)
        chosen = list(self.config.drift.feature_pairs if pairs is None else pairs)
        for text in chosen:
            a, b = text.split(":")
            key = drift_key((a, b), None)
            if key in self._drift_pending or key in self.drift_runs:
                continue
            try:
                prepared = self.prepare_drift((a, b), None)
            except Exception:  # the drift test draws the samples again and reports why
                continue
            if prepared.call is not None:
                prepared = replace(prepared, request=worker.submit("column_drift", prepared.call))
            self._drift_pending[key] = prepared
        if chosen and self._importance_pending is None:
            try:  # the importance shares the drift tests weigh drifted features by
                call = self.importance_call()  # type: ignore[attr-defined]
            except Exception:  # the drift test measures it again and says why it could not
                return
            if isinstance(call, PendingCall):
                call = call.handed_to(worker)
            self._importance_pending = call

    def close(self) -> None:
        """Release the engine (:meth:`SessionData.close`), then end the drift worker."""
        try:
            super().close()
        finally:
            self.stop_drift_worker()

    @staticmethod
    def _segment(table: Table, column: str, value: str) -> Table:
        from sentinel_checks.engine import drift_statistics as stats

        raws = stats.segment_levels(table, column).get(value)
        if raws is None:  # no row carries the value on this side
            return stats.segment_rows(table, column, table.select(column).limit(0).to_pandas()[column])
        return stats.segment_rows(table, column, raws)
