"""Smoke test of benchmarks/bench_imbalance.py and its resampling ratios.

The script runs as a user runs it, in a subprocess, on a tiny --quick path;
its last line must be strict JSON agreeing with the printed table.  The
ratio-0.5 strategies for three classes are checked against imblearn's own
float ``sampling_strategy=0.5`` on two classes and against the closed form.
"""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "bench_imbalance.py")
TREATMENTS = ["none", "under_sampling_0.5", "over_0.5_then_under", "smote_tomek",
              "schapire_imbalance", "threshold_f1"]


def _load_script():
    spec = importlib.util.spec_from_file_location("bench_imbalance", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_run_prints_table_and_strict_json():
    run = subprocess.run(
        [sys.executable, SCRIPT, "--quick", "--scale", "0.05", "--datasets", "xor",
         "coin_hole_3", "--treatments", *TREATMENTS],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.strip().splitlines()
    payload = json.loads(lines[-1], parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    table = "\n".join(lines[:-1])
    assert payload["quick"] is True and payload["scale"] == 0.05
    assert set(payload["results"]) == {"xor", "coin_hole_3"}
    for data_name, block in payload["results"].items():
        assert list(block["scores"]) == TREATMENTS
        for treatment, entry in block["scores"].items():
            if data_name == "coin_hole_3" and treatment == "threshold_f1":
                assert entry is None  # binary only: "n/a" in the table
                continue
            for metric in ("roc_auc", "balanced_accuracy", "recall_minority", "f1_minority"):
                assert 0.0 <= entry[metric]["mean"] <= 1.0
            row = next(line for line in table.splitlines() if line.startswith(treatment + " ")
                       and f"{entry['roc_auc']['mean']:.3f}" in line)
            assert f"{entry['f1_minority']['mean']:.3f}" in row
    assert sum("n/a" in line for line in table.splitlines()
               if line.startswith("threshold_f1")) == 1


def test_half_ratio_strategies_match_imblearn_and_closed_form():
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler

    bench = _load_script()
    y2 = np.r_[np.zeros(190, int), np.ones(10, int)]
    X2 = np.zeros((200, 1))
    for sampler, ours in ((RandomOverSampler, bench._over_to_half),
                          (RandomUnderSampler, bench._under_to_twice)):
        _, y_float = sampler(sampling_strategy=0.5, random_state=0).fit_resample(X2, y2)
        _, y_ours = sampler(sampling_strategy=ours, random_state=0).fit_resample(X2, y2)
        assert np.bincount(y_ours).tolist() == np.bincount(y_float).tolist()
    y3 = np.r_[np.zeros(100, int), np.ones(30, int), np.full(10, 2)]
    assert bench._over_to_half(y3) == {0: 100, 1: 50, 2: 50}
    assert bench._under_to_twice(y3) == {0: 20, 1: 20, 2: 10}
    with pytest.raises(ValueError, match="two classes"):
        bench.make_treatment("threshold_f1", 3, 5, 0)
