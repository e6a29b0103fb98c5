"""Every test runs with its own empty data home; real MNIST only when given.

* ``isolated_data_home`` (autouse): ``SKNN_CN_DATA`` and ``SCIKIT_LEARN_DATA``
  point at a new empty folder for each test, so no test can read (or write)
  the user's data home, and a cache on the developer's machine (MNIST in
  scikit-learn's default data home) cannot change a result.
* ``mnist_data_home``: tests that need the real MNIST ask for this fixture.
  It reads the folder from ``SKNN_CN_TEST_MNIST`` (a data home holding
  ``mnist/``, never the user's home) and points ``SKNN_CN_DATA`` at it; when
  the variable is unset the test is skipped with the reason shown by ``-ra``.
"""

import os

import pytest

# Under pytest-xdist (addopts in pyproject.toml) two workers share the cores: one
# BLAS / OpenMP thread each, set here before any test module loads NumPy or torch,
# so that their BLAS pools do not spin against each other (issue 13 measured
# 2-thread BLAS 10-50x slower on a busy 2-core machine).  A value the user set wins;
# a fit's own n_threads (sknn_cn.training.threads) still applies inside the fit.
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

#: Environment variable naming a data home that holds the real MNIST.
TEST_MNIST_ENV = "SKNN_CN_TEST_MNIST"


@pytest.fixture(autouse=True)
def isolated_data_home(tmp_path_factory, monkeypatch):
    """An empty data home for each test (sknn_cn's and scikit-learn's)."""
    folder = tmp_path_factory.mktemp("data_home")
    monkeypatch.setenv("SKNN_CN_DATA", str(folder / "sknn_cn"))
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(folder / "sklearn"))
    return folder


@pytest.fixture
def mnist_data_home(monkeypatch):
    """The data home holding the real MNIST, from ``SKNN_CN_TEST_MNIST``; skip without it."""
    folder = os.environ.get(TEST_MNIST_ENV)
    if not folder:
        pytest.skip(
            f"MNIST not given: set {TEST_MNIST_ENV} to a data home holding mnist/ "
            "(`python -m sknn_cn.datasets fetch mnist --data-home DIR`)")
    if not os.path.isdir(os.path.join(folder, "mnist")):
        pytest.fail(f"{TEST_MNIST_ENV}={folder} has no mnist/ folder.")
    monkeypatch.setenv("SKNN_CN_DATA", folder)
    return folder
