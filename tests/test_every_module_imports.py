"""Every module of the package imports: a merge that removes a name another module still
imports (``split_statistics._literal`` after the engine tidy-up) fails here, in the fast
lane, rather than in the one gate step that reaches the import."""

from __future__ import annotations

import importlib
import pkgutil

import sentinel_checks


def test_every_module_of_the_package_imports():
    names = [m.name for m in pkgutil.walk_packages(sentinel_checks.__path__, prefix="sentinel_checks.")]
    assert len(names) > 150
    failed = {}
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as err:
            failed[name] = f"{type(err).__name__}: {err}"
    assert failed == {}
