"""Divergence is reported when the training loss explodes, never on the recipes.

A run whose epoch loss climbs above ``EXPLOSION_FACTOR`` (100) times where it
started is reported like a NaN loss: a ``FloatingPointError`` naming
``learning_rate_init``, the estimator left as it was.  The other side of the
rule: the README's recipes and the seed's problems at sane rates train
without it, with their loss far below the ceiling.
"""

import copy
import math

import numpy as np
import pytest
from sklearn.datasets import load_digits

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier
from sknn_cn.datasets import make_coin_hole, make_xor
from sknn_cn.training.stopping import EXPLOSION_FACTOR

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X = np.random.default_rng(0).normal(size=(60, 3))
Y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
Y3 = np.arange(60) % 3


@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("lr, seed", [(1e3, 1), (1e8, 2)])
def test_xor_at_huge_rates_is_reported(solver, lr, seed):
    X_xor, y_xor = make_xor()
    model = BinaryMLPClassifier(hidden_layer_sizes=(2,), solver=solver,
                                learning_rate_init=lr, random_state=seed)
    with pytest.raises(FloatingPointError, match=rf"learning_rate_init={lr!r}"):
        model.fit(X_xor, y_xor)
    assert not hasattr(model, "coefs_")


def test_the_message_says_how_far_the_loss_exploded():
    model = MulticlassMLPClassifier(hidden_layer_sizes=(4,), learning_rate_init=1e3,
                                    max_iter=50, random_state=0)
    with pytest.raises(FloatingPointError, match=r"Training diverged: the training loss "
                                                 r"exploded to \S+ at epoch \d+, more than "
                                                 r"100 times where it started"):
        model.fit(X, Y3)


def test_partial_fit_calls_that_explode_are_reported():
    """One update per call: the start is the first call's loss, kept in loss_curve_."""
    model = BinaryMLPClassifier(hidden_layer_sizes=(4,), learning_rate_init=1e3,
                                random_state=0)
    model.partial_fit(X, Y, classes=[0, 1])
    with pytest.raises(FloatingPointError, match="learning_rate_init=1000.0"):
        for _ in range(20):
            before = copy.deepcopy(model.coefs_)
            model.partial_fit(X, Y)
    for got, want in zip(model.coefs_, before):  # the refused call changed nothing
        np.testing.assert_array_equal(got, want)


def test_a_warm_refit_that_explodes_is_reported():
    model = BinaryMLPClassifier(hidden_layer_sizes=(4,), warm_start=True, max_iter=30,
                                random_state=0).fit(X, Y)
    model.set_params(learning_rate_init=1e3)
    with pytest.raises(FloatingPointError, match="learning_rate_init=1000.0"):
        model.fit(X, Y)
    assert model.n_iter_ == 30


def _peak_ratio(model, n_classes):
    """Highest epoch loss over where it started (>= ln K, as the rule's ceiling)."""
    curve = model.loss_curve_
    return max(curve) / max(math.log(n_classes), curve[0])


@pytest.mark.parametrize("seed", range(2))
def test_xor_with_the_defaults_stays_far_below_the_ceiling(seed):
    X_xor, y_xor = make_xor()
    model = BinaryMLPClassifier(hidden_layer_sizes=(2,), random_state=seed).fit(X_xor, y_xor)
    assert _peak_ratio(model, 2) < EXPLOSION_FACTOR / 20


def test_the_readme_coin_hole_recipe_stays_far_below_the_ceiling():
    X_coin, y_coin = make_coin_hole(1000, random_state=0)
    # the recipe's net and data; its first 300 epochs, where an explosion would be
    model = MulticlassMLPClassifier(hidden_layer_sizes=(3,), max_iter=300, n_init=1,
                                    random_state=0).fit(X_coin, y_coin)
    assert _peak_ratio(model, 3) < EXPLOSION_FACTOR / 20


@pytest.mark.parametrize("momentum, batch_size", [(0.0, 64), (0.0, 1), (0.9, 64)])
def test_the_seed_net_on_digits_with_sgd_at_half_stays_below_the_ceiling(momentum,
                                                                         batch_size):
    """The README's seed net (sigmoid, tanh, softmax; SGD at 0.5) on the 8x8 digits."""
    X_digits, y_digits = load_digits(return_X_y=True)
    X_digits = X_digits[:600] / 16.0
    model = MulticlassMLPClassifier(
        (64, 16), activation=("logistic", "tanh"), solver="sgd", momentum=momentum,
        batch_size=batch_size, learning_rate_init=0.5, max_iter=8, random_state=0,
    ).fit(X_digits, y_digits[:600])
    assert _peak_ratio(model, 10) < EXPLOSION_FACTOR / 10
