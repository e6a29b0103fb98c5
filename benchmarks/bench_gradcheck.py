"""How long does the seed's gradient check (1.4.3) take on the seed's MNIST net?

The net is 784-64-16-10 (logistic, tanh, softmax; 51,450 parameters), with
the L2 term (alpha = 1e-4) in the objective.  ``sknn_cn.gradcheck.check_gradients``
checks *every* parameter with a two-sided difference in float64, on:

* ``mnist``:  the first N training images of MNIST (pixels / 255, 81 % of them
  exactly 0; sklearn's 8x8 digits, padded to 784 features, when MNIST is
  absent), and
* ``uniform``: X drawn uniformly from [0, 1] (seed 1.4.3.2 step 3: "set X at
  random, preferably normalised to [0, 1]"), which has no zeros to skip,

for a fresh initialisation and after one epoch of training.

For scale, the plain way (one full forward pass per perturbation, 2 x 51,450
of them) is timed on a random sample of elements and extrapolated.

Usage::

    python benchmarks/bench_gradcheck.py            # N = 100, ~1 min on 2 cores
    python benchmarks/bench_gradcheck.py --quick    # N = 20, a few seconds
"""

import argparse
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from _common import format_table, json_line, machine_info, machine_notes  # noqa: E402

from sknn_cn import MulticlassMLPClassifier, network
from sknn_cn.gradcheck import check_gradients

TARGET_SECONDS = 60.0


def _mnist(n, seed):
    from sknn_cn.datasets import load_handwritten_digits

    data = load_handwritten_digits(n_test=0)  # a pool: MNIST's training images, or every digit
    if data.name == "mnist":
        return data.X_train, data.y_train, "MNIST"
    print(f"{data.description} Padded to 784 features.", file=sys.stderr)
    X = np.zeros((len(data.y_train), 784), dtype=np.float32)
    X[:, :64] = data.X_train
    return X, data.y_train, "sklearn digits (padded)"


def _net(seed):
    return MulticlassMLPClassifier((64, 16), activation=("logistic", "tanh"),
                                   alpha=1e-4, random_state=seed)


def _plain_seconds_per_element(result, X, y, n_elements, seed):
    """Seconds per element of the plain check: two full forward passes each."""
    rng = np.random.default_rng(seed)
    Y = np.eye(10)[y]  # labels are 0..9
    theta = result.theta.copy()
    picked = rng.choice(theta.size, size=n_elements, replace=False)
    h = result.epsilon

    def J(vector):
        arrays = result.to_arrays(vector)
        params = [(arrays[f"W{k}"], arrays[f"b{k}"])
                  for k in range(1, len(result.params) + 1)]
        _, per_sample = network.forward(params, X, result.activations,
                                        result.out_activation, Y=Y)
        weights = vector[:network.n_weights(params)]  # theta = [W1..WL, b1..bL]
        return per_sample.mean() + network.l2_term(weights, result.alpha, len(y))

    start = time.perf_counter()
    max_dev = 0.0
    for k in picked:
        keep = theta[k]
        theta[k] = keep + h
        plus = J(theta)
        theta[k] = keep - h
        minus = J(theta)
        theta[k] = keep
        max_dev = max(max_dev, abs((plus - minus) / (2 * h) - result.numerical[k]))
    return (time.perf_counter() - start) / n_elements, max_dev


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 samples, fewer plain checks")
    parser.add_argument("--samples", type=int, default=None, help="N (default 100; 20 quick)")
    parser.add_argument("--plain-elements", type=int, default=None,
                        help="elements timed the plain way (default 400; 100 quick)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n = args.samples or (20 if args.quick else 100)
    n_plain = args.plain_elements or (100 if args.quick else 400)

    info = machine_info()
    for line in machine_notes(info):
        print("#", line)
    X_all, y_all, source = _mnist(n, args.seed)
    rng = np.random.default_rng(args.seed)
    rows_taken = rng.choice(len(y_all), size=n, replace=False)
    X_img = np.asarray(X_all[rows_taken], dtype=np.float64)
    y = y_all[rows_taken]
    X_uniform = rng.uniform(0.0, 1.0, size=X_img.shape)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        trained = _net(args.seed).set_params(max_iter=1).fit(
            X_all[:10000], y_all[:10000])

    cases = [(f"{source}, fresh", _net(args.seed), X_img),
             (f"{source}, after 1 epoch", trained, X_img),
             ("uniform [0,1] X, fresh", _net(args.seed), X_uniform)]
    rows, results, checked = [], {}, {}
    for label, est, X in cases:
        result = check_gradients(est, X, y, classes=np.arange(10))
        print(f"\n{label}:\n{result}")
        rows.append([label, result.n_checked, f"{result.diff:.2e}", result.verdict,
                     f"{result.elapsed:.1f}"])
        results[label] = {"n_checked": result.n_checked, "diff": result.diff,
                          "verdict": result.verdict, "seconds": result.elapsed,
                          "per_parameter": {p["name"]: p["diff"]
                                            for p in result.per_parameter}}
        checked["uniform" if X is X_uniform else label] = result

    fresh = checked["uniform"]  # every element checked, compare the plain way
    per_element, max_dev = _plain_seconds_per_element(fresh, X_uniform, y, n_plain,
                                                      args.seed)
    plain_total = per_element * fresh.theta.size
    print()
    print(format_table(["case", "elements", "diff", "verdict", "seconds"], rows,
                       align="lrrlr"))
    print(f"\nplain check (2 full forward passes per element), timed on {n_plain} "
          f"elements: {per_element * 1e3:.2f} ms per element -> "
          f"{plain_total:.0f} s for all {fresh.theta.size}; it agrees with "
          f"check_gradients to {max_dev:.1e}.")
    worst = max(r["seconds"] for r in results.values())
    print(f"target: every parameter in <= {TARGET_SECONDS:.0f} s; slowest case "
          f"{worst:.1f} s with N = {n} ({'met' if worst <= TARGET_SECONDS else 'MISSED'}).")
    print(json_line({"benchmark": "gradcheck", "n_samples": n, "data": source,
                     "cases": results, "plain_seconds_estimate": plain_total,
                     "plain_max_deviation": max_dev, "machine": info}))


if __name__ == "__main__":
    main()
