"""Decision boundary by grid sampling (seed 1.1.4)."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .common import (
    binary_cmap,
    class_colors,
    class_names_for,
    get_ax,
    grid_limits,
    legend_corner,
    scatter_classes,
)

__all__ = ["BoundaryDisplay"]


def _check_2d_input(X):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            "BoundaryDisplay draws the input plane, so X must have exactly 2 features; "
            f"got X of shape {X.shape}.")
    return X


def _feature_labels(estimator, xlabel, ylabel):
    names = getattr(estimator, "feature_names_in_", None)
    if xlabel is None:
        xlabel = str(names[0]) if names is not None else "$x_1$"
    if ylabel is None:
        ylabel = str(names[1]) if names is not None else "$x_2$"
    return xlabel, ylabel


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
        X = _check_2d_input(X)
        if (isinstance(grid_resolution, bool) or not isinstance(grid_resolution, (int, np.integer))
                or grid_resolution < 2):
            raise ValueError(
                "grid_resolution must be an integer >= 2; got "
                f"grid_resolution={grid_resolution!r}.")
        lo, hi = grid_limits(X, margin)
        x0 = np.linspace(*(xlim if xlim is not None else (lo[0], hi[0])), grid_resolution)
        x1 = np.linspace(*(ylim if ylim is not None else (lo[1], hi[1])), grid_resolution)
        xx0, xx1 = np.meshgrid(x0, x1)
        proba = estimator.predict_proba(np.column_stack([xx0.ravel(), xx1.ravel()]))
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
        from matplotlib.colors import ListedColormap
        from matplotlib.lines import Line2D

        fig, ax = get_ax(ax)
        n_classes = len(self.classes)
        names = class_names_for(self.classes, self.class_names)
        self.colorbar_ = None
        if n_classes == 2:
            self.surface_ = ax.pcolormesh(self.xx0, self.xx1, self.response,
                                          cmap=binary_cmap(), vmin=0, vmax=1,
                                          shading="auto", rasterized=True)
            self.contour_ = ax.contour(self.xx0, self.xx1, self.response,
                                       levels=[0.5], colors="black", linewidths=2)
            if colorbar:
                self.colorbar_ = fig.colorbar(self.surface_, ax=ax)
                self.colorbar_.set_label(f"P(class {names[1]})")
                self.colorbar_.ax.axhline(0.5, color="black", linewidth=2)
            default_title = ("Decision boundary: P = 0.5 contour\n"
                             f"(pink: class {names[1]}, yellow: class {names[0]})")
            border = Line2D([], [], color="black", linewidth=2, label="P = 0.5")
        else:
            self.surface_ = ax.pcolormesh(self.xx0, self.xx1, self.response,
                                          cmap=ListedColormap(class_colors(n_classes)),
                                          vmin=-0.5, vmax=n_classes - 0.5, alpha=0.35,
                                          shading="auto", rasterized=True)
            self.contour_ = ax.contour(self.xx0, self.xx1, self.response,
                                       levels=np.arange(n_classes - 1) + 0.5,
                                       colors="black", linewidths=1.2)
            default_title = "Decision regions by grid sampling"
            border = Line2D([], [], color="black", linewidth=1.2, label="class border")
        self.scatter_ = []
        if self.X is not None and self.y is not None:
            self.scatter_ = scatter_classes(ax, np.asarray(self.X), self.y, self.classes,
                                            names, class_colors(n_classes, samples=True))
        elif self.X is not None:
            self.scatter_ = [ax.scatter(self.X[:, 0], self.X[:, 1], s=20, c="black",
                                        zorder=3, label="samples")]
        xlim = (self.xx0.min(), self.xx0.max())
        ylim = (self.xx1.min(), self.xx1.max())
        points = np.empty((0, 2)) if self.X is None else np.asarray(self.X, dtype=float)
        ax.legend(handles=list(self.scatter_) + [border], framealpha=0.9, fontsize="small",
                  loc=legend_corner(points[:, 0], points[:, 1], xlim, ylim))
        ax.set_xlabel(self.xlabel or "$x_1$")
        ax.set_ylabel(self.ylabel or "$x_2$")
        ax.set_title(self.title if self.title is not None else default_title)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        self.ax_, self.figure_ = ax, fig
        return self
