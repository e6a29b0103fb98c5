"""All-or-nothing fitting for the estimators of this package: a refused call changes nothing."""

import contextlib

import numpy as np


@contextlib.contextmanager
def all_or_nothing(estimator):
    """Restore ``estimator``'s attributes (and a RandomState it holds) if the body raises.

    A refused ``fit`` or ``fit_resample`` must leave the estimator exactly as
    it was: no new ``classes_`` beside old learners, no feature names of the
    refused data, and a ``random_state`` generator that has not moved.
    """
    saved = dict(estimator.__dict__)
    rng = saved.get("random_state")
    rng_state = rng.get_state() if isinstance(rng, np.random.RandomState) else None
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(saved)
        if rng_state is not None:
            rng.set_state(rng_state)
        raise
