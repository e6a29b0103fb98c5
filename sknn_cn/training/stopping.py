"""When training stops, and how many initialisations it tries.

Neither the optimizer (it only updates) nor the schedules (they only map a
step to a rate or a batch size) decide when to stop: these rules do, and the
training loop (:mod:`sknn_cn.training.loop`) applies them.

* the epoch budget of ``max_iter`` and how often the stopping rule looks;
* scikit-learn's no-improvement rule (``tol``, ``n_iter_no_change``);
* ``n_init='auto'``: how many initialisations a small net gets, and the
  "valley" rule that retries a run stalled at a bad local minimum;
* the explosion rule: a loss far above where it started is divergence.
"""

import math

import numpy as np
from scipy.stats import entropy

from .. import network

__all__ = [
    "AUTO_EPOCHS",
    "MIN_UPDATES",
    "UPDATES_PER_CHECK",
    "SMALL_NET_PARAMS",
    "SMALL_NET_INITS",
    "MAX_VALLEY_RETRIES",
    "VALLEY_LOSS_FRACTION",
    "epoch_budget",
    "update_no_improvement",
    "AUTO_PATIENCE",
    "patience",
    "plateau_reached",
    "n_initialisations",
    "prior_loss",
    "in_valley",
    "EXPLOSION_FACTOR",
    "explosion_ceiling",
    "explosion_text",
]

#: max_iter='auto': 200 epochs, but at least this many mini-batch updates.
AUTO_EPOCHS = 200
MIN_UPDATES = 20000
#: The stopping rule looks once per epoch, or once per this many updates when
#: epochs are shorter (small data sets).
UPDATES_PER_CHECK = 100

#: n_init='auto': networks with fewer parameters than this get several
#: initialisations.  Small nets have bad local minima (the seed's 2-2-1 XOR net
#: ends in one from 13 of 30 initialisations with Adam, 12-15% with SGD) and
#: train in milliseconds.
SMALL_NET_PARAMS = 100
SMALL_NET_INITS = 3
#: ... and an initialisation that ends in a valley (see in_valley) is retried
#: without counting, at most this many times: with the 2-2-1 XOR net's valley
#: rate (83 of 200), 3 + 10 tries all fail for about 1 seed in 100 000.
MAX_VALLEY_RETRIES = 10
#: A valley: training stalled at a loss above this fraction of the loss of
#: predicting the class frequencies (XOR's valleys sit at 1/2 and 0.7 of it,
#: ln(2)/2 and 0.48 against ln 2; solved, the loss is near 0).
VALLEY_LOSS_FRACTION = 1 / 3


def epoch_budget(max_iter, n_batches):
    """Number of epochs, and how often (in epochs) the stopping rule looks.

    The stopping rule looks at least every ``UPDATES_PER_CHECK`` mini-batch
    updates, never more often than once an epoch: on a large data set that
    is every epoch, exactly as in scikit-learn; on the seed's 4-sample XOR,
    where an epoch is a single update, it is every 100 epochs, so the slow
    start of training (a plateau of ~1e-5 improvement per update) is not
    mistaken for convergence after 10 updates.

    ``max_iter='auto'`` runs 200 epochs, extended on small data sets so
    that at least ``MIN_UPDATES`` updates are made.

    Parameters
    ----------
    max_iter : int or 'auto'
    n_batches : int
        Mini-batches per epoch.

    Returns
    -------
    epochs, check_every : int
    """
    check_every = -(-UPDATES_PER_CHECK // n_batches)
    if max_iter != "auto":
        return max_iter, check_every
    return max(AUTO_EPOCHS, -(-MIN_UPDATES // n_batches)), check_every


#: n_iter_no_change='auto': this many checks (each of ``check_every`` epochs).
AUTO_PATIENCE = 10


def patience(n_iter_no_change, check_every):
    """``(n_checks, check_every)`` of the no-improvement rule.

    ``n_iter_no_change='auto'`` keeps the small-data protection of
    :func:`epoch_budget`: ``AUTO_PATIENCE`` checks, one every ``check_every``
    epochs.  A number the user gives means what scikit-learn's documentation
    says: that many epochs, a check after every epoch.
    """
    if isinstance(n_iter_no_change, str) and n_iter_no_change == "auto":
        return AUTO_PATIENCE, check_every
    return n_iter_no_change, 1


def update_no_improvement(state, window, tol, early_stopping):
    """scikit-learn's stopping rule, looking at the last ``window`` epochs.

    The best training loss (or validation score) of the window counts as an
    improvement if it beats the best of the earlier checks by ``tol``.  With
    ``window=1`` this is exactly ``MLPClassifier``'s rule, ties included (a
    loss equal to ``best - tol``, a score equal to ``best + tol`` improve).
    Updates ``state.no_improvement``, the number of checks in a row without one.
    """
    if early_stopping:
        latest = max(state.validation_scores[-window:])
        improved = (latest >= state.best_checked + tol if window == 1
                    else latest > state.best_checked + tol)
        state.best_checked = max(state.best_checked, latest)
    else:
        latest = min(state.loss_curve[-window:])
        improved = (latest <= state.best_loss - tol if window == 1
                    else latest < state.best_loss - tol)
        state.best_loss = min(state.best_loss, latest)
    state.no_improvement = 0 if improved else state.no_improvement + 1


def plateau_reached(state, schedule, base_lr):
    """The no-improvement rule fired: does training go on at a lower rate?

    A schedule with ``unit='plateau'`` (scikit-learn's ``adaptive``) lowers
    the rate while it can (:meth:`~sknn_cn.training.sklearn_schedules.AdaptiveSchedule.can_decay`):
    the plateau is counted in ``state.n_plateaus``, the no-improvement count
    starts again and True is returned.  Otherwise False: training stops.
    """
    if schedule.unit != "plateau" or not schedule.can_decay(base_lr, state.n_plateaus):
        return False
    state.n_plateaus += 1
    state.no_improvement = 0
    return True


def n_initialisations(n_init, layer_sizes):
    """How many random initialisations to train (the best one is kept)."""
    if n_init != "auto":
        return n_init
    n_params = sum((n_in + 1) * n_out
                   for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))
    return SMALL_NET_INITS if n_params < SMALL_NET_PARAMS else 1


def prior_loss(y_index, sample_weight):
    """Loss of predicting the (weighted) class frequencies: their entropy."""
    _, codes = np.unique(y_index, return_inverse=True)  # also multilabel row keys
    counts = np.bincount(codes.ravel(), weights=sample_weight)
    return float(entropy(counts))  # entropy normalises the counts


def in_valley(state, prior):
    """Did the run stall in a valley (a bad local minimum or a plateau)?

    Yes when the no-improvement rule stopped it while its training loss is
    still above ``VALLEY_LOSS_FRACTION`` of ``prior``, the loss of predicting
    the class frequencies (:func:`prior_loss`).  The 2-2-1 XOR net has two such
    valleys: two samples at p = 1/2 (loss ln(2)/2, half of ln 2) or three
    at p = 1/3 or 2/3 (loss 0.48); solved, its loss is near 0.  Meant for
    runs that misclassify some training sample.
    """
    return bool(state.stopped_early and state.loss > VALLEY_LOSS_FRACTION * prior)


#: A training loss (epoch mean) above this many times where it started is
#: divergence.  On the seed's problems a diverging run passes it in a few
#: epochs and a healthy one stays far below it; the margins on both sides are
#: in :func:`explosion_ceiling`.
EXPLOSION_FACTOR = 100


def explosion_ceiling(state, data, batch_size, activations, out_activation, alpha):
    """The training loss above which a run has exploded (diverged).

    ``EXPLOSION_FACTOR`` times where the loss started: the larger of ``ln K``
    (the loss of predicting ``1/K`` for each of the ``K`` classes, about
    where a fresh network starts) and the run's starting loss.  The starting
    loss is the first epoch of the history when there is one (``warm_start``,
    ``partial_fit``), else the loss of the initial weights on the first
    ``batch_size`` samples (data term plus L2 term, as the loop computes it).

    Why 100: a cross-entropy of ``100 ln 2 = 69`` means the true class gets a
    probability of ``e^-69`` on average: nothing that learns gets there.
    Measured as the highest epoch loss over the start (seeds 0-2, Adam and
    SGD, XOR and the 60-sample binary and 3-class fixture of
    tests/adversarial): at ``learning_rate_init=1e3`` every run peaked at 697
    to 2390 times its start, at 1e2 at 52 to 323 times.  Healthy runs, with
    this rule recording instead of raising: XOR with the defaults (seeds
    0-199) never rose above its start; the README's code blocks peaked at
    1.64; the seed net on the 1797 8x8 digits with SGD at 0.5 (batch 1, 16
    and 64 with momentum 0, 64 with momentum 0.9; seeds 0-4) at 3.55; the
    fits of ``python -m sknn_cn --quick`` at 20.7 (the range test's
    ``partial_fit`` chain as the rate grows towards 10, ended by its own
    rule) and 10.5 (its "too high" rate 1.22, 6 epochs).

    Parameters
    ----------
    state : TrainingState
    data : tuple (X, Y, sample_weight)
    batch_size : int
    activations, out_activation, alpha :
        As the loop's.

    Returns
    -------
    ceiling : float
    """
    X, Y, sample_weight = data
    n_classes = max(Y.shape[1], 2)
    if state.loss_curve:
        start = state.loss_curve[0]
    else:
        m = min(batch_size, X.shape[0])
        weights = None if sample_weight is None else sample_weight[:m]
        # a non-finite start (partial_fit's X is not scanned) is the loop's to report
        with np.errstate(over="ignore", invalid="ignore"):
            _, loss_sum = network.forward(state.params, X[:m], activations,
                                          out_activation, Y=Y[:m], sample_weight=weights,
                                          reduce=True)
        total = m if weights is None else float(weights.sum())
        start = (loss_sum / total + network.l2_term(state.theta[:state.n_weights],
                                                     alpha, total)
                 if total > 0 else 0.0)
    start = start if math.isfinite(start) else 0.0
    return EXPLOSION_FACTOR * max(math.log(n_classes), start)


def explosion_text(state, ceiling):
    """What the divergence error says about an exploded loss."""
    return (f"the training loss exploded to {state.loss:.3g} at epoch "
            f"{state.n_epochs}, more than {EXPLOSION_FACTOR} times where it started "
            f"(above {ceiling:.3g})")
