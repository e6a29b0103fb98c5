"""Tests for sknn_cn.scaling (seed 1.4.4.3).

Oracles: the rules written out here (lr * m'/m, lr * sqrt(m'/m)); synthetic
grids whose best rate follows a known power of the batch size; a real
GridSearchCV's cv_results_ read back cell by cell.
"""

import math
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sknn_cn import MulticlassMLPClassifier
from sknn_cn.datasets import make_coin_hole
from sknn_cn.scaling import LRBatchGrid, classify_exponent, scale_learning_rate


@pytest.mark.parametrize("base_lr, m, m_new", [(0.1, 32, 128), (0.5, 128, 16),
                                               (0.03, 7, 7), (1e-3, 1, 4096)])
def test_rules_match_their_formulas(base_lr, m, m_new):
    assert scale_learning_rate(base_lr, m, m_new) == pytest.approx(base_lr * m_new / m,
                                                                   rel=1e-15)
    assert scale_learning_rate(base_lr, m, m_new, rule="sqrt") == pytest.approx(
        base_lr * math.sqrt(m_new / m), rel=1e-15)


def test_array_input_and_saturation():
    lrs = scale_learning_rate(0.1, 32, [16, 32, 64, 1024], max_lr=1.0)
    np.testing.assert_allclose(lrs, [0.05, 0.1, 0.2, 1.0])
    assert isinstance(scale_learning_rate(0.1, 32, np.int64(64)), float)


@pytest.mark.parametrize("kwargs, match", [
    (dict(base_lr=0.0, base_batch=32, new_batch=64), "base_lr=0.0"),
    (dict(base_lr=float("nan"), base_batch=32, new_batch=64), "base_lr=nan"),
    (dict(base_lr=0.1, base_batch=0, new_batch=64), "base_batch=0"),
    (dict(base_lr=0.1, base_batch=32, new_batch=2.5), "new_batch=2.5"),
    (dict(base_lr=0.1, base_batch=32, new_batch=[64, -1]), "new_batch=-1"),
    (dict(base_lr=0.1, base_batch=32, new_batch=64, rule="square"), "'linear', 'sqrt'"),
    (dict(base_lr=0.1, base_batch=32, new_batch=64, max_lr=0), "max_lr=0"),
])
def test_errors_name_argument_value_and_allowed(kwargs, match):
    with pytest.raises(ValueError, match=match):
        scale_learning_rate(**kwargs)


def _synthetic_scores(lrs, batches, best_of):
    # a smooth peak in log(lr) around best_of(batch)
    return np.array([[1.0 - (np.log(lr) - np.log(best_of(b))) ** 2 for lr in lrs]
                     for b in batches])


@pytest.mark.parametrize("k, name", [(1.0, "linear"), (0.5, "sqrt"), (0.0, "saturated")])
def test_grid_measures_the_exponent_of_a_known_law(k, name):
    lrs = 0.01 * 2.0 ** np.arange(12)
    batches = np.array([8, 16, 32, 64])
    grid = LRBatchGrid(lrs, batches, _synthetic_scores(lrs, batches,
                                                       lambda b: 0.1 * (b / 8) ** k))
    # a parabola in log(lr) is refined exactly, between grid points too
    np.testing.assert_allclose(grid.refined_lrs, 0.1 * (batches / 8) ** k, rtol=1e-9)
    np.testing.assert_allclose(grid.exponents, k, atol=1e-9)
    assert grid.verdicts == [name] * 3
    np.testing.assert_allclose(grid.rule_prediction("linear"),
                               grid.refined_lrs[0] * batches / 8)


def test_linear_then_saturating_grid():
    lrs = 0.01 * 2.0 ** np.arange(12)
    batches = np.array([8, 16, 32, 64, 128])
    grid = LRBatchGrid(lrs, batches, _synthetic_scores(
        lrs, batches, lambda b: 0.1 * min(b, 32) / 8))
    assert grid.verdicts == ["linear", "linear", "saturated", "saturated"]
    assert "lr ~ batch^+1.00 (linear)" in grid.rule_report()


def test_classify_exponent():
    assert classify_exponent(0.9) == "linear"
    assert classify_exponent(0.45) == "sqrt"
    assert classify_exponent(-0.1) == "saturated"
    assert classify_exponent(-1.0) == "falls"
    assert classify_exponent(2.0) == "faster than linear"
    assert classify_exponent(float("nan")) == "undefined"


def test_from_cv_results_reads_every_cell():
    X, y = make_coin_hole(150, random_state=0)
    search = GridSearchCV(
        MulticlassMLPClassifier((4,), solver="sgd", momentum=0.0, max_iter=3,
                                random_state=0, n_init=1),
        {"learning_rate_init": [0.1, 1.0, 0.3], "batch_size": [64, 16]},
        cv=StratifiedKFold(2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    res = search.cv_results_
    grid = LRBatchGrid.from_cv_results(res)
    np.testing.assert_array_equal(grid.lrs, [0.1, 0.3, 1.0])
    np.testing.assert_array_equal(grid.batch_sizes, [16, 64])
    for params, score in zip(res["params"], res["mean_test_score"]):
        i = list(grid.batch_sizes).index(params["batch_size"])
        j = list(grid.lrs).index(params["learning_rate_init"])
        assert grid.scores[i, j] == score
    assert "batch \\ lr" in grid.table()
    with pytest.raises(ValueError, match="param_mlp__batch_size"):
        LRBatchGrid.from_cv_results(res, batch_param="mlp__batch_size")


def test_grid_shape_errors():
    with pytest.raises(ValueError, match="shape"):
        LRBatchGrid([0.1, 0.2], [8, 16], np.zeros((3, 2)))
    with pytest.raises(ValueError, match="increasing"):
        LRBatchGrid([0.2, 0.1], [8, 16], np.zeros((2, 2)))


def test_lr_batch_grid_benchmark_smoke():
    # benchmarks/lr_batch_grid.py as a user runs it, tiny, on sklearn's digits
    import json
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    run = subprocess.run(
        [sys.executable, os.path.join(root, "benchmarks", "lr_batch_grid.py"), "--data",
         "digits", "--n-train", "300", "--n-val", "200", "--folds", "1", "--epochs", "1",
         "--lrs", "0.1", "0.5", "2.0", "--batch-sizes", "16", "64", "--n-jobs", "1"],
        capture_output=True, text=True, timeout=120, cwd=root)
    assert run.returncode == 0, run.stderr[-2000:]
    payload = json.loads(run.stdout.strip().splitlines()[-1])
    assert payload["data"] == "sklearn digits"
    scores = np.array(payload["scores"], dtype=float)
    assert scores.shape == (2, 3) and np.all((scores >= 0) & (scores <= 1))
    # the reported best rates are the argmax of the reported scores
    np.testing.assert_array_equal(payload["best_lrs"],
                                  np.array([0.1, 0.5, 2.0])[scores.argmax(axis=1)])
    assert "linear rule holds" in run.stdout and "seed's source" in run.stdout
