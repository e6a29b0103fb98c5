"""The IDX file format: read one file of unsigned bytes, raw or gzip-compressed.

IDX (the format of the MNIST files) is big-endian: bytes 0-1 are zero, byte 2
is the element type (``0x08`` = unsigned byte, the only one MNIST uses), byte
3 the number of dimensions ``d``; then ``d`` 32-bit sizes; then
``prod(sizes)`` elements in C order.  So the magic number is ``0x00000803``
for 3-d images and ``0x00000801`` for 1-d labels.

:func:`read_idx` checks the header (magic number, dimensions, exact byte
count) before it trusts the data, and optionally the SHA-256 of the
(decompressed) bytes.  :func:`open_maybe_gzip` and :func:`find_idx_file` are
shared with the MNIST loader and fetcher.
"""

import contextlib
import gzip
import hashlib
import math
import os
import stat
import zlib

import numpy as np

__all__ = [
    "read_idx",
    "open_maybe_gzip",
    "find_idx_file",
    "CHUNK_BYTES",
]

#: Bytes read at a time when copying or hashing a file.
CHUNK_BYTES = 1 << 20

_GZIP_MAGIC = b"\x1f\x8b"
_UBYTE = 0x08
_IDX_TYPES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "int16",
              0x0C: "int32", 0x0D: "float32", 0x0E: "float64"}
# Refuse to allocate for an IDX body larger than this (MNIST's largest is 47 MB).
_MAX_IDX_BYTES = 1 << 30
# Stop counting trailing bytes after this many.
_MAX_TRAILING = 128 << 20


def find_idx_file(directory, name):
    """Path of ``name`` (raw) or ``name.gz`` in ``directory``; None if neither exists."""
    for candidate in (name, name + ".gz"):
        path = os.path.join(directory, candidate)
        if os.path.isfile(path):
            return path
    return None


@contextlib.contextmanager
def open_maybe_gzip(path):
    """Yield ``(stream, compressed, size_on_disk)``; gzip is recognised by its magic bytes.

    Only regular files are read: a FIFO, a device or a folder raises
    ``ValueError`` at once (opened without blocking, so a FIFO with no
    writer cannot hang the reader).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                else "not a regular file")
        raise ValueError(f"{path}: {kind}; expected a regular (IDX or gzip) file.")
    with os.fdopen(fd, "rb") as raw:
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
        n = stream.readinto(view[filled:filled + CHUNK_BYTES])
        if not n:
            break
        filled += n
    return filled


def _count_rest(stream, limit=_MAX_TRAILING):
    count = 0
    while count <= limit:
        part = stream.read(CHUNK_BYTES)
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
    :func:`sknn_cn.datasets.load_mnist`'s job.

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
    if expected_shape is not None:
        if isinstance(expected_shape, (str, bytes)) or not isinstance(expected_shape, (tuple, list)) \
                or not all(d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool)
                                         and d >= 0) for d in expected_shape):
            raise ValueError(
                "`expected_shape` must be None or a tuple of sizes (int >= 0 or None); got "
                f"expected_shape={expected_shape!r}.")
    if sha256 is not None and not (isinstance(sha256, str) and len(sha256) == 64 and all(
            c in "0123456789abcdefABCDEF" for c in sha256)):
        raise ValueError(
            f"`sha256` must be None or a hex digest of 64 characters; got sha256={sha256!r}.")
    hasher = hashlib.sha256() if sha256 is not None else None
    with open_maybe_gzip(path) as (stream, compressed, size):
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
            f"{path}: SHA-256 mismatch: got {hasher.hexdigest()}, expected {sha256.lower()}: "
            "the file is damaged or not the original.")
    return array
