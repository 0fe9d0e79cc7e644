"""The configured models load safely and score the configured data.

Check: model.scores (finite probabilities in [0, 1] that are not all equal).
A model that cannot be loaded (missing file, untrusted types, pickle without
trusted = true) errors here with the file and key named: the gate never passes.
"""

import pytest

from sentinel_checks.checks import check_scores
from sentinel_checks.scoring import risk_scores

ROLES = ["sentinel_candidate", "sentinel_champion"]


@pytest.mark.parametrize("role", ROLES, ids=["candidate", "champion"])
@pytest.mark.parametrize("split", ["val", "test"])
def test_model_scores_the_data(
    gate, request, sentinel_config, sentinel_splits, sentinel_features, role, split
):
    model = request.getfixturevalue(role)
    scores = risk_scores(
        model,
        sentinel_splits[split],
        features=model.feature_list(sentinel_features),
        positive=sentinel_config.columns.positive,
    )
    gate.check(check_scores(scores, model=model.role, split=split))
