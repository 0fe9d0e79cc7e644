"""The runbook phases a check belongs to, in root-cause order (one place for every report).

A split that leaks explains a model that looks good offline, which explains drift and a
promotion that fails: reports list problems phase by phase in this order so the first
one shown is the one to fix first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phase:
    """One step of the runbook: its key (``"data"``), title and place in the order."""

    key: str
    title: str
    order: int


PHASES: tuple[Phase, ...] = (
    Phase("data", "Data & splits", 0),
    Phase("training", "Training", 1),
    Phase("quality", "Model quality", 2),
    Phase("calibration", "Calibration", 3),
    Phase("drift", "Drift", 4),
    Phase("promotion", "Promotion & baselines", 5),
    Phase("monitoring", "Monitoring", 6),
    Phase("other", "Other", 7),
)
_BY_KEY = {p.key: p for p in PHASES}

#: Check ids whose phase is not their prefix's.
_BY_ID = {"quality.calibration": "calibration", "quality.baselines": "promotion"}
#: Id prefixes (before the first dot) and suite files (``suites/test_<name>.py``).
_BY_PREFIX = {
    "contract": "data",
    "data_contract": "data",
    "splits": "data",
    "training": "training",
    "model": "quality",
    "models": "quality",
    "quality": "quality",
    "drift": "drift",
    "promotion": "promotion",
    "baselines": "promotion",
    "monitor": "monitoring",
}

#: Within a phase, checks in the order their failures explain one another (earlier first).
ROOT_CAUSE_ORDER: tuple[str, ...] = (
    "contract.schema",
    "splits.purge",  # a purge that removes most of a split leaves too few (risky) rows in it
    "contract.labels",
    "splits.time_order",
    "splits.entity_overlap",
    "splits.target_leakage",
    "splits.row_overlap",
    "training.curves",
    "model.scores",
    "quality.threshold",
    "quality.recall",
    "quality.precision",
    "quality.auc",
    "quality.segments",
    "quality.val_test_gap",
    "quality.calibration",
    "drift.labels",
    "drift.features",
    "drift.scores",
    "drift.calibration",
    "quality.baselines",
    "promotion.vs_champion",
)


def phase_of(name: str) -> Phase:
    """The phase of a check id (``"splits.time_order"``) or of a pytest node id
    (``"suites/test_drift.py::test_x[...]"``, for a test that recorded no result).

    Parameters
    ----------
    name : str
        A check id or a node id.

    Returns
    -------
    Phase
        ``"other"`` when neither the id nor the suite file names a phase.

    Examples
    --------
    >>> phase_of("splits.entity_overlap").title, phase_of("quality.baselines").key
    ('Data & splits', 'promotion')
    >>> phase_of("suites/test_training.py::test_curves").key
    'training'
    """
    if name in _BY_ID:
        return _BY_KEY[_BY_ID[name]]
    if "::" in name or name.endswith(".py"):
        stem = name.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py").removeprefix("test_")
        return _BY_KEY[_BY_PREFIX.get(stem, "other")]
    return _BY_KEY[_BY_PREFIX.get(name.split(".", 1)[0], "other")]


def root_cause_rank(check_id: str) -> tuple[int, int]:
    """Sort key putting causes before consequences: phase first, then the check's place.

    Parameters
    ----------
    check_id : str
        A check id or a node id.

    Returns
    -------
    (int, int)
        The phase's order and the id's place in :data:`ROOT_CAUSE_ORDER` (unknown ids last).
    """
    place = ROOT_CAUSE_ORDER.index(check_id) if check_id in ROOT_CAUSE_ORDER else len(ROOT_CAUSE_ORDER)
    return phase_of(check_id).order, place
