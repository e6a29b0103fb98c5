"""partial_fit reads X for NaN / inf only when training turns non-finite.

Reading all of X again on every call cost about 5 % of an MNIST epoch, so
``partial_fit`` skips sklearn's finite scan and relies on IEEE arithmetic: a
NaN or inf anywhere in X reaches ``dW1 = X^T dZ1`` (``inf * 0`` is NaN), so
the loss or the weights become non-finite within the epoch, and the
estimator then raises sklearn's own ValueError naming X.  These tests hold
that for every hidden activation and both stochastic solvers, for the value
in the first and in the last mini-batch, with a zero sample weight on the bad row, for sparse and
multilabel X, and check that nothing of the estimator changed.
"""

import copy

import numpy as np
import pytest
import scipy.sparse as sp

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

MESSAGE = "Input X contains (NaN|infinity)"


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    return X, y


def _estimator(activation, **kwargs):
    params = dict(hidden_layer_sizes=(6,), activation=activation, solver="sgd",
                  batch_size=32, shuffle=False, random_state=0)
    params.update(kwargs)
    return MulticlassMLPClassifier(**params)


def _state(est):
    return ([W.copy() for W in est.coefs_], [b.copy() for b in est.intercepts_],
            list(est.loss_curve_), est.n_updates_, est.t_,
            copy.deepcopy(est._rng.bit_generator.state))


def _assert_same_state(a, b):
    for x, y in zip(a[0] + a[1], b[0] + b[1]):
        np.testing.assert_array_equal(x, y)
    assert a[2:] == b[2:]


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu", "identity"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("row", [0, 95])  # the first and the last mini-batch
def test_non_finite_X_is_refused_and_changes_nothing(solver, activation, value, row):
    X, y = _data()
    est = _estimator(activation, solver=solver).partial_fit(X, y, classes=[0, 1, 2])
    before = _state(est)
    bad = X.copy()
    bad[row, 3] = value
    with pytest.raises(ValueError, match=MESSAGE):
        est.partial_fit(bad, y)
    _assert_same_state(_state(est), before)
    # and the next good call is the one a copy that never saw the failure makes
    twin = _estimator(activation, solver=solver).partial_fit(X, y, classes=[0, 1, 2])
    est.partial_fit(X, y)
    twin.partial_fit(X, y)
    _assert_same_state(_state(est), _state(twin))


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_first_call_with_non_finite_X_leaves_the_estimator_unfitted(value):
    X, y = _data()
    X[40, 0] = value
    est = _estimator("logistic")
    with pytest.raises(ValueError, match=MESSAGE):
        est.partial_fit(X, y, classes=[0, 1, 2])
    assert not hasattr(est, "coefs_")
    assert not hasattr(est, "classes_")


def test_a_zero_weight_does_not_hide_an_inf():
    X, y = _data()
    X[10, 2] = np.inf
    weights = np.ones(len(y))
    weights[10] = 0.0
    with pytest.raises(ValueError, match=MESSAGE):
        _estimator("tanh").partial_fit(X, y, classes=[0, 1, 2], sample_weight=weights)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_sparse_X(value):
    X, y = _data()
    X[X < 0.5] = 0.0
    X[7, 1] = value
    with pytest.raises(ValueError, match=MESSAGE):
        _estimator("relu").partial_fit(sp.csr_matrix(X), y, classes=[0, 1, 2])


def test_multilabel_y():
    X, _ = _data()
    Y = (X[:, :3] > 0).astype(int)
    X[50, 4] = np.nan
    est = BinaryMLPClassifier(hidden_layer_sizes=(6,), batch_size=32, random_state=0)
    with pytest.raises(ValueError, match=MESSAGE):
        est.partial_fit(X, Y, classes=[0, 1, 2])


def test_float64_nan_into_a_float32_model_names_the_nan_not_the_range():
    X, y = _data()
    est = _estimator("logistic", dtype="float32").partial_fit(X, y, classes=[0, 1, 2])
    X[3, 3] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.partial_fit(X, y)


def test_fit_still_scans_X_before_training():
    X, y = _data()
    X[5, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        _estimator("logistic").fit(X, y)
