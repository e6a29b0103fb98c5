"""The tour of the chapter: ``python -m sknn_cn`` runs every part of the seed end to end.

Sections (seed section in brackets):

1. ``xor``         XOR with a 2-2-1 network: boundary and hidden space      (1.1.1, 1.1.4)
2. ``double_arc``  double arc: boundary, hidden space in 2-D and 3-D,
                   snapshots during training, training curves               (1.1.5)
3. ``coin_hole``   coin with a square hole, 3 classes: regions and the
                   3-unit hidden space                                      (1.2)
4. ``evaluation``  the seed's worked example and a full evaluation report
                   (per class, kappa, Weka's errors, ROC, confusion matrix) (1.1.2)
5. ``imbalance``   19:1 data: accuracy vs AUC, class weights, samplers and
                   Schapire boosting                                        (1.3)
6. ``mnist``       the 784-64-16-10 net (sigmoid, tanh, softmax); MNIST from
                   the data home, else sklearn's 8x8 digits                 (1.4.1, 1.4.2)
7. ``gradcheck``   the gradient check (needs ``sknn_cn.gradcheck``)         (1.4.3)
8. ``lr_finder``   the learning-rate range test (needs ``sknn_cn.lr_finder``) (1.4.4.1)
9. ``schedules``   the six learning-rate schedules compared                 (1.4.4.2)

It prints a short table per section as it goes and writes the pictures (PNG),
``index.md`` (a Markdown page with every table and picture), and
``summary.json`` (the numbers) into the output folder.  ``--quick`` uses small
data and few epochs (for CI).  A section that fails is reported and the others
still run; the exit status is 1 then.

Printing is this module's job (it is a command-line program); the library
modules it calls never print.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import time
import traceback
import warnings

import numpy as np

SECTIONS = ("xor", "double_arc", "coin_hole", "evaluation", "imbalance", "mnist",
            "gradcheck", "lr_finder", "schedules")

#: section -> (title, seed sections)
_TITLES = {
    "xor": ("XOR with a 2-2-1 network", "1.1.1, 1.1.4"),
    "double_arc": ("Double arc: boundary and hidden space", "1.1.5"),
    "coin_hole": ("Coin with a square hole, 3 classes", "1.2"),
    "evaluation": ("Evaluating a classifier", "1.1.2"),
    "imbalance": ("Imbalanced classes, 19:1", "1.3"),
    "mnist": ("The 784-64-16-10 network on handwritten digits", "1.4.1, 1.4.2"),
    "gradcheck": ("Gradient check", "1.4.3"),
    "lr_finder": ("Learning-rate range test", "1.4.4.1"),
    "schedules": ("The six learning-rate schedules", "1.4.4.2"),
}

__all__ = ["SECTIONS", "run_tour", "main"]


class SectionSkipped(Exception):
    """A section cannot run here (a module it needs is missing); not an error."""


def _fmt(v, digits=3):
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return "nan"
        return f"{v:.{digits}f}" if abs(v) >= 1e-3 or v == 0 else f"{v:.2e}"
    return str(v)


class _Tour:
    def __init__(self, out, quick, random_state, stream):
        self.out = out
        self.quick = quick
        self.rs = random_state
        self.stream = stream
        self.sections = []
        self.current = None
        self.summary = {}

    # -- output helpers --------------------------------------------------
    def log(self, message=""):
        print(message, file=self.stream, flush=True)

    def note(self, text):
        """A paragraph for the index page (also printed)."""
        self.current["text"].append(text)
        self.log(f"    {text}")

    def table(self, headers, rows, title=None):
        rows = [[_fmt(c) for c in row] for row in rows]
        widths = [max(len(str(h)), *(len(r[i]) for r in rows)) if rows else len(str(h))
                  for i, h in enumerate(headers)]
        if title:
            self.log(f"    {title}")
        self.log("    " + "  ".join(f"{h:>{w}}" for h, w in zip(headers, widths)))
        for r in rows:
            self.log("    " + "  ".join(f"{c:>{w}}" for c, w in zip(r, widths)))
        self.current["tables"].append({"title": title, "headers": list(headers),
                                       "rows": rows})

    def code(self, text, title=None):
        """Preformatted text (e.g. the classification summary)."""
        self.current["code"].append({"title": title, "text": text})
        for line in text.splitlines():
            self.log(f"    {line}")

    def save(self, fig, name, caption):
        import matplotlib.pyplot as plt

        path = os.path.join(self.out, name)
        fig.savefig(path, dpi=100, bbox_inches="tight")
        plt.close(fig)
        self.current["images"].append({"file": name, "caption": caption})
        self.log(f"    -> {name}")

    def record(self, key, value):
        self.summary.setdefault(self.current["key"], {})[key] = value

    # -- the run -----------------------------------------------------------
    def run(self, keys):
        t_all = time.perf_counter()
        for i, key in enumerate(keys, 1):
            method = getattr(self, f"section_{key}")
            title, seed_ref = _TITLES[key]
            self.current = {"key": key, "title": title, "seed": seed_ref, "text": [],
                            "tables": [], "images": [], "code": [], "status": "ok",
                            "seconds": 0.0}
            self.sections.append(self.current)
            self.log(f"[{i}/{len(keys)}] {title} (seed {seed_ref})")
            t0 = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", category=_convergence_warning())
                    method()
            except SectionSkipped as exc:
                self.current["status"] = "skipped"
                self.note(f"Skipped: {exc}")
            except Exception as exc:  # report, keep going with the next section
                self.current["status"] = "failed"
                self.current["error"] = "".join(
                    traceback.format_exception_only(type(exc), exc)).strip()
                self.log(f"    FAILED: {self.current['error']}")
                self.current["traceback"] = traceback.format_exc()
            self.current["seconds"] = time.perf_counter() - t0
            self.log(f"    ({self.current['status']}, {self.current['seconds']:.1f} s)")
        self.total_seconds = time.perf_counter() - t_all
        self._write_index()
        self.log(f"Done in {self.total_seconds:.1f} s: {os.path.join(self.out, 'index.md')}")

    def _write_index(self):
        from . import __version__

        lines = [
            "# sknn_cn: a tour of the chapter",
            "",
            f"Generated by `python -m sknn_cn{' --quick' if self.quick else ''}` on "
            f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} "
            f"(sknn_cn {__version__}, NumPy {np.__version__}, Python "
            f"{platform.python_version()}) in {self.total_seconds:.1f} s"
            f"{'; quick mode: small data, few epochs' if self.quick else ''}.",
            "",
            "| # | section | seed | status | time |",
            "|---|---|---|---|---|",
        ]
        for i, s in enumerate(self.sections, 1):
            anchor = s["key"].replace("_", "-")
            lines.append(f"| {i} | [{s['title']}](#{anchor}) | {s['seed']} | "
                         f"{s['status']} | {s['seconds']:.1f} s |")
        for s in self.sections:
            lines += ["", f'<a id="{s["key"].replace("_", "-")}"></a>',
                      f"## {s['title']} (seed {s['seed']})", ""]
            if s["status"] == "failed":
                lines += [f"**Failed:** `{s['error']}`", ""]
            for para in s["text"]:
                lines += [para, ""]
            for t in s["tables"]:
                if t["title"]:
                    lines += [f"**{t['title']}**", ""]
                lines.append("| " + " | ".join(t["headers"]) + " |")
                lines.append("|" + "---|" * len(t["headers"]))
                for r in t["rows"]:
                    lines.append("| " + " | ".join(r) + " |")
                lines.append("")
            for c in s["code"]:
                if c["title"]:
                    lines += [f"**{c['title']}**", ""]
                lines += ["```", c["text"], "```", ""]
            for img in s["images"]:
                lines += [f"![{img['caption']}]({img['file']})", "",
                          f"*{img['caption']}*", ""]
        with open(os.path.join(self.out, "index.md"), "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        summary = {
            "quick": self.quick,
            "random_state": self.rs,
            "total_seconds": self.total_seconds,
            "sections": {s["key"]: {"status": s["status"], "seconds": s["seconds"],
                                    "images": [i["file"] for i in s["images"]],
                                    "error": s.get("error")}
                         for s in self.sections},
            "results": self.summary,
        }
        with open(os.path.join(self.out, "summary.json"), "w", encoding="utf-8") as fh:
            json.dump(summary, fh, indent=2, default=_json_default)

    # -- sections ------------------------------------------------------------
    def section_xor(self):
        """XOR with a 2-2-1 network (seed 1.1.1, 1.1.4)."""
        from .datasets import make_xor
        from ._mlp import BinaryMLPClassifier
        from .plotting import BoundaryDisplay, HiddenSpaceDisplay

        X, y = make_xor()
        clf = BinaryMLPClassifier((2,), activation="tanh", solver="sgd", momentum=0.9,
                                  learning_rate_init=0.1, batch_size=4, max_iter=1000,
                                  tol=0.0, n_iter_no_change=np.inf,
                                  random_state=self.rs).fit(X, y)
        p = clf.predict_proba(X)[:, 1]
        self.table(["x1", "x2", "x1 XOR x2", "P(y=1)", "predicted"],
                   [[int(a), int(b), int(t), float(q), int(c)]
                    for (a, b), t, q, c in zip(X, y, p, clf.predict(X))],
                   title=f"2-2-1 tanh network, {clf.n_iter_} epochs of SGD")
        acc = float(clf.score(X, y))
        self.record("accuracy", acc)
        self.note("Grid sampling (seed 1.1.4): every point of the square goes through "
                  "the network; P > 0.5 is pink, P < 0.5 yellow, and the black "
                  "contour P = 0.5 is the decision boundary: two parallel lines, "
                  "which no single-layer model can draw.")
        d = BoundaryDisplay.from_estimator(clf, X, y, xlim=(-0.1, 1.1),
                                           ylim=(-0.1, 1.1), grid_resolution=200,
                                           title="XOR: decision boundary by grid sampling")
        self.save(d.figure_, "xor_boundary.png",
                  "XOR: probability map, the P = 0.5 boundary and the four samples")
        d = HiddenSpaceDisplay.from_estimator(clf, X, y, n_grid_lines=11)
        self.save(d.figure_, "xor_hidden_space.png",
                  "XOR in the hidden layer's space: the two class-0 corners land "
                  "together, and one straight line separates the classes")

    def section_double_arc(self):
        """Double arc: boundary and hidden space (seed 1.1.5)."""
        from sklearn.model_selection import train_test_split

        from .datasets import make_double_arc
        from ._mlp import BinaryMLPClassifier
        from .plotting import (BoundaryDisplay, HiddenSpaceDisplay,
                               HiddenSpaceSnapshots, TrainingCurvesDisplay)

        n = 200 if self.quick else 400
        X, y = make_double_arc(n, random_state=self.rs)
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y,
                                                  random_state=self.rs)
        params = dict(activation="tanh", learning_rate_init=0.05,
                      max_iter=200 if self.quick else 400, random_state=self.rs)
        rows = []
        fitted = {}
        for width in (2, 3):
            # a validation split only to draw its curves: never stop early
            clf = BinaryMLPClassifier((width,), early_stopping=True,
                                      validation_fraction=0.2,
                                      n_iter_no_change=np.inf,
                                      **params).fit(X_tr, y_tr)
            fitted[width] = clf
            rows.append([f"2-{width}-1", clf.n_iter_, float(clf.score(X_tr, y_tr)),
                         float(clf.score(X_te, y_te))])
        self.table(["network", "epochs", "train accuracy", "test accuracy"], rows)
        self.record("test_accuracy", {r[0]: r[3] for r in rows})
        clf = fitted[2]
        d = BoundaryDisplay.from_estimator(clf, X, y, title="Double arc: decision "
                                           "boundary by grid sampling")
        self.save(d.figure_, "double_arc_boundary.png",
                  "Double arc: the curved P = 0.5 boundary of a 2-2-1 network")
        d = HiddenSpaceDisplay.from_estimator(clf, X, y)
        self.save(d.figure_, "double_arc_hidden_2d.png",
                  "Double arc in the 2 hidden units' space: the grey grid is the input "
                  "plane bent by tanh; the arcs are now split by one straight line")
        d = HiddenSpaceDisplay.from_estimator(fitted[3], X, y)
        self.save(d.figure_, "double_arc_hidden_3d.png",
                  "With 3 hidden units: the samples in 3-D and the output unit's "
                  "separating plane")
        self.note("Seed 1.1.5: the network transforms the space so that samples which "
                  "are not linearly separable become linearly separable; the output "
                  "layer then only draws a line (a plane with 3 units).")
        epochs = (1, 10, 40) if self.quick else (1, 10, 50, 200)
        snaps = HiddenSpaceSnapshots.from_estimator(
            BinaryMLPClassifier((2,), **{k: v for k, v in params.items()
                                         if k != "max_iter"}),
            X, y, epochs=epochs, n_grid_lines=9)
        self.save(snaps.figure_, "double_arc_snapshots.png",
                  "The hidden space during training (partial_fit, one epoch per call)")
        d = TrainingCurvesDisplay.from_estimator(clf, name="2-2-1 on the double arc")
        self.save(d.figure_, "double_arc_training_curves.png",
                  "Training loss, validation loss and validation accuracy per epoch")

    def _coin(self):
        """Train (once) the 2-3-3 network on the coin hole."""
        if hasattr(self, "_coin_cache"):
            return self._coin_cache
        from sklearn.model_selection import train_test_split
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        from .datasets import make_coin_hole
        from ._mlp import MulticlassMLPClassifier

        X, y = make_coin_hole(600 if self.quick else 1200, random_state=self.rs)
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y,
                                                  random_state=self.rs)
        model = make_pipeline(StandardScaler(), MulticlassMLPClassifier(
            (3,), activation="tanh", learning_rate_init=0.1, batch_size=32,
            max_iter=300 if self.quick else 600, tol=0.0, n_iter_no_change=np.inf,
            random_state=self.rs)).fit(X_tr, y_tr)
        self._coin_cache = (model, X, y, X_tr, X_te, y_tr, y_te,
                            ["hole", "ring", "outside"])
        return self._coin_cache

    def section_coin_hole(self):
        """Coin with a square hole, 3 classes (seed 1.2)."""
        from .plotting import BoundaryDisplay, HiddenSpaceDisplay

        model, X, y, X_tr, X_te, y_tr, y_te, names = self._coin()
        net = model[-1]
        self.table(["network", "epochs", "train accuracy", "test accuracy"],
                   [["2-3-3 softmax", net.n_iter_, float(model.score(X_tr, y_tr)),
                     float(model.score(X_te, y_te))]])
        self.record("test_accuracy", float(model.score(X_te, y_te)))
        d = BoundaryDisplay.from_estimator(model, X, y, class_names=names,
                                           title="Coin with a square hole: class "
                                                 "regions by grid sampling")
        self.save(d.figure_, "coin_hole_regions.png",
                  "Coin hole: predicted class regions and their borders")
        d = HiddenSpaceDisplay.from_estimator(model, X, y, class_names=names)
        self.save(d.figure_, "coin_hole_hidden_3d.png",
                  "The 3 hidden units' space in 3-D with the output layer's planes "
                  "(each piece where two classes compete)")
        d = HiddenSpaceDisplay.from_estimator(model, X, y, projection="output",
                                              class_names=names)
        self.save(d.figure_, "coin_hole_hidden_projected.png",
                  "The same hidden space seen along the output layer: the softmax's "
                  "regions are exact here, and each class sits in its own wedge")

    def section_evaluation(self):
        """Evaluating a classifier (seed 1.1.2)."""
        from sklearn.metrics import ConfusionMatrixDisplay

        from .metrics import classification_summary
        from .plotting import SEQUENTIAL_CMAP, RocCurvesDisplay

        y_true = np.r_[np.ones(550), np.zeros(450)].astype(int)
        y_pred = np.r_[np.ones(521), np.zeros(29), np.zeros(435), np.ones(15)].astype(int)
        s = classification_summary(y_true, y_pred)
        b = s.binary
        seed_values = {"accuracy": 0.956, "precision": 0.972, "recall": 0.947,
                       "fpr": 0.033, "f1": 0.959}
        self.table(["measure", "seed 1.1.2", "sknn_cn"],
                   [[k, v, round(b[k], 3)] for k, v in seed_values.items()],
                   title="The seed's example: TP 521, FN 29, TN 435, FP 15")
        self.record("seed_example", {k: b[k] for k in seed_values})
        model, _, _, X_tr, X_te, y_tr, y_te, names = self._coin()
        proba = model.predict_proba(X_te)
        s = classification_summary(y_te, y_proba=proba, y_train=y_tr,
                                   labels=model.classes_)
        self.code(s.to_text(), title="Coin hole, test set (classes 0 hole, 1 ring, "
                                     "2 outside)")
        self.record("coin_hole", {"accuracy": s.accuracy, "kappa": s.cohen_kappa,
                                  "roc_auc": s.roc_auc, **s.weka})
        self.note("MAE, RMSE, RAE and RRSE follow Weka's definitions for a nominal "
                  "class: errors between the predicted distribution and the one-hot "
                  "truth, averaged over classes; RAE and RRSE compare with always "
                  "predicting the training class frequencies (+1 each), in percent.")
        d = RocCurvesDisplay.from_estimator(model, X_te, y_te, class_names=names)
        self.save(d.figure_, "evaluation_roc.png",
                  "ROC curves of the coin-hole network, one class against the rest")
        d = ConfusionMatrixDisplay.from_estimator(model, X_te, y_te,
                                                  display_labels=names,
                                                  cmap=SEQUENTIAL_CMAP)
        d.ax_.set_title("Confusion matrix, coin-hole test set")
        self.save(d.figure_, "evaluation_confusion_matrix.png",
                  "Confusion matrix (rows: true class, columns: predicted class)")

    def section_imbalance(self):
        """Imbalanced classes, 19:1 (seed 1.3)."""
        import matplotlib.pyplot as plt
        from imblearn.over_sampling import RandomOverSampler
        from imblearn.pipeline import make_pipeline as imb_pipeline
        from imblearn.under_sampling import RandomUnderSampler
        from sklearn.metrics import (RocCurveDisplay, accuracy_score, f1_score,
                                     roc_auc_score)
        from sklearn.model_selection import train_test_split
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        from .datasets import make_double_arc
        from ._mlp import BinaryMLPClassifier
        from .imbalance import SchapireBoostClassifier
        from .metrics import false_positive_rate, true_positive_rate
        from .plotting import OKABE_ITO, BoundaryDisplay
        from .imbalance import PerAttributeOverSampler

        rng = np.random.default_rng(self.rs)
        n_major = 1900
        X, y = make_double_arc(2 * n_major, noise=0.4, gap=0.35, random_state=self.rs)
        minority = np.flatnonzero(y == 1)
        keep = np.r_[np.flatnonzero(y == 0),
                     rng.choice(minority, n_major // 19, replace=False)]
        X, y = X[keep], y[keep]
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y,
                                                  random_state=self.rs)
        self.note(f"Two overlapping arcs with {np.sum(y == 0)} majority (class 0) and "
                  f"{np.sum(y == 1)} minority (class 1) samples, the seed's 1900:100; "
                  "70 % for training, 30 % for testing. The minority is the positive "
                  "class. Every model is StandardScaler + a 2-8-1 tanh network.")

        def mlp(**kw):
            # small batches: L2 and L3 of the boosting get only ~2 x 70 samples
            return make_pipeline(StandardScaler(), BinaryMLPClassifier(
                (8,), activation="tanh", learning_rate_init=0.02, batch_size=16,
                max_iter=30 if self.quick else 100, random_state=self.rs, **kw))

        models = {
            "plain MLP": mlp(),
            "class_weight='balanced'": mlp(class_weight="balanced"),
            "random under-sampling": imb_pipeline(
                RandomUnderSampler(random_state=self.rs), mlp()),
            "random over-sampling": imb_pipeline(
                RandomOverSampler(random_state=self.rs), mlp()),
            "per-attribute synthetic (1.3.1.3)": imb_pipeline(
                PerAttributeOverSampler(random_state=self.rs), mlp()),
            "Schapire boosting (1.3.1.4)": SchapireBoostClassifier(
                mlp(), variant="imbalance", random_state=self.rs),
        }
        rows, results = [], {}
        fig_roc, ax_roc = plt.subplots(figsize=(6.5, 5.5))
        fig_b, axes = plt.subplots(2, 3, figsize=(13, 8), sharex=True, sharey=True)
        styles = ["-", "--", "-.", ":", "-", "--"]
        for i, (name, model) in enumerate(models.items()):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X_tr, y_tr)
            pred = model.predict(X_te)
            score = model.predict_proba(X_te)[:, 1]
            r = {"accuracy": accuracy_score(y_te, pred),
                 "tpr": true_positive_rate(y_te, pred),
                 "fpr": false_positive_rate(y_te, pred),
                 "f1": f1_score(y_te, pred, zero_division=0.0),
                 "auc": roc_auc_score(y_te, score)}
            results[name] = r
            rows.append([name] + [float(r[k]) for k in ("accuracy", "tpr", "fpr", "f1",
                                                         "auc")])
            RocCurveDisplay.from_predictions(
                y_te, score, name=name, ax=ax_roc,
                curve_kwargs={"color": OKABE_ITO[[4, 5, 2, 0, 6, 1][i]],
                              "linestyle": styles[i], "linewidth": 1.8},
                plot_chance_level=(i == len(models) - 1))
            ax = axes.ravel()[i]
            BoundaryDisplay.from_estimator(model, X_te, y_te, ax=ax, colorbar=False,
                                           grid_resolution=80 if self.quick else 150,
                                           title=f"{name}\nminority recall "
                                                 f"{r['tpr']:.2f}, AUC {r['auc']:.3f}")
            if i:
                ax.get_legend().remove()
        self.table(["model", "accuracy", "minority recall (TPR)", "FPR", "F1", "ROC AUC"],
                   rows, title="Test set (30 %)")
        self.record("models", results)
        self.note("Accuracy stays high even when the minority is mostly missed "
                  "(seed 1.3.1.2): look at the minority recall and the AUC. Drawing "
                  "each attribute independently (1.3.1.3) ignores how x1 and x2 go "
                  "together, so its synthetic minority samples also fill the inside "
                  "of the arc, as the seed warns.")
        ax_roc.set_title("ROC on the 19:1 test set")
        ax_roc.set_xlabel("False positive rate (FPR)")
        ax_roc.set_ylabel("True positive rate (TPR)")
        ax_roc.legend(fontsize="small", loc="lower right")
        self.save(fig_roc, "imbalance_roc.png",
                  "ROC curves of the six ways of training on 19:1 data")
        fig_b.suptitle("Decision boundaries on the 19:1 test set "
                       "(pink: minority class 1)")
        fig_b.tight_layout()
        self.save(fig_b, "imbalance_boundaries.png",
                  "Where each model puts the boundary: a plain MLP gives the "
                  "minority a thin sliver")

    def section_mnist(self):
        """The 784-64-16-10 network on handwritten digits (seed 1.4.1, 1.4.2)."""
        import matplotlib.pyplot as plt
        from sklearn.metrics import ConfusionMatrixDisplay

        from ._mlp import MulticlassMLPClassifier
        from .persistence import load_model, save_model
        from .plotting import SEQUENTIAL_CMAP, TrainingCurvesDisplay

        X_tr, X_te, y_tr, y_te, name, shape = self._digits()
        if self.quick:
            X_tr, y_tr = X_tr[:3000], y_tr[:3000]
            X_te, y_te = X_te[:1000], y_te[:1000]
        epochs = 3 if self.quick else 10
        clf = MulticlassMLPClassifier(
            (64, 16), activation=("logistic", "tanh"), solver="sgd", momentum=0.0,
            learning_rate_init=0.5, batch_size=64, max_iter=epochs, tol=0.0,
            n_iter_no_change=np.inf, dtype=np.float32, random_state=self.rs)
        t0 = time.perf_counter()
        clf.fit(X_tr, y_tr)
        seconds = time.perf_counter() - t0
        acc_tr, acc_te = float(clf.score(X_tr, y_tr)), float(clf.score(X_te, y_te))
        self.table(["data", "train / test", "epochs", "s / epoch", "train acc",
                    "test acc"],
                   [[name, f"{len(y_tr)} / {len(y_te)}", clf.n_iter_,
                     seconds / clf.n_iter_, acc_tr, acc_te]],
                   title=f"{X_tr.shape[1]}-64-16-10 (sigmoid, tanh, softmax), plain "
                         "SGD, lr 0.5, batch 64, float32")
        self.record("data", name)
        self.record("test_accuracy", acc_te)
        self.record("seconds_per_epoch", seconds / clf.n_iter_)
        # safe persistence: save, reload, same predictions
        path = os.path.join(self.out, "mnist_net.npz")
        save_model(clf, path)
        same = bool(np.array_equal(load_model(path).predict_proba(X_te),
                                   clf.predict_proba(X_te)))
        self.note(f"Saved with sknn_cn.persistence.save_model to mnist_net.npz "
                  f"({os.path.getsize(path) / 1024:.0f} KiB, .npz + JSON, no pickle); "
                  f"reloaded: identical predictions = {same}.")
        self.record("persistence_round_trip_identical", same)
        d = TrainingCurvesDisplay.from_estimator(clf, name=f"{name} network")
        self.save(d.figure_, "mnist_training_curve.png", "Training loss per epoch")
        d = ConfusionMatrixDisplay.from_estimator(clf, X_te, y_te, cmap=SEQUENTIAL_CMAP,
                                                  colorbar=False)
        d.figure_.set_size_inches(7, 6.5)
        d.ax_.set_title(f"Confusion matrix, {name} test set (accuracy {acc_te:.3f})")
        self.save(d.figure_, "mnist_confusion_matrix.png",
                  "Confusion matrix on the test images")
        pred = clf.predict(X_te)
        wrong = np.flatnonzero(pred != y_te)[:12]
        if wrong.size:
            fig, axes = plt.subplots(2, 6, figsize=(10, 4))
            for ax in axes.ravel():
                ax.axis("off")
            for ax, i in zip(axes.ravel(), wrong):
                ax.imshow(X_te[i].reshape(shape), cmap="gray_r")
                ax.set_title(f"true {y_te[i]}, said {pred[i]}", fontsize="small")
            fig.suptitle("Some test digits the network gets wrong")
            self.save(fig, "mnist_mistakes.png", "Misclassified test digits")

    def _digits(self):
        """MNIST from the data home, else sklearn's digits (and say so)."""
        if hasattr(self, "_digits_cache"):
            return self._digits_cache
        from .datasets import get_data_home, load_mnist

        try:
            X_tr, X_te, y_tr, y_te = load_mnist(return_X_y=True)
            out = (X_tr, X_te, y_tr, y_te, "MNIST", (28, 28))
            self.note(f"MNIST read from the data home {get_data_home()} "
                      f"(60000 training, 10000 test images).")
        except (FileNotFoundError, ValueError) as exc:
            from sklearn.datasets import load_digits
            from sklearn.model_selection import train_test_split

            X, y = load_digits(return_X_y=True)
            X = (X / 16.0).astype(np.float32)
            X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y,
                                                      random_state=self.rs)
            out = (X_tr, X_te, y_tr, y_te, "sklearn digits (8x8)", (8, 8))
            self.note("MNIST is not in the data home "
                      f"({type(exc).__name__}: {str(exc).splitlines()[0][:120]}); "
                      "using sklearn's bundled 8x8 digits (1797 images) instead. "
                      "Run `python -m sknn_cn.datasets fetch mnist` to get MNIST.")
        self._digits_cache = out
        return out

    def section_gradcheck(self):
        """Gradient check (seed 1.4.3)."""
        try:
            from . import gradcheck
        except ImportError as exc:
            raise SectionSkipped("sknn_cn.gradcheck is not available yet "
                                 f"({exc}).") from None
        _run_gradcheck(self, gradcheck)

    def section_lr_finder(self):
        """Learning-rate range test (seed 1.4.4.1)."""
        try:
            from . import lr_finder
        except ImportError as exc:
            raise SectionSkipped("sknn_cn.lr_finder is not available yet "
                                 f"({exc}).") from None
        _run_lr_finder(self, lr_finder)

    def section_schedules(self):
        """The six learning-rate schedules (seed 1.4.4.2)."""
        import matplotlib.pyplot as plt

        from ._mlp import MulticlassMLPClassifier
        from .plotting import OKABE_ITO
        from .schedules import (ExponentialSchedule, FixedSchedule, InverseSchedule,
                                MultiStepSchedule, PolynomialSchedule, StepSchedule)

        X_tr, X_te, y_tr, y_te, name, _ = self._digits()
        if self.quick:
            X_tr, y_tr, X_te, y_te = X_tr[:2000], y_tr[:2000], X_te[:1000], y_te[:1000]
        epochs, batch, base_lr = (4 if self.quick else 5), 64, 0.5
        T = epochs * -(-len(y_tr) // batch)           # total updates
        schedules = {
            "fixed": (FixedSchedule(), "lr = base"),
            "step": (StepSchedule(step_size=T // 4, gamma=0.5),
                     f"x0.5 every {T // 4} updates"),
            "multistep": (MultiStepSchedule(milestones=(T // 2, 3 * T // 4, 9 * T // 10),
                                            gamma=0.3),
                          "x0.3 at 50 %, 75 %, 90 % of the run"),
            "exp": (ExponentialSchedule(gamma=0.01 ** (1 / T)),
                    "base * gamma^t, 1 % at the end (eq. 5)"),
            "inv": (InverseSchedule(gamma=20.0 / T, power=0.5),
                    "base / (1 + gamma t)^0.5 (eq. 6)"),
            "poly": (PolynomialSchedule(power=0.9), "base (1 - t/T)^0.9 (eq. 7)"),
        }
        fig, (ax_lr, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.6))
        steps = np.arange(T + 1)
        colors = [OKABE_ITO[i] for i in (7, 0, 1, 2, 5, 6)]
        styles = ["-", "--", "-.", ":", "-", "--"]
        rows, results = [], {}
        for i, (key, (schedule, formula)) in enumerate(schedules.items()):
            clf = MulticlassMLPClassifier(
                (64, 16), activation=("logistic", "tanh"), solver="sgd", momentum=0.0,
                learning_rate_init=base_lr, lr_schedule=schedule, batch_size=batch,
                max_iter=epochs, tol=0.0, n_iter_no_change=np.inf, dtype=np.float32,
                random_state=self.rs).fit(X_tr, y_tr)
            acc = float(clf.score(X_te, y_te))
            lrs = schedule.values(base_lr, steps, total_steps=T)
            results[key] = {"final_loss": float(clf.loss_curve_[-1]), "test_accuracy": acc,
                            "final_lr": float(lrs[-1])}
            rows.append([key, formula, float(lrs[-1]), float(clf.loss_curve_[-1]), acc])
            ax_lr.plot(steps, lrs, color=colors[i], linestyle=styles[i], linewidth=2,
                       label=key)
            ax_loss.plot(np.arange(1, len(clf.loss_curve_) + 1), clf.loss_curve_,
                         color=colors[i], linestyle=styles[i], linewidth=2,
                         marker="o", markersize=3, label=f"{key} (test acc {acc:.3f})")
        self.table(["schedule", "rule", "final lr", "final train loss", "test acc"], rows,
                   title=f"{name}, {len(y_tr)} training images, {epochs} epochs, "
                         f"batch {batch}, base lr {base_lr}, T = {T} updates")
        self.record("schedules", results)
        ax_lr.set_xlabel("update t (mini-batch)")
        ax_lr.set_ylabel("learning rate")
        ax_lr.set_title("The six schedules of seed 1.4.4.2")
        ax_lr.legend(fontsize="small")
        ax_lr.grid(True, alpha=0.3)
        from matplotlib.ticker import MaxNLocator

        ax_loss.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax_loss.set_xlabel("epoch")
        ax_loss.set_ylabel("training loss")
        ax_loss.set_title("Training loss with each schedule")
        ax_loss.legend(fontsize="small")
        ax_loss.grid(True, alpha=0.3)
        fig.tight_layout()
        self.save(fig, "schedules.png", "Learning rate and training loss per schedule")


def _convergence_warning():
    from sklearn.exceptions import ConvergenceWarning

    return ConvergenceWarning


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def _run_gradcheck(tour, module):
    """Seed 1.4.3 on the seed's 784-64-16-10 net: fresh, trained, and with relu."""
    import matplotlib.pyplot as plt

    from ._mlp import MulticlassMLPClassifier
    from .plotting import OKABE_ITO

    check = getattr(module, "check_gradients", None)
    if not callable(check):
        raise SectionSkipped("sknn_cn.gradcheck has no check_gradients function.")
    X_tr, _, y_tr, _, name, _ = tour._digits()
    X = np.asarray(X_tr[:20], dtype=np.float64)       # pixels already in [0, 1]
    y = y_tr[:20]
    subset = 200 if tour.quick else None              # per array; None = every element

    def net(activation=("logistic", "tanh")):
        return MulticlassMLPClassifier((64, 16), activation=activation, alpha=1e-3,
                                       solver="sgd", momentum=0.0,
                                       learning_rate_init=0.5, batch_size=64,
                                       max_iter=1, dtype=np.float32,
                                       random_state=tour.rs)

    trained = net().fit(X_tr[:500 if tour.quick else 5000],
                        y_tr[:500 if tour.quick else 5000])
    scenarios = {
        "fresh initialisation": check(net(), X, y, subset=subset,
                                      random_state=tour.rs),
        "after 1 epoch of training": check(trained, X, y, subset=subset,
                                           random_state=tour.rs),
        "relu, relu (non-smooth)": check(net(("relu", "relu")), X, y, subset=subset,
                                         random_state=tour.rs),
    }
    first = scenarios["fresh initialisation"]
    tour.note(f"{name}: 20 images, L2 term alpha = 0.001 included in J (seed "
              "1.4.3.3 note 3), no dropout in this package (note 4); "
              + ("200 random elements of each array (quick mode)." if tour.quick
                 else "every one of the 51,450 parameters."))
    tour.table(["parameter", "shape", "checked", "diff", "max |g - g_num|", "verdict"],
               [[p["name"], "x".join(map(str, p["shape"])), p["n_checked"],
                 f"{p['diff']:.2e}", f"{p['max_abs_error']:.2e}", p["verdict"]]
                for p in first.per_parameter],
               title="Per parameter array, sigmoid-tanh-softmax net, fresh weights")
    tour.table(["weights", "elements", "diff", "verdict", "passed", "seconds"],
               [[k, r.n_checked, f"{r.diff:.2e}", r.verdict, str(r.passed),
                 f"{r.elapsed:.2f}"] for k, r in scenarios.items()],
               title="The seed's check in three situations (note 5: check again "
                     "after training)")
    tour.record("results", {k: {"diff": r.diff, "verdict": r.verdict,
                                "passed": bool(r.passed), "n_checked": r.n_checked}
                            for k, r in scenarios.items()})

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12.5, 5))
    colors = [OKABE_ITO[i] for i in (4, 0, 2, 5, 6, 1)]
    markers = ["o", "^", "s", "D", "v", "P"]
    rng = np.random.default_rng(tour.rs)
    for k, (nm, arr_a, arr_n) in enumerate(zip(
            first.names, first.to_arrays(first.analytic).values(),
            first.to_arrays(first.numerical).values())):
        a, n = arr_a.ravel(), arr_n.ravel()
        keep = np.flatnonzero(np.isfinite(n) & (a != 0))
        if keep.size > 400:
            keep = rng.choice(keep, 400, replace=False)
        ax1.scatter(a[keep], n[keep], s=22, c=colors[k], marker=markers[k],
                    label=nm, alpha=0.75, edgecolors="none")
    lim = np.nanmax(np.abs(first.analytic[first.checked])) * 1.1
    ax1.plot([-lim, lim], [-lim, lim], color="black", linewidth=1, label="y = x")
    from matplotlib.ticker import SymmetricalLogLocator

    ax1.set_xscale("symlog", linthresh=1e-6)
    ax1.set_yscale("symlog", linthresh=1e-6)
    for axis in (ax1.xaxis, ax1.yaxis):
        axis.set_major_locator(SymmetricalLogLocator(linthresh=1e-6, base=100))
    ax1.set_xlabel("back-propagation gradient")
    ax1.set_ylabel("two-sided difference (J(θ+h) - J(θ-h)) / 2h")
    ax1.set_title("Every checked element lies on y = x (fresh weights)")
    ax1.legend(fontsize="small", loc="upper left", markerscale=2)
    # per-array diff against the seed's bands
    bands = [(1e-16, 1e-7, "#E5F5EC", "correct"), (1e-7, 1e-4, "#FFF7D6",
                                                     "acceptable for relu only"),
             (1e-4, 1e-2, "#FDE3CF", "suspicious"), (1e-2, 1.0, "#F6D0D0", "wrong")]
    for lo, hi, colour, label in bands:
        ax2.axhspan(lo, hi, color=colour, zorder=0)
        ax2.text(0.99, np.sqrt(lo * hi) if lo > 1e-16 else 1e-9, label,
                 transform=ax2.get_yaxis_transform(), ha="right", va="center",
                 fontsize="small", color="0.3")
    width = 0.8 / len(scenarios)
    for j, (k, r) in enumerate(scenarios.items()):
        diffs = [max(p["diff"], 1e-16) for p in r.per_parameter]
        ax2.bar(np.arange(len(diffs)) + (j - 1) * width, diffs, width=width,
                color=[OKABE_ITO[4], OKABE_ITO[0], OKABE_ITO[5]][j], label=k,
                hatch=["", "//", ".."][j], edgecolor="black", linewidth=0.5)
    ax2.set_yscale("log")
    ax2.set_ylim(1e-13, 1.0)
    ax2.set_xticks(np.arange(len(first.names)), first.names)
    ax2.set_ylabel("relative difference (seed 1.4.3.2)")
    ax2.set_title("diff per parameter array and the seed's verdict bands")
    ax2.legend(fontsize="small", loc="upper left")
    fig.tight_layout()
    tour.save(fig, "gradient_check.png",
              "Gradient check: back-propagation against two-sided differences, and "
              "the relative difference of each array in the seed's bands")


def _run_lr_finder(tour, module):
    """Seed 1.4.4.1 on the seed's MNIST net, then a check of the suggestions."""
    from ._mlp import MulticlassMLPClassifier
    from .plotting import LRFinderDisplay

    range_test = getattr(module, "lr_range_test", None)
    if not callable(range_test):
        raise SectionSkipped("sknn_cn.lr_finder has no lr_range_test function.")
    X_tr, X_te, y_tr, y_te, name, _ = tour._digits()
    n = 3000 if tour.quick else 20000
    X_tr, y_tr = X_tr[:n], y_tr[:n]
    X_te, y_te = X_te[:2000], y_te[:2000]

    def net(lr=0.01, epochs=1):
        return MulticlassMLPClassifier(
            (64, 16), activation=("logistic", "tanh"), solver="sgd", momentum=0.0,
            learning_rate_init=lr, batch_size=64, max_iter=epochs, tol=0.0,
            n_iter_no_change=np.inf, dtype=np.float32, random_state=tour.rs)

    result = range_test(net(), X_tr, y_tr, min_lr=1e-5, max_lr=10.0,
                        n_steps=100 if tour.quick else 300)
    suggestions = dict(result.suggestions)
    tour.note(f"{name}, {len(y_tr)} training images, the 784-64-16-10 net with plain "
              f"SGD and batch 64: {len(result.lrs)} mini-batches with the learning rate "
              f"growing from 1e-5 towards 10"
              f"{' (stopped when the loss blew up)' if result.diverged else ''}.")
    epochs = 1 if tour.quick else 2
    candidates = {f"suggested ({rule})": lr for rule, lr in suggestions.items()}
    low = min(suggestions.values())
    candidates.update({"10x below the lowest suggestion": low / 10,
                       "3x the loss minimum (too high)": 30 * suggestions["minimum/10"]
                       if "minimum/10" in suggestions else 10 * low})
    rows, checked = [], {}
    for label, lr in candidates.items():
        if not np.isfinite(lr):
            continue
        clf = net(float(lr), epochs).fit(X_tr, y_tr)
        acc = float(clf.score(X_te, y_te))
        checked[label] = {"lr": float(lr), "test_accuracy": acc}
        rows.append([label, f"{lr:.3g}", acc])
    tour.table(["learning rate", "value", f"test acc after {epochs} epoch"
                                          f"{'s' if epochs > 1 else ''}"], rows,
               title="Does the suggestion train well? The same net, trained from "
                     "scratch at each rate")
    tour.record("suggestions", suggestions)
    tour.record("check", checked)
    labelled = {(f"{k} (default)" if k == result.rule else k): v
                for k, v in suggestions.items()}
    disp = LRFinderDisplay(result.lrs, result.smoothed_losses, suggestions=labelled,
                           raw_losses=result.losses).plot()
    disp.ax_.set_title(f"Learning-rate range test on {name} (Smith 2015)")
    tour.save(disp.figure_, "lr_finder.png",
              "Smoothed mini-batch loss against the learning rate (log scale), with "
              "the three suggested rates")


def run_tour(out="tour_out", *, quick=False, sections=None, random_state=0,
             stream=None, blas_threads=1):
    """Run the tour; write PNGs, ``index.md`` and ``summary.json`` into ``out``.

    Parameters
    ----------
    out : str, default='tour_out'
        Output folder (created).
    quick : bool, default=False
        Small data and few epochs (for CI).
    sections : sequence of str, optional
        A subset of :data:`SECTIONS`, run in the order given.
    random_state : int, default=0
    stream : file, default=sys.stdout
        Where progress and tables go.
    blas_threads : int or None, default=1
        BLAS threads for the whole tour (None: the library default).

    Returns
    -------
    summary : dict
        The content of ``summary.json``.
    """
    import matplotlib

    matplotlib.use("Agg")  # the tour only writes files
    keys = list(SECTIONS if sections is None else sections)
    unknown = [k for k in keys if k not in SECTIONS]
    if unknown:
        raise ValueError(f"Unknown sections {unknown}; choose from {list(SECTIONS)}.")
    os.makedirs(out, exist_ok=True)
    tour = _Tour(out, quick, random_state, stream or sys.stdout)
    # The matrices here are small: one BLAS thread is fastest, and on a busy
    # machine spinning BLAS threads slow everything down several times.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=blas_threads, user_api="blas"):
        tour.run(keys)
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as fh:
        return json.load(fh)


def main(argv=None):
    """Command line: ``python -m sknn_cn [--quick] [--out DIR] [--only S ...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m sknn_cn",
        description="A tour of the chapter: XOR, double arc, coin hole, evaluation, "
                    "imbalance, MNIST, gradient check, LR finder and schedules. "
                    "Writes PNGs and index.md into --out.")
    parser.add_argument("--out", default="tour_out",
                        help="output folder (default: ./tour_out)")
    parser.add_argument("--quick", action="store_true",
                        help="small data and few epochs (CI)")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, metavar="SECTION",
                        help=f"run only these sections: {', '.join(SECTIONS)}")
    parser.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="BLAS threads (default 1: fastest for these small "
                             "matrices, and polite on a shared machine)")
    args = parser.parse_args(argv)
    summary = run_tour(args.out, quick=args.quick, sections=args.only,
                       random_state=args.seed, blas_threads=args.blas_threads)
    failed = [k for k, s in summary["sections"].items() if s["status"] == "failed"]
    return 1 if failed else 0
