"""A GridSearchCV over learning rate x batch size on a Dask cluster (issue 4, item 4).

Oracle: the same search run locally by joblib; the scores must be identical,
since every fit is seeded (random_state) and independent of where it runs.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sknn_cn import MulticlassMLPClassifier
from sknn_cn.datasets import make_coin_hole

distributed = pytest.importorskip("dask.distributed")
joblib = pytest.importorskip("joblib")


def _search(n_jobs):
    return GridSearchCV(
        MulticlassMLPClassifier((6,), solver="sgd", momentum=0.0, max_iter=5,
                                random_state=0, n_init=1),
        {"learning_rate_init": [0.3, 1.0], "batch_size": [16, 64]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        n_jobs=n_jobs,
    )


def test_grid_search_on_a_dask_cluster_equals_the_local_run():
    X, y = make_coin_hole(240, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        local = _search(n_jobs=1).fit(X, y)
        with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            with distributed.get_task_stream(client) as stream, \
                    joblib.parallel_config(backend="dask"):
                remote = _search(n_jobs=-1).fit(X, y)
    # the fits really ran as tasks on the cluster
    assert len(stream.data) > 0

    for key in ("mean_test_score", "std_test_score", "split0_test_score",
                "split1_test_score", "split2_test_score", "rank_test_score"):
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.cv_results_["params"] == local.cv_results_["params"]
    assert remote.best_params_ == local.best_params_
    for W_r, W_l in zip(remote.best_estimator_.coefs_, local.best_estimator_.coefs_):
        np.testing.assert_array_equal(W_r, W_l)
