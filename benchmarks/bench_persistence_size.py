"""Stored vs deflated size of a saved model (why sknn_cn.persistence stores members).

Run: PYTHONPATH=. python benchmarks/bench_persistence_size.py  (seeds 0, 1, 2)
"""
import os, sys, tempfile, warnings, zipfile
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sknn_cn import MulticlassMLPClassifier, save_model

warnings.simplefilter("ignore", ConvergenceWarning)
X, y = load_digits(return_X_y=True)
for seed in (0, 1, 2):
    clf = MulticlassMLPClassifier((64, 16), max_iter=30, random_state=seed).fit(X / 16, y)
    d = tempfile.mkdtemp()
    path = os.path.join(d, "m.skmodel")
    save_model(clf, path)
    with zipfile.ZipFile(path) as zf, zipfile.ZipFile(os.path.join(d, "z.zip"), "w",
                                                       zipfile.ZIP_DEFLATED) as zz:
        for name in zf.namelist():
            zz.writestr(name, zf.read(name))
    a, b = os.path.getsize(path), os.path.getsize(os.path.join(d, "z.zip"))
    print(f"seed {seed}: stored {a} B, deflated {b} B, saving {100 * (1 - b / a):.1f} %")
