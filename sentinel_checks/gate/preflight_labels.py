"""The preflight's look at the label values: those outside ``[columns] positive`` /
``negative`` in every frame, reported once with a model whose classes lack the same
``positive`` (one mistake, one item naming each place)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sentinel_checks.gate.preflight import LABEL_VALUES_KEY, SetupProblem, _shown, frame_origin, joined

if TYPE_CHECKING:
    import pandas as pd

    from sentinel_checks.config import SentinelConfig


#: What the preflight reads of one frame's labels: the other values' row counts (most first),
#: the rows with no label, every distinct label as text.
LabelCounts = tuple["pd.Series", int, set[str]]


def label_values(
    config: SentinelConfig,
    frames: dict[str, pd.DataFrame],
    counted: dict[str, LabelCounts] | None = None,
) -> list[SetupProblem]:
    """The label's values outside ``positive`` / ``negative`` (and nulls offline): one
    problem naming every frame that holds them and the values found in each.

    ``counted`` gives a frame's :data:`LabelCounts` made elsewhere (the engine's, for a
    dataset read where it lies: ``frames`` then holds its columns and no rows)."""
    cols = config.columns
    places, values, nulls = [], set(), 0
    for name, frame in frames.items():
        if cols.label not in frame.columns:
            continue  # missing offline: reported with the columns; production may lack labels
        counts, missing, distinct = (counted or {}).get(name) or _label_counts(frame[cols.label], cols)
        missing = missing if name == "dataset" else 0
        if counts.empty and not missing:
            continue
        found = [f"{_shown(v)} ({int(n):,} rows)" for v, n in counts.head(5).items()]
        if len(counts) > 5:
            found.append(f"{len(counts) - 5} more values")
        if missing:
            found.append(f"no value ({missing:,} rows)")
        places.append(f"{joined(found)} in {frame_origin(name, frame)}")
        values |= distinct
        nulls += missing
    if not places:
        return []
    message = (
        f"label column '{cols.label}' holds {'; '.join(places)}, not the configured classes "
        f"positive = {_shown(cols.positive)} / negative = {_shown(cols.negative)}"
    )
    if nulls:
        message += "; every offline row needs a label"
    elif len(values) == 2:
        message += ": set positive to the risky value and negative to the other"
        if values == {str(cols.positive), str(cols.negative)}:
            message += " (written as the column stores them: text in quotes, numbers without)"
    return [SetupProblem(LABEL_VALUES_KEY, message)]


def _label_counts(labels: pd.Series, cols: Any) -> LabelCounts:
    known = labels.eq(cols.positive).fillna(False) | labels.eq(cols.negative).fillna(False)
    other = labels[labels.notna() & ~known.astype(bool)]
    return other.value_counts(), int(labels.isna().sum()), {str(v) for v in labels.dropna().unique()}


def merged_label_problems(problems: list[SetupProblem]) -> list[SetupProblem]:
    """``problems`` with a model's risky-class problem folded into the label-values one
    (the same wrong ``positive`` seen in the data and in the model's classes: one
    mistake, one item naming each place); unchanged without a label-values problem."""
    label = next((p for p in problems if p.key == LABEL_VALUES_KEY), None)
    models = [p for p in problems if p.about == "positive"]
    if label is None or not models:
        return problems
    also = "; ".join(f"{p.key} ({p.found})" for p in models)
    merged = SetupProblem(
        label.key, f"{label.message}. The same value is not a class of {also}: correcting positive fixes both"
    )
    return [merged if p is label else p for p in problems if p not in models]
