"""``solver='lbfgs'``: the whole objective minimised by scipy's L-BFGS-B.

As ``MLPClassifier(solver='lbfgs')``: one call of
``scipy.optimize.minimize(method='L-BFGS-B', jac=True)`` on the flat parameter
vector with ``maxiter=max_iter``, ``maxfun=max_fun`` and ``gtol=tol``; the
function is the full-batch objective of :class:`sknn_cn.network.Objective`
(sample and class weights, the L2 term ``alpha``), evaluated in float64.
``n_iter_`` is scipy's ``nit`` (at most ``max_iter``), ``loss_`` the final
objective, and a ``ConvergenceWarning`` is raised when scipy reports anything
but convergence (status != 0).  Unlike scikit-learn, ``loss_curve_`` is set:
the objective after each L-BFGS iteration of this fit.

There are no epochs, mini-batches, learning rates or early stopping here; the
parameters for those are ignored, as in scikit-learn.  What is kept from the
stochastic solvers: ``n_init`` (several initialisations, the lowest objective
kept; 'auto' on a small net stops at the first that classifies every training
sample and retries converged runs stuck in a valley, :mod:`.stopping`), and
the guarantees: a NaN or infinite objective or weight at the end raises
``FloatingPointError`` (the estimator is then left as it was), and Ctrl-C
keeps the last L-BFGS iterate with a warning.
"""

import math
import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from .. import network
from . import stopping
from .callbacks import NULL_WATCH
from .loop import TrainingState
from .threads import blas_threads_for

__all__ = ["AUTO_MAX_ITER", "fit_lbfgs"]

#: max_iter='auto' with lbfgs: scikit-learn's default max_iter.
AUTO_MAX_ITER = 200


def _divergence_message(what):
    return (f"Training diverged: the L-BFGS {what} became NaN or infinite. Standardise X "
            "(e.g. sklearn.preprocessing.StandardScaler) or increase alpha. The "
            "estimator was left as it was before this call.")


def _minimize(objective, params, *, max_iter, max_fun, tol, verbose, on_iteration=None):
    """One L-BFGS-B run from ``params``.

    ``on_iteration(x, losses)``, called after every iteration with the
    accepted point, may return True to stop the run there (sklearn callbacks).
    Returns ``(result, theta, views, losses, interrupted)``: scipy's result
    (None when interrupted), the final flat float64 vector and its (W, b)
    views, the objective after each iteration, and whether Ctrl-C stopped it.
    """
    theta, views = network.pack_params(params, np.float64)
    losses = []
    last = {"x": theta.copy(), "loss": None}

    def fun(x):
        theta[...] = x
        loss, grads = objective.loss_and_gradients(views)
        last["loss"] = float(loss)
        return last["loss"], network.pack_params(grads, np.float64)[0]

    def callback(intermediate_result):
        last["x"] = intermediate_result.x.copy()
        losses.append(float(intermediate_result.fun))
        if verbose:
            print(f"Iteration {len(losses)}, loss = {losses[-1]:.8f}")
        if on_iteration is not None and on_iteration(intermediate_result.x, losses):
            raise StopIteration  # scipy ends the run at this point (status 99)

    start = theta.copy()
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = minimize(fun, start, method="L-BFGS-B", jac=True, callback=callback,
                              options={"maxiter": max_iter, "maxfun": max_fun,
                                       "gtol": tol})
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user; keeping the weights so far.",
                      UserWarning)
        theta[...] = last["x"]
        return None, theta, views, losses, True
    theta[...] = result.x
    return result, theta, views, losses, False


def _fits_every_sample(params, X, y_index, sample_weight, activations, predict_from_logits):
    wrong = predict_from_logits(network.logits(params, X, activations)) != y_index
    if sample_weight is not None:
        wrong &= sample_weight > 0
    return not wrong.any()


def fit_lbfgs(data, y_index, *, initial, layer_sizes, activations, out_activation, init,
              dtype, rng, make_optimizer, alpha, max_iter, max_fun, tol, n_init, n_threads,
              verbose, predict_index_from_logits, watch=NULL_WATCH):
    """Train one or more initialisations with L-BFGS-B and return the best run.

    sklearn callbacks (``watch``, :mod:`.callbacks`) see one root task, one
    task per initialisation when there are several, and one ``epoch`` task
    per L-BFGS iteration, begun and ended once the iteration is accepted; a
    callback asking to stop ends the run at that iteration.

    Parameters
    ----------
    data : tuple (X, Y, sample_weight)
    y_index : ndarray of shape (n_samples,)
    initial : TrainingState or None
        ``warm_start``: start from these weights (one run); None draws new
        weights with ``init`` from ``rng`` (in ``dtype``) for every run.
    make_optimizer : callable
        Gives the returned state a fresh optimizer (what a later stochastic
        ``partial_fit`` or ``warm_start`` refit would start from).
    max_iter : int or 'auto'
        'auto' is ``AUTO_MAX_ITER``.

    Returns
    -------
    best : TrainingState
        Weights in ``dtype``; ``n_iter`` = scipy's ``nit``, ``loss`` the final
        objective, ``loss_curve`` the objective after each iteration.
    n_trained : int
    """
    X, Y, sample_weight = data
    max_iter = AUTO_MAX_ITER if max_iter == "auto" else max_iter
    objective = network.Objective(X, Y, layer_sizes, activations, out_activation,
                                  alpha=alpha, sample_weight=sample_weight)
    n_runs = 1 if initial is not None else stopping.n_initialisations(n_init, layer_sizes)
    search = n_init == "auto" and n_runs > 1
    prior = stopping.prior_loss(y_index, sample_weight) if search else None
    best = best_result = None
    attempt = n_trained = n_valleys = 0
    watch.begin(data, y_index, n_runs=n_runs, epochs=max_iter, search=search,
                activations=activations, out_activation=out_activation)
    with blas_threads_for(n_threads, X.shape[0], layer_sizes):
        while attempt < n_runs:
            params = (initial.params if initial is not None
                      else network.init_params(layer_sizes, init, rng, dtype))
            if verbose and n_runs > 1:
                print(f"Initialisation {n_trained + 1} (try {attempt + 1} of {n_runs})")
            watch.begin_run(_state(initial, params, dtype, None, [], None, max_iter))
            asked = []

            # the accepted point as (W, b) views: pack_params' layout, refilled per iteration
            accepted, accepted_views = network.pack_params(params, np.float64)

            def on_iteration(x, losses, accepted=accepted, views=accepted_views):
                accepted[...] = x
                state = _state(initial, views, dtype, losses[-1], losses, None, max_iter)
                watch.begin_epoch(state)
                if watch.end_epoch(state):
                    asked.append(len(losses))
                return bool(asked)

            result, theta, views, losses, interrupted = _minimize(
                objective, params, max_iter=max_iter, max_fun=max_fun, tol=tol,
                verbose=verbose, on_iteration=on_iteration)
            if not np.isfinite(theta).all():
                raise FloatingPointError(_divergence_message("weights"))
            loss = objective.loss(views) if interrupted else float(result.fun)
            if not math.isfinite(loss):
                raise FloatingPointError(_divergence_message("objective"))
            state = _state(initial, views, dtype, loss, losses, result, max_iter)
            state.interrupted = interrupted
            state.stopped_by_callback = bool(asked)
            state.optimizer = make_optimizer(state.flat_params())
            n_trained += 1
            attempt += 1
            if best is None or state.better_than(best):
                best, best_result = state, result
            if watch.end_run(state) or interrupted or asked:
                break
            if search:
                if _fits_every_sample(state.params, X, y_index, sample_weight, activations,
                                      predict_index_from_logits):
                    break
                if (n_valleys < stopping.MAX_VALLEY_RETRIES
                        and stopping.in_valley(state, prior)):
                    n_valleys += 1
                    attempt -= 1  # a valley does not count as a try
    if best_result is not None and best_result.status != 0 and not best.stopped_by_callback:
        warnings.warn(
            f"lbfgs failed to converge after {best.n_iter} iteration(s) (status="
            f"{best_result.status}): {best_result.message}. Increase max_iter "
            f"(max_iter={max_iter}) or max_fun (max_fun={max_fun}), or scale the data "
            "(e.g. sklearn.preprocessing.StandardScaler).",
            ConvergenceWarning)
    return best, n_trained


def _state(initial, params, dtype, loss, losses, result, max_iter):
    """The TrainingState of a finished run (weights ``params`` cast to ``dtype``)."""
    state = TrainingState([(W.astype(dtype), b.astype(dtype)) for W, b in params])
    if initial is not None:
        state.n_updates, state.t = initial.n_updates, initial.t
        state.n_epochs = initial.n_epochs
    state.n_iter = len(losses) if result is None else min(int(result.nit), max_iter)
    state.loss = loss
    state.loss_curve = list(losses)
    state.best_loss = loss
    state.stopped_early = result is not None and result.status == 0
    return state
