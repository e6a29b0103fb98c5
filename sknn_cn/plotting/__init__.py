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
:class:`HiddenSpaceSnapshots`  the same for several fitted networks (e.g.      1.1.5
                               copies taken during training), side by side
:class:`TrainingCurvesDisplay` loss, validation loss and validation score      1.4.4
:class:`RocCurvesDisplay`      ROC curves (binary, or one-vs-rest per class)   1.1.2
                               via sklearn's ``RocCurveDisplay``
:class:`LRFinderDisplay`       the learning-rate range test's loss curve and   1.4.4.1
                               its usable range
:class:`LRBatchGridDisplay`    learning rate x batch size grid, best rate per  1.4.4.3
                               batch size and the linear / sqrt rules
=============================  ==============================================  =========

Modules: ``boundary`` (1.1.4), ``hidden_space`` and its algebra ``projection``
(1.1.5), ``curves``, ``roc``, ``lr_batch_grid``, and ``common`` (palette, axes,
legends).  The Displays draw; they never train.

For the confusion matrix use :class:`sklearn.metrics.ConfusionMatrixDisplay`
directly (it works with these estimators); :data:`SEQUENTIAL_CMAP` is a
colour-blind-safe colour map for it.

Every Display has ``from_estimator`` (or ``from_*``) and ``plot(ax=None)``, keeps
``figure_`` and ``ax_``, imports matplotlib only when drawing and never calls
pyplot's ``show``.  Colours come from the Okabe-Ito palette, which stays distinct for
the common forms of colour blindness; classes also differ by marker shape.
"""

from .boundary import BoundaryDisplay
from .common import OKABE_ITO, SEQUENTIAL_CMAP
from .curves import LRFinderDisplay, TrainingCurvesDisplay
from .hidden_space import HiddenSpaceDisplay, HiddenSpaceSnapshots
from .lr_batch_grid import LRBatchGridDisplay
from .roc import RocCurvesDisplay

__all__ = [
    "OKABE_ITO",
    "SEQUENTIAL_CMAP",
    "BoundaryDisplay",
    "HiddenSpaceDisplay",
    "HiddenSpaceSnapshots",
    "TrainingCurvesDisplay",
    "RocCurvesDisplay",
    "LRFinderDisplay",
    "LRBatchGridDisplay",
]
