"""Hostile inputs for sknn_cn.scaling (issue 11): scale_learning_rate and
LRBatchGrid's computation (the Display is tested with the plots)."""

import numpy as np
import pytest

from sknn_cn import scale_learning_rate
from sknn_cn.scaling import LRBatchGrid


@pytest.mark.parametrize("base_lr", [0, -1, np.nan, np.inf, True, "0.1", None])
def test_scale_refuses_bad_base_lr(base_lr):
    with pytest.raises(ValueError, match=f"`base_lr` must be a positive finite number; got base_lr={base_lr!r}"):
        scale_learning_rate(base_lr, 32, 64)


@pytest.mark.parametrize("name, args", [
    ("base_batch", (0.1, 0, 64)), ("base_batch", (0.1, -2, 64)), ("base_batch", (0.1, 32.0, 64)),
    ("base_batch", (0.1, True, 64)), ("new_batch", (0.1, 32, 0)), ("new_batch", (0.1, 32, -4)),
    ("new_batch", (0.1, 32, [64, 0])), ("new_batch", (0.1, 32, np.nan)),
    ("new_batch", (0.1, 32, np.array([64.0]))), ("new_batch", (0.1, 32, [[64]])),
])
def test_scale_refuses_bad_batches(name, args):
    with pytest.raises(ValueError, match=f"`{name}` must be an integer >= 1; got {name}="):
        scale_learning_rate(*args)


@pytest.mark.parametrize("rule", ["cube", None, ["linear"], 1.0])
def test_scale_refuses_bad_rule(rule):
    # old code: TypeError "unhashable type: 'list'"
    with pytest.raises(ValueError, match="in `rule`. Allowed rules: 'linear', 'sqrt'"):
        scale_learning_rate(0.1, 32, 64, rule=rule)


@pytest.mark.parametrize("max_lr", [np.nan, 0, -1.0, "1", True])
def test_scale_refuses_bad_max_lr(max_lr):
    with pytest.raises(ValueError, match=f"got max_lr={max_lr!r}"):
        scale_learning_rate(0.1, 32, 64, max_lr=max_lr)


def test_scale_refuses_max_lr_below_base_lr():
    # old code: 0.01 returned, below the rate the user said works
    with pytest.raises(ValueError, match="`max_lr` must be at least `base_lr`.*max_lr=0.01 < base_lr=0.1"):
        scale_learning_rate(0.1, 32, 16, max_lr=0.01)


def test_scale_refuses_an_overflowing_rate():
    # old code: inf
    with pytest.raises(ValueError, match="The scaled learning rate overflows"):
        scale_learning_rate(1e308, 1, 10**9)


def test_scale_edge_values_exact():
    assert scale_learning_rate(0.1, np.int64(32), 64) == pytest.approx(0.2)
    assert scale_learning_rate(0.1, 32, 128, max_lr=np.inf) == pytest.approx(0.4)
    assert scale_learning_rate(0.1, 32, 128, max_lr=0.1) == 0.1
    assert scale_learning_rate(0.1, 32, []).shape == (0,)


GOOD = dict(lrs=[0.01, 0.1], batch_sizes=[8, 16], scores=[[0.5, 0.6], [0.7, 0.4]])


@pytest.mark.parametrize("change, fragment", [
    (dict(lrs=[-0.01, 0.1]), r"lrs must be positive finite numbers; got lrs=\[-0.01, 0.1\]"),
    (dict(lrs=[0.0, 0.1]), "lrs must be positive"),
    (dict(lrs=[np.nan, 0.1]), "lrs must be a non-empty 1-D array of finite numbers"),
    (dict(lrs=[[0.01, 0.1]]), "lrs must be a non-empty 1-D array"),
    (dict(lrs=["a", "b"]), "lrs must hold numbers"),
    (dict(lrs=[0.1, 0.01]), "strictly increasing"),
    (dict(batch_sizes=[0, 16]), r"batch_sizes must be integers >= 1; got batch_sizes=\[0.0, 16.0\]"),
    (dict(batch_sizes=[8.7, 16.2]), "batch_sizes must be integers >= 1"),
    (dict(batch_sizes=[-8, 16]), "batch_sizes must be integers >= 1"),
    (dict(lrs=[], batch_sizes=[], scores=np.empty((0, 0))), "lrs must be a non-empty"),
    (dict(scores=[[0.5, 0.6]]), r"scores must have shape \(n_batches, n_lrs\) = \(2, 2\); got \(1, 2\)"),
    (dict(scores=[[np.inf, 0.6], [0.7, 0.4]]), "scores must be finite or NaN"),
    (dict(scores=[["a", "b"], [0.7, 0.4]]), "scores must hold numbers"),
])
def test_grid_refuses_bad_axes_and_scores(change, fragment):
    # old code: nan / -inf exponents, batch sizes truncated, IndexError, argmax error
    with pytest.raises(ValueError, match=fragment):
        LRBatchGrid(**{**GOOD, **change})


def test_grid_exact_on_a_tiny_grid():
    grid = LRBatchGrid(**GOOD)
    assert grid.best_lrs.tolist() == [0.1, 0.01]
    assert grid.exponents.tolist() == pytest.approx([np.log(0.1) / np.log(2)])
    all_failed = LRBatchGrid([0.01, 0.1], [8, 16], [[np.nan, np.nan], [0.7, 0.4]])
    assert np.isnan(all_failed.best_scores[0])


def _cv(lrs, batches, scores):
    return {"param_learning_rate_init": lrs, "param_batch_size": batches,
            "mean_test_score": scores}


@pytest.mark.parametrize("cv, fragment", [
    ({}, "cv_results has no column 'param_learning_rate_init'"),
    (_cv([0.1, 0.1], [8, 8], [0.5, 0.6]), r"repeated \(learning_rate_init, batch_size\) pairs"),
    (_cv(np.ma.masked_array([0.1, 0.2], mask=[0, 1]), [8, 8], [0.5, 0.6]),
     "cv_results\\['param_learning_rate_init'\\] has masked entries"),
    (_cv([0.1, 0.2], [8], [0.5, 0.6]), "columns differ in length"),
])
def test_grid_from_cv_results_refuses(cv, fragment):
    # old code: duplicates overwritten, masked values used, lengths broadcast
    with pytest.raises(ValueError, match=fragment):
        LRBatchGrid.from_cv_results(cv)
