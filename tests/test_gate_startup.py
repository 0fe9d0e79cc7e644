"""Issue 18, start-up cost of ``sentinel gate``: what the in-process pytest run is asked to do.

No timings: the tests pin the arguments that keep pytest from re-parsing and rewriting
every imported module (the gate's suites judge through ``gate.run``, not bare asserts).
"""

from __future__ import annotations

import sys

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


def test_sentinel_gate_reads_the_data_and_each_model_once(gate_project, monkeypatch, tmp_path):
    """The CLI's preflight loads the dataset, the production sample and the models into the
    session that pytest's run then uses (in the same process): nothing is read twice."""
    import shutil

    from sentinel_checks.cli import main
    from sentinel_checks.data import inputs
    from sentinel_checks.models import loading
    from tests.conftest import SUITES

    project = gate_project()
    suites = tmp_path / "one_suite"
    suites.mkdir()
    shutil.copy(SUITES / "test_data_contract.py", suites)
    reads: list[str] = []
    for module, name in ((inputs, "load_dataset"), (inputs, "load_production"), (loading, "load_model")):
        real = getattr(module, name)
        monkeypatch.setattr(
            module,
            name,
            lambda *a, _real=real, _name=name, **k: (
                reads.append(f"{_name} {k.get('role', '')}".strip()) or _real(*a, **k)
            ),
        )
    monkeypatch.chdir(project.folder)
    try:
        code = main(["gate", "--config", str(project.config), "--suites", str(suites), "--reports", "out"])
    finally:  # the copied suite module must not shadow the shipped one in a later in-process run
        sys.modules.pop("test_data_contract", None)
    assert code in (0, 1), code
    models = [r for r in reads if r.startswith("load_model")]
    assert models and len(models) == len(set(models)), reads  # each model once
    assert sorted(set(reads) - set(models)) == ["load_dataset", "load_production"]
    assert len(reads) == len(models) + 2, reads
