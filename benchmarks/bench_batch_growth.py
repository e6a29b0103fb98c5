"""Grow the batch size or decay the learning rate? (seed 1.4.4.3)

The seed's last advice on learning rates: keep the rate large and, if it must
"decay", grow the batch size instead.  Smith, Kindermans, Ying & Le (2017,
"Don't decay the learning rate, increase the batch size") claim that
multiplying the batch size by ``factor`` at the milestones where a step
schedule divides the rate by ``factor`` reaches the same accuracy in the same
number of epochs, with fewer parameter updates.

This script trains the seed's net (784-64-16-10 on MNIST, 64-64-16-10 on
sklearn's bundled 8x8 digits; logistic, tanh, softmax; plain SGD as in the
seed's eq. 1) three ways, each for the same number of epochs from the same
initial weights:

``fixed``
    constant rate, constant batch (the reference);
``lr decay``
    ``MultiStepSchedule(milestones, gamma=1/factor, unit='epoch')``;
``batch growth``
    ``BatchSizeSchedule(milestones, factor)`` with the constant rate (the
    learning-rate twin above is ``BatchSizeSchedule.equivalent_lr_schedule()``).

It reports test accuracy, final training loss, the number of mini-batch
updates (counted by the training loop) and the wall time of ``fit``, for
several seeds, as a table and a final JSON line.  Wall times on a shared
machine are noise; updates and accuracy are not.

    python benchmarks/bench_batch_growth.py                  # digits, and MNIST when present
    python benchmarks/bench_batch_growth.py --data digits --quick   # seconds (CI smoke)
    SKNN_CN_DATA=/path python benchmarks/bench_batch_growth.py --data mnist
"""

import argparse
import os
import statistics
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import fmt, format_table, json_line, timed  # noqa: E402

from sknn_cn import MulticlassMLPClassifier  # noqa: E402
from sknn_cn import BatchSizeSchedule  # noqa: E402

SEED_HIDDEN = (64, 16)
SEED_ACTIVATIONS = ("logistic", "tanh")

#: name -> settings.  Full and --quick; the rate is the seed's 0.5 (MNIST
#: README table) on both, the milestones split the epochs in thirds.
CONFIGS = {
    "digits": dict(batch_size=16, learning_rate_init=0.5, epochs=60,
                   milestones=(20, 40), factor=5),
    "mnist": dict(batch_size=64, learning_rate_init=0.5, epochs=30,
                  milestones=(10, 20), factor=5),
}
QUICK = {"epochs": 9, "milestones": (3, 6)}
QUICK_MNIST = (5000, 1000)


def load(kind, quick):
    """``(X_train, X_test, y_train, y_test, name)``, or None when MNIST is absent."""
    if kind == "mnist":
        from sknn_cn.datasets import load_mnist

        try:
            X_train, X_test, y_train, y_test = load_mnist(return_X_y=True)
        except FileNotFoundError:
            return None
        name = "MNIST 60000 / 10000"
        if quick:
            X_train, y_train = X_train[:QUICK_MNIST[0]], y_train[:QUICK_MNIST[0]]
            X_test, y_test = X_test[:QUICK_MNIST[1]], y_test[:QUICK_MNIST[1]]
            name = f"MNIST (quick: first {QUICK_MNIST[0]} / {QUICK_MNIST[1]})"
        return (np.ascontiguousarray(X_train), X_test, y_train, y_test, name)
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(
        X, digits.target, test_size=500, stratify=digits.target, random_state=0)
    return X_train, X_test, y_train, y_test, "sklearn digits 8x8 (1297 train / 500 test)"


def schedules(config):
    """The three runs: name -> estimator parameters."""
    growth = BatchSizeSchedule(milestones=config["milestones"], factor=config["factor"])
    return {
        "fixed": dict(lr_schedule="fixed"),
        "lr decay": dict(lr_schedule=growth.equivalent_lr_schedule()),
        "batch growth": dict(batch_size_schedule=growth),
    }


def run_one(data, config, params, seed):
    X_train, X_test, y_train, y_test = data
    net = MulticlassMLPClassifier(
        SEED_HIDDEN, activation=SEED_ACTIVATIONS, solver="sgd", momentum=0.0,
        alpha=0.0, batch_size=config["batch_size"],
        learning_rate_init=config["learning_rate_init"], max_iter=config["epochs"],
        n_iter_no_change=np.inf, dtype="float32", n_init=1, random_state=seed,
        **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: fixed epoch budget
        seconds, net = timed(net.fit, X_train, y_train)
    return {
        "accuracy": float(net.score(X_test, y_test)),
        "train_accuracy": float(net.score(X_train, y_train)),
        "loss": float(net.loss_),
        "updates": int(net.n_updates_),  # counted by the training loop
        "epochs": int(net.n_iter_),
        "seconds": seconds,
    }


def summarise(runs):
    out = {}
    for key in ("accuracy", "train_accuracy", "loss", "updates", "seconds"):
        values = [r[key] for r in runs]
        out[key] = values
        out[key + "_mean"] = statistics.fmean(values)
        out[key + "_sd"] = statistics.stdev(values) if len(values) > 1 else 0.0
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default="auto", choices=["auto", "digits", "mnist"],
                   help="auto: digits, and MNIST too when it is in the data home")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    p.add_argument("--quick", action="store_true",
                   help=f"{QUICK['epochs']} epochs, milestones {QUICK['milestones']}; "
                   f"MNIST: first {QUICK_MNIST[0]} / {QUICK_MNIST[1]} images")
    args = p.parse_args(argv)

    kinds = ["digits", "mnist"] if args.data == "auto" else [args.data]
    results = {}
    for kind in kinds:
        loaded = load(kind, args.quick)
        if loaded is None:
            if args.data == "mnist":
                p.error("MNIST is not in the data home; fetch it with "
                        "`python -m sknn_cn.datasets fetch mnist`")
            print("MNIST not found: skipped (python -m sknn_cn.datasets fetch mnist)\n")
            continue
        *data, name = loaded
        config = dict(CONFIGS[kind], **(QUICK if args.quick else {}))
        growth = BatchSizeSchedule(config["milestones"], config["factor"])
        sizes = growth.values(config["batch_size"], (0, *config["milestones"]),
                              len(data[0]))
        print(f"{name}: net {data[0].shape[1]}-64-16-10 (logistic, tanh, softmax), plain SGD, "
              f"lr {config['learning_rate_init']}, batch {config['batch_size']}, "
              f"{config['epochs']} epochs, milestones {config['milestones']}, "
              f"factor {config['factor']} (batch {' -> '.join(map(str, sizes))}; "
              f"rate {config['learning_rate_init']} / {config['factor']}^k), "
              f"seeds {args.seeds}")
        per = {}
        for label, params in schedules(config).items():
            per[label] = summarise([run_one(data, config, params, s) for s in args.seeds])
        rows = [[label,
                 f"{r['accuracy_mean']:.4f} ± {r['accuracy_sd']:.4f}",
                 f"{r['train_accuracy_mean']:.4f}",
                 f"{r['loss_mean']:.4f}",
                 f"{r['updates_mean']:.0f}",
                 fmt(statistics.median(r["seconds"]), ".2f")]
                for label, r in per.items()]
        print(format_table(["schedule", "test accuracy (mean ± sd)", "train accuracy",
                            "final train loss", "updates", "fit s (median)"], rows,
                           align="lrrrrr"))
        print()
        results[kind] = {"data": name, "config": config, "schedules": per}
    print(json_line({"seeds": args.seeds, "quick": args.quick, "results": results}))


if __name__ == "__main__":
    main()
