"""Batch size against learning rate on the seed's MNIST net (seed 1.4.4.3).

``GridSearchCV`` over ``learning_rate_init`` x ``batch_size`` for the seed's
784-64-16-10 net (logistic, tanh, softmax) trained with the seed's plain
mini-batch SGD (``solver='sgd', momentum=0``: seed 1.4.4 eq. 1) for a fixed
number of epochs, scored by accuracy on held-out images.  It prints the grid,
the best rate per batch size, the local exponent ``k`` of
``best_lr ~ batch_size ** k`` (1: the linear rule holds; 1/2: the square-root
rule; 0: saturated), the comparison with the seed's source (lr 0.5 best at
batch 128 and 32, lr 0.1 best at batch 16), and draws a heat map.

Budget (2 shared cores): a subset of MNIST, not all 60,000 images.  Default:
2 folds, each training on its own 10,000 images and scored on the same
10,000 held-out training images, 20 epochs per fit (a fixed *epoch* budget,
so a larger batch makes fewer updates, the setting the rules are about), an
8 x 6 grid: 96 fits, about 3 minutes with 2 jobs (``--epochs 5``: 80 s; the
best rates then saturate from batch 16 on, the nets being far from trained).
``--quick``: 2,000 images, 2 epochs, a 5 x 3 grid, one fold, under a minute.  MNIST comes from sknn_cn.datasets.load_handwritten_digits; when
it is absent the script says so and uses sklearn's 8x8 digits.

Where the fits run (joblib, the engine under GridSearchCV):

* default: local processes, ``--n-jobs`` (2);
* ``--scheduler tcp://host:8786``: an existing Dask cluster, through joblib's
  dask backend (``joblib.parallel_config(backend='dask')``; needs
  ``dask[distributed]``, the package's ``dask`` extra);
* ``--local-cluster N``: start a local Dask cluster of N worker processes and
  use it the same way (a dry run of the above).

Usage::

    python benchmarks/lr_batch_grid.py --quick
    python benchmarks/lr_batch_grid.py --out lr_batch_grid/      # PNG + JSON there
    python benchmarks/lr_batch_grid.py --scheduler tcp://10.0.0.5:8786
"""

import argparse
import contextlib
import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.model_selection import GridSearchCV

from _common import json_line, machine_info, machine_notes  # noqa: E402

from sknn_cn import MulticlassMLPClassifier
from sknn_cn.plotting import LRBatchGridDisplay
from sknn_cn.scaling import LRBatchGrid

#: The seed's source (1.4.4.3): best learning rate at each batch size.
SEED_BEST = {16: 0.1, 32: 0.5, 128: 0.5}

#: Learning rates 0.1 * sqrt(5) ** k: an even grid in log(lr) (steps of x2.24)
#: that holds the seed's 0.1 and 0.5.
DEFAULT_LRS = [float(f"{0.1 * 5 ** (k / 2):.3g}") for k in range(-3, 5)]
DEFAULT_BATCHES = [8, 16, 32, 64, 128, 256]
QUICK_LRS = [float(f"{0.1 * 5 ** (k / 2):.3g}") for k in range(-1, 4)]
QUICK_BATCHES = [16, 32, 128]


def load_data(n_train, n_folds, n_val, seed, data="mnist"):
    """A pool of images and the (train, validation) index pairs of each fold."""
    from sknn_cn.datasets import load_handwritten_digits

    # a pool: MNIST's training images, or every digit
    images = load_handwritten_digits(dataset="auto" if data == "mnist" else data, n_test=0)
    X, y = images.X_train, images.y_train
    if images.name == "mnist":
        source = "MNIST"
    else:
        if data == "mnist":
            print(f"# {images.description}")
        source = "sklearn digits" + (" (MNIST absent)" if data == "mnist" else "")
    rng = np.random.default_rng(seed)
    need = n_folds * n_train + n_val
    if need > len(y):
        n_val = max(len(y) // (n_folds + 2), 1)
        n_train = (len(y) - n_val) // n_folds
        need = n_folds * n_train + n_val
        print(f"# only {len(y)} images: {n_folds} x {n_train} for training, {n_val} held out")
    pool = rng.choice(len(y), size=need, replace=False)
    X, y = np.ascontiguousarray(X[pool]), y[pool]
    val = np.arange(n_folds * n_train, need)
    folds = [(np.arange(k * n_train, (k + 1) * n_train), val) for k in range(n_folds)]
    return X, y, folds, source, n_train, n_val


def seed_net(epochs, seed, solver="sgd", momentum=0.0):
    """The seed's 784-64-16-10 net, plain SGD, exactly ``epochs`` epochs."""
    return MulticlassMLPClassifier(
        (64, 16), activation=("logistic", "tanh"), solver=solver, momentum=momentum,
        max_iter=epochs, tol=0.0, n_iter_no_change=np.inf, random_state=seed)


@contextlib.contextmanager
def where_to_run(args):
    """joblib's default backend, or the dask backend on a given / local cluster."""
    if not (args.scheduler or args.local_cluster):
        yield f"local joblib, n_jobs={args.n_jobs}", args.n_jobs
        return
    import joblib
    from dask.distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if args.scheduler:
            client = stack.enter_context(Client(args.scheduler))
            where = f"Dask cluster at {args.scheduler}"
        else:
            cluster = stack.enter_context(LocalCluster(
                n_workers=args.local_cluster, threads_per_worker=1,
                dashboard_address=None))
            client = stack.enter_context(Client(cluster))
            where = f"local Dask cluster, {args.local_cluster} worker processes"
        n_workers = len(client.scheduler_info()["workers"])
        stack.enter_context(joblib.parallel_config(backend="dask"))
        yield f"{where} ({n_workers} workers)", -1


def run_grid(X, y, folds, lrs, batches, epochs, seed, n_jobs, solver, momentum):
    search = GridSearchCV(
        seed_net(epochs, seed, solver, momentum),
        {"learning_rate_init": lrs, "batch_size": batches},
        cv=folds, scoring="accuracy", n_jobs=n_jobs, refit=False,
        error_score=np.nan)  # a diverged fit (FloatingPointError) scores NaN
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.simplefilter("ignore", UserWarning)
        search.fit(X, y)
    return search


def compare_with_seed(grid):
    lines = []
    for batch, seed_lr in SEED_BEST.items():
        if batch not in grid.batch_sizes:
            continue
        i = list(grid.batch_sizes).index(batch)
        row = grid.scores[i]
        j_seed = int(np.argmin(np.abs(np.log(grid.lrs / seed_lr))))
        lines.append(
            f"batch {batch:>3}: seed's source best lr {seed_lr:g}; measured best "
            f"{grid.best_lrs[i]:g} (acc {grid.best_scores[i]:.4f}, refined "
            f"{grid.refined_lrs[i]:.3g}); at lr {grid.lrs[j_seed]:g} acc "
            f"{row[j_seed]:.4f}")
    return lines


def summarise_rules(grid):
    """Where the linear rule holds and where the best rate saturates."""
    verdicts = grid.verdicts
    pairs = [f"{grid.batch_sizes[i]}->{grid.batch_sizes[i + 1]}"
             for i in range(len(verdicts))]
    linear = [p for p, v in zip(pairs, verdicts) if v == "linear"]
    sqrt = [p for p, v in zip(pairs, verdicts) if v == "sqrt"]
    flat = [p for p, v in zip(pairs, verdicts) if v == "saturated"]
    falls = [p for p, v in zip(pairs, verdicts) if v == "falls"]
    text = [f"linear rule holds for batch {', '.join(linear) or 'no pair'}",
            f"square-root rule for {', '.join(sqrt) or 'no pair'}",
            f"saturated (best lr no longer grows) for {', '.join(flat) or 'no pair'}"]
    if falls:
        text.append(f"best lr falls for {', '.join(falls)} (noise or a cliff)")
    overall = np.polyfit(np.log(grid.batch_sizes), np.log(grid.refined_lrs), 1)[0]
    text.append(f"over the whole range best lr ~ batch^{overall:.2f}")
    return text, overall


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small grid, < 1 min")
    parser.add_argument("--n-train", type=int, default=None,
                        help="training images per fold (default 10000; 2000 quick)")
    parser.add_argument("--n-val", type=int, default=None,
                        help="held-out images (default 10000; 2000 quick)")
    parser.add_argument("--folds", type=int, default=None, help="default 2; 1 quick")
    parser.add_argument("--epochs", type=int, default=None, help="default 20; 2 quick")
    parser.add_argument("--data", choices=("mnist", "digits"), default="mnist",
                        help="digits: sklearn's 8x8 digits even when MNIST is there")
    parser.add_argument("--lrs", type=float, nargs="+", default=None)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=None)
    parser.add_argument("--solver", default="sgd", choices=("sgd", "adam"))
    parser.add_argument("--momentum", type=float, default=0.0,
                        help="0 = the seed's plain SGD (default)")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--scheduler", default=None,
                        help="address of a Dask scheduler to run the fits on")
    parser.add_argument("--local-cluster", type=int, default=0, metavar="N",
                        help="start a local Dask cluster of N workers and use it")
    parser.add_argument("--out", default=None, help="folder for the PNG and the JSON")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    q = args.quick
    n_train = args.n_train or (2000 if q else 10000)
    n_val = args.n_val or (2000 if q else 10000)
    n_folds = args.folds or (1 if q else 2)
    epochs = args.epochs or (2 if q else 20)
    lrs = sorted(args.lrs or (QUICK_LRS if q else DEFAULT_LRS))
    batches = sorted(args.batch_sizes or (QUICK_BATCHES if q else DEFAULT_BATCHES))

    info = machine_info()
    for line in machine_notes(info):
        print("#", line)
    X, y, folds, source, n_train, n_val = load_data(n_train, n_folds, n_val, args.seed,
                                                    args.data)
    print(f"# {source}: {n_folds} fold(s) of {n_train} training images, {n_val} held "
          f"out; {epochs} epochs per fit; solver={args.solver}, momentum={args.momentum}")
    with where_to_run(args) as (where, n_jobs):
        print(f"# running {len(lrs) * len(batches) * n_folds} fits on {where}")
        start = time.perf_counter()
        search = run_grid(X, y, folds, lrs, batches, epochs, args.seed, n_jobs,
                          args.solver, args.momentum)
        seconds = time.perf_counter() - start
    grid = LRBatchGrid.from_cv_results(search.cv_results_)

    print(f"\nValidation accuracy after {epochs} epochs (* = best lr of the row), "
          f"{seconds:.0f} s:\n")
    print(grid.table())
    print("\nBest learning rate against batch size:")
    print(grid.rule_report())
    summary, overall = summarise_rules(grid)
    for line in summary:
        print(" ", line)
    print("\nThe seed's source against this run:")
    for line in compare_with_seed(grid):
        print(" ", line)

    png = None
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        import matplotlib

        matplotlib.use("Agg")
        disp = LRBatchGridDisplay(grid).plot(
            title=f"{source}, seed net, {epochs} epochs: validation accuracy")
        png = os.path.join(args.out, "lr_batch_grid.png")
        disp.figure_.savefig(png, dpi=120, bbox_inches="tight")
        print(f"\nheat map: {png}")
    payload = {
        "benchmark": "lr_batch_grid", "data": source, "n_train": n_train, "n_val": n_val,
        "folds": n_folds, "epochs": epochs, "solver": args.solver,
        "momentum": args.momentum, "where": where, "seconds": seconds,
        "lrs": grid.lrs, "batch_sizes": grid.batch_sizes, "scores": grid.scores,
        "best_lrs": grid.best_lrs, "refined_lrs": grid.refined_lrs,
        "exponents": grid.exponents, "verdicts": grid.verdicts,
        "overall_exponent": overall, "seed_best": SEED_BEST, "png": png,
        "machine": info,
    }
    line = json_line({k: v.tolist() if isinstance(v, np.ndarray) else v
                      for k, v in payload.items()})
    if args.out:
        with open(os.path.join(args.out, "lr_batch_grid.json"), "w") as fh:
            fh.write(line + "\n")
    print(line)
    return grid


if __name__ == "__main__":
    sys.exit(0 if main() is not None else 1)
