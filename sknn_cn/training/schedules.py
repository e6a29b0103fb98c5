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
samples seen).  scikit-learn's own ``learning_rate`` rules, 'invscaling' (on
samples seen) and 'adaptive' (on plateaus), are in
:mod:`sknn_cn.training.sklearn_schedules`.

Growing the batch size instead (seed 1.4.4.3)
---------------------------------------------
:class:`~sknn_cn.training.batch_schedules.BatchSizeSchedule` is the seed's closing advice in code: keep the
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
]

from ._checks import (
    check_milestones,
    check_gamma_unit_interval,
    check_positive_int,
    check_positive_real,
    is_int,
    is_real,
)

_UNITS = ("iteration", "epoch")


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
        if not (is_int(step) and step >= 0):
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
        if not (is_real(base_lr) and base_lr > 0):
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
        check_positive_int(type(self).__name__, "step_size", self.step_size)
        check_gamma_unit_interval(type(self).__name__, self.gamma)

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
        check_milestones(owner, self.milestones)
        check_gamma_unit_interval(owner, self.gamma)

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
        check_gamma_unit_interval(type(self).__name__, self.gamma)

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
        check_positive_real(type(self).__name__, "gamma", self.gamma)
        check_positive_real(type(self).__name__, "power", self.power)

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
            check_positive_int(owner, "max_steps", self.max_steps)
        check_positive_real(owner, "power", self.power)

    def _factor(self, t, total_steps):
        T = self.max_steps
        if T is None:
            if total_steps is None:
                raise ValueError(
                    "PolynomialSchedule needs the run's length T: set max_steps "
                    "or pass total_steps; got max_steps=None and total_steps=None"
                )
            check_positive_int("PolynomialSchedule", "total_steps", total_steps)
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
