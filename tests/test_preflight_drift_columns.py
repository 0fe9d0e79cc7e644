"""The preflight's ``[drift]`` column settings: ``critical_features``, ``per_column_method``
and ``per_column_threshold`` must name features. A name that is not one never applied and
nothing said so (a misspelt critical feature could not fail the gate on its own); now it
stops the run before any check, with the closest feature, on every engine.
"""

from __future__ import annotations

import pytest

from tests.test_preflight import CONFIG, _problems, _project


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ('critical_features = ["DISTANSE"]', "[drift] critical_features"),
        ('per_column_method = {DISTANSE = "psi"}', "[drift] per_column_method"),
        ("per_column_threshold = {DISTANSE = 0.2}", "[drift] per_column_threshold"),
    ],
)
def test_a_drift_setting_naming_no_feature_stops_the_run_before_it_silently_never_applies(
    tmp_path, setting, key
):
    """A misspelt critical feature was never "hit": its drift could not fail the gate, and
    nothing said so (a per-column method or threshold likewise never applied)."""
    problems = _problems(_project(tmp_path, config=CONFIG + f"\n[drift]\n{setting}\n"))
    assert [p.key for p in problems] == [key], problems
    text = str(problems[0])
    assert "'DISTANSE' is not a feature column" in text and "did you mean 'DISTANCE'?" in text, text
    # a column of the data that is not a feature is refused too: its drift is never measured
    problems = _problems(
        _project(tmp_path, config=CONFIG + f"\n[drift]\n{setting.replace('DISTANSE', 'AIRLINE')}\n")
    )
    assert [p.key for p in problems] == [key] and "'AIRLINE' is not a feature column" in str(problems[0])
    fixed = _problems(
        _project(tmp_path, config=CONFIG + f"\n[drift]\n{setting.replace('DISTANSE', 'DISTANCE')}\n")
    )
    assert fixed == [], fixed


def test_one_name_under_several_keys_is_one_problem_naming_the_others(tmp_path):
    """Review: one typo under three drift keys was three problems; one under a column key
    and a drift key, two. Told once, under the first key, naming the others."""
    drift = '[drift]\ncritical_features = ["DISTANSE"]\nper_column_method = {DISTANSE = "psi"}\n'
    problems = _problems(_project(tmp_path, config=CONFIG + "\n" + drift))
    assert [p.key for p in problems] == ["[drift] critical_features"], problems
    assert str(problems[0]).endswith("(also named in [drift] per_column_method)"), problems
    config = CONFIG.replace('segments = ["AIRLINE"]', 'segments = ["AIRLNE"]')
    problems = _problems(_project(tmp_path, config=config + '\n[drift]\ncritical_features = ["AIRLNE"]\n'))
    assert [p.key for p in problems] == ["[columns] segments"], problems
    assert str(problems[0]).endswith("(also named in [drift] critical_features)"), problems


def test_two_names_without_a_close_feature_list_the_features_once(tmp_path):
    problems = _problems(_project(tmp_path, config=CONFIG + '\n[drift]\ncritical_features = ["zz", "qq"]\n'))
    (text,) = [str(p) for p in problems]
    assert "'zz' is not a feature column; 'qq' is not a feature column" in text, text
    assert text.count("(the features: amount, DISTANCE)") == 1, text


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_derived_features_are_the_ones_the_drift_checks_compare_on_every_engine(tmp_path, engine):
    """With ``[columns] features`` unset the features are every column without a role: a
    segment is one (accepted), the label, an entity or the timestamp is not (refused).
    DuckDB's preflight reads the columns alone, never the rows."""
    from sentinel_checks.config import load_config
    from sentinel_checks.gate.preflight import preflight
    from sentinel_checks.gate.session import GateSession

    config = CONFIG.replace('features = ["amount", "DISTANCE"]\n', "").replace(
        "[data]\n", f'[data]\nengine = "{engine}"\n'
    )
    drift = '\n[drift]\ncritical_features = ["AIRLINE", "DISTANCE", "user_id", "CANCELLED"]\n'
    session = GateSession(load_config(_project(tmp_path, config=config + drift)))
    try:
        problems = preflight(session)
    finally:
        session.close()
    (problem,) = [p for p in problems if p.key.startswith("[drift]")]
    text = str(problem)
    assert "'user_id' is not a feature column" in text and "'CANCELLED' is the label column" in text, text
    assert "'AIRLINE'" not in text and "'DISTANCE'" not in text, text


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[columns]\nfeatures = ["amount", "CANCELLED"]\n', "[columns] features"),
        ('[quality]\nbaseline_features = ["amount", "CANCELLED"]\n', "[quality] baseline_features"),
        (
            '[[experiments.runs]]\nname = "x"\nfeatures_add = ["CANCELLED"]\n',
            "[[experiments.runs]] #1 features_add",
        ),
        ('[drift]\ncritical_features = ["CANCELLED"]\n', "[drift] critical_features"),
    ],
)
def test_the_label_listed_as_a_feature_is_named_as_the_label_under_its_key(tmp_path, text, key):
    """Trial: the label in ``[columns] features`` ran the gate, which failed on a "leaked"
    feature (AUC 1.000) with a fix pointing the wrong way; review: the same in a baseline's
    or an experiment's features, or a drift setting, was accepted or told as "not a feature"."""
    config = (
        CONFIG.replace('features = ["amount", "DISTANCE"]\n', "") if key.startswith("[columns]") else CONFIG
    )
    if key.startswith("[columns]"):
        config = config.replace("[columns]\n", "[columns]\n" + text.split("\n", 1)[1])
        text = ""
    problems = _problems(_project(tmp_path, config=config + "\n" + text))
    mine = [p for p in problems if "is the label column" in str(p)]
    assert [p.key for p in mine] == [key], problems
    assert "'CANCELLED' is the label column ([columns] label)" in str(mine[0])


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_a_per_column_method_that_does_not_fit_its_column_stops_the_run(tmp_path, engine):
    """Trial: ``per_column_method = {channel = "ks"}`` (K-S on a category) ran the whole gate
    and then errored in ``drift.features`` (exit 1); the column's type is known from the
    data's schema, so it is a setup problem, told before any check, on every engine."""
    config = CONFIG.replace(
        'features = ["amount", "DISTANCE"]', 'features = ["amount", "DISTANCE", "AIRLINE"]'
    )
    config = config.replace("[data]\n", f'[data]\nengine = "{engine}"\n')
    config += 'features = ["amount", "DISTANCE"]\n'  # the model's own, under [models.candidate]
    drift = '\n[drift]\nper_column_method = {AIRLINE = "ks", amount = "chisquare", DISTANCE = "psi"}\n'
    problems = [p for p in _problems(_project(tmp_path, config=config + drift)) if p.about != "not_checked"]
    assert [p.key for p in problems] == ["[drift] per_column_method"], problems
    text = str(problems[0])
    assert "'AIRLINE' is a categorical column and ks takes numeric columns only" in text, text
    assert "'amount' is a numeric column and chisquare takes categorical columns only" in text, text
    assert "DISTANCE" not in text, text  # psi takes both
    fitting = drift.replace('"ks"', '"chisquare"').replace('amount = "chisquare"', 'amount = "ks"')
    assert _problems(_project(tmp_path, config=config + fitting)) == []
