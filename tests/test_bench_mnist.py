"""Smoke tests of benchmarks/bench_mnist.py (no MNIST needed: sklearn's digits).

The script is run as a user runs it, in a subprocess, on its --quick path with
``--data digits``; its last line must be strict JSON whose numbers agree with
each other (medians, ratios, time to target recomputed here from the raw
per-epoch lists).  The plain-NumPy reference loop, which the benchmark uses
as a peer, is checked against central finite differences in float64.
"""

import importlib.util
import json
import os
import statistics
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "bench_mnist.py")


def _run(*args, timeout=120):
    run = subprocess.run([sys.executable, SCRIPT, *args], capture_output=True,
                         text=True, timeout=timeout, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.strip().splitlines()
    # strict JSON: NaN / Infinity would be rejected
    payload = json.loads(lines[-1], parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    return "\n".join(lines[:-1]), payload


def _load_script():
    spec = importlib.util.spec_from_file_location("bench_mnist", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_seed_net_prints_consistent_json():
    epochs = 3
    text, out = _run("--quick", "--data", "digits",
                     "--impls", "sknn_cn,numpy,floor,sknn_cn_fit",
                     "--epochs", str(epochs), "--threads", "1",
                     "--target-accuracy", "0.5")
    assert out["mode"] == "seed_net"
    assert out["data"]["n_features"] == 64 and out["data"]["n_classes"] == 10
    impls = out["implementations"]
    assert set(impls) == {"sknn_cn", "numpy", "floor", "sknn_cn_fit"}
    for key, r in impls.items():
        times = r["epoch_s"][0]
        # one fit(max_iter=epochs) gives one mean epoch time; the others one per epoch
        assert len(times) == (1 if key == "sknn_cn_fit" else epochs)
        assert all(t > 0 for t in times)
        assert r["epoch_median_s"] == pytest.approx(statistics.median(times))
        # each implementation's row is in the printed table
        assert r["label"] in text
    for key in ("sknn_cn", "numpy"):
        r = impls[key]
        accs = r["accuracy"][0]
        assert all(0.0 <= a <= 1.0 for a in accs)
        assert r["final_accuracy"] == [accs[-1]]
        # time to target: training time up to the first epoch at >= target
        # (None when no epoch reaches it), recomputed from the per-epoch lists
        hit = next((i + 1 for i, a in enumerate(accs) if a >= 0.5), None)
        assert r["epoch_to_target"] == [hit]
        assert r["time_to_target_s"] == [
            None if hit is None else pytest.approx(sum(r["epoch_s"][0][:hit]))]
        # peak RSS from a subprocess: at least what was resident before training
        mem = r["memory"]
        assert mem["peak_mb"] >= mem["rss_before_mb"] > 0
    fit = impls["sknn_cn_fit"]
    assert 0.0 <= fit["final_accuracy_median"] <= 1.0
    assert fit["time_to_target_s"] == [None]  # no per-epoch accuracy for one fit
    assert out["epoch_ratios"]["sknn_cn/numpy"] == pytest.approx(
        impls["sknn_cn"]["epoch_median_s"] / impls["numpy"]["epoch_median_s"])
    assert out["floor_epoch_s"] == impls["floor"]["epoch_median_s"]
    # the report names the load and the BLAS in use
    assert "load average" in text and "BLAS" in text
    assert isinstance(out["machine"]["loadavg"], list)
    assert any(lib.get("user_api") == "blas" for lib in out["machine"]["blas"])


def test_data_mnist_without_mnist_fails_and_says_how_to_get_it():
    # --data mnist never falls back silently (the test's data home is empty).
    run = subprocess.run([sys.executable, SCRIPT, "--quick", "--data", "mnist"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode != 0
    assert "FileNotFoundError" in run.stderr
    assert "python -m sknn_cn.datasets fetch mnist" in run.stderr


def test_quick_seed_net_on_real_mnist(mnist_data_home):
    _, out = _run("--quick", "--data", "mnist", "--impls", "sknn_cn", "--epochs", "2",
                  "--threads", "1", "--target-accuracy", "0.5", timeout=600)
    assert out["data"]["name"] == "MNIST (quick: first 5000 / 1000 images)"
    assert out["data"]["n_features"] == 784 and out["data"]["n_train"] == 5000
    # the seed's net learns MNIST: two epochs on 5000 images are far above chance
    assert out["implementations"]["sknn_cn"]["final_accuracy"][0] > 0.5


def test_quick_best_mode_respects_budget():
    budget = 3.0
    _, out = _run("--best", "--quick", "--data", "digits", "--budget", str(budget),
                  "--best-hidden", "32,16", "--best-epochs", "4", "--best-max-epochs", "6",
                  "--threads", "1")
    assert out["mode"] == "best"
    for key in ("sknn_cn", "sklearn"):
        r = out["results"][key]
        cumulative = np.cumsum(r["epoch_s"])
        n_within = int(np.sum(cumulative <= budget))
        assert r["epochs_within_budget"] == n_within >= 1
        assert r["accuracy_at_budget"] == r["accuracy"][n_within - 1]
        assert r["best_accuracy_within_budget"] == max(r["accuracy"][:n_within])
        assert r["epochs"] <= 6  # --best-max-epochs
    assert out["results"]["sknn_cn"]["epochs"] <= 4  # the schedule's length
    assert out["target_met"] == (out["results"]["sknn_cn"]["accuracy_at_budget"] >= 0.983)


def test_numpy_reference_step_matches_finite_differences():
    """One full-batch step of the reference loop moves each weight by -lr * dL/dw."""
    bench = _load_script()
    rng = np.random.default_rng(0)
    n, sizes = 7, [5, 4, 3, 3]
    X = rng.normal(size=(n, sizes[0]))
    y = rng.integers(0, sizes[-1], size=n)
    params = [rng.normal(scale=0.5, size=s) for s in
              [(5, 4), (4,), (4, 3), (3,), (3, 3), (3,)]]

    def loss(ps):  # mean cross-entropy of the logistic-tanh-softmax net, written here
        W1, b1, W2, b2, W3, b3 = ps
        h = np.tanh((1 / (1 + np.exp(-(X @ W1 + b1)))) @ W2 + b2)
        z = h @ W3 + b3
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -log_p[np.arange(n), y].mean()

    eps, numeric = 1e-6, []
    for i, p in enumerate(params):
        g = np.zeros_like(p)
        for j in np.ndindex(p.shape):
            plus = [q.copy() for q in params]
            minus = [q.copy() for q in params]
            plus[i][j] += eps
            minus[i][j] -= eps
            g[j] = (loss(plus) - loss(minus)) / (2 * eps)
        numeric.append(g)

    lr = 0.1
    before = [p.copy() for p in params]
    mean_loss = bench.numpy_epoch(params, X, y, lr, batch_size=n,
                                  rng=np.random.default_rng(1))
    assert mean_loss == pytest.approx(loss(before), rel=1e-12)
    for p, p0, g in zip(params, before, numeric):
        np.testing.assert_allclose((p0 - p) / lr, g, rtol=1e-6, atol=1e-8)
