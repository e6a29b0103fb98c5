"""Tests for dropout (sknn_cn.network.dropout, the ``dropout`` parameter).

Oracles: two-sided differences of the frozen-mask objective written out here,
one element at a time (no reuse); torch.autograd in float64 through the same
masks and weights; the binomial law of the masks (the mean of a unit's dropped
output over K draws is its undropped output, with standard error |A| / sqrt(K)
at p = 0.5); a refit; the loss curves the code before dropout gave.
"""

import copy
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier, network
from sknn_cn.datasets import make_coin_hole
from sknn_cn.gradcheck import check_gradients
from sknn_cn.lr_finder import lr_range_test
from sknn_cn.persistence import load_model, save_model
from sknn_cn.plotting import BoundaryDisplay
from sknn_cn.training.rng import generator_from
from sknn_cn.training.split import split_validation

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(n=40, n_features=6, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, size=(n, n_features))
    y = np.arange(n) % n_classes
    rng.shuffle(y)
    return X, y


def _trained(cls=MulticlassMLPClassifier, n_classes=3, **kw):
    """A network trained a little (non-zero biases: no relu kink sits at Z = 0)."""
    X, y = _data(n_classes=n_classes)
    params = dict(hidden_layer_sizes=(7, 5), activation=("logistic", "tanh"),
                  dropout=(0.5, 0.3), alpha=1e-3, max_iter=20, random_state=0)
    params.update(kw)
    return cls(**params).fit(X, y), X, y


def _theta(params):
    return np.concatenate([W.ravel() for W, _ in params] + [b.ravel() for _, b in params])


def _unflatten(theta, params):
    out, k = [], 0
    for W, _ in params:
        out.append([theta[k:k + W.size].reshape(W.shape)])
        k += W.size
    for pair, (_, b) in zip(out, params):
        pair.append(theta[k:k + b.size])
        k += b.size
    return [tuple(pair) for pair in out]


# ---------------------------------------------------------------------------
# gradients through one frozen mask
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("cls, n_classes", [(MulticlassMLPClassifier, 3),
                                            (BinaryMLPClassifier, 2)])
@pytest.mark.parametrize("activation", [("logistic", "tanh"), ("relu", "relu")])
def test_frozen_mask_gradient_equals_two_sided_differences(cls, n_classes, activation):
    est, X, y = _trained(cls, n_classes, activation=activation)
    params = [(W.astype(np.float64), b.astype(np.float64))
              for W, b in zip(est.coefs_, est.intercepts_)]
    objective = est.objective(X, y).with_frozen_dropout(7)
    masks = objective.frozen_dropout.masks
    # each mask holds 0 or 1 / (1 - p), and some of each
    for p, M in zip((0.5, 0.3), masks):
        assert set(np.unique(M)) == {0.0, 1 / (1 - p)}
    _, grads = objective.loss_and_gradients(params)
    analytic = _theta(grads)
    theta = _theta(params)
    h = 1e-6
    numerical = np.empty_like(theta)
    for k in range(theta.size):  # the seed's step 6, one element at a time
        plus, minus = theta.copy(), theta.copy()
        plus[k] += h
        minus[k] -= h
        numerical[k] = (objective.loss(_unflatten(plus, params))
                        - objective.loss(_unflatten(minus, params))) / (2 * h)
    diff = np.linalg.norm(analytic - numerical) / (np.linalg.norm(analytic)
                                                   + np.linalg.norm(numerical))
    assert diff < 1e-7
    # and the mask matters: the undropped gradient is another vector
    _, undropped = est.objective(X, y).loss_and_gradients(params)
    assert np.linalg.norm(_theta(undropped) - analytic) > 1e-3 * np.linalg.norm(analytic)

    # the package's own check, through the same kind of frozen draw, agrees
    result = check_gradients(est, X, y, dropout="frozen", random_state=3)
    assert result.dropout_mode == "frozen" and result.passed
    assert "dropout frozen" in str(result)


def test_gradcheck_runs_with_dropout_off_by_default_and_says_so():
    est, X, y = _trained()
    result = check_gradients(est, X, y)
    assert result.dropout_mode == "off" and result.dropout == (0.5, 0.3)
    assert result.passed
    assert "dropout off (seed 1.4.3.3 note 4" in str(result)
    # off means the undropped objective: the same numbers as an estimator without dropout
    twin = copy.deepcopy(est).set_params(dropout=0.0)
    np.testing.assert_array_equal(result.analytic, check_gradients(twin, X, y).analytic)


def test_frozen_check_without_dropout_rates_is_an_error():
    X, y = _data()
    with pytest.raises(ValueError, match="dropout rate > 0"):
        check_gradients(MulticlassMLPClassifier((4,), random_state=0), X, y,
                        dropout="frozen")
    with pytest.raises(ValueError, match="'off' or 'frozen'"):
        check_gradients(MulticlassMLPClassifier((4,), random_state=0), X, y,
                        dropout="on")


@pytest.mark.parametrize("cls, n_classes", [(MulticlassMLPClassifier, 3),
                                            (BinaryMLPClassifier, 2)])
def test_frozen_mask_gradient_equals_torch_autograd(cls, n_classes):
    torch = pytest.importorskip("torch")
    est, X, y = _trained(cls, n_classes, alpha=0.05)
    params = [(W.astype(np.float64), b.astype(np.float64))
              for W, b in zip(est.coefs_, est.intercepts_)]
    sw = np.random.default_rng(1).uniform(0.5, 2, size=len(y))
    objective = est.objective(X, y, sample_weight=sw).with_frozen_dropout(11)
    loss, grads = objective.loss_and_gradients(params)

    tw = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True))
          for W, b in params]
    A = torch.tensor(X)
    acts = {"logistic": torch.sigmoid, "tanh": torch.tanh}
    for layer, (W, b) in enumerate(tw[:-1]):
        A = acts[est.activations_[layer]](A @ W + b)
        A = A * torch.tensor(objective.frozen_dropout.masks[layer])  # the same mask
    Z = A @ tw[-1][0] + tw[-1][1]
    s = torch.tensor(sw)
    y_index = torch.tensor(np.searchsorted(est.classes_, y))
    if n_classes == 2:
        per_sample = torch.nn.functional.binary_cross_entropy_with_logits(
            Z[:, 0], y_index.double(), reduction="none")
    else:
        per_sample = torch.nn.functional.cross_entropy(Z, y_index, reduction="none")
    S = s.sum()
    J = (s * per_sample).sum() / S + 0.05 / (2 * S) * sum((W ** 2).sum() for W, _ in tw)
    J.backward()
    assert loss == pytest.approx(J.item(), rel=1e-12)
    for (dW, db), (W, b) in zip(grads, tw):
        np.testing.assert_allclose(dW, W.grad.numpy(), rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(db, b.grad.numpy(), rtol=1e-9, atol=1e-13)


# ---------------------------------------------------------------------------
# training-time output against inference-time output
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mean_training_output_is_the_inference_output_at_p_half(dtype):
    est, X, y = _trained(dropout=0.5, dtype=dtype.__name__)
    params = list(zip(est.coefs_, est.intercepts_))
    X = X.astype(dtype)
    inference = est.hidden_activations(X)[0]  # (n, 7): the first hidden layer, never dropped
    K = 400
    dropout = network.Dropout((0.5, 0.5), [7, 5], X.shape[0], dtype,
                              np.random.default_rng(0))
    total = np.zeros(inference.shape)
    kept = 0
    for _ in range(K):
        acts, _ = network.forward(params, X, est.activations_, "softmax", dropout=dropout)
        total += acts[1]
        kept += np.count_nonzero(acts[1])
    mean = total / K
    # Each draw is A * M with M = 0 or 2, each with probability 1/2: E = A and
    # sd = |A|, so the mean of K draws has standard error |A| / sqrt(K), and
    # z = (mean - A) / (|A| / sqrt(K)) = (2 B - K) / sqrt(K), B ~ Binomial(K, 1/2),
    # is close to N(0, 1) for each of the 40 x 7 = 280 units.  Tolerances: every
    # |z| < 5 (a 5-sigma event has probability 6e-7, times 280 units: 2e-4);
    # mean z^2 = 1 +- 0.35 (4 standard deviations of a chi-square / 280 is 4 *
    # sqrt(2 / 280) = 0.34).  Without the 1 / (1 - p) scale, z would be about
    # -sqrt(K) / 2 = -10; with keep probability 0.4 instead of 0.5, mean z^2 ~ 1.5.
    assert np.all(inference != 0)
    z = (mean - inference) / (np.abs(inference) / np.sqrt(K))
    assert np.abs(z).max() < 5
    assert abs(np.mean(z ** 2) - 1) < 0.35
    # and half the units were kept: K * 40 * (7 + ...) draws, binomial sd 0.3 %
    assert kept / (K * inference.size) == pytest.approx(0.5, abs=0.02)


def test_prediction_paths_never_drop():
    est, X, y = _trained(dropout=0.5)
    twin = copy.deepcopy(est).set_params(dropout=0.0)  # same weights, no dropout
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function",
                   "hidden_activations"):
        a, b = getattr(est, method)(X), getattr(twin, method)(X)
        a2 = getattr(est, method)(X)
        if method != "hidden_activations":  # a list of arrays, one per hidden layer
            a, b, a2 = [a], [b], [a2]
        assert len(a) == len(b) == len(a2)
        for u, v, w in zip(a, b, a2):
            np.testing.assert_array_equal(u, v)
            np.testing.assert_array_equal(u, w)
    assert est.score(X, y) == twin.score(X, y)
    est_obj, twin_obj = est.objective(X, y), twin.objective(X, y)
    params = list(zip(est.coefs_, est.intercepts_))
    assert est_obj.loss(params) == twin_obj.loss(params)


def test_displays_never_drop():
    X, y = make_coin_hole(60, random_state=0)
    est = MulticlassMLPClassifier((8,), dropout=0.5, max_iter=20, random_state=0).fit(X, y)
    twin = copy.deepcopy(est).set_params(dropout=0.0)
    a = BoundaryDisplay.from_estimator(est, X, y, grid_resolution=30)
    b = BoundaryDisplay.from_estimator(twin, X, y, grid_resolution=30)
    np.testing.assert_array_equal(a.response, b.response)


# ---------------------------------------------------------------------------
# reproducibility, and dropout = 0 is the code before dropout
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fixed_random_state_gives_bit_identical_refits(solver, dtype):
    X, y = _data(n=80)
    est = MulticlassMLPClassifier((16, 8), dropout=(0.5, 0.2), solver=solver,
                                  learning_rate_init=0.05, max_iter=15, random_state=3,
                                  dtype=dtype)
    a = clone(est).fit(X, y)
    b = clone(est).fit(X, y)
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        assert u.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(u, v)
    assert a.loss_curve_ == b.loss_curve_
    # the masks are really drawn: another seed, or no dropout, gives other weights
    c = clone(est).set_params(random_state=4).fit(X, y)
    d = clone(est).set_params(dropout=0.0).fit(X, y)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])
    assert not np.array_equal(a.coefs_[0], d.coefs_[0])


# The last three epoch losses of fits made by the code before dropout existed
# (main at 8c436b5, these settings without `dropout`; the coefficients were
# bit-identical too on this machine).  dropout=0 must give them: an extra draw
# from the generator would change every shuffle after it and the losses by
# about 1e-2; rtol=1e-6 leaves room for another BLAS's float32 rounding.
_BEFORE = {
    ("sgd", "float64"): [1.0691394948228135, 1.0590724486953609, 1.0552632202645003],
    ("adam", "float32"): [1.0036066528288523, 0.9815046999533972, 0.9637288882764179],
}


@pytest.mark.parametrize("solver, dtype", sorted(_BEFORE))
@pytest.mark.parametrize("dropout", [0.0, (0.0, 0.0)])
def test_dropout_zero_is_the_fit_before_dropout(solver, dtype, dropout, monkeypatch):
    def no_masks(*args, **kwargs):
        raise AssertionError("a Dropout was built with dropout=0")

    monkeypatch.setattr(network, "Dropout", no_masks)  # nothing of dropout may run
    X, y = make_coin_hole(60, random_state=0)
    est = MulticlassMLPClassifier((8, 4), activation=("logistic", "tanh"), solver=solver,
                                  learning_rate_init=0.1, max_iter=15, random_state=0,
                                  dtype=dtype, batch_size=16, alpha=1e-4, n_init=1,
                                  init="glorot_uniform", dropout=dropout).fit(X, y)
    np.testing.assert_allclose(est.loss_curve_[-3:], _BEFORE[(solver, dtype)], rtol=1e-6)


# ---------------------------------------------------------------------------
# parameter checks
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("dropout, message", [
    (1.0, "dropout"), (-0.1, "dropout"), ("half", "dropout"),
    ((0.5,), "1 rates but hidden_layer_sizes has 2"), ((0.5, 1.0), r"\[0, 1\)"),
])
def test_bad_dropout_is_an_error_naming_it(dropout, message):
    X, y = _data()
    est = MulticlassMLPClassifier((4, 3), dropout=dropout, max_iter=2)
    with pytest.raises(ValueError, match=message):
        est.fit(X, y)
    assert not hasattr(est, "coefs_")


# ---------------------------------------------------------------------------
# with the rest of the package
# ---------------------------------------------------------------------------
def test_partial_fit_with_dropout_is_reproducible_and_draws_masks():
    X, y = _data(n=60)
    base = MulticlassMLPClassifier((10,), dropout=0.5, solver="sgd",
                                   learning_rate_init=0.1, random_state=0)
    runs = []
    for dropout in (0.5, 0.5, 0.0):
        est = clone(base).set_params(dropout=dropout)
        for _ in range(5):
            est.partial_fit(X, y, classes=[0, 1, 2])
        runs.append(est)
    np.testing.assert_array_equal(runs[0].coefs_[0], runs[1].coefs_[0])
    assert not np.array_equal(runs[0].coefs_[0], runs[2].coefs_[0])
    assert len(runs[0].loss_curve_) == 5 and runs[0].n_iter_ == 1  # n_iter_ per call


def test_warm_start_continues_with_dropout():
    X, y = _data(n=60)
    est = MulticlassMLPClassifier((10,), dropout=0.0, max_iter=5, warm_start=True,
                                  random_state=0).fit(X, y)
    first = [W.copy() for W in est.coefs_]
    twin = copy.deepcopy(est)
    est.set_params(dropout=0.5).fit(X, y)
    twin.set_params(dropout=0.5).fit(X, y)
    assert len(est.loss_curve_) == 10 and est.n_iter_ == 5  # n_iter_ per fit
    assert not np.array_equal(first[0], est.coefs_[0])
    np.testing.assert_array_equal(est.coefs_[0], twin.coefs_[0])


def test_early_stopping_scores_the_undropped_network():
    X, y = _data(n=120)
    est = MulticlassMLPClassifier((12,), dropout=0.5, early_stopping=True,
                                  validation_fraction=0.25, n_iter_no_change=3,
                                  max_iter=40, random_state=5).fit(X, y)
    # the split fit made: the first use of the estimator's generator
    Y = np.eye(3)[y]
    _, X_val, _, _, _, y_val, _, _ = split_validation(X, Y, y, None, 0.25,
                                                      generator_from(5))
    # best weights restored; their validation accuracy is the recorded best,
    # which is the whole network's (a dropped pass would score other numbers)
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert est.best_validation_score_ == accuracy_score(y_val, est.predict(X_val))


def test_lr_range_test_with_dropout():
    X, y = _data(n=100)
    est = MulticlassMLPClassifier((10,), dropout=0.5, solver="sgd", random_state=0)
    a = lr_range_test(est, X, y, n_steps=60, random_state=0)
    b = lr_range_test(est, X, y, n_steps=60, random_state=0)
    c = lr_range_test(clone(est).set_params(dropout=0.0), X, y, n_steps=60,
                      random_state=0)
    assert np.all(np.isfinite(a.losses)) and len(a.losses) > 10
    np.testing.assert_array_equal(a.losses, b.losses)
    assert not np.array_equal(a.losses[:10], c.losses[:10])
    assert est.dropout == 0.5 and not hasattr(est, "coefs_")


@pytest.mark.parametrize("dropout", [0.25, (0.5, 0.1)])
def test_persistence_round_trips_dropout(tmp_path, dropout):
    X, y = _data(n=60)
    est = MulticlassMLPClassifier((6, 4), dropout=dropout, solver="sgd", max_iter=4,
                                  random_state=0).fit(X, y)
    path = tmp_path / "model.skmodel"
    save_model(est, path)
    loaded = load_model(path)
    assert loaded.dropout == dropout and type(loaded.dropout) is type(dropout)
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    # training goes on identically: same masks from the same generator state
    est.partial_fit(X, y)
    loaded.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.coefs_[0], est.coefs_[0])


def test_no_per_batch_allocation_of_masks():
    params = network.init_params([5, 8, 3], "xavier", np.random.default_rng(0))
    dropout = network.Dropout((0.5,), [8], 16, np.float64, np.random.default_rng(0))
    X = np.random.default_rng(1).uniform(size=(10, 5))
    buffers = [M.__array_interface__["data"][0] for M in dropout.masks]
    first, _ = network.forward(params, X, ["tanh"], "softmax", dropout=dropout)
    first_mask = dropout.masks[0][:10].copy()
    second, _ = network.forward(params, X, ["tanh"], "softmax", dropout=dropout)
    assert [M.__array_interface__["data"][0] for M in dropout.masks] == buffers
    assert np.shares_memory(second[1], first[1])  # the dropped output's own buffer
    assert not np.array_equal(first_mask, dropout.masks[0][:10])  # redrawn


def test_no_warning_from_dropout_fit():
    X, y = _data(n=60)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        MulticlassMLPClassifier((6,), dropout=0.5, max_iter=3, random_state=0).fit(X, y)
