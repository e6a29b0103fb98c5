"""How many BLAS threads to use while training, scoped to the fits that run.

The policy (``n_threads=None``)
-------------------------------
One BLAS thread, unless the largest matrix product of a mini-batch step has
at least ``_THREADED_WORK`` multiply-adds *and* the machine is quiet (its
one-minute load average below half a core when the fit starts); then two.
Measured with ``benchmarks/bench_scaling.py --threads-policy`` (README,
"BLAS threads"): on a busy 2-core machine a two-thread OpenBLAS product of the
seed net's sizes is many times slower than a one-thread one (its threads wait
for each other), and even large layers gain little; a second core pays only
for large products on a machine that has one to spare.  An explicit
``n_threads`` is always obeyed.

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
import threading

from threadpoolctl import OpenBLASController, ThreadpoolController

__all__ = ["blas_threads_for", "resolve_n_threads", "scoped_blas_threads"]

#: Multiply-adds of the largest product of a step from which a second thread
#: may pay off (784-1024-1024 at batch 512 has 512 * 1024 * 1024 = 5.4e8;
#: the seed net 784-64-16-10 at batch 64 has 64 * 784 * 64 = 3.2e6).
_THREADED_WORK = 100_000_000

#: One-minute load average per core below which the machine counts as quiet.
_QUIET_LOAD_PER_CORE = 0.25


def resolve_n_threads(n_threads, batch_size, layer_sizes, load=None):
    """The number of BLAS threads a fit uses (the policy above).

    Parameters
    ----------
    n_threads : int or None
        The user's choice; an int is returned as is.
    batch_size : int
    layer_sizes : sequence of int
        ``[n_features, n_hidden_1, ..., n_outputs]``.
    load : float, optional
        The one-minute load average (``os.getloadavg()[0]`` when omitted).

    Returns
    -------
    int
    """
    if n_threads is not None:
        return n_threads
    largest = max(batch_size * n_in * n_out
                  for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))
    cores = os.cpu_count() or 1
    if largest < _THREADED_WORK or cores < 2:
        return 1
    if load is None:
        load = _load_average()
    return 2 if load < _QUIET_LOAD_PER_CORE * cores else 1


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
    "limiter": None,    # threadpoolctl's limiter: restores the limits at the end
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
            _scope["limiter"] = _controller().limit(limits=n_threads, user_api="blas")
            _scope["limit"] = n_threads
        _scope["running"] += 1


def _compatible(n_threads):
    return _scope["running"] == 0 or _scope["limit"] == n_threads


def _leave():
    with _condition:
        _scope["running"] -= 1
        if _scope["running"] == 0:
            _take_control()
            _scope["limiter"].restore_original_limits()
            _release_control()
            _scope["limiter"] = _scope["limit"] = None
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


def _load_average():
    try:
        return os.getloadavg()[0]
    except OSError:  # not available: assume a busy machine
        return float("inf")


@functools.lru_cache(maxsize=None)
def _controller():
    """One ThreadpoolController, made on first use: making one scans the loaded
    libraries (~1.7 ms), which would dominate a one-batch ``partial_fit``.
    numpy's and scipy's BLAS are loaded by then (sknn_cn imports both)."""
    return ThreadpoolController()
