"""The chapter's toy data: the definitions of seed 1.1.1 and 1.2.1, checked
point by point."""

import numpy as np
import pytest

from sknn_cn.datasets import make_coin_hole, make_double_arc, make_xor


def test_xor_defaults_are_the_seed_truth_table():
    X, y = make_xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]))


def test_xor_with_noise_keeps_labels_of_nearest_corner():
    X, y = make_xor(400, noise=0.1, shuffle=True, random_state=0)
    corners = np.round(np.clip(X, 0, 1))
    assert (np.logical_xor(corners[:, 0], corners[:, 1]) == y).mean() > 0.99
    assert np.bincount(y).tolist() == [200, 200]


def test_double_arc_follows_the_definition():
    X, y = make_double_arc(1000, random_state=0)
    assert X.shape == (1000, 2) and np.bincount(y).tolist() == [500, 500]
    assert X[:, 0].min() >= 0 and X[:, 0].max() <= np.pi
    residual = X[:, 1] - np.sin(X[:, 0]) - 0.65 * y
    assert np.abs(residual).max() <= 0.125
    assert np.abs(residual).max() > 0.12  # the noise fills its band
    # not linearly separable: the arcs overlap in x2 alone
    assert X[y == 0, 1].max() > X[y == 1, 1].min()


def test_coin_hole_follows_the_definition():
    X, y = make_coin_hole(5000, random_state=1)
    assert X.min() >= -0.5 and X.max() < 0.5
    hole = (np.abs(X[:, 0]) < 0.2) & (np.abs(X[:, 1]) < 0.2)
    ring = ~hole & (np.hypot(X[:, 0], X[:, 1]) < 0.45)
    expected = np.where(hole, 0, np.where(ring, 1, 2))
    np.testing.assert_array_equal(y, expected)
    # class shares match the areas: 0.16, pi*0.45^2 - 0.16, 1 - pi*0.45^2
    shares = np.bincount(y) / len(y)
    np.testing.assert_allclose(shares, [0.16, np.pi * 0.2025 - 0.16, 1 - np.pi * 0.2025],
                               atol=0.02)


@pytest.mark.parametrize("make", [make_xor, make_double_arc, make_coin_hole])
def test_random_state_is_reproducible(make):
    a = make(40, random_state=3)
    b = make(40, random_state=3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("bad", [0, -5, 2.5, "10", True])
def test_bad_n_samples_is_named(bad):
    with pytest.raises(ValueError, match="n_samples"):
        make_coin_hole(bad)


def test_bad_noise_is_named():
    with pytest.raises(ValueError, match="noise=-1"):
        make_double_arc(10, noise=-1)
    with pytest.raises(ValueError, match="hole"):
        make_coin_hole(10, hole=0.6)
