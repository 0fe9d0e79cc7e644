"""The gate's suites, shipped with the package: ``sentinel gate`` runs them.

Thin pytest files, one check call per test, over the fixtures of
:mod:`sentinel_checks.gate.plugin`. A repository keeps wrappers of them in ``suites/``
(``sentinel init`` writes those) and adds its own tests beside them.
"""
