"""Same numbers, same NumPy calls: compare two checkouts of sknn_cn.

For each checkout (a directory holding ``sknn_cn/``), in a subprocess of its
own:

* fixed-seed fits on scikit-learn's digits (Adam and SGD, 1-2 hidden layers,
  float32 with early stopping and class weights, a weighted binary net on the
  coin hole, the seed's 64-16 logistic/tanh net by ``partial_fit``, a
  ``warm_start`` refit); every fitted weight, loss curve and probability is
  saved, and the two checkouts must agree bit for bit;
* the calls made per mini-batch update of the training loop: every callable of
  the ``numpy`` namespace (ufuncs included) plus C and Python calls seen by
  ``sys.setprofile``, as (fit of 3 epochs - fit of 1 epoch) / extra updates,
  so set-up cancels.  Counts, not seconds: they are stable on a busy machine.

Usage::

    python benchmarks/compare_checkouts.py /path/to/old/checkout /path/to/new/checkout
"""

import collections
import json
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path


def _child(repo, out):
    sys.path.insert(0, repo)
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning

    import sknn_cn
    from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier
    from sknn_cn.datasets import make_coin_hole

    assert sknn_cn.__file__.startswith(str(Path(repo).resolve())), sknn_cn.__file__
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    X = X / 16
    Xc, yc = make_coin_hole(300, random_state=1)
    yc = (yc == yc.max()).astype(int)
    arrays = {}
    configs = {
        "adam": (MulticlassMLPClassifier, dict(hidden_layer_sizes=(32,), max_iter=15,
                                               random_state=0, alpha=1e-3), X, y, None),
        "sgd_deep": (MulticlassMLPClassifier, dict(
            hidden_layer_sizes=(20, 12), activation=("logistic", "relu"), solver="sgd",
            momentum=0.9, max_iter=10, batch_size=64, random_state=3, alpha=0.01), X, y, None),
        "f32_early_stopping": (MulticlassMLPClassifier, dict(
            hidden_layer_sizes=(16,), dtype="float32", early_stopping=True, max_iter=12,
            random_state=5, alpha=0.1, class_weight="balanced"), X, y, None),
        "binary_weighted": (BinaryMLPClassifier, dict(
            hidden_layer_sizes=(6,), activation="tanh", max_iter=30, random_state=2,
            alpha=0.5, shuffle=False), Xc, yc, np.linspace(0.5, 2.0, len(yc))),
        "no_alpha": (MulticlassMLPClassifier, dict(hidden_layer_sizes=(24,), activation="tanh",
                                                   max_iter=8, random_state=9), X, y, None),
    }
    for name, (cls, params, Xd, yd, sw) in configs.items():
        est = cls(**params).fit(Xd, yd, sample_weight=sw)
        for k, (W, b) in enumerate(zip(est.coefs_, est.intercepts_)):
            arrays[f"{name}/W{k}"], arrays[f"{name}/b{k}"] = W, b
        arrays[f"{name}/loss_curve"] = np.array(est.loss_curve_)
        arrays[f"{name}/proba"] = est.predict_proba(Xd[:50])
    est = MulticlassMLPClassifier((64, 16), activation=("logistic", "tanh"), solver="sgd",
                                  momentum=0.0, alpha=0, batch_size=64, dtype="float32",
                                  n_init=1, learning_rate_init=0.5, random_state=0)
    for _ in range(3):
        est.partial_fit(X, y, classes=np.arange(10))
    arrays.update({f"partial_fit/W{k}": W for k, W in enumerate(est.coefs_)})
    est = MulticlassMLPClassifier((10,), warm_start=True, max_iter=3, alpha=0.2, random_state=1)
    est.fit(X, y).fit(X, y)
    arrays.update({f"warm_start/W{k}": W for k, W in enumerate(est.coefs_)})
    np.savez(out + ".npz", **arrays)

    counts = collections.Counter()

    class Counted:
        def __init__(self, name, f):
            self._name, self._f = name, f

        def __call__(self, *args, **kwargs):
            counts["numpy " + self._name] += 1
            return self._f(*args, **kwargs)

        def __getattr__(self, attr):
            return getattr(self._f, attr)

    originals = {n: getattr(np, n) for n in dir(np) if not n.startswith("_")
                 and (isinstance(getattr(np, n), np.ufunc) or type(getattr(np, n)).__name__
                      in ("function", "_ArrayFunctionDispatcher", "builtin_function_or_method"))}

    def profile(frame, event, arg):
        if event == "c_call":
            counts["C"] += 1
        elif event == "call":
            counts["Python"] += 1

    def run(params, epochs):
        est = MulticlassMLPClassifier(max_iter=epochs, random_state=0, batch_size=100, **params)
        counts.clear()
        for n, f in originals.items():
            setattr(np, n, Counted(n, f))
        sys.setprofile(profile)
        try:
            est.fit(X, y)
        finally:
            sys.setprofile(None)
            for n, f in originals.items():
                setattr(np, n, f)
        # n_updates_ is public since the training/ layout; older checkouts kept it private
        n_updates = getattr(est, "n_updates_", None)
        return collections.Counter(counts), (est._n_updates if n_updates is None else n_updates)

    per_update = {}
    for label, params in [("adam 64-32-10 alpha=1e-3", dict(hidden_layer_sizes=(32,), alpha=1e-3)),
                          ("sgd 64-20-12-10 logistic/relu", dict(
                              hidden_layer_sizes=(20, 12), activation=("logistic", "relu"),
                              solver="sgd", momentum=0.9))]:
        run(params, 1)  # warm-up: first-call caches
        c1, n1 = run(params, 1)
        c3, n3 = run(params, 3)
        per_update[label] = {k: round((c3[k] - c1[k]) / (n3 - n1), 2)
                             for k in sorted(set(c1) | set(c3)) if c3[k] != c1[k]}
    Path(out + ".json").write_text(json.dumps(per_update))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        return _child(argv[1], argv[2])
    if len(argv) != 2:
        sys.exit(__doc__)
    import numpy as np

    tmp = tempfile.mkdtemp()
    outs = []
    for k, repo in enumerate(argv):
        out = f"{tmp}/{k}"
        subprocess.run([sys.executable, __file__, "--child", str(Path(repo).resolve()), out],
                       check=True)
        outs.append(out)
    old, new = (np.load(o + ".npz") for o in outs)
    assert sorted(old.files) == sorted(new.files)
    differ = [k for k in old.files if not (old[k].dtype == new[k].dtype
                                            and old[k].shape == new[k].shape
                                            and np.array_equal(old[k], new[k]))]
    print(f"{len(old.files)} fitted arrays compared; not bit-identical: {differ or 'none'}")
    calls = [json.loads(Path(o + ".json").read_text()) for o in outs]
    for label in calls[0]:
        print(f"calls per update, {label}:")
        for kind in ("numpy", "C", "Python"):
            totals = [sum(v for k, v in c[label].items() if k.split()[0] == kind) for c in calls]
            print(f"  {kind:6s} {totals[0]:6.2f} -> {totals[1]:6.2f}")
        numpy_old = {k: v for k, v in calls[0][label].items() if k.startswith("numpy")}
        numpy_new = {k: v for k, v in calls[1][label].items() if k.startswith("numpy")}
        print("  same numpy functions, same counts:", numpy_old == numpy_new)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
