"""BLAS thread limits: scoped per fit, independent across Python threads.

The oracle of the concurrency tests is the same fits run one after another:
OpenBLAS's float32 products give different last bits with one and with two
threads, so a fit that ran (even partly) under another fit's limit shows up as
different weights.
"""

import os
import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from sknn_cn import MulticlassMLPClassifier
from sknn_cn.training import threads
from sknn_cn.training.threads import resolve_n_threads, scoped_blas_threads

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _blas_threads():
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def _blas_by_origin():
    """Sorted (is NumPy's BLAS, threads) of every BLAS library: with the pip
    wheels, SciPy's OpenBLAS (scipy.libs) and NumPy's (numpy.libs)."""
    numpy_dir = os.path.realpath(os.path.dirname(np.__file__))
    return sorted((os.path.realpath(lib["filepath"]).startswith(numpy_dir), lib["num_threads"])
                  for lib in threadpool_info() if lib["user_api"] == "blas")


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(256, 100)).astype(np.float32)
    y = (X[:, :3] @ np.array([1.0, -2.0, 0.5], dtype=np.float32) > 0).astype(int)
    y += (X[:, 3] > 1).astype(int)
    return X, y


def _estimator(seed, n_threads):
    # products of 128 x 100 x 64: large enough for OpenBLAS to split them
    return MulticlassMLPClassifier(hidden_layer_sizes=(64,), dtype="float32",
                                   solver="sgd", batch_size=128, max_iter=3, n_init=1,
                                   random_state=seed, n_threads=n_threads)


def _weights(est):
    return [W.copy() for W in est.coefs_] + [b.copy() for b in est.intercepts_]


def _fit_in_threads(estimators, X, y):
    start = threading.Barrier(len(estimators))
    errors = []

    def work(est):
        try:
            start.wait()
            est.fit(X, y)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(est,)) for est in estimators]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []


def test_float32_products_depend_on_the_thread_count():
    """The premise of the oracle: one and two BLAS threads differ in the last bits
    (if this fails, the tests below cannot see a fit run under the wrong limit)."""
    rng = np.random.default_rng(1)
    A = rng.normal(size=(128, 100)).astype(np.float32)
    B = rng.normal(size=(100, 64)).astype(np.float32)
    with scoped_blas_threads(1):
        one = A @ B
    with scoped_blas_threads(2):
        two = A @ B
    assert not np.array_equal(one, two)


def test_four_threads_two_blas_threads_match_sequential_fits():
    """The issue's check: 4 fits in 4 threads with n_threads=2 give the same bits as
    the same fits one after another, and leave the BLAS limits as they found them."""
    X, y = _data()
    before = threadpool_info()
    sequential = [_weights(_estimator(seed, 2).fit(X, y)) for seed in range(4)]
    for _ in range(3):  # a few rounds: interleavings differ from round to round
        estimators = [_estimator(seed, 2) for seed in range(4)]
        _fit_in_threads(estimators, X, y)
        for est, expected in zip(estimators, sequential):
            for got, want in zip(_weights(est), expected):
                np.testing.assert_array_equal(got, want)
        assert threadpool_info() == before


def test_threads_with_different_limits_match_sequential_fits():
    """Fits asking for 1 and 2 threads at once: each runs under its own limit only."""
    X, y = _data()
    before = threadpool_info()
    limits = [1, 2, 1, 2]
    sequential = [_weights(_estimator(seed, n).fit(X, y))
                  for seed, n in enumerate(limits)]
    for _ in range(3):
        estimators = [_estimator(seed, n) for seed, n in enumerate(limits)]
        _fit_in_threads(estimators, X, y)
        for est, expected in zip(estimators, sequential):
            for got, want in zip(_weights(est), expected):
                np.testing.assert_array_equal(got, want)
        assert threadpool_info() == before


def test_a_different_limit_waits_for_the_running_fit():
    """While a scope holds 2 threads, a scope asking for 1 in another thread waits
    for it instead of changing the limit under it."""
    before = _blas_threads()
    seen = []

    def other():
        with scoped_blas_threads(1):
            seen.append(_blas_threads())

    with scoped_blas_threads(2):
        waiter = threading.Thread(target=other)
        waiter.start()
        waiter.join(timeout=0.5)
        assert waiter.is_alive()  # still waiting: the limit is held
        assert _blas_by_origin() == [(False, 1), (True, 2)]
    waiter.join()
    assert seen == [[1] * len(before)]
    assert _blas_threads() == before


def test_nested_scope_in_the_same_thread_keeps_the_outer_limit():
    """A fit inside a fit (e.g. from a callback) neither deadlocks nor changes the limit."""
    before = _blas_threads()
    with scoped_blas_threads(2):
        with scoped_blas_threads(1):
            assert _blas_by_origin() == [(False, 1), (True, 2)]
        assert _blas_by_origin() == [(False, 1), (True, 2)]
    assert _blas_threads() == before


def test_a_failed_fit_restores_the_limits():
    X, y = _data()
    before = threadpool_info()
    est = MulticlassMLPClassifier(hidden_layer_sizes=(8,), solver="sgd",
                                  learning_rate_init=1e30, max_iter=5, n_threads=2,
                                  random_state=0)
    with pytest.raises(FloatingPointError):
        est.fit(X.astype(np.float64) * 1e10, y)
    assert threadpool_info() == before
    # and the scope is free again: the next fit with another limit does not wait
    _estimator(0, 1).fit(X, y)
    assert threadpool_info() == before


@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_an_explicit_n_threads_is_obeyed(n_threads):
    assert resolve_n_threads(n_threads, 512, [784, 1024, 1024, 10],
                             others_running=0) == n_threads


def test_policy_one_thread_for_the_seed_net_even_on_a_free_core():
    assert resolve_n_threads(None, 64, [784, 64, 16, 10], others_running=0) == 1


def test_policy_two_threads_only_for_large_products_with_a_core_free(monkeypatch):
    monkeypatch.setattr(threads, "_usable_cores", lambda: 2)
    large = [784, 512, 512, 10]  # 128 * 784 * 512 = 5.1e7 multiply-adds
    assert resolve_n_threads(None, 128, large, others_running=0) == 2
    assert resolve_n_threads(None, 128, large, others_running=1) == 1  # core busy
    assert resolve_n_threads(None, 64, large, others_running=0) == 1  # 2.6e7: too small
    monkeypatch.setattr(threads, "_usable_cores", lambda: 1)
    assert resolve_n_threads(None, 128, large, others_running=0) == 1


def test_others_running_reads_proc_loadavg(monkeypatch, tmp_path):
    """The running count of /proc/loadavg counts the reader: 3 running is 2 others."""
    import builtins

    fake = tmp_path / "loadavg"
    fake.write_text("0.50 0.40 0.30 3/120 4242\n")
    real_open = builtins.open
    monkeypatch.setattr(builtins, "open", lambda path, *a, **k: real_open(
        fake if path == "/proc/loadavg" else path, *a, **k))
    assert threads._others_running(reads=3) == 2


def test_a_fit_limits_numpys_blas_and_holds_scipys_at_one_thread(monkeypatch):
    """Two OpenBLAS pools (the NumPy and SciPy wheels each bring one) busy-wait
    on the same cores: during a fit only NumPy's BLAS, which does the matrix
    products, has n_threads; SciPy's (axpy, L-BFGS-B) has one."""
    import sknn_cn.training.loop as loop

    seen = []
    real_train = loop.train

    def train(*args, **kwargs):
        seen.append(_blas_by_origin())
        return real_train(*args, **kwargs)

    monkeypatch.setattr(loop, "train", train)
    X, y = _data()
    before = _blas_threads()
    _estimator(0, 2).fit(X, y)
    # the pip wheels: SciPy's OpenBLAS (scipy.libs) and NumPy's (numpy.libs)
    assert seen == [[(False, 1), (True, 2)]]
    assert _blas_threads() == before


def test_after_a_fit_in_another_thread_this_thread_can_still_set_limits():
    """threadpoolctl lets one thread at a time control OpenBLAS: a fit must hand
    the control back, or the caller's own threadpool_limits silently does nothing
    while the thread that fitted lives on (a worker of a pool)."""
    from threadpoolctl import threadpool_limits

    X, y = _data()
    fitted, done = threading.Event(), threading.Event()

    def work():
        _estimator(0, 2).fit(X, y)
        fitted.set()
        done.wait()  # stays alive, as a pool's worker does

    worker = threading.Thread(target=work)
    worker.start()
    fitted.wait()
    try:
        with threadpool_limits(limits=3, user_api="blas"):
            assert _blas_threads() == [3] * len(_blas_threads())
    finally:
        done.set()
        worker.join()
