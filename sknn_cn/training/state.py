"""The training state beyond the fitted weights, as a plain documented dict.

``partial_fit`` continues from three things besides the public fitted
attributes: the update count (the step a schedule is at), the generator that
shuffles the samples, and the optimizer's state (velocities or moments).
:func:`training_state` writes them as a dict of plain values and copies;
:func:`check_training_state` reads such a dict back, checking every field.
"""

import copy
import numbers

import numpy as np

from .optimizers import AdamOptimizer, SGDOptimizer

__all__ = ["OPTIMIZERS", "training_state", "check_training_state"]

#: The optimizer classes a training state may name.
OPTIMIZERS = {"AdamOptimizer": AdamOptimizer, "SGDOptimizer": SGDOptimizer}


def training_state(n_updates, rng, optimizer):
    """``{'n_updates': int, 'generator': dict, 'optimizer': {'class', 'state'}}``.

    ``generator`` is ``rng.bit_generator.state`` (a copy); ``optimizer`` names
    the optimizer class and holds its ``state_dict()``.
    """
    return {"n_updates": int(n_updates),
            "generator": copy.deepcopy(rng.bit_generator.state),
            "optimizer": {"class": type(optimizer).__name__,
                          "state": optimizer.state_dict()}}


def check_training_state(state, coefs, intercepts, optimizers=None):
    """Check a dict from :func:`training_state` against the fitted weights.

    Parameters
    ----------
    state : dict
    coefs, intercepts : list of ndarray
        The weights the optimizer's arrays must match (one flat vector).
    optimizers : dict, default=None
        Class name -> optimizer class allowed; default :data:`OPTIMIZERS`.

    Returns
    -------
    n_updates : int
    rng : numpy.random.Generator
    optimizer : optimizer instance with the state loaded

    Raises
    ------
    ValueError
        Naming the field that is missing or wrong.
    """
    optimizers = OPTIMIZERS if optimizers is None else optimizers
    if not (isinstance(state, dict) and set(state) == {"n_updates", "generator",
                                                        "optimizer"}):
        raise ValueError("state must be a dict with keys 'n_updates', 'generator' "
                         f"and 'optimizer'; got {state!r:.200}")
    n_updates = state["n_updates"]
    if not (isinstance(n_updates, numbers.Integral) and not isinstance(n_updates, bool)
            and n_updates >= 0):
        raise ValueError(f"n_updates must be an integer >= 0; got {n_updates!r}")
    generator = state["generator"]
    name = generator.get("bit_generator") if isinstance(generator, dict) else None
    if name != "PCG64":
        raise ValueError("generator must be the state dict of a PCG64 bit "
                         f"generator; got {generator!r:.200}")
    bit_generator = np.random.PCG64()
    try:
        bit_generator.state = generator
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"generator state is invalid: {exc}") from None
    entry = state["optimizer"]
    if not (isinstance(entry, dict) and set(entry) == {"class", "state"}
            and entry["class"] in optimizers):
        raise ValueError(f"optimizer must be {{'class': one of {sorted(optimizers)}, "
                         f"'state': dict}}; got {entry!r:.200}")
    n_params = sum(W.size + b.size for W, b in zip(coefs, intercepts))
    optimizer = optimizers[entry["class"]]([np.zeros(n_params, coefs[0].dtype)])
    optimizer.load_state_dict(entry["state"])   # OptimizerStateError is a ValueError
    return int(n_updates), np.random.Generator(bit_generator), optimizer
