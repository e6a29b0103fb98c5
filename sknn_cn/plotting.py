"""Pictures of seed sections 1.1.2, 1.1.4, 1.1.5 and 1.4.4, in scikit-learn's Display style.

=============================  ==============================================  =========
Display                        what it shows                                   seed
=============================  ==============================================  =========
:class:`BoundaryDisplay`       decision boundary by grid sampling: probability 1.1.4
                               map + the 0.5 contour (binary), class regions
                               (multi-class), samples on top
:class:`HiddenSpaceDisplay`    the hidden layer's "space transform": samples   1.1.5
                               and a warped grid of the input plane in hidden
                               activation space, with the output layer's
                               separating line / plane
:class:`HiddenSpaceSnapshots`  the same at several epochs of training          1.1.5
:class:`TrainingCurvesDisplay` loss, validation loss and validation score      1.4.4
:class:`RocCurvesDisplay`      ROC curves (binary, or one-vs-rest per class)   1.1.2
                               via sklearn's ``RocCurveDisplay``
:class:`LRFinderDisplay`       the learning-rate range test's loss curve       1.4.4.1
=============================  ==============================================  =========

For the confusion matrix use :class:`sklearn.metrics.ConfusionMatrixDisplay`
directly (it works with these estimators); :data:`SEQUENTIAL_CMAP` is a
colour-blind-safe colour map for it.

Every Display has ``from_estimator`` (or ``from_*``) and ``plot(ax=None)``, keeps
``figure_`` and ``ax_``, imports matplotlib only when drawing and never calls
pyplot's ``show``.  Colours come from the Okabe-Ito palette, which stays distinct for
the common forms of colour blindness; classes also differ by marker shape.
"""

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "OKABE_ITO",
    "SEQUENTIAL_CMAP",
    "BoundaryDisplay",
    "HiddenSpaceDisplay",
    "HiddenSpaceSnapshots",
    "TrainingCurvesDisplay",
    "RocCurvesDisplay",
    "LRFinderDisplay",
]

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
             "#CC79A7", "#000000")
#: The seed colours the positive side pink and the negative side yellow (1.1.4);
#: these are the Okabe-Ito reddish purple and yellow.
PINK, YELLOW = "#CC79A7", "#F0E442"
#: Binary samples are drawn darker than the regions they belong to (Paul Tol's
#: colour-blind-safe olive and wine), so they stay visible on either side.
OLIVE, WINE = "#999933", "#882255"
#: Perceptually uniform, colour-blind-safe map for heat maps (confusion matrix).
SEQUENTIAL_CMAP = "cividis"
_MARKERS = ("o", "^", "s", "D", "v", "P", "X", "*")


def _plt():
    import matplotlib.pyplot as plt  # lazy: importing sknn_cn never loads matplotlib

    return plt


def _get_ax(ax, projection=None, figsize=None):
    if ax is not None:
        return ax.figure, ax
    plt = _plt()
    fig = plt.figure(figsize=figsize)
    ax = fig.add_subplot(111, projection=projection)
    return fig, ax


def _class_colors(n_classes, samples=False):
    """Binary: yellow / pink regions as the seed, olive / wine samples;
    more classes: Okabe-Ito."""
    if n_classes == 2:
        return [OLIVE, WINE] if samples else [YELLOW, PINK]
    if n_classes <= len(OKABE_ITO):
        # skip yellow early: it is pale on white; black last
        order = [0, 1, 2, 5, 4, 6, 3, 7]
        return [OKABE_ITO[i] for i in order[:n_classes]]
    import matplotlib  # noqa: PLC0415

    cmap = matplotlib.colormaps["viridis"]
    return [cmap(v) for v in np.linspace(0, 1, n_classes)]


def _binary_cmap():
    """Light yellow (P=0) -> white (P=0.5) -> light pink (P=1)."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list(
        "sknn_yellow_pink", ["#E8DC3A", "#FAF6C8", "#FFFFFF", "#EDCFE1", "#B8578F"])


def _class_names(classes, class_names):
    if class_names is None:
        return [str(c) for c in classes]
    if isinstance(class_names, dict):
        return [str(class_names.get(c, c)) for c in classes]
    names = list(class_names)
    if len(names) != len(classes):
        raise ValueError(
            f"class_names has {len(names)} entries but the estimator has "
            f"{len(classes)} classes ({list(classes)}).")
    return [str(n) for n in names]


def _scatter_classes(ax, X, y, classes, names, colors, *, size=None, zs=None):
    """One scatter per class (legend entry), distinct colour and marker."""
    artists = []
    if size is None:
        size = 120 if len(X) <= 20 else 40 if len(X) <= 400 else 25
    for k, (c, name) in enumerate(zip(classes, names)):
        mask = np.asarray(y) == c
        if not mask.any():
            continue
        kw = dict(c=[colors[k]], marker=_MARKERS[k % len(_MARKERS)], s=size,
                  edgecolors="black", linewidths=0.8, label=f"class {name}",
                  zorder=3)
        if zs is None:
            artists.append(ax.scatter(X[mask, 0], X[mask, 1], **kw))
        else:
            artists.append(ax.scatter(X[mask, 0], X[mask, 1], X[mask, 2],
                                      depthshade=False, **kw))
    return artists


def _grid_limits(X, margin):
    X = np.asarray(X, dtype=float)
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return lo - margin * span, hi + margin * span


def _feature_labels(estimator, xlabel, ylabel):
    names = getattr(estimator, "feature_names_in_", None)
    if xlabel is None:
        xlabel = str(names[0]) if names is not None else "$x_1$"
    if ylabel is None:
        ylabel = str(names[1]) if names is not None else "$x_2$"
    return xlabel, ylabel


def _check_2d_input(X, what):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            f"{what} draws the input plane, so X must have exactly 2 features; "
            f"got X of shape {X.shape}.")
    return X


# ---------------------------------------------------------------------------
# decision boundary by grid sampling (seed 1.1.4)
# ---------------------------------------------------------------------------
class BoundaryDisplay:
    """Decision boundary by grid sampling (seed 1.1.4).

    The seed's recipe: sample the input plane on a regular grid, run every grid
    point through the network, and colour the points whose probability is above
    0.5 pink and those below yellow; the boundary appears between them. For a
    binary classifier this Display shows the probability map ``P(y = classes_[1])``
    with the 0.5 contour; for more classes it shows the predicted class regions
    and their borders. The samples are drawn on top (one marker per class).

    Use :meth:`from_estimator`; the constructor only stores arrays.

    Parameters
    ----------
    xx0, xx1 : ndarray of shape (grid_resolution, grid_resolution)
        The grid (``np.meshgrid`` of the two features).
    response : ndarray of shape (grid_resolution, grid_resolution)
        Binary: probability of the positive class. Multi-class: index of the
        predicted class in ``classes``.
    classes : ndarray of shape (n_classes,)
    X, y : ndarray, optional
        Samples to draw on top.
    class_names : list or dict, optional
    xlabel, ylabel, title : str, optional

    Attributes
    ----------
    surface_ : matplotlib QuadMesh
        The coloured map (probabilities or class regions).
    contour_ : matplotlib ContourSet
        Binary: the 0.5 contour (``contour_.levels == [0.5]``); multi-class: the
        borders between class regions.
    colorbar_ : matplotlib Colorbar or None
    scatter_ : list of PathCollection
        One per class present in ``y``.
    ax_, figure_ : matplotlib Axes and Figure
    """

    def __init__(self, xx0, xx1, response, classes, *, X=None, y=None,
                 class_names=None, xlabel=None, ylabel=None, title=None):
        self.xx0, self.xx1, self.response = xx0, xx1, response
        self.classes = np.asarray(classes)
        self.X, self.y = X, y
        self.class_names = class_names
        self.xlabel, self.ylabel, self.title = xlabel, ylabel, title

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, grid_resolution=200,
                       margin=0.1, xlim=None, ylim=None, class_names=None,
                       xlabel=None, ylabel=None, title=None, ax=None,
                       colorbar=True):
        """Sample the plane around ``X`` and draw the classifier's answer.

        Parameters
        ----------
        estimator : fitted classifier with ``predict_proba`` and ``classes_``
            Anything with two input features (an MLP, a Pipeline ...).
        X : array-like of shape (n_samples, 2)
            Sets the grid's extent and, with ``y``, the samples drawn on top.
        y : array-like of shape (n_samples,), default=None
        grid_resolution : int, default=200
            Grid points along each axis.
        margin : float, default=0.1
            Extra border around ``X`` as a fraction of its range.
        xlim, ylim : (float, float), optional
            Grid extent instead of the one from ``X`` and ``margin``.
        class_names : list or dict, optional
            Names for the legend.
        xlabel, ylabel, title : str, optional
        ax : matplotlib Axes, optional
        colorbar : bool, default=True
            Binary only: add a colour bar for the probability.

        Returns
        -------
        display : BoundaryDisplay
        """
        check_is_fitted(estimator)
        X = _check_2d_input(X, "BoundaryDisplay")
        if not isinstance(grid_resolution, (int, np.integer)) or grid_resolution < 2:
            raise ValueError(
                "grid_resolution must be an integer >= 2; got "
                f"grid_resolution={grid_resolution!r}.")
        lo, hi = _grid_limits(X, margin)
        x0 = np.linspace(*(xlim if xlim is not None else (lo[0], hi[0])),
                         grid_resolution)
        x1 = np.linspace(*(ylim if ylim is not None else (lo[1], hi[1])),
                         grid_resolution)
        xx0, xx1 = np.meshgrid(x0, x1)
        grid = np.column_stack([xx0.ravel(), xx1.ravel()])
        proba = estimator.predict_proba(grid)
        classes = estimator.classes_
        if len(classes) == 2:
            response = proba[:, 1].reshape(xx0.shape)
        else:
            response = np.argmax(proba, axis=1).reshape(xx0.shape)
        xlabel, ylabel = _feature_labels(estimator, xlabel, ylabel)
        disp = cls(xx0, xx1, response, classes, X=X, y=y, class_names=class_names,
                   xlabel=xlabel, ylabel=ylabel, title=title)
        return disp.plot(ax=ax, colorbar=colorbar)

    def plot(self, ax=None, *, colorbar=True):
        """Draw on ``ax`` (a new figure when None); return ``self``."""
        fig, ax = _get_ax(ax)
        n_classes = len(self.classes)
        names = _class_names(self.classes, self.class_names)
        colors = _class_colors(n_classes)
        self.colorbar_ = None
        if n_classes == 2:
            self.surface_ = ax.pcolormesh(self.xx0, self.xx1, self.response,
                                          cmap=_binary_cmap(), vmin=0, vmax=1,
                                          shading="auto", rasterized=True)
            self.contour_ = ax.contour(self.xx0, self.xx1, self.response,
                                       levels=[0.5], colors="black", linewidths=2)
            if colorbar:
                self.colorbar_ = fig.colorbar(self.surface_, ax=ax)
                self.colorbar_.set_label(f"P(class {names[1]})")
                self.colorbar_.ax.axhline(0.5, color="black", linewidth=2)
            default_title = ("Decision boundary: P = 0.5 contour\n"
                             f"(pink: class {names[1]}, yellow: class {names[0]})")
        else:
            from matplotlib.colors import ListedColormap

            cmap = ListedColormap(colors)
            self.surface_ = ax.pcolormesh(self.xx0, self.xx1, self.response,
                                          cmap=cmap, vmin=-0.5,
                                          vmax=n_classes - 0.5, alpha=0.35,
                                          shading="auto", rasterized=True)
            self.contour_ = ax.contour(self.xx0, self.xx1, self.response,
                                       levels=np.arange(n_classes - 1) + 0.5,
                                       colors="black", linewidths=1.2)
            default_title = "Decision regions by grid sampling"
        self.scatter_ = []
        if self.X is not None and self.y is not None:
            self.scatter_ = _scatter_classes(ax, np.asarray(self.X), self.y,
                                             self.classes, names,
                                             _class_colors(n_classes, samples=True))
        elif self.X is not None:
            self.scatter_ = [ax.scatter(self.X[:, 0], self.X[:, 1], s=20,
                                        c="black", zorder=3, label="samples")]
        from matplotlib.lines import Line2D

        handles = list(self.scatter_)
        handles.append(Line2D([], [], color="black", linewidth=2 if n_classes == 2
                              else 1.2, label="P = 0.5" if n_classes == 2
                              else "class border"))
        ax.legend(handles=handles, loc="best", framealpha=0.9, fontsize="small")
        ax.set_xlabel(self.xlabel or "$x_1$")
        ax.set_ylabel(self.ylabel or "$x_2$")
        ax.set_title(self.title if self.title is not None else default_title)
        ax.set_xlim(self.xx0.min(), self.xx0.max())
        ax.set_ylim(self.xx1.min(), self.xx1.max())
        self.ax_, self.figure_ = ax, fig
        return self


# ---------------------------------------------------------------------------
# the hidden layer's space transform (seed 1.1.5)
# ---------------------------------------------------------------------------
def _split_pipeline(estimator):
    """Return (transform, net): a Pipeline's preprocessing and its final MLP."""
    steps = getattr(estimator, "steps", None)
    if steps is None:
        return (lambda X: X), estimator
    head = estimator[:-1]
    return head.transform, steps[-1][1]


def _activation_names(net):
    names = getattr(net, "activations_", None)
    if names is None:  # sklearn's MLPClassifier: one name for every hidden layer
        names = [net.activation] * (len(net.coefs_) - 1)
    return list(names)


def _hidden_outputs(net, X):
    """Outputs of every hidden layer, and the output logits.

    Uses the estimator's ``hidden_activations`` when it has one (sknn_cn's
    classifiers); otherwise runs the forward pass from ``coefs_`` /
    ``intercepts_`` (for sklearn's ``MLPClassifier``).
    """
    if hasattr(net, "hidden_activations"):
        hidden = [np.asarray(h, dtype=float) for h in net.hidden_activations(X)]
    else:
        from .network import ACTIVATIONS, resolve_activation

        A = np.asarray(X, dtype=float)
        hidden = []
        for (W, b), name in zip(zip(net.coefs_[:-1], net.intercepts_[:-1]),
                                _activation_names(net)):
            A = ACTIVATIONS[resolve_activation(name)](A @ W + b)
            hidden.append(A)
    W, b = net.coefs_[-1], net.intercepts_[-1]
    return hidden, hidden[-1] @ W + b


def _binary_normal(net):
    """(w, b) with P(classes_[1]) > 0.5 exactly when h . w + b > 0."""
    W = np.asarray(net.coefs_[-1], dtype=float)
    b = np.asarray(net.intercepts_[-1], dtype=float)
    if W.shape[1] == 1:            # one logistic unit
        return W[:, 0], float(b[0])
    return W[:, 1] - W[:, 0], float(b[1] - b[0])   # two softmax units


class HiddenSpaceDisplay:
    """The hidden layer's space transform (seed 1.1.5).

    "The network turns samples that are not linearly separable into samples that
    are, which makes the last step easy" (seed 1.1.5). This Display draws the
    samples where a hidden layer puts them, together with a grid of the input
    plane (straight lines there) mapped through the same layer, so you can see
    how the plane is bent. For the last hidden layer it also draws the output
    layer's decision: a straight line (2 units), a plane (3 units) or, projected,
    the exact class regions.

    Projections (``projection=``):

    * ``'2d'``: a layer of 2 units, drawn directly;
    * ``'3d'``: a layer of 3 units on 3-D axes, with the separating plane(s);
    * ``'output'``: any width, projected onto the directions the output layer
      reads. Binary: the first axis is the distance along the output unit's
      weight vector (the boundary is the vertical line ``u1 = -b / ||w||``), the
      second the main remaining direction of the samples. Three classes: the
      plane spanned by ``w_1 - w_0`` and ``w_2 - w_0``, in which the softmax
      regions are exact;
    * ``'pca'``: the two main directions of the samples (no boundary drawn);
    * ``'auto'``: '2d' for 2 units, '3d' for 3, else 'output' for the last
      hidden layer and 'pca' for earlier ones.

    Use :meth:`from_estimator`.

    Attributes
    ----------
    hidden_ : ndarray of shape (n_samples, 2) or (n_samples, 3)
        Sample coordinates as drawn (the hidden activations, or their
        projection).
    projection_ : str
        The projection used.
    basis_ : ndarray of shape (n_units, 2) or None
        Projection matrix for 'output' and 'pca' (coordinates ``H @ basis_``,
        after centring for 'pca').
    grid_lines_ : list of ndarray
        Each input-plane grid line, as drawn in hidden space.
    boundary_ : matplotlib artist or list or None
        The separating line / plane(s) / region borders.
    scatter_ : list of matplotlib collections
    ax_, figure_ : matplotlib Axes and Figure
    """

    def __init__(self, hidden, y, classes, *, projection="2d", grid_lines=(),
                 normal=None, region_fn=None, class_names=None, axis_labels=None,
                 title=None, plane_fns=None):
        self.hidden = np.asarray(hidden, dtype=float)
        self.y = y
        self.classes = np.asarray(classes)
        self.projection = projection
        self.grid_lines = list(grid_lines)
        self.normal = normal
        self.region_fn = region_fn
        self.plane_fns = plane_fns
        self.class_names = class_names
        self.axis_labels = axis_labels
        self.title = title

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, layer=-1, projection="auto",
                       n_grid_lines=11, grid_margin=0.1, class_names=None,
                       title=None, ax=None):
        """Transform ``X`` (and a grid of its plane) by a hidden layer and draw it.

        Parameters
        ----------
        estimator : fitted MLP (sknn_cn or sklearn ``MLPClassifier``) or a Pipeline ending in one
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), default=None
        layer : int, default=-1
            Which hidden layer (0 = first, -1 = last). The output layer's
            boundary is drawn only for the last one.
        projection : {'auto', '2d', '3d', 'output', 'pca'}, default='auto'
        n_grid_lines : int, default=11
            Lines of the input-plane grid per direction (only for 2 input
            features; 0 for none).
        grid_margin : float, default=0.1
            Extra border of that grid around ``X``, as a fraction of its range.
        class_names : list or dict, optional
        title : str, optional
        ax : matplotlib Axes, optional
            Must be a 3-D Axes for ``projection='3d'``.

        Returns
        -------
        display : HiddenSpaceDisplay
        """
        transform, net = _split_pipeline(estimator)
        check_is_fitted(net)
        X = np.asarray(X, dtype=float)
        Xt = transform(X)
        hidden, _ = _hidden_outputs(net, Xt)
        n_layers = len(hidden)
        if not -n_layers <= layer < n_layers:
            raise ValueError(
                f"layer must index one of the {n_layers} hidden layers "
                f"(0..{n_layers - 1} or negative); got layer={layer!r}.")
        layer = layer % n_layers
        last = layer == n_layers - 1
        H = hidden[layer]
        n_units = H.shape[1]
        allowed = ("auto", "2d", "3d", "output", "pca")
        if projection not in allowed:
            raise ValueError(
                f"projection must be one of {allowed}; got projection={projection!r}.")
        if projection == "auto":
            projection = {2: "2d", 3: "3d"}.get(n_units, "output" if last else "pca")
        if n_units < 2:
            raise ValueError(
                f"Hidden layer {layer} has {n_units} unit; the space transform "
                "needs at least 2 units to draw.")
        need = {"2d": 2, "3d": 3}.get(projection)
        if need is not None and n_units != need:
            raise ValueError(
                f"projection={projection!r} needs a layer of {need} units; hidden "
                f"layer {layer} has {n_units}. Use projection='output' or 'pca'.")
        if projection == "output" and not last:
            raise ValueError(
                "projection='output' uses the output layer's weights, so it needs "
                f"the last hidden layer (layer={n_layers - 1}); got layer={layer}.")
        classes = net.classes_
        n_classes = len(classes)

        # the map hidden space -> drawn coordinates
        basis, center = None, None
        normal = region_fn = plane_fns = None
        if projection == "output":
            if n_classes == 2:
                w, b = _binary_normal(net)
                e1 = w / np.linalg.norm(w)
                R = H - np.outer(H @ e1, e1)
                R = R - R.mean(axis=0)
                _, _, vt = np.linalg.svd(R, full_matrices=False)
                e2 = vt[0] - (vt[0] @ e1) * e1
                e2 /= np.linalg.norm(e2)
                basis = np.column_stack([e1, e2])
                # in (u1, u2): w . h + b = ||w|| u1 + b  (h's part off the
                # basis is orthogonal to w), so the boundary is u1 = -b/||w||
                normal = (np.array([np.linalg.norm(w), 0.0]), b)
            elif n_classes == 3:
                W = np.asarray(net.coefs_[-1], dtype=float)
                bias = np.asarray(net.intercepts_[-1], dtype=float)
                D = W[:, 1:] - W[:, :1]
                Q, Rm = np.linalg.qr(D)
                basis = Q
                db = bias[1:] - bias[0]

                def region_fn(U, Rm=Rm, db=db):
                    # logit differences z_k - z_0 = D_k . h + db = (Rm^T u)_k + db
                    diff = U @ Rm + db
                    return np.argmax(np.column_stack([np.zeros(len(U)), diff]),
                                     axis=1)
            else:
                projection = "pca"
        if projection == "pca":
            center = H.mean(axis=0)
            _, _, vt = np.linalg.svd(H - center, full_matrices=False)
            basis = vt[:2].T

        def to_display(A):
            if basis is None:
                return A
            return (A - center) @ basis if center is not None else A @ basis

        if last and projection in ("2d", "3d"):
            if n_classes == 2:
                normal = _binary_normal(net)
            else:
                W = np.asarray(net.coefs_[-1], dtype=float)
                bias = np.asarray(net.intercepts_[-1], dtype=float)
                if projection == "2d":
                    def region_fn(U, W=W, bias=bias):
                        return np.argmax(U @ W + bias, axis=1)
                else:
                    plane_fns = (W, bias)

        grid_lines = []
        if X.shape[1] == 2 and n_grid_lines:
            lo, hi = _grid_limits(X, grid_margin)
            t = np.linspace(0, 1, 80)
            for k in range(2):
                for v in np.linspace(lo[k], hi[k], n_grid_lines):
                    pts = np.empty((len(t), 2))
                    pts[:, k] = v
                    pts[:, 1 - k] = lo[1 - k] + t * (hi[1 - k] - lo[1 - k])
                    grid_lines.append(to_display(
                        _hidden_outputs(net, transform(pts))[0][layer]))

        units = [f"$h_{{{i + 1}}}$" for i in range(n_units)]
        if projection in ("2d", "3d"):
            axis_labels = units
        elif projection == "output":
            axis_labels = (["$u_1$: along the output weight vector w",
                            "$u_2$: main remaining direction"] if n_classes == 2
                           else ["$u_1$ (output-layer plane)",
                                 "$u_2$ (output-layer plane)"])
        else:
            axis_labels = ["principal direction 1", "principal direction 2"]
        act = _activation_names(net)[layer]
        if title is None:
            what = {"2d": "", "3d": "", "output": ", projected on the output layer's plane",
                    "pca": ", PCA projection"}[projection]
            line = {2: "line", 3: "plane"}.get(H.shape[1] if projection in ("2d", "3d")
                                              else 2, "line")
            if projection == "3d" and n_classes > 2:
                boundary = "; grey surfaces: output layer's class borders"
            elif projection == "3d":
                boundary = f"; grey surface: output layer's separating {line}"
            elif n_classes > 2:
                boundary = "; black: output layer's class borders"
            else:
                boundary = f"; black: output layer's separating {line}"
            boundary = (boundary if last and (normal is not None or region_fn is not None
                                     or plane_fns is not None) else "")
            title = (f"Hidden layer {layer + 1} ({n_units} {act} units){what}\n"
                     f"samples and the input-plane grid (grey){boundary}")
        disp = cls(to_display(H), y, classes, projection=projection,
                   grid_lines=grid_lines, normal=normal, region_fn=region_fn,
                   class_names=class_names, axis_labels=axis_labels, title=title,
                   plane_fns=plane_fns)
        disp.basis_ = basis
        return disp.plot(ax=ax)

    def plot(self, ax=None):
        """Draw on ``ax`` (new figure when None; 3-D Axes for '3d'); return ``self``."""
        three_d = self.projection == "3d"
        fig, ax = _get_ax(ax, projection="3d" if three_d else None,
                          figsize=(7, 6) if three_d else None)
        if three_d and getattr(ax, "name", "") != "3d":
            raise ValueError("projection='3d' needs a 3-D Axes "
                             "(fig.add_subplot(projection='3d')).")
        n_classes = len(self.classes)
        names = _class_names(self.classes, self.class_names)
        colors = _class_colors(n_classes)
        H = self.hidden
        self.hidden_ = H
        self.projection_ = self.projection
        self.grid_lines_ = self.grid_lines
        if not hasattr(self, "basis_"):
            self.basis_ = None
        pts = [H] + self.grid_lines
        allp = np.vstack(pts)
        lo, hi = _grid_limits(allp, 0.08)

        for line in self.grid_lines:
            if three_d:
                ax.plot(line[:, 0], line[:, 1], line[:, 2], color="0.55",
                        linewidth=0.6, alpha=0.7)
            else:
                ax.plot(line[:, 0], line[:, 1], color="0.55", linewidth=0.6,
                        alpha=0.8, zorder=1)

        from matplotlib.lines import Line2D

        self.boundary_ = None
        extra_handles = []
        if self.grid_lines:
            extra_handles.append(Line2D([], [], color="0.55", linewidth=0.8,
                                        label="input-plane grid"))
        if not three_d and (self.normal is not None or self.region_fn is not None):
            g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], 300),
                                 np.linspace(lo[1], hi[1], 300))
            U = np.column_stack([g0.ravel(), g1.ravel()])
            if self.normal is not None:
                w, b = self.normal
                side = ((U @ w + b) > 0).astype(float).reshape(g0.shape)
                from matplotlib.colors import ListedColormap

                ax.pcolormesh(g0, g1, side, cmap=ListedColormap(["#F7F1B5", "#EBC9DE"]),
                              vmin=0, vmax=1, shading="auto", zorder=0,
                              rasterized=True)
                self.boundary_ = self._draw_line(ax, w, b, lo, hi)
                extra_handles.append(Line2D([], [], color="black", linewidth=2,
                                            label="separating line"))
            else:
                regions = self.region_fn(U).reshape(g0.shape)
                from matplotlib.colors import ListedColormap

                ax.pcolormesh(g0, g1, regions, cmap=ListedColormap(colors),
                              vmin=-0.5, vmax=n_classes - 0.5, alpha=0.3,
                              shading="auto", zorder=0, rasterized=True)
                self.boundary_ = ax.contour(g0, g1, regions,
                                            levels=np.arange(n_classes - 1) + 0.5,
                                            colors="black", linewidths=1.5)
                extra_handles.append(Line2D([], [], color="black", linewidth=1.5,
                                            label="output-layer borders"))
        if three_d:
            self.boundary_ = self._draw_planes(ax, lo, hi, colors)
            if self.boundary_:
                from matplotlib.patches import Patch

                extra_handles.append(Patch(
                    facecolor="0.35", alpha=0.3,
                    label="separating plane" if self.normal is not None
                    else "class borders (planes)"))

        self.scatter_ = []
        if self.y is not None:
            self.scatter_ = _scatter_classes(
                ax, H, self.y, self.classes, names,
                _class_colors(n_classes, samples=True),
                size=(12 if len(H) > 400 else 20) if three_d else None,
                zs=True if three_d else None)
        else:
            kw = dict(c="black", s=15, zorder=3, label="samples")
            self.scatter_ = [ax.scatter(*H.T, **kw)]
        legend_kw = (dict(loc="upper left", bbox_to_anchor=(-0.12, 1.02)) if three_d
                     else dict(loc="best"))
        ax.legend(handles=list(self.scatter_) + extra_handles, fontsize="small",
                  framealpha=0.9, **legend_kw)
        labels = self.axis_labels or ["", "", ""]
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        if three_d:
            ax.set_zlabel(labels[2])
            ax.set_zlim(lo[2], hi[2])
        ax.set_title(self.title, fontsize="medium")
        self.ax_, self.figure_ = ax, fig
        return self

    @staticmethod
    def _draw_line(ax, w, b, lo, hi):
        """The line w . u + b = 0 inside the box [lo, hi]."""
        if abs(w[1]) >= abs(w[0]):
            x = np.array([lo[0], hi[0]])
            yv = -(b + w[0] * x) / w[1]
        else:
            yv = np.array([lo[1], hi[1]])
            x = -(b + w[1] * yv) / w[0]
        (line,) = ax.plot(x, yv, color="black", linewidth=2, zorder=2)
        return line

    def _draw_planes(self, ax, lo, hi, colors):
        """Separating plane(s) in 3-D: binary w.h + b = 0; for K classes the
        piece of each plane z_i = z_j where i and j are the two top logits."""
        planes = []
        if self.normal is not None:
            w, b = self.normal
            pairs = [(w, b, None)]
        elif self.plane_fns is not None:
            W, bias = self.plane_fns
            K = W.shape[1]
            pairs = [(W[:, j] - W[:, i], bias[j] - bias[i], (i, j))
                     for i in range(K) for j in range(i + 1, K)]
        else:
            return None
        for w, b, pair in pairs:
            axis = int(np.argmax(np.abs(w)))
            others = [a for a in range(3) if a != axis]
            s, t = np.meshgrid(np.linspace(lo[others[0]], hi[others[0]], 40),
                               np.linspace(lo[others[1]], hi[others[1]], 40))
            c = -(b + w[others[0]] * s + w[others[1]] * t) / w[axis]
            P = np.empty(s.shape + (3,))
            P[..., others[0]], P[..., others[1]], P[..., axis] = s, t, c
            outside = (c < lo[axis]) | (c > hi[axis])
            if pair is not None:
                W, bias = self.plane_fns
                Z = P.reshape(-1, 3) @ W + bias
                top2 = np.argsort(Z, axis=1)[:, -2:]
                keep = np.sort(top2, axis=1) == np.array(sorted(pair))
                outside |= ~keep.all(axis=1).reshape(s.shape)
            if outside.all():
                continue
            P[outside] = np.nan
            planes.append(ax.plot_surface(P[..., 0], P[..., 1], P[..., 2],
                                          color="0.35", alpha=0.22, linewidth=0,
                                          shade=False))
        return planes


class HiddenSpaceSnapshots:
    """The space transform at several epochs of training (seed 1.1.5).

    Trains a clone of the estimator one epoch at a time with ``partial_fit`` and
    draws a :class:`HiddenSpaceDisplay` after each epoch in ``epochs``.

    Attributes
    ----------
    estimator_ : the trained clone (after the last snapshot)
    displays_ : list of HiddenSpaceDisplay
    epochs_ : list of int
    axes_ : list of matplotlib Axes
    figure_ : matplotlib Figure
    """

    @classmethod
    def from_estimator(cls, estimator, X, y, *, epochs=(1, 10, 100), layer=-1,
                       projection="auto", n_grid_lines=11, class_names=None,
                       figsize=None):
        """Train a clone epoch by epoch and draw the hidden space at ``epochs``.

        Parameters
        ----------
        estimator : unfitted sknn_cn MLP (anything with ``partial_fit``)
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        epochs : sequence of int, default=(1, 10, 100)
            Epoch counts (>= 1) after which to draw, increasing.
        layer, projection, n_grid_lines, class_names
            As in :meth:`HiddenSpaceDisplay.from_estimator`.
        figsize : (float, float), optional

        Returns
        -------
        display : HiddenSpaceSnapshots
        """
        epochs = [int(e) for e in epochs]
        if not epochs or epochs[0] < 1 or np.any(np.diff(epochs) <= 0):
            raise ValueError(
                f"epochs must be increasing integers >= 1; got epochs={epochs!r}.")
        if not hasattr(estimator, "partial_fit"):
            raise ValueError(
                f"{type(estimator).__name__} has no partial_fit; snapshots need it.")
        est = clone(estimator)
        classes = np.unique(y)
        est.partial_fit(X, y, classes=classes)
        done = 1
        n_units = np.asarray(est.coefs_[:-1][layer]).shape[1]
        proj = projection
        if proj == "auto":
            n_layers = len(est.coefs_) - 1
            last = (layer % n_layers) == n_layers - 1
            proj = {2: "2d", 3: "3d"}.get(n_units, "output" if last else "pca")
        plt = _plt()
        n = len(epochs)
        fig = plt.figure(figsize=figsize or (4.6 * n, 4.4))
        self = cls()
        self.displays_, self.axes_, self.epochs_ = [], [], epochs
        for i, target in enumerate(epochs):
            while done < target:
                est.partial_fit(X, y)
                done += 1
            ax = fig.add_subplot(1, n, i + 1,
                                 projection="3d" if proj == "3d" else None)
            disp = HiddenSpaceDisplay.from_estimator(
                est, X, y, layer=layer, projection=proj, n_grid_lines=n_grid_lines,
                class_names=class_names, ax=ax,
                title=f"after {target} epoch{'s' if target > 1 else ''} "
                      f"(training accuracy {est.score(X, y):.2f})")
            if i > 0 and ax.get_legend() is not None:
                ax.get_legend().remove()
            self.displays_.append(disp)
            self.axes_.append(ax)
        fig.suptitle("Hidden-layer space during training (grey: input-plane grid, "
                     "black: output layer's boundary)", fontsize="medium")
        fig.tight_layout()
        self.estimator_ = est
        self.figure_ = fig
        return self


# ---------------------------------------------------------------------------
# training curves
# ---------------------------------------------------------------------------
class TrainingCurvesDisplay:
    """Loss per epoch on the training data, and on the validation data with its
    score when the estimator kept some (``early_stopping=True``).

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
    validation_loss_curve : array-like of shape (n_epochs,), optional
    validation_scores : array-like of shape (n_epochs,), optional
    name : str, optional

    Attributes
    ----------
    lines_ : dict
        ``'loss'``, ``'validation_loss'``, ``'validation_score'`` -> Line2D
        (present when the data was).
    ax_ : Axes of the losses;  ax_score_ : twin Axes of the score (or None)
    figure_ : Figure
    """

    def __init__(self, loss_curve, validation_loss_curve=None,
                 validation_scores=None, *, name=None):
        self.loss_curve = np.asarray(loss_curve, dtype=float)
        self.validation_loss_curve = (None if validation_loss_curve is None or
                                      len(validation_loss_curve) == 0 else
                                      np.asarray(validation_loss_curve, dtype=float))
        self.validation_scores = (None if validation_scores is None or
                                  len(validation_scores) == 0 else
                                  np.asarray(validation_scores, dtype=float))
        self.name = name

    @classmethod
    def from_estimator(cls, estimator, *, name=None, ax=None, log_loss_axis=False):
        """Read ``loss_curve_``, ``validation_loss_curve_`` and
        ``validation_scores_`` of a fitted estimator (sknn_cn or sklearn MLP)."""
        _, net = _split_pipeline(estimator)
        check_is_fitted(net, "loss_curve_")
        disp = cls(net.loss_curve_, getattr(net, "validation_loss_curve_", None),
                   getattr(net, "validation_scores_", None),
                   name=name or type(net).__name__)
        return disp.plot(ax=ax, log_loss_axis=log_loss_axis)

    def plot(self, ax=None, *, log_loss_axis=False):
        """Draw on ``ax`` (new figure when None); return ``self``."""
        fig, ax = _get_ax(ax)
        epochs = np.arange(1, len(self.loss_curve) + 1)
        self.lines_ = {}
        (self.lines_["loss"],) = ax.plot(epochs, self.loss_curve, color=OKABE_ITO[4],
                                         linewidth=2, label="training loss")
        if self.validation_loss_curve is not None:
            ve = np.arange(1, len(self.validation_loss_curve) + 1)
            (self.lines_["validation_loss"],) = ax.plot(
                ve, self.validation_loss_curve, color=OKABE_ITO[5], linewidth=2,
                linestyle="--", label="validation loss")
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss (cross-entropy + L2)")
        if log_loss_axis:
            ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        handles = list(self.lines_.values())
        self.ax_score_ = None
        if self.validation_scores is not None:
            ax2 = ax.twinx()
            se = np.arange(1, len(self.validation_scores) + 1)
            (self.lines_["validation_score"],) = ax2.plot(
                se, self.validation_scores, color=OKABE_ITO[2], linewidth=2,
                linestyle=":", label="validation accuracy")
            ax2.set_ylabel("validation accuracy")
            handles.append(self.lines_["validation_score"])
            self.ax_score_ = ax2
        ax.legend(handles=handles, loc="center right", fontsize="small")
        ax.set_title(f"Training curves{': ' + self.name if self.name else ''}")
        self.ax_, self.figure_ = ax, fig
        return self


# ---------------------------------------------------------------------------
# ROC curves (sklearn's RocCurveDisplay, one per class for multi-class)
# ---------------------------------------------------------------------------
class RocCurvesDisplay:
    """ROC curves (seed 1.1.2): sklearn's :class:`~sklearn.metrics.RocCurveDisplay`
    for a binary task, one curve per class (one-vs-rest) for more classes, on one
    Axes with the chance diagonal.

    Attributes
    ----------
    displays_ : list of sklearn RocCurveDisplay
    ax_, figure_ : matplotlib Axes and Figure
    """

    @classmethod
    def from_estimator(cls, estimator, X, y, *, class_names=None, name=None, ax=None):
        """ROC of ``estimator.predict_proba(X)`` against ``y``."""
        check_is_fitted(estimator)
        return cls.from_predictions(y, estimator.predict_proba(X),
                                    classes=estimator.classes_,
                                    class_names=class_names,
                                    name=name or type(estimator).__name__, ax=ax)

    @classmethod
    def from_predictions(cls, y_true, y_proba, *, classes, class_names=None,
                         name=None, ax=None):
        """ROC from labels and class probabilities (columns follow ``classes``).

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
        y_proba : array-like of shape (n_samples, n_classes)
        classes : array-like of shape (n_classes,)
        class_names : list or dict, optional
        name : str, optional
        ax : matplotlib Axes, optional
        """
        from sklearn.metrics import RocCurveDisplay

        fig, ax = _get_ax(ax)
        classes = np.asarray(classes)
        y_proba = np.asarray(y_proba, dtype=float)
        if y_proba.ndim != 2 or y_proba.shape[1] != len(classes):
            raise ValueError(
                f"y_proba must have one column per class ({len(classes)}); got "
                f"shape {y_proba.shape}.")
        names = _class_names(classes, class_names)
        self = cls()
        self.displays_ = []
        if len(classes) == 2:
            targets = [1]
            colors = [OKABE_ITO[4]]
        else:
            targets = range(len(classes))
            colors = _class_colors(len(classes))
        for i, k in enumerate(targets):
            label = (f"{name or 'model'} (positive: {names[k]})" if len(classes) == 2
                     else f"class {names[k]} vs rest")
            disp = RocCurveDisplay.from_predictions(
                np.asarray(y_true) == classes[k], y_proba[:, k], pos_label=True,
                name=label, ax=ax, curve_kwargs={"color": colors[i],
                                                 "linewidth": 2},
                plot_chance_level=(i == len(targets) - 1),
            )
            self.displays_.append(disp)
        ax.set_xlabel("False positive rate (FPR)")
        ax.set_ylabel("True positive rate (TPR)")
        ax.set_title("ROC curve" + ("s (one-vs-rest)" if len(classes) > 2 else ""))
        ax.legend(loc="lower right", fontsize="small")
        self.ax_, self.figure_ = ax, fig
        return self


# ---------------------------------------------------------------------------
# learning-rate range test (seed 1.4.4.1)
# ---------------------------------------------------------------------------
def _first_attr(obj, names):
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return None


class LRFinderDisplay:
    """Loss against learning rate in the range test of Smith (2015), seed 1.4.4.1.

    Parameters
    ----------
    lrs : array-like of shape (n_steps,)
        Learning rate at each mini-batch (increasing).
    losses : array-like of shape (n_steps,)
        Loss after each step (raw or smoothed).
    suggestions : dict or array-like, optional
        Learning rates to mark, e.g. ``{"steepest descent": 0.03}``.
    raw_losses : array-like of shape (n_steps,), optional
        Unsmoothed losses, drawn faintly behind.
    lr_range : (float, float), optional
        The usable range ``(lr_min, lr_max)`` (seed 1.4.4.1), drawn as a
        shaded band; not drawn when either end is NaN.

    Attributes
    ----------
    line_ : Line2D;  suggestion_lines_ : list of Line2D;  ax_, figure_
    range_patch_ : matplotlib patch or None
        The shaded band of ``lr_range`` (``ax.axvspan``).
    """

    def __init__(self, lrs, losses, *, suggestions=None, raw_losses=None, lr_range=None):
        self.lrs = np.asarray(lrs, dtype=float)
        self.losses = np.asarray(losses, dtype=float)
        if self.lrs.shape != self.losses.shape or self.lrs.ndim != 1:
            raise ValueError(
                "lrs and losses must be 1-D arrays of the same length; got shapes "
                f"{self.lrs.shape} and {self.losses.shape}.")
        if suggestions is not None and not isinstance(suggestions, dict):
            vals = np.atleast_1d(np.asarray(suggestions, dtype=float))
            suggestions = {f"suggestion {i + 1}" if len(vals) > 1 else "suggestion": v
                           for i, v in enumerate(vals)}
        self.suggestions = suggestions or {}
        self.raw_losses = None if raw_losses is None else np.asarray(raw_losses, float)
        if lr_range is not None:
            lr_range = tuple(float(v) for v in lr_range)
            if len(lr_range) != 2 or lr_range[0] > lr_range[1]:
                raise ValueError("lr_range must be a pair (lr_min, lr_max) with "
                                 f"lr_min <= lr_max; got lr_range={lr_range!r}.")
        self.lr_range = lr_range

    @classmethod
    def from_result(cls, result, *, ax=None):
        """Draw a result object (or dict) of the LR finder.

        Reads the first of these it finds: ``lrs_``/``lrs``/``learning_rates``;
        ``smoothed_losses_``/``smoothed_losses``/``losses_``/``losses``;
        ``suggestions_``/``suggestions``/``suggestion_``/``suggestion``/``suggested_lr_``;
        raw losses from ``losses_``/``losses`` when smoothed ones were used;
        the usable range from ``lr_min``/``lr_max`` when both are there.
        """
        lrs = _first_attr(result, ["lrs_", "lrs", "learning_rates_", "learning_rates"])
        smooth = _first_attr(result, ["smoothed_losses_", "smoothed_losses",
                                      "smooth_losses_", "smooth_losses"])
        raw = _first_attr(result, ["losses_", "losses"])
        sugg = _first_attr(result, ["suggestions_", "suggestions", "suggestion_",
                                    "suggestion", "suggested_lr_", "suggested_lr"])
        if lrs is None or (smooth is None and raw is None):
            raise ValueError(
                f"{type(result).__name__} has no learning rates and losses to draw "
                "(looked for lrs_/lrs and losses_/smoothed_losses_).")
        if smooth is None:
            smooth, raw = raw, None
        if isinstance(sugg, (int, float, np.floating)):
            sugg = {"suggested": float(sugg)}
        lr_min, lr_max = _first_attr(result, ["lr_min"]), _first_attr(result, ["lr_max"])
        lr_range = None if lr_min is None or lr_max is None else (lr_min, lr_max)
        return cls(lrs, smooth, suggestions=sugg, raw_losses=raw,
                   lr_range=lr_range).plot(ax=ax)

    def plot(self, ax=None):
        """Draw on ``ax`` (new figure when None); return ``self``."""
        fig, ax = _get_ax(ax)
        if self.raw_losses is not None:
            ax.plot(self.lrs, self.raw_losses, color="0.7", linewidth=1,
                    label="loss per batch")
        (self.line_,) = ax.plot(self.lrs, self.losses, color=OKABE_ITO[4],
                                linewidth=2, label="loss" if self.raw_losses is None
                                else "smoothed loss")
        ax.set_xscale("log")
        self.range_patch_ = None
        if self.lr_range is not None and all(np.isfinite(self.lr_range)):
            lo, hi = self.lr_range
            self.range_patch_ = ax.axvspan(lo, hi, color=OKABE_ITO[1], alpha=0.18,
                                           label=f"usable range: {lo:.3g} .. {hi:.3g}")
        finite = self.losses[np.isfinite(self.losses)]
        if finite.size:
            # keep the divergence at the end from flattening the useful part
            top = min(finite.max(), finite[0] + 2.0 * (finite[0] - finite.min()) + 1e-12)
            ax.set_ylim(finite.min() - 0.05 * (top - finite.min()), top)
        self.suggestion_lines_ = []
        styles = ["--", ":", "-."]
        for i, (label, lr) in enumerate(self.suggestions.items()):
            self.suggestion_lines_.append(ax.axvline(
                float(lr), color=[OKABE_ITO[5], OKABE_ITO[2], OKABE_ITO[0]][i % 3],
                linestyle=styles[i % 3], linewidth=1.8, label=f"{label}: {float(lr):.3g}"))
        ax.set_xlabel("learning rate (log scale)")
        ax.set_ylabel("training loss")
        ax.set_title("Learning-rate range test (Smith 2015)")
        ax.grid(True, which="major", alpha=0.3)
        ax.grid(True, which="minor", alpha=0.08)
        ax.legend(fontsize="small", loc="best")
        self.ax_, self.figure_ = ax, fig
        return self
