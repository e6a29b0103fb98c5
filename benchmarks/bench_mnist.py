"""MNIST at speed: the seed's 784-64-16-10 net against what users would pick instead.

Seed section 1.4.2 trains a 784-64-16-10 network (logistic, then tanh, then
softmax) on MNIST by plain mini-batch SGD.  This script trains that net, side
by side and in float32, as

* ``sknn_cn``: ``MulticlassMLPClassifier(hidden_layer_sizes=(64, 16),
  activation=('logistic', 'tanh'), solver='sgd', momentum=0.0, alpha=0,
  batch_size=64, dtype='float32', n_init=1, shuffle=True)``, one
  ``partial_fit`` call per epoch (the whole training set, mini-batches of 64);
* ``sknn_cn_fit``: the same estimator trained by one ``fit(max_iter=epochs)``
  after the interleaved epochs, which shows the per-call cost of
  ``partial_fit`` (input validation: sklearn's finite check of X alone is
  about 35 ms on MNIST); only its mean epoch and final accuracy are known;
* ``sklearn``: ``sklearn.neural_network.MLPClassifier`` with the same sizes,
  ``solver='sgd'``, ``momentum=0``, ``learning_rate='constant'``, ``alpha=0``,
  one ``partial_fit`` per epoch.  It has one activation for all hidden layers:
  logistic for both by default (``--sk-activation``; the seed's first layer;
  with tanh for both it stalls near 96.8% at lr 0.5);
* ``torch``: PyTorch CPU eager (when importable), the same net, plain
  ``torch.optim.SGD``, Glorot-uniform weights and zero biases like ours,
  batches gathered by indexing a shuffled permutation (no DataLoader);
* ``numpy``: a plain-NumPy loop of about 30 lines, written below, float32,
  the obvious implementation (it allocates as it goes);
* ``floor``: only the eight matrix products one epoch needs at these shapes
  (3 forward, 5 backward: ``dW3, dA2, dW2, dA1, dW1``), into preallocated
  outputs.  With the default ``--threads`` it is timed with one BLAS thread
  and with the BLAS default, and the faster is the floor.

The epochs are interleaved (A B C D E, A B C D E, ...; the order rotates
from one round to the next) and every repetition starts from new weights
(seed + repetition).  Each epoch is timed alone: the test accuracy is
computed after it, off the clock.  Reported: the median seconds per epoch,
the training time (sum of epoch times) until the test accuracy first
reaches 97%, the test accuracy after the last epoch, the peak resident memory
while training (each implementation in a subprocess of its own, peak reset
after the data are loaded), and the ratios of the per-epoch medians between
every pair and against the floor.  The last line of the output is JSON.

``--best`` instead trains the package's best MLP setting within a time budget
(default 180 s of training on the machine's cores, the issue's third target):
784-512-256-10 ReLU, SGD with Nesterov momentum 0.9, batch 128, a linear
decay of the learning rate from 0.1 to zero over ``--best-epochs`` (30)
epochs (``PolynomialSchedule(power=1)``), alpha=1e-4, He-uniform weights
(98.5% after 30 epochs, 73 s with one BLAS thread on a busy 2-core
machine); next to it
``MLPClassifier`` with the same architecture and batch size and its default
solver (Adam, lr 0.001; ``--best-sklearn sgd`` gives it our SGD settings with
a constant rate, its closest schedule), trained epoch by epoch in the same
budget.  Epochs of the two alternate; accuracy is measured after each epoch,
off the clock.

The machine's load average, the BLAS library, its kernel and threads
(threadpoolctl) and the environment variables that change them
(OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE, *_NUM_THREADS) are printed with the
results.  This script never sets them.  On a shared machine, prefer
``--threads 1``: when other processes hold the cores, a two-thread OpenBLAS
product of these sizes can take 10-50 times longer than a one-thread one
(its threads wait for each other), which swamps every other difference.

Usage::

    python benchmarks/bench_mnist.py --threads 1           # 3 repeats x 20 epochs, ~5 min
    python benchmarks/bench_mnist.py --epochs 40 --repeats 5 --lr 0.5
    python benchmarks/bench_mnist.py --best --threads 1    # best setting, 180 s budget each
    python benchmarks/bench_mnist.py --quick               # a few thousand images, seconds
    python benchmarks/bench_mnist.py --quick --data digits # no MNIST needed (CI smoke)

MNIST must be in the data home (``python -m sknn_cn.datasets fetch mnist``);
``--data auto`` (the default) falls back to sklearn's bundled 8x8 digits and
says so.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402  (the folder of this script is not a package)
    fmt,
    format_table,
    json_line,
    machine_info,
    machine_notes,
    median,
    peak_rss_mb,
    reset_peak_rss,
    rss_mb,
    timed,
)

IMPLEMENTATIONS = ("sknn_cn", "sklearn", "torch", "numpy", "floor", "sknn_cn_fit")
LABELS = {
    "sknn_cn": "sknn_cn MulticlassMLPClassifier",
    "sknn_cn_fit": "sknn_cn, one fit(max_iter=epochs)",
    "sklearn": "sklearn MLPClassifier",
    "torch": "PyTorch CPU (eager)",
    "numpy": "plain NumPy loop",
    "floor": "matmul floor",
    "floor_1": "matmul floor, 1 BLAS thread",
    "floor_default": "matmul floor, BLAS default threads",
}
SEED_HIDDEN = (64, 16)
SEED_ACTIVATIONS = ("logistic", "tanh")
QUICK_TRAIN, QUICK_TEST = 5000, 1000


# ====================================================================== data
def load_data(kind, quick, need_test=True):
    """Return ``(X_train, X_test, y_train, y_test, description)``.

    ``kind`` is 'mnist', 'digits' or 'auto' (MNIST when it is in the data
    home, else digits), as :func:`sknn_cn.datasets.load_handwritten_digits`.
    X is float32 in [0, 1]; ``X_test`` / ``y_test`` are None when
    ``need_test`` is False (memory children load less).
    """
    from sknn_cn.datasets import FETCH_COMMAND, load_handwritten_digits

    note = None
    if kind != "digits":  # MNIST keeps its official split; no test files read if not needed
        data = load_handwritten_digits(dataset=kind, n_test=None if need_test else 0)
        if data.name == "digits":
            note = ("MNIST is not in the data home; fell back to sklearn's 8x8 digits. "
                    f"Fetch it with: {FETCH_COMMAND}")
    if kind == "digits" or note is not None:  # the digits: a stratified 500-image test part
        data = load_handwritten_digits(dataset="digits", n_test=500)
    X_train, X_test, y_train, y_test = data.X_train, data.X_test, data.y_train, data.y_test
    if data.name == "mnist":
        name = "MNIST"
        if quick:  # copies, so that the full arrays can be freed
            X_train, y_train = X_train[:QUICK_TRAIN].copy(), y_train[:QUICK_TRAIN].copy()
            X_test, y_test = X_test[:QUICK_TEST].copy(), y_test[:QUICK_TEST].copy()
            name += f" (quick: first {QUICK_TRAIN} / {QUICK_TEST} images)"
    else:
        name = f"sklearn digits 8x8 ({len(y_train)} train / {len(y_test)} test)"
    del data
    if not need_test:
        X_test = y_test = None
    return np.ascontiguousarray(X_train), X_test, y_train, y_test, {"name": name, "note": note}


def _blas_limit(threads):
    """threadpoolctl limit on numpy's BLAS, or nothing when threads is None."""
    if threads is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads, user_api="blas")


# ====================================================================== the five
class SknnCn:
    """Our estimator, one ``partial_fit`` (one epoch) per call."""

    def __init__(self, data, cfg, seed):
        from sknn_cn import MulticlassMLPClassifier

        self.X, self.y, self.X_test, self.y_test = data
        self.classes = np.unique(self.y)
        self.clf = MulticlassMLPClassifier(
            hidden_layer_sizes=SEED_HIDDEN, activation=SEED_ACTIVATIONS,
            solver="sgd", momentum=0.0, batch_size=cfg.batch_size,
            learning_rate_init=cfg.lr, alpha=cfg.alpha, dtype="float32",
            max_iter=1, n_init=1, shuffle=True, random_state=seed,
            n_threads=cfg.threads,
        )
        # n_threads=None: the package picks (sknn_cn.training.threads.blas_threads_for)
        self.threads = "package's choice" if cfg.threads is None else cfg.threads

    def context(self):
        return contextlib.nullcontext()  # n_threads is the estimator's own

    def epoch(self):
        self.clf.partial_fit(self.X, self.y, classes=self.classes)

    def accuracy(self):
        return float(self.clf.score(self.X_test, self.y_test))


class SknnCnFit(SknnCn):
    """Our estimator trained by one ``fit(max_iter=epochs)``: no per-call overhead.

    ``partial_fit`` validates X on every call (sklearn's ``check_array``,
    whose finite check alone is tens of milliseconds on MNIST); one ``fit``
    over all epochs pays it once.  Not interleaved epoch by epoch (there is
    nothing to stop at), so only its seconds per epoch and final accuracy
    are reported.
    """

    def __init__(self, data, cfg, seed, epochs):
        super().__init__(data, cfg, seed)
        self.clf.set_params(max_iter=epochs, tol=0.0, n_iter_no_change=np.inf)

    def epoch(self):  # all the epochs at once
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: max_iter reached
            self.clf.fit(self.X, self.y)


class Sklearn:
    """scikit-learn's MLPClassifier, one ``partial_fit`` (one epoch) per call."""

    def __init__(self, data, cfg, seed):
        from sklearn.neural_network import MLPClassifier

        self.X, self.y, self.X_test, self.y_test = data
        self.classes = np.unique(self.y)
        self.clf = MLPClassifier(
            hidden_layer_sizes=SEED_HIDDEN, activation=cfg.sk_activation,
            solver="sgd", momentum=0.0, nesterovs_momentum=False,
            learning_rate="constant", learning_rate_init=cfg.lr,
            batch_size=cfg.batch_size, alpha=cfg.alpha, shuffle=True,
            random_state=seed, max_iter=1,
        )
        self.threads = cfg.threads if cfg.threads is not None else "BLAS default"
        self.cfg = cfg

    def context(self):
        return _blas_limit(self.cfg.threads)

    def epoch(self):
        self.clf.partial_fit(self.X, self.y, classes=self.classes)

    def accuracy(self):
        return float(self.clf.score(self.X_test, self.y_test))


class Torch:
    """PyTorch CPU eager: nn.Sequential, CrossEntropyLoss, optim.SGD."""

    def __init__(self, data, cfg, seed):
        import torch
        from torch import nn

        self.torch = torch
        X, y, X_test, y_test = data
        self.threads = cfg.torch_threads
        torch.set_num_threads(self.threads)
        self.generator = torch.Generator().manual_seed(seed)
        n_out = int(np.unique(y).size)
        self.model = nn.Sequential(
            nn.Linear(X.shape[1], SEED_HIDDEN[0]), nn.Sigmoid(),
            nn.Linear(SEED_HIDDEN[0], SEED_HIDDEN[1]), nn.Tanh(),
            nn.Linear(SEED_HIDDEN[1], n_out),
        )
        for layer in self.model:
            if isinstance(layer, nn.Linear):  # Glorot uniform, zero bias: as ours
                nn.init.xavier_uniform_(layer.weight, generator=self.generator)
                nn.init.zeros_(layer.bias)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=cfg.lr,
                                         momentum=0.0, weight_decay=cfg.alpha)
        self.loss = nn.CrossEntropyLoss()
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
        if X_test is not None:
            self.X_test = torch.from_numpy(X_test)
            self.y_test = torch.from_numpy(y_test.astype(np.int64))
        self.batch_size = cfg.batch_size

    def context(self):
        self.torch.set_num_threads(self.threads)  # global; set before each epoch
        return contextlib.nullcontext()

    def epoch(self):
        torch, model, optimizer = self.torch, self.model, self.optimizer
        n = self.X.shape[0]
        order = torch.randperm(n, generator=self.generator)
        total = 0.0
        for start in range(0, n, self.batch_size):
            batch = order[start:start + self.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = self.loss(model(self.X[batch]), self.y[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * batch.shape[0]
        return total / n

    def accuracy(self):
        with self.torch.no_grad():
            predicted = self.model(self.X_test).argmax(dim=1)
        return int((predicted == self.y_test).sum()) / self.y_test.shape[0]


def numpy_epoch(params, X, y, lr, batch_size, rng):
    """One epoch of plain SGD on the seed net, the obvious NumPy way (float32).

    ``params`` is ``[W1, b1, W2, b2, W3, b3]``, updated in place; ``y`` holds
    class indices.  Returns the mean cross-entropy over the epoch.
    """
    W1, b1, W2, b2, W3, b3 = params
    order = rng.permutation(X.shape[0])
    total = 0.0
    for start in range(0, X.shape[0], batch_size):
        batch = order[start:start + batch_size]
        x, t = X[batch], y[batch]
        m, rows = len(batch), np.arange(len(batch))
        a1 = 1.0 / (1.0 + np.exp(-(x @ W1 + b1)))       # logistic
        a2 = np.tanh(a1 @ W2 + b2)                      # tanh
        z3 = a2 @ W3 + b3
        e = np.exp(z3 - z3.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)            # softmax
        total -= np.log(p[rows, t]).sum()
        d3 = p                                          # softmax + CE: dZ = P - Y
        d3[rows, t] -= 1.0
        d3 /= m
        d2 = (d3 @ W3.T) * (1.0 - a2 * a2)
        d1 = (d2 @ W2.T) * a1 * (1.0 - a1)
        W3 -= lr * (a2.T @ d3)
        b3 -= lr * d3.sum(axis=0)
        W2 -= lr * (a1.T @ d2)
        b2 -= lr * d2.sum(axis=0)
        W1 -= lr * (x.T @ d1)
        b1 -= lr * d1.sum(axis=0)
    return total / X.shape[0]


def _glorot_params(sizes, rng):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        params.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        params.append(np.zeros(fan_out, dtype=np.float32))
    return params


class NumpyLoop:
    """:func:`numpy_epoch`, Glorot-uniform weights and zero biases."""

    def __init__(self, data, cfg, seed):
        self.X, self.y, self.X_test, self.y_test = data
        self.rng = np.random.default_rng(seed)
        sizes = [self.X.shape[1], *SEED_HIDDEN, int(np.unique(self.y).size)]
        self.params = _glorot_params(sizes, self.rng)
        self.lr, self.batch_size, self.cfg = cfg.lr, cfg.batch_size, cfg
        self.threads = cfg.threads if cfg.threads is not None else "BLAS default"

    def context(self):
        return _blas_limit(self.cfg.threads)

    def epoch(self):
        return numpy_epoch(self.params, self.X, self.y, self.lr, self.batch_size,
                           self.rng)

    def accuracy(self):
        W1, b1, W2, b2, W3, b3 = self.params
        a1 = 1.0 / (1.0 + np.exp(-(self.X_test @ W1 + b1)))
        z3 = np.tanh(a1 @ W2 + b2) @ W3 + b3
        return float((z3.argmax(axis=1) == self.y_test).mean())


class Floor:
    """The eight products of one epoch at the seed net's shapes, nothing else.

    Forward ``Z1 = X W1, Z2 = A1 W2, Z3 = A2 W3``; backward ``dW3 = A2^T dZ3,
    dA2 = dZ3 W3^T, dW2 = A1^T dZ2, dA1 = dZ2 W2^T, dW1 = X^T dZ1``, on
    contiguous row slices of the training data and into preallocated
    outputs, for every mini-batch of the epoch (the last one shorter).
    """

    def __init__(self, data, cfg, seed, threads=None):
        self.X = data[0]
        rng = np.random.default_rng(seed)
        n_out = int(np.unique(data[1]).size)
        sizes = [self.X.shape[1], *SEED_HIDDEN, n_out]
        self.W = _glorot_params(sizes, rng)[::2]
        bs = cfg.batch_size
        self.batch_size = bs
        self.A = [np.empty((bs, s), np.float32) for s in sizes[1:]]   # Z1/A1, A2, Z3
        self.dA = [np.empty((bs, s), np.float32) for s in sizes[1:3]]  # dA1, dA2
        self.dW = [np.empty_like(W) for W in self.W]
        for a in self.A + self.dA:
            a[...] = rng.uniform(-1, 1, a.shape)
        self.threads = threads
        self.label_threads = threads if threads is not None else "BLAS default"

    def context(self):
        return _blas_limit(self.threads)

    def epoch(self):
        mm, (W1, W2, W3), (dW1, dW2, dW3) = np.matmul, self.W, self.dW
        X, n, bs = self.X, self.X.shape[0], self.batch_size
        for start in range(0, n, bs):
            x = X[start:start + bs]
            m = x.shape[0]
            A1, A2, A3 = (a[:m] for a in self.A)
            dA1, dA2 = (a[:m] for a in self.dA)
            mm(x, W1, out=A1)           # Z1 = X W1
            mm(A1, W2, out=A2)          # Z2 = A1 W2
            mm(A2, W3, out=A3)          # Z3 = A2 W3
            mm(A2.T, A3, out=dW3)       # dW3 = A2^T dZ3
            mm(A3, W3.T, out=dA2)       # dA2 = dZ3 W3^T
            mm(A1.T, dA2, out=dW2)      # dW2 = A1^T dZ2
            mm(dA2, W2.T, out=dA1)      # dA1 = dZ2 W2^T
            mm(x.T, dA1, out=dW1)       # dW1 = X^T dZ1

    def accuracy(self):
        return None


def make_implementation(key, data, cfg, seed):
    if key == "sknn_cn":
        return SknnCn(data, cfg, seed)
    if key == "sklearn":
        return Sklearn(data, cfg, seed)
    if key == "torch":
        return Torch(data, cfg, seed)
    if key == "numpy":
        return NumpyLoop(data, cfg, seed)
    if key == "floor":
        return Floor(data, cfg, seed, threads=cfg.threads)
    if key == "floor_1":
        return Floor(data, cfg, seed, threads=1)
    if key == "floor_default":
        return Floor(data, cfg, seed, threads=None)
    if key == "sknn_cn_fit":
        return SknnCnFit(data, cfg, seed, cfg.epochs)
    raise ValueError(f"unknown implementation {key!r}; allowed: {IMPLEMENTATIONS}")


def _torch_available():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# ====================================================================== memory
def memory_child(args, cfg):
    """Run in a subprocess: load the training data, train, report the peak RSS."""
    X, _, y, _, _ = load_data(args.data, args.quick, need_test=False)
    impl = make_implementation(args.memory_child, (X, y, None, None), cfg, args.seed)
    before = rss_mb()
    resettable = reset_peak_rss()
    with impl.context():
        for _ in range(args.memory_epochs):
            impl.epoch()
    print(json_line({
        "rss_before_mb": before,
        "peak_mb": peak_rss_mb(),
        "peak_reset_after_loading": resettable,
        "X_train_mb": X.nbytes / 1e6,
    }))


def measure_memory(key, args):
    """Peak RSS of one implementation, in a fresh interpreter."""
    command = [sys.executable, os.path.abspath(__file__), "--memory-child", key,
               "--data", args.data, "--lr", str(args.lr), "--batch-size",
               str(args.batch_size), "--alpha", str(args.alpha), "--sk-activation",
               args.sk_activation, "--seed", str(args.seed), "--memory-epochs",
               str(args.memory_epochs)]
    if args.threads is not None:
        command += ["--threads", str(args.threads)]
    if args.torch_threads is not None:
        command += ["--torch-threads", str(args.torch_threads)]
    if args.quick:
        command.append("--quick")
    run = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if run.returncode != 0:
        return {"error": run.stderr.strip().splitlines()[-1:] or ["failed"]}
    result = json.loads(run.stdout.strip().splitlines()[-1])
    result["increment_mb"] = result["peak_mb"] - result["rss_before_mb"]
    return result


# ====================================================================== seed net
def run_seed_net(args, cfg, data, keys):
    """Interleaved epochs of every implementation; returns per-key records."""
    records = {k: {"epoch_s": [], "accuracy": [], "threads": None} for k in keys}
    block = [k for k in keys if k == "sknn_cn_fit"]  # run after the interleaved epochs
    keys = [k for k in keys if k not in block]
    for rep in range(args.repeats):
        seed = args.seed + rep
        impls = {k: make_implementation(k, data, cfg, seed) for k in keys + block}
        for k, impl in impls.items():
            records[k]["threads"] = getattr(impl, "label_threads", None) or impl.threads
            records[k]["epoch_s"].append([])
            records[k]["accuracy"].append([])
        for epoch in range(args.epochs):
            shift = (epoch + rep) % len(keys)
            for k in keys[shift:] + keys[:shift]:
                impl = impls[k]
                with impl.context():
                    seconds, _ = timed(impl.epoch)
                    accuracy = impl.accuracy()  # off the clock
                records[k]["epoch_s"][-1].append(seconds)
                records[k]["accuracy"][-1].append(accuracy)
            if args.progress:
                line = "  ".join(
                    f"{k} {records[k]['epoch_s'][-1][-1]:.3f}s"
                    + ("" if records[k]["accuracy"][-1][-1] is None
                       else f" {records[k]['accuracy'][-1][-1]:.4f}")
                    for k in keys)
                print(f"[rep {rep + 1}/{args.repeats} epoch {epoch + 1}/{args.epochs}] "
                      f"{line}", file=sys.stderr, flush=True)
        for k in block:  # one fit over all epochs: its mean epoch, its final accuracy
            impl = impls[k]
            with impl.context():
                seconds, _ = timed(impl.epoch)
                accuracy = impl.accuracy()
            records[k]["epoch_s"][-1].append(seconds / args.epochs)
            records[k]["accuracy"][-1].append(accuracy)
            if args.progress:
                print(f"[rep {rep + 1}/{args.repeats}] {k} "
                      f"{seconds / args.epochs:.3f}s/epoch {accuracy:.4f}",
                      file=sys.stderr, flush=True)
        del impls
    return records


def summarise(records, target):
    """Medians and time-to-target for each implementation."""
    out = {}
    for k, r in records.items():
        all_epochs = [s for rep in r["epoch_s"] for s in rep]
        reached_s, reached_epoch = [], []
        for times, accs in zip(r["epoch_s"], r["accuracy"]):
            if k == "sknn_cn_fit":  # only the accuracy after the last epoch is known
                reached_s.append(None)
                reached_epoch.append(None)
                continue
            hit = next((i for i, a in enumerate(accs) if a is not None and a >= target),
                       None)
            reached_epoch.append(None if hit is None else hit + 1)
            reached_s.append(None if hit is None else float(np.sum(times[:hit + 1])))
        finals = [accs[-1] for accs in r["accuracy"] if accs and accs[-1] is not None]
        out[k] = {
            "label": LABELS[k],
            "threads": r["threads"],
            "epoch_median_s": median(all_epochs),
            "epoch_min_s": min(all_epochs) if all_epochs else None,
            "epoch_max_s": max(all_epochs) if all_epochs else None,
            "time_to_target_s": reached_s,
            "time_to_target_median_s": (median(reached_s)
                                        if all(s is not None for s in reached_s)
                                        else None),
            "time_to_target_median_reached_s": median(reached_s),
            "epoch_to_target": reached_epoch,
            "final_accuracy": finals,
            "final_accuracy_median": median(finals),
            "epoch_s": r["epoch_s"],
            "accuracy": r["accuracy"],
        }
    return out


def _command_note():
    return "command: python benchmarks/bench_mnist.py " + " ".join(sys.argv[1:])


def _t97_cell(s):
    """'1.75 (ep 6)'; over the repeats that reached it, with a count, if not all."""
    reached = [e for e in s["epoch_to_target"] if e is not None]
    if not reached:
        return f"- (0/{len(s['epoch_to_target'])})"
    cell = f"{fmt(s['time_to_target_median_reached_s'], '.2f')} (ep {median(reached):g}"
    if len(reached) < len(s["epoch_to_target"]):
        cell += f"; {len(reached)}/{len(s['epoch_to_target'])} reached"
    return cell + ")"


def seed_net_report(args, cfg, data_info, summary, memory, machine, load_after):
    keys = list(summary)
    sizes = [data_info["n_features"], *SEED_HIDDEN, data_info["n_classes"]]
    floor_keys = [k for k in keys if k.startswith("floor")]
    floor = min((summary[k]["epoch_median_s"] for k in floor_keys), default=None)
    trained = [k for k in keys if not k.startswith("floor")]
    target_pct = f"{100 * args.target_accuracy:g}%"

    rows = []
    for k in keys:
        s = summary[k]
        mem = memory.get(k, {})
        rows.append([
            s["label"] + ("" if k != "sklearn" else f" ({cfg.sk_activation} both)"),
            s["threads"],
            fmt(s["epoch_median_s"]),
            f"{fmt(s['epoch_min_s'])}-{fmt(s['epoch_max_s'])}",
            fmt(None if floor is None else s["epoch_median_s"] / floor, ".2f"),
            "-" if k.startswith("floor") or k == "sknn_cn_fit" else _t97_cell(s),
            fmt(s["final_accuracy_median"], ".4f"),
            fmt(mem.get("peak_mb"), ".0f"),
            fmt(mem.get("increment_mb"), ".0f"),
        ])
    lines = [
        f"Seed net {'-'.join(map(str, sizes))}"
        f" (logistic, tanh, softmax), plain SGD, lr {cfg.lr}, batch {cfg.batch_size}, "
        f"alpha {cfg.alpha}, float32; {data_info['name']}",
        f"{args.repeats} repeats x {args.epochs} epochs, interleaved; medians over all "
        "epochs; accuracy on the test set after each epoch, off the clock",
        "",
        format_table(
            ["implementation", "threads", "s/epoch", "min-max", "x floor",
             f"s to {target_pct} (epoch)", f"acc@{args.epochs}", "peak MB", "+train MB"],
            rows, align="llrrrrrrr"),
    ]
    # ratio matrix of per-epoch medians: row / column
    ratio_rows, ratios = [], {}
    for a in trained:
        row = [LABELS[a]]
        for b in trained + (["floor"] if floor is not None else []):
            value_b = floor if b == "floor" else summary[b]["epoch_median_s"]
            r = summary[a]["epoch_median_s"] / value_b if value_b else None
            if a != b:
                ratios[f"{a}/{b}"] = r
            row.append(fmt(r, ".2f"))
        ratio_rows.append(row)
    lines += ["", "Per-epoch time ratios (row / column):",
              format_table(["", *trained, *(["floor"] if floor is not None else [])],
                           ratio_rows)]
    t97_ratios = {}
    if "sknn_cn" in summary:
        ours = summary["sknn_cn"]["time_to_target_median_s"]
        for b in trained:
            theirs = summary[b]["time_to_target_median_s"]
            if b not in ("sknn_cn", "sknn_cn_fit"):
                t97_ratios[f"sknn_cn/{b}"] = (ours / theirs if ours is not None and theirs
                                               else None)
        lines.append("Time to " + target_pct + ", sknn_cn / peer: " + ", ".join(
            f"{k.split('/')[1]} {fmt(v, '.2f')}" for k, v in t97_ratios.items()))

    targets = issue_targets(summary, floor, memory, data_info)
    full_mnist = data_info["name"] == "MNIST"
    if targets and not full_mnist:
        lines += ["", "(issue 13's targets are checked on the full MNIST only)"]
    elif targets:
        lines += ["", "Issue 13 targets (sknn_cn):", format_table(
            ["target", "measured", "limit", "met"],
            [[t["name"], fmt(t["measured"], ".3f"), fmt(t["limit"], ".3f"),
              {True: "yes", False: "NO", None: "-"}[t["met"]]] for t in targets],
            align="lrrl")]
    notes = [_command_note()] + machine_notes(machine, load_after)
    if data_info.get("note"):
        notes.append(data_info["note"])
    if memory:
        notes.append("peak MB: VmHWM of a subprocess that loads the training set only, "
                     "resets the peak and trains "
                     f"{args.memory_epochs} epoch(s); +train MB: peak minus RSS before "
                     "training")
    lines += ["", *("note: " + n for n in notes)]
    payload = {
        "benchmark": "bench_mnist", "mode": "seed_net", "argv": sys.argv[1:],
        "data": data_info,
        "config": {"hidden_layer_sizes": list(SEED_HIDDEN),
                   "activations": list(SEED_ACTIVATIONS),
                   "sklearn_activation": cfg.sk_activation, "lr": cfg.lr,
                   "batch_size": cfg.batch_size, "alpha": cfg.alpha,
                   "epochs": args.epochs, "repeats": args.repeats,
                   "threads": cfg.threads, "torch_threads": cfg.torch_threads,
                   "target_accuracy": args.target_accuracy, "seed": args.seed,
                   "quick": args.quick},
        "floor_epoch_s": floor,
        "implementations": {k: {**summary[k], "memory": memory.get(k)} for k in keys},
        "epoch_ratios": ratios, "time_to_target_ratios": t97_ratios,
        "targets": targets, "targets_apply": full_mnist,
        "machine": machine, "loadavg_after": load_after,
    }
    return "\n".join(lines), payload


def issue_targets(summary, floor, memory, data_info):
    """The measurable targets of issue 13 (speed) for sknn_cn (None where not measured).

    An epoch inside one ``fit`` at most 1.3x the matmul floor and 0.35x
    PyTorch eager's epoch; an epoch by ``partial_fit`` within 5 % of one inside
    ``fit``; the seed recipe's time to the target accuracy at most 0.35x
    PyTorch's on the same recipe.  ``memory`` and ``data_info`` are unused
    (issue 3's peak-RSS target is printed in the table above).
    """
    if "sknn_cn" not in summary:
        return []
    ours = summary["sknn_cn"]
    fit_epoch = summary.get("sknn_cn_fit", {}).get("epoch_median_s")

    def target(name, measured, limit):
        met = None if measured is None or limit is None else bool(measured <= limit)
        return {"name": name, "measured": measured, "limit": limit, "met": met}

    def over(epoch, peer):
        if epoch is None or peer not in summary or not summary[peer]["epoch_median_s"]:
            return None
        return epoch / summary[peer]["epoch_median_s"]

    t97_torch = None
    if "torch" in summary:
        ours_t = ours["time_to_target_median_s"]
        torch_t = summary["torch"]["time_to_target_median_s"]
        t97_torch = ours_t / torch_t if ours_t is not None and torch_t else None
    return [
        target("epoch of one fit / floor",
               None if floor is None or fit_epoch is None else fit_epoch / floor, 1.3),
        target("epoch of one fit / torch", over(fit_epoch, "torch"), 0.35),
        target("partial_fit epoch / fit epoch", over(ours["epoch_median_s"], "sknn_cn_fit"),
               1.05),
        target("time to target / torch", t97_torch, 0.35),
    ]


# ====================================================================== best setting
class BestOurs:
    """The package's best setting, one ``partial_fit`` per epoch."""

    def __init__(self, data, args, seed):
        from sknn_cn import MulticlassMLPClassifier
        from sknn_cn import PolynomialSchedule

        self.X, self.y, self.X_test, self.y_test = data
        self.classes = np.unique(self.y)
        n_batches = -(-self.X.shape[0] // args.best_batch)
        self.clf = MulticlassMLPClassifier(
            hidden_layer_sizes=args.best_hidden, activation=args.best_activation,
            solver="sgd", momentum=0.9, nesterovs_momentum=True,
            learning_rate_init=args.best_lr, batch_size=args.best_batch,
            lr_schedule=PolynomialSchedule(max_steps=args.best_epochs * n_batches,
                                           power=1.0),
            alpha=args.best_alpha, init="he_uniform", dtype="float32", n_init=1,
            shuffle=True, random_state=seed, n_threads=args.threads,
        )
        self.max_epochs = min(args.best_epochs, args.best_max_epochs or args.best_epochs)
        self.description = (
            f"MulticlassMLPClassifier(hidden_layer_sizes={tuple(args.best_hidden)}, "
            f"activation={args.best_activation!r}, solver='sgd', momentum=0.9, "
            f"nesterovs_momentum=True, learning_rate_init={args.best_lr}, "
            f"batch_size={args.best_batch}, lr_schedule=PolynomialSchedule("
            f"max_steps={args.best_epochs}*{n_batches}, power=1.0), "
            f"alpha={args.best_alpha}, init='he_uniform', dtype='float32')")

    def epoch(self):
        self.clf.partial_fit(self.X, self.y, classes=self.classes)

    def accuracy(self):
        return float(self.clf.score(self.X_test, self.y_test))


class BestSklearn:
    """MLPClassifier, same architecture and batch size, one ``partial_fit`` per epoch."""

    def __init__(self, data, args, seed):
        from sklearn.neural_network import MLPClassifier

        self.X, self.y, self.X_test, self.y_test = data
        self.classes = np.unique(self.y)
        common = dict(hidden_layer_sizes=tuple(args.best_hidden),
                      activation=args.best_activation, batch_size=args.best_batch,
                      alpha=args.best_alpha, shuffle=True, random_state=seed)
        if args.best_sklearn == "adam":
            params = dict(solver="adam", learning_rate_init=1e-3)
        else:
            params = dict(solver="sgd", momentum=0.9, nesterovs_momentum=True,
                          learning_rate="constant", learning_rate_init=args.best_lr)
        self.clf = MLPClassifier(**common, **params)
        self.max_epochs = args.best_max_epochs
        self.description = "MLPClassifier(" + ", ".join(
            f"{k}={v!r}" for k, v in {**common, **params}.items()
            if k not in ("shuffle", "random_state")) + ")"

    def epoch(self):
        self.clf.partial_fit(self.X, self.y, classes=self.classes)

    def accuracy(self):
        return float(self.clf.score(self.X_test, self.y_test))


def run_best(args, data):
    """Alternate epochs of the two within the time budget; accuracy off the clock."""
    models = {"sknn_cn": BestOurs(data, args, args.seed),
              "sklearn": BestSklearn(data, args, args.seed)}
    state = {k: {"elapsed": 0.0, "epoch_s": [], "accuracy": [], "done": False}
             for k in models}
    with _blas_limit(args.threads):
        while not all(s["done"] for s in state.values()):
            for k, model in models.items():
                s = state[k]
                if s["done"]:
                    continue
                seconds, _ = timed(model.epoch)
                s["elapsed"] += seconds
                s["epoch_s"].append(seconds)
                s["accuracy"].append(model.accuracy())
                if args.progress:
                    print(f"[best {k} epoch {len(s['epoch_s'])}] {seconds:.2f}s "
                          f"total {s['elapsed']:.1f}s acc {s['accuracy'][-1]:.4f}",
                          file=sys.stderr, flush=True)
                next_epoch = median(s["epoch_s"])
                if (s["elapsed"] + next_epoch > args.budget
                        or (model.max_epochs and len(s["epoch_s"]) >= model.max_epochs)):
                    s["done"] = True
    out = {}
    for k, model in models.items():
        s = state[k]
        cumulative = np.cumsum(s["epoch_s"])
        within = [i for i, c in enumerate(cumulative) if c <= args.budget]
        last = within[-1] if within else None
        out[k] = {
            "estimator": model.description,
            "epochs": len(s["epoch_s"]),
            "training_s": float(cumulative[-1]) if len(cumulative) else 0.0,
            "epoch_median_s": median(s["epoch_s"]),
            "accuracy_at_budget": None if last is None else s["accuracy"][last],
            "epochs_within_budget": 0 if last is None else last + 1,
            "best_accuracy_within_budget": (None if last is None
                                            else max(s["accuracy"][:last + 1])),
            "epoch_s": s["epoch_s"],
            "accuracy": s["accuracy"],
        }
    return out


def best_report(args, data_info, result, machine, load_after):
    rows = [[k, r["epochs_within_budget"], fmt(r["training_s"], ".1f"),
             fmt(r["epoch_median_s"], ".2f"), fmt(r["accuracy_at_budget"], ".4f"),
             fmt(r["best_accuracy_within_budget"], ".4f")]
            for k, r in result.items()]
    ours = result["sknn_cn"]["accuracy_at_budget"]
    lines = [
        f"Best setting, {args.budget:g} s training budget each; {data_info['name']}",
        *(f"  {k}: {r['estimator']}" for k, r in result.items()),
        "",
        format_table(["estimator", "epochs", "train s", "s/epoch", "acc at end",
                      "best acc"], rows),
        "",
        f"target: sknn_cn >= {args.best_target:.3f} test accuracy within the budget: "
        + {True: "met", False: "NOT met", None: "-"}[
            None if ours is None else ours >= args.best_target],
    ]
    notes = [_command_note()] + machine_notes(machine, load_after)
    if data_info.get("note"):
        notes.append(data_info["note"])
    lines += ["", *("note: " + n for n in notes)]
    payload = {
        "benchmark": "bench_mnist", "mode": "best", "argv": sys.argv[1:], "data": data_info,
        "config": {"budget_s": args.budget, "best_target": args.best_target,
                   "threads": args.threads, "seed": args.seed, "quick": args.quick},
        "results": result,
        "target_met": None if ours is None else bool(ours >= args.best_target),
        "machine": machine, "loadavg_after": load_after,
    }
    return "\n".join(lines), payload


# ====================================================================== main
def _positive_int_list(text):
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(
            f"expected positive integers like 512,256; got {text!r}")
    return values


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=20, help="epochs per repetition (20)")
    p.add_argument("--repeats", type=int, default=3, help="repetitions (3)")
    p.add_argument("--lr", type=float, default=0.5,
                   help="learning rate of every implementation (0.5)")
    p.add_argument("--batch-size", type=int, default=64, help="mini-batch size (64)")
    p.add_argument("--alpha", type=float, default=0.0,
                   help="L2 penalty of sknn_cn / sklearn, weight decay of torch (0)")
    p.add_argument("--sk-activation", default="logistic",
                   choices=["logistic", "tanh", "relu"],
                   help="sklearn's activation for both hidden layers (logistic: the "
                        "seed's first layer; tanh-tanh stalls near 96.8%% at lr 0.5)")
    p.add_argument("--threads", type=int, default=None,
                   help="BLAS threads for every implementation and torch threads; "
                        "default: each library's own choice (torch: --torch-threads)")
    p.add_argument("--torch-threads", type=int, default=None,
                   help="torch.set_num_threads (default: --threads, else 1, which is "
                        "faster than 2 for these small products)")
    p.add_argument("--impls", default=",".join(IMPLEMENTATIONS),
                   help="comma-separated subset of " + ",".join(IMPLEMENTATIONS))
    p.add_argument("--data", default="auto", choices=["auto", "mnist", "digits"])
    p.add_argument("--quick", action="store_true",
                   help=f"first {QUICK_TRAIN} / {QUICK_TEST} MNIST images, 2 epochs, "
                        "1 repeat (unless given), 30-s best budget")
    p.add_argument("--target-accuracy", type=float, default=0.97)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-memory", action="store_true",
                   help="skip the peak-RSS subprocesses")
    p.add_argument("--memory-epochs", type=int, default=1)
    p.add_argument("--progress", action="store_true", help="a line per epoch on stderr")
    best = p.add_argument_group("best setting (--best)")
    best.add_argument("--best", action="store_true")
    best.add_argument("--budget", type=float, default=None,
                      help="training seconds for each estimator (180; --quick: 30)")
    best.add_argument("--best-hidden", type=_positive_int_list, default=[512, 256])
    best.add_argument("--best-activation", default="relu")
    best.add_argument("--best-lr", type=float, default=0.1)
    best.add_argument("--best-batch", type=int, default=128)
    best.add_argument("--best-alpha", type=float, default=1e-4)
    best.add_argument("--best-epochs", type=int, default=None,
                      help="epochs of sknn_cn's linear decay (default 30; --quick 10)")
    best.add_argument("--best-max-epochs", type=int, default=None,
                      help="stop each estimator after this many epochs even within "
                           "the budget (default: the budget alone, and sknn_cn's "
                           "--best-epochs)")
    best.add_argument("--best-sklearn", choices=["adam", "sgd"], default="adam")
    best.add_argument("--best-target", type=float, default=0.983)
    p.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    explicit = set(a.split("=")[0] for a in (argv if argv is not None else sys.argv[1:]))
    if args.quick:
        if "--epochs" not in explicit:
            args.epochs = 2
        if "--repeats" not in explicit:
            args.repeats = 1
    if args.budget is None:
        args.budget = 30.0 if args.quick else 180.0
    if args.best_epochs is None:
        args.best_epochs = 10 if args.quick else 30
    if args.torch_threads is None:
        args.torch_threads = args.threads if args.threads is not None else 1
    for name in ("epochs", "repeats", "batch_size", "memory_epochs", "best_epochs"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1; got {getattr(args, name)}")
    if args.threads is not None and args.threads < 1:
        p.error(f"--threads must be >= 1; got {args.threads}")
    if not args.lr > 0:
        p.error(f"--lr must be > 0; got {args.lr}")
    return args


class _Config:
    def __init__(self, args):
        self.lr = args.lr
        self.epochs = args.epochs
        self.batch_size = args.batch_size
        self.alpha = args.alpha
        self.sk_activation = args.sk_activation
        self.threads = args.threads
        self.torch_threads = args.torch_threads


def main(argv=None):
    args = parse_args(argv)
    cfg = _Config(args)
    warnings.filterwarnings("ignore", message=".*maximum iterations.*")
    if args.memory_child:
        memory_child(args, cfg)
        return 0

    X_train, X_test, y_train, y_test, data_info = load_data(args.data, args.quick)
    data = (X_train, y_train, X_test, y_test)
    data_info.update(n_train=int(X_train.shape[0]), n_test=int(X_test.shape[0]),
                     n_features=int(X_train.shape[1]),
                     n_classes=int(np.unique(y_train).size),
                     X_train_mb=X_train.nbytes / 1e6)

    if args.best:
        machine = machine_info()
        result = run_best(args, data)
        text, payload = best_report(args, data_info, result, machine,
                                    [round(x, 2) for x in os.getloadavg()])
        print(text)
        print(json_line(payload))
        return 0

    keys = [k.strip() for k in args.impls.split(",") if k.strip()]
    unknown = sorted(set(keys) - set(IMPLEMENTATIONS))
    if unknown:
        raise SystemExit(f"--impls: unknown {unknown}; allowed: {list(IMPLEMENTATIONS)}")
    skipped = []
    if "torch" in keys and not _torch_available():
        keys.remove("torch")
        skipped.append("torch (not importable)")
    if "floor" in keys and args.threads is None:
        i = keys.index("floor")
        keys[i:i + 1] = ["floor_1", "floor_default"]
    if "torch" in keys:
        import torch  # noqa: F401  (so machine_info reports its version)
    machine = machine_info()  # load average before the run
    records = run_seed_net(args, cfg, data, keys)
    summary = summarise(records, args.target_accuracy)
    memory = {}
    if not args.no_memory:
        for k in keys:
            if not k.startswith("floor") and k != "sknn_cn_fit":
                memory[k] = measure_memory(k, args)
    text, payload = seed_net_report(args, cfg, data_info, summary, memory, machine,
                                    [round(x, 2) for x in os.getloadavg()])
    if skipped:
        text += "\nnote: skipped " + ", ".join(skipped)
        payload["skipped"] = skipped
    print(text)
    print(json_line(payload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
