"""The chapter's toy problems (seed 1.1.1, 1.2.1): XOR, double arc, coin hole.

Each generator returns ``(X, y)`` like :func:`sklearn.datasets.make_moons`:
``X`` of shape ``(n_samples, 2)`` and integer labels ``y`` of shape
``(n_samples,)``.
"""

import numbers

import numpy as np
from sklearn.utils import check_random_state

__all__ = [
    "XOR_TABLE",
    "COIN_HOLE_CLASSES",
    "make_xor",
    "make_double_arc",
    "make_coin_hole",
]

#: The XOR truth table of seed 1.1.1: (x1, x2) -> x1 XOR x2.
XOR_TABLE = (((0.0, 0.0), 0), ((0.0, 1.0), 1), ((1.0, 0.0), 1), ((1.0, 1.0), 0))


def _check_n_samples(n_samples, minimum):
    if (not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool)
            or n_samples < minimum):
        raise ValueError(
            f"`n_samples` must be an integer >= {minimum}; got n_samples={n_samples!r}."
        )
    return int(n_samples)


def _check_noise(noise):
    if not isinstance(noise, numbers.Real) or isinstance(noise, bool) or not (
        np.isfinite(noise) and noise >= 0
    ):
        raise ValueError(f"`noise` must be a finite number >= 0; got noise={noise!r}.")
    return float(noise)


def _check_real(value, name):
    if (not isinstance(value, numbers.Real) or isinstance(value, bool)
            or not np.isfinite(value)):
        raise ValueError(f"`{name}` must be a finite number; got {name}={value!r}.")
    return float(value)


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"`{name}` must be True or False; got {name}={value!r}.")
    return bool(value)


def _shuffled(X, y, rng):
    order = rng.permutation(len(y))
    return X[order], y[order]


def make_xor(n_samples=4, *, noise=0.0, shuffle=False, random_state=None):
    """The XOR problem of seed 1.1.1: not linearly separable, 2 classes.

    Sample ``i`` sits on corner ``i % 4`` of the unit square in the order of
    the truth table (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0, plus Gaussian noise
    of standard deviation ``noise``.  With the defaults it returns exactly the
    seed's four samples.

    Parameters
    ----------
    n_samples : int, default=4
        Number of samples (at least 4, so every corner appears).
    noise : float, default=0.0
        Standard deviation of the Gaussian noise added to the coordinates.
    shuffle : bool, default=False
        Whether to shuffle the samples.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
        The labels, 0 or 1.
    """
    n_samples = _check_n_samples(n_samples, 4)
    noise = _check_noise(noise)
    shuffle = _check_bool(shuffle, "shuffle")
    rng = check_random_state(random_state)
    corners = np.array([c for c, _ in XOR_TABLE])
    labels = np.array([t for _, t in XOR_TABLE])
    which = np.arange(n_samples) % 4
    X = corners[which].astype(np.float64)
    y = labels[which]
    if noise:
        X += rng.normal(scale=noise, size=X.shape)
    if shuffle:
        X, y = _shuffled(X, y, rng)
    return X, y


def make_double_arc(n_samples=200, *, noise=0.125, gap=0.65, shuffle=True,
                    random_state=None):
    """The double-arc problem of seed 1.1.1 / 1.1.5: two stacked sine arcs.

    ``x1`` is uniform on ``[0, pi]``.  Class 0 is ``x2 = sin(x1) + u`` and
    class 1 is ``x2 = sin(x1) + u + gap``, with ``u ~ U(-noise, noise)``
    (the seed's source: noise 0.125, gap 0.65).  The two arcs cannot be
    separated by a straight line.

    Parameters
    ----------
    n_samples : int, default=200
        Total number of samples; class 0 gets ``ceil(n_samples / 2)``.
    noise : float, default=0.125
        Half-width of the uniform vertical noise.
    gap : float, default=0.65
        Vertical shift of class 1.
    shuffle : bool, default=True
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
    """
    n_samples = _check_n_samples(n_samples, 2)
    noise = _check_noise(noise)
    gap = _check_real(gap, "gap")
    shuffle = _check_bool(shuffle, "shuffle")
    rng = check_random_state(random_state)
    n1 = n_samples // 2
    n0 = n_samples - n1
    y = np.repeat([0, 1], [n0, n1])
    x1 = rng.uniform(0.0, np.pi, size=n_samples)
    x2 = np.sin(x1) + rng.uniform(-noise, noise, size=n_samples) + gap * y
    X = np.column_stack([x1, x2])
    if shuffle:
        X, y = _shuffled(X, y, rng)
    return X, y


#: Class labels of :func:`make_coin_hole`.
COIN_HOLE_CLASSES = ("hole", "ring", "outside")


def make_coin_hole(n_samples=1000, *, hole=0.2, radius=0.45, random_state=None):
    """The coin-with-a-square-hole (铜钱孔) problem of seed 1.2.1: 3 classes.

    Points are uniform on ``[-0.5, 0.5)^2``:

    * class 0, "hole": ``|x1| < hole`` and ``|x2| < hole`` (the square hole);
    * class 1, "ring": otherwise, when ``x1^2 + x2^2 < radius^2`` (the coin);
    * class 2, "outside": everything else.

    Parameters
    ----------
    n_samples : int, default=1000
    hole : float, default=0.2
        Half-width of the square hole.
    radius : float, default=0.45
        Radius of the coin.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
        0 (hole), 1 (ring) or 2 (outside); names in :data:`COIN_HOLE_CLASSES`.
    """
    n_samples = _check_n_samples(n_samples, 1)
    hole = _check_real(hole, "hole")
    radius = _check_real(radius, "radius")
    if not (0 < hole < radius):
        raise ValueError(
            f"`hole` must satisfy 0 < hole < radius; got hole={hole!r}, radius={radius!r}."
        )
    rng = check_random_state(random_state)
    X = rng.uniform(-0.5, 0.5, size=(n_samples, 2))
    in_hole = (np.abs(X[:, 0]) < hole) & (np.abs(X[:, 1]) < hole)
    in_coin = (X**2).sum(axis=1) < radius**2
    y = np.where(in_hole, 0, np.where(in_coin, 1, 2))
    return X, y
