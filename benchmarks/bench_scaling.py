"""How the cost of an epoch grows with the work: sknn_cn against its peers.

Every implementation does the same work: one epoch of plain mini-batch SGD
(learning rate 0.01, no momentum, no L2 term, shuffled) on the same synthetic
data (``n_samples`` x ``n_features`` standard normal rows, 10 classes from a
random linear rule), through the same net (``depth`` hidden ReLU layers of
``width`` units, softmax output), in the same floating type:

* ``sknn_cn``: ``MulticlassMLPClassifier(solver='sgd', momentum=0, alpha=0,
  activation='relu', n_threads=T)``, one ``partial_fit`` call per epoch
  (input checks included, as a user pays them);
* ``sklearn``: ``MLPClassifier`` with the same settings, one ``partial_fit``
  per epoch, its BLAS limited to T threads (threadpoolctl);
* ``torch``: PyTorch eager, ``torch.set_num_threads(T)``, ``nn.Sequential``
  and ``torch.optim.SGD``, batches gathered from a shuffled permutation;
* ``numpy``: the obvious plain-NumPy loop (about 20 lines, below), its BLAS
  limited to T threads.

The first epoch of each is a warm-up (weights drawn, caches filled) and is not
timed.  Then epochs are timed one at a time, interleaved (A B C D, B C D A,
...), ``--repeats`` times; reported is the median time per sample (us) and its
ratio to the best peer at the same thread count.  The grid varies one axis at
a time from a base configuration (``--base``): ``n_samples``, ``width``,
``depth``, ``batch_size``, ``dtype``.  The default grid is modest (a shared
machine); ``--full`` runs the issue's range (n_samples 1e3-1e6, width 16-1024,
depth 1-4, batch 16-1024), which takes long.

``--threads 1 2`` measures every implementation with one and with two
threads; ``--threads-policy`` instead measures only sknn_cn with 1 and 2
BLAS threads on seven nets from the seed net (784-64-16-10, logistic/tanh,
batch 64) to 784-1024-1024-10 at batch 512, once with the other core free and
once with it kept busy by a spinning process this script starts: the
measurement behind ``n_threads=None`` (:mod:`sknn_cn.training.threads`).

``--ufuncs`` times the elementwise steps of the seed net's first layer
(``np.tanh``, ``np.exp``, the logistic written with either), the reason the
logistic is computed with ``exp`` (:func:`sknn_cn.network.activations.logistic`).

Output: a table per axis, the load average before and after, a log-log plot
of the cost per sample against each axis (``--out``, PNG), and a last line of
JSON.

Usage::

    python benchmarks/bench_scaling.py --out scaling.png            # modest grid, 1 thread
    python benchmarks/bench_scaling.py --threads 1 2 --out s.png    # and 2 threads
    python benchmarks/bench_scaling.py --full --out scaling_full.png
    python benchmarks/bench_scaling.py --threads-policy
    python benchmarks/bench_scaling.py --ufuncs                     # tanh vs exp, 64x64
    python benchmarks/bench_scaling.py --quick --out /tmp/s.png     # seconds (CI smoke)
"""

import argparse
import contextlib
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (format_table, json_line, machine_info,  # noqa: E402
                     machine_notes, median)

LR = 0.01
N_CLASSES = 10
BASE = {"n_samples": 10_000, "n_features": 100, "width": 256, "depth": 2,
        "batch_size": 128, "dtype": "float32"}
GRID = {
    "n_samples": [1_000, 10_000, 100_000],
    "width": [16, 64, 256, 1024],
    "depth": [1, 2, 4],
    "batch_size": [16, 64, 256, 1024],
    "dtype": ["float32", "float64"],
}
FULL_GRID = dict(GRID, n_samples=[1_000, 10_000, 100_000, 1_000_000],
                 width=[16, 32, 64, 128, 256, 512, 1024], depth=[1, 2, 3, 4],
                 batch_size=[16, 32, 64, 128, 256, 512, 1024])
QUICK_BASE = {"n_samples": 400, "n_features": 20, "width": 16, "depth": 1,
              "batch_size": 32, "dtype": "float32"}
QUICK_GRID = {"n_samples": [200, 400], "width": [8, 16], "dtype": ["float32", "float64"]}
def _policy_net(hidden, batch_size, activation="relu", n_samples=10_240):
    return dict(n_samples=n_samples, n_features=784, hidden=hidden, activation=activation,
                batch_size=batch_size, dtype="float32")


POLICY = {  # the nets of the thread policy, by the multiply-adds of their largest product
    "seed net 784-64-16-10, batch 64": _policy_net((64, 16), 64, ("logistic", "tanh")),
    "784-128-10, batch 64": _policy_net((128,), 64),
    "784-256-256-10, batch 128": _policy_net((256, 256), 128),
    "784-512-512-10, batch 128": _policy_net((512, 512), 128),
    "784-512-512-10, batch 256": _policy_net((512, 512), 256),
    "784-1024-1024-10, batch 128": _policy_net((1024, 1024), 128, n_samples=5_120),
    "784-1024-1024-10, batch 512": _policy_net((1024, 1024), 512, n_samples=5_120),
}
IMPLEMENTATIONS = ("sknn_cn", "torch", "sklearn", "numpy")


def make_data(n_samples, n_features, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features)).astype(dtype)
    y = np.argmax(X @ rng.standard_normal((n_features, N_CLASSES)), axis=1)
    return X, y


def _blas(threads):
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads, user_api="blas")


# ====================================================================== the four
class SknnCn:
    def __init__(self, X, y, cfg, threads, seed):
        from sknn_cn import MulticlassMLPClassifier

        self.X, self.y = X, y
        self.classes = np.arange(N_CLASSES)
        self.est = MulticlassMLPClassifier(
            hidden_layer_sizes=cfg["hidden"], activation=cfg["activation"],
            solver="sgd", learning_rate_init=LR, momentum=0.0, alpha=0.0,
            batch_size=cfg["batch_size"], dtype=cfg["dtype"], n_init=1,
            shuffle=True, random_state=seed, n_threads=threads)

    def context(self):
        return contextlib.nullcontext()  # n_threads scopes its own BLAS limit

    def epoch(self):
        self.est.partial_fit(self.X, self.y, classes=self.classes)


class Sklearn:
    def __init__(self, X, y, cfg, threads, seed):
        from sklearn.neural_network import MLPClassifier

        activation = cfg["activation"]
        self.X, self.y, self.threads = X, y, threads
        self.classes = np.arange(N_CLASSES)
        self.est = MLPClassifier(
            hidden_layer_sizes=cfg["hidden"],
            activation=activation if isinstance(activation, str) else activation[0],
            solver="sgd", learning_rate_init=LR, learning_rate="constant",
            momentum=0.0, alpha=0.0, batch_size=cfg["batch_size"], shuffle=True,
            random_state=seed)

    def context(self):
        return _blas(self.threads)

    def epoch(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.est.partial_fit(self.X, self.y, classes=self.classes)


class Torch:
    def __init__(self, X, y, cfg, threads, seed):
        import torch
        from torch import nn

        self.torch, self.threads = torch, threads
        torch.set_num_threads(threads)
        self.generator = torch.Generator().manual_seed(seed)
        acts = cfg["activation"]
        acts = [acts] * len(cfg["hidden"]) if isinstance(acts, str) else list(acts)
        layers, n_in = [], X.shape[1]
        for width, act in zip(cfg["hidden"], acts):
            layers += [nn.Linear(n_in, width),
                       {"relu": nn.ReLU, "logistic": nn.Sigmoid, "tanh": nn.Tanh}[act]()]
            n_in = width
        layers.append(nn.Linear(n_in, N_CLASSES))
        dtype = getattr(torch, cfg["dtype"])
        self.model = nn.Sequential(*layers).to(dtype)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LR, momentum=0.0)
        self.loss = nn.CrossEntropyLoss()
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
        self.batch_size = cfg["batch_size"]

    def context(self):
        self.torch.set_num_threads(self.threads)  # process-global: set every time
        return contextlib.nullcontext()

    def epoch(self):
        torch = self.torch
        n = self.X.shape[0]
        order = torch.randperm(n, generator=self.generator)
        for start in range(0, n, self.batch_size):
            batch = order[start:start + self.batch_size]
            self.optimizer.zero_grad(set_to_none=True)
            self.loss(self.model(self.X[batch]), self.y[batch]).backward()
            self.optimizer.step()


class PlainNumpy:
    """The obvious NumPy loop: ReLU hidden layers, softmax, SGD; it allocates freely."""

    def __init__(self, X, y, cfg, threads, seed):
        self.X, self.y, self.threads = X, y, threads
        self.rng = np.random.default_rng(seed)
        sizes = [X.shape[1], *cfg["hidden"], N_CLASSES]
        self.params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            self.params.append([self.rng.uniform(-bound, bound, (fan_in, fan_out))
                                .astype(X.dtype), np.zeros(fan_out, X.dtype)])
        self.batch_size = cfg["batch_size"]

    def context(self):
        return _blas(self.threads)

    def epoch(self):
        X, y, params = self.X, self.y, self.params
        order = self.rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], self.batch_size):
            batch = order[start:start + self.batch_size]
            acts = [X[batch]]
            for W, b in params[:-1]:
                acts.append(np.maximum(acts[-1] @ W + b, 0))
            z = acts[-1] @ params[-1][0] + params[-1][1]
            e = np.exp(z - z.max(axis=1, keepdims=True))
            d = e / e.sum(axis=1, keepdims=True)               # softmax
            d[np.arange(len(batch)), y[batch]] -= 1.0          # dZ = P - Y
            d /= len(batch)
            for layer in range(len(params) - 1, -1, -1):
                W, b = params[layer]
                dW, db = acts[layer].T @ d, d.sum(axis=0)
                if layer:
                    d = (d @ W.T) * (acts[layer] > 0)
                W -= LR * dW
                b -= LR * db


CLASSES = {"sknn_cn": SknnCn, "sklearn": Sklearn, "torch": Torch, "numpy": PlainNumpy}


def _torch_available():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# ====================================================================== timing
#: Short epochs are timed more often: at least this many seconds of each key.
MIN_SECONDS_PER_KEY = 1.0


def measure(cfg, keys, repeats, seed=0):
    """Median seconds per epoch of each (implementation, threads) key, interleaved.

    At least ``repeats`` epochs each, more where an epoch is short (up to 50,
    so that each key is timed for about ``MIN_SECONDS_PER_KEY``): a 1 000-sample
    epoch of a few milliseconds is otherwise at the mercy of one interruption.
    """
    X, y = make_data(cfg["n_samples"], cfg["n_features"], cfg["dtype"], seed)
    runners = {}
    warm_up = []
    for key in keys:
        name, threads = key
        runner = CLASSES[name](X, y, cfg, threads, seed)
        with runner.context():
            start = time.perf_counter()
            runner.epoch()  # warm-up, not timed
            warm_up.append(time.perf_counter() - start)
        runners[key] = runner
    repeats = max(repeats, min(50, int(MIN_SECONDS_PER_KEY / max(min(warm_up), 1e-6))))
    times = {key: [] for key in keys}
    for repeat in range(repeats):
        order = keys[repeat % len(keys):] + keys[:repeat % len(keys)]
        for key in order:
            runner = runners[key]
            with runner.context():
                start = time.perf_counter()
                runner.epoch()
                times[key].append(time.perf_counter() - start)
    return {key: median(t) for key, t in times.items()}


def _config(base, axis, value):
    cfg = dict(base, **{axis: value})
    cfg["hidden"] = (cfg["width"],) * cfg["depth"]
    cfg["activation"] = "relu"
    return cfg


def run_grid(base, grid, names, threads, repeats):
    keys = [(name, t) for t in threads for name in names]
    rows = []
    for axis, values in grid.items():
        for value in values:
            cfg = _config(base, axis, value)
            seconds = measure(cfg, keys, repeats)
            per_sample = {f"{n}@{t}": seconds[(n, t)] / cfg["n_samples"] * 1e6
                          for n, t in keys}
            rows.append({"axis": axis, "value": value, "config": cfg,
                         "us_per_sample": per_sample})
            print(f"  {axis}={value}: " + ", ".join(
                f"{k} {v:.2f}" for k, v in per_sample.items()), flush=True)
    return rows


def ratios_to_best_peer(row, threads):
    """sknn_cn's cost over the best peer's with the same thread count."""
    out = {}
    for t in threads:
        ours = row["us_per_sample"].get(f"sknn_cn@{t}")
        peers = [v for k, v in row["us_per_sample"].items()
                 if k.endswith(f"@{t}") and not k.startswith("sknn_cn")]
        out[t] = ours / min(peers) if peers and ours else None
    return out


def grid_table(rows, threads):
    keys = list(rows[0]["us_per_sample"])
    headers = ["axis", "value", *(f"{k} us/sample" for k in keys),
               *(f"ours/best@{t}" for t in threads)]
    table = []
    for row in rows:
        ratio = ratios_to_best_peer(row, threads)
        table.append([row["axis"], row["value"],
                      *(f"{row['us_per_sample'][k]:.3f}" for k in keys),
                      *(f"{ratio[t]:.2f}" if ratio[t] else "-" for t in threads)])
    return format_table(headers, table, "ll" + "r" * (len(headers) - 2))


def plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    axes_names = [a for a in dict.fromkeys(r["axis"] for r in rows)]
    fig, axes = plt.subplots(1, len(axes_names), figsize=(4 * len(axes_names), 3.6),
                             squeeze=False)
    for ax, axis in zip(axes[0], axes_names):
        sub = [r for r in rows if r["axis"] == axis]
        numeric = all(isinstance(r["value"], (int, float)) for r in sub)
        x = [r["value"] for r in sub] if numeric else list(range(len(sub)))
        for key in sub[0]["us_per_sample"]:
            ax.plot(x, [r["us_per_sample"][key] for r in sub], marker="o", label=key)
        if numeric:
            ax.set_xscale("log")
            ax.set_xticks(x, [str(v) for v in x])
            ax.minorticks_off()
        else:
            ax.set_xticks(x, [str(r["value"]) for r in sub])
        ax.set_yscale("log")
        ax.set_xlabel(axis)
        ax.set_ylabel("cost per sample of an epoch (us)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# ====================================================================== policy
@contextlib.contextmanager
def _other_core(busy):
    """The other core free, or kept busy by a spinning process (``busy``)."""
    if not busy:
        yield
        return
    import subprocess

    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        yield
    finally:
        spinner.kill()
        spinner.wait()


def run_policy(repeats, conditions=("free", "busy")):
    """sknn_cn with 1 and 2 BLAS threads, the other core free and busy, and the
    count that ``n_threads=None`` picks for each net."""
    from sknn_cn.training.threads import resolve_n_threads

    keys = [("sknn_cn", 1), ("sknn_cn", 2)]
    results = {}
    for condition in conditions:
        with _other_core(condition == "busy"):
            for name, spec in POLICY.items():
                cfg = dict(spec)
                seconds = measure(cfg, keys, repeats)
                one, two = seconds[("sknn_cn", 1)], seconds[("sknn_cn", 2)]
                layers = [cfg["n_features"], *cfg["hidden"], N_CLASSES]
                largest = max(cfg["batch_size"] * a * b for a, b in zip(layers, layers[1:]))
                picks = resolve_n_threads(None, cfg["batch_size"], layers,
                                          others_running=0 if condition == "free" else 1)
                results.setdefault(name, {"largest_product": largest})[condition] = {
                    "s_per_epoch_1_thread": one, "s_per_epoch_2_threads": two,
                    "two_over_one": two / one, "policy_picks": picks}
                print(f"  other core {condition}: {name} ({largest:.1e} multiply-adds): "
                      f"1 thread {one:.3f} s/epoch, 2 threads {two:.3f}, "
                      f"2/1 = {two / one:.2f}; n_threads=None picks {picks}", flush=True)
    rows = [[name, f"{r['largest_product']:.1e}",
             *(f"{r[c]['two_over_one']:.2f} ({r[c]['policy_picks']})" for c in conditions)]
            for name, r in results.items()]
    print()
    print(format_table(["net", "largest product",
                        *(f"2/1, other core {c} (picks)" for c in conditions)], rows))
    return results


# ====================================================================== ufuncs
def run_ufuncs(repeats, shape=(64, 64), calls=100):
    """Microseconds per call of the elementwise steps of the seed net's first
    layer (64 x 64 at batch 64): np.tanh, np.exp and the logistic written with
    one tanh or with one exp, in float32 and float64; interleaved, ``repeats``
    rounds of ``calls`` calls; the minimum and the median round."""
    rng = np.random.default_rng(0)
    results = {}
    for dtype in ("float32", "float64"):
        Z = (rng.standard_normal(shape) * 2).astype(dtype)
        out = np.empty_like(Z)

        def via_tanh():
            np.multiply(Z, 0.5, out=out)
            np.tanh(out, out=out)
            out.__imul__(0.5)
            out.__iadd__(0.5)

        def via_exp():
            np.negative(Z, out=out)
            np.exp(out, out=out)
            out.__iadd__(1.0)
            np.reciprocal(out, out=out)

        steps = {"np.tanh": lambda: np.tanh(Z, out=out),
                 "np.exp": lambda: np.exp(Z, out=out),
                 "logistic via tanh (old)": via_tanh, "logistic via exp (new)": via_exp}
        rounds = {name: [] for name in steps}
        for _ in range(repeats):
            for name, step in steps.items():
                start = time.perf_counter()
                for _ in range(calls):
                    step()
                rounds[name].append((time.perf_counter() - start) / calls * 1e6)
        results[dtype] = {name: {"min_us": min(r), "median_us": median(r)}
                          for name, r in rounds.items()}
        for name, r in results[dtype].items():
            print(f"  {dtype} {name}: min {r['min_us']:.1f} us, median "
                  f"{r['median_us']:.1f} us per {shape[0]}x{shape[1]} call", flush=True)
    return results


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, nargs="+", default=[1],
                   help="thread counts to measure every implementation with (1)")
    p.add_argument("--repeats", type=int, default=3, help="timed epochs each (3)")
    p.add_argument("--full", action="store_true", help="the issue's whole range (long)")
    p.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test)")
    p.add_argument("--axes", nargs="+", choices=sorted(GRID), default=None,
                   help="only these axes of the grid")
    p.add_argument("--implementations", nargs="+", choices=IMPLEMENTATIONS,
                   default=list(IMPLEMENTATIONS))
    p.add_argument("--out", default=None, help="where to write the log-log plot (PNG)")
    p.add_argument("--ufuncs", action="store_true",
                   help="only the elementwise steps of the seed net's first layer")
    p.add_argument("--threads-policy", action="store_true",
                   help="only sknn_cn at 1 and 2 BLAS threads, seven nets, the other "
                        "core free and busy")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    machine = machine_info()
    print("\n".join(machine_notes(machine)), flush=True)
    if args.ufuncs:
        results = run_ufuncs(max(args.repeats, 30))
        print(json_line({"benchmark": "bench_scaling", "mode": "ufuncs",
                         "results": results, "machine": machine}))
        return 0
    if args.threads_policy:
        results = run_policy(args.repeats)
        machine["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        print(f"load average after: {machine['loadavg_after']}")
        print(json_line({"benchmark": "bench_scaling", "mode": "threads-policy",
                         "repeats": args.repeats, "results": results,
                         "machine": machine}))
        return 0
    base, grid = (QUICK_BASE, QUICK_GRID) if args.quick else (
        BASE, FULL_GRID if args.full else GRID)
    if args.axes:
        grid = {a: v for a, v in grid.items() if a in args.axes}
    names = [n for n in args.implementations if n != "torch" or _torch_available()]
    rows = run_grid(base, grid, names, args.threads, args.repeats)
    print()
    print(grid_table(rows, args.threads))
    slower = [(r["axis"], r["value"], t, ratio)
              for r in rows for t, ratio in ratios_to_best_peer(r, args.threads).items()
              if ratio is not None and ratio > 1.10]
    print("\nwhere sknn_cn is more than 10% slower than the best peer: "
          + ("; ".join(f"{a}={v} @{t} threads: {q:.2f}x" for a, v, t, q in slower)
             if slower else "nowhere"))
    machine["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average after: {machine['loadavg_after']}")
    if args.out:
        plot(rows, args.out)
        print(f"plot: {args.out}")
    print(json_line({
        "benchmark": "bench_scaling", "base": base, "threads": args.threads,
        "repeats": args.repeats, "implementations": names,
        "rows": [{"axis": r["axis"], "value": r["value"],
                  "us_per_sample": r["us_per_sample"],
                  "ours_over_best_peer": {str(t): q for t, q in
                                          ratios_to_best_peer(r, args.threads).items()}}
                 for r in rows],
        "slower_than_best_peer": [{"axis": a, "value": v, "threads": t, "ratio": q}
                                  for a, v, t, q in slower],
        "plot": args.out, "machine": machine}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
