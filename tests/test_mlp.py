"""BinaryMLPClassifier and MulticlassMLPClassifier: scikit-learn conformance,
the seed's problems, and behaviour a scikit-learn user relies on."""

import copy
import json
import os
import subprocess
import sys
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline as make_imb_pipeline
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import confusion_matrix, f1_score, roc_auc_score
from sklearn.model_selection import GridSearchCV, cross_validate, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import (
    _get_check_estimator_ids,
    estimator_checks_generator,
)

from sknn_cn import (
    BinaryMLPClassifier,
    ExponentialSchedule,
    MulticlassMLPClassifier,
    PolynomialSchedule,
)
from sknn_cn.training import stopping
from sknn_cn.training.stopping import MAX_VALLEY_RETRIES, VALLEY_LOSS_FRACTION
from sknn_cn.datasets import make_coin_hole, make_double_arc, make_xor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _expected_failed_checks(estimator):
    if isinstance(estimator, BinaryMLPClassifier):
        return {"check_classifiers_multilabel_output_format_predict_proba": (
            "on this check's unscaled 75-sample data our default budget (20 000 "
            "epochs) drives some logits past 37, where the logistic probability "
            "rounds to exactly 1.0 in float64; the check wants 0 < p < 1 strictly. "
            "Shape, dtype and range [0, 1] hold (tests/test_multilabel.py)")}
    return {}


#: sklearn's sparse-input checks assert only that sparse X is accepted (or refused
#: with an error naming it) and the shapes of predict / predict_proba: nothing in
#: them depends on how long the net trains.  With the default budget
#: (max_iter='auto': 20 000 updates on their 40 samples, one batch an epoch) they
#: fitted 10 sparse formats x 20 000 updates per classifier, 6 of the suite's 14
#: minutes; they run with max_iter=200 (MLPClassifier's default) instead, every
#: other check with the defaults.  Sparse training itself is checked against the
#: dense fit, weight by weight, in tests/test_sparse.py.
SPARSE_INPUT_CHECKS = ("check_estimator_sparse_array", "check_estimator_sparse_matrix",
                       "check_estimator_sparse_tag")


def _check_name(item):
    """The check's function name; ``item`` is (estimator, check) or a pytest.param."""
    _, check = item.values if hasattr(item, "marks") else item
    return check.func.__name__


def _checks(estimator, sparse_input):
    """sklearn's checks of ``estimator``: the sparse-input ones, or all others."""
    return [item for item in estimator_checks_generator(
                estimator, legacy=True, mark="xfail",
                expected_failed_checks=_expected_failed_checks(estimator))
            if (_check_name(item) in SPARSE_INPUT_CHECKS) is sparse_input]


CONFORMANCE_CHECKS = [item for Est in (BinaryMLPClassifier, MulticlassMLPClassifier)
                      for item in _checks(Est(), sparse_input=False)
                      + _checks(Est(max_iter=200), sparse_input=True)]


def test_every_sklearn_check_is_run_once_per_classifier():
    names = sorted(_check_name(item) for item in CONFORMANCE_CHECKS)
    expected = sorted(_check_name(item) for Est in (BinaryMLPClassifier,
                                                    MulticlassMLPClassifier)
                      for item in estimator_checks_generator(Est(), legacy=True))
    assert names == expected
    assert sum(name in SPARSE_INPUT_CHECKS for name in names) == 2 * len(SPARSE_INPUT_CHECKS)


@pytest.mark.parametrize("estimator, check", CONFORMANCE_CHECKS,
                         ids=_get_check_estimator_ids)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# ---------------------------------------------------------------------------
# the seed's problems, with the defaults plus the architecture
# ---------------------------------------------------------------------------
def test_xor_2_2_1_is_solved():
    X, y = make_xor()
    solved = [
        np.array_equal(BinaryMLPClassifier(hidden_layer_sizes=(2,), random_state=seed)
                       .fit(X, y).predict(X), y)
        for seed in range(10)
    ]
    # benchmarks/bench_toy_problems.py sweeps random_state 0-999 (issue 9 asks
    # >= 999 of them); seeds 3, 5, 6, 7 and 9 start in a valley and are retried
    assert all(solved)


def test_double_arc_2_2_1_reaches_99_percent():
    X, y = make_double_arc(600, random_state=1)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=1)
    clf = BinaryMLPClassifier(hidden_layer_sizes=(2,), random_state=1).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.99


@pytest.mark.parametrize("hidden, target", [((3,), 0.95), ((8,), 0.97)])
def test_coin_hole(hidden, target):
    X, y = make_coin_hole(1000, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    clf = MulticlassMLPClassifier(hidden_layer_sizes=hidden, random_state=0)
    assert clf.fit(X_train, y_train).score(X_test, y_test) >= target


def test_seed_mnist_architecture_builds_the_seed_net():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(40, 784)).astype(np.float32)
    y = np.arange(40) % 10
    clf = MulticlassMLPClassifier(hidden_layer_sizes=(64, 16), activation=("logistic", "tanh"),
                                  max_iter=2, random_state=0).fit(X, y)
    assert [W.shape for W in clf.coefs_] == [(784, 64), (64, 16), (16, 10)]
    assert clf.activations_ == ("logistic", "tanh") and clf.out_activation_ == "softmax"
    assert clf.coefs_[0].dtype == np.float32  # float32 input trains in float32
    # hidden_activations is the seed's A1 = sigmoid(X W1 + B1), A2 = tanh(A1 W2 + B2)
    A1 = 1 / (1 + np.exp(-(X.astype(np.float64) @ clf.coefs_[0] + clf.intercepts_[0])))
    A2 = np.tanh(A1 @ clf.coefs_[1] + clf.intercepts_[1])
    hidden = clf.hidden_activations(X)
    np.testing.assert_allclose(hidden[0], A1, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(hidden[1], A2, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------------
# oracle: scikit-learn's MLPClassifier makes the same SGD step
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("ours, n_classes", [(BinaryMLPClassifier, 2),
                                             (MulticlassMLPClassifier, 3)])
def test_one_sgd_step_equals_mlpclassifier(ours, n_classes):
    X, y = make_classification(60, 5, n_informative=4, n_redundant=0,
                               n_classes=n_classes, random_state=0)
    common = dict(hidden_layer_sizes=(7, 4), activation="tanh", solver="sgd",
                  momentum=0.0, learning_rate_init=0.1, alpha=0.01, batch_size=60,
                  shuffle=False, max_iter=1)
    theirs = MLPClassifier(random_state=0, **common).fit(X, y)
    mine = ours(random_state=0, n_init=1, **common).fit(X, y)
    # start both from the same weights, then take one full-batch step each
    start_W = [W.copy() for W in mine.coefs_]
    start_b = [b.copy() for b in mine.intercepts_]
    theirs.coefs_ = [W.copy() for W in start_W]
    theirs.intercepts_ = [b.copy() for b in start_b]
    del theirs._optimizer  # a fresh SGD optimizer, like ours after fit(max_iter=1)
    theirs.partial_fit(X, y)
    mine.partial_fit(X, y)
    for a, b in zip(mine.coefs_ + mine.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mine.predict_proba(X), theirs.predict_proba(X), rtol=1e-10)


# ---------------------------------------------------------------------------
# sklearn tooling
# ---------------------------------------------------------------------------
def _coin(n=400, seed=0):
    return make_coin_hole(n, random_state=seed)


def test_in_pipeline_and_cross_validate():
    X, y = _coin()
    pipe = make_pipeline(StandardScaler(), MulticlassMLPClassifier((8,), max_iter=300,
                                                                   random_state=0))
    result = cross_validate(pipe, X, y, cv=3, scoring=["accuracy", "f1_macro"])
    assert result["test_accuracy"].mean() > 0.85
    assert np.all(result["test_f1_macro"] > 0.7)


def test_grid_search_learning_rate_against_batch_size():
    X, y = make_classification(300, 4, n_informative=2, n_redundant=0, random_state=0)
    grid = GridSearchCV(
        MulticlassMLPClassifier((8,), max_iter=50, random_state=0),
        {"learning_rate_init": [1e-6, 0.05], "batch_size": [16, 64]}, cv=3,
    ).fit(X, y)
    assert grid.best_params_["learning_rate_init"] == 0.05
    assert len(grid.cv_results_["params"]) == 4
    score = {(p["learning_rate_init"], p["batch_size"]): s for p, s in
             zip(grid.cv_results_["params"], grid.cv_results_["mean_test_score"])}
    for batch_size in (16, 64):  # lr 1e-6 barely moves from the initial weights
        assert score[0.05, batch_size] > score[1e-6, batch_size] + 0.1


def test_grid_search_over_schedule_parameter():
    X, y = _coin(300)
    grid = GridSearchCV(
        MulticlassMLPClassifier((8,), max_iter=60, random_state=0,
                                lr_schedule=ExponentialSchedule()),
        {"lr_schedule__gamma": [0.5, 0.9999]}, cv=3,
    ).fit(X, y)
    # gamma=0.5 per update kills the learning rate after a few steps
    assert grid.best_params_["lr_schedule__gamma"] == 0.9999


def test_imblearn_pipeline_with_random_over_sampler_and_sklearn_metrics():
    X, y = make_classification(600, 4, n_informative=3, n_redundant=0,
                               weights=[0.9, 0.1], random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    pipe = make_imb_pipeline(RandomOverSampler(random_state=0),
                             BinaryMLPClassifier((8,), max_iter=200, random_state=0))
    pipe.fit(X_train, y_train)
    proba = pipe.predict_proba(X_test)[:, 1]
    assert roc_auc_score(y_test, proba) > 0.8
    cm = confusion_matrix(y_test, pipe.predict(X_test))
    assert cm.sum() == len(y_test)
    assert f1_score(y_test, pipe.predict(X_test)) > 0.4


def test_string_labels_end_to_end():
    X, y = make_coin_hole(300, random_state=2)
    names = np.array(["hole", "ring", "outside"])[y]
    clf = MulticlassMLPClassifier((8,), random_state=0).fit(X, names)
    assert set(clf.predict(X)) <= set(names)
    assert list(clf.classes_) == sorted(set(names))
    assert clf.score(X, names) > 0.9
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[clf.predict_proba(X).argmax(1)])
    Xb, yb = make_xor(40, noise=0.05, random_state=0)
    words = np.where(yb == 1, "yes", "no")
    binary = BinaryMLPClassifier((4,), random_state=0).fit(Xb, words)
    assert list(binary.classes_) == ["no", "yes"]
    assert (binary.predict(Xb) == words).mean() == 1.0


# ---------------------------------------------------------------------------
# bad input: sklearn-style errors naming what is wrong
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("Est", [BinaryMLPClassifier, MulticlassMLPClassifier])
def test_bad_input(Est):
    X, y = make_xor(8)
    with pytest.raises(ValueError, match="NaN"):
        Est().fit(np.where(X == 0, np.nan, X), y)
    with pytest.raises(ValueError, match="infinity"):
        Est().fit(np.where(X == 0, np.inf, X), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Est().fit(X, y[:-1])
    with pytest.raises(ValueError, match="only one class"):
        Est().fit(X, np.zeros(8))
    with pytest.raises(ValueError, match="'swish'"):
        Est(activation="swish").fit(X, y)
    with pytest.raises(ValueError, match="activation has 1 names but hidden_layer_sizes has 2"):
        Est(hidden_layer_sizes=(3, 3), activation=["tanh"]).fit(X, y)
    with pytest.raises(InvalidParameterError, match="learning_rate_init"):
        Est(learning_rate_init=-0.1).fit(X, y)
    with pytest.raises(ValueError, match="lr_schedule"):
        Est(lr_schedule="cosine").fit(X, y)
    with pytest.raises(ValueError, match="dtype"):
        Est(dtype="int8").fit(X, y)
    with pytest.raises(NotFittedError):
        Est().predict(X)
    clf = Est(max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        clf.predict(np.ones((2, 3)))


def test_binary_refuses_three_classes():
    X, y = make_coin_hole(60, random_state=0)
    with pytest.raises(ValueError, match="Only binary classification.*3 classes"):
        BinaryMLPClassifier().fit(X, y)


@pytest.mark.parametrize("warm", [False, True])
def test_divergence_raises_and_leaves_no_nan_model(warm):
    X, y = _coin(200)
    X = X * 1e3  # unscaled input and a huge learning rate blow up
    clf = MulticlassMLPClassifier((8,), activation="relu", max_iter=30, dtype="float32",
                                  random_state=0)
    if warm:
        clf.set_params(learning_rate_init=1e-3, warm_start=True).fit(X, y)
        before = [W.copy() for W in clf.coefs_]
    clf.set_params(learning_rate_init=1e6, solver="sgd", momentum=0.9)
    with pytest.raises(FloatingPointError, match="learning_rate_init=1000000.0.*smaller"):
        clf.fit(X, y)
    if warm:
        for W, W0 in zip(clf.coefs_, before):
            np.testing.assert_array_equal(W, W0)
        assert np.isfinite(clf.predict_proba(X)).all()
    else:
        with pytest.raises(NotFittedError):
            clf.predict(X)


# ---------------------------------------------------------------------------
# training-loop behaviour
# ---------------------------------------------------------------------------
def test_random_state_gives_bit_identical_refits():
    X, y = _coin(300)
    a = MulticlassMLPClassifier((8,), max_iter=30, random_state=7).fit(X, y)
    b = clone(a).fit(X, y)
    for Wa, Wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(Wa, Wb)
    c = clone(a).set_params(random_state=8).fit(X, y)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_float32_training_agrees_with_float64():
    X, y = _coin(400)
    kw = dict(hidden_layer_sizes=(8,), max_iter=100, random_state=0, n_init=1)
    f64 = MulticlassMLPClassifier(dtype="float64", **kw).fit(X, y)
    f32 = MulticlassMLPClassifier(dtype="float32", **kw).fit(X, y)
    assert f32.coefs_[0].dtype == np.float32 and f64.coefs_[0].dtype == np.float64
    # same init and batches: the trajectories differ only by rounding
    np.testing.assert_allclose(f32.loss_curve_, f64.loss_curve_, rtol=2e-3)
    assert np.abs(f32.predict_proba(X) - f64.predict_proba(X)).max() < 1e-2
    assert (f32.predict(X) == f64.predict(X)).mean() > 0.99


def test_sample_weight_equals_repetition_and_class_weight_equals_sample_weight():
    X, y = _coin(120)
    kw = dict(hidden_layer_sizes=(5,), max_iter=20, batch_size=1000, shuffle=False,
              random_state=0, n_init=1)
    reps = np.arange(len(y)) % 3  # repeat sample i reps[i] times (0 = dropped)
    repeated = MulticlassMLPClassifier(**kw).fit(np.repeat(X, reps, axis=0), np.repeat(y, reps))
    weighted = MulticlassMLPClassifier(**kw).fit(X, y, sample_weight=reps)
    for a, b in zip(repeated.coefs_, weighted.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)

    cw = {0: 3.0, 1: 0.5, 2: 1.0}
    by_class = MulticlassMLPClassifier(class_weight=cw, **kw).fit(X, y)
    by_sample = MulticlassMLPClassifier(**kw).fit(X, y, sample_weight=[cw[c] for c in y])
    for a, b in zip(by_class.coefs_, by_sample.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_balanced_class_weight_raises_minority_recall():
    X, y = make_classification(1000, 4, n_informative=2, n_redundant=0, weights=[0.95],
                               class_sep=0.6, random_state=3)
    kw = dict(hidden_layer_sizes=(8,), max_iter=100, random_state=0)
    plain = BinaryMLPClassifier(**kw).fit(X, y)
    balanced = BinaryMLPClassifier(class_weight="balanced", **kw).fit(X, y)
    recall = lambda clf: (clf.predict(X)[y == 1] == 1).mean()  # noqa: E731
    assert recall(balanced) > recall(plain) + 0.2


def test_schedule_drives_the_learning_rate():
    # poly with max_steps=1: lr = base for the first update, 0 afterwards, so
    # 20 epochs of plain SGD end where a single update does.
    X, y = _coin(100)
    kw = dict(hidden_layer_sizes=(4,), solver="sgd", momentum=0.0, batch_size=100,
              shuffle=False, random_state=0, n_init=1)
    scheduled = MulticlassMLPClassifier(
        max_iter=20, n_iter_no_change=100,
        lr_schedule=PolynomialSchedule(max_steps=1, power=1.0), **kw
    ).fit(X, y)
    one_step = MulticlassMLPClassifier(max_iter=1, **kw).fit(X, y)
    for a, b in zip(scheduled.coefs_, one_step.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert scheduled.n_iter_ == 20


def test_early_stopping_records_curves_and_keeps_best_weights():
    X, y = _coin(500)
    # batch 4: 113 updates an epoch, so the stopping rule looks every epoch
    clf = MulticlassMLPClassifier((8,), early_stopping=True, max_iter=150, batch_size=4,
                                  n_iter_no_change=5, random_state=0).fit(X, y)
    assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None and clf.n_iter_ < 150


def test_stopping_rule_looks_every_100_updates_on_small_data(monkeypatch):
    X, y = make_xor()  # one update per epoch: the rule looks every 100 epochs
    clf = BinaryMLPClassifier((2,), n_init=1, random_state=0).fit(X, y)
    assert clf.n_iter_ % 100 == 0 and clf.n_iter_ < 20000  # stopped at a check
    assert np.array_equal(clf.predict(X), y)
    # sklearn's rule (look every epoch) stops plain SGD on the initial plateau
    stuck = BinaryMLPClassifier((2,), n_init=1, random_state=0, solver="sgd",
                                learning_rate_init=0.3)
    monkeypatch.setattr(stopping, "epoch_budget", lambda max_iter, n_batches: (20000, 1))
    stuck.fit(X, y)
    assert stuck.n_iter_ < 100 and stuck.loss_ > 0.6


def test_partial_fit_trains_a_single_initialisation():
    X, y = make_xor()  # a 2-2-1 net: n_init='auto' would mean 3 for fit
    auto = BinaryMLPClassifier((2,), random_state=0).partial_fit(X, y, classes=[0, 1])
    one = BinaryMLPClassifier((2,), n_init=1, random_state=0).partial_fit(X, y, classes=[0, 1])
    for a, b in zip(auto.coefs_ + auto.intercepts_, one.coefs_ + one.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_partial_fit_and_warm_start_continue_training():
    X, y = _coin(300)
    clf = MulticlassMLPClassifier((8,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    for _ in range(30):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    # n_iter_ counts the epochs of the last call (sklearn 1.9); loss_curve_ all of them
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 30
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    with pytest.raises(ValueError, match=r"labels \[7\]"):
        clf.partial_fit(X[:3], [7, 0, 1])

    Xc, yc = make_classification(300, 4, n_informative=3, n_redundant=0, n_classes=3,
                                 random_state=0)
    warm = MulticlassMLPClassifier((8,), max_iter=10, warm_start=True, random_state=0)
    warm.fit(Xc, yc)
    first = warm.loss_curve_[-1]
    warm.fit(Xc, yc)
    assert warm.n_iter_ == 10 and len(warm.loss_curve_) == 20  # n_iter_ per fit
    assert warm.loss_curve_[-1] < first


def test_convergence_warning_when_max_iter_is_reached():
    X, y = _coin(100)
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        MulticlassMLPClassifier((4,), max_iter=3, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = MulticlassMLPClassifier((4,), max_iter=5000, tol=1.0, random_state=0).fit(X, y)
    # the loss cannot improve by 1.0: the first look sets the best loss, the
    # next 11 fail to beat it (> n_iter_no_change=10) and the 12th stops; with
    # one batch an epoch the rule looks every 100 epochs
    assert clf.n_iter_ == 1200


def test_probabilities_and_decision_function_agree():
    X, y = load_iris(return_X_y=True)
    clf = make_pipeline(StandardScaler(),
                        MulticlassMLPClassifier((6,), max_iter=200, random_state=0)).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-10)
    scores = clf.decision_function(X)
    np.testing.assert_array_equal(clf.classes_[scores.argmax(axis=1)], clf.predict(X))

    Xb, yb = make_double_arc(200, random_state=0)
    b = BinaryMLPClassifier((3,), random_state=0).fit(Xb, yb)
    z = b.decision_function(Xb)
    np.testing.assert_allclose(b.predict_proba(Xb)[:, 1], 1 / (1 + np.exp(-z)))
    np.testing.assert_array_equal(b.predict(Xb), b.classes_[(z > 0).astype(int)])


def test_n_init_keeps_the_best_of_several_initialisations():
    X, y = make_xor()
    # seed 3's first initialisation ends in the 2-2-1 XOR valley where two
    # samples get p = 0.5: loss ln(2)/2 = 0.347 (plus a little L2)
    one = BinaryMLPClassifier((2,), n_init=1, random_state=3).fit(X, y)
    assert one.loss_ == pytest.approx(np.log(2) / 2, abs=0.01)
    # n_init=3 starts with that same initialisation, then tries two more and
    # keeps the lowest final loss
    three = BinaryMLPClassifier((2,), n_init=3, random_state=3).fit(X, y)
    assert three.loss_ < 0.05
    assert np.array_equal(three.predict(X), y)
    assert stopping.n_initialisations("auto", [2, 2, 1]) == 3
    assert stopping.n_initialisations("auto", [784, 64, 1]) == 1


def test_auto_retries_a_seed_stuck_in_the_valley_and_stops_once_solved():
    X, y = make_xor()
    # seed 3 alone ends where two samples sit at p = 1/2: loss ln(2)/2
    one = BinaryMLPClassifier((2,), n_init=1, random_state=3).fit(X, y)
    assert one.loss_ == pytest.approx(np.log(2) / 2, abs=0.01)
    assert one.score(X, y) == 0.5 and one.n_init_ == 1
    # 'auto' sees the valley, starts again, and stops at the first solved net:
    # the same first initialisation, a second one, and a third that solves XOR
    auto = BinaryMLPClassifier((2,), random_state=3).fit(X, y)
    assert auto.score(X, y) == 1.0 and auto.loss_ < 0.05
    assert auto.n_init_ == 3
    # a net solved at the first try is not trained again
    assert BinaryMLPClassifier((2,), random_state=0).fit(X, y).n_init_ == 1
    # an explicit integer is exactly that many initialisations, the best kept
    two = BinaryMLPClassifier((2,), n_init=2, random_state=0).fit(X, y)
    assert two.n_init_ == 2 and two.score(X, y) == 1.0


def test_valleys_do_not_count_as_tries():
    # one point with both labels: every net stalls at loss ln 2, the loss of
    # the class frequencies, misclassifying a sample: each run is a valley,
    # retried without counting until the cap, 3 + MAX_VALLEY_RETRIES runs
    X, y = np.zeros((2, 2)), np.array([0, 1])
    clf = BinaryMLPClassifier((1,), random_state=0).fit(X, y)
    assert clf.n_init_ == 3 + MAX_VALLEY_RETRIES
    assert clf.loss_ == pytest.approx(np.log(2), abs=1e-3)
    # 9 of 10 copies of a point labelled 0, 1 labelled 1, and 10 points of
    # class 1 elsewhere: the best loss, 0.5 * H(0.9) = 0.16, is below 1/3 of
    # ln 2; runs that end there count, so 'auto' stops after 3
    X = np.repeat([[0.0, 0.0], [1.0, 1.0]], 10, axis=0)
    y = np.r_[np.zeros(9, int), 1, np.ones(10, int)]
    clf = BinaryMLPClassifier((1,), random_state=0).fit(X, y)
    assert clf.n_init_ == 3 and clf.score(X, y) == 0.95
    best = -0.5 * (0.9 * np.log(0.9) + 0.1 * np.log(0.1))
    assert clf.loss_ == pytest.approx(best, abs=0.01)


def test_valley_detection():
    X, y = make_xor()
    clf = BinaryMLPClassifier((2,))
    # the loss of predicting the class frequencies (their entropy): ln 2 for
    # XOR's 2:2, and -(0.25 ln 0.25 + 0.75 ln 0.75) when class 1 weighs 3
    assert stopping.prior_loss(np.array([0, 1, 1, 0]), None) == pytest.approx(np.log(2))
    weighted = stopping.prior_loss(np.array([0, 1]), np.array([1.0, 3.0]))
    assert weighted == pytest.approx(-(0.25 * np.log(0.25) + 0.75 * np.log(0.75)))
    # XOR's two valleys (two samples at p = 1/2; three at p = 1/3) are valleys
    # when training stalled there; a solved net, or one still moving, is not
    two_half = -2 * np.log(0.5) / 4
    three_third = -(2 * np.log(2 / 3) + np.log(1 / 3)) / 4
    for loss, stalled, expected in [(two_half, True, True), (three_third, True, True),
                                    (0.01, True, False), (two_half, False, False)]:
        state = SimpleNamespace(loss=loss, stopped_early=stalled)
        assert stopping.in_valley(state, np.log(2)) is expected
    assert VALLEY_LOSS_FRACTION * np.log(2) < two_half
    # the stuck run of seed 3 stalled (no ConvergenceWarning) in the first valley
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        stuck = BinaryMLPClassifier((2,), n_init=1, random_state=3).fit(X, y)
    assert stuck.loss_ == pytest.approx(two_half, abs=0.01)


def test_fixed_random_state_refits_bit_identically():
    X, y = make_xor()
    first = BinaryMLPClassifier((2,), random_state=3).fit(X, y)  # valleys, then retries
    again = clone(first).fit(X, y)
    assert first.n_init_ == again.n_init_ == 3
    for a, b in zip(first.coefs_ + first.intercepts_, again.coefs_ + again.intercepts_):
        np.testing.assert_array_equal(a, b)
    first.fit(X, y)  # refitting the same object: the same again
    for a, b in zip(first.coefs_ + first.intercepts_, again.coefs_ + again.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_bench_toy_problems_smoke():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    script = os.path.join(root, "benchmarks", "bench_toy_problems.py")
    run = subprocess.run(
        [sys.executable, script, "--problems", "xor", "--xor-seeds", "2", "4",
         "--no-sklearn"], capture_output=True, text=True, timeout=300, cwd=root,
        env={**os.environ, "PYTHONPATH": root})
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.strip().splitlines()
    xor = json.loads(lines[-1])["results"]["XOR 2-2-1"]
    # seeds 2 and 3: 2 is solved at once, 3 at its third initialisation (above)
    assert xor["seeds"] == [2, 4] and xor["failures"] == [] and xor["mean"] == 1.0
    assert xor["mean_inits"] == 2.0 and xor["max_inits"] == 3
    assert any(line.startswith("XOR 2-2-1") for line in lines)


# ---------------------------------------------------------------------------
# public seams: the objective and the training state
# ---------------------------------------------------------------------------
def test_objective_is_log_loss_plus_l2_term():
    from sklearn.metrics import log_loss

    X, y = _coin(200)
    sw = np.linspace(0.5, 2.0, len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MulticlassMLPClassifier((6,), activation="tanh", alpha=0.3, max_iter=5,
                                      class_weight="balanced", random_state=0)
        clf.fit(X, y, sample_weight=sw)
    before = {k: v for k, v in vars(clf).items()}
    objective = clf.objective(X, y, sample_weight=sw)
    params = list(zip(clf.coefs_, clf.intercepts_))
    # the oracle: sklearn's weighted log loss (sample x class weights) + alpha/(2S) sum W^2
    counts = np.bincount(np.searchsorted(clf.classes_, y))
    weights = sw * (len(y) / (len(counts) * counts))[np.searchsorted(clf.classes_, y)]
    expected = (log_loss(y, clf.predict_proba(X), sample_weight=weights)
                + 0.3 / (2 * weights.sum()) * sum((W**2).sum() for W in clf.coefs_))
    assert objective.loss(params) == pytest.approx(expected, rel=1e-10)
    loss, grads = objective.loss_and_gradients(params)
    assert loss == pytest.approx(expected, rel=1e-10)
    assert [g.shape for g, _ in grads] == [W.shape for W in clf.coefs_]
    assert vars(clf).keys() == before.keys()  # nothing set on the estimator
    fresh = objective.initial_params(0)
    assert [W.shape for W, _ in fresh] == [W.shape for W in clf.coefs_]
    assert all(not b.any() for _, b in fresh)


def test_objective_refuses_labels_the_fitted_net_does_not_know():
    X, y = make_xor()
    clf = BinaryMLPClassifier((2,), random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="does not know"):
        clf.objective(X, y + 5)
    with pytest.raises(ValueError, match="differ from the fitted"):
        clf.objective(X, y, classes=[0, 2])


def test_training_state_is_what_partial_fit_continues_from():
    X, y = _coin(300)
    kw = dict(hidden_layer_sizes=(8,), solver="sgd", momentum=0.9, random_state=0)
    a = MulticlassMLPClassifier(**kw).partial_fit(X, y, classes=np.unique(y))
    b = MulticlassMLPClassifier(**kw).partial_fit(X, y, classes=np.unique(y))
    a.partial_fit(X, y)  # a moves on: new weights, velocities, generator state
    public = ["coefs_", "intercepts_", "n_iter_", "t_", "loss_", "loss_curve_",
              "best_loss_", "validation_loss_curve_", "validation_scores_"]
    copied_only = clone(b).partial_fit(X, y, classes=np.unique(y))
    for target in (b, copied_only):
        for name in public:
            setattr(target, name, copy.deepcopy(getattr(a, name)))
    b.set_training_state(a.get_training_state())
    assert b.n_updates_ == a.n_updates_ == 2 * 2  # 300 samples, batches of 200
    a.partial_fit(X, y)
    b.partial_fit(X, y)
    copied_only.partial_fit(X, y)
    for W_a, W_b, W_c in zip(a.coefs_, b.coefs_, copied_only.coefs_):
        np.testing.assert_array_equal(W_a, W_b)
        assert not np.array_equal(W_a, W_c)  # the weights alone are not enough


def test_set_training_state_names_the_bad_field():
    X, y = make_xor()
    clf = BinaryMLPClassifier((2,), random_state=0).fit(X, y)
    state = clf.get_training_state()
    with pytest.raises(ValueError, match="n_updates"):
        clf.set_training_state({**state, "n_updates": -1})
    with pytest.raises(ValueError, match="PCG64"):
        clf.set_training_state({**state, "generator": {"bit_generator": "MT19937"}})
    bad = {**state["optimizer"]["state"], "ms": [np.zeros(3)]}
    with pytest.raises(ValueError, match="ms"):
        clf.set_training_state({**state, "optimizer": {"class": "AdamOptimizer",
                                                       "state": bad}})
