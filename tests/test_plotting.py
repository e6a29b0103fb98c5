"""Tests of sknn_cn.plotting: every Display renders with Agg, returns its figure,
and draws what the library computes, read back from the drawn artists and
compared with an oracle: the estimator's own ``predict`` / ``predict_proba`` /
``hidden_activations`` on the same points, sklearn's ``roc_curve`` and ``PCA``
(or the covariance's eigenvalues), a real ``lr_range_test`` result and a real
``LRBatchGrid`` from ``GridSearchCV``."""

import copy
import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay, roc_auc_score, roc_curve  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier  # noqa: E402
from sknn_cn.datasets import make_coin_hole, make_double_arc, make_xor  # noqa: E402
from sknn_cn.lr_finder import lr_range_test  # noqa: E402
from sknn_cn.plotting import (  # noqa: E402
    BoundaryDisplay,
    HiddenSpaceDisplay,
    HiddenSpaceSnapshots,
    LRBatchGridDisplay,
    LRFinderDisplay,
    RocCurvesDisplay,
    TrainingCurvesDisplay,
)
from sknn_cn.plotting.common import legend_corner  # noqa: E402
from sknn_cn.scaling import LRBatchGrid  # noqa: E402


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


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_importing_plotting_does_not_import_matplotlib():
    code = ("import sys, sknn_cn.plotting, sknn_cn.plotting.projection, sknn_cn.scaling, "
            "sknn_cn.metrics; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported eagerly'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_legend_corner_is_the_emptiest_corner():
    # points fill every corner but the lower left
    x = np.array([0.9, 0.95, 0.1, 0.05, 0.9, 0.5])
    y = np.array([0.9, 0.95, 0.9, 0.95, 0.1, 0.5])
    assert legend_corner(x, y, (0, 1), (0, 1)) == "lower left"
    # ties go to matplotlib's first choice
    assert legend_corner([0.5], [0.5], (0, 1), (0, 1)) == "upper right"
    # a log x axis is judged in log coordinates: 1e-4 is at the far left of 1e-5..10
    assert legend_corner([1e-4, 1e-4], [0.9, 0.1], (1e-5, 10), (0, 1),
                         log_x=True) == "upper right"
    assert legend_corner([5, 5, 1e-4], [0.9, 0.1, 0.9], (1e-5, 10), (0, 1),
                         log_x=True) == "lower left"


# ------------------------------------------------------------ boundary (1.1.4)
def test_boundary_binary_probability_map_and_half_contour(arc):
    est, X, y = arc
    disp = BoundaryDisplay.from_estimator(est, X, y, grid_resolution=60)
    assert isinstance(disp.figure_, matplotlib.figure.Figure)
    assert disp.ax_.figure is disp.figure_
    # the drawn map is P(classes_[1]) of every grid point, straight from the estimator
    grid = np.column_stack([disp.xx0.ravel(), disp.xx1.ravel()])
    np.testing.assert_allclose(np.asarray(disp.surface_.get_array()).ravel(),
                               est.predict_proba(grid)[:, 1])
    # and its two colours are predict's two answers
    np.testing.assert_array_equal(est.classes_[(disp.response.ravel() > 0.5).astype(int)],
                                  est.predict(grid))
    assert list(disp.contour_.levels) == [0.5]
    # the drawn contour is where the network says 0.5 (up to grid interpolation)
    verts = np.vstack([p.vertices for p in disp.contour_.get_paths()])
    assert len(verts) > 10
    assert np.max(np.abs(est.predict_proba(verts)[:, 1] - 0.5)) < 0.15
    assert len(disp.scatter_) == 2
    for coll, cls in zip(disp.scatter_, est.classes_):
        np.testing.assert_allclose(coll.get_offsets(), X[y == cls])
    assert disp.ax_.get_xlabel() == "$x_1$" and disp.ax_.get_ylabel() == "$x_2$"
    assert "0.5" in disp.ax_.get_title()
    assert disp.colorbar_.ax.get_ylabel() == "P(class 1)"
    assert legend_texts(disp.ax_) == ["class 0", "class 1", "P = 0.5"]


def test_boundary_multiclass_regions_on_given_axes(coin):
    est, X, y = coin
    fig, ax = plt.subplots()
    disp = BoundaryDisplay.from_estimator(est, X, y, grid_resolution=40, ax=ax,
                                          class_names=["hole", "ring", "outside"],
                                          title="coin")
    assert disp.ax_ is ax and disp.figure_ is fig
    grid = np.column_stack([disp.xx0.ravel(), disp.xx1.ravel()])
    drawn = np.asarray(disp.surface_.get_array()).ravel()
    np.testing.assert_array_equal(est.classes_[drawn.astype(int)], est.predict(grid))
    assert list(disp.contour_.levels) == [0.5, 1.5]
    assert disp.colorbar_ is None
    assert len(disp.scatter_) == 3
    assert ax.get_title() == "coin"
    assert "class ring" in legend_texts(ax)


def test_boundary_xlim_ylim_set_the_grid(arc):
    est, X, y = arc
    disp = BoundaryDisplay.from_estimator(est, X, y, grid_resolution=11, xlim=(-2, 3),
                                          ylim=(0, 1))
    np.testing.assert_allclose(disp.xx0[0], np.linspace(-2, 3, 11))
    np.testing.assert_allclose(disp.xx1[:, 0], np.linspace(0, 1, 11))
    assert disp.ax_.get_xlim() == (-2, 3) and disp.ax_.get_ylim() == (0, 1)


def test_boundary_errors(arc):
    est, X, y = arc
    with pytest.raises(ValueError, match="exactly 2 features"):
        BoundaryDisplay.from_estimator(est, np.c_[X, X[:, :1]], y)
    with pytest.raises(ValueError, match="grid_resolution=1"):
        BoundaryDisplay.from_estimator(est, X, y, grid_resolution=1)
    with pytest.raises(ValueError, match="class_names has 3 entries"):
        BoundaryDisplay.from_estimator(est, X, y, class_names=["a", "b", "c"])
    with pytest.raises(NotFittedError):
        BoundaryDisplay.from_estimator(BinaryMLPClassifier(), X, y)


# ------------------------------------------------------- hidden space (1.1.5)
def test_hidden_space_2d_points_grid_and_line(arc):
    est, X, y = arc
    disp = HiddenSpaceDisplay.from_estimator(est, X, y, n_grid_lines=5)
    H = est.hidden_activations(X)[0]
    assert disp.projection_ == "2d" and disp.basis_ is None
    np.testing.assert_allclose(disp.hidden_, H)
    for coll, cls in zip(disp.scatter_, est.classes_):
        np.testing.assert_allclose(coll.get_offsets(), H[y == cls])
    # grid: 5 lines per input direction, each the hidden image of a straight line
    assert len(disp.grid_lines_) == 10
    lo = X.min(axis=0) - 0.1 * (X.max(axis=0) - X.min(axis=0))
    hi = X.max(axis=0) + 0.1 * (X.max(axis=0) - X.min(axis=0))
    t = np.linspace(0, 1, 80)
    first = np.column_stack([np.full_like(t, lo[0]), lo[1] + t * (hi[1] - lo[1])])
    last = np.column_stack([lo[0] + t * (hi[0] - lo[0]), np.full_like(t, hi[1])])
    np.testing.assert_allclose(disp.grid_lines_[0], est.hidden_activations(first)[0])
    np.testing.assert_allclose(disp.grid_lines_[-1], est.hidden_activations(last)[0])
    # the separating line is {h : h . w + b = 0} of the logistic output unit,
    # and its two sides are predict's answers
    w, b = est.coefs_[-1][:, 0], est.intercepts_[-1][0]
    xs, ys = disp.boundary_.get_data()
    np.testing.assert_allclose(np.column_stack([xs, ys]) @ w + b, 0, atol=1e-9)
    np.testing.assert_array_equal(est.classes_[(H @ w + b > 0).astype(int)], est.predict(X))
    assert disp.ax_.get_xlabel() == "$h_{1}$" and disp.ax_.get_ylabel() == "$h_{2}$"
    assert disp.ax_.get_title() == (
        "Hidden layer 1 (2 tanh units)\nsamples and the input-plane grid (grey); "
        "black: output layer's separating line")
    assert legend_texts(disp.ax_) == ["class 0", "class 1", "input-plane grid",
                                      "separating line"]


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
    assert "grey surface: output layer's separating plane" in disp.ax_.get_title()


def test_hidden_space_3d_multiclass_planes(coin):
    est, X, y = coin
    disp = HiddenSpaceDisplay.from_estimator(est, X, y, n_grid_lines=3)
    assert disp.projection_ == "3d"
    np.testing.assert_allclose(disp.hidden_, est.hidden_activations(X)[0])
    # the decision drawn is the output layer's: argmax of the logits = predict
    predicted = np.searchsorted(est.classes_, est.predict(X))
    np.testing.assert_array_equal(disp.regions(disp.hidden_), predicted)
    assert 1 <= len(disp.boundary_) <= 3            # pieces of the 3 pairwise planes


def test_hidden_space_output_projection_is_exact(coin):
    """In the 'output' projection of a 3-class net, the drawn regions are the
    softmax's decisions: the regions of the drawn points = the predicted classes."""
    est, X, y = coin
    disp = HiddenSpaceDisplay.from_estimator(est, X, y, projection="output")
    assert disp.projection_ == "output" and disp.basis_.shape == (3, 2)
    np.testing.assert_allclose(disp.basis_.T @ disp.basis_, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(disp.hidden_, est.hidden_activations(X)[0] @ disp.basis_)
    predicted = np.searchsorted(est.classes_, est.predict(X))
    np.testing.assert_array_equal(disp.regions(disp.hidden_), predicted)
    assert list(disp.boundary_.levels) == [0.5, 1.5]
    assert "projected on the output layer's plane" in disp.ax_.get_title()


def test_hidden_space_output_projection_binary_wide_layer():
    X, y = make_double_arc(100, random_state=2)
    est = quiet_fit(BinaryMLPClassifier((6,), activation="relu", learning_rate_init=0.05,
                                        max_iter=60, random_state=0), X, y)
    disp = HiddenSpaceDisplay.from_estimator(est, X, y)     # auto -> 'output'
    assert disp.projection_ == "output"
    H = est.hidden_activations(X)[0]
    w, b = est.coefs_[-1][:, 0], est.intercepts_[-1][0]
    u1 = disp.hidden_[:, 0]
    np.testing.assert_allclose(u1, H @ w / np.linalg.norm(w))
    # the second axis is orthogonal to w and is the main direction of the rest
    e2 = disp.basis_[:, 1]
    assert abs(e2 @ w) < 1e-9 and np.linalg.norm(e2) == pytest.approx(1.0)
    rest = H - np.outer(H @ w, w) / (w @ w)
    top = np.linalg.eigh(np.cov(rest.T))[0][-1]
    assert np.var(disp.hidden_[:, 1], ddof=1) == pytest.approx(top, rel=1e-9)
    # the boundary is the vertical line u1 = -b / ||w||, and it decides like predict
    xs, _ = disp.boundary_.get_data()
    np.testing.assert_allclose(xs, -b / np.linalg.norm(w))
    np.testing.assert_array_equal(est.classes_[(u1 > xs[0]).astype(int)], est.predict(X))


def test_hidden_space_pca_projection_of_a_first_layer():
    X, y = make_coin_hole(200, random_state=1)
    est = quiet_fit(MulticlassMLPClassifier((5, 4), activation="tanh", max_iter=30,
                                            random_state=0), X, y)
    disp = HiddenSpaceDisplay.from_estimator(est, X, y, layer=0, n_grid_lines=2)
    assert disp.projection_ == "pca" and disp.boundary_ is None
    H = est.hidden_activations(X)[0]
    # the drawn coordinates are the centred samples on two orthonormal directions
    # that keep the two largest variances (eigenvalues of the covariance)
    np.testing.assert_allclose(disp.hidden_, (H - H.mean(axis=0)) @ disp.basis_, atol=1e-12)
    np.testing.assert_allclose(disp.basis_.T @ disp.basis_, np.eye(2), atol=1e-12)
    top2 = np.linalg.eigh(np.cov(H.T))[0][::-1][:2]
    np.testing.assert_allclose(np.var(disp.hidden_, axis=0, ddof=1), top2, rtol=1e-9)
    assert disp.ax_.get_title().startswith("Hidden layer 1 (5 tanh units), PCA projection")
    assert "black" not in disp.ax_.get_title()


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
    with pytest.raises(ValueError, match="layer=3"):
        HiddenSpaceDisplay.from_estimator(est, X, y, layer=3)
    _, ax = plt.subplots()
    est3, X3, y3 = coin
    with pytest.raises(ValueError, match="3-D Axes"):
        HiddenSpaceDisplay.from_estimator(est3, X3, y3, projection="3d", ax=ax)


def test_hidden_space_snapshots_draw_given_estimators_without_training():
    X, y = make_double_arc(60, random_state=3)
    net = BinaryMLPClassifier((2,), activation="tanh", learning_rate_init=0.05,
                              random_state=0)
    snapshots = []
    for epoch in range(1, 5):
        net.partial_fit(X, y, classes=[0, 1])
        if epoch in (1, 4):
            snapshots.append((f"after {epoch} epochs", copy.deepcopy(net)))
    before = [[W.copy() for W in est.coefs_] for _, est in snapshots]
    snaps = HiddenSpaceSnapshots.from_estimators(snapshots, X, y, n_grid_lines=3)
    assert len(snaps.displays_) == 2 and len(snaps.figure_.axes) == 2
    assert snaps.labels_ == ["after 1 epochs", "after 4 epochs"]
    for (label, est), disp, ax, coefs in zip(snapshots, snaps.displays_, snaps.axes_,
                                             before):
        np.testing.assert_allclose(disp.hidden_, est.hidden_activations(X)[0])
        assert ax.get_title() == f"{label} (accuracy {est.score(X, y):.2f})"
        # nothing was trained: the snapshots' weights are as given
        for W, W0 in zip(est.coefs_, coefs):
            np.testing.assert_array_equal(W, W0)
    assert snaps.axes_[0].get_legend() is not None and snaps.axes_[1].get_legend() is None
    assert "black: output layer's boundary" in snaps.figure_.get_suptitle()


def test_hidden_space_snapshots_errors(arc):
    est, X, y = arc
    with pytest.raises(ValueError, match="non-empty sequence of \\(label, fitted"):
        HiddenSpaceSnapshots.from_estimators([], X, y)
    with pytest.raises(ValueError, match="\\(label, fitted estimator\\) pairs"):
        HiddenSpaceSnapshots.from_estimators([est], X, y)
    with pytest.raises(NotFittedError):
        HiddenSpaceSnapshots.from_estimators([("a", est), ("b", BinaryMLPClassifier())],
                                             X, y)
    with pytest.raises(ValueError, match="layer=2"):
        HiddenSpaceSnapshots.from_estimators([("a", est)], X, y, layer=2)


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
    np.testing.assert_array_equal(disp.lines_["loss"].get_xdata(),
                                  np.arange(1, est.n_iter_ + 1))
    assert disp.ax_.get_xlabel() == "epoch"
    assert disp.ax_score_.get_ylabel() == "validation accuracy"
    assert len(disp.ax_.get_legend().get_texts()) == 3


def test_training_curves_without_validation(arc):
    est, _, _ = arc
    disp = TrainingCurvesDisplay.from_estimator(est, log_loss_axis=True)
    assert disp.ax_score_ is None and set(disp.lines_) == {"loss"}
    assert disp.ax_.get_yscale() == "log"


def test_roc_lines_are_sklearns_roc_curve(arc, coin):
    est, X, y = arc
    disp = RocCurvesDisplay.from_estimator(est, X, y)
    proba = est.predict_proba(X)
    fpr, tpr, _ = roc_curve(y, proba[:, 1])
    assert len(disp.displays_) == 1 and disp.displays_[0].line_.axes is disp.ax_
    np.testing.assert_allclose(disp.displays_[0].line_.get_xdata(), fpr)
    np.testing.assert_allclose(disp.displays_[0].line_.get_ydata(), tpr)
    assert disp.displays_[0].roc_auc == pytest.approx(roc_auc_score(y, proba[:, 1]))
    assert disp.ax_.get_xlabel() == "False positive rate (FPR)"
    est3, X3, y3 = coin
    disp = RocCurvesDisplay.from_estimator(est3, X3, y3)
    proba = est3.predict_proba(X3)
    assert len(disp.displays_) == 3
    for k, d in enumerate(disp.displays_):
        fpr, tpr, _ = roc_curve(y3 == est3.classes_[k], proba[:, k])
        np.testing.assert_allclose(d.line_.get_xdata(), fpr)
        np.testing.assert_allclose(d.line_.get_ydata(), tpr)
        assert d.roc_auc == pytest.approx(roc_auc_score(y3 == k, proba[:, k]))
    with pytest.raises(ValueError, match="one column per class"):
        RocCurvesDisplay.from_predictions(y3, proba[:, :2], classes=est3.classes_)


def test_confusion_matrix_display_works_with_our_estimator(coin):
    est, X, y = coin
    disp = ConfusionMatrixDisplay.from_estimator(est, X, y, cmap="cividis")
    assert disp.confusion_matrix.sum() == len(y)


# ------------------------------------------------- range test (1.4.4.1)
@pytest.fixture(scope="module")
def range_result():
    X, y = make_coin_hole(400, random_state=0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    net = MulticlassMLPClassifier((8,), batch_size=32, random_state=0)
    return lr_range_test(net, X, y, n_steps=150, max_lr=30.0)


def test_lr_finder_display_from_a_real_range_test(range_result):
    result = range_result
    assert np.isfinite([result.lr_min, result.lr_max]).all()   # the band is drawn
    disp = LRFinderDisplay.from_result(result)
    np.testing.assert_array_equal(disp.line_.get_xdata(), result.lrs)
    np.testing.assert_array_equal(disp.line_.get_ydata(), result.smoothed_losses)
    np.testing.assert_array_equal(disp.raw_line_.get_ydata(), result.losses)
    assert disp.ax_.get_xscale() == "log"
    # one vertical line per suggestion, the default rule's labelled as such
    assert [line.get_xdata()[0] for line in disp.suggestion_lines_] == \
        list(result.suggestions.values())
    default = [line.get_label() for line in disp.suggestion_lines_
               if line.get_label().startswith(f"{result.rule} (default)")]
    assert default == [f"{result.rule} (default): {result.suggestion:.3g}"]
    # the shaded band spans lr_min .. lr_max
    band = disp.range_patch_
    assert band.get_x() == pytest.approx(result.lr_min)
    assert band.get_x() + band.get_width() == pytest.approx(result.lr_max)
    # the same picture as the result's own plot()
    own = result.plot()
    np.testing.assert_array_equal(own.line_.get_ydata(), disp.line_.get_ydata())
    assert legend_texts(own.ax_) == legend_texts(disp.ax_)


def test_lr_finder_display_checks_its_input(range_result):
    with pytest.raises(TypeError, match="LRRangeTestResult"):
        LRFinderDisplay.from_result({"lrs": range_result.lrs})
    with pytest.raises(ValueError, match="same length"):
        LRFinderDisplay(range_result.lrs, range_result.losses[:-1])
    with pytest.raises(ValueError, match="lr_min <= lr_max"):
        LRFinderDisplay(range_result.lrs, range_result.losses, lr_range=(1.0, 0.1))
    with pytest.raises(TypeError, match="dict of label"):
        LRFinderDisplay(range_result.lrs, range_result.losses, suggestions=[0.1])
    # NaN ends (a loss that never fell): no band, no line at NaN
    disp = LRFinderDisplay(range_result.lrs, range_result.losses,
                           suggestions={"none": float("nan")},
                           lr_range=(float("nan"), float("nan"))).plot()
    assert disp.range_patch_ is None and disp.suggestion_lines_ == []


# ------------------------------------------- lr x batch grid (1.4.4.3)
def test_lr_batch_grid_display_draws_a_real_grid_search():
    X, y = make_coin_hole(150, random_state=0)
    search = GridSearchCV(
        MulticlassMLPClassifier((4,), solver="sgd", momentum=0.0, max_iter=3,
                                random_state=0, n_init=1),
        {"learning_rate_init": [0.1, 0.3, 1.0], "batch_size": [16, 32, 64]},
        cv=StratifiedKFold(2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    grid = LRBatchGrid.from_cv_results(search.cv_results_)
    disp = LRBatchGridDisplay.from_cv_results(search.cv_results_)
    np.testing.assert_array_equal(disp.image_.get_array(), grid.scores)
    # the marked best rates, read back from their column positions
    back = np.exp(np.interp(disp.best_line_.get_xdata(), np.arange(3), np.log(grid.lrs)))
    np.testing.assert_allclose(back, grid.refined_lrs, rtol=1e-12)
    np.testing.assert_array_equal(disp.best_line_.get_ydata(), [0, 1, 2])
    # the linear rule from batch 16, written out: lr * m / 16 (clipped at the grid's edge)
    linear = grid.refined_lrs[0] * np.array([16, 32, 64]) / 16
    np.testing.assert_allclose(disp.rule_lines_["linear"].get_xdata(), disp.column(linear))
    assert disp.ax_.get_xlabel().startswith("learning_rate_init")
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["0.1", "0.3", "1"]
    # one text per cell, the grid's scores
    texts = [t.get_text() for t in disp.ax_.texts]
    assert texts == [f"{s:.3f}" for s in grid.scores.ravel()]
