"""The seed's digit network and its gradient check (seed 1.4.1, 1.4.2, 1.4.3).

The digit sections (here and in :mod:`.learning_rate`) read their images from
:func:`sknn_cn.datasets.load_handwritten_digits`: MNIST when it is in the data
home, else scikit-learn's bundled 8 x 8 digits, and say which, once.
"""

import os
import time

import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay

from sknn_cn import MulticlassMLPClassifier, check_gradients, load_model, save_model
from sknn_cn.datasets import load_handwritten_digits
from sknn_cn.plotting import SEQUENTIAL_CMAP, TrainingCurvesDisplay

from .figures import gradient_check_figure, mistakes_figure

__all__ = ["handwritten_digits", "net_name", "mnist", "gradcheck", "DATA_NAMES"]

#: load_handwritten_digits' name -> the name the tour prints and records
DATA_NAMES = {"mnist": "MNIST", "digits": "sklearn digits (8x8)"}


def handwritten_digits(report):
    """MNIST from the data home, else sklearn's digits: a Bunch, loaded once per run.

    Every image of both parts, in their order (the sections take the first
    ones in ``--quick``); ``name`` is one of :data:`DATA_NAMES`' values.  The
    first section that asks says which data it is and, for the digits, how
    to get MNIST and what changes then.
    """
    def load():
        data = load_handwritten_digits(random_state=report.random_state)
        what = data.description
        if data.name == "digits":
            what += (" With MNIST in the data home, the digit sections (network, "
                     "gradient check, range test, schedules) use its 60000 training and "
                     "10000 test images of 28x28 = 784 pixels, so the net becomes the "
                     "seed's 784-64-16-10 and the runs take longer.")
        report.note(what)
        data.name = DATA_NAMES[data.name]
        return data

    return report.cached("handwritten_digits", load)


def net_name(clf):
    """The network's real shape from its fitted weights, e.g. '64-64-16-10'."""
    return "-".join(str(n) for n in [clf.coefs_[0].shape[0]] +
                    [W.shape[1] for W in clf.coefs_])


def mnist(report):
    """The seed's net (sigmoid, tanh, softmax) on the digits, saved and reloaded."""
    data = handwritten_digits(report)
    X_tr, X_te, y_tr, y_te, name = (data.X_train, data.X_test, data.y_train,
                                    data.y_test, data.name)
    if report.quick:
        X_tr, y_tr = X_tr[:3000], y_tr[:3000]
        X_te, y_te = X_te[:1000], y_te[:1000]
    # Adam at 0.01 with batch 32: >= 0.94 test accuracy on the bundled digits
    # for split/init seeds 0-4 after 15 epochs (plain SGD at lr 0.5 with
    # batch 64 stayed at chance, 0.10, after 3 epochs: 63 updates)
    epochs = 15 if report.quick else 30
    clf = MulticlassMLPClassifier(
        (64, 16), activation=("logistic", "tanh"), solver="adam",
        learning_rate_init=0.01, batch_size=32, max_iter=epochs, tol=0.0,
        n_iter_no_change=np.inf, dtype=np.float32, random_state=report.random_state)
    t0 = time.perf_counter()
    report.watch(clf).fit(X_tr, y_tr)
    seconds = time.perf_counter() - t0
    acc_tr, acc_te = float(clf.score(X_tr, y_tr)), float(clf.score(X_te, y_te))
    shape_name = net_name(clf)
    report.table(["data", "train / test", "epochs", "s / epoch", "train acc",
                  "test acc"],
                 [[name, f"{len(y_tr)} / {len(y_te)}", clf.n_iter_,
                   seconds / clf.n_iter_, acc_tr, acc_te]],
                 title=f"{shape_name} (sigmoid, tanh, softmax), Adam, lr 0.01, "
                       "batch 32, float32")
    report.record("network", shape_name)
    report.record("train_accuracy", acc_tr)
    report.record("data", name)
    report.record("test_accuracy", acc_te)
    report.record("seconds_per_epoch", seconds / clf.n_iter_)
    # safe persistence: save, reload, same predictions
    path = os.path.join(report.out, "mnist_net.npz")
    save_model(clf, path)
    same = bool(np.array_equal(load_model(path).predict_proba(X_te),
                               clf.predict_proba(X_te)))
    report.note(f"Saved with sknn_cn.save_model to mnist_net.npz "
                f"({os.path.getsize(path) / 1024:.0f} KiB, .npz + JSON, no pickle); "
                f"reloaded: identical predictions = {same}.")
    report.record("persistence_round_trip_identical", same)
    d = TrainingCurvesDisplay.from_estimator(clf, name=f"{name} network")
    report.save(d.figure_, "mnist_training_curve.png", "Training loss per epoch")
    d = ConfusionMatrixDisplay.from_estimator(clf, X_te, y_te, cmap=SEQUENTIAL_CMAP,
                                              colorbar=False)
    d.figure_.set_size_inches(7, 6.5)
    d.ax_.set_title(f"Confusion matrix, {name} test set (accuracy {acc_te:.3f})")
    report.save(d.figure_, "mnist_confusion_matrix.png",
                "Confusion matrix on the test images")
    fig = mistakes_figure(X_te, y_te, clf.predict(X_te), data.image_shape)
    if fig is not None:
        report.save(fig, "mnist_mistakes.png", "Misclassified test digits")


def gradcheck(report):
    """Seed 1.4.3 on the seed's net: fresh, trained, with relu, and a crossed kink."""
    rs = report.random_state
    data = handwritten_digits(report)
    X_tr, y_tr, name = data.X_train, data.y_train, data.name
    X = np.asarray(X_tr[:20], dtype=np.float64)       # pixels already in [0, 1]
    y = y_tr[:20]
    classes = np.unique(y_tr)                          # 20 images may miss a digit
    # per array; None = every element (the digits net has 5,370 parameters)
    subset = 200 if (report.quick and X.shape[1] > 100) else None

    def net(activation=("logistic", "tanh")):
        return MulticlassMLPClassifier((64, 16), activation=activation, alpha=1e-3,
                                       solver="sgd", momentum=0.0,
                                       learning_rate_init=0.5, batch_size=64,
                                       max_iter=1, dtype=np.float32, random_state=rs)

    n_fit = 500 if report.quick else 5000
    trained = net().fit(X_tr[:n_fit], y_tr[:n_fit])
    # relu with one pre-activation put exactly on the kink: image 0, hidden unit 0
    kinked = net(("relu", "relu")).fit(X_tr[:n_fit], y_tr[:n_fit])
    kinked.intercepts_[0][0] = -float(X[0] @ kinked.coefs_[0][:, 0])
    z_relu = X @ kinked.coefs_[0] + kinked.intercepts_[0]
    relu_fresh = net(("relu", "relu"))
    scenarios = {
        "fresh initialisation": check_gradients(net(), X, y, classes=classes,
                                                subset=subset, random_state=rs),
        "after 1 epoch of training": check_gradients(trained, X, y, subset=subset,
                                                     random_state=rs),
        "relu, relu (non-smooth)": check_gradients(relu_fresh, X, y, classes=classes,
                                                   subset=subset, random_state=rs),
    }
    kink_label = "relu, a unit on its kink (illustration)"
    r_kink = check_gradients(kinked, X, y, subset=subset, random_state=rs)
    first = scenarios["fresh initialisation"]
    n_params = int(first.theta.size)
    n_checked = int(first.n_checked)
    # why the relu row lands where it lands: how close any pre-activation comes to
    # the kink, against the step h (a kink is crossed only within h * |x|)
    r_relu = scenarios["relu, relu (non-smooth)"]
    arrays = r_relu.to_arrays(r_relu.theta)
    min_z = float(np.min(np.abs(X @ arrays["W1"] + arrays["b1"])))
    how_many = (" (200 random elements of each large array, quick mode)"
                if n_checked < n_params else " (every one)")
    report.note(f"{name}, {net_name(trained)} net: 20 images, L2 term alpha = 0.001 "
                "included in J (seed 1.4.3.3 note 3), dropout off while checking (note 4: "
                "check_gradients' default; dropout='frozen' checks one fixed mask); "
                f"{n_checked:,} of the {n_params:,} parameters checked{how_many}.")
    h = r_relu.epsilon
    # one element at a time: W1[i, j] moves z_j by h * x_i, b1[j] by h
    reach = h * max(1.0, float(np.abs(X).max()))
    crossed = min_z <= reach
    band = ("inside" if 1e-7 < r_kink.diff <= 1e-4 else
            "above" if r_kink.diff > 1e-4 else "below")
    report.note(
        f"ReLU: with fresh weights the closest first-layer pre-activation to the "
        f"kink is |z| = {min_z:.2g}; a step h = {h:g} moves any z by at most "
        f"{reach:.2g}, so "
        + ("a two-sided difference may straddle a kink here"
           if crossed else "no two-sided difference straddles a kink")
        + f" and the check lands at diff {r_relu.diff:.1e} ({r_relu.verdict}). "
        "With a pre-activation put exactly on the kink (image 0, unit 0, "
        f"z = {z_relu[0, 0]:.1e}) the difference sees the average of the two "
        f"slopes and back-propagation one of them: diff {r_kink.diff:.1e}, "
        f"verdict '{r_kink.verdict}', {band} the seed's relaxed band for relu "
        "(1e-7 < diff <= 1e-4); how far one crossed kink moves the diff depends "
        "on how much that unit carries the gradient. The last row is that "
        "illustration, not a check of the code.")
    report.record("relu_kink_crossed", bool(crossed))
    report.table(["parameter", "shape", "checked", "diff", "max |g - g_num|", "verdict"],
                 [[p["name"], "x".join(map(str, p["shape"])), p["n_checked"],
                   f"{p['diff']:.2e}", f"{p['max_abs_error']:.2e}", p["verdict"]]
                  for p in first.per_parameter],
                 title="Per parameter array, sigmoid-tanh-softmax net, fresh weights")
    runs = {**scenarios, kink_label: r_kink}
    report.table(["weights", "elements", "diff", "verdict", "passed", "seconds"],
                 [[k, r.n_checked, f"{r.diff:.2e}", r.verdict, str(r.passed),
                   f"{r.elapsed:.2f}"] for k, r in runs.items()],
                 title="The seed's check in three situations (note 5: check again "
                       "after training), and a crossed kink")
    report.record("n_parameters", n_params)
    report.record("n_checked", n_checked)
    report.record("relu_min_abs_preactivation", min_z)
    report.record("kink_illustration", {"diff": r_kink.diff, "verdict": r_kink.verdict})
    report.record("results", {k: {"diff": r.diff, "verdict": r.verdict,
                                  "passed": bool(r.passed), "n_checked": r.n_checked}
                              for k, r in scenarios.items()})
    fig, bar_names = gradient_check_figure(first, runs, random_state=rs)
    report.record("bar_labels", bar_names)
    report.save(fig, "gradient_check.png",
                "Gradient check: back-propagation against two-sided differences, and "
                f"the relative difference of each array in the seed's bands ({n_checked:,} "
                f"of {n_params:,} parameters checked; the cross-hatched bars: one relu "
                "unit put on its kink on purpose)")
