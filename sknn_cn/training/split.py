"""The validation split of ``early_stopping``: stratified, from the training generator."""

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import train_test_split

__all__ = ["split_validation"]


def split_validation(X, Y, y_index, sample_weight, validation_fraction, rng,
                     classes=None):
    """Hold out ``validation_fraction`` of the samples, stratified by class.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        Encoded targets.
    y_index : ndarray of shape (n_samples,)
        Class indices (the stratification key).
    sample_weight : ndarray of shape (n_samples,) or None
    validation_fraction : float in (0, 1)
    rng : numpy.random.Generator
        One integer is drawn from it to seed the split.
    classes : ndarray of shape (n_classes,), default=None
        The labels of the class indices: an error names a class by its label
        (by its index when None).

    Returns
    -------
    X_train, X_val, Y_train, Y_val, y_index_train, y_index_val, sw_train, sw_val
        The training parts are C-contiguous; the weights are None when
        ``sample_weight`` is.
    """
    arrays = [X, Y, y_index] + ([] if sample_weight is None else [sample_weight])
    try:
        parts = train_test_split(
            *arrays, test_size=validation_fraction,
            random_state=int(rng.integers(np.iinfo(np.int32).max)),
            # multilabel rows (void keys) are not stratified, as in MLPClassifier
            stratify=None if y_index.dtype.kind == "V" else y_index,
        )
    except ValueError as exc:
        counts = np.bincount(y_index)
        rare = np.flatnonzero((counts > 0) & (counts < 2))
        if rare.size:  # name the classes by their labels
            labels = (rare if classes is None else np.asarray(classes)[rare]).tolist()
            exc = (f"the classes {labels!r} have only 1 sample each; stratifying "
                   "needs at least 2 of every class")
        raise ValueError(
            "early_stopping needs a validation set with at least one sample of "
            f"each class; with validation_fraction={validation_fraction} "
            f"and {X.shape[0]} samples it cannot be made ({exc}). Increase "
            "validation_fraction or provide more data."
        ) from None
    X_train, X_val, Y_train, Y_val, yi_train, yi_val = parts[:6]
    sw_train, sw_val = (parts[6], parts[7]) if sample_weight is not None else (None, None)
    if X_val.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    return (X_train if sp.issparse(X_train) else np.ascontiguousarray(X_train), X_val, np.ascontiguousarray(Y_train),
            Y_val, yi_train, yi_val, sw_train, sw_val)
