"""Learning-rate schedules: the six of seed section 1.4.4.2 (学习率的后期修正).

A schedule is a pure function of the step with a closed form::

    lr = schedule(base_lr, step, total_steps=None)

``step`` is the number of updates already done (``t = 0`` before the first
update, so the first update uses ``lr = base_lr`` for every schedule here).
The schedule keeps no state and never decides when training stops: the
training loop owns the counter and passes it in.

=============  ===============================================  ==============
name           ``lr_t`` (``t`` = step, ``base`` = base_lr)      seed 1.4.4.2
=============  ===============================================  ==============
``fixed``      ``base``                                         fixed
``step``       ``base * gamma ** (t // step_size)``             step
``multistep``  ``base * gamma ** (number of milestones <= t)``  multistep
``exp``        ``base * gamma ** t``                            eq. (5)
``inv``        ``base / (1 + gamma * t) ** power``              eq. (6)
``poly``       ``base * (1 - min(t, T) / T) ** power``          eq. (7)
=============  ===============================================  ==============

Which counter is ``t``?  The seed counts *iterations*, one per mini-batch
update; that is the default (``unit='iteration'``).  With ``unit='epoch'``
the training loop passes the number of finished epochs instead (and, for
``poly``, ``total_steps`` = the number of epochs).  The schedule itself only
maps a number to a learning rate; ``unit`` is read by the training loop.

How a training loop uses one (sketch)::

    schedule = get_schedule(self.lr_schedule)      # at fit: clone + validate
    if schedule.unit == "iteration":               # count mini-batch updates
        t, total = n_updates_done, max_iter * n_batches_per_epoch
    else:                                          # count finished epochs
        t, total = n_epochs_done, max_iter
    lr = schedule(self.learning_rate_init, t, total_steps=total)

Note that ``t`` counts *updates*, not samples (scikit-learn's ``t_`` counts
samples seen).

Growing the batch size instead (seed 1.4.4.3)
---------------------------------------------
:class:`BatchSizeSchedule` is the seed's closing advice in code: keep the
learning rate large and, where a step schedule would divide the rate by
``factor``, multiply the batch size by ``factor`` instead (Smith, Kindermans,
Ying & Le 2017, "Don't decay the learning rate, increase the batch size").
It is passed to the estimators as ``batch_size_schedule`` and changes the
batch size at epoch boundaries; its learning-rate twin is
``MultiStepSchedule(milestones, gamma=1 / factor, unit='epoch')``
(:meth:`BatchSizeSchedule.equivalent_lr_schedule`).

Schedules are scikit-learn estimators in the get_params / set_params sense,
so ``clone`` works and ``GridSearchCV`` can tune, for example,
``lr_schedule__gamma`` of a classifier built with
``lr_schedule=ExponentialSchedule()``.  As in scikit-learn, ``__init__``
only stores its arguments; :meth:`LRSchedule.validate` checks them, and every
call validates again, so a bad value set later with ``set_params`` is caught
too.
"""

import bisect
import math
import numbers

import numpy as np
from sklearn.base import BaseEstimator, clone

__all__ = [
    "LRSchedule",
    "FixedSchedule",
    "StepSchedule",
    "MultiStepSchedule",
    "ExponentialSchedule",
    "InverseSchedule",
    "PolynomialSchedule",
    "SCHEDULES",
    "get_schedule",
    "BatchSizeSchedule",
]

_UNITS = ("iteration", "epoch")


# --------------------------------------------------------------------------
# small checks shared by the schedules; each error names argument and value
# --------------------------------------------------------------------------
def _is_real(value):
    """True for finite real numbers (bools excluded)."""
    if type(value) is float or type(value) is int:  # fast path, called per update
        return math.isfinite(value)
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _is_int(value):
    """True for integers (Python or NumPy), bools excluded."""
    if type(value) is int:  # fast path, called per update
        return True
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_gamma_unit_interval(owner, gamma):
    """A decay factor: 0 < gamma <= 1 (gamma = 1 means no decay)."""
    if not (_is_real(gamma) and 0 < gamma <= 1):
        raise ValueError(
            f"{owner}: gamma must be a real number in (0, 1]; got gamma={gamma!r}"
        )


def _check_positive_real(owner, name, value):
    if not (_is_real(value) and value > 0):
        raise ValueError(
            f"{owner}: {name} must be a finite real number > 0; got {name}={value!r}"
        )


def _check_positive_int(owner, name, value):
    if not (_is_int(value) and value > 0):
        raise ValueError(
            f"{owner}: {name} must be an integer >= 1; got {name}={value!r}"
        )


# --------------------------------------------------------------------------
# base class
# --------------------------------------------------------------------------
class LRSchedule(BaseEstimator):
    """Base class: maps a step count ``t`` to a learning rate.

    Subclasses implement :meth:`_factor`, the closed form of
    ``lr / base_lr``, written once so that it works for a single Python int
    step (``__call__``, called once per update, so kept free of NumPy
    overhead) and for an int64 array of steps (``values``).

    Parameters
    ----------
    unit : {'iteration', 'epoch'}, default='iteration'
        Which counter the training loop passes as ``step``: the number of
        mini-batch updates done (seed 1.4.4.2 counts these) or the number of
        finished epochs.  The schedule's own arithmetic does not depend on it.
    """

    def __init__(self, unit="iteration"):
        self.unit = unit

    # -- to be provided by subclasses ---------------------------------------
    def _factor(self, t, total_steps):
        """Return ``lr / base_lr`` at step(s) ``t`` (int or int array)."""
        raise NotImplementedError

    def _check_params(self):
        """Check the subclass's own parameters (not ``unit``)."""

    # -- public API ----------------------------------------------------------
    @property
    def needs_total_steps(self):
        """bool: True when the loop must pass ``total_steps`` to a call."""
        return False

    def validate(self):
        """Check every parameter; raise ``ValueError`` naming the bad one.

        The estimator calls this once at fit time (``get_schedule`` does it
        too).  Returns ``self`` so it can be chained.
        """
        owner = type(self).__name__
        if self.unit not in _UNITS:
            raise ValueError(
                f"{owner}: unit must be one of {list(_UNITS)}; got unit={self.unit!r}"
            )
        self._check_params()
        return self

    def __call__(self, base_lr, step, total_steps=None):
        """Learning rate after ``step`` updates.

        Parameters
        ----------
        base_lr : float
            The initial learning rate (``learning_rate_init``), > 0.
        step : int
            Number of updates (or epochs, see ``unit``) already done, >= 0.
        total_steps : int or None, default=None
            Length of training in the same unit; only ``poly`` uses it, and
            only when its ``max_steps`` is None.

        Returns
        -------
        lr : float
        """
        self.validate()
        self._check_base_lr(base_lr)
        if not (_is_int(step) and step >= 0):
            raise ValueError(
                f"{type(self).__name__}: step must be an integer >= 0; got step={step!r}"
            )
        return float(base_lr * self._factor(int(step), total_steps))

    def values(self, base_lr, steps, total_steps=None):
        """Vectorised :meth:`__call__`: learning rates at many steps at once.

        Parameters
        ----------
        base_lr : float
            The initial learning rate, > 0.
        steps : array-like of int of shape (n_steps,)
            Step counts, each >= 0 (any shape is accepted and kept).
        total_steps : int or None, default=None
            As in :meth:`__call__`.

        Returns
        -------
        lrs : ndarray of float64 of shape (n_steps,)
            ``lrs[i] == self(base_lr, steps[i], total_steps)``.
        """
        self.validate()
        self._check_base_lr(base_lr)
        steps = np.asarray(steps)
        if steps.size and not np.issubdtype(steps.dtype, np.integer):
            raise ValueError(
                f"{type(self).__name__}: steps must be integers; "
                f"got steps of dtype {steps.dtype}"
            )
        steps = steps.astype(np.int64)
        if steps.size and steps.min() < 0:
            raise ValueError(
                f"{type(self).__name__}: steps must be >= 0; "
                f"got a step of {int(steps.min())}"
            )
        factor = self._factor(steps, total_steps)
        return base_lr * np.broadcast_to(np.asarray(factor, dtype=np.float64), steps.shape)

    def _check_base_lr(self, base_lr):
        if not (_is_real(base_lr) and base_lr > 0):
            raise ValueError(
                f"{type(self).__name__}: base_lr must be a finite real number > 0; "
                f"got base_lr={base_lr!r}"
            )


# --------------------------------------------------------------------------
# the six schedules of seed 1.4.4.2
# --------------------------------------------------------------------------
class FixedSchedule(LRSchedule):
    """fixed: the same learning rate for the whole run (seed 1.4.4.2).

    ``lr_t = base_lr``

    The seed's warning: the value must not be too large, or training will
    not settle near the minimum late in the run.

    Parameters
    ----------
    unit : {'iteration', 'epoch'}, default='iteration'
        See :class:`LRSchedule` (irrelevant here, kept for a uniform API).
    """

    def __init__(self, unit="iteration"):
        self.unit = unit

    def _factor(self, t, total_steps):
        return 1.0


class StepSchedule(LRSchedule):
    """step: multiply the rate by ``gamma`` every ``step_size`` steps (seed 1.4.4.2).

    ``lr_t = base_lr * gamma ** floor(t / step_size)``

    A staircase with equal treads: "every preset number of iterations
    (say 500) lower the learning rate once".  Same as
    ``torch.optim.lr_scheduler.StepLR``.

    Parameters
    ----------
    step_size : int, default=500
        Steps between two decays, >= 1 (the seed's example: 500).
    gamma : float, default=0.1
        Factor applied at each decay, in (0, 1].
    unit : {'iteration', 'epoch'}, default='iteration'
        See :class:`LRSchedule`; ``step_size`` is counted in this unit.
    """

    def __init__(self, step_size=500, gamma=0.1, unit="iteration"):
        self.step_size = step_size
        self.gamma = gamma
        self.unit = unit

    def _check_params(self):
        _check_positive_int(type(self).__name__, "step_size", self.step_size)
        _check_gamma_unit_interval(type(self).__name__, self.gamma)

    def _factor(self, t, total_steps):
        return self.gamma ** (t // self.step_size)


class MultiStepSchedule(LRSchedule):
    """multistep: multiply the rate by ``gamma`` at chosen steps (seed 1.4.4.2).

    ``lr_t = base_lr * gamma ** k(t)``, where ``k(t)`` is the number of
    milestones ``m`` with ``m <= t``.

    Like ``step`` but the treads may be uneven, e.g. the seed's 3000, 5500,
    8000.  Same as ``torch.optim.lr_scheduler.MultiStepLR``.

    Parameters
    ----------
    milestones : list, tuple or 1-D array of int, default=(3000, 5500, 8000)
        Strictly increasing steps (>= 1) at which the rate drops.
    gamma : float, default=0.1
        Factor applied at each milestone, in (0, 1].
    unit : {'iteration', 'epoch'}, default='iteration'
        See :class:`LRSchedule`; milestones are counted in this unit.
    """

    def __init__(self, milestones=(3000, 5500, 8000), gamma=0.1, unit="iteration"):
        self.milestones = milestones
        self.gamma = gamma
        self.unit = unit

    def _check_params(self):
        owner = type(self).__name__
        ms = self.milestones
        ok = isinstance(ms, (list, tuple, np.ndarray)) and len(ms) >= 1
        if ok:
            previous = 0
            for m in ms:
                if not (_is_int(m) and m > previous):
                    ok = False
                    break
                previous = m
        if not ok:
            raise ValueError(
                f"{owner}: milestones must be a non-empty sequence of strictly "
                f"increasing integers >= 1; got milestones={ms!r}"
            )
        _check_gamma_unit_interval(owner, self.gamma)

    def _factor(self, t, total_steps):
        # A milestone m counts as soon as t == m (bisect "right" side).
        if isinstance(t, int):
            k = bisect.bisect_right(self.milestones, t)  # one step: no NumPy overhead
        else:
            k = np.searchsorted(np.asarray(self.milestones), t, side="right")
        return self.gamma**k


class ExponentialSchedule(LRSchedule):
    """exp: continuous exponential decay, seed 1.4.4.2 eq. (5).

    ``lr_t = base_lr * gamma ** t``

    Because a run has many iterations, the rate falls fast: with the
    default ``gamma = 0.99`` it is about ``base_lr / e`` after 100 steps and about
    ``base_lr * 4e-5`` after 1000.  A larger ``gamma`` (closer to 1) decays
    more slowly.  Same as ``torch.optim.lr_scheduler.ExponentialLR``.

    Parameters
    ----------
    gamma : float, default=0.99
        Decay per step, in (0, 1] (the seed suggests 0.9 or 0.99).
    unit : {'iteration', 'epoch'}, default='iteration'
        See :class:`LRSchedule`.
    """

    def __init__(self, gamma=0.99, unit="iteration"):
        self.gamma = gamma
        self.unit = unit

    def _check_params(self):
        _check_gamma_unit_interval(type(self).__name__, self.gamma)

    def _factor(self, t, total_steps):
        return self.gamma**t


class InverseSchedule(LRSchedule):
    """inv: inverse-power decay, seed 1.4.4.2 eq. (6).

    ``lr_t = base_lr / (1 + gamma * t) ** power``

    ``gamma`` sets how fast the rate falls (larger is faster); ``power``
    sets how far it can fall (larger gives a smaller rate late in the run).
    With ``power = 0.5`` (the seed's default) the rate halves when
    ``gamma * t = 3``.  Caffe calls this policy ``inv``; torch has it only
    through ``LambdaLR``.

    Parameters
    ----------
    gamma : float, default=1e-3
        Rate of decay, > 0 (not bounded by 1).  With the default, the rate
        is ``base_lr / sqrt(2)`` after 1000 steps.
    power : float, default=0.5
        Exponent ``p``, > 0.
    unit : {'iteration', 'epoch'}, default='iteration'
        See :class:`LRSchedule`.
    """

    def __init__(self, gamma=1e-3, power=0.5, unit="iteration"):
        self.gamma = gamma
        self.power = power
        self.unit = unit

    def _check_params(self):
        _check_positive_real(type(self).__name__, "gamma", self.gamma)
        _check_positive_real(type(self).__name__, "power", self.power)

    def _factor(self, t, total_steps):
        return (1.0 + self.gamma * t) ** (-self.power)


class PolynomialSchedule(LRSchedule):
    """poly: polynomial decay to zero at step ``T``, seed 1.4.4.2 eq. (7).

    ``lr_t = base_lr * (1 - min(t, T) / T) ** power``

    ``T`` is ``max_steps`` when given, otherwise the ``total_steps`` the
    training loop passes (the run's length in ``unit``).  After ``T`` the
    rate stays 0.  ``power = 1`` is a straight line; ``power > 1`` falls
    fast first then flattens (convex); ``power < 1`` stays high longer and
    drops near the end (concave).  Same as
    ``torch.optim.lr_scheduler.PolynomialLR(total_iters=T, power=power)``.

    Parameters
    ----------
    max_steps : int or None, default=None
        ``T``, >= 1.  None means "use the ``total_steps`` of the call".
    power : float, default=0.9
        Exponent ``p``, > 0 (the seed suggests 0.9).
    unit : {'iteration', 'epoch'}, default='iteration'
        See :class:`LRSchedule`.
    """

    def __init__(self, max_steps=None, power=0.9, unit="iteration"):
        self.max_steps = max_steps
        self.power = power
        self.unit = unit

    @property
    def needs_total_steps(self):
        return self.max_steps is None

    def _check_params(self):
        owner = type(self).__name__
        if self.max_steps is not None:
            _check_positive_int(owner, "max_steps", self.max_steps)
        _check_positive_real(owner, "power", self.power)

    def _factor(self, t, total_steps):
        T = self.max_steps
        if T is None:
            if total_steps is None:
                raise ValueError(
                    "PolynomialSchedule needs the run's length T: set max_steps "
                    "or pass total_steps; got max_steps=None and total_steps=None"
                )
            _check_positive_int("PolynomialSchedule", "total_steps", total_steps)
            T = total_steps
        t_clamped = min(t, T) if isinstance(t, int) else np.minimum(t, T)
        return (1.0 - t_clamped / T) ** self.power


# --------------------------------------------------------------------------
# lookup by name
# --------------------------------------------------------------------------
SCHEDULES = {
    "fixed": FixedSchedule,
    "step": StepSchedule,
    "multistep": MultiStepSchedule,
    "exp": ExponentialSchedule,
    "inv": InverseSchedule,
    "poly": PolynomialSchedule,
}
"""dict: the seed's six names -> schedule class."""

_ALIASES = {
    "constant": "fixed",
    "exponential": "exp",
    "inverse": "inv",
    "polynomial": "poly",
}


def get_schedule(spec):
    """Turn an ``lr_schedule`` parameter into a validated schedule object.

    Parameters
    ----------
    spec : str or LRSchedule
        One of ``'fixed'``, ``'step'``, ``'multistep'``, ``'exp'``,
        ``'inv'``, ``'poly'`` (aliases ``'constant'``, ``'exponential'``,
        ``'inverse'``, ``'polynomial'``) for a default-configured schedule,
        or a schedule instance, which is cloned (the caller's object is
        never touched) and validated.

    Returns
    -------
    schedule : LRSchedule

    Raises
    ------
    ValueError
        For an unknown name or any other type, or an instance with an
        invalid parameter.
    """
    if isinstance(spec, LRSchedule):
        return clone(spec).validate()
    if isinstance(spec, str):
        name = _ALIASES.get(spec, spec)
        if name in SCHEDULES:
            return SCHEDULES[name]().validate()
    allowed = sorted(SCHEDULES) + sorted(_ALIASES)
    raise ValueError(
        f"lr_schedule must be one of {allowed} or an LRSchedule instance "
        f"(e.g. ExponentialSchedule(gamma=0.9)); got lr_schedule={spec!r}"
    )


# --------------------------------------------------------------------------
# seed 1.4.4.3: grow the batch size instead of decaying the learning rate
# --------------------------------------------------------------------------
class BatchSizeSchedule(BaseEstimator):
    """Grow the batch size where a step schedule would decay the rate (seed 1.4.4.3).

    Closed form, for epoch ``e`` (the number of finished epochs, 0 for the
    first) and the estimator's ``batch_size`` ``B0``::

        k(e) = number of milestones m with m <= e
        B(e) = min(round(B0 * factor ** k(e)), max_batch_size, n_samples)

    The learning rate is left alone.  Smith, Kindermans, Ying & Le (2017,
    "Don't decay the learning rate, increase the batch size", ICLR 2018)
    argue that what a decay schedule does is lower the noise scale of SGD,
    ``g = lr * N / (B * (1 - momentum))`` for ``B << N`` training samples, and
    that multiplying ``B`` by ``factor`` lowers it exactly as dividing ``lr`` by
    ``factor`` does, with ``factor`` times fewer parameter updates after the
    milestone.  The learning-rate twin of this schedule is therefore
    ``MultiStepSchedule(milestones, gamma=1 / factor, unit='epoch')`` (and a
    ``StepSchedule(step_size=s, gamma=1 / factor, unit='epoch')`` is the
    milestones ``s, 2s, 3s, ...``); :meth:`equivalent_lr_schedule` builds it.

    Once ``B(e)`` reaches ``max_batch_size`` or the number of training samples
    (full-batch gradient descent) it grows no more, and the equivalence with
    the learning-rate decay ends there: the twin keeps dividing the rate.
    (Smith et al. switch to decaying the rate at that point; combine this
    schedule with an ``lr_schedule`` to do that.)

    The estimators read it at every epoch boundary: ``fit`` trains epoch
    ``e`` with mini-batches of ``B(e)`` (the last one shorter when ``B(e)``
    does not divide ``n_samples``), so epoch ``e`` makes
    ``ceil(n_samples / B(e))`` updates (:meth:`n_updates`).  ``partial_fit``
    is one epoch, numbered by ``n_iter_``.  ``n_iter_`` still counts epochs and
    ``t_`` samples seen.

    Parameters
    ----------
    milestones : list, tuple or 1-D array of int, default=(60, 120, 160)
        Strictly increasing epochs (>= 1) at which the batch grows, as a
        step schedule's milestones (the defaults are Smith et al.'s
        Wide-ResNet schedule on CIFAR-10).
    factor : float, default=5
        Growth at each milestone, >= 1 (1: no growth).  Smith et al. use 5.
    max_batch_size : int or None, default=None
        Cap on the batch size, >= 1 (None: only ``n_samples`` caps it); must
        be at least the estimator's ``batch_size``.

    Examples
    --------
    >>> from sknn_cn.schedules import BatchSizeSchedule
    >>> schedule = BatchSizeSchedule(milestones=(2, 4), factor=4)
    >>> [schedule(32, epoch) for epoch in range(6)]
    [32, 32, 128, 128, 512, 512]
    >>> schedule.equivalent_lr_schedule()
    MultiStepSchedule(gamma=0.25, milestones=(2, 4), unit='epoch')
    """

    def __init__(self, milestones=(60, 120, 160), factor=5, max_batch_size=None):
        self.milestones = milestones
        self.factor = factor
        self.max_batch_size = max_batch_size

    def validate(self):
        """Check every parameter; raise ``ValueError`` naming the bad one.

        Returns ``self`` so it can be chained.
        """
        owner = type(self).__name__
        ms = self.milestones
        ok = isinstance(ms, (list, tuple, np.ndarray)) and len(ms) >= 1
        previous = 0
        for m in ms if ok else ():
            if not (_is_int(m) and m > previous):
                ok = False
                break
            previous = m
        if not ok:
            raise ValueError(
                f"{owner}: milestones must be a non-empty sequence of strictly "
                f"increasing integers >= 1 (epochs); got milestones={ms!r}"
            )
        if not (_is_real(self.factor) and self.factor >= 1):
            raise ValueError(
                f"{owner}: factor must be a real number >= 1; got factor={self.factor!r}"
            )
        if self.max_batch_size is not None:
            _check_positive_int(owner, "max_batch_size", self.max_batch_size)
        return self

    def _check_call(self, base_batch_size, n_samples):
        owner = type(self).__name__
        self.validate()
        _check_positive_int(owner, "base_batch_size", base_batch_size)
        if n_samples is not None:
            _check_positive_int(owner, "n_samples", n_samples)
        if self.max_batch_size is not None and self.max_batch_size < base_batch_size:
            raise ValueError(
                f"{owner}: max_batch_size must be at least the base batch size; got "
                f"max_batch_size={self.max_batch_size!r} and "
                f"base_batch_size={base_batch_size!r}"
            )

    def values(self, base_batch_size, epochs, n_samples=None):
        """Batch sizes at many epochs at once.

        Parameters
        ----------
        base_batch_size : int
            The batch size of epoch 0 (the estimator's ``batch_size``), >= 1.
        epochs : array-like of int
            Epoch numbers, each >= 0 (0 is the first epoch).
        n_samples : int or None, default=None
            Number of training samples; the batch never exceeds it.

        Returns
        -------
        batch_sizes : ndarray of int64, the shape of ``epochs``
        """
        self._check_call(base_batch_size, n_samples)
        epochs = np.asarray(epochs)
        if epochs.size and not np.issubdtype(epochs.dtype, np.integer):
            raise ValueError(f"{type(self).__name__}: epochs must be integers; got "
                             f"epochs of dtype {epochs.dtype}")
        if epochs.size and epochs.min() < 0:
            raise ValueError(f"{type(self).__name__}: epochs must be >= 0; got an "
                             f"epoch of {int(epochs.min())}")
        k = np.searchsorted(np.asarray(self.milestones), epochs, side="right")
        sizes = np.rint(base_batch_size * float(self.factor) ** k.astype(np.float64))
        for cap in (self.max_batch_size, n_samples):
            if cap is not None:
                sizes = np.minimum(sizes, cap)
        return sizes.astype(np.int64)

    def __call__(self, base_batch_size, epoch, n_samples=None):
        """Batch size of epoch ``epoch`` (0 for the first), a Python int."""
        if not (_is_int(epoch) and epoch >= 0):
            raise ValueError(f"{type(self).__name__}: epoch must be an integer >= 0; "
                             f"got epoch={epoch!r}")
        return int(self.values(base_batch_size, np.array([epoch]), n_samples)[0])

    def n_updates(self, base_batch_size, n_epochs, n_samples):
        """Mini-batch updates in the first ``n_epochs`` epochs on ``n_samples`` samples.

        ``sum over e < n_epochs of ceil(n_samples / B(e))``: what ``fit`` makes
        when it runs ``n_epochs`` epochs without stopping early.
        """
        if not (_is_int(n_epochs) and n_epochs >= 0):
            raise ValueError(f"{type(self).__name__}: n_epochs must be an integer >= 0; "
                             f"got n_epochs={n_epochs!r}")
        sizes = self.values(base_batch_size, np.arange(n_epochs), n_samples)
        return int((-(-n_samples // sizes)).sum())

    def equivalent_lr_schedule(self):
        """The learning-rate decay this schedule stands in for.

        Returns
        -------
        schedule : MultiStepSchedule
            ``MultiStepSchedule(milestones, gamma=1 / factor, unit='epoch')``
            (before any cap is reached, the same noise scale epoch by epoch).
        """
        self.validate()
        return MultiStepSchedule(milestones=self.milestones, gamma=1.0 / self.factor,
                                 unit="epoch")
