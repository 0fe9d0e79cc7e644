"""``contract.schema`` and ``contract.labels``: the data is what the config says it is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.adapters import pandera_schema
from sentinel_checks.config import Columns, FeatureRule
from sentinel_checks.formatting import listing
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status

SCHEMA_ID = "contract.schema"
LABELS_ID = "contract.labels"
SCHEMA_HINT = (
    "Fix the data at its source, or correct the column roles and [contract.features] rules "
    "in the config if they are wrong."
)
CONSTANT_HINT = (
    "A feature with one value in every row carries no information for the model: it is "
    "usually a broken join or a default fill. Fix its source or drop it from [columns] features."
)
LABELS_HINT = (
    "Move the split boundaries so every split holds enough of both classes, or collect more "
    "labelled data; recall on a handful of positives is noise."
)


#: Risky rows per safe row from which ``contract.labels`` warns that the classes may be
#: swapped: 3 (75% risky). A swapped fraud or default label (a few % risky) reads 90%+;
#: the balanced real datasets of ``benchmarks/verdicts.py`` (MA employment, car loan:
#: 50.4% and 50.0% risky) do not warn, as a bare majority rule made them.
RISKY_MAJORITY = 3
MAJORITY_HINT = (
    "If [columns] positive and negative are swapped, swap them back; if the class the gate must "
    "catch really is the more common one, this warning does not block."
)


def check_schema(
    frame: pd.DataFrame,
    *,
    columns: Columns,
    features: list[str],
    rules: Mapping[str, FeatureRule] | None = None,
    dataset: str = "dataset",
    label_required: bool = True,
    extra_required: list[str] | None = None,
    reference: pd.DataFrame | None = None,
) -> CheckResult:
    """Validate every row against the pandera contract built from the config.

    Required columns present; label values within the two configured classes; no
    nulls in label or timestamp (entity columns may hold nulls: such a row belongs
    to no entity, and the overlap check counts it); timestamp of datetime or numeric dtype; the id
    column (if configured) non-null and unique; every feature holding some value, and
    in the offline dataset more than one; optional per-feature dtype, range and
    allowed values. With ``reference`` (the offline dataset, when checking
    production) each feature must keep its kind (numeric, bool, text, …).
    Measured: failing cases (limit 0).

    Parameters
    ----------
    frame : pandas.DataFrame, shape (n_rows, n_columns)
        The rows to validate (one split, the offline dataset or a production batch).
    columns : Columns
        The configured column roles (label, timestamp, entity, id, score).
    features : list of str
        Feature column names; each must be present and hold some value.
    rules : Mapping[str, FeatureRule], optional
        Per-feature dtype, range and allowed values from ``[contract.features]``.
    dataset : str, default "dataset"
        Name of the data in messages and in ``parameters["dataset"]``.
    label_required : bool, default True
        Whether the label column must be present (False for unlabelled production data).
    extra_required : list of str, optional
        Further columns that must be present.
    reference : pandas.DataFrame, optional
        The offline dataset; with it, each feature must keep the reference's kind.

    Returns
    -------
    CheckResult
        Id ``contract.schema``. Measured: the number of failing cases (int, as
        float); limit 0; direction at most. ``pass`` with no violation, ``fail``
        otherwise (evidence: the failing rows per column check).

    Notes
    -----
    An empty ``frame`` is a CheckResult with status ``error`` (``Reason.EMPTY``),
    not an exception; violations are a ``fail``, not an exception.
    """
    params = {"dataset": dataset}
    if len(frame) == 0:
        return CheckResult.undefined(
            SCHEMA_ID, f"{dataset} has no rows", reason=Reason.EMPTY, parameters=params
        )
    schema = contract_schema(
        columns,
        features=features,
        rules=rules,
        label_required=label_required,
        extra_required=extra_required,
        reference=reference,
    )
    return judge_schema(
        pandera_schema.failures(schema, frame),
        rows=len(frame),
        columns=len(frame.columns),
        checked=len(schema.columns),
        constant=pandera_schema.constant_features(frame, features) if label_required else {},
        dataset=dataset,
    )


def contract_schema(
    columns: Columns,
    *,
    features: list[str],
    rules: Mapping[str, FeatureRule] | None = None,
    label_required: bool = True,
    extra_required: list[str] | None = None,
    reference: pd.DataFrame | None = None,
) -> Any:
    """The pandera schema :func:`check_schema` validates with (parameters as there; only
    ``reference``'s dtypes are read, so a zero-row frame with the dataset's dtypes will do)."""
    return pandera_schema.build_schema(
        columns,
        features=features,
        rules=rules or {},
        label_required=label_required,
        extra_required=extra_required,
        kinds=None
        if reference is None
        else {f: pandera_schema.column_kind(reference[f].dtype) for f in features if f in reference.columns},
    )


def judge_schema(
    groups: list[pandera_schema.FailureGroup],
    *,
    rows: int,
    columns: int,
    checked: int,
    constant: Mapping[str, object],
    dataset: str = "dataset",
) -> CheckResult:
    """``contract.schema`` from the failure groups, however they were counted (pandera on the
    frame, or :func:`~sentinel_checks.engine.contract_counts.contract_failures` in the engine).

    Parameters
    ----------
    groups : list of FailureGroup
        Sorted by (column, check).
    rows, columns : int
        The data's rows (> 0) and columns.
    checked : int
        Columns of the schema.
    constant : mapping of str to value
        Constant features (offline data only), in feature order.
    dataset : str
        Name of the data in messages.
    """
    params = {"dataset": dataset}
    total = sum(g.count for g in groups)
    support = {"n": rows, "columns": columns}
    if not groups and constant:
        return CheckResult(
            id=SCHEMA_ID,
            status=Status.WARN,
            message=f"{dataset}: {rows:,} rows satisfy the contract; {_constant_text(constant)}",
            measured=0.0,
            limit=0.0,
            direction=Direction.AT_MOST,
            reason=Reason.CONSTANT_FEATURE,
            support=support,
            evidence=(_constant_evidence(constant),),
            parameters=params,
            hint=CONSTANT_HINT,
        )
    if not groups:
        return CheckResult(
            id=SCHEMA_ID,
            status=Status.PASS,
            # of its columns: support["columns"] counts them all (trial: "14" beside 16)
            message=f"{dataset}: {rows:,} rows satisfy the contract on {checked} of its {columns} column(s)",
            measured=0.0,
            limit=0.0,
            direction=Direction.AT_MOST,
            support=support,
            parameters=params,
            hint=SCHEMA_HINT,
        )
    listed = listing((_violation_text(g) for g in groups), shown=6, sep="; ")
    if constant:
        listed += f"; and {_constant_text(constant)}"
    evidence = tuple(
        Evidence.capped(
            "failure_cases",
            list(g.rows),
            total=g.count,
            detail={"column": g.column, "check": g.check, "examples": list(g.examples)},
        )
        for g in groups
    ) + ((_constant_evidence(constant),) if constant else ())
    return CheckResult(
        id=SCHEMA_ID,
        status=Status.FAIL,
        message=f"{dataset}: {total:,} contract violation(s) in {len(groups)} column check(s): {listed}",
        measured=float(total),
        limit=0.0,
        direction=Direction.AT_MOST,
        reason=Reason.SCHEMA_VIOLATION,
        support=support,
        evidence=evidence,
        parameters=params,
        hint=SCHEMA_HINT,
    )


def _violation_text(group: pandera_schema.FailureGroup) -> str:
    """One failed column check in words: what, in how many rows, with examples."""
    what = f"{group.column}: {pandera_schema.plain_check(group.check)}"
    if not group.rows:  # a check of the whole column (missing, null in every row, its dtype)
        return what
    return f"{what} in {group.count:,} row(s), e.g. {', '.join(group.examples[:3])}"


def _constant_text(constant: Mapping[str, object]) -> str:
    named = ", ".join(f"'{name}' (always {value})" for name, value in constant.items())
    verb = "holds" if len(constant) == 1 else "hold"
    return f"feature {named} {verb} one value in every row and is never missing: constant"


def _constant_evidence(constant: Mapping[str, object]) -> Evidence:
    return Evidence.capped(
        "constant_features",
        list(constant),
        total=len(constant),
        detail={"values": {name: str(value) for name, value in constant.items()}},
    )


def check_labels(
    y: np.ndarray,
    *,
    split: str,
    min_positives: int = 30,
    min_negatives: int = 30,
) -> CheckResult:
    """Prevalence of the risky class in one split; enough of each class to measure recall.

    An empty split or a split with one class fails. Measured: the positives count.

    Parameters
    ----------
    y : ndarray of bool, shape (n,)
        Labels of one split; True = risky (cast with ``astype(bool)``).
    split : str
        Name of the split (``"train"``, ``"val"``, ``"test"``…), in messages and
        ``parameters["split"]``.
    min_positives, min_negatives : int, default 30
        Risky and safe rows needed to measure recall.

    Returns
    -------
    CheckResult
        Id ``contract.labels``. Measured: the count of risky rows (int, as float);
        limit ``min_positives``; direction at least. The prevalence (proportion in
        [0, 1]) is in the evidence. ``fail`` when the split is empty
        (``Reason.EMPTY``), holds one class (``Reason.ONE_CLASS``) or too few of
        either (``Reason.TOO_FEW_ROWS``); ``warn`` when risky rows are three or more per safe
        row (``Reason.RISKY_MAJORITY``: the classes may be swapped in ``[columns]``).

    Notes
    -----
    Never raises for bad data: an empty or one-class split is a ``fail`` result.

    Examples
    --------

    >>> check_labels(np.array([True] * 40 + [False] * 400), split="val").status.value
    'pass'
    >>> check_labels(np.array([False] * 400), split="val").reason
    <Reason.ONE_CLASS: 'one_class'>
    """
    y = np.asarray(y, dtype=bool)
    n_pos = int(y.sum())
    return check_label_counts(
        n_pos, len(y) - n_pos, split=split, min_positives=min_positives, min_negatives=min_negatives
    )


def check_label_counts(
    n_pos: int, n_neg: int, *, split: str, min_positives: int = 30, min_negatives: int = 30
) -> CheckResult:
    """:func:`check_labels` from the counts of risky (``n_pos``) and safe (``n_neg``) rows
    (e.g. counted in the engine); the same result as on the labels themselves."""
    n = n_pos + n_neg
    prevalence = n_pos / n if n else float("nan")
    params = {"split": split}
    support = {"n": n, "n_positive": n_pos, "n_negative": n_neg}
    detail = {"prevalence": prevalence}
    hint = LABELS_HINT
    if n == 0:
        status, reason = Status.FAIL, Reason.EMPTY
        message = f"split {split!r} is empty"
    elif n_pos == 0 or n_neg == 0:
        status, reason = Status.FAIL, Reason.ONE_CLASS
        only = "risky" if n_neg == 0 else "safe"
        message = f"split {split!r} has one class only: all {n:,} row(s) are {only}"
    elif n_pos < min_positives or n_neg < min_negatives:
        status, reason = Status.FAIL, Reason.TOO_FEW_ROWS
        message = (
            f"split {split!r} has {n_pos:,} risky and {n_neg:,} safe row(s); needs at least "
            f"{min_positives} risky and {min_negatives} safe to measure recall"
        )
    elif n_pos >= RISKY_MAJORITY * n_neg:  # trial: positive = "safe" passed the gate, 94% "risky"
        status, reason, hint = Status.WARN, Reason.RISKY_MAJORITY, MAJORITY_HINT
        message = (
            f"split {split!r}: {n_pos:,} risky of {n:,} ({prevalence:.2%}), {n_neg:,} safe: the risky "
            f"class is the large majority ({RISKY_MAJORITY} or more per safe row); check that "
            "[columns] positive names the class the gate must catch (swapped, recall and the FNR "
            "are measured on the other class)"
        )
    else:
        status, reason = Status.PASS, Reason.OK
        message = f"split {split!r}: {n_pos:,} risky of {n:,} ({prevalence:.2%}), {n_neg:,} safe"
    return CheckResult(
        id=LABELS_ID,
        status=status,
        message=message,
        measured=float(n_pos),
        limit=float(min_positives),
        direction=Direction.AT_LEAST,
        reason=reason,
        support=support,
        evidence=(Evidence.capped("class_balance", [], total=0, detail=detail),),
        parameters=params,
        hint=hint,
    )
