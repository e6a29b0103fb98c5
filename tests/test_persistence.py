"""Tests of sknn_cn.persistence: round trips are exact, loading never unpickles,
and files that are truncated, tampered with or name foreign types are refused."""

import io
import json
import os
import pickle
import warnings
import zipfile

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression

from sknn_cn._mlp import BinaryMLPClassifier, MulticlassMLPClassifier
from sknn_cn.datasets import make_coin_hole, make_double_arc
from sknn_cn.persistence import ModelFileError, load_model, read_header, save_model
from sknn_cn.schedules import StepSchedule


def fitted(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.fixture(scope="module")
def coin_data():
    X, y = make_coin_hole(200, random_state=0)
    return X, np.array(["hole", "ring", "outside"])[y]


@pytest.fixture(scope="module")
def multiclass(coin_data):
    X, y = coin_data
    est = MulticlassMLPClassifier(
        (5, 3), activation=("logistic", "tanh"), max_iter=15, random_state=0,
        lr_schedule=StepSchedule(step_size=4, gamma=0.5), dtype=np.float32,
        class_weight={"hole": 2.0, "ring": 1.0, "outside": 1.0})
    return fitted(est, X, y)


def rewrite(src, dst, *, header=None, arrays=None, drop=()):
    """Copy a model file, replacing its header (a dict) and/or some arrays."""
    with np.load(src, allow_pickle=False) as npz:
        content = {k: npz[k] for k in npz.files if k not in drop}
    if header is not None:
        content["__header__"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    content.update(arrays or {})
    with open(dst, "wb") as fh:
        np.savez(fh, **content)


def header_of(path):
    with np.load(path, allow_pickle=False) as npz:
        return json.loads(npz["__header__"].tobytes().decode())


# ------------------------------------------------------------------ round trips
def test_round_trip_multiclass_identical(tmp_path, multiclass, coin_data):
    X, _ = coin_data
    path = tmp_path / "coin.npz"
    assert save_model(multiclass, path) == str(path)
    loaded = load_model(path)
    assert type(loaded) is MulticlassMLPClassifier
    np.testing.assert_array_equal(loaded.predict_proba(X), multiclass.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), multiclass.predict(X))
    for a, b in zip(loaded.hidden_activations(X), multiclass.hidden_activations(X)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.classes_, multiclass.classes_)
    assert loaded.coefs_[0].dtype == np.float32
    assert loaded.activations_ == multiclass.activations_
    assert loaded.loss_curve_ == multiclass.loss_curve_
    assert loaded.n_iter_ == multiclass.n_iter_ and loaded.t_ == multiclass.t_
    p_loaded, p_orig = loaded.get_params(), multiclass.get_params()
    assert repr(p_loaded.pop("lr_schedule")) == repr(p_orig.pop("lr_schedule"))
    assert p_loaded == p_orig


def test_round_trip_binary_with_validation_curves(tmp_path):
    X, y = make_double_arc(150, random_state=0)
    est = fitted(BinaryMLPClassifier((4,), early_stopping=True, max_iter=20,
                                     random_state=0), X, y)
    path = tmp_path / "arc.npz"
    save_model(est, path)
    loaded = load_model(path, expected_type=BinaryMLPClassifier)
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    np.testing.assert_array_equal(loaded.decision_function(X), est.decision_function(X))
    assert loaded.validation_scores_ == est.validation_scores_
    assert loaded.score(X, y) == est.score(X, y)
    with pytest.raises(ModelFileError, match="not"):
        load_model(path, expected_type=MulticlassMLPClassifier)


def test_training_continues_exactly_after_load(tmp_path, coin_data):
    """The optimizer moments, update count and generator state come back too:
    one more epoch of partial_fit on the loaded copy = on the original."""
    X, y = coin_data
    est = fitted(MulticlassMLPClassifier((4,), max_iter=5, random_state=0), X, y)
    path = tmp_path / "m.npz"
    save_model(est, path)
    loaded = load_model(path)
    est.partial_fit(X, y)
    loaded.partial_fit(X, y)
    for a, b in zip(loaded.coefs_, est.coefs_):
        np.testing.assert_array_equal(a, b)


def test_loading_never_unpickles(tmp_path, multiclass, monkeypatch):
    path = tmp_path / "m.npz"
    save_model(multiclass, path)

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle used while loading")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    load_model(path)
    # and the archive holds only .npy arrays of plain dtypes plus the header
    with zipfile.ZipFile(path) as zf:
        assert all(name.endswith(".npy") for name in zf.namelist())
    header = read_header(path)
    assert header["estimator"] == "MulticlassMLPClassifier"
    assert header["format"] == "sknn_cn-model" and header["format_version"] == 1
    assert header["params"]["lr_schedule"]["__schedule__"] == "StepSchedule"


# ---------------------------------------------------------------- refusals
def test_truncated_file_is_refused(tmp_path, multiclass):
    path = tmp_path / "m.npz"
    save_model(multiclass, path)
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 10):
        bad = tmp_path / f"cut{cut}.npz"
        bad.write_bytes(data[:cut])
        with pytest.raises(ModelFileError, match="truncated|corrupt|checksum"):
            load_model(bad)


def test_untrusted_type_is_refused(tmp_path, multiclass):
    path, bad = tmp_path / "m.npz", tmp_path / "bad.npz"
    save_model(multiclass, path)
    for name in ("LogisticRegression", "sklearn.svm.SVC", "os.system", "__import__"):
        header = header_of(path)
        header["estimator"] = name
        rewrite(path, bad, header=header)
        with pytest.raises(ModelFileError, match="not one of sknn_cn's own estimators"):
            load_model(bad)
    header = header_of(path)
    header["params"]["lr_schedule"]["__schedule__"] = "subprocess.Popen"
    rewrite(path, bad, header=header)
    with pytest.raises(ModelFileError, match="schedule type 'subprocess.Popen'"):
        load_model(bad)


def test_pickled_object_array_is_refused(tmp_path, multiclass):
    path, bad = tmp_path / "m.npz", tmp_path / "bad.npz"
    save_model(multiclass, path)
    header = header_of(path)
    key = "coefs_.0"
    header["arrays"][key]["dtype"] = "|O"
    buf = io.BytesIO()
    with np.load(path, allow_pickle=False) as npz:
        content = {k: npz[k] for k in npz.files}
    content[key] = np.array([object()], dtype=object)   # needs pickle to read
    content["__header__"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    np.savez(buf, **content)
    bad.write_bytes(buf.getvalue())
    with pytest.raises(ModelFileError, match="pickle"):
        load_model(bad)


def test_tampered_contents_are_refused(tmp_path, multiclass):
    path, bad = tmp_path / "m.npz", tmp_path / "bad.npz"
    save_model(multiclass, path)
    with np.load(path, allow_pickle=False) as npz:
        W0 = npz["coefs_.0"]
    # changed values: checksum
    rewrite(path, bad, arrays={"coefs_.0": W0 + 1})
    with pytest.raises(ModelFileError, match="checksum"):
        load_model(bad)
    # an extra array, a missing array
    rewrite(path, bad, arrays={"payload": np.zeros(3)})
    with pytest.raises(ModelFileError, match="unlisted"):
        load_model(bad)
    rewrite(path, bad, drop=("intercepts_.1",))
    with pytest.raises(ModelFileError, match="missing"):
        load_model(bad)
    # a consistent header that describes a broken network (shapes do not chain)
    W_bad = np.zeros((W0.shape[0] + 1, W0.shape[1]), dtype=W0.dtype)
    header = header_of(path)
    header["arrays"]["coefs_.0"] = {"dtype": W_bad.dtype.str, "shape": list(W_bad.shape),
                                    "sha256": __import__("hashlib").sha256(
                                        W_bad.tobytes()).hexdigest()}
    rewrite(path, bad, header=header, arrays={"coefs_.0": W_bad})
    with pytest.raises(ModelFileError, match="layer 1"):
        load_model(bad)
    # unknown parameter, bad attribute name, unknown header tag, newer format
    for change, message in (
            (lambda h: h["params"].update(evil=1), "no parameters"),
            (lambda h: h["attributes"].update({"__class__": 1}), "fitted-attribute name"),
            (lambda h: h["attributes"].update(n_iter_={"__call__": "x"}), "unsupported value"),
            (lambda h: h.update(format_version=99), "format_version 99"),
            (lambda h: h.update(format="other"), "not an sknn_cn model file")):
        header = header_of(path)
        change(header)
        rewrite(path, bad, header=header)
        with pytest.raises(ModelFileError, match=message):
            load_model(bad)


def test_not_a_model_file(tmp_path):
    other = tmp_path / "x.npz"
    np.savez(other, a=np.arange(3))
    with pytest.raises(ModelFileError, match="no __header__"):
        load_model(other)
    text = tmp_path / "x.txt"
    text.write_text("hello")
    with pytest.raises(ModelFileError, match="not a complete"):
        load_model(text)


# --------------------------------------------------------------------- saving
def test_save_refuses_foreign_or_unfitted(tmp_path):
    X, y = make_double_arc(40, random_state=0)
    with pytest.raises(TypeError, match="sknn_cn's own classifiers"):
        save_model(LogisticRegression().fit(X, y), tmp_path / "lr.npz")
    with pytest.raises(NotFittedError):
        save_model(BinaryMLPClassifier(), tmp_path / "unfitted.npz")
    assert os.listdir(tmp_path) == []


def test_save_is_atomic(tmp_path, multiclass, monkeypatch):
    path = tmp_path / "m.npz"
    save_model(multiclass, path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(np, "savez_compressed", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        save_model(multiclass, path)
    assert path.read_bytes() == before                 # old model untouched
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]   # no temporary left behind
