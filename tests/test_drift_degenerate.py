"""drift.features on the column shapes real logs have: constant and one-sided null columns,
methods that fit only some column types, missing shares of every type, datetime units."""

import numpy as np
import pandas as pd
import pytest

from sentinel_checks.adapters.evidently_drift import column_drift
from sentinel_checks.checks.drift import (
    check_feature_drift,
    describe_shift,
    missing_counts,
    prepare_drift_inputs,
)
from sentinel_checks.result import Status


def judge(ref, cur, features, *, pair=("train", "val"), drift_kw=None, **kw):
    """The feature-drift check as the gate step runs it (missing shares included)."""
    inputs = prepare_drift_inputs(ref, cur, features)
    run = column_drift(
        inputs.reference,
        inputs.current,
        numerical=inputs.numerical,
        categorical=inputs.categorical,
        **(drift_kw or {}),
    )
    drifted = [c.column for c in run.columns if c.drifted]
    return check_feature_drift(
        run.columns,
        pair=pair,
        n_reference=len(ref),
        n_current=len(cur),
        descriptions={c: describe_shift(ref[c], cur[c]) for c in drifted},
        notes=inputs.notes,
        missing=missing_counts(ref, cur, features),
        **kw,
    )


def frames(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame({"amount": rng.normal(size=n), "channel": rng.choice(["web", "app"], n), "kind": "A"})
    cur = pd.DataFrame({"amount": rng.normal(size=n), "channel": rng.choice(["web", "app"], n), "kind": "A"})
    return ref, cur


def assert_no_repr(message):
    assert "['" not in message and "np.float" not in message and "{'" not in message


# ------------------------------------------------------------------------ item 8: degenerate columns


@pytest.mark.parametrize("method", [None, "chisquare", "g_test", "TVD", "jensenshannon", "psi"])
def test_a_constant_categorical_on_both_sides_is_no_drift_whatever_the_method(method):
    ref, cur = frames()
    kw = {"per_column_method": {"kind": method}} if method else {}
    result = judge(ref, cur, ["amount", "channel", "kind"], drift_kw=kw)
    assert result.status is Status.PASS, result.message
    assert "kind" in result.evidence[0].detail["constant"]


def test_a_constant_that_changed_value_is_drift():
    ref, cur = frames()
    cur["kind"] = "B"
    result = judge(ref, cur, ["amount", "channel", "kind"], critical=["kind"])
    assert result.status is Status.FAIL and "kind" in result.message


def test_a_global_categorical_method_applies_to_categorical_columns_only():
    """[drift] method = "chisquare" (valid for categories): numeric columns fall back to
    Evidently's default for numbers, and the evidence says so."""
    ref, cur = frames()
    cur["channel"] = np.random.default_rng(9).choice(["web", "app"], len(cur), p=[0.9, 0.1])
    result = judge(ref, cur, ["amount", "channel", "kind"], drift_kw={"method": "chisquare"})
    items = {i["feature"]: i for i in result.evidence[0].items}
    assert "channel" in items and "chi" in items["channel"]["method"].lower()
    fallback = result.evidence[0].detail["method_fallback"]
    assert "amount" in fallback and "chisquare" in fallback["amount"]
    assert "amount" not in items  # same distribution: no drift on the fallback method
    # a numeric-only method on categorical columns: the same fallback the other way
    numeric_only = judge(ref, cur, ["amount", "channel"], drift_kw={"method": "wasserstein"})
    assert "channel" in numeric_only.evidence[0].detail["method_fallback"]
    assert "channel" in {i["feature"] for i in numeric_only.evidence[0].items}


def test_a_per_column_method_that_does_not_fit_the_column_is_an_error_naming_it():
    ref, cur = frames()
    result = judge(ref, cur, ["amount", "channel"], drift_kw={"per_column_method": {"amount": "chisquare"}})
    assert result.status is Status.ERROR
    assert "amount" in result.message and "chisquare" in result.message
    assert_no_repr(result.message)


@pytest.mark.parametrize("side", ["reference", "current"])
def test_a_column_null_on_one_side_only_fails_and_says_so(side):
    ref, cur = frames()
    (ref if side == "reference" else cur)["amount"] = np.nan
    result = judge(ref, cur, ["amount", "channel", "kind"])
    assert result.status is Status.FAIL
    where, other = ("train", "val") if side == "reference" else ("val", "train")
    assert f"amount: missing in every {where} row, present in {other}" in result.message
    assert_no_repr(result.message)


def test_a_library_exception_becomes_an_error_naming_the_column(monkeypatch):
    from types import SimpleNamespace

    from evidently.legacy.calculations.stattests import wasserstein_distance_norm

    ref, cur = frames()

    def broken(*args, **kwargs):
        raise ValueError("boom inside the library")

    monkeypatch.setattr(wasserstein_distance_norm, "stats", SimpleNamespace(wasserstein_distance=broken))
    result = judge(ref, cur, ["amount", "channel"], drift_kw={"method": None})
    assert result.status is Status.ERROR
    assert "amount" in result.message and "boom inside the library" in result.message
    assert_no_repr(result.message)


# ------------------------------------------------------------------ item 9: missing share, every type


def typed_frames(kind, n=2000, seed=1):
    rng = np.random.default_rng(seed)
    if kind == "numeric":
        values = pd.Series(rng.normal(size=2 * n))
    elif kind == "categorical":
        values = pd.Series(rng.choice(["a", "b", "c"], 2 * n), dtype=object)
    elif kind == "datetime":
        values = pd.Series(pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 90, 2 * n), unit="D"))
    else:  # boolean, nullable
        values = pd.Series(rng.random(2 * n) < 0.3, dtype="boolean")
    ref = pd.DataFrame({"f": values[:n].reset_index(drop=True), "g": rng.normal(size=n)})
    cur = pd.DataFrame({"f": values[n:].reset_index(drop=True), "g": rng.normal(size=n)})
    return ref, cur


@pytest.mark.parametrize("kind", ["numeric", "categorical", "datetime", "boolean"])
def test_a_missing_share_rising_from_0_to_62_percent_fails_on_every_type(kind):
    ref, cur = typed_frames(kind)
    holes = np.random.default_rng(2).random(len(cur)) < 0.62
    cur.loc[holes, "f"] = None
    result = judge(ref, cur, ["f", "g"], pair=("train", "production"))
    assert result.status is Status.FAIL, result.message
    (item,) = [m for m in result.evidence[1].items if m["feature"] == "f"]
    assert item["status"] == "fail" and item["reference_share"] == 0
    assert item["current_share"] == pytest.approx(0.62, abs=0.03)
    # clean data of the same type passes
    assert judge(*typed_frames(kind), ["f", "g"]).status is Status.PASS


# --------------------------------------------------------------------------- item 10: datetimes


def dates(n, seed, unit, tz=None, shift_days=0):
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 365, n) + shift_days
    values = pd.Series(pd.Timestamp("2025-01-01") + pd.to_timedelta(days, unit="D")).astype(
        f"datetime64[{unit}]"
    )
    return values.dt.tz_localize(tz) if tz else values


@pytest.mark.parametrize(("unit", "tz"), [("us", None), ("s", None), ("ms", "UTC"), ("ns", "Europe/Berlin")])
def test_a_datetime_stored_in_another_unit_is_compared_by_its_actual_time(unit, tz):
    ref = pd.DataFrame({"seen_at": dates(2000, 0, "ns", tz="UTC" if tz else None)})
    cur = pd.DataFrame({"seen_at": dates(2000, 1, unit, tz=tz)})
    inputs = prepare_drift_inputs(ref, cur, ["seen_at"])
    assert inputs.current["seen_at"].median() == pytest.approx(inputs.reference["seen_at"].median(), rel=1e-3)
    result = judge(ref, cur, ["seen_at"])
    assert result.status is Status.PASS, result.message


def test_a_datetime_shift_is_described_as_dates():
    ref = pd.DataFrame({"seen_at": dates(2000, 0, "ns")})
    cur = pd.DataFrame({"seen_at": dates(2000, 1, "us", shift_days=200)})
    result = judge(ref, cur, ["seen_at"])
    assert result.status is Status.FAIL
    (item,) = result.evidence[0].items
    assert "median 2025-07-" in item["shift"] and "→ 2026-01-" in item["shift"]
    assert "range" in item["shift"] and "share of" not in item["shift"]


def test_a_permutation_test_gives_the_same_p_value_whatever_numpy_s_global_state():
    # Evidently's empirical_mmd permutes with numpy's global generator, unseeded: the same
    # two samples gave a different p-value on each run, so a verdict near the threshold
    # could flip between two runs of the gate on the same inputs.
    rng = np.random.default_rng(3)
    reference = pd.DataFrame({"x": rng.normal(0, 1, 150)})
    current = pd.DataFrame({"x": rng.normal(0.15, 1, 150)})
    scores = []
    for state in (1, 2, 3):
        np.random.seed(state)
        run = column_drift(reference, current, numerical=["x"], categorical=[], method="empirical_mmd")
        scores.append(run.columns[0].score)
    assert scores[0] == scores[1] == scores[2], scores
    assert 0.0 < scores[0] < 1.0  # a p-value, neither extreme


def test_the_gate_leaves_numpy_s_global_generator_as_it_found_it():
    reference = pd.DataFrame({"x": np.arange(100.0)})
    current = pd.DataFrame({"x": np.arange(100.0) + 3})
    np.random.seed(11)
    expected = np.random.random()
    np.random.seed(11)
    column_drift(reference, current, numerical=["x"], categorical=[], method="empirical_mmd")
    assert np.random.random() == expected


def test_evidently_s_permutations_are_seeded_with_the_gate_s_seed(monkeypatch):
    """``[gate] seed`` (``column_drift``'s ``seed``) seeds numpy's global generator while
    Evidently runs, as it seeds every other random step (review: a constant 0 passed)."""
    from sentinel_checks.adapters import evidently_drift

    seeds = []
    real = evidently_drift._numpy_seeded

    def spy(seed):
        seeds.append(seed)
        return real(seed)

    monkeypatch.setattr(evidently_drift, "_numpy_seeded", spy)
    frame = pd.DataFrame({"x": np.arange(300.0)})
    column_drift(frame, frame + 1, numerical=["x"], categorical=[], method="empirical_mmd", seed=7)
    assert seeds == [7]


def test_every_method_the_config_accepts_is_evidently_s_with_the_column_kinds_it_takes():
    """``METHOD_KINDS`` (read by the preflight without importing Evidently) is Evidently's own
    registry. Review: ``epps_singleton`` was accepted at load but is no Evidently name (its
    name is ``es``): every column fell back to the default and a per-column choice was refused
    with "it takes  columns"."""
    from sentinel_checks.adapters.evidently_columns import KNOWN_TESTS, METHOD_KINDS, _import_quietly

    _import_quietly()
    from evidently.legacy.calculations.stattests import registry
    from evidently.legacy.core import ColumnType

    def kinds(name: str) -> frozenset[str]:
        out = set()
        for kind in (ColumnType.Numerical, ColumnType.Categorical):
            try:
                registry.get_stattest(None, None, kind, name)
            except Exception:  # Evidently: not for this kind (or no such name)
                continue
            out.add(str(kind.value))
        return frozenset(out)

    assert set(METHOD_KINDS) == set(KNOWN_TESTS)
    assert {name: kinds(name) for name in sorted(KNOWN_TESTS)} == dict(sorted(METHOD_KINDS.items()))
    assert all(METHOD_KINDS.values())  # each takes some column


def test_the_epps_singleton_test_runs_on_a_numeric_column_and_sees_a_shift():
    """Under its Evidently name ``es``: a p-value test of numbers (review: it was offered as
    ``epps_singleton``, a name Evidently does not know)."""
    ref, cur = frames()
    same = judge(ref, cur, ["amount"], drift_kw={"per_column_method": {"amount": "es"}})
    assert same.status is Status.PASS, same.message
    cur["amount"] = cur["amount"] + 1.0
    shifted = judge(ref, cur, ["amount"], drift_kw={"per_column_method": {"amount": "es"}})
    assert shifted.status is Status.FAIL and "amount" in shifted.message, shifted.message
    assert shifted.evidence[0].items[0]["method"] == "es", shifted.evidence[0].items


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([True, False, True, False]),
        pd.Series([True, None, False, True], dtype="boolean"),
        pd.Series([1, None, 3, 4], dtype="Int64"),
        pd.Series([1.5, 2.5, np.nan, 4.0]),
        pd.Series(pd.date_range("2025-01-01", periods=4, tz="UTC")),
        pd.Series(pd.date_range("2025-01-01", periods=4)),
        pd.Series(["a", "b", None, "a"], dtype="string[pyarrow]"),
        pd.Series(["1", "2", "3", "1"], dtype=object),
        pd.Series(["x", "y", "x", "y"], dtype="category"),
    ],
    ids=[
        "bool",
        "boolean",
        "Int64",
        "float",
        "datetime-tz",
        "datetime",
        "string",
        "numeric-text",
        "category",
    ],
)
def test_the_kind_the_preflight_reads_off_a_dtype_is_the_one_the_drift_step_gives(values):
    """The preflight refuses a per-column method by ``drift_kind``: it must type a column as
    ``prepare_drift_inputs`` does when the drift step runs (review, stop 46)."""
    from sentinel_checks.checks.drift_inputs import drift_kind, prepare_drift_inputs

    frame = pd.DataFrame({"x": values})
    inputs = prepare_drift_inputs(frame, frame, ["x"])
    assert drift_kind(values.dtype) == ("num" if inputs.numerical == ["x"] else "cat")
    assert inputs.numerical + inputs.categorical == ["x"]


def test_the_old_name_of_the_epps_singleton_test_is_refused_with_its_new_name(tmp_path):
    from sentinel_checks.config import load_config
    from sentinel_checks.errors import ConfigError

    path = tmp_path / "sentinel.toml"
    base = '[data]\npath = "d.parquet"\n[splits]\nmethod = "column"\ncolumn = "split"\n[drift]\n'
    for line in ('method = "epps_singleton"', 'per_column_method = {amount = "epps_singleton"}'):
        path.write_text(base + line + "\n")
        with pytest.raises(ConfigError, match="'epps_singleton' is Evidently's 'es': write 'es'"):
            load_config(path, check_files=False)
