"""Tests for sknn_cn.gradcheck (seed 1.4.3).

Oracles: a plain NumPy forward pass and cross-entropy written out here, perturbed
one element at a time (the seed's algorithm with no reuse at all); torch.autograd
in float64 (when torch is installed); the seed's verdict table; deliberately
broken derivatives and a backward pass that forgets the L2 term.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier, network
from sknn_cn.network import DERIVATIVES
from sknn_cn.gradcheck import GradientCheckResult, check_gradients, verdict


def _data(n=40, n_features=12, n_classes=4, seed=0, sparse=True):
    """Inputs in [0, 1] (seed 1.4.3.2 step 3), with exact zeros like MNIST's blank pixels."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, size=(n, n_features))
    if sparse:
        X[X < 0.4] = 0.0
    y = np.arange(n) % n_classes
    rng.shuffle(y)
    return X, y


def _seedlike_net(**kw):
    # the seed's MNIST net, scaled down: logistic then tanh, softmax output
    params = dict(hidden_layer_sizes=(7, 5), activation=("logistic", "tanh"),
                  random_state=0, alpha=1e-3)
    params.update(kw)
    return MulticlassMLPClassifier(**params)


# ---------------------------------------------------------------------------
# an independent objective: forward pass and loss written out here
# ---------------------------------------------------------------------------
_F = {"logistic": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
      "relu": lambda z: np.maximum(z, 0), "identity": lambda z: z}


def _objective(pairs, X, y, activations, out, alpha, weights):
    A = X
    for layer, (W, b) in enumerate(pairs):
        Z = A @ W + b
        A = _F[activations[layer]](Z) if layer < len(pairs) - 1 else Z
    if out == "softmax":
        shifted = A - A.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        per_sample = -log_p[np.arange(len(y)), y]
    else:
        z = A[:, 0]
        per_sample = np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0) - y * z
    S = weights.sum()
    penalty = alpha / (2 * S) * sum((W ** 2).sum() for W, _ in pairs)
    return (weights * per_sample).sum() / S + penalty


def _pairs(result, vector):
    arrays = {name: a.copy() for name, a in result.to_arrays(vector).items()}
    return [(arrays[f"W{k}"], arrays[f"b{k}"]) for k in range(1, len(result.params) + 1)]


def _naive_numerical(result, X, y, weights, h):
    pairs = _pairs(result, result.theta)
    by_name = {f"{kind}{k + 1}": pair[i] for k, pair in enumerate(pairs)
               for i, kind in enumerate("Wb")}
    grad = []
    for name in result.names:  # theta's order
        flat = by_name[name].reshape(-1)
        for k in range(flat.size):
            keep = flat[k]
            flat[k] = keep + h
            plus = _objective(pairs, X, y, result.activations, result.out_activation,
                              result.alpha, weights)
            flat[k] = keep - h
            minus = _objective(pairs, X, y, result.activations, result.out_activation,
                               result.alpha, weights)
            flat[k] = keep
            grad.append((plus - minus) / (2 * h))
    return np.array(grad)


@pytest.mark.parametrize("make, weighted", [
    (lambda: _seedlike_net(), False),
    (lambda: _seedlike_net(class_weight="balanced"), True),
    (lambda: BinaryMLPClassifier((6, 4), activation=("relu", "tanh"), alpha=0.5,
                                 random_state=3), True),
    (lambda: MulticlassMLPClassifier((5,), activation="identity", alpha=0.0,
                                     random_state=4), False),
])
def test_numerical_gradient_equals_plain_two_sided_differences(make, weighted):
    est = make()
    n_classes = 2 if isinstance(est, BinaryMLPClassifier) else 4
    X, y = _data(n_classes=n_classes, seed=1)
    rng = np.random.default_rng(5)
    sw = rng.uniform(0.2, 3.0, size=len(y)) if weighted else None
    result = check_gradients(est, X, y, sample_weight=sw)
    weights = np.ones(len(y)) if sw is None else sw.copy()
    if est.class_weight == "balanced":
        weights *= len(y) / (n_classes * np.bincount(y))[y]
    naive = _naive_numerical(result, X, y, weights, result.epsilon)
    # the fast path evaluates the same J(theta +- h e_k); only rounding differs
    np.testing.assert_allclose(result.numerical, naive, rtol=0, atol=1e-9)
    assert result.passed and result.verdict == "correct"
    assert result.diff < 1e-7
    assert all(p["verdict"] == "correct" for p in result.per_parameter)
    assert result.loss == pytest.approx(
        _objective(_pairs(result, result.theta), X, y, result.activations,
                   result.out_activation, result.alpha, weights), rel=1e-12)
    # theta is laid out as the estimator's own flat vector
    theta, _ = network.pack_params(result.params)
    np.testing.assert_array_equal(result.theta, theta)


@pytest.mark.parametrize("est", [
    _seedlike_net(alpha=0.3),
    BinaryMLPClassifier((6, 3), activation=("tanh", "logistic"), alpha=0.2,
                        random_state=2),
])
def test_against_torch_autograd(est):
    torch = pytest.importorskip("torch")
    n_classes = 2 if isinstance(est, BinaryMLPClassifier) else 4
    X, y = _data(n_classes=n_classes, seed=2)
    sw = np.random.default_rng(0).uniform(0.5, 2.0, size=len(y))
    result = check_gradients(est, X, y, sample_weight=sw)

    tensors = {name: torch.tensor(a, dtype=torch.float64, requires_grad=True)
               for name, a in result.to_arrays(result.theta).items()}
    fns = {"logistic": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
    A = torch.tensor(X, dtype=torch.float64)
    n_layers = len(result.params)
    for layer in range(1, n_layers + 1):
        Z = A @ tensors[f"W{layer}"] + tensors[f"b{layer}"]
        A = fns[result.activations[layer - 1]](Z) if layer < n_layers else Z
    w = torch.tensor(sw, dtype=torch.float64)
    if result.out_activation == "softmax":
        per_sample = torch.nn.functional.cross_entropy(A, torch.tensor(y), reduction="none")
    else:
        per_sample = torch.nn.functional.binary_cross_entropy_with_logits(
            A[:, 0], torch.tensor(y, dtype=torch.float64), reduction="none")
    S = w.sum()
    loss = (w * per_sample).sum() / S + result.alpha / (2 * S) * sum(
        (tensors[f"W{k}"] ** 2).sum() for k in range(1, n_layers + 1))
    loss.backward()
    expected = np.concatenate([tensors[name].grad.numpy().ravel() for name in result.names])

    np.testing.assert_allclose(result.analytic, expected, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(result.numerical, expected, rtol=0, atol=1e-9)
    assert result.loss == pytest.approx(loss.item(), rel=1e-12)


# ---------------------------------------------------------------------------
# it finds bugs, and where they are
# ---------------------------------------------------------------------------
def _wrong_tanh(A, dA):  # 1 - A instead of 1 - A**2
    dA *= 1 - A
    return dA


def _slightly_wrong_logistic(A, dA):  # A (1 - A) * 1.01: a 1 % slip
    dA *= A * (1 - A) * 1.01
    return dA


@pytest.mark.parametrize("name, broken, layer", [
    ("tanh", _wrong_tanh, 2),  # the seed's net: layer 2 is tanh (eq. 11)
    ("logistic", _slightly_wrong_logistic, 1),  # layer 1 is logistic (eq. 15)
])
def test_flags_a_broken_derivative_in_the_right_layer(monkeypatch, name, broken, layer):
    est = _seedlike_net()
    X, y = _data()
    assert check_gradients(est, X, y).passed  # correct before

    monkeypatch.setitem(DERIVATIVES, name, broken)
    result = check_gradients(est, X, y)
    assert not result.passed
    assert result.verdict in ("wrong", "suspicious")
    status = {p["name"]: p["passed"] for p in result.per_parameter}
    for k in range(1, 4):
        # the error reaches the broken layer and every layer below it
        assert status[f"W{k}"] == (k > layer)
        assert status[f"b{k}"] == (k > layer)
    assert result.first_failing_layer == layer
    assert f"Look in layer {layer}" in str(result)


def test_forgotten_l2_term_is_flagged_in_the_weights_only(monkeypatch):
    # seed 1.4.3.3 note 3: the check must include the regularisation
    est = _seedlike_net(alpha=2.0)
    X, y = _data()
    assert check_gradients(est, X, y).passed

    l2_term = network.core.l2_term

    def penalty_without_its_gradient(weights, alpha, total_weight, grad=None):
        return l2_term(weights, alpha, total_weight)

    monkeypatch.setattr(network.core, "l2_term", penalty_without_its_gradient)
    result = check_gradients(est, X, y)
    assert not result.passed
    for p in result.per_parameter:  # biases carry no L2 term
        assert p["passed"] == p["name"].startswith("b")


# ---------------------------------------------------------------------------
# fresh and fitted estimators
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("early_stopping", [False, True])
def test_fresh_estimator_checks_a_draw_of_its_initialiser(early_stopping):
    est = _seedlike_net(random_state=7, max_iter=1, early_stopping=early_stopping,
                        validation_fraction=0.25)
    X, y = _data(n=48)
    result = check_gradients(est, X, y)
    assert not result.fitted and result.passed
    assert not hasattr(est, "coefs_")  # the estimator is left alone
    # the public objective's initialiser, drawn from random_state (no replay of
    # fit's draws): Glorot-uniform weights from default_rng(7), zero biases
    objective = est.objective(X, y)
    rng = np.random.default_rng(7)
    for (W, b), fan_in, fan_out in zip(result.params, [12, 7, 5], [7, 5, 4]):
        limit = np.sqrt(6 / (fan_in + fan_out))
        np.testing.assert_array_equal(W, rng.uniform(-limit, limit, (fan_in, fan_out)))
        np.testing.assert_array_equal(b, np.zeros(fan_out))
    for (W, b), (W_o, b_o) in zip(result.params, objective.initial_params(7)):
        np.testing.assert_array_equal(W, W_o)
        np.testing.assert_array_equal(b, b_o)
    assert result.loss == pytest.approx(objective.loss(result.params), rel=1e-12)


def test_fitted_estimator_checks_its_trained_weights():
    X, y = _data(n=60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = _seedlike_net(max_iter=30, dtype="float32").fit(X, y)
    coefs = [W.copy() for W in est.coefs_]
    result = check_gradients(est, X[:30], y[:30])
    assert result.fitted and result.passed
    for (W, b), W_est, b_est in zip(result.params, est.coefs_, est.intercepts_):
        assert W.dtype == np.float64  # the check runs in float64
        np.testing.assert_array_equal(W, W_est.astype(np.float64))
        np.testing.assert_array_equal(b, b_est.astype(np.float64))
    for W, W_before in zip(est.coefs_, coefs):
        np.testing.assert_array_equal(W, W_before)
    assert "trained weights" in str(result)


# ---------------------------------------------------------------------------
# subset, verdicts, output
# ---------------------------------------------------------------------------
def test_subset_checks_that_many_elements_of_every_array():
    est = _seedlike_net()
    X, y = _data()
    full = check_gradients(est, X, y)
    part = check_gradients(est, X, y, subset=4, random_state=0)
    sizes = [int(np.prod(p["shape"])) for p in full.per_parameter]
    assert [p["name"] for p in part.per_parameter] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert [p["n_checked"] for p in part.per_parameter] == [min(4, s) for s in sizes]
    assert np.isnan(part.numerical[~part.checked]).all()
    # the same differences; chunks of other sizes only change the rounding
    np.testing.assert_allclose(part.numerical[part.checked], full.numerical[part.checked],
                               rtol=0, atol=1e-10)
    np.testing.assert_array_equal(part.analytic, full.analytic)
    frac = check_gradients(est, X, y, subset=0.5, random_state=0)
    assert [p["n_checked"] for p in frac.per_parameter] == [
        max(1, round(s / 2)) for s in sizes]
    again = check_gradients(est, X, y, subset=0.5, random_state=0)
    np.testing.assert_array_equal(frac.checked, again.checked)


@pytest.mark.parametrize("diff, non_smooth, expected", [
    # seed 1.4.3.2: > 1e-2 wrong; 1e-2..1e-4 check it; 1e-4..1e-7 fine only for
    # non-smooth activations; < 1e-7 success
    (0.5, False, "wrong"), (2e-2, True, "wrong"), (np.nan, False, "wrong"),
    (5e-3, False, "suspicious"), (2e-4, True, "suspicious"),
    (1e-5, True, "acceptable (non-smooth activation)"),
    (1e-5, False, "too high for smooth activations"),
    (3e-8, False, "correct"), (0.0, True, "correct"),
])
def test_verdict_follows_the_seeds_bands(diff, non_smooth, expected):
    assert verdict(diff, non_smooth) == expected


def test_relu_net_is_marked_non_smooth_and_passes():
    est = MulticlassMLPClassifier((8,), activation="relu", random_state=0)
    X, y = _data()
    result = check_gradients(est, X, y)
    assert result.non_smooth and result.passed


def test_table_and_html():
    result = check_gradients(_seedlike_net(), *_data())
    assert isinstance(result, GradientCheckResult)
    text = str(result)
    for name in ("W1", "b1", "W2", "b2", "W3", "b3", "all", "correct"):
        assert name in text
    html = result._repr_html_()
    assert html.count("<tr>") == 1 + 7 and "W3" in html
    arrays = result.to_arrays(result.analytic)
    assert arrays["W2"].shape == (7, 5) and arrays["b3"].shape == (4,)
    assert "diff=" in repr(result)


def test_errors_name_the_argument():
    X, y = _data()
    with pytest.raises(ValueError, match="epsilon=0"):
        check_gradients(_seedlike_net(), X, y, epsilon=0)
    with pytest.raises(ValueError, match="subset=1.5"):
        check_gradients(_seedlike_net(), X, y, subset=1.5)
    with pytest.raises(ValueError, match="subset=0"):
        check_gradients(_seedlike_net(), X, y, subset=0)
    with pytest.raises(TypeError, match="LogisticRegression"):
        check_gradients(LogisticRegression(), X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = _seedlike_net(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="12 features"):
        check_gradients(fitted, X[:, :5], y)
    with pytest.raises(ValueError, match="does not know"):
        check_gradients(fitted, X, y + 10)


def test_classes_gives_the_output_layer_its_width():
    X, y = _data(n_classes=3)  # labels 0..2, but the net is for 0..4
    result = check_gradients(_seedlike_net(), X, y, classes=np.arange(5))
    assert result.params[-1][0].shape[1] == 5 and result.passed
    assert check_gradients(_seedlike_net(), X, y).params[-1][0].shape[1] == 3
    with pytest.raises(ValueError, match="not in `classes`"):
        check_gradients(_seedlike_net(), X, y, classes=[0, 1])
