"""The no-improvement counters in the training state and in model files
(format_version 3), and how a format_version 2 file (written before them and
before n_iter_no_change='auto') loads."""

import json
import os
import warnings
import zipfile

import numpy as np
import pytest

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier
from sknn_cn.datasets import make_double_arc
from sknn_cn.persistence import ModelFileError, load_model, read_header, save_model

V2_FILE = os.path.join(os.path.dirname(__file__), "data", "v2_binary_default.skmodel")


def adaptive(**kw):
    """sgd + 'adaptive' with tol so large no epoch improves: a plateau (rate / 5)
    after every n_iter_no_change + 1 epochs, the first after epoch 4."""
    return BinaryMLPClassifier((3,), solver="sgd", learning_rate="adaptive",
                               n_iter_no_change=2, tol=10.0, random_state=0, **kw)


def rewrite(src, dst, change):
    with zipfile.ZipFile(src) as zf:
        content = {name: zf.read(name) for name in zf.namelist()}
    header = json.loads(content["header.json"])
    change(header)
    content["header.json"] = json.dumps(header).encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zf:
        for name, data in content.items():
            zf.writestr(name, data)
    return dst


def assert_same_model(a, b):
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(u, v)
    assert a.loss_curve_ == b.loss_curve_


@pytest.mark.parametrize("n_before", [4, 5])   # saved right at a plateau / one after
def test_adaptive_partial_fit_after_load_is_bit_identical(tmp_path, n_before):
    X, y = make_double_arc(120, random_state=2)
    est = adaptive()
    for _ in range(n_before):
        est.partial_fit(X, y, classes=[0, 1])
    state = est.get_training_state()
    assert state["n_plateaus"] == 1 and state["no_improvement"] == n_before - 4
    path = save_model(est, tmp_path / "m.skmodel")
    assert read_header(path)["model"]["training_state"]["n_plateaus"] == 1
    loaded = load_model(path)
    assert loaded.get_training_state()["n_plateaus"] == 1
    for _ in range(6):                    # two more plateaus on the way
        est.partial_fit(X, y)
        loaded.partial_fit(X, y)
    assert est.get_training_state()["n_plateaus"] == 3
    assert_same_model(loaded, est)
    assert loaded.get_training_state()["no_improvement"] == \
        est.get_training_state()["no_improvement"]


def test_without_the_counters_the_continuation_differs(tmp_path):
    """The counters matter: a loaded copy whose counters are put back to 0 (what
    format_version 2 kept) continues at the undivided rate, not as the original."""
    X, y = make_double_arc(120, random_state=2)
    est = adaptive()
    for _ in range(4):
        est.partial_fit(X, y, classes=[0, 1])
    loaded = load_model(save_model(est, tmp_path / "m.skmodel"))
    loaded.set_training_state({**loaded.get_training_state(), "n_plateaus": 0,
                               "no_improvement": 0})
    est.partial_fit(X, y)
    loaded.partial_fit(X, y)
    assert not np.array_equal(loaded.coefs_[0], est.coefs_[0])


def test_explicit_n_iter_no_change_count_goes_on_after_load(tmp_path):
    """sklearn's no-improvement count (no 'adaptive'): a loaded model stops after
    the same epoch as the original (constant rate, stopping rule per partial_fit)."""
    X, y = make_double_arc(120, random_state=2)
    est = MulticlassMLPClassifier((4,), solver="sgd", n_iter_no_change=3, tol=10.0,
                                  random_state=0)
    for _ in range(3):
        est.partial_fit(X, y, classes=[0, 1])
    assert est.get_training_state()["no_improvement"] == 2
    loaded = load_model(save_model(est, tmp_path / "m.skmodel"))
    assert loaded.get_training_state()["no_improvement"] == 2
    for _ in range(3):
        est.partial_fit(X, y)
        loaded.partial_fit(X, y)
    assert_same_model(loaded, est)


@pytest.mark.parametrize("name", ["no_improvement", "n_plateaus"])
@pytest.mark.parametrize("value", [-1, 1.5, True, "2", None])
def test_set_training_state_checks_the_counters(name, value):
    X, y = make_double_arc(40, random_state=1)
    est = adaptive()
    est.partial_fit(X, y, classes=[0, 1])
    state = est.get_training_state()
    with pytest.raises(ValueError, match=f"{name} must be an integer >= 0; got"):
        est.set_training_state({**state, name: value})


def test_set_training_state_names_a_missing_counter():
    X, y = make_double_arc(40, random_state=1)
    est = adaptive()
    est.partial_fit(X, y, classes=[0, 1])
    state = est.get_training_state()
    del state["n_plateaus"]
    with pytest.raises(ValueError, match=r"missing \['n_plateaus'\]"):
        est.set_training_state(state)
    est.set_training_state({**state, "n_plateaus": 2})
    assert est.get_training_state()["n_plateaus"] == 2


@pytest.mark.parametrize("change, match", [
    (lambda h: h["model"]["training_state"].pop("n_plateaus"), "keys must be"),
    (lambda h: h["model"]["training_state"].update(n_plateaus=-1), "n_plateaus=-1"),
    (lambda h: h["model"]["training_state"].update(no_improvement=1.5),
     "no_improvement=1.5"),
    (lambda h: h.update(format_version=2), "keys must be"),   # v2 has no counters
    (lambda h: h.update(format_version=4), "format_version 4"),
    (lambda h: h.update(format_version=True), "format_version True"),
    (lambda h: h.update(format_version=3.0), "format_version 3.0"),
])
def test_model_file_counters_checked(tmp_path, change, match):
    X, y = make_double_arc(40, random_state=1)
    est = adaptive()
    est.partial_fit(X, y, classes=[0, 1])
    path = save_model(est, tmp_path / "m.skmodel")
    assert read_header(path)["format_version"] == 3
    with pytest.raises(ModelFileError, match=match):
        load_model(rewrite(path, tmp_path / "bad", change))


# ------------------------------------------------------- format_version 2 files
def test_v2_file_written_by_the_old_code_loads_with_auto():
    """tests/data/v2_binary_default.skmodel was written by commit 8c436b5
    (tests/data/make_v2_model.py): n_iter_no_change=10, the old default, meant
    10 checks each ceil(100 / batches) epochs, which is 'auto' now."""
    assert read_header(V2_FILE)["model"]["params"]["n_iter_no_change"] == 10
    with pytest.warns(UserWarning, match="n_iter_no_change=10 is loaded as 'auto'"):
        loaded = load_model(V2_FILE)
    assert loaded.get_params()["n_iter_no_change"] == "auto"
    state = loaded.get_training_state()
    assert (state["no_improvement"], state["n_plateaus"], state["n_updates"]) == (0, 0, 3)
    X, y = make_double_arc(40, random_state=1)
    reference = BinaryMLPClassifier((2,), solver="sgd", max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference.fit(X, y)     # today's code, same seed: the same 3 epochs
    np.testing.assert_array_equal(loaded.predict_proba(X), reference.predict_proba(X))
    for _ in range(2):
        loaded.partial_fit(X, y)
        reference.partial_fit(X, y)
    # the same continuation; to rounding only, as the arithmetic of an update
    # has been reordered since 8c436b5 (seen: 3e-19 on a 9e-4 bias)
    for u, v in zip(loaded.coefs_ + loaded.intercepts_,
                    reference.coefs_ + reference.intercepts_):
        np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-15)
    assert loaded.n_updates_ == reference.n_updates_ == 5


def test_v2_file_with_another_number_keeps_it_and_says_its_meaning_changed(tmp_path):
    path = rewrite(V2_FILE, tmp_path / "m.skmodel",
                   lambda h: h["model"]["params"].update(n_iter_no_change=50))
    with pytest.warns(UserWarning, match="n_iter_no_change=50 is kept but now means "
                                         "sklearn's rule"):
        loaded = load_model(path)
    assert loaded.n_iter_no_change == 50


def test_v2_file_from_after_auto_is_read_as_written(tmp_path):
    """A version 2 file naming learning_rate was written with 'auto' already in
    place (the dev window before format_version 3): its 10 is sklearn's 10."""
    X, y = make_double_arc(40, random_state=1)
    est = adaptive()
    est.partial_fit(X, y, classes=[0, 1])
    est.set_params(n_iter_no_change=10)

    def as_v2(h):
        h["format_version"] = 2
        for key in ("no_improvement", "n_plateaus"):
            del h["model"]["training_state"][key]
    path = rewrite(save_model(est, tmp_path / "m.skmodel"), tmp_path / "v2", as_v2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load_model(path)
    assert loaded.n_iter_no_change == 10
    assert loaded.get_training_state()["no_improvement"] == 0
