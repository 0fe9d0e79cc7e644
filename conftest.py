"""Repository-wide pytest setup.

The gate's fixtures and reports come from the ``sentinel_checks.gate.plugin`` pytest
plugin, registered through the ``pytest11`` entry point when the package is
installed (``pip install -e .``); nothing here re-registers it.

Hypothesis profiles: ``ci`` (fixed derandomized examples, used when CI=true or
HYPOTHESIS_PROFILE=ci) and ``dev`` (more examples, random seeds).
"""

import os

from hypothesis import HealthCheck, settings

pytest_plugins = ["pytester"]  # the plugin's own tests (tests/test_gate_steps.py)

settings.register_profile(
    "ci",
    max_examples=60,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
