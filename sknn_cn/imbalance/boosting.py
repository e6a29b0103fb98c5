"""Schapire's three-learner boosting and its class-imbalance variant (seed 1.3.1.4).

Schapire ("The strength of weak learnability", Machine Learning, 1990) builds
a strong learner from three weak ones.  The seed (1.3.1.4, "集成学习") uses the
first round of that construction, with finite data:

1. L1 learns the original data set;
2. L2 learns a set that is half samples L1 classifies correctly and half
   samples L1 gets wrong, drawn "循环一边采样一个": alternately one from the
   L1-wrong pool and one from the L1-correct pool;
3. L3 learns the samples on which L1 and L2 disagree;
4. the output is the vote of the three.

For class imbalance the seed fixes L1: on binary data where most samples are
of the "true" class, L1 always answers "true".  Then L1 is right on exactly
the majority samples and wrong on exactly the minority samples, so L2's set is
balanced; L1 and L2 disagree where L2 says "false"; and the vote says "false"
only where L2 and L3 both say "false".

Mapping of the seed's words used here: **true = the majority class** (the
class with more training samples) and **false = the minority class**.
"""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..training.callbacks import NULL_WATCH, WatchMixin, with_callbacks
from ._atomic import all_or_nothing

__all__ = ["SchapireBoostClassifier", "DegenerateBoostingWarning"]

# A learner trained on fewer samples than this of its smaller side is reported.
_FEW_SAMPLES = 10


class DegenerateBoostingWarning(UserWarning):
    """Raised when the three-learner construction cannot be carried out as described.

    The cases: L1 makes no training error (no L2 and L3 can be built), L1 and
    L2 never disagree on the training data (no L3), a learner's training set
    holds a single class (that learner becomes a constant), and too few
    L1-wrong (for the imbalance variant: minority) samples for L2.
    """


def _default_estimator():
    """Our MLP with one small hidden layer (a seed 1.2 style nonlinear classifier).

    L2 learns about twice as many samples as L1 gets wrong, often a few dozen:
    one mini-batch per epoch.  A larger first step (0.01 rather than 0.001)
    and more epochs let such small sets be learnt.
    """
    from sknn_cn import MulticlassMLPClassifier  # public API; imported late (cycle)

    return MulticlassMLPClassifier(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=500
    )


def _label(value):
    """A class label as a plain Python value, for messages."""
    return value.item() if isinstance(value, np.generic) else value


def _constant_learner(label):
    """A DummyClassifier always predicting ``label`` (given as an array: any dtype)."""
    return DummyClassifier(strategy="constant", constant=np.asarray([label]))


def _base(estimator):
    return estimator if estimator is not None else _default_estimator()


def _estimator_has(attr):
    def check(self):
        return hasattr(_base(self.estimator), attr)

    return check


class SchapireBoostClassifier(WatchMixin, MetaEstimatorMixin, ClassifierMixin,
                              BaseEstimator):
    """Schapire's (1990) three-learner boosting, classic or for class imbalance (seed 1.3.1.4).

    Parameters
    ----------
    estimator : classifier or None, default=None
        The base learner; it is cloned for L2 and L3 (and for L1 in the
        classic variant).  Any scikit-learn classifier works; ``predict_proba``
        is offered when the base learner has it.  ``None`` means
        ``sknn_cn.MulticlassMLPClassifier(hidden_layer_sizes=(16,),
        learning_rate_init=0.01, max_iter=500)`` (a larger first step than the
        MLP's default, because L2's and L3's training sets are small).
        Any ``random_state`` parameter of the clones (also nested ones, e.g.
        inside a pipeline) is set from this estimator's ``random_state``.

    variant : {'classic', 'imbalance'}, default='classic'
        - ``'classic'``: L1 is the base learner trained on all samples; works
          for any number of classes.
        - ``'imbalance'``: binary data only.  L1 always predicts the majority
          class (the seed's "true"); it is a
          ``DummyClassifier(strategy='constant')``.  L1's errors are then
          exactly the minority samples (the seed's "false").

    random_state : int, RandomState instance or None, default=None
        Drives the draws of L2's training set and seeds the clones.

    Attributes
    ----------
    estimators_ : list of fitted classifiers
        ``[L1, L2, L3]``.  Shorter in the degenerate cases (a
        :class:`DegenerateBoostingWarning` says which): ``[L1]`` when L1 makes
        no training error, ``[L1, L2]`` when L1 and L2 agree on every training
        sample.  A learner whose training set holds one class only is a
        ``DummyClassifier(strategy='constant')`` predicting that class.

    estimators_samples_ : list of ndarray of int
        For each learner, the indices (rows of the ``X`` given to ``fit``) of
        the samples it was trained on, in the order it saw them:

        - L1: ``arange(n_samples)``;
        - L2: ``[w_1, c_1, w_2, c_2, ..., w_k, c_k]`` with ``w`` drawn without
          replacement from the L1-wrong samples and ``c`` from the L1-correct
          samples, alternating, ``k = min(#wrong, #correct)`` (the smaller pool
          is used up).  In the imbalance variant this is every minority sample
          and as many randomly drawn majority samples;
        - L3: the samples where L1's and L2's predictions differ, in increasing
          order (imbalance variant: where L2 predicts the minority class).

    l1_correct_ : ndarray of bool of shape (n_samples,)
        Whether L1 classified each training sample correctly.

    classes_ : ndarray of shape (n_classes,)
        Class labels.

    majority_class_, minority_class_ : label
        Only for ``variant='imbalance'``: the seed's "true" (the class with
        more training samples; on a tie the first in ``classes_``) and "false".

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined only when ``X`` has feature names that are all strings.

    Notes
    -----
    **Prediction (the vote).**  With votes ``v1, v2, v3`` of L1, L2, L3 the
    output is ``v1`` where ``v1 == v2`` and ``v3`` otherwise.  For two classes
    this is exactly the majority vote of three; for more classes it is the
    plurality vote with L3, the learner trained on the disagreements, breaking
    a three-way tie.  In the imbalance variant ``v1`` is always the majority
    class, so the output is the minority class only where L2 and L3 both say
    so, the seed's rule.

    **Probabilities (so that ROC/AUC works).**  With ``p_i`` the class
    probabilities of learner ``i`` (columns aligned to ``classes_``; a
    learner that never saw a class gives it 0):

    - two classes: ``P(classes_[1]) = median(p1, p2, p3)`` of the learners'
      probabilities of ``classes_[1]``.  The median of three exceeds 1/2
      exactly when at least two of them do, so this is the majority vote made
      continuous and ``predict`` is its argmax.  In the imbalance variant
      ``P(minority) = median(0, p2, p3) = min(p2, p3)``: a fuzzy "L2 and L3".
    - more classes: the mean of the probability vectors of the learners whose
      vote equals the output (at least one; its argmax is the output).
    - ``[L1, L2]`` only: the mean of the two (the median of two); ``predict``
      is its argmax.  In the imbalance variant that is ``p2 / 2``, so the
      minority class is never predicted, as the seed's rule says without L3,
      while the ranking (hence AUC) still follows L2.
    - ``[L1]`` only: L1's probabilities.

    **What the imbalance variant does to recall.**  Only L2's training set is
    balanced.  L3 learns the samples L2 calls minority, and where the classes
    overlap most of those are L2's false alarms, so L3 learns imbalanced data
    again (12-13 % minority on the tour's 19:1 arcs).  The vote says minority
    only where L2 and L3 both do, so the ensemble's minority recall is at
    most L3's: a precision-first cascade, not a recall remedy.  See the
    README ("The chapter's remedy is the most conservative one") and
    ``benchmarks/bench_imbalance.py --schapire-anatomy``.

    ``predict`` uses the learners' ``predict`` (the seed's vote), so for a base
    learner whose ``predict`` is not the argmax of its ``predict_proba`` the two
    can differ.

    References
    ----------
    R. E. Schapire, "The strength of weak learnability", Machine Learning 5(2),
    197-227, 1990.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sknn_cn.imbalance import SchapireBoostClassifier
    >>> X, y = make_classification(n_samples=400, weights=[0.9], random_state=0)
    >>> clf = SchapireBoostClassifier(DecisionTreeClassifier(max_depth=2),
    ...                               variant="imbalance", random_state=0)
    >>> clf.fit(X, y).predict(X[:3]).shape
    (3,)
    >>> int(clf.minority_class_), int((y == 1).sum())
    (1, 41)
    >>> [len(idx) for idx in clf.estimators_samples_][:2]  # L1: all, L2: 2 x minority
    [400, 82]
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "variant": [StrOptions({"classic", "imbalance"})],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, variant="classic", random_state=None):
        self.estimator = estimator
        self.variant = variant
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    @with_callbacks  # sklearn callbacks: one subtask per learner (training.callbacks)
    def fit(self, X, y):
        """Train L1, L2 and L3 as in seed 1.3.1.4.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples.
        y : array-like of shape (n_samples,)
            Class labels; two classes for ``variant='imbalance'``.

        Returns
        -------
        self : SchapireBoostClassifier
            The fitted estimator.  If ``fit`` raises, the estimator is left
            exactly as it was (a ``RandomState`` passed as ``random_state``
            included).
        """
        watch = self._watch("fit", X, y, max_subtasks=3)  # before the snapshot
        with all_or_nothing(self), watch:
            return self._fit(X, y, watch)

    def _fit(self, X, y, watch=NULL_WATCH):
        self._validate_params()
        X, y = validate_data(self, X, y, ensure_all_finite=self._ensure_all_finite())
        check_classification_targets(y)
        self.classes_, counts = np.unique(y, return_counts=True)
        if self.classes_.size < 2:
            raise ValueError(
                "SchapireBoostClassifier needs samples of at least 2 classes; "
                f"got 1 class: {_label(self.classes_[0])!r}."
            )
        if self.variant == "imbalance" and self.classes_.size != 2:
            raise ValueError(
                "Only binary classification is supported. variant='imbalance' "
                f"(seed 1.3.1.4) got {self.classes_.size} classes "
                f"{self.classes_.tolist()!r}; use variant='classic' for more classes."
            )
        rng = check_random_state(self.random_state)
        n_samples = X.shape[0]
        all_indices = np.arange(n_samples)

        # L1
        if self.variant == "imbalance":
            # The seed's "true" is the majority class; L1 always answers it.
            if counts[0] == counts[1]:
                warnings.warn(
                    f"The classes are balanced ({counts[0]} samples each); "
                    "variant='imbalance' takes the first class "
                    f"{_label(self.classes_[0])!r} as the majority.",
                    DegenerateBoostingWarning,
                )
            majority = np.argmax(counts)
            self.majority_class_ = self.classes_[majority]
            self.minority_class_ = self.classes_[1 - majority]
            l1 = watch.fit_learner("L1", _constant_learner(self.majority_class_), X, y)
        else:
            l1 = self._fit_learner(X, y, rng, "L1", watch)
        self.estimators_ = [l1]
        self.estimators_samples_ = [all_indices]
        v1 = l1.predict(X)
        self.l1_correct_ = v1 == y

        # L2: alternately one L1-wrong and one L1-correct sample.
        wrong = rng.permutation(np.flatnonzero(~self.l1_correct_))
        correct = rng.permutation(np.flatnonzero(self.l1_correct_))
        if wrong.size == 0:
            warnings.warn(
                "L1 classifies every training sample correctly, so L2 (half "
                "L1-wrong samples) and L3 cannot be built; the ensemble is L1 alone.",
                DegenerateBoostingWarning,
            )
            return self
        k = min(wrong.size, correct.size)
        if k < _FEW_SAMPLES:
            what = (
                f"only {wrong.size} minority samples"
                if self.variant == "imbalance"
                else f"L1 gets {wrong.size} samples wrong and {correct.size} right"
            )
            warnings.warn(
                f"L2 is trained on only {2 * k} samples ({what}); fewer than "
                f"{_FEW_SAMPLES} per side makes L2 unreliable.",
                DegenerateBoostingWarning,
            )
        l2_indices = np.empty(2 * k, dtype=np.intp)
        l2_indices[0::2] = wrong[:k]
        l2_indices[1::2] = correct[:k]
        l2 = self._fit_learner(X[l2_indices], y[l2_indices], rng, "L2", watch)
        self.estimators_.append(l2)
        self.estimators_samples_.append(l2_indices)

        # L3: where L1 and L2 disagree.
        l3_indices = np.flatnonzero(l2.predict(X) != v1)
        if l3_indices.size == 0:
            warnings.warn(
                "L1 and L2 agree on every training sample, so L3 cannot be "
                "trained; the ensemble is L1 and L2 (mean of their probabilities).",
                DegenerateBoostingWarning,
            )
            return self
        l3 = self._fit_learner(X[l3_indices], y[l3_indices], rng, "L3", watch)
        self.estimators_.append(l3)
        self.estimators_samples_.append(l3_indices)
        return self

    def _fit_learner(self, X, y, rng, name, watch=NULL_WATCH):
        """Fit a fresh clone of the base learner on ``(X, y)``; a constant if one class."""
        labels = np.unique(y)
        if labels.size == 1:
            warnings.warn(
                f"{name}'s training set holds only class {_label(labels[0])!r} "
                f"({y.size} sample(s)); {name} always predicts it.",
                DegenerateBoostingWarning,
            )
            return watch.fit_learner(name, _constant_learner(labels[0]), X, y)
        learner = clone(_base(self.estimator))
        seeds = {
            key: rng.randint(np.iinfo(np.int32).max)
            for key in sorted(learner.get_params(deep=True))
            if key == "random_state" or key.endswith("__random_state")
        }
        learner.set_params(**seeds)
        return watch.fit_learner(name, learner, X, y)

    # ------------------------------------------------------------------ predict
    def _votes(self, X):
        return [learner.predict(X) for learner in self.estimators_]

    def _aligned_proba(self, learner, X):
        """``learner.predict_proba(X)`` with columns aligned to ``self.classes_``."""
        proba = learner.predict_proba(X)
        aligned = np.zeros((X.shape[0], self.classes_.size), dtype=np.float64)
        aligned[:, np.searchsorted(self.classes_, learner.classes_)] = proba
        return aligned

    def predict(self, X):
        """Predict classes by the seed's vote of L1, L2, L3.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
            ``v1`` where L1 and L2 agree, else ``v3`` (see Notes of the class).
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite=self._ensure_all_finite())
        if len(self.estimators_) == 2:
            if all(hasattr(est, "predict_proba") for est in self.estimators_):
                mean = (self._aligned_proba(self.estimators_[0], X)
                        + self._aligned_proba(self.estimators_[1], X)) / 2
                return self.classes_[np.argmax(mean, axis=1)]
            return self.estimators_[0].predict(X)
        votes = self._votes(X)
        if len(votes) == 1:
            return votes[0]
        v1, v2, v3 = votes
        return np.where(v1 == v2, v1, v3)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the vote, continuous so that ROC/AUC works.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Binary: ``P(classes_[1])`` is the median of the learners'
            probabilities of ``classes_[1]``; multiclass: the mean of the
            probability vectors of the learners that voted for the predicted
            class.  Columns follow ``classes_``; rows sum to 1.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite=self._ensure_all_finite())
        probas = np.stack([self._aligned_proba(est, X) for est in self.estimators_])
        if probas.shape[0] < 3:
            return probas.mean(axis=0)
        if self.classes_.size == 2:
            positive = np.median(probas[:, :, 1], axis=0)
            return np.column_stack([1.0 - positive, positive])
        votes = np.stack(self._votes(X))
        winner = np.where(votes[0] == votes[1], votes[0], votes[2])
        voted = (votes == winner).astype(np.float64)[:, :, None]
        return (voted * probas).sum(axis=0) / voted.sum(axis=0)

    @available_if(_estimator_has("predict_proba"))
    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (``-inf`` where it is 0).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @staticmethod
    def _ensure_all_finite():
        """NaN and inf are the base learner's to accept or refuse (as sklearn's
        BaggingClassifier does): a pipeline with an imputer, or a
        HistGradientBoostingClassifier, handles missing values itself."""
        return False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = get_tags(_base(self.estimator)).input_tags.allow_nan
        if self.variant == "imbalance":
            tags.classifier_tags.multi_class = False
        return tags
