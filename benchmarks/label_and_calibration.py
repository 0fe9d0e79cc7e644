"""Figures behind the defaults of drift.labels, quality.calibration and drift.calibration.

Real data (read from ``../shared/external``, see its README; not in the repository):

* NannyML synthetic car loan: risk score ``1 - y_pred_proba``, risky = ``repaid == 0``,
  test = the last 10,000 reference rows by time; production = analysis ids < 75,000
  (stable: must pass) and ids >= 75,000 (covariate shift: drift.calibration must fail).
* NannyML MA employment (real ACS data, flat performance): test = a random 20% of 2015,
  production = 2016-2018; must pass with either class called risky.

Simulation: the false-fail rate of quality.calibration for perfectly calibrated
scores (and the fail rate of scores shifted by 0.08). Run by hand:

    .venv/bin/python benchmarks/label_and_calibration.py [--external ../shared/external] [--simulate]

Figures go into docs/checks.md (sections of these checks).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from sentinel_checks.checks.calibration import check_calibration
from sentinel_checks.checks.calibration_change import check_calibration_change
from sentinel_checks.checks.label_drift import check_label_drift

PAIR = ("test", "production")


def _judge(name: str, y1: np.ndarray, s1: np.ndarray, y2: np.ndarray, s2: np.ndarray) -> None:
    print(name, f"({len(y1):,} test, {len(y2):,} production rows)")
    labels = check_label_drift(int(y1.sum()), len(y1), int(y2.sum()), len(y2), pair=PAIR)
    print("  drift.labels:", labels.status.value, "|", labels.message)
    change = check_calibration_change(y1, s1, y2, s2)
    print("  drift.calibration:", change.status.value, "|", change.message)
    for split, (y, s) in {"test": (y1, s1), "production": (y2, s2)}.items():
        print(f"  quality.calibration[{split}]:", check_calibration(y, s, split=split).message)


def car_loan(root: Path) -> None:
    d = root / "nannyml_car_loan"
    ref = pd.read_csv(d / "synthetic_car_loan_reference.csv").sort_values("timestamp")
    analysis = pd.read_csv(d / "synthetic_car_loan_analysis.csv").merge(
        pd.read_csv(d / "synthetic_car_loan_analysis_target.csv"), on="id"
    )
    test = ref.iloc[-10_000:]
    y1, s1 = (test.repaid == 0).to_numpy(), 1 - test.y_pred_proba.to_numpy()
    for name, prod in [
        ("car loan, ids < 75,000", analysis[analysis.id < 75_000]),
        ("car loan, ids >= 75,000", analysis[analysis.id >= 75_000]),
    ]:
        _judge(name, y1, s1, (prod.repaid == 0).to_numpy(), 1 - prod.y_pred_proba.to_numpy())


def employment(root: Path) -> None:
    d = root / "nannyml_employment_MA"
    ref = pd.read_parquet(d / "employment_MA_reference.pq")
    analysis = pd.read_parquet(d / "employment_MA_analysis.pq").merge(
        pd.read_parquet(d / "employment_MA_analysis_target.pq"), on="id"
    )
    test = ref.sample(frac=0.2, random_state=0)
    for risky in (0, 1):

        def side(frame: pd.DataFrame, risky: int = risky) -> tuple[np.ndarray, np.ndarray]:
            p = frame.predicted_probability.to_numpy()
            return (frame.employed == risky).to_numpy(), (p if risky else 1 - p)

        _judge(f"MA employment, risky = employed == {risky}", *side(test), *side(analysis))


def simulate(reps: int = 200) -> None:
    rng = np.random.default_rng(1)
    for n, (a, b), shift in [
        (200, (1, 19), 0.0),
        (200, (2, 2), 0.0),
        (500, (2, 2), 0.0),
        (2000, (2, 2), 0.0),
        (500, (2, 2), 0.08),
        (2000, (2, 2), 0.08),
    ]:
        counts: Counter[str] = Counter()
        for r in range(reps):
            s = rng.beta(a, b, n)
            y = rng.random(n) < s
            result = check_calibration(y, np.clip(s + shift, 0, 1), split="sim", seed=r)
            counts[result.status.value] += 1
        print(f"quality.calibration, {n} rows, scores Beta{(a, b)}, shift {shift}: {dict(counts)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--external", type=Path, default=Path("../shared/external"))
    parser.add_argument("--simulate", action="store_true")
    args = parser.parse_args()
    car_loan(args.external)
    employment(args.external)
    if args.simulate:
        simulate()


if __name__ == "__main__":
    main()
