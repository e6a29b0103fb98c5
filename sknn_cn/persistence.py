"""Save and load fitted classifiers without pickle: loading never runs code.

A model file is an ``.npz`` archive (a zip of ``.npy`` arrays) holding

* ``__header__``: UTF-8 JSON with the format name and version, the package
  version, the estimator's class name, its constructor parameters, and a
  description (name, dtype, shape, SHA-256) of every array;
* one array per fitted NumPy array (``coefs_.0``, ``intercepts_.0``,
  ``classes_``, ...).

:func:`load_model` opens it with ``np.load(..., allow_pickle=False)``, so no
object is ever unpickled, and accepts only

* a class name from this package's own estimators (:data:`SUPPORTED_ESTIMATORS`),
  looked up in a fixed table, never imported by name;
* constructor parameters that the class has, holding plain JSON data, NumPy
  dtype names, or learning-rate schedules from :mod:`sknn_cn.schedules`
  (again by a fixed table);
* exactly the arrays the header lists, with the listed dtype, shape and
  checksum, and numeric / string dtypes only;
* weights whose shapes chain into a network that matches ``classes_`` and
  ``n_features_in_``.

Anything else (a truncated or corrupt file, an unknown type, extra or missing
arrays, a tampered array) raises :class:`ModelFileError` with the reason.

:func:`save_model` writes to a temporary file in the target directory and
moves it into place with :func:`os.replace`, so a crash never leaves a
half-written model under the final name.

Why not ``skops.io``? It would work (with exactly our types trusted), but it is
an extra dependency, and our state also holds a NumPy random generator and the
optimizer's moment arrays, which would need more trusted types.  ``.npz`` +
JSON needs only NumPy, and the file can be inspected with any zip tool.

Example
-------
>>> from sknn_cn.persistence import save_model, load_model   # doctest: +SKIP
>>> save_model(clf, "model.npz")                              # doctest: +SKIP
>>> clf2 = load_model("model.npz")                            # doctest: +SKIP
"""

import hashlib
import json
import math
import os
import tempfile
import warnings
import zipfile

import numpy as np
from sklearn.utils.validation import check_is_fitted

from . import __version__
from . import schedules as _schedules
from .network import pack_params

__all__ = ["ModelFileError", "SUPPORTED_ESTIMATORS", "save_model", "load_model",
           "read_header"]

FORMAT_NAME = "sknn_cn-model"
FORMAT_VERSION = 1
_HEADER_KEY = "__header__"
#: dtype kinds allowed in a model file: bool, int, uint, float, unicode str.
_SAFE_KINDS = "biufU"
#: Bit generators whose state is plain integers.
_BIT_GENERATORS = ("PCG64", "PCG64DXSM")


class ModelFileError(ValueError):
    """The file is not a valid sknn_cn model (corrupt, truncated, tampered or
    naming a type this package does not trust)."""


def _estimator_table():
    from ._mlp import BinaryMLPClassifier, MulticlassMLPClassifier

    return {cls.__name__: cls for cls in (BinaryMLPClassifier, MulticlassMLPClassifier)}


def _schedule_table():
    table = {}
    for name in getattr(_schedules, "__all__", dir(_schedules)):
        obj = getattr(_schedules, name, None)
        if isinstance(obj, type) and issubclass(obj, _schedules.LRSchedule):
            table[obj.__name__] = obj
    return table


def __getattr__(name):
    if name == "SUPPORTED_ESTIMATORS":
        return tuple(_estimator_table())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------
# plain values <-> JSON (tagged, so that nothing is ambiguous on the way back)
# ---------------------------------------------------------------------------
def _encode(value, where):
    """Encode a parameter / attribute value as JSON data; refuse anything else."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isfinite(value):
            return value
        return {"__float__": repr(value)}            # 'inf', '-inf', 'nan'
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, where) for v in value]}
    if isinstance(value, list):
        return [_encode(v, where) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k, where), _encode(v, where)]
                             for k, v in value.items()]}
    if isinstance(value, type) and issubclass(value, np.generic):
        return {"__dtype__": np.dtype(value).name}
    if isinstance(value, np.dtype):
        return {"__dtype__": value.name}
    if isinstance(value, _schedules.LRSchedule):
        name = type(value).__name__
        if _schedule_table().get(name) is not type(value):
            raise TypeError(f"{where}: schedule type {name} is not one of "
                            f"sknn_cn.schedules' own classes; cannot save it.")
        return {"__schedule__": name,
                "params": {k: _encode(v, where)
                           for k, v in value.get_params(deep=False).items()}}
    raise TypeError(
        f"{where}: cannot save a value of type {type(value).__name__} ({value!r}) "
        "in a model file; only plain numbers, strings, lists, tuples, dicts, "
        "NumPy dtypes and sknn_cn schedules are supported.")


def _decode(data, where):
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [_decode(v, where) for v in data]
    if isinstance(data, dict) and len(data) in (1, 2):
        if set(data) == {"__float__"} and data["__float__"] in ("inf", "-inf", "nan"):
            return float(data["__float__"])
        if set(data) == {"__tuple__"} and isinstance(data["__tuple__"], list):
            return tuple(_decode(v, where) for v in data["__tuple__"])
        if set(data) == {"__dict__"} and isinstance(data["__dict__"], list):
            out = {}
            for pair in data["__dict__"]:
                if not (isinstance(pair, list) and len(pair) == 2):
                    break
                out[_decode(pair[0], where)] = _decode(pair[1], where)
            else:
                return out
        if set(data) == {"__dtype__"} and data["__dtype__"] in (
                "float16", "float32", "float64"):
            return getattr(np, data["__dtype__"])
        if set(data) == {"__schedule__", "params"}:
            cls = _schedule_table().get(data["__schedule__"])
            if cls is None:
                raise ModelFileError(
                    f"{where}: schedule type {data['__schedule__']!r} is not one of "
                    f"sknn_cn.schedules' classes {sorted(_schedule_table())}; refused.")
            params = data["params"]
            if not isinstance(params, dict):
                raise ModelFileError(f"{where}: schedule params must be an object.")
            allowed = set(cls().get_params(deep=False))
            unknown = set(params) - allowed
            if unknown:
                raise ModelFileError(
                    f"{where}: {cls.__name__} has no parameters {sorted(unknown)}.")
            return cls(**{k: _decode(v, where) for k, v in params.items()})
    raise ModelFileError(f"{where}: unsupported value {data!r} in the header.")


# ---------------------------------------------------------------------------
# save
# ---------------------------------------------------------------------------
def _check_array(arr, where):
    arr = np.asarray(arr)
    if arr.dtype.kind not in _SAFE_KINDS:
        raise TypeError(
            f"{where}: arrays of dtype {arr.dtype} cannot be saved without pickle; "
            "only bool, integer, float and string arrays are supported.")
    return np.ascontiguousarray(arr)


def _describe(arr):
    return {"dtype": arr.dtype.str, "shape": list(arr.shape),
            "sha256": hashlib.sha256(arr.tobytes()).hexdigest()}


def _fitted_state(est):
    """Split the estimator's fitted state into JSON values and arrays."""
    values, arrays, layout = {}, {}, {}
    for name, value in sorted(vars(est).items()):
        public_fitted = name.endswith("_") and not name.startswith("_")
        if not public_fitted:
            continue
        where = f"attribute {name}"
        if isinstance(value, np.ndarray):
            arrays[name] = _check_array(value, where)
            layout[name] = {"array": name}
        elif (isinstance(value, list) and value
              and all(isinstance(v, np.ndarray) for v in value)):
            keys = [f"{name}.{i}" for i in range(len(value))]
            for key, v in zip(keys, value):
                arrays[key] = _check_array(v, where)
            layout[name] = {"arrays": keys}
        else:
            values[name] = _encode(value, where)
    private = {}
    if isinstance(getattr(est, "_n_updates", None), (int, np.integer)):
        private["_n_updates"] = int(est._n_updates)
    rng = getattr(est, "_rng", None)
    if isinstance(rng, np.random.Generator):
        state = rng.bit_generator.state
        if state.get("bit_generator") in _BIT_GENERATORS:
            private["_rng"] = _encode(state, "random generator")
    opt = getattr(est, "_optimizer", None)
    if opt is not None:
        entry = {"class": type(opt).__name__, "values": {}, "arrays": {}}
        for name, value in vars(opt).items():
            if name == "scratch":
                continue                       # work buffers, no state
            if isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
                keys = [f"_optimizer.{name}.{i}" for i in range(len(value))]
                for key, v in zip(keys, value):
                    arrays[key] = _check_array(v, "optimizer state")
                entry["arrays"][name] = keys
            elif value is None or isinstance(value, (bool, int, float, np.number)):
                entry["values"][name] = _encode(value, "optimizer state")
        private["_optimizer"] = entry
    return values, arrays, layout, private


def save_model(estimator, path):
    """Save a fitted sknn_cn classifier to ``path`` (an ``.npz`` file), atomically.

    Parameters
    ----------
    estimator : BinaryMLPClassifier or MulticlassMLPClassifier
        Fitted.
    path : str or os.PathLike
        Destination; ``.npz`` is the natural suffix (none is added). An existing
        file is replaced only once the new one is completely written.

    Returns
    -------
    path : str
        The path written.

    Raises
    ------
    TypeError
        For other estimator types, or a parameter that is not plain data.
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.
    """
    table = _estimator_table()
    name = type(estimator).__name__
    if table.get(name) is not type(estimator):
        raise TypeError(
            f"save_model saves sknn_cn's own classifiers {sorted(table)}; got "
            f"{type(estimator).__module__}.{name}.")
    check_is_fitted(estimator)
    raw_params = estimator.get_params(deep=False)
    rs = raw_params.get("random_state")
    if rs is not None and not isinstance(rs, (int, np.integer)):
        warnings.warn("random_state is a RandomState/Generator object; it is saved "
                      "as None (the fitted generator state is kept).", UserWarning,
                      stacklevel=2)
        raw_params["random_state"] = None
    params = {k: _encode(v, f"parameter {k}") for k, v in raw_params.items()}
    values, arrays, layout, private = _fitted_state(estimator)
    header = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "sknn_cn_version": __version__,
        "numpy_version": np.__version__,
        "estimator": name,
        "params": params,
        "attributes": values,
        "array_attributes": layout,
        "private": private,
        "arrays": {key: _describe(arr) for key, arr in arrays.items()},
    }
    blob = np.frombuffer(json.dumps(header, sort_keys=True).encode("utf-8"),
                         dtype=np.uint8)
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".sknn_cn-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **{_HEADER_KEY: blob}, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


# ---------------------------------------------------------------------------
# load
# ---------------------------------------------------------------------------
def _open(path):
    try:
        return np.load(os.fspath(path), allow_pickle=False)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise ModelFileError(
            f"{os.fspath(path)!r} is not a complete sknn_cn model file (truncated, "
            f"corrupt or not an .npz archive): {exc}") from exc


def _read_header(npz, path):
    if _HEADER_KEY not in npz.files:
        raise ModelFileError(f"{path!r} has no {_HEADER_KEY}: not an sknn_cn model file.")
    try:
        raw = npz[_HEADER_KEY]
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise ValueError("header must be a 1-D uint8 array")
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ModelFileError(f"{path!r}: unreadable header ({exc}).") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{path!r} is not an sknn_cn model file "
                             f"(format {header.get('format') if isinstance(header, dict) else None!r}).")
    version = header.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise ModelFileError(
            f"{path!r} has format_version {version!r}; this sknn_cn "
            f"({__version__}) reads versions 1..{FORMAT_VERSION}.")
    for key, kind in (("estimator", str), ("params", dict), ("attributes", dict),
                      ("array_attributes", dict), ("private", dict), ("arrays", dict)):
        if not isinstance(header.get(key), kind):
            raise ModelFileError(f"{path!r}: header field {key!r} is missing or malformed.")
    return header


def read_header(path):
    """Return the JSON header of a model file (no estimator is built)."""
    with _open(path) as npz:
        return _read_header(npz, os.fspath(path))


def _load_arrays(npz, header, path):
    listed = header["arrays"]
    present = set(npz.files) - {_HEADER_KEY}
    if present != set(listed):
        extra, missing = sorted(present - set(listed)), sorted(set(listed) - present)
        raise ModelFileError(
            f"{path!r}: the arrays do not match the header (unlisted {extra}, "
            f"missing {missing}).")
    arrays = {}
    for key, spec in listed.items():
        try:
            arr = npz[key]
        except (ValueError, zipfile.BadZipFile, EOFError, OSError) as exc:
            raise ModelFileError(f"{path!r}: array {key!r} cannot be read without "
                                 f"pickle or is corrupt ({exc}).") from exc
        if not isinstance(spec, dict):
            raise ModelFileError(f"{path!r}: malformed description of array {key!r}.")
        if arr.dtype.kind not in _SAFE_KINDS:
            raise ModelFileError(f"{path!r}: array {key!r} has dtype {arr.dtype}, "
                                 "which is not allowed.")
        if arr.dtype.str != spec.get("dtype") or list(arr.shape) != spec.get("shape"):
            raise ModelFileError(
                f"{path!r}: array {key!r} is {arr.dtype.str} {list(arr.shape)}, the "
                f"header says {spec.get('dtype')} {spec.get('shape')}.")
        if hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest() != spec.get("sha256"):
            raise ModelFileError(f"{path!r}: array {key!r} does not match its checksum.")
        arrays[key] = arr
    return arrays


def _check_network(est, path):
    """Check that the restored arrays form the network the header describes."""
    def fail(msg):
        raise ModelFileError(f"{path!r}: {msg}")

    for name in ("coefs_", "intercepts_", "classes_", "n_features_in_",
                 "activations_", "out_activation_"):
        if not hasattr(est, name):
            fail(f"fitted attribute {name} is missing.")
    coefs, intercepts = est.coefs_, est.intercepts_
    if not (isinstance(coefs, list) and isinstance(intercepts, list)
            and len(coefs) == len(intercepts) >= 1):
        fail("coefs_ and intercepts_ must be lists of the same length >= 1.")
    width = est.n_features_in_
    if not isinstance(width, int) or width < 1:
        fail(f"n_features_in_={width!r} is not a positive integer.")
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        if W.dtype.kind != "f" or b.dtype.kind != "f":
            fail(f"layer {i + 1} weights must be floating point.")
        if W.ndim != 2 or W.shape[0] != width or b.shape != (W.shape[1],):
            fail(f"layer {i + 1} has W {W.shape} and b {b.shape}; expected W "
                 f"({width}, k) and b (k,).")
        width = W.shape[1]
    classes = est.classes_
    if not isinstance(classes, np.ndarray) or classes.ndim != 1 or len(classes) < 2:
        fail("classes_ must be a 1-D array of at least 2 labels.")
    expected_out = 1 if est._out_activation == "logistic" else len(classes)
    if width != expected_out or est.out_activation_ != est._out_activation:
        fail(f"the output layer has {width} units ({est.out_activation_!r}); "
             f"{type(est).__name__} with {len(classes)} classes needs {expected_out} "
             f"({est._out_activation!r}).")
    from .network import ACTIVATIONS

    acts = est.activations_
    if (not isinstance(acts, (tuple, list)) or len(acts) != len(coefs) - 1
            or any(a not in ACTIVATIONS for a in acts)):
        fail(f"activations_={acts!r} must name one of {sorted(ACTIVATIONS)} per "
             "hidden layer.")


def load_model(path, *, expected_type=None):
    """Load a classifier saved by :func:`save_model`; never unpickles anything.

    Parameters
    ----------
    path : str or os.PathLike
    expected_type : class or tuple of classes, optional
        Also require the model to be of this type.

    Returns
    -------
    estimator : BinaryMLPClassifier or MulticlassMLPClassifier
        Fitted: ``predict`` / ``predict_proba`` give exactly what the saved model
        gave, and ``partial_fit`` / ``warm_start`` continue from the saved
        optimizer and random-generator state.

    Raises
    ------
    ModelFileError
        If the file is truncated or corrupt, names a type outside this package's
        own estimators, or its contents do not match its header.
    """
    path_s = os.fspath(path)
    with _open(path) as npz:
        header = _read_header(npz, path_s)
        table = _estimator_table()
        cls = table.get(header["estimator"])
        if cls is None:
            raise ModelFileError(
                f"{path_s!r} names estimator type {header['estimator']!r}, which is "
                f"not one of sknn_cn's own estimators {sorted(table)}; refused.")
        if expected_type is not None and not issubclass(cls, expected_type):
            raise ModelFileError(f"{path_s!r} holds a {cls.__name__}, not "
                                 f"{expected_type!r}.")
        arrays = _load_arrays(npz, header, path_s)

    allowed = set(cls().get_params(deep=False))
    params = header["params"]
    unknown = set(params) - allowed
    if unknown:
        raise ModelFileError(f"{path_s!r}: {cls.__name__} has no parameters "
                             f"{sorted(unknown)}.")
    est = cls(**{k: _decode(v, f"parameter {k}") for k, v in params.items()})
    if header.get("sknn_cn_version") != __version__:
        warnings.warn(f"{path_s!r} was saved by sknn_cn {header.get('sknn_cn_version')}; "
                      f"loading with {__version__}.", UserWarning, stacklevel=2)

    def check_name(name):
        if not (isinstance(name, str) and name.endswith("_") and name[:1].isalpha()
                and name.replace("_", "a").isalnum()):
            raise ModelFileError(f"{path_s!r}: {name!r} is not a fitted-attribute name.")
        if name in allowed:
            raise ModelFileError(f"{path_s!r}: {name!r} is a parameter, not an attribute.")

    used = set()
    for name, value in header["attributes"].items():
        check_name(name)
        setattr(est, name, _decode(value, f"attribute {name}"))
    for name, spec in header["array_attributes"].items():
        check_name(name)
        if set(spec) == {"array"} and spec["array"] in arrays:
            setattr(est, name, arrays[spec["array"]])
            used.add(spec["array"])
        elif (set(spec) == {"arrays"} and isinstance(spec["arrays"], list)
              and all(k in arrays for k in spec["arrays"])):
            setattr(est, name, [arrays[k] for k in spec["arrays"]])
            used.update(spec["arrays"])
        else:
            raise ModelFileError(f"{path_s!r}: attribute {name!r} refers to arrays "
                                 "that are not in the file.")
    if isinstance(getattr(est, "activations_", None), list):
        est.activations_ = tuple(est.activations_)
    _check_network(est, path_s)
    _restore_private(est, header["private"], arrays, used, path_s)
    unused = set(arrays) - used
    if unused:
        raise ModelFileError(f"{path_s!r}: arrays {sorted(unused)} are not used by "
                             "any attribute.")
    return est


def _restore_private(est, private, arrays, used, path):
    """Training state for partial_fit / warm_start: update count, generator,
    optimizer moments. Parts that no longer fit the estimator are dropped with
    a warning (training then continues with a fresh optimizer)."""
    unknown = set(private) - {"_n_updates", "_rng", "_optimizer"}
    if unknown:
        raise ModelFileError(f"{path!r}: unknown private state {sorted(unknown)}.")
    if "_n_updates" in private:
        if not isinstance(private["_n_updates"], int) or private["_n_updates"] < 0:
            raise ModelFileError(f"{path!r}: _n_updates must be a count.")
        est._n_updates = private["_n_updates"]
    if "_rng" in private:
        state = _decode(private["_rng"], "random generator")
        if not isinstance(state, dict) or state.get("bit_generator") not in _BIT_GENERATORS:
            raise ModelFileError(f"{path!r}: unsupported random generator state.")
        bitgen = getattr(np.random, state["bit_generator"])()
        try:
            bitgen.state = state
        except (TypeError, ValueError, KeyError) as exc:
            raise ModelFileError(f"{path!r}: bad random generator state ({exc}).") from exc
        est._rng = np.random.Generator(bitgen)
    entry = private.get("_optimizer")
    if entry is None:
        return
    if not (isinstance(entry, dict) and isinstance(entry.get("values"), dict)
            and isinstance(entry.get("arrays"), dict)):
        raise ModelFileError(f"{path!r}: malformed optimizer state.")
    for keys in entry["arrays"].values():
        if not (isinstance(keys, list) and all(k in arrays for k in keys)):
            raise ModelFileError(f"{path!r}: optimizer state refers to missing arrays.")
        used.update(keys)
    # the optimizer works on the flat parameter vector (sknn_cn.network.pack_params)
    flat = [pack_params(list(zip(est.coefs_, est.intercepts_)))[0]]
    make = getattr(est, "_make_optimizer", None)
    opt = make(flat) if make is not None else None
    ok = opt is not None and type(opt).__name__ == entry.get("class")
    if ok:
        for name, value in entry["values"].items():
            current = getattr(opt, name, "missing")
            value = _decode(value, "optimizer state")
            if current == "missing" or (current is not None and value is not None
                                        and type(current) is not type(value)
                                        and not isinstance(value, (int, float))):
                ok = False
                break
            setattr(opt, name, value)
        for name, keys in entry["arrays"].items():
            current = getattr(opt, name, None)
            saved = [arrays[k] for k in keys]
            if (not isinstance(current, list) or len(current) != len(saved)
                    or any(c.shape != s.shape or c.dtype != s.dtype
                           for c, s in zip(current, saved))):
                ok = False
                break
            setattr(opt, name, [s.copy() for s in saved])
    if ok:
        est._optimizer = opt
    else:
        warnings.warn(f"{path!r}: the saved optimizer state does not fit this "
                      "version of sknn_cn; further training starts a fresh optimizer.",
                      UserWarning, stacklevel=3)
