"""The splits made where the data lies, held by the engine for one gate run.

:func:`hold_splits` is what :attr:`SessionData.engine_tables
<sentinel_checks.gate.session_data.SessionData.engine_tables>` does with the split
plan of :class:`~sentinel_checks.gate.session_engine.SessionEngine`: purge the entities an
earlier split holds, then hold each split renumbered (on Spark a split not held by the
purge is held as made first), so every statistic of the run reads computed rows rather
than re-running the split.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ibis.expr.types import Table

    from sentinel_checks.config import SentinelConfig


def hold_splits(
    tables: dict[str, Table], *, cache: dict[str, Any], config: SentinelConfig
) -> dict[str, Table]:
    """Each split (with the source's ROW) renumbered and held for the run (on Spark, held as
    made first unless the purge holds it)
    (:func:`~sentinel_checks.engine.held_table.hold_renumbered` with
    :func:`~sentinel_checks.engine.split_tables.number_rows`), after the entity purge
    when the split plan left one to do (``cache["engine_purge_keys"]``:
    :func:`~sentinel_checks.engine.split_tables.purge_entities`, each entity's step
    held, released once the splits are).

    ``tables`` maps ``"train"``, ``"val"``, ``"test"`` to Ibis tables of one backend;
    the releases of the holds are appended to ``cache["engine_releases"]`` (run at the
    session's close).

    Raises
    ------
    ConfigError, DataError
        The engine cannot hold a split: what was held is released and the error of
        :func:`~sentinel_checks.gate.engine_setup.hold_failure` raised (out of memory or
        disk, a file it could not read, anything else), naming the split or the purge.
        A release that fails then is left in ``cache["engine_releases"]`` (retried when
        the run ends). A :class:`~sentinel_checks.errors.SentinelError` passes through
        as it is, what was held left to the run's releases.
    """
    from sentinel_checks.engine.held_table import hold_renumbered, release_or_defer
    from sentinel_checks.engine.split_tables import number_rows, purge_entities
    from sentinel_checks.errors import SentinelError
    from sentinel_checks.gate.engine_setup import hold_failure

    releases = cache.setdefault("engine_releases", [])
    mark = len(releases)
    out: dict[str, Table] = {}
    purged: list[Callable[[], None]] = []  # the purge's last holds, read by the val and test holds
    what = "val and test splits made where the data lies (purging the entities an earlier split holds)"
    try:
        keys = cache.get("engine_purge_keys", ())
        if keys:
            tables = purge_entities(tables, keys, releases=purged)
        for name, table in tables.items():
            what = f"{name} split made where the data lies"
            # on Spark each query re-plans the split's lineage (a catalog table's positions
            # are a window over every row): held once as made, renumbered from that hold,
            # unless the purge already holds it (val and test purged)
            held_by_purge = bool(keys) and name != "train"
            first = table._find_backend().name == "pyspark" and not held_by_purge
            out[name] = hold_renumbered(table, number_rows, releases, hold_first=first)
    except SentinelError:
        raise
    except Exception as error:  # the engine's own error types (DuckDB, Py4J)
        mine, releases[mark:] = releases[mark:], []
        release_or_defer(mine, releases)  # the engine's error is the one to tell
        raise hold_failure(config, f"hold the {what}", error) from None
    finally:
        release_or_defer(purged, releases)
    return out
