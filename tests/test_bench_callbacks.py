"""Smoke test of benchmarks/bench_callbacks.py (no MNIST needed: sklearn's digits).

Run as a user runs it, in a subprocess; its last line must be strict JSON
whose numbers agree with each other and with the printed table.  Counts and
losses are checked, never seconds against seconds.
"""

import json
import os
import statistics
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "bench_callbacks.py")


def test_quick_digits_prints_consistent_json():
    pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    run = subprocess.run([sys.executable, SCRIPT, "--quick", "--data", "digits",
                          "--epochs", "2", "--repeats", "2"], capture_output=True,
                         text=True, timeout=300, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": ROOT})
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.strip().splitlines()
    out = json.loads(lines[-1], parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    text = "\n".join(lines[:-1])
    assert set(out["epoch_s"]) == {"none", "progress"}  # no --before: no 'before'
    for mode, times in out["epoch_s"].items():
        assert len(times) == 2 and all(t > 0 for t in times)
        assert out["median_epoch_s"][mode] == pytest.approx(statistics.median(times))
        assert f"\n{mode} " in "\n" + text
    assert out["ratio_to_none"]["none"] == 1.0
    # a ProgressBar changes no number: the same seed ends at the same loss
    assert out["same_final_loss"] is True
    assert len({v for losses in out["final_loss"].values() for v in losses}) == 1
    cost = out["task_cost"]
    assert cost["task_per_batch"] == pytest.approx(cost["task_s"] / cost["batch_s"])
    assert cost["n_batches"] == -(-out["data"]["n_train"] // 200)
    xor = out["xor"]
    assert [len(t) for t in xor["fit_s"].values()] == [2, 2]
    assert len(xor["epochs"]) == 1  # same seed, same epochs, with or without a bar
    assert xor["progress_over_none"] == pytest.approx(
        statistics.median(xor["fit_s"]["xor:progress"])
        / statistics.median(xor["fit_s"]["xor:none"]))
    # ProgressBar's finished bar (printed on a non-terminal) stays in the worker
    assert "━" not in run.stdout
