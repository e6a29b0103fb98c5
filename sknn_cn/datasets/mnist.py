"""MNIST from the data home (seed 1.4.1), and "MNIST, else sklearn's digits".

The MNIST handwritten digits (LeCun, Cortes and Burges) come as four files in
the IDX format (see :mod:`sknn_cn.datasets.idx`)::

    train-images-idx3-ubyte   60000 images of 28 x 28 unsigned bytes
    train-labels-idx1-ubyte   60000 labels 0..9
    t10k-images-idx3-ubyte    10000 images
    t10k-labels-idx1-ubyte    10000 labels

They live in ``<data home>/mnist/``, raw or gzip-compressed (``name.gz``).
The data home is :func:`get_data_home`: an argument, else the environment
variable ``SKNN_CN_DATA``, else the ``sknn_cn`` folder of scikit-learn's data
home (:func:`sklearn.datasets.get_data_home`: ``$SCIKIT_LEARN_DATA``, else
``~/scikit_learn_data``).

* :func:`load_mnist` verifies the four files against :data:`MNIST_SHA256` and
  preprocesses: flattens the images to 784 columns and scales them to [0, 1].
* :func:`load_handwritten_digits` is what the tour and the benchmarks use:
  MNIST when it is in the data home, else scikit-learn's bundled 8 x 8 digits,
  with train/test parts of the requested sizes and a line saying which.

``python -m sknn_cn.datasets fetch mnist`` (:func:`fetch_mnist`) puts the
files in the data home.
"""

import os

import numpy as np
from sklearn.datasets import get_data_home as sklearn_data_home
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state, resample

from .idx import find_idx_file, read_idx

__all__ = [
    "MNIST_SHA256",
    "MNIST_SPLIT_FILES",
    "MNIST_IMAGE_SHAPE",
    "DATA_HOME_ENV",
    "FETCH_COMMAND",
    "get_data_home",
    "mnist_folder",
    "load_mnist",
    "load_handwritten_digits",
]

#: SHA-256 of the four raw (uncompressed) MNIST files.  For a ``.gz`` copy the
#: sum is taken over the decompressed bytes.
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: (images file, labels file) of each split.
MNIST_SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

#: Height and width of an MNIST image.
MNIST_IMAGE_SHAPE = (28, 28)

#: The environment variable that names sknn_cn's data home.
DATA_HOME_ENV = "SKNN_CN_DATA"

#: The command that fetches MNIST, quoted in messages.
FETCH_COMMAND = "python -m sknn_cn.datasets fetch mnist"

_MNIST_SUBDIR = "mnist"
_N_CLASSES = 10
_SUBSETS = ("both", "train", "test", "all")
_DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.uint8))


def get_data_home(data_home=None):
    """The folder where sknn_cn keeps downloaded datasets.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Used when given.  Otherwise the environment variable ``SKNN_CN_DATA``
        (when set and not empty), otherwise the folder ``sknn_cn`` inside
        scikit-learn's data home (:func:`sklearn.datasets.get_data_home`:
        ``$SCIKIT_LEARN_DATA``, else ``~/scikit_learn_data``; scikit-learn
        creates that folder when it is missing).  ``~`` is expanded.

    Returns
    -------
    data_home : str
        The absolute path.  MNIST lives in its ``mnist`` subfolder
        (:func:`mnist_folder`).
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV) or os.path.join(
            sklearn_data_home(), "sknn_cn")
    elif not isinstance(data_home, (str, os.PathLike)):
        raise TypeError(
            f"`data_home` must be None, a str or a path-like; got data_home={data_home!r}.")
    home = os.path.abspath(os.path.expanduser(os.fspath(data_home)))
    if os.path.exists(home) and not os.path.isdir(home):
        raise NotADirectoryError(
            f"The data home {home} is not a folder; pass data_home= (or set "
            f"{DATA_HOME_ENV}) to a folder.")
    return home


def mnist_folder(data_home=None):
    """The folder holding the MNIST files: ``<get_data_home(data_home)>/mnist``."""
    return os.path.join(get_data_home(data_home), _MNIST_SUBDIR)


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


def _read(path, expected_shape, sha256):
    try:
        return read_idx(path, expected_shape=expected_shape, sha256=sha256)
    except ValueError as exc:
        raise ValueError(f"{exc} Delete it and run `{FETCH_COMMAND}`.") from exc


def _load_split(directory, split, dtype, verify):
    images_name, labels_name = MNIST_SPLIT_FILES[split]
    images_path = find_idx_file(directory, images_name)
    labels_path = find_idx_file(directory, labels_name)
    images = _read(images_path, (None, *MNIST_IMAGE_SHAPE),
                   MNIST_SHA256[images_name] if verify else None)
    labels = _read(labels_path, (images.shape[0],),
                   MNIST_SHA256[labels_name] if verify else None)
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
    directory = mnist_folder(data_home)
    splits = ("train", "test") if subset in ("both", "all") else (subset,)
    needed = [name for split in splits for name in MNIST_SPLIT_FILES[split]]
    missing = [name for name in needed if find_idx_file(directory, name) is None]
    if missing:
        if not download_if_missing:
            raise FileNotFoundError(
                f"MNIST files missing in {directory}: {', '.join(missing)}. Run "
                f"`{FETCH_COMMAND}` (add --data-home DIR or set {DATA_HOME_ENV} for "
                "another folder), or pass download_if_missing=True.")
        from ._fetch import fetch_mnist  # here: _fetch imports this module

        fetch_mnist(data_home)

    parts = {split: _load_split(directory, split, dtype, verify) for split in splits}
    common = dict(target_names=np.arange(_N_CLASSES), image_shape=MNIST_IMAGE_SHAPE,
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
# MNIST, else sklearn's digits
# --------------------------------------------------------------------------

_DATASETS = ("auto", "mnist", "digits")
_DIGITS_TEST_SHARE = 0.25  # train_test_split's default


def _check_size(value, name):
    if value is not None and (not isinstance(value, (int, np.integer))
                              or isinstance(value, bool) or value < 0):
        raise ValueError(f"`{name}` must be None or an integer >= 0; got {name}={value!r}.")


def _draw(X, y, n, rng, name, what):
    """``n`` rows of (X, y), stratified at random; all of them, in order, when n is None."""
    if n is None or n == len(y):
        return X, y
    if n > len(y):
        raise ValueError(f"`{name}` must be at most {len(y)} (the {what}); got {name}={n}.")
    if n == 0:
        return X[:0], y[:0]
    rows = resample(np.arange(len(y)), replace=False, n_samples=n, stratify=y,
                    random_state=rng)
    return X[rows], y[rows]


def _sizes(X_train, X_test):
    if len(X_test) == 0:
        return f"{len(X_train)} training images (no test part)"
    return f"{len(X_train)} training and {len(X_test)} test images"


def _mnist_parts(data_home, n_train, n_test, rng):
    subset = "train" if n_test == 0 else "both"
    data = load_mnist(data_home, subset=subset)
    if subset == "train":
        X_test, y_test = data.data[:0], data.target[:0]
        X_train, y_train = data.data, data.target
    else:
        X_train, y_train, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
    X_train, y_train = _draw(X_train, y_train, n_train, rng, "n_train",
                             "MNIST training images")
    X_test, y_test = _draw(X_test, y_test, n_test, rng, "n_test", "MNIST test images")
    return X_train, X_test, y_train, y_test


def _digits_parts(n_train, n_test, rng):
    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    y = digits.target
    if n_test == 0:
        X_train, y_train = _draw(X, y, n_train, rng, "n_train", "digits")
        return X_train, X[:0], y_train, y[:0]
    # train_test_split's own errors name train_size / test_size; name ours.
    n_classes = len(np.unique(y))
    for value, name in ((n_train, "n_train"), (n_test, "n_test")):
        if value is not None and not n_classes <= value <= len(y) - n_classes:
            raise ValueError(
                f"`{name}` must be None, or between {n_classes} (one image per class, "
                f"the split is stratified) and {len(y) - n_classes} (the {len(y)} digits "
                f"less one image per class for the other part); got {name}={value}.")
    if n_train is not None and n_test is not None and n_train + n_test > len(y):
        raise ValueError(
            f"`n_train` + `n_test` must be at most {len(y)} (the digits); got "
            f"n_train={n_train}, n_test={n_test}.")
    test_size = _DIGITS_TEST_SHARE if n_train is None and n_test is None else n_test
    return train_test_split(X, y, train_size=n_train, test_size=test_size, stratify=y,
                            random_state=rng)


def load_handwritten_digits(*, dataset="auto", n_train=None, n_test=None, data_home=None,
                            random_state=0):
    """Handwritten digits for the seed's net: MNIST when present, else sklearn's digits.

    MNIST (seed 1.4.1) keeps its official split: the training part is drawn
    from its 60000 training images and the test part from its 10000 test
    images.  scikit-learn's bundled 8 x 8 digits
    (:func:`sklearn.datasets.load_digits`, 1797 images) have no official
    split, so they are split with :func:`~sklearn.model_selection.train_test_split`
    (stratified).  Pixels are float32 in [0, 1] in both cases.

    Parameters
    ----------
    dataset : {'auto', 'mnist', 'digits'}, default='auto'
        ``'auto'``: MNIST when its files are in the data home, otherwise the
        digits (the ``description`` then says MNIST is missing and how to get
        it).  A damaged MNIST file raises instead of falling back.
        ``'mnist'``: MNIST or :class:`FileNotFoundError`.  ``'digits'``:
        the digits.
    n_train : int, default=None
        Size of the training part: a stratified random draw.  None: all of
        MNIST's 60000 training images in file order; for the digits, all that
        the test part leaves.
    n_test : int, default=None
        Size of the test part, a stratified random draw.  None: MNIST's 10000
        test images in file order; for the digits 25 % of the images, or all
        that ``n_train`` leaves when it is given.  0: no test part (empty
        ``X_test``; MNIST's test files are then not read, and ``n_train=None``
        takes all 1797 digits, in order).
    data_home : str or path-like, default=None
        Where to look for MNIST; see :func:`get_data_home`.
    random_state : int, RandomState instance or None, default=0
        Draws the subsets and the digits' split.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``X_train``, ``X_test`` (float32 in [0, 1], one image per row),
        ``y_train``, ``y_test`` (int labels 0-9); ``name`` (``'mnist'`` or
        ``'digits'``); ``n_features`` (784 or 64); ``image_shape`` ((28, 28)
        or (8, 8)); ``description``, one line saying which data was used
        and, for the digits, how to get MNIST.

    Raises
    ------
    FileNotFoundError
        ``dataset='mnist'`` and MNIST is not in the data home.
    ValueError
        A bad argument, a size larger than the data, or a damaged MNIST file.

    Examples
    --------
    >>> from sknn_cn.datasets import load_handwritten_digits
    >>> data = load_handwritten_digits(dataset="digits", n_test=500)
    >>> data.name, data.X_train.shape, data.X_test.shape
    ('digits', (1297, 64), (500, 64))
    """
    if dataset not in _DATASETS:
        allowed = ", ".join(repr(d) for d in _DATASETS)
        raise ValueError(f"`dataset` must be one of {allowed}; got dataset={dataset!r}.")
    _check_size(n_train, "n_train")
    _check_size(n_test, "n_test")
    rng = check_random_state(random_state)
    missing = None
    if dataset in ("auto", "mnist"):
        try:
            parts = _mnist_parts(data_home, n_train, n_test, rng)
        except FileNotFoundError:
            if dataset == "mnist":
                raise
            missing = f"MNIST is not in {mnist_folder(data_home)}"
        else:
            X_train, X_test = parts[0], parts[1]
            return Bunch(
                X_train=X_train, X_test=X_test, y_train=parts[2], y_test=parts[3],
                name="mnist", n_features=X_train.shape[1], image_shape=MNIST_IMAGE_SHAPE,
                description=(f"MNIST from {mnist_folder(data_home)}: "
                             f"{_sizes(X_train, X_test)} of 28 x 28 pixels."))
    X_train, X_test, y_train, y_test = _digits_parts(n_train, n_test, rng)
    why = missing if missing is not None else "asked for the digits"
    return Bunch(
        X_train=X_train, X_test=X_test, y_train=y_train, y_test=y_test,
        name="digits", n_features=X_train.shape[1], image_shape=(8, 8),
        description=(f"scikit-learn's bundled 8 x 8 digits: {_sizes(X_train, X_test)} "
                     f"({why}; `{FETCH_COMMAND}` gets MNIST)."))
