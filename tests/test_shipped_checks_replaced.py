"""A team's test named like a shipped check replaces it in the suite file's namespace
(`from sentinel_checks.suites.test_quality import *`, then `def test_recall_of_…(): pass`):
the shipped check never ran, and the gate passed and was promoted (trial, stop 51: a
model failing production recall at 0.641 against 0.75, exit 0, `sentinel promote` exit
0). A shipped check that a suite file of the shipped name does not collect as shipped is
an error entry: the verdict is fail, and promote refuses it."""

from __future__ import annotations

import json

import pytest

from tests.test_gate_steps import score_column_project

WRAPPER = "from sentinel_checks.suites.test_models import *  # noqa: F403\n"


def _project(pytester, suite: str, *args: str) -> dict:
    score_column_project(pytester)
    pytester.makepyfile(test_models=suite)
    pytester.runpytest_subprocess(
        "--sentinel-config", "sentinel.toml", "--sentinel-reports", "out", "-p", "no:cacheprovider",
        "--junitxml=out/junit.xml", *args,
    )  # fmt: skip
    return json.loads((pytester.path / "out" / "gate.json").read_text())


def _replaced(report: dict) -> list[dict]:
    return [c for c in report["checks"] if c["test"] == "sentinel run::shipped checks replaced"]


@pytest.mark.slow
def test_a_team_function_named_like_a_shipped_check_is_an_error_not_a_pass(pytester):
    report = _project(
        pytester,
        WRAPPER + "\n\ndef test_model_scores_the_data():\n    pass\n\n\ndef test_mine(gate):\n    pass\n",
    )
    (entry,) = _replaced(report)
    assert entry["outcome"] == "error" and report["verdict"] == "fail", report
    message = entry["message"]
    assert message.startswith("test_models.py: test_model_scores_the_data is not the shipped check"), message
    assert "rename your test" in message, message
    assert report["coverage"]["deselected"] == 0, report["coverage"]  # replaced, not deselected (trial)
    junit = (pytester.path / "out" / "junit.xml").read_text()
    assert 'name="shipped checks replaced"' in junit, junit  # the CI's test view is not all green


@pytest.mark.slow
@pytest.mark.parametrize(
    ("suite", "extra", "conftest"),
    [
        # the import edited: the shipped test is not collected
        ("from sentinel_checks.suites.test_models import pytest  # noqa: F401\n\n"
         "def test_mine(gate):\n    pass\n", (), ""),
        # one shipped test chosen by its node id: the others are not collected (review)
        (WRAPPER, ("test_models.py::test_model_scores_the_data[val-candidate]",), ""),
        # a hook drops shipped tests after collection without deselecting them (review)
        (WRAPPER, (), "def pytest_collection_modifyitems(items):\n    del items[1:]\n"),
    ],
    ids=["import-edited", "node-id", "hook-dropped"],
)  # fmt: skip
def test_a_shipped_check_left_out_is_a_partial_gate_not_an_error(pytester, suite, extra, conftest):
    if conftest:
        pytester.makeconftest(conftest)
    report = _project(pytester, suite, *extra)
    assert _replaced(report) == [], report
    assert report["coverage"]["deselected"] >= 1, report["coverage"]  # partial: promote refuses it


@pytest.mark.slow
def test_the_shipped_wrapper_and_a_team_test_beside_it_are_no_such_error(pytester):
    report = _project(pytester, WRAPPER + "\n\ndef test_my_own_rule(gate):\n    pass\n")
    assert _replaced(report) == []


@pytest.mark.slow
@pytest.mark.parametrize("where", ["conftest", "suite"])
def test_a_gate_fixture_of_the_team_standing_in_for_the_plugins_is_an_error(pytester, where):
    """Review (stop 51): a `gate` fixture defined in a conftest or the suite file returned
    a stand-in, and every shipped test passed with no check run."""
    fake = "import pytest\n\n@pytest.fixture\ndef gate():\n    class G:\n        def run(self, *a, **k):\n            pass\n    return G()\n"
    if where == "conftest":
        pytester.makeconftest(fake)
        report = _project(pytester, WRAPPER)
    else:
        report = _project(pytester, WRAPPER + fake)
    (entry,) = _replaced(report)
    assert "the gate fixture is not the plugin's" in entry["message"], entry
    assert report["verdict"] == "fail"
