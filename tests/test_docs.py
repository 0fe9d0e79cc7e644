"""The configuration reference documents every key the config accepts."""

import re
from pathlib import Path

import pytest

from sentinel_checks import config

DOC = (Path(__file__).resolve().parents[1] / "docs" / "configuration.md").read_text()
SECTIONS = [
    config.DataSource,
    config.Columns,
    config.SplitSpec,
    config.ModelSpec,
    config.Contract,
    config.FeatureRule,
    config.Leakage,
    config.Quality,
    config.DriftPolicy,
    config.Training,
    config.Promotion,
    config.Registry,
    config.Experiments,
    config.Experiment,
    config.Monitor,
    config.MonitorSeverity,
    config.Gate,
]


@pytest.mark.parametrize("model", SECTIONS, ids=lambda m: m.__name__)
def test_every_key_is_documented(model):
    documented = set(re.findall(r"`([a-z_]+)`", DOC))
    keys = set(model.model_fields) - {"source"}
    assert keys <= documented, f"undocumented keys of {model.__name__}: {sorted(keys - documented)}"


@pytest.mark.parametrize(
    ("key", "default"),
    [
        ("min_positives_per_split", config.Contract().min_positives_per_split),
        ("max_entity_overlap_share", config.Leakage().max_entity_overlap_share),
        ("max_row_overlap_share", config.Leakage().max_row_overlap_share),
        ("max_univariate_auc", config.Leakage().max_univariate_auc),
        ("target_recall", config.Quality().target_recall),
        ("min_recall", config.Quality().min_recall),
        ("max_ece", config.Quality().max_ece),
        ("min_segment_recall", config.Quality().min_segment_recall),
        ("max_fnr_increase", config.Promotion().max_fnr_increase),
        ("max_precision_drop", config.Promotion().max_precision_drop),
        ("model_name", config.Registry().model_name),
        ("audit_log", str(config.Registry().audit_log)),
        ("max_score_psi", config.Monitor().max_score_psi),
        ("max_recall_drop", config.Monitor().max_recall_drop),
    ],
)
def test_documented_defaults_match_the_code(key, default):
    row = next(line for line in DOC.splitlines() if line.startswith(f"| `{key}`"))
    shown = f'`"{default}"`' if isinstance(default, str) else f"`{default}`"
    assert shown in row
