"""Hostile inputs for PerAttributeOverSampler and SchapireBoostClassifier
(issue 11), beyond tests/test_sampling.py and tests/test_boosting.py."""

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import InvalidParameterError

from sknn_cn import PerAttributeOverSampler, SchapireBoostClassifier

X = np.random.default_rng(0).normal(size=(60, 3))
Y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
Y_IMB = Y.copy()
Y_IMB[:25] = 1  # class 0 is the minority


@pytest.mark.parametrize("strategy", ["junk", 0.0, -0.5, 2.0, np.nan, [0.5], None])
def test_sampler_refuses_bad_strategy_as_imblearn(strategy):
    with pytest.raises(InvalidParameterError, match="The 'sampling_strategy' parameter of PerAttributeOverSampler"):
        PerAttributeOverSampler(sampling_strategy=strategy).fit_resample(X, Y_IMB)


def test_sampler_refuses_bool_strategy():
    # old code: True was read as the float 1.0
    with pytest.raises(ValueError, match="got sampling_strategy=True"):
        PerAttributeOverSampler(sampling_strategy=True).fit_resample(X, Y_IMB)


@pytest.mark.parametrize("strategy, fragment", [
    ({5: 10}, r"The \{5\} target class is/are not present in the data"),
    ({0: -1}, "contains some negative value"),
    ({0: 5}, "should be greater or equal to the original number of samples"),
])
def test_sampler_refuses_impossible_dicts_as_imblearn(strategy, fragment):
    with pytest.raises(ValueError, match=fragment):
        PerAttributeOverSampler(sampling_strategy=strategy).fit_resample(X, Y_IMB)


@pytest.mark.parametrize("strategy", [{0: 10**12}, lambda y: {0: 10**12}])
def test_sampler_refuses_a_huge_request_before_allocating(strategy):
    # old code: NumPy's MemoryError for 21.8 TiB from inside randint (and a
    # size that fits in virtual memory would swap the machine)
    sampler = PerAttributeOverSampler(sampling_strategy=strategy, random_state=0)
    with pytest.raises(MemoryError, match=r"sampling_strategy asks for \d+ synthetic samples of 3 features"):
        sampler.fit_resample(X, Y_IMB)
    assert not hasattr(sampler, "sampling_strategy_")


def test_sampler_refuses_a_callable_without_dict():
    # old code: AttributeError "'int' object has no attribute 'keys'"
    with pytest.raises(ValueError, match="a callable, must return a dict .*it returned 5"):
        PerAttributeOverSampler(sampling_strategy=lambda y: 5).fit_resample(X, Y_IMB)


def test_sampler_refuses_string_number_label_mix():
    # sklearn (and old code): TypeError "'<' not supported between 'int' and 'str'"
    y = np.array(["a", 1, 1, 1], dtype=object)
    with pytest.raises(ValueError, match=r"Mix of label input types \(string and number\) in y: e.g. 'a' and 1"):
        PerAttributeOverSampler().fit_resample(X[:4], y)


@pytest.mark.parametrize("X_bad, y_bad, fragment", [
    (X, np.zeros(60, int), "needs to have more than 1 class"),
    (X[:0], Y[:0], "Found array with 0 sample"),
    (X[:, :, None], Y_IMB, "Found array with dim 3"),
    (np.empty((60, 0)), Y_IMB, "0 feature"),
    (X, X[:, 0], "Unknown label type: continuous"),
    (X[:50], Y_IMB, "inconsistent numbers of samples"),
])
def test_sampler_refuses_bad_data_as_sklearn(X_bad, y_bad, fragment):
    with pytest.raises(ValueError, match=fragment):
        PerAttributeOverSampler().fit_resample(X_bad, y_bad)


def test_sampler_class_with_one_sample_copies_it():
    y = np.r_[np.zeros(59, int), 1]
    X_res, y_res = PerAttributeOverSampler(random_state=0).fit_resample(X, y)
    assert np.array_equal(X_res[60:], np.repeat(X[59:60], 58, axis=0))
    assert y_res.tolist().count(1) == 59


@pytest.mark.parametrize("kwargs, error, fragment", [
    (dict(variant="x"), InvalidParameterError, "The 'variant' parameter"),
    (dict(estimator="x"), InvalidParameterError, "The 'estimator' parameter"),
    (dict(random_state="x"), InvalidParameterError, "The 'random_state' parameter"),
])
def test_boost_refuses_bad_parameters(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        SchapireBoostClassifier(**kwargs).fit(X, Y)


@pytest.mark.parametrize("y_bad, fragment", [
    (np.zeros(60, int), "needs samples of at least 2 classes; got 1 class: 0"),
    (X[:, 0], "Unknown label type"),
])
def test_boost_refuses_bad_targets(y_bad, fragment):
    with pytest.raises(ValueError, match=fragment):
        SchapireBoostClassifier(estimator=DecisionTreeClassifier(max_depth=1)).fit(X, y_bad)


@pytest.mark.filterwarnings("ignore::sknn_cn.DegenerateBoostingWarning")
def test_boost_refuses_wrong_feature_count_at_predict():
    model = SchapireBoostClassifier(estimator=DecisionTreeClassifier(max_depth=1),
                                    random_state=0).fit(X, Y)
    with pytest.raises(ValueError, match="X has 2 features, but SchapireBoostClassifier is expecting 3"):
        model.predict(X[:, :2])
