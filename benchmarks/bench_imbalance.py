"""What helps a small MLP on imbalanced classes?  The study of seed section 1.3.

Seed 1.3 says 1900:100 (two classes) and 1000:300:100 (three classes) are
imbalanced enough to need a remedy, lists remedies (1.3.1.1 re-sampling,
1.3.1.3 per-attribute synthetic samples, 1.3.1.4 Schapire's three learners)
and names AUC as the measure to trust (1.3.1.2).  This script puts every
remedy in front of the same MLP and scores it by stratified cross-validation.

Data sets (features standardised inside each training fold):

* ``double_arc``   the seed's double arc (1.1.1), upper arc the minority, 1900:100;
* ``xor``          noisy XOR (1.1.1, corner noise 0.25), class 1 the minority, 1900:100;
* ``coin_hole_2``  the coin-hole (1.2.1), the square hole against the rest, 1900:100;
* ``coin_hole_3``  the coin-hole's three classes, ring:outside:hole = 1000:300:100;
* ``breast_cancer`` sklearn's bundled data, benign:malignant subsampled to 357:36
  (about 10:1; 19:1 would leave 3 or 4 malignant samples per test fold).

Treatments, each around ``MulticlassMLPClassifier(hidden_layer_sizes=(16,),
learning_rate_init=0.01, max_iter=500)``:

* none; ``class_weight='balanced'``;
* 1.3.1.1 re-sampling, imblearn's samplers at 1:1 and at another ratio (the
  seed: "1:1 is not always best"): RandomUnderSampler and RandomOverSampler
  at 1:1 and at ``sampling_strategy=0.5`` (minority = half the majority after
  resampling; for three classes every class is brought to at least half the
  largest, resp. every larger class cut to at most twice the smallest), SMOTE;
* 1.3.1.1 over- and under-sampling combined (the seed's last rule of thumb):
  random over-sampling to 0.5 then random under-sampling to 1:1 in one
  imblearn pipeline, and imblearn.combine's SMOTETomek and SMOTEENN;
* 1.3.1.3 our PerAttributeOverSampler (1:1);
* 1.3.1.4 SchapireBoostClassifier classic and imbalance (for three classes
  the binary-only imbalance variant runs one-vs-rest);
* imblearn's BalancedBaggingClassifier (10 MLPs, each on a randomly
  under-sampled bag);
* threshold tuning, sklearn's TunedThresholdClassifierCV (3-fold internal CV)
  maximising balanced accuracy, resp. minority F1: the plain MLP, only its
  decision threshold moved (binary only; "n/a" for three classes).

Scores, mean ± std over the folds: ROC AUC (binary; one-vs-rest macro for
three classes), balanced accuracy, recall and F1 of the minority class (the
smallest class).  A table is printed, then one JSON line with every number.

Usage::

    python benchmarks/bench_imbalance.py            # 5-fold x 2 repeats
    python benchmarks/bench_imbalance.py --quick    # half-size data, 3 folds x 1
    python benchmarks/bench_imbalance.py --schapire-anatomy 5 6 7   # the tour's 19:1 data
"""

import argparse
import json
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import f1_score, make_scorer, recall_score
from sklearn.model_selection import (RepeatedStratifiedKFold, TunedThresholdClassifierCV,
                                     cross_validate)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import StandardScaler

import imblearn
from imblearn.combine import SMOTEENN, SMOTETomek
from imblearn.ensemble import BalancedBaggingClassifier
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import RandomUnderSampler

from sknn_cn import MulticlassMLPClassifier
from sknn_cn.imbalance import SchapireBoostClassifier
from sknn_cn.datasets import make_coin_hole, make_double_arc, make_xor
from sknn_cn.imbalance import PerAttributeOverSampler

TREATMENTS = (
    "none",
    "class_weight",
    "under_sampling",
    "under_sampling_0.5",
    "over_sampling",
    "over_sampling_0.5",
    "smote",
    "over_0.5_then_under",
    "smote_tomek",
    "smote_enn",
    "per_attribute",
    "schapire_classic",
    "schapire_imbalance",
    "balanced_bagging",
    "threshold_bal_acc",
    "threshold_f1",
)
#: Treatments defined for two classes only (TunedThresholdClassifierCV is binary).
BINARY_ONLY = ("threshold_bal_acc", "threshold_f1")
METRICS = ("roc_auc", "balanced_accuracy", "recall_minority", "f1_minority")
DATASETS = ("double_arc", "xor", "coin_hole_2", "coin_hole_3", "breast_cancer")


# ---------------------------------------------------------------- data
def _subsample(X, y, counts, rng):
    """Keep ``counts[c]`` randomly chosen samples of each class ``c``."""
    keep = []
    for label, n in counts.items():
        members = np.flatnonzero(y == label)
        if members.size < n:
            raise ValueError(
                f"class {label} has {members.size} samples, fewer than the {n} asked for"
            )
        keep.append(rng.choice(members, n, replace=False))
    keep = rng.permutation(np.concatenate(keep))
    return X[keep], y[keep]


def make_dataset(name, scale, random_state):
    """Return ``(X, y, description)``; ``scale`` shrinks every class count (quick mode)."""
    rng = np.random.RandomState(random_state)

    def n(count):
        return max(int(round(count * scale)), 10)

    if name == "double_arc":
        X, y = make_double_arc(4 * n(1900), random_state=rng)
        counts = {0: n(1900), 1: n(100)}
        text = "double arc, upper arc minority"
    elif name == "xor":
        X, y = make_xor(4 * n(1900), noise=0.25, shuffle=True, random_state=rng)
        counts = {0: n(1900), 1: n(100)}
        text = "XOR, noise 0.25, class 1 minority"
    elif name == "coin_hole_2":
        X, y = make_coin_hole(12 * n(1900), random_state=rng)
        y = (y == 0).astype(int)  # the hole against ring + outside
        counts = {0: n(1900), 1: n(100)}
        text = "coin-hole, hole vs rest"
    elif name == "coin_hole_3":
        X, y = make_coin_hole(12 * n(1000), random_state=rng)
        counts = {1: n(1000), 2: n(300), 0: n(100)}  # ring, outside, hole
        text = "coin-hole, ring:outside:hole"
    elif name == "breast_cancer":
        X, y = load_breast_cancer(return_X_y=True)
        y = 1 - y  # 1 = malignant (the minority after subsampling)
        counts = {0: 357, 1: 36}  # the same in quick mode: it is small already
        text = "breast cancer, benign:malignant"
    else:
        raise ValueError(f"`dataset` must be one of {DATASETS}; got {name!r}.")
    X, y = _subsample(X, y, counts, rng)
    ratio = ":".join(str(c) for c in counts.values())
    return X, y, f"{text} {ratio}"


# ---------------------------------------------------------------- models
def _mlp(random_state, **params):
    return MulticlassMLPClassifier(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=500,
        random_state=random_state, **params,
    )


def _over_to_half(y):
    """Every class to at least half the largest class (imblearn float 0.5, any number of classes)."""
    labels, counts = np.unique(y, return_counts=True)
    return {c: max(int(n), int(np.ceil(0.5 * counts.max()))) for c, n in zip(labels, counts)}


def _under_to_twice(y):
    """Every class to at most twice the smallest (imblearn float 0.5, any number of classes)."""
    labels, counts = np.unique(y, return_counts=True)
    return {c: min(int(n), 2 * int(counts.min())) for c, n in zip(labels, counts)}


def make_treatment(name, n_classes, n_bags, random_state):
    """The MLP with one remedy, standardising inside the fit as a first step."""
    rs = random_state
    over_half = 0.5 if n_classes == 2 else _over_to_half
    under_half = 0.5 if n_classes == 2 else _under_to_twice
    if name in BINARY_ONLY and n_classes != 2:
        raise ValueError(f"treatment {name!r} is for two classes; got {n_classes}.")
    if name == "none":
        model = _mlp(rs)
    elif name == "class_weight":
        model = _mlp(rs, class_weight="balanced")
    elif name == "under_sampling":
        return make_pipeline(StandardScaler(), RandomUnderSampler(random_state=rs), _mlp(rs))
    elif name == "under_sampling_0.5":
        return make_pipeline(StandardScaler(),
                             RandomUnderSampler(sampling_strategy=under_half, random_state=rs),
                             _mlp(rs))
    elif name == "over_sampling":
        return make_pipeline(StandardScaler(), RandomOverSampler(random_state=rs), _mlp(rs))
    elif name == "over_sampling_0.5":
        return make_pipeline(StandardScaler(),
                             RandomOverSampler(sampling_strategy=over_half, random_state=rs),
                             _mlp(rs))
    elif name == "smote":
        return make_pipeline(StandardScaler(), SMOTE(random_state=rs), _mlp(rs))
    elif name == "over_0.5_then_under":
        return make_pipeline(StandardScaler(),
                             RandomOverSampler(sampling_strategy=over_half, random_state=rs),
                             RandomUnderSampler(random_state=rs), _mlp(rs))
    elif name == "smote_tomek":
        return make_pipeline(StandardScaler(), SMOTETomek(random_state=rs), _mlp(rs))
    elif name == "smote_enn":
        return make_pipeline(StandardScaler(), SMOTEENN(random_state=rs), _mlp(rs))
    elif name == "per_attribute":
        return make_pipeline(StandardScaler(), PerAttributeOverSampler(random_state=rs), _mlp(rs))
    elif name == "schapire_classic":
        model = SchapireBoostClassifier(_mlp(rs), variant="classic", random_state=rs)
    elif name == "schapire_imbalance":
        model = SchapireBoostClassifier(_mlp(rs), variant="imbalance", random_state=rs)
        if n_classes > 2:
            model = OneVsRestClassifier(model)
    elif name == "balanced_bagging":
        model = BalancedBaggingClassifier(_mlp(rs), n_estimators=n_bags, random_state=rs)
    elif name in BINARY_ONLY:
        scoring = "balanced_accuracy" if name == "threshold_bal_acc" else "f1"
        # The minority is class 1 in every binary data set here (pos_label of "f1").
        return TunedThresholdClassifierCV(make_pipeline(StandardScaler(), _mlp(rs)),
                                          scoring=scoring, cv=3, random_state=rs)
    else:
        raise ValueError(f"`treatment` must be one of {TREATMENTS}; got {name!r}.")
    return make_pipeline(StandardScaler(), model)


def scorers(y):
    """ROC AUC, balanced accuracy and the minority class's F1 for labels ``y``."""
    labels, counts = np.unique(y, return_counts=True)
    minority = labels[np.argmin(counts)]
    auc = "roc_auc" if labels.size == 2 else "roc_auc_ovr"
    f1_minority = make_scorer(f1_score, labels=[minority], average="macro", zero_division=0)
    recall_minority = make_scorer(recall_score, labels=[minority], average="macro",
                                  zero_division=0)
    return {"roc_auc": auc, "balanced_accuracy": "balanced_accuracy",
            "recall_minority": recall_minority, "f1_minority": f1_minority}


# ---------------------------------------------------------------- study
def run(datasets, treatments, n_splits, n_repeats, scale, n_bags, n_jobs, seed, log):
    cv = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
    results = {}
    for data_name in datasets:
        X, y, description = make_dataset(data_name, scale, seed)
        n_classes = np.unique(y).size
        results[data_name] = {"description": description, "scores": {}}
        log(f"{data_name}: {description}")
        for treatment in treatments:
            if treatment in BINARY_ONLY and n_classes != 2:
                results[data_name]["scores"][treatment] = None  # not defined: "n/a"
                continue
            model = make_treatment(treatment, n_classes, n_bags, seed)
            start = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                # Small MLPs stopping at max_iter and Schapire's degenerate cases are
                # expected; they are counted (with --n-jobs 1 only: workers' warnings
                # do not come back).
                warnings.simplefilter("always")
                cvres = cross_validate(model, X, y, cv=cv, scoring=scorers(y), n_jobs=n_jobs,
                                       error_score="raise")
            seconds = time.perf_counter() - start
            entry = {"seconds": round(seconds, 2), "warnings": _count_warnings(caught)}
            for metric in METRICS:
                values = cvres[f"test_{metric}"]
                entry[metric] = {"mean": float(np.mean(values)), "std": float(np.std(values))}
            results[data_name]["scores"][treatment] = entry
            log(f"  {treatment:<20s} {seconds:6.1f} s")
    return results


def _count_warnings(caught):
    counts = {}
    for record in caught:
        name = record.category.__name__
        if name in ("ConvergenceWarning", "DegenerateBoostingWarning"):
            counts[name] = counts.get(name, 0) + 1
    return counts


def format_table(results, treatments):
    lines = []
    names = {"roc_auc": "ROC AUC", "balanced_accuracy": "balanced acc",
             "recall_minority": "minority recall", "f1_minority": "minority F1"}
    header = (f"{'treatment':<20s} " + " ".join(f"{names[m]:>15s}" for m in METRICS)
              + f" {'degen.':>6s}")
    for data_name, block in results.items():
        lines.append("")
        lines.append(f"== {data_name}: {block['description']}")
        lines.append(header)
        scored = [t for t in treatments if block["scores"][t] is not None]
        best = {m: max(block["scores"][t][m]["mean"] for t in scored) for m in METRICS}
        for treatment in treatments:
            entry = block["scores"][treatment]
            if entry is None:
                lines.append(f"{treatment:<20s} " + " ".join(f"{'n/a':>15s}" for _ in METRICS)
                             + f" {'':>6s}")
                continue
            cells = []
            for metric in METRICS:
                mean, std = entry[metric]["mean"], entry[metric]["std"]
                mark = "*" if mean == best[metric] else " "
                cells.append(f"{mean:.3f} ± {std:.3f}{mark}")
            degenerate = entry["warnings"].get("DegenerateBoostingWarning", 0)
            lines.append(f"{treatment:<20s} " + " ".join(f"{c:>15s}" for c in cells)
                         + f" {degenerate:6d}")
    lines.append("")
    lines.append("* best mean in the column for that data set;  degen. = number of "
                 "DegenerateBoostingWarning over all folds;  n/a = binary-only treatment")
    return "\n".join(lines)


# ---------------------------------------------------------------- Schapire's anatomy
def schapire_anatomy(seed, quick=False):
    """Why the imbalance variant is the most conservative remedy, on the tour's data.

    The tour's 19:1 section (two overlapping arcs, 1900:100, 70/30 split,
    StandardScaler + 2-8-1 tanh net) rebuilt for ``seed``: the plain net,
    L2 alone (a random under-sampling of the majority, as the seed builds it),
    L3 alone, the vote, and two continuous scores for AUC: the estimator's
    ``predict_proba`` (``min(p2, p3)``, the median of 0, p2, p3) and ``p2 * p3``.
    """
    from sklearn.metrics import precision_score, roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline as sk_pipeline

    from sknn_cn import BinaryMLPClassifier

    rng = np.random.default_rng(seed)
    X, y = make_double_arc(3800, noise=0.4, gap=0.35, random_state=seed)
    keep = np.r_[np.flatnonzero(y == 0), rng.choice(np.flatnonzero(y == 1), 100, replace=False)]
    X_tr, X_te, y_tr, y_te = train_test_split(X[keep], y[keep], test_size=0.3,
                                              stratify=y[keep], random_state=seed)

    def mlp():
        return sk_pipeline(StandardScaler(), BinaryMLPClassifier(
            (8,), activation="tanh", learning_rate_init=0.02, batch_size=16,
            max_iter=30 if quick else 100, random_state=seed))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = mlp().fit(X_tr, y_tr)
        boost = SchapireBoostClassifier(mlp(), variant="imbalance", random_state=seed)
        boost.fit(X_tr, y_tr)
    _, l2, l3 = boost.estimators_
    l3_set = boost.estimators_samples_[2]
    p2, p3 = l2.predict_proba(X_te)[:, 1], l3.predict_proba(X_te)[:, 1]
    rows = {}
    for name, pred, score in (
        ("plain MLP", plain.predict(X_te), plain.predict_proba(X_te)[:, 1]),
        ("L2 alone", l2.predict(X_te), p2),
        ("L3 alone", l3.predict(X_te), p3),
        ("Schapire vote, min(p2,p3)", boost.predict(X_te), boost.predict_proba(X_te)[:, 1]),
        ("Schapire vote, p2*p3", boost.predict(X_te), p2 * p3),
    ):
        rows[name] = {"recall": float(recall_score(y_te, pred)),
                      "precision": float(precision_score(y_te, pred, zero_division=0)),
                      "f1": float(f1_score(y_te, pred)),
                      "auc": float(roc_auc_score(y_te, score))}
    return {"seed": seed, "l3_train_size": int(l3_set.size),
            "l3_train_minority_share": float(np.mean(y_tr[l3_set] == 1)),
            "l2_train_minority_share": float(np.mean(y_tr[boost.estimators_samples_[1]] == 1)),
            "rows": rows}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="half-size toy data, 3 folds x 1 repeat, 5 bags")
    parser.add_argument("--datasets", nargs="+", choices=DATASETS, default=list(DATASETS))
    parser.add_argument("--treatments", nargs="+", choices=TREATMENTS, default=list(TREATMENTS))
    parser.add_argument("--n-jobs", type=int, default=1, help="folds in parallel (default 1)")
    parser.add_argument("--seed", type=int, default=0,
                        help="data, folds and every random_state (default 0)")
    parser.add_argument("--schapire-anatomy", type=int, nargs="+", metavar="SEED",
                        help="instead of the study: the tour's 19:1 data for these seeds, "
                             "L2, L3 and the vote of Schapire's imbalance variant")
    parser.add_argument("--scale", type=float, default=None,
                        help="multiply the toy data's class counts (at least 10 per "
                             "class); default 1, 0.5 with --quick")
    args = parser.parse_args(argv)

    if args.quick:
        n_splits, n_repeats, scale, n_bags = 3, 1, 0.5, 5
    else:
        n_splits, n_repeats, scale, n_bags = 5, 2, 1.0, 10
    if args.scale is not None:
        scale = args.scale

    def log(message):
        print(message, file=sys.stderr, flush=True)

    if args.schapire_anatomy:
        runs = [schapire_anatomy(seed, args.quick) for seed in args.schapire_anatomy]
        for one in runs:
            print(f"seed {one['seed']}: L2 trained on {one['l2_train_minority_share']:.0%} "
                  f"minority; L3 on {one['l3_train_size']} samples, "
                  f"{one['l3_train_minority_share']:.0%} minority")
            for name, r in one["rows"].items():
                print(f"  {name:<27s} recall {r['recall']:.3f}  precision "
                      f"{r['precision']:.3f}  F1 {r['f1']:.3f}  AUC {r['auc']:.3f}")
        print(json.dumps({"benchmark": "bench_imbalance", "schapire_anatomy": runs}))
        return

    start = time.perf_counter()
    results = run(args.datasets, args.treatments, n_splits, n_repeats, scale, n_bags,
                  args.n_jobs, args.seed, log)
    print(format_table(results, args.treatments))
    summary = {
        "benchmark": "bench_imbalance",
        "quick": args.quick,
        "cv": {"n_splits": n_splits, "n_repeats": n_repeats, "stratified": True},
        "seed": args.seed,
        "scale": scale,
        "seconds": round(time.perf_counter() - start, 1),
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "sklearn": sklearn.__version__, "imblearn": imblearn.__version__},
        "results": results,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
