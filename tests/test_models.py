import pickle
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from sentinel_checks.adapters import skops_io
from sentinel_checks.config import ModelSpec
from sentinel_checks.errors import ModelLoadError
from sentinel_checks.models.loading import load_model
from sentinel_checks.models.scoring import positive_column, risk_scores

TREE_PREDICTOR = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"
X = pd.DataFrame({"a": np.linspace(0, 1, 60), "b": np.tile([0.0, 1.0], 30)})
Y = np.r_[np.zeros(30), np.ones(30)].astype(bool)


def test_skops_model_with_default_trusted_types_loads(tmp_path):
    path = tmp_path / "m.skops"
    skops_io.dump(LogisticRegression().fit(X, Y), path)
    model = load_model(ModelSpec(path=path), role="candidate")
    assert model.identity.startswith("sha256:")
    assert risk_scores(model, X, features=["a", "b"], positive=True).shape == (60,)


def test_skops_refuses_untrusted_types_and_lists_them(tmp_path):
    path = tmp_path / "m.skops"
    skops_io.dump(HistGradientBoostingClassifier(max_iter=5).fit(X, Y), path)
    with pytest.raises(ModelLoadError) as err:
        load_model(ModelSpec(path=path), role="candidate")
    assert TREE_PREDICTOR in str(err.value)
    assert "[models.candidate] trusted_types" in str(err.value)
    loaded = load_model(ModelSpec(path=path, trusted_types=[TREE_PREDICTOR]), role="candidate")
    assert loaded.estimator is not None


class Exploit:
    """Unpickling this writes a file: what a malicious model file would do."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_malicious_pickle_is_not_executed_by_default(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(Exploit(str(marker))))
    with pytest.raises(ModelLoadError, match="unpickling runs arbitrary code"):
        load_model(ModelSpec(path=path), role="candidate")
    assert not marker.exists()


def test_pickle_and_joblib_load_when_trusted(tmp_path):
    import joblib

    model = LogisticRegression().fit(X, Y)
    (tmp_path / "m.pkl").write_bytes(pickle.dumps(model))
    joblib.dump(model, tmp_path / "m.joblib")
    for name in ("m.pkl", "m.joblib"):
        loaded = load_model(ModelSpec(path=tmp_path / name, trusted=True), role="champion")
        assert loaded.role == "champion"


def test_object_without_predict_proba_is_rejected(tmp_path):
    (tmp_path / "m.pkl").write_bytes(pickle.dumps({"not": "a model"}))
    with pytest.raises(ModelLoadError, match="no predict_proba"):
        load_model(ModelSpec(path=tmp_path / "m.pkl", trusted=True), role="candidate")


def test_corrupt_skops_file(tmp_path):
    (tmp_path / "m.skops").write_bytes(b"garbage")
    with pytest.raises(ModelLoadError, match="not a readable skops file"):
        load_model(ModelSpec(path=tmp_path / "m.skops"), role="candidate")


def test_unknown_suffix(tmp_path):
    (tmp_path / "m.bin").write_bytes(b"x")
    with pytest.raises(ModelLoadError, match="unknown model format '.bin'"):
        load_model(ModelSpec(path=tmp_path / "m.bin"), role="candidate")


def test_mlflow_uri_without_mlflow_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "mlflow.sklearn", None)
    with pytest.raises(ModelLoadError, match=r"MLflow is not installed.*gradient-sentinel\[mlflow\]"):
        load_model(ModelSpec(uri="models:/risk/3"), role="champion")


def test_positive_column_follows_classes():
    model = LogisticRegression().fit(X, np.where(Y, "risky", "safe"))
    assert positive_column(model, "risky") == 0  # classes_ are sorted: risky first
    scores = risk_scores(load_model_from(model), X, features=["a", "b"], positive="risky")
    assert scores[Y].mean() > scores[~Y].mean()
    with pytest.raises(ModelLoadError, match="do not include the positive label 'fraud'"):
        positive_column(model, "fraud")


def test_scoring_with_missing_features_names_them():
    model = load_model_from(LogisticRegression().fit(X, Y))
    with pytest.raises(ModelLoadError, match=r"\['c'\] are not in the data"):
        risk_scores(model, X, features=["a", "c"], positive=1)


def test_scoring_with_the_wrong_features_is_a_clear_error():
    model = load_model_from(LogisticRegression().fit(X, Y))
    with pytest.raises(ModelLoadError, match="cannot score the configured features"):
        risk_scores(model, X.assign(c=1.0), features=["a", "b", "c"], positive=1)


def test_score_column():
    model = load_model(ModelSpec(score_column="s"), role="candidate")
    assert risk_scores(model, pd.DataFrame({"s": [0.2, 0.9]}), features=[], positive=1).tolist() == [0.2, 0.9]
    with pytest.raises(ModelLoadError, match="score_column 's' is not in the data"):
        risk_scores(model, pd.DataFrame({"x": [1]}), features=[], positive=1)


def load_model_from(estimator):
    from sentinel_checks.models.loading import LoadedModel

    return LoadedModel("candidate", estimator, None, "sha256:test")


def test_a_model_may_score_its_own_feature_list(tmp_path):
    path = tmp_path / "m.skops"
    skops_io.dump(LogisticRegression().fit(X[["a"]], Y), path)
    model = load_model(ModelSpec(path=path, features=["a"]), role="champion")
    assert model.feature_list(["a", "b"]) == ["a"]
    assert risk_scores(model, X, features=model.feature_list(["a", "b"]), positive=True).shape == (60,)
    plain = load_model(ModelSpec(path=path), role="champion")
    assert plain.feature_list(["a", "b"]) == ["a", "b"]


class OneColumn:
    def predict_proba(self, frame):
        return np.full((len(frame), 1), 0.5)


def test_predict_proba_with_one_column_is_a_clear_error():
    from sentinel_checks.models.loading import LoadedModel

    model = LoadedModel("candidate", OneColumn(), None, "test")
    with pytest.raises(ModelLoadError, match=r"shape \(60, 1\).*two columns"):
        risk_scores(model, X, features=["a", "b"], positive=1)
