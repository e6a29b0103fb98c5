"""Evaluation measures of seed section 1.1.2 that scikit-learn lacks.

Seed 1.1.2 lists accuracy, the confusion matrix, precision, recall, TPR, FPR, F1,
ROC/AUC, and Weka's MAE, RMSE, RAE and RRSE.  ``sklearn.metrics`` already has most
of them; this module adds

* :func:`false_positive_rate` and :func:`true_positive_rate` (binary, per class,
  micro / macro / weighted averages), with sklearn's ``zero_division``
  behaviour, and :func:`specificity_score`, which is
  :func:`imblearn.metrics.specificity_score` plus ``zero_division``;
* :func:`weka_mean_absolute_error`, :func:`weka_root_mean_squared_error`,
  :func:`weka_relative_absolute_error`, :func:`weka_root_relative_squared_error`:
  the error measures Weka's ``Evaluation`` reports for a *nominal* class.

:func:`classification_summary` and :class:`ClassificationSummary` (the whole
1.1.2 list in one object) live in :mod:`sknn_cn.report` and are importable
from here too.

All functions take ``y_true`` and either ``y_pred`` (class labels) or
``y_proba`` (class probabilities), so they can be wrapped with
:func:`sklearn.metrics.make_scorer`::

    make_scorer(false_positive_rate, greater_is_better=False)
    make_scorer(specificity_score)
    make_scorer(weka_mean_absolute_error, response_method="predict_proba",
                greater_is_better=False)
"""

import warnings

import numpy as np
from imblearn.metrics import specificity_score as _imblearn_specificity
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import multilabel_confusion_matrix, recall_score
from sklearn.utils.multiclass import unique_labels

from ._labels import check_sample_weight
from ._metric_checks import (
    check_average,
    check_class_labels,
    check_classification_targets,
    check_labels,
    check_proba,
    check_zero_division,
    label_index,
    nan_weighted_average,
)

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


def _one_vs_rest_counts(y_true, y_pred, labels, pos_label, average, sample_weight):
    """Per-class (one-vs-rest) TN, FP, FN, TP for the labels that ``average`` selects.

    Returns
    -------
    labels : ndarray of shape (n_labels,)
    counts : ndarray of shape (n_labels, 4)
        Columns TN, FP, FN, TP of class ``labels[k]`` against all other classes,
        from :func:`sklearn.metrics.multilabel_confusion_matrix`.
    """
    check_average(average)
    y_type, y_true, y_pred = check_classification_targets(y_true, y_pred)
    sample_weight = check_sample_weight(sample_weight, len(y_true))
    labels = check_labels(labels)
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
        result[undefined] = check_zero_division(zero_division)
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
    check_zero_division(zero_division)
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
        return nan_weighted_average(values, weights=tp + fn)
    return nan_weighted_average(values)


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

    With the default ``zero_division='warn'`` this *is*
    :func:`imblearn.metrics.specificity_score` (called here).  It is kept under
    this name for the one thing imblearn's lacks: ``zero_division`` (imblearn
    always sets an undefined specificity to 0.0 and warns), with the values and
    averaging of :func:`false_positive_rate`.

    Returns
    -------
    specificity : float or ndarray of shape (n_labels,)
    """
    if isinstance(zero_division, str) and zero_division == "warn":
        check_average(average)
        # imblearn's own checks say "continuous is not supported" and accept
        # negative weights; check here with the argument names first.
        _, y_true, y_pred = check_classification_targets(y_true, y_pred)
        sample_weight = check_sample_weight(sample_weight, len(y_true))
        labels = check_labels(labels)
        return _imblearn_specificity(y_true, y_pred, labels=labels, pos_label=pos_label,
                                     average=average, sample_weight=sample_weight)
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
    check_average(average)
    check_zero_division(zero_division)  # sklearn takes zero_division=True as 1.0
    _, y_true, y_pred = check_classification_targets(y_true, y_pred)
    sample_weight = check_sample_weight(sample_weight, len(y_true))
    labels = check_labels(labels)
    return recall_score(y_true, y_pred, labels=labels, pos_label=pos_label,
                        average=average, sample_weight=sample_weight,
                        zero_division=zero_division)


# ---------------------------------------------------------------------------
# Weka's error measures for a nominal class
# ---------------------------------------------------------------------------
def laplace_class_priors(y_train, *, labels=None, sample_weight=None,
                         _weight_name="sample_weight"):
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
    y_train = check_class_labels(y_train, "y_train")
    labels = unique_labels(y_train) if labels is None else check_labels(labels)
    index = label_index(y_train, labels, "y_train")
    weights = check_sample_weight(sample_weight, len(y_train), _weight_name, "y_train")
    counts = np.bincount(index, weights=weights, minlength=len(labels)) + 1.0
    return counts / counts.sum()


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
        Each row must sum to one (within ``sqrt(eps)`` of its dtype, as sklearn's
        ``log_loss`` checks; sklearn only warns, here it is an error).
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
    if y_train is not None:
        y_train = check_class_labels(y_train, "y_train")
    labels, proba, onehot = check_proba(y_true, y_proba, labels,
                                         extra_labels=y_train)
    n_classes = len(labels)
    w = check_sample_weight(sample_weight, len(onehot))
    total = w.sum()
    diff = proba - onehot
    mae = float(w @ (np.abs(diff).sum(axis=1) / n_classes) / total)
    rmse = float(np.sqrt(w @ ((diff ** 2).sum(axis=1) / n_classes) / total))
    scores = {"mean_absolute_error": mae, "root_mean_squared_error": rmse}
    if y_train is None and priors is None:
        return scores
    if y_train is not None:
        q = laplace_class_priors(y_train, labels=labels,
                                 sample_weight=train_sample_weight,
                                 _weight_name="train_sample_weight")
    else:
        try:
            q = np.asarray(priors, dtype=float).ravel()
        except (TypeError, ValueError):
            q = np.array([np.nan])
        if (q.shape != (n_classes,) or not np.all(np.isfinite(q)) or np.any(q < 0)
                or q.sum() <= 0):
            raise ValueError(
                f"priors must be {n_classes} finite non-negative numbers (one per class "
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


def __getattr__(name):
    # The summary lives in sknn_cn.report (it uses this module); importable here too.
    if name in ("ClassificationSummary", "classification_summary"):
        from . import report

        return getattr(report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
