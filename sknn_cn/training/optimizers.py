"""Parameter update rules.  An optimizer only applies an update.

It does not choose the learning rate (a schedule does, :mod:`sknn_cn.training.schedules`)
and it does not decide when training stops (the training loop does, :mod:`sknn_cn.training.loop`).  Each
optimizer updates a flat list of arrays ``[W1, b1, W2, b2, ...]`` in place,
using scratch buffers so a step allocates nothing.

State
-----
Each optimizer has a public, documented state: :meth:`state_dict` returns a
plain ``dict`` of Python numbers, booleans and lists of NumPy arrays (copies),
and :meth:`load_state_dict` puts such a dict back after checking every field
(its name, type, range, and each array's shape, dtype and finiteness against
the parameters the optimizer was built for).  This is what
:mod:`sknn_cn.persistence` saves, so training can continue after a reload.

=============  ========================================================
SGDOptimizer   ``momentum`` (float in [0, 1]), ``nesterov`` (bool),
               ``velocities`` (one array per parameter; ``[]`` when
               ``momentum == 0``)
AdamOptimizer  ``beta_1``, ``beta_2`` (floats in [0, 1)), ``epsilon``
               (float > 0), ``t`` (int >= 0, steps taken), ``ms``, ``vs``
               (one array per parameter; ``vs`` >= 0)
=============  ========================================================
"""

import numbers

import numpy as np
from scipy.linalg import blas

__all__ = ["SGDOptimizer", "AdamOptimizer", "axpy", "OptimizerStateError"]


_BLAS_AXPY = {np.dtype(np.float32): blas.saxpy, np.dtype(np.float64): blas.daxpy}


def axpy(a, x, y):
    """``y += a * x`` in place, in one pass and without a temporary.

    BLAS ``axpy`` for contiguous float32/float64 vectors (the flat parameter
    vector of the training loop), NumPy otherwise.
    """
    blas_axpy = _BLAS_AXPY.get(y.dtype)
    if (blas_axpy is not None and y.ndim == 1 and x.dtype == y.dtype
            and y.flags.c_contiguous and x.flags.c_contiguous):
        blas_axpy(x, y, a=a)
    else:
        y += a * x
    return y


class OptimizerStateError(ValueError):
    """A state dict that does not fit the optimizer (names, types, ranges, shapes)."""


def _number(d, name, low, high, *, low_open=False, high_open=False, kind=numbers.Real):
    value = d[name]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        raise OptimizerStateError(
            f"optimizer state {name!r} must be a {kind.__name__.lower()}; got {value!r}.")
    value = int(value) if kind is numbers.Integral else float(value)
    if not (np.isfinite(value) and (value > low if low_open else value >= low)
            and (high is None or (value < high if high_open else value <= high))):
        lo, hi = "(" if low_open else "[", ")" if high_open or high is None else "]"
        raise OptimizerStateError(
            f"optimizer state {name!r}={value!r} is outside {lo}{low}, "
            f"{'inf' if high is None else high}{hi}.")
    return value


class _Optimizer:
    """Shared state handling: subclasses list their scalar and array fields."""

    _scalars = ()   # names of scalar hyper-parameters / counters
    _arrays = ()    # names of lists of arrays, one per parameter

    def _remember_layout(self, params):
        self._layout = [(p.shape, p.dtype) for p in params]

    def state_dict(self):
        """The optimizer's state as a plain dict (numbers, bools, lists of array copies).

        Returns
        -------
        state : dict
            Keys are the names listed in the module docstring; arrays are
            copies, so changing them does not change the optimizer.
        """
        state = {name: getattr(self, name) for name in self._scalars}
        for name in self._arrays:
            arrays = getattr(self, name)
            state[name] = [] if arrays is None else [a.copy() for a in arrays]
        return state

    def load_state_dict(self, state):
        """Replace the optimizer's state by ``state`` after checking every field.

        Parameters
        ----------
        state : dict
            As returned by :meth:`state_dict` of an optimizer of the same class
            built for parameters of the same shapes and dtypes.

        Raises
        ------
        OptimizerStateError
            If a key is missing or unknown, a number has the wrong type or is
            out of range, or an array has the wrong shape or dtype or is not
            finite.  The optimizer is unchanged in that case.
        """
        if not isinstance(state, dict):
            raise OptimizerStateError(f"optimizer state must be a dict; got "
                                      f"{type(state).__name__}.")
        expected = set(self._scalars) | set(self._arrays)
        if set(state) != expected:
            raise OptimizerStateError(
                f"{type(self).__name__} state has keys {sorted(expected)}; got "
                f"{sorted(map(str, state))} (missing {sorted(expected - set(state))}, "
                f"unknown {sorted(map(str, set(state) - expected))}).")
        scalars = self._check_scalars(state)
        arrays = {}
        for name in self._arrays:
            arrays[name] = self._check_arrays(name, state[name],
                                              required=self._needs(name, scalars))
        self._check_consistency(arrays)
        for name, value in scalars.items():
            setattr(self, name, value)
        for name, value in arrays.items():
            setattr(self, name, value)

    def _needs(self, name, scalars):
        return True

    def _check_consistency(self, arrays):
        pass

    def _check_arrays(self, name, arrays, required):
        if not isinstance(arrays, (list, tuple)):
            raise OptimizerStateError(f"optimizer state {name!r} must be a list of "
                                      f"arrays; got {type(arrays).__name__}.")
        if not required:
            if len(arrays):
                raise OptimizerStateError(f"optimizer state {name!r} must be empty "
                                          "here (no momentum).")
            return None
        if len(arrays) != len(self._layout):
            raise OptimizerStateError(
                f"optimizer state {name!r} holds {len(arrays)} arrays; the optimizer "
                f"updates {len(self._layout)} parameter arrays.")
        out = []
        for i, (a, (shape, dtype)) in enumerate(zip(arrays, self._layout)):
            if (not isinstance(a, np.ndarray) or a.shape != shape or a.dtype != dtype):
                got = (f"{a.dtype} {a.shape}" if isinstance(a, np.ndarray)
                       else type(a).__name__)
                raise OptimizerStateError(
                    f"optimizer state {name}[{i}] must be a {dtype} array of shape "
                    f"{shape}; got {got}.")
            if not np.all(np.isfinite(a)):
                raise OptimizerStateError(f"optimizer state {name}[{i}] holds "
                                          "non-finite values.")
            out.append(np.array(a, copy=True, order="C"))
        return out


class SGDOptimizer(_Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum.

    With velocity ``v`` (zero at the start), learning rate ``lr`` and momentum
    ``mu`` (the same rule as scikit-learn's ``MLPClassifier``)::

        v  <- mu * v - lr * g
        p  <- p + v                          (classical momentum)
        p  <- p + mu * v - lr * g            (Nesterov momentum)

    ``mu = 0`` is the seed's plain rule ``w <- w - lr * g``.  With a constant
    ``lr`` this is also ``torch.optim.SGD`` (whose buffer is ``-v / lr``).

    Parameters
    ----------
    params : list of ndarray
    momentum : float, default=0.0
    nesterov : bool, default=False
    """

    _scalars = ("momentum", "nesterov")
    _arrays = ("velocities",)

    def __init__(self, params, momentum=0.0, nesterov=False):
        self.momentum = momentum
        self.nesterov = nesterov
        self._remember_layout(params)
        self.velocities = [np.zeros_like(p) for p in params] if momentum else None

    def _check_scalars(self, state):
        nesterov = state["nesterov"]
        if not isinstance(nesterov, (bool, np.bool_)):
            raise OptimizerStateError(f"optimizer state 'nesterov' must be a bool; "
                                      f"got {nesterov!r}.")
        return {"momentum": _number(state, "momentum", 0.0, 1.0),
                "nesterov": bool(nesterov)}

    def _needs(self, name, scalars):
        return scalars["momentum"] != 0

    def step(self, params, grads, lr):
        """Apply one update in place."""
        mu = self.momentum
        for i, (p, g) in enumerate(zip(params, grads)):
            if not mu:
                axpy(-lr, g, p)  # p <- p - lr g
                continue
            v = self.velocities[i]
            v *= mu
            axpy(-lr, g, v)  # v <- mu v - lr g
            if self.nesterov:
                axpy(mu, v, p)  # p <- p + mu v - lr g
                axpy(-lr, g, p)
            else:
                axpy(1.0, v, p)  # p <- p + v


class AdamOptimizer(_Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction folded into the step size.

    For step ``t = 1, 2, ...``::

        m  <- beta_1 m + (1 - beta_1) g
        v  <- beta_2 v + (1 - beta_2) g**2
        p  <- p - lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)

    This is scikit-learn's ``AdamOptimizer``.  ``torch.optim.Adam`` adds
    ``epsilon`` to ``sqrt(v / (1 - beta_2**t))`` instead, so the two agree
    exactly only for ``epsilon = 0`` (and to about ``epsilon / sqrt(v)``
    otherwise).

    Parameters
    ----------
    params : list of ndarray
    beta_1, beta_2 : float
    epsilon : float
    """

    _scalars = ("beta_1", "beta_2", "epsilon", "t")
    _arrays = ("ms", "vs")

    def __init__(self, params, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self._remember_layout(params)
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]
        self.scratch = [np.empty_like(p) for p in params]

    def _check_scalars(self, state):
        return {"beta_1": _number(state, "beta_1", 0.0, 1.0, high_open=True),
                "beta_2": _number(state, "beta_2", 0.0, 1.0, high_open=True),
                "epsilon": _number(state, "epsilon", 0.0, None, low_open=True),
                "t": _number(state, "t", 0, None, kind=numbers.Integral)}

    def _check_consistency(self, arrays):
        if any(np.any(v < 0) for v in arrays["vs"]):
            raise OptimizerStateError("optimizer state 'vs' (second moments) must be >= 0.")

    def step(self, params, grads, lr):
        """Apply one update in place."""
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        step_size = lr * np.sqrt(1.0 - b2**self.t) / (1.0 - b1**self.t)
        for p, g, m, v, s in zip(params, grads, self.ms, self.vs, self.scratch):
            m *= b1
            m += np.multiply(g, 1.0 - b1, out=s)
            v *= b2
            np.multiply(g, g, out=s)
            s *= 1.0 - b2
            v += s
            np.sqrt(v, out=s)
            s += self.epsilon
            np.divide(m, s, out=s)
            s *= step_size
            p -= s
