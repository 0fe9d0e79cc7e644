"""How the gate's process and its drift worker share the cores
(:mod:`sentinel_checks.gate.core_sharing`): the worker's one thread of each pool, the
gate's ``predict_proba`` on one OpenMP thread while the worker computes, and calls the
worker could make run here on its one BLAS thread."""

from __future__ import annotations

import pytest

from sentinel_checks.gate import core_sharing, drift_worker
from tests import test_drift_worker

#: The drift worker tests' fixture: ``make(engine)`` gives a session computing here and
#: one with a started worker.
sessions = test_drift_worker.sessions


def test_the_worker_is_busy_until_its_reply_comes_and_scoring_then_shares_the_cores(monkeypatch):
    """While the worker computes, predict_proba in the gate's process gets one OpenMP
    thread (two threads on two cores the worker also uses wait on each other at every
    tree's parallel loop: 1M rows on DuckDB 28.1 → 25 s); otherwise nothing changes."""
    import sklearn.ensemble  # noqa: F401  (loads scikit-learn's OpenMP runtime)
    from threadpoolctl import threadpool_info, threadpool_limits

    def openmp_threads() -> set[int]:
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "openmp"}

    assert openmp_threads(), "scikit-learn's OpenMP runtime is not loaded"
    monkeypatch.setattr(drift_worker, "ENABLED", True)
    monkeypatch.setattr(drift_worker, "cores", lambda: 2)
    with threadpool_limits(limits=2, user_api="openmp"):  # two threads whatever this machine has
        _busy_and_idle(openmp_threads)


def _busy_and_idle(openmp_threads) -> None:
    import time

    before = openmp_threads()
    assert before == {2}
    with core_sharing.shared_cores(None):
        assert openmp_threads() == before  # no worker: unchanged
    worker = drift_worker.DriftWorker.start()
    assert worker is not None
    try:
        assert not worker.busy
        rid = worker.submit("call", time.sleep, (2.0,), {})
        assert worker.busy
        with core_sharing.shared_cores(worker):
            assert openmp_threads() == {1}
        assert openmp_threads() == before  # given back on exit
        worker.result(rid)
        assert not worker.busy
        with core_sharing.shared_cores(worker):
            assert openmp_threads() == before
    finally:
        worker.close()
    assert not worker.busy  # an ended worker is never busy


def test_the_worker_runs_one_thread_of_each_pool_and_the_same_call_here_one_blas_thread(monkeypatch):
    """The worker runs one OpenMP, OpenBLAS and MKL thread beside the gate's process
    (OpenMP threads wait on each other, OpenBLAS's idle ones spin); a call it could make,
    made here, runs on one BLAS thread too, so both give the same bits."""
    import os

    import numpy as np
    from threadpoolctl import threadpool_info, threadpool_limits

    monkeypatch.setattr(drift_worker, "ENABLED", True)
    worker = drift_worker.DriftWorker.start()
    assert worker is not None
    try:
        names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
        told = [worker.result(worker.submit("call", os.getenv, (name,), {})) for name in names]
        assert told == ["1", "1", "1"]
    finally:
        worker.close()

    def blas_threads() -> set[int]:
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    np.dot(np.ones(3), np.ones(3))  # numpy's BLAS loaded
    with threadpool_limits(limits=2, user_api="blas"):
        assert blas_threads() == {2}
        with core_sharing.one_blas_thread():
            assert blas_threads() == {1}
        assert blas_threads() == {2}  # given back


def test_a_call_made_here_runs_on_the_workers_one_blas_thread(sessions):
    """Without a worker, and when it cannot answer, the calls it could make run here on
    one BLAS thread (:func:`~sentinel_checks.gate.core_sharing.here_as_there`), as the
    worker runs them; two threads outside (whatever this machine has)."""
    import numpy as np
    import pandas as pd
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads() -> set[int]:
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    np.dot(np.ones(3), np.ones(3))  # numpy's BLAS loaded
    here, there = sessions("pandas")
    seen: list[set[int]] = []

    def record(*args, **kwargs):
        seen.append(blas_threads())
        return "done"

    call = drift_worker.PendingCall(record, (), {})
    with threadpool_limits(limits=2, user_api="blas"):
        assert blas_threads() == {2}
        assert here.drift_worker is None
        assert here.run_call(call) == "done"  # no worker
        there.drift_worker._process.kill()  # a worker that cannot answer: the call made here
        assert there.run_call(call) == "done"
        assert blas_threads() == {2}  # given back
    assert seen == [{1}, {1}]
    assert [n for n in there.engine_notes if "drift worker could not answer" in n]

    from sentinel_checks.gate import session_evidently

    frame = pd.DataFrame({"x": np.arange(50.0)})
    drawn: list[str] = []
    real = session_evidently.here_as_there

    def spy(function, *args, **kwargs):
        drawn.append(function.__name__)
        return real(function, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(session_evidently, "here_as_there", spy)
        here.evidently_score_drift(frame["x"].to_numpy(), frame["x"].to_numpy())
    assert drawn == ["score_drift"]  # Evidently's score drift, made here, as the worker makes it
