"""The learning-rate range test of Smith (2015), seed 1.4.4.1.

Seed 1.4.4.1, after Leslie N. Smith, *Cyclical Learning Rates for Training
Neural Networks* (2015, arXiv:1506.01186):

1. start from a very small learning rate, e.g. ``1e-5``;
2. after every mini-batch, update the network, record the loss, and raise the
   learning rate;
3. plot loss against learning rate and read the best learning rate off it.

Here the rate grows exponentially, one step per mini-batch, from ``min_lr`` to
``max_lr`` in ``n_steps`` steps::

    lr_k = min_lr * (max_lr / min_lr) ** (k / (n_steps - 1)),   k = 0 .. n_steps - 1

The loss of each mini-batch (computed before its update, L2 term included, as
``loss_`` of ``partial_fit``) is noisy, so it is smoothed by an exponential
moving average with bias correction (as Adam corrects its moments)::

    avg_k = beta * avg_{k-1} + (1 - beta) * loss_k,   avg_{-1} = 0
    smoothed_k = avg_k / (1 - beta ** (k + 1))

The test stops early when ``smoothed_k > diverge_factor * min(smoothed)`` (the
loss has blown up) or the loss becomes NaN / infinite.

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

How it runs
-----------
The estimator is not touched: the test trains a :func:`sklearn.base.clone`
(same hyper-parameters and ``random_state``, so the same initial weights as
``fit``), one ``set_params(learning_rate_init=lr)`` + ``partial_fit`` per
mini-batch, with one initialisation (``n_init=1``) and a fixed rate per
step.  Going through the public API means the range test uses exactly the
estimator's own update (momentum, Nesterov, Adam, L2, class weights, dtype):
there is no second training loop to drift out of step with it.  The price is
the per-call work of ``partial_fit`` (input validation, BLAS thread limits),
a few milliseconds per mini-batch: 3,000 steps of the coin-hole net take
about 13 s on 2 busy cores, 790 steps of the MNIST net about 4 s.
"""

import math
import numbers
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_X_y, column_or_1d

__all__ = [
    "lr_range_test",
    "LRRangeTestResult",
    "suggest_lr",
    "smooth_losses",
    "SUGGESTION_RULES",
    "DEFAULT_RULE",
    "lr_range",
    "RANGE_FRACTION",
]

#: The share of the loss's fall that marks ``lr_min`` (and ``1 -`` it ``lr_max``).
RANGE_FRACTION = 0.1

#: The rule used for :attr:`LRRangeTestResult.suggestion`.
DEFAULT_RULE = "minimum/10"

#: n_steps='auto' clips the estimator's number of updates to this range.
_AUTO_STEPS = (100, 3000)


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


# --------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------
class LRRangeTestResult:
    """The curve of a learning-rate range test and what it suggests.

    Attributes
    ----------
    lrs : ndarray of shape (n_recorded,)
        Learning rate of each mini-batch update.
    losses : ndarray of shape (n_recorded,)
        Loss of each mini-batch, before its update (NaN when it overflowed).
    smoothed_losses : ndarray of shape (n_recorded,)
        Bias-corrected exponential moving average of ``losses``.
    suggestions : dict of str to float
        One learning rate per rule, ``'minimum/10'``, ``'steepest'``, ``'valley'``.
    rule : str
        The rule behind :attr:`suggestion`.
    suggestion : float
        ``suggestions[rule]``.
    lr_min, lr_max : float
        The usable range (seed 1.4.4.1): where the smoothed loss has made the
        first tenth and nine tenths of its fall (:func:`lr_range`).
    diverged : bool
        Whether the test stopped because the loss blew up (else it ran all
        ``n_steps`` up to ``max_lr``).
    batch_size : int
    beta : float
    n_steps : int
        Planned number of steps (``len(lrs)`` when it did not stop early).
    """

    def __init__(self, lrs, losses, *, beta, rule, batch_size, n_steps, diverged):
        self.lrs = np.asarray(lrs, dtype=float)
        self.losses = np.asarray(losses, dtype=float)
        self.smoothed_losses = smooth_losses(self.losses, beta) if len(lrs) else self.losses
        self.beta = beta
        self.rule = rule
        self.batch_size = batch_size
        self.n_steps = n_steps
        self.diverged = diverged
        if len(self.lrs):
            self.suggestions = {name: suggest_lr(self.lrs, self.smoothed_losses, name)
                                for name in SUGGESTION_RULES}
        else:
            self.suggestions = {name: math.nan for name in SUGGESTION_RULES}
        self.suggestion = self.suggestions[rule]
        self.lr_min, self.lr_max = (lr_range(self.lrs, self.smoothed_losses)
                                    if len(self.lrs) else (math.nan, math.nan))

    def plot(self, ax=None):
        """Loss against learning rate (log x), suggestions marked.

        Returns
        -------
        display : sknn_cn.plotting.LRFinderDisplay
        """
        from .plotting import LRFinderDisplay

        labelled = {(f"{name} (default)" if name == self.rule else name): lr
                    for name, lr in self.suggestions.items()}
        return LRFinderDisplay(self.lrs, self.smoothed_losses, suggestions=labelled,
                               raw_losses=self.losses,
                               lr_range=(self.lr_min, self.lr_max)).plot(ax=ax)

    def __str__(self):
        end = "diverged" if self.diverged else "reached max_lr"
        lines = [f"Learning-rate range test (Smith 2015, seed 1.4.4.1): {len(self.lrs)} "
                 f"of {self.n_steps} mini-batches of {self.batch_size}, lr "
                 f"{self.lrs[0]:.3g} .. {self.lrs[-1]:.3g} ({end})" if len(self.lrs)
                 else "Learning-rate range test: no step recorded"]
        lines.append(f"  usable range {self.lr_min:.3g} .. {self.lr_max:.3g}")
        for name, lr in self.suggestions.items():
            mark = "  <- default" if name == self.rule else ""
            lines.append(f"  {name:<11} {lr:.3g}{mark}")
        return "\n".join(lines)

    def __repr__(self):
        return (f"<LRRangeTestResult suggestion={self.suggestion:.3g} ({self.rule}), "
                f"range {self.lr_min:.3g}..{self.lr_max:.3g}, {len(self.lrs)} steps>")


# --------------------------------------------------------------------------
# the test
# --------------------------------------------------------------------------
def _positive(value, name):
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not math.isfinite(value) or value <= 0):
        raise ValueError(f"`{name}` must be a positive finite number; got {name}={value!r}.")
    return float(value)


def lr_range_test(estimator, X, y, *, min_lr=1e-5, max_lr=10.0, n_steps="auto",
                  batch_size=None, beta=0.98, diverge_factor=4.0, rule=DEFAULT_RULE,
                  classes=None, sample_weight=None, random_state=None):
    """Run the learning-rate range test (Smith 2015, seed 1.4.4.1) on a copy.

    Parameters
    ----------
    estimator : BinaryMLPClassifier or MulticlassMLPClassifier
        Its hyper-parameters (architecture, solver, momentum, alpha, ...) and
        ``random_state`` are used on a clone; the estimator itself is never
        changed, fitted or not.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    min_lr, max_lr : float, default=1e-5, 10.0
        First and last learning rate (the seed suggests starting at 1e-5).
    n_steps : int or 'auto', default='auto'
        Mini-batch updates from ``min_lr`` to ``max_lr``; the data is
        reshuffled and reused when it holds fewer batches.  'auto' is the
        number of updates of the training the rate is meant for, ``max_iter``
        epochs of ``batch_size`` (``max_iter='auto'``: the upper limit),
        clipped to [100, 3000].  Why: the loss can only fall at a given rate
        once enough updates have been made, so the curve's minimum moves to
        lower rates in a longer test, as the best rate does in longer
        training (the coin-hole net learns nothing in 100 updates).
    batch_size : int, default=None
        The estimator's (``'auto'``: ``min(200, n_samples)``) when None.
    beta : float in [0, 1), default=0.98
        Smoothing weight of the moving average.
    diverge_factor : float > 1, default=4.0
        Stop once the smoothed loss exceeds this multiple of its minimum.
    rule : {'minimum/10', 'steepest', 'valley'}, default='minimum/10'
        Which suggestion is :attr:`LRRangeTestResult.suggestion`; all three are
        computed.
    classes : array-like, default=None
        All class labels (default ``np.unique(y)``).
    sample_weight : array-like of shape (n_samples,), default=None
    random_state : int, RandomState instance or None, default=None
        Order of the mini-batches; None uses the estimator's ``random_state``.

    Returns
    -------
    result : LRRangeTestResult
        ``lrs``, ``losses``, ``smoothed_losses``, ``suggestions``,
        ``suggestion``, the usable range ``lr_min`` .. ``lr_max`` and ``plot()``.

    Examples
    --------
    >>> from sknn_cn import MulticlassMLPClassifier
    >>> from sknn_cn.datasets import make_coin_hole
    >>> from sknn_cn.lr_finder import lr_range_test
    >>> X, y = make_coin_hole(2000, random_state=0)
    >>> net = MulticlassMLPClassifier((16,), batch_size=32, random_state=0)
    >>> result = lr_range_test(net, X, y, n_steps=300)
    >>> sorted(result.suggestions)
    ['minimum/10', 'steepest', 'valley']
    """
    from .base import BaseMLPClassifier

    if not isinstance(estimator, BaseMLPClassifier):
        raise TypeError(
            "lr_range_test needs a BinaryMLPClassifier or MulticlassMLPClassifier; "
            f"got estimator={type(estimator).__name__}."
        )
    min_lr = _positive(min_lr, "min_lr")
    max_lr = _positive(max_lr, "max_lr")
    if not max_lr > min_lr:
        raise ValueError(f"`max_lr` must be larger than `min_lr`; got min_lr={min_lr!r}, "
                         f"max_lr={max_lr!r}.")
    if not (n_steps == "auto" if isinstance(n_steps, str) else (
            isinstance(n_steps, numbers.Integral) and not isinstance(n_steps, bool)
            and n_steps >= 2)):
        raise ValueError(f"`n_steps` must be 'auto' or an integer >= 2; got "
                         f"n_steps={n_steps!r}.")
    if not (isinstance(beta, numbers.Real) and 0 <= beta < 1):
        raise ValueError(f"`beta` must be in [0, 1); got beta={beta!r}.")
    if not (isinstance(diverge_factor, numbers.Real) and diverge_factor > 1):
        raise ValueError("`diverge_factor` must be a number > 1; got "
                         f"diverge_factor={diverge_factor!r}.")
    if rule not in SUGGESTION_RULES:
        raise ValueError(f"Unknown rule {rule!r} in `rule`. Allowed rules: "
                         f"{', '.join(map(repr, SUGGESTION_RULES))}.")

    X, y = check_X_y(X, y, dtype=(np.float64, np.float32))
    y = column_or_1d(y)
    check_classification_targets(y)
    classes = np.unique(y if classes is None else classes)
    n_samples = X.shape[0]
    if batch_size is None:
        batch_size = estimator.batch_size
        batch_size = min(200, n_samples) if batch_size == "auto" else int(batch_size)
    if (isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral)
            or not 1 <= batch_size <= n_samples):
        raise ValueError(f"`batch_size` must be an integer in [1, n_samples={n_samples}]; "
                         f"got batch_size={batch_size!r}.")
    batch_size = int(batch_size)
    n_batches = n_samples // batch_size  # whole batches only: equal noise per step
    if n_steps == "auto":
        max_iter = estimator.max_iter
        budget = (max_iter * -(-n_samples // batch_size)
                  if isinstance(max_iter, numbers.Integral) else _AUTO_STEPS[1])
        n_steps = int(np.clip(budget, *_AUTO_STEPS))
    n_steps = int(n_steps)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        if sample_weight.shape != (n_samples,):
            raise ValueError(f"sample_weight must have shape ({n_samples},); got "
                             f"{sample_weight.shape}.")

    net = clone(estimator)
    class_weight = net.class_weight
    if isinstance(class_weight, str):  # 'balanced' over all of y, as fit would
        weights = compute_class_weight(class_weight, classes=classes, y=y)
        class_weight = dict(zip(classes.tolist(), weights))
    # one trajectory: a fixed rate per step set here, one initialisation
    net.set_params(lr_schedule="fixed", early_stopping=False, warm_start=False,
                   verbose=False, class_weight=class_weight, batch_size=batch_size,
                   n_init=1, batch_size_schedule=None)
    rng = check_random_state(estimator.random_state if random_state is None
                             else random_state)
    rng = np.random.default_rng(rng.randint(np.iinfo(np.int32).max))

    growth = (max_lr / min_lr) ** (1.0 / (n_steps - 1))
    order = rng.permutation(n_samples)
    lrs, losses = [], []
    best = math.inf
    avg = 0.0
    diverged = False
    for k in range(n_steps):
        if k % n_batches == 0 and k:
            order = rng.permutation(n_samples)
        batch = order[(k % n_batches) * batch_size:(k % n_batches + 1) * batch_size]
        lr = min_lr * growth**k
        net.set_params(learning_rate_init=lr)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # overflow near the end
                net.partial_fit(X[batch], y[batch], classes=classes,
                                sample_weight=None if sample_weight is None
                                else sample_weight[batch])
            loss = float(net.loss_)
        except FloatingPointError:  # the loss overflowed: the curve ends here
            loss = math.nan
        lrs.append(lr)
        losses.append(loss)
        if not math.isfinite(loss):
            diverged = True
            break
        avg = beta * avg + (1 - beta) * loss
        smoothed = avg / (1 - beta ** (k + 1))
        best = min(best, smoothed)
        if k > 0 and smoothed > diverge_factor * best:
            diverged = True
            break
    return LRRangeTestResult(lrs, losses, beta=beta, rule=rule, batch_size=batch_size,
                             n_steps=n_steps, diverged=diverged)
