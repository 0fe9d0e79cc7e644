import numpy as np
import pandas as pd
import pytest

from sentinel_checks.config import config_from_mapping
from sentinel_checks.data.splits import Splits
from sentinel_checks.errors import DataError
from sentinel_checks.models.evaluation import evaluate_model
from sentinel_checks.models.loading import LoadedModel


def setup(tmp_path, *, val_scores=None, val_labels=None):
    (tmp_path / "d.csv").write_text("x\n1\n")
    config = config_from_mapping(
        {
            "data": {"path": "d.csv"},
            "splits": {"method": "column", "column": "split"},
            "columns": {"label": "label", "positive": "fraud", "negative": "ok", "segments": ["country"]},
            "models": {"candidate": {"score_column": "score"}},
        },
        source=tmp_path / "sentinel.toml",
    )
    rng = np.random.default_rng(0)

    def part(n, scores=None, labels=None):
        y = rng.random(n) < 0.2 if labels is None else labels
        s = np.clip(0.2 + 0.5 * y + rng.normal(0, 0.15, n), 0, 1) if scores is None else scores
        return pd.DataFrame(
            {"label": np.where(y, "fraud", "ok"), "score": s, "country": rng.choice(["US", "BR"], n)}
        )

    val = part(500, val_scores, val_labels)
    splits = Splits(train=part(500), val=val, test=part(500))
    model = LoadedModel("candidate", None, "score", "column:score")
    return config, splits, model, part


def test_scores_once_per_split_and_chooses_the_threshold(tmp_path):
    config, splits, model, part = setup(tmp_path)
    production = part(300)
    production.loc[:99, "label"] = None  # labels arrive late
    ev = evaluate_model(model, config=config, splits=splits, production=production, features=[])
    assert set(ev.splits) == {"val", "test", "production"}
    assert len(ev.splits["production"].y) == 200  # only the labelled rows
    assert ev.choice.reached and ev.confusion("val").recall >= 0.8
    assert set(ev.splits["test"].segments) == {"country"}
    rows = ev.experiment_rows(n_bins=10)
    assert {r["split"] for r in rows} == {"val", "test", "production"}


def test_production_without_labels_is_not_evaluated(tmp_path):
    config, splits, model, part = setup(tmp_path)
    production = part(100).assign(label=None)
    ev = evaluate_model(model, config=config, splits=splits, production=production, features=[])
    assert "production" not in ev.splits


@pytest.mark.parametrize("bad", [np.nan, 1.5, -0.1])
def test_scores_outside_0_1_or_nan_stop_the_evaluation(tmp_path, bad):
    scores = np.linspace(0, 1, 500)
    scores[7] = bad
    config, splits, model, _ = setup(tmp_path, val_scores=scores)
    told = r"candidate scores on val: 1 of 500 labelled row\(s\) are NaN, infinite or outside \[0, 1\] \(model.scores"
    with pytest.raises(DataError, match=told):
        evaluate_model(model, config=config, splits=splits, production=None, features=[])


def test_validation_without_positives_cannot_choose_a_threshold(tmp_path):
    config, splits, model, _ = setup(tmp_path, val_labels=np.zeros(500, dtype=bool))
    with pytest.raises(DataError, match="validation split has 0 risky"):
        evaluate_model(model, config=config, splits=splits, production=None, features=[])


def test_invalid_production_scores_leave_val_and_test_judged_and_production_refused(tmp_path):
    """Trial (stop 51): a candidate scoring NaN on 4 production requests stopped every
    quality test, test split included ("candidate scores on production: … quality cannot be
    measured" in 20 tests). Production's scores stop production's checks only; val and
    test are evaluated; `scored("production")` raises the reason."""
    config, splits, model, part = setup(tmp_path)
    production = part(300)
    production.loc[[3, 8], "score"] = [np.nan, 1.5]
    ev = evaluate_model(model, config=config, splits=splits, production=production, features=[])
    assert "production" not in ev.splits and ev.scored("test") is ev.splits["test"]
    with pytest.raises(
        DataError, match=r"candidate scores on production: 2 of 300 labelled row\(s\) are NaN"
    ):
        ev.scored("production")
    unlabelled = evaluate_model(model, config=config, splits=splits, production=None, features=[])
    assert unlabelled.scored("production") is None  # nothing to judge: not an error
