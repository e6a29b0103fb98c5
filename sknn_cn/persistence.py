"""Save and load fitted classifiers as a documented, versioned file; loading runs no code.

Format (``format_version`` 3)
-----------------------------
A model file is a zip archive whose members are all *stored* (not compressed):

* ``header.json`` (at most 1 MiB of UTF-8 JSON)::

    {"format": "sknn_cn-model", "format_version": 3, "sknn_cn_version": "...",
     "model": {"estimator": "<class name>", "params": {...},
               "attributes": {...}, "training_state": {...}}}

  ``params`` are the estimator's public constructor parameters
  (``get_params(deep=False)``); ``attributes`` its public fitted attributes,
  listed per class in :data:`FITTED_ATTRIBUTES`; ``training_state`` what
  ``partial_fit`` needs to continue exactly (the update count, the random
  generator's PCG64 state, the optimizer's public state, see
  :meth:`sknn_cn.training.optimizers.AdamOptimizer.state_dict`, and the
  no-improvement rule's counters ``no_improvement`` and ``n_plateaus``, the
  latter being how often ``learning_rate='adaptive'`` has divided the rate).  A
  ``SchapireBoostClassifier`` nests one ``model`` per learner.
* one ``.npy`` member per array, at a name fixed by the header (``coefs_.0.npy``,
  ``classes_.npy``, ``training_state.optimizer.ms.0.npy``, ...).  The JSON
  holds an array's place as ``true`` (single array), a count (list of arrays)
  or ``null`` (attribute is ``None``).

Older files
-----------
Version 2 (before the no-improvement counters and ``n_iter_no_change='auto'``)
still loads: its training state has no counters, so they start at 0 (its
writer kept none), and its ``n_iter_no_change`` is read as it was meant: the
old default 10 counted checks made every ``ceil(100 / batches per epoch)``
epochs, which is ``'auto'`` now, so 10 loads as ``'auto'``; another number is
kept and now means scikit-learn's every-epoch rule.  Either way a
``UserWarning`` says so.  Version 1 files are refused.

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
output ``classes_`` need, constructor parameters that do not describe the
saved network, and random-generator states out of range.  Zip's
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
little on trained weights (4.4 % on a 64-64-16-10 digits net, seeds 0-2,
benchmarks/bench_persistence_size.py) and storing lets the
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
from ._model_state import (FITTED_ATTRIBUTES, ModelFileError, model_from_state,
                           model_to_state)

__all__ = ["ModelFileError", "FITTED_ATTRIBUTES", "save_model", "load_model",
           "read_header"]

FORMAT_NAME = "sknn_cn-model"
FORMAT_VERSION = 3
#: Versions load_model reads (2: before the no-improvement counters).
READABLE_VERSIONS = (2, 3)
HEADER_NAME = "header.json"
MAX_HEADER_BYTES = 1 << 20
_SAFE_KINDS = "biufU"


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
              "sknn_cn_version": __version__, "model": model_to_state(estimator, w)}
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
                zf.writestr(zipfile.ZipInfo(HEADER_NAME), json.dumps(
                    header, sort_keys=True, separators=(",", ":")))
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
        version = header.get("format_version")
        if not (type(version) is int and version in READABLE_VERSIONS):
            self.fail(f"format_version {version!r}; this sknn_cn ({__version__}) reads "
                      f"versions {list(READABLE_VERSIONS)} (re-save version 1 files "
                      "with the sknn_cn that wrote them)")
        self.version = version
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

    def field(self, name, ref, where, *, many=False, optional=False, **kw):
        """The array(s) a header placeholder ``ref`` stands for: ``true`` (one
        array), a count (``many``: a list) or ``null`` (``optional`` only)."""
        if ref is None and optional:
            return None
        if many and isinstance(ref, int) and not isinstance(ref, bool) and 0 <= ref <= 64:
            return [self.array(f"{name}.{i}", f"{where}[{i}]", **kw) for i in range(ref)]
        if not many and ref is True:
            return self.array(name, where, **kw)
        self.fail(f"{where}: {str(ref)[:40]!r} is not an array reference (expected "
                  + ("a count" if many else "true") + (" or null" if optional else "") + ")")


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
        est = model_from_state(r, header.get("model"))
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
