"""Weight initialisers: Glorot/Xavier, He/MSRA, standard normal.

Each initialiser draws a ``(fan_in, fan_out)`` weight matrix from the given
``numpy.random.Generator``; biases start at zero.  The names the seed's source
uses ('xavier', 'msra') are aliases of the published ones.
"""

import numpy as np

__all__ = ["INITIALIZERS", "INIT_ALIASES", "init_params"]


def _glorot_uniform(fan_in, fan_out, rng):
    # Xavier/Glorot (2010): U(-r, r), r = sqrt(6 / (fan_in + fan_out)),
    # the seed's source's default ("Xavier").
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def _glorot_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


def _he_uniform(fan_in, fan_out, rng):
    bound = np.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def _he_normal(fan_in, fan_out, rng):
    # He et al. (2015), "MSRA" in the seed's source.
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def _normal(fan_in, fan_out, rng):
    # Standard normal, as the seed's source's "Normal" method.
    return rng.normal(0.0, 1.0, size=(fan_in, fan_out))


INITIALIZERS = {
    "glorot_uniform": _glorot_uniform,
    "glorot_normal": _glorot_normal,
    "he_uniform": _he_uniform,
    "he_normal": _he_normal,
    "normal": _normal,
}
#: The seed's source's names for two of them.
INIT_ALIASES = {"xavier": "glorot_uniform", "msra": "he_normal"}


def init_params(layer_sizes, init, rng, dtype=np.float64):
    """Draw initial weights; biases start at zero.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_features, n_hidden_1, ..., n_outputs]``.
    init : str
        A key of :data:`INITIALIZERS` (or 'xavier', 'msra').
    rng : numpy.random.Generator
    dtype : numpy dtype, default=np.float64

    Returns
    -------
    params : list of (W, b)
        ``W`` of shape ``(n_in, n_out)``, ``b`` of shape ``(n_out,)``.
    """
    draw = INITIALIZERS[INIT_ALIASES.get(init, init)]
    params = []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        W = np.ascontiguousarray(draw(fan_in, fan_out, rng), dtype=dtype)
        b = np.zeros(fan_out, dtype=dtype)
        params.append((W, b))
    return params
