"""Curves of training: loss per epoch, and the learning-rate range test (1.4.4.1)."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .common import OKABE_ITO, get_ax, legend_corner, split_pipeline

__all__ = ["TrainingCurvesDisplay", "LRFinderDisplay"]


def _optional_curve(curve):
    return None if curve is None or len(curve) == 0 else np.asarray(curve, dtype=float)


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
        self.validation_loss_curve = _optional_curve(validation_loss_curve)
        self.validation_scores = _optional_curve(validation_scores)
        self.name = name

    @classmethod
    def from_estimator(cls, estimator, *, name=None, ax=None, log_loss_axis=False):
        """Read ``loss_curve_``, ``validation_loss_curve_`` and
        ``validation_scores_`` of a fitted estimator (sknn_cn or sklearn MLP;
        sklearn's has no ``validation_loss_curve_``)."""
        _, net = split_pipeline(estimator)
        check_is_fitted(net, "loss_curve_")
        disp = cls(net.loss_curve_, getattr(net, "validation_loss_curve_", None),
                   getattr(net, "validation_scores_", None),
                   name=name or type(net).__name__)
        return disp.plot(ax=ax, log_loss_axis=log_loss_axis)

    def plot(self, ax=None, *, log_loss_axis=False):
        """Draw on ``ax`` (new figure when None); return ``self``."""
        from matplotlib.ticker import MaxNLocator

        fig, ax = get_ax(ax)
        self.lines_ = {}
        (self.lines_["loss"],) = ax.plot(np.arange(1, len(self.loss_curve) + 1),
                                         self.loss_curve, color=OKABE_ITO[4], linewidth=2,
                                         label="training loss")
        if self.validation_loss_curve is not None:
            (self.lines_["validation_loss"],) = ax.plot(
                np.arange(1, len(self.validation_loss_curve) + 1),
                self.validation_loss_curve, color=OKABE_ITO[5], linewidth=2,
                linestyle="--", label="validation loss")
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
            (self.lines_["validation_score"],) = ax2.plot(
                np.arange(1, len(self.validation_scores) + 1), self.validation_scores,
                color=OKABE_ITO[2], linewidth=2, linestyle=":", label="validation accuracy")
            ax2.set_ylabel("validation accuracy")
            handles.append(self.lines_["validation_score"])
            self.ax_score_ = ax2
        ax.legend(handles=handles, loc="center right", fontsize="small")
        ax.set_title(f"Training curves{': ' + self.name if self.name else ''}")
        self.ax_, self.figure_ = ax, fig
        return self


class LRFinderDisplay:
    """Loss against learning rate in the range test of Smith (2015), seed 1.4.4.1.

    Parameters
    ----------
    lrs : array-like of shape (n_steps,)
        Learning rate at each mini-batch (increasing).
    losses : array-like of shape (n_steps,)
        Loss after each step (raw or smoothed).
    suggestions : dict of str to float, optional
        Learning rates to mark, e.g. ``{"steepest descent": 0.03}``.
    raw_losses : array-like of shape (n_steps,), optional
        Unsmoothed losses, drawn faintly behind.
    lr_range : (float, float), optional
        The usable range ``(lr_min, lr_max)`` (seed 1.4.4.1), drawn as a
        shaded band; not drawn when either end is NaN.

    Attributes
    ----------
    line_ : Line2D
        The (smoothed) loss.
    raw_line_ : Line2D or None
        The raw losses.
    suggestion_lines_ : list of Line2D
        One vertical line per finite suggestion, in the order given.
    range_patch_ : matplotlib patch or None
        The shaded band of ``lr_range`` (``ax.axvspan``).
    ax_, figure_ : matplotlib Axes and Figure
    """

    def __init__(self, lrs, losses, *, suggestions=None, raw_losses=None, lr_range=None):
        self.lrs = np.asarray(lrs, dtype=float)
        self.losses = np.asarray(losses, dtype=float)
        if self.lrs.shape != self.losses.shape or self.lrs.ndim != 1:
            raise ValueError(
                "lrs and losses must be 1-D arrays of the same length; got shapes "
                f"{self.lrs.shape} and {self.losses.shape}.")
        if suggestions is not None and not isinstance(suggestions, dict):
            raise TypeError("suggestions must be a dict of label -> learning rate; got "
                            f"suggestions={suggestions!r}.")
        self.suggestions = dict(suggestions or {})
        self.raw_losses = None if raw_losses is None else np.asarray(raw_losses, float)
        if lr_range is not None:
            lr_range = tuple(float(v) for v in lr_range)
            if len(lr_range) != 2 or lr_range[0] > lr_range[1]:
                raise ValueError("lr_range must be a pair (lr_min, lr_max) with "
                                 f"lr_min <= lr_max; got lr_range={lr_range!r}.")
        self.lr_range = lr_range

    @classmethod
    def from_result(cls, result, *, ax=None):
        """Draw the result of :func:`sknn_cn.lr_finder.lr_range_test`.

        Reads the documented attributes of
        :class:`~sknn_cn.lr_finder.LRRangeTestResult`: ``lrs``,
        ``smoothed_losses`` (the line), ``losses`` (faint, behind),
        ``suggestions`` with ``rule`` marked "(default)", and the usable range
        ``lr_min`` .. ``lr_max`` (shaded).

        Parameters
        ----------
        result : LRRangeTestResult
        ax : matplotlib Axes, optional

        Returns
        -------
        display : LRFinderDisplay
        """
        from ..lr_finder import LRRangeTestResult

        if not isinstance(result, LRRangeTestResult):
            raise TypeError("from_result draws an LRRangeTestResult (what lr_range_test "
                            f"returns); got {type(result).__name__}. Use "
                            "LRFinderDisplay(lrs, losses, ...).plot() for other curves.")
        labelled = {(f"{name} (default)" if name == result.rule else name): lr
                    for name, lr in result.suggestions.items()}
        return cls(result.lrs, result.smoothed_losses, suggestions=labelled,
                   raw_losses=result.losses,
                   lr_range=(result.lr_min, result.lr_max)).plot(ax=ax)

    def plot(self, ax=None):
        """Draw on ``ax`` (new figure when None); return ``self``."""
        fig, ax = get_ax(ax)
        self.raw_line_ = None
        if self.raw_losses is not None:
            (self.raw_line_,) = ax.plot(self.lrs, self.raw_losses, color="0.7",
                                        linewidth=1, label="loss per batch")
        (self.line_,) = ax.plot(self.lrs, self.losses, color=OKABE_ITO[4], linewidth=2,
                                label="loss" if self.raw_losses is None else "smoothed loss")
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
        colors, styles = [OKABE_ITO[5], OKABE_ITO[2], OKABE_ITO[0]], ["--", ":", "-."]
        marked = [(label, float(lr)) for label, lr in self.suggestions.items()
                  if np.isfinite(lr)]
        for i, (label, lr) in enumerate(marked):
            self.suggestion_lines_.append(ax.axvline(
                lr, color=colors[i % 3], linestyle=styles[i % 3], linewidth=1.8,
                label=f"{label}: {lr:.3g}"))
        ax.set_xlabel("learning rate (log scale)")
        ax.set_ylabel("training loss")
        ax.set_title("Learning-rate range test (Smith 2015)")
        ax.grid(True, which="major", alpha=0.3)
        ax.grid(True, which="minor", alpha=0.08)
        if self.lrs.size:
            ax.legend(fontsize="small", loc=legend_corner(
                self.lrs, self.losses, ax.get_xlim(), ax.get_ylim(), log_x=True))
        self.ax_, self.figure_ = ax, fig
        return self
