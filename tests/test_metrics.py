"""Tests of sknn_cn.metrics against sklearn.metrics, imblearn, hand-computed Weka
values, Weka's published output, and the seed's worked example (1.1.2)."""

import json
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    make_scorer,
    precision_score,
    recall_score,
    roc_auc_score,
)

from sknn_cn.metrics import (
    classification_summary,
    false_positive_rate,
    laplace_class_priors,
    specificity_score,
    true_positive_rate,
    weka_error_scores,
    weka_mean_absolute_error,
    weka_relative_absolute_error,
    weka_root_mean_squared_error,
    weka_root_relative_squared_error,
)


def seed_example():
    """Seed 1.1.2: 550 positives (521 found), 450 negatives (435 found)."""
    y_true = np.r_[np.ones(550), np.zeros(450)].astype(int)
    y_pred = np.r_[np.ones(521), np.zeros(29), np.zeros(435), np.ones(15)].astype(int)
    return y_true, y_pred


# ---------------------------------------------------------------- the seed
def test_seed_worked_example_functions():
    y_true, y_pred = seed_example()
    assert confusion_matrix(y_true, y_pred).ravel().tolist() == [435, 15, 29, 521]
    assert round(accuracy_score(y_true, y_pred), 3) == 0.956
    assert round(precision_score(y_true, y_pred), 3) == 0.972
    assert round(true_positive_rate(y_true, y_pred), 3) == 0.947
    assert round(false_positive_rate(y_true, y_pred), 3) == 0.033
    assert round(f1_score(y_true, y_pred), 3) == 0.959
    # closed forms of the seed: FPR = 15 / 450, specificity = 435 / 450
    assert false_positive_rate(y_true, y_pred) == pytest.approx(15 / 450)
    assert specificity_score(y_true, y_pred) == pytest.approx(435 / 450)


def test_seed_worked_example_summary():
    y_true, y_pred = seed_example()
    s = classification_summary(y_true, y_pred)
    b = s.binary
    assert (b["tp"], b["fn"], b["tn"], b["fp"]) == (521, 29, 435, 15)
    got = [round(b[k], 3) for k in ("accuracy", "precision", "recall", "fpr", "f1")]
    assert got == [0.956, 0.972, 0.947, 0.033, 0.959]
    text = str(s)
    for expected in ("0.956", "0.972", "0.947", "0.033", "0.959", "TP 521", "FN 29"):
        assert expected in text


# ------------------------------------------------- FPR / specificity / TPR
def random_case(rng, n_classes, n=60, labels=None):
    labels = np.arange(n_classes) if labels is None else np.asarray(labels)
    y_true = labels[rng.integers(0, n_classes, n)]
    y_pred = np.where(rng.random(n) < 0.6, y_true, labels[rng.integers(0, n_classes, n)])
    return y_true, y_pred


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_specificity_matches_imblearn_multiclass(seed, average):
    imb = pytest.importorskip("imblearn.metrics")
    rng = np.random.default_rng(seed)
    y_true, y_pred = random_case(rng, 2 + seed % 3)
    ours = specificity_score(y_true, y_pred, average=average)
    theirs = imb.specificity_score(y_true, y_pred, average=average)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(false_positive_rate(y_true, y_pred, average=None),
                               1 - specificity_score(y_true, y_pred, average=None))


@pytest.mark.parametrize("seed", range(5))
def test_binary_rates_match_sklearn_recall(seed):
    """Binary FPR = 1 - recall of the negative class; TPR = recall (sklearn)."""
    rng = np.random.default_rng(seed)
    y_true, y_pred = random_case(rng, 2, labels=["ham", "spam"])
    assert false_positive_rate(y_true, y_pred, pos_label="spam") == pytest.approx(
        1 - recall_score(y_true, y_pred, pos_label="ham"))
    assert specificity_score(y_true, y_pred, pos_label="spam") == pytest.approx(
        recall_score(y_true, y_pred, pos_label="ham"))
    assert true_positive_rate(y_true, y_pred, pos_label="spam") == pytest.approx(
        recall_score(y_true, y_pred, pos_label="spam"))


@pytest.mark.parametrize("seed", range(4))
def test_per_class_fpr_closed_form_with_weights(seed):
    """FPR_k = sum of column k off the diagonal / weight of samples not in class k,
    from sklearn's weighted confusion matrix."""
    rng = np.random.default_rng(100 + seed)
    y_true, y_pred = random_case(rng, 4, n=80)
    w = rng.random(80) + 0.1
    cm = confusion_matrix(y_true, y_pred, sample_weight=w)
    fp = cm.sum(axis=0) - np.diag(cm)
    negatives = cm.sum() - cm.sum(axis=1)
    expected = fp / negatives
    np.testing.assert_allclose(
        false_positive_rate(y_true, y_pred, average=None, sample_weight=w), expected)
    np.testing.assert_allclose(
        false_positive_rate(y_true, y_pred, average="macro", sample_weight=w),
        expected.mean())
    support = cm.sum(axis=1)
    np.testing.assert_allclose(
        false_positive_rate(y_true, y_pred, average="weighted", sample_weight=w),
        np.average(expected, weights=support))
    np.testing.assert_allclose(
        false_positive_rate(y_true, y_pred, average="micro", sample_weight=w),
        fp.sum() / negatives.sum())
    # the labels argument selects (and orders) the classes, as in sklearn
    np.testing.assert_allclose(
        false_positive_rate(y_true, y_pred, labels=[3, 1], average=None,
                            sample_weight=w), expected[[3, 1]])


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_tpr_is_sklearn_recall(average):
    rng = np.random.default_rng(7)
    y_true, y_pred = random_case(rng, 3)
    np.testing.assert_allclose(true_positive_rate(y_true, y_pred, average=average),
                               recall_score(y_true, y_pred, average=average))


def test_zero_division_follows_sklearn():
    y_true = np.ones(5, dtype=int)        # no negatives: FPR undefined
    y_pred = np.array([1, 0, 1, 1, 0])
    with pytest.warns(UndefinedMetricWarning, match="False positive rate is ill-defined"):
        assert false_positive_rate(y_true, y_pred) == 0.0
    with pytest.warns(UndefinedMetricWarning, match="Specificity is ill-defined"):
        assert specificity_score(y_true, y_pred) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert false_positive_rate(y_true, y_pred, zero_division=1.0) == 1.0
        assert np.isnan(false_positive_rate(y_true, y_pred, zero_division=np.nan))
    # like sklearn, nan classes are left out of the macro average
    yt = np.array([0, 0, 1, 1])
    yp = np.array([0, 1, 1, 1])
    per = false_positive_rate(yt, yp, labels=[0, 1, 2], average=None)
    assert per.tolist() == [0.0, 0.5, 0.0]       # class 2: FP 0 / 4 negatives
    # sklearn's own behaviour to compare: precision with no predicted positives
    with pytest.warns(UndefinedMetricWarning):
        assert precision_score([0, 1], [0, 0]) == 0.0


def test_rate_argument_errors():
    y_true, y_pred = random_case(np.random.default_rng(0), 3)
    with pytest.raises(ValueError, match="average='binary'"):
        false_positive_rate(y_true, y_pred)
    with pytest.raises(ValueError, match="average must be one of"):
        false_positive_rate(y_true, y_pred, average="samples")
    with pytest.raises(ValueError, match="zero_division"):
        specificity_score(y_true, y_pred, average="macro", zero_division=2)
    with pytest.raises(ValueError, match="pos_label=5 is not a valid label"):
        false_positive_rate([0, 1, 1], [0, 1, 0], pos_label=5)
    with pytest.warns(UserWarning, match="pos_label='x' is ignored"):
        false_positive_rate(y_true, y_pred, average="macro", pos_label="x")
    with pytest.raises(ValueError, match="binary or multi-class"):
        false_positive_rate([0.5, 1.5], [0.5, 1.5])


# ------------------------------------------------------------ Weka errors
def test_weka_errors_hand_computed_binary():
    """Two test samples, training labels [0, 0, 0, 1].

    Priors (Laplace): q = ((3+1)/6, (1+1)/6) = (2/3, 1/3).
    sample 1: true 0, p = (0.8, 0.2): |err| (0.2 + 0.2)/2 = 0.2, sq (0.04+0.04)/2 = 0.04
    sample 2: true 1, p = (0.4, 0.6): |err| (0.4 + 0.4)/2 = 0.4, sq (0.16+0.16)/2 = 0.16
    MAE = 0.3, RMSE = sqrt(0.1)
    prior: sample 1 |(2/3-1)|+|1/3| = 2/3 -> 1/3 ; sample 2 |2/3|+|1/3-1| = 4/3 -> 2/3
           prior MAE = 1/2 ; prior sq: 1/9 and 4/9 -> prior RMSE = sqrt(5/18)
    RAE = 100 * 0.3 / 0.5 = 60 ; RRSE = 100 * sqrt(0.1 * 18/5) = 100 * 0.6 = 60
    """
    y_true = [0, 1]
    proba = np.array([[0.8, 0.2], [0.4, 0.6]])
    y_train = [0, 0, 0, 1]
    assert weka_mean_absolute_error(y_true, proba) == pytest.approx(0.3)
    assert weka_root_mean_squared_error(y_true, proba) == pytest.approx(np.sqrt(0.1))
    assert weka_relative_absolute_error(y_true, proba, y_train=y_train) == \
        pytest.approx(60.0)
    assert weka_root_relative_squared_error(y_true, proba, y_train=y_train) == \
        pytest.approx(60.0)
    scores = weka_error_scores(y_true, proba, y_train=y_train)
    assert scores["prior_mean_absolute_error"] == pytest.approx(0.5)
    assert scores["prior_root_mean_squared_error"] == pytest.approx(np.sqrt(5 / 18))
    # a 1-D array is P(second class), as sklearn scorers pass it
    assert weka_mean_absolute_error(y_true, proba[:, 1]) == pytest.approx(0.3)
    # the priors argument gives the same numbers as y_train
    assert weka_relative_absolute_error(y_true, proba, priors=[4, 2]) == \
        pytest.approx(60.0)
    np.testing.assert_allclose(laplace_class_priors(y_train), [2 / 3, 1 / 3])


def test_weka_errors_hand_computed_three_classes_weighted():
    """Three classes 'a','b','c'; training counts a:1, b:2, c:0 -> q = (2, 3, 1)/6.

    sample 1: true a, p = (1, 0, 0), weight 1: errors 0
    sample 2: true c, p = (0.5, 0.5, 0), weight 3: |.| (0.5+0.5+1)/3 = 2/3,
              sq (0.25+0.25+1)/3 = 0.5
    MAE = 3 * 2/3 / 4 = 0.5 ; RMSE = sqrt(3 * 0.5 / 4) = sqrt(3/8)
    prior, sample 1 (true a): |2/6-1| + 3/6 + 1/6 = 4/3 -> 4/9 ; sq (16+9+1)/36/3 = 26/108
    prior, sample 2 (true c): 2/6 + 3/6 + |1/6-1| = 5/3 -> 5/9 ; sq (4+9+25)/36/3 = 38/108
    prior MAE = (4/9 + 3*5/9) / 4 = 19/36 ; prior MSE = (26 + 3*38)/108/4 = 140/432
    """
    y_true = ["a", "c"]
    proba = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]])
    w = [1.0, 3.0]
    y_train = ["a", "b", "b"]
    labels = ["a", "b", "c"]
    s = weka_error_scores(y_true, proba, y_train=y_train, labels=labels,
                          sample_weight=w)
    assert s["mean_absolute_error"] == pytest.approx(0.5)
    assert s["root_mean_squared_error"] == pytest.approx(np.sqrt(3 / 8))
    assert s["prior_mean_absolute_error"] == pytest.approx(19 / 36)
    assert s["prior_root_mean_squared_error"] == pytest.approx(np.sqrt(140 / 432))
    assert s["relative_absolute_error"] == pytest.approx(100 * 0.5 / (19 / 36))
    assert s["root_relative_squared_error"] == pytest.approx(
        100 * np.sqrt(3 / 8) / np.sqrt(140 / 432))
    # labels default to y_true plus y_train: 'b' comes from the training labels
    s2 = weka_error_scores(y_true, proba, y_train=y_train, sample_weight=w)
    assert s2 == pytest.approx(s)


def test_weka_zero_r_weather_matches_weka_output():
    """Weka's published ZeroR run on weather.numeric (9 yes, 5 no), evaluated on
    the training data, prints MAE 0.4643, RMSE 0.4795, RAE 100 %, RRSE 100 %.
    ZeroR predicts the Laplace-smoothed class frequencies (10/16, 6/16)."""
    y = np.array(["yes"] * 9 + ["no"] * 5)
    labels = ["yes", "no"]
    proba = np.tile([10 / 16, 6 / 16], (14, 1))
    s = weka_error_scores(y, proba, y_train=y, labels=labels)
    assert round(s["mean_absolute_error"], 4) == 0.4643
    assert round(s["root_mean_squared_error"], 4) == 0.4795
    assert s["relative_absolute_error"] == pytest.approx(100.0)
    assert s["root_relative_squared_error"] == pytest.approx(100.0)


def test_weka_errors_of_hard_predictions_closed_form():
    """With one-hot predictions each error costs |.| 2/K and sq 2/K, so
    MAE = (2/K) * e and RMSE = sqrt((2/K) * e) for the error rate e."""
    rng = np.random.default_rng(3)
    y_true, y_pred = random_case(rng, 4, n=100)
    onehot = np.eye(4)[y_pred]
    e = np.mean(y_true != y_pred)
    assert weka_mean_absolute_error(y_true, onehot) == pytest.approx(2 / 4 * e)
    assert weka_root_mean_squared_error(y_true, onehot) == pytest.approx(np.sqrt(2 / 4 * e))
    s = classification_summary(y_true, y_pred)
    assert s.weka["mean_absolute_error"] == pytest.approx(2 / 4 * e)


def test_weka_argument_errors():
    with pytest.raises(ValueError, match="pass y_train"):
        weka_relative_absolute_error([0, 1], [[0.5, 0.5], [0.1, 0.9]])
    with pytest.raises(ValueError, match="not both"):
        weka_error_scores([0, 1], [[0.5, 0.5], [0.1, 0.9]], y_train=[0, 1],
                          priors=[1, 1])
    with pytest.raises(ValueError, match="y_proba has shape"):
        weka_mean_absolute_error([0, 1], [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        weka_mean_absolute_error([0, 1], [[2.0, -1.0], [0.1, 0.9]])
    with pytest.raises(ValueError, match="not in labels"):
        weka_mean_absolute_error([0, 7], [[0.5, 0.5], [0.1, 0.9]], labels=[0, 1])
    with pytest.raises(ValueError, match="priors must be 2"):
        weka_relative_absolute_error([0, 1], [[0.5, 0.5], [0.1, 0.9]], priors=[1])


# ------------------------------------------------------------- the summary
@pytest.mark.parametrize("n_classes", [2, 3, 4])
def test_summary_matches_sklearn(n_classes):
    rng = np.random.default_rng(n_classes)
    n = 120
    y_true = rng.integers(0, n_classes, n)
    proba = rng.dirichlet(np.ones(n_classes), n)
    proba[np.arange(n), y_true] += 0.7          # make it better than chance
    proba /= proba.sum(axis=1, keepdims=True)
    y_train = rng.integers(0, n_classes, 300)
    s = classification_summary(y_true, y_proba=proba, y_train=y_train)
    y_pred = proba.argmax(axis=1)
    report = classification_report(y_true, y_pred, output_dict=True)
    for k in range(n_classes):
        row = s.per_class[k]
        assert row["precision"] == pytest.approx(report[str(k)]["precision"])
        assert row["recall"] == pytest.approx(report[str(k)]["recall"])
        assert row["f1"] == pytest.approx(report[str(k)]["f1-score"])
        assert row["support"] == report[str(k)]["support"]
    for avg, key in (("macro", "macro avg"), ("weighted", "weighted avg")):
        assert s.averages[avg]["precision"] == pytest.approx(report[key]["precision"])
        assert s.averages[avg]["f1"] == pytest.approx(report[key]["f1-score"])
    assert s.accuracy == pytest.approx(report["accuracy"])
    assert s.cohen_kappa == pytest.approx(cohen_kappa_score(y_true, y_pred))
    np.testing.assert_array_equal(s.confusion_matrix, confusion_matrix(y_true, y_pred))
    if n_classes == 2:
        assert s.roc_auc == pytest.approx(roc_auc_score(y_true, proba[:, 1]))
    else:
        assert s.roc_auc == pytest.approx(roc_auc_score(y_true, proba, multi_class="ovr"))
        assert s.averages["weighted"]["roc_auc"] == pytest.approx(
            roc_auc_score(y_true, proba, multi_class="ovr", average="weighted"))
    expected = weka_error_scores(y_true, proba, y_train=y_train)
    assert s.weka == pytest.approx(expected)
    d = s.to_dict()
    json.dumps(d)                                # plain Python only
    assert d["accuracy"] == s.accuracy and len(d["per_class"]) == n_classes
    text = s.to_text()
    assert "macro avg" in text and "weighted avg" in text and "Relative absolute" in text


def test_summary_undefined_values_are_reported():
    y_true = np.array([0, 0, 0, 1, 1])
    y_pred = np.array([0, 0, 0, 0, 0])           # class 1 never predicted
    with pytest.warns(UndefinedMetricWarning):
        s = classification_summary(y_true, y_pred)
    assert s.per_class[1]["precision"] == 0.0
    assert any("never predicted" in n for n in s.notes)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UndefinedMetricWarning)
        s1 = classification_summary(y_true, y_pred, zero_division=1.0)
    assert s1.per_class[1]["precision"] == 1.0
    # one class in y_true: sklearn's ROC AUC warns and returns nan; we say so
    proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s2 = classification_summary([1, 1, 1], y_proba=proba, labels=[0, 1])
    messages = [str(w.message) for w in caught
                if issubclass(w.category, UndefinedMetricWarning)]
    assert any("Only one class" in m for m in messages)        # sklearn's AUC warning
    assert any("Recall is ill-defined" in m for m in messages)  # class 0: no true samples
    assert np.isnan(s2.roc_auc)
    assert any("ROC AUC is undefined" in n for n in s2.notes)
    assert "nan" in str(s2)


def test_summary_string_labels_and_pos_label():
    y_true, y_pred = seed_example()
    names = np.array(["neg", "pos"])
    s = classification_summary(names[y_true], names[y_pred], pos_label="neg")
    # with 'neg' positive the roles swap: TP = 435, FP = 29
    assert (s.binary["tp"], s.binary["fp"]) == (435, 29)
    assert s.binary["fpr"] == pytest.approx(29 / 550)
    with pytest.raises(ValueError, match="pos_label"):
        classification_summary(names[y_true], names[y_pred], pos_label="maybe")
    with pytest.raises(ValueError, match="both are None"):
        classification_summary(y_true)


# ------------------------------------------------------------ make_scorer
def test_usable_with_make_scorer():
    X, y = make_classification(n_samples=150, n_features=5, n_informative=3,
                               n_classes=3, random_state=0)
    est = LogisticRegression(max_iter=500).fit(X, y)
    pred, proba = est.predict(X), est.predict_proba(X)
    fpr = make_scorer(false_positive_rate, greater_is_better=False, average="macro")
    assert fpr(est, X, y) == pytest.approx(-false_positive_rate(y, pred, average="macro"))
    spec = make_scorer(specificity_score, average="weighted")
    assert spec(est, X, y) == pytest.approx(specificity_score(y, pred, average="weighted"))
    mae = make_scorer(weka_mean_absolute_error, response_method="predict_proba",
                      greater_is_better=False)
    assert mae(est, X, y) == pytest.approx(-weka_mean_absolute_error(y, proba))
    rae = make_scorer(weka_relative_absolute_error, response_method="predict_proba",
                      greater_is_better=False, y_train=y)
    assert rae(est, X, y) == pytest.approx(
        -weka_relative_absolute_error(y, proba, y_train=y))
    # binary: sklearn hands the scorer P(positive class) as a 1-D array
    yb = (y == 1).astype(int)
    est_b = LogisticRegression(max_iter=500).fit(X, yb)
    rmse = make_scorer(weka_root_mean_squared_error, response_method="predict_proba",
                       greater_is_better=False)
    assert rmse(est_b, X, yb) == pytest.approx(
        -weka_root_mean_squared_error(yb, est_b.predict_proba(X)))


# ------------------------------------------------ specificity: imblearn + ours
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_specificity_with_zero_division_equals_imblearn_where_defined(seed, average):
    """Our zero_division path (shared with FPR) and imblearn's (the default)
    agree wherever specificity is defined."""
    import imblearn.metrics as imb

    y_true, y_pred = random_case(np.random.default_rng(seed), 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UndefinedMetricWarning)
        ours = specificity_score(y_true, y_pred, average=average, zero_division=np.nan)
    np.testing.assert_allclose(ours, imb.specificity_score(y_true, y_pred,
                                                           average=average),
                               rtol=1e-12)


def test_specificity_zero_division_is_what_imblearn_lacks():
    import imblearn.metrics as imb

    y_true, y_pred = np.ones(5, dtype=int), np.array([1, 0, 1, 1, 0])  # no negatives
    with pytest.warns(UndefinedMetricWarning):
        assert imb.specificity_score(y_true, y_pred) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert specificity_score(y_true, y_pred, zero_division=1.0) == 1.0
        assert np.isnan(specificity_score(y_true, y_pred, zero_division=np.nan))


# ------------------------------------------------------------- report module
def test_summary_lives_in_report_and_is_importable_from_metrics():
    import sknn_cn.metrics as metrics
    import sknn_cn.report as report

    assert metrics.classification_summary is report.classification_summary
    assert metrics.ClassificationSummary is report.ClassificationSummary
    with pytest.raises(AttributeError):
        metrics.no_such_name


def test_format_table_aligns_and_formats_cells():
    from sknn_cn.report import format_table

    text = format_table([["hole", 0.12345, 7, None], ["outside", float("nan"), 120, "x"]],
                        ["class", "p", "n", "note"], digits=2)
    lines = text.split("\n")
    assert lines == ["  class       p    n  note",
                     "  hole     0.12    7     -",
                     "  outside   nan  120     x"]
    # ragged rows are padded; no indent, wider gap
    assert format_table([["a"], ["b", 1.0]], indent=0, gap=3) == "a\nb   1.000"
