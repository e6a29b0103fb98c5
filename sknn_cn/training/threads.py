"""How many BLAS threads to use while training, scoped to the fits that run.

The policy (``n_threads=None``)
-------------------------------
One BLAS thread, unless the largest matrix product of a mini-batch step has
at least ``_THREADED_WORK`` multiply-adds *and* a core is free when the fit
starts (no other task is running on it, read from ``/proc/loadavg``); then
two.  Measured on a 2-core machine (README, "BLAS threads";
``benchmarks/bench_scaling.py --threads-policy``, two runs): with the other
core free a second thread made an epoch 0.55-0.96x as long from 5e7
multiply-adds up and 0.60-0.91x below; with the other core busy it made every
net slower (1.1-3.6x).  An explicit ``n_threads`` is always obeyed.

Which BLAS
----------
``n_threads`` is the thread count of NumPy's BLAS, which does every matrix
product.  Any other BLAS library in the process (SciPy's wheels bring their
own OpenBLAS, which the optimizers' ``axpy`` and L-BFGS-B use) runs one thread
during a fit: two OpenBLAS thread pools busy-wait for work on the same cores,
and alternating calls between them made a two-thread epoch 1.4-26x slower than
a one-thread one even on a quiet machine.

The number of threads changes float32 results in their last bits (OpenBLAS
picks a different kernel split), so a fit runs with one fixed count from start
to end and ``n_threads`` is part of what makes a fit reproducible.

Scoping (threads in one process)
--------------------------------
BLAS thread limits are process-global (``openblas_set_num_threads``), so two
fits in two Python threads cannot each have their own.  This module keeps one
process-wide count of the fits that are running and the limit they share:

* the first fit to start sets the limit; when the last running fit ends, the
  limits are restored to what they were before it, so fitting leaves no
  global state changed;
* a fit asking for the limit already in force joins the others at once;
* a fit asking for a different limit waits until the running fits have ended
  (fits that arrive while one waits queue behind it, first come first
  served, so none waits forever), so a fit never runs
  under another fit's limit and its results are bit-identical to the same fit
  run alone;
* a fit started inside another fit in the same thread (a callback that fits
  another estimator) runs under the outer fit's limit instead of waiting for
  itself.

Code that is not a fit and calls BLAS from another thread while fits run sees
their limit (BLAS has only one); while fits run, the thread that started the
first one controls OpenBLAS's limit (threadpoolctl ignores ``threadpool_limits``
from the others), and when the last fit ends the limits are set back to what
they were when the first began.
"""

import collections
import contextlib
import functools
import os
import statistics
import threading
import time

import numpy as np
from threadpoolctl import OpenBLASController, ThreadpoolController

__all__ = ["blas_threads_for", "resolve_n_threads", "scoped_blas_threads"]

#: Multiply-adds of the largest product of a step from which a second thread
#: is used on a free core (784-512-512 at batch 128 has 128 * 784 * 512 = 5.1e7:
#: 0.67x and 0.58x in two runs; the seed net 784-64-16-10 at batch 64, 3.2e6:
#: 0.91x and 0.86x, against 3.6x and 3.4x slower when the core is busy).
_THREADED_WORK = 50_000_000


def resolve_n_threads(n_threads, batch_size, layer_sizes, others_running=None):
    """The number of BLAS threads a fit uses (the policy above).

    Parameters
    ----------
    n_threads : int or None
        The user's choice; an int is returned as is.
    batch_size : int
    layer_sizes : sequence of int
        ``[n_features, n_hidden_1, ..., n_outputs]``.
    others_running : float, optional
        How many other tasks are running right now (:func:`_others_running`
        when omitted; read only for large products).

    Returns
    -------
    int
    """
    if n_threads is not None:
        return n_threads
    largest = max(batch_size * n_in * n_out
                  for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))
    cores = _usable_cores()
    if largest < _THREADED_WORK or cores < 2:
        return 1
    if others_running is None:
        others_running = _others_running()
    return 2 if others_running <= cores - 2 else 1


def blas_threads_for(n_threads, batch_size, layer_sizes):
    """A context manager: the BLAS thread limit of one training run.

    ``n_threads`` None picks by :func:`resolve_n_threads`; the limit is
    scoped as described in the module docstring (:func:`scoped_blas_threads`).
    """
    return scoped_blas_threads(resolve_n_threads(n_threads, batch_size, layer_sizes))


# --------------------------------------------------------------------------
# the process-wide scope
# --------------------------------------------------------------------------
_condition = threading.Condition()
_scope = {
    "limit": None,      # the limit the running fits share
    "running": 0,       # how many fits hold it
    "limiters": None,   # threadpoolctl's limiters: restore the limits at the end
}
_queue = collections.deque()  # fits waiting, first come first served
_this_thread = threading.local()  # .depth: fits running in this thread


@contextlib.contextmanager
def scoped_blas_threads(n_threads):
    """Run the body with BLAS limited to ``n_threads`` threads (see the module docstring)."""
    if getattr(_this_thread, "depth", 0):  # nested in a fit of this thread
        _this_thread.depth += 1
        try:
            yield
        finally:
            _this_thread.depth -= 1
        return
    _enter(n_threads)
    _this_thread.depth = 1
    try:
        yield
    finally:
        _this_thread.depth = 0
        _leave()


def _enter(n_threads):
    with _condition:
        if _queue or not _compatible(n_threads):
            ticket = object()
            _queue.append(ticket)
            try:
                while _queue[0] is not ticket or not _compatible(n_threads):
                    _condition.wait()
            finally:
                _queue.remove(ticket)
                _condition.notify_all()  # the next in the queue may join too
        if _scope["running"] == 0:
            _take_control()
            _scope["limiters"] = [controller.limit(limits=limit)
                                  for controller, limit in _limits_by_library(n_threads)]
            _scope["limit"] = n_threads
        _scope["running"] += 1


def _compatible(n_threads):
    return _scope["running"] == 0 or _scope["limit"] == n_threads


def _leave():
    with _condition:
        _scope["running"] -= 1
        if _scope["running"] == 0:
            _take_control()
            for limiter in reversed(_scope["limiters"]):
                limiter.restore_original_limits()
            _release_control()
            _scope["limiters"] = _scope["limit"] = None
            _condition.notify_all()


def _take_control():
    """Let this thread set OpenBLAS's limit.

    threadpoolctl (3.8 on) lets only one thread set a process-wide OpenBLAS
    limit -- the first that did, until it releases it -- and silently ignores
    the others.  The first fit to start sets the limit and the last to end
    restores it, often in two different threads; this module's lock already
    lets only one of them act at a time, so it takes the control over.
    """
    clear = getattr(OpenBLASController, "clear_controlling_thread", None)
    if clear is not None:  # older threadpoolctl: every thread may set limits
        clear(force=True)


def _release_control():
    clear = getattr(OpenBLASController, "clear_controlling_thread", None)
    if clear is not None:
        clear()


def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _others_running(reads=5):
    """How many tasks besides this one are running now.

    Linux: the median of a few reads, 1 ms apart, of the running count in
    ``/proc/loadavg`` (which counts the reader).  Elsewhere the one-minute
    load average less this process, a slower signal; unknown: busy.
    """
    try:
        counts = []
        for _ in range(reads):
            with open("/proc/loadavg") as f:
                counts.append(int(f.read().split()[3].split("/")[0]))
            time.sleep(0.001)
        return statistics.median(counts) - 1
    except (OSError, ValueError, IndexError):
        pass
    try:
        return max(0.0, os.getloadavg()[0] - 1)
    except OSError:
        return float("inf")


def _inside(path, directories):
    path = os.path.realpath(path)
    return any(path.startswith(d + os.sep) for d in directories)


def _limits_by_library(n_threads):
    """``[(controller, limit), ...]``: NumPy's BLAS gets ``n_threads``, any other 1."""
    numpys, others = _blas_by_origin()
    if others is None:
        return [(numpys, n_threads)]
    return [(numpys, n_threads), (others, 1)]


@functools.lru_cache(maxsize=None)
def _blas_by_origin():
    """NumPy's BLAS and the other BLAS libraries, as two controllers (made once).

    NumPy's BLAS is the library inside NumPy's package (``numpy.libs``,
    ``numpy/.dylibs``).  If none is there, or nothing else is loaded, NumPy
    uses a BLAS it shares with the rest of the process: one controller, and
    None for the others.
    """
    blas = _controller().select(user_api="blas")
    numpy_dir = os.path.realpath(os.path.dirname(np.__file__))
    numpy_dirs = (numpy_dir, numpy_dir + ".libs")
    paths = [lib.filepath for lib in blas.lib_controllers]
    numpys = [p for p in paths if _inside(p, numpy_dirs)]
    others = [p for p in paths if p not in numpys]
    if not numpys or not others:
        return blas, None
    return blas.select(filepath=numpys), blas.select(filepath=others)


@functools.lru_cache(maxsize=None)
def _controller():
    """One ThreadpoolController, made on first use: making one scans the loaded
    libraries (~1.7 ms), which would dominate a one-batch ``partial_fit``.
    numpy's and scipy's BLAS are loaded by then (sknn_cn imports both)."""
    return ThreadpoolController()
