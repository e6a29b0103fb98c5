"""Multilabel indicator y in BinaryMLPClassifier: one logistic unit per label.

Oracles: scikit-learn's MLPClassifier on the same data and settings (shapes,
``classes_``, held-out accuracy) and sklearn.metrics (the loss is the sum of
the labels' binary cross-entropies, ``log_loss`` per label).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    hamming_loss,
    log_loss,
    multilabel_confusion_matrix,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

#: sklearn's defaults, passed explicitly where ours differ
SKLEARN_DEFAULTS = dict(hidden_layer_sizes=(100,), activation="relu",
                        learning_rate_init=0.001, max_iter=200)


def _data(seed, n_samples=600):
    X, Y = make_multilabel_classification(n_samples=n_samples, n_features=20, n_classes=5,
                                          random_state=seed)
    return train_test_split(StandardScaler().fit_transform(X), Y, random_state=seed)


@pytest.mark.parametrize("seed", [10, 11])
def test_same_shapes_classes_and_comparable_accuracy_as_mlpclassifier(seed):
    X_train, X_test, Y_train, Y_test = _data(seed)
    ours = BinaryMLPClassifier(random_state=seed, **SKLEARN_DEFAULTS).fit(X_train, Y_train)
    theirs = MLPClassifier(random_state=seed, **SKLEARN_DEFAULTS).fit(X_train, Y_train)

    np.testing.assert_array_equal(ours.classes_, theirs.classes_)  # arange(n_labels)
    assert ours.n_outputs_ == theirs.n_outputs_ == 5
    assert ours.out_activation_ == theirs.out_activation_ == "logistic"
    pred, proba = ours.predict(X_test), ours.predict_proba(X_test)
    assert pred.shape == proba.shape == theirs.predict(X_test).shape == Y_test.shape
    assert pred.dtype == theirs.predict(X_test).dtype
    assert set(np.unique(pred)) <= {0, 1}
    assert ((proba >= 0) & (proba <= 1)).all()
    # a label is predicted where its own probability is above 1/2
    np.testing.assert_array_equal(pred, (proba > 0.5).astype(int))
    np.testing.assert_allclose(np.exp(ours.predict_log_proba(X_test)), proba, rtol=1e-12)
    assert ours.decision_function(X_test).shape == Y_test.shape

    # thresholds fixed before these seeds were run
    assert abs(accuracy_score(Y_test, pred)
               - accuracy_score(Y_test, theirs.predict(X_test))) <= 0.08
    assert abs(hamming_loss(Y_test, pred) - hamming_loss(Y_test, theirs.predict(X_test))) <= 0.04
    assert ours.score(X_test, Y_test) == accuracy_score(Y_test, pred)  # subset accuracy


def test_the_loss_is_the_sum_of_the_labels_binary_cross_entropies():
    X_train, _, Y_train, _ = _data(0, 200)
    clf = BinaryMLPClassifier((8,), alpha=0.0, max_iter=5, random_state=0).fit(X_train, Y_train)
    proba = clf.predict_proba(X_train)
    expected = sum(log_loss(Y_train[:, j], proba[:, j]) for j in range(Y_train.shape[1]))
    # one full-batch partial_fit records the loss at the weights it starts from
    clf.set_params(batch_size=len(X_train)).partial_fit(X_train, Y_train)
    assert clf.loss_ == pytest.approx(expected, rel=1e-10)


def test_partial_fit_over_batches_learns_as_mlpclassifier_and_metrics_work():
    X_train, X_test, Y_train, Y_test = _data(1)
    params = dict(hidden_layer_sizes=(50,), activation="logistic", learning_rate_init=0.01,
                  random_state=0)
    ours, theirs = BinaryMLPClassifier(**params), MLPClassifier(**params)
    for _ in range(10):
        for chunk in np.array_split(np.arange(len(X_train)), 3):
            for clf in (ours, theirs):
                clf.partial_fit(X_train[chunk], Y_train[chunk], classes=[0, 1, 2, 3, 4])
    assert ours.n_iter_ == theirs.n_iter_
    pred, proba = ours.predict(X_test), ours.predict_proba(X_test)
    their_pred, their_proba = theirs.predict(X_test), theirs.predict_proba(X_test)
    assert roc_auc_score(Y_test, proba) > 0.65  # chance is 0.5
    assert abs(roc_auc_score(Y_test, proba) - roc_auc_score(Y_test, their_proba)) < 0.05
    assert abs(hamming_loss(Y_test, pred) - hamming_loss(Y_test, their_pred)) < 0.05
    assert abs(f1_score(Y_test, pred, average="samples", zero_division=0)
               - f1_score(Y_test, their_pred, average="samples", zero_division=0)) < 0.08
    assert multilabel_confusion_matrix(Y_test, pred).shape == (5, 2, 2)


def test_partial_fit_classes_must_match_the_label_columns():
    X_train, _, Y_train, _ = _data(2, 100)
    with pytest.raises(ValueError, match=r"5 label columns.*\[0, 1, 2, 3, 4\]"):
        BinaryMLPClassifier((4,)).partial_fit(X_train, Y_train, classes=[0, 1, 2])


def test_sparse_x_and_early_stopping_with_multilabel_y():
    X_train, X_test, Y_train, Y_test = _data(3)
    params = dict(hidden_layer_sizes=(16,), max_iter=20, random_state=0, early_stopping=True)
    dense = BinaryMLPClassifier(**params).fit(X_train, Y_train)
    sparse = BinaryMLPClassifier(**params).fit(sp.csr_matrix(X_train), Y_train)
    for a, b in zip(dense.coefs_, sparse.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)
    # the validation score is the subset accuracy, as in MLPClassifier
    assert 0.0 <= dense.best_validation_score_ <= 1.0
    assert dense.best_validation_score_ == max(dense.validation_scores_)
    np.testing.assert_array_equal(sparse.predict(sp.csr_matrix(X_test)), dense.predict(X_test))


def test_the_wrong_classifier_or_settings_are_rejected_clearly():
    X_train, _, Y_train, _ = _data(4, 100)
    with pytest.raises(ValueError, match="use BinaryMLPClassifier"):
        MulticlassMLPClassifier((4,)).fit(X_train, Y_train)
    with pytest.raises(ValueError, match="class_weight is not supported with a multilabel"):
        BinaryMLPClassifier((4,), class_weight={0: 1, 1: 2}).fit(X_train, Y_train)
    # a binary fit cannot be continued on multilabel y, nor the reverse
    binary = BinaryMLPClassifier((4,), max_iter=2, n_init=1).fit(X_train, Y_train[:, 0])
    before = [W.copy() for W in binary.coefs_]
    with pytest.raises(ValueError, match="output unit"):
        binary.partial_fit(X_train, Y_train[:, :2])
    for W, W0 in zip(binary.coefs_, before):
        np.testing.assert_array_equal(W, W0)
    multi = BinaryMLPClassifier((4,), max_iter=2, n_init=1, warm_start=True).fit(
        X_train, Y_train[:, :2])
    with pytest.raises(ValueError, match="output unit"):
        multi.fit(X_train, Y_train[:, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError, match="only 0 and 1"):
            BinaryMLPClassifier((4,)).fit(X_train, Y_train * 2)
