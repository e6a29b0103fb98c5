"""sknn_cn: nonlinear classification with neural networks whose backpropagation
is written out in NumPy, as scikit-learn compatible estimators.

The chapter this package implements (seed sections in brackets):

* :class:`BinaryMLPClassifier`, :class:`MulticlassMLPClassifier`: two- and
  three-layer nets for XOR, double arc, coin hole and MNIST (1.1, 1.2, 1.4.2);
* :mod:`sknn_cn.metrics`: the evaluation list (1.1.2);
* :mod:`sknn_cn.plotting`: decision boundaries and the hidden layer's space
  transform (1.1.4, 1.1.5), training curves, ROC, LR-finder curves;
* :class:`PerAttributeOverSampler`, :class:`SchapireBoostClassifier`: class
  imbalance (1.3);
* :mod:`sknn_cn.gradcheck`, :mod:`sknn_cn.lr_finder`, :mod:`sknn_cn.training.schedules`,
  :mod:`sknn_cn.scaling`: gradient checking and learning rates (1.4.3, 1.4.4);
* :mod:`sknn_cn.datasets`: the chapter's data (1.1.1, 1.2.1, 1.4.1);
* :func:`save_model`, :func:`load_model`: persistence that never runs code.

``python -m sknn_cn`` tours the chapter.
"""

__version__ = "0.1.0"

from .estimators import BinaryMLPClassifier, MulticlassMLPClassifier
from .imbalance import DegenerateBoostingWarning, SchapireBoostClassifier
from .gradcheck import check_gradients
from .lr_finder import lr_range_test
from .persistence import load_model, save_model
from .imbalance import PerAttributeOverSampler
from .scaling import scale_learning_rate
from .training.batch_schedules import BatchSizeSchedule
from .training.schedules import (
    SCHEDULES,
    ExponentialSchedule,
    FixedSchedule,
    InverseSchedule,
    LRSchedule,
    MultiStepSchedule,
    PolynomialSchedule,
    StepSchedule,
    get_schedule,
)

__all__ = [
    "BinaryMLPClassifier",
    "MulticlassMLPClassifier",
    "SchapireBoostClassifier",
    "DegenerateBoostingWarning",
    "PerAttributeOverSampler",
    "check_gradients",
    "lr_range_test",
    "scale_learning_rate",
    "save_model",
    "load_model",
    "LRSchedule",
    "FixedSchedule",
    "StepSchedule",
    "MultiStepSchedule",
    "ExponentialSchedule",
    "InverseSchedule",
    "PolynomialSchedule",
    "SCHEDULES",
    "get_schedule",
    "BatchSizeSchedule",
]
