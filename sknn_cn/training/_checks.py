"""Small argument checks shared by the schedules; each error names argument and value."""

import math
import numbers

import numpy as np

__all__ = ["is_real", "is_int", "check_gamma_unit_interval", "check_positive_real",
           "check_positive_int", "check_milestones"]


def is_real(value):
    """True for finite real numbers (bools excluded)."""
    if type(value) is float or type(value) is int:  # fast path, called per update
        return math.isfinite(value)
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def is_int(value):
    """True for integers (Python or NumPy), bools excluded."""
    if type(value) is int:  # fast path, called per update
        return True
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_gamma_unit_interval(owner, gamma):
    """A decay factor: 0 < gamma <= 1 (gamma = 1 means no decay)."""
    if not (is_real(gamma) and 0 < gamma <= 1):
        raise ValueError(
            f"{owner}: gamma must be a real number in (0, 1]; got gamma={gamma!r}"
        )


def check_positive_real(owner, name, value):
    if not (is_real(value) and value > 0):
        raise ValueError(
            f"{owner}: {name} must be a finite real number > 0; got {name}={value!r}"
        )


def check_positive_int(owner, name, value):
    if not (is_int(value) and value > 0):
        raise ValueError(
            f"{owner}: {name} must be an integer >= 1; got {name}={value!r}"
        )


def check_milestones(owner, milestones, what=""):
    """``milestones``: a non-empty sequence of strictly increasing integers >= 1."""
    ok = isinstance(milestones, (list, tuple, np.ndarray)) and len(milestones) >= 1
    previous = 0
    for m in milestones if ok else ():
        if not (is_int(m) and m > previous):
            ok = False
            break
        previous = m
    if not ok:
        raise ValueError(
            f"{owner}: milestones must be a non-empty sequence of strictly "
            f"increasing integers >= 1{what}; got milestones={milestones!r}"
        )
