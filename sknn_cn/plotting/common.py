"""What every Display shares: colours, markers, the Axes, legends, class names.

The names here are public inside :mod:`sknn_cn.plotting` so that each Display
module can use them; the user-facing API is the Displays and the palette
constants re-exported by ``sknn_cn.plotting``.
"""

import numpy as np

__all__ = [
    "OKABE_ITO",
    "SEQUENTIAL_CMAP",
    "PINK",
    "YELLOW",
    "OLIVE",
    "WINE",
    "MARKERS",
    "pyplot",
    "get_ax",
    "class_colors",
    "binary_cmap",
    "class_names_for",
    "scatter_classes",
    "grid_limits",
    "legend_corner",
    "split_pipeline",
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
#: One marker per class, so classes differ by shape as well as colour.
MARKERS = ("o", "^", "s", "D", "v", "P", "X", "*")


def pyplot():
    """``matplotlib.pyplot``, imported on first use (importing sknn_cn never loads it)."""
    import matplotlib.pyplot as plt

    return plt


def get_ax(ax, projection=None, figsize=None):
    """``(figure, ax)``: the given Axes and its figure, or a new figure with one Axes."""
    if ax is not None:
        return ax.figure, ax
    fig = pyplot().figure(figsize=figsize)
    return fig, fig.add_subplot(111, projection=projection)


def class_colors(n_classes, samples=False):
    """Binary: yellow / pink regions as the seed, olive / wine samples;
    more classes: Okabe-Ito (viridis beyond eight)."""
    if n_classes == 2:
        return [OLIVE, WINE] if samples else [YELLOW, PINK]
    if n_classes <= len(OKABE_ITO):
        # skip yellow early: it is pale on white; black last
        order = [0, 1, 2, 5, 4, 6, 3, 7]
        return [OKABE_ITO[i] for i in order[:n_classes]]
    import matplotlib

    cmap = matplotlib.colormaps["viridis"]
    return [cmap(v) for v in np.linspace(0, 1, n_classes)]


def binary_cmap():
    """Light yellow (P=0) -> white (P=0.5) -> light pink (P=1)."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list(
        "sknn_yellow_pink", ["#E8DC3A", "#FAF6C8", "#FFFFFF", "#EDCFE1", "#B8578F"])


def class_names_for(classes, class_names):
    """Legend names of ``classes``: the labels, or ``class_names`` (list or dict)."""
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


def scatter_classes(ax, X, y, classes, names, colors, *, size=None, three_d=False):
    """One scatter per class present in ``y`` (one legend entry each).

    Returns
    -------
    artists : list of PathCollection
    """
    artists = []
    if size is None:
        size = 120 if len(X) <= 20 else 40 if len(X) <= 400 else 25
    for k, (c, name) in enumerate(zip(classes, names)):
        mask = np.asarray(y) == c
        if not mask.any():
            continue
        kw = dict(c=[colors[k]], marker=MARKERS[k % len(MARKERS)], s=size,
                  edgecolors="black", linewidths=0.8, label=f"class {name}", zorder=3)
        if three_d:
            artists.append(ax.scatter(X[mask, 0], X[mask, 1], X[mask, 2],
                                      depthshade=False, **kw))
        else:
            artists.append(ax.scatter(X[mask, 0], X[mask, 1], **kw))
    return artists


def grid_limits(X, margin):
    """``(lo, hi)`` per column of ``X``, widened by ``margin`` times its range."""
    X = np.asarray(X, dtype=float)
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return lo - margin * span, hi + margin * span


#: Corners in matplotlib's order of preference for ``loc='best'``.
_CORNERS = {"upper right": (1, 1), "upper left": (0, 1), "lower left": (0, 0),
            "lower right": (1, 0)}


def legend_corner(x, y, xlim, ylim, *, log_x=False, size=0.35):
    """The legend corner that hides the fewest of the points ``(x, y)``.

    ``loc='best'`` asks matplotlib to test every candidate box against every
    drawn vertex, which over a 200 x 200 ``pcolormesh`` costs far more than
    the rest of the figure; counting the points in each corner's box
    (``size`` of the axis range on each side) is enough and is cheap.

    Returns
    -------
    loc : {'upper right', 'upper left', 'lower left', 'lower right'}
        Ties go to the earlier in that order.
    """
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    xlim = np.asarray(xlim, dtype=float)
    if log_x:
        x, xlim = np.log10(np.where(x > 0, x, np.nan)), np.log10(xlim)
    u = (x - xlim[0]) / (xlim[1] - xlim[0])
    v = (y - ylim[0]) / (ylim[1] - ylim[0])
    near = {0: lambda t: t < size, 1: lambda t: t > 1 - size}
    counts = {loc: int(np.sum(near[cx](u) & near[cy](v)))
              for loc, (cx, cy) in _CORNERS.items()}
    return min(counts, key=counts.get)


def split_pipeline(estimator):
    """``(transform, net)``: a Pipeline's preprocessing and its final step, or
    the identity and the estimator itself."""
    if getattr(estimator, "steps", None) is None:
        return (lambda X: X), estimator
    return estimator[:-1].transform, estimator.steps[-1][1]
