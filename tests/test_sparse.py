"""Sparse X (CSR, CSC) as MLPClassifier takes it: trained without densifying.

Oracle: the same fit on the dense array.  The first layer's product and its
weight gradient are computed by scipy on the sparse matrix instead of BLAS
on the dense one, so the weights agree to rounding (allclose), not bitwise.
"""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier

SPARSE_FORMATS = [sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array]


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = X[:400] / 16.0  # about half the pixels are 0
    return X, y[:400]


def _fit(est, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **fit_params)


def _assert_same_weights(a, b):
    for Wa, Wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_allclose(Wa, Wb, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("container", SPARSE_FORMATS)
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_sparse_and_dense_x_give_the_same_weights(digits, container, solver):
    X, y = digits
    params = dict(hidden_layer_sizes=(16,), solver=solver, activation="relu",
                  batch_size=32, max_iter=5, random_state=0)
    dense = _fit(MulticlassMLPClassifier(**params), X, y)
    sparse = _fit(MulticlassMLPClassifier(**params), container(X), y)
    _assert_same_weights(sparse, dense)
    assert sparse.n_iter_ == dense.n_iter_ == 5
    assert sparse.loss_curve_ == pytest.approx(dense.loss_curve_, rel=1e-9)
    # prediction on the sparse matrix: the same probabilities
    np.testing.assert_allclose(sparse.predict_proba(container(X)), dense.predict_proba(X),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(sparse.predict(container(X)), dense.predict(X))
    np.testing.assert_array_equal(dense.predict(container(X)), dense.predict(X))


def test_sparse_binary_with_weights_early_stopping_float32_and_no_shuffle(digits):
    X, y = digits
    y = (y >= 5).astype(int)
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    for params in (dict(early_stopping=True, max_iter=8),
                   dict(dtype="float32", shuffle=False, max_iter=4),
                   dict(class_weight="balanced", max_iter=4)):
        params = dict(hidden_layer_sizes=(8,), random_state=1, n_init=1, **params)
        dense = _fit(BinaryMLPClassifier(**params), X, y, sample_weight=w)
        sparse = _fit(BinaryMLPClassifier(**params), sp.csr_matrix(X), y, sample_weight=w)
        rtol = 1e-4 if params.get("dtype") == "float32" else 1e-7
        for Wa, Wb in zip(sparse.coefs_ + sparse.intercepts_,
                          dense.coefs_ + dense.intercepts_):
            assert Wa.dtype == Wb.dtype
            np.testing.assert_allclose(Wa, Wb, rtol=rtol, atol=rtol * 1e-2)
        assert sparse.n_iter_ == dense.n_iter_
        np.testing.assert_allclose(sparse.decision_function(sp.csc_matrix(X)),
                                   dense.decision_function(X), rtol=rtol, atol=rtol)


def test_partial_fit_on_sparse_batches_equals_dense_batches(digits):
    X, y = digits
    dense = MulticlassMLPClassifier((10,), random_state=0)
    sparse = MulticlassMLPClassifier((10,), random_state=0)
    for chunk in np.array_split(np.arange(len(y)), 4):
        dense.partial_fit(X[chunk], y[chunk], classes=np.arange(10))
        sparse.partial_fit(sp.csr_matrix(X[chunk]), y[chunk], classes=np.arange(10))
    _assert_same_weights(sparse, dense)
    hidden_s = sparse.hidden_activations(sp.csr_matrix(X))
    hidden_d = dense.hidden_activations(X)
    np.testing.assert_allclose(hidden_s[0], hidden_d[0], rtol=1e-9, atol=1e-12)


def test_a_wide_sparse_matrix_is_never_densified():
    # dense, X would take 4 000 x 100 000 x 8 bytes = 3.2 GB; the fit must stay
    # near the size of the sparse data and the (100 000 x 4) first layer
    rng = np.random.default_rng(0)
    X = sp.random(4_000, 100_000, density=1e-4, format="csr", random_state=rng)
    y = rng.integers(0, 2, 4_000)
    dense_bytes = X.shape[0] * X.shape[1] * 8
    tracemalloc.start()
    try:
        clf = _fit(BinaryMLPClassifier((4,), max_iter=2, random_state=0, n_init=1), X, y)
        clf.predict_proba(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # first layer, its gradient, Adam's two moments (and a snapshot): ~5 x 3.2 MB
    assert peak < 40e6, peak
    assert peak < dense_bytes / 50
    assert clf.coefs_[0].shape == (100_000, 4)


def test_csc_is_converted_to_csr_once_and_the_caller_keeps_its_matrix(digits):
    X, y = digits
    Xc = sp.csc_matrix(X)
    before = Xc.copy()
    _fit(MulticlassMLPClassifier((8,), max_iter=2, random_state=0), Xc, y)
    assert Xc.format == "csc"
    assert (Xc != before).nnz == 0


def test_sparse_x_with_the_wrong_number_of_features_is_rejected(digits):
    X, y = digits
    clf = _fit(MulticlassMLPClassifier((8,), max_iter=2, random_state=0), sp.csr_matrix(X), y)
    with pytest.raises(ValueError, match="X has 63 features"):
        clf.predict(sp.csr_matrix(X[:, :63]))
