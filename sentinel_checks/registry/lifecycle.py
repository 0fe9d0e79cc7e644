"""Promotion, rollback and the kill switch over an MLflow model registry (runbook steps 15–16).

Aliases on one registered model carry the state:

``@champion``  the version serving code loads (``models:/<name>@champion``)
``@previous``  the version ``sentinel rollback`` returns to
``@disabled``  set by ``sentinel disable`` (the kill switch): ``@champion`` is removed

The order of champion versions lives in the registered model's tag
``sentinel.lineage`` (``"1,3,4"``), so rollback can step back more than once.
Every move is appended to an audit log (JSON lines: who, when, which version,
which gate report) and tagged on the version.

``promote`` refuses unless ``gate.json`` says the gate passed *for exactly these
inputs*: the same config file, the same data fingerprints and the same candidate
file. Registry errors happen before the alias moves, so a failed promotion changes
no alias.

The code lives in :mod:`~sentinel_checks.registry.state` (aliases, lineage, status),
:mod:`~sentinel_checks.registry.verification` (the gate report), :mod:`~sentinel_checks.registry.promotion`
(promote, adopt), :mod:`~sentinel_checks.registry.rollback` (rollback, disable) and
:mod:`~sentinel_checks.registry.audit` (the audit log); every public name is re-exported here.
"""

from __future__ import annotations

from sentinel_checks.registry.audit import Move as Move
from sentinel_checks.registry.audit import actor as actor
from sentinel_checks.registry.audit import append_move as _audit  # noqa: F401  (tests write moves with it)
from sentinel_checks.registry.audit import read_audit as read_audit
from sentinel_checks.registry.promotion import adopt as adopt
from sentinel_checks.registry.promotion import promote as promote
from sentinel_checks.registry.rollback import disable as disable
from sentinel_checks.registry.rollback import rollback as rollback
from sentinel_checks.registry.state import CHAMPION as CHAMPION
from sentinel_checks.registry.state import DISABLED as DISABLED
from sentinel_checks.registry.state import LINEAGE_TAG as LINEAGE_TAG
from sentinel_checks.registry.state import PREVIOUS as PREVIOUS
from sentinel_checks.registry.state import STATE_TAG as STATE_TAG
from sentinel_checks.registry.state import open_registry as open_registry
from sentinel_checks.registry.state import serving_uri as serving_uri
from sentinel_checks.registry.state import status as status
from sentinel_checks.registry.verification import PROMOTABLE as PROMOTABLE
from sentinel_checks.registry.verification import verify_report as verify_report
