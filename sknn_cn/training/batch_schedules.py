"""Growing the batch size instead of decaying the learning rate (seed 1.4.4.3).

:class:`BatchSizeSchedule` maps an epoch to a batch size, as a learning-rate
schedule maps a step to a rate; it never decides when training stops.
"""

import numpy as np
from sklearn.base import BaseEstimator

from ._checks import check_milestones, check_positive_int, is_int, is_real
from .schedules import MultiStepSchedule

__all__ = ["BatchSizeSchedule"]


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
    >>> from sknn_cn import BatchSizeSchedule
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
        check_milestones(owner, self.milestones, " (epochs)")
        if not (is_real(self.factor) and self.factor >= 1):
            raise ValueError(
                f"{owner}: factor must be a real number >= 1; got factor={self.factor!r}"
            )
        if self.max_batch_size is not None:
            check_positive_int(owner, "max_batch_size", self.max_batch_size)
        return self

    def _check_call(self, base_batch_size, n_samples):
        owner = type(self).__name__
        self.validate()
        check_positive_int(owner, "base_batch_size", base_batch_size)
        if n_samples is not None:
            check_positive_int(owner, "n_samples", n_samples)
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
        if not (is_int(epoch) and epoch >= 0):
            raise ValueError(f"{type(self).__name__}: epoch must be an integer >= 0; "
                             f"got epoch={epoch!r}")
        return int(self.values(base_batch_size, np.array([epoch]), n_samples)[0])

    def n_updates(self, base_batch_size, n_epochs, n_samples):
        """Mini-batch updates in the first ``n_epochs`` epochs on ``n_samples`` samples.

        ``sum over e < n_epochs of ceil(n_samples / B(e))``: what ``fit`` makes
        when it runs ``n_epochs`` epochs without stopping early.
        """
        if not (is_int(n_epochs) and n_epochs >= 0):
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
