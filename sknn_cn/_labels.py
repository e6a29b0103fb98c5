"""Checks of class labels and sample weights shared by the metrics, the report
and the sampler (one home; not part of the public API)."""

import numbers

import numpy as np


def check_label_types(y, name):
    """Refuse labels that mix strings with numbers (sorting them would fail).

    scikit-learn raises ``TypeError: '<' not supported between instances of
    'int' and 'str'`` from deep inside ``np.unique`` for such an ``object``
    array; this says which argument holds what.
    """
    values = np.asarray(y, dtype=object).ravel() if np.asarray(y).dtype == object else None
    if values is None:
        return
    is_str = np.array([isinstance(v, str) for v in values], dtype=bool)
    if is_str.any() and not is_str.all():
        examples = [values[np.flatnonzero(is_str)[0]], values[np.flatnonzero(~is_str)[0]]]
        raise ValueError(
            f"Mix of label input types (string and number) in {name}: e.g. "
            f"{examples[0]!r} and {examples[1]!r}. Use labels of one type.")


def check_sample_weight(sample_weight, n_samples, name="sample_weight",
                        against="y_true"):
    """``sample_weight`` as a 1-D float array of finite, non-negative weights.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
        None gives ones.
    n_samples : int
        Required length (the length of ``against``).
    name, against : str
        Argument names for the messages.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
    """
    if sample_weight is None:
        return np.ones(n_samples)
    if isinstance(sample_weight, numbers.Number):
        raise ValueError(
            f"{name} must be an array-like of shape (n_samples,); got "
            f"{name}={sample_weight!r}.")
    try:
        weights = np.asarray(sample_weight, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold numbers; got {name}={sample_weight!r}.") from exc
    if weights.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D of shape (n_samples,); got shape {weights.shape}.")
    if weights.shape[0] != n_samples:
        raise ValueError(
            f"{name} has {weights.shape[0]} entries but {against} has {n_samples} samples.")
    bad = ~np.isfinite(weights) | (weights < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} must be finite and non-negative; got {name}[{i}]={float(weights[i])!r}.")
    if n_samples and weights.sum() <= 0:
        raise ValueError(f"{name} must have a positive sum; got all zeros.")
    return weights
