"""Tests for sknn_cn.imbalance.sampling (seed 1.3.1.3: per-attribute synthetic samples)."""

from collections import Counter

import numpy as np
import pytest
from scipy import sparse, stats
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.utils.estimator_checks import (
    parametrize_with_checks as parametrize_with_sklearn_checks,
)

from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline
from imblearn.utils.estimator_checks import check_param_validation
from imblearn.utils.estimator_checks import (
    estimator_checks_generator as imblearn_checks,
)

from sknn_cn.imbalance import PerAttributeOverSampler


# ---------------------------------------------------------------- API checks
# As imblearn tests its own samplers (imblearn/tests/test_common.py): both the
# sklearn and the imblearn check suites, and the parameter validation check.
# (imblearn's parametrize_with_checks hands pytest a generator, which pytest
# deprecates; the same checks are listed here instead.)
@parametrize_with_sklearn_checks([PerAttributeOverSampler(random_state=0)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "estimator, check",
    list(imblearn_checks(PerAttributeOverSampler(random_state=0))),
    ids=lambda obj: getattr(getattr(obj, "func", None), "__name__", None),
)
def test_imblearn_compatible(estimator, check):
    check(estimator)


def test_param_validation():
    check_param_validation("PerAttributeOverSampler", PerAttributeOverSampler())


# ---------------------------------------------------------------- helpers
def _imbalanced_3class(random_state=0):
    X, y = make_classification(
        n_samples=700, n_features=4, n_informative=3, n_redundant=0,
        n_classes=3, weights=[0.7, 0.2, 0.1], random_state=random_state,
    )
    return X, y


# ---------------------------------------------------------------- values
@pytest.mark.parametrize("sparse_input", [False, True])
def test_synthetic_values_come_from_the_class_per_feature(sparse_input):
    rng = np.random.RandomState(1)
    # Integer features with class-specific ranges, so that a value borrowed
    # from the wrong class or the wrong feature would be visible.
    X = np.vstack([
        rng.randint(0, 10, size=(60, 3)) + [0, 100, 200],
        rng.randint(0, 10, size=(8, 3)) + [50, 150, 250],
    ]).astype(float)
    X[rng.rand(*X.shape) < 0.2] = 0.0  # some zeros for the sparse path
    y = np.array([0] * 60 + [1] * 8)
    X_in = sparse.csr_matrix(X) if sparse_input else X

    sampler = PerAttributeOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X_in, y)
    if sparse_input:
        assert sparse.issparse(X_res)
        X_res = X_res.toarray()

    n = X.shape[0]
    assert np.array_equal(X_res[:n], X) and np.array_equal(y_res[:n], y)
    X_new, y_new = X_res[n:], y_res[n:]
    assert X_new.shape[0] == 52  # 60 - 8 new samples of class 1
    for c in (0, 1):
        for j in range(X.shape[1]):
            observed = set(X[y == c, j])
            assert set(X_new[y_new == c, j]) <= observed
    # the recorded sources tell, value by value, where each copy came from
    source = sampler.source_indices_
    assert source.shape == X_new.shape
    assert np.all(y[source] == y_new[:, None])
    assert np.array_equal(X_new, X[source, np.arange(X.shape[1])])


def test_string_and_nan_values_are_copied_within_class():
    X = np.array(
        [["a", "x"], ["b", "y"], ["a", "y"], ["c", "z"], ["d", "w"], ["c", "w"]],
        dtype=object,
    )
    y = np.array([0, 0, 0, 0, 1, 1])
    X_res, y_res = PerAttributeOverSampler(random_state=3).fit_resample(X, y)
    assert X_res.dtype == object and Counter(y_res) == {0: 4, 1: 4}
    new_of_1 = X_res[6:]
    assert set(new_of_1[:, 0]) <= {"d", "c"} and set(new_of_1[:, 1]) <= {"w"}

    X_nan = np.array([[1.0, np.nan], [2.0, 3.0], [np.nan, 4.0], [5.0, 6.0]])
    y_nan = np.array([0, 0, 0, 1])
    X_res, _ = PerAttributeOverSampler(
        sampling_strategy={1: 500}, random_state=0
    ).fit_resample(X_nan, y_nan)
    assert not np.isnan(X_res[4:]).any()  # class 1 has no NaN to copy
    assert np.all(X_res[4:] == [5.0, 6.0])  # one sample: only copies of it


# ---------------------------------------------------------------- counts
@pytest.mark.parametrize(
    "strategy",
    ["auto", "minority", "not majority", "not minority", "all",
     {1: 300, 2: 250}, {2: 490, 0: 490}, lambda y: {2: 2 * np.sum(y == 2)}],
    ids=["auto", "minority", "not-majority", "not-minority", "all",
         "dict", "dict-equal", "callable"],
)
def test_class_counts_match_random_over_sampler(strategy):
    X, y = _imbalanced_3class()
    _, y_res = PerAttributeOverSampler(
        sampling_strategy=strategy, random_state=0
    ).fit_resample(X, y)
    _, y_oracle = RandomOverSampler(
        sampling_strategy=strategy, random_state=0
    ).fit_resample(X, y)
    assert Counter(y_res) == Counter(y_oracle)


@pytest.mark.parametrize("ratio", [0.25, 0.5, 1.0])
def test_float_strategy_binary_matches_random_over_sampler(ratio):
    X, y = make_classification(n_samples=400, weights=[0.9], random_state=0)
    _, y_res = PerAttributeOverSampler(
        sampling_strategy=ratio, random_state=0
    ).fit_resample(X, y)
    _, y_oracle = RandomOverSampler(
        sampling_strategy=ratio, random_state=0
    ).fit_resample(X, y)
    assert Counter(y_res) == Counter(y_oracle)
    n_major = np.sum(y == 0)
    # imblearn's definition: N_minority_after = int(ratio * N_majority)
    assert np.sum(y_res == 1) == int(ratio * n_major)


def test_float_strategy_multiclass_is_rejected_like_imblearn():
    X, y = _imbalanced_3class()
    with pytest.raises(ValueError, match="binary"):
        RandomOverSampler(sampling_strategy=0.5).fit_resample(X, y)
    with pytest.raises(ValueError, match="binary"):
        PerAttributeOverSampler(sampling_strategy=0.5).fit_resample(X, y)


def test_random_state_reproducible():
    X, y = _imbalanced_3class()
    a = PerAttributeOverSampler(random_state=7).fit_resample(X, y)[0]
    b = PerAttributeOverSampler(random_state=7).fit_resample(X, y)[0]
    c = PerAttributeOverSampler(random_state=8).fit_resample(X, y)[0]
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


# ---------------------------------------------------------------- independence
def _correlated_minority(n_minority=200, random_state=0):
    rng = np.random.RandomState(random_state)
    z = rng.normal(size=n_minority)
    minority = np.column_stack([z, 2 * z + 0.1 * rng.normal(size=n_minority)])
    majority = rng.normal(loc=5.0, size=(400, 2))
    X = np.vstack([majority, minority])
    y = np.array([0] * 400 + [1] * n_minority)
    return X, y


def test_marginals_kept_and_correlation_destroyed():
    X, y = _correlated_minority()
    m = 20000  # synthetic samples; a dict strategy gives the class size after
    strategy = {1: 200 + m}
    X_res, y_res = PerAttributeOverSampler(
        sampling_strategy=strategy, random_state=0
    ).fit_resample(X, y)
    X_new = X_res[X.shape[0]:]
    X_min = X[y == 1]
    assert np.corrcoef(X_min.T)[0, 1] > 0.99  # the relation the seed says is lost

    # Marginals: every continuous value is distinct, so each of the 200 values
    # of a feature must be drawn with probability 1/200 (closed form).  Chi-square
    # goodness of fit on the counts.
    for j in range(2):
        values = np.sort(X_min[:, j])
        counts = np.bincount(np.searchsorted(values, X_new[:, j]), minlength=200)
        assert counts.sum() == m
        assert stats.chisquare(counts).pvalue > 1e-3
        # and, as distributions, the synthetic and original samples agree (KS)
        assert stats.ks_2samp(X_new[:, j], X_min[:, j]).pvalue > 1e-3

    # Independence: under independence the sample correlation of m pairs has
    # standard deviation about 1/sqrt(m); allow 4 of them.
    r_new = np.corrcoef(X_new.T)[0, 1]
    assert abs(r_new) < 4 / np.sqrt(m)

    # Contrast (shows the check can fail): RandomOverSampler copies whole rows.
    X_ros, _ = RandomOverSampler(
        sampling_strategy=strategy, random_state=0
    ).fit_resample(X, y)
    assert np.corrcoef(X_ros[X.shape[0]:].T)[0, 1] > 0.99


def test_joint_of_binary_features_is_product_of_marginals():
    # In the minority class x0 == x1 exactly; synthetic samples must follow
    # P(x0, x1) = P(x0) P(x1).  Oracle: the chi-square test of independence.
    rng = np.random.RandomState(0)
    b = (rng.rand(50) < 0.3).astype(float)
    X = np.vstack([rng.rand(300, 2), np.column_stack([b, b])])
    y = np.array([0] * 300 + [1] * 50)
    m = 5000
    X_res, _ = PerAttributeOverSampler(
        sampling_strategy={1: 50 + m}, random_state=1
    ).fit_resample(X, y)
    X_new = X_res[350:]
    table = np.array([[np.sum((X_new[:, 0] == a) & (X_new[:, 1] == c))
                       for c in (0, 1)] for a in (0, 1)])
    assert stats.chi2_contingency(table).pvalue > 1e-3
    p = b.mean()
    cell_prob = np.outer([1 - p, p], [1 - p, p])
    # each cell count is Binomial(m, q): within 4 standard deviations
    assert np.all(np.abs(table - m * cell_prob) < 4 * np.sqrt(m * cell_prob * (1 - cell_prob)))
    assert table[0, 1] > 0 and table[1, 0] > 0  # x0 != x1 now happens


# ---------------------------------------------------------------- pipelines
def test_in_imblearn_pipeline_resamples_only_in_fit():
    X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    pipe = make_pipeline(
        PerAttributeOverSampler(random_state=0), DummyClassifier(strategy="prior")
    )
    pipe.fit(X, y)
    # the classifier saw balanced classes ...
    assert np.allclose(pipe[-1].class_prior_, [0.5, 0.5])
    # ... while prediction is on the untouched input
    assert pipe.predict_proba(X).shape == (300, 2)


def test_pipeline_cross_validate_with_classifier():
    X, y = make_classification(
        n_samples=400, weights=[0.9], class_sep=1.5, random_state=0
    )
    pipe = make_pipeline(
        PerAttributeOverSampler(random_state=0), LogisticRegression()
    )
    scores = cross_validate(
        pipe, X, y, cv=StratifiedKFold(3), scoring=["roc_auc", "recall"]
    )
    assert np.all(scores["test_roc_auc"] > 0.5)
    plain = cross_validate(
        LogisticRegression(), X, y, cv=StratifiedKFold(3), scoring="recall"
    )
    # balancing moves the decision threshold toward the minority class
    assert scores["test_recall"].mean() >= plain["test_score"].mean()


# ---------------------------------------------------------------- hostile inputs (issue 11)
def _fixture():
    # issue 11's fixture, with a 50:10 imbalance so that there is something to make
    X = np.random.default_rng(0).normal(size=(60, 3))
    y = np.r_[np.zeros(50, dtype=int), np.ones(10, dtype=int)]
    return X, y


def _sklearn_length_message(X, y):
    """The message sklearn's own check gives for X and y of different lengths (the oracle)."""
    from sklearn.utils import check_X_y

    with pytest.raises(ValueError) as info:
        check_X_y(X, y)
    return str(info.value)


@pytest.mark.parametrize("cut", ["X", "y"])
def test_inconsistent_lengths_raise_sklearns_error(cut):
    # Old code: X[:50] -> IndexError; y[5:] -> X with 85 rows and y with 80, silently.
    X, y = _fixture()
    X_bad, y_bad = (X[:50], y) if cut == "X" else (X, y[5:])
    message = _sklearn_length_message(X_bad, y_bad)
    assert "inconsistent numbers of samples" in message
    with pytest.raises(ValueError) as info:
        PerAttributeOverSampler(random_state=0).fit_resample(X_bad, y_bad)
    assert str(info.value) == message


def test_refused_input_leaves_the_sampler_as_it_was():
    import pandas as pd

    X, y = _fixture()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    sampler = PerAttributeOverSampler(random_state=np.random.RandomState(0))
    sampler.fit_resample(frame, y)
    before = {k: (v.copy() if isinstance(v, np.ndarray) else v)
              for k, v in vars(sampler).items() if k != "random_state"}
    rng_before = sampler.random_state.get_state()[1].copy()
    with pytest.raises(ValueError, match="inconsistent"):
        sampler.fit_resample(pd.DataFrame(X[:50], columns=["x", "y", "z"]), y)
    after = {k: v for k, v in vars(sampler).items() if k != "random_state"}
    assert after.keys() == before.keys()
    for key, value in before.items():
        assert np.array_equal(np.asarray(after[key], dtype=object),
                              np.asarray(value, dtype=object)), key
    assert np.array_equal(sampler.random_state.get_state()[1], rng_before)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_are_copied_not_computed(bad):
    X, y = _fixture()
    X = X.copy()
    X[55, 1] = bad  # a minority sample
    X_res, y_res = PerAttributeOverSampler(random_state=0).fit_resample(X, y)
    new = X_res[60:, 1]
    minority_values = X[50:, 1]
    # every synthetic value of feature 1 is one of the minority's values (NaN included)
    assert all(np.any((v == minority_values) | (np.isnan(v) & np.isnan(minority_values)))
               for v in new)
    sampler = PerAttributeOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    from_55 = sampler.source_indices_[:, 1] == 55
    assert from_55.any()
    assert np.array_equal(X_res[60:, 1][from_55], np.full(from_55.sum(), bad), equal_nan=True)
    assert np.all(np.isfinite(X_res[60:, [0, 2]]))


def test_empty_and_featureless_input_are_refused():
    X, y = _fixture()
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        PerAttributeOverSampler().fit_resample(X[:0], y[:0])
    with pytest.raises(ValueError, match=r"0 feature\(s\)"):
        PerAttributeOverSampler().fit_resample(X[:, :0], y)


def test_one_class_is_refused():
    X, _ = _fixture()
    with pytest.raises(ValueError, match="more than 1 class"):
        PerAttributeOverSampler().fit_resample(X, np.zeros(60, dtype=int))


def test_one_sample_class_is_copied():
    X, _ = _fixture()
    y = np.r_[np.zeros(59, dtype=int), 1]
    X_res, y_res = PerAttributeOverSampler(random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [59, 59]
    assert np.array_equal(X_res[60:], np.repeat(X[59:], 58, axis=0))


def test_string_labels_kept():
    X, y = _fixture()
    labels = np.where(y == 1, "rare", "common")
    X_res, y_res = PerAttributeOverSampler(random_state=0).fit_resample(X, labels)
    assert y_res.dtype == labels.dtype
    assert Counter(y_res.tolist()) == {"common": 50, "rare": 50}
    sampler = PerAttributeOverSampler(random_state=0)
    sampler.fit_resample(X, labels)
    assert np.all(labels[sampler.source_indices_] == "rare")


@pytest.mark.parametrize("labels, match", [
    (np.array([1] * 50 + ["a"] * 10, dtype=object), "Unknown label type"),
    (np.linspace(0, 1, 60), "Unknown label type: continuous"),
    (np.r_[np.zeros(50), [np.nan] * 10], "NaN"),
])
def test_bad_labels_get_sklearns_error(labels, match):
    X, _ = _fixture()
    with pytest.raises(ValueError, match=match):
        PerAttributeOverSampler().fit_resample(X, labels)


def test_sample_weight_is_refused_by_name():
    # Old code: "TypeError: PerAttributeOverSampler._fit_resample() got an
    # unexpected keyword argument" (a private name the user never called).
    X, y = _fixture()
    with pytest.raises(TypeError, match=r"fit_resample\(\).*'sample_weight'") as info:
        PerAttributeOverSampler().fit_resample(X, y, sample_weight=np.ones(60))
    assert "_fit_resample" not in str(info.value)


def test_pandas_in_pandas_out():
    import pandas as pd

    X, y = _fixture()
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1].astype(np.float32),
                          "tag": np.where(y == 1, "u", "v")})
    target = pd.Series(np.where(y == 1, "rare", "common"), name="label")
    sampler = PerAttributeOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(frame, target)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert list(X_res.columns) == ["a", "b", "tag"]
    assert X_res.dtypes.tolist() == frame.dtypes.tolist()
    assert y_res.name == "label" and len(X_res) == len(y_res) == 100
    assert set(X_res["tag"].iloc[60:]) == {"u"}  # minority rows' categorical value
    assert list(sampler.feature_names_in_) == ["a", "b", "tag"]
    assert np.array_equal(X_res["a"].to_numpy()[60:], X[sampler.source_indices_[:, 0], 0])


def test_no_private_names_of_other_packages():
    # issue 10: public API only (imblearn's _check_X and sknn_cn._mlp were used before).
    import ast
    import pathlib

    import sknn_cn.imbalance as package

    allowed = {"sklearn.utils._param_validation"}  # sklearn's constraint objects
    for path in pathlib.Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                parts = node.module.split(".")
                names = [alias.name for alias in node.names]
                private = [p for p in parts + names if p.startswith("_")]
                assert not private or node.module in allowed, (path.name, node.module, names)
