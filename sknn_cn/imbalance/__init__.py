"""Class imbalance (seed 1.3): the chapter's two remedies that libraries lack.

* :class:`PerAttributeOverSampler` (``sampling.py``, seed 1.3.1.3): synthetic
  minority samples drawn attribute by attribute, an imbalanced-learn sampler;
* :class:`SchapireBoostClassifier` (``boosting.py``, seed 1.3.1.4): Schapire's
  three-learner boosting and the seed's imbalance variant.

Re-sampling ratios, combined over- and under-sampling (1.3.1.1) and AUC
(1.3.1.2) are imbalanced-learn's and scikit-learn's; ``benchmarks/
bench_imbalance.py`` compares them all.
"""

from .boosting import DegenerateBoostingWarning, SchapireBoostClassifier
from .sampling import PerAttributeOverSampler

__all__ = ["PerAttributeOverSampler", "SchapireBoostClassifier", "DegenerateBoostingWarning"]
