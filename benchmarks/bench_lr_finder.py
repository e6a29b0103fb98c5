"""Does the LR range test's suggestion match the grid-searched best rate?

Issue 4's target: the default suggestion of ``sknn_cn.lr_finder.lr_range_test``
lands within a factor of 3 of the grid-best learning rate (best validation
accuracy after a fixed epoch budget) on MNIST (or digits) and on the coin-hole
data.  For each data set and optimizer this script

1. trains the net at every rate of a grid (powers of 2), several seeds, for a
   fixed number of epochs, and scores each on held-out data;
2. runs the range test on the *same* estimator (defaults: lr 1e-5 -> 10,
   ``n_steps='auto'`` = the estimator's number of updates, beta = 0.98) for
   several seeds and takes the median suggestion of each rule;
3. prints, for every rule, suggestion / grid-best (the ratio), whether it is
   within 3x, and the validation accuracy at the suggestion (interpolated in
   log(lr) on the grid) against the best.

Data and nets:

* ``mnist``: the seed's 784-64-16-10 net (logistic, tanh), batch 128,
  10,000 training images and 10,000 held-out ones, 10 epochs (sklearn's
  digits, 1,000 / 797, 30 epochs, when MNIST is absent);
* ``coin_hole``: the seed's 2-3-3 net (1.2.2) on standardised coin-hole
  points, batch 32, 2,000 training and 1,000 held-out points, 50 epochs.

Optimizers: ``adam`` (the package default), ``sgd`` (plain, the seed's
rule), ``momentum`` (SGD with Nesterov momentum 0.9).

Usage::

    python benchmarks/bench_lr_finder.py              # all, ~6 min on 2 busy cores
    python benchmarks/bench_lr_finder.py --quick      # adam only, fewer seeds, < 1 min
    python benchmarks/bench_lr_finder.py --out dir/   # also a PNG of every curve
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from _common import format_table, json_line, machine_info, machine_notes  # noqa: E402

from sknn_cn import MulticlassMLPClassifier
from sknn_cn.datasets import load_handwritten_digits, make_coin_hole
from sknn_cn.lr_finder import DEFAULT_RULE, SUGGESTION_RULES, lr_range_test

OPTIMIZERS = {
    "adam": dict(solver="adam"),
    "sgd": dict(solver="sgd", momentum=0.0),
    "momentum": dict(solver="sgd", momentum=0.9, nesterovs_momentum=True),
}
FACTOR = 3.0


def mnist_task(quick, seed):
    data = load_handwritten_digits(n_test=0)  # a pool: MNIST's training images, or every digit
    X, y = data.X_train, data.y_train
    if data.name == "mnist":
        name, n_train, n_val, epochs = "MNIST", 10000, 10000, 10
        if quick:
            n_train, n_val = 5000, 5000
    else:
        print(f"# {data.description}")
        name, n_train, n_val, epochs = "digits (MNIST absent)", 1000, 797, 30
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(y))[:n_train + n_val]
    X, y = np.ascontiguousarray(X[idx]), y[idx]

    def make(**kw):
        return MulticlassMLPClassifier((64, 16), activation=("logistic", "tanh"),
                                       batch_size=128, max_iter=epochs, tol=0.0,
                                       n_iter_no_change=np.inf, **kw)

    return dict(name=name, X=X[:n_train], y=y[:n_train], X_val=X[n_train:],
                y_val=y[n_train:], make=make, epochs=epochs,
                lrs=2.0 ** np.arange(-12, 4))


def coin_task(quick, seed):
    X, y = make_coin_hole(3000, random_state=seed)
    scaler = StandardScaler().fit(X[:2000])  # the seed standardises its inputs
    X_train, X_val = scaler.transform(X[:2000]), scaler.transform(X[2000:])

    def make(**kw):
        return MulticlassMLPClassifier((3,), batch_size=32, max_iter=50, tol=0.0,
                                       n_iter_no_change=np.inf, **kw)

    return dict(name="coin hole", X=X_train, y=y[:2000], X_val=X_val, y_val=y[2000:],
                make=make, epochs=50, lrs=2.0 ** np.arange(-10, 6))


def grid_scores(task, cfg, seeds):
    """Mean validation accuracy at every grid rate (0 for a diverged run)."""
    scores = []
    for lr in task["lrs"]:
        accs = []
        for seed in seeds:
            try:
                net = task["make"](learning_rate_init=float(lr), random_state=seed, **cfg)
                net.fit(task["X"], task["y"])
                accs.append(net.score(task["X_val"], task["y_val"]))
            except FloatingPointError:
                accs.append(0.0)
        scores.append(float(np.mean(accs)))
    return np.array(scores)


def accuracy_at(task, scores, lr):
    """Grid accuracy interpolated in log(lr) (edge values outside the grid)."""
    return float(np.interp(np.log(lr), np.log(task["lrs"]), scores))


def run(task, opt_name, seeds, finder_seeds):
    cfg = OPTIMIZERS[opt_name]
    start = time.perf_counter()
    scores = grid_scores(task, cfg, seeds)
    grid_seconds = time.perf_counter() - start
    best_j = int(np.argmax(scores))
    best = float(task["lrs"][best_j])
    plateau = task["lrs"][scores >= scores[best_j] - 0.01]

    start = time.perf_counter()
    results = [lr_range_test(task["make"](random_state=s, **cfg), task["X"], task["y"])
               for s in finder_seeds]
    finder_seconds = (time.perf_counter() - start) / len(finder_seeds)
    rules = {}
    for rule in SUGGESTION_RULES:
        values = [r.suggestions[rule] for r in results]
        lr = float(np.median(values))
        rules[rule] = {"suggestion": lr, "per_seed": values, "ratio": lr / best,
                       "within": 1 / FACTOR <= lr / best <= FACTOR,
                       "accuracy": accuracy_at(task, scores, lr)}
    return {"data": task["name"], "optimizer": opt_name, "grid_lrs": task["lrs"],
            "grid_scores": scores, "best_lr": best, "best_accuracy": float(scores[best_j]),
            "plateau": [float(plateau.min()), float(plateau.max())],
            "n_steps": len(results[0].lrs), "planned_steps": results[0].n_steps,
            "rules": rules, "grid_seconds": grid_seconds,
            "finder_seconds": finder_seconds, "curve": results[0]}


def plot_all(records, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(records), 1, figsize=(9, 4.2 * len(records)),
                             squeeze=False)
    for ax, rec in zip(axes[:, 0], records):
        rec["curve"].plot(ax=ax)
        ax.axvspan(*rec["plateau"], color="#009E73", alpha=0.12,
                   label="grid: within 1 pp of best")
        ax.axvline(rec["best_lr"], color="#009E73", linewidth=2.5,
                   label=f"grid best {rec['best_lr']:.3g}")
        twin = ax.twinx()
        twin.plot(rec["grid_lrs"], rec["grid_scores"], "s-", color="#009E73",
                  markersize=4, linewidth=1)
        twin.set_ylabel("validation accuracy (grid)")
        ax.set_title(f"{rec['data']}, {rec['optimizer']}: range test vs grid")
        ax.legend(fontsize="x-small", loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="adam only, fewer seeds")
    parser.add_argument("--data", nargs="+", choices=("mnist", "coin_hole"),
                        default=["mnist", "coin_hole"])
    parser.add_argument("--optimizers", nargs="+", choices=tuple(OPTIMIZERS), default=None)
    parser.add_argument("--seeds", type=int, default=None,
                        help="grid seeds and range-test seeds (default 3; 2 quick)")
    parser.add_argument("--out", default=None, help="folder for the PNG and JSON")
    parser.add_argument("--seed", type=int, default=0, help="data seed")
    args = parser.parse_args(argv)
    optimizers = args.optimizers or (["adam"] if args.quick else list(OPTIMIZERS))
    n_seeds = args.seeds or (2 if args.quick else 3)
    seeds = list(range(n_seeds))

    info = machine_info()
    for line in machine_notes(info):
        print("#", line)
    tasks = {"mnist": mnist_task, "coin_hole": coin_task}
    records = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for data in args.data:
            task = tasks[data](args.quick, args.seed)
            for opt in optimizers:
                rec = run(task, opt, seeds, seeds)
                records.append(rec)
                print(f"# {rec['data']}, {opt}: grid {rec['grid_seconds']:.0f} s, range "
                      f"test {rec['finder_seconds']:.1f} s ({rec['n_steps']} of "
                      f"{rec['planned_steps']} steps)", flush=True)

    rows = []
    for rec in records:
        for rule, r in rec["rules"].items():
            mark = " (default)" if rule == DEFAULT_RULE else ""
            rows.append([rec["data"], rec["optimizer"], f"{rec['best_lr']:.3g}",
                         f"{rec['plateau'][0]:.3g}-{rec['plateau'][1]:.3g}",
                         rule + mark, f"{r['suggestion']:.3g}", f"{r['ratio']:.2f}",
                         "yes" if r["within"] else "NO",
                         f"{r['accuracy']:.3f} / {rec['best_accuracy']:.3f}"])
    print()
    print(format_table(["data", "optimizer", "grid best", "within 1pp", "rule",
                        "suggested", "ratio", f"within {FACTOR:g}x",
                        "acc at suggestion / best"], rows, align="llrrlrrll"))
    default_ok = all(rec["rules"][DEFAULT_RULE]["within"] for rec in records)
    print(f"\ntarget (default rule '{DEFAULT_RULE}' within {FACTOR:g}x everywhere): "
          f"{'met' if default_ok else 'NOT met'}")
    for rule in SUGGESTION_RULES:
        hits = sum(rec["rules"][rule]["within"] for rec in records)
        print(f"  {rule:<11} within {FACTOR:g}x in {hits} of {len(records)} cases")

    if args.out:
        os.makedirs(args.out, exist_ok=True)
        png = os.path.join(args.out, "lr_finder_vs_grid.png")
        plot_all(records, png)
        print(f"curves: {png}")
    payload = {"benchmark": "lr_finder", "default_rule": DEFAULT_RULE,
               "target_met": default_ok, "machine": info,
               "cases": [{k: (v.tolist() if isinstance(v, np.ndarray) else v)
                          for k, v in rec.items() if k != "curve"} for rec in records]}
    line = json_line(payload)
    if args.out:
        with open(os.path.join(args.out, "lr_finder_vs_grid.json"), "w") as fh:
            fh.write(line + "\n")
    print(line)
    return default_ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
