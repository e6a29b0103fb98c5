"""Output layers and their losses (seed 1.1.3 eq. 12, 1.2.1.2, 1.4.2 eq. 6-7).

Two output layers are used:

* ``'logistic'``: one unit, A = 1 / (1 + exp(-Z)), binary cross-entropy
  ``loss = -[y ln a + (1 - y) ln(1 - a)]`` (seed 1.1.3, eq. 12);
* ``'softmax'``: K units, a_j = exp(z_j) / sum_k exp(z_k), cross-entropy
  ``loss = -sum_j y_j ln a_j`` (seed 1.2.1.2).

Both losses are computed from the logits ``Z`` with log-sum-exp, so they never
overflow and never take ``log(0)``:

* binary:  ``loss_i = log(1 + exp(z_i)) - y_i z_i``;
* softmax: ``loss_i = logsumexp(z_i) - sum_j y_ij z_ij``.

Why the output gradient is simply ``A - Y`` (seed 1.4.2 eq. 7): for both pairs
the derivative of the loss with respect to the *logits* simplifies to the
prediction minus the one-hot target, so backward never needs the derivative of
the output activation itself.
"""

import functools

import numpy as np
from scipy.special import expit

__all__ = ["OUTPUTS", "output_and_loss", "output_and_total_loss"]

OUTPUTS = ("logistic", "softmax")


def _logistic_output(Z, Y, out):
    """Write the logistic probabilities of Z into ``out``; return per-sample loss."""
    per_sample = None
    if Y is not None:
        # log(1 + exp(z)) - y * z, computed stably with logaddexp
        if Z.shape[1] == 1:
            per_sample = np.logaddexp(0, Z[:, 0])
            per_sample -= Y[:, 0] * Z[:, 0]
        else:  # multilabel: the sum of the units' binary cross-entropies
            per_sample = (np.logaddexp(0, Z) - Y * Z).sum(axis=1)
    expit(Z, out=out)
    return per_sample


def _shifted_targets(shifted, Y, per_sample):
    """sum_j y_ij (z_ij - shift_i): per sample, or summed over the batch."""
    if per_sample:
        return np.einsum("ij,ij->i", shifted, Y)
    return np.vdot(shifted, Y)  # one call for the whole batch


def _row_sums(E):
    """Row sums as a column, by one BLAS matrix-vector product (numpy's
    ``sum(axis=1)`` is several times slower over K = 10 columns)."""
    return E @ _ones_column(E.shape[1], E.dtype)


@functools.lru_cache(maxsize=None)
def _ones_column(k, dtype):
    ones = np.ones((k, 1), dtype=dtype)
    ones.flags.writeable = False
    return ones


def _softmax_output(Z, Y, out, per_sample=True):
    """Write softmax(Z) into ``out``; return the cross-entropy (per sample or summed)."""
    # Shift the logits before exp so it never overflows.  Subtracting the
    # global maximum is one fast reduction; if some row lies so far below it
    # that its exponentials underflow, shift every row by its own maximum.
    np.subtract(Z, Z.max(), out=out)
    if Y is not None:
        shifted_true = _shifted_targets(out, Y, per_sample)
    np.exp(out, out=out)
    row_sum = _row_sums(out)
    if row_sum.min() < _SAFE_ROW_SUM[out.dtype.type]:
        np.subtract(Z, Z.max(axis=1, keepdims=True), out=out)
        if Y is not None:
            shifted_true = _shifted_targets(out, Y, per_sample)
        np.exp(out, out=out)
        row_sum = _row_sums(out)
    out /= row_sum
    if Y is None:
        return None
    # loss_i = log(sum_j exp(z_ij - shift_i)) - sum_j y_ij (z_ij - shift_i)
    # (sum_j y_ij = 1 for one-hot targets)
    log_row_sum = np.log(row_sum[:, 0])
    if per_sample:
        return log_row_sum - shifted_true
    return float(log_row_sum.sum()) - float(shifted_true)


#: Below this a row sum has lost precision (far above the smallest normal number).
_SAFE_ROW_SUM = {np.float32: 1e-20, np.float64: 1e-200}


def output_and_loss(Z, Y, out_activation, out=None):
    """Apply the output activation to logits ``Z`` and compute the loss.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_outputs)
        Logits of the output layer (``n_outputs`` is 1 for 'logistic').
    Y : ndarray of shape (n_samples, n_outputs) or None
        One-hot targets (0/1 column for 'logistic').  ``None`` skips the loss.
    out_activation : {'logistic', 'softmax'}
    out : ndarray of shape (n_samples, n_outputs), optional
        Where to write the probabilities; may be ``Z`` itself only when the
        loss is not needed.  Allocated when omitted.

    Returns
    -------
    A : ndarray of shape (n_samples, n_outputs)
        Output probabilities.
    per_sample_loss : ndarray of shape (n_samples,) or None
    """
    if out is None:
        out = np.empty_like(Z)
    if out_activation == "logistic":
        return out, _logistic_output(Z, Y, out)
    return out, _softmax_output(Z, Y, out)


def output_and_total_loss(Z, Y, out_activation, out=None, sample_weight=None):
    """Like :func:`output_and_loss`, but return ``sum_i s_i loss_i`` (a float).

    The training loop's version: for unweighted softmax batches the sum is
    computed without a per-sample array.
    """
    if out_activation == "softmax" and sample_weight is None:
        if out is None:
            out = np.empty_like(Z)
        return out, _softmax_output(Z, Y, out, per_sample=False)
    out, per_sample = output_and_loss(Z, Y, out_activation, out=out)
    if sample_weight is None:
        return out, float(per_sample.sum())
    return out, float(per_sample @ sample_weight)
