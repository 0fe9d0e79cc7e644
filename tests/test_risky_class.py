"""Which predict_proba column is the risky class: strict matching by type (issue 16, item 13)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from sentinel_checks.config import config_from_mapping
from sentinel_checks.errors import ConfigError, ModelLoadError
from sentinel_checks.models.loading import LoadedModel
from sentinel_checks.models.scoring import positive_column, risk_scores

RNG = np.random.default_rng(16)
X = pd.DataFrame({"a": RNG.normal(size=600), "b": RNG.normal(size=600)})
# The issue's data: risky = 0, safe = 1 ([columns] positive = 0, negative = 1).
LABEL = np.where(X["a"] + 0.5 * RNG.normal(size=600) > 0.3, 0, 1)
IS_RISKY = LABEL == 0
# The model was trained on a boolean target "is risky": classes_ = [False, True].
BOOLEAN_MODEL = LogisticRegression().fit(X, IS_RISKY)


def loaded(estimator, positive_class=None):
    if positive_class is None:
        return LoadedModel("candidate", estimator, None, "sha256:test")
    return LoadedModel("candidate", estimator, None, "sha256:test", positive_class=positive_class)


def test_the_issue_example_does_not_score_p_safe_silently():
    assert BOOLEAN_MODEL.classes_.tolist() == [False, True]
    with pytest.raises(
        ModelLoadError, match=r"candidate.*classes false and true.*positive = 0.*positive_class"
    ):
        risk_scores(loaded(BOOLEAN_MODEL), X, features=["a", "b"], positive=0)


def test_positive_class_states_which_model_class_is_risky():
    scores = risk_scores(loaded(BOOLEAN_MODEL, positive_class=True), X, features=["a", "b"], positive=0)
    assert roc_auc_score(IS_RISKY, scores) > 0.8  # P(risky), not P(safe) (that would be < 0.2)


def test_positive_class_absent_from_the_model_is_refused():
    with pytest.raises(ModelLoadError, match=r"positive_class = 1 .*classes false and true"):
        risk_scores(loaded(BOOLEAN_MODEL, positive_class=1), X, features=["a", "b"], positive=0)


@pytest.mark.parametrize(
    ("classes", "positive"),
    [
        ([False, True], 0.0),  # bool is not int, and bool(0) is False while "label == 0" is True
        ([0, 1], True),
        (["0", "1"], 0),  # strings are not numbers
        ([0, 1], "1"),
    ],
)
def test_a_mapping_across_types_is_refused(classes, positive):
    model = LogisticRegression().fit(X, np.asarray(classes)[(X["a"] > 0).astype(int)])
    with pytest.raises(ModelLoadError, match="positive_class"):
        positive_column(model, positive)


@pytest.mark.parametrize("positive", [1, np.int64(1), "risky"])
def test_a_boolean_model_reads_true_as_risky_when_every_reading_agrees(positive):
    # label == positive and label.astype(bool) both make True the risky class here
    flags = LogisticRegression().fit(X, (X["a"] > 0).to_numpy())
    assert positive_column(flags, positive) == 1


def test_numpy_scalars_match_their_python_kind():
    model = LogisticRegression().fit(X, (X["a"] > 0).astype(np.int64))
    assert positive_column(model, 1) == 1
    assert positive_column(model, np.int64(0)) == 0
    assert positive_column(model, 1.0) == 1  # an integral float is the same number
    flags = LogisticRegression().fit(X, (X["a"] > 0).to_numpy())
    assert positive_column(flags, np.True_) == 1
    assert positive_column(flags, False) == 0


def test_config_key_positive_class(tmp_path):
    (tmp_path / "d.csv").write_text("x\n1\n")
    (tmp_path / "m.skops").write_bytes(b"x")
    raw = {
        "data": {"path": "d.csv"},
        "splits": {"method": "column", "column": "split"},
        "models": {"candidate": {"path": "m.skops", "positive_class": True}},
    }
    config = config_from_mapping(raw, source=tmp_path / "sentinel.toml")
    assert config.models.candidate is not None
    assert config.models.candidate.positive_class is True
    raw["models"] = {"candidate": {"score_column": "s", "positive_class": True}}
    with pytest.raises(ConfigError, match=r"candidate.*positive_class.*score_column has no classes"):
        config_from_mapping(raw, source=tmp_path / "sentinel.toml")
