"""The network core against oracles: two-sided numerical gradients in float64,
closed forms, and torch.autograd when torch is installed."""

import numpy as np
import pytest

from sknn_cn import _network
from sknn_cn.activations import ACTIVATIONS, DERIVATIVES, resolve_activation
from sknn_cn.losses import output_and_loss


def _problem(rng, n_features, hidden, activations, out_activation, n_classes, n=9,
             init="glorot_normal"):
    n_out = 1 if out_activation == "logistic" else n_classes
    params = _network.init_params([n_features, *hidden, n_out], init, rng)
    # non-zero biases so every term of the gradient is exercised
    params = [(W, rng.normal(scale=0.3, size=b.shape)) for W, b in params]
    X = rng.uniform(0, 1, size=(n, n_features))
    y = rng.integers(0, n_classes, size=n)
    if out_activation == "logistic":
        Y = (y == 1).astype(float)[:, None]
    else:
        Y = np.eye(n_classes)[y]
    return params, X, Y


def _numerical_gradient(params, X, Y, activations, out_activation, alpha, sw, eps=1e-6):
    grads = []
    for W, b in params:
        pair = []
        for P in (W, b):
            G = np.zeros_like(P)
            for idx in np.ndindex(P.shape):
                old = P[idx]
                P[idx] = old + eps
                plus, _ = _network.loss_and_gradients(params, X, Y, activations,
                                                      out_activation, alpha, sw)
                P[idx] = old - eps
                minus, _ = _network.loss_and_gradients(params, X, Y, activations,
                                                       out_activation, alpha, sw)
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


@pytest.mark.parametrize("activations, out_activation", CASES)
@pytest.mark.parametrize("alpha, weighted", [(0.0, False), (0.7, True)])
def test_gradients_match_two_sided_differences(activations, out_activation, alpha, weighted):
    rng = np.random.default_rng(len(activations) * 7 + len(out_activation))
    hidden = [4, 3, 5][: len(activations)]
    params, X, Y = _problem(rng, 3, hidden, activations, out_activation, n_classes=3)
    if "relu" in activations:
        # keep pre-activations away from the kink, where the derivative jumps
        for W, b in params[:-1]:
            b += np.sign(b) * 0.5
    sw = rng.uniform(0.2, 3.0, size=X.shape[0]) if weighted else None
    loss, grads = _network.loss_and_gradients(params, X, Y, activations, out_activation,
                                              alpha, sw)
    numerical = _numerical_gradient(params, X, Y, activations, out_activation, alpha, sw)
    assert np.isfinite(loss)
    assert _relative_difference(grads, numerical) < 1e-7


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
def test_derivative_from_output_equals_derivative_of_function(name):
    z = np.linspace(-3, 3, 61) + 0.013  # avoid relu's kink at 0
    eps = 1e-6
    numerical = (ACTIVATIONS[name](z + eps) - ACTIVATIONS[name](z - eps)) / (2 * eps)
    A = ACTIVATIONS[name](z.copy())
    analytic = DERIVATIVES[name](A, np.ones_like(z))
    np.testing.assert_allclose(analytic, numerical, rtol=1e-6, atol=1e-9)


def test_workspace_path_equals_allocating_path():
    rng = np.random.default_rng(3)
    acts = ("logistic", "tanh")
    params, X, Y = _problem(rng, 6, [5, 4], acts, "softmax", n_classes=3, n=11)
    ws = _network.Workspace(params, 16)
    fast_acts, fast_loss = _network.forward(params, X, acts, "softmax", Y=Y, workspace=ws)
    fast = _network.backward(params, fast_acts, Y, acts, alpha=0.1, workspace=ws)
    slow_acts, slow_loss = _network.forward(params, X, acts, "softmax", Y=Y)
    slow = _network.backward(params, slow_acts, Y, acts, alpha=0.1)
    np.testing.assert_allclose(fast_loss, slow_loss)
    for (fw, fb), (sw, sb) in zip(fast, slow):
        np.testing.assert_allclose(fw, sw)
        np.testing.assert_allclose(fb, sb)


def test_against_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    acts = ("logistic", "tanh")  # the seed's MNIST net, smaller
    params, X, Y = _problem(rng, 8, [6, 4], acts, "softmax", n_classes=5, n=13)
    sw = rng.uniform(0.5, 2.0, size=13)
    alpha = 0.3
    loss, grads = _network.loss_and_gradients(params, X, Y, acts, "softmax", alpha, sw)

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
    (W, b), = _network.init_params([300, 200], init, rng)
    assert W.shape == (300, 200) and np.all(b == 0)
    assert W.std() == pytest.approx(expected_std(300, 200), rel=0.02)


def test_unknown_activation_is_named_in_the_error():
    with pytest.raises(ValueError, match="'swish'.*activation"):
        resolve_activation("swish")
    assert resolve_activation("sigmoid") == "logistic"
