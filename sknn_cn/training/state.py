"""The training state beyond the fitted weights, as a plain documented dict.

``partial_fit`` continues from these things besides the public fitted
attributes: the update count (the step a schedule is at), the generator that
shuffles the samples, the optimizer's state (velocities or moments), and the
two counters of the no-improvement rule: the epochs in a row without
improvement (sklearn's ``_no_improvement_count``) and the plateaus reached so
far (how many times ``learning_rate='adaptive'`` has divided the rate).
:func:`training_state` writes them as a dict of plain values and copies;
:func:`check_training_state` reads such a dict back, checking every field.
"""

import copy
import numbers

import numpy as np

from .optimizers import AdamOptimizer, SGDOptimizer

__all__ = ["OPTIMIZERS", "KEYS", "training_state", "check_training_state"]

#: The optimizer classes a training state may name.
OPTIMIZERS = {"AdamOptimizer": AdamOptimizer, "SGDOptimizer": SGDOptimizer}


#: The keys of a training state dict.
KEYS = ("n_updates", "generator", "optimizer", "no_improvement", "n_plateaus")


def training_state(n_updates, rng, optimizer, no_improvement=0, n_plateaus=0):
    """``{'n_updates': int, 'generator': dict, 'optimizer': {'class', 'state'},
    'no_improvement': int, 'n_plateaus': int}``.

    ``generator`` is ``rng.bit_generator.state`` (a copy); ``optimizer`` names
    the optimizer class and holds its ``state_dict()``; ``no_improvement`` is
    the no-improvement rule's count of checks in a row without improvement,
    ``n_plateaus`` how many plateaus it has reached (``learning_rate='adaptive'``
    divided the rate by 5 after each).
    """
    return {"n_updates": int(n_updates),
            "generator": copy.deepcopy(rng.bit_generator.state),
            "optimizer": {"class": type(optimizer).__name__,
                          "state": optimizer.state_dict()},
            "no_improvement": int(no_improvement),
            "n_plateaus": int(n_plateaus)}


def _count(state, name):
    value = state[name]
    if not (isinstance(value, numbers.Integral) and not isinstance(value, bool)
            and value >= 0):
        raise ValueError(f"{name} must be an integer >= 0; got {value!r}")
    return int(value)


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
    no_improvement, n_plateaus : int

    Raises
    ------
    ValueError
        Naming the field that is missing or wrong.
    """
    optimizers = OPTIMIZERS if optimizers is None else optimizers
    if not (isinstance(state, dict) and set(state) == set(KEYS)):
        got = set(state) if isinstance(state, dict) else set()
        raise ValueError(f"state must be a dict with keys {list(KEYS)} (missing "
                         f"{sorted(set(KEYS) - got)}, unknown "
                         f"{sorted(map(str, got - set(KEYS)))}); got {state!r:.200}")
    n_updates, no_improvement, n_plateaus = (
        _count(state, name) for name in ("n_updates", "no_improvement", "n_plateaus"))
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
    return (n_updates, np.random.Generator(bit_generator), optimizer, no_improvement,
            n_plateaus)
