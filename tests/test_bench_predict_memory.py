"""Smoke test of benchmarks/bench_predict_memory.py, run as a user runs it.

Tiny sizes, in a subprocess: the last line must be strict JSON agreeing with
the printed table; tracemalloc's peak (bytes, not seconds: exact and
machine-independent) must stay within 1.2x the output plus one chunk's
activations, and chunking must cut the peak to a fraction of one big chunk.
"""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "bench_predict_memory.py")


def test_tiny_run_prints_table_and_strict_json_within_target():
    run = subprocess.run(
        [sys.executable, SCRIPT, "--rows", "40000", "--features", "10", "--hidden", "30",
         "--working-memory", "1024", "0.5", "--methods", "predict_proba", "predict",
         "decision_function"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
        env=dict(os.environ, OMP_NUM_THREADS="1"),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.strip().splitlines()
    payload = json.loads(lines[-1], parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    results = payload["results"]
    assert [(r["method"], r["working_memory_mib"]) for r in results] == [
        (m, wm) for m in ("predict_proba", "predict", "decision_function")
        for wm in (1024.0, 0.5)]
    for one_chunk, chunked in zip(results[::2], results[1::2]):
        assert one_chunk["n_chunks"] == 1 and chunked["n_chunks"] > 10
        # 0.5 MiB of activations per chunk (the 30-unit layer and the logit of
        # 10-feature rows) against 40 000 rows of them at once
        assert chunked["peak_bytes"] < one_chunk["peak_bytes"] / 3
    for result in results:
        assert result["ratio"] == pytest.approx(
            result["peak_bytes"] / (result["output_bytes"] + result["chunk_activation_bytes"]))
        assert result["ratio"] <= 1.2 and result["within_target"] is True
        row = next(line for line in lines[:-1] if line.startswith(result["method"] + " ")
                   and f"{result['ratio']:.3f}" in line)
        assert f"{result['peak_bytes'] / 2**20:.1f}" in row
