"""What watching training costs: seconds per epoch with and without sklearn callbacks.

The seed's net (784-64-16-10, logistic / tanh / softmax, plain SGD, float32;
64-64-16-10 on sklearn's 8x8 digits when MNIST is not in the data home) is
trained by ``fit(max_iter=epochs)`` in a worker process per code version, the
fits interleaved (A B C A B C ...) so that a change of the machine's load
falls on every mode alike:

* ``before``  the package before callbacks (``--before REV``: ``git archive``
  of that revision), when given;
* ``none``    this checkout, no callback set (the hooks are no-ops);
* ``progress`` this checkout, ``ProgressBar()`` set (rich draws in a thread;
  on a non-terminal it prints the finished bar once, which is discarded here).

Seconds per epoch are a fit's seconds divided by its epochs (set-up
included, the same for every mode).  A second table is the cost of one task
(``subcontext`` + ``on_fit_task_begin`` + ``on_fit_task_end``) with
``ProgressBar``, against one mini-batch of the same net: what a task per
mini-batch would add.  A third is the worst case of a task per epoch: the
seed's XOR net, whose epochs are a single update of 4 samples.

Usage::

    python benchmarks/bench_callbacks.py --before main          # MNIST if in the data home
    python benchmarks/bench_callbacks.py --quick --data digits  # seconds (CI smoke)

The last line is the results as JSON.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import fmt, format_table, json_line, machine_info, machine_notes, median  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARK = "RESULT "


# ====================================================================== worker
def _net(data_features, args):
    from sknn_cn import MulticlassMLPClassifier

    return MulticlassMLPClassifier(
        hidden_layer_sizes=(64, 16), activation=("logistic", "tanh"), solver="sgd",
        momentum=0.0, batch_size=args.batch_size, learning_rate_init=0.1, alpha=0.0,
        dtype="float32", n_init=1, max_iter=args.epochs, tol=0.0,
        n_iter_no_change=float("inf"), random_state=0, n_threads=1)


def worker(args):
    """Loads the data once, then answers one line per request on stdin."""
    sys.path.insert(0, args.repo)
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning

    import sknn_cn
    from bench_mnist import load_data

    assert sknn_cn.__file__.startswith(os.path.realpath(args.repo)), sknn_cn.__file__
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, _, y, _, info = load_data(args.data, args.quick, need_test=False)
    print(MARK + json.dumps({"ready": True, "data": info["name"], "note": info["note"],
                             "n_train": int(len(y)), "n_features": int(X.shape[1])}),
          flush=True)
    for line in sys.stdin:
        mode = line.strip()
        if mode == "task_cost":
            print(MARK + json.dumps(task_cost(X, y, args)), flush=True)
            continue
        if mode.startswith("xor:"):
            print(MARK + json.dumps(xor_fit(mode)), flush=True)
            continue
        clf = _net(X.shape[1], args)
        if mode == "progress":
            from sklearn.callback import ProgressBar

            clf.set_callbacks(ProgressBar())
        start = time.perf_counter()
        clf.fit(X, y)
        seconds = time.perf_counter() - start
        assert clf.n_iter_ == args.epochs
        print(MARK + json.dumps({"mode": mode, "epoch_s": seconds / args.epochs,
                                 "final_loss": float(clf.loss_)}), flush=True)


def task_cost(X, y, args, n_tasks=2000):
    """Seconds of one leaf task with ProgressBar, and of one mini-batch (epoch / n_batches)."""
    from sklearn.callback import ProgressBar

    from sknn_cn.training.callbacks import watch_steps

    # the range test's tree: a root task with n_tasks leaves, torn down at the end
    net = _net(X.shape[1], args).set_callbacks(ProgressBar())
    with watch_steps(net, None, None, n_tasks) as watch:
        watch.net = _net(X.shape[1], args)  # unfitted: the hooks' cost, not a copy
        start = time.perf_counter()
        for _ in range(n_tasks):
            watch.begin_step()  # subcontext + on_fit_task_begin
            watch.end_step(None, None)  # on_fit_task_end
        per_task = (time.perf_counter() - start) / n_tasks
    clf = _net(X.shape[1], args).set_params(max_iter=1)
    start = time.perf_counter()
    clf.fit(X, y)
    n_batches = -(-len(y) // args.batch_size)
    per_batch = (time.perf_counter() - start) / n_batches
    return {"mode": "task_cost", "task_s": per_task, "batch_s": per_batch,
            "n_batches": n_batches}


def xor_fit(mode):
    """The seed's 2-2-1 XOR net, defaults: thousands of one-update epochs."""
    import numpy as np

    from sknn_cn import BinaryMLPClassifier

    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    clf = BinaryMLPClassifier((2,), activation="tanh", n_init=1, random_state=0)
    if mode == "xor:progress":
        from sklearn.callback import ProgressBar

        clf.set_callbacks(ProgressBar())
    start = time.perf_counter()
    clf.fit(X, [0, 1, 1, 0])
    return {"mode": mode, "fit_s": time.perf_counter() - start, "epochs": int(clf.n_iter_)}


# ====================================================================== parent
def _start(repo, args):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--repo", repo,
           "--data", args.data, "--epochs", str(args.epochs),
           "--batch-size", str(args.batch_size)] + (["--quick"] if args.quick else [])
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": repo}
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=env, cwd=repo)
    return proc, _reply(proc)


def _reply(proc):
    for line in proc.stdout:  # ProgressBar's finished bar (non-terminal) is skipped
        if MARK in line:
            return json.loads(line[line.index(MARK) + len(MARK):])
    raise RuntimeError(f"worker ended with status {proc.wait()}")


def _ask(proc, mode):
    proc.stdin.write(mode + "\n")
    proc.stdin.flush()
    return _reply(proc)


def _checkout(rev, folder):
    archive = subprocess.run(["git", "archive", rev, "sknn_cn"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    return folder


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="auto", choices=["auto", "mnist", "digits"])
    parser.add_argument("--quick", action="store_true", help="5000 MNIST images")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--before", metavar="REV",
                        help="git revision of the package before callbacks")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--repo", default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)

    info = machine_info()
    with tempfile.TemporaryDirectory() as tmp:
        workers = {}
        if args.before:
            workers["before"] = _start(_checkout(args.before, tmp), args)
        workers["none"] = _start(ROOT, args)
        workers["progress"] = (workers["none"][0], workers["none"][1])
        data = workers["none"][1]
        times = {mode: [] for mode in workers}
        losses = {mode: [] for mode in workers}
        for _ in range(args.repeats):  # interleaved: A B C A B C ...
            for mode, (proc, _) in workers.items():
                out = _ask(proc, "none" if mode == "before" else mode)
                times[mode].append(out["epoch_s"])
                losses[mode].append(out["final_loss"])
        cost = _ask(workers["none"][0], "task_cost")
        xor = {"xor:none": [], "xor:progress": []}
        xor_epochs = set()
        for _ in range(args.repeats):
            for mode in xor:
                out = _ask(workers["none"][0], mode)
                xor[mode].append(out["fit_s"])
                xor_epochs.add(out["epochs"])
        for proc, _ in {id(p): (p, r) for p, r in workers.values()}.values():
            proc.stdin.close()
            proc.wait()

    base = "before" if args.before else "none"
    rows = []
    for mode in times:
        m = median(times[mode])
        rows.append([mode, fmt(m, ".4f"), fmt(min(times[mode]), ".4f"),
                     fmt(m / median(times[base]), ".3f"), len(times[mode]),
                     fmt(losses[mode][0], ".6f")])
    print(f"Seed net on {data['data']} ({data['n_train']} x {data['n_features']}), "
          f"batch {args.batch_size}, {args.epochs} epochs per fit, {args.repeats} "
          "fits per mode, interleaved")
    if data["note"]:
        print(data["note"])
    print(format_table(["mode", "median s/epoch", "min s/epoch", f"/ {base}", "fits",
                        "final loss"], rows))
    same = len({loss for mode_losses in losses.values() for loss in mode_losses}) == 1
    print("watching changes no number: every fit ends at the same loss" if same else
          "WARNING: the modes end at different losses")
    ratio = cost["task_s"] / cost["batch_s"]
    print()
    print(format_table(["one task with ProgressBar (s)", "one mini-batch (s)",
                        "task / mini-batch", "mini-batches per epoch"],
                       [[fmt(cost["task_s"], ".2e"), fmt(cost["batch_s"], ".2e"),
                         fmt(ratio, ".3f"), cost["n_batches"]]]))
    xor_ratio = median(xor["xor:progress"]) / median(xor["xor:none"])
    print()
    print(f"The seed's 2-2-1 XOR net, defaults ({', '.join(map(str, sorted(xor_epochs)))} "
          "epochs of one update): seconds per fit")
    print(format_table(["no callback", "ProgressBar", "ProgressBar / none"],
                       [[fmt(median(xor["xor:none"]), ".2f"),
                         fmt(median(xor["xor:progress"]), ".2f"), fmt(xor_ratio, ".2f")]]))
    for note in machine_notes(info, loadavg_after=[round(x, 2) for x in os.getloadavg()]):
        print(note)
    print(json_line({
        "data": data, "epochs": args.epochs, "repeats": args.repeats,
        "batch_size": args.batch_size, "before": args.before,
        "epoch_s": times, "final_loss": losses, "same_final_loss": same,
        "median_epoch_s": {mode: median(t) for mode, t in times.items()},
        "ratio_to_" + base: {mode: median(t) / median(times[base])
                             for mode, t in times.items()},
        "task_cost": {**cost, "task_per_batch": ratio},
        "xor": {"fit_s": xor, "epochs": sorted(xor_epochs), "progress_over_none": xor_ratio},
        "machine": info,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
