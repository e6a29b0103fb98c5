"""Does the range test's usable range hold?  (seed 1.4.4.1)

``lr_range_test`` reports ``lr_min`` .. ``lr_max`` (the first and last tenth
of the smoothed loss's fall, after Smith 2015/2017).  This script runs the
test once (``random_state=0``) for the seed's net (64-16-10 hidden/output,
logistic, tanh, softmax), then trains fresh nets on other seeds for a fixed
number of epochs at rates across and beyond the range: ``lr_min``, the
default suggestion, the range's middle ``sqrt(lr_min * lr_max)``, ``lr_max``,
``2 * lr_max`` and ``10 * lr_max``; it prints test accuracy (mean and min over
seeds) and a final JSON line.

    python benchmarks/bench_lr_range.py                       # digits, MNIST when present
    python benchmarks/bench_lr_range.py --data digits --quick
"""

import argparse
import math
import os
import statistics
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import format_table, json_line  # noqa: E402
from bench_batch_growth import load  # noqa: E402

from sknn_cn import MulticlassMLPClassifier, lr_range_test  # noqa: E402

SOLVERS = {
    "sgd": dict(solver="sgd", momentum=0.0),
    "adam": dict(solver="adam"),
}
CONFIGS = {"digits": dict(batch_size=32, epochs=30), "mnist": dict(batch_size=64, epochs=10)}


def net(config, solver, lr, seed):
    return MulticlassMLPClassifier(
        (64, 16), activation=("logistic", "tanh"), batch_size=config["batch_size"],
        learning_rate_init=lr, max_iter=config["epochs"], n_iter_no_change=np.inf,
        n_init=1, dtype="float32", random_state=seed, **SOLVERS[solver])


def accuracy(data, config, solver, lr, seed):
    X_train, X_test, y_train, y_test = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = net(config, solver, lr, seed).fit(X_train, y_train)
        except FloatingPointError:  # diverged: as good as guessing
            return float(np.mean(y_test == np.bincount(y_train).argmax()))
    return float(model.score(X_test, y_test))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default="auto", choices=["auto", "digits", "mnist"])
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--solvers", nargs="+", default=list(SOLVERS), choices=list(SOLVERS))
    p.add_argument("--quick", action="store_true", help="5 epochs, MNIST subset")
    args = p.parse_args(argv)
    results = {}
    for kind in (["digits", "mnist"] if args.data == "auto" else [args.data]):
        loaded = load(kind, args.quick)
        if loaded is None:
            print("MNIST not found: skipped\n")
            continue
        *data, name = loaded
        config = dict(CONFIGS[kind], **({"epochs": 5} if args.quick else {}))
        for solver in args.solvers:
            r = lr_range_test(net(config, solver, 0.01, 0), data[0], data[2], random_state=0)
            middle = math.sqrt(r.lr_min * r.lr_max)
            rates = {"lr_min": r.lr_min, "suggestion": r.suggestion, "middle": middle,
                     "lr_max": r.lr_max, "2 x lr_max": 2 * r.lr_max,
                     "10 x lr_max": 10 * r.lr_max}
            rows, out = [], {}
            for label, lr in rates.items():
                accs = [accuracy(data, config, solver, lr, s) for s in args.seeds]
                out[label] = {"lr": lr, "accuracy": accs}
                rows.append([label, f"{lr:.3g}", f"{statistics.fmean(accs):.4f}",
                             f"{min(accs):.4f}"])
            print(f"{name}, {solver}, batch {config['batch_size']}, {config['epochs']} "
                  f"epochs, seeds {args.seeds}; range test ({len(r.lrs)} steps, "
                  f"random_state=0): lr_min {r.lr_min:.3g}, suggestion {r.suggestion:.3g}, "
                  f"lr_max {r.lr_max:.3g}")
            print(format_table(["rate", "lr", "test accuracy (mean)", "min"], rows,
                               align="lrrr"))
            print()
            results[f"{kind}/{solver}"] = {"lr_min": r.lr_min, "lr_max": r.lr_max,
                                           "suggestion": r.suggestion, "runs": out}
    print(json_line({"seeds": args.seeds, "quick": args.quick, "results": results}))


if __name__ == "__main__":
    main()
