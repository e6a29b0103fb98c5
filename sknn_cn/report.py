"""Text reports: one table helper for the package, and the seed 1.1.2 summary.

:func:`format_table` is the one table printer (the summary below uses it; the
tour, gradient check and benchmarks can too).  :func:`classification_summary`
gathers everything seed 1.1.2 lists in one object; it overlaps
:func:`imblearn.metrics.classification_report_imbalanced` (precision, recall,
specificity, F1, support per class) and adds what that report lacks: FPR,
ROC AUC, Cohen's kappa, Weka's MAE / RMSE / RAE / RRSE, the confusion matrix
and a dict form.  For imbalance-specific measures (geometric mean, IBA) use
imblearn's report.
"""

import numbers
import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    precision_recall_fscore_support,
    roc_auc_score,
)
from sklearn.utils import check_consistent_length, column_or_1d
from sklearn.utils.multiclass import unique_labels

from ._labels import check_sample_weight
from ._metric_checks import check_class_labels, check_labels, check_proba, \
    check_zero_division, label_index, nan_weighted_average
from .metrics import false_positive_rate, specificity_score, weka_error_scores

__all__ = ["format_table", "format_cell", "ClassificationSummary",
           "classification_summary"]


def _check_count(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"`{name}` must be an integer >= 0; got {name}={value!r}.")
    return int(value)


def format_cell(value, digits=3):
    """One cell: ``None`` -> ``-``, reals with ``digits`` decimals, else ``str``."""
    digits = _check_count(digits, "digits")
    if value is None:
        return "-"
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, numbers.Integral)):
        return "nan" if np.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def format_table(rows, headers=None, *, digits=3, indent=2, gap=2):
    """Rows of cells as aligned text: first column left, the others right.

    Parameters
    ----------
    rows : sequence of sequences
        One sequence of cells per row (labels, numbers, ``None``, strings).
    headers : sequence of str, default=None
        Column titles (the first may be ``""``); no header line when None.
    digits : int, default=3
        Decimals of non-integer real cells (see :func:`format_cell`).
    indent, gap : int, default=2
        Spaces before each line and between columns.

    Returns
    -------
    text : str
        The lines joined by newlines (no trailing newline).

    Examples
    --------
    >>> print(format_table([["a", 0.5, 3], ["bb", None, 10]], ["", "x", "n"]))
              x   n
      a   0.500   3
      bb      -  10
    """
    digits = _check_count(digits, "digits")
    indent = _check_count(indent, "indent")
    gap = _check_count(gap, "gap")
    if rows is None or isinstance(rows, (str, bytes)):
        raise TypeError(f"`rows` must be a sequence of rows (sequences of cells); got rows={rows!r}.")
    rows = list(rows)
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not np.iterable(row):
            raise TypeError(
                f"`rows` must be a sequence of rows (sequences of cells); got rows[{i}]={row!r}.")
    if headers is not None and (isinstance(headers, (str, bytes)) or not np.iterable(headers)):
        raise TypeError(f"`headers` must be a sequence of str or None; got headers={headers!r}.")
    table = [[format_cell(v, digits) for v in row] for row in rows]
    if headers is not None:
        table.insert(0, [str(h) for h in headers])
    if not table:
        return ""
    n_cols = max(len(row) for row in table)
    table = [row + [""] * (n_cols - len(row)) for row in table]
    widths = [max(len(row[j]) for row in table) for j in range(n_cols)]
    sep = " " * gap
    return "\n".join(
        " " * indent + sep.join([row[0].ljust(widths[0])]
                                + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]).rstrip()
        for row in table)


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
        digits = _check_count(digits, "digits")
        k = len(self.labels)
        head = f"Classification summary: {self.n_samples} samples, {k} classes"
        if self.binary:
            head += f" (positive class {_py(self.binary['pos_label'])!r})"
        percent = max(digits - 1, 1)
        rae = self.weka.get("relative_absolute_error")
        rrse = self.weka.get("root_relative_squared_error")
        overall = [
            ("Accuracy", self.accuracy), ("Cohen's kappa", self.cohen_kappa),
            ("ROC AUC" + ("" if k == 2 else " (macro, one-vs-rest)"), self.roc_auc),
            ("Mean absolute error", self.weka.get("mean_absolute_error")),
            ("Root mean squared error", self.weka.get("root_mean_squared_error")),
            ("Relative absolute error", None if rae is None else f"{rae:.{percent}f} %"),
            ("Root relative squared error",
             None if rrse is None else f"{rrse:.{percent}f} %")]
        keys = ["precision", "recall", "fpr", "specificity", "f1", "roc_auc", "support"]
        rows = [(str(lab), self.per_class[_py(lab)]) for lab in self.labels]
        rows += [("macro avg", self.averages["macro"]),
                 ("weighted avg", self.averages["weighted"])]
        per_class = [[name] + [vals.get(key) for key in keys[:-1]]
                     + [None if vals.get("support") is None else f"{vals['support']:g}"]
                     for name, vals in rows]
        cm = np.asarray(self.confusion_matrix)
        matrix = [[str(lab)] + [f"{v:g}" for v in row] for lab, row in zip(self.labels, cm)]
        lines = [head, "",
                 format_table(overall, digits=digits), "",
                 format_table(per_class, ["", "precision", "recall/TPR", "FPR",
                                          "specificity", "F1", "ROC AUC", "support"],
                              digits=digits), "",
                 "  Confusion matrix (rows: true class, columns: predicted class)",
                 format_table(matrix, [""] + [str(lab) for lab in self.labels])]
        if self.binary:
            b = self.binary
            f = lambda v: format_cell(v, digits)  # noqa: E731
            lines += ["", f"  Positive class {_py(b['pos_label'])!r}: TP {b['tp']:g}  "
                      f"FN {b['fn']:g}  FP {b['fp']:g}  TN {b['tn']:g}  | precision "
                      f"{f(b['precision'])}  recall/TPR {f(b['recall'])}  FPR "
                      f"{f(b['fpr'])}  F1 {f(b['f1'])}"]
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
    check_zero_division(zero_division)
    if y_pred is None and y_proba is None:
        raise ValueError("Give y_pred, y_proba or both; both are None.")
    y_true = check_class_labels(y_true, "y_true")
    if y_pred is not None:
        y_pred = check_class_labels(y_pred, "y_pred")
    if y_train is not None:
        y_train = check_class_labels(y_train, "y_train")
    label_sources = [y_true] + [y for y in (y_pred, y_train) if y is not None]
    if labels is None:
        labels = unique_labels(*label_sources)
    labels = check_labels(labels)
    if y_proba is not None:
        labels, proba, _ = check_proba(y_true, y_proba, labels)
        if y_pred is None:
            y_pred = labels[np.argmax(proba, axis=1)]
    y_pred = column_or_1d(y_pred)
    check_consistent_length(y_true, y_pred)
    label_index(y_pred, labels, "y_pred")
    sample_weight = check_sample_weight(sample_weight, len(y_true))
    n_classes = len(labels)
    if n_classes < 2:
        raise ValueError(
            f"classification_summary needs at least 2 classes; labels={list(labels)}."
        )
    if y_proba is None:
        proba = np.zeros((len(y_pred), n_classes))
        proba[np.arange(len(y_pred)), label_index(y_pred, labels, "y_pred")] = 1.0

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
        f"{check_zero_division(zero_division)} (zero_division={zero_division!r})"
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
                roc_auc = nan_weighted_average(per)
                weighted = nan_weighted_average(per, weights=true_count)
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
