"""Evidently's drift runs in a second Python process, beside the rest of the gate.

The feature-drift step is the gate's costliest part that needs nothing else of the run:
Evidently's import (about 2 s beyond the scikit-learn and scipy the gate imports anyway),
its reports and the distances' noise draws (about 5 s of the demo's 20 s on one core). As
``[gate] drift_process`` says (``"auto"``, the default: with the pandas or DuckDB engine) and on two
cores or more, ``sentinel gate`` and ``pytest suites/`` start ``python -m
sentinel_checks.gate.drift_worker`` before the preflight when feature-drift tests were
collected, hand it those pairs' seeded samples, the permutation-importance call and (when
the baselines test was collected) the baselines' fit once the preflight passes
(:meth:`~sentinel_checks.gate.session_evidently.SessionEvidently.prefetch_feature_drift`),
and read the runs back when the drift tests ask: with a worker, pytest runs the shipped
drift suite last (:func:`drift_last`; the reports keep the suites' order). The in-process
runner (:mod:`~sentinel_checks.gate.runner`) starts no worker.

The worker calls :func:`~sentinel_checks.adapters.evidently_drift.column_drift` exactly as
this process would: the same samples, methods and seed, so the same numbers. Each reply is
the run and its Evidently page, rendered there (:class:`WorkerSnapshot`).

Fail closed: a worker that cannot start, ends, raises, or gives no reply within
:data:`REPLY_SECONDS` gives way to the same call in this process (:class:`WorkerUnavailable`;
the session notes it), which returns the same run or raises the real error; no result is
taken from the worker except a finished run. Requests and replies are
pickles over the worker's stdin and stdout (its own prints go to ``/dev/null``); a reader
and a writer thread keep both pipes moving, so neither process waits on a full pipe.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sentinel_checks.gate.core_sharing import ONE_THREAD, here_as_there

#: The longest wait for one reply before the worker is taken for stuck, ended, and the
#: call made in the gate's process (a run of the default 50k rows a side takes seconds).
REPLY_SECONDS = 600.0

#: Whether gate sessions may start a worker (the library's own tests set it to False and
#: enable it where they test the worker; ``[gate] drift_process`` is the user's switch).
ENABLED = True

#: The ``[data] engine`` values with which ``[gate] drift_process = "auto"`` starts a worker
#: (not Spark: its JVM already runs beside the gate's process).
AUTO_ENGINES = ("pandas", "duckdb")


def cores() -> int:
    """The CPUs this process may run on (its affinity, which a container's CPU set narrows)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class WorkerUnavailable(Exception):
    """The worker could not answer a request (not started, ended, or the call raised there)."""


class DriftWorker:
    """A client of one ``python -m sentinel_checks.gate.drift_worker`` process.

    Use :meth:`start`; :meth:`submit` queues a call and returns its id at once;
    :meth:`result` waits for its reply. Calls run one at a time, in the order submitted.
    """

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._outbox: queue.Queue[tuple[int, str, tuple[Any, ...]] | None] = queue.Queue()
        self._replies: dict[int, tuple[bool, Any]] = {}
        self._done = threading.Condition()
        self._ended = False
        self._ids = itertools.count()
        self._asked = self._replied = 0  # requests submitted, replies come (under _done)
        #: Replies taken from the worker (a test can tell the worker was used).
        self.answered = 0
        self._threads = [
            threading.Thread(target=self._send, name="sentinel-drift-send", daemon=True),
            threading.Thread(target=self._receive, name="sentinel-drift-receive", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @classmethod
    def start(cls) -> DriftWorker | None:
        """Start the worker process; None when this machine has one core, workers are
        disabled (:data:`ENABLED`), or the process cannot be started."""
        if not ENABLED or cores() < 2:
            return None
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env={**os.environ, **ONE_THREAD},
            )
        except OSError:
            return None
        return cls(process)

    def submit(self, call: str, *args: Any) -> int:
        """Queue ``call`` (a name in the worker's table) with ``args``; returns its id."""
        rid = next(self._ids)
        with self._done:
            self._asked += 1
        self._outbox.put((rid, call, args))
        return rid

    @property
    def busy(self) -> bool:
        """Whether the worker is computing: a request submitted has no reply yet (and the
        process has not ended). The gate's own parallel work then shares the cores with it
        (:func:`~sentinel_checks.gate.core_sharing.shared_cores`)."""
        with self._done:
            return not self._ended and self._replied < self._asked

    def result(self, rid: int) -> Any:
        """The reply to request ``rid``, once it has come.

        Raises
        ------
        WorkerUnavailable
            The worker ended before replying, gave no reply within :data:`REPLY_SECONDS`
            (it is then ended), or the call raised there (its text).
        """
        with self._done:
            if not self._done.wait_for(lambda: rid in self._replies or self._ended, timeout=REPLY_SECONDS):
                self._process.kill()  # stuck: the reader sees the end and every wait returns
                raise WorkerUnavailable(f"the drift worker gave no reply in {REPLY_SECONDS:.0f} s")
            if rid not in self._replies:
                raise WorkerUnavailable("the drift worker process ended")
            ok, value = self._replies.pop(rid)
        if not ok:
            raise WorkerUnavailable(value)
        self.answered += 1
        return value

    def close(self) -> None:
        """End the worker now (what it has not answered is not needed any more) and
        release its pipes and threads."""
        self._outbox.put(None)
        if self._process.poll() is None:
            self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for thread in self._threads:
            thread.join(timeout=10)
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                pipe.close()

    def _send(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        while (item := self._outbox.get()) is not None:
            try:
                data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # an argument that does not pickle: this request only
                self._reply(item[0], False, f"the request could not be sent: {exc}")
                continue
            try:
                stdin.write(data)
                stdin.flush()
            except (OSError, ValueError):  # the worker ended: every later request fails too
                self._end()
                return
        with contextlib.suppress(OSError):
            stdin.close()

    def _receive(self) -> None:
        stdout = self._process.stdout
        assert stdout is not None
        try:
            while True:
                self._reply(*pickle.load(stdout))  # the worker this process started
        except Exception:  # EOF: the worker ended (closed, crashed or killed)
            self._end()

    def _reply(self, rid: int, ok: bool, value: Any) -> None:
        with self._done:
            self._replies[rid] = (ok, value)
            self._replied += 1
            self._done.notify_all()

    def _end(self) -> None:
        with self._done:
            self._ended = True
            self._done.notify_all()


@dataclass(frozen=True)
class PendingCall:
    """A call of one of the gate's own module-level functions (pickled by reference) that
    may run in the worker (``"call"``): ``function(*args, **kwargs)``; ``request`` is the
    worker's id once handed over early."""

    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    request: int | None = None

    def run(self) -> Any:
        """The call, made in this process on one BLAS thread, as the worker makes it
        (:func:`~sentinel_checks.gate.core_sharing.here_as_there`: the same sums, the same bits)."""
        return here_as_there(self.function, *self.args, **self.kwargs)

    def submit(self, worker: DriftWorker) -> int:
        """Queue the call in ``worker``; returns its request id."""
        return worker.submit("call", self.function, self.args, self.kwargs)

    def handed_to(self, worker: DriftWorker) -> PendingCall:
        """The call queued in ``worker`` now, with its request id (read later by ``result``)."""
        return replace(self, request=self.submit(worker))


class WorkerSnapshot:
    """Evidently's page of a run the worker made, rendered there beside the run (every run
    the gate keeps gets its page in the reports): :meth:`save_html` writes it."""

    def __init__(self, html: str) -> None:
        self._html = html

    def save_html(self, path: str) -> None:
        Path(path).write_text(self._html, encoding="utf-8")


#: The module of the shipped drift suite's tests (``suites/test_drift.py`` imports them).
DRIFT_SUITE = "sentinel_checks.suites.test_drift"


def drift_last(items: list[Any]) -> dict[str, int] | None:
    """Move the shipped drift suite's tests after every other test, in place (stable).

    Parameters
    ----------
    items : list of pytest.Item
        The collected tests, in pytest's order.

    Returns
    -------
    dict of str to int or None
        Each node id's place before the move (the reports list outcomes in it); None when
        no drift suite test was collected (nothing moved).
    """
    order = {item.nodeid: i for i, item in enumerate(items)}
    drift = [i for i in items if getattr(getattr(i, "function", None), "__module__", None) == DRIFT_SUITE]
    if not drift:
        return None
    moved = set(map(id, drift))
    items[:] = [i for i in items if id(i) not in moved] + drift
    return order


def feature_pairs_collected(items: list[Any]) -> list[str]:
    """The ``sentinel_feature_pair`` values (``"train:val"``, …) of the shipped drift
    suite's whole-frame feature-drift tests among ``items``, in order, each once: what
    the worker is handed early (a run deselected with ``-k`` is not)."""
    pairs: list[str] = []
    for item in items:
        if not _is_shipped(item, DRIFT_SUITE, FEATURE_TEST):
            continue
        pair = getattr(getattr(item, "callspec", None), "params", {}).get("sentinel_feature_pair")
        if isinstance(pair, str) and pair not in pairs:
            pairs.append(pair)
    return pairs


def baselines_collected(items: list[Any]) -> bool:
    """Whether the shipped quality suite's baselines test is among ``items`` (the worker
    is then handed the baselines' fit early)."""
    return any(_is_shipped(item, QUALITY_SUITE, BASELINES_TEST) for item in items)


def _is_shipped(item: Any, module: str, name: str) -> bool:
    function = getattr(item, "function", None)
    return (getattr(function, "__module__", None), getattr(function, "__name__", None)) == (module, name)


#: The shipped test of whole-frame feature drift (one per ``[drift] feature_pairs`` pair).
FEATURE_TEST = "test_features_have_not_drifted"

#: The shipped quality suite's module and its test of the baselines.
QUALITY_SUITE = "sentinel_checks.suites.test_quality"
BASELINES_TEST = "test_candidate_is_not_worse_than_simple_baselines"


# --------------------------------------------------------------------------- the worker's side


def _column_drift(kwargs: dict[str, Any]) -> tuple[Any, str | None]:
    from sentinel_checks.adapters.evidently_drift import column_drift

    run = column_drift(**kwargs)
    html = None if run.snapshot is None else run.snapshot.get_html_str(as_iframe=False)
    return type(run)(run.columns, None), html


def _score_drift(reference: Any, current: Any) -> Any:
    from sentinel_checks.adapters.evidently_drift import score_drift

    return score_drift(reference, current)


def _call(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return function(*args, **kwargs)


_CALLS: dict[str, Callable[..., Any]] = {
    "column_drift": _column_drift,
    "score_drift": _score_drift,
    "call": _call,
}


def main() -> None:
    """Answer requests from stdin until it closes: one pickled ``(id, ok, value)`` per request."""
    replies = os.fdopen(os.dup(1), "wb")
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)  # a library's print must not enter the replies
    from sentinel_checks.adapters.evidently_columns import _import_quietly, _name_by_display_name

    _import_quietly()  # while the gate loads its data
    _name_by_display_name()
    import sentinel_checks.adapters.evidently_drift
    import sentinel_checks.adapters.evidently_methods
    import sentinel_checks.stats.distance_noise  # noqa: F401

    requests = sys.stdin.buffer
    while True:
        try:
            rid, call, args = pickle.load(requests)  # the gate process that started this one
        except EOFError:
            return
        try:
            reply = (rid, True, _CALLS[call](*args))
        except Exception as exc:  # the gate's process makes the call again and sees the error
            reply = (rid, False, f"{type(exc).__name__}: {exc}")
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # a value that does not pickle
            data = pickle.dumps((rid, False, f"the reply could not be sent: {exc}"))
        replies.write(data)
        replies.flush()


if __name__ == "__main__":
    main()
