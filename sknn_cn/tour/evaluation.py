"""Evaluating a classifier (seed 1.1.2): the seed's worked example and a full report."""

import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay

from sknn_cn.datasets import COIN_HOLE_CLASSES
from sknn_cn.plotting import SEQUENTIAL_CMAP, RocCurvesDisplay
from sknn_cn.report import classification_summary

from .toy import coin_hole_model

__all__ = ["evaluation"]

#: seed 1.1.2's worked example: its confusion counts and the values it prints
SEED_COUNTS = {"tp": 521, "fn": 29, "tn": 435, "fp": 15}
SEED_VALUES = {"accuracy": 0.956, "precision": 0.972, "recall": 0.947, "fpr": 0.033,
               "f1": 0.959}


def evaluation(report):
    """The seed's example, then the coin-hole net's whole evaluation (seed 1.1.2)."""
    c = SEED_COUNTS
    y_true = np.r_[np.ones(c["tp"] + c["fn"]), np.zeros(c["tn"] + c["fp"])].astype(int)
    y_pred = np.r_[np.ones(c["tp"]), np.zeros(c["fn"]), np.zeros(c["tn"]),
                   np.ones(c["fp"])].astype(int)
    b = classification_summary(y_true, y_pred).binary
    report.table(["measure", "seed 1.1.2", "sknn_cn"],
                 [[k, v, round(b[k], 3)] for k, v in SEED_VALUES.items()],
                 title=f"The seed's example: TP {c['tp']}, FN {c['fn']}, TN {c['tn']}, "
                       f"FP {c['fp']}")
    report.record("seed_example", {k: b[k] for k in SEED_VALUES})
    model, _, _, X_tr, X_te, y_tr, y_te = coin_hole_model(report)
    names = list(COIN_HOLE_CLASSES)
    s = classification_summary(y_te, y_proba=model.predict_proba(X_te), y_train=y_tr,
                               labels=model.classes_)
    report.code(s.to_text(), title="Coin hole, test set (classes "
                + ", ".join(f"{k} {n}" for k, n in zip(model.classes_, names)) + ")")
    report.record("coin_hole", {"accuracy": s.accuracy, "kappa": s.cohen_kappa,
                                "roc_auc": s.roc_auc, **s.weka})
    report.note("MAE, RMSE, RAE and RRSE follow Weka's definitions for a nominal "
                "class: errors between the predicted distribution and the one-hot "
                "truth, averaged over classes; RAE and RRSE compare with always "
                "predicting the training class frequencies (+1 each), in percent.")
    d = RocCurvesDisplay.from_estimator(model, X_te, y_te, class_names=names)
    report.save(d.figure_, "evaluation_roc.png",
                "ROC curves of the coin-hole network, one class against the rest")
    d = ConfusionMatrixDisplay.from_estimator(model, X_te, y_te, display_labels=names,
                                              cmap=SEQUENTIAL_CMAP)
    d.ax_.set_title("Confusion matrix, coin-hole test set")
    report.save(d.figure_, "evaluation_confusion_matrix.png",
                "Confusion matrix (rows: true class, columns: predicted class)")
