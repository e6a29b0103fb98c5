"""Imbalanced classes, 19:1 (seed 1.3): what accuracy hides and nine ways to train."""

import warnings

import numpy as np
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline as imb_pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import (StratifiedShuffleSplit, TunedThresholdClassifierCV,
                                     train_test_split)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_cn import BinaryMLPClassifier, PerAttributeOverSampler, SchapireBoostClassifier
from sknn_cn.datasets import make_double_arc
from sknn_cn.metrics import false_positive_rate, true_positive_rate

from .figures import imbalance_figures

__all__ = ["imbalance"]


def _models(rs, quick):
    """The plain net and the eight remedies, by name (every one a 2-8-1 tanh net)."""
    def mlp(**kw):
        # small batches: L2 and L3 of the boosting get only ~2 x 70 samples
        return make_pipeline(StandardScaler(), BinaryMLPClassifier(
            (8,), activation="tanh", learning_rate_init=0.02,
            batch_size=32 if quick else 16, max_iter=30 if quick else 100,
            random_state=rs, **kw))

    return {
        "plain MLP": mlp(),
        "class_weight='balanced'": mlp(class_weight="balanced"),
        "random under-sampling": imb_pipeline(RandomUnderSampler(random_state=rs), mlp()),
        "random over-sampling": imb_pipeline(RandomOverSampler(random_state=rs), mlp()),
        "under-sampling to 1:2 (ratio 0.5)": imb_pipeline(
            RandomUnderSampler(sampling_strategy=0.5, random_state=rs), mlp()),
        "over to 1:2, then under to 1:1": imb_pipeline(
            RandomOverSampler(sampling_strategy=0.5, random_state=rs),
            RandomUnderSampler(sampling_strategy=1.0, random_state=rs), mlp()),
        "per-attribute synthetic (1.3.1.3)": imb_pipeline(
            PerAttributeOverSampler(random_state=rs), mlp()),
        "Schapire boosting (1.3.1.4)": SchapireBoostClassifier(
            mlp(), variant="imbalance", random_state=rs),
        # one fit on 70 % of the training set, the cut-off chosen on the other
        # 30 % (refit=False keeps that fit: one network, not cv + 1)
        "plain MLP + tuned threshold": TunedThresholdClassifierCV(
            mlp(), scoring="balanced_accuracy", refit=False,
            cv=StratifiedShuffleSplit(1, test_size=0.3, random_state=rs),
            random_state=rs),
    }


def _comment(name, r, plain, by_tpr, by_auc, model, y_train):
    """One sentence per model, with its own numbers (and why, where the seed says)."""
    if name == "plain MLP":
        return (f"plain MLP: accuracy {r['accuracy']:.3f} with minority recall "
                f"{r['tpr']:.2f}; AUC {r['auc']:.3f}.")
    text = (f"{name}: minority recall {r['tpr']:.2f} "
            f"({r['tpr'] - plain['tpr']:+.2f} against the plain MLP) at "
            f"FPR {r['fpr']:.2f}, accuracy {r['accuracy']:.3f}, AUC "
            f"{r['auc']:.3f} ({r['auc'] - plain['auc']:+.3f}); ranks "
            f"{by_tpr.index(name) + 1} of {len(by_tpr)} for recall and "
            f"{by_auc.index(name) + 1} for AUC.")
    if name.startswith("Schapire"):
        sizes = [len(ix) for ix in model.estimators_samples_]
        l3_minority = float(np.mean(y_train[model.estimators_samples_[2]] == 1))
        text += (f" Its three learners trained on {', '.join(map(str, sizes))} "
                 "samples (L1, L2, L3). L2's set is balanced, but L3 learns the "
                 f"samples L1 and L2 disagree on, only {l3_minority:.0%} minority "
                 "here; the vote calls a sample minority only where L2 and L3 "
                 "both do, so its recall is at most L3's: a cascade that favours "
                 "precision.")
    if name.startswith("per-attribute"):
        text += (" Drawing each attribute independently ignores how x1 and x2 "
                 "go together, so its synthetic minority samples also fill the "
                 "inside of the arc, as the seed warns.")
    if name.endswith("tuned threshold"):
        text += (f" Same net as the plain MLP; only the cut-off moves, to "
                 f"{model.best_threshold_:.3f} (chosen for balanced accuracy on 30 % "
                 "of the training set held out; the net learns from the other 70 %), "
                 "so its AUC is that of a plain MLP on less data.")
    return text


def imbalance(report):
    """19:1 data: accuracy vs AUC, class weights, samplers and Schapire boosting (1.3)."""
    rs = report.random_state
    rng = np.random.default_rng(rs)
    n_major = 1900
    X, y = make_double_arc(2 * n_major, noise=0.4, gap=0.35, random_state=rs)
    minority = np.flatnonzero(y == 1)
    keep = np.r_[np.flatnonzero(y == 0),
                 rng.choice(minority, n_major // 19, replace=False)]
    X, y = X[keep], y[keep]
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y,
                                              random_state=rs)
    report.note(f"Two overlapping arcs with {np.sum(y == 0)} majority (class 0) and "
                f"{np.sum(y == 1)} minority (class 1) samples, the seed's 1900:100; "
                "70 % for training, 30 % for testing. The minority is the positive "
                "class. Every model is StandardScaler + a 2-8-1 tanh network.")
    models = _models(rs, report.quick)
    rows, results, scores = [], {}, {}
    for name, model in models.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X_tr, y_tr)
        pred = model.predict(X_te)
        scores[name] = model.predict_proba(X_te)[:, 1]
        r = {"accuracy": accuracy_score(y_te, pred),
             "tpr": true_positive_rate(y_te, pred),
             "fpr": false_positive_rate(y_te, pred),
             "f1": f1_score(y_te, pred, zero_division=0.0),
             "auc": roc_auc_score(y_te, scores[name])}
        results[name] = r
        rows.append([name] + [float(r[k]) for k in ("accuracy", "tpr", "fpr", "f1",
                                                     "auc")])
    report.table(["model", "accuracy", "minority recall (TPR)", "FPR", "F1", "ROC AUC"],
                 rows, title="Test set (30 %)")
    report.record("models", results)
    report.note("Accuracy stays high even when the minority is mostly missed "
                "(seed 1.3.1.2): look at the minority recall and the AUC.")
    by_auc = sorted(results, key=lambda k: -results[k]["auc"])
    by_tpr = sorted(results, key=lambda k: -results[k]["tpr"])
    for name, r in results.items():
        report.note(_comment(name, r, results["plain MLP"], by_tpr, by_auc,
                             models[name], np.asarray(y_tr)))
    report.record("schapire_auc_rank", by_auc.index("Schapire boosting (1.3.1.4)") + 1)
    fig_roc, fig_b = imbalance_figures(models, results, scores, X_te, y_te,
                                       grid_resolution=60 if report.quick else 150)
    report.save(fig_roc, "imbalance_roc.png",
                f"ROC curves of the {len(models)} ways of training on 19:1 data")
    report.save(fig_b, "imbalance_boundaries.png",
                "Where each model puts the boundary (black: P = 0.5); the plain "
                f"MLP finds {results['plain MLP']['tpr']:.0%} of the minority test "
                "samples")
