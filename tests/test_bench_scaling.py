"""Smoke test of benchmarks/bench_scaling.py, run as a user runs it (a subprocess).

Tiny sizes (``--quick``), one thread, one timed epoch.  Checked: the last line
is strict JSON, every grid point has a cost for every implementation, the
ratio to the best peer is computed from those costs, and the plot is written
where ``--out`` says.  No timing is asserted.
"""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "bench_scaling.py")


def test_quick_run_reports_every_implementation_and_writes_the_plot(tmp_path):
    out = tmp_path / "scaling.png"
    env = dict(os.environ, OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    run = subprocess.run([sys.executable, SCRIPT, "--quick", "--repeats", "1",
                          "--implementations", "sknn_cn", "sklearn", "numpy",
                          "--out", str(out)],
                         capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    payload = json.loads(run.stdout.strip().splitlines()[-1],
                         parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    assert payload["implementations"] == ["sknn_cn", "sklearn", "numpy"]
    rows = payload["rows"]
    assert [(r["axis"], r["value"]) for r in rows] == [
        ("n_samples", 200), ("n_samples", 400), ("width", 8), ("width", 16),
        ("dtype", "float32"), ("dtype", "float64")]
    for r in rows:
        costs = r["us_per_sample"]
        assert set(costs) == {"sknn_cn@1", "sklearn@1", "numpy@1"}
        assert all(c > 0 for c in costs.values())
        best_peer = min(costs["sklearn@1"], costs["numpy@1"])
        assert r["ours_over_best_peer"]["1"] == pytest.approx(costs["sknn_cn@1"] / best_peer)
    slower = {(s["axis"], s["value"]) for s in payload["slower_than_best_peer"]}
    assert slower == {(r["axis"], r["value"]) for r in rows
                      if r["ours_over_best_peer"]["1"] > 1.10}
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "where sknn_cn is more than 10% slower" in run.stdout
