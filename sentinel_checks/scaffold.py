"""``sentinel init``: a starter gate in the user's repository.

Writes ``sentinel.toml`` (every limit with its default, commented), a ``suites/``
folder of thin wrappers around the shipped suites (to extend with the team's own
tests), and a CI workflow. It never overwrites a file: what exists is reported as
skipped. Given a data file, it reads a sample and pre-fills the column roles it can
infer (timestamp, label and its risky value, id-like and entity columns, segments)
for the user to confirm.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sentinel_checks import config as cfg
from sentinel_checks.column_roles import SPLIT_SHARES, Roles, infer_roles
from sentinel_checks.config.toml_writer import toml_literal
from sentinel_checks.data.time_axis import ROW_ORDER
from sentinel_checks.purge_preview import together, worst_loss

__all__ = [
    "CI_FILES",
    "SHIPPED_SUITES",
    "InitResult",
    "Roles",
    "infer_roles",
    "init_project",
    "purge_warnings",
    "roles_summary",
    "starter_config",
]

SHIPPED_SUITES = (
    "test_data_contract",
    "test_splits",
    "test_models",
    "test_quality",
    "test_training",
    "test_drift",
    "test_promotion",
)
CI_FILES = {
    "github": (".github/workflows/sentinel-gate.yml", "github-actions.yml"),
    "gitlab": (".gitlab-ci.sentinel.yml", "gitlab-ci.yml"),
}
#: Sections whose every key is written commented out with its default.
_POLICY_SECTIONS: dict[str, type[BaseModel]] = {
    "contract": cfg.Contract,
    "leakage": cfg.Leakage,
    "quality": cfg.Quality,
    "drift": cfg.DriftPolicy,
    "training": cfg.Training,
    "promotion": cfg.Promotion,
    "registry": cfg.Registry,
    "gate": cfg.Gate,
}
#: ``[splits] max_purged_share`` by default: init leaves the purge off above it.
_MAX_PURGED_SHARE: float = cfg.SplitSpec.model_fields["max_purged_share"].default


@dataclass
class InitResult:
    """What ``init`` did: files written and skipped, the roles inferred, whether the
    written config has ``# TODO`` lines, and the warnings to print (one line each)."""

    written: list[Path]
    skipped: list[Path]
    roles: Roles | None
    has_todo: bool = False
    warnings: list[str] = field(default_factory=list)


def init_project(folder: Path, *, data: Path | None = None, ci: str = "github") -> InitResult:
    """Scaffold the gate into ``folder``; never overwrites an existing file."""
    folder.mkdir(parents=True, exist_ok=True)
    roles = infer_roles(data) if data is not None else None
    config = folder / "sentinel.toml"
    planned: dict[Path, str] = {config: starter_config(folder, data, roles)}
    for suite in SHIPPED_SUITES:
        planned[folder / "suites" / f"{suite}.py"] = _wrapper(suite)
    if ci != "none":
        target, template = CI_FILES[ci]
        planned[folder / target] = _template(template)
    written, skipped = [], []
    for path, text in planned.items():
        if path.exists():
            skipped.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as fh:  # "x": fail rather than overwrite in a race
            fh.write(text.rstrip("\n") + "\n")  # every file ends with one newline
        written.append(path)
    warnings = [f"{line} (sentinel.toml leaves purge_entities off)" for line in purge_warnings(roles)]
    has_todo = config in written and "# TODO" in planned[config]
    return InitResult(written, skipped, roles, has_todo=has_todo, warnings=warnings)


def roles_summary(roles: Roles) -> str:
    """One line of what init inferred, as written to ``sentinel.toml``: the label, the
    time axis, the segments, and every column kept out of the features with its reason.

    Examples
    --------
    >>> roles_summary(Roles(label="is_fraud", positive=1, timestamp="ts", id="txn_id", entities=["user_id"]))
    'label is_fraud (risky = 1), timestamp ts, segments none; not features: txn_id (the id), user_id (entity)'
    """
    from sentinel_checks.entities import entity_name

    found = ", ".join(roles.label_candidates) or "none"
    label = (
        f"label {roles.label} (risky = {roles.positive})"
        if roles.label
        else f"label not set (two-valued: {found})"
    )
    if roles.timestamp is not None:
        time = f"timestamp {roles.timestamp}"
    else:
        time = "timestamp not set (a TODO: a column that orders the rows, or @row)"
    kept_out = [f"{roles.id} (the id)"] if roles.id is not None else []
    kept_out += [f"{entity_name(e)} (entity)" for e in roles.entities]
    kept_out += [f"{c} (row index)" for c in roles.exclude]
    return (
        f"{label}, {time}, segments {', '.join(roles.segments) or 'none'}; "
        f"not features: {', '.join(kept_out) or 'none besides the label and timestamp'}"
    )


def purge_warnings(roles: Roles | None) -> list[str]:
    """One line per entity whose purge would remove more of val or test than
    ``[splits] max_purged_share`` (default) allows, with what to do instead; and, when
    each entity alone stays within it but all of them together (as the gate purges
    them) do not, one line for that.

    The share is measured by :mod:`sentinel_checks.purge_preview` at the scaffold's
    boundaries, on every row of the data file.
    """
    from sentinel_checks.entities import entity_name

    if roles is None:
        return []
    names = [entity_name(e) for e in roles.entities]
    combined = together(names) if len(names) > 1 else None
    out = []
    for name, losses in roles.purge.items():
        worst = worst_loss(losses)
        if worst.share <= _MAX_PURGED_SHARE or name == combined:
            continue
        earlier = "train" if worst.split == "val" else "train or val"
        out.append(
            f"{name}: {worst.share:.0%} of {worst.split} rows ({worst.removed:,} of {worst.rows_before:,}) "
            f"belong to {name} values also seen in {earlier}; purge_entities = true would drop them "
            f"and fail splits.purge (limit {_MAX_PURGED_SHARE:.0%}, [splits] max_purged_share). "
            f"{name} spans the log: name an entity that does not span the splits (a session, "
            f"{name} + day), or assign whole {name} groups to splits in a split column with "
            'method = "column" '
            f"(e.g. GroupShuffleSplit; time is then mixed), or, if production sees the same {name} "
            f"values, leave {name} out of [columns] entities"
        )
    if combined in roles.purge and not out:
        worst = worst_loss(roles.purge[combined])
        if worst.share > _MAX_PURGED_SHARE:
            earlier = "train" if worst.split == "val" else "train or val"
            out.append(
                f"{combined}: {worst.share:.0%} of {worst.split} rows ({worst.removed:,} of "
                f"{worst.rows_before:,}) share a value of one of them with {earlier}; each alone stays "
                f"within the limit, but purge_entities = true purges them together and would fail "
                f"splits.purge (limit {_MAX_PURGED_SHARE:.0%}, [splits] max_purged_share). Keep in "
                f"[columns] entities only the ones that must not cross a split, or assign whole groups "
                'to splits in a split column with method = "column"'
            )
    return out


def _template(name: str) -> str:
    return resources.files("sentinel_checks").joinpath("templates", name).read_text(encoding="utf-8")


def _wrapper(suite: str) -> str:
    return (
        f'"""The shipped gate suite `{suite}` (sentinel_checks.suites). Add your own tests below\n'
        'or in new files of this folder; they get the same fixtures (see docs/ci.md)."""\n\n'
        f"from sentinel_checks.suites.{suite} import *  # noqa: F403\n"
    )


# --------------------------------------------------------------------------- the config text


def starter_config(folder: Path, data: Path | None, roles: Roles | None) -> str:
    lines = [
        "# Gradient Sentinel gate configuration, written by `sentinel init`.",
        "# Every key: docs/configuration.md. Lines starting with '# key =' show the default.",
        "",
        "[data]",
    ]
    if data is not None:
        shown = _relative(data, folder)
        lines.append(f"path = {toml_literal(shown)}")
    else:
        lines.append('path = "data/requests.parquet"   # or loader = "mypackage.data:load_requests"')
    lines += ["", "[columns]"]
    if roles is not None:
        lines.append(f"# inferred from {data} — confirm every line")
        lines += _label_lines(roles)
        lines += _time_lines(roles)
        if roles.id is not None:
            lines.append(f"id = {toml_literal(roles.id)}   # one value per row: never a feature")
        entities = toml_literal(roles.entities)
        lines.append(f"entities = {entities}   # no entity may be on two sides of a split")
        for entity in roles.entities:
            if isinstance(entity, list):
                period, ident = entity
                lines.append(
                    f"# {ident} repeats across {period}: read as one entity per ({period}, {ident}); "
                    f'write "{ident}" alone if its ids are global'
                )
        lines.append(f"segments = {toml_literal(roles.segments)}   # recall is judged within each value")
        if roles.exclude:
            lines.append(
                f"exclude = {toml_literal(roles.exclude)}   # a written row index: an id, never a feature"
            )
    else:
        lines += [
            'label = "label"',
            "positive = 1        # the risky class (labels may be strings)",
            "negative = 0",
            'timestamp = "request_ts"',
            'entities = ["user_id", "session_id"]',
            'segments = ["country", "channel"]',
        ]
    lines += ["# features = [...]   # default: every column without another role", "", "[splits]"]
    lines += _split_lines(roles)
    lines += [
        'embargo = "0s"   # a duration for dates; else a number of the column\'s units (rows for "@row")',
        *(_purge_lines(roles) if roles is None or roles.entities else [NO_ENTITY_PURGE]),
        "",
        "[models.candidate]",
        'path = "models/candidate.skops"   # save with skops.io.dump; list reviewed types in trusted_types',
        "",
        "# [models.champion]",
        '# uri = "models:/risk-classifier@champion"   # after the first `sentinel promote`',
        "",
        "# [production]",
        '# path = "data/production_sample.parquet"   # recent traffic, labelled where labels exist',
    ]
    for name, model in _POLICY_SECTIONS.items():
        lines += ["", f"[{name}]"]
        for key, info in model.model_fields.items():
            default = info.get_default(call_default_factory=True)
            lines.append(f"# {key} = {toml_literal(default) if default is not None else '(none)'}")
    return "\n".join(lines) + "\n"


#: ``[splits]`` when no entity was inferred: purging needs one (it is off, and says how to turn it on)
NO_ENTITY_PURGE = "purge_entities = false   # no entity above to purge by; set true once entities lists one"


def _label_lines(roles: Roles) -> list[str]:
    """The label, its risky and safe values; commented out with a TODO when no column is
    named like a label (the gate refuses the config until it is set)."""
    others = [c for c in roles.label_candidates if c != roles.label]
    if roles.label is not None:
        note = value_note([roles.positive, roles.negative])
        lines = [
            f"label = {toml_literal(roles.label)}",
            f"positive = {toml_literal(roles.positive)}   # the risky class; {note}",
            f"negative = {toml_literal(roles.negative)}",
        ]
        return lines + ([f"# other two-valued columns: {', '.join(others)}"] if others else [])
    found = f"two-valued columns: {', '.join(others)}" if others else "no two-valued column found"
    example = toml_literal(others[0] if others else "label")
    # which value is risky is the team's to say: no value is suggested (repaid = 0 is risky)
    held = [
        f"# '{c}' holds {' and '.join(toml_literal(v) for v in roles.candidate_values[c])}"
        for c in others
        if len(roles.candidate_values.get(c, [])) == 2
    ]
    values = [v for c in others for v in roles.candidate_values.get(c, [])]
    return [
        f"# TODO: no column is named like a label ({found}). Set the column that says",
        "# risky or safe, and its two values; `sentinel gate` refuses this config until then.",
        *held,
        f"# label = {example}",
        f"# positive = <the value that means risky>   # {value_note(values)}",
        "# negative = <the other value>",
    ]


def value_note(values: list[Any]) -> str:
    """How to write a label value so that the loader's ``labels == positive`` matches it.

    Parameters
    ----------
    values : list
        The label values found (Python scalars as pandas reads them); empty when unknown.

    Returns
    -------
    str
        Numbers only (int or float, not bool): a number without quotes (``1`` and ``1.0``
        compare equal; ``"1.0"`` in quotes is text and matches no number). Text only:
        text in quotes. Otherwise both rules.

    Examples
    --------
    >>> value_note([0.0, 1.0])  # doctest: +NORMALIZE_WHITESPACE
    'a number, no quotes: the loader compares numbers (1 and 1.0 both match the stored 1.0;
     "1.0" in quotes is text and matches nothing)'
    >>> value_note(["risky", "safe"])
    'as the column stores it, in quotes: the loader compares text'
    """
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if values and len(numbers) == len(values):
        top = max(numbers)
        as_int = int(top) if float(top).is_integer() else top
        return (
            f"a number, no quotes: the loader compares numbers ({as_int} and {float(top)} both "
            f'match the stored {top}; "{top}" in quotes is text and matches nothing)'
        )
    if values and all(isinstance(v, str) for v in values):
        return "as the column stores it, in quotes: the loader compares text"
    return "as the column stores it: text in quotes, numbers without"


def _time_lines(roles: Roles) -> list[str]:
    """``timestamp`` when found; else the columns that may order the rows, and ``"@row"``,
    commented out with a TODO (the split below needs one of them)."""
    if roles.timestamp is not None:
        return [f"timestamp = {toml_literal(roles.timestamp)}   # orders the rows in time"]
    lines = ["# TODO: no column surely orders the rows in time. Uncomment the one that does:"]
    for name in roles.time_suggestions:
        lines.append(f"# timestamp = {toml_literal(name)}   # whole numbers: boundaries below as its values")
    lines.append(
        f"# timestamp = {toml_literal(ROW_ORDER)}   # the file's row order is time order: "
        "boundaries are fractions of the rows"
    )
    return lines


def _split_lines(roles: Roles | None) -> list[str]:
    """``[splits]`` boundaries: dates, values of a whole-number time column, or fractions
    of the rows (for ``"@row"``) when no time column was found."""
    if roles is None:
        bounds: tuple[str, str] | tuple[int, int] | tuple[float, float] = ("2025-09-01", "2025-10-01")
        note = "half-open: [val_start, test_start) is validation"
    elif roles.split_bounds is not None:
        bounds = roles.split_bounds
        note = (
            f"half-open: [val_start, test_start) is validation, about {SPLIT_SHARES[0]:.0%} of rows before it"
        )
    else:
        bounds = SPLIT_SHARES
        note = 'fractions of the rows for timestamp = "@row"; dates or values of the column for a time column'
    return [
        'method = "time"',
        f"val_start = {toml_literal(bounds[0])}   # {note}",
        f"test_start = {toml_literal(bounds[1])}",
    ]


def _purge_lines(roles: Roles | None) -> list[str]:
    """``purge_entities = true``, unless purging an inferred entity would remove more of
    val or test than ``max_purged_share``: then off, with the measured share and why."""
    warnings = purge_warnings(roles)
    if not warnings:
        return ["purge_entities = true   # drop from val/test the rows of entities seen in an earlier split"]
    lines = [
        "purge_entities = false   # not purged: it would empty val/test (splits.entity_overlap will say so)"
    ]
    for warning in warnings:
        lines += ["# " + part for part in textwrap.wrap(warning, 96)]
    return lines


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()
