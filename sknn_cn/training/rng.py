"""The one way a scikit-learn ``random_state`` becomes a NumPy ``Generator``."""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["generator_from"]


def generator_from(random_state):
    """A new ``np.random.Generator`` seeded from a scikit-learn ``random_state``.

    ``random_state`` (None, an int or a ``RandomState``) goes through
    :func:`sklearn.utils.check_random_state`, which gives one integer below
    2**31 - 1 that seeds ``np.random.default_rng``: a fixed int always gives
    the same generator, and a ``RandomState`` is advanced by one draw.
    """
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    return np.random.default_rng(seed)
