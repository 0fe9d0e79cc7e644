"""How the gate's process and its drift worker share the machine's cores.

The worker (:mod:`~sentinel_checks.gate.drift_worker`) runs beside the gate's process,
which keeps both cores for DuckDB and its own ``predict_proba``. Thread pools that do
not know of each other waste them: two OpenMP threads on two cores the other process
also uses wait on each other at every parallel loop's end, and OpenBLAS's idle threads
spin. So the worker runs one thread of each pool (:data:`ONE_THREAD`), the gate's
``predict_proba`` takes one OpenMP thread while the worker computes
(:func:`shared_cores`), and a call the worker could make, made in the gate's process,
runs on one BLAS thread too (:func:`here_as_there`), so both give the same bits.
docs/benchmarks.md, twenty-third round: 1M rows on DuckDB 28.4–28.8 → 24.9–25.0 s, the
demo gate (fixed) 14.6–15.9 → 13.3–14.4 s; 10M unchanged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sentinel_checks.gate.drift_worker import DriftWorker

#: The worker's environment: one thread of each pool (OpenMP, OpenBLAS, MKL). OpenMP's
#: count changes no result (scikit-learn's trees fit and predict the same bits on one
#: thread or two); BLAS splits its sums by thread, hence :func:`here_as_there`.
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """The worker's BLAS thread count (one), for a call it could make made here:
    Evidently's distances and the baselines' logistic regression sum in the same order
    on both sides, whatever the machine's cores (``threadpoolctl``)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def here_as_there(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` in this process, under :func:`one_blas_thread`."""
    with one_blas_thread():
        return function(*args, **kwargs)


def shared_cores(worker: DriftWorker | None) -> contextlib.AbstractContextManager[Any]:
    """One OpenMP thread in this process while ``worker`` is busy
    (:attr:`~sentinel_checks.gate.drift_worker.DriftWorker.busy`), else nothing changed:
    for ``predict_proba`` (scikit-learn's tree predictions run an OpenMP parallel loop
    per tree), whose two threads on two cores the worker also uses wait on each other at
    every loop's end. The same scores either way (each row is predicted alone). Measured
    (docs/benchmarks.md, twenty-third round): the 1M-row gate on DuckDB 28.4–28.8 →
    26.1–27.9 s; one thread for the whole run instead made the 10M gate slower (124.8 s
    against 110.5 s), as the worker is idle most of that run.

    Returns
    -------
    context manager
        ``threadpoolctl.threadpool_limits(1, user_api="openmp")`` or a null context.
    """
    if worker is None or not worker.busy:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="openmp")
