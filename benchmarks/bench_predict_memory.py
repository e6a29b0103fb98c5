"""Peak memory of prediction, against what it must hold (issue 11, "memory at scale").

Prediction runs in chunks of rows whose activations fit in scikit-learn's
``working_memory`` (``sklearn.config_context(working_memory=MiB)``).  What a
call must hold at once is its output plus one chunk's activations (every
layer's outputs for the chunk's rows); this script measures the peak of the
memory NumPy allocates during the call (``tracemalloc``, which NumPy reports
to; the input ``X`` is made before tracing starts) and divides it by that
bound.  The target is a ratio of at most 1.2.

Run: PYTHONPATH=. python benchmarks/bench_predict_memory.py
     (2 000 000 x 100 float32 rows, a 100-100-2 float32 net, seed 0;
     ``--rows 20000 --features 10 --hidden 20`` is a quick run)

The last line of the output is strict JSON with every number of the table.
"""

import argparse
import gc
import os
import sys
import tracemalloc
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._chunking import get_chunk_n_rows

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import format_table, json_line  # noqa: E402

from sknn_cn import BinaryMLPClassifier  # noqa: E402

MIB = 2**20


def _parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--hidden", type=int, nargs="+", default=[100],
                        help="hidden layer sizes (default: 100)")
    parser.add_argument("--working-memory", type=float, nargs="+",
                        default=[sklearn.get_config()["working_memory"], 256, 64],
                        help="working_memory values in MiB (default: sklearn's, 256, 64)")
    parser.add_argument("--methods", nargs="+", default=["predict_proba", "predict"])
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def _traced_peak(function, X):
    """``(peak bytes NumPy allocated while running function(X), result)``."""
    gc.collect()
    tracemalloc.start()
    try:
        result = function(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def main():
    args = _parse()
    rng = np.random.default_rng(args.seed)
    X = rng.standard_normal((args.rows, args.features), dtype=np.float32)
    n_fit = min(args.rows, 2000)
    y_fit = (X[:n_fit, 0] + 0.5 * X[:n_fit, 1] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = BinaryMLPClassifier(hidden_layer_sizes=tuple(args.hidden), dtype="float32",
                                    max_iter=5, random_state=args.seed).fit(X[:n_fit], y_fit)
    itemsize = model.coefs_[0].dtype.itemsize
    widths = [W.shape[1] for W in model.coefs_]
    # the chunking rule of the estimators: X's row (cast) plus every layer's outputs
    row_bytes = itemsize * (args.features + sum(widths))

    rows, results = [], []
    for method in args.methods:
        for working_memory in args.working_memory:
            with sklearn.config_context(working_memory=working_memory):
                peak, output = _traced_peak(getattr(model, method), X)
            chunk_rows = get_chunk_n_rows(row_bytes, max_n_rows=args.rows,
                                          working_memory=working_memory)
            activations = chunk_rows * sum(widths) * itemsize
            output_bytes = sum(a.nbytes for a in output) if isinstance(output, list) \
                else output.nbytes
            bound = output_bytes + activations
            ratio = peak / bound
            results.append({
                "method": method, "working_memory_mib": working_memory,
                "chunk_rows": chunk_rows, "n_chunks": -(-args.rows // chunk_rows),
                "output_bytes": output_bytes, "chunk_activation_bytes": activations,
                "peak_bytes": peak, "ratio": ratio, "within_target": ratio <= 1.2,
            })
            rows.append([method, f"{working_memory:g}", chunk_rows,
                         f"{output_bytes / MIB:.1f}", f"{activations / MIB:.1f}",
                         f"{peak / MIB:.1f}", f"{ratio:.3f}"])
            del output

    print(f"Peak memory of prediction: {args.rows} x {args.features} float32 rows, a "
          f"{'-'.join(map(str, [args.features, *widths]))} float32 net (seed {args.seed}); "
          "peak = tracemalloc's peak during the call; ratio = peak / (output + one "
          "chunk's activations), target <= 1.2")
    print(format_table(["method", "working_memory MiB", "chunk rows", "output MiB",
                        "chunk activations MiB", "peak MiB", "ratio"], rows))
    print(json_line({"rows": args.rows, "features": args.features, "hidden": args.hidden,
                     "dtype": "float32", "seed": args.seed, "target_ratio": 1.2,
                     "results": results}))


if __name__ == "__main__":
    main()
