"""The epoch / mini-batch loop and the state it changes.

:func:`train` runs epochs of shuffled mini-batches: forward, backward and the
L2 term (:mod:`sknn_cn.network`), the learning rate of the step (a schedule),
the update (an optimizer), the loss curve, the validation record of
``early_stopping`` and the stopping rule (:mod:`.stopping`).  It changes only
its :class:`TrainingState`; the estimator copies that state into its fitted
attributes once training has ended normally, so a run that diverges leaves
the estimator as it was.
"""

import math
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from .. import network
from . import stopping
from .schedules import FixedSchedule
from .sklearn_schedules import schedule_step
from .stopping import update_no_improvement
from .callbacks import NULL_WATCH
from .threads import blas_threads_for

__all__ = ["TrainingState", "train", "fit_initialisations", "epoch_batch_sizes"]


class TrainingState:
    """Everything the loop changes, so that a failed run can be thrown away.

    Parameters
    ----------
    params : list of (W, b)
        Copied into one flat vector ``theta``; ``params`` become views into it.
    """

    def __init__(self, params):
        # one flat vector theta; params are (W, b) views into it
        self.theta, self.params = network.pack_params(params)
        self.n_weights = network.n_weights(params)
        self.optimizer = None
        self.n_updates = 0
        self.n_epochs = 0  # over every fit (the epoch-unit schedules' step)
        self.n_iter = 0    # of this fit: n_iter_, as in scikit-learn 1.9
        self.n_plateaus = 0  # the 'plateau'-unit schedules' step (sklearn's 'adaptive')
        self.t = 0
        self.loss = None
        self.loss_curve = []
        self.best_loss = np.inf
        self.validation_loss_curve = []
        self.validation_scores = []
        self.best_validation_score = -np.inf
        self.best_checked = -np.inf  # best validation score at the stopping checks
        self.best_params = None
        self.no_improvement = 0
        self.stopped_early = False
        self.interrupted = False
        self.stopped_by_callback = False  # a callback's on_fit_task_end said stop

    def better_than(self, other):
        """Is this run better than ``other`` (best validation score, else final loss)?"""
        if self.validation_scores:
            return self.best_validation_score > other.best_validation_score
        return self.loss < other.loss

    @classmethod
    def from_estimator(cls, est, optimizer):
        """Copies of a fitted estimator's public state (so a failure can't touch it).

        ``optimizer`` is the estimator's optimizer, already copied by the caller
        (it keeps its own state arrays, aligned by position with theta).
        """
        state = cls(list(zip(est.coefs_, est.intercepts_)))  # pack_params copies
        state.optimizer = optimizer
        state.n_updates = est.n_updates_
        state.n_epochs = len(est.loss_curve_)  # one entry per epoch of every fit
        state.t = est.t_
        state.loss = est.loss_
        state.loss_curve = list(est.loss_curve_)
        state.best_loss = est.best_loss_ if est.best_loss_ is not None else np.inf
        state.validation_loss_curve = list(est.validation_loss_curve_ or [])
        state.validation_scores = list(est.validation_scores_ or [])
        return state

    def flat_params(self):
        """What the optimizer updates: the single flat vector theta."""
        return [self.theta]

    def snapshot_best(self):
        self.best_params = self.theta.copy()

    def restore_best(self):
        self.theta[...] = self.best_params

    def commit(self, est):
        """Write the public fitted attributes (the optimizer is the estimator's to keep)."""
        est.coefs_ = [W for W, _ in self.params]
        est.intercepts_ = [b for _, b in self.params]
        est.n_updates_ = self.n_updates
        est.n_iter_ = self.n_iter
        est.t_ = self.t
        est.loss_ = self.loss
        est.loss_curve_ = self.loss_curve
        est.n_layers_ = len(self.params) + 1
        est.n_outputs_ = self.params[-1][0].shape[1]
        if self.validation_scores:
            est.validation_loss_curve_ = self.validation_loss_curve
            est.validation_scores_ = self.validation_scores
            est.best_validation_score_ = self.best_validation_score
            est.best_loss_ = None
        else:
            est.validation_loss_curve_ = None
            est.validation_scores_ = None
            est.best_validation_score_ = None
            est.best_loss_ = self.best_loss


def epoch_batch_sizes(batch_size_schedule, batch_size, first_epoch, epochs, n_samples):
    """The batch size of each of ``epochs`` epochs from ``first_epoch`` on."""
    if batch_size_schedule is None:
        return [batch_size] * epochs
    schedule = clone(batch_size_schedule)
    return schedule.values(batch_size, np.arange(first_epoch, first_epoch + epochs),
                           n_samples).tolist()


def _divergence_message(state, learning_rate_init, what=None):
    what = what or (f"the loss became NaN or infinite at epoch {state.n_epochs + 1} "
                    f"(update {state.n_updates + 1})")
    return (
        f"Training diverged: {what} with "
        f"learning_rate_init={learning_rate_init!r}. Try a smaller "
        "learning_rate_init (e.g. a tenth of it) or standardise X. The "
        "estimator was left as it was before this call."
    )


def _record_validation(state, validation, activations, out_activation, predict_index,
                       verbose):
    X_val, Y_val, y_val_index, sw_val = validation
    acts, loss_sum = network.forward(
        state.params, X_val, activations, out_activation, Y=Y_val,
        sample_weight=sw_val, reduce=True,
    )
    correct = (predict_index(acts[-1]) == y_val_index).astype(np.float64)
    if sw_val is None:
        val_loss = loss_sum / len(correct)
        val_score = float(correct.mean())
    else:
        val_loss = loss_sum / float(sw_val.sum())
        val_score = float(correct @ sw_val / sw_val.sum())
    state.validation_loss_curve.append(val_loss)
    state.validation_scores.append(val_score)
    if verbose:
        print(f"Validation score: {val_score:.6f}, validation loss: {val_loss:.6f}")
    if val_score > state.best_validation_score:
        state.best_validation_score = val_score
        state.snapshot_best()


def train(state, data, *, activations, out_activation, schedule, total_steps,
          batch_size, batch_size_schedule, epochs, check_every, incremental, rng,
          alpha, learning_rate_init, shuffle, tol, n_iter_no_change, verbose,
          validation=None, predict_index=None, dropout=None, watch=NULL_WATCH):
    """The epoch / mini-batch loop; it changes only ``state``.

    Parameters
    ----------
    state : TrainingState
        With its optimizer set.
    data : tuple (X, Y, sample_weight)
        Training samples, encoded targets and effective weights (or None).
    activations, out_activation :
        Hidden activations (one per hidden layer) and 'logistic' or 'softmax'.
    schedule : LRSchedule
        Maps ``state.n_updates`` (``unit='iteration'``) or ``state.n_epochs``
        to the learning rate; ``total_steps`` is its horizon.
    batch_size, batch_size_schedule, epochs : int, BatchSizeSchedule or None, int
        The batch size of each epoch (:func:`epoch_batch_sizes`).
    check_every : int
        The stopping rule looks every this many epochs (:func:`.epoch_budget`).
    incremental : bool
        ``partial_fit``: never stop early.
    rng : numpy.random.Generator
        Shuffles the samples every epoch when ``shuffle``, and draws the
        dropout masks of every mini-batch.
    validation : tuple (X_val, Y_val, y_val_index, sw_val) or None
        ``early_stopping``: recorded every epoch, scored with ``predict_index``
        (output activations -> class index); the best weights are kept.
    dropout : sequence of float or None
        Dropout rate of each hidden layer, applied to the mini-batches only
        (never to the validation pass); None or all 0: no masks, no draws.
    watch : FitWatch
        sklearn callbacks: one task per epoch (:mod:`.callbacks`).
    """
    X, Y, sample_weight = data
    early_stopping = validation is not None
    n_samples = X.shape[0]
    params = state.params
    theta = state.theta
    batch_sizes = epoch_batch_sizes(batch_size_schedule, batch_size, state.n_epochs,
                                    epochs, n_samples)
    sparse_X = sp.issparse(X)  # CSR: a batch is its rows, sliced (core.py's sparse branch)
    workspace = network.Workspace(params, max(batch_sizes), sparse_X=sparse_X)
    if dropout is not None and any(dropout):  # masks preallocated, drawn from rng
        dropout = network.Dropout(dropout, [W.shape[1] for W, _ in params[:-1]],
                                  max(batch_sizes), theta.dtype, rng)
    else:
        dropout = None
    # the L2 term acts on the weights only: theta[:n_weights] (pack_params)
    theta_W = theta[:state.n_weights]
    grad_W = workspace.grad[:state.n_weights]
    order = np.arange(n_samples)
    base_lr = learning_rate_init
    gather = shuffle
    by_iteration = schedule.unit == "iteration"
    optimizer_step = state.optimizer.step
    forward, backward, l2_term = network.forward, network.backward, network.l2_term
    flat_params, flat_grads = [theta], [workspace.grad]
    constant_lr = base_lr if isinstance(schedule, FixedSchedule) else None
    ceiling = stopping.explosion_ceiling(state, data, max(batch_sizes), activations,
                                         out_activation, alpha)
    epoch_step = 0

    try:
        # overflow is not warned about: a non-finite loss or weight is
        # caught below and reported with the learning rate that caused it
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch, batch_size in enumerate(batch_sizes):  # batch_size_schedule
                watch.begin_epoch(state)
                if not by_iteration:
                    epoch_step = schedule_step(schedule.unit, state, incremental or epoch)
                if gather:
                    rng.shuffle(order)
                accumulated_loss = 0.0
                for start in range(0, n_samples, batch_size):
                    stop = min(start + batch_size, n_samples)
                    m = stop - start
                    if gather:
                        batch = order[start:stop]
                        rows = workspace.rows(m)
                        # mode='clip' skips a bounds check that costs twice
                        # the copy itself; `order` is a permutation, always valid
                        X_batch = (X[batch] if sparse_X else
                                   X.take(batch, axis=0, out=rows.X, mode="clip"))
                        Y_batch = Y.take(batch, axis=0, out=rows.Y, mode="clip")
                        sw_batch = None if sample_weight is None else sample_weight[batch]
                    else:
                        X_batch, Y_batch = X[start:stop], Y[start:stop]
                        sw_batch = (None if sample_weight is None
                                    else sample_weight[start:stop])

                    acts, loss_sum = forward(params, X_batch, activations,
                                             out_activation, Y=Y_batch,
                                             workspace=workspace,
                                             sample_weight=sw_batch, reduce=True,
                                             dropout=dropout)
                    total_weight = m if sw_batch is None else float(sw_batch.sum())
                    batch_loss = loss_sum / total_weight
                    backward(params, acts, Y_batch, activations, sample_weight=sw_batch,
                             workspace=workspace, dropout=dropout)
                    # the L2 term, on every weight at once: theta_W
                    batch_loss += l2_term(theta_W, alpha, total_weight, grad=grad_W)
                    if not math.isfinite(batch_loss):
                        raise FloatingPointError(_divergence_message(state, base_lr))
                    if constant_lr is None:
                        step = state.n_updates if by_iteration else epoch_step
                        lr = schedule(base_lr, step, total_steps)
                    else:
                        lr = constant_lr
                    optimizer_step(flat_params, flat_grads, lr)
                    state.n_updates += 1
                    accumulated_loss += batch_loss * m

                state.n_epochs += 1
                state.n_iter += 1
                state.t += n_samples
                state.loss = accumulated_loss / n_samples
                state.loss_curve.append(state.loss)
                if not np.isfinite(theta).all():
                    raise FloatingPointError(_divergence_message(state, base_lr))
                if state.loss > ceiling:
                    raise FloatingPointError(_divergence_message(
                        state, base_lr, stopping.explosion_text(state, ceiling)))
                if verbose:
                    print(f"Iteration {state.n_epochs}, loss = {state.loss:.8f}")
                if early_stopping:  # recorded every epoch
                    _record_validation(state, validation, activations, out_activation,
                                       predict_index, verbose)
                if watch.end_epoch(state):  # a callback asked to stop
                    state.stopped_by_callback = True
                    break
                if state.n_epochs % check_every:
                    continue  # the stopping rule looks every `check_every` epochs
                update_no_improvement(state, check_every, tol, early_stopping)

                if (state.no_improvement > n_iter_no_change
                        and not stopping.plateau_reached(state, schedule, base_lr)
                        and not incremental):
                    state.stopped_early = True
                    if verbose:
                        what = "Validation score" if early_stopping else "Training loss"
                        print(f"{what} did not improve more than tol={tol} for "
                              f"{n_iter_no_change} consecutive checks. Stopping.")
                    break
    except KeyboardInterrupt:
        state.interrupted = True
        warnings.warn("Training interrupted by user; keeping the weights so far.",
                      UserWarning)

    if early_stopping and state.best_params is not None:
        state.restore_best()


def _fits_every_sample(state, X, y_index, sample_weight, activations,
                       predict_index_from_logits):
    """Does the trained state classify every training sample correctly?"""
    Z = network.logits(state.params, X, activations)
    wrong = predict_index_from_logits(Z) != y_index
    if sample_weight is not None:
        wrong &= sample_weight > 0
    return not wrong.any()


def fit_initialisations(data, y_index, *, initial, layer_sizes, activations,
                        out_activation, init, dtype, rng, make_optimizer, schedule,
                        batch_size, batch_size_schedule, max_iter, n_init, incremental,
                        n_threads, predict_index_from_logits, watch=NULL_WATCH,
                        **loop_settings):
    """Train one or more initialisations and return the best run.

    Parameters
    ----------
    data : tuple (X, Y, sample_weight)
    y_index : ndarray of shape (n_samples,)
        Class indices of the training samples (the ``n_init='auto'`` search).
    initial : TrainingState or None
        The fitted state to continue (``partial_fit``, ``warm_start``: one run
        only; its optimizer None for a new one); None draws new weights with
        ``init`` from ``rng`` for every run.
    make_optimizer : callable
        ``make_optimizer([theta])`` -> optimizer, for a state that has none.
    batch_size : int or 'auto'
        'auto' is ``min(200, n_samples)``; larger values are clipped (with a
        warning).
    max_iter, n_init : int or 'auto'
        The epoch budget (:func:`.epoch_budget`) and the number of
        initialisations (:func:`.n_initialisations`; 'auto' on a small net is
        a search: it ends at the first run that classifies every training
        sample and retries, without counting them, runs that end in a valley).
    watch : FitWatch
        sklearn callbacks: the fit's root task, one per run when there are
        several (:mod:`.callbacks`).
    **loop_settings
        Passed on to :func:`train`.

    Returns
    -------
    best : TrainingState
    n_trained : int
    epochs : int
        The epoch budget of each run.
    """
    X, Y, sample_weight = data
    n_samples = X.shape[0]
    if batch_size == "auto":
        batch_size = min(200, n_samples)
    else:
        if batch_size > n_samples:
            warnings.warn(
                f"batch_size={batch_size} is larger than the number of "
                f"training samples ({n_samples}); it is clipped to {n_samples}.",
                UserWarning,
            )
        batch_size = min(batch_size, n_samples)
    n_batches = -(-n_samples // batch_size)
    epochs, check_every = stopping.epoch_budget(max_iter, n_batches)
    loop_settings["n_iter_no_change"], check_every = stopping.patience(
        loop_settings["n_iter_no_change"], check_every)
    if incremental:
        epochs, check_every = 1, 1
    if schedule.unit == "iteration":
        total_steps = None if incremental else sum(
            -(-n_samples // b) for b in epoch_batch_sizes(
                batch_size_schedule, batch_size, 0, epochs, n_samples))
    else:
        total_steps = None if incremental else epochs

    n_runs = (1 if initial is not None or incremental
              else stopping.n_initialisations(n_init, layer_sizes))
    search = n_init == "auto" and n_runs > 1
    prior = stopping.prior_loss(y_index, sample_weight) if search else None
    verbose = loop_settings["verbose"]
    watch.begin(data, y_index, n_runs=n_runs, epochs=epochs, search=search,
                activations=activations, out_activation=out_activation)
    best = None
    attempt = n_trained = n_valleys = 0
    with blas_threads_for(n_threads, batch_size, layer_sizes):
        while attempt < n_runs:
            if initial is not None:
                state = initial
            else:
                state = TrainingState(network.init_params(layer_sizes, init, rng, dtype))
            if state.optimizer is None:
                state.optimizer = make_optimizer(state.flat_params())
            if verbose and n_runs > 1:
                print(f"Initialisation {n_trained + 1} (try {attempt + 1} of {n_runs})")
            watch.begin_run(state)
            train(state, data, activations=activations, out_activation=out_activation,
                  schedule=schedule, total_steps=total_steps, batch_size=batch_size,
                  batch_size_schedule=batch_size_schedule, epochs=epochs,
                  check_every=check_every, incremental=incremental, rng=rng,
                  watch=watch, **loop_settings)
            n_trained += 1
            attempt += 1
            if best is None or state.better_than(best):
                best = state
            if watch.end_run(state) or state.interrupted:
                break
            if search:
                if _fits_every_sample(state, X, y_index, sample_weight, activations,
                                      predict_index_from_logits):
                    break  # no other start can classify better
                if (n_valleys < stopping.MAX_VALLEY_RETRIES
                        and stopping.in_valley(state, prior)):
                    n_valleys += 1
                    attempt -= 1  # a valley does not count as a try
                    if verbose:
                        print(f"Stuck in a valley (loss {state.loss:.4f}); "
                              "trying a new initialisation.")
    return best, n_trained, epochs
