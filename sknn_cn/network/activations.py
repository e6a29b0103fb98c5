"""Hidden-layer activations and their derivatives, side by side (seed 1.1.3, 1.4.2).

Each activation works *in place* on the pre-activation ``Z`` and returns it, so
the training loop can reuse one buffer per layer.  Each derivative is written
from the activation's **output** ``A`` (not from ``Z``), which is all that the
backward pass keeps:

========  =====================  ==========================
name      A = f(Z)               f'(Z) written from A
========  =====================  ==========================
identity  Z                      1
logistic  1 / (1 + exp(-Z))      A * (1 - A)      (seed eq. 15)
tanh      tanh(Z)                1 - A**2         (seed eq. 11)
relu      max(Z, 0)              1 where A > 0, else 0
========  =====================  ==========================

The derivative functions multiply an upstream gradient ``dA`` in place by
``f'(Z)``: they turn ``dA`` into ``dZ = dA * f'(Z)``.
"""

import numpy as np

__all__ = ["ACTIVATIONS", "DERIVATIVES", "ALIASES", "resolve_activation"]


# Each activation is followed by its derivative, written from the output A.

def identity(Z):
    """Identity: A = Z (nothing to do in place)."""
    return Z


def identity_derivative(A, dA):
    """dZ = dA * 1: nothing to do."""
    return dA


def logistic(Z):
    """Logistic sigmoid A = 1 / (1 + exp(-Z)), in place.

    The formula itself, one ``exp``: where ``-Z`` is too large, ``exp``
    overflows to inf and ``1 / (1 + inf) = 0`` is the right limit, so that
    overflow is not warned about.  Not ``0.5 * tanh(0.5 * Z) + 0.5``: on CPUs
    without AVX-512 NumPy's float64 ``tanh`` is scalar code, several times
    slower than its ``exp`` (README, "Where the time of a mini-batch goes").
    """
    with np.errstate(over="ignore"):
        np.negative(Z, out=Z)
        np.exp(Z, out=Z)
    Z += 1.0
    np.reciprocal(Z, out=Z)
    return Z


def logistic_derivative(A, dA):
    """dZ = dA * A * (1 - A)  (seed 1.4.2 eq. 15)."""
    dA *= A
    dA -= dA * A  # dA*A - dA*A*A == dA * A * (1 - A)
    return dA


def tanh(Z):
    """Hyperbolic tangent A = tanh(Z), in place."""
    return np.tanh(Z, out=Z)


def tanh_derivative(A, dA):
    """dZ = dA * (1 - A**2)  (seed 1.4.2 eq. 11)."""
    dA -= dA * A * A
    return dA


def relu(Z):
    """Rectified linear unit A = max(Z, 0), in place."""
    return np.maximum(Z, 0, out=Z)


def relu_derivative(A, dA):
    """dZ = dA where A > 0, else 0."""
    dA *= A > 0
    return dA


ACTIVATIONS = {
    "identity": identity,
    "logistic": logistic,
    "tanh": tanh,
    "relu": relu,
}

DERIVATIVES = {
    "identity": identity_derivative,
    "logistic": logistic_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
}

#: Other spellings accepted for the same function.
ALIASES = {"sigmoid": "logistic", "linear": "identity"}


def resolve_activation(name, *, param="activation"):
    """Return the canonical name of an activation, or raise a ValueError.

    Parameters
    ----------
    name : str
        'identity', 'logistic' (alias 'sigmoid'), 'tanh' or 'relu'.
    param : str
        Name of the argument, used in the error message.
    """
    if isinstance(name, str):
        canonical = ALIASES.get(name, name)
        if canonical in ACTIVATIONS:
            return canonical
    allowed = sorted(ACTIVATIONS) + sorted(ALIASES)
    raise ValueError(
        f"Unknown activation {name!r} in `{param}`. "
        f"Allowed names: {', '.join(repr(a) for a in allowed)}."
    )
