"""Smoke test of benchmarks/bench_dropout.py (no MNIST needed: sklearn's digits).

The script is run as a user runs it, in a subprocess, with an empty data home
and a tiny budget; its last line must be strict JSON whose numbers agree with
each other and with the printed table (means recomputed here from the fits).
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "bench_dropout.py")


def test_quick_run_prints_consistent_json(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), SKNN_CN_DATA=str(tmp_path / "data"),
               OMP_NUM_THREADS="1")
    run = subprocess.run(
        [sys.executable, SCRIPT, "--quick", "--data", "auto", "--budget", "1",
         "--seeds", "0,1", "--hidden", "32", "--settings", "0;0.3", "--max-epochs", "3"],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.strip().splitlines()
    out = json.loads(lines[-1], parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    text = "\n".join(lines[:-1])
    assert "MNIST is not in the data home" in text  # the empty data home is said
    assert out["data"]["evaluation"] == "test set (500 images)"
    fits = out["fits"]
    assert sorted((f["dropout"], f["seed"]) for f in fits) == [(0.0, 0), (0.0, 1),
                                                                (0.3, 0), (0.3, 1)]
    for f in fits:
        assert 1 <= f["epochs"] <= f["planned_epochs"] <= 3
        assert len(f["accuracy_curve"]) == len(f["epoch_s"]) == f["epochs"]
        assert f["accuracy"] == f["accuracy_curve"][-1]  # the last epoch's, not the best
        assert 0.5 < f["accuracy"] <= 1
        assert f["training_s"] == pytest.approx(sum(f["epoch_s"]))
        assert f["epoch_s"] == f["cpu_s"]  # the default clock: CPU seconds
        assert len(f["wall_s"]) == f["epochs"]
    for key, s in out["summary"].items():
        accs = [f["accuracy"] for f in fits if str(f["dropout"]) == key]
        assert s["mean_accuracy"] == pytest.approx(np.mean(accs))
        assert f"{s['mean_accuracy']:.4f}" in text
    assert out["best_dropout_setting"] == "0.3"
    assert out["target_met"] == (out["summary"]["0.3"]["mean_accuracy"] >= 0.987)


def test_holdout_never_reads_the_test_set(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), SKNN_CN_DATA=str(tmp_path / "data"),
               OMP_NUM_THREADS="1")
    run = subprocess.run(
        [sys.executable, SCRIPT, "--data", "digits", "--holdout", "300", "--budget", "1",
         "--seeds", "0", "--hidden", "16", "--settings", "0.2,", "--max-epochs", "2"],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert run.returncode == 2 and "--settings must be rates" in run.stderr  # '0.2,' refused
    run = subprocess.run(
        [sys.executable, SCRIPT, "--data", "digits", "--holdout", "300", "--budget", "1",
         "--seeds", "0", "--hidden", "16", "--settings", "0.2", "--max-epochs", "2"],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    # all 1797 digits are the training part; the last 300 of them are scored
    assert out["data"]["n_train"] == 1797 - 300 and out["data"]["n_eval"] == 300
    assert out["data"]["evaluation"].startswith("holdout")
