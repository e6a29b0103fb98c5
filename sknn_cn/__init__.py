"""sknn_cn: nonlinear classification with neural networks whose backpropagation
is written out in NumPy, as scikit-learn compatible estimators.

The chapter this package implements (seed sections in brackets):

* :class:`BinaryMLPClassifier`, :class:`MulticlassMLPClassifier`: two- and
  three-layer nets for XOR, double arc, coin hole and MNIST (1.1, 1.2, 1.4.2);
* :mod:`sknn_cn.schedules`: the six learning-rate schedules (1.4.4.2);
* :mod:`sknn_cn.datasets`: the chapter's data (1.1.1, 1.2.1, 1.4.1).
"""

from ._mlp import BinaryMLPClassifier, MulticlassMLPClassifier
from .schedules import (
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

__version__ = "0.1.0"

__all__ = [
    "BinaryMLPClassifier",
    "MulticlassMLPClassifier",
    "LRSchedule",
    "FixedSchedule",
    "StepSchedule",
    "MultiStepSchedule",
    "ExponentialSchedule",
    "InverseSchedule",
    "PolynomialSchedule",
    "SCHEDULES",
    "get_schedule",
]
