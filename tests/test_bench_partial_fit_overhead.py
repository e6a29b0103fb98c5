"""Smoke test of benchmarks/bench_partial_fit_overhead.py, run as a user runs it.

Tiny sizes, this checkout twice: the last line is strict JSON, one result per
checkout, and the fixed cost of a call is positive and below a whole call with
its epoch (the script replaces only the epoch loop).  No timing is asserted.
"""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "bench_partial_fit_overhead.py")


def test_quick_run_reports_each_checkout_in_strict_json(tmp_path):
    other = tmp_path / "copy"
    other.symlink_to(ROOT, target_is_directory=True)
    run = subprocess.run([sys.executable, SCRIPT, ROOT, str(other), "--quick",
                          "--rounds", "1", "--calls", "2"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert run.returncode == 0, run.stderr[-2000:]
    payload = json.loads(run.stdout.strip().splitlines()[-1],
                         parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    (shape,) = payload["results"].values()
    assert set(shape) == {ROOT, str(other)}
    for r in shape.values():
        assert 0 < r["fixed_ms_min"] <= r["fixed_ms_median"]
        assert r["fixed_over_epoch"] == pytest.approx(r["fixed_ms_min"] / r["epoch_ms_min"])
    assert "fixed ms (min)" in run.stdout
