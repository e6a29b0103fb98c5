"""What a ``partial_fit`` call costs besides its epoch, for one or more checkouts.

Each checkout (a directory holding ``sknn_cn/``) runs in a subprocess of its
own, the checkouts taking turns, round after round.  In each, a
``MulticlassMLPClassifier`` is fitted once by ``partial_fit``; then
``sknn_cn.training.loop.train`` (the epoch loop) is replaced by a function
that does nothing, and ``partial_fit`` is timed again: what is left is the
call's fixed cost (input checks, encodings, the state copies that make a call
all-or-nothing, the BLAS thread scope).  One real epoch is timed too, for
scale.  Two shapes: MNIST's (60 000 x 784 float32, the seed net 64-16, batch
64; synthetic values, which the checks do not care about) and a small one
(1 000 x 100, 256-256 ReLU, batch 128: bench_scaling.py's smallest epoch).

Reported: the minimum and the median over all calls, in milliseconds, and
the fixed cost over the epoch.  The last line is JSON.

Usage::

    python benchmarks/bench_partial_fit_overhead.py .                    # this checkout
    python benchmarks/bench_partial_fit_overhead.py /tmp/old .           # before / after
    python benchmarks/bench_partial_fit_overhead.py . --quick            # tiny (smoke)
"""

import argparse
import json
import os
import subprocess
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import format_table, json_line, machine_info, machine_notes  # noqa: E402

SHAPES = {
    "mnist-shaped 60000x784, 64-16": dict(n=60_000, d=784, hidden=(64, 16),
                                          activation=("logistic", "tanh"), batch_size=64),
    "small 1000x100, 256-256": dict(n=1_000, d=100, hidden=(256, 256), activation="relu",
                                    batch_size=128),
}
QUICK_SHAPES = {
    "quick 2000x50, 16": dict(n=2_000, d=50, hidden=(16,), activation="relu", batch_size=64),
}


def _child(checkout, shape, calls):
    sys.path.insert(0, os.path.abspath(checkout))
    import numpy as np

    import sknn_cn
    import sknn_cn.training.loop as loop
    from sknn_cn import MulticlassMLPClassifier

    assert sknn_cn.__file__.startswith(os.path.abspath(checkout)), sknn_cn.__file__
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(0)
    X = rng.random((shape["n"], shape["d"]), dtype=np.float32)
    y = rng.integers(0, 10, shape["n"])
    est = MulticlassMLPClassifier(
        hidden_layer_sizes=shape["hidden"], activation=shape["activation"], solver="sgd",
        momentum=0.0, batch_size=shape["batch_size"], dtype="float32", n_init=1,
        random_state=0, n_threads=1)
    est.partial_fit(X, y, classes=np.arange(10))
    start = time.perf_counter()
    est.partial_fit(X, y)
    epoch = time.perf_counter() - start
    loop.train = lambda *args, **kwargs: None  # the epoch loop does nothing now
    fixed = []
    for _ in range(calls):
        start = time.perf_counter()
        est.partial_fit(X, y)
        fixed.append(time.perf_counter() - start)
    return {"fixed_s": fixed, "epoch_s": epoch}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkouts", nargs="+", help="directories holding sknn_cn/")
    p.add_argument("--rounds", type=int, default=3, help="turns of every checkout (3)")
    p.add_argument("--calls", type=int, default=7, help="timed calls per turn (7)")
    p.add_argument("--quick", action="store_true", help="one tiny shape")
    p.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        checkout, shape_json, calls = args.child
        print(json.dumps(_child(checkout, json.loads(shape_json), int(calls))))
        return 0
    import numpy as np

    machine = machine_info()
    print("\n".join(machine_notes(machine)), flush=True)
    shapes = QUICK_SHAPES if args.quick else SHAPES
    results = {}
    rows = []
    for name, shape in shapes.items():
        runs = {c: {"fixed_s": [], "epoch_s": []} for c in args.checkouts}
        for _ in range(args.rounds):
            for checkout in args.checkouts:
                out = subprocess.run(
                    [sys.executable, os.path.abspath(__file__), checkout, "--child",
                     checkout, json.dumps(shape), str(args.calls)],
                    capture_output=True, text=True, check=True)
                got = json.loads(out.stdout.strip().splitlines()[-1])
                runs[checkout]["fixed_s"] += got["fixed_s"]
                runs[checkout]["epoch_s"].append(got["epoch_s"])
        for checkout, r in runs.items():
            fixed_min, fixed_med = min(r["fixed_s"]), float(np.median(r["fixed_s"]))
            epoch = min(r["epoch_s"])
            results.setdefault(name, {})[checkout] = {
                "fixed_ms_min": fixed_min * 1e3, "fixed_ms_median": fixed_med * 1e3,
                "epoch_ms_min": epoch * 1e3, "fixed_over_epoch": fixed_min / epoch}
            rows.append([name, checkout, f"{fixed_min * 1e3:.2f}", f"{fixed_med * 1e3:.2f}",
                         f"{epoch * 1e3:.1f}", f"{fixed_min / epoch:.3f}"])
    print()
    print(format_table(["shape", "checkout", "fixed ms (min)", "median", "epoch ms (min)",
                        "fixed / epoch"], rows, "llrrrr"))
    machine["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json_line({"benchmark": "bench_partial_fit_overhead", "rounds": args.rounds,
                     "calls": args.calls, "results": results, "machine": machine}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
