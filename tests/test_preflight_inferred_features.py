"""Issue 17 (new-user trial): a feature the gate inferred is named as inferred, with
``[columns] exclude`` as the first fix; and the preflight lists every problem at once."""

from __future__ import annotations

from tests.test_preflight import CONFIG, _problems, _project

INFERRED = CONFIG.replace('features = ["amount", "DISTANCE"]\n', "")
#: the inferred features are then the model's, amount and DISTANCE
EXCLUDE = 'exclude = ["ELAPSED", "AIRLINE"]\n\n[splits]'


def test_an_inferred_feature_the_model_lacks_is_named_as_inferred_with_exclude_first(tmp_path):
    (problem,) = _problems(_project(tmp_path, config=INFERRED))
    text = str(problem)
    assert "[columns] features lists" not in text, text  # the user never wrote [columns] features
    assert "every column without a role" in text and "[columns] features is not set" in text, text
    assert 'exclude = ["AIRLINE", "ELAPSED"] under [columns]' in text, text
    fix = text.index("exclude = ")
    assert fix < text.index("under [models.candidate] features"), text  # exclude is the first fix


def test_a_written_feature_list_is_still_named_as_written(tmp_path):
    config = CONFIG.replace(
        'features = ["amount", "DISTANCE"]', 'features = ["amount", "DISTANCE", "ELAPSED"]'
    )
    (problem,) = _problems(_project(tmp_path, config=config))
    assert "[columns] features lists 'ELAPSED', which it was not trained on" in str(problem), problem
    assert "exclude = " not in str(problem)


def test_a_segment_typo_and_an_inferred_feature_are_both_listed_in_one_run(tmp_path):
    """/tmp/trial-proj/trial_two_mistakes.toml: two runs of exit 2, one problem each."""
    config = INFERRED.replace('segments = ["AIRLINE"]', 'segments = ["AIRLNE"]')
    problems = _problems(_project(tmp_path, config=config))
    assert [p.key for p in problems] == ["[columns] segments", "[models.candidate]"], problems
    assert "did you mean 'AIRLINE'?" in str(problems[0])
    assert "'ELAPSED'" in str(problems[1])


def test_an_inferred_feature_production_lacks_is_a_setup_problem_naming_production(tmp_path):
    """Trial (stop 51): with the features inferred, a production sample without one of them
    passed the preflight; every quality check then errored with "feature column(s)
    ['driver_tenure'] are not in the data" (the test split's too), exit 1, naming no file."""
    import pandas as pd

    config = _project(tmp_path, config=INFERRED.replace("[splits]", EXCLUDE))
    production = pd.read_parquet(tmp_path / "production.parquet").drop(columns=["DISTANCE"])
    production.to_parquet(tmp_path / "production.parquet")
    problems = _problems(config)
    assert [p.key for p in problems] == ["[production] path"], problems
    text = str(problems[0])
    assert "'DISTANCE' is not a column of the production sample" in text and "production.parquet" in text
    assert "every dataset column without a role" in text, text  # why the gate needs it there


def test_inferred_features_all_in_production_are_no_problem(tmp_path):
    config = _project(tmp_path, config=INFERRED.replace("[splits]", EXCLUDE))
    assert _problems(config) == []


def test_a_model_trained_on_a_role_column_is_told_which_role(tmp_path):
    """Trial (stop 51): "it was trained on 'yearacc', which the features the gate infers
    (every column without a role …) does not list" did not say yearacc is the timestamp."""
    from tests.test_preflight import _model

    config = _project(
        tmp_path,
        config=INFERRED.replace("[splits]", EXCLUDE),
        model=_model(["amount", "DISTANCE", "ELAPSED"]),
    )
    (problem,) = _problems(config)
    text = str(problem)
    assert "it was trained on 'ELAPSED', which is in [columns] exclude (never passed to a model): " in text
    assert "remove it from exclude, or retrain without it" in text, text
    assert "which the features the gate infers" not in text, text
