"""sknn_cn.training.optimizers against two oracles, step by step: scikit-learn's
``SGDOptimizer`` / ``AdamOptimizer`` (the rules MLPClassifier uses) and
``torch.optim.SGD`` / ``torch.optim.Adam``; and the public state API."""

import numpy as np
import pytest
import torch
from sklearn.neural_network._stochastic_optimizers import (
    AdamOptimizer as SkAdam,
    SGDOptimizer as SkSGD,
)

from sknn_cn.training.optimizers import AdamOptimizer, OptimizerStateError, SGDOptimizer

N_STEPS = 25
# float64 throughout: the rules are the same arithmetic in another order, so
# they agree to a few ulps of the parameters (~1e-16 relative) per step.
RTOL, ATOL = 1e-12, 1e-14


def problem(seed=0):
    """Parameters of two layers and a gradient per step (a varying sequence)."""
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=(3, 1))]
    grads = [[rng.normal(size=p.shape) * 10.0 ** rng.uniform(-3, 1) for p in params]
             for _ in range(N_STEPS)]
    lrs = rng.uniform(0.001, 0.1, size=N_STEPS)
    return params, grads, lrs


def flat(params):
    return np.concatenate([p.ravel() for p in params])


@pytest.mark.parametrize("momentum, nesterov",
                         [(0.0, False), (0.9, False), (0.9, True), (0.5, True)])
def test_sgd_equals_sklearn_step_by_step(momentum, nesterov):
    params, grads, lrs = problem()
    ours = [p.copy() for p in params]
    theirs = [p.copy() for p in params]
    opt = SGDOptimizer(ours, momentum=momentum, nesterov=nesterov)
    oracle = SkSGD(theirs, learning_rate_init=lrs[0], momentum=momentum,
                   nesterov=nesterov)
    for g, lr in zip(grads, lrs):           # a different learning rate each step
        opt.step(ours, g, lr)
        oracle.learning_rate = lr
        oracle.update_params(theirs, g)
        np.testing.assert_allclose(flat(ours), flat(theirs), rtol=RTOL, atol=ATOL)
    assert not np.allclose(flat(ours), flat(params))   # it moved


def test_adam_equals_sklearn_step_by_step():
    params, grads, lrs = problem(1)
    ours = [p.copy() for p in params]
    theirs = [p.copy() for p in params]
    opt = AdamOptimizer(ours, beta_1=0.8, beta_2=0.99, epsilon=1e-8)
    oracle = SkAdam(theirs, learning_rate_init=0.01, beta_1=0.8, beta_2=0.99,
                    epsilon=1e-8)
    for g in grads:
        opt.step(ours, g, 0.01)
        oracle.update_params(theirs, g)
        np.testing.assert_allclose(flat(ours), flat(theirs), rtol=RTOL, atol=ATOL)
    assert opt.t == oracle.t == N_STEPS


def torch_run(torch_opt_cls, params, grads, lrs, **kwargs):
    tparams = [torch.tensor(p.copy(), dtype=torch.float64, requires_grad=True)
               for p in params]
    topt = torch_opt_cls(tparams, lr=float(lrs[0]), **kwargs)
    out = []
    for g, lr in zip(grads, lrs):
        for group in topt.param_groups:
            group["lr"] = float(lr)
        for tp, gi in zip(tparams, g):
            tp.grad = torch.tensor(gi, dtype=torch.float64)
        topt.step()
        out.append(flat([tp.detach().numpy() for tp in tparams]))
    return out


@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd_equals_torch_step_by_step(momentum, nesterov):
    # torch keeps buffer b = -v / lr, the same rule only for a constant lr
    params, grads, _ = problem(2)
    lrs = np.full(N_STEPS, 0.05)
    expected = torch_run(torch.optim.SGD, params, grads, lrs, momentum=momentum,
                         nesterov=nesterov)
    ours = [p.copy() for p in params]
    opt = SGDOptimizer(ours, momentum=momentum, nesterov=nesterov)
    for g, lr, want in zip(grads, lrs, expected):
        opt.step(ours, g, lr)
        np.testing.assert_allclose(flat(ours), want, rtol=RTOL, atol=ATOL)


def test_adam_equals_torch_step_by_step():
    # torch adds epsilon to sqrt(v_hat), we (and sklearn) to sqrt(v): equal for eps=0
    params, grads, lrs = problem(3)
    expected = torch_run(torch.optim.Adam, params, grads, lrs, betas=(0.9, 0.999), eps=0.0)
    ours = [p.copy() for p in params]
    opt = AdamOptimizer(ours, beta_1=0.9, beta_2=0.999, epsilon=0.0)
    for g, lr, want in zip(grads, lrs, expected):
        opt.step(ours, g, lr)
        np.testing.assert_allclose(flat(ours), want, rtol=1e-11, atol=ATOL)


def test_adam_default_epsilon_close_to_torch():
    """With epsilon=1e-8 the two placements of epsilon differ by a factor
    sqrt(1 - beta_2**t) on it: the displacement agrees to 1e-3 relative on
    gradients of order 1, and differs (so this test can fail)."""
    params, _, lrs = problem(4)
    rng = np.random.default_rng(4)
    grads = [[rng.normal(size=p.shape) for p in params] for _ in range(N_STEPS)]
    expected = torch_run(torch.optim.Adam, params, grads, lrs, eps=1e-8)
    ours = [p.copy() for p in params]
    opt = AdamOptimizer(ours)
    for g, lr in zip(grads, lrs):
        opt.step(ours, g, lr)
    moved, moved_torch = flat(ours) - flat(params), expected[-1] - flat(params)
    np.testing.assert_allclose(moved, moved_torch, rtol=1e-3, atol=1e-12)
    assert not np.array_equal(moved, moved_torch)


# ------------------------------------------------------------------ state API
@pytest.mark.parametrize("make", [
    lambda p: SGDOptimizer(p, momentum=0.9, nesterov=True),
    lambda p: SGDOptimizer(p),
    lambda p: AdamOptimizer(p, beta_1=0.8),
])
def test_state_dict_round_trip_continues_identically(make):
    params, grads, lrs = problem(5)
    a = [p.copy() for p in params]
    opt_a = make(a)
    for g, lr in zip(grads[:10], lrs[:10]):
        opt_a.step(a, g, lr)
    state = opt_a.state_dict()
    for value in state.values():
        assert isinstance(value, (bool, int, float, list))
    b = [p.copy() for p in a]
    opt_b = make([p.copy() for p in params])
    opt_b.load_state_dict(state)
    state["t" if "t" in state else "momentum"] = 0.123   # a copy, not a view
    for g, lr in zip(grads[10:], lrs[10:]):
        opt_a.step(a, g, lr)
        opt_b.step(b, g, lr)
    np.testing.assert_array_equal(flat(a), flat(b))


def test_state_dict_refuses_bad_fields():
    params, _, _ = problem()
    opt = AdamOptimizer([p.copy() for p in params])
    good = opt.state_dict()
    cases = [
        ({**good, "step": None}, "unknown \\['step'\\]"),
        ({k: v for k, v in good.items() if k != "t"}, "missing \\['t'\\]"),
        ({**good, "t": "x"}, "'t' must be a integral"),
        ({**good, "t": -1}, "'t'=-1 is outside"),
        ({**good, "t": 2.0}, "'t' must be a integral"),
        ({**good, "beta_1": 1.0}, "'beta_1'=1.0 is outside"),
        ({**good, "epsilon": float("nan")}, "'epsilon'=nan is outside"),
        ({**good, "ms": good["ms"][:2]}, "holds 2 arrays"),
        ({**good, "ms": [m.T for m in good["ms"]]}, "shape"),
        ({**good, "ms": [m.astype(np.float32) for m in good["ms"]]}, "float64"),
        ({**good, "ms": [m.tolist() for m in good["ms"]]}, "got list"),
        ({**good, "vs": [np.full_like(v, np.nan) for v in good["vs"]]}, "non-finite"),
        ({**good, "vs": [np.full_like(v, -1.0) for v in good["vs"]]}, ">= 0"),
        ("state", "must be a dict"),
    ]
    for bad, message in cases:
        with pytest.raises(OptimizerStateError, match=message):
            opt.load_state_dict(bad)
        assert opt.t == 0 and not any(np.any(m) for m in opt.ms)   # unchanged
    sgd = SGDOptimizer([p.copy() for p in params])
    with pytest.raises(OptimizerStateError, match="must be empty"):
        sgd.load_state_dict({"momentum": 0.0, "nesterov": False,
                             "velocities": [np.zeros(3)]})
    with pytest.raises(OptimizerStateError, match="'nesterov' must be a bool"):
        sgd.load_state_dict({"momentum": 0.0, "nesterov": 1, "velocities": []})
    # momentum switched on by the state: velocities are then required and used
    sgd.load_state_dict({"momentum": 0.5, "nesterov": False,
                         "velocities": [np.ones_like(p) for p in params]})
    assert sgd.momentum == 0.5 and len(sgd.velocities) == 3
