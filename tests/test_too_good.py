"""quality.too_good (issue 16, item 2): a model that scores ROC AUC >= 0.99, or recall and
precision both 1.0, on test is a reason to look for leakage, not a success."""

import math

import numpy as np
import pytest

from sentinel_checks.checks.too_good import check_too_good
from sentinel_checks.config import load_config
from sentinel_checks.gate import steps
from sentinel_checks.gate.session import GateSession
from sentinel_checks.result import Status
from sentinel_checks.stats.confusion import Confusion
from tests.conftest import BASE_CONFIG

ORDINARY = Confusion(tp=160, fp=400, fn=40, tn=9400)
PERFECT = Confusion(tp=200, fp=0, fn=0, tn=9800)


def test_an_ordinary_model_passes():
    r = check_too_good(0.86, ORDINARY, split="test")
    assert r.status is Status.PASS, r.message
    assert r.id == "quality.too_good" and r.measured == 0.86 and r.limit == 0.99


def test_auc_at_the_limit_warns_with_a_hint_to_look_for_leakage():
    r = check_too_good(0.995, ORDINARY, split="test")
    assert r.status is Status.WARN
    assert "0.995" in r.message and "leak" in (r.message + r.hint).lower()


def test_perfect_recall_and_precision_warn_even_below_the_auc_limit():
    r = check_too_good(0.97, PERFECT, split="test")
    assert r.status is Status.WARN
    assert "recall 1.000 and precision 1.000" in r.message


def test_fail_when_configured_to():
    assert check_too_good(0.995, ORDINARY, split="test", action="fail").status is Status.FAIL
    assert check_too_good(0.86, ORDINARY, split="test", action="fail").status is Status.PASS


def test_the_strongest_features_are_named():
    r = check_too_good(0.999, ORDINARY, split="test", suspects=[("chargeback_flag", 1.0), ("amount", 0.61)])
    assert "chargeback_flag (leakage score 1.000)" in r.message
    assert r.evidence[0].items[0] == {"feature": "chargeback_flag", "score": 1.0}


def test_an_undefined_auc_is_an_error():
    r = check_too_good(math.nan, Confusion(tp=0, fp=0, fn=0, tn=100), split="test")
    assert r.status is Status.ERROR


def test_a_bad_limit_is_refused():
    with pytest.raises(ValueError, match="max_auc"):
        check_too_good(0.9, ORDINARY, split="test", max_auc=0.4)


def test_config_keys_are_validated(tmp_path):
    config = tmp_path / "sentinel.toml"
    config.write_text(BASE_CONFIG.replace("[quality]\n", '[quality]\ntoo_good_action = "block"\n'))
    with pytest.raises(Exception, match="too_good_action"):
        load_config(config)


def test_a_planted_leak_warns_and_names_the_feature(gate_project, small_log):
    offline = small_log.offline.copy()
    production = small_log.production.copy()
    for frame in (offline, production):
        risky = frame["label"].eq("risky").to_numpy()
        frame["chargeback_flag"] = risky.astype(float)
        frame["score"] = np.where(risky, 0.97, 0.02)  # a model that learnt the leak
    config = BASE_CONFIG.replace('"user_prior_risk_rate"]', '"user_prior_risk_rate", "chargeback_flag"]', 1)
    session = GateSession(
        load_config(gate_project(offline=offline, production=production, config_text=config).config)
    )
    r = steps.too_good(session)
    assert r.status is Status.WARN, r.message
    assert "chargeback_flag" in r.message


def test_the_demo_model_is_not_too_good(gate_project):
    session = GateSession(load_config(gate_project().config))
    r = steps.too_good(session)
    assert r.status is Status.PASS, r.message
    assert r.measured < 0.99
