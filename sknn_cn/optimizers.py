"""Parameter update rules.  An optimizer only applies an update.

It does not choose the learning rate (a schedule does, :mod:`sknn_cn.schedules`)
and it does not decide when training stops (the estimator's loop does).  Each
optimizer updates a flat list of arrays ``[W1, b1, W2, b2, ...]`` in place,
using scratch buffers so a step allocates nothing.
"""

import numpy as np
from scipy.linalg import blas

__all__ = ["SGDOptimizer", "AdamOptimizer", "axpy"]


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


class SGDOptimizer:
    """Stochastic gradient descent with optional (Nesterov) momentum.

    With velocity ``v`` (zero at the start), learning rate ``lr`` and momentum
    ``mu`` (the same rule as scikit-learn's ``MLPClassifier``)::

        v  <- mu * v - lr * g
        p  <- p + v                          (classical momentum)
        p  <- p + mu * v - lr * g            (Nesterov momentum)

    ``mu = 0`` is the seed's plain rule ``w <- w - lr * g``.

    Parameters
    ----------
    params : list of ndarray
    momentum : float, default=0.0
    nesterov : bool, default=False
    """

    def __init__(self, params, momentum=0.0, nesterov=False):
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = [np.zeros_like(p) for p in params] if momentum else None

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


class AdamOptimizer:
    """Adam (Kingma & Ba, 2015) with bias correction folded into the step size.

    For step ``t = 1, 2, ...``::

        m  <- beta_1 m + (1 - beta_1) g
        v  <- beta_2 v + (1 - beta_2) g**2
        p  <- p - lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)

    Parameters
    ----------
    params : list of ndarray
    beta_1, beta_2 : float
    epsilon : float
    """

    def __init__(self, params, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]
        self.scratch = [np.empty_like(p) for p in params]

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
