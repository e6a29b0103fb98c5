"""Tests for sknn_cn.imbalance.boosting (seed 1.3.1.4: Schapire's three learners)."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.neighbors import NearestCentroid
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknn_cn import MulticlassMLPClassifier
from sknn_cn.imbalance import DegenerateBoostingWarning, SchapireBoostClassifier
from sknn_cn.datasets import make_coin_hole

# Tiny hand-made and check-suite data sets hit the degenerate cases by design;
# the tests about those warnings catch them with pytest.warns.
pytestmark = [
    pytest.mark.filterwarnings("ignore::sknn_cn.imbalance.DegenerateBoostingWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]


# ---------------------------------------------------------------- API checks
@parametrize_with_checks([
    SchapireBoostClassifier(random_state=0),
    SchapireBoostClassifier(variant="imbalance", random_state=0),
    SchapireBoostClassifier(LogisticRegression(), random_state=0),
    SchapireBoostClassifier(LinearSVC(), random_state=0),  # no predict_proba
])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_predict_proba_only_when_base_has_it():
    assert not hasattr(SchapireBoostClassifier(LinearSVC()), "predict_proba")
    assert hasattr(SchapireBoostClassifier(), "predict_proba")


# ---------------------------------------------------------------- by hand
def _nearest_mean_1d(x_train, y_train, x):
    """Closed form of a 1-D nearest-centroid rule (what NearestCentroid does)."""
    labels = np.unique(y_train)
    if labels.size == 1:
        return np.full(x.shape, labels[0])
    means = np.array([x_train[y_train == c].mean() for c in labels])
    return labels[np.argmin(np.abs(x[:, None] - means[None, :]), axis=1)]


# x = 0..11; class 1 has mean (3+6+7+9+10+11)/6 = 7.67, class 0 has mean
# (0+1+2+4+5+8)/6 = 3.33, so L1 (nearest centroid on all) says 1 for x > 5.5 and
# is wrong on exactly x = 3 (a 1 called 0) and x = 8 (a 0 called 1).
X_HAND = np.arange(12.0)[:, None]
Y_HAND = np.array([0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1])
L1_WRONG_HAND = {3, 8}


@pytest.mark.parametrize("seed", range(6))
def test_classic_which_samples_each_learner_saw(seed):
    clf = SchapireBoostClassifier(NearestCentroid(), random_state=seed)
    with pytest.warns(DegenerateBoostingWarning, match="L2 is trained on only 4 samples"):
        clf.fit(X_HAND, Y_HAND)
    x = X_HAND[:, 0]
    l1_samples, l2_samples = clf.estimators_samples_[:2]

    # L1 saw everything and erred exactly where the arithmetic above says
    assert np.array_equal(l1_samples, np.arange(12))
    assert set(np.flatnonzero(~clf.l1_correct_)) == L1_WRONG_HAND
    pred1 = (x > 5.5).astype(int)

    # L2: wrong, correct, wrong, correct; the 2 wrong ones and 2 distinct right ones
    assert l2_samples.size == 4
    assert set(l2_samples[0::2]) == L1_WRONG_HAND
    assert set(l2_samples[1::2]).isdisjoint(L1_WRONG_HAND)
    assert len(set(l2_samples[1::2])) == 2
    pred2 = _nearest_mean_1d(x[l2_samples], Y_HAND[l2_samples], x)

    # L3: exactly the samples where L1 and L2 disagree
    disagree = np.flatnonzero(pred1 != pred2)
    if disagree.size == 0:
        assert len(clf.estimators_) == 2
        return
    l3_samples = clf.estimators_samples_[2]
    assert np.array_equal(l3_samples, disagree)
    pred3 = _nearest_mean_1d(x[l3_samples], Y_HAND[l3_samples], x)

    # the vote: L1 where L1 and L2 agree, L3 elsewhere
    assert np.array_equal(clf.predict(X_HAND), np.where(pred1 == pred2, pred1, pred3))


def test_classic_single_class_l3_is_a_constant():
    # seed 4: L2 learns {8: 0, 4: 0, 3: 1, 10: 1}; class means 6 and 6.5, so L2
    # says 1 for x > 6.25, disagreeing with L1 (x > 5.5) only at x = 6, a 1.
    clf = SchapireBoostClassifier(NearestCentroid(), random_state=4)
    with pytest.warns(DegenerateBoostingWarning, match="L3's training set holds only class 1"):
        clf.fit(X_HAND, Y_HAND)
    assert set(clf.estimators_samples_[1]) == {8, 4, 3, 10}
    assert np.array_equal(clf.estimators_samples_[2], [6])
    l3 = clf.estimators_[2]
    assert isinstance(l3, DummyClassifier)
    assert np.all(l3.predict(X_HAND) == 1)


def test_imbalance_which_samples_each_learner_saw():
    # x = 0..19, the rare class at x = 17, 18, 19; string labels on purpose.
    X = np.arange(20.0)[:, None]
    x = X[:, 0]
    y = np.where(x >= 17, "rare", "common")
    clf = SchapireBoostClassifier(NearestCentroid(), variant="imbalance", random_state=0)
    with pytest.warns(DegenerateBoostingWarning, match="only 3 minority samples"):
        clf.fit(X, y)
    assert clf.majority_class_ == "common" and clf.minority_class_ == "rare"

    # L1 says "common" (the seed's true) always: wrong exactly on the rare ones
    assert np.all(clf.estimators_[0].predict(X) == "common")
    assert np.array_equal(clf.l1_correct_, y == "common")

    # L2: every rare sample (even positions) and 3 distinct common ones: balanced
    l2 = clf.estimators_samples_[1]
    assert set(l2[0::2]) == {17, 18, 19}
    assert len(set(l2[1::2])) == 3 and np.all(y[l2[1::2]] == "common")
    pred2 = _nearest_mean_1d(x[l2], y[l2], x)

    # L3: where L1 and L2 disagree = where L2 says "rare" (the seed's false)
    l3 = clf.estimators_samples_[2]
    assert np.array_equal(l3, np.flatnonzero(pred2 == "rare"))
    pred3 = _nearest_mean_1d(x[l3], y[l3], x)

    # final: rare only where L2 and L3 both say rare
    expected = np.where((pred2 == "rare") & (pred3 == "rare"), "rare", "common")
    assert np.array_equal(clf.predict(X), expected)


# ---------------------------------------------------------------- probabilities
def _aligned(est, X, classes):
    proba = np.zeros((X.shape[0], classes.size))
    proba[:, np.searchsorted(classes, est.classes_)] = est.predict_proba(X)
    return proba


def test_binary_proba_is_median_of_three_and_consistent_with_vote():
    X, y = make_classification(n_samples=300, weights=[0.8], random_state=0)
    clf = SchapireBoostClassifier(
        DecisionTreeClassifier(max_depth=2), random_state=0
    ).fit(X, y)
    assert len(clf.estimators_) == 3
    p = np.array([_aligned(e, X, clf.classes_)[:, 1] for e in clf.estimators_])
    proba = clf.predict_proba(X)
    assert np.allclose(proba[:, 1], np.median(p, axis=0))
    assert np.allclose(proba.sum(axis=1), 1.0)
    # the median of three exceeds 1/2 exactly when two of three votes say 1
    votes = np.array([e.predict(X) for e in clf.estimators_])
    majority = (votes.sum(axis=0) >= 2).astype(int)
    assert np.array_equal(clf.predict(X), majority)
    not_tied = proba[:, 1] != 0.5
    assert np.array_equal(np.argmax(proba, axis=1)[not_tied], majority[not_tied])


def test_imbalance_proba_is_min_of_l2_l3():
    X, y = make_classification(n_samples=400, weights=[0.9], random_state=1)
    clf = SchapireBoostClassifier(
        LogisticRegression(), variant="imbalance", random_state=0
    ).fit(X, y)
    minority = np.flatnonzero(clf.classes_ == clf.minority_class_)[0]
    p2 = _aligned(clf.estimators_[1], X, clf.classes_)[:, minority]
    p3 = _aligned(clf.estimators_[2], X, clf.classes_)[:, minority]
    assert np.allclose(clf.predict_proba(X)[:, minority], np.minimum(p2, p3))
    assert roc_auc_score(y == clf.minority_class_, np.minimum(p2, p3)) > 0.8


def test_multiclass_proba_is_mean_of_the_winning_voters():
    X, y = make_coin_hole(600, random_state=0)
    clf = SchapireBoostClassifier(
        DecisionTreeClassifier(max_depth=3), random_state=0
    ).fit(X, y)
    assert len(clf.estimators_) == 3
    votes = np.array([e.predict(X) for e in clf.estimators_])
    winner = np.where(votes[0] == votes[1], votes[0], votes[2])
    assert np.array_equal(clf.predict(X), winner)
    probas = np.array([_aligned(e, X, clf.classes_) for e in clf.estimators_])
    expected = np.array([
        probas[votes[:, i] == winner[i], i].mean(axis=0) for i in range(X.shape[0])
    ])
    proba = clf.predict_proba(X)
    assert np.allclose(proba, expected)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert np.array_equal(clf.classes_[np.argmax(proba, axis=1)], winner)


# ---------------------------------------------------------------- degenerate cases
def test_l1_perfect_warns_and_uses_l1_alone():
    X, y = make_classification(n_samples=100, random_state=0)
    with pytest.warns(DegenerateBoostingWarning, match="L1 classifies every training sample"):
        clf = SchapireBoostClassifier(DecisionTreeClassifier(), random_state=0).fit(X, y)
    assert len(clf.estimators_) == 1 and len(clf.estimators_samples_) == 1
    tree = DecisionTreeClassifier(random_state=clf.estimators_[0].random_state).fit(X, y)
    assert np.array_equal(clf.predict(X), tree.predict(X))
    assert np.allclose(clf.predict_proba(X), tree.predict_proba(X))


def test_no_disagreement_warns_and_averages_l1_l2():
    # DummyClassifier('prior') on L2's balanced set predicts classes_[0] (the
    # majority here) everywhere, so L1 and L2 never disagree.  Then the output
    # is the mean of L1 = (1, 0) and L2 = (1/2, 1/2): (3/4, 1/4) for every x.
    X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
    with pytest.warns(DegenerateBoostingWarning, match="L1 and L2 agree"):
        clf = SchapireBoostClassifier(
            DummyClassifier(strategy="prior"), variant="imbalance", random_state=0
        ).fit(X, y)
    assert clf.majority_class_ == 0 and len(clf.estimators_) == 2
    assert np.allclose(clf.predict_proba(X), [[0.75, 0.25]])
    assert np.all(clf.predict(X) == 0)


def test_balanced_classes_warn_in_imbalance_variant():
    X, y = make_classification(n_samples=100, weights=[0.5], flip_y=0, random_state=0)
    assert np.sum(y == 0) == np.sum(y == 1)
    with pytest.warns(DegenerateBoostingWarning, match="balanced"):
        clf = SchapireBoostClassifier(
            LogisticRegression(), variant="imbalance", random_state=0
        ).fit(X, y)
    assert clf.majority_class_ == 0


def test_bad_input_errors_name_the_argument():
    X, y = make_coin_hole(100, random_state=0)
    with pytest.raises(ValueError, match="variant='imbalance'.*3 classes"):
        SchapireBoostClassifier(variant="imbalance").fit(X, y)
    with pytest.raises(InvalidParameterError, match="'variant' parameter"):
        SchapireBoostClassifier(variant="bogus").fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        SchapireBoostClassifier(LogisticRegression()).fit(X, np.zeros(100))


# ---------------------------------------------------------------- randomness
def test_random_state_reproducible_and_passed_to_nested_clones():
    X, y = make_classification(n_samples=300, weights=[0.85], random_state=0)
    base = make_pipeline(StandardScaler(), DecisionTreeClassifier(max_depth=3))
    a = SchapireBoostClassifier(base, random_state=3).fit(X, y)
    b = SchapireBoostClassifier(base, random_state=3).fit(X, y)
    for ea, eb, sa, sb in zip(a.estimators_, b.estimators_,
                              a.estimators_samples_, b.estimators_samples_):
        assert np.array_equal(sa, sb)
        seed = ea.get_params()["decisiontreeclassifier__random_state"]
        assert isinstance(seed, (int, np.integer))
        assert seed == eb.get_params()["decisiontreeclassifier__random_state"]
    assert base.get_params()["decisiontreeclassifier__random_state"] is None  # not mutated
    c = SchapireBoostClassifier(base, random_state=4).fit(X, y)
    assert not np.array_equal(a.estimators_samples_[1], c.estimators_samples_[1])


# ---------------------------------------------------------------- the point of it
def test_imbalance_variant_beats_plain_mlp_on_minority_recall_95_5():
    # Seed 1.3: at 1900:100 a plain network tends to call everything the big
    # class.  The coin-hole's hole against the rest, subsampled to 950:50.
    X, y = make_coin_hole(6000, random_state=0)
    y = (y == 0).astype(int)
    rng = np.random.RandomState(0)
    keep = np.concatenate([
        rng.choice(np.flatnonzero(y == 0), 950, replace=False),
        rng.choice(np.flatnonzero(y == 1), 50, replace=False),
    ])
    X, y = X[keep], y[keep]
    mlp = MulticlassMLPClassifier(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=500, random_state=0
    )
    boost = SchapireBoostClassifier(clone(mlp), variant="imbalance", random_state=0)
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of the small MLPs
        plain_pred = cross_val_predict(mlp, X, y, cv=cv)
        boost_proba = cross_val_predict(boost, X, y, cv=cv, method="predict_proba")
    boost_pred = np.argmax(boost_proba, axis=1)
    plain_recall = recall_score(y, plain_pred)
    boost_recall = recall_score(y, boost_pred)
    assert boost_recall >= plain_recall + 0.1, (plain_recall, boost_recall)
    assert roc_auc_score(y, boost_proba[:, 1]) > 0.8


# ---------------------------------------------------------------- the imbalance variant's vote
def test_imbalance_vote_is_and_of_l2_l3_so_recall_is_at_most_each():
    # Seed 1.3.1.4: "false" (minority) only where L2 and L3 both say false.
    # Hence the ensemble's minority recall can never exceed L3's (nor L2's):
    # the reason the variant is the most conservative remedy in the tour.
    X, y = make_classification(n_samples=600, weights=[0.93], flip_y=0.05, class_sep=0.6,
                               random_state=1)
    clf = SchapireBoostClassifier(DecisionTreeClassifier(max_depth=3), variant="imbalance",
                                  random_state=0).fit(X, y)
    _, l2, l3 = clf.estimators_
    both = (l2.predict(X) == 1) & (l3.predict(X) == 1)
    assert np.array_equal(clf.predict(X) == 1, both)
    recall = recall_score(y, clf.predict(X))
    assert recall <= min(recall_score(y, l2.predict(X)), recall_score(y, l3.predict(X)))
    # L3 learns where L2 says minority: that set is not balanced (the seed
    # balances only L2's), here mostly majority samples.
    l3_set = clf.estimators_samples_[2]
    assert np.array_equal(l3_set, np.flatnonzero(l2.predict(X) == 1))
    assert np.mean(y[l3_set] == 1) < 0.5


# ---------------------------------------------------------------- hostile inputs (issue 11)
def _fixture():
    X = np.random.default_rng(0).normal(size=(60, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0.8).astype(int)
    return X, y


def _tree_boost(**params):
    return SchapireBoostClassifier(DecisionTreeClassifier(max_depth=2), random_state=0, **params)


@pytest.mark.parametrize("variant", ["classic", "imbalance"])
def test_inconsistent_lengths_raise_sklearns_error(variant):
    from sklearn.utils import check_X_y

    X, y = _fixture()
    with pytest.raises(ValueError) as oracle:
        check_X_y(X[:50], y)
    with pytest.raises(ValueError) as info:
        _tree_boost(variant=variant).fit(X[:50], y)
    assert str(info.value) == str(oracle.value)


@pytest.mark.parametrize("variant", ["classic", "imbalance"])
def test_nan_is_the_base_learners_to_accept_or_refuse(variant):
    # Old code refused NaN up front, even for a base learner that handles it.
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer

    X, y = _fixture()
    X_nan = X.copy()
    X_nan[::7, 1] = np.nan
    for base in (HistGradientBoostingClassifier(max_iter=10, min_samples_leaf=2),
                 make_pipeline(SimpleImputer(), LogisticRegression())):
        clf = SchapireBoostClassifier(base, variant=variant, random_state=0).fit(X_nan, y)
        proba = clf.predict_proba(X_nan)
        assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1)
    # A base learner that refuses NaN or inf says so itself, naming itself.
    for bad in (X_nan, np.where(X > 1.5, np.inf, X)):
        with pytest.raises(ValueError, match="NaN|infinity"):
            SchapireBoostClassifier(LogisticRegression(), variant=variant).fit(bad, y)
    fitted = SchapireBoostClassifier(LogisticRegression(), variant=variant).fit(X, y)
    with pytest.raises(ValueError, match="LogisticRegression does not accept missing values"):
        fitted.predict(X_nan)


class _RefusesHugeValues(LogisticRegression):
    """A base learner that refuses some data sets (as any real learner may)."""

    def fit(self, X, y, sample_weight=None):
        if np.abs(X).max() > 1e6:
            raise ValueError("this learner refuses values above 1e6")
        return super().fit(X, y, sample_weight)


def test_refused_fit_leaves_the_estimator_as_it_was():
    # Old code: when L2's fit failed, classes_, majority_class_, l1_correct_
    # and estimators_ = [L1] of the refused data were left behind, so predict
    # changed and a RandomState given as random_state had moved.
    X, y = _fixture()
    rs = np.random.RandomState(0)
    clf = SchapireBoostClassifier(_RefusesHugeValues(), variant="imbalance",
                                  random_state=rs).fit(X, y)
    pred = clf.predict(X)
    attributes = dict(vars(clf))
    rng_state = rs.get_state()[1].copy()
    X_bad = X.copy()
    X_bad[np.flatnonzero(y == 1)[0], 0] = 1e9  # L1 (a constant) takes it, L2 refuses it
    with pytest.raises(ValueError, match="refuses values above"):
        clf.fit(X_bad, np.where(y == 1, "b", "a"))
    assert vars(clf).keys() == attributes.keys()
    assert all(vars(clf)[key] is value for key, value in attributes.items())
    assert np.array_equal(rs.get_state()[1], rng_state)
    assert np.array_equal(clf.predict(X), pred)


def test_sample_weight_is_refused_by_name():
    X, y = _fixture()
    with pytest.raises(TypeError, match="sample_weight"):
        _tree_boost().fit(X, y, sample_weight=np.ones(60))


@pytest.mark.parametrize("variant", ["classic", "imbalance"])
def test_empty_one_class_and_bad_labels_are_refused(variant):
    X, y = _fixture()
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        _tree_boost(variant=variant).fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="at least 2 classes; got 1 class: 0"):
        _tree_boost(variant=variant).fit(X, np.zeros(60, dtype=int))
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        _tree_boost(variant=variant).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="y should be a 1d array"):
        _tree_boost(variant=variant).fit(X, np.c_[y, 1 - y])


def test_one_sample_minority_warns():
    X, _ = _fixture()
    y = np.r_[np.zeros(59, dtype=int), 1]
    with pytest.warns(DegenerateBoostingWarning, match="only 1 minority samples"):
        clf = _tree_boost(variant="imbalance").fit(X, y)
    assert clf.minority_class_ == 1
    assert clf.estimators_samples_[1].tolist()[0] == 59  # L2 saw the one minority sample


def test_string_labels_and_pandas_input():
    import pandas as pd

    X, y = _fixture()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    labels = pd.Series(np.where(y == 1, "rare", "common"))
    clf = _tree_boost(variant="imbalance").fit(frame, labels)
    assert (clf.majority_class_, clf.minority_class_) == ("common", "rare")
    assert clf.classes_.tolist() == ["common", "rare"]
    assert list(clf.feature_names_in_) == ["a", "b", "c"]
    pred = clf.predict(frame)
    assert set(pred) <= {"common", "rare"}
    proba = clf.predict_proba(frame)
    assert np.array_equal(clf.classes_[np.argmax(proba, axis=1)], pred)
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(frame.rename(columns={"c": "d"}))
    with pytest.raises(ValueError, match="X has 2 features"):
        clf.predict(X[:, :2])
