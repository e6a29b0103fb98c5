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

import numpy as np
from scipy.special import expit

__all__ = ["OUTPUTS", "output_and_loss"]

OUTPUTS = ("logistic", "softmax")


def _logistic_output(Z, Y, out):
    """Write the logistic probabilities of Z into ``out``; return per-sample loss."""
    # log(1 + exp(z)) - y * z, computed stably with logaddexp.
    per_sample = np.logaddexp(0, Z[:, 0]) if Y is not None else None
    if Y is not None:
        per_sample -= Y[:, 0] * Z[:, 0]
    expit(Z, out=out)
    return per_sample


def _softmax_output(Z, Y, out):
    """Write softmax(Z) into ``out``; return the per-sample cross-entropy."""
    np.subtract(Z, Z.max(axis=1, keepdims=True), out=out)  # shift: exp never overflows
    if Y is not None:
        shifted_true = np.einsum("ij,ij->i", out, Y)  # sum_j y_ij (z_ij - max_i)
    np.exp(out, out=out)
    row_sum = out.sum(axis=1, keepdims=True)
    out /= row_sum
    if Y is None:
        return None
    # loss_i = log(sum_j exp(z_ij - max_i)) - sum_j y_ij (z_ij - max_i)
    # (sum_j y_ij = 1 for one-hot targets)
    return np.log(row_sum[:, 0]) - shifted_true


_OUTPUT_FUNCTIONS = {"logistic": _logistic_output, "softmax": _softmax_output}


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
    per_sample = _OUTPUT_FUNCTIONS[out_activation](Z, Y, out)
    return out, per_sample
