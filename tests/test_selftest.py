"""``sentinel selftest`` and its fault catalogue.

The faults are pure functions of the clean inputs: each test checks that a fault
plants what it says (and leaves the clean material untouched). End to end, the real
gate judges the copies: planted faults are caught, the clean copy passes, a policy
too lax to catch a fault makes the self-test fail, and bad input is exit 2.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from sentinel_checks.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from sentinel_checks.config import load_config
from sentinel_checks.data.inputs import load_inputs
from sentinel_checks.selftest import faults as F
from sentinel_checks.selftest.run import clean_material, resample

TRAINING = """
[training]
log = "training.csv"
"""


def _training_log(folder):
    epochs = np.arange(1, 41)
    frame = pd.DataFrame(
        {"epoch": epochs, "train_loss": 0.6 * 0.97**epochs, "val_loss": 0.62 * 0.975**epochs + 0.001 * epochs}
    )
    frame.to_csv(folder / "training.csv", index=False)


@pytest.fixture
def project(gate_project):
    made = gate_project(extra=TRAINING)
    _training_log(made.folder)
    return made


@pytest.fixture
def material(project):
    return clean_material(load_config(project.config))


def _split(m, name):
    return m.dataset[m.dataset[F.SPLIT_COLUMN].eq(name)]


def _frozen(m):
    """A fingerprint of the clean material, to show faults never modify it."""
    return (
        pd.util.hash_pandas_object(m.dataset, index=True).sum(),
        None if m.production is None else pd.util.hash_pandas_object(m.production, index=True).sum(),
        m.training_log.to_csv(),
        json.dumps(m.config, sort_keys=True),
    )


def test_the_frozen_split_is_the_split_the_config_makes(project, material):
    m, _ = material
    inputs = load_inputs(load_config(project.config))
    assert m.dataset[F.SPLIT_COLUMN].value_counts().to_dict() == inputs.splits.sizes()
    assert m.config["splits"] == {"method": "column", "column": F.SPLIT_COLUMN}
    # added columns can never reach a model or become features by accident
    assert m.config["columns"]["features"] == inputs.features


@pytest.mark.parametrize("fault", F.CATALOGUE, ids=lambda f: f.name)
def test_every_fault_leaves_the_clean_material_untouched(material, fault):
    m, ctx = material
    assert fault.needs(ctx) is None
    before = _frozen(m)
    fault.apply(m, ctx, fault.default, np.random.default_rng(0))
    assert _frozen(m) == before


def test_random_split_reassigns_the_share_asked_for(material):
    m, ctx = material
    out = F.random_split(m, ctx, 1.0, np.random.default_rng(0))
    moved = (out.dataset[F.SPLIT_COLUMN] != m.dataset[F.SPLIT_COLUMN]).mean()
    # at share 1 every row is redrawn; it lands on another split about half the time
    assert 0.3 < moved < 0.7
    small = F.random_split(m, ctx, 0.01, np.random.default_rng(0))
    assert 0 < (small.dataset[F.SPLIT_COLUMN] != m.dataset[F.SPLIT_COLUMN]).mean() < 0.01


@pytest.mark.parametrize(
    ("fault", "column", "source"),
    [(F.users_across_splits, "user_id", "test"), (F.session_straddle, "session_id", "val")],
)
def test_entity_faults_put_entities_on_both_sides(material, fault, column, source):
    m, ctx = material
    assert not set(_split(m, "train")[column]) & set(_split(m, source)[column])
    out = fault(m, ctx, 0.05, np.random.default_rng(0))
    shared = set(_split(out, "train")[column]) & set(_split(out, source)[column])
    n_source = _split(m, source)[column].nunique()
    assert len(shared) == round(0.05 * n_source)
    added = out.dataset.iloc[len(m.dataset) :]
    assert added["request_id"].is_unique and not added["request_id"].isin(m.dataset["request_id"]).any()
    # the copies sit inside train's time range: time order still holds
    assert added["request_ts"].max() <= _split(m, "train")["request_ts"].max()


@pytest.mark.parametrize("auc", [0.9, 0.99])
def test_leaky_feature_has_the_auc_asked_for(material, auc):
    m, ctx = material
    out = F.leaky_feature(m, ctx, auc, np.random.default_rng(0))
    y = ctx.y(out.dataset)
    assert roc_auc_score(y, out.dataset[F.LEAK_COLUMN]) == pytest.approx(auc, abs=0.01)
    assert out.config["columns"]["features"] == [*ctx.features, F.LEAK_COLUMN]
    assert F.LEAK_COLUMN not in out.config["models"]["candidate"].get("features", [])


def test_covariate_shift_moves_three_production_features(material):
    m, ctx = material
    out = F.covariate_shift(m, ctx, 1.0, np.random.default_rng(0))
    train = _split(m, "train")
    for name in ctx.numeric_features[:3]:
        moved = out.production[name].mean() - m.production[name].mean()
        assert moved == pytest.approx(train[name].std(), rel=0.05)
        assert out.production[name].dtype == m.production[name].dtype
    for name in ctx.numeric_features[3:]:
        assert out.production[name].equals(m.production[name])


def test_prevalence_shift_reaches_the_factor(material):
    m, ctx = material
    out = F.prevalence_shift(m, ctx, 2.0, np.random.default_rng(0))

    def prevalence(frame):  # among labelled rows (late labels leave some empty)
        return ctx.y(frame)[frame["label"].notna().to_numpy()].mean()

    assert prevalence(out.production) / prevalence(m.production) == pytest.approx(2.0, rel=0.05)
    assert ctx.y(out.production).sum() == ctx.y(m.production).sum()  # risky rows all kept


def test_segment_label_flip_stays_in_one_segment_of_test_and_production(material):
    m, ctx = material
    out = F.segment_label_flip(m, ctx, 0.2, np.random.default_rng(0))
    changed = out.dataset["label"] != m.dataset["label"]
    assert changed.any()
    assert set(out.dataset.loc[changed, F.SPLIT_COLUMN]) == {"test"}
    assert out.dataset.loc[changed, "country"].nunique() == 1
    value = out.dataset.loc[changed, "country"].iloc[0]
    in_segment = _split(m, "test")["country"].eq(value)
    assert changed.sum() / in_segment.sum() == pytest.approx(0.2, abs=0.05)
    prod_changed = out.production["label"] != m.production["label"]
    assert set(out.production.loc[prod_changed, "country"]) == {value}


def test_score_faults_go_through_a_score_column(material):
    m, ctx = material
    noisy = F.uninformative_candidate(m, ctx, 1.0, np.random.default_rng(0))
    assert noisy.config["models"]["candidate"] == {"score_column": F.SCORE_COLUMN}
    assert roc_auc_score(ctx.y(noisy.dataset), noisy.dataset[F.SCORE_COLUMN]) == pytest.approx(0.5, abs=0.03)
    squashed = F.miscalibrated(m, ctx, 2.0, np.random.default_rng(0))
    scores, clean = squashed.dataset[F.SCORE_COLUMN], ctx.scores
    # the ranking is unchanged, the probabilities are not
    assert (np.argsort(scores.to_numpy(), kind="stable") == np.argsort(clean.to_numpy(), kind="stable")).all()
    assert scores.mean() > clean.mean() + 0.05


def test_training_log_faults(material):
    m, ctx = material
    nan = F.training_nan(m, ctx, 1, np.random.default_rng(0))
    assert nan.training_log["val_loss"].isna().sum() == 1
    over = F.overfitting(m, ctx, 20, np.random.default_rng(0))
    tail = over.training_log.iloc[len(m.training_log) :]
    assert len(tail) == 20 and tail["val_loss"].is_monotonic_increasing
    assert tail["train_loss"].is_monotonic_decreasing


def test_resamples_keep_a_share_of_rows_and_the_split(material):
    m, _ = material
    r = resample(m, 0.8, seed=1)
    assert len(r.dataset) / len(m.dataset) == pytest.approx(0.8, abs=0.01)
    assert r.dataset[F.SPLIT_COLUMN].equals(m.dataset.loc[r.dataset.index, F.SPLIT_COLUMN])
    assert not resample(m, 0.8, seed=2).dataset.index.equals(r.dataset.index)


def test_faults_say_when_they_do_not_apply(gate_project, small_log):
    made = gate_project()  # no training log configured
    _, ctx = clean_material(load_config(made.config))
    reasons = {f.name: f.needs(ctx) for f in F.CATALOGUE}
    assert reasons["training_nan"] == reasons["overfitting"] == "needs [training] log"
    assert reasons["leaky_feature"] is None
    unlabelled = gate_project(production=small_log.production.assign(label=None))
    _, ctx = clean_material(load_config(unlabelled.config))
    assert F.catalogue(["prevalence_shift"])[0].needs(ctx) == "needs labelled risky rows in production"


# --------------------------------------------------------------------------- end to end


def _selftest(project, tmp_path, *args):
    reports = tmp_path / "st-reports"
    code = main(["selftest", "--config", str(project.config), "--reports", str(reports), *args])
    doc = (
        json.loads((reports / "selftest.json").read_text()) if (reports / "selftest.json").exists() else None
    )
    return code, doc, reports


@pytest.mark.slow
def test_selftest_catches_planted_faults_and_passes_clean_copies(project, tmp_path, capsys):
    code, doc, reports = _selftest(
        project,
        tmp_path,
        "--faults",
        "users_across_splits",
        "leaky_feature",
        "miscalibrated",
        "training_nan",
        "--resamples",
        "2",
    )
    out = capsys.readouterr().out
    assert code == EXIT_OK, (doc["reasons"], out)
    assert doc["verdict"] == "pass" and doc["clean"]["verdict"] == "pass"
    faults = {f["name"]: f for f in doc["faults"]}
    assert faults["users_across_splits"]["caught_at_default"]
    assert faults["users_across_splits"]["weakest_detected_strength"] == 0.001  # one shared user is enough
    leak = {r["strength"]: r for r in faults["leaky_feature"]["runs"]}
    assert leak[0.99]["caught_by"] == ["splits.target_leakage"]
    assert not leak[0.9]["detected"]  # below the 0.95 limit: a curve, not a yes/no
    assert faults["leaky_feature"]["weakest_detected_strength"] == 0.97
    assert faults["miscalibrated"]["runs"][-1]["caught_by"] == ["quality.calibration"]
    assert faults["training_nan"]["caught_at_default"]
    assert all(fa["failed"] == 0 for fa in doc["false_alarms"].values())
    assert doc["false_alarms"]["quality.recall"]["resamples"] == 2
    md = (reports / "selftest.md").read_text()
    assert "| leaky_feature | 0.9 its ROC AUC | **missed** |" in md
    assert "CAUGHT" in out and "self-test PASS" in out


@pytest.mark.slow
def test_selftest_fails_when_the_policy_cannot_catch_a_fault(gate_project, tmp_path):
    lax = gate_project(extra="[leakage]\nmax_univariate_auc = 0.9999\n")
    code, doc, _ = _selftest(lax, tmp_path, "--faults", "leaky_feature", "--resamples", "0")
    assert code == EXIT_FAILED
    assert doc["verdict"] == "fail"
    assert any("leaky_feature at its default strength 0.99 was not caught" in r for r in doc["reasons"])


def test_selftest_bad_input_is_a_usage_error(gate_project, tmp_path, capsys):
    made = gate_project()
    code, doc, _ = _selftest(made, tmp_path, "--faults", "no_such_fault")
    assert code == EXIT_USAGE and doc is None
    assert "unknown fault(s) ['no_such_fault']" in capsys.readouterr().err
    (made.folder / "data" / "requests.parquet").unlink()
    code, doc, _ = _selftest(made, tmp_path)
    assert code == EXIT_USAGE and doc is None
    assert "requests.parquet" in capsys.readouterr().err


def test_production_without_a_label_column_makes_label_faults_not_applicable(gate_project, small_log):
    """Production labels arrive late: the column may be absent altogether."""
    made = gate_project(production=small_log.production.drop(columns=["label"]))
    m, ctx = clean_material(load_config(made.config))
    assert ctx.production_positives == 0
    assert F.catalogue(["prevalence_shift"])[0].needs(ctx) == "needs labelled risky rows in production"
    out = F.segment_label_flip(m, ctx, 0.2, np.random.default_rng(0))  # flips test, leaves production
    assert (out.dataset["label"] != m.dataset["label"]).any()
    assert out.production.equals(m.production)


def test_the_selftest_reads_only_recorded_checks_from_a_schema_4_gate_json():
    """Since schema 4 a skipped test's entry has a status too ("skip"): the self-test
    still counts only entries with a check id, and reports a bad one without a check."""
    from sentinel_checks.reports.gate_json import GateReport
    from sentinel_checks.selftest.outcome import Job
    from sentinel_checks.selftest.run import _from_document

    doc = GateReport.from_dict(
        {
            "schema_version": 4,
            "verdict": "fail",
            "checks": [
                {
                    "test": "t::recall",
                    "outcome": "failed",
                    "id": "quality.recall",
                    "label": "quality.recall[test]",
                    "status": "fail",
                    "message": "low",
                },
                {"test": "t::skipped", "outcome": "skipped", "status": "skip", "message": "Skipped: x"},
                {"test": "t::broken", "outcome": "error", "status": "error", "message": "DataError: gone"},
            ],
        }
    )
    result = _from_document(Job("clean"), 1, doc)
    assert result.statuses == {"quality.recall[test]": "fail"}
    assert result.ids == {"quality.recall[test]": "quality.recall"}
    assert result.problems == ["t::broken: DataError: gone"]
