"""Evaluation measures of seed section 1.1.2 that scikit-learn lacks, and a summary.

Seed 1.1.2 lists accuracy, the confusion matrix, precision, recall, TPR, FPR, F1,
ROC/AUC, and Weka's MAE, RMSE, RAE and RRSE.  ``sklearn.metrics`` already has most
of them; this module adds

* :func:`false_positive_rate`, :func:`specificity_score` and
  :func:`true_positive_rate` (binary, per class, micro / macro / weighted averages),
  with sklearn's ``zero_division`` behaviour;
* :func:`weka_mean_absolute_error`, :func:`weka_root_mean_squared_error`,
  :func:`weka_relative_absolute_error`, :func:`weka_root_relative_squared_error`:
  the error measures Weka's ``Evaluation`` reports for a *nominal* class;
* :func:`classification_summary`: the whole 1.1.2 list plus Cohen's kappa in one
  object, with a text table and a dict form, computed with ``sklearn.metrics``
  for everything sklearn has.

All functions take ``y_true`` and either ``y_pred`` (class labels) or
``y_proba`` (class probabilities), so they can be wrapped with
:func:`sklearn.metrics.make_scorer`::

    make_scorer(false_positive_rate, greater_is_better=False)
    make_scorer(specificity_score)
    make_scorer(weka_mean_absolute_error, response_method="predict_proba",
                greater_is_better=False)
"""

import numbers
import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    multilabel_confusion_matrix,
    precision_recall_fscore_support,
    recall_score,
    roc_auc_score,
)
from sklearn.utils import check_consistent_length, column_or_1d
from sklearn.utils.multiclass import type_of_target, unique_labels

__all__ = [
    "false_positive_rate",
    "specificity_score",
    "true_positive_rate",
    "laplace_class_priors",
    "weka_error_scores",
    "weka_mean_absolute_error",
    "weka_root_mean_squared_error",
    "weka_relative_absolute_error",
    "weka_root_relative_squared_error",
    "ClassificationSummary",
    "classification_summary",
]

_AVERAGES = (None, "binary", "micro", "macro", "weighted")


# ---------------------------------------------------------------------------
# small validation helpers
# ---------------------------------------------------------------------------
def _check_zero_division(zero_division):
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


def _check_average(average):
    if average not in _AVERAGES:
        raise ValueError(
            f"average must be one of {_AVERAGES}; got average={average!r}."
        )


def _check_classification_targets(y_true, y_pred):
    """Check two label vectors of one binary / multi-class task; return them 1-D."""
    check_consistent_length(y_true, y_pred)
    kinds = {type_of_target(y_true, input_name="y_true"),
             type_of_target(y_pred, input_name="y_pred")}
    if not kinds <= {"binary", "multiclass"}:
        raise ValueError(
            "y_true and y_pred must hold class labels of a binary or multi-class "
            f"problem; got target types {sorted(kinds)}."
        )
    y_type = "multiclass" if "multiclass" in kinds else "binary"
    return y_type, column_or_1d(y_true), column_or_1d(y_pred)


def _nan_weighted_average(values, weights=None):
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


def _one_vs_rest_counts(y_true, y_pred, labels, pos_label, average, sample_weight):
    """Per-class (one-vs-rest) TN, FP, FN, TP for the labels that ``average`` selects.

    Returns
    -------
    labels : ndarray of shape (n_labels,)
    counts : ndarray of shape (n_labels, 4)
        Columns TN, FP, FN, TP of class ``labels[k]`` against all other classes,
        from :func:`sklearn.metrics.multilabel_confusion_matrix`.
    """
    _check_average(average)
    y_type, y_true, y_pred = _check_classification_targets(y_true, y_pred)
    present = unique_labels(y_true, y_pred)
    if average == "binary":
        if y_type != "binary":
            raise ValueError(
                f"Target is {y_type} but average='binary'. Choose another average "
                "setting, one of [None, 'micro', 'macro', 'weighted']."
            )
        if pos_label not in present and len(present) >= 2:
            raise ValueError(
                f"pos_label={pos_label!r} is not a valid label. It should be one "
                f"of {list(present)}."
            )
        labels = [pos_label]
    elif pos_label not in (None, 1):
        warnings.warn(
            f"pos_label={pos_label!r} is ignored when average != 'binary' "
            f"(got average={average!r}); use labels=[pos_label] to report a "
            "single class.",
            UserWarning,
            stacklevel=3,
        )
    if labels is None:
        labels = present
    labels = np.asarray(labels)
    mcm = multilabel_confusion_matrix(
        y_true, y_pred, sample_weight=sample_weight, labels=labels
    )
    # mcm[k] = [[TN, FP], [FN, TP]] for class labels[k]
    counts = mcm.reshape(len(labels), 4).astype(float)
    return labels, counts


def _divide(numerator, denominator, zero_division, metric, reason):
    """numerator / denominator with sklearn's zero_division rule and warning."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    undefined = denominator == 0
    result = numerator / np.where(undefined, 1.0, denominator)
    if undefined.any():
        result[undefined] = _check_zero_division(zero_division)
        if isinstance(zero_division, str) and zero_division == "warn":
            where = "due to" if result.size == 1 else "in labels with"
            warnings.warn(
                f"{metric} is ill-defined and being set to 0.0 {where} {reason}. "
                "Use `zero_division` parameter to control this behavior.",
                UndefinedMetricWarning,
                stacklevel=4,
            )
    return result


def _rate(y_true, y_pred, labels, pos_label, average, sample_weight,
          zero_division, which):
    _check_zero_division(zero_division)
    labels, counts = _one_vs_rest_counts(
        y_true, y_pred, labels, pos_label, average, sample_weight
    )
    tn, fp, fn, tp = counts.T
    if average == "micro":
        tn, fp, fn, tp = (np.array([c.sum()]) for c in (tn, fp, fn, tp))
    if which == "fpr":
        values = _divide(fp, fp + tn, zero_division, "False positive rate",
                         "no negative true samples")
    else:
        values = _divide(tn, fp + tn, zero_division, "Specificity",
                         "no negative true samples")
    if average is None:
        return values
    if average == "weighted":
        return _nan_weighted_average(values, weights=tp + fn)
    return _nan_weighted_average(values)


# ---------------------------------------------------------------------------
# FPR, specificity, TPR
# ---------------------------------------------------------------------------
def false_positive_rate(y_true, y_pred, *, labels=None, pos_label=1,
                        average="binary", sample_weight=None,
                        zero_division="warn"):
    """False positive rate FPR = FP / (FP + TN) (seed 1.1.2.2).

    The share of true negatives that the model calls positive; lower is better.
    For more than two classes each class is scored one-vs-rest: FP counts the
    samples of other classes predicted as that class, TN those predicted as any
    other class.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class labels.
    y_pred : array-like of shape (n_samples,)
        Predicted class labels.
    labels : array-like of shape (n_labels,), default=None
        The classes to report (and to average over), as in sklearn's
        ``recall_score``. Default: all labels in ``y_true`` and ``y_pred``.
    pos_label : int, float, bool or str, default=1
        The positive class when ``average='binary'``.
    average : {'binary', 'micro', 'macro', 'weighted'} or None, default='binary'
        ``None`` returns one FPR per class; ``'micro'`` pools FP and TN over the
        classes; ``'macro'`` is the unweighted mean of the class FPRs;
        ``'weighted'`` weights them by support (true samples of each class),
        as sklearn's averages and Weka's ``weightedFalsePositiveRate`` do.
    sample_weight : array-like of shape (n_samples,), default=None
    zero_division : {'warn', 0.0, 1.0, np.nan}, default='warn'
        Value when FP + TN = 0 (no true negatives). ``'warn'`` gives 0.0 and an
        :class:`~sklearn.exceptions.UndefinedMetricWarning`; ``np.nan`` values
        are left out of averages, as in sklearn.

    Returns
    -------
    fpr : float or ndarray of shape (n_labels,)

    Examples
    --------
    The seed's example: 450 negatives of which 15 were called positive.

    >>> import numpy as np
    >>> y_true = np.r_[np.ones(550), np.zeros(450)]
    >>> y_pred = np.r_[np.ones(521), np.zeros(29), np.zeros(435), np.ones(15)]
    >>> round(false_positive_rate(y_true, y_pred), 3)
    0.033
    """
    return _rate(y_true, y_pred, labels, pos_label, average, sample_weight,
                 zero_division, "fpr")


def specificity_score(y_true, y_pred, *, labels=None, pos_label=1,
                      average="binary", sample_weight=None, zero_division="warn"):
    """Specificity (true negative rate) TN / (TN + FP) = 1 - FPR (seed 1.1.2.2).

    Parameters and averaging are those of :func:`false_positive_rate`; the
    ``zero_division`` value is used for specificity itself when TN + FP = 0.

    Returns
    -------
    specificity : float or ndarray of shape (n_labels,)
    """
    return _rate(y_true, y_pred, labels, pos_label, average, sample_weight,
                 zero_division, "specificity")


def true_positive_rate(y_true, y_pred, *, labels=None, pos_label=1,
                       average="binary", sample_weight=None, zero_division="warn"):
    """True positive rate TPR = TP / (TP + FN), which is recall (seed 1.1.2.2).

    This is :func:`sklearn.metrics.recall_score` under the seed's name; the
    parameters are the same.

    Returns
    -------
    tpr : float or ndarray of shape (n_labels,)
    """
    _check_average(average)
    return recall_score(y_true, y_pred, labels=labels, pos_label=pos_label,
                        average=average, sample_weight=sample_weight,
                        zero_division=zero_division)


# ---------------------------------------------------------------------------
# Weka's error measures for a nominal class
# ---------------------------------------------------------------------------
def laplace_class_priors(y_train, *, labels=None, sample_weight=None):
    """Class priors from training labels with one extra count per class.

    ``prior_k = (n_k + 1) / (N + K)`` where ``n_k`` is the (weighted) number of
    training samples of class ``k``, ``N = sum_k n_k`` and ``K`` the number of
    classes. This is how Weka's ``Evaluation.setPriors`` initialises the
    prior distribution that RAE and RRSE compare against.

    Parameters
    ----------
    y_train : array-like of shape (n_train,)
        Training class labels.
    labels : array-like of shape (n_classes,), default=None
        The classes, in column order. Default: the sorted labels of ``y_train``.
    sample_weight : array-like of shape (n_train,), default=None

    Returns
    -------
    priors : ndarray of shape (n_classes,)
    """
    y_train = column_or_1d(y_train)
    labels = unique_labels(y_train) if labels is None else np.asarray(labels)
    index = _label_index(y_train, labels, "y_train")
    weights = np.ones(len(y_train)) if sample_weight is None else \
        column_or_1d(sample_weight).astype(float)
    check_consistent_length(y_train, weights)
    counts = np.bincount(index, weights=weights, minlength=len(labels)) + 1.0
    return counts / counts.sum()


def _label_index(y, labels, name):
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


def _check_proba(y_true, y_proba, labels, extra_labels=None):
    """Validate ``y_proba`` against the labels; return (labels, P, Y one-hot)."""
    y_true = column_or_1d(y_true)
    if labels is None:
        labels = unique_labels(y_true) if extra_labels is None else \
            unique_labels(y_true, extra_labels)
    labels = np.asarray(labels)
    proba = np.asarray(y_proba, dtype=float)
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
    if not np.all(np.isfinite(proba)) or proba.min() < 0 or proba.max() > 1:
        raise ValueError(
            "y_proba must hold class probabilities in [0, 1]; got values in "
            f"[{np.nanmin(proba)}, {np.nanmax(proba)}]."
        )
    onehot = np.zeros_like(proba)
    onehot[np.arange(len(y_true)), _label_index(y_true, labels, "y_true")] = 1.0
    return labels, proba, onehot


def weka_error_scores(y_true, y_proba, *, y_train=None, priors=None, labels=None,
                      sample_weight=None, train_sample_weight=None):
    """Weka's MAE, RMSE, RAE and RRSE for a nominal class, in one pass.

    Weka (``weka.classifiers.evaluation.Evaluation``) compares the predicted class
    distribution ``p_i`` of each sample with the one-hot true class ``y_i`` and
    averages over the ``K`` classes, then over the samples (weights ``w_i``,
    ``W = sum_i w_i``)::

        MAE  = 1/W * sum_i w_i * (1/K) * sum_k |p_ik - y_ik|
        RMSE = sqrt( 1/W * sum_i w_i * (1/K) * sum_k (p_ik - y_ik)**2 )

    The relative errors divide by the same errors of a predictor that always
    outputs the class priors ``q`` of the *training* data (one extra count per
    class, :func:`laplace_class_priors`)::

        MAE_prior  = 1/W * sum_i w_i * (1/K) * sum_k |q_k - y_ik|
        RMSE_prior = sqrt( 1/W * sum_i w_i * (1/K) * sum_k (q_k - y_ik)**2 )
        RAE  = 100 * MAE  / MAE_prior      (percent)
        RRSE = 100 * RMSE / RMSE_prior     (percent)

    RAE and RRSE below 100 % mean the model beats guessing the class frequencies.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class labels.
    y_proba : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted class probabilities, columns in the order of ``labels``
        (``estimator.predict_proba(X)``). A 1-D array is the probability of
        the second of two classes (what sklearn scorers pass for binary tasks).
        For hard predictions pass their one-hot encoding, as Weka does for
        classifiers without a distribution.
    y_train : array-like of shape (n_train,), default=None
        Training labels from which the priors are counted. Give this or
        ``priors`` to get RAE and RRSE.
    priors : array-like of shape (n_classes,), default=None
        Prior class probabilities (or counts; they are normalised) to compare
        against instead of ``y_train``.
    labels : array-like of shape (n_classes,), default=None
        Class order of the columns of ``y_proba``. Default: the sorted labels of
        ``y_true`` (and ``y_train``).
    sample_weight : array-like of shape (n_samples,), default=None
    train_sample_weight : array-like of shape (n_train,), default=None
        Weights of the training samples when counting priors.

    Returns
    -------
    scores : dict
        ``mean_absolute_error``, ``root_mean_squared_error``, and when priors are
        known ``prior_mean_absolute_error``, ``prior_root_mean_squared_error``,
        ``relative_absolute_error`` and ``root_relative_squared_error`` (percent).
    """
    if y_train is not None and priors is not None:
        raise ValueError("Give y_train or priors, not both.")
    labels, proba, onehot = _check_proba(y_true, y_proba, labels,
                                         extra_labels=y_train)
    n_classes = len(labels)
    w = np.ones(len(onehot)) if sample_weight is None else \
        column_or_1d(sample_weight).astype(float)
    check_consistent_length(onehot, w)
    total = w.sum()
    diff = proba - onehot
    mae = float(w @ (np.abs(diff).sum(axis=1) / n_classes) / total)
    rmse = float(np.sqrt(w @ ((diff ** 2).sum(axis=1) / n_classes) / total))
    scores = {"mean_absolute_error": mae, "root_mean_squared_error": rmse}
    if y_train is None and priors is None:
        return scores
    if y_train is not None:
        q = laplace_class_priors(y_train, labels=labels,
                                 sample_weight=train_sample_weight)
    else:
        q = np.asarray(priors, dtype=float).ravel()
        if q.shape != (n_classes,) or np.any(q < 0) or q.sum() <= 0:
            raise ValueError(
                f"priors must be {n_classes} non-negative numbers (one per class "
                f"of {list(labels)}) with a positive sum; got priors={priors!r}."
            )
        q = q / q.sum()
    prior_diff = q[np.newaxis, :] - onehot
    prior_mae = float(w @ (np.abs(prior_diff).sum(axis=1) / n_classes) / total)
    prior_rmse = float(np.sqrt(w @ ((prior_diff ** 2).sum(axis=1) / n_classes)
                               / total))
    scores["prior_mean_absolute_error"] = prior_mae
    scores["prior_root_mean_squared_error"] = prior_rmse
    with np.errstate(divide="ignore", invalid="ignore"):
        scores["relative_absolute_error"] = _relative(mae, prior_mae, "RAE")
        scores["root_relative_squared_error"] = _relative(rmse, prior_rmse, "RRSE")
    return scores


def _relative(error, prior_error, name):
    if prior_error == 0:
        warnings.warn(
            f"{name} is undefined because the prior predictor makes no error "
            "(the priors equal every true class); returning nan.",
            UndefinedMetricWarning,
            stacklevel=4,
        )
        return np.nan
    return 100.0 * error / prior_error


def weka_mean_absolute_error(y_true, y_proba, *, labels=None, sample_weight=None):
    """Weka's mean absolute error for a nominal class (seed 1.1.2.3).

    ``MAE = 1/W * sum_i w_i * (1/K) * sum_k |p_ik - y_ik|``, the absolute
    difference between the predicted distribution and the one-hot true class,
    averaged over the K classes and the samples. See :func:`weka_error_scores`
    for the parameters. Lower is better; use
    ``make_scorer(weka_mean_absolute_error, response_method="predict_proba",
    greater_is_better=False)``.

    Returns
    -------
    mae : float
    """
    return weka_error_scores(y_true, y_proba, labels=labels,
                             sample_weight=sample_weight)["mean_absolute_error"]


def weka_root_mean_squared_error(y_true, y_proba, *, labels=None,
                                 sample_weight=None):
    """Weka's root mean squared error for a nominal class (seed 1.1.2.3).

    ``RMSE = sqrt(1/W * sum_i w_i * (1/K) * sum_k (p_ik - y_ik)**2)``. See
    :func:`weka_error_scores` for the parameters.

    Returns
    -------
    rmse : float
    """
    return weka_error_scores(y_true, y_proba, labels=labels,
                             sample_weight=sample_weight)["root_mean_squared_error"]


def _require_priors(y_train, priors, name):
    if y_train is None and priors is None:
        raise ValueError(
            f"{name} compares with a predictor that outputs the training class "
            "priors: pass y_train (training labels) or priors; both are None."
        )


def weka_relative_absolute_error(y_true, y_proba, *, y_train=None, priors=None,
                                 labels=None, sample_weight=None,
                                 train_sample_weight=None):
    """Weka's relative absolute error in percent (seed 1.2.2.4).

    ``RAE = 100 * MAE / MAE_prior`` where ``MAE_prior`` is the MAE of always
    predicting the training priors ``q_k = (n_k + 1) / (N + K)``. See
    :func:`weka_error_scores` for the formulas and parameters. ``y_train`` (or
    ``priors``) is required. With ``make_scorer`` the training labels are fixed
    when the scorer is made, so in cross-validation pass ``priors`` of the whole
    training set or compute fold by fold.

    Returns
    -------
    rae : float
        Percent; below 100 beats the prior predictor.
    """
    _require_priors(y_train, priors, "relative absolute error")
    return weka_error_scores(
        y_true, y_proba, y_train=y_train, priors=priors, labels=labels,
        sample_weight=sample_weight, train_sample_weight=train_sample_weight,
    )["relative_absolute_error"]


def weka_root_relative_squared_error(y_true, y_proba, *, y_train=None,
                                     priors=None, labels=None, sample_weight=None,
                                     train_sample_weight=None):
    """Weka's root relative squared error in percent (seed 1.2.2.4).

    ``RRSE = 100 * RMSE / RMSE_prior`` with the prior predictor of
    :func:`weka_relative_absolute_error`. See :func:`weka_error_scores`.

    Returns
    -------
    rrse : float
        Percent; below 100 beats the prior predictor.
    """
    _require_priors(y_train, priors, "root relative squared error")
    return weka_error_scores(
        y_true, y_proba, y_train=y_train, priors=priors, labels=labels,
        sample_weight=sample_weight, train_sample_weight=train_sample_weight,
    )["root_relative_squared_error"]


# ---------------------------------------------------------------------------
# the summary
# ---------------------------------------------------------------------------
def _py(value):
    """NumPy scalar -> Python scalar (for the dict form)."""
    return value.item() if isinstance(value, np.generic) else value


class ClassificationSummary:
    """The evaluation of seed 1.1.2 in one object (made by :func:`classification_summary`).

    Attributes
    ----------
    labels : ndarray of shape (n_classes,)
    n_samples : int
    confusion_matrix : ndarray of shape (n_classes, n_classes)
        Rows are true classes, columns predicted classes (sklearn's layout).
    accuracy, cohen_kappa : float
    per_class : dict
        ``{label: {"precision", "recall", "tpr", "fpr", "specificity", "f1",
        "support", "roc_auc"}}``.
    averages : dict
        ``{"macro": {...}, "weighted": {...}}`` of the same measures.
    binary : dict or None
        For two classes: ``pos_label``, ``tp``, ``fn``, ``fp``, ``tn`` and the
        measures of the positive class.
    roc_auc : float or None
        Binary AUC, or the macro one-vs-rest AUC for more classes; None without
        probabilities.
    weka : dict
        Weka's MAE, RMSE (and RAE, RRSE with training priors).
    notes : list of str
        Which values were undefined and how they were set.
    """

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def to_dict(self):
        """Plain-Python dict (lists, floats, ints, labels) of every value."""
        labels = [_py(v) for v in self.labels]
        return {
            "n_samples": int(self.n_samples),
            "labels": labels,
            "pos_label": _py(self.binary["pos_label"]) if self.binary else None,
            "accuracy": self.accuracy,
            "cohen_kappa": self.cohen_kappa,
            "roc_auc": self.roc_auc,
            **{k: v for k, v in self.weka.items()},
            "per_class": {
                _py(lab): dict(vals) for lab, vals in self.per_class.items()
            },
            "macro": dict(self.averages["macro"]),
            "weighted": dict(self.averages["weighted"]),
            "binary": None if self.binary is None else
            {k: _py(v) for k, v in self.binary.items()},
            "confusion_matrix": np.asarray(self.confusion_matrix).tolist(),
            "notes": list(self.notes),
        }

    def to_text(self, digits=3):
        """A readable text table (what ``str(summary)`` shows)."""
        f = f"{{:.{digits}f}}"

        def fmt(v):
            if v is None:
                return "-"
            if isinstance(v, (float, np.floating)):
                return "nan" if np.isnan(v) else f.format(v)
            return str(v)

        k = len(self.labels)
        head = f"Classification summary: {self.n_samples} samples, {k} classes"
        if self.binary:
            head += f" (positive class {_py(self.binary['pos_label'])!r})"
        lines = [head, ""]
        overall = [("Accuracy", self.accuracy), ("Cohen's kappa", self.cohen_kappa),
                   ("ROC AUC" + ("" if k == 2 else " (macro, one-vs-rest)"),
                    self.roc_auc),
                   ("Mean absolute error", self.weka.get("mean_absolute_error")),
                   ("Root mean squared error",
                    self.weka.get("root_mean_squared_error"))]
        rae = self.weka.get("relative_absolute_error")
        rrse = self.weka.get("root_relative_squared_error")
        overall.append(("Relative absolute error",
                        None if rae is None else f"{rae:.{max(digits - 1, 1)}f} %"))
        overall.append(("Root relative squared error",
                        None if rrse is None else f"{rrse:.{max(digits - 1, 1)}f} %"))
        for name, value in overall:
            lines.append(f"  {name:<32}{fmt(value):>10}")
        lines.append("")

        cols = ["precision", "recall/TPR", "FPR", "specificity", "F1", "ROC AUC",
                "support"]
        keys = ["precision", "recall", "fpr", "specificity", "f1", "roc_auc",
                "support"]
        names = [str(lab) for lab in self.labels] + ["macro avg", "weighted avg"]
        width = max(12, max(len(n) for n in names) + 2)
        lines.append(" " * (width + 2) + "".join(f"{c:>12}" for c in cols))
        rows = [(str(lab), self.per_class[_py(lab)]) for lab in self.labels]
        rows += [("macro avg", self.averages["macro"]),
                 ("weighted avg", self.averages["weighted"])]
        for name, vals in rows:
            cells = []
            for key in keys:
                v = vals.get(key)
                if key == "support":
                    cells.append(f"{v:>12.0f}" if v is not None else f"{'-':>12}")
                else:
                    cells.append(f"{fmt(v):>12}")
            lines.append(f"  {name:<{width}}" + "".join(cells))
        lines.append("")

        lines.append("  Confusion matrix (rows: true class, columns: predicted class)")
        cm = np.asarray(self.confusion_matrix)
        numbers_ = [f"{v:g}" for v in cm.ravel()]
        cw = max([len(s) for s in numbers_] + [len(str(lab)) for lab in self.labels]) + 2
        lw = max(len(str(lab)) for lab in self.labels) + 2
        lines.append("  " + " " * lw + "".join(f"{str(lab):>{cw}}" for lab in self.labels))
        for lab, row in zip(self.labels, cm):
            lines.append(f"  {str(lab):<{lw}}" + "".join(f"{v:>{cw}g}" for v in row))
        if self.binary:
            b = self.binary
            lines.append("")
            lines.append(
                f"  Positive class {_py(b['pos_label'])!r}: TP {b['tp']:g}  FN {b['fn']:g}"
                f"  FP {b['fp']:g}  TN {b['tn']:g}  | precision {fmt(b['precision'])}"
                f"  recall/TPR {fmt(b['recall'])}  FPR {fmt(b['fpr'])}"
                f"  F1 {fmt(b['f1'])}"
            )
        if self.notes:
            lines.append("")
            lines.extend(f"  Note: {n}" for n in self.notes)
        return "\n".join(lines)

    def __str__(self):
        return self.to_text()

    def __repr__(self):
        return (f"ClassificationSummary(n_samples={self.n_samples}, "
                f"n_classes={len(self.labels)}, accuracy={self.accuracy:.4f})")


def classification_summary(y_true, y_pred=None, y_proba=None, y_train=None, *,
                           labels=None, pos_label=None, sample_weight=None,
                           priors=None, zero_division="warn"):
    """Everything seed 1.1.2 lists, plus Cohen's kappa, in one object.

    Accuracy, the confusion matrix, precision, recall (= TPR), FPR, specificity,
    F1 (per class, macro and weighted averages), Cohen's kappa and ROC AUC are
    computed with :mod:`sklearn.metrics`; FPR, specificity and Weka's MAE, RMSE,
    RAE and RRSE (:func:`weka_error_scores`) with this module.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class labels.
    y_pred : array-like of shape (n_samples,), default=None
        Predicted labels. Default: the most probable column of ``y_proba``.
    y_proba : array-like of shape (n_samples, n_classes) or (n_samples,), default=None
        Class probabilities (columns in the order of ``labels``). Needed for ROC
        AUC; without it MAE and RMSE use the one-hot encoding of ``y_pred`` (as
        Weka does for classifiers that give no distribution).
    y_train : array-like of shape (n_train,), default=None
        Training labels: the priors for RAE and RRSE. Without it (or
        ``priors``) those two are left out.
    labels : array-like of shape (n_classes,), default=None
        All classes, in the column order of ``y_proba`` (``estimator.classes_``).
        Default: the sorted labels in ``y_true``, ``y_pred`` and ``y_train``.
    pos_label : label, default=None
        Positive class of a two-class problem. Default: the second label
        (``1`` for 0/1 labels, as sklearn's ``pos_label=1``).
    sample_weight : array-like of shape (n_samples,), default=None
    priors : array-like of shape (n_classes,), default=None
        Prior class probabilities instead of ``y_train``.
    zero_division : {'warn', 0.0, 1.0, np.nan}, default='warn'
        Value of undefined precision, recall, F1, FPR and specificity, as in
        sklearn. Each undefined value is also listed in ``notes``.

    Returns
    -------
    summary : ClassificationSummary
        ``str(summary)`` is a text table, ``summary.to_dict()`` a dict.

    Examples
    --------
    The seed's worked example (TP 521, FN 29, TN 435, FP 15):

    >>> import numpy as np
    >>> y_true = np.r_[np.ones(550), np.zeros(450)].astype(int)
    >>> y_pred = np.r_[np.ones(521), np.zeros(29), np.zeros(435), np.ones(15)]
    >>> s = classification_summary(y_true, y_pred.astype(int))
    >>> [round(s.binary[k], 3) for k in ("accuracy", "precision", "recall", "fpr", "f1")]
    [0.956, 0.972, 0.947, 0.033, 0.959]
    """
    _check_zero_division(zero_division)
    y_true = column_or_1d(y_true)
    if y_pred is None and y_proba is None:
        raise ValueError("Give y_pred, y_proba or both; both are None.")
    label_sources = [y_true] + [y for y in (y_pred, y_train) if y is not None]
    if labels is None:
        labels = unique_labels(*label_sources)
    labels = np.asarray(labels)
    if y_proba is not None:
        labels, proba, _ = _check_proba(y_true, y_proba, labels)
        if y_pred is None:
            y_pred = labels[np.argmax(proba, axis=1)]
    y_pred = column_or_1d(y_pred)
    check_consistent_length(y_true, y_pred)
    _label_index(y_pred, labels, "y_pred")
    n_classes = len(labels)
    if n_classes < 2:
        raise ValueError(
            f"classification_summary needs at least 2 classes; labels={list(labels)}."
        )
    if y_proba is None:
        proba = np.zeros((len(y_pred), n_classes))
        proba[np.arange(len(y_pred)), _label_index(y_pred, labels, "y_pred")] = 1.0

    common = dict(labels=labels, sample_weight=sample_weight)
    cm = confusion_matrix(y_true, y_pred, **common)
    accuracy = float(accuracy_score(y_true, y_pred, sample_weight=sample_weight))
    kappa = float(cohen_kappa_score(y_true, y_pred, labels=labels,
                                    sample_weight=sample_weight))

    prec, rec, f1, support = precision_recall_fscore_support(
        y_true, y_pred, average=None, zero_division=zero_division, **common)
    fpr = false_positive_rate(y_true, y_pred, average=None,
                              zero_division=zero_division, **common)
    spec = specificity_score(y_true, y_pred, average=None,
                             zero_division=zero_division, **common)

    notes = []
    tp = np.diag(cm).astype(float)
    pred_count = cm.sum(axis=0).astype(float)
    true_count = cm.sum(axis=1).astype(float)
    neg_count = cm.sum() - true_count
    zd = "0.0 (zero_division='warn')" if zero_division == "warn" else \
        f"{_check_zero_division(zero_division)} (zero_division={zero_division!r})"
    for lab, p, t, n in zip(labels, pred_count, true_count, neg_count):
        if p == 0:
            notes.append(f"class {lab!r} is never predicted: its precision is "
                         f"undefined and set to {zd}.")
        if t == 0:
            notes.append(f"class {lab!r} has no true samples: its recall is "
                         f"undefined and set to {zd}.")
        if n == 0:
            notes.append(f"class {lab!r} has no negative samples: its FPR and "
                         f"specificity are undefined and set to {zd}.")

    # ROC AUC (only with probabilities), sklearn's warning and nan when undefined
    auc_per_class = [None] * n_classes
    roc_auc = None
    auc_avg = {"macro": None, "weighted": None}
    if y_proba is not None:
        present = np.isin(labels, y_true)
        if n_classes == 2:
            pos = labels[1] if pos_label is None else pos_label
            col = int(np.flatnonzero(labels == pos)[0]) if pos in labels else 1
            # one class only in y_true: sklearn warns and returns nan
            roc_auc = float(roc_auc_score(y_true == labels[col], proba[:, col],
                                          sample_weight=sample_weight))
            auc_avg = {"macro": roc_auc, "weighted": roc_auc}
        else:
            # one-vs-rest AUC of each class; sklearn warns and gives nan for a
            # class absent from y_true (or when y_true holds a single class)
            per = [float(roc_auc_score(y_true == labels[k], proba[:, k],
                                       sample_weight=sample_weight))
                   for k in range(n_classes)]
            auc_per_class = per
            if present.all():
                roc_auc = float(roc_auc_score(y_true, proba, multi_class="ovr",
                                              average="macro", labels=labels,
                                              sample_weight=sample_weight))
                weighted = float(roc_auc_score(y_true, proba, multi_class="ovr",
                                               average="weighted", labels=labels,
                                               sample_weight=sample_weight))
            else:
                roc_auc = _nan_weighted_average(per)
                weighted = _nan_weighted_average(per, weights=true_count)
            auc_avg = {"macro": roc_auc, "weighted": weighted}
        if not present.all() or (roc_auc is not None and np.isnan(roc_auc)):
            missing = [_py(lab) for lab in labels[~present]]
            notes.append(
                f"ROC AUC is undefined for classes absent from y_true {missing}; "
                "it is nan for them (sklearn warns and returns nan) and left out "
                "of the averages.")

    per_class = {}
    for k, lab in enumerate(labels):
        per_class[_py(lab)] = {
            "precision": float(prec[k]), "recall": float(rec[k]),
            "tpr": float(rec[k]), "fpr": float(fpr[k]),
            "specificity": float(spec[k]), "f1": float(f1[k]),
            "support": float(support[k]), "roc_auc": auc_per_class[k],
        }
    averages = {}
    with warnings.catch_warnings():
        # the per-class calls above already warned about undefined values
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        for avg in ("macro", "weighted"):
            p, r, f, _ = precision_recall_fscore_support(
                y_true, y_pred, average=avg, zero_division=zero_division, **common)
            averages[avg] = {
                "precision": float(p), "recall": float(r), "tpr": float(r),
                "fpr": float(false_positive_rate(y_true, y_pred, average=avg,
                                                 zero_division=zero_division,
                                                 **common)),
                "specificity": float(specificity_score(
                    y_true, y_pred, average=avg, zero_division=zero_division,
                    **common)),
                "f1": float(f), "support": float(true_count.sum()),
                "roc_auc": auc_avg[avg],
            }

    binary = None
    if n_classes == 2:
        pos = labels[1] if pos_label is None else pos_label
        if pos not in labels:
            raise ValueError(
                f"pos_label={pos_label!r} is not one of the labels {list(labels)}.")
        k = int(np.flatnonzero(labels == pos)[0])
        other = 1 - k
        binary = {
            "pos_label": pos,
            "tp": float(cm[k, k]), "fn": float(cm[k, other]),
            "fp": float(cm[other, k]), "tn": float(cm[other, other]),
            "accuracy": accuracy,
            "precision": per_class[_py(pos)]["precision"],
            "recall": per_class[_py(pos)]["recall"],
            "tpr": per_class[_py(pos)]["recall"],
            "fpr": per_class[_py(pos)]["fpr"],
            "specificity": per_class[_py(pos)]["specificity"],
            "f1": per_class[_py(pos)]["f1"],
        }
    elif pos_label is not None:
        warnings.warn(f"pos_label={pos_label!r} is ignored with {n_classes} classes.",
                      UserWarning, stacklevel=2)

    weka = weka_error_scores(y_true, proba, y_train=y_train, priors=priors,
                             labels=labels, sample_weight=sample_weight)
    if y_proba is None:
        notes.append("MAE and RMSE use the one-hot encoding of y_pred (no y_proba).")
    if y_train is None and priors is None:
        notes.append("RAE and RRSE need the training labels (y_train) or priors.")

    return ClassificationSummary(
        labels=labels, n_samples=len(y_true), confusion_matrix=cm,
        accuracy=accuracy, cohen_kappa=kappa, per_class=per_class,
        averages=averages, binary=binary, roc_auc=roc_auc, weka=weka, notes=notes,
    )
