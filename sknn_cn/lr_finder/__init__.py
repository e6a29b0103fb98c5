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

How the curve is read (three suggestion rules, and the usable range
``lr_min`` .. ``lr_max``) is in :mod:`sknn_cn.lr_finder.rules`.

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
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_X_y, column_or_1d

from ..base import BaseMLPClassifier
from .rules import (
    DEFAULT_RULE,
    RANGE_FRACTION,
    SUGGESTION_RULES,
    lr_range,
    smooth_losses,
    suggest_lr,
)
from ..training.callbacks import watch_steps
from ..training.rng import generator_from

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

#: n_steps='auto' clips the estimator's number of updates to this range.
_AUTO_STEPS = (100, 3000)


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
        from ..plotting import LRFinderDisplay

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
    rng = generator_from(estimator.random_state if random_state is None
                         else random_state)

    growth = (max_lr / min_lr) ** (1.0 / (n_steps - 1))
    order = rng.permutation(n_samples)
    lrs, losses = [], []
    best = math.inf
    avg = 0.0
    diverged = False
    # the estimator's sklearn callbacks watch the steps (training.callbacks)
    with watch_steps(net, X, y, n_steps) as steps:
        for k in range(n_steps):
            steps.begin_step()
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
            stop = steps.end_step(X[batch], y[batch])  # a callback asks to stop?
            if not math.isfinite(loss):
                diverged = True
                break
            avg = beta * avg + (1 - beta) * loss
            smoothed = avg / (1 - beta ** (k + 1))
            best = min(best, smoothed)
            if k > 0 and smoothed > diverge_factor * best:
                diverged = True
                break
            if stop:
                break
    return LRRangeTestResult(lrs, losses, beta=beta, rule=rule, batch_size=batch_size,
                             n_steps=n_steps, diverged=diverged)
