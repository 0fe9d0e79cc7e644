"""Gate projects built from the real datasets of ``../shared/external`` for ``verdicts.py``.

Each builder reads one dataset (never copied into the repository), writes a project
into a folder it is given — data as parquet, a model when one is trained, and a
``sentinel.toml`` with default limits — and returns a :class:`Project` naming the
verdict the dataset's README expects. The datasets and their ground truth are
described in ``/work/shared/external/README.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.config.toml_writer import toml_dumps

SPLIT = "split"  #: the column holding train/val/test when a project is split by a column
SEED = 0

MA_FEATURES = [
    "AGEP",
    *["SCHL", "MAR", "RELP", "DIS", "ESP", "CIT", "MIG", "MIL"],
    *["ANC", "NATIVITY", "DEAR", "DEYE", "DREM", "SEX", "RAC1P"],
]
CAR_FEATURES = [
    "car_value",
    "salary_range",
    "debt_to_income_ratio",
    "loan_length",
    "repaid_loan_on_prev_car",
    "size_of_downpayment",
    "driver_tenure",
]
NASS_FEATURES = [
    "dvcat",
    "weight",
    "airbag",
    "seatbelt",
    "frontal",
    "sex",
    "ageOFocc",
    "yearacc",
    "yearVeh",
    "abcat",
    "occRole",
    "deploy",
    "injSeverity",
]
NASS_TEXT = ["dvcat", "airbag", "seatbelt", "sex", "abcat", "occRole"]


@dataclass(frozen=True)
class Project:
    """One benchmark configuration: its name, the verdict expected, and its config file."""

    name: str
    expected: str  # "pass" or "fail"
    config: Path
    why: str  # what the ground truth says, in a few words
    #: for an expected failure, the reasons that must decide it: (name, a piece of the
    #: failing check's label), e.g. ("vehicle overlap", "splits.entity_overlap[vehicle")
    reasons: tuple[tuple[str, str], ...] = ()


def random_split(n: int, seed: int, shares: tuple[float, float] = (0.6, 0.2)) -> np.ndarray:
    """``"train"``/``"val"``/``"test"`` for ``n`` rows at random (train and val shares
    given, test the rest), seeded.

    >>> sorted(set(random_split(50, 0).tolist()))
    ['test', 'train', 'val']
    """
    u = np.random.default_rng(seed).random(n)
    return np.where(u < shares[0], "train", np.where(u < shares[0] + shares[1], "val", "test"))


def group_split(groups: pd.Series, seed: int, shares: tuple[float, float] = (0.6, 0.2)) -> np.ndarray:
    """As :func:`random_split`, drawn per group: every row of a group lands in the same split.

    >>> s = group_split(pd.Series(["a", "a", "b", "c", "c"]), 0)
    >>> s[0] == s[1] and s[3] == s[4]
    True
    """
    codes, uniques = pd.factorize(groups)
    drawn: np.ndarray = random_split(len(uniques), seed, shares)[codes]
    return drawn


def gate_config(
    *,
    data: str,
    production: str | None,
    columns: dict[str, Any],
    splits: dict[str, Any],
    candidate: dict[str, Any],
) -> dict[str, Any]:
    """The TOML mapping of a project with default limits (only inputs are named).

    >>> c = gate_config(data="d.parquet", production=None, columns={"label": "y"},
    ...                 splits={"method": "column", "column": "split"}, candidate={"score_column": "s"})
    >>> sorted(c)
    ['columns', 'data', 'models', 'splits']
    """
    config: dict[str, Any] = {"data": {"path": data}}
    if production is not None:
        config["production"] = {"path": production}
    config.update(columns=columns, splits=splits, models={"candidate": candidate})
    return config


def _write(folder: Path, config: dict[str, Any], frames: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_parquet(folder / name, index=False)
    path = folder / "sentinel.toml"
    path.write_text(toml_dumps(config), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- MA employment


def employment(external: Path, folder: Path, *, risky: int) -> Project:
    """MA employment: 2015 split at random; production 2016–2018 with its labels.

    ``predicted_probability`` is P(employed = 1); the risk score of the class called
    risky is that probability or its complement, written as ``risk_score``.
    """
    src = external / "nannyml_employment_MA"
    ref = pd.read_parquet(src / "employment_MA_reference.pq")
    prod = pd.read_parquet(src / "employment_MA_analysis.pq").merge(
        pd.read_parquet(src / "employment_MA_analysis_target.pq"), on="id", how="left", validate="1:1"
    )
    for frame in (ref, prod):
        p = frame["predicted_probability"]
        frame["risk_score"] = p if risky == 1 else 1.0 - p
    ref[SPLIT] = random_split(len(ref), SEED)
    config = gate_config(
        data="data.parquet",
        production="production.parquet",
        columns={
            "label": "employed",
            "positive": risky,
            "negative": 1 - risky,
            "id": "id",
            "features": MA_FEATURES,
        },
        splits={"method": "column", "column": SPLIT},
        candidate={"score_column": "risk_score"},
    )
    name = "employed" if risky == 1 else "unemployed"
    path = _write(folder, config, {"data.parquet": ref, "production.parquet": prod})
    return Project(f"MA employment, risky = {name}", "pass", path, "flat performance 2015–2018, mild drift")


# --------------------------------------------------------------------------- car loan


def car_loan(external: Path, folder: Path, *, late: bool) -> Project:
    """Car loan: reference split by time (60/20/20 of its span); production = analysis
    ids < 75,000 (stable) or ≥ 75,000 (shifted), labels joined on ``id``. Risky = not
    repaid (label 0), score = 1 − ``y_pred_proba``."""
    src = external / "nannyml_car_loan"
    ref = pd.read_csv(src / "synthetic_car_loan_reference.csv", parse_dates=["timestamp"])
    prod = pd.read_csv(src / "synthetic_car_loan_analysis.csv", parse_dates=["timestamp"]).merge(
        pd.read_csv(src / "synthetic_car_loan_analysis_target.csv"), on="id", how="left", validate="1:1"
    )
    prod = prod[prod["id"] >= 75_000] if late else prod[prod["id"] < 75_000]
    for frame in (ref, prod):
        frame["repaid"] = frame["repaid"].astype("int64")
        frame["risk_score"] = 1.0 - frame["y_pred_proba"]
    val_start, test_start = (ref["timestamp"].quantile(q).normalize() for q in (0.6, 0.8))
    config = gate_config(
        data="data.parquet",
        production="production.parquet",
        columns={
            "label": "repaid",
            "positive": 0,
            "negative": 1,
            "id": "id",
            "timestamp": "timestamp",
            "features": CAR_FEATURES,
        },
        splits={"method": "time", "val_start": str(val_start.date()), "test_start": str(test_start.date())},
        candidate={"score_column": "risk_score"},
    )
    path = _write(folder, config, {"data.parquet": ref, "production.parquet": prod})
    if late:
        return Project(
            "car loan, production ids ≥ 75,000",
            "fail",
            path,
            "covariate shift, FNR and ECE up",
            reasons=(
                ("feature drift", "drift.features[train→production"),
                ("production recall", "quality.recall[production"),
                ("calibration change", "drift.calibration[test→production"),
            ),
        )
    return Project("car loan, production ids < 75,000", "pass", path, "stable period")


# --------------------------------------------------------------------------- nassCDS


def _nass_model(train: pd.DataFrame, features: list[str]) -> Any:
    """Histogram boosting (small trees) on one-hot text columns and raw numbers: P(dead)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    text = [f for f in features if f in NASS_TEXT]
    encode = ColumnTransformer(
        [
            ("text", OneHotEncoder(handle_unknown="ignore", sparse_output=False), text),
            ("numbers", "passthrough", [f for f in features if f not in text]),
        ],
        verbose_feature_names_out=False,
    )
    # small trees, slow learning: 200 default-depth iterations overfit (test PR-AUC 0.25 vs 0.32)
    boost = HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.05, max_depth=3, min_samples_leaf=50, random_state=SEED
    )
    model = Pipeline([("encode", encode), ("boost", boost)])
    return model.fit(train[features], train["dead"].eq("dead").to_numpy())


def nass(external: Path, folder: Path, *, leaky: bool) -> Project:
    """nassCDS: ``leaky`` — injSeverity a feature, occupants split at random; else no
    injSeverity and vehicles split as groups. A scikit-learn model trained on train,
    saved with skops; the vehicle is the entity, named natively by its composite id
    ``["yearacc", "caseid"]`` (a case id is unique only within its year)."""
    import skops.io as sio

    data = pd.read_csv(external / "daag_nassCDS" / "nassCDS.csv").drop(columns="rownames")
    vehicle = data.groupby(["yearacc", "caseid"], sort=False).ngroup()
    features = NASS_FEATURES if leaky else [f for f in NASS_FEATURES if f != "injSeverity"]
    data[SPLIT] = random_split(len(data), SEED) if leaky else group_split(vehicle, SEED)
    model = _nass_model(data[data[SPLIT] == "train"], features)
    folder.mkdir(parents=True, exist_ok=True)
    sio.dump(model, folder / "model.skops")
    trusted = sio.get_untrusted_types(file=folder / "model.skops")
    config = gate_config(
        data="data.parquet",
        production=None,
        columns={
            "label": "dead",
            "positive": "dead",
            "negative": "alive",
            "entities": [["yearacc", "caseid"]],
            "features": features,
        },
        splits={"method": "column", "column": SPLIT},
        candidate={"path": "model.skops", "trusted_types": trusted},
    )
    path = _write(folder, config, {"data.parquet": data})
    if leaky:
        return Project(
            "nassCDS + injSeverity, occupant split",
            "fail",
            path,
            "target leak, shared vehicles",
            reasons=(
                ("target leakage", "splits.target_leakage"),
                ("vehicle overlap", "splits.entity_overlap[yearacc+caseid"),
            ),
        )
    return Project("nassCDS, vehicle split", "pass", path, "sound model (unless genuinely weak)")


#: Every configuration, in the order of the table: (folder name, builder).
BUILDERS: list[tuple[str, Callable[[Path, Path], Project]]] = [
    ("ma_unemployed", lambda e, f: employment(e, f, risky=0)),
    ("ma_employed", lambda e, f: employment(e, f, risky=1)),
    ("car_early", lambda e, f: car_loan(e, f, late=False)),
    ("car_late", lambda e, f: car_loan(e, f, late=True)),
    ("nass_leaky", lambda e, f: nass(e, f, leaky=True)),
    ("nass_clean", lambda e, f: nass(e, f, leaky=False)),
]
