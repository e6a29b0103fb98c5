"""scikit-learn's ``learning_rate`` options as schedules beside the seed's six.

``MLPClassifier(solver='sgd', learning_rate=...)`` has three rules; here they
are schedules of :mod:`sknn_cn.training.schedules` with their own counters:

==============  ========================================  ===================
``learning_rate``  ``lr`` of an epoch                       counter (``unit``)
==============  ========================================  ===================
``constant``    ``learning_rate_init``                      (``lr_schedule`` is in charge)
``invscaling``  ``init / (t + 1) ** power_t``               ``'sample'``: ``t`` = samples
                                                            seen before the epoch
``adaptive``    ``init / 5 ** k``                           ``'plateau'``: ``k`` = plateaus
==============  ========================================  ===================

As in scikit-learn the rate changes only between epochs, and the first epoch
of a new optimizer (``fit``, a ``warm_start`` refit) uses ``init`` whatever
``t_`` is; ``partial_fit`` goes on from ``t_``.  A *plateau* is what ends
training otherwise: the no-improvement rule (``tol``, ``n_iter_no_change``,
on the training loss or, with ``early_stopping``, the validation score) has
fired.  ``adaptive`` then divides the rate by 5 and resets the count, and
stops training only when the rate is already ``<= 1e-6``
(:func:`sknn_cn.training.stopping.plateau_reached`).

How ``learning_rate`` and ``lr_schedule`` combine (:func:`resolve_schedule`):
``learning_rate='constant'`` (the default) leaves ``lr_schedule`` in charge;
'invscaling' and 'adaptive' are used with ``solver='sgd'`` only and ignored
by 'adam' (as in scikit-learn); either of them with an ``lr_schedule`` other
than 'fixed' is a contradiction and raises ``ValueError``.
"""

from .schedules import FixedSchedule, LRSchedule, get_schedule
from ._checks import check_positive_real, is_real

__all__ = ["InvScalingSchedule", "AdaptiveSchedule", "resolve_schedule", "schedule_step"]

#: ``adaptive``: the factor of each division and the rate at which it stops.
ADAPTIVE_FACTOR = 5.0
ADAPTIVE_MIN_LR = 1e-6


class InvScalingSchedule(LRSchedule):
    """scikit-learn's ``invscaling``: ``lr = base_lr / (t + 1) ** power_t``.

    ``t`` is the number of training samples seen (scikit-learn's ``t_``),
    which the training loop passes at the start of every epoch
    (``unit='sample'``).  Not the seed's ``inv`` (``InverseSchedule``), which
    is ``base / (1 + gamma t) ** power`` with ``t`` counting updates.

    Parameters
    ----------
    power_t : float, default=0.5
        Exponent, >= 0 (0 is a constant rate).
    """

    def __init__(self, power_t=0.5):
        self.power_t = power_t

    @property
    def unit(self):
        return "sample"

    def validate(self):
        if not (is_real(self.power_t) and self.power_t >= 0):
            raise ValueError(f"InvScalingSchedule: power_t must be a real number >= 0; "
                             f"got power_t={self.power_t!r}")
        return self

    def __call__(self, base_lr, step, total_steps=None):
        base_lr = float(super().__call__(base_lr, 0))  # checks base_lr and step
        super().__call__(base_lr, step)
        return base_lr / (int(step) + 1) ** self.power_t  # scikit-learn's arithmetic

    def _factor(self, t, total_steps):
        return 1.0 / (t + 1.0) ** self.power_t


class AdaptiveSchedule(LRSchedule):
    """scikit-learn's ``adaptive``: ``base_lr`` divided by ``factor`` at every plateau.

    The training loop passes ``k``, the number of plateaus so far
    (``unit='plateau'``); the rate is ``base_lr`` divided ``k`` times by
    ``factor`` (one division after another, bit for bit scikit-learn's
    ``learning_rate /= 5``).  At a plateau :meth:`can_decay` tells whether the
    rate may still fall (it is ``> min_lr``); if not, training stops.

    Parameters
    ----------
    factor : float, default=5.0
        Divisor, > 0.
    min_lr : float, default=1e-6
        Training stops at a plateau reached with a rate ``<= min_lr``.
    """

    def __init__(self, factor=ADAPTIVE_FACTOR, min_lr=ADAPTIVE_MIN_LR):
        self.factor = factor
        self.min_lr = min_lr

    @property
    def unit(self):
        return "plateau"

    def validate(self):
        check_positive_real("AdaptiveSchedule", "factor", self.factor)
        check_positive_real("AdaptiveSchedule", "min_lr", self.min_lr)
        return self

    def __call__(self, base_lr, step, total_steps=None):
        lr = float(super().__call__(base_lr, 0))
        for _ in range(int(step)):
            lr /= self.factor
        return lr

    def _factor(self, t, total_steps):
        return 1.0 / float(self.factor) ** t

    def can_decay(self, base_lr, n_plateaus):
        """May the rate after ``n_plateaus`` plateaus fall once more?"""
        return self(base_lr, n_plateaus) > self.min_lr


def resolve_schedule(lr_schedule, learning_rate, power_t, solver):
    """The schedule a fit uses, from ``lr_schedule`` and ``learning_rate``.

    Parameters
    ----------
    lr_schedule : str or LRSchedule
    learning_rate : {'constant', 'invscaling', 'adaptive'}
    power_t : float
    solver : str

    Returns
    -------
    schedule : LRSchedule
        Validated.

    Raises
    ------
    ValueError
        When ``learning_rate`` is not 'constant' and ``lr_schedule`` is not
        'fixed': two rules for one rate.
    """
    schedule = get_schedule(lr_schedule)
    if learning_rate == "constant":
        return schedule
    if not isinstance(schedule, FixedSchedule):
        raise ValueError(
            f"learning_rate={learning_rate!r} and lr_schedule={lr_schedule!r} are two "
            "rules for the same learning rate; set learning_rate='constant' to use "
            "lr_schedule, or lr_schedule='fixed' to use scikit-learn's "
            f"learning_rate={learning_rate!r}.")
    if solver != "sgd":
        return schedule  # scikit-learn: learning_rate is only used by 'sgd'
    if learning_rate == "invscaling":
        return InvScalingSchedule(power_t).validate()
    if learning_rate == "adaptive":
        return AdaptiveSchedule().validate()
    raise ValueError(f"learning_rate must be one of ['adaptive', 'constant', "
                     f"'invscaling']; got learning_rate={learning_rate!r}")


def schedule_step(unit, state, continuing):
    """The step an epoch-level schedule is at (``unit`` other than 'iteration').

    ``state`` is the loop's TrainingState; ``continuing`` is False for the
    first epoch of a new optimizer, which scikit-learn's ``invscaling`` runs at
    ``learning_rate_init``.
    """
    if unit == "sample":
        return state.t if continuing else 0
    if unit == "plateau":
        return state.n_plateaus
    return state.n_epochs
