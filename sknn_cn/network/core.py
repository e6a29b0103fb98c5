"""The network core: forward and backward passes in plain NumPy.

Nothing here knows about scikit-learn.  A network is

* ``params``: a list of ``(W, b)`` pairs, one per layer, ``W`` of shape
  ``(n_in, n_out)`` and ``b`` of shape ``(n_out,)``;
* ``activations``: one hidden activation name per hidden layer
  (``len(params) - 1`` names);
* ``out_activation``: ``'logistic'`` (one output unit, binary cross-entropy)
  or ``'softmax'`` (K units, cross-entropy).

Rows are samples and columns are features, as in the seed.  The seed's
equations for the three-layer net (1.4.2) are written for any depth; the
equation numbers in the comments are the seed's.

For speed, :func:`forward` and :func:`backward` can write into preallocated
buffers (a :class:`Workspace`); without one they allocate, so they can be
called as plain functions.
"""

import numpy as np

from .activations import ACTIVATIONS, DERIVATIVES
from .losses import output_and_loss, output_and_total_loss

__all__ = [
    "Workspace",
    "forward",
    "backward",
    "loss_and_gradients",
    "l2_penalty",
    "init_params",
    "INITIALIZERS",
]


# --------------------------------------------------------------------------
# weight initialisation
# --------------------------------------------------------------------------
def _glorot_uniform(fan_in, fan_out, rng):
    # Xavier/Glorot (2010): U(-r, r), r = sqrt(6 / (fan_in + fan_out)),
    # the seed's source's default ("Xavier").
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def _glorot_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


def _he_uniform(fan_in, fan_out, rng):
    bound = np.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def _he_normal(fan_in, fan_out, rng):
    # He et al. (2015), "MSRA" in the seed's source.
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def _normal(fan_in, fan_out, rng):
    # Standard normal, as the seed's source's "Normal" method.
    return rng.normal(0.0, 1.0, size=(fan_in, fan_out))


INITIALIZERS = {
    "glorot_uniform": _glorot_uniform,
    "glorot_normal": _glorot_normal,
    "he_uniform": _he_uniform,
    "he_normal": _he_normal,
    "normal": _normal,
}
INIT_ALIASES = {"xavier": "glorot_uniform", "msra": "he_normal"}


def init_params(layer_sizes, init, rng, dtype=np.float64):
    """Draw initial weights; biases start at zero.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_features, n_hidden_1, ..., n_outputs]``.
    init : str
        A key of :data:`INITIALIZERS` (or 'xavier', 'msra').
    rng : numpy.random.Generator
    dtype : numpy dtype

    Returns
    -------
    params : list of (W, b)
    """
    draw = INITIALIZERS[INIT_ALIASES.get(init, init)]
    params = []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        W = np.ascontiguousarray(draw(fan_in, fan_out, rng), dtype=dtype)
        b = np.zeros(fan_out, dtype=dtype)
        params.append((W, b))
    return params


# --------------------------------------------------------------------------
# the flat parameter vector
# --------------------------------------------------------------------------
def pack_params(params, dtype=None):
    """Copy ``params`` into one flat vector and return it with views into it.

    The layout is ``theta = [W1, W2, ..., WL, b1, b2, ..., bL]`` (each array
    raveled in C order): the seed's step 2 of gradient checking (1.4.3.2),
    "put every W and B into one vector theta".  All weights come first so the
    L2 penalty and its gradient are one operation on ``theta[:n_weights]``,
    and an optimizer updates every parameter with a few calls on ``theta``.

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
    """Preallocated arrays for one batch size, reused across mini-batches.

    ``A[l]`` holds the output of layer ``l`` (``A[-1]`` the probabilities),
    ``dZ[l]`` the gradient with respect to layer ``l``'s pre-activation, and
    ``grads`` the ``(dW, db)`` pairs.  Row slices ``[:m]`` of these buffers are
    contiguous, so a shorter last batch uses the first ``m`` rows.
    """

    def __init__(self, params, batch_size):
        dtype = params[0][0].dtype
        widths = [W.shape[1] for W, _ in params]
        self.batch_size = batch_size
        self.A = [np.empty((batch_size, w), dtype=dtype) for w in widths]
        self.Z_out = np.empty((batch_size, widths[-1]), dtype=dtype)
        self.dZ = [np.empty((batch_size, w), dtype=dtype) for w in widths]
        # gradients in the layout of pack_params: self.grad is the flat vector
        self.grad, self.grads = pack_params(params)
        self.X = np.empty((batch_size, params[0][0].shape[0]), dtype=dtype)
        self.ones = np.ones(batch_size, dtype=dtype)
        self.Y = np.empty((batch_size, widths[-1]), dtype=dtype)

    def matches(self, params, batch_size):
        return (
            self.batch_size >= batch_size
            and len(self.grads) == len(params)
            and all(g.shape == W.shape and g.dtype == W.dtype
                    for (g, _), (W, _) in zip(self.grads, params))
        )


# --------------------------------------------------------------------------
# forward / backward
# --------------------------------------------------------------------------
def forward(params, X, activations, out_activation, Y=None, workspace=None,
            sample_weight=None, reduce=False):
    """Forward pass (seed 1.4.2 eqs. 1-6, for any number of layers).

    Parameters
    ----------
    params : list of (W, b)
    X : ndarray of shape (n_samples, n_features)
    activations : sequence of str
        One hidden activation per hidden layer.
    out_activation : {'logistic', 'softmax'}
    Y : ndarray of shape (n_samples, n_outputs), optional
        One-hot targets; when given, the losses are returned too.
    workspace : Workspace, optional
        Buffers to write into (their first ``n_samples`` rows are used).
    sample_weight : ndarray of shape (n_samples,), optional
        Only with ``reduce=True``.
    reduce : bool, default=False
        Return ``sum_i s_i loss_i`` (a float) instead of the per-sample losses.

    Returns
    -------
    acts : list of ndarray
        ``[X, A1, ..., A_L]``; ``A_L`` are the output probabilities.
    loss : ndarray of shape (n_samples,), float or None
        Per-sample losses, or their (weighted) sum with ``reduce=True``.
    """
    m = X.shape[0]
    acts = [X]
    A = X
    last = len(params) - 1
    for layer, (W, b) in enumerate(params):
        if workspace is None:
            Z = A @ W  # Z = A_prev . W  (eqs. 1, 3, 5)
        else:
            target = workspace.Z_out if layer == last else workspace.A[layer]
            Z = np.matmul(A, W, out=target[:m])
        Z += b  # ... + B
        if layer < last:
            A = ACTIVATIONS[activations[layer]](Z)  # A = f(Z)  (eqs. 2, 4)
        else:  # A_L = Logistic(Z) or Softmax(Z)  (eq. 6)
            out = None if workspace is None else workspace.A[layer][:m]
            if reduce and Y is not None:
                A, loss = output_and_total_loss(Z, Y, out_activation, out, sample_weight)
            else:
                A, loss = output_and_loss(Z, Y, out_activation, out=out)
        acts.append(A)
    return acts, loss


def backward(params, acts, Y, activations, sample_weight=None, alpha=0.0,
             workspace=None):
    """Backward pass (seed 1.4.2 eqs. 7-17, for any number of layers).

    The loss being differentiated is

        J = sum_i s_i loss_i / S  +  alpha / (2 S) * sum_l ||W_l||^2,

    with ``s_i`` the sample weights (1 when omitted) and ``S = sum_i s_i``
    (the batch size when unweighted), the same objective as scikit-learn's
    ``MLPClassifier``.

    Parameters
    ----------
    params : list of (W, b)
    acts : list of ndarray
        The activations returned by :func:`forward`.
    Y : ndarray of shape (n_samples, n_outputs)
        One-hot targets (a 0/1 column for the logistic output).
    activations : sequence of str
    sample_weight : ndarray of shape (n_samples,), optional
    alpha : float
        L2 penalty.
    workspace : Workspace, optional

    Returns
    -------
    grads : list of (dW, db)
        Same layout as ``params``.
    """
    m = Y.shape[0]
    n_layers = len(params)
    if sample_weight is None:
        total_weight = m
        row_scale = None
    else:
        total_weight = sample_weight.sum()
        row_scale = (sample_weight / total_weight)[:, None]

    # dZ_L = A_L - Y: the fused gradient of logistic + binary cross-entropy and
    # of softmax + cross-entropy (eq. 7), averaged over the batch.
    if workspace is None:
        dZ = acts[-1] - Y
        grads = [None] * n_layers
    else:
        dZ = np.subtract(acts[-1], Y, out=workspace.dZ[-1][:m])
        grads = workspace.grads
    if row_scale is None:
        dZ *= 1.0 / total_weight
    else:
        dZ *= row_scale

    for layer in range(n_layers - 1, -1, -1):
        W, b = params[layer]
        A_prev = acts[layer]
        if workspace is None:
            dW = A_prev.T @ dZ  # dW = A_prev^T . dZ  (eqs. 8, 12, 16)
            db = dZ.sum(axis=0)  # dB = sum over the batch of dZ  (eqs. 9, 13, 17)
        else:
            dW, db = grads[layer]
            np.matmul(A_prev.T, dZ, out=dW)
            np.dot(workspace.ones[:m], dZ, out=db)  # the column sums, as one BLAS call
        if alpha:
            dW += (alpha / total_weight) * W  # gradient of the L2 penalty
        grads[layer] = (dW, db)
        if layer > 0:
            if workspace is None:
                dA = dZ @ W.T  # dA_prev = dZ . W^T  (eqs. 10, 14)
            else:
                dA = np.matmul(dZ, W.T, out=workspace.dZ[layer - 1][:m])
            # dZ_prev = dA_prev * f'(Z_prev), written from A_prev (eqs. 11, 15)
            dZ = DERIVATIVES[activations[layer - 1]](A_prev, dA)
    return grads


def l2_penalty(params, alpha, total_weight):
    """The L2 term ``alpha / (2 S) * sum_l ||W_l||^2`` of the objective."""
    if not alpha:
        return 0.0
    squares = sum(float(np.vdot(W, W)) for W, _ in params)
    return 0.5 * alpha * squares / total_weight


def loss_and_gradients(params, X, Y, activations, out_activation, alpha=0.0,
                       sample_weight=None):
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

    Returns
    -------
    loss : float
        ``sum_i s_i loss_i / S + alpha / (2 S) sum_l ||W_l||^2``.
    grads : list of (dW, db)
    """
    acts, loss_sum = forward(params, X, activations, out_activation, Y=Y,
                             sample_weight=sample_weight, reduce=True)
    total_weight = X.shape[0] if sample_weight is None else sample_weight.sum()
    loss = loss_sum / total_weight + l2_penalty(params, alpha, total_weight)
    grads = backward(params, acts, Y, activations, sample_weight=sample_weight,
                     alpha=alpha)
    return loss, grads


def logits(params, X, activations, return_hidden=False):
    """Forward pass up to the output layer's logits (for prediction).

    Parameters
    ----------
    params : list of (W, b)
    X : ndarray of shape (n_samples, n_features)
    activations : sequence of str
    return_hidden : bool, default=False
        Also return the hidden layers' outputs.

    Returns
    -------
    Z : ndarray of shape (n_samples, n_outputs)
        The logits ``Z_L = A_{L-1} W_L + B_L``.
    hidden : list of ndarray
        Only with ``return_hidden=True``: ``[A1, ..., A_{L-1}]``, returned first.
    """
    A = X
    hidden = []
    for (W, b), name in zip(params[:-1], activations):
        A = ACTIVATIONS[name](A @ W + b)  # A_l = f(A_{l-1} W_l + B_l)
        hidden.append(A)
    W, b = params[-1]
    Z = A @ W + b
    if return_hidden:
        return hidden, Z
    return Z
