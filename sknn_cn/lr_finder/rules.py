"""Reading a range test's curve: smoothing, three suggestion rules, the usable range (seed 1.4.4.1).

Pure functions of the recorded curve (learning rates and losses); they know
nothing of the estimators.  :func:`sknn_cn.lr_finder.lr_range_test` records the
curve and calls them.

Reading the curve: three published rules
----------------------------------------
All three work on the smoothed curve against ``log(lr)``, leaving out its
first 10 and last 5 points (as fastai's first LR finder did).

``'minimum/10'`` (the default)
    the rate at the smoothed loss's minimum, divided by 10: an order of
    magnitude below the point where more rate stops helping (Gugger 2018,
    "How do you find a good learning rate"; fastai's ``minimum``).
``'steepest'``
    where the smoothed loss falls fastest: the minimum of
    ``d smoothed / d log(lr)`` before the loss's minimum (fastai's ``steep``;
    Smith 2015 reads off where accuracy starts to rise).
``'valley'``
    the middle (in ``log(lr)``) of the longest valley: the longest strictly
    decreasing subsequence of the smoothed losses (fastai's ``valley``).

Why ``'minimum/10'`` is the default: it rests on the one feature every curve
has, the minimum just before the blow-up, and it was the only rule that
worked on this package's problems.  ``benchmarks/bench_lr_finder.py``
compares each rule with a grid search (best validation accuracy after a fixed
epoch budget, 3 seeds) for the seed's MNIST net and coin-hole net under Adam,
plain SGD and SGD with momentum: ``'minimum/10'`` landed within a factor of 3
of the grid's best rate in 5 of the 6 cases (ratios 0.45-2.3; plain SGD on
MNIST 0.24, whose best rate sits just below the blow-up) and never cost more
than 3 points of accuracy; ``'steepest'`` was within 3x in none (the noisy
derivative jumps, and on the coin hole the first, slow drop, while the net
learns the class frequencies, can be the steepest); ``'valley'`` in none:
the loss already drifts down at tiny rates over hundreds of updates, so the
longest decreasing run starts there and its middle is 10-100x too low.  All
three are reported side by side.

The usable range: ``lr_min`` and ``lr_max``
-------------------------------------------
Seed 1.4.4.1 says the test estimates the *smallest and largest* learning
rate the network allows.  Smith (2015, section 3.3; 2017, "Cyclical
learning rates", WACV) reads them off the curve: the lower bound where the
curve "starts to improve", the upper bound where it "slows, becomes ragged,
or starts to get worse", and uses them as the two ends of a cyclical
schedule.  :func:`lr_range` makes that reading precise on the smoothed loss
(same end points left out as for the suggestions)::

    i_min  = argmin(smoothed)                     # where the loss stops falling
    top    = max(smoothed[:i_min + 1]),  at i_top # the level before the fall
    drop   = top - smoothed[i_min]
    lr_min = the rate where smoothed first falls to  top - fraction * drop
    lr_max = the rate where smoothed first falls to  top - (1 - fraction) * drop

searching from ``i_top`` on, with linear interpolation in ``log(lr)``
between the two recorded points around each crossing; ``fraction = 0.1``.
In words: the range runs from where the loss has made the first tenth of its
fall to where it has made nine tenths of it, i.e. where it starts to fall
clearly and where the fall levels off, before the minimum and the blow-up
after it.  Both are NaN when the loss never falls.
"""

import math
import numbers

import numpy as np

__all__ = [
    "smooth_losses",
    "suggest_lr",
    "SUGGESTION_RULES",
    "DEFAULT_RULE",
    "lr_range",
    "RANGE_FRACTION",
]

#: The share of the loss's fall that marks ``lr_min`` (and ``1 -`` it ``lr_max``).
RANGE_FRACTION = 0.1

#: The rule used for :attr:`LRRangeTestResult.suggestion`.
DEFAULT_RULE = "minimum/10"


# --------------------------------------------------------------------------
# smoothing and the three rules (pure functions of the recorded curve)
# --------------------------------------------------------------------------
def smooth_losses(losses, beta=0.98):
    """Bias-corrected exponential moving average of a loss curve.

    Parameters
    ----------
    losses : array-like of shape (n_steps,)
    beta : float, default=0.98
        Weight of the past; ``0`` returns the losses unchanged.

    Returns
    -------
    smoothed : ndarray of shape (n_steps,)
        ``avg_k / (1 - beta ** (k + 1))`` with
        ``avg_k = beta * avg_{k-1} + (1 - beta) * loss_k``, ``avg_{-1} = 0``.
    """
    losses = np.asarray(losses, dtype=float)
    smoothed = np.empty_like(losses)
    avg = 0.0
    for k, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * loss
        smoothed[k] = avg / (1 - beta ** (k + 1))
    return smoothed


def _steepest(lrs, smoothed):
    """The rate where d smoothed / d log(lr) is most negative, before the minimum."""
    stop = int(np.argmin(smoothed)) + 1
    if stop < 2:
        return float(lrs[0])
    slope = np.gradient(smoothed[:stop], np.log(lrs[:stop]))
    return float(lrs[int(np.argmin(slope))])


def _minimum_over_ten(lrs, smoothed):
    """The rate at the smoothed loss's minimum, divided by 10."""
    return float(lrs[int(np.argmin(smoothed))] / 10.0)


def _valley(lrs, smoothed):
    """Halfway (in log lr) along the longest strictly decreasing subsequence."""
    n = len(smoothed)
    length = np.ones(n, dtype=int)  # longest decreasing chain ending at i
    start = np.arange(n)  # where that chain starts
    for i in range(1, n):
        earlier = np.flatnonzero(smoothed[:i] > smoothed[i])
        if earlier.size:
            # the last of the longest chains: a plateau before a descent then
            # adds one point, not its whole width
            best = earlier[::-1][np.argmax(length[earlier][::-1])]
            length[i] = length[best] + 1
            start[i] = start[best]
    end = int(np.argmax(length))
    first = int(start[end])
    middle = math.exp(0.5 * (math.log(lrs[first]) + math.log(lrs[end])))
    return float(middle)


#: name -> function(lrs, smoothed_losses) -> suggested learning rate
SUGGESTION_RULES = {
    "minimum/10": _minimum_over_ten,
    "steepest": _steepest,
    "valley": _valley,
}


def suggest_lr(lrs, smoothed_losses, rule=DEFAULT_RULE, *, skip_start=10, skip_end=5):
    """A learning rate read off a range test's smoothed curve by one rule.

    Parameters
    ----------
    lrs : array-like of shape (n_steps,)
        Increasing learning rates.
    smoothed_losses : array-like of shape (n_steps,)
    rule : {'minimum/10', 'steepest', 'valley'}, default='minimum/10'
        See the module docstring.
    skip_start, skip_end : int, default=10, 5
        Points left out at each end, as fastai's first LR finder did: the
        first averages hold only a few mini-batches (noisy, and falling fast
        while the output layer learns the class frequencies), the last ones
        are the blow-up.  Ignored when fewer than 3 points would remain.

    Returns
    -------
    lr : float
    """
    if rule not in SUGGESTION_RULES:
        raise ValueError(f"Unknown rule {rule!r} in `rule`. Allowed rules: "
                         f"{', '.join(map(repr, SUGGESTION_RULES))}.")
    lrs = np.asarray(lrs, dtype=float)
    smoothed = np.asarray(smoothed_losses, dtype=float)
    if lrs.ndim != 1 or lrs.shape != smoothed.shape or lrs.size == 0:
        raise ValueError("lrs and smoothed_losses must be 1-D arrays of the same, "
                         f"non-zero length; got shapes {lrs.shape} and {smoothed.shape}.")
    lrs, smoothed = _skip_ends(lrs, smoothed, skip_start, skip_end)
    return SUGGESTION_RULES[rule](lrs, smoothed)


def _skip_ends(lrs, smoothed, skip_start, skip_end):
    finite = np.isfinite(smoothed)
    lrs, smoothed = lrs[finite], smoothed[finite]
    if len(lrs) - skip_start - skip_end >= 3:
        lrs = lrs[skip_start:len(lrs) - skip_end]
        smoothed = smoothed[skip_start:len(smoothed) - skip_end]
    return lrs, smoothed


def _crossing(lrs, smoothed, start, level):
    """The rate where ``smoothed`` first reaches ``level`` after index ``start``.

    Linear interpolation in ``log(lr)`` between the last point above ``level``
    and the first point at or below it.
    """
    j = start + int(np.flatnonzero(smoothed[start:] <= level)[0])
    if j == start:
        return float(lrs[j])
    x0, x1 = math.log(lrs[j - 1]), math.log(lrs[j])
    y0, y1 = smoothed[j - 1], smoothed[j]
    return float(math.exp(x0 + (x1 - x0) * (y0 - level) / (y0 - y1)))


def lr_range(lrs, smoothed_losses, *, fraction=RANGE_FRACTION, skip_start=10, skip_end=5):
    """The usable range ``(lr_min, lr_max)`` read off a range test's smoothed curve.

    Seed 1.4.4.1; Smith (2015, 2017): the lower bound where the loss starts
    to fall clearly, the upper bound where its fall levels off.  Precisely
    (see the module docstring): with ``top`` the highest smoothed loss before
    its minimum and ``drop`` the fall from there to the minimum, ``lr_min``
    is where the loss first reaches ``top - fraction * drop`` and ``lr_max``
    where it first reaches ``top - (1 - fraction) * drop``, interpolated
    linearly in ``log(lr)``.

    Parameters
    ----------
    lrs : array-like of shape (n_steps,)
        Increasing learning rates.
    smoothed_losses : array-like of shape (n_steps,)
    fraction : float in (0, 0.5), default=0.1
        Share of the fall that marks the ends.
    skip_start, skip_end : int, default=10, 5
        Points left out at each end, as in :func:`suggest_lr`.

    Returns
    -------
    lr_min, lr_max : float
        ``lr_min <= lr_max``; both NaN when the loss never falls.
    """
    if not (isinstance(fraction, numbers.Real) and 0 < fraction < 0.5):
        raise ValueError(f"`fraction` must be a number in (0, 0.5); got fraction={fraction!r}.")
    lrs = np.asarray(lrs, dtype=float)
    smoothed = np.asarray(smoothed_losses, dtype=float)
    if lrs.ndim != 1 or lrs.shape != smoothed.shape or lrs.size == 0:
        raise ValueError("lrs and smoothed_losses must be 1-D arrays of the same, "
                         f"non-zero length; got shapes {lrs.shape} and {smoothed.shape}.")
    lrs, smoothed = _skip_ends(lrs, smoothed, skip_start, skip_end)
    if lrs.size == 0:
        return math.nan, math.nan
    i_min = int(np.argmin(smoothed))
    i_top = int(np.argmax(smoothed[:i_min + 1]))
    top = smoothed[i_top]
    drop = top - smoothed[i_min]
    if not drop > 0:
        return math.nan, math.nan
    return (_crossing(lrs, smoothed, i_top, top - fraction * drop),
            _crossing(lrs, smoothed, i_top, top - (1 - fraction) * drop))
