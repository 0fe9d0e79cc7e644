"""What a new user's trial of the README found (issue 17), each pinned on a small project
built in the test: a split setting in the wrong units stops in the preflight, an escaped
setup error is told once and in plain words, the verdict is the last line, a misspelt
label is one problem, drift messages state the criterion that failed, ``sentinel init``
suggests nothing it cannot know, and the champion is judged at its own threshold.

The project helpers (400 rows, a logistic regression saved with skops) are those of
:mod:`tests.test_preflight`.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.test_preflight import CONFIG, _frame, _problems, _project

REPO = Path(__file__).resolve().parents[1]
TIME_SPLIT = 'method = "time"\nval_start = "2025-05-06"\ntest_start = "2025-05-12"'


def _time_config(extra: str) -> str:
    return CONFIG.replace('method = "column"\ncolumn = "split"', f"{TIME_SPLIT}\n{extra}")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}


# --------------------------------------------------------------------------- 1. split units


def test_a_number_as_embargo_on_datetimes_is_one_preflight_problem(tmp_path):
    problems = _problems(_project(tmp_path, config=_time_config("embargo = 1")))
    assert [p.key for p in problems] == ["[splits]"], problems
    text = str(problems[0])
    assert text.startswith("[splits]: embargo = 1 is a number"), text  # the key once
    assert "'request_ts'" in text and "'1D'" in text
    assert "ConfigError" not in text


def test_a_number_as_boundary_on_datetimes_is_a_preflight_problem(tmp_path):
    config = _time_config("").replace(
        'val_start = "2025-05-06"\ntest_start = "2025-05-12"', "val_start = 5\ntest_start = 10"
    )
    problems = _problems(_project(tmp_path, config=config))
    assert [p.key for p in problems] == ["[splits]"], problems
    assert "val_start = 5" in str(problems[0]) and "give a date" in str(problems[0])


def test_a_duration_on_row_order_is_a_preflight_problem(tmp_path):
    config = _time_config('embargo = "1D"').replace(
        'val_start = "2025-05-06"\ntest_start = "2025-05-12"', "val_start = 0.5\ntest_start = 0.75"
    )
    config = config.replace('timestamp = "request_ts"', 'timestamp = "@row"')
    problems = _problems(_project(tmp_path, config=config))
    assert [p.key for p in problems] == ["[splits]"], problems
    assert "number of rows" in str(problems[0])


def test_sound_time_splits_pass_the_preflight(tmp_path):
    assert _problems(_project(tmp_path, config=_time_config('embargo = "1D"'))) == []


def test_an_escaped_setup_error_is_told_once_without_its_class_name(pytester):
    """A ConfigError raised inside three gate tests: one problem, in the user's words."""
    config = _project(pytester.path)
    body = (
        "from sentinel_checks.errors import ConfigError\n\n"
        "def {name}(sentinel_dataset):\n"
        "    raise ConfigError('[splits] embargo = 1 is a number: give a duration such as 1D')\n"
    )
    pytester.makepyfile(
        test_gate_a=body.format(name="test_a"),
        test_gate_b=body.format(name="test_b"),
        test_gate_c=body.format(name="test_c"),
    )
    result = pytester.runpytest("--sentinel-config", str(config), "--sentinel-reports", "out")
    out = result.stdout.str()
    assert "ConfigError:" not in out, out
    assert "setup error: 1 problem in the configuration" in out.strip().splitlines()[-1], out
    md = (pytester.path / "out" / "gate.md").read_text()
    assert md.count("embargo = 1 is a number") == 1 and "ConfigError" not in md, md


# --------------------------------------------------------------------------- 2, 3. the last lines


def _suite_with_one_test(folder: Path) -> Path:
    suites = folder / "my_suites"
    suites.mkdir()
    (suites / "test_rows.py").write_text(
        "def test_rows(sentinel_dataset):\n    assert len(sentinel_dataset)\n"
    )
    return suites


def test_sentinel_gate_prints_the_verdict_last(tmp_path):
    config = _project(tmp_path)
    suites = _suite_with_one_test(tmp_path)
    args = ["gate", "--config", str(config), "--reports", "reports", "--suites", str(suites)]
    proc = subprocess.run(
        [sys.executable, "-m", "sentinel_checks.cli", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=_env(),
    )
    lines = proc.stdout.strip().splitlines()
    assert proc.returncode == 3, proc.stdout[-3000:] + proc.stderr[-3000:]  # a test, no check
    assert lines[-1].startswith("gate NO CHECKS RAN"), lines[-5:]
    assert any("as the CI artifact" in line and "gate.json" in line for line in lines[:-1]), lines[-5:]


def test_sentinel_gate_stopped_by_the_preflight_prints_the_verdict_last(tmp_path):
    config = _project(tmp_path, label='"CANCELED"')
    suites = _suite_with_one_test(tmp_path)
    args = ["gate", "--config", str(config), "--reports", "reports", "--suites", str(suites)]
    proc = subprocess.run(  # one stream, as a terminal shows them
        [sys.executable, "-m", "sentinel_checks.cli", *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
        env={**_env(), "PYTHONUNBUFFERED": "1"},
    )
    lines = proc.stdout.strip().splitlines()
    assert proc.returncode == 2, proc.stdout
    assert lines[-1].startswith("gate not run: setup error"), lines[-4:]
    assert any("as the CI artifact" in line for line in lines[:-1]), lines[-4:]


def test_pytest_stopped_by_the_preflight_names_no_python_class(tmp_path):
    config = _project(tmp_path, label='"CANCELED"')
    suites = _suite_with_one_test(tmp_path)
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", str(suites), "--sentinel-config", str(config)),
            *("--sentinel-reports", "reports", "-p", "no:cacheprovider"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=_env(),
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "_pytest.outcomes" not in out and "Exit:" not in out, out
    assert out.count("did you mean 'CANCELLED'?") == 1, out
    assert "fix them and run again" in out
    assert proc.stdout.strip().splitlines()[-1].startswith("gate not run: setup error"), out


# --------------------------------------------------------------------------- 4. misspelt label


def test_a_misspelt_label_is_one_problem_not_also_a_model_feature_problem(tmp_path):
    """Features left to inference are every column without a role: with the label
    misspelt the real label column would count as one; the model is checked after."""
    config = CONFIG.replace('features = ["amount", "DISTANCE"]\n', "").replace('["AIRLINE"]', "[]")
    offline = _frame(0).drop(columns=["ELAPSED", "AIRLINE"])
    sound = _project(tmp_path, config=config, offline=offline)
    assert _problems(sound) == []  # the features inferred are the model's own
    misspelt = _project(tmp_path, config=config, offline=offline, label='"CANCELED"')
    # production labelled, as the user's was: the real label column is in both frames
    _frame(1).drop(columns=["split", "ELAPSED", "AIRLINE"]).to_parquet(tmp_path / "production.parquet")
    problems = _problems(misspelt)
    assert [p.key for p in problems] == ["[columns] label"], problems
    assert "did you mean 'CANCELLED'?" in str(problems[0])


def test_a_model_feature_problem_is_still_found_when_the_columns_are_right(tmp_path):
    config = CONFIG.replace('features = ["amount", "DISTANCE"]\n', "")
    problems = _problems(_project(tmp_path, config=config))  # ELAPSED: inferred, not trained on
    assert [p.key for p in problems] == ["[models.candidate]"], problems
    assert "'ELAPSED'" in str(problems[0])


# --------------------------------------------------------------------------- 5. drift words


def _flagged(**kw):
    from sentinel_checks.checks.drift_severity import FlaggedFeature

    base = dict(
        column="user_risk_rate",
        method="Wasserstein distance (normed)",
        effect_method="wasserstein",
        effect=0.2612,
        severe_limit=1.2,
        importance_share=0.981,
        severe=False,
        important=True,
    )
    return FlaggedFeature(**{**base, **kw})


def test_an_important_drifted_feature_is_said_to_fail_on_importance():
    text = _flagged().describe(0.25)
    assert "<" not in text and "≥" not in text, text
    # the criterion that fails it first; never "under the severe-shift limit" beside a fail
    assert text.startswith("user_risk_rate carries 98% of the model's importance (limit 25%)"), text
    # the effect carries its unit, the limit is in the same one (trial: "wasserstein 0.261"
    # beside "1.2 reference standard deviations")
    assert (
        "drifted (Wasserstein distance (normed) 0.261 reference standard deviations; not severe, which starts at 1.2)"
        in text
    ), text
    assert "under the" not in text, text


def test_a_severe_feature_is_said_to_fail_on_its_effect():
    text = _flagged(
        column="amount", effect=2.5, importance_share=0.03, severe=True, important=False
    ).describe(0.25)
    assert text.startswith(
        "amount drifted severely (Wasserstein distance (normed) 2.5 reference standard deviations, "
        "at or beyond the severe-shift limit 1.2)"
    ), text
    assert "at or beyond" in text and "3% of the model's importance (under the 25% limit)" in text


def test_drift_features_message_on_a_planted_shift_names_the_failing_criterion():
    """Check level, 3,000 rows a side: x0 moved by 2.5 SDs (severe), x3 by 0.3 SD while it
    carries half the model's importance; clean data passes."""
    from tests.test_feature_drift_severity import FEATURES, judge, samples

    heavy = {f: 0.5 / 8 for f in FEATURES if f != "x3"} | {"x3": 0.5}
    result = judge(*samples(shift={"x0": 2.5, "x3": 0.3}), importance=heavy, important_share=0.25)
    assert result.status.value == "fail", result.message
    assert "x0 drifted severely (Wasserstein distance (normed) 2.5" in result.message, result.message
    assert (
        "x3 carries 50% of the model's importance (limit 25%) and drifted (Wasserstein distance (normed) 0.3"
        in result.message
    )
    clean = judge(*samples(), importance=heavy, important_share=0.25)
    assert clean.status.value == "pass", clean.message


# --------------------------------------------------------------------------- 6. sentinel init


def _init_text(tmp_path: Path, frame: pd.DataFrame) -> str:
    from sentinel_checks.column_roles import infer_roles
    from sentinel_checks.scaffold import starter_config

    path = tmp_path / "loans.parquet"
    frame.to_parquet(path)
    return starter_config(tmp_path, path, infer_roles(path))


def _loans(n: int = 600) -> pd.DataFrame:
    import numpy as np

    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "timestamp": pd.date_range("2018-01-01", periods=n, freq="6h"),
            "car_value": rng.gamma(3.0, 5000.0, n),
            "salary_range": rng.choice(["0 - 20K €", "20K - 40K €", "40K+ €"], n),
            "repaid": rng.choice([0, 1], n),
        }
    )


def test_init_never_turns_purging_on_without_an_entity(tmp_path):
    text = _init_text(tmp_path, _loans())
    assert "entities = []" in text, text
    assert "purge_entities = true" not in text, text
    assert "purge_entities = false" in text


def test_init_label_todo_suggests_no_risky_value_it_cannot_know(tmp_path):
    text = _init_text(tmp_path, _loans())
    assert "# TODO: no column is named like a label" in text, text
    todo = text[text.index("# TODO: no column is named like a label") :].split("\n\n")[0]
    assert "positive = 1" not in todo and "positive = 0" not in todo, todo
    assert "positive = <the value that means risky>" in todo
    assert "'repaid' holds 0 and 1" in todo, todo


def test_model_class_kind_problem_suggests_no_class_it_cannot_know():
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from sentinel_checks.errors import ModelLoadError
    from sentinel_checks.models.scoring import positive_column

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    model = LogisticRegression().fit(x, (x[:, 0] > 0).astype(float))
    with pytest.raises(ModelLoadError) as info:
        positive_column(model, "no", role="candidate")
    text = str(info.value)
    assert "e.g." not in text, text
    assert "positive_class = 0.0 or positive_class = 1.0" in text, text


# --------------------------------------------------------------------------- 7. champion threshold


CHAMPION = '\n[models.champion]\npath = "model.skops"\n'


def _champion_threshold(tmp_path: Path, extra: str) -> tuple[float, float]:
    from sentinel_checks.config import load_config
    from sentinel_checks.gate.session import GateSession

    session = GateSession(load_config(_project(tmp_path, config=CONFIG + CHAMPION + extra)))
    return session.evaluation("candidate").threshold, session.evaluation("champion").threshold


def test_the_candidates_fixed_threshold_is_not_the_champions(tmp_path):
    """[quality] threshold = 0.5 fixes the candidate's threshold; the champion (the same
    model here) keeps the one the target-recall rule chooses on validation."""
    candidate, champion = _champion_threshold(tmp_path, "\n[quality]\nthreshold = 0.5\n")
    chosen, _ = _champion_threshold(tmp_path, "")
    assert candidate == 0.5
    assert champion == chosen and not math.isclose(champion, 0.5), (champion, chosen)


def test_the_champion_is_judged_at_its_configured_threshold(tmp_path):
    extra = "\n[quality]\nthreshold = 0.5\n\n[promotion]\nchampion_threshold = 0.2\n"
    candidate, champion = _champion_threshold(tmp_path, extra)
    assert (candidate, champion) == (0.5, 0.2)


def test_vs_champion_compares_each_model_at_its_own_threshold(tmp_path):
    from sentinel_checks.config import load_config
    from sentinel_checks.gate.session import GateSession

    extra = "\n[quality]\nthreshold = 0.5\n\n[promotion]\nchampion_threshold = 0.2\n"
    session = GateSession(load_config(_project(tmp_path, config=CONFIG + CHAMPION + extra)))
    comparison = session.comparison("test")
    assert dict(comparison.thresholds) == {"candidate": 0.5, "champion": 0.2}


def test_champion_threshold_is_refused_with_a_shared_threshold(tmp_path):
    from sentinel_checks.config import load_config
    from sentinel_checks.errors import ConfigError

    extra = "\n[promotion]\nchampion_threshold = 0.2\nshared_threshold = 0.3\n"
    with pytest.raises(
        ConfigError, match="champion_threshold.*shared_threshold|shared_threshold.*champion_threshold"
    ):
        load_config(_project(tmp_path, config=CONFIG + CHAMPION + extra))
