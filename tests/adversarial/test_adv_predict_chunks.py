"""Prediction in chunks of ``working_memory``: same answers, bounded memory.

The estimators predict chunk by chunk (rows whose activations fit in
scikit-learn's ``working_memory``); the oracle is the same model predicting in
one chunk (the default ``working_memory`` of 1 GiB holds these rows at once).
"""

import tracemalloc

import numpy as np
import pytest
import sklearn

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3000, 5))
Y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
Y3 = np.digitize(X[:, 0], [-0.5, 0.5])
LABELS = np.array(["low", "mid", "high"])[Y3]
TOL = {"float32": 1e-5, "float64": 1e-12}
METHODS = ["predict", "predict_proba", "predict_log_proba", "decision_function",
           "hidden_activations"]


def _fit(Estimator, y, dtype):
    return Estimator(hidden_layer_sizes=(16, 8), activation=("relu", "tanh"), max_iter=5,
                     dtype=dtype, random_state=0).fit(X, y)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("Estimator, y", [(BinaryMLPClassifier, Y),
                                          (MulticlassMLPClassifier, Y3),
                                          (MulticlassMLPClassifier, LABELS),
                                          (MulticlassMLPClassifier, Y)])
@pytest.mark.parametrize("method", METHODS)
def test_chunked_prediction_equals_one_chunk(Estimator, y, dtype, method):
    model = _fit(Estimator, y, dtype)
    whole = getattr(model, method)(X)
    # 0.01 MiB: a row is (5 + 16 + 8 + outputs) * itemsize bytes, so chunks of
    # about 45-90 rows: dozens of chunks, the last one short
    with sklearn.config_context(working_memory=0.01):
        chunked = getattr(model, method)(X)
    if method == "hidden_activations":
        assert len(chunked) == len(whole) == 2
        pairs = list(zip(chunked, whole))
    else:
        pairs = [(chunked, whole)]
    for got, want in pairs:
        assert got.shape == want.shape and got.dtype == want.dtype
        if got.dtype.kind in "fc":
            # BLAS may sum a row's products in another order in another chunk
            np.testing.assert_allclose(got, want, rtol=TOL[dtype], atol=TOL[dtype])
        else:
            np.testing.assert_array_equal(got, want)


def test_a_single_row_predicts_under_a_tiny_working_memory():
    model = _fit(MulticlassMLPClassifier, Y3, "float64")
    with sklearn.config_context(working_memory=1e-9):
        with pytest.warns(UserWarning, match="Could not adhere to working_memory"):
            proba = model.predict_proba(X[:3])
    np.testing.assert_allclose(proba, model.predict_proba(X[:3]), rtol=1e-12)


def test_chunking_bounds_the_memory_prediction_allocates():
    """Peak of tracemalloc (NumPy reports to it), not seconds: exact bytes."""
    model = MulticlassMLPClassifier(hidden_layer_sizes=(200,), max_iter=2,
                                    random_state=0).fit(X[:300], Y3[:300])
    big = np.tile(X, (10, 1))  # 30 000 rows: 30 000 * 203 * 8 B = 46 MiB of activations
    peaks = {}
    for working_memory in (1024, 1):
        with sklearn.config_context(working_memory=working_memory):
            tracemalloc.start()
            proba = model.predict_proba(big)
            peaks[working_memory] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    activations = big.shape[0] * (200 + 3) * 8
    assert peaks[1024] > activations  # one chunk holds them all
    # one MiB of activations per chunk, plus the output (30 000 x 3 float64)
    assert peaks[1] < 1.2 * (2**20 + proba.nbytes)
