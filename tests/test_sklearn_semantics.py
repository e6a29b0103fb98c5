"""learning_rate, power_t, n_iter_no_change/tol and n_iter_ as MLPClassifier's.

The oracle is MLPClassifier itself: both estimators are warm-started from the
same weights (drawn here) and trained without shuffling, so every mini-batch,
gradient and learning rate is the same; equal loss curves (to rounding) and
equal stopping epochs show that the learning-rate sequence and the stopping
rule are scikit-learn's.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier
from sknn_cn.datasets import make_double_arc
from sknn_cn.training.sklearn_schedules import (
    AdaptiveSchedule,
    InvScalingSchedule,
    resolve_schedule,
)


def _prepare(est, X, y, W, B):
    """Fit one epoch (sets the fitted attributes), then put W, B in, history cleared."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.set_params(max_iter=1).fit(X, y)
    est.coefs_ = [w.copy() for w in W]
    est.intercepts_ = [b.copy() for b in B]
    est.loss_curve_ = []
    est.t_ = 0
    return est


def same_start(cls, X, y, max_iter, *, hidden=(5,), seed=0, **params):
    """MLPClassifier and ``cls`` trained from the same weights, unshuffled."""
    n_out = 1 if len(np.unique(y)) == 2 else len(np.unique(y))
    sizes = [X.shape[1], *hidden, n_out]
    rng = np.random.default_rng(seed)
    W = [rng.normal(0, 0.5, (a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    B = [rng.normal(0, 0.1, b) for b in sizes[1:]]
    common = dict(hidden_layer_sizes=hidden, activation="tanh", warm_start=True,
                  shuffle=False, **params)
    skl = _prepare(MLPClassifier(**common), X, y, W, B)
    skl.best_loss_, skl._no_improvement_count = np.inf, 0  # the oracle's own state
    ours = _prepare(cls(n_init=1, **common), X, y, W, B)
    ours.best_loss_ = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        skl.set_params(max_iter=max_iter).fit(X, y)
        ours.set_params(max_iter=max_iter).fit(X, y)
    return skl, ours


def _data(n=100):
    return make_double_arc(n, random_state=0)


def assert_same_run(skl, ours):
    assert ours.n_iter_ == skl.n_iter_
    np.testing.assert_allclose(ours.loss_curve_, skl.loss_curve_, rtol=1e-10, atol=1e-13)


# ---- learning_rate='invscaling' -------------------------------------------
def test_invscaling_schedule_is_init_over_samples_seen_plus_one():
    sched = InvScalingSchedule(power_t=0.25)
    for t in (0, 100, 200, 12345):
        assert sched(0.5, t) == 0.5 / (t + 1) ** 0.25
    assert sched.unit == "sample"


@pytest.mark.parametrize("batch_size", [100, 30])
def test_invscaling_learning_rates_match_mlpclassifier(batch_size):
    X, y = _data()
    skl, ours = same_start(BinaryMLPClassifier, X, y, 40, solver="sgd",
                           learning_rate="invscaling", power_t=0.3, learning_rate_init=0.8,
                           batch_size=batch_size, n_iter_no_change=np.inf)
    assert_same_run(skl, ours)
    assert ours.n_iter_ == 40 and ours.t_ == skl.t_ == 4000
    # the rate of the last epoch is the one the loop passes for t_ before it
    last = resolve_schedule("fixed", "invscaling", 0.3, "sgd")(0.8, ours.t_ - 100)
    assert last == pytest.approx(0.8 / 3901 ** 0.3)


def test_invscaling_continues_from_t_in_partial_fit():
    X, y = _data()
    kw = dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.5,
              momentum=0.0, batch_size=100, n_iter_no_change=np.inf)
    skl, ours = same_start(BinaryMLPClassifier, X, y, 1, **kw)
    for _ in range(5):
        skl.partial_fit(X, y)
        ours.partial_fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, skl.loss_curve_, rtol=1e-10)
    assert ours.t_ == skl.t_ == 600


# ---- learning_rate='adaptive' ----------------------------------------------
def test_adaptive_divides_by_5_and_stops_below_1e_6_like_mlpclassifier():
    # tol=10: no epoch improves, so every n_iter_no_change + 1 = 3 epochs the
    # rate is divided by 5: 0.1 / 5**8 = 2.6e-7 <= 1e-6 stops at the 9th plateau
    X, y = _data()
    skl, ours = same_start(BinaryMLPClassifier, X, y, 500, solver="sgd",
                           learning_rate="adaptive", learning_rate_init=0.1, tol=10.0,
                           n_iter_no_change=2, batch_size=25)
    assert_same_run(skl, ours)
    assert skl._optimizer.learning_rate == AdaptiveSchedule()(0.1, 8) <= 1e-6
    assert ours.n_iter_ < 500


def test_adaptive_schedule_divides_one_step_at_a_time():
    sched = AdaptiveSchedule()
    lr = 0.1
    for k in range(10):
        assert sched(0.1, k) == lr  # bit for bit sklearn's `learning_rate /= 5`
        assert sched.can_decay(0.1, k) == (lr > 1e-6)
        lr /= 5.0


def test_adaptive_on_a_real_plateau_matches_mlpclassifier():
    X, y = make_classification(150, 6, random_state=0)
    skl, ours = same_start(BinaryMLPClassifier, X, y, 300, solver="sgd",
                           learning_rate="adaptive", learning_rate_init=0.2, tol=1e-3,
                           n_iter_no_change=3, batch_size=50)
    assert_same_run(skl, ours)


def test_adaptive_divides_in_partial_fit_too():
    X, y = _data()
    kw = dict(solver="sgd", learning_rate="adaptive", learning_rate_init=0.1,
              momentum=0.0, tol=10.0, n_iter_no_change=1, batch_size=100)
    skl, ours = same_start(BinaryMLPClassifier, X, y, 1, **kw)
    for _ in range(12):
        skl.partial_fit(X, y)
        ours.partial_fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, skl.loss_curve_, rtol=1e-10)
    assert skl._optimizer.learning_rate < 0.1 / 5**3


# ---- how learning_rate and lr_schedule combine ------------------------------
@pytest.mark.parametrize("learning_rate", ["invscaling", "adaptive"])
def test_learning_rate_with_an_lr_schedule_is_a_clear_error(learning_rate):
    X, y = _data(40)
    clf = BinaryMLPClassifier(solver="sgd", learning_rate=learning_rate, lr_schedule="exp")
    with pytest.raises(ValueError, match=rf"learning_rate='{learning_rate}' and "
                                         r"lr_schedule='exp' are two rules"):
        clf.fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_learning_rate_is_ignored_by_adam_as_in_sklearn():
    X, y = _data(60)
    kw = dict(hidden_layer_sizes=(3,), max_iter=20, random_state=0, n_init=1,
              n_iter_no_change=np.inf)
    plain = BinaryMLPClassifier(**kw).fit(X, y)
    other = BinaryMLPClassifier(learning_rate="invscaling", power_t=0.9, **kw).fit(X, y)
    np.testing.assert_array_equal(plain.coefs_[0], other.coefs_[0])


def test_constant_keeps_lr_schedule_in_charge():
    assert type(resolve_schedule("exp", "constant", 0.5, "sgd")).__name__ == \
        "ExponentialSchedule"
    assert isinstance(resolve_schedule("fixed", "adaptive", 0.5, "sgd"), AdaptiveSchedule)


# ---- n_iter_no_change and tol ----------------------------------------------
@pytest.mark.parametrize("n_iter_no_change", [2, 10, 50])
def test_explicit_n_iter_no_change_stops_where_mlpclassifier_stops(n_iter_no_change):
    # 100 samples, batch 200 -> one update an epoch: 'auto' would look every
    # 100 epochs; an explicit value looks every epoch, as sklearn
    X, y = _data()
    skl, ours = same_start(BinaryMLPClassifier, X, y, 3000, solver="sgd",
                           learning_rate_init=0.1, tol=1e-3,
                           n_iter_no_change=n_iter_no_change)
    assert_same_run(skl, ours)
    assert ours.n_iter_ < 3000


def test_explicit_n_iter_no_change_with_adam_and_minibatches():
    X, y = make_classification(200, 5, random_state=1)
    skl, ours = same_start(BinaryMLPClassifier, X, y, 1000, solver="adam",
                           learning_rate_init=0.01, tol=1e-4, n_iter_no_change=10,
                           batch_size=64)
    assert_same_run(skl, ours)


def test_auto_n_iter_no_change_keeps_the_small_data_protection():
    X, y = _data()
    clf = BinaryMLPClassifier((5,), solver="sgd", learning_rate_init=0.1, tol=1e-3,
                              n_init=1, random_state=0).fit(X, y)
    assert clf.n_iter_no_change == "auto"
    assert clf.n_iter_ % 100 == 0  # one batch an epoch: a look every 100 epochs
    ten = BinaryMLPClassifier((5,), solver="sgd", learning_rate_init=0.1, tol=1e-3,
                              n_init=1, random_state=0, n_iter_no_change=10).fit(X, y)
    assert ten.n_iter_ < clf.n_iter_


def test_infinite_n_iter_no_change_runs_max_iter():
    X, y = _data()
    skl, ours = same_start(BinaryMLPClassifier, X, y, 60, solver="sgd", tol=1e9,
                           learning_rate_init=0.1, n_iter_no_change=np.inf)
    assert_same_run(skl, ours)
    assert ours.n_iter_ == 60


# ---- n_iter_ per fit (scikit-learn 1.9) -------------------------------------
def test_n_iter_counts_the_last_fit_only_like_mlpclassifier():
    X, y = make_classification(100, random_state=0)
    kw = dict(max_iter=3, warm_start=True, random_state=0, n_iter_no_change=np.inf)
    counts = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for est in (MLPClassifier(**kw), MulticlassMLPClassifier(**kw)):
            est.fit(X, y)
            first = est.n_iter_
            est.fit(X, y)
            second = est.n_iter_
            est.partial_fit(X, y)
            counts.append((first, second, est.n_iter_, len(est.loss_curve_)))
    assert counts[0] == counts[1] == (3, 3, 1, 7)


# ---- the early-stopping split ----------------------------------------------
def test_split_error_names_the_class_by_its_label():
    X = np.arange(12.0).reshape(6, 2)
    y = ["a", "a", "a", "a", "b", "c"]
    with pytest.raises(ValueError, match=r"the classes \['b', 'c'\] have only 1 sample"):
        MulticlassMLPClassifier(early_stopping=True).fit(X, y)


def test_warm_start_refit_goes_on_with_the_no_improvement_count():
    # sklearn keeps its no-improvement count (and best loss) into a warm_start
    # refit: after an early stop the next fit stops as soon as it fails once more
    X, y = _data()
    skl, ours = same_start(BinaryMLPClassifier, X, y, 3000, solver="sgd",
                           learning_rate_init=0.1, tol=1e-3, n_iter_no_change=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        skl.fit(X, y)
        ours.fit(X, y)
    assert_same_run(skl, ours)
    assert ours.n_iter_ < 5
