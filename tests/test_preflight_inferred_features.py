"""Issue 17 (new-user trial): a feature the gate inferred is named as inferred, with
``[columns] exclude`` as the first fix; and the preflight lists every problem at once."""

from __future__ import annotations

from tests.test_preflight import CONFIG, _problems, _project

INFERRED = CONFIG.replace('features = ["amount", "DISTANCE"]\n', "")


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
