"""Hostile inputs to the two classifiers, beyond the causes listed in issue 11.

Each case is a user mistake (or an extreme input) that used to be accepted
silently, give a wrong answer or raise an error that blamed something else;
each now gives a clear error naming the argument and the value, or the same
result as the valid input it stands for.

Fixture of the issue: ``X = normal(size=(60, 3))``, ``y = (X0 + 0.5 X1 > 0)``.
"""

import copy

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X = np.random.default_rng(0).normal(size=(60, 3))
Y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
Y3 = np.arange(60) % 3
FAST = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
BOTH = pytest.mark.parametrize("Estimator, y", [(BinaryMLPClassifier, Y),
                                                (MulticlassMLPClassifier, Y3)])


# ---------------------------------------------------------------- parameters
@pytest.mark.parametrize("name, value", [
    ("batch_size", True), ("max_iter", True), ("alpha", False),
    ("learning_rate_init", True), ("n_threads", True), ("n_iter_no_change", True),
    ("n_init", True), ("hidden_layer_sizes", True),
])
def test_a_bool_is_not_a_number(name, value):
    model = BinaryMLPClassifier(**FAST).set_params(**{name: value})
    with pytest.raises(InvalidParameterError,
                       match=f"The '{name}' parameter of BinaryMLPClassifier must be .*"
                             f"Got {value} instead"):
        model.fit(X, Y)


def test_bools_stay_valid_where_a_bool_is_meant():
    BinaryMLPClassifier(shuffle=False, verbose=False, nesterovs_momentum=False,
                        warm_start=True, **FAST).fit(X, Y)


def test_n_threads_beyond_a_c_int_is_refused_by_validation():
    with pytest.raises(InvalidParameterError, match="'n_threads' parameter .* Got "
                                                    "18446744073709551616 instead"):
        BinaryMLPClassifier(n_threads=2**64, **FAST).fit(X, Y)


@pytest.mark.parametrize("dtype", ["foo", "int64", "float16", np.int32, True, "complex128"])
def test_bad_dtype_is_an_sklearn_parameter_error(dtype):
    with pytest.raises(InvalidParameterError,
                       match=r"The 'dtype' parameter of BinaryMLPClassifier must be None, "
                             r"'float32' or 'float64'.* Got .* instead"):
        BinaryMLPClassifier(dtype=dtype, **FAST).fit(X, Y)


@pytest.mark.parametrize("dtype", ["float32", np.float32, np.dtype("float32"), "f4"])
def test_every_spelling_of_float32_is_accepted(dtype):
    model = BinaryMLPClassifier(dtype=dtype, **FAST).fit(X, Y)
    assert model.coefs_[0].dtype == np.float32


def test_bad_dtype_is_refused_in_a_warm_start_refit_too():
    model = BinaryMLPClassifier(warm_start=True, **FAST).fit(X, Y)
    model.set_params(dtype="foo")
    with pytest.raises(InvalidParameterError, match="Got 'foo' instead"):
        model.fit(X, Y)


@pytest.mark.parametrize("weight, shown", [
    (-1.0, "-1.0"), (np.nan, "nan"), (np.inf, "inf"), ("2", "'2'"), (None, "None"),
    (True, "True"),
])
def test_class_weight_names_the_label_and_the_value(weight, shown):
    with pytest.raises(ValueError, match=rf"class_weight\[0\]={shown}: class weights must "
                                         "be finite numbers >= 0"):
        BinaryMLPClassifier(class_weight={0: weight, 1: 1.0}, **FAST).fit(X, Y)


def test_class_weight_is_checked_in_partial_fit():
    model = BinaryMLPClassifier(class_weight={0: 1.0, 1: -2.0}, **FAST)
    with pytest.raises(ValueError, match=r"class_weight\[1\]=-2.0"):
        model.partial_fit(X, Y, classes=[0, 1])
    assert not hasattr(model, "classes_")


def test_zero_and_integer_class_weights_stay_valid():
    weighted = BinaryMLPClassifier(class_weight={0: 0, 1: np.int64(2)}, **FAST).fit(X, Y)
    assert np.isfinite(weighted.loss_)


# ---------------------------------------------------------------- all or nothing
def test_refused_partial_fit_leaves_the_random_generator_as_it_was():
    model = BinaryMLPClassifier(solver="sgd", hidden_layer_sizes=(8,), random_state=0,
                                batch_size=10)
    model.partial_fit(X, Y, classes=[0, 1])
    twin = copy.deepcopy(model)
    model.set_params(learning_rate_init=1e12)
    with pytest.raises(FloatingPointError, match="learning_rate_init=1000000000000.0"):
        model.partial_fit(X, Y)
    model.set_params(learning_rate_init=twin.learning_rate_init)
    for net in (model, twin):
        net.partial_fit(X, Y)
    for got, want in zip(model.coefs_, twin.coefs_):
        np.testing.assert_array_equal(got, want)


def test_refused_first_partial_fit_with_bad_classes_leaves_no_classes():
    model = MulticlassMLPClassifier(**FAST)
    with pytest.raises(ValueError, match="labels"):
        model.partial_fit(X, Y3, classes=[0, 1])
    assert not hasattr(model, "classes_")
    model.partial_fit(X, Y3, classes=[0, 1, 2])
    assert model.classes_.tolist() == [0, 1, 2]


# ---------------------------------------------------------------- overflow
@BOTH
@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba",
                                    "decision_function", "hidden_activations"])
def test_every_prediction_path_names_float32_overflow(Estimator, y, method):
    model = Estimator(dtype="float32", **FAST).fit(X, y)
    with pytest.raises(ValueError, match=r"X has values up to 2.\d+e\+39 in absolute "
                                         "value, beyond the fitted model's float32 range"):
        getattr(model, method)(X * 1e39)


def test_float32_overflow_in_fit_names_x_and_dtype():
    with pytest.raises(ValueError, match=r"X has values up to 2.\d+e\+39 .* beyond "
                                         r"dtype='float32''s float32 range .* dtype='float64'"):
        BinaryMLPClassifier(dtype="float32", **FAST).fit(X * 1e39, Y)


def test_float32_overflow_in_a_warm_refit_names_the_fitted_model():
    model = BinaryMLPClassifier(dtype="float32", warm_start=True, **FAST).fit(X, Y)
    with pytest.raises(ValueError, match="beyond the fitted model's float32 range"):
        model.fit(X * 1e39, Y)


def test_float64_input_within_float32_range_predicts_as_float32_input():
    model = MulticlassMLPClassifier(dtype="float32", **FAST).fit(X, Y3)
    np.testing.assert_array_equal(model.predict_proba(X),
                                  model.predict_proba(X.astype(np.float32)))


@BOTH
def test_overflow_inside_the_network_is_named_not_nan(Estimator, y):
    """float64 all the way: a finite X whose first layer overflows (3e308 = inf)."""
    model = Estimator(activation="relu", **FAST).fit(X, y)
    model.coefs_[0][...] = 1.0
    huge = np.vstack([X[:2], np.full((1, 3), 1e308)])
    with pytest.raises(ValueError, match=r"X\[2\] gives the non-finite output logits .* "
                                         "too large for this network's float64"):
        model.predict_proba(huge)
    assert np.isfinite(model.predict_proba(huge[:2])).all()


# ---------------------------------------------------------------- sample weights
@pytest.mark.parametrize("bad", [np.inf, np.nan, -1.0])
def test_bad_sample_weight_is_named(bad):
    weights = np.ones(60)
    weights[3] = bad
    with pytest.raises(ValueError, match="(?i)sample.weight"):
        BinaryMLPClassifier(**FAST).fit(X, Y, sample_weight=weights)


def test_float32_overflow_of_sample_weight_is_named():
    weights = np.full(60, 1e39)
    with pytest.raises(ValueError, match="sample_weight"):
        BinaryMLPClassifier(dtype="float32", **FAST).fit(X, Y, sample_weight=weights)


@pytest.mark.parametrize("dtype, weight", [("float64", 1e-320), ("float32", 1e-40),
                                           ("float64", 1e307)])
def test_sample_weights_beyond_the_arithmetic_are_named_not_blamed_on_the_rate(dtype, weight):
    """Their sum divides alpha's L2 term: a subnormal sum made it inf (the
    error blamed learning_rate_init), or in float32 a finite but absurd loss."""
    with pytest.raises(ValueError, match=rf"The weights \(sample_weight\) sum to .* outside "
                                         rf"the {dtype} range"):
        BinaryMLPClassifier(dtype=dtype, **FAST).fit(X, Y, sample_weight=np.full(60, weight))


def test_all_zero_weights_name_class_weight_when_it_made_them():
    with pytest.raises(ValueError, match=r"The weights \(sample_weight times "
                                         r"class_weight=\{0: 0, 1: 0\}\) must have a "
                                         "positive sum"):
        BinaryMLPClassifier(class_weight={0: 0, 1: 0}, **FAST).fit(X, Y)


# ---------------------------------------------------------------- labels
@pytest.mark.parametrize("classes", [[], np.array([])])
def test_empty_classes_in_partial_fit_is_named(classes):
    model = MulticlassMLPClassifier(**FAST)
    with pytest.raises(ValueError, match=r"classes must list every label y can hold .* "
                                         r"got classes="):
        model.partial_fit(X, Y3, classes=classes)
    assert not hasattr(model, "classes_")


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_labels_that_cannot_be_sorted_are_named(method):
    """sklearn's MLPClassifier (and check_classification_targets) raise NumPy's
    TypeError: '<' not supported between instances of 'int' and 'str'."""
    y = np.array(["a", 1, 2] * 20, dtype=object)
    model = MulticlassMLPClassifier(**FAST)
    kwargs = {"classes": [1, 2, 3]} if method == "partial_fit" else {}
    with pytest.raises(ValueError, match=r"y mixes labels of types \['int', 'str'\] that "
                                         "cannot be sorted"):
        getattr(model, method)(X, y, **kwargs)
    assert not hasattr(model, "classes_")


@pytest.mark.parametrize("frame", ["object", "category"])
def test_pandas_string_columns_are_refused_with_the_value(frame):
    pd = pytest.importorskip("pandas")
    data = pd.DataFrame(X, columns=["a", "b", "c"])
    data["c"] = pd.Series(["u", "v"] * 30, dtype=frame)
    with pytest.raises(ValueError, match="could not convert string to float: 'u'"):
        BinaryMLPClassifier(**FAST).fit(data, Y)


@pytest.mark.parametrize("bad", [None, np.nan])
def test_missing_labels_are_refused(bad):
    y = Y.astype(object if bad is None else float)
    y[3] = bad
    with pytest.raises(ValueError, match="Unknown label type|Input y contains NaN"):
        BinaryMLPClassifier(**FAST).fit(X, y)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_changing_dtype_of_a_fitted_model_is_refused_not_ignored(method):
    """The fitted float32 weights were kept and dtype='float64' silently ignored."""
    model = BinaryMLPClassifier(dtype="float32", warm_start=True, **FAST)
    model.partial_fit(X, Y, classes=[0, 1]) if method == "partial_fit" else model.fit(X, Y)
    model.set_params(dtype="float64")
    with pytest.raises(ValueError, match="cannot change dtype: fitted in float32, now "
                                         "dtype='float64'"):
        getattr(model, method)(X, Y)
    model.set_params(dtype=None)  # None keeps the fitted dtype
    getattr(model, method)(X, Y)
    assert model.coefs_[0].dtype == np.float32
