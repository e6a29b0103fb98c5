"""Peak memory of fitting on sparse X: does it stay near the sparse data's size?

A text-like matrix (``--rows`` x ``--cols``, ``--density`` non-zeros, 50 per
row by default: 100 000 x 50 000 at 0.1 %) with a linear rule for the labels
is fitted for ``--max-iter`` epochs by BinaryMLPClassifier (CSR input, CSC
input) and by scikit-learn's MLPClassifier (CSR input), each peak traced by
``tracemalloc`` from just before ``fit`` (the data already built) to just
after.  The table puts the peak beside the sparse data (data + indices +
indptr), the dense matrix it would be (never built) and the model (every
weight, 8 bytes each).  Seconds are reported but are noise on a shared
machine.  The last line is JSON.

Run:  PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/bench_sparse.py  (seed 0)
      add --quick for a 2 000 x 5 000 matrix.
"""

import argparse
import os
import sys
import time
import tracemalloc
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import format_table, json_line, machine_info, source_info  # noqa: E402

from sknn_cn import BinaryMLPClassifier  # noqa: E402


def make_data(rows, cols, density, seed):
    """CSR with ``round(density * cols)`` entries per row (duplicates summed)."""
    rng = np.random.default_rng(seed)
    per_row = max(1, round(density * cols))
    indices = np.sort(rng.integers(0, cols, size=(rows, per_row), dtype=np.int32), axis=1)
    data = rng.random(rows * per_row)
    indptr = np.arange(0, rows * per_row + 1, per_row, dtype=np.int32)
    X = sp.csr_matrix((data, indices.ravel(), indptr), shape=(rows, cols))
    X.sum_duplicates()
    score = X @ rng.normal(size=cols)
    y = (score > np.median(score)).astype(int)
    return X, y


def sparse_bytes(X):
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes


def traced_fit(make, X, y):
    est = make()
    tracemalloc.start()
    tracemalloc.reset_peak()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n_weights = sum(W.size + b.size for W, b in zip(est.coefs_, est.intercepts_))
    return est, peak, n_weights, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=50_000)
    parser.add_argument("--density", type=float, default=0.001)
    parser.add_argument("--hidden", type=int, default=10)
    parser.add_argument("--max-iter", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="2 000 x 5 000, density 1 %%")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.cols, args.density = 2_000, 5_000, 0.01

    X, y = make_data(args.rows, args.cols, args.density, args.seed)
    data_bytes = sparse_bytes(X)
    dense_bytes = X.shape[0] * X.shape[1] * 8
    params = dict(hidden_layer_sizes=(args.hidden,), max_iter=args.max_iter,
                  random_state=args.seed)
    runs = {
        "sknn_cn CSR": (lambda: BinaryMLPClassifier(n_init=1, **params), X),
        "sknn_cn CSC": (lambda: BinaryMLPClassifier(n_init=1, **params), X.tocsc()),
        "sklearn MLPClassifier CSR": (lambda: MLPClassifier(**params), X),
    }
    results, rows = {}, []
    for name, (make, X_in) in runs.items():
        est, peak, n_weights, seconds = traced_fit(make, X_in, y)
        model_bytes = n_weights * 8
        results[name] = {
            "peak_bytes": peak, "model_bytes": model_bytes,
            "peak_over_sparse_data": peak / data_bytes,
            "peak_over_dense": peak / dense_bytes,
            "train_accuracy": float(est.score(X, y)), "seconds": seconds,
        }
        rows.append([name, f"{peak / 1e6:.1f}", f"{model_bytes / 1e6:.1f}",
                     f"{peak / data_bytes:.2f}", f"{peak / dense_bytes:.5f}",
                     f"{results[name]['train_accuracy']:.3f}", f"{seconds:.1f}"])
        del est

    print(f"X: {args.rows} x {args.cols}, {X.nnz} non-zeros ({X.nnz / dense_bytes * 8:.4%}); "
          f"sparse data {data_bytes / 1e6:.1f} MB, dense would be {dense_bytes / 1e9:.1f} GB; "
          f"hidden ({args.hidden},), {args.max_iter} epoch(s), seed {args.seed}")
    print(format_table(["fit", "peak MB", "model MB", "peak / sparse data",
                        "peak / dense", "train acc", "s (noise)"], rows))
    print(json_line({
        "benchmark": "bench_sparse",
        "config": {"rows": args.rows, "cols": args.cols, "density": args.density,
                   "nnz": int(X.nnz), "hidden": args.hidden, "max_iter": args.max_iter,
                   "seed": args.seed, "sparse_data_bytes": data_bytes,
                   "dense_bytes": dense_bytes},
        "results": results, "machine": machine_info(), "source": source_info(),
    }))


if __name__ == "__main__":
    main()
