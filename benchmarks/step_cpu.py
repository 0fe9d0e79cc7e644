"""A pytest plugin recording each gate step's CPU seconds (issue 18's demo-gate figures).

    STEP_CPU_OUT=/tmp/steps.json /usr/bin/time -v env PYTHONPATH=$PWD:$PWD/benchmarks \\
        python -m pytest suites/ -p step_cpu --sentinel-config sentinel-demo/incident.toml -q

Writes ``[[test name, CPU s, wall s], ...]``: ``time.process_time()`` (every thread of
the process, OpenMP's included) and ``time.perf_counter()`` around each test's call.
The first test of a session also pays for loading and scoring what it needs.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

_rows: list[tuple[str, float, float]] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[Any]:
    cpu, wall = time.process_time(), time.perf_counter()
    yield
    _rows.append((item.nodeid.split("::")[-1], time.process_time() - cpu, time.perf_counter() - wall))


def pytest_sessionfinish(session: pytest.Session) -> None:
    out = os.environ.get("STEP_CPU_OUT")
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump(_rows, f)
