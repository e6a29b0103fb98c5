"""Tests of sknn_cn.persistence: round trips are exact (predictions and partial_fit
continuation), loading never unpickles, and every malformed file of issue 11 is
refused with ModelFileError naming the file, without blocking or allocating
more than the file's own size."""

import io
import json
import os
import pickle
import stat
import threading
import tracemalloc
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier
from sknn_cn.imbalance import SchapireBoostClassifier
from sknn_cn.datasets import make_coin_hole, make_double_arc
from sknn_cn.persistence import ModelFileError, load_model, read_header, save_model
from sknn_cn.training.schedules import StepSchedule


def fitted(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.fixture(scope="module")
def coin_data():
    X, y = make_coin_hole(200, random_state=0)
    X = pd.DataFrame(X, columns=["x1", "x2"])
    return X, np.array(["hole", "ring", "outside"])[y]


@pytest.fixture(scope="module")
def multiclass(coin_data):
    X, y = coin_data
    est = MulticlassMLPClassifier(
        (5, 3), activation=("logistic", "tanh"), max_iter=15, random_state=0,
        lr_schedule=StepSchedule(step_size=4, gamma=0.5), dtype=np.float32,
        class_weight={"hole": 2.0, "ring": 1.0, "outside": 1.0})
    return fitted(est, X, y)


@pytest.fixture()
def small(tmp_path):
    """A small saved binary model (SGD, no momentum) and its data."""
    X, y = make_double_arc(40, random_state=1)
    est = fitted(BinaryMLPClassifier((2,), solver="sgd", momentum=0.0, max_iter=3,
                                     random_state=0), X, y)
    path = tmp_path / "small.skmodel"
    save_model(est, path)
    return path, est, X


def members(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_members(path, content, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in content.items():
            zf.writestr(name, data)


def rewrite(src, dst, change=None, **arrays):
    """Copy a model file, changing its header (``change(header)``) and/or arrays."""
    content = members(src)
    header = json.loads(content["header.json"])
    if change is not None:
        change(header)
    content["header.json"] = json.dumps(header).encode()
    for name, arr in arrays.items():
        buf = io.BytesIO()
        np.save(buf, arr)
        content[f"{name}.npy"] = buf.getvalue()
    write_members(dst, content)
    return dst


def refused(path, match):
    with pytest.raises(ModelFileError, match=match) as info:
        load_model(path)
    assert repr(os.fspath(path)) in str(info.value)   # names the file


def attrs(h):
    return h["model"]["attributes"]


# ------------------------------------------------------------------ round trips
def test_round_trip_multiclass_identical(tmp_path, multiclass, coin_data):
    X, _ = coin_data
    path = tmp_path / "coin.skmodel"
    assert save_model(multiclass, path) == str(path)
    loaded = load_model(path)
    assert type(loaded) is MulticlassMLPClassifier
    np.testing.assert_array_equal(loaded.predict_proba(X), multiclass.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), multiclass.predict(X))
    np.testing.assert_array_equal(loaded.classes_, multiclass.classes_)
    np.testing.assert_array_equal(loaded.feature_names_in_, ["x1", "x2"])
    assert loaded.feature_names_in_.dtype == object
    assert loaded.coefs_[0].dtype == np.float32
    for name in ("activations_", "out_activation_", "loss_curve_", "n_iter_", "t_",
                 "loss_", "best_loss_", "n_layers_", "n_outputs_", "n_features_in_"):
        assert getattr(loaded, name) == getattr(multiclass, name), name
    p_loaded, p_orig = loaded.get_params(), multiclass.get_params()
    assert repr(p_loaded.pop("lr_schedule")) == repr(p_orig.pop("lr_schedule"))
    assert p_loaded == p_orig


def test_round_trip_binary_with_validation_curves(tmp_path):
    X, y = make_double_arc(150, random_state=0)
    est = fitted(BinaryMLPClassifier((4,), early_stopping=True, max_iter=20,
                                     random_state=0), X, y)
    path = tmp_path / "arc.skmodel"
    save_model(est, path)
    loaded = load_model(path, expected_type=BinaryMLPClassifier)
    np.testing.assert_array_equal(loaded.decision_function(X), est.decision_function(X))
    assert loaded.validation_scores_ == est.validation_scores_
    assert loaded.validation_loss_curve_ == est.validation_loss_curve_
    assert loaded.best_validation_score_ == est.best_validation_score_
    with pytest.raises(ModelFileError, match="not"):
        load_model(path, expected_type=MulticlassMLPClassifier)


@pytest.mark.parametrize("variant", ["classic", "imbalance"])
def test_round_trip_schapire_boost(tmp_path, variant):
    X, y = make_double_arc(150, random_state=0)
    X, y = np.r_[X, X[y == 0]], np.r_[y, y[y == 0]]       # 2:1 imbalance
    est = SchapireBoostClassifier(MulticlassMLPClassifier((4,), max_iter=30),
                                  variant=variant, random_state=0)
    fitted(est, X, y)
    assert len(est.estimators_) == 3
    path = tmp_path / "boost.skmodel"
    save_model(est, path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    assert [type(e) for e in loaded.estimators_] == [type(e) for e in est.estimators_]
    for a, b in zip(loaded.estimators_samples_, est.estimators_samples_):
        np.testing.assert_array_equal(a, b)
    assert getattr(loaded, "minority_class_", None) == getattr(est, "minority_class_", None)
    assert loaded.get_params()["estimator"].get_params() == \
        est.get_params()["estimator"].get_params()


@pytest.mark.parametrize("make", [
    lambda: MulticlassMLPClassifier((4,), max_iter=5, random_state=0),
    lambda: BinaryMLPClassifier((3,), solver="sgd", max_iter=5, random_state=0),
])
@pytest.mark.parametrize("first", ["fit", "partial_fit"])
def test_partial_fit_after_load_is_bit_identical(tmp_path, make, first):
    """Optimizer moments, update count and generator state come back: three more
    partial_fit epochs on the loaded copy equal those on the original."""
    X, y = make_double_arc(120, random_state=2)
    est = make()
    if first == "fit":
        fitted(est, X, y)
    else:
        est.partial_fit(X, y, classes=[0, 1])
    path = tmp_path / "m.skmodel"
    save_model(est, path)
    loaded = load_model(path)
    for _ in range(3):
        est.partial_fit(X, y)
        loaded.partial_fit(X, y)
    for a, b in zip(loaded.coefs_ + loaded.intercepts_, est.coefs_ + est.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert loaded.loss_curve_ == est.loss_curve_


def test_loading_never_unpickles(tmp_path, multiclass, monkeypatch):
    path = tmp_path / "m.skmodel"
    save_model(multiclass, path)

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle used while loading")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, forbidden)
    load_model(path)
    with zipfile.ZipFile(path) as zf:
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
    header = read_header(path)
    assert header["format"] == "sknn_cn-model" and header["format_version"] == 3
    assert header["model"]["params"]["lr_schedule"]["__schedule__"] == "StepSchedule"


# ------------------------------------------------------- issue 11, model files
def test_coefficients_as_json_lists_refused(tmp_path, small):
    path, est, _ = small

    def change(h):
        attrs(h)["coefs_"] = [W.tolist() for W in est.coefs_]
    refused(rewrite(path, tmp_path / "bad", change), "not an array reference")


def test_rng_state_out_of_range_refused(tmp_path, small):
    path, _, _ = small

    def change(h):
        h["model"]["training_state"]["rng"]["state"] = 2**300
    refused(rewrite(path, tmp_path / "bad", change), "rng must hold PCG64 integers")


def test_deeply_nested_header_refused(tmp_path, small):
    path, _, _ = small
    content = members(path)
    content["header.json"] = b'{"format": "sknn_cn-model", "x": ' + b"[" * 100_000 \
        + b"]" * 100_000 + b"}"
    write_members(tmp_path / "deep", content)
    refused(tmp_path / "deep", "RecursionError|nested")
    # nested inside a parameter value, within the JSON parser's reach
    def change(h):
        value = 1
        for _ in range(50):
            value = [value]
        h["model"]["params"]["hidden_layer_sizes"] = value
    refused(rewrite(path, tmp_path / "bad", change), "nested deeper")


def test_declared_shape_too_large_refused(tmp_path, small):
    path, _, _ = small
    content = members(path)
    raw = content["coefs_.0.npy"]
    header_len = 10 + int.from_bytes(raw[8:10], "little")
    fake = np.lib.format.header_data_from_array_1_0(np.zeros(1))
    fake["shape"] = (2**40,)
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, fake)
    content["coefs_.0.npy"] = buf.getvalue() + raw[header_len:]
    write_members(tmp_path / "bad", content)
    tracemalloc.start()
    try:
        refused(tmp_path / "bad", "declares .*1099511627776")
        assert tracemalloc.get_traced_memory()[1] < 4 * 2**20
    finally:
        tracemalloc.stop()


def test_every_single_bit_flip_is_refused_or_harmless(tmp_path, small):
    """Flip one bit at every byte position: either ModelFileError, or (a flip in
    zip metadata nobody reads) a model that predicts exactly as before."""
    path, est, X = small
    data = path.read_bytes()
    expected = est.predict_proba(X)
    bad = tmp_path / "flip"
    outcomes = {"refused": 0, "harmless": 0}
    for pos in range(len(data)):
        flipped = bytearray(data)
        flipped[pos] ^= 1 << (pos % 8)
        bad.write_bytes(flipped)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                loaded = load_model(bad)
        except ModelFileError:
            outcomes["refused"] += 1
            continue
        np.testing.assert_array_equal(loaded.predict_proba(X), expected, err_msg=str(pos))
        outcomes["harmless"] += 1
    assert outcomes["refused"] > len(data) // 2, outcomes


def test_plain_npy_and_other_files_refused(tmp_path):
    np.save(tmp_path / "a.npy", np.arange(3))
    refused(tmp_path / "a.npy", "not a valid sknn_cn model file")
    (tmp_path / "t.txt").write_text("hello")
    refused(tmp_path / "t.txt", "not a valid sknn_cn model file")
    np.savez(tmp_path / "x.npz", a=np.arange(3))
    refused(tmp_path / "x.npz", "no header.json")


def test_optimizer_state_with_non_state_names_refused(tmp_path, small):
    path, _, _ = small

    def change(h):
        h["model"]["training_state"]["optimizer"]["state"]["step"] = None
    refused(rewrite(path, tmp_path / "bad", change), "unknown \\['step'\\]")

    def change(h):
        h["model"]["training_state"]["optimizer"]["class"] = "os.system"
    refused(rewrite(path, tmp_path / "bad", change), "optimizer must name one of")


@pytest.mark.parametrize("change, message", [
    (lambda h: attrs(h).update(fit_=1), "unknown \\['fit_'\\]"),
    (lambda h: attrs(h).update(n_iter_="x"), "n_iter_='x' must be a finite int"),
    (lambda h: attrs(h).update(loss_=float("nan")), "loss_=nan"),
    (lambda h: attrs(h).pop("t_"), "missing \\['t_'\\]"),
    (lambda h: attrs(h).update(n_layers_=4), "n_layers_ - 1 = 3"),
    (lambda h: attrs(h).update(out_activation_="softmax"), "needs 1 'logistic'"),
    (lambda h: attrs(h).update(activations_="relu"), "activations_="),
    (lambda h: h["model"]["params"].update(evil=1), "no parameters \\['evil'\\]"),
    (lambda h: h["model"]["params"].update(solver="newton"), "solver"),
    (lambda h: h["model"].update(estimator="LogisticRegression"), "not one of sknn_cn"),
    (lambda h: h["model"]["params"].update(
        lr_schedule={"__schedule__": "subprocess.Popen", "params": {}}), "not one of"),
    (lambda h: h["model"]["params"].update(tol={"__call__": "x"}), "unsupported value"),
    (lambda h: h.update(format_version=1), "format_version 1"),
    (lambda h: h.update(format="other"), "not an sknn_cn model file"),
])
def test_unknown_or_ill_typed_fields_refused(tmp_path, small, change, message):
    path, _, _ = small
    refused(rewrite(path, tmp_path / "bad", change), message)


def test_nan_weight_and_inconsistent_arrays_refused(tmp_path, small):
    path, est, _ = small
    W = est.coefs_[0].copy()
    W[0, 0] = np.nan
    refused(rewrite(path, tmp_path / "bad", **{"coefs_.0": W}), "NaN or infinite")
    refused(rewrite(path, tmp_path / "bad", **{"coefs_.0": np.zeros((3, 2))}),
            "layer 1 has W")
    refused(rewrite(path, tmp_path / "bad", **{"classes_": np.array([1, 0])}),
            "sorted, distinct")
    obj = tmp_path / "obj"
    rewrite(path, obj, **{"classes_": np.array([object(), 1], dtype=object)})
    refused(obj, "never objects")
    content = members(path)
    content["payload.npy"] = content["classes_.npy"]
    write_members(tmp_path / "extra", content)
    refused(tmp_path / "extra", "payload.npy")
    del content["payload.npy"], content["intercepts_.1.npy"]
    write_members(tmp_path / "missing", content)
    refused(tmp_path / "missing", "intercepts_.1.npy' is missing")


def test_truncated_file_refused(tmp_path, small):
    path, _, _ = small
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 10, 0):
        bad = tmp_path / f"cut{cut}"
        bad.write_bytes(data[:cut])
        refused(bad, "not a valid sknn_cn model file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = []

    def target():
        try:
            load_model(fifo)
        except Exception as exc:    # noqa: BLE001 - recorded and checked below
            result.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "load_model blocked on a FIFO"
    assert isinstance(result[0], ModelFileError) and "not a regular file" in str(result[0])


def test_oversized_header_refused_before_reading(tmp_path, small):
    path, _, _ = small
    content = members(path)
    content["header.json"] = content["header.json"] + b" " * 2**20
    write_members(tmp_path / "padded", content)
    tracemalloc.start()
    try:
        refused(tmp_path / "padded", "over the 1048576 limit")
        assert tracemalloc.get_traced_memory()[1] < 2**20
    finally:
        tracemalloc.stop()


def test_compressed_member_of_zeros_refused_before_inflating(tmp_path, small):
    """Zeros deflate 1000:1 (issue 11 used 512 MiB; 64 MiB shows the same): the
    member is refused from the zip directory alone, nothing is inflated."""
    path, _, _ = small
    bad = tmp_path / "zeros"
    content = members(path)
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in content.items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_STORED)
        chunk = bytes(2**24)
        with zf.open("coefs_.9.npy", "w", force_zip64=True) as out:
            for _ in range(4):
                out.write(chunk)
    del chunk
    assert bad.stat().st_size < 2**20
    tracemalloc.start()
    try:
        refused(bad, "declare more bytes than the file holds|compressed")
        assert tracemalloc.get_traced_memory()[1] < 2**20
    finally:
        tracemalloc.stop()


# --------------------------------------------------------------------- saving
def test_saved_file_respects_umask_and_keeps_existing_mode(tmp_path, small):
    _, est, _ = small
    old = os.umask(0o022)
    try:
        new = tmp_path / "new.skmodel"
        save_model(est, new)
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        os.chmod(new, 0o600)
        save_model(est, new)
        assert stat.S_IMODE(new.stat().st_mode) == 0o600
        os.chmod(new, 0o640)
        save_model(est, new)
        assert stat.S_IMODE(new.stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_save_refuses_foreign_or_unfitted(tmp_path):
    X, y = make_double_arc(40, random_state=0)
    with pytest.raises(TypeError, match="sknn_cn's own classifiers"):
        save_model(LogisticRegression().fit(X, y), tmp_path / "lr")
    with pytest.raises(NotFittedError):
        save_model(BinaryMLPClassifier(), tmp_path / "unfitted")
    boost = SchapireBoostClassifier(LogisticRegression(), random_state=0).fit(X, y)
    with pytest.raises(TypeError, match="LogisticRegression"):
        save_model(boost, tmp_path / "boost")
    assert os.listdir(tmp_path) == []


def test_save_is_atomic(tmp_path, small, monkeypatch):
    path, est, _ = small
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(np.lib.format, "write_array", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        save_model(est, path)
    assert path.read_bytes() == before                   # old model untouched
    assert sorted(os.listdir(path.parent)) == ["small.skmodel"]   # no temporary left


def test_every_header_field_with_hostile_values(tmp_path, small):
    """Each JSON value of the header replaced by hostile values: ModelFileError,
    or a model that predicts (a harmless change such as verbose=None is fine)."""
    path, _, X = small
    content = members(path)
    header = json.loads(content["header.json"])

    def leaves(node, where=()):
        yield where
        items = node.items() if isinstance(node, dict) else \
            enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            yield from leaves(child, where + (key,))

    bad = tmp_path / "bad"
    n_refused = 0
    for where in list(leaves(header))[1:]:
        for value in (None, "x", 2**300, -1, [], {"a": 1}, float("nan"), [[[1]]]):
            changed = json.loads(content["header.json"])
            node = changed
            for key in where[:-1]:
                node = node[key]
            node[where[-1]] = value
            write_members(bad, {**content, "header.json": json.dumps(changed).encode()})
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    loaded = load_model(bad)
            except ModelFileError:
                n_refused += 1
                continue
            assert loaded.predict(X).shape == (len(X),), (where, value)
    assert n_refused > 300
