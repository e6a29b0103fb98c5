"""The network core against oracles: the objective written out plainly here and
its float64 two-sided differences, closed forms, and torch.autograd when torch
is installed."""

import warnings

import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sknn_cn import MulticlassMLPClassifier, network
from sknn_cn.network import ACTIVATIONS, DERIVATIVES, output_and_loss, resolve_activation

#: The hidden activations, written out independently of sknn_cn.network.
PLAIN = {
    "identity": lambda z: z,
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
}


def _problem(rng, n_features, hidden, out_activation, n_classes, n=9,
             init="glorot_normal"):
    n_out = 1 if out_activation == "logistic" else n_classes
    params = network.init_params([n_features, *hidden, n_out], init, rng)
    # non-zero biases so every term of the gradient is exercised
    params = [(W, rng.normal(scale=0.3, size=b.shape)) for W, b in params]
    X = rng.uniform(0, 1, size=(n, n_features))
    y = rng.integers(0, n_classes, size=n)
    if out_activation == "logistic":
        Y = (y == 1).astype(float)[:, None]
    else:
        Y = np.eye(n_classes)[y]
    return params, X, Y


def _plain_objective(params, X, Y, activations, out_activation, alpha, sw):
    """J = sum_i s_i loss_i / S + alpha / (2 S) sum ||W||^2, the test's own code."""
    A = X
    for (W, b), name in zip(params[:-1], activations):
        A = PLAIN[name](A @ W + b)
    W, b = params[-1]
    Z = A @ W + b
    if out_activation == "logistic":
        per_sample = np.logaddexp(0.0, Z[:, 0]) - Y[:, 0] * Z[:, 0]
    else:
        per_sample = logsumexp(Z, axis=1) - (Y * Z).sum(axis=1)
    s = np.ones(X.shape[0]) if sw is None else sw
    S = s.sum()
    return per_sample @ s / S + alpha / (2 * S) * sum((W**2).sum() for W, _ in params)


def _numerical_gradient(params, X, Y, activations, out_activation, alpha, sw, eps=1e-6):
    grads = []
    for W, b in params:
        pair = []
        for P in (W, b):
            G = np.zeros_like(P)
            for idx in np.ndindex(P.shape):
                old = P[idx]
                P[idx] = old + eps
                plus = _plain_objective(params, X, Y, activations, out_activation, alpha, sw)
                P[idx] = old - eps
                minus = _plain_objective(params, X, Y, activations, out_activation, alpha, sw)
                P[idx] = old
                G[idx] = (plus - minus) / (2 * eps)
            pair.append(G)
        grads.append(tuple(pair))
    return grads


def _relative_difference(analytic, numerical):
    a = np.concatenate([g.ravel() for pair in analytic for g in pair])
    n = np.concatenate([g.ravel() for pair in numerical for g in pair])
    return np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n))


CASES = [
    (acts, out)
    for acts in [
        ("logistic",), ("tanh",), ("identity",), ("relu",),
        ("logistic", "tanh"), ("tanh", "relu"),
        ("relu", "logistic", "tanh"), ("identity", "tanh", "logistic"),
    ]
    for out in ("logistic", "softmax")
]


def _away_from_relu_kink(params, activations):
    # keep pre-activations away from relu's kink, where the derivative jumps
    if "relu" in activations:
        for W, b in params[:-1]:
            b += np.sign(b) * 0.5


@pytest.mark.parametrize("activations, out_activation", CASES)
@pytest.mark.parametrize("alpha, weighted", [(0.0, False), (0.7, True)])
def test_gradients_match_two_sided_differences(activations, out_activation, alpha, weighted):
    rng = np.random.default_rng(len(activations) * 7 + len(out_activation))
    hidden = [4, 3, 5][: len(activations)]
    params, X, Y = _problem(rng, 3, hidden, out_activation, n_classes=3)
    _away_from_relu_kink(params, activations)
    sw = rng.uniform(0.2, 3.0, size=X.shape[0]) if weighted else None
    loss, grads = network.loss_and_gradients(params, X, Y, activations, out_activation,
                                             alpha, sw)
    assert loss == pytest.approx(
        _plain_objective(params, X, Y, activations, out_activation, alpha, sw), rel=1e-12)
    numerical = _numerical_gradient(params, X, Y, activations, out_activation, alpha, sw)
    assert _relative_difference(grads, numerical) < 1e-7


@pytest.mark.parametrize("activations, out_activation", CASES)
@pytest.mark.parametrize("weighted", [False, True])
def test_buffers_change_nothing(activations, out_activation, weighted):
    # the workspace is only the out= of the same lines: identical bits, also
    # for a batch shorter than the buffers (the last mini-batch of an epoch)
    rng = np.random.default_rng(3)
    hidden = [5, 4, 3][: len(activations)]
    params, X, Y = _problem(rng, 6, hidden, out_activation, n_classes=3, n=11)
    sw = rng.uniform(0.2, 3.0, size=X.shape[0]) if weighted else None
    ws = network.Workspace(params, 16)
    for reduce in (False, True):
        fast_acts, fast_loss = network.forward(params, X, activations, out_activation, Y=Y,
                                               workspace=ws, sample_weight=sw, reduce=reduce)
        slow_acts, slow_loss = network.forward(params, X, activations, out_activation, Y=Y,
                                               sample_weight=sw, reduce=reduce)
        np.testing.assert_array_equal(fast_loss, slow_loss)
        for fast, slow in zip(fast_acts, slow_acts):
            np.testing.assert_array_equal(fast, slow)
    fast = network.backward(params, fast_acts, Y, activations, sample_weight=sw, workspace=ws)
    slow = network.backward(params, slow_acts, Y, activations, sample_weight=sw)
    for (fast_dW, fast_db), (slow_dW, slow_db) in zip(fast, slow):
        np.testing.assert_array_equal(fast_dW, slow_dW)
        np.testing.assert_array_equal(fast_db, slow_db)
        # with a workspace the gradients live in the flat vector the optimizer reads
        assert np.shares_memory(fast_dW, ws.grad) and np.shares_memory(fast_db, ws.grad)
    theta, _ = network.pack_params(fast)
    np.testing.assert_array_equal(ws.grad, theta)


def test_prediction_path_is_the_forward_path():
    rng = np.random.default_rng(5)
    activations = ("relu", "tanh")
    params, X, Y = _problem(rng, 4, [6, 5], "softmax", n_classes=4, n=20)
    hidden, Z = network.logits(params, X, activations, return_hidden=True)
    acts, _ = network.forward(params, X, activations, "softmax")
    for A, A_forward in zip(hidden, acts[1:-1]):
        np.testing.assert_array_equal(A, A_forward)
    A_L, _ = output_and_loss(Z, None, "softmax")
    np.testing.assert_array_equal(A_L, acts[-1])


def test_l2_term_closed_form():
    rng = np.random.default_rng(2)
    w = rng.normal(size=50)
    grad = rng.normal(size=50)
    expected_grad = grad + 0.3 / 7.0 * w
    penalty = network.l2_term(w, 0.3, 7.0, grad=grad)
    assert penalty == pytest.approx(0.3 / (2 * 7.0) * np.sum(w**2), rel=1e-14)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-14)
    before = grad.copy()
    assert network.l2_term(w, 0.0, 7.0, grad=grad) == 0.0
    np.testing.assert_array_equal(grad, before)  # alpha=0 adds nothing


def test_l2_acts_on_the_weights_only():
    rng = np.random.default_rng(4)
    activations = ("tanh",)
    params, X, Y = _problem(rng, 3, [4], "softmax", n_classes=3)
    sw = rng.uniform(0.5, 2.0, size=X.shape[0])
    alpha, S = 0.9, sw.sum()
    loss0, grads0 = network.loss_and_gradients(params, X, Y, activations, "softmax", 0.0, sw)
    loss, grads = network.loss_and_gradients(params, X, Y, activations, "softmax", alpha, sw)
    squares = sum((W**2).sum() for W, _ in params)
    assert loss - loss0 == pytest.approx(alpha / (2 * S) * squares, rel=1e-10)
    for (W, _), (dW0, db0), (dW, db) in zip(params, grads0, grads):
        np.testing.assert_allclose(dW - dW0, alpha / S * W, rtol=1e-10, atol=1e-15)
        np.testing.assert_array_equal(db, db0)


def _no_l2(weights, alpha, total_weight, grad=None):
    return 0.0


def test_l2_has_one_home(monkeypatch):
    # With l2_term switched off, alpha must change nothing: no other line of
    # the core or of the training loop computes the penalty or its gradient.
    rng = np.random.default_rng(6)
    params, X, Y = _problem(rng, 3, [4, 3], "logistic", n_classes=2)
    X_digits, y_digits = load_digits(return_X_y=True)
    X_digits = X_digits[:300] / 16
    y_digits = y_digits[:300]

    def fit(alpha):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est = MulticlassMLPClassifier((8,), alpha=alpha, max_iter=3, random_state=0)
            return est.fit(X_digits, y_digits)

    with_l2 = fit(1.0)
    monkeypatch.setattr(network, "l2_term", _no_l2)  # what the estimator calls
    monkeypatch.setattr(network.core, "l2_term", _no_l2)  # what loss_and_gradients calls
    for W, W_with_l2 in zip(fit(1.0).coefs_, with_l2.coefs_):
        assert not np.array_equal(W, W_with_l2)  # the switch reached the loop
    for W, W0 in zip(fit(1.0).coefs_, fit(0.0).coefs_):
        np.testing.assert_array_equal(W, W0)
    loss, grads = network.loss_and_gradients(params, X, Y, ("tanh", "relu"), "logistic", 5.0)
    loss0, grads0 = network.loss_and_gradients(params, X, Y, ("tanh", "relu"), "logistic", 0.0)
    assert loss == loss0
    for (dW, db), (dW0, db0) in zip(grads, grads0):
        np.testing.assert_array_equal(dW, dW0)
        np.testing.assert_array_equal(db, db0)


def test_pack_params_layout_and_views():
    rng = np.random.default_rng(8)
    params = network.init_params([3, 4, 2], "he_uniform", rng)
    theta, views = network.pack_params(params)
    # theta = [W1, W2, b1, b2], each raveled in C order (seed 1.4.3.2, step 2)
    expected = np.concatenate([params[0][0].ravel(), params[1][0].ravel(),
                               params[0][1], params[1][1]])
    np.testing.assert_array_equal(theta, expected)
    assert network.n_weights(params) == 3 * 4 + 4 * 2
    theta[0] = 42.0
    assert views[0][0][0, 0] == 42.0 and params[0][0][0, 0] != 42.0  # views, and a copy


def test_loss_matches_the_seed_formulas():
    # binary cross-entropy (seed 1.1.3 eq. 12) and softmax cross-entropy (1.2.1.2)
    z = np.array([[-3.0], [0.2], [5.0]])
    y = np.array([[0.0], [1.0], [1.0]])
    a, per_sample = output_and_loss(z, y, "logistic")
    sigma = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(a, sigma)
    np.testing.assert_allclose(per_sample, -(y * np.log(sigma) + (1 - y) * np.log(1 - sigma)).ravel())

    Z = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
    Y = np.array([[0, 1, 0], [1, 0, 0]], dtype=float)
    A, per_sample = output_and_loss(Z, Y, "softmax")
    E = np.exp(Z)
    np.testing.assert_allclose(A, E / E.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(per_sample, -(Y * np.log(A)).sum(axis=1))


def test_loss_never_overflows_on_huge_logits():
    Z = np.array([[1000.0, -1000.0, 0.0]])
    A, loss = output_and_loss(Z, np.array([[0.0, 1.0, 0.0]]), "softmax")
    assert np.isfinite(loss).all() and loss[0] == pytest.approx(2000.0)
    np.testing.assert_allclose(A, [[1.0, 0.0, 0.0]])
    # a row far below the others: the global shift would underflow it to 0/0
    for dtype in (np.float32, np.float64):
        Z = np.array([[1000.0, 0.0], [-1000.0, -1001.0]], dtype=dtype)
        A, loss = output_and_loss(Z, np.array([[1, 0], [0, 1]], dtype=dtype), "softmax")
        p = 1 / (1 + np.e)
        np.testing.assert_allclose(A, [[1, 0], [1 - p, p]], rtol=1e-6)
        np.testing.assert_allclose(loss, [0, -np.log(p)], rtol=1e-6, atol=1e-6)
    a, loss = output_and_loss(np.array([[-800.0]]), np.array([[1.0]]), "logistic")
    assert loss[0] == pytest.approx(800.0) and a[0, 0] == 0.0


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_and_derivative_from_output(name):
    z = np.linspace(-3, 3, 61) + 0.013  # avoid relu's kink at 0
    np.testing.assert_allclose(ACTIVATIONS[name](z.copy()), PLAIN[name](z), rtol=1e-15)
    eps = 1e-6
    numerical = (PLAIN[name](z + eps) - PLAIN[name](z - eps)) / (2 * eps)
    A = ACTIVATIONS[name](z.copy())
    analytic = DERIVATIVES[name](A, np.ones_like(z))
    np.testing.assert_allclose(analytic, numerical, rtol=1e-6, atol=1e-9)


def test_against_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    acts = ("logistic", "tanh")  # the seed's MNIST net, smaller
    params, X, Y = _problem(rng, 8, [6, 4], "softmax", n_classes=5, n=13)
    sw = rng.uniform(0.5, 2.0, size=13)
    alpha = 0.3
    loss, grads = network.loss_and_gradients(params, X, Y, acts, "softmax", alpha, sw)

    tp = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True))
          for W, b in params]
    A = torch.tensor(X)
    fns = [torch.sigmoid, torch.tanh]
    for (W, b), f in zip(tp[:-1], fns):
        A = f(A @ W + b)
    Z = A @ tp[-1][0] + tp[-1][1]
    per_sample = -(torch.tensor(Y) * torch.log_softmax(Z, dim=1)).sum(dim=1)
    w = torch.tensor(sw)
    total = (per_sample * w).sum() / w.sum()
    total = total + 0.5 * alpha * sum((W**2).sum() for W, _ in tp) / w.sum()
    total.backward()
    assert loss == pytest.approx(total.item(), rel=1e-12)
    for (dW, db), (W, b) in zip(grads, tp):
        np.testing.assert_allclose(dW, W.grad.numpy(), rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(db, b.grad.numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("init, expected_std", [
    ("glorot_uniform", lambda i, o: np.sqrt(6 / (i + o)) / np.sqrt(3)),
    ("glorot_normal", lambda i, o: np.sqrt(2 / (i + o))),
    ("he_uniform", lambda i, o: np.sqrt(6 / i) / np.sqrt(3)),
    ("he_normal", lambda i, o: np.sqrt(2 / i)),
    ("normal", lambda i, o: 1.0),
])
def test_initialisers_have_the_published_spread(init, expected_std):
    rng = np.random.default_rng(0)
    (W, b), = network.init_params([300, 200], init, rng)
    assert W.shape == (300, 200) and np.all(b == 0)
    assert W.std() == pytest.approx(expected_std(300, 200), rel=0.02)


@pytest.mark.parametrize("alias, name", [("xavier", "glorot_uniform"), ("msra", "he_normal")])
def test_seed_source_names_are_the_published_initialisers(alias, name):
    (W_alias, _), = network.init_params([5, 3], alias, np.random.default_rng(1))
    (W_name, _), = network.init_params([5, 3], name, np.random.default_rng(1))
    np.testing.assert_array_equal(W_alias, W_name)


def test_unknown_activation_is_named_in_the_error():
    with pytest.raises(ValueError, match="'swish'.*activation"):
        resolve_activation("swish")
    assert resolve_activation("sigmoid") == "logistic"
