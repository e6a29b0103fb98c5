"""Smoke test of benchmarks/bench_fast_recipe.py (no MNIST needed: sklearn's digits).

Run as a user runs it, in a subprocess, on ``--quick --data digits`` with a
lower target.  Its last line must be strict JSON; the chosen recipe must be
the candidate with the smallest median holdout time (the choice is made on
the holdout only), and the confirm phase must report the seed recipe and the
chosen one with the seeds asked for.  No timed assertions.
"""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "bench_fast_recipe.py")


def test_quick_digits_run_chooses_on_holdout_and_reports_json(tmp_path):
    env = dict(os.environ, SKNN_CN_DATA=str(tmp_path), OMP_NUM_THREADS="1")
    run = subprocess.run(
        [sys.executable, SCRIPT, "--quick", "--data", "digits", "--target", "0.9",
         "--max-epochs", "8", "--candidates", "seed", "adam lr0.01 b64",
         "nesterov lr0.1 b64", "--choose-seeds", "0", "--seeds", "101", "--no-torch"],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    payload = json.loads(run.stdout.strip().splitlines()[-1],
                         parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    assert "choose:" in run.stdout and "confirm:" in run.stdout
    choose = payload["choose"]
    assert set(choose) == {"seed", "adam lr0.01 b64", "nesterov lr0.1 b64"}
    timed = {k: v["t97_wall_median_s"] for k, v in choose.items()
             if v["t97_wall_median_s"] is not None}
    assert timed, "no candidate reached 0.9 on the digits holdout in 8 epochs"
    assert payload["chosen"] == min(timed, key=timed.get)
    assert set(payload["confirm"]) == {"sknn_cn seed", "sknn_cn fast"}
    assert payload["seeds"] == [101] and payload["torch"] is False
    for record in payload["confirm"].values():
        assert record["runs"] == 1
        assert 0.0 <= record["final_accuracy"][0] <= 1.0
    # the holdout is carved from the training images: 1297 train -> 259 held out
    assert payload["holdout"] == 259


def test_quick_digits_run_with_torch_runs_the_same_step_schedule(tmp_path):
    torch = pytest.importorskip("torch")
    env = dict(os.environ, SKNN_CN_DATA=str(tmp_path), OMP_NUM_THREADS="1")
    run = subprocess.run(
        [sys.executable, SCRIPT, "--quick", "--data", "digits", "--target", "0.8",
         "--max-epochs", "30", "--candidates", "nesterov lr0.5 b256 step400",
         "--choose-seeds", "0", "--seeds", "101"],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    payload = json.loads(run.stdout.strip().splitlines()[-1])
    assert payload["torch"] is True and torch.__version__
    assert payload["chosen"] == "nesterov lr0.5 b256 step400"
    assert "StepSchedule(gamma=0.3, step_size=400)" in payload["fast_recipe"]["lr_schedule"]
    assert set(payload["confirm"]) == {"sknn_cn seed", "sknn_cn fast", "torch seed",
                                       "torch fast"}
