"""The tour's own pictures: the ones no Display of :mod:`sknn_cn.plotting` draws yet.

Each function takes numbers the sections computed and returns a matplotlib
figure (the report saves and closes it); nothing here trains a model except
that :func:`imbalance_figures` asks fitted models for their probabilities on a
grid, through the Displays.  Candidates to become Displays of
:mod:`sknn_cn.plotting`: :func:`gradient_check_figure` (a
``GradientCheckDisplay.from_result``), :func:`schedules_figure` (a
``ScheduleDisplay`` of rates and loss curves) and :func:`mistakes_figure` (a
grid of misclassified images).  :func:`place_best_legends` belongs in
``BoundaryDisplay`` itself.
"""

import numpy as np

from sknn_cn.plotting import OKABE_ITO, BoundaryDisplay

__all__ = ["place_best_legends", "imbalance_figures", "mistakes_figure",
           "gradient_check_figure", "schedules_figure"]


def place_best_legends(fig):
    """Place the legends over a probability map cheaply.

    matplotlib's 'best' turns every cell of a pcolormesh into a path to find
    the emptiest spot: 40,000 cells per boundary picture, about a third of the
    quick tour's time.  Here the corner with the fewest scatter points in its
    35 % x 35 % box is chosen instead (the map covers every corner anyway).
    """
    from matplotlib.collections import PathCollection, QuadMesh

    corners = {"upper right": (1, 1), "upper left": (0, 1), "lower left": (0, 0),
               "lower right": (1, 0)}
    for ax in fig.axes:
        legend = ax.get_legend()
        # every legend over a map is placed here (matplotlib has no public
        # getter telling whether it was asked for loc='best')
        if legend is None or not any(isinstance(c, QuadMesh) for c in ax.collections):
            continue
        points = [c.get_offsets() for c in ax.collections
                  if isinstance(c, PathCollection) and len(c.get_offsets())]
        if not points:
            legend.set_loc("upper right")
            continue
        xy = (ax.transData + ax.transAxes.inverted()).transform(np.vstack(points))

        def crowd(corner):
            cx, cy = corners[corner]
            return int(np.sum((np.abs(xy[:, 0] - cx) < 0.35)
                              & (np.abs(xy[:, 1] - cy) < 0.35)))

        legend.set_loc(min(corners, key=crowd))


def imbalance_figures(models, results, scores, X_te, y_te, *, grid_resolution):
    """ROC curves of every model, and a 3 x 3 grid of their decision boundaries.

    ``results[name]`` holds ``tpr`` and ``auc``; ``scores[name]`` the test
    set's P(minority).  A model with ``best_threshold_`` (sklearn's
    ``TunedThresholdClassifierCV``) also gets its own cut drawn dashed.
    Returns ``(fig_roc, fig_boundaries)``.
    """
    import matplotlib.pyplot as plt
    from sklearn.metrics import RocCurveDisplay

    fig_roc, ax_roc = plt.subplots(figsize=(6.5, 5.5))
    fig_b, axes = plt.subplots(3, 3, figsize=(13, 12), sharex=True, sharey=True)
    styles = ["-", "--", "-.", ":", "-", "--", "-.", ":", "-"]
    for i, (name, model) in enumerate(models.items()):
        r = results[name]
        RocCurveDisplay.from_predictions(
            y_te, scores[name], name=name, ax=ax_roc,
            curve_kwargs={"color": OKABE_ITO[[4, 5, 2, 0, 6, 1, 3, 7, 5][i]],
                          "linestyle": styles[i], "linewidth": 1.8},
            plot_chance_level=(i == len(models) - 1))
        ax = axes.ravel()[i]
        BoundaryDisplay.from_estimator(model, X_te, y_te, ax=ax, colorbar=False,
                                       grid_resolution=grid_resolution,
                                       title=f"{name}\nminority recall "
                                             f"{r['tpr']:.2f}, AUC {r['auc']:.3f}")
        if hasattr(model, "best_threshold_"):
            # the map and the black line show P = 0.5; this model cuts lower
            g0, g1 = np.meshgrid(*[np.linspace(*lim, 120) for lim in
                                   (ax.get_xlim(), ax.get_ylim())])
            proba = model.predict_proba(np.c_[g0.ravel(), g1.ravel()])[:, 1]
            ax.contour(g0, g1, proba.reshape(g0.shape), levels=[model.best_threshold_],
                       colors="black", linestyles="--", linewidths=1.5)
            ax.set_title(f"{name}\nrecall {r['tpr']:.2f}, AUC {r['auc']:.3f}; "
                         f"dashed: P = {model.best_threshold_:.3f}, its cut")
        if i:
            ax.get_legend().remove()
    ax_roc.set_title("ROC on the 19:1 test set")
    ax_roc.set_xlabel("False positive rate (FPR)")
    ax_roc.set_ylabel("True positive rate (TPR)")
    ax_roc.legend(fontsize="small", loc="lower right")
    fig_b.suptitle("Decision boundaries on the 19:1 test set (pink: minority class 1)")
    fig_b.tight_layout()
    return fig_roc, fig_b


def mistakes_figure(X_te, y_te, pred, image_shape, n=12):
    """Up to ``n`` misclassified test images with true and predicted labels (or None)."""
    import matplotlib.pyplot as plt

    wrong = np.flatnonzero(pred != y_te)[:n]
    if not wrong.size:
        return None
    fig, axes = plt.subplots(2, 6, figsize=(10, 4))
    for ax in axes.ravel():
        ax.axis("off")
    for ax, i in zip(axes.ravel(), wrong):
        ax.imshow(X_te[i].reshape(image_shape), cmap="gray_r")
        ax.set_title(f"true {y_te[i]}, said {pred[i]}", fontsize="small")
    fig.suptitle("Some test digits the network gets wrong")
    return fig


def gradient_check_figure(first, runs, *, random_state):
    """Back-propagation against two-sided differences, and diff per array in bands.

    ``first`` is the :func:`~sknn_cn.check_gradients` result drawn on the left
    (up to 400 elements per array); ``runs`` maps a label to a result, one bar
    per array each, every bar at its own array's name.  Returns ``(fig,
    bar_names)``, the labels in the order the bars are drawn.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import SymmetricalLogLocator

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12.5, 5))
    colors = [OKABE_ITO[i] for i in (4, 0, 2, 5, 6, 1)]
    markers = ["o", "^", "s", "D", "v", "P"]
    rng = np.random.default_rng(random_state)
    for k, (nm, arr_a, arr_n) in enumerate(zip(
            first.names, first.to_arrays(first.analytic).values(),
            first.to_arrays(first.numerical).values())):
        a, n = arr_a.ravel(), arr_n.ravel()
        keep = np.flatnonzero(np.isfinite(n) & (a != 0))
        if keep.size > 400:
            keep = rng.choice(keep, 400, replace=False)
        ax1.scatter(a[keep], n[keep], s=22, c=colors[k], marker=markers[k],
                    label=nm, alpha=0.75, edgecolors="none")
    lim = np.nanmax(np.abs(first.analytic[first.checked])) * 1.1
    ax1.plot([-lim, lim], [-lim, lim], color="black", linewidth=1, label="y = x")
    ax1.set_xscale("symlog", linthresh=1e-6)
    ax1.set_yscale("symlog", linthresh=1e-6)
    for axis in (ax1.xaxis, ax1.yaxis):
        axis.set_major_locator(SymmetricalLogLocator(linthresh=1e-6, base=100))
    ax1.set_xlabel("back-propagation gradient")
    ax1.set_ylabel("two-sided difference (J(θ+h) - J(θ-h)) / 2h")
    ax1.set_title("Every checked element lies on y = x (fresh weights)")
    ax1.legend(fontsize="small", loc="upper left", markerscale=2)
    # per-array diff against the seed's bands
    bands = [(1e-16, 1e-7, "#E5F5EC", "correct"),
             (1e-7, 1e-4, "#FFF7D6", "acceptable for relu only"),
             (1e-4, 1e-2, "#FDE3CF", "suspicious"), (1e-2, 1.0, "#F6D0D0", "wrong")]
    for lo, hi, colour, label in bands:
        ax2.axhspan(lo, hi, color=colour, zorder=0)
        ax2.text(0.99, np.sqrt(lo * hi) if lo > 1e-16 else 1e-9, label,
                 transform=ax2.get_yaxis_transform(), ha="right", va="center",
                 fontsize="small", color="0.3")
    width = 0.8 / len(runs)
    bar_names = [p["name"] for p in first.per_parameter]     # the bars' order
    for j, (label, r) in enumerate(runs.items()):
        # each bar at the position of its own array's name (never by index alone)
        diffs = {p["name"]: max(p["diff"], 1e-16) for p in r.per_parameter}
        ax2.bar(np.arange(len(bar_names)) + (j - (len(runs) - 1) / 2) * width,
                [diffs[n] for n in bar_names], width=width,
                color=[OKABE_ITO[4], OKABE_ITO[0], OKABE_ITO[5], OKABE_ITO[1]][j],
                label=label, hatch=["", "//", "..", "xx"][j], edgecolor="black",
                linewidth=0.5)
    ax2.set_yscale("log")
    ax2.set_ylim(1e-13, 1.0)
    ax2.set_xticks(np.arange(len(bar_names)), bar_names)
    ax2.set_ylabel("relative difference (seed 1.4.3.2)")
    ax2.set_title("diff per parameter array and the seed's verdict bands")
    ax2.legend(fontsize="small", loc="upper left")
    fig.tight_layout()
    return fig, bar_names


def schedules_figure(steps, lrs, curves, mean_accs, *, curve_seed):
    """The six schedules' learning rates per update, and a training-loss curve each.

    ``lrs[key]`` are the rates at ``steps``; ``curves[key]`` the loss per epoch
    of the run with ``random_state=curve_seed``; ``mean_accs[key]`` goes in the
    legend.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, (ax_lr, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.6))
    colors = [OKABE_ITO[i] for i in (7, 0, 1, 2, 5, 6)]
    styles = ["-", "--", "-.", ":", "-", "--"]
    for i, key in enumerate(lrs):
        ax_lr.plot(steps, lrs[key], color=colors[i], linestyle=styles[i], linewidth=2,
                   label=key)
        ax_loss.plot(np.arange(1, len(curves[key]) + 1), curves[key],
                     color=colors[i], linestyle=styles[i], linewidth=2,
                     marker="o", markersize=3,
                     label=f"{key} (mean test acc {mean_accs[key]:.3f})")
    ax_lr.set_xlabel("update t (mini-batch)")
    ax_lr.set_ylabel("learning rate")
    ax_lr.set_title("The six schedules of seed 1.4.4.2")
    ax_lr.legend(fontsize="small")
    ax_lr.grid(True, alpha=0.3)
    ax_loss.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss")
    ax_loss.set_title(f"Training loss with each schedule (random_state {curve_seed})")
    ax_loss.legend(fontsize="small")
    ax_loss.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig
