"""The configured models load safely and score the configured data.

Check: model.scores (finite probabilities in [0, 1] that are not all equal).
A model that cannot be loaded (missing file, untrusted types, pickle without
trusted = true) errors here with the file and key named: the gate never passes.
"""

import pytest

from sentinel_checks.gate import steps


@pytest.mark.parametrize("role", ["candidate", "champion"])
@pytest.mark.parametrize("split", ["val", "test", "production"])
def test_model_scores_the_data(gate, role, split):
    gate.run(steps.model_scores, role=role, split=split)
