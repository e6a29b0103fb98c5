"""Where the time of a mini-batch goes: the seed net's step, part by part, against the floor.

The training loop's own calls (``sknn_cn.training.loop.train``: the gather of
a shuffled batch into the workspace, ``network.forward`` with the loss,
``network.backward``, ``network.l2_term``, the optimizer's step) on the seed's
784-64-16-10 net (logistic, tanh, softmax; plain SGD, lr 0.5, batch 64,
float32, one BLAS thread), each part timed by ``perf_counter`` around it, for
whole epochs.  Beside it, in the same process and interleaved epoch by epoch,
the eight matrix products of the same shapes alone (bench_mnist.py's
"matmul floor"), each of them timed the same way, so every part can be set
against the products it contains:

* gather: no product (the floor reads contiguous row slices, unshuffled);
* forward: the floor's three forward products (eqs. 1, 3, 5) plus bias,
  activations, softmax and loss;
* backward: the floor's five backward products plus ``1^T dZ``, ``A - Y``
  and the activation derivatives;
* L2 term and update: no product.

Reported per mini-batch, in microseconds: the minimum and the median over the
epochs (``--epochs``; the minimum is the least disturbed by other processes),
and the whole epoch against the floor's.  A third epoch, also interleaved,
adds to the floor's products only what every shuffled SGD step must do as
well: gather its rows and update every parameter once ("floor + gather +
update").  The last line is JSON.

Usage::

    python benchmarks/bench_batch_breakdown.py                 # MNIST if fetched, 5 epochs
    python benchmarks/bench_batch_breakdown.py --quick         # digits, 2 epochs (smoke)
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import format_table, json_line, machine_info, machine_notes  # noqa: E402
from bench_mnist import SEED_ACTIVATIONS, SEED_HIDDEN, Floor, load_data  # noqa: E402

PARTS = ("gather", "forward", "backward", "l2", "update", "loop")


class _Cfg:
    def __init__(self, batch_size):
        self.batch_size = batch_size


def _seed_net(X, y, batch_size, seed):
    from sknn_cn import network
    from sknn_cn.training.loop import TrainingState
    from sknn_cn.training.optimizers import SGDOptimizer

    rng = np.random.default_rng(seed)
    n_classes = int(y.max()) + 1
    sizes = [X.shape[1], *SEED_HIDDEN, n_classes]
    state = TrainingState(network.init_params(sizes, "glorot_uniform", rng, np.float32))
    Y = np.zeros((len(y), n_classes), dtype=np.float32)
    Y[np.arange(len(y)), y] = 1
    workspace = network.Workspace(state.params, batch_size)
    return state, Y, workspace, SGDOptimizer([state.theta]), rng


def loop_epoch(X, Y, state, workspace, optimizer, rng, batch_size, lr, alpha=0.0):
    """One epoch of the training loop's calls, each part timed; seconds per part."""
    from sknn_cn import network

    clock = time.perf_counter
    seconds = dict.fromkeys(PARTS, 0.0)
    params, theta = state.params, state.theta
    theta_W, grad_W = theta[:state.n_weights], workspace.grad[:state.n_weights]
    n = X.shape[0]
    order = np.arange(n)
    rng.shuffle(order)
    start_epoch = clock()
    for start in range(0, n, batch_size):
        t0 = clock()
        batch = order[start:start + batch_size]
        m = len(batch)
        rows = workspace.rows(m)
        X_batch = X.take(batch, axis=0, out=rows.X, mode="clip")
        Y_batch = Y.take(batch, axis=0, out=rows.Y, mode="clip")
        t1 = clock()
        acts, _ = network.forward(params, X_batch, SEED_ACTIVATIONS, "softmax", Y=Y_batch,
                                  workspace=workspace, reduce=True)
        t2 = clock()
        network.backward(params, acts, Y_batch, SEED_ACTIVATIONS, workspace=workspace)
        t3 = clock()
        network.l2_term(theta_W, alpha, m, grad=grad_W)
        t4 = clock()
        optimizer.step([theta], [workspace.grad], lr)
        t5 = clock()
        seconds["gather"] += t1 - t0
        seconds["forward"] += t2 - t1
        seconds["backward"] += t3 - t2
        seconds["l2"] += t4 - t3
        seconds["update"] += t5 - t4
    total = clock() - start_epoch
    seconds["loop"] = total - sum(seconds.values())
    return total, seconds


def floor_epoch(floor):
    """The floor's epoch with its forward and backward products timed apart."""
    clock = time.perf_counter
    mm, (W1, W2, W3), (dW1, dW2, dW3) = np.matmul, floor.W, floor.dW
    X, n, bs = floor.X, floor.X.shape[0], floor.batch_size
    forward = backward = 0.0
    start_epoch = clock()
    for start in range(0, n, bs):
        x = X[start:start + bs]
        m = x.shape[0]
        A1, A2, A3 = (a[:m] for a in floor.A)
        dA1, dA2 = (a[:m] for a in floor.dA)
        t0 = clock()
        mm(x, W1, out=A1)
        mm(A1, W2, out=A2)
        mm(A2, W3, out=A3)
        t1 = clock()
        mm(A2.T, A3, out=dW3)
        mm(A3, W3.T, out=dA2)
        mm(A1.T, dA2, out=dW2)
        mm(dA2, W2.T, out=dA1)
        mm(x.T, dA1, out=dW1)
        t2 = clock()
        forward += t1 - t0
        backward += t2 - t1
    return clock() - start_epoch, {"forward": forward, "backward": backward}


def bound_epoch(floor, rng, n_parameters):
    """The floor's products plus the two things every shuffled SGD step must
    also do: gather its rows (``X.take``, as the loop) and update every
    parameter once (one ``axpy`` over a vector of all of them)."""
    from scipy.linalg import blas

    clock = time.perf_counter
    mm, (W1, W2, W3), (dW1, dW2, dW3) = np.matmul, floor.W, floor.dW
    X, n, bs = floor.X, floor.X.shape[0], floor.batch_size
    gathered = np.empty((bs, X.shape[1]), dtype=X.dtype)
    theta = np.zeros(n_parameters, dtype=X.dtype)
    grad = np.full(n_parameters, 1e-6, dtype=X.dtype)
    order = np.arange(n)
    rng.shuffle(order)
    start_epoch = clock()
    for start in range(0, n, bs):
        batch = order[start:start + bs]
        m = len(batch)
        x = X.take(batch, axis=0, out=gathered[:m], mode="clip")
        A1, A2, A3 = (a[:m] for a in floor.A)
        dA1, dA2 = (a[:m] for a in floor.dA)
        mm(x, W1, out=A1)
        mm(A1, W2, out=A2)
        mm(A2, W3, out=A3)
        mm(A2.T, A3, out=dW3)
        mm(A3, W3.T, out=dA2)
        mm(A1.T, dA2, out=dW2)
        mm(dA2, W2.T, out=dA1)
        mm(x.T, dA1, out=dW1)
        blas.saxpy(grad, theta, a=-0.5)
    return clock() - start_epoch


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=5, help="timed epochs of each (5)")
    p.add_argument("--data", choices=("auto", "mnist", "digits"), default="auto")
    p.add_argument("--quick", action="store_true", help="digits, 2 epochs")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.5)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from threadpoolctl import threadpool_limits

    if args.quick:
        args.data, args.epochs = "digits", min(args.epochs, 2)
    machine = machine_info()
    print("\n".join(machine_notes(machine)), flush=True)
    X, _, y, _, info = load_data(args.data, quick=False, need_test=False)
    X = np.ascontiguousarray(X, dtype=np.float32)
    y = np.unique(y, return_inverse=True)[1]
    n_batches = -(-X.shape[0] // args.batch_size)
    state, Y, workspace, optimizer, rng = _seed_net(X, y, args.batch_size, args.seed)
    floor = Floor((X, y, None, None), _Cfg(args.batch_size), args.seed, threads=1)
    ours, floors, bounds = [], [], []
    with threadpool_limits(limits=1, user_api="blas"):
        loop_epoch(X, Y, state, workspace, optimizer, rng, args.batch_size, args.lr)  # warm-up
        floor.epoch()
        for _ in range(args.epochs):
            ours.append(loop_epoch(X, Y, state, workspace, optimizer, rng,
                                   args.batch_size, args.lr))
            floors.append(floor_epoch(floor))
            bounds.append(bound_epoch(floor, rng, state.theta.size))

    def per_batch(values):  # microseconds per mini-batch: min and median over epochs
        values = np.asarray(values) * 1e6 / n_batches
        return float(values.min()), float(np.median(values))

    floor_parts = {"gather": [0.0], "forward": [f["forward"] for _, f in floors],
                   "backward": [f["backward"] for _, f in floors]}
    rows, parts = [], {}
    for part in PARTS:
        mine = per_batch([s[part] for _, s in ours])
        products = per_batch(floor_parts.get(part, [0.0]))
        parts[part] = {"us_min": mine[0], "us_median": mine[1],
                       "floor_products_us_min": products[0]}
        rows.append([part, f"{mine[0]:.1f}", f"{mine[1]:.1f}", f"{products[0]:.1f}",
                     f"{mine[0] - products[0]:.1f}"])
    epoch, floor_total = per_batch([t for t, _ in ours]), per_batch([t for t, _ in floors])
    rows.append(["whole step", f"{epoch[0]:.1f}", f"{epoch[1]:.1f}", f"{floor_total[0]:.1f}",
                 f"{epoch[0] - floor_total[0]:.1f}"])
    print(f"\n{info['name']}: {X.shape[0]} samples, {n_batches} mini-batches of "
          f"{args.batch_size}; seed net {X.shape[1]}-64-16-{Y.shape[1]} (logistic, tanh, "
          f"softmax), SGD "
          f"lr {args.lr}, float32, 1 BLAS thread; {args.epochs} epochs each, interleaved\n")
    bound = per_batch(bounds)
    rows.append(["floor + gather + update", "", "", f"{bound[0]:.1f}", ""])
    print(format_table(["part", "us/batch min", "median", "floor's products in it (min)",
                        "beyond the products"], rows, "lrrrr"))
    ratio_min = epoch[0] / floor_total[0]
    ratio_median = epoch[1] / floor_total[1]
    print(f"\nthe step over the floor: {ratio_min:.2f} (minima), {ratio_median:.2f} (medians)")
    print(f"floor + gather + update over the floor: {bound[0] / floor_total[0]:.2f} (minima), "
          f"{bound[1] / floor_total[1]:.2f} (medians): what any shuffled SGD step pays "
          "before its first activation")
    machine["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json_line({"benchmark": "bench_batch_breakdown", "data": info["name"],
                     "n_samples": int(X.shape[0]), "batch_size": args.batch_size,
                     "epochs": args.epochs, "parts": parts,
                     "step_us": {"min": epoch[0], "median": epoch[1]},
                     "floor_us": {"min": floor_total[0], "median": floor_total[1]},
                     "over_floor": {"min": ratio_min, "median": ratio_median},
                     "bound_us": {"min": bound[0], "median": bound[1]},
                     "bound_over_floor": {"min": bound[0] / floor_total[0],
                                          "median": bound[1] / floor_total[1]},
                     "machine": machine}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
