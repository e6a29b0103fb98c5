"""Two-sided differences, element by element, reusing only what cannot change (seed 1.4.3 step 6).

``(J(theta + h e_k) - J(theta - h e_k)) / (2 h)`` for every checked element of
``theta``, in float64.  This fast path is tested equal to the plain definition
(tests/test_gradcheck.py); see :mod:`sknn_cn.gradcheck` for how it is fast.
"""

import numpy as np

from ..network import ACTIVATIONS, output_and_loss
from .result import parameter_layout

__all__ = ["numerical_gradient"]

#: Bytes of scratch memory per chunk of stacked perturbations.
_CHUNK_BYTES = 48 * 2**20


def _per_sample_loss(Z_out, Y, out_activation):
    """Cross-entropy of each row of output pre-activations (the estimator's loss)."""
    _, per_sample = output_and_loss(Z_out, Y, out_activation)
    return per_sample


def _tail(params, layer, Z, activations, masks, samples):
    """Output pre-activations from rows of layer ``layer``'s pre-activations.

    ``samples`` are the rows' sample indices, where ``masks`` (frozen dropout,
    one per hidden layer or None) apply.
    """
    for upper in range(layer, len(params) - 1):
        A = ACTIVATIONS[activations[upper]](Z)  # in place
        if masks[upper] is not None:
            A *= masks[upper][samples]  # the frozen dropout mask
        W, b = params[upper + 1]
        # Z = A W + b, computed as (W^T A^T)^T: for a tall, narrow A this
        # orientation is several times faster in OpenBLAS (same arithmetic).
        Z = (W.T @ A.T).T
        Z += b
    return Z


def numerical_gradient(params, X, Y, weights, activations, out_activation, alpha,
                        epsilon, checked, masks=None):
    """Two-sided differences for the checked elements; NaN elsewhere.

    ``masks`` (one per hidden layer, an array of shape (n_samples, width) or
    None) are frozen dropout masks: each hidden output is multiplied by its
    mask, as :class:`sknn_cn.network.Dropout` does in training.

    Each difference is ``J(theta + h e_k) - J(theta - h e_k)`` with
    ``J = sum_s w_s L_s / S``.  A sample whose input to the perturbed weight is
    exactly 0 (``A_{l-1}[s, i] == 0``, e.g. a blank MNIST pixel) has the same
    forward pass, hence the same ``L_s``, on both sides: its term cancels
    exactly and is not computed.  The rest are evaluated as pairs
    (perturbation, sample), rows of one stacked forward pass per chunk.
    """
    n = X.shape[0]
    masks = [None] * (len(params) - 1) if masks is None else list(masks)
    total_weight = n if weights is None else float(weights.sum())
    sample_weight = np.ones(n) if weights is None else weights
    # One plain forward pass; Zs[l] / As[l] are the pre-activation of layer l
    # and the input of layer l (As[0] = X).  Nothing here is modified later.
    As = [X]
    Zs = []
    for layer, (W, b) in enumerate(params):
        Z = As[-1] @ W + b
        Zs.append(Z)
        if layer < len(params) - 1:
            As.append(ACTIVATIONS[activations[layer]](Z.copy()))
            if masks[layer] is not None:
                As[-1] *= masks[layer]  # the input of the next layer: dropped
    n_layers = len(params)
    widest = max(W.shape[1] for W, _ in params)
    rows_per_chunk = max(1, _CHUNK_BYTES // (2 * 8 * 4 * widest))

    numerical = np.full(checked.shape, np.nan)
    starts = {(layer, is_bias): start for _, layer, is_bias, _, start in parameter_layout(params)}
    for layer, (W, b) in enumerate(params):
        n_in, n_out = W.shape
        last = layer == n_layers - 1
        A_in = As[layer]
        for is_bias, size in ((False, W.size), (True, b.size)):
            offset = starts[(layer, is_bias)]
            flat = np.flatnonzero(checked[offset:offset + size])
            if is_bias:
                rows, cols = None, flat
                counts = np.full(flat.size, n)
            else:
                rows, cols = np.divmod(flat, n_out)
                nonzero_per_input = np.count_nonzero(A_in, axis=0)
                counts = nonzero_per_input[rows]
            g = np.zeros(flat.size)
            # chunks of perturbations holding about rows_per_chunk pairs
            bounds = np.searchsorted(np.cumsum(counts), np.arange(
                rows_per_chunk, counts.sum() + rows_per_chunk, rows_per_chunk))
            start = 0
            for stop in np.unique(np.minimum(bounds + 1, flat.size)):
                if stop <= start:
                    continue
                part = slice(start, stop)
                if is_bias:
                    pert, sample = np.divmod(np.arange((stop - start) * n), n)
                    shift = np.full(pert.size, epsilon)  # Z[s, j] += h * 1
                else:
                    inputs = A_in[:, rows[part]].T  # (P, n): A_{l-1}[s, i_p]
                    pert, sample = np.nonzero(inputs)
                    shift = epsilon * inputs[pert, sample]  # Z[s, j] += h A_{l-1}[s, i]
                col = cols[part][pert]
                base = Zs[layer][sample, col]
                # rows 0..m-1: theta + h e_k; rows m..2m-1: theta - h e_k
                m = pert.size
                both_samples = np.concatenate([sample, sample])
                both_cols = np.concatenate([col, col])
                Z_col = np.concatenate([base + shift, base - shift])
                if last:
                    Z_out = Zs[layer][both_samples]
                    Z_out[np.arange(2 * m), both_cols] = Z_col
                else:
                    A_col = ACTIVATIONS[activations[layer]](Z_col)  # in place
                    if masks[layer] is not None:
                        A_col *= masks[layer][both_samples, both_cols]
                    A_col -= As[layer + 1][both_samples, both_cols]  # change of A_l[s, j]
                    W_next, _ = params[layer + 1]
                    # rank-one update of the next layer's pre-activation
                    Z_next = Zs[layer + 1][both_samples]
                    Z_next += A_col[:, None] * W_next[both_cols]
                    Z_out = _tail(params, layer + 1, Z_next, activations, masks,
                                  both_samples)
                L = _per_sample_loss(Z_out, Y[both_samples], out_activation)
                change = (L[:m] - L[m:]) * sample_weight[sample]
                g[part] = np.bincount(pert, weights=change, minlength=stop - start)
                start = stop
            g /= total_weight * 2 * epsilon
            if alpha and not is_bias:
                w = W[rows, cols]
                # the one changed summand of alpha / (2 S) sum ||W||^2
                g += (alpha / (2 * total_weight)) * ((w + epsilon) ** 2
                                                     - (w - epsilon) ** 2) / (2 * epsilon)
            numerical[offset + flat] = g
    return numerical
