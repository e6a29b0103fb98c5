"""Save and load fitted classifiers as a documented, versioned file; loading runs no code.

Format (``format_version`` 2)
-----------------------------
A model file is a zip archive whose members are all *stored* (not compressed):

* ``header.json`` (at most 1 MiB of UTF-8 JSON)::

    {"format": "sknn_cn-model", "format_version": 2, "sknn_cn_version": "...",
     "model": {"estimator": "<class name>", "params": {...},
               "attributes": {...}, "training_state": {...}}}

  ``params`` are the estimator's public constructor parameters
  (``get_params(deep=False)``); ``attributes`` its public fitted attributes,
  listed per class in :data:`FITTED_ATTRIBUTES`; ``training_state`` what
  ``partial_fit`` needs to continue exactly (the update count, the random
  generator's PCG64 state and the optimizer's public state, see
  :meth:`sknn_cn.optimizers.AdamOptimizer.state_dict`).  A
  ``SchapireBoostClassifier`` nests one ``model`` per learner.
* one ``.npy`` member per array, at a name fixed by the header (``coefs_.0.npy``,
  ``classes_.npy``, ``training_state.optimizer.ms.0.npy``, ...).  The JSON
  holds an array's place as ``true`` (single array), a count (list of arrays)
  or ``null`` (attribute is ``None``).

What loading protects against
-----------------------------
:func:`load_model` never unpickles (``.npy`` members are read with dtype kinds
``b i u f U`` only) and builds only this package's own classes from a fixed
table, never by importing a name from the file.  It refuses, with
:class:`ModelFileError` naming the file and the field, anything it cannot fully
validate: a non-regular file (a FIFO or device is never opened for reading), a
header over 1 MiB or nested too deep, compressed or duplicated members, an
array whose declared shape does not match its bytes (checked before any
allocation, so a file never costs more memory than about twice its own size),
unknown or missing fields, wrong types, shapes, dtypes, non-finite weights or
optimizer moments, layers that do not chain from ``n_features_in_`` to the
output ``classes_`` need, and random-generator states out of range.  Zip's
CRC-32 of each member catches accidental corruption.

What it does not protect against
--------------------------------
The file is **not signed**: whoever can write it can change the model (its
weights, its classes), and the result loads as a valid model.  Keep model
files where only you can write, or check them against a digest you keep
elsewhere (``sha256sum``).

Why ``.npz``-style zip + JSON, not ``skops.io``?  skops would need a new
runtime dependency and a list of trusted types that must include our
classifiers, our schedules and NumPy's generator anyway; the validation above
(shapes chaining between layers, finiteness, optimizer state) would still be
ours.  The zip + JSON file needs only NumPy and the standard library and can be
read with any zip tool.  Members are stored uncompressed because deflate saves
little on trained weights (7 % on the README's example) and storing lets the
loader bound every member by the file's own size.

:func:`save_model` writes to a temporary file in the target directory and
moves it into place with :func:`os.replace`: an existing file is replaced only
by a complete new one, keeps its permission bits, and a new file gets the
permissions of any new file (``0o666`` minus the umask).
"""

import json
import math
import os
import stat
import struct
import warnings
import zipfile
import zlib

import numpy as np

from . import __version__
from . import schedules as _schedules
from .activations import ACTIVATIONS
from .optimizers import AdamOptimizer, OptimizerStateError, SGDOptimizer

__all__ = ["ModelFileError", "FITTED_ATTRIBUTES", "save_model", "load_model",
           "read_header"]

FORMAT_NAME = "sknn_cn-model"
FORMAT_VERSION = 2
HEADER_NAME = "header.json"
MAX_HEADER_BYTES = 1 << 20
_MAX_DEPTH = 8              # nesting of parameter values (tuples, dicts)
_SAFE_KINDS = "biufU"
_OPTIMIZERS = {"AdamOptimizer": AdamOptimizer, "SGDOptimizer": SGDOptimizer}
_MLP_ATTRIBUTES = (
    "coefs_", "intercepts_", "classes_", "n_features_in_", "feature_names_in_",
    "n_iter_", "t_", "loss_", "loss_curve_", "best_loss_", "validation_loss_curve_",
    "validation_scores_", "best_validation_score_", "n_layers_", "n_outputs_",
    "activations_", "out_activation_")
#: The public fitted attributes saved for each class (nothing else is saved).
FITTED_ATTRIBUTES = {
    "BinaryMLPClassifier": _MLP_ATTRIBUTES,
    "MulticlassMLPClassifier": _MLP_ATTRIBUTES,
    "SchapireBoostClassifier": (
        "classes_", "n_features_in_", "feature_names_in_", "majority_class_",
        "minority_class_", "estimators_", "estimators_samples_", "l1_correct_"),
}
_OUTPUTS = {"BinaryMLPClassifier": "logistic", "MulticlassMLPClassifier": "softmax"}


class ModelFileError(ValueError):
    """The file is not a valid sknn_cn model (corrupt, truncated, malformed,
    inconsistent, or naming a type this package does not build)."""


def _classes():
    """The one place that imports the estimators (boosting is moving module)."""
    from ._mlp import BinaryMLPClassifier, MulticlassMLPClassifier
    from .boosting import SchapireBoostClassifier

    return {c.__name__: c for c in (BinaryMLPClassifier, MulticlassMLPClassifier,
                                    SchapireBoostClassifier)}


def _schedule_table():
    return {name: obj for name in _schedules.__all__
            if isinstance(obj := getattr(_schedules, name), type)
            and issubclass(obj, _schedules.LRSchedule)}


# --------------------------------------------------------------- parameters
def _encode(value, where):
    """A constructor parameter as tagged JSON; refuse anything else."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_, np.integer, np.floating, int, float)):
        value = value.item() if isinstance(value, np.generic) else value
        return value if not isinstance(value, float) or math.isfinite(value) \
            else {"__float__": repr(value)}
    if isinstance(value, (tuple, list)):
        items = [_encode(v, where) for v in value]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k, where), _encode(v, where)]
                             for k, v in value.items()]}
    if isinstance(value, np.dtype) or (isinstance(value, type)
                                       and issubclass(value, np.generic)):
        return {"__dtype__": np.dtype(value).name}
    if _schedule_table().get(type(value).__name__) is type(value):
        return {"__schedule__": type(value).__name__,
                "params": _encode(value.get_params(deep=False), where)}
    if _classes().get(type(value).__name__) is type(value):
        return {"__estimator__": type(value).__name__,
                "params": _encode(value.get_params(deep=False), where)}
    raise TypeError(f"{where}: cannot save a value of type {type(value).__name__} "
                    f"({value!r}); only plain numbers, strings, lists, tuples, dicts, "
                    "NumPy dtypes, sknn_cn schedules and estimators are supported.")


def _decode(data, where, depth=0):
    if depth > _MAX_DEPTH:
        raise ModelFileError(f"{where}: nested deeper than {_MAX_DEPTH} levels.")
    if data is None or isinstance(data, (bool, int, float, str)):
        if isinstance(data, float) and not math.isfinite(data):
            raise ModelFileError(f"{where}: bare non-finite number {data!r}.")
        return data
    if isinstance(data, list):
        return [_decode(v, where, depth + 1) for v in data]
    tag = next(iter(data)) if isinstance(data, dict) and data else None
    body = data.get(tag) if tag else None
    if set(data or ()) == {"__float__"} and body in ("inf", "-inf", "nan"):
        return float(body)
    if set(data or ()) == {"__tuple__"} and isinstance(body, list):
        return tuple(_decode(v, where, depth + 1) for v in body)
    if set(data or ()) == {"__dict__"} and isinstance(body, list) and all(
            isinstance(p, list) and len(p) == 2 for p in body):
        return {_decode(k, where, depth + 1): _decode(v, where, depth + 1)
                for k, v in body}
    if set(data or ()) == {"__dtype__"} and body in ("float32", "float64"):
        return getattr(np, body)
    for tag, table in (("__schedule__", _schedule_table()), ("__estimator__", _classes())):
        if isinstance(data, dict) and set(data) == {tag, "params"}:
            cls = table.get(data[tag]) if isinstance(data[tag], str) else None
            if cls is None:
                raise ModelFileError(f"{where}: type {data[tag]!r} is not one of "
                                     f"sknn_cn's own {sorted(table)}; refused.")
            return _build(cls, _decode(data["params"], where, depth + 1), where)
    raise ModelFileError(f"{where}: unsupported value {str(data)[:80]!r}.")


def _build(cls, params, where):
    """``cls(**params)`` after checking names and sklearn's parameter constraints."""
    if not isinstance(params, dict):
        raise ModelFileError(f"{where}: parameters of {cls.__name__} must be a dict.")
    allowed = set(cls().get_params(deep=False))
    if set(params) - allowed:
        raise ModelFileError(f"{where}: {cls.__name__} has no parameters "
                             f"{sorted(map(str, set(params) - allowed))}.")
    est = cls(**params)
    try:
        est._validate_params()          # sklearn's BaseEstimator: the constraints
    except (TypeError, ValueError) as exc:    # InvalidParameterError is both
        raise ModelFileError(f"{where}: {exc}") from exc
    return est


# --------------------------------------------------------------------- save
class _Writer:
    def __init__(self):
        self.arrays = {}

    def add(self, name, arr):
        arr = np.asarray(arr)
        if arr.dtype == object and all(isinstance(v, str) for v in arr.flat):
            arr = arr.astype(str)                   # labels / feature names
        if arr.dtype.kind not in _SAFE_KINDS:
            raise TypeError(f"{name}: arrays of dtype {arr.dtype} cannot be saved "
                            "without pickle (bool, integer, float, str only).")
        self.arrays[f"{name}.npy"] = np.ascontiguousarray(arr)

    def field(self, name, value):
        """``True`` / a count / ``None`` for the header; the arrays go to members."""
        if value is None:
            return None
        if isinstance(value, list):
            for i, v in enumerate(value):
                self.add(f"{name}.{i}", v)
            return len(value)
        self.add(name, value)
        return True


def _mlp_state(est, w, prefix):
    attrs = {}
    for name in _MLP_ATTRIBUTES:
        value = getattr(est, name, None)
        if name in ("coefs_", "intercepts_", "classes_", "feature_names_in_"):
            attrs[name] = w.field(prefix + name, value)
        elif name.endswith("curve_") or name == "validation_scores_":
            attrs[name] = w.field(prefix + name, None if value is None
                                  else np.asarray(value, dtype=np.float64))
        else:
            attrs[name] = _encode(value, name)
    # partial_fit's state is private to the estimator; read in this one place.
    training = {"n_updates": int(est._n_updates)}
    if isinstance(getattr(est, "_rng", None), np.random.Generator):
        state = est._rng.bit_generator.state
        if state["bit_generator"] == "PCG64":
            training["rng"] = {"state": state["state"]["state"],
                               "inc": state["state"]["inc"],
                               "has_uint32": state["has_uint32"],
                               "uinteger": state["uinteger"]}
    opt = getattr(est, "_optimizer", None)
    if opt is not None:
        od = opt.state_dict()
        training["optimizer"] = {"class": type(opt).__name__, "state": {
            k: (w.field(f"{prefix}training_state.optimizer.{k}", v)
                if isinstance(v, list) else v) for k, v in od.items()}}
    return attrs, training


def _boost_state(est, w, prefix):
    learners = []
    for i, learner in enumerate(est.estimators_):
        sub = f"{prefix}estimators_.{i}."
        if type(learner).__name__ == "DummyClassifier" and learner.strategy == "constant":
            learners.append({"estimator": "constant",
                             "classes_": w.field(sub + "classes_", learner.classes_),
                             "constant": w.field(sub + "constant", learner.constant),
                             "class_prior_": w.field(sub + "class_prior_",
                                                     learner.class_prior_)})
        else:
            learners.append(_model_state(learner, w, sub))
    index = {c: int(np.searchsorted(est.classes_, getattr(est, c)))
             for c in ("majority_class_", "minority_class_") if hasattr(est, c)}
    attrs = {"classes_": w.field(prefix + "classes_", est.classes_),
             "n_features_in_": int(est.n_features_in_),
             "feature_names_in_": w.field(prefix + "feature_names_in_",
                                          getattr(est, "feature_names_in_", None)),
             "majority_class_": index.get("majority_class_"),
             "minority_class_": index.get("minority_class_"),
             "estimators_": learners,
             "estimators_samples_": w.field(prefix + "estimators_samples_",
                                            [np.asarray(s, np.int64)
                                             for s in est.estimators_samples_]),
             "l1_correct_": w.field(prefix + "l1_correct_", est.l1_correct_)}
    return attrs, {}


def _model_state(est, w, prefix=""):
    name = type(est).__name__
    if _classes().get(name) is not type(est):
        raise TypeError(f"save_model saves sknn_cn's own classifiers "
                        f"{sorted(_classes())}; got {type(est).__module__}.{name}.")
    if not hasattr(est, "classes_"):
        from sklearn.exceptions import NotFittedError
        raise NotFittedError(f"This {name} instance is not fitted yet; fit it first.")
    params = est.get_params(deep=False)
    if not isinstance(params.get("random_state"), (int, np.integer, type(None))):
        warnings.warn("random_state is a RandomState/Generator object; it is saved "
                      "as None (the fitted generator state is kept).", UserWarning,
                      stacklevel=3)
        params["random_state"] = None
    state = _boost_state if name == "SchapireBoostClassifier" else _mlp_state
    attrs, training = state(est, w, prefix)
    return {"estimator": name, "params": {k: _encode(v, f"parameter {k}")
                                          for k, v in params.items()},
            "attributes": attrs, "training_state": training}


def _new_file(directory, base, mode):
    for attempt in range(100):
        tmp = os.path.join(directory, f".{base}.{os.getpid()}.{os.urandom(6).hex()}.tmp")
        try:    # 0o666 & ~umask, as for any new file; or the replaced file's mode
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        if mode is not None:
            os.chmod(tmp, mode)
        return fd, tmp
    raise FileExistsError(f"could not create a temporary file in {directory!r}")


def save_model(estimator, path):
    """Save a fitted sknn_cn classifier to ``path``, atomically.

    Parameters
    ----------
    estimator : BinaryMLPClassifier, MulticlassMLPClassifier or SchapireBoostClassifier
        Fitted; a boosting ensemble's learners must be sknn_cn classifiers or
        its constant learners.
    path : str or os.PathLike
        Destination (``.skmodel`` or ``.zip`` are natural suffixes; none is
        added).  An existing file is replaced only by a complete new one and
        keeps its permission bits.

    Returns
    -------
    path : str

    Raises
    ------
    TypeError
        For other estimator types, or a parameter that is not plain data.
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.
    """
    w = _Writer()
    header = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION,
              "sknn_cn_version": __version__, "model": _model_state(estimator, w)}
    path = os.fspath(path)
    directory, base = os.path.split(os.path.abspath(path))
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    fd, tmp = _new_file(directory, base, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
                zf.writestr(HEADER_NAME, json.dumps(header, sort_keys=True, indent=1))
                for name, arr in w.arrays.items():
                    with zf.open(name, "w", force_zip64=arr.nbytes > 2**30) as out:
                        np.lib.format.write_array(out, arr, allow_pickle=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


# --------------------------------------------------------------------- load
# What a hostile or damaged archive can raise inside zipfile / numpy / json.
_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
                ValueError, struct.error, NotImplementedError, RecursionError,
                OverflowError, KeyError, IndexError, TypeError, UnicodeError, SyntaxError)


class _Reader:
    """The open archive: hands out arrays by member name, each read at most once."""

    def __init__(self, fh, path, size):
        self.path, self.size, self.used = path, size, {HEADER_NAME}
        self.zf = zipfile.ZipFile(fh)
        infos = self.zf.infolist()
        if len({i.filename for i in infos}) != len(infos):
            self.fail("duplicated member names")
        if sum(i.file_size for i in infos) > size:
            self.fail("members declare more bytes than the file holds")
        for i in infos:
            if i.compress_type != zipfile.ZIP_STORED or i.file_size != i.compress_size \
                    or i.flag_bits & 0x1:
                self.fail(f"member {i.filename!r} is compressed or encrypted "
                          "(sknn_cn stores members as they are)")
        self.infos = {i.filename: i for i in infos}

    def fail(self, msg):
        raise ModelFileError(f"{self.path!r}: {msg}.")

    def header(self):
        info = self.infos.get(HEADER_NAME)
        if info is None:
            self.fail(f"no {HEADER_NAME}: not an sknn_cn model file")
        if info.file_size > MAX_HEADER_BYTES:
            self.fail(f"{HEADER_NAME} is {info.file_size} bytes, over the "
                      f"{MAX_HEADER_BYTES} limit")
        header = json.loads(self.zf.read(info).decode("utf-8"))
        if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
            self.fail("not an sknn_cn model file (no 'format': 'sknn_cn-model')")
        if header.get("format_version") != FORMAT_VERSION:
            self.fail(f"format_version {header.get('format_version')!r}; this sknn_cn "
                      f"({__version__}) reads version {FORMAT_VERSION} (re-save "
                      "version 1 files with the sknn_cn that wrote them)")
        return header

    def array(self, name, where, kinds="biufU", ndim=None):
        member = f"{name}.npy"
        info = self.infos.get(member)
        if info is None or member in self.used:
            self.fail(f"{where}: member {member!r} is missing")
        self.used.add(member)
        with self.zf.open(info) as fp:
            version = np.lib.format.read_magic(fp)
            if version not in ((1, 0), (2, 0)):
                self.fail(f"{where}: .npy format version {version}")
            read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                    else np.lib.format.read_array_header_2_0)
            shape, fortran, dtype = read(fp, max_header_size=4096)
            if dtype.hasobject or dtype.kind not in kinds or dtype.fields \
                    or dtype.subdtype or not dtype.isnative:
                self.fail(f"{where}: dtype {dtype} is not allowed here (kinds {kinds}, "
                          "native byte order, never objects)")
            nbytes = math.prod(shape) * dtype.itemsize
            if nbytes != info.file_size - fp.tell() or (ndim and len(shape) != ndim):
                self.fail(f"{where}: declares {dtype} shape {shape} ({nbytes} bytes) but "
                          f"holds {info.file_size - fp.tell()} bytes")
            buf = bytearray(nbytes)
            view, done = memoryview(buf), 0
            while done < nbytes:
                n = fp.readinto(view[done:])
                if not n:
                    self.fail(f"{where}: truncated")
                done += n
        arr = np.frombuffer(buf, dtype=dtype).reshape(shape, order="F" if fortran else "C")
        if dtype.kind == "f" and not np.isfinite(arr).all():
            self.fail(f"{where}: holds NaN or infinite values")
        return arr

    def field(self, name, count, where, **kw):
        if count is None:
            return None
        if count is True:
            return self.array(name, where, **kw)
        if isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= 64:
            return [self.array(f"{name}.{i}", f"{where}[{i}]", **kw) for i in range(count)]
        self.fail(f"{where}: {count!r} is not an array reference")


def _open_regular(path):
    """Open for reading only if ``path`` is a regular file (never blocks on a FIFO)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise ModelFileError(f"{path!r} is not a regular file.")
    fd = os.open(path, flags)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise ModelFileError(f"{path!r} is not a regular file.")
    return os.fdopen(fd, "rb"), st.st_size


def _number(value, where, kind, low=None, optional=False, inf=False):
    if value is None and optional:
        return None
    if inf and value in ({"__float__": "inf"}, {"__float__": "-inf"}):
        return float(value["__float__"])
    ok = isinstance(value, (int, float) if kind is float else int) \
        and not isinstance(value, bool)
    if not ok or (kind is float and not math.isfinite(value)) \
            or (low is not None and value < low):
        raise ModelFileError(f"{where}={value!r} must be a finite {kind.__name__}"
                             + (f" >= {low}" if low is not None else "") + ".")
    return kind(value)


def _labels(classes, where):
    if classes.ndim != 1 or classes.size < 2 or not (classes[1:] > classes[:-1]).all():
        raise ModelFileError(f"{where}: classes_ must hold at least 2 sorted, "
                             "distinct labels.")
    return classes


def _feature_names(r, attrs, prefix, n_features):
    names = r.field(prefix + "feature_names_in_", attrs.get("feature_names_in_"),
                    "feature_names_in_", kinds="U", ndim=1)
    if names is not None and names.shape != (n_features,):
        r.fail(f"feature_names_in_ has {names.size} names for {n_features} features")
    return None if names is None else names.astype(object)


def _check_fields(r, cls, attrs, where):
    expected = set(FITTED_ATTRIBUTES[cls.__name__])
    if not isinstance(attrs, dict) or set(attrs) != expected:
        got = set(attrs) if isinstance(attrs, dict) else set()
        r.fail(f"{where}: attributes must be exactly {sorted(expected)} (unknown "
               f"{sorted(map(str, got - expected))}, missing {sorted(expected - got)})")


def _load_mlp(r, cls, est, attrs, training, prefix):
    where = prefix or cls.__name__
    _check_fields(r, cls, attrs, where)
    n_layers = _number(attrs["n_layers_"], f"{where}.n_layers_", int, 2)
    coefs = r.field(prefix + "coefs_", attrs["coefs_"], "coefs_", kinds="f", ndim=2)
    intercepts = r.field(prefix + "intercepts_", attrs["intercepts_"], "intercepts_",
                         kinds="f", ndim=1)
    classes = _labels(r.field(prefix + "classes_", attrs["classes_"], "classes_"), where)
    width = _number(attrs["n_features_in_"], f"{where}.n_features_in_", int, 1)
    n_features = width
    if not (isinstance(coefs, list) and isinstance(intercepts, list)
            and len(coefs) == len(intercepts) == n_layers - 1):
        r.fail(f"{where}: coefs_ and intercepts_ must be n_layers_ - 1 = "
               f"{n_layers - 1} arrays each")
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        if W.shape[0] != width or b.shape != (W.shape[1],) or not (
                W.dtype == b.dtype == coefs[0].dtype and W.dtype.itemsize in (4, 8)):
            r.fail(f"{where}: layer {i + 1} has W {W.dtype} {W.shape} and b {b.dtype} "
                   f"{b.shape}; expected float32/64 W ({width}, k), b (k,)")
        width = W.shape[1]
    out = _OUTPUTS[cls.__name__]
    n_out = 1 if out == "logistic" else len(classes)
    if width != n_out or (out == "logistic" and len(classes) != 2) or \
            attrs["out_activation_"] != out or attrs["n_outputs_"] != n_out:
        r.fail(f"{where}: output layer of {width} units, n_outputs_="
               f"{attrs['n_outputs_']!r}, out_activation_={attrs['out_activation_']!r}; "
               f"{cls.__name__} with {len(classes)} classes needs {n_out} {out!r}")
    acts = _decode(attrs["activations_"], "activations_")
    if not (isinstance(acts, tuple) and len(acts) == n_layers - 2
            and all(isinstance(a, str) and a in ACTIVATIONS for a in acts)):
        r.fail(f"{where}: activations_={acts!r} must name one of {sorted(ACTIVATIONS)} "
               "per hidden layer")
    curves = {name: r.field(prefix + name, attrs[name], name, kinds="f", ndim=1)
              for name in ("loss_curve_", "validation_loss_curve_", "validation_scores_")}
    if curves["loss_curve_"] is None or (curves["validation_scores_"] is None) != (
            curves["validation_loss_curve_"] is None):
        r.fail(f"{where}: loss_curve_ is required; validation curves both or neither")
    validated = curves["validation_scores_"] is not None
    values = dict(
        n_features_in_=n_features, n_layers_=n_layers, n_outputs_=n_out,
        out_activation_=out, activations_=acts, coefs_=coefs, intercepts_=intercepts,
        classes_=classes, n_iter_=_number(attrs["n_iter_"], "n_iter_", int, 0),
        t_=_number(attrs["t_"], "t_", int, 0), loss_=_number(attrs["loss_"], "loss_", float),
        best_loss_=_number(attrs["best_loss_"], "best_loss_", float, optional=validated,
                           inf=True),
        best_validation_score_=_number(attrs["best_validation_score_"],
                                       "best_validation_score_", float,
                                       optional=not validated, inf=True),
        **{k: None if v is None else v.tolist() for k, v in curves.items()})
    names = _feature_names(r, attrs, prefix, n_features)
    if names is not None:
        values["feature_names_in_"] = names
    for k, v in values.items():
        setattr(est, k, v)
    _load_training(r, est, training, coefs, intercepts, prefix)


def _load_training(r, est, training, coefs, intercepts, prefix):
    """partial_fit's private state: set here and nowhere else."""
    where = prefix + "training_state"
    if not isinstance(training, dict) or set(training) - {"n_updates", "rng", "optimizer"}:
        r.fail(f"{where} keys must be n_updates, rng, optimizer")
    n_updates = _number(training.get("n_updates"), f"{where}.n_updates", int, 0)
    rng = training.get("rng")
    if rng is not None:
        limits = {"state": 2**128, "inc": 2**128, "has_uint32": 2, "uinteger": 2**32}
        if not isinstance(rng, dict) or set(rng) != set(limits) or not all(
                isinstance(rng[k], int) and not isinstance(rng[k], bool)
                and 0 <= rng[k] < hi for k, hi in limits.items()):
            r.fail(f"{where}.rng must hold PCG64 integers "
                   f"{ {k: f'[0, {v})' for k, v in limits.items()} }")
        bitgen = np.random.PCG64()
        bitgen.state = {"bit_generator": "PCG64", "has_uint32": rng["has_uint32"],
                        "uinteger": rng["uinteger"],
                        "state": {"state": rng["state"], "inc": rng["inc"]}}
        rng = np.random.Generator(bitgen)
    entry, opt = training.get("optimizer"), None
    if entry is not None:
        opt = _load_optimizer(r, entry, coefs, intercepts, where)
    est._n_updates = n_updates
    if rng is not None:
        est._rng = rng
    if opt is not None:
        est._optimizer = opt


def _load_optimizer(r, entry, coefs, intercepts, where):
    if not (isinstance(entry, dict) and set(entry) == {"class", "state"}
            and entry["class"] in _OPTIMIZERS and isinstance(entry["state"], dict)):
        r.fail(f"{where}.optimizer must name one of {sorted(_OPTIMIZERS)}")
    cls = _OPTIMIZERS[entry["class"]]
    n_params = sum(W.size + b.size for W, b in zip(coefs, intercepts))
    opt = cls([np.zeros(n_params, coefs[0].dtype)])     # one flat parameter vector
    lists = {k for k, v in opt.state_dict().items() if isinstance(v, list)}
    state = {k: (r.field(f"{where}.optimizer.{k}", v, f"optimizer.{k}", kinds="f")
                 if k in lists else v) for k, v in entry["state"].items()}
    try:
        opt.load_state_dict(state)
    except OptimizerStateError as exc:
        r.fail(f"{where}: {exc}")
    return opt



def _load_boost(r, cls, est, attrs, training, prefix):
    where = prefix or cls.__name__
    _check_fields(r, cls, attrs, where)
    if training != {}:
        r.fail(f"{where}: SchapireBoostClassifier has no training_state")
    classes = _labels(r.field(prefix + "classes_", attrs["classes_"], "classes_"), where)
    n_features = _number(attrs["n_features_in_"], f"{where}.n_features_in_", int, 1)
    learners = attrs["estimators_"]
    if not (isinstance(learners, list) and 1 <= len(learners) <= 3):
        r.fail(f"{where}: estimators_ must list 1 to 3 learners")
    samples = r.field(prefix + "estimators_samples_", attrs["estimators_samples_"],
                      "estimators_samples_", kinds="i", ndim=1)
    correct = r.field(prefix + "l1_correct_", attrs["l1_correct_"], "l1_correct_",
                      kinds="b", ndim=1)
    n = correct.shape[0]
    if not (isinstance(samples, list) and len(samples) == len(learners)
            and all(((s >= 0) & (s < n)).all() for s in samples)
            and np.array_equal(samples[0], np.arange(n))):
        r.fail(f"{where}: estimators_samples_ must hold one index array per learner, "
               f"the first all {n} samples")
    fitted = [_load_learner(r, spec, f"{prefix}estimators_.{i}.", n_features, classes)
              for i, spec in enumerate(learners)]
    values = {"classes_": classes, "n_features_in_": n_features, "estimators_": fitted,
              "estimators_samples_": [s.astype(np.intp) for s in samples],
              "l1_correct_": correct}
    for name in ("majority_class_", "minority_class_"):
        index = attrs[name]
        if (index is None) != (est.variant == "classic") or index not in (None, 0, 1) \
                or (index is not None and len(classes) != 2):
            r.fail(f"{where}: {name} must be an index into 2 classes for "
                   "variant='imbalance' and null otherwise")
        if index is not None:
            values[name] = classes[index]
    if values.get("majority_class_", 0) == values.get("minority_class_", 1):
        r.fail(f"{where}: majority_class_ and minority_class_ are the same class")
    names = _feature_names(r, attrs, prefix, n_features)
    if names is not None:
        values["feature_names_in_"] = names
    for k, v in values.items():
        setattr(est, k, v)


def _load_learner(r, spec, prefix, n_features, classes):
    if not isinstance(spec, dict) or spec.get("estimator") != "constant":
        learner = _load_model(r, spec, prefix)
    else:
        from sklearn.dummy import DummyClassifier

        if set(spec) != {"estimator", "classes_", "constant", "class_prior_"}:
            r.fail(f"{prefix}: a constant learner has classes_, constant, class_prior_")
        own = r.field(prefix + "classes_", spec["classes_"], "classes_", ndim=1)
        constant = r.field(prefix + "constant", spec["constant"], "constant", ndim=1)
        prior = r.field(prefix + "class_prior_", spec["class_prior_"], "class_prior_",
                        kinds="f", ndim=1)
        if not (own.size >= 1 and (own[1:] > own[:-1]).all() and constant.shape == (1,)
                and constant[0] in own and prior.shape == own.shape and (prior >= 0).all()
                and abs(prior.sum() - 1) < 1e-9):
            r.fail(f"{prefix}: inconsistent constant learner")
        learner = DummyClassifier(strategy="constant", constant=constant)
        learner.fit(np.zeros((own.size, n_features)), own)
        learner.class_prior_ = prior
    if learner.n_features_in_ != n_features or not np.isin(learner.classes_, classes).all():
        r.fail(f"{prefix}: learner does not match the ensemble's features and classes")
    return learner


def _load_model(r, model, prefix=""):
    where = prefix or "model"
    if not (isinstance(model, dict) and set(model) == {
            "estimator", "params", "attributes", "training_state"}):
        r.fail(f"{where} must hold estimator, params, attributes, training_state")
    cls = _classes().get(model["estimator"]) if isinstance(model["estimator"], str) \
        else None
    if cls is None:
        r.fail(f"{where} names estimator type {str(model['estimator'])[:80]!r}, which "
               f"is not one of sknn_cn's own estimators {sorted(_classes())}; refused")
    params = model["params"]
    if not isinstance(params, dict):
        r.fail(f"{where}: params must be an object")
    est = _build(cls, {k: _decode(v, f"{r.path!r}: parameter {k}")
                       for k, v in params.items()}, repr(r.path))
    load = _load_boost if cls.__name__ == "SchapireBoostClassifier" else _load_mlp
    load(r, cls, est, model["attributes"], model["training_state"], prefix)
    return est


def _read(path, what):
    path_s = os.fspath(path)
    fh, size = _open_regular(path_s)
    with fh:
        try:
            r = _Reader(fh, path_s, size)
            header = r.header()
            return header, what(r, header)
        except ModelFileError as exc:
            if repr(path_s) in str(exc):
                raise
            raise ModelFileError(f"{path_s!r}: {exc}") from None
        except _READ_ERRORS as exc:
            raise ModelFileError(f"{path_s!r} is not a valid sknn_cn model file "
                                 f"(truncated, corrupt or malformed): "
                                 f"{type(exc).__name__}: {str(exc)[:200]}") from None


def read_header(path):
    """Return the JSON header of a model file (checked, but no estimator is built)."""
    return _read(path, lambda r, header: None)[0]


def load_model(path, *, expected_type=None):
    """Load a classifier saved by :func:`save_model`; runs no code from the file.

    Parameters
    ----------
    path : str or os.PathLike
        A regular file (a FIFO or device is refused without being read).
    expected_type : class or tuple of classes, optional
        Also require the model to be of this type.

    Returns
    -------
    estimator : BinaryMLPClassifier, MulticlassMLPClassifier or SchapireBoostClassifier
        Fitted: ``predict`` / ``predict_proba`` give exactly what the saved model
        gave, and ``partial_fit`` continues exactly as it would have.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ModelFileError
        If the file cannot be fully validated (see the module docstring).
    """
    def build(r, header):
        est = _load_model(r, header.get("model"))
        unused = set(r.infos) - r.used
        if unused:
            r.fail(f"members {sorted(unused)[:5]} are not part of the model")
        return est

    header, est = _read(path, build)
    if expected_type is not None and not isinstance(est, expected_type):
        raise ModelFileError(f"{os.fspath(path)!r} holds a {type(est).__name__}, not "
                             f"{expected_type!r}.")
    if header.get("sknn_cn_version") != __version__:
        warnings.warn(f"{os.fspath(path)!r} was saved by sknn_cn "
                      f"{header.get('sknn_cn_version')!r}; loading with {__version__}.",
                      UserWarning, stacklevel=2)
    return est
