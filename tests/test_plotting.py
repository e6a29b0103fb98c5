"""Tests of sknn_cn.plotting: every Display renders with Agg, returns its figure,
and draws what the estimator computes (grid probabilities, hidden activations,
the output layer's boundary, curves)."""

import subprocess
import sys
import types
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay, roc_auc_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier  # noqa: E402
from sknn_cn.datasets import make_coin_hole, make_double_arc, make_xor  # noqa: E402
from sknn_cn.plotting import (  # noqa: E402
    BoundaryDisplay,
    HiddenSpaceDisplay,
    HiddenSpaceSnapshots,
    LRFinderDisplay,
    RocCurvesDisplay,
    TrainingCurvesDisplay,
)


@pytest.fixture(autouse=True)
def no_show_and_close(monkeypatch):
    def refuse():
        raise AssertionError("plt.show() must never be called")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


def quiet_fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.fixture(scope="module")
def arc():
    X, y = make_double_arc(120, random_state=0)
    est = quiet_fit(BinaryMLPClassifier((2,), activation="tanh", learning_rate_init=0.05,
                                        max_iter=150, random_state=0), X, y)
    return est, X, y


@pytest.fixture(scope="module")
def coin():
    X, y = make_coin_hole(300, random_state=0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    est = quiet_fit(MulticlassMLPClassifier((3,), activation="tanh",
                                            learning_rate_init=0.1, max_iter=80,
                                            batch_size=32, random_state=0), X, y)
    return est, X, y


def test_importing_plotting_does_not_import_matplotlib():
    code = ("import sys, sknn_cn.plotting, sknn_cn.metrics; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported eagerly'")
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------ boundary (1.1.4)
def test_boundary_binary_probability_map_and_half_contour(arc):
    est, X, y = arc
    disp = BoundaryDisplay.from_estimator(est, X, y, grid_resolution=60)
    assert isinstance(disp.figure_, matplotlib.figure.Figure)
    assert disp.ax_.figure is disp.figure_
    # the map is P(classes_[1]) of every grid point, straight from the estimator
    grid = np.column_stack([disp.xx0.ravel(), disp.xx1.ravel()])
    np.testing.assert_allclose(disp.response.ravel(), est.predict_proba(grid)[:, 1])
    assert list(disp.contour_.levels) == [0.5]
    # the drawn contour is where the network says 0.5 (up to grid interpolation)
    verts = np.vstack([p.vertices for p in disp.contour_.get_paths()])
    assert len(verts) > 10
    p = est.predict_proba(verts)[:, 1]
    assert np.max(np.abs(p - 0.5)) < 0.15
    assert len(disp.scatter_) == 2
    for coll, cls in zip(disp.scatter_, est.classes_):
        np.testing.assert_allclose(coll.get_offsets(), X[y == cls])
    assert disp.ax_.get_xlabel() == "$x_1$" and disp.ax_.get_ylabel() == "$x_2$"
    assert "0.5" in disp.ax_.get_title()
    assert disp.colorbar_.ax.get_ylabel() == "P(class 1)"
    assert [t.get_text() for t in disp.ax_.get_legend().get_texts()] == \
        ["class 0", "class 1", "P = 0.5"]


def test_boundary_multiclass_regions_on_given_axes(coin):
    est, X, y = coin
    fig, ax = plt.subplots()
    disp = BoundaryDisplay.from_estimator(est, X, y, grid_resolution=40, ax=ax,
                                          class_names=["hole", "ring", "outside"],
                                          title="coin")
    assert disp.ax_ is ax and disp.figure_ is fig
    grid = np.column_stack([disp.xx0.ravel(), disp.xx1.ravel()])
    np.testing.assert_array_equal(disp.response.ravel(),
                                  np.searchsorted(est.classes_, est.predict(grid)))
    assert list(disp.contour_.levels) == [0.5, 1.5]
    assert disp.colorbar_ is None
    assert len(disp.scatter_) == 3
    assert ax.get_title() == "coin"
    assert "class ring" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_boundary_errors(arc):
    est, X, y = arc
    with pytest.raises(ValueError, match="exactly 2 features"):
        BoundaryDisplay.from_estimator(est, np.c_[X, X[:, :1]], y)
    with pytest.raises(ValueError, match="grid_resolution"):
        BoundaryDisplay.from_estimator(est, X, y, grid_resolution=1)
    with pytest.raises(ValueError, match="class_names has 3 entries"):
        BoundaryDisplay.from_estimator(est, X, y, class_names=["a", "b", "c"])


# ------------------------------------------------------- hidden space (1.1.5)
def test_hidden_space_2d_points_grid_and_line(arc):
    est, X, y = arc
    disp = HiddenSpaceDisplay.from_estimator(est, X, y, n_grid_lines=5)
    H = est.hidden_activations(X)[0]
    assert disp.projection_ == "2d"
    np.testing.assert_allclose(disp.hidden_, H)
    for coll, cls in zip(disp.scatter_, est.classes_):
        np.testing.assert_allclose(coll.get_offsets(), H[y == cls])
    # grid: 5 lines per input direction, each the hidden image of a straight line
    assert len(disp.grid_lines_) == 10
    lo = X.min(axis=0) - 0.1 * (X.max(axis=0) - X.min(axis=0))
    hi = X.max(axis=0) + 0.1 * (X.max(axis=0) - X.min(axis=0))
    t = np.linspace(0, 1, 80)
    first = np.column_stack([np.full_like(t, lo[0]), lo[1] + t * (hi[1] - lo[1])])
    np.testing.assert_allclose(disp.grid_lines_[0], est.hidden_activations(first)[0])
    # the separating line is {h : h . w + b = 0} of the logistic output unit
    w, b = est.coefs_[-1][:, 0], est.intercepts_[-1][0]
    xs, ys = disp.boundary_.get_data()
    np.testing.assert_allclose(np.column_stack([xs, ys]) @ w + b, 0, atol=1e-9)
    assert disp.ax_.get_xlabel() == "$h_{1}$" and disp.ax_.get_ylabel() == "$h_{2}$"
    assert "separating line" in disp.ax_.get_title()


def test_hidden_space_3d_binary_plane():
    X, y = make_double_arc(80, random_state=1)
    est = quiet_fit(BinaryMLPClassifier((3,), activation="tanh", learning_rate_init=0.05,
                                        max_iter=60, random_state=0), X, y)
    disp = HiddenSpaceDisplay.from_estimator(est, X, y, n_grid_lines=4)
    assert disp.projection_ == "3d" and disp.ax_.name == "3d"
    H = est.hidden_activations(X)[0]
    np.testing.assert_allclose(disp.hidden_, H)
    xs, ys, zs = disp.scatter_[0]._offsets3d
    np.testing.assert_allclose(np.column_stack([xs, ys, zs]), H[y == est.classes_[0]])
    assert len(disp.boundary_) == 1                 # one plane
    assert disp.ax_.get_zlabel() == "$h_{3}$"


def test_hidden_space_output_projection_is_exact(coin):
    """In the 'output' projection of a 3-class net, the drawn regions are the
    softmax's decisions: region_fn of the drawn points = the predicted classes."""
    est, X, y = coin
    disp = HiddenSpaceDisplay.from_estimator(est, X, y, projection="output")
    assert disp.projection_ == "output" and disp.basis_.shape == (3, 2)
    np.testing.assert_allclose(disp.hidden_, est.hidden_activations(X)[0] @ disp.basis_)
    predicted = np.searchsorted(est.classes_, est.predict(X))
    np.testing.assert_array_equal(disp.region_fn(disp.hidden_), predicted)
    assert list(disp.boundary_.levels) == [0.5, 1.5]


def test_hidden_space_output_projection_binary_wide_layer():
    X, y = make_double_arc(100, random_state=2)
    est = quiet_fit(BinaryMLPClassifier((6,), activation="relu", learning_rate_init=0.05,
                                        max_iter=60, random_state=0), X, y)
    disp = HiddenSpaceDisplay.from_estimator(est, X, y)     # auto -> 'output'
    assert disp.projection_ == "output"
    w, b = est.coefs_[-1][:, 0], est.intercepts_[-1][0]
    u1 = disp.hidden_[:, 0]
    np.testing.assert_allclose(u1, est.hidden_activations(X)[0] @ w / np.linalg.norm(w))
    # the boundary is the vertical line u1 = -b / ||w||, and it decides like predict
    xs, _ = disp.boundary_.get_data()
    np.testing.assert_allclose(xs, -b / np.linalg.norm(w))
    np.testing.assert_array_equal(est.classes_[(u1 > xs[0]).astype(int)], est.predict(X))


def test_hidden_space_pipeline_and_sklearn_mlp():
    from sklearn.neural_network import MLPClassifier

    X, y = make_xor(40, noise=0.1, random_state=0)
    pipe = quiet_fit(make_pipeline(StandardScaler(), BinaryMLPClassifier(
        (2,), activation="tanh", learning_rate_init=0.1, max_iter=30, random_state=0)),
        X, y)
    disp = HiddenSpaceDisplay.from_estimator(pipe, X, y, n_grid_lines=3)
    net = pipe[-1]
    np.testing.assert_allclose(disp.hidden_,
                               net.hidden_activations(pipe[0].transform(X))[0])
    # sklearn's MLPClassifier has no hidden_activations: forward pass from coefs_
    sk = quiet_fit(MLPClassifier((2,), activation="tanh", max_iter=50, random_state=0),
                   X, y)
    disp = HiddenSpaceDisplay.from_estimator(sk, X, y, n_grid_lines=0)
    np.testing.assert_allclose(disp.hidden_,
                               np.tanh(X @ sk.coefs_[0] + sk.intercepts_[0]))
    assert disp.grid_lines_ == []


def test_hidden_space_errors(arc, coin):
    est, X, y = arc
    with pytest.raises(ValueError, match="projection must be one of"):
        HiddenSpaceDisplay.from_estimator(est, X, y, projection="tsne")
    with pytest.raises(ValueError, match="needs a layer of 3 units"):
        HiddenSpaceDisplay.from_estimator(est, X, y, projection="3d")
    with pytest.raises(ValueError, match="layer must index"):
        HiddenSpaceDisplay.from_estimator(est, X, y, layer=3)
    _, ax = plt.subplots()
    est3, X3, y3 = coin
    with pytest.raises(ValueError, match="3-D Axes"):
        HiddenSpaceDisplay.from_estimator(est3, X3, y3, projection="3d", ax=ax)


def test_hidden_space_snapshots_follow_partial_fit():
    X, y = make_double_arc(60, random_state=3)
    est = BinaryMLPClassifier((2,), activation="tanh", learning_rate_init=0.05,
                              random_state=0)
    snaps = HiddenSpaceSnapshots.from_estimator(est, X, y, epochs=(1, 4),
                                                n_grid_lines=3)
    assert len(snaps.displays_) == 2 and len(snaps.figure_.axes) == 2
    # the last picture shows the clone after 4 epochs of partial_fit
    ref = BinaryMLPClassifier((2,), activation="tanh", learning_rate_init=0.05,
                              random_state=0)
    ref.partial_fit(X, y, classes=[0, 1])
    first = ref.hidden_activations(X)[0]
    for _ in range(3):
        ref.partial_fit(X, y)
    np.testing.assert_allclose(snaps.displays_[0].hidden_, first)
    np.testing.assert_allclose(snaps.displays_[1].hidden_, ref.hidden_activations(X)[0])
    assert snaps.axes_[1].get_title() == (
        f"after 4 epochs (training accuracy {ref.score(X, y):.2f})")
    assert not hasattr(est, "coefs_")               # the estimator itself is untouched
    with pytest.raises(ValueError, match="increasing"):
        HiddenSpaceSnapshots.from_estimator(est, X, y, epochs=(3, 2))


# ------------------------------------------------------------ other displays
def test_training_curves_with_validation():
    X, y = make_double_arc(200, random_state=0)
    est = quiet_fit(BinaryMLPClassifier((4,), activation="tanh", early_stopping=True,
                                        max_iter=30, learning_rate_init=0.05,
                                        random_state=0), X, y)
    disp = TrainingCurvesDisplay.from_estimator(est)
    np.testing.assert_allclose(disp.lines_["loss"].get_ydata(), est.loss_curve_)
    np.testing.assert_allclose(disp.lines_["validation_loss"].get_ydata(),
                               est.validation_loss_curve_)
    np.testing.assert_allclose(disp.lines_["validation_score"].get_ydata(),
                               est.validation_scores_)
    assert disp.ax_.get_xlabel() == "epoch"
    assert disp.ax_score_.get_ylabel() == "validation accuracy"
    assert len(disp.ax_.get_legend().get_texts()) == 3


def test_training_curves_without_validation(arc):
    est, _, _ = arc
    disp = TrainingCurvesDisplay.from_estimator(est, log_loss_axis=True)
    assert disp.ax_score_ is None and set(disp.lines_) == {"loss"}
    assert disp.ax_.get_yscale() == "log"


def test_roc_binary_and_multiclass(arc, coin):
    est, X, y = arc
    disp = RocCurvesDisplay.from_estimator(est, X, y)
    assert len(disp.displays_) == 1
    assert disp.displays_[0].roc_auc == pytest.approx(
        roc_auc_score(y, est.predict_proba(X)[:, 1]))
    assert disp.ax_.get_xlabel() == "False positive rate (FPR)"
    est3, X3, y3 = coin
    disp = RocCurvesDisplay.from_estimator(est3, X3, y3)
    proba = est3.predict_proba(X3)
    assert len(disp.displays_) == 3
    for k, d in enumerate(disp.displays_):
        assert d.roc_auc == pytest.approx(roc_auc_score(y3 == k, proba[:, k]))


def test_confusion_matrix_display_works_with_our_estimator(coin):
    est, X, y = coin
    disp = ConfusionMatrixDisplay.from_estimator(est, X, y, cmap="cividis")
    assert disp.confusion_matrix.sum() == len(y)


def test_lr_finder_display():
    lrs = np.logspace(-5, 0, 50)
    losses = 1.0 / (1 + 50 * lrs) + np.where(lrs > 0.3, 10 * lrs, 0)
    disp = LRFinderDisplay(lrs, losses, suggestions={"steepest": 0.01}).plot()
    np.testing.assert_allclose(disp.line_.get_xdata(), lrs)
    np.testing.assert_allclose(disp.line_.get_ydata(), losses)
    assert disp.ax_.get_xscale() == "log"
    assert disp.suggestion_lines_[0].get_xdata()[0] == pytest.approx(0.01)
    # a result object with attributes, as the LR finder returns
    result = types.SimpleNamespace(lrs_=lrs, losses_=losses, suggestion_=0.02)
    disp = LRFinderDisplay.from_result(result)
    assert disp.suggestion_lines_[0].get_xdata()[0] == pytest.approx(0.02)
    with pytest.raises(ValueError, match="same length"):
        LRFinderDisplay(lrs, losses[:-1])
    with pytest.raises(ValueError, match="no learning rates"):
        LRFinderDisplay.from_result(types.SimpleNamespace())
