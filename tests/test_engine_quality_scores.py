"""Scoring in the engine (``engine.scores``): Arrow record batches through the model's
``predict_proba`` equal :func:`risk_scores` on the whole frame exactly (fast lane)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from sentinel_checks.engine.ibis_connection import ROW, connect_duckdb, table_from_frame
from sentinel_checks.engine.scores import SCORE, score_table
from sentinel_checks.errors import ModelLoadError
from sentinel_checks.models.loading import LoadedModel
from sentinel_checks.models.scoring import risk_scores

FEATURES = ["amount", "country", "hour", "device_new"]


def requests(n: int, seed: int) -> pd.DataFrame:
    """Rows with a text, a bool, an int and a float feature (with NaN), a segment with
    a missing value and a text label."""
    rng = np.random.default_rng(seed)
    amount = rng.gamma(2.0, 50.0, size=n).round(2)
    amount[rng.random(n) < 0.05] = np.nan
    country = rng.choice(["fr", "de", "es", "it"], size=n)
    hour = rng.integers(0, 24, size=n)
    device_new = rng.random(n) < 0.2
    logit = -2.0 + 0.01 * np.nan_to_num(amount) + 1.2 * device_new + 0.5 * (country == "es")
    label = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "risky", "safe")
    channel = rng.choice(["web", "app", None], size=n, p=[0.5, 0.45, 0.05]).astype(object)
    return pd.DataFrame(
        {
            "request_id": [f"r{i}" for i in range(n)],
            "amount": amount,
            "country": country,
            "hour": hour,
            "device_new": device_new,
            "channel": channel,
            "label": label,
        }
    )


def trees() -> object:
    encode = ColumnTransformer(
        [("text", OrdinalEncoder(), ["country"])], remainder="passthrough", verbose_feature_names_out=False
    )
    return make_pipeline(encode, HistGradientBoostingClassifier(max_iter=30, random_state=0))


def linear() -> object:
    encode = ColumnTransformer(
        [("text", OneHotEncoder(), ["country"]), ("num", "passthrough", ["hour", "device_new"])],
    )
    return make_pipeline(encode, LogisticRegression(max_iter=500))


def loaded(estimator: object, frame: pd.DataFrame, features: list[str]) -> LoadedModel:
    estimator.fit(frame[features], frame["label"])  # type: ignore[attr-defined]
    return LoadedModel(role="candidate", estimator=estimator, score_column=None, identity="sha256:test")


def tables_named(con: object, name: str) -> int:
    """Tables of that name in DuckDB (Ibis' list_tables calls an API DuckDB 1.5 deprecates)."""
    query = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
    return int(con.con.execute(query, [name]).fetchone()[0])  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def con() -> Iterator[object]:
    backend = connect_duckdb(threads=1, memory_limit="512MB")
    yield backend
    backend.disconnect()


@pytest.mark.parametrize(("chunk_size", "append_rows"), [(0, 10), (10, 0), (-1, -1)])
def test_a_batch_or_an_append_of_no_rows_is_refused(con, chunk_size, append_rows) -> None:
    frame = requests(50, seed=3)
    model = loaded(linear(), frame, ["country", "hour", "device_new"])
    table = table_from_frame(con, frame, name="refused")
    with pytest.raises(ValueError, match="must be at least 1 row"):
        score_table(
            con,
            table,
            model,
            features=["country", "hour", "device_new"],
            positive="risky",
            keep=[ROW],
            name="never",
            chunk_size=chunk_size,
            append_rows=append_rows,
        )
    assert tables_named(con, "never") == 0


@pytest.mark.parametrize(
    ("make", "features"), [(trees, FEATURES), (linear, ["country", "hour", "device_new"])]
)
@pytest.mark.parametrize(("chunk_size", "append_rows"), [(97, 1), (97, 300), (1000, 2500), (5000, 10)])
def test_batches_score_exactly_as_the_whole_frame(con, make, features, chunk_size, append_rows) -> None:
    frame = requests(2500, seed=1)
    model = loaded(make(), frame, features)
    table = table_from_frame(con, frame, name="requests")
    scored = score_table(
        con,
        table,
        model,
        features=features,
        positive="risky",
        keep=[ROW, "label", "channel"],
        name="scored",
        chunk_size=chunk_size,
        append_rows=append_rows,
    )
    got = scored.to_pandas().sort_values(ROW).reset_index(drop=True)
    expected = risk_scores(model, frame, features=features, positive="risky")
    assert got[SCORE].dtype == expected.dtype == np.float64
    assert np.array_equal(got[SCORE].to_numpy(), expected)
    assert got[ROW].tolist() == list(range(len(frame)))
    assert got["label"].tolist() == frame["label"].tolist()
    assert got["channel"].isna().sum() == frame["channel"].isna().sum()
    assert list(got.columns) == [ROW, "label", "channel", SCORE]


def test_the_risky_column_is_chosen_from_the_models_classes(con) -> None:
    frame = requests(800, seed=2)
    model = loaded(trees(), frame, FEATURES)
    table = table_from_frame(con, frame, name="requests")
    risky = score_table(con, table, model, features=FEATURES, positive="risky", keep=[ROW], name="s1")
    safe = score_table(con, table, model, features=FEATURES, positive="safe", keep=[ROW], name="s2")
    a = risky.to_pandas().sort_values(ROW)[SCORE].to_numpy()
    b = safe.to_pandas().sort_values(ROW)[SCORE].to_numpy()
    assert np.allclose(a + b, 1.0)
    assert np.array_equal(a, risk_scores(model, frame, features=FEATURES, positive="risky"))


def test_a_score_column_is_read_from_the_table(con) -> None:
    frame = requests(300, seed=3).assign(model_score=np.linspace(0, 1, 300))
    model = LoadedModel(
        role="champion", estimator=None, score_column="model_score", identity="column:model_score"
    )
    table = table_from_frame(con, frame, name="with_scores")
    scored = score_table(
        con, table, model, features=FEATURES, positive="risky", keep=[ROW, "label"], name="s3"
    )
    got = scored.to_pandas().sort_values(ROW)
    assert np.array_equal(
        got[SCORE].to_numpy(), risk_scores(model, frame, features=FEATURES, positive="risky")
    )


def test_an_empty_table_gives_an_empty_scored_table(con) -> None:
    frame = requests(400, seed=4)
    model = loaded(trees(), frame, FEATURES)
    table = table_from_frame(con, frame.iloc[:0], name="nothing")
    scored = score_table(
        con, table, model, features=FEATURES, positive="risky", keep=[ROW, "label"], name="s4"
    )
    got = scored.to_pandas()
    assert len(got) == 0 and list(got.columns) == [ROW, "label", SCORE]


def test_a_missing_feature_or_kept_column_is_named(con) -> None:
    frame = requests(300, seed=5)
    model = loaded(trees(), frame, FEATURES)
    table = table_from_frame(con, frame.drop(columns=["hour"]), name="no_hour")
    with pytest.raises(ModelLoadError, match="candidate: feature column 'hour' is not in the table"):
        score_table(con, table, model, features=FEATURES, positive="risky", keep=[ROW], name="s5")
    full = table_from_frame(con, frame, name="full")
    with pytest.raises(KeyError, match="column 'segment' to keep beside the scores is not in the table"):
        score_table(con, full, model, features=FEATURES, positive="risky", keep=["segment"], name="s6")
    column = LoadedModel(role="champion", estimator=None, score_column="nope", identity="column:nope")
    with pytest.raises(ModelLoadError, match="score_column 'nope' is not in the table"):
        score_table(con, full, column, features=FEATURES, positive="risky", keep=[ROW], name="s7")


def test_a_model_that_cannot_score_is_a_model_error_naming_it(con) -> None:
    frame = requests(300, seed=6)
    model = loaded(trees(), frame, FEATURES)
    table = table_from_frame(con, frame, name="requests")
    with pytest.raises(ModelLoadError, match="candidate model .* cannot score"):
        # the model was fitted on four features: scoring three fails inside predict_proba
        score_table(con, table, model, features=FEATURES[:3], positive="risky", keep=[ROW], name="s8")
    assert not tables_named(con, "s8")  # no half-written table left behind


class FailsOnSecondBatch:
    """Scores its first batch, raises on the next: a model that breaks mid-table."""

    classes_ = np.array(["risky", "safe"])

    def __init__(self) -> None:
        self.calls = 0

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        self.calls += 1
        if self.calls > 1:
            raise ValueError("unknown category 'xx'")
        return np.full((len(frame), 2), 0.5)


def test_a_model_failing_mid_table_leaves_no_half_written_table(con) -> None:
    frame = requests(500, seed=7)
    model = LoadedModel(
        role="candidate", estimator=FailsOnSecondBatch(), score_column=None, identity="sha256:x"
    )
    table = table_from_frame(con, frame, name="requests")
    with pytest.raises(ModelLoadError, match="unknown category 'xx'"):
        score_table(  # the first batch appended (created the table) before the second fails
            con,
            table,
            model,
            features=FEATURES,
            positive="risky",
            keep=[ROW],
            name="s9",
            chunk_size=200,
            append_rows=200,
        )
    assert model.estimator.calls == 2
    assert not tables_named(con, "s9")
