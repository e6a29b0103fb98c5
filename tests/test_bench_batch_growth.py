"""Smoke test of benchmarks/bench_batch_growth.py (no MNIST needed: sklearn's digits).

Run as a user runs it, in a subprocess, on ``--quick --data digits``.  Its last
line must be strict JSON; the update counts it reports (counted by the
training loop) must match the closed forms: ``epochs * ceil(n / B)`` for the
fixed batch, ``BatchSizeSchedule.n_updates`` for the growing one.
"""

import json
import math
import os
import subprocess
import sys

import pytest

from sknn_cn import BatchSizeSchedule

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "bench_batch_growth.py")


def test_quick_digits_run_counts_updates_and_reports_json(tmp_path):
    env = dict(os.environ, SKNN_CN_DATA=str(tmp_path), OMP_NUM_THREADS="1")
    run = subprocess.run([sys.executable, SCRIPT, "--quick", "--data", "digits",
                          "--seeds", "0", "1"], capture_output=True, text=True,
                         timeout=300, cwd=ROOT, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.strip().splitlines()
    payload = json.loads(lines[-1], parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    assert "batch growth" in run.stdout and "lr decay" in run.stdout
    digits = payload["results"]["digits"]
    config, runs = digits["config"], digits["schedules"]
    assert set(runs) == {"fixed", "lr decay", "batch growth"}
    n_train, epochs, batch = 1297, config["epochs"], config["batch_size"]
    growth = BatchSizeSchedule(tuple(config["milestones"]), config["factor"])
    assert runs["fixed"]["updates"] == [epochs * math.ceil(n_train / batch)] * 2
    assert runs["lr decay"]["updates"] == runs["fixed"]["updates"]
    assert runs["batch growth"]["updates"] == [growth.n_updates(batch, epochs, n_train)] * 2
    assert runs["batch growth"]["updates"][0] < runs["lr decay"]["updates"][0]
    for r in runs.values():
        assert len(r["accuracy"]) == 2
        assert all(0.0 <= a <= 1.0 for a in r["accuracy"])
        assert r["accuracy_mean"] == pytest.approx(sum(r["accuracy"]) / 2)
    assert set(payload["results"]) == {"digits"}  # --data digits only
