"""scikit-learn's callbacks (sklearn.callback, 1.9+) in our estimators.

A recording callback (the ``FitCallback`` protocol, as scikit-learn's own
tests write one) keeps every hook call: the task's path from the root, its
``max_subtasks`` and what the hook got.  The tests check the exact sequence
of begin / end events and their data against the fitted estimator's own
curves (``loss_curve_``, ``validation_scores_``), for fit, partial_fit,
warm_start, n_init, early stopping, a callback that stops training, fits that
raise, Pipeline, GridSearchCV with two worker processes, Schapire's boosting
and the range test.  ProgressBar and ScoringMonitor run as users run them.
"""

import os
import pickle
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier
from sknn_cn.imbalance import SchapireBoostClassifier
from sknn_cn.lr_finder import lr_range_test
from sknn_cn.persistence import load_model, save_model
from sknn_cn.training.callbacks import callbacks_of

callback = pytest.importorskip("sklearn.callback")  # scikit-learn >= 1.9
# scikit-learn's transport, as its own recording callback uses it: events sent
# from worker processes arrive in the test's process.
from sklearn.callback._transport import open_listener, send  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _copy(value):
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return np.array(value, copy=True)


def _fitted(est):
    if est is None:
        return None
    return {"n_iter_": getattr(est, "n_iter_", None), "loss_": getattr(est, "loss_", None),
            "learning_rate_init": getattr(est, "learning_rate_init", None),
            "loss_curve_": list(getattr(est, "loss_curve_", None) or []),
            "validation_scores_": list(getattr(est, "validation_scores_", None) or []),
            "validation_loss_curve_": list(getattr(est, "validation_loss_curve_", None)
                                           or []),
            "coefs_": [W.copy() for W in getattr(est, "coefs_", [])],
            "intercepts_": [b.copy() for b in getattr(est, "intercepts_", [])]}


class Recorder:
    """Records every hook call as plain data; ``stop_at`` makes it ask to stop."""

    def __init__(self, stop_at=None, fail_at=None):
        self.record = []
        self.stop_at = stop_at    # (task_name, task_id): return True at its end
        self.fail_at = fail_at    # (task_name, task_id): raise at its end
        self._listener = open_listener(self.record.append, owner=self)

    def __getstate__(self):
        return {**self.__dict__, "record": []}

    def _send(self, name, estimator, context, **data):
        path, ctx = [], context
        while ctx is not None:
            path.append((ctx.estimator_name, ctx.task_name, ctx.task_id))
            ctx = ctx.parent
        send(self._listener, {"hook": name, "estimator": type(estimator).__name__,
                              "path": tuple(reversed(path)),
                              "max_subtasks": context.max_subtasks, **data})

    def setup(self, estimator, context):
        self._send("setup", estimator, context)

    def teardown(self, estimator, context):
        self._send("teardown", estimator, context)

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None,
                          fitted_estimator=None):
        self._send("begin", estimator, context, X=_copy(X), y=_copy(y),
                   metadata=_copy(metadata), fitted=_fitted(fitted_estimator))

    def on_fit_task_end(self, estimator, context, *, X=None, y=None, metadata=None,
                        fitted_estimator=None):
        self._send("end", estimator, context, X=_copy(X), y=_copy(y),
                   metadata=_copy(metadata), fitted=_fitted(fitted_estimator))
        if self.fail_at == (context.task_name, context.task_id):
            raise RuntimeError("callback failed on purpose")
        return self.stop_at == (context.task_name, context.task_id)

    # what the tests read
    def events(self):
        """(hook, task path as (task_name, task_id)...) of every call, in order."""
        return [(r["hook"], tuple((t, i) for _, t, i in r["path"])) for r in self.record]

    def ends(self, task_name):
        return [r for r in self.record if r["hook"] == "end" and r["path"][-1][1] == task_name]


class AutoRecorder(Recorder):
    """Auto-propagated: set on a meta-estimator, it reaches our estimator."""

    max_propagation_depth = None


def _balanced(events):
    """Every begun task ends, after its children, and setup/teardown pair up."""
    stack = []
    for hook, path in events:
        if hook == "begin":
            stack.append(path)
        elif hook == "end":
            assert stack and stack[-1] == path, (path, stack)
            stack.pop()
    assert stack == []
    hooks = [hook for hook, _ in events]
    assert hooks.count("setup") == hooks.count("teardown")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16, y[:300]


def _epochs(path_prefix, n, name="epoch"):
    """Begin and end of ``n`` leaf tasks ``name`` under ``path_prefix``."""
    out = []
    for k in range(n):
        out += [("begin", path_prefix + ((name, k),)), ("end", path_prefix + ((name, k),))]
    return out


# ------------------------------------------------------------------- fit
def test_fit_one_task_per_epoch_with_the_epochs_loss(digits):
    X, y = digits
    labels = np.array(["d%d" % v for v in y])  # the hooks get the user's labels
    rec = Recorder()
    clf = MulticlassMLPClassifier((8,), max_iter=3, random_state=0).set_callbacks(rec)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, labels)
    root = (("fit", 0),)
    assert rec.events() == [("setup", root), ("begin", root), *_epochs(root, 3),
                            ("end", root), ("teardown", root)]
    begin_root = rec.record[1]
    assert begin_root["max_subtasks"] == 3
    np.testing.assert_array_equal(begin_root["X"], X)
    np.testing.assert_array_equal(begin_root["y"], labels)
    assert begin_root["metadata"] is None and begin_root["fitted"] is None
    ends = rec.ends("epoch")
    for k, end in enumerate(ends):
        np.testing.assert_array_equal(end["X"], X)
        np.testing.assert_array_equal(end["y"], labels)
        assert end["metadata"] is None
        # the epoch's training loss, and the curve so far
        assert end["fitted"]["loss_"] == clf.loss_curve_[k]
        assert end["fitted"]["loss_curve_"] == clf.loss_curve_[:k + 1]
        assert end["fitted"]["n_iter_"] == k + 1
    # the last epoch's snapshot is the fitted network
    for W, W_fit in zip(ends[-1]["fitted"]["coefs_"], clf.coefs_):
        np.testing.assert_array_equal(W, W_fit)
    # the epochs begin with the weights the previous one ended with
    begins = [r for r in rec.record if r["hook"] == "begin" and r["path"][-1][1] == "epoch"]
    for before, after in zip(ends[:-1], begins[1:]):
        np.testing.assert_array_equal(before["fitted"]["coefs_"][0],
                                      after["fitted"]["coefs_"][0])
    assert rec.record[-2]["fitted"]["loss_curve_"] == clf.loss_curve_  # root's end
    assert not hasattr(clf, "_callback_fit_ctx")  # nothing of the fit is left behind


def test_sample_weight_reaches_root_and_loss_weights_reach_epochs(digits):
    X, y = digits
    yb = (y > 4).astype(int)
    sw = np.linspace(0.5, 2.0, len(yb))
    rec = Recorder()
    clf = BinaryMLPClassifier((4,), max_iter=2, class_weight={0: 1.0, 1: 3.0},
                              random_state=0).set_callbacks(rec)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, yb, sample_weight=sw)
    np.testing.assert_array_equal(rec.record[1]["metadata"]["sample_weight"], sw)
    expected = sw * np.where(yb == 1, 3.0, 1.0)
    for end in rec.ends("epoch"):
        np.testing.assert_allclose(end["metadata"]["sample_weight"], expected)


def test_partial_fit_one_root_and_one_epoch_per_call(digits):
    X, y = digits
    rec = Recorder()
    clf = MulticlassMLPClassifier((8,), random_state=0).set_callbacks(rec)
    for _ in range(3):
        clf.partial_fit(X, y, classes=np.arange(10))
    root = (("partial_fit", 0),)
    one = [("setup", root), ("begin", root), *_epochs(root, 1), ("end", root),
           ("teardown", root)]
    assert rec.events() == one * 3
    assert [r["max_subtasks"] for r in rec.record if r["hook"] == "begin"
            and len(r["path"]) == 1] == [1, 1, 1]
    assert [e["fitted"]["loss_"] for e in rec.ends("epoch")] == clf.loss_curve_
    # n_iter_ counts the epochs of this call, as MLPClassifier's in scikit-learn 1.9
    assert [e["fitted"]["n_iter_"] for e in rec.ends("epoch")] == [1, 1, 1]


def test_warm_start_second_fit_is_a_new_root_counting_its_own_epochs(digits):
    X, y = digits
    rec = Recorder()
    clf = MulticlassMLPClassifier((8,), max_iter=2, warm_start=True,
                                  random_state=0).set_callbacks(rec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        clf.fit(X, y)
    root = (("fit", 0),)
    one = [("setup", root), ("begin", root), *_epochs(root, 2), ("end", root),
           ("teardown", root)]
    assert rec.events() == one * 2
    # n_iter_ restarts with every fit, as MLPClassifier's in scikit-learn 1.9
    assert [e["fitted"]["n_iter_"] for e in rec.ends("epoch")] == [1, 2, 1, 2]
    assert [e["fitted"]["loss_"] for e in rec.ends("epoch")] == clf.loss_curve_


def test_n_init_one_level_per_initialisation(digits):
    X, y = digits
    rec = Recorder()
    clf = MulticlassMLPClassifier((8,), max_iter=2, n_init=2,
                                  random_state=0).set_callbacks(rec)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    root = (("fit", 0),)
    runs = []
    for r in range(2):
        run = root + (("initialisation", r),)
        runs += [("begin", run), *_epochs(run, 2), ("end", run)]
    assert rec.events() == [("setup", root), ("begin", root), *runs, ("end", root),
                            ("teardown", root)]
    assert rec.record[1]["max_subtasks"] == 2
    run_ends = rec.ends("initialisation")
    assert [r["max_subtasks"] for r in run_ends] == [2, 2]
    # each run starts from its own weights; the fitted one is the better run
    starts = [r for r in rec.record if r["hook"] == "begin" and r["path"][-1][1]
              == "initialisation"]
    assert not np.array_equal(starts[0]["fitted"]["coefs_"][0],
                              starts[1]["fitted"]["coefs_"][0])
    curves = [r["fitted"]["loss_curve_"] for r in run_ends]
    assert clf.loss_curve_ == min(curves, key=lambda c: c[-1])


def test_n_init_auto_small_net_counts_its_valley_retries_in_max_subtasks():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([0, 1, 1, 0])
    rec = Recorder()
    clf = BinaryMLPClassifier((2,), activation="tanh", max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.set_callbacks(rec).fit(X, y)
    # 3 initialisations for a 9-weight net, and up to 10 retries of valleys
    assert rec.record[1]["max_subtasks"] == 3 + 10
    assert len(rec.ends("initialisation")) == clf.n_init_
    _balanced(rec.events())


def test_early_stopping_epochs_get_the_validation_loss_and_score(digits):
    X, y = digits
    rec = Recorder()
    clf = MulticlassMLPClassifier((8,), max_iter=6, early_stopping=True,
                                  validation_fraction=0.2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.set_callbacks(rec).fit(X, y)
    ends = rec.ends("epoch")
    assert len(ends) == 6
    n_train = len(y) - 60
    for k, end in enumerate(ends):
        assert end["X"].shape == (n_train, X.shape[1])  # without the held-out part
        assert end["fitted"]["loss_"] == clf.loss_curve_[k]
        assert end["fitted"]["validation_scores_"][-1] == clf.validation_scores_[k]
        assert (end["fitted"]["validation_loss_curve_"][-1]
                == clf.validation_loss_curve_[k])
    # the fitted network is the best epoch's, as early stopping keeps it
    best = int(np.argmax(clf.validation_scores_))
    np.testing.assert_array_equal(ends[best]["fitted"]["coefs_"][0], clf.coefs_[0])


@pytest.mark.parametrize("early_stopping", [False, True])
def test_callback_stop_ends_training_and_keeps_what_early_stopping_keeps(
        digits, early_stopping):
    X, y = digits
    rec = Recorder(stop_at=("epoch", 2))
    clf = MulticlassMLPClassifier((8,), max_iter=50, early_stopping=early_stopping,
                                  random_state=0).set_callbacks(rec)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # not "max_iter reached"
        clf.fit(X, y)
    root = (("fit", 0),)
    assert rec.events() == [("setup", root), ("begin", root), *_epochs(root, 3),
                            ("end", root), ("teardown", root)]
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3
    ends = rec.ends("epoch")
    kept = int(np.argmax(clf.validation_scores_)) if early_stopping else 2
    np.testing.assert_array_equal(ends[kept]["fitted"]["coefs_"][0], clf.coefs_[0])
    # the same network as a fit of three epochs without the callback
    alone = MulticlassMLPClassifier((8,), max_iter=3, early_stopping=early_stopping,
                                    random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        alone.fit(X, y)
    np.testing.assert_array_equal(alone.coefs_[0], clf.coefs_[0])


def test_stop_at_an_initialisation_tries_no_more(digits):
    X, y = digits
    rec = Recorder(stop_at=("initialisation", 0))
    clf = MulticlassMLPClassifier((8,), max_iter=2, n_init=3, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.set_callbacks(rec).fit(X, y)
    assert clf.n_init_ == 1
    assert len(rec.ends("initialisation")) == 1


# ------------------------------------------------------------ fits that raise
def test_diverging_fit_ends_every_task_it_began(digits):
    X, y = digits
    rec = Recorder()
    clf = MulticlassMLPClassifier((8,), activation="relu", solver="sgd", dtype="float32",
                                  learning_rate_init=1e6, max_iter=30, random_state=0)
    with pytest.raises(FloatingPointError):
        clf.set_callbacks(rec).fit(X * 1e3, y)
    events = rec.events()
    _balanced(events)
    assert events[0][0] == "setup" and events[-1][0] == "teardown"
    assert ("begin", (("fit", 0), ("epoch", 0))) in events
    assert not hasattr(clf, "coefs_") and not hasattr(clf, "_callback_fit_ctx")
    assert callbacks_of(clf) == [rec]  # the callbacks stay set


def test_callback_that_raises_ends_the_tasks_and_leaves_estimator_unfitted(digits):
    X, y = digits
    rec = Recorder(fail_at=("epoch", 1))
    clf = MulticlassMLPClassifier((8,), max_iter=5, n_init=2, random_state=0)
    with pytest.raises(RuntimeError, match="on purpose"):
        clf.set_callbacks(rec).fit(X, y)
    _balanced(rec.events())
    assert rec.events()[-3:] == [("end", (("fit", 0), ("initialisation", 0))),
                                 ("end", (("fit", 0),)), ("teardown", (("fit", 0),))]
    assert not hasattr(clf, "coefs_")


def test_refused_input_sets_up_and_tears_down_without_tasks(digits):
    X, y = digits
    rec = Recorder()
    with pytest.raises(ValueError):
        MulticlassMLPClassifier((8,)).set_callbacks(rec).fit(X, y[:-1])
    assert [hook for hook, _ in rec.events()] == ["setup", "teardown"]


# ------------------------------------------------------- meta-estimators
def test_pipeline_propagates_to_our_epochs(digits):
    X, y = digits
    rec = AutoRecorder()
    pipe = make_pipeline(StandardScaler(), MulticlassMLPClassifier((8,), max_iter=2,
                                                                    random_state=0))
    with pytest.warns(ConvergenceWarning):
        pipe.set_callbacks(rec).fit(X, y)
    events = rec.events()
    _balanced(events)
    ours = (("fit", 0), ("fit", 1))  # the pipeline's 2nd step is our root, merged
    assert [e for e in events if e[1][:2] == ours and len(e[1]) > 2] == \
        _epochs(ours, 2)
    final = [r for r in rec.record if r["hook"] == "begin" and r["path"][:2] == (
        ("Pipeline", "fit", 0), ("MulticlassMLPClassifier", "fit", 1))]
    assert len(final) == 1 + 2  # our root (merged) and two epochs
    assert callbacks_of(pipe[-1]) == []  # propagated callbacks are taken back


def test_grid_search_two_workers_every_candidate_reports_its_epochs(digits):
    X, y = digits
    rec = AutoRecorder()
    grid = {"learning_rate_init": [0.01, 0.1], "batch_size": [32, 64]}
    search = GridSearchCV(MulticlassMLPClassifier((8,), max_iter=2, random_state=0),
                          grid, cv=2, n_jobs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.set_callbacks(rec).fit(X, y)
    roots = [r for r in rec.record if r["hook"] == "begin"
             and r["path"][-1][:2] == ("MulticlassMLPClassifier", "fit")]
    assert len(roots) == 4 * 2 + 1  # candidates x splits, and the refit
    assert all(r["path"][0] == ("GridSearchCV", "fit", 0) for r in roots)
    for root in roots:
        epochs = [r for r in rec.record if r["hook"] == "end"
                  and r["path"][:-1] == root["path"] and r["path"][-1][1] == "epoch"]
        assert [e["path"][-1][2] for e in epochs] == [0, 1]
        assert all(e["fitted"]["n_iter_"] == k + 1 for k, e in enumerate(epochs))
    # in the workers, events of one fit arrive in order; across fits they interleave
    for root in roots:
        mine = [(h, p) for h, p in rec.events() if p[:len(root["path"])] ==
                tuple((t, i) for _, t, i in root["path"])]
        _balanced(mine)


def test_schapire_boosting_one_subtask_per_learner(digits):
    X, y = digits
    yb = (y == 0).astype(int)
    rec = AutoRecorder()
    boost = SchapireBoostClassifier(MulticlassMLPClassifier((4,), max_iter=3),
                                    random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boost.set_callbacks(rec).fit(X, yb)
    _balanced(rec.events())
    learners = [r for r in rec.record if r["hook"] == "begin" and len(r["path"]) == 2]
    names = ["L1", "L2", "L3"][:len(boost.estimators_)]
    # each learner's task is its own fit's root, merged: 'L1' of the booster
    assert [r["path"][1] for r in learners] == [
        ("MulticlassMLPClassifier", "fit", k) for k in range(len(names))]
    assert rec.record[1]["max_subtasks"] == 3
    for k, learner in enumerate(boost.estimators_):
        epochs = [r for r in rec.ends("epoch") if r["path"][1][2] == k]
        assert [e["fitted"]["loss_"] for e in epochs] == learner.loss_curve_


def test_schapire_boosting_with_constant_learner_names_its_tasks(digits):
    X, y = digits
    yb = (y == 0).astype(int)
    rec = Recorder()  # not propagated: the booster's own tasks only
    boost = SchapireBoostClassifier(MulticlassMLPClassifier((4,), max_iter=3),
                                    variant="imbalance", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boost.set_callbacks(rec).fit(X, yb)
    root = (("fit", 0),)
    tasks = [(root + ((name, k),)) for k, name in enumerate(["L1", "L2", "L3"])]
    expected = [("setup", root), ("begin", root)]
    for task in tasks[:len(boost.estimators_)]:
        expected += [("begin", task), ("end", task)]
    assert rec.events() == expected + [("end", root), ("teardown", root)]


def test_lr_range_test_reports_each_step(digits):
    X, y = digits
    rec = Recorder()
    net = MulticlassMLPClassifier((8,), batch_size=32, random_state=0).set_callbacks(rec)
    result = lr_range_test(net, X, y, n_steps=12, max_lr=1.0)
    root = (("lr_range_test", 0),)
    steps = [e for e in rec.events() if len(e[1]) == 2]
    assert steps == _epochs(root, len(result.lrs), "step") and len(result.lrs) == 12
    assert [e[1][0] for e in rec.events()] == [("lr_range_test", 0)] * (4 + 24)
    ends = rec.ends("step")
    assert [e["fitted"]["learning_rate_init"] for e in ends] == list(result.lrs)
    assert [e["fitted"]["loss_"] for e in ends] == list(result.losses)
    assert [e["fitted"]["n_iter_"] for e in ends] == [1] * 12  # one partial_fit a step
    assert all(e["X"].shape == (32, X.shape[1]) for e in ends)
    assert callbacks_of(net) == [rec]  # the estimator given keeps its callbacks


def test_lr_range_test_scoring_monitor_scores_each_step(digits):
    X, y = digits
    monitor = callback.ScoringMonitor(scoring="accuracy")
    net = MulticlassMLPClassifier((8,), batch_size=32, random_state=0)
    result = lr_range_test(net.set_callbacks(monitor), X, y, n_steps=6, max_lr=0.1)
    rows = [r for r in monitor.get_logs().data if r["task_name"] == "step"]
    assert len(rows) == len(result.lrs) == 6
    assert all(0.0 <= r["accuracy"] <= 1.0 for r in rows)
    assert rows[0]["estimator_name"] == "LRRangeTest"


def test_lr_range_test_stops_when_a_callback_asks(digits):
    X, y = digits
    net = MulticlassMLPClassifier((8,), batch_size=32, random_state=0)
    result = lr_range_test(net.set_callbacks(Recorder(stop_at=("step", 4))), X, y,
                           n_steps=50)
    assert len(result.lrs) == 5 and not result.diverged


# ------------------------------------------------ the callbacks users run
def test_scoring_monitor_records_each_epochs_accuracy(digits):
    X, y = digits
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = MulticlassMLPClassifier((8,), max_iter=4, random_state=0).set_callbacks(monitor)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    rows = [r for r in monitor.get_logs().data if r["task_name"] == "epoch"]
    assert [r["task_id"] for r in rows] == [0, 1, 2, 3]
    assert rows[-1]["accuracy"] == accuracy_score(y, clf.predict(X))
    assert len({r["accuracy"] for r in rows}) > 1  # a score per epoch, not one


PROGRESS_SCRIPT = """
import warnings, numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.callback import ProgressBar
from sknn_cn import MulticlassMLPClassifier
warnings.simplefilter("ignore", ConvergenceWarning)
X, y = load_digits(return_X_y=True)
X, y = X[:200] / 16, y[:200]
search = GridSearchCV(MulticlassMLPClassifier((8,), max_iter=3, random_state=0),
                      {"learning_rate_init": [0.01, 0.1], "batch_size": [16, 64]},
                      cv=2, n_jobs=2)
search.set_callbacks(ProgressBar(max_propagation_depth=None)).fit(X, y)
print("best", sorted(search.best_params_.items()))
"""


def test_progress_bar_under_grid_search_on_a_non_terminal(tmp_path):
    pytest.importorskip("rich")
    run = subprocess.run([sys.executable, "-c", PROGRESS_SCRIPT], capture_output=True,
                         text=True, timeout=300, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": ROOT, "TERM": "dumb",
                              "COLUMNS": "200"})
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stderr == ""
    lines = run.stdout.splitlines()
    # on a non-terminal rich prints the finished bars once: no redraws or escapes
    assert "\x1b" not in run.stdout and "\r" not in run.stdout
    assert lines[-1].startswith("best [('batch_size',")
    bars = lines[:-1]
    # the search, its 'search' task, 4 candidates x 2 splits merged with our
    # fit, and the refit: one bar each, printed once
    assert len(bars) == 1 + 1 + 8 + 1
    assert sum("MulticlassMLPClassifier" in b for b in bars) == 9
    assert all(" 100% " in b for b in bars)  # every task finished


# ---------------------------------------------- nothing else changes
def test_params_clone_pickle_and_persistence_unaffected(digits, tmp_path):
    X, y = digits
    rec = Recorder()
    clf = MulticlassMLPClassifier((8,), max_iter=2, random_state=0)
    params = clf.get_params()
    clf.set_callbacks(rec)
    assert clf.get_params() == params  # callbacks are not parameters
    assert callbacks_of(clone(clf)) == [rec]  # sklearn's clone keeps them
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    plain = MulticlassMLPClassifier((8,), max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        plain.fit(X, y)
    for W, W0 in zip(clf.coefs_, plain.coefs_):  # watching changes no number
        np.testing.assert_array_equal(W, W0)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    path = tmp_path / "model.zip"
    save_model(clf, path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert callbacks_of(loaded) == []  # a model file holds no callbacks


def test_without_sklearn_callback_estimators_train_as_before():
    """scikit-learn < 1.9 has no sklearn.callback: import it as missing."""
    script = textwrap.dedent("""
        import warnings
        import sklearn.callback, sklearn.model_selection, sklearn.dummy  # noqa
        import sklearn.pipeline, sklearn.linear_model, sklearn.utils.estimator_checks  # noqa
        # ``from sklearn.callback import ...`` fails, as on scikit-learn < 1.9
        del sklearn.callback.CallbackSupportMixin, sklearn.callback.with_callbacks
        import numpy as np
        from sknn_cn import MulticlassMLPClassifier
        from sknn_cn.imbalance import SchapireBoostClassifier
        from sknn_cn.training import callbacks
        warnings.simplefilter("ignore")
        X = np.random.default_rng(0).normal(size=(60, 3)); y = (X[:, 0] > 0).astype(int)
        clf = MulticlassMLPClassifier((4,), max_iter=3, random_state=0).fit(X, y)
        SchapireBoostClassifier(MulticlassMLPClassifier((4,), max_iter=3),
                                random_state=0).fit(X, y)
        print(callbacks.SUPPORTED, hasattr(clf, "set_callbacks"), len(clf.loss_curve_))
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT})
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == ["False", "False", "3"]


# ---------------------------------------------------------------- the tour
def test_tour_watches_only_on_a_terminal_with_rich():
    import io

    from sknn_cn.tour.engine import TourReport, progress_bars_wanted

    assert progress_bars_wanted(io.StringIO()) is False
    quiet = TourReport(".", True, 0, io.StringIO())
    assert quiet.progress is False
    assert callbacks_of(quiet.watch(MulticlassMLPClassifier())) == []
    loud = TourReport(".", True, 0, io.StringIO(), progress=True)
    assert [type(c).__name__ for c in callbacks_of(loud.watch(
        MulticlassMLPClassifier()))] == ["ProgressBar"]


TERMINAL_SCRIPT = """
import sys, warnings
import numpy as np
from sknn_cn import MulticlassMLPClassifier
from sknn_cn.tour.engine import TourReport
warnings.simplefilter("ignore")
report = TourReport(".", True, 0, sys.stdout)
print("progress", report.progress, flush=True)
X = np.random.default_rng(0).normal(size=(200, 4)); y = (X[:, 0] > 0).astype(int)
report.watch(MulticlassMLPClassifier((8,), max_iter=3, verbose=True,
                                     random_state=0)).fit(X, y)
print("done", flush=True)
"""


def test_tour_on_a_terminal_draws_bars_and_verbose_still_prints():
    pytest.importorskip("rich")
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", TERMINAL_SCRIPT], stdout=slave,
                            stderr=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": ROOT, "TERM": "xterm"})
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()[-2000:]
    os.close(master)
    out = b"".join(chunks).decode("utf-8", "replace")
    assert "progress True" in out and "done" in out
    assert "MulticlassMLPClassifier - fit" in out  # rich's bar
    for k in (1, 2, 3):  # verbose lines still reach the terminal
        assert f"Iteration {k}, loss = " in out
