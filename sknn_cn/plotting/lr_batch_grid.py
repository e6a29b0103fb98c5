"""Heat map of a learning-rate x batch-size grid (seed 1.4.4.3).

The numbers come from :class:`sknn_cn.scaling.LRBatchGrid`; this module only
draws them.
"""

import numpy as np

from .common import OKABE_ITO, get_ax

__all__ = ["LRBatchGridDisplay"]


class LRBatchGridDisplay:
    """Heat map of a learning-rate x batch-size grid, best rate per batch marked.

    The linear and square-root rules, started from the smallest batch's best
    rate, are drawn over it, so one sees where the measured optimum follows
    which rule and where it saturates.

    Parameters
    ----------
    grid : sknn_cn.scaling.LRBatchGrid

    Attributes
    ----------
    image_ : AxesImage
        The scores, ``image_.get_array()`` of shape (n_batches, n_lrs), NaN masked.
    best_line_ : Line2D
        The refined best rate of each batch size (x in fractional columns).
    rule_lines_ : dict of str to Line2D
        ``'linear'`` and ``'sqrt'``: the rules' predictions from the first batch.
    ax_, figure_ : matplotlib Axes and Figure
    """

    def __init__(self, grid):
        self.grid = grid

    @classmethod
    def from_cv_results(cls, cv_results, *, ax=None, lr_param="learning_rate_init",
                        batch_param="batch_size", score="mean_test_score"):
        """Read a ``GridSearchCV.cv_results_`` (see
        :meth:`sknn_cn.scaling.LRBatchGrid.from_cv_results`) and draw it."""
        from ..scaling import LRBatchGrid

        grid = LRBatchGrid.from_cv_results(cv_results, lr_param=lr_param,
                                           batch_param=batch_param, score=score)
        return cls(grid).plot(ax=ax)

    def column(self, lr):
        """Fractional column position of learning rate(s) ``lr`` (log interpolation)."""
        g = self.grid
        return np.interp(np.log(lr), np.log(g.lrs), np.arange(g.lrs.size),
                         left=-0.5, right=g.lrs.size - 0.5)

    def plot(self, ax=None, *, cmap="cividis", annotate=True, title=None, span=0.2):
        """Draw on ``ax`` (a new figure when None); return ``self``.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        cmap : str, default='cividis'
        annotate : bool, default=True
            Write each score in its cell (the best of each row in bold).
        title : str, optional
        span : float, default=0.2
            The colours cover scores from ``best - span`` to ``best``; lower
            ones (diverged runs) all get the darkest colour, so they do not
            flatten the differences that matter.
        """
        g = self.grid
        fig, ax = get_ax(ax, figsize=(1.1 * g.lrs.size + 3, 0.7 * g.batch_sizes.size + 2.5))
        top = float(np.nanmax(g.scores)) if np.isfinite(g.scores).any() else 1.0
        self.image_ = ax.imshow(np.ma.masked_invalid(g.scores), cmap=cmap, aspect="auto",
                                origin="lower", vmin=top - span, vmax=top)
        cbar = fig.colorbar(self.image_, ax=ax, extend="min")
        cbar.set_label("validation accuracy")
        ax.set_xticks(range(g.lrs.size), [f"{lr:g}" for lr in g.lrs])
        ax.set_yticks(range(g.batch_sizes.size), [str(b) for b in g.batch_sizes])
        ax.set_xlabel("learning_rate_init (grid, log spaced)")
        ax.set_ylabel("batch_size")
        if annotate:
            middle = top - 0.5 * span
            for i in range(g.batch_sizes.size):
                for j in range(g.lrs.size):
                    s = g.scores[i, j]
                    ax.text(j, i, "div." if np.isnan(s) else f"{s:.3f}", ha="center",
                            va="center", fontsize="small",
                            fontweight="bold" if g.lrs[j] == g.best_lrs[i] else "normal",
                            color="black" if np.isnan(s) or s > middle else "white")
        rows = np.arange(g.batch_sizes.size)
        (self.best_line_,) = ax.plot(self.column(g.refined_lrs), rows, "o-",
                                     color=OKABE_ITO[5], linewidth=2, label="measured best lr")
        self.rule_lines_ = {}
        for rule, style, color in (("linear", "--", OKABE_ITO[0]), ("sqrt", ":", OKABE_ITO[1])):
            (self.rule_lines_[rule],) = ax.plot(
                self.column(g.rule_prediction(rule)), rows, style, color=color, linewidth=2,
                label=f"{rule} rule from batch {g.batch_sizes[0]}")
        ax.set_xlim(-0.5, g.lrs.size - 0.5)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3,
                  fontsize="small", frameon=False)
        ax.set_title(title or "Best learning rate against batch size (seed 1.4.4.3)")
        self.ax_, self.figure_ = ax, fig
        return self
