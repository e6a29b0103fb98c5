"""Dropout on MNIST: the best MLP setting with and without dropout, same time budget.

Issue 15's target: with dropout, >= 98.7 % test accuracy within 180 s of
training per fit on one thread.  Every fit is

    MulticlassMLPClassifier(hidden_layer_sizes=HIDDEN, activation='relu',
        solver='sgd', momentum=0.9, nesterovs_momentum=True,
        learning_rate_init=LR, batch_size=128, alpha=ALPHA, init='he_uniform',
        dtype='float32', n_init=1, n_threads=THREADS, random_state=SEED,
        dropout=RATE, lr_schedule=PolynomialSchedule(max_steps=T, power=1))

trained one ``partial_fit`` (one epoch) at a time; the settings differ only in
``dropout``.  The learning rate falls linearly to 0 over ``T`` updates, and
``T`` is fitted to the budget: after the first epoch, ``T`` is the number of
epochs that fit in ``--budget`` at that epoch's pace (times
``--plan-fraction``, room for a busier machine) times the batches per
epoch.  A fit stops at the end of its plan or when the next epoch would not
fit in the budget, whichever comes first; seconds count training only.  The
epochs of the settings alternate (A B A B ...) for each seed, so a change in
the machine's load falls on both.

The clock (``--clock``): 'cpu' (the default) counts the CPU seconds of this
process (``time.process_time``), i.e. the time spent on its one thread; on a
shared machine where other processes hold the cores this is the budget "on
one thread", while wall-clock seconds there measure the other processes too.
'wall' counts ``time.perf_counter`` seconds (an idle machine).  Both are
reported.

Reported: the test accuracy *after the last epoch* (not the best epoch's:
choosing the epoch on the test set would be choosing on it), per seed and
the mean over seeds, and whether the target is met.  ``--holdout N`` instead
trains on the first 60000 - N training images and scores the last N: that
is how to choose a setting without looking at the test set.

Usage::

    python benchmarks/bench_dropout.py --threads 1 --budget 180       # the issue's run
    python benchmarks/bench_dropout.py --holdout 10000 --settings "0;0.2;0.3;0.5"
    python benchmarks/bench_dropout.py --quick --data digits          # seconds, no MNIST

MNIST must be in the data home (``SKNN_CN_DATA`` or
``python -m sknn_cn.datasets fetch mnist``); ``--data auto`` falls back to
sklearn's 8x8 digits and says so.  The last line of the output is JSON.
"""

import argparse
import gc
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402  (the folder of this script is not a package)
    fmt,
    format_table,
    json_line,
    machine_info,
    machine_notes,
)

QUICK_TRAIN, QUICK_TEST = 5000, 1000


def load_data(kind, quick, holdout):
    """``(X_train, X_eval, y_train, y_eval, info)``; eval is the test set or a holdout."""
    from sknn_cn.datasets import FETCH_COMMAND, load_handwritten_digits

    note = None
    data = None
    if kind != "digits":
        data = load_handwritten_digits(dataset=kind, n_test=0 if holdout else None)
        if data.name == "digits":
            note = ("MNIST is not in the data home; fell back to sklearn's 8x8 digits. "
                    f"Fetch it with: {FETCH_COMMAND}")
    if data is None or data.name == "digits":
        data = load_handwritten_digits(dataset="digits", n_test=0 if holdout else 500)
    X, y = data.X_train, data.y_train
    name = "MNIST" if data.name == "mnist" else f"sklearn digits 8x8 ({len(y)} train)"
    if quick and data.name == "mnist":
        X, y = X[:QUICK_TRAIN], y[:QUICK_TRAIN]
        name += f" (quick: first {QUICK_TRAIN} training images)"
    if holdout:
        if not 0 < holdout < len(y):
            raise SystemExit(f"--holdout must be in (0, {len(y)}); got {holdout}.")
        X_eval, y_eval = X[-holdout:], y[-holdout:]
        X, y = X[:-holdout], y[:-holdout]
        evaluation = f"holdout: the last {holdout} training images (the test set unread)"
    else:
        X_eval, y_eval = data.X_test, data.y_test
        if quick and data.name == "mnist":
            X_eval, y_eval = X_eval[:QUICK_TEST], y_eval[:QUICK_TEST]
        evaluation = f"test set ({len(y_eval)} images)"
    info = {"name": name, "note": note, "evaluation": evaluation,
            "n_train": int(len(y)), "n_eval": int(len(y_eval))}
    return (np.ascontiguousarray(X, dtype=np.float32),
            np.ascontiguousarray(X_eval, dtype=np.float32), y, y_eval, info)


def parse_setting(text):
    """'0' -> 0.0; '0.3' -> 0.3; '0.3,0.2' -> (0.3, 0.2)."""
    rates = [float(v) for v in text.split(",")]
    return rates[0] if len(rates) == 1 else tuple(rates)


class Fit:
    """One setting, one seed: an estimator trained epoch by epoch within the budget."""

    def __init__(self, data, args, dropout, seed):
        from sknn_cn import MulticlassMLPClassifier

        self.X, self.X_eval, self.y, self.y_eval = data
        self.classes = np.unique(self.y)
        self.n_batches = -(-len(self.y) // args.batch)
        self.args = args
        self.clf = MulticlassMLPClassifier(
            hidden_layer_sizes=tuple(args.hidden), activation="relu", solver="sgd",
            momentum=0.9, nesterovs_momentum=True, learning_rate_init=args.lr,
            batch_size=args.batch, alpha=args.alpha, init="he_uniform",
            dtype="float32", n_init=1, n_threads=args.threads, random_state=seed,
            dropout=dropout, lr_schedule=self._schedule(args.max_epochs))
        self.dropout = dropout
        self.seed = seed
        self.elapsed = 0.0
        self.wall_s = []
        self.cpu_s = []
        self.epoch_s = []
        self.accuracy = []
        self.planned_epochs = None
        self.done = False

    def _schedule(self, epochs):
        from sknn_cn import PolynomialSchedule

        return PolynomialSchedule(max_steps=epochs * self.n_batches, power=1.0)

    def step(self):
        """One epoch on the clock, its accuracy off the clock; plan after the first."""
        gc.collect()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wall, cpu = time.perf_counter(), time.process_time()
            self.clf.partial_fit(self.X, self.y, classes=self.classes)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        self.wall_s.append(wall)
        self.cpu_s.append(cpu)
        seconds = cpu if self.args.clock == "cpu" else wall
        self.elapsed += seconds
        self.epoch_s.append(seconds)
        self.accuracy.append(float(self.clf.score(self.X_eval, self.y_eval)))
        if self.planned_epochs is None:
            fit = int(self.args.budget * self.args.plan_fraction / seconds)
            self.planned_epochs = max(1, min(self.args.max_epochs, fit))
            self.clf.set_params(lr_schedule=self._schedule(self.planned_epochs))
        n = len(self.epoch_s)
        pace = float(np.median(self.epoch_s))
        if n >= self.planned_epochs or self.elapsed + pace > self.args.budget:
            self.done = True

    def result(self):
        return {"dropout": self.dropout, "seed": self.seed, "epochs": len(self.epoch_s),
                "planned_epochs": self.planned_epochs,
                "finished_plan": len(self.epoch_s) >= self.planned_epochs,
                "training_s": self.elapsed, "accuracy": self.accuracy[-1],
                "accuracy_curve": self.accuracy, "epoch_s": self.epoch_s,
                "wall_s": self.wall_s, "cpu_s": self.cpu_s}


def run(args, data):
    """Every seed's fits; Ctrl-C (SIGINT) ends the run with the seeds completed so far."""
    results = []
    try:
        for seed in args.seeds:
            fits = [Fit(data, args, dropout, seed) for dropout in args.settings]
            while not all(f.done for f in fits):
                for f in fits:  # alternate epochs: A B A B ...
                    if not f.done:
                        f.step()
                        if args.progress:
                            print(f"[seed {seed} dropout {f.dropout} epoch "
                                  f"{len(f.epoch_s)}/{f.planned_epochs}] {f.elapsed:.0f}s "
                                  f"acc {f.accuracy[-1]:.4f}", file=sys.stderr, flush=True)
            results += [f.result() for f in fits]
    except KeyboardInterrupt:
        if not results:
            raise
        print("interrupted: reporting the seeds completed so far", file=sys.stderr)
        return results, True
    return results, False


def report(args, info, results, machine):
    rows = [[str(r["dropout"]), str(r["seed"]), f"{r['epochs']}/{r['planned_epochs']}",
             fmt(sum(r["cpu_s"]), ".0f"), fmt(sum(r["wall_s"]), ".0f"),
             fmt(r["accuracy"], ".4f")] for r in results]
    summary = {}
    for setting in args.settings:
        accs = [r["accuracy"] for r in results if r["dropout"] == setting]
        summary[str(setting)] = {"dropout": setting, "mean_accuracy": float(np.mean(accs)),
                                 "min_accuracy": float(np.min(accs)),
                                 "max_accuracy": float(np.max(accs)), "accuracies": accs}
        rows.append([str(setting), "mean", "", "", "", fmt(float(np.mean(accs)), ".4f")])
    best_key = max(summary, key=lambda k: summary[k]["mean_accuracy"])
    with_dropout = {k: v for k, v in summary.items() if v["dropout"] not in (0, 0.0)}
    best_dropout = (max(with_dropout, key=lambda k: with_dropout[k]["mean_accuracy"])
                    if with_dropout else None)
    target_met = (None if best_dropout is None
                  else bool(with_dropout[best_dropout]["mean_accuracy"] >= args.target))
    lines = [
        f"Dropout on {info['name']}, scored on the {info['evaluation']}",
        f"MulticlassMLPClassifier(hidden_layer_sizes={tuple(args.hidden)}, relu, sgd, "
        f"nesterov 0.9, lr {args.lr} -> 0 linearly over the planned epochs, batch "
        f"{args.batch}, alpha {args.alpha}, he_uniform, float32, n_threads={args.threads})",
        f"budget {args.budget:g} s of training per fit ({args.clock} clock); seeds "
        f"{args.seeds}",
        *([info["note"]] if info["note"] else []),
        format_table(["dropout", "seed", "epochs/plan", "cpu s", "wall s", "accuracy"],
                     rows),
        f"best mean: dropout={best_key} ({summary[best_key]['mean_accuracy']:.4f})",
        (f"target >= {args.target:.3f} with dropout (mean of seeds): "
         + ("n/a (no dropout setting)" if target_met is None else
            f"{'met' if target_met else 'NOT met'} "
            f"(dropout={best_dropout}: {with_dropout[best_dropout]['mean_accuracy']:.4f})")),
        *machine_notes(machine, loadavg_after=[round(x, 2) for x in os.getloadavg()]),
    ]
    payload = {"benchmark": "bench_dropout", "argv": sys.argv[1:], "data": info,
               "config": {k: getattr(args, k) for k in (
                   "budget", "hidden", "lr", "batch", "alpha", "threads", "seeds",
                   "settings", "target", "plan_fraction", "max_epochs", "clock")},
               "machine": machine, "fits": results, "summary": summary,
               "best_setting": best_key, "best_dropout_setting": best_dropout,
               "target_met": target_met}
    return "\n".join(line for line in lines if line), payload


def _int_list(text):
    return [int(v) for v in text.split(",")]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", choices=["auto", "mnist", "digits"], default="auto")
    p.add_argument("--quick", action="store_true",
                   help="first 5000/1000 MNIST images, 5 s budget (unless given)")
    p.add_argument("--holdout", type=int, default=0,
                   help="score on the last N training images instead of the test set")
    p.add_argument("--budget", type=float, default=None,
                   help="seconds of training per fit (default 180; --quick 5)")
    p.add_argument("--settings", default="0;0.2",
                   help="dropout settings separated by ';', each a rate or one rate per "
                        "hidden layer separated by ',' (default '0;0.2')")
    p.add_argument("--seeds", type=_int_list, default=[0, 1, 2])
    p.add_argument("--hidden", type=_int_list, default=[512, 256])
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--alpha", type=float, default=1e-4)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--clock", choices=["cpu", "wall"], default="cpu",
                   help="what the budget counts: this process's CPU seconds (default) "
                        "or wall-clock seconds")
    p.add_argument("--plan-fraction", type=float, default=0.85)
    p.add_argument("--max-epochs", type=int, default=200)
    p.add_argument("--target", type=float, default=0.987)
    p.add_argument("--progress", action="store_true", help="one line per epoch on stderr")
    args = p.parse_args(argv)
    if args.budget is None:
        args.budget = 5.0 if args.quick else 180.0
    try:
        args.settings = [parse_setting(s) for s in args.settings.split(";")]
    except ValueError:
        p.error(f"--settings must be rates separated by ';' (one setting) and ',' (one "
                f"rate per hidden layer), e.g. '0;0.2' or '0;0.3,0.2'; got {args.settings!r}")
    X, X_eval, y, y_eval, info = load_data(args.data, args.quick, args.holdout)
    machine = machine_info()
    results, interrupted = run(args, (X, X_eval, y, y_eval))
    text, payload = report(args, info, results, machine)
    payload["interrupted"] = interrupted
    payload["seeds_completed"] = sorted({r["seed"] for r in results})
    if interrupted:
        text += f"\nINTERRUPTED: only seeds {payload['seeds_completed']} completed"
    print(text)
    print(json_line(payload))


if __name__ == "__main__":
    main()
