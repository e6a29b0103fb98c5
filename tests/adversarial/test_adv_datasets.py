"""Hostile inputs for sknn_cn.datasets (issue 11): generators, IDX reader,
data home, the digits fallback and the command line.  Tiny inputs only; no
test reads the user's data home (conftest gives each an empty one)."""

import gzip
import os

import numpy as np
import pytest

from sknn_cn.datasets import (
    DirectorySource,
    fetch_mnist,
    get_data_home,
    load_handwritten_digits,
    load_mnist,
    make_coin_hole,
    make_double_arc,
    make_xor,
    read_idx,
)
from sknn_cn.datasets.__main__ import main as cli

GENERATORS = [(make_xor, 4), (make_double_arc, 2), (make_coin_hole, 1)]



@pytest.mark.parametrize("make, minimum", GENERATORS)
@pytest.mark.parametrize("n_samples", [0, -1, 4.0, True, None, "10", np.nan])
def test_generators_refuse_bad_n_samples(make, minimum, n_samples):
    with pytest.raises(ValueError, match=f"`n_samples` must be an integer >= {minimum}; "
                                         f"got n_samples={n_samples!r}"):
        make(n_samples)


@pytest.mark.parametrize("make, minimum", GENERATORS)
def test_generators_accept_numpy_integers(make, minimum):
    X, y = make(np.int64(8), random_state=0)
    assert X.shape == (8, 2) and y.shape == (8,)


@pytest.mark.parametrize("make", [make_xor, make_double_arc])
@pytest.mark.parametrize("noise", [np.nan, -0.1, np.inf, "x", None, True])
def test_generators_refuse_bad_noise(make, noise):
    with pytest.raises(ValueError, match=f"`noise` must be a finite number >= 0; got noise={noise!r}"):
        make(8, noise=noise)


@pytest.mark.parametrize("make", [make_xor, make_double_arc, make_coin_hole])
@pytest.mark.parametrize("random_state, fragment", [
    ("junk", "'junk' cannot be used to seed"), (1.5, "1.5 cannot be used to seed"),
    (-1, "Seed must be between 0 and 2\\*\\*32 - 1"), (2**40, "Seed must be between"),
])
def test_generators_refuse_bad_random_state_as_sklearn(make, random_state, fragment):
    with pytest.raises(ValueError, match=fragment):
        make(8, random_state=random_state)


@pytest.mark.parametrize("make", [make_xor, make_double_arc])
@pytest.mark.parametrize("shuffle", ["no", 0, None])
def test_generators_refuse_non_bool_shuffle(make, shuffle):
    # old code: shuffle="no" shuffled (a truthy string)
    with pytest.raises(ValueError, match=f"`shuffle` must be True or False; got shuffle={shuffle!r}"):
        make(8, shuffle=shuffle)


@pytest.mark.parametrize("gap", [np.nan, "x", True, np.inf])
def test_double_arc_refuses_bad_gap(gap):
    with pytest.raises(ValueError, match=f"`gap` must be a finite number; got gap={gap!r}"):
        make_double_arc(8, gap=gap)


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(hole="x"), "got hole='x'"), (dict(hole=np.nan), "got hole=nan"),
    (dict(radius=None), "got radius=None"), (dict(radius=np.inf), "got radius=inf"),
    (dict(hole=0.5, radius=0.4), "0 < hole < radius; got hole=0.5, radius=0.4"),
    (dict(hole=0.0), "0 < hole < radius"),
])
def test_coin_hole_refuses_bad_geometry(kwargs, fragment):
    # old code: TypeError for strings / None, radius=inf accepted
    with pytest.raises(ValueError, match=fragment):
        make_coin_hole(8, **kwargs)


# ---------------------------------------------------------------- read_idx
def _write(path, content):
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("content, fragment", [
    (b"", "truncated: 0 bytes"),
    (b"\x00\x00\x08", "truncated: 3 bytes"),
    (b"\x01\x00\x08\x01\x00\x00\x00\x01\x05", "wrong magic number 0x01000801"),
    (b"\x00\x00\x0d\x01\x00\x00\x00\x01\x05", r"element type 0x0D \(float32\) is not supported"),
    (b"\x00\x00\x08\x00", "0 dimensions"),
    (b"\x00\x00\x08\x02\x00\x00", "declares 2 dimensions"),
    (b"\x00\x00\x08\xff", "declares 255 dimensions"),
    (b"\x00\x00\x08\x01\xff\xff\xff\xff", r"declares shape \(4294967295,\).*the file has 8 bytes"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x01\x05\x06", "trailing bytes"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x03\x05", "truncated"),
])
def test_read_idx_refuses_bad_headers(tmp_path, content, fragment):
    path = _write(tmp_path / "f", content)
    with pytest.raises(ValueError, match=fragment) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_gzip_declaring_huge_shape_is_refused_before_allocating(tmp_path):
    # 2**32 - 1 bytes declared in a tiny gzip: the size is unknown on disk, so
    # the reader's own limit must refuse it before np.empty.
    path = _write(tmp_path / "f.gz", gzip.compress(b"\x00\x00\x08\x01\xff\xff\xff\xff"))
    with pytest.raises(ValueError, match="more than this reader's limit"):
        read_idx(path)


def test_read_idx_corrupt_gzip(tmp_path):
    data = bytearray(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x02\x05\x06"))
    data[12] ^= 0xFF
    path = _write(tmp_path / "f.gz", bytes(data))
    with pytest.raises(ValueError, match="corrupt gzip data|truncated|wrong magic"):
        read_idx(path)


def test_read_idx_reads_a_good_file_exactly(tmp_path):
    path = _write(tmp_path / "f", b"\x00\x00\x08\x02\x00\x00\x00\x01\x00\x00\x00\x02\x05\x06")
    assert read_idx(path).tolist() == [[5, 6]]
    assert read_idx(path, expected_shape=(None, 2)).dtype == np.uint8
    with pytest.raises(ValueError, match=r"wrong dimensions \(1, 2\), expected \(\*, 3\)"):
        read_idx(path, expected_shape=(None, 3))
    with pytest.raises(ValueError, match="SHA-256 mismatch"):
        read_idx(path, sha256="0" * 64)


def test_read_idx_refuses_a_fifo_without_blocking(tmp_path, call_unblocking_fifo):
    # old code: open() on a FIFO with no writer blocked forever
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    raised = call_unblocking_fifo(lambda: read_idx(fifo), fifo)
    assert isinstance(raised, ValueError)
    assert f"{fifo}: a FIFO; expected a regular" in str(raised)


def test_read_idx_refuses_a_folder(tmp_path):
    with pytest.raises(ValueError, match=f"{tmp_path}: a folder"):
        read_idx(tmp_path)


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(expected_shape=5), "got expected_shape=5"),
    (dict(expected_shape=(None, -1)), r"got expected_shape=\(None, -1\)"),
    (dict(expected_shape="28"), "got expected_shape='28'"),
    (dict(sha256=5), "got sha256=5"),
    (dict(sha256="abc"), "got sha256='abc'"),
])
def test_read_idx_refuses_bad_arguments(tmp_path, kwargs, fragment):
    # old code: TypeError "object of type 'int' has no len()", AttributeError "lower"
    path = _write(tmp_path / "f", b"\x00\x00\x08\x01\x00\x00\x00\x01\x05")
    with pytest.raises(ValueError, match=fragment):
        read_idx(path, **kwargs)


# ---------------------------------------------------------------- data home
@pytest.fixture
def not_a_folder(tmp_path, request):
    path = tmp_path / "home"
    if request.param == "file":
        path.write_text("x")
    else:
        os.mkfifo(path)
    return path


@pytest.mark.parametrize("not_a_folder", ["file", "fifo"], indirect=True)
def test_data_home_that_is_not_a_folder_is_named(not_a_folder):
    # old code: "MNIST files missing in <file>/mnist", and the digits fallback
    # silently replaced the data home the user gave
    fragment = f"The data home {not_a_folder} is not a folder"
    with pytest.raises(NotADirectoryError, match=fragment):
        load_mnist(not_a_folder)
    with pytest.raises(NotADirectoryError, match=fragment):
        load_handwritten_digits(data_home=not_a_folder, n_train=20, n_test=20)
    with pytest.raises(NotADirectoryError, match=fragment):
        fetch_mnist(not_a_folder, [DirectorySource(not_a_folder.parent)])


@pytest.mark.parametrize("not_a_folder", ["file"], indirect=True)
def test_cli_reports_a_bad_data_home(not_a_folder, capsys):
    assert cli(["info", "--data-home", str(not_a_folder)]) == 1
    assert cli(["fetch", "mnist", "--data-home", str(not_a_folder),
                "--from", str(not_a_folder.parent), "-q"]) == 1
    assert capsys.readouterr().err.count(f"error: The data home {not_a_folder} is not a folder") == 2


@pytest.mark.parametrize("timeout", ["nan", "0", "-1"])
def test_cli_refuses_bad_timeout(timeout, capsys):
    with pytest.raises(SystemExit) as info:
        cli(["fetch", "mnist", "--timeout", timeout])
    assert info.value.code == 2
    assert f"--timeout must be > 0; got {float(timeout)}" in capsys.readouterr().err


def test_data_home_of_wrong_type_is_named():
    with pytest.raises(TypeError, match="`data_home` must be None, a str or a path-like; got data_home=5"):
        get_data_home(5)


def test_fifo_in_the_mnist_folder_counts_as_missing(tmp_path):
    (tmp_path / "mnist").mkdir()
    os.mkfifo(tmp_path / "mnist" / "train-images-idx3-ubyte")
    with pytest.raises(FileNotFoundError, match="MNIST files missing in .*train-images-idx3-ubyte"):
        load_mnist(tmp_path, subset="train")


@pytest.mark.parametrize("sources", ["abc", ["not a source"], [5]])
def test_fetch_refuses_non_callable_sources(tmp_path, sources):
    with pytest.raises(TypeError, match="`sources` must be None or a list of callables"):
        fetch_mnist(tmp_path, sources)
    assert not (tmp_path / "mnist").exists()


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(subset="x"), "got subset='x'"), (dict(dtype="foo"), "got dtype='foo'"),
    (dict(dtype=int), "got dtype=<class 'int'>"),
])
def test_load_mnist_refuses_bad_arguments(tmp_path, kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        load_mnist(tmp_path, **kwargs)


# ---------------------------------------------------------------- digits fallback
@pytest.mark.parametrize("kwargs, fragment", [
    (dict(n_train=-1), "`n_train` must be None or an integer >= 0; got n_train=-1"),
    (dict(n_train=1.5), "got n_train=1.5"),
    (dict(n_test=True), "got n_test=True"),
    (dict(n_train=10**9), r"`n_train` must be None, or between 10 .* and 1787 .*got n_train=1000000000"),
    (dict(n_test=10**9), "got n_test=1000000000"),
    (dict(n_train=1), "got n_train=1"),
    (dict(n_train=0), "got n_train=0"),
    (dict(n_train=5, n_test=5), "got n_train=5"),
    (dict(n_train=1000, n_test=1000), "`n_train` \\+ `n_test` must be at most 1797"),
    (dict(n_train=1798, n_test=0), "`n_train` must be at most 1797"),
    (dict(random_state="x"), "'x' cannot be used to seed"),
    (dict(dataset="x"), "got dataset='x'"),
])
def test_digits_sizes_are_named(kwargs, fragment):
    # old code: train_test_split's errors naming train_size / test_size
    kwargs = {"dataset": "digits", **kwargs}
    with pytest.raises(ValueError, match=fragment):
        load_handwritten_digits(**kwargs)


def test_digits_smallest_stratified_split_is_exact():
    data = load_handwritten_digits(dataset="digits", n_train=10, n_test=10, random_state=0)
    assert sorted(data.y_train.tolist()) == list(range(10))
    assert sorted(data.y_test.tolist()) == list(range(10))
