"""Hostile inputs for sknn_cn.metrics and sknn_cn.report (issue 11).

Each case asserts the exact exception and a fragment naming the argument, or
the exact result.  Where scikit-learn's own error on the same input is clear
(lengths, empty input, bad ``average``), ours is the same; where sklearn is
silent or cryptic (negative weights, string/number label mixes,
probabilities that do not sum to one) ours names the argument and the value.
"""

import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm
from sklearn.exceptions import UndefinedMetricWarning

from sknn_cn.metrics import (
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
from sknn_cn.report import classification_summary, format_cell, format_table

Y_TRUE = np.array([0, 1, 1, 0])
Y_PRED = np.array([0, 1, 0, 0])
PROBA = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])
RATES = [false_positive_rate, specificity_score, true_positive_rate]
WEKA = [weka_mean_absolute_error, weka_root_mean_squared_error]
MIXED = np.array(["a", 1, 1, "a"], dtype=object)


def _sklearn_error(func, *args, **kwargs):
    with pytest.raises(ValueError) as info:
        func(*args, **kwargs)
    return str(info.value)


# ---------------------------------------------------------------- label rates
@pytest.mark.parametrize("rate", RATES)
def test_rates_mismatched_lengths_give_sklearns_error(rate):
    expected = _sklearn_error(skm.recall_score, Y_TRUE, Y_PRED[:3])
    with pytest.raises(ValueError, match="inconsistent numbers of samples") as info:
        rate(Y_TRUE, Y_PRED[:3])
    assert str(info.value) == expected


@pytest.mark.parametrize("rate", RATES)
def test_rates_empty_input_give_sklearns_error(rate):
    expected = _sklearn_error(skm.recall_score, [], [])
    with pytest.raises(ValueError, match="Found empty input array") as info:
        rate([], [])
    assert str(info.value) == expected


@pytest.mark.parametrize("rate", RATES)
def test_rates_refuse_string_number_label_mix(rate):
    # sklearn: TypeError "'<' not supported between instances of 'int' and 'str'"
    with pytest.raises(TypeError, match="'<' not supported"):
        skm.recall_score(MIXED, MIXED)
    with pytest.raises(ValueError, match=r"Mix of label input types .* in y_true: e.g. 'a' and 1"):
        rate(MIXED, MIXED)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("y, kind", [
    (np.array([[0, 1], [1, 0]]), "multilabel-indicator"),
    (np.array([0.1, 0.5]), "continuous"),
])
def test_rates_refuse_non_class_targets_by_type(rate, y, kind):
    with pytest.raises(ValueError, match=f"y_true and y_pred must hold class labels.*'{kind}'"):
        rate(y, y)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("weights, fragment", [
    ([-1.0, 1, 1, 1], r"sample_weight must be finite and non-negative; got sample_weight\[0\]=-1.0"),
    ([1.0, np.nan, 1, 1], r"got sample_weight\[1\]=nan"),
    ([1.0, 1, np.inf, 1], r"got sample_weight\[2\]=inf"),
    ([0.0, 0, 0, 0], "sample_weight must have a positive sum"),
    ([1.0, 1, 1], "sample_weight has 3 entries but y_true has 4 samples"),
    ([[1.0, 1, 1, 1]], r"sample_weight must be 1-D"),
])
def test_rates_refuse_bad_sample_weight(rate, weights, fragment):
    with pytest.raises(ValueError, match=fragment):
        rate(Y_TRUE, Y_PRED, sample_weight=weights)


def test_negative_weight_is_silent_in_sklearn_and_refused_here():
    # The reason for doing better than sklearn: recall 0.5 from a weight of -1.
    assert skm.recall_score(Y_TRUE, Y_PRED, sample_weight=[-1, 1, 1, 1]) == 0.5
    with pytest.raises(ValueError, match="sample_weight"):
        true_positive_rate(Y_TRUE, Y_PRED, sample_weight=[-1, 1, 1, 1])


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("zero_division", [2, "x", True, -1.0, None])
def test_rates_refuse_bad_zero_division(rate, zero_division):
    with pytest.raises(ValueError, match=f"got zero_division={zero_division!r}"):
        rate(Y_TRUE, Y_PRED, zero_division=zero_division)


@pytest.mark.parametrize("rate", RATES)
def test_rates_refuse_duplicate_labels(rate):
    with pytest.raises(ValueError, match=r"labels must be distinct; got labels=\[0, 0, 1\]"):
        rate(Y_TRUE, Y_PRED, labels=[0, 0, 1], average=None)


@pytest.mark.parametrize("rate", RATES)
def test_rates_refuse_unknown_average(rate):
    with pytest.raises(ValueError, match="got average='samples'"):
        rate(Y_TRUE, Y_PRED, average="samples")


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
@pytest.mark.parametrize("rate", RATES)
def test_rates_refuse_nan_labels_as_sklearn(rate):
    with pytest.raises(ValueError, match="Input y_true contains NaN"):
        rate([0, np.nan, 1], [0, 1, 1])


def test_rates_on_pandas_equal_numpy_and_sklearn():
    yt, yp = pd.Series(Y_TRUE), pd.Series(Y_PRED)
    assert true_positive_rate(yt, yp) == skm.recall_score(Y_TRUE, Y_PRED) == 0.5
    # FPR: of the 2 negatives (rows 0, 3) none is called positive
    assert false_positive_rate(yt, yp) == 0.0
    assert specificity_score(yt, yp) == 1.0


def test_rates_with_string_labels_need_pos_label():
    yt, yp = np.array(["a", "b", "b"]), np.array(["a", "b", "a"])
    with pytest.raises(ValueError, match="pos_label=1 is not a valid label"):
        false_positive_rate(yt, yp)
    assert true_positive_rate(yt, yp, pos_label="b") == 0.5
    assert false_positive_rate(yt, yp, pos_label="b") == 0.0


def test_rates_one_class_match_sklearn():
    # only positives: TPR = 1 as sklearn; FPR undefined -> zero_division
    assert true_positive_rate([1, 1], [1, 1]) == skm.recall_score([1, 1], [1, 1]) == 1.0
    assert false_positive_rate([1, 1], [1, 1], zero_division=1.0) == 1.0
    assert np.isnan(false_positive_rate([1, 1], [1, 1], zero_division=np.nan))


def test_rates_labels_absent_from_y_match_sklearn():
    with pytest.warns(UndefinedMetricWarning):
        expected = skm.recall_score(Y_TRUE, Y_PRED, labels=[5, 6], average="macro")
    with pytest.warns(UndefinedMetricWarning):
        got = true_positive_rate(Y_TRUE, Y_PRED, labels=[5, 6], average="macro")
    assert got == expected == 0.0
    # no sample is predicted 5 or 6: FP = 0, TN = 4 for both
    assert false_positive_rate(Y_TRUE, Y_PRED, labels=[5, 6], average="macro") == 0.0


# ---------------------------------------------------------------- Weka errors
@pytest.mark.parametrize("weka", WEKA)
@pytest.mark.parametrize("bad, fragment", [
    (np.nan, r"finite class probabilities in \[0, 1\]; got y_proba\[0, 0\]=nan"),
    (np.inf, r"got y_proba\[0, 0\]=inf"),
])
def test_weka_refuses_nan_inf_proba_and_says_which(weka, bad, fragment):
    proba = PROBA.copy()
    proba[0, 0] = bad
    with pytest.raises(ValueError, match=fragment):
        weka(Y_TRUE, proba)


@pytest.mark.parametrize("weka", WEKA)
def test_weka_refuses_rows_not_summing_to_one(weka):
    # sklearn's log_loss only warns ("do not sum to one"); an MAE of such rows
    # is not Weka's MAE, so this is an error.
    with pytest.warns(UserWarning, match="do not sum to one"):
        skm.log_loss(Y_TRUE, PROBA * 0.5)
    with pytest.raises(ValueError, match="rows of y_proba must sum to one.*row 0 sums to 0.5"):
        weka(Y_TRUE, PROBA * 0.5)


def test_weka_accepts_float32_rounding_of_rows():
    proba = PROBA.astype(np.float32)
    proba[:, 1] = np.float32(1) - proba[:, 0]
    proba[0] *= np.float32(1 + 1e-6)  # a float32 softmax's rounding
    assert weka_mean_absolute_error(Y_TRUE, proba) == pytest.approx(0.3, abs=1e-6)


@pytest.mark.parametrize("weka", WEKA)
@pytest.mark.parametrize("y_true, proba, fragment", [
    ([], np.empty((0, 2)), "y_true is empty"),
    (Y_TRUE[:3], PROBA, "inconsistent numbers of samples"),
    (np.array([[0, 1], [1, 0], [1, 1], [0, 0]]), PROBA, "y_true must hold class labels.*'multilabel-indicator'"),
    ([0.1, 0.5, 0.2, 0.3], PROBA, "y_true must hold class labels.*'continuous'"),
    (MIXED, PROBA, "Mix of label input types .* in y_true"),
    (Y_TRUE, PROBA[:, :, None], r"y_proba has shape \(4, 2, 1\)"),
    (Y_TRUE, np.array([["a", "b"]] * 4), "y_proba must hold class probabilities"),
    (Y_TRUE, -PROBA, r"class probabilities in \[0, 1\]"),
])
def test_weka_refuses_bad_targets(weka, y_true, proba, fragment):
    with pytest.raises(ValueError, match=fragment):
        weka(y_true, proba)


@pytest.mark.parametrize("weka", WEKA)
@pytest.mark.parametrize("weights, fragment", [
    ([-1.0, 1, 1, 1], r"sample_weight\[0\]=-1.0"),
    ([np.nan, 1, 1, 1], r"sample_weight\[0\]=nan"),
    ([0.0, 0, 0, 0], "positive sum"),
    ([1.0, 1, 1], "sample_weight has 3 entries"),
    (2.0, "sample_weight must be an array-like"),
])
def test_weka_refuses_bad_sample_weight(weka, weights, fragment):
    # old code: NaN and all-zero weights returned nan, negative ones a number
    with pytest.raises(ValueError, match=fragment):
        weka(Y_TRUE, PROBA, sample_weight=weights)


def test_weka_one_class_needs_labels_then_is_exact():
    with pytest.raises(ValueError, match="pass labels=estimator.classes_"):
        weka_mean_absolute_error([1, 1], [[0.2, 0.8], [0.1, 0.9]])
    # |p - y| averaged over 2 classes: rows (0.2 + 0.2) / 2, (0.1 + 0.1) / 2
    assert weka_mean_absolute_error([1, 1], [[0.2, 0.8], [0.1, 0.9]], labels=[0, 1]) \
        == pytest.approx(0.15)


def test_weka_on_pandas_equals_numpy():
    assert weka_mean_absolute_error(pd.Series(Y_TRUE), pd.DataFrame(PROBA)) \
        == weka_mean_absolute_error(Y_TRUE, PROBA) == pytest.approx(0.3)


@pytest.mark.parametrize("priors", [[np.nan, 1], [np.inf, 1], ["a", "b"], [-1, 2], [0, 0], [1, 1, 1]])
def test_relative_errors_refuse_bad_priors(priors):
    # old code: NaN / inf priors returned nan, strings "could not convert"
    for func in (weka_relative_absolute_error, weka_root_relative_squared_error):
        with pytest.raises(ValueError, match="priors must be 2 finite non-negative numbers"):
            func(Y_TRUE, PROBA, priors=priors)


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(y_train=[]), "y_train is empty"),
    (dict(y_train=[[0, 1], [1, 0]]), "y_train must hold class labels"),
    (dict(y_train=[0, 1, 1], train_sample_weight=[-5, 1, 1]),
     r"train_sample_weight must be finite and non-negative; got train_sample_weight\[0\]=-5.0"),
    (dict(y_train=[0, 1, 1], train_sample_weight=[np.nan, 1, 1]), "train_sample_weight"),
    (dict(y_train=[0, 1, 1], train_sample_weight=[1, 1]),
     "train_sample_weight has 2 entries but y_train has 3 samples"),
    (dict(y_train=[0, 1], priors=[1, 1]), "Give y_train or priors, not both"),
])
def test_relative_errors_refuse_bad_training_side(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        weka_error_scores(Y_TRUE, PROBA, **kwargs)


def test_laplace_priors_refuse_negative_weights():
    # old code: priors [4, -3]
    with pytest.raises(ValueError, match=r"sample_weight\[0\]=-5.0"):
        laplace_class_priors([0, 1, 1], sample_weight=[-5, 1, 1])
    assert laplace_class_priors([0, 1, 1]).tolist() == pytest.approx([2 / 5, 3 / 5])


# ---------------------------------------------------------------- summary
@pytest.mark.parametrize("kwargs, fragment", [
    (dict(y_pred=Y_PRED[:3]), "inconsistent numbers of samples"),
    (dict(y_proba=PROBA[:3]), "inconsistent numbers of samples"),
    (dict(y_pred=Y_PRED, labels=[0, 0, 1]), r"labels must be distinct"),
    (dict(y_pred=Y_PRED, labels=[5, 6]), r"y_pred contains labels \[0, 1\] that are not in labels"),
    (dict(y_pred=Y_PRED, sample_weight=[-1, 1, 1, 1]), r"sample_weight\[0\]=-1.0"),
    (dict(y_pred=Y_PRED, sample_weight=[np.nan, 1, 1, 1]), r"sample_weight\[0\]=nan"),
    (dict(y_pred=Y_PRED, sample_weight=[1, 1, 1]), "sample_weight has 3 entries"),
    (dict(y_proba=PROBA * 0.5), "rows of y_proba must sum to one"),
    (dict(y_proba=np.where(PROBA > 0.85, np.nan, PROBA)), r"got y_proba\[0, 0\]=nan"),
    (dict(y_pred=Y_PRED, zero_division=2), "got zero_division=2"),
    (dict(y_pred=Y_PRED, pos_label=7), "pos_label=7 is not one of the labels"),
    (dict(y_pred=Y_PRED, y_train=[[0, 1]]), "y_train must hold class labels"),
    (dict(), "Give y_pred, y_proba or both"),
])
def test_summary_refuses(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        classification_summary(Y_TRUE, **kwargs)


@pytest.mark.parametrize("y_true, y_pred, fragment", [
    ([], [], "y_true is empty"),
    ([1, 1], [1, 1], "needs at least 2 classes"),
    (MIXED, MIXED, "Mix of label input types .* in y_true"),
    ([0.1, 0.5, 0.3], [0.1, 0.5, 0.3], "y_true must hold class labels.*'continuous'"),
    (np.array([[0, 1], [1, 0]]), np.array([[0, 1], [1, 1]]), "y_true must hold class labels"),
])
def test_summary_refuses_targets(y_true, y_pred, fragment):
    with pytest.raises(ValueError, match=fragment):
        classification_summary(y_true, y_pred)


def test_summary_on_pandas_and_categories_equals_numpy():
    plain = classification_summary(Y_TRUE, Y_PRED, y_proba=PROBA).to_dict()
    frame = classification_summary(pd.Series(Y_TRUE), pd.Series(Y_PRED),
                                   y_proba=pd.DataFrame(PROBA)).to_dict()
    assert frame == plain
    cat = classification_summary(pd.Series(["a", "b", "b", "a"], dtype="category"),
                                 pd.Series(["a", "b", "a", "a"], dtype="category"))
    assert cat.accuracy == skm.accuracy_score(Y_TRUE, Y_PRED) == 0.75


@pytest.mark.parametrize("digits", [-1, 1.5, "x", True, None])
def test_summary_text_refuses_bad_digits(digits):
    summary = classification_summary(Y_TRUE, Y_PRED)
    with pytest.raises(ValueError, match=f"got digits={digits!r}"):
        summary.to_text(digits=digits)


# ---------------------------------------------------------------- format_table
@pytest.mark.parametrize("kwargs, fragment", [
    (dict(digits=-1), "got digits=-1"), (dict(digits=1.5), "got digits=1.5"),
    (dict(digits=True), "got digits=True"), (dict(indent=-1), "got indent=-1"),
    (dict(gap="x"), "got gap='x'"),
])
def test_format_table_refuses_bad_counts(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        format_table([[0.5]], **kwargs)


@pytest.mark.parametrize("rows, fragment", [
    (None, "got rows=None"), ([1, 2], r"got rows\[0\]=1"), (["ab", "cd"], r"got rows\[0\]='ab'"),
    ("ab", "got rows='ab'"),
])
def test_format_table_refuses_non_rows(rows, fragment):
    with pytest.raises(TypeError, match=fragment):
        format_table(rows)


def test_format_table_refuses_string_headers():
    with pytest.raises(TypeError, match="got headers=5"):
        format_table([[1]], 5)


def test_format_table_edge_cells_exact():
    assert format_table([]) == ""
    assert format_table([], ["a", "b"]) == "  a  b"
    assert format_table([[np.inf, -np.inf, np.nan, np.float32(0.5), np.int64(3), True]]) \
        == "  inf  -inf  nan  0.500  3  True"
    assert format_table(iter([[1], [2]])) == "  1\n  2"
    assert format_cell(0.5, digits=0) == "0"
    with pytest.raises(ValueError, match="got digits=-2"):
        format_cell(0.5, digits=-2)
