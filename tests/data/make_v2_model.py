"""Wrote tests/data/v2_binary_default.skmodel with sknn_cn as of commit 8c436b5
(59088fd^, the last main before n_iter_no_change='auto', learning_rate and the
training-state counters): format_version 2, default n_iter_no_change=10.

    git archive 8c436b5 | tar -x -C /tmp/old
    cd /tmp/old && PYTHONPATH=$PWD python /path/to/make_v2_model.py OUT.skmodel
"""
import sys
import warnings

from sklearn.exceptions import ConvergenceWarning

from sknn_cn import BinaryMLPClassifier
from sknn_cn.datasets import make_double_arc
from sknn_cn.persistence import save_model

X, y = make_double_arc(40, random_state=1)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    est = BinaryMLPClassifier((2,), solver="sgd", max_iter=3, random_state=0).fit(X, y)
save_model(est, sys.argv[1])
