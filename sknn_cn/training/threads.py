"""How many BLAS threads to use while training.

The matrices of a mini-batch step are small (for MNIST's seed net the largest
product is 64 x 784 by 784 x 64): there, waking a second BLAS thread costs more
than it saves.  Large layers or batches do gain from threads.
"""

import contextlib
import functools

from threadpoolctl import ThreadpoolController

__all__ = ["blas_threads_for"]

#: Multiply-adds per matrix product above which a second thread pays off.
#: Measured with benchmarks/bench_mnist.py (see the README's benchmark section).
_THREADED_WORK = 50_000_000


def blas_threads_for(n_threads, batch_size, layer_sizes):
    """A context manager limiting BLAS threads for one training run.

    Parameters
    ----------
    n_threads : int or None
        The user's choice; None picks one thread when the largest product of
        a step has fewer than ``_THREADED_WORK`` multiply-adds, else leaves
        the BLAS default.
    batch_size : int
    layer_sizes : sequence of int
        ``[n_features, n_hidden_1, ..., n_outputs]``.
    """
    if n_threads is None:
        largest = max(batch_size * n_in * n_out
                      for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))
        if largest >= _THREADED_WORK:
            return contextlib.nullcontext()
        n_threads = 1
    return _controller().limit(limits=n_threads, user_api="blas")


@functools.lru_cache(maxsize=None)
def _controller():
    """One ThreadpoolController, made on first use: making one scans the loaded
    libraries (~1.7 ms), which would dominate a one-batch ``partial_fit``.
    numpy's and scipy's BLAS are loaded by then (sknn_cn imports both)."""
    return ThreadpoolController()
