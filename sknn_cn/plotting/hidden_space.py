"""The hidden layer's space transform (seed 1.1.5).

"The network turns samples that are not linearly separable into samples that
are, which makes the last step easy" (seed 1.1.5).  :class:`HiddenSpaceDisplay`
draws one fitted network's hidden space; :class:`HiddenSpaceSnapshots` draws
several already-fitted networks side by side (e.g. copies taken during
training by the caller).  Neither trains anything; the algebra of the
projections is in :mod:`sknn_cn.plotting.projection`.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .common import (
    class_colors,
    class_names_for,
    get_ax,
    grid_limits,
    legend_corner,
    pyplot,
    scatter_classes,
    split_pipeline,
)
from .projection import (
    activation_names,
    axis_labels,
    check_layer,
    hidden_outputs,
    hidden_space_title,
    input_grid_lines,
    project_hidden,
    resolve_projection,
)

__all__ = ["HiddenSpaceDisplay", "HiddenSpaceSnapshots"]


class HiddenSpaceDisplay:
    """The hidden layer's space transform (seed 1.1.5).

    Draws the samples where a hidden layer puts them, together with a grid of
    the input plane (straight lines there) mapped through the same layer, so
    you can see how the plane is bent.  For the last hidden layer it also draws
    the output layer's decision: a straight line (2 units), a plane (3 units)
    or, projected, the exact class regions.

    Projections (``projection=``, see :mod:`sknn_cn.plotting.projection`):
    ``'2d'`` (2 units), ``'3d'`` (3 units, 3-D axes, separating plane(s)),
    ``'output'`` (any width, the directions the output layer reads; exact
    regions for 2 and 3 classes), ``'pca'`` (the two main directions of the
    samples, no boundary) and ``'auto'`` ('2d' for 2 units, '3d' for 3, else
    'output' for the last hidden layer and 'pca' for earlier ones).

    Use :meth:`from_estimator`.

    Parameters
    ----------
    hidden : ndarray of shape (n_samples, 2) or (n_samples, 3)
        Sample coordinates as drawn.
    y : array-like of shape (n_samples,) or None
    classes : array-like of shape (n_classes,)
    projection : {'2d', '3d', 'output', 'pca'}, default='2d'
    grid_lines : list of ndarray, default=()
        Input-plane grid lines in drawn coordinates.
    normal : (ndarray, float), optional
        Binary decision in drawn coordinates: class 1 where ``u . w + b > 0``.
    logit_map : (ndarray, ndarray), optional
        Multi-class decision in drawn coordinates: ``argmax(u @ W + b)``.
    class_names : list or dict, optional
    axis_labels : list of str, optional
    title : str, optional

    Attributes
    ----------
    hidden_ : ndarray of shape (n_samples, 2) or (n_samples, 3)
        Sample coordinates as drawn (the hidden activations, or their projection).
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
                 normal=None, logit_map=None, class_names=None, axis_labels=None,
                 title=None):
        self.hidden = np.asarray(hidden, dtype=float)
        self.y = y
        self.classes = np.asarray(classes)
        self.projection = projection
        self.grid_lines = list(grid_lines)
        self.normal = normal
        self.logit_map = logit_map
        self.class_names = class_names
        self.axis_labels = axis_labels
        self.title = title
        self.basis_ = None

    def regions(self, U):
        """Class index the output layer gives to drawn points ``U`` (``logit_map``)."""
        W, b = self.logit_map
        return np.argmax(np.asarray(U) @ W + b, axis=1)

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
            Default: computed from the layer, its width and activation, the
            projection and what boundary is drawn.
        ax : matplotlib Axes, optional
            Must be a 3-D Axes for ``projection='3d'``.

        Returns
        -------
        display : HiddenSpaceDisplay
        """
        transform, net = split_pipeline(estimator)
        check_is_fitted(net)
        X = np.asarray(X, dtype=float)
        hidden = hidden_outputs(net, transform(X))
        n_layers = len(hidden)
        layer = check_layer(layer, n_layers)
        last = layer == n_layers - 1
        H = hidden[layer]
        n_units = H.shape[1]
        projection = resolve_projection(projection, n_units, layer, n_layers)
        proj = project_hidden(net, H, projection, last=last)
        grid_lines = []
        if X.shape[1] == 2 and n_grid_lines:
            lines = input_grid_lines(X, n_grid_lines, grid_margin)
            mapped = hidden_outputs(net, transform(np.vstack(lines)))[layer]
            grid_lines = np.split(proj(mapped), len(lines))
        n_classes = len(net.classes_)
        if title is None:
            has_boundary = proj.normal is not None or proj.logit_map is not None
            title = hidden_space_title(layer, n_units, activation_names(net)[layer],
                                       proj.kind, n_classes, has_boundary)
        disp = cls(proj(H), y, net.classes_, projection=proj.kind, grid_lines=grid_lines,
                   normal=proj.normal, logit_map=proj.logit_map, class_names=class_names,
                   axis_labels=axis_labels(proj.kind, n_units, n_classes), title=title)
        disp.basis_ = proj.basis
        return disp.plot(ax=ax)

    def plot(self, ax=None):
        """Draw on ``ax`` (new figure when None; 3-D Axes for '3d'); return ``self``."""
        from matplotlib.lines import Line2D

        three_d = self.projection == "3d"
        fig, ax = get_ax(ax, projection="3d" if three_d else None,
                         figsize=(7, 6) if three_d else None)
        if three_d and getattr(ax, "name", "") != "3d":
            raise ValueError("projection='3d' needs a 3-D Axes "
                             "(fig.add_subplot(projection='3d')).")
        n_classes = len(self.classes)
        names = class_names_for(self.classes, self.class_names)
        H = self.hidden
        self.hidden_, self.projection_, self.grid_lines_ = H, self.projection, self.grid_lines
        lo, hi = grid_limits(np.vstack([H] + self.grid_lines), 0.08)

        for line in self.grid_lines:
            ax.plot(*line.T, color="0.55", linewidth=0.6, alpha=0.7 if three_d else 0.8,
                    **({} if three_d else {"zorder": 1}))
        handles = []
        if self.grid_lines:
            handles.append(Line2D([], [], color="0.55", linewidth=0.8,
                                  label="input-plane grid"))
        self.boundary_ = None
        if three_d:
            self.boundary_ = self._draw_planes(ax, lo, hi)
            if self.boundary_:
                from matplotlib.patches import Patch

                handles.append(Patch(facecolor="0.35", alpha=0.3,
                                     label="separating plane" if self.normal is not None
                                     else "class borders (planes)"))
        elif self.normal is not None or self.logit_map is not None:
            handles.append(self._draw_regions(ax, lo, hi, n_classes))

        if self.y is not None:
            self.scatter_ = scatter_classes(
                ax, H, self.y, self.classes, names, class_colors(n_classes, samples=True),
                size=(12 if len(H) > 400 else 20) if three_d else None, three_d=three_d)
        else:
            self.scatter_ = [ax.scatter(*H.T, c="black", s=15, zorder=3, label="samples")]
        loc = (dict(loc="upper left", bbox_to_anchor=(-0.12, 1.02)) if three_d else
               dict(loc=legend_corner(H[:, 0], H[:, 1], (lo[0], hi[0]), (lo[1], hi[1]))))
        ax.legend(handles=list(self.scatter_) + handles, fontsize="small", framealpha=0.9,
                  **loc)
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

    def _draw_regions(self, ax, lo, hi, n_classes):
        """2-D: the two sides (binary) or the class regions, and their border."""
        from matplotlib.colors import ListedColormap
        from matplotlib.lines import Line2D

        g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], 300), np.linspace(lo[1], hi[1], 300))
        U = np.column_stack([g0.ravel(), g1.ravel()])
        if self.normal is not None:
            w, b = self.normal
            side = ((U @ w + b) > 0).astype(float).reshape(g0.shape)
            ax.pcolormesh(g0, g1, side, cmap=ListedColormap(["#F7F1B5", "#EBC9DE"]),
                          vmin=0, vmax=1, shading="auto", zorder=0, rasterized=True)
            self.boundary_ = self._draw_line(ax, w, b, lo, hi)
            return Line2D([], [], color="black", linewidth=2, label="separating line")
        regions = self.regions(U).reshape(g0.shape)
        ax.pcolormesh(g0, g1, regions, cmap=ListedColormap(class_colors(n_classes)),
                      vmin=-0.5, vmax=n_classes - 0.5, alpha=0.3, shading="auto",
                      zorder=0, rasterized=True)
        self.boundary_ = ax.contour(g0, g1, regions, levels=np.arange(n_classes - 1) + 0.5,
                                    colors="black", linewidths=1.5)
        return Line2D([], [], color="black", linewidth=1.5, label="output-layer borders")

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

    def _draw_planes(self, ax, lo, hi):
        """Separating plane(s) in 3-D: binary w.h + b = 0; for K classes the
        piece of each plane z_i = z_j where i and j are the two top logits."""
        if self.normal is not None:
            pairs = [(*self.normal, None)]
        elif self.logit_map is not None:
            W, bias = self.logit_map
            K = W.shape[1]
            pairs = [(W[:, j] - W[:, i], bias[j] - bias[i], (i, j))
                     for i in range(K) for j in range(i + 1, K)]
        else:
            return None
        planes = []
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
                Z = P.reshape(-1, 3) @ W + bias
                top2 = np.sort(np.argsort(Z, axis=1)[:, -2:], axis=1)
                outside |= ~(top2 == np.array(pair)).all(axis=1).reshape(s.shape)
            if outside.all():
                continue
            P[outside] = np.nan
            planes.append(ax.plot_surface(P[..., 0], P[..., 1], P[..., 2], color="0.35",
                                          alpha=0.22, linewidth=0, shade=False))
        return planes


class HiddenSpaceSnapshots:
    """The space transform of several fitted networks side by side (seed 1.1.5).

    Typically copies of one network taken during training, e.g.::

        snapshots, net = [], BinaryMLPClassifier((2,), activation="tanh")
        for epoch in range(1, 301):
            net.partial_fit(X, y, classes=[0, 1])
            if epoch in (1, 30, 300):
                snapshots.append((f"after {epoch} epochs", copy.deepcopy(net)))
        HiddenSpaceSnapshots.from_estimators(snapshots, X, y)

    This class trains nothing: the caller decides how the networks are made.

    Attributes
    ----------
    displays_ : list of HiddenSpaceDisplay
    labels_ : list of str
    axes_ : list of matplotlib Axes
    figure_ : matplotlib Figure
    """

    @classmethod
    def from_estimators(cls, snapshots, X, y, *, layer=-1, projection="auto",
                        n_grid_lines=11, class_names=None, figsize=None):
        """Draw the hidden space of each ``(label, fitted estimator)`` in a row.

        Parameters
        ----------
        snapshots : sequence of (str, estimator)
            A label (the subplot's title starts with it) and a fitted MLP (or a
            Pipeline ending in one), all with the same hidden layer widths.
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        layer, projection, n_grid_lines, class_names
            As in :meth:`HiddenSpaceDisplay.from_estimator`; ``'auto'`` is
            resolved once, from the first estimator, so all panels match.
        figsize : (float, float), optional

        Returns
        -------
        display : HiddenSpaceSnapshots
        """
        snapshots = list(snapshots)
        if not snapshots or not all(isinstance(s, tuple) and len(s) == 2 for s in snapshots):
            raise ValueError("snapshots must be a non-empty sequence of (label, fitted "
                             f"estimator) pairs; got {len(snapshots)} items of types "
                             f"{sorted({type(s).__name__ for s in snapshots})}.")
        for _, est in snapshots:
            check_is_fitted(est)
        _, net = split_pipeline(snapshots[0][1])
        widths = [np.shape(W)[1] for W in net.coefs_[:-1]]
        layer = check_layer(layer, len(widths))
        projection = resolve_projection(projection, widths[layer], layer, len(widths))
        n = len(snapshots)
        fig = pyplot().figure(figsize=figsize or (4.6 * n, 4.4))
        self = cls()
        self.displays_, self.axes_, self.labels_ = [], [], []
        for i, (label, est) in enumerate(snapshots):
            ax = fig.add_subplot(1, n, i + 1, projection="3d" if projection == "3d" else None)
            disp = HiddenSpaceDisplay.from_estimator(
                est, X, y, layer=layer, projection=projection, n_grid_lines=n_grid_lines,
                class_names=class_names, ax=ax,
                title=f"{label} (accuracy {est.score(X, y):.2f})")
            if i > 0:
                ax.get_legend().remove()
            self.displays_.append(disp)
            self.axes_.append(ax)
            self.labels_.append(str(label))
        boundary = ", black: output layer's boundary" if any(
            d.boundary_ for d in self.displays_) else ""
        fig.suptitle(f"Hidden-layer space (grey: input-plane grid{boundary})",
                     fontsize="medium")
        fig.tight_layout()
        self.figure_ = fig
        return self
