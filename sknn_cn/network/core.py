"""Forward and backward passes in plain NumPy (seed 1.4.2, for any depth).

Nothing here knows about scikit-learn.  A network is

* ``params``: a list of ``(W, b)`` pairs, one per layer, ``W`` of shape
  ``(n_in, n_out)`` and ``b`` of shape ``(n_out,)``;
* ``activations``: one hidden activation name per hidden layer
  (``len(params) - 1`` names);
* ``out_activation``: ``'logistic'`` (one output unit, binary cross-entropy)
  or ``'softmax'`` (K units, cross-entropy).

Rows are samples and columns are features, as in the seed.  Each of the
seed's equations 1-17 is one line below, with its number in a comment; layer
``l`` stands for the seed's 1, 2, 3.

The objective is the one scikit-learn's ``MLPClassifier`` minimises::

    J = sum_i s_i loss_i / S  +  alpha / (2 S) * sum_l ||W_l||^2

with ``s_i`` the sample weights (1 when omitted) and ``S = sum_i s_i``.
:func:`forward` and :func:`backward` handle the first (data) term; the L2
term and its gradient have one home, :func:`l2_term`.

**One path, buffers optional.**  The training loop passes a :class:`Workspace`
so that no array is allocated per mini-batch.  Its buffers are only the
``out=`` argument of the same lines (``np.matmul(A, W, out=buffer)``);
without a workspace ``out=None`` and NumPy allocates.
"""

import numpy as np
import scipy.sparse as sp

from ..training.optimizers import axpy
from .activations import ACTIVATIONS, DERIVATIVES
from .losses import output_and_loss, output_and_total_loss

__all__ = [
    "forward",
    "backward",
    "logits",
    "l2_term",
    "loss_and_gradients",
    "pack_params",
    "n_weights",
    "Workspace",
]


# --------------------------------------------------------------------------
# the flat parameter vector
# --------------------------------------------------------------------------
def pack_params(params, dtype=None):
    """Copy ``params`` into one flat vector and return it with views into it.

    The layout is ``theta = [W1, W2, ..., WL, b1, b2, ..., bL]`` (each array
    raveled in C order): the seed's step 2 of gradient checking (1.4.3.2),
    "put every W and B into one vector theta".  All weights come first so the
    L2 term is one operation on ``theta[:n_weights]`` (:func:`l2_term`), and
    an optimizer updates every parameter with a few calls on ``theta``.

    Parameters
    ----------
    params : list of (W, b)
    dtype : numpy dtype, optional
        Defaults to the dtype of the first W.

    Returns
    -------
    theta : ndarray of shape (n_parameters,)
    views : list of (W, b)
        Arrays of the original shapes that share memory with ``theta``.
    """
    dtype = params[0][0].dtype if dtype is None else dtype
    arrays = [W for W, _ in params] + [b for _, b in params]
    theta = np.empty(sum(a.size for a in arrays), dtype=dtype)
    views = []
    offset = 0
    for a in arrays:
        view = theta[offset:offset + a.size].reshape(a.shape)
        view[...] = a
        views.append(view)
        offset += a.size
    n_layers = len(params)
    return theta, list(zip(views[:n_layers], views[n_layers:]))


def n_weights(params):
    """Number of entries of all W: ``theta[:n_weights]`` are the weights."""
    return sum(W.size for W, _ in params)


# --------------------------------------------------------------------------
# buffers
# --------------------------------------------------------------------------
class Workspace:
    """Preallocated arrays for mini-batches of up to ``batch_size`` rows.

    Passed to :func:`forward` and :func:`backward`, a workspace supplies the
    ``out=`` arrays of their lines; a batch of ``m`` rows uses the first ``m``
    rows of each buffer (row slices are contiguous).

    Attributes
    ----------
    Z : list of ndarray
        ``Z[l]`` receives layer ``l``'s pre-activation; a hidden activation is
        applied in place, so afterwards it holds ``A_l``.  ``Z[-1]`` keeps
        the logits.
    A_L : ndarray
        The output probabilities ``A_L``.
    dZ : list of ndarray
        ``dZ[l]`` receives ``dA_l``, turned in place into ``dZ_l``.
    grad, grads : ndarray and list of (dW, db)
        The gradient, flat in the layout of :func:`pack_params`, and its
        ``(dW, db)`` views.
    ones : ndarray
        A vector of ones: the bias gradient ``1^T dZ`` is one BLAS call.
    X, Y : ndarray
        Where the training loop gathers a shuffled mini-batch; ``X`` is None
        with ``sparse_X=True`` (a sparse batch is sliced, not gathered densely).
    """

    def __init__(self, params, batch_size, sparse_X=False):
        dtype = params[0][0].dtype
        widths = [W.shape[1] for W, _ in params]
        self.batch_size = batch_size
        self.Z = [np.empty((batch_size, w), dtype=dtype) for w in widths]
        self.A_L = np.empty((batch_size, widths[-1]), dtype=dtype)
        self.dZ = [np.empty((batch_size, w), dtype=dtype) for w in widths]
        self.grad, self.grads = pack_params(params)
        self.ones = np.ones(batch_size, dtype=dtype)
        self.X = (None if sparse_X else
                  np.empty((batch_size, params[0][0].shape[0]), dtype=dtype))
        self.Y = np.empty((batch_size, widths[-1]), dtype=dtype)
        self._rows = {}

    def rows(self, m):
        """Every buffer cut to its first ``m`` rows, as a :class:`BatchBuffers`.

        Made once per batch size and kept: an epoch uses one or two sizes.
        """
        views = self._rows.get(m)
        if views is None:
            views = self._rows[m] = BatchBuffers(self, m)
        return views


class BatchBuffers:
    """The first ``m`` rows of a :class:`Workspace`'s buffers (same attribute names)."""

    def __init__(self, workspace, m):
        self.Z = [Z[:m] for Z in workspace.Z]
        self.A_L = workspace.A_L[:m]
        self.dZ = [dZ[:m] for dZ in workspace.dZ]
        self.ones = workspace.ones[:m]
        self.X = None if workspace.X is None else workspace.X[:m]
        self.Y = workspace.Y[:m]


# --------------------------------------------------------------------------
# forward
# --------------------------------------------------------------------------
def _sparse_product(S, D, out=None):
    """``S @ D`` for a scipy sparse ``S`` and a dense ``D``, written into ``out``
    when given: the first layer's product and weight gradient on sparse X
    (scipy has no ``out=``, so the result is copied into the buffer)."""
    product = np.asarray(S @ D)
    if out is None:
        return product
    out[...] = product
    return out


def logits(params, X, activations, return_hidden=False, workspace=None, dropout=None):
    """Forward pass up to the output layer's logits (seed 1.4.2 eqs. 1-5).

    Parameters
    ----------
    params : list of (W, b)
    X : ndarray of shape (n_samples, n_features)
    activations : sequence of str
        One hidden activation per hidden layer.
    return_hidden : bool, default=False
        Also return the hidden layers' outputs.
    workspace : Workspace, optional
        Buffers to write into.
    dropout : Dropout, optional
        Training only: the hidden outputs are dropped through its masks
        (:mod:`~sknn_cn.network.dropout`).

    Returns
    -------
    hidden : list of ndarray
        Only with ``return_hidden=True``: ``[A1, ..., A_{L-1}]``, returned first.
    Z : ndarray of shape (n_samples, n_outputs)
        The logits ``Z_L = A_{L-1} W_L + B_L``.
    """
    last = len(params) - 1
    # where each Z goes: a workspace buffer's first m rows, or None (NumPy allocates)
    Z_out = [None] * len(params) if workspace is None else workspace.rows(X.shape[0]).Z
    sparse_X = sp.issparse(X)
    A = X
    hidden = []
    for layer, (W, b) in enumerate(params):
        if layer == 0 and sparse_X:  # scipy's product on sparse X, never densified
            Z = _sparse_product(A, W, Z_out[layer])
        else:
            Z = np.matmul(A, W, out=Z_out[layer])  # Z = A_prev . W  (eqs. 1, 3, 5)
        Z += b  # ... + B
        if layer < last:
            A = ACTIVATIONS[activations[layer]](Z)  # A = f(Z), in place  (eqs. 2, 4)
            if dropout is not None:
                A = dropout.forward(layer, A)  # A~ = A * M, M = 0 or 1/(1-p): dropout
            hidden.append(A)
    if return_hidden:
        return hidden, Z
    return Z


def forward(params, X, activations, out_activation, Y=None, workspace=None,
            sample_weight=None, reduce=False, dropout=None):
    """Forward pass (seed 1.4.2 eqs. 1-6, for any number of layers).

    Parameters
    ----------
    params : list of (W, b)
    X : ndarray of shape (n_samples, n_features)
    activations : sequence of str
        One hidden activation per hidden layer.
    out_activation : {'logistic', 'softmax'}
    Y : ndarray of shape (n_samples, n_outputs), optional
        One-hot targets (a 0/1 column for 'logistic'); when given, the losses
        are returned too.
    workspace : Workspace, optional
        Buffers to write into (their first ``n_samples`` rows are used).
    sample_weight : ndarray of shape (n_samples,), optional
        Only with ``reduce=True``.
    reduce : bool, default=False
        Return ``sum_i s_i loss_i`` (a float) instead of the per-sample losses.
    dropout : Dropout, optional
        Training only: drop hidden outputs through its masks.

    Returns
    -------
    acts : list of ndarray
        ``[X, A1, ..., A_L]``; ``A_L`` are the output probabilities (with
        ``dropout``, the hidden ``A_l`` are the dropped outputs).
    loss : ndarray of shape (n_samples,), float or None
        Per-sample losses, or their (weighted) sum with ``reduce=True``.
    """
    hidden, Z = logits(params, X, activations, return_hidden=True, workspace=workspace,
                       dropout=dropout)
    out = None if workspace is None else workspace.rows(X.shape[0]).A_L
    # A_L = Logistic(Z_L) or Softmax(Z_L), and the loss when Y is given  (eq. 6)
    if reduce and Y is not None:
        A, loss = output_and_total_loss(Z, Y, out_activation, out, sample_weight)
    else:
        A, loss = output_and_loss(Z, Y, out_activation, out=out)
    return [X, *hidden, A], loss


# --------------------------------------------------------------------------
# backward
# --------------------------------------------------------------------------
def backward(params, acts, Y, activations, sample_weight=None, workspace=None,
             dropout=None):
    """Backward pass (seed 1.4.2 eqs. 7-17, for any number of layers).

    The gradient of the data term ``sum_i s_i loss_i / S`` of the objective;
    :func:`l2_term` adds the L2 term's.

    Parameters
    ----------
    params : list of (W, b)
    acts : list of ndarray
        The activations returned by :func:`forward`.
    Y : ndarray of shape (n_samples, n_outputs)
        One-hot targets (a 0/1 column for the logistic output).
    activations : sequence of str
    sample_weight : ndarray of shape (n_samples,), optional
    workspace : Workspace, optional
        Buffers to write into; the gradients are then views of
        ``workspace.grad``.
    dropout : Dropout, optional
        The one :func:`forward` dropped through (same masks).

    Returns
    -------
    grads : list of (dW, db)
        Same layout as ``params``.
    """
    m = Y.shape[0]
    n_layers = len(params)
    # where each dZ, dW and dB goes: workspace buffers, or None (NumPy allocates)
    if workspace is None:
        dZ_out, grads_out = [None] * n_layers, [(None, None)] * n_layers
        ones = np.ones(m, dtype=acts[-1].dtype)
    else:
        rows = workspace.rows(m)
        dZ_out, grads_out, ones = rows.dZ, workspace.grads, rows.ones
    if sample_weight is None:
        total_weight = m
        row_scale = None
    else:
        total_weight = sample_weight.sum()
        row_scale = (sample_weight / total_weight)[:, None]

    # The gradient with respect to the logits is A_L - Y for logistic + binary
    # cross-entropy and for softmax + cross-entropy alike; then each row is
    # weighted by s_i / S (1 / m when unweighted).
    dZ = np.subtract(acts[-1], Y, out=dZ_out[-1])  # dZ_L = A_L - Y  (eq. 7)
    if row_scale is None:
        dZ *= 1.0 / total_weight
    else:
        dZ *= row_scale

    grads = [None] * n_layers
    sparse_X = sp.issparse(acts[0])
    for layer in range(n_layers - 1, -1, -1):
        W, _ = params[layer]
        A_prev = acts[layer]
        dW, db = grads_out[layer]
        if layer == 0 and sparse_X:  # X^T . dZ on the sparse matrix
            dW = _sparse_product(A_prev.T, dZ, dW)
        else:
            dW = np.matmul(A_prev.T, dZ, out=dW)  # dW = A_prev^T . dZ  (eqs. 8, 12, 16)
        db = np.dot(ones, dZ, out=db)  # dB = dZ summed over the batch, 1^T . dZ  (eqs. 9, 13, 17)
        grads[layer] = (dW, db)
        if layer > 0:
            dA = np.matmul(dZ, W.T, out=dZ_out[layer - 1])  # dA_prev = dZ . W^T  (eqs. 10, 14)
            if dropout is not None:  # dA_prev *= M; f' from the undropped A_prev
                A_prev = dropout.backward(layer - 1, dA)
            # dZ_prev = dA_prev * f'(Z_prev), written from A_prev  (eqs. 11, 15)
            dZ = DERIVATIVES[activations[layer - 1]](A_prev, dA)
    return grads


# --------------------------------------------------------------------------
# the L2 term and the whole objective
# --------------------------------------------------------------------------
def l2_term(weights, alpha, total_weight, grad=None):
    """The L2 term of the objective, and its gradient added to ``grad``.

    ``penalty = alpha / (2 S) * ||w||^2`` and ``d penalty / dw = alpha / S * w``,
    with ``w`` every weight (biases carry no penalty) and ``S`` the total
    sample weight: scikit-learn's ``MLPClassifier`` objective.  This is the
    only place that computes either.

    Parameters
    ----------
    weights : ndarray of shape (n_weights,)
        Every weight, flat: ``theta[:n_weights(params)]`` (:func:`pack_params`).
    alpha : float
    total_weight : float
        ``S = sum_i s_i``, the batch size when unweighted.
    grad : ndarray of shape (n_weights,), optional
        The data term's gradient with respect to ``weights``; the penalty's
        gradient is added to it in place.

    Returns
    -------
    penalty : float
    """
    if not alpha:
        return 0.0
    if grad is not None:
        axpy(alpha / total_weight, weights, grad)  # grad += alpha / S * w
    return 0.5 * alpha * float(np.dot(weights, weights)) / total_weight


def loss_and_gradients(params, X, Y, activations, out_activation, alpha=0.0,
                       sample_weight=None, dropout=None):
    """The objective and its gradient with respect to every W and b.

    Parameters
    ----------
    params : list of (W, b)
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        One-hot targets (a 0/1 column for the logistic output).
    activations : sequence of str
    out_activation : {'logistic', 'softmax'}
    alpha : float, default=0.0
    sample_weight : ndarray of shape (n_samples,), optional
    dropout : Dropout, optional
        Masks to drop through; frozen ones (``Dropout.frozen``) make the loss
        a deterministic function of the parameters.

    Returns
    -------
    loss : float
        ``sum_i s_i loss_i / S + alpha / (2 S) sum_l ||W_l||^2``.
    grads : list of (dW, db)
    """
    acts, loss_sum = forward(params, X, activations, out_activation, Y=Y,
                             sample_weight=sample_weight, reduce=True, dropout=dropout)
    grads = backward(params, acts, Y, activations, sample_weight=sample_weight,
                     dropout=dropout)
    total_weight = X.shape[0] if sample_weight is None else float(sample_weight.sum())
    # the L2 term acts on the weights: the first n_weights entries of theta
    theta, _ = pack_params(params)
    grad, grads = pack_params(grads)
    weights = slice(0, n_weights(params))
    loss = loss_sum / total_weight + l2_term(theta[weights], alpha, total_weight,
                                             grad=grad[weights])
    return loss, grads
