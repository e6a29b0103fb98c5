"""Smoke test of benchmarks/bench_batch_breakdown.py, run as a user runs it.

On the digits (no MNIST needed), two epochs: the last line is strict JSON that
agrees with itself (parts, floor, ratios).  No timing is asserted.
"""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "bench_batch_breakdown.py")


def test_quick_run_prints_every_part_and_strict_json(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS="1", SKNN_CN_DATA=str(tmp_path))
    run = subprocess.run([sys.executable, SCRIPT, "--quick"], capture_output=True,
                         text=True, timeout=300, cwd=ROOT, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    payload = json.loads(run.stdout.strip().splitlines()[-1],
                         parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    assert payload["data"].startswith("sklearn digits")
    assert list(payload["parts"]) == ["gather", "forward", "backward", "l2", "update", "loop"]
    for name, part in payload["parts"].items():
        assert 0 <= part["us_min"] <= part["us_median"], name
    # the floor's products are only in the forward and backward parts
    assert payload["parts"]["gather"]["floor_products_us_min"] == 0
    assert payload["parts"]["forward"]["floor_products_us_min"] > 0
    assert payload["over_floor"]["min"] == pytest.approx(
        payload["step_us"]["min"] / payload["floor_us"]["min"])
    # the bound: the floor's products plus the gather and one update, never below them
    assert payload["bound_us"]["min"] > 0
    assert payload["bound_over_floor"]["min"] == pytest.approx(
        payload["bound_us"]["min"] / payload["floor_us"]["min"])
    for line in ("gather", "forward", "backward", "whole step", "the step over the floor",
                 "floor + gather + update"):
        assert line in run.stdout
