"""solver='lbfgs' against MLPClassifier(solver='lbfgs') from the same initial weights.

The oracle is scikit-learn's own L-BFGS path: both estimators are warm-started
from the same weights (drawn here), so the same objective minimised by the same
scipy routine must give the same iterations, loss and weights, up to rounding.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier
from sknn_cn.datasets import make_double_arc, make_xor
from sknn_cn.persistence import load_model, save_model


def _weights(sizes, seed):
    rng = np.random.default_rng(seed)
    W = [rng.normal(0, 0.5, (a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    B = [rng.normal(0, 0.1, b) for b in sizes[1:]]
    return W, B


def _start_from(est, X, y, W, B, **fit_kw):
    """Fit once (1 iteration) to set the fitted attributes, then put W, B in."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.set_params(max_iter=1).fit(X, y, **fit_kw)
    est.coefs_ = [w.copy() for w in W]
    est.intercepts_ = [b.copy() for b in B]
    return est


def same_start(cls, X, y, hidden, max_iter, seed=0, fit_kw=None, ours_kw=None,
               activation="tanh", **params):
    """MLPClassifier and ``cls`` fitted with lbfgs from the same weights.

    (``activation`` is passed to both: the two classes' defaults differ.)
    """
    fit_kw = fit_kw or {}
    n_out = 1 if len(np.unique(y)) == 2 else len(np.unique(y))
    W, B = _weights([X.shape[1], *hidden, n_out], seed)
    common = dict(hidden_layer_sizes=hidden, solver="lbfgs", warm_start=True,
                  activation=activation, **params)
    skl = _start_from(MLPClassifier(**common), X, y, W, B, **fit_kw)
    ours = _start_from(cls(n_init=1, **common, **(ours_kw or {})), X, y, W, B)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        skl.set_params(max_iter=max_iter).fit(X, y, **fit_kw)
        ours.set_params(max_iter=max_iter).fit(X, y, **fit_kw)
    return skl, ours


def _iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


PROBLEMS = {
    # name: (classifier, data, hidden, activation, max_iter, weight seed)
    # (seed 2: XOR solved; from most other starts lbfgs ends in a valley, below)
    "xor 2-2-1": (BinaryMLPClassifier, make_xor(), (2,), "tanh", 200, 2),
    "double arc 2-5-1": (BinaryMLPClassifier, make_double_arc(100, random_state=0), (5,),
                         "tanh", 200, 0),
    # 30 iterations: later, rounding differences grow on this non-convex problem
    "iris 4-10-3": (MulticlassMLPClassifier, _iris(), (10,), "logistic", 30, 0),
}


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_same_iterations_loss_and_weights_as_mlpclassifier(name):
    cls, (X, y), hidden, activation, max_iter, seed = PROBLEMS[name]
    skl, ours = same_start(cls, X, y, hidden, max_iter, seed=seed, activation=activation)
    assert ours.n_iter_ == skl.n_iter_
    assert ours.loss_ == pytest.approx(skl.loss_, rel=1e-8, abs=1e-12)
    for a, b in zip(ours.coefs_ + ours.intercepts_, skl.coefs_ + skl.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(ours.predict(X), skl.predict(X))


@pytest.mark.parametrize("seed", range(8))
def test_xor_from_many_starts_same_iterations_as_mlpclassifier(seed):
    # in XOR's flat valleys (loss ~0.3485) the gradient test stops where
    # rounding decides the last digits: same iterations, loss to 1e-5
    X, y = make_xor()
    skl, ours = same_start(BinaryMLPClassifier, X, y, (2,), 200, seed=seed,
                           activation="tanh")
    assert ours.n_iter_ == skl.n_iter_
    assert ours.loss_ == pytest.approx(skl.loss_, rel=1e-5)


def test_sample_and_class_weights_enter_the_objective_as_in_sklearn():
    X, y = make_double_arc(80, random_state=1)
    sw = np.random.default_rng(0).uniform(0.2, 3.0, len(y))
    # class_weight {0: 3} times sample_weight is sklearn's sample_weight * 3 on class 0
    skl, ours = same_start(BinaryMLPClassifier, X, y, (4,), 15, activation="tanh",
                           fit_kw={"sample_weight": sw * np.where(y == 0, 3.0, 1.0)},
                           alpha=1e-2)
    _, ours = same_start(BinaryMLPClassifier, X, y, (4,), 15, activation="tanh",
                         fit_kw={"sample_weight": sw}, alpha=1e-2,
                         ours_kw={"class_weight": {0: 3.0, 1: 1.0}})
    assert ours.n_iter_ == skl.n_iter_ == 15
    assert ours.loss_ == pytest.approx(skl.loss_, rel=1e-8)


def test_max_iter_caps_n_iter_with_a_convergence_warning():
    X, y = _iris()
    clf = MulticlassMLPClassifier((10,), solver="lbfgs", max_iter=7, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"lbfgs failed to converge after 7"):
        clf.fit(X, y)
    assert clf.n_iter_ == 7
    assert len(clf.loss_curve_) == 7 and clf.loss_curve_[-1] == pytest.approx(clf.loss_)


def test_max_fun_is_respected_like_mlpclassifier():
    X, y = _iris()
    skl, ours = same_start(MulticlassMLPClassifier, X, y, (10,), 150, max_fun=10)
    assert ours.n_iter_ == skl.n_iter_ <= 10
    assert ours.loss_ == pytest.approx(skl.loss_, rel=1e-8)
    clf = MulticlassMLPClassifier((10,), solver="lbfgs", max_fun=10, random_state=0)
    with pytest.warns(ConvergenceWarning, match="max_fun=10"):
        clf.fit(X, y)
    assert clf.n_iter_ <= 10


def test_converged_fit_warns_nothing_and_solves_xor():
    X, y = make_xor()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = BinaryMLPClassifier((2,), solver="lbfgs", random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.predict(X), y)
    assert 0 < clf.n_iter_ < 200


def test_partial_fit_is_absent_for_lbfgs_as_in_sklearn():
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    for cls in (BinaryMLPClassifier, MulticlassMLPClassifier):
        assert not hasattr(cls(solver="lbfgs"), "partial_fit")
        assert hasattr(cls(solver="sgd"), "partial_fit")
        with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as info:
            cls(solver="lbfgs").partial_fit
        assert "solver='lbfgs' is not stochastic" in str(info.value.__cause__)


def test_divergence_raises_and_leaves_the_estimator_as_it_was():
    X, y = make_double_arc(60, random_state=0)
    clf = BinaryMLPClassifier((3,), solver="lbfgs", random_state=0, warm_start=True)
    clf.fit(X, y)
    before = {k: (v.copy() if isinstance(v, np.ndarray) else v)
              for k, v in vars(clf).items() if not isinstance(v, list)}
    coefs = [c.copy() for c in clf.coefs_]
    with pytest.raises(FloatingPointError, match="L-BFGS objective became NaN or infinite"):
        clf.set_params(alpha=1e308).fit(X * 1e200, y)
    clf.set_params(alpha=1e-4)
    for a, b in zip(clf.coefs_, coefs):
        np.testing.assert_array_equal(a, b)
    assert clf.n_iter_ == before["n_iter_"] and clf.loss_ == before["loss_"]


def test_warm_start_continues_and_counts_this_fit_only():
    X, y = _iris()
    clf = MulticlassMLPClassifier((10,), solver="lbfgs", max_iter=5, warm_start=True,
                                  random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    first = clf.loss_
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert clf.n_iter_ == 5 and len(clf.loss_curve_) == 5
    assert clf.loss_ < first


def test_stochastic_only_parameters_are_ignored():
    X, y = make_double_arc(60, random_state=0)
    base = BinaryMLPClassifier((3,), solver="lbfgs", random_state=0).fit(X, y)
    other = BinaryMLPClassifier((3,), solver="lbfgs", random_state=0, early_stopping=True,
                                batch_size=7, learning_rate_init=0.5, shuffle=False).fit(X, y)
    for a, b in zip(base.coefs_, other.coefs_):
        np.testing.assert_array_equal(a, b)
    assert base.validation_scores_ is None and base.best_loss_ == base.loss_


def test_an_lbfgs_model_saves_loads_and_continues_with_sgd(tmp_path):
    X, y = _iris()
    clf = MulticlassMLPClassifier((5,), solver="lbfgs", random_state=0, max_fun=50)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    path = tmp_path / "m.npz"
    save_model(clf, path)
    back = load_model(path)
    assert back.get_params()["solver"] == "lbfgs" and back.max_fun == 50
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))
    assert back.n_iter_ == clf.n_iter_ and back.loss_curve_ == clf.loss_curve_
    back.set_params(solver="sgd").partial_fit(X, y)
    assert back.n_iter_ == 1


def test_dropout_is_refused_with_lbfgs():
    X, y = make_xor()
    with pytest.raises(ValueError, match=r"dropout=0.5 needs a stochastic solver"):
        BinaryMLPClassifier((4,), solver="lbfgs", dropout=0.5).fit(X, y)


def test_ctrl_c_keeps_the_last_lbfgs_iterate(monkeypatch):
    from sknn_cn.network import Objective

    X, y = _iris()
    original = Objective.loss_and_gradients
    calls = []

    def interrupted_at_the_8th_call(self, params):
        calls.append(1)
        if len(calls) == 8:
            raise KeyboardInterrupt
        return original(self, params)

    monkeypatch.setattr(Objective, "loss_and_gradients", interrupted_at_the_8th_call)
    clf = MulticlassMLPClassifier((5,), solver="lbfgs", n_init=1, random_state=0)
    with pytest.warns(UserWarning, match="interrupted by user"):
        clf.fit(X, y)
    monkeypatch.setattr(Objective, "loss_and_gradients", original)
    # the weights are the last accepted iterate, whose objective is the curve's last
    assert 0 < len(clf.loss_curve_) == clf.n_iter_ < 8
    assert clf.objective(X, y).loss(list(zip(clf.coefs_, clf.intercepts_))) == \
        pytest.approx(clf.loss_curve_[-1], rel=1e-12)
    assert clf.loss_ == pytest.approx(clf.loss_curve_[-1], rel=1e-12)
