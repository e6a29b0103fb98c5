"""Smoke test of benchmarks/bench_sparse.py, run as a user runs it (``--quick``).

Its last line must be strict JSON, and the peak memory it traces while
fitting on a sparse matrix must stay near the sparse data plus a few copies
of the model (weights, gradient, Adam's two moments), far below the dense
matrix that is never built.
"""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "bench_sparse.py")


def test_quick_run_reports_a_peak_near_the_sparse_data(tmp_path):
    env = dict(os.environ, SKNN_CN_DATA=str(tmp_path), OMP_NUM_THREADS="1")
    run = subprocess.run([sys.executable, SCRIPT, "--quick"], capture_output=True,
                         text=True, timeout=300, cwd=ROOT, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    payload = json.loads(run.stdout.strip().splitlines()[-1],
                         parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    config, results = payload["config"], payload["results"]
    assert (config["rows"], config["cols"]) == (2_000, 5_000)
    assert set(results) == {"sknn_cn CSR", "sknn_cn CSC", "sklearn MLPClassifier CSR"}
    data = config["sparse_data_bytes"]
    for name, r in results.items():
        assert r["peak_bytes"] < config["dense_bytes"] / 10, name
        assert 0.0 <= r["train_accuracy"] <= 1.0
    ours = results["sknn_cn CSR"]
    # the data is not copied: the sparse data (already built) is not in the
    # peak, which is a few copies of the model and the mini-batches
    assert ours["peak_bytes"] < data + 8 * ours["model_bytes"]
    # CSC input is converted to CSR once: one more copy of the data at most
    assert results["sknn_cn CSC"]["peak_bytes"] < 2 * data + 8 * ours["model_bytes"]
    assert "peak / sparse data" in run.stdout
