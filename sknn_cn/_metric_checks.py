"""Input checks and small helpers shared by :mod:`sknn_cn.metrics` and
:mod:`sknn_cn.report` (one home; not part of the public API)."""

import numbers

import numpy as np
from sklearn.utils import check_consistent_length, column_or_1d
from sklearn.utils.multiclass import type_of_target, unique_labels

from ._labels import check_label_types

AVERAGES = (None, "binary", "micro", "macro", "weighted")


def check_zero_division(zero_division):
    """Return the value used for an undefined ratio ("warn" behaves as 0.0)."""
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
    elif isinstance(zero_division, numbers.Real) and not isinstance(zero_division, bool):
        if zero_division in (0, 1):
            return float(zero_division)
        if np.isnan(zero_division):
            return np.nan
    raise ValueError(
        "zero_division must be 'warn', 0.0, 1.0 or np.nan; "
        f"got zero_division={zero_division!r}."
    )


def check_average(average):
    if average not in AVERAGES:
        raise ValueError(
            f"average must be one of {AVERAGES}; got average={average!r}."
        )


def check_classification_targets(y_true, y_pred):
    """Check two label vectors of one binary / multi-class task; return them 1-D."""
    check_consistent_length(y_true, y_pred)
    check_label_types(y_true, "y_true")
    check_label_types(y_pred, "y_pred")
    kinds = {type_of_target(y_true, input_name="y_true"),
             type_of_target(y_pred, input_name="y_pred")}
    if not kinds <= {"binary", "multiclass"}:
        raise ValueError(
            "y_true and y_pred must hold class labels of a binary or multi-class "
            f"problem; got target types {sorted(kinds)}."
        )
    y_type = "multiclass" if "multiclass" in kinds else "binary"
    return y_type, column_or_1d(y_true), column_or_1d(y_pred)


def nan_weighted_average(values, weights=None):
    """Average that ignores NaN entries (as sklearn does when zero_division=nan)."""
    values = np.asarray(values, dtype=float)
    keep = ~np.isnan(values)
    if not keep.any():
        return np.nan
    if weights is None:
        return float(values[keep].mean())
    weights = np.asarray(weights, dtype=float)[keep]
    if weights.sum() == 0:
        return np.nan if np.any(np.asarray(values)[keep]) else 0.0
    return float(np.average(values[keep], weights=weights))


def label_index(y, labels, name):
    """Column index of each label of ``y`` in ``labels``; error on unknown labels."""
    labels = np.asarray(labels)
    order = np.argsort(labels, kind="stable")
    pos = np.searchsorted(labels[order], y)
    pos = np.clip(pos, 0, len(labels) - 1)
    index = order[pos]
    unknown = labels[index] != y
    if np.any(unknown):
        raise ValueError(
            f"{name} contains labels {sorted(set(np.asarray(y)[unknown].tolist()))} "
            f"that are not in labels={list(labels)}."
        )
    return index


def check_labels(labels):
    """``labels`` as an array of distinct class labels (None stays None)."""
    if labels is None:
        return None
    labels = np.asarray(labels)
    check_label_types(labels, "labels")
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D; got shape {labels.shape}.")
    values, counts = np.unique(labels, return_counts=True)
    if np.any(counts > 1):
        raise ValueError(
            f"labels must be distinct; got labels={labels.tolist()} "
            f"({values[counts > 1].tolist()} repeated).")
    return labels


def check_class_labels(y, name):
    """A 1-D vector of class labels (binary or multi-class), named in errors."""
    check_label_types(y, name)
    kind = type_of_target(y, input_name=name)
    if kind not in ("binary", "multiclass"):
        raise ValueError(
            f"{name} must hold class labels of a binary or multi-class problem, "
            f"shape (n_samples,); got target type {kind!r}.")
    y = column_or_1d(y)
    if y.shape[0] == 0:
        raise ValueError(f"{name} is empty; at least 1 sample is required.")
    return y


def check_proba(y_true, y_proba, labels, extra_labels=None):
    """Validate ``y_proba`` against the labels; return (labels, P, Y one-hot)."""
    y_true = check_class_labels(y_true, "y_true")
    if labels is None:
        labels = unique_labels(y_true) if extra_labels is None else \
            unique_labels(y_true, extra_labels)
    labels = check_labels(labels)
    try:
        proba = np.asarray(y_proba, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"y_proba must hold class probabilities (numbers); got {exc}.") from exc
    dtype = np.asarray(y_proba).dtype
    if proba.ndim == 1:
        if len(labels) != 2:
            raise ValueError(
                "y_proba of shape (n_samples,) is read as the probability of the "
                f"second of two classes, but labels has {len(labels)} classes "
                f"({list(labels)}); pass y_proba of shape (n_samples, n_classes) "
                "or labels=estimator.classes_."
            )
        proba = np.column_stack([1.0 - proba, proba])
    if proba.ndim != 2 or proba.shape[1] != len(labels):
        raise ValueError(
            f"y_proba has shape {np.shape(y_proba)} but there are {len(labels)} "
            f"classes ({list(labels)}); its columns must follow labels "
            "(pass labels=estimator.classes_ when a class is absent from y_true)."
        )
    check_consistent_length(y_true, proba)
    finite = np.isfinite(proba)
    if not finite.all():
        i, j = np.argwhere(~finite)[0]
        raise ValueError(
            "y_proba must hold finite class probabilities in [0, 1]; got "
            f"y_proba[{i}, {j}]={proba[i, j]}.")
    if proba.min() < 0 or proba.max() > 1:
        raise ValueError(
            "y_proba must hold class probabilities in [0, 1]; got values in "
            f"[{proba.min()}, {proba.max()}]."
        )
    # Rows must be distributions (sklearn's log_loss warns; here MAE / RMSE /
    # AUC would be silently wrong).  Tolerance as sklearn: sqrt(eps) of the dtype.
    eps = np.finfo(dtype if np.issubdtype(dtype, np.floating) else np.float64).eps
    sums = proba.sum(axis=1)
    off = ~np.isclose(sums, 1.0, rtol=np.sqrt(eps), atol=0.0)
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise ValueError(
            "The rows of y_proba must sum to one (class probabilities); got row "
            f"sums in [{sums.min()}, {sums.max()}], e.g. row {i} sums to {sums[i]}.")
    onehot = np.zeros_like(proba)
    onehot[np.arange(len(y_true)), label_index(y_true, labels, "y_true")] = 1.0
    return labels, proba, onehot
