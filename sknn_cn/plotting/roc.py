"""ROC curves (seed 1.1.2) with sklearn's RocCurveDisplay, one per class for
more than two classes."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .common import OKABE_ITO, class_colors, class_names_for, get_ax

__all__ = ["RocCurvesDisplay"]


class RocCurvesDisplay:
    """ROC curves (seed 1.1.2): sklearn's :class:`~sklearn.metrics.RocCurveDisplay`
    for a binary task, one curve per class (one-vs-rest) for more classes, on one
    Axes with the chance diagonal.

    Attributes
    ----------
    displays_ : list of sklearn RocCurveDisplay
        One per curve: ``classes[1]`` for a binary task, every class otherwise.
    ax_, figure_ : matplotlib Axes and Figure
    """

    @classmethod
    def from_estimator(cls, estimator, X, y, *, class_names=None, name=None, ax=None):
        """ROC of ``estimator.predict_proba(X)`` against ``y``."""
        check_is_fitted(estimator)
        return cls.from_predictions(y, estimator.predict_proba(X),
                                    classes=estimator.classes_, class_names=class_names,
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

        fig, ax = get_ax(ax)
        classes = np.asarray(classes)
        y_proba = np.asarray(y_proba, dtype=float)
        if y_proba.ndim != 2 or y_proba.shape[1] != len(classes):
            raise ValueError(
                f"y_proba must have one column per class ({len(classes)}); got "
                f"shape {y_proba.shape}.")
        names = class_names_for(classes, class_names)
        binary = len(classes) == 2
        targets = [1] if binary else list(range(len(classes)))
        colors = [OKABE_ITO[4]] if binary else class_colors(len(classes))
        self = cls()
        self.displays_ = []
        for i, k in enumerate(targets):
            label = (f"{name or 'model'} (positive: {names[k]})" if binary
                     else f"class {names[k]} vs rest")
            self.displays_.append(RocCurveDisplay.from_predictions(
                np.asarray(y_true) == classes[k], y_proba[:, k], pos_label=True,
                name=label, ax=ax, curve_kwargs={"color": colors[i], "linewidth": 2},
                plot_chance_level=(i == len(targets) - 1)))
        ax.set_xlabel("False positive rate (FPR)")
        ax.set_ylabel("True positive rate (TPR)")
        ax.set_title("ROC curve" + ("" if binary else "s (one-vs-rest)"))
        ax.legend(loc="lower right", fontsize="small")
        self.ax_, self.figure_ = ax, fig
        return self
