"""Issue 18, start-up cost of ``sentinel gate``: what the in-process pytest run is asked to do.

No timings: the tests pin the arguments that keep pytest from re-parsing and rewriting
every imported module (the gate's suites judge through ``gate.run``, not bare asserts).
"""

from __future__ import annotations

import pytest

from sentinel_checks.gate import pytest_run


@pytest.fixture
def captured(monkeypatch, tmp_path, gate_project):
    """Run :func:`run_gate` with pytest.main replaced: returns the arguments it was given."""
    config = gate_project().config
    seen: list[list[str]] = []

    def fake_main(args, plugins=None):
        seen.append(list(args))
        return pytest.ExitCode.NO_TESTS_COLLECTED

    monkeypatch.setattr(pytest, "main", fake_main)

    def run(*pytest_args: str) -> list[str]:
        code = pytest_run.run_gate(config, tmp_path / "reports", ["suites"], pytest_args)
        assert code == pytest_run.EXIT_NO_CHECKS
        return seen[-1]

    return run


def test_the_gate_runs_pytest_without_rewriting_assertions(captured):
    """Rewriting parses and recompiles each module of every pytest plugin's distribution
    (the library itself, hypothesis, faker, anyio, ...), about 300 modules a run."""
    args = captured()
    assert "--assert=plain" in args


@pytest.mark.parametrize("chosen", [["--assert=rewrite"], ["--assert", "rewrite"]])
def test_an_assert_mode_passed_to_pytest_is_kept(captured, chosen):
    args = captured(*chosen)
    assert "--assert=plain" not in args
    assert args[-len(chosen) :] == chosen
