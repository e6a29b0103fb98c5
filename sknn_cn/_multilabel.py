"""Multilabel indicator targets: one logistic output unit per label.

``y`` of shape ``(n_samples, n_labels)`` with 0/1 entries (what
``sklearn.utils.multiclass.type_of_target`` calls 'multilabel-indicator') is
fitted by :class:`~sknn_cn.BinaryMLPClassifier` with ``n_labels`` logistic
units, as ``MLPClassifier`` does.  The training loop keys a sample by a
1-d "class index" (stopping search, validation accuracy); for a multilabel
sample that key is its whole row of labels, packed into one opaque (numpy
void) value, so equality of keys is equality of label rows: the validation
score is then the subset accuracy, as ``sklearn.metrics.accuracy_score``.
"""

import numpy as np
from sklearn.utils.multiclass import type_of_target

__all__ = ["is_multilabel", "row_keys", "is_row_keys", "indicator_from_keys"]


def is_multilabel(y):
    """Is ``y`` a multilabel indicator matrix (False for anything unreadable)?"""
    try:
        return type_of_target(y) == "multilabel-indicator"
    except (ValueError, TypeError):
        return False


def row_keys(indicator):
    """One opaque key per row of a 0/1 matrix: equal keys <=> equal rows."""
    packed = np.ascontiguousarray(np.packbits(np.asarray(indicator) > 0, axis=1))
    return packed.view(np.dtype((np.void, packed.shape[1])))[:, 0]


def is_row_keys(index):
    """Are these keys of :func:`row_keys` (not integer class indices)?"""
    return index.dtype.kind == "V"


def indicator_from_keys(keys, n_labels, dtype):
    """The 0/1 matrix back from :func:`row_keys`."""
    packed = keys.view(np.uint8).reshape(keys.shape[0], -1)
    return np.unpackbits(packed, axis=1, count=n_labels).astype(dtype)
