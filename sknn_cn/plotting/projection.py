"""The algebra behind :class:`~sknn_cn.plotting.HiddenSpaceDisplay` (seed 1.1.5).

A hidden layer of ``n_units`` units puts every sample at a point ``h`` of
``R^n_units``.  To draw it, :func:`project_hidden` picks coordinates:

* ``'2d'`` / ``'3d'``: the units themselves (a layer of 2 or 3 units);
* ``'output'``: the directions the output layer reads.  Binary: ``u1`` is the
  distance along the output unit's weight vector ``w`` (the boundary
  ``w . h + b = 0`` becomes the vertical line ``u1 = -b / ||w||``), ``u2`` the
  main direction (sklearn's :class:`~sklearn.decomposition.PCA`) of what ``w``
  does not see.  Three classes: an orthonormal basis ``Q`` of the plane spanned
  by ``w_1 - w_0`` and ``w_2 - w_0`` (``D = Q R``), in which the logit
  differences ``z_k - z_0 = (u R)_k + (b_k - b_0)`` are exact, so the drawn
  softmax regions are the network's;
* ``'pca'``: the two main directions of the samples (``PCA(n_components=2)``).

It also carries the output layer's decision in the drawn coordinates: a
``normal`` ``(w, b)`` (binary: class 1 where ``u . w + b > 0``) or a
``logit_map`` ``(W, b)`` (class index ``argmax(u @ W + b)``).
"""

import numpy as np
from sklearn.decomposition import PCA

from .common import grid_limits

__all__ = [
    "PROJECTIONS",
    "HiddenProjection",
    "activation_names",
    "hidden_outputs",
    "binary_normal",
    "check_layer",
    "resolve_projection",
    "project_hidden",
    "input_grid_lines",
    "axis_labels",
    "hidden_space_title",
]

PROJECTIONS = ("auto", "2d", "3d", "output", "pca")


def activation_names(net):
    """One activation name per hidden layer (``activations_``, or sklearn's
    single ``activation`` repeated)."""
    names = getattr(net, "activations_", None)
    if names is None:  # sklearn's MLPClassifier: one name for every hidden layer
        names = [net.activation] * (len(net.coefs_) - 1)
    return list(names)


def hidden_outputs(net, X):
    """Outputs of every hidden layer, as float64 arrays.

    The estimator's public ``hidden_activations`` when it has one (sknn_cn's
    classifiers); otherwise the forward pass from ``coefs_`` / ``intercepts_``
    with sknn_cn's activation table (sklearn's ``MLPClassifier``).

    Returns
    -------
    hidden : list of ndarray, ``hidden[l]`` of shape (n_samples, n_units_l)
    """
    if hasattr(net, "hidden_activations"):
        return [np.asarray(h, dtype=float) for h in net.hidden_activations(X)]
    from ..network import ACTIVATIONS, resolve_activation

    A = np.asarray(X, dtype=float)
    hidden = []
    for W, b, name in zip(net.coefs_[:-1], net.intercepts_[:-1], activation_names(net)):
        A = ACTIVATIONS[resolve_activation(name)](A @ W + b)
        hidden.append(A)
    return hidden


def _output_layer(net):
    return (np.asarray(net.coefs_[-1], dtype=float),
            np.asarray(net.intercepts_[-1], dtype=float))


def binary_normal(net):
    """``(w, b)`` with ``P(classes_[1]) > 0.5`` exactly when ``h . w + b > 0``."""
    W, b = _output_layer(net)
    if W.shape[1] == 1:            # one logistic unit
        return W[:, 0], float(b[0])
    return W[:, 1] - W[:, 0], float(b[1] - b[0])   # two softmax units


def check_layer(layer, n_layers):
    """``layer`` as an index in ``0 .. n_layers - 1`` (negative counts from the end)."""
    if not -n_layers <= layer < n_layers:
        raise ValueError(
            f"layer must index one of the {n_layers} hidden layers "
            f"(0..{n_layers - 1} or negative); got layer={layer!r}.")
    return layer % n_layers


def resolve_projection(projection, n_units, layer, n_layers):
    """Check ``projection`` for a hidden layer and resolve ``'auto'``.

    ``'auto'``: '2d' for 2 units, '3d' for 3, else 'output' for the last hidden
    layer and 'pca' for earlier ones.
    """
    last = layer == n_layers - 1
    if projection not in PROJECTIONS:
        raise ValueError(
            f"projection must be one of {PROJECTIONS}; got projection={projection!r}.")
    if n_units < 2:
        raise ValueError(
            f"Hidden layer {layer} has {n_units} unit; the space transform "
            "needs at least 2 units to draw.")
    if projection == "auto":
        projection = {2: "2d", 3: "3d"}.get(n_units, "output" if last else "pca")
    need = {"2d": 2, "3d": 3}.get(projection)
    if need is not None and n_units != need:
        raise ValueError(
            f"projection={projection!r} needs a layer of {need} units; hidden "
            f"layer {layer} has {n_units}. Use projection='output' or 'pca'.")
    if projection == "output" and not last:
        raise ValueError(
            "projection='output' uses the output layer's weights, so it needs "
            f"the last hidden layer (layer={n_layers - 1}); got layer={layer}.")
    return projection


class HiddenProjection:
    """Hidden space -> drawn coordinates, and the output layer's decision there.

    Attributes
    ----------
    kind : {'2d', '3d', 'output', 'pca'}
    basis : ndarray of shape (n_units, 2) or None
        Drawn coordinates are ``(h - center) @ basis`` (``center`` 0 when None).
    center : ndarray of shape (n_units,) or None
    normal : (ndarray, float) or None
        Binary decision in drawn coordinates: class 1 where ``u . w + b > 0``.
    logit_map : (ndarray, ndarray) or None
        Multi-class decision in drawn coordinates: ``argmax(u @ W + b)``.
    """

    def __init__(self, kind, *, basis=None, center=None, normal=None, logit_map=None):
        self.kind, self.basis, self.center = kind, basis, center
        self.normal, self.logit_map = normal, logit_map

    def __call__(self, H):
        """Drawn coordinates of hidden points ``H`` (n_points, n_units)."""
        H = np.asarray(H, dtype=float)
        if self.basis is None:
            return H
        return (H if self.center is None else H - self.center) @ self.basis


def project_hidden(net, H, projection, *, last):
    """The :class:`HiddenProjection` of hidden points ``H`` for a resolved projection.

    Parameters
    ----------
    net : fitted MLP (``coefs_``, ``intercepts_``, ``classes_``)
    H : ndarray of shape (n_samples, n_units)
        The samples in the hidden layer.
    projection : {'2d', '3d', 'output', 'pca'}
        From :func:`resolve_projection`.  'output' for more than 3 classes
        falls back to 'pca' (no exact plane of the regions exists).
    last : bool
        Whether ``H`` is the last hidden layer (the one the output layer reads).
    """
    n_classes = len(net.classes_)
    W, bias = _output_layer(net)
    if projection == "output" and n_classes == 2:
        w, b = binary_normal(net)
        e1 = w / np.linalg.norm(w)
        rest = H - np.outer(H @ e1, e1)          # what the output unit does not see
        e2 = PCA(n_components=1).fit(rest).components_[0]
        e2 = e2 - (e2 @ e1) * e1
        e2 /= np.linalg.norm(e2)
        # in (u1, u2): w . h + b = ||w|| u1 + b (h's part off the basis is
        # orthogonal to w), so the boundary is u1 = -b / ||w||
        return HiddenProjection("output", basis=np.column_stack([e1, e2]),
                                normal=(np.array([np.linalg.norm(w), 0.0]), b))
    if projection == "output" and n_classes == 3:
        Q, R = np.linalg.qr(W[:, 1:] - W[:, :1])
        # z_k - z_0 = (u R)_k + b_k - b_0, and z_0 - z_0 = 0: a 2 x 3 logit map
        logit_map = (np.column_stack([np.zeros(2), R]), np.r_[0.0, bias[1:] - bias[0]])
        return HiddenProjection("output", basis=Q, logit_map=logit_map)
    if projection in ("output", "pca"):
        pca = PCA(n_components=2).fit(H)
        return HiddenProjection("pca", basis=pca.components_.T, center=pca.mean_)
    if not last:
        return HiddenProjection(projection)
    if n_classes == 2:
        return HiddenProjection(projection, normal=binary_normal(net))
    return HiddenProjection(projection, logit_map=(W, bias))


def input_grid_lines(X, n_lines, margin, n_points=80):
    """Straight lines of the input plane around ``X`` (2 features): ``n_lines``
    per direction, ``n_points`` points each.

    Returns
    -------
    lines : list of ndarray of shape (n_points, 2)
        First the lines of constant ``x_1``, then those of constant ``x_2``.
    """
    lo, hi = grid_limits(X, margin)
    t = np.linspace(0, 1, n_points)
    lines = []
    for k in range(2):
        for v in np.linspace(lo[k], hi[k], n_lines):
            pts = np.empty((n_points, 2))
            pts[:, k] = v
            pts[:, 1 - k] = lo[1 - k] + t * (hi[1 - k] - lo[1 - k])
            lines.append(pts)
    return lines


def axis_labels(projection, n_units, n_classes):
    """Axis labels for the drawn coordinates."""
    if projection in ("2d", "3d"):
        return [f"$h_{{{i + 1}}}$" for i in range(n_units)]
    if projection == "output" and n_classes == 2:
        return ["$u_1$: along the output weight vector w", "$u_2$: main remaining direction"]
    if projection == "output":
        return ["$u_1$ (output-layer plane)", "$u_2$ (output-layer plane)"]
    return ["principal direction 1", "principal direction 2"]


def hidden_space_title(layer, n_units, activation, projection, n_classes, has_boundary):
    """The title, from what is drawn: layer, width, activation, projection, boundary."""
    what = {"2d": "", "3d": "", "output": ", projected on the output layer's plane",
            "pca": ", PCA projection"}[projection]
    line = "plane" if projection == "3d" else "line"
    if not has_boundary:
        boundary = ""
    elif projection == "3d":
        boundary = ("; grey surfaces: output layer's class borders" if n_classes > 2
                    else f"; grey surface: output layer's separating {line}")
    else:
        boundary = ("; black: output layer's class borders" if n_classes > 2
                    else f"; black: output layer's separating {line}")
    return (f"Hidden layer {layer + 1} ({n_units} {activation} units){what}\n"
            f"samples and the input-plane grid (grey){boundary}")
