"""Training on Dask: out-of-core partial_fit and the grid search on a cluster.

* ``dask_ml.wrappers.Incremental`` feeds a Dask array to ``partial_fit`` one
  block at a time.  Oracle: the same ``partial_fit`` loop over the same
  blocks, run by hand; the weights must be identical.
* A GridSearchCV over learning rate x batch size on a Dask cluster, of
  threads and of worker processes.  Oracle: the same search run locally by
  joblib; the scores must be identical, since every fit is seeded
  (random_state) and independent of where it runs.
"""

import os
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier
from sknn_cn.datasets import make_coin_hole

distributed = pytest.importorskip("dask.distributed")
da = pytest.importorskip("dask.array")
joblib = pytest.importorskip("joblib")
dask_ml_wrappers = pytest.importorskip("dask_ml.wrappers")


def _search(n_jobs):
    return GridSearchCV(
        MulticlassMLPClassifier((6,), solver="sgd", momentum=0.0, max_iter=5,
                                random_state=0, n_init=1),
        {"learning_rate_init": [0.3, 1.0], "batch_size": [16, 64]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        n_jobs=n_jobs,
    )


def _assert_same_search(remote, local):
    for key in ("mean_test_score", "std_test_score", "split0_test_score",
                "split1_test_score", "split2_test_score", "rank_test_score"):
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.cv_results_["params"] == local.cv_results_["params"]
    assert remote.best_params_ == local.best_params_
    for W_r, W_l in zip(remote.best_estimator_.coefs_, local.best_estimator_.coefs_):
        np.testing.assert_array_equal(W_r, W_l)


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_grid_search_on_a_dask_cluster_equals_the_local_run(processes):
    X, y = make_coin_hole(240, random_state=1)
    # processes: 2 worker processes of 1 thread each; threads: 1 worker of 2 threads
    n_workers, threads = (2, 1) if processes else (1, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        local = _search(n_jobs=1).fit(X, y)
        with distributed.LocalCluster(n_workers=n_workers, threads_per_worker=threads,
                                      processes=processes, dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            pids = set(client.run(os.getpid).values())
            with distributed.get_task_stream(client) as stream, \
                    joblib.parallel_config(backend="dask"):
                remote = _search(n_jobs=-1).fit(X, y)
    # the fits really ran as tasks on the cluster, in other processes when asked
    assert len(stream.data) > 0
    if processes:
        assert len(pids) == 2 and os.getpid() not in pids
    else:
        assert pids == {os.getpid()}
    _assert_same_search(remote, local)


@pytest.mark.parametrize("Estimator", [MulticlassMLPClassifier, BinaryMLPClassifier])
def test_incremental_over_a_dask_array_equals_the_partial_fit_loop(Estimator):
    X, y = make_coin_hole(600, random_state=2)
    if Estimator is BinaryMLPClassifier:
        y = (y == y.max()).astype(int)
    classes = np.unique(y)
    X_dask = da.from_array(X, chunks=(100, X.shape[1]))  # 6 blocks of 100 rows
    y_dask = da.from_array(y, chunks=100)
    assert X_dask.numblocks[0] == 6
    est = Estimator((8,), random_state=0)

    inc = dask_ml_wrappers.Incremental(est, shuffle_blocks=False)
    for _ in range(3):  # three passes over the blocks
        inc.partial_fit(X_dask, y_dask, classes=classes)

    by_hand = clone(est)
    for _ in range(3):
        for start in range(0, 600, 100):
            by_hand.partial_fit(X[start:start + 100], y[start:start + 100], classes=classes)

    fitted = inc.estimator_
    assert (fitted.n_iter_, fitted.n_updates_) == (by_hand.n_iter_, by_hand.n_updates_)
    for W_i, W_h in zip(fitted.coefs_ + fitted.intercepts_,
                        by_hand.coefs_ + by_hand.intercepts_):
        np.testing.assert_array_equal(W_i, W_h)
    # prediction on the Dask array, block by block, as the wrapper does
    np.testing.assert_array_equal(inc.predict(X_dask).compute(), by_hand.predict(X))
    assert inc.score(X_dask, y_dask) == pytest.approx(by_hand.score(X, y))
