"""Tests for sknn_cn.lr_finder (seed 1.4.4.1, Smith 2015).

Oracles: the exponential schedule and the bias-corrected moving average
written out here in closed form; the range test replayed with torch autograd
and plain SGD in float64 (when torch is installed); synthetic loss curves
whose steepest point, minimum and longest descent are known by construction.
"""

import math
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from sknn_cn import BinaryMLPClassifier, MulticlassMLPClassifier, network
from sknn_cn.datasets import make_coin_hole, make_double_arc
from sknn_cn.lr_finder import (
    DEFAULT_RULE,
    SUGGESTION_RULES,
    RANGE_FRACTION,
    LRRangeTestResult,
    lr_range,
    lr_range_test,
    smooth_losses,
    suggest_lr,
)
from sknn_cn.plotting import LRFinderDisplay


def _coin(n=400):
    X, y = make_coin_hole(n, random_state=0)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _plain_net(**kw):
    params = dict(hidden_layer_sizes=(6,), solver="sgd", momentum=0.0, batch_size=32,
                  random_state=0)
    params.update(kw)
    return MulticlassMLPClassifier(**params)


# ---------------------------------------------------------------------------
# the schedule, the smoothing, the stop
# ---------------------------------------------------------------------------
def test_learning_rate_grows_exponentially_per_mini_batch():
    X, y = _coin()
    result = lr_range_test(_plain_net(), X, y, min_lr=1e-4, max_lr=1e-1, n_steps=40)
    k = np.arange(40)
    np.testing.assert_allclose(result.lrs, 1e-4 * (1e-1 / 1e-4) ** (k / 39), rtol=1e-12)
    assert not result.diverged and len(result.losses) == 40
    assert result.lrs[-1] == pytest.approx(0.1, rel=1e-12)


def test_smoothing_is_the_bias_corrected_moving_average():
    rng = np.random.default_rng(0)
    losses = rng.uniform(0.5, 3.0, size=60)
    beta = 0.9
    # closed form: a weighted mean with weights beta^(k-i), normalised
    expected = [np.sum(beta ** (k - np.arange(k + 1)) * losses[:k + 1])
                / np.sum(beta ** (k - np.arange(k + 1))) for k in range(60)]
    np.testing.assert_allclose(smooth_losses(losses, beta), expected, rtol=1e-12)
    np.testing.assert_allclose(smooth_losses(np.full(30, 2.5), 0.98), 2.5, rtol=1e-12)
    np.testing.assert_array_equal(smooth_losses(losses, 0.0), losses)


def test_stops_when_the_loss_blows_up():
    X, y = _coin()
    result = lr_range_test(_plain_net(), X, y, min_lr=1e-3, max_lr=1e4, n_steps=200,
                           beta=0.9)
    assert result.diverged and len(result.lrs) < 200
    last = result.smoothed_losses[-1]
    assert not np.isfinite(result.losses[-1]) or last > 4 * np.min(result.smoothed_losses)
    # nothing before the last step had blown up yet
    earlier = result.smoothed_losses[:-1]
    assert np.all(earlier[1:] <= 4 * np.minimum.accumulate(earlier)[1:])


def test_losses_replay_with_torch_sgd():
    torch = pytest.importorskip("torch")
    X, y = _coin(120)
    net = _plain_net(batch_size=120, alpha=0.01, dtype="float64")  # one full batch a step

    drawn = []
    init_params = network.init_params

    def recording(*args, **kwargs):
        params = init_params(*args, **kwargs)
        drawn.append([(W.copy(), b.copy()) for W, b in params])
        return params

    mp = pytest.MonkeyPatch()
    mp.setattr(network, "init_params", recording)
    try:
        result = lr_range_test(net, X, y, min_lr=1e-2, max_lr=3.0, n_steps=30, beta=0.5)
    finally:
        mp.undo()

    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True)
               for pair in drawn[0] for a in pair]
    Xt, yt = torch.tensor(X), torch.tensor(y)
    expected = []
    for lr in result.lrs:
        Z = torch.sigmoid(Xt @ tensors[0] + tensors[1]) @ tensors[2] + tensors[3]
        loss = torch.nn.functional.cross_entropy(Z, yt) + 0.01 / (2 * len(y)) * (
            (tensors[0] ** 2).sum() + (tensors[2] ** 2).sum())
        expected.append(loss.item())
        loss.backward()
        with torch.no_grad():  # plain SGD (torch.optim.SGD's rule without momentum)
            for t in tensors:
                t -= lr * t.grad
                t.grad = None
    np.testing.assert_allclose(result.losses, expected, rtol=1e-9)


# ---------------------------------------------------------------------------
# the estimator is left alone
# ---------------------------------------------------------------------------
def test_unfitted_estimator_stays_unfitted():
    X, y = _coin()
    net = _plain_net(lr_schedule="exp", early_stopping=True, class_weight="balanced")
    before = net.get_params()
    lr_range_test(net, X, y, n_steps=20)
    assert net.get_params() == before
    assert not hasattr(net, "coefs_") and not hasattr(net, "classes_")


def test_fitted_estimator_is_unchanged():
    X, y = _coin()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net = _plain_net(max_iter=3).fit(X, y)
    coefs = net.coefs_
    saved = [W.copy() for W in coefs]
    state = (net.n_iter_, net.t_, net.loss_, list(net.loss_curve_), net.learning_rate_init)
    lr_range_test(net, X, y, n_steps=20)
    assert net.coefs_ is coefs
    for W, W0 in zip(net.coefs_, saved):
        np.testing.assert_array_equal(W, W0)
    assert (net.n_iter_, net.t_, net.loss_, list(net.loss_curve_),
            net.learning_rate_init) == state


def test_same_curve_for_the_same_random_state_and_binary_nets_work():
    X, y = make_double_arc(300, random_state=0)
    net = BinaryMLPClassifier((5,), solver="adam", batch_size=25, random_state=3)
    first = lr_range_test(net, X, y, n_steps=30)
    again = lr_range_test(clone(net), X, y, n_steps=30)
    np.testing.assert_array_equal(first.losses, again.losses)
    other = lr_range_test(net, X, y, n_steps=30, random_state=4)
    assert not np.array_equal(first.losses, other.losses)


# ---------------------------------------------------------------------------
# the three rules on curves with known answers
# ---------------------------------------------------------------------------
def _descent_curve(n=200, start=-5.0, stop=1.0, centre=-1.5, width=0.3):
    lrs = np.logspace(start, stop, n)
    x = np.log10(lrs)
    loss = 0.5 + 2.0 / (1.0 + np.exp((x - centre) / width))  # falls fastest at centre
    loss += np.where(x > 0.0, 30.0 * x ** 2, 0.0)  # blows up past lr = 1
    return lrs, loss


def test_steepest_is_the_inflection_of_the_descent():
    lrs, loss = _descent_curve()
    got = suggest_lr(lrs, loss, "steepest")
    step = np.log10(lrs[1] / lrs[0])
    assert abs(np.log10(got) - (-1.5)) <= step


def test_minimum_over_ten():
    lrs, loss = _descent_curve()
    assert suggest_lr(lrs, loss, "minimum/10") == pytest.approx(lrs[np.argmin(loss)] / 10)


def test_valley_is_the_middle_of_the_longest_descent():
    lrs = np.logspace(-5, 1, 121)
    loss = np.full(121, 2.0)
    loss[40:91] = np.linspace(2.0, 0.5, 51)  # the only strictly decreasing stretch...
    loss[91:] = 0.5 + np.arange(30) * 0.1  # ...then up
    loss[40] = 2.0  # flat before: not "decreasing"
    got = suggest_lr(lrs, loss, "valley")
    assert got == pytest.approx(math.sqrt(lrs[40] * lrs[90]), rel=1e-9)


def test_rules_and_default_are_reported_side_by_side():
    X, y = _coin()
    result = lr_range_test(_plain_net(), X, y, n_steps=60)
    assert set(result.suggestions) == set(SUGGESTION_RULES) == {
        "steepest", "minimum/10", "valley"}
    assert result.rule == DEFAULT_RULE and result.suggestion == result.suggestions[DEFAULT_RULE]
    for name, lr in result.suggestions.items():
        assert lr == suggest_lr(result.lrs, result.smoothed_losses, name)
        assert result.lrs[0] / 10 <= lr <= result.lrs[-1]
    chosen = lr_range_test(_plain_net(), X, y, n_steps=60, rule="steepest")
    assert chosen.suggestion == chosen.suggestions["steepest"]
    assert "<- default" in str(result)


def test_plot_marks_every_suggestion_on_a_log_axis():
    X, y = _coin()
    result = lr_range_test(_plain_net(), X, y, n_steps=40)
    disp = result.plot()
    assert isinstance(disp, LRFinderDisplay)
    assert disp.ax_.get_xscale() == "log"
    assert len(disp.suggestion_lines_) == 3
    labels = [line.get_label() for line in disp.suggestion_lines_]
    assert any("(default)" in label for label in labels)
    np.testing.assert_array_equal(disp.line_.get_xdata(), result.lrs)
    np.testing.assert_array_equal(disp.line_.get_ydata(), result.smoothed_losses)
    matplotlib.pyplot.close("all")


def test_result_from_a_curve():
    lrs, loss = _descent_curve(50)
    result = LRRangeTestResult(lrs, loss, beta=0.0, rule="minimum/10", batch_size=8,
                               n_steps=50, diverged=False)
    assert result.suggestion == pytest.approx(lrs[np.argmin(loss)] / 10)
    assert "minimum/10" in repr(result)


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    (dict(min_lr=0), "min_lr=0"),
    (dict(min_lr=1.0, max_lr=0.5), "max_lr"),
    (dict(n_steps=1), "n_steps=1"),
    (dict(beta=1.0), "beta=1.0"),
    (dict(diverge_factor=1), "diverge_factor=1"),
    (dict(rule="fastest"), "'minimum/10', 'steepest', 'valley'"),
    (dict(batch_size=0), "batch_size=0"),
    (dict(sample_weight=np.ones(3)), "sample_weight"),
])
def test_errors_name_the_argument(kwargs, match):
    X, y = _coin()
    with pytest.raises(ValueError, match=match):
        lr_range_test(_plain_net(), X, y, **kwargs)


def test_only_our_estimators():
    X, y = _coin()
    with pytest.raises(TypeError, match="LogisticRegression"):
        lr_range_test(LogisticRegression(), X, y)
    with pytest.raises(ValueError, match="Unknown rule"):
        suggest_lr([1e-3, 1e-2], [1.0, 0.5], rule="best")


def test_auto_steps_follow_the_training_budget():
    X, y = _coin()  # 400 samples, batch 32: 13 updates an epoch
    result = lr_range_test(_plain_net(max_iter=9), X, y, max_lr=0.5)
    assert result.n_steps == len(result.lrs) == 9 * 13
    short = lr_range_test(_plain_net(max_iter=2), X, y, max_lr=0.5)
    assert short.n_steps == 100  # at least 100


# ---------------------------------------------------------------------------
# the usable range lr_min .. lr_max (seed 1.4.4.1)
# ---------------------------------------------------------------------------
def _piecewise_curve(lrs):
    """Flat at 2.0 up to lr = 1e-3, straight down (in log10 lr) to 0.5 at 1e-1, then up.

    The range by hand: the fall is 1.5 from 2.0; a tenth of it (level 1.85) is
    reached at log10 lr = -3 + 0.1 * 2 = -2.8, nine tenths (level 0.65) at
    -3 + 0.9 * 2 = -1.2.
    """
    x = np.log10(lrs)
    loss = np.where(x < -3, 2.0, 2.0 - 0.75 * (x + 3))
    return np.where(x > -1, 0.5 + 3.0 * (x + 1), loss)


@pytest.mark.parametrize("n", [61, 250, 601])
def test_range_of_a_hand_worked_curve(n):
    # any grid: the crossings are interpolated linearly in log lr, exact on a line
    lrs = np.logspace(-5, 1, n)
    lo, hi = lr_range(lrs, _piecewise_curve(lrs))
    assert RANGE_FRACTION == 0.1
    assert lo == pytest.approx(10 ** -2.8, rel=1e-9)
    assert hi == pytest.approx(10 ** -1.2, rel=1e-9)


def test_range_of_a_logistic_descent_closed_form():
    # loss(x) = 2 - 1.5 / (1 + exp(-(x - c) / s)), x = ln lr: it has made a share f of
    # its fall where the logistic equals f, x = c + s ln(f / (1 - f)); so
    # lr_min = exp(c - s ln 9), lr_max = exp(c + s ln 9).  A blow-up after lr = 1.
    c, s = math.log(1e-2), 0.4
    lrs = np.logspace(-6, 1.5, 3001)
    x = np.log(lrs)
    loss = 2.0 - 1.5 / (1.0 + np.exp(-(x - c) / s)) + np.where(x > 0, 5.0 * x**2, 0.0)
    lo, hi = lr_range(lrs, loss)
    assert lo == pytest.approx(math.exp(c - s * math.log(9)), rel=1e-3)
    assert hi == pytest.approx(math.exp(c + s * math.log(9)), rel=1e-3)
    # another fraction: a quarter of the fall, x = c - s ln 3
    lo, hi = lr_range(lrs, loss, fraction=0.25)
    assert lo == pytest.approx(math.exp(c - s * math.log(3)), rel=1e-3)
    assert hi == pytest.approx(math.exp(c + s * math.log(3)), rel=1e-3)


def test_range_starts_from_the_peak_before_the_fall():
    # an early rise (the first batches) must not set the level: top is the highest
    # point before the minimum, here 3.0 at lr = 1e-4, and the fall 3.0 -> 0.5
    lrs = np.logspace(-5, 1, 601)
    x = np.log10(lrs)
    loss = np.where(x < -4, 2.0 + (x + 5), 3.0 - 1.25 * (x + 4))  # up to 3.0, down
    loss = np.where(x > -2, 0.5 + 3.0 * (x + 2), loss)  # minimum 0.5 at 1e-2
    lo, hi = lr_range(lrs, loss)
    assert lo == pytest.approx(10 ** (-4 + 0.1 * 2), rel=1e-9)
    assert hi == pytest.approx(10 ** (-4 + 0.9 * 2), rel=1e-9)


def test_no_fall_no_range():
    lrs = np.logspace(-5, 1, 100)
    lo, hi = lr_range(lrs, np.linspace(1.0, 3.0, 100))
    assert math.isnan(lo) and math.isnan(hi)
    with pytest.raises(ValueError, match="fraction=0.5"):
        lr_range(lrs, np.ones(100), fraction=0.5)


def test_result_reports_the_range_beside_the_suggestions():
    lrs = np.logspace(-5, 1, 601)
    result = LRRangeTestResult(lrs, _piecewise_curve(lrs), beta=0.0, rule="minimum/10",
                               batch_size=8, n_steps=601, diverged=False)
    assert (result.lr_min, result.lr_max) == lr_range(lrs, result.smoothed_losses)
    assert result.lr_min == pytest.approx(10 ** -2.8, rel=1e-9)
    assert "usable range 0.00158 .. 0.0631" in str(result)
    assert "range 0.00158..0.0631" in repr(result)


def test_real_range_brackets_the_suggestion_and_is_drawn():
    X, y = _coin()
    result = lr_range_test(_plain_net(), X, y, n_steps=300)
    assert result.lrs[0] < result.lr_min < result.suggestion < result.lr_max < result.lrs[-1]
    disp = result.plot()
    assert disp.range_patch_ is not None
    patch = disp.range_patch_  # a Rectangle from axvspan, in data x-coordinates
    assert (patch.get_x(), patch.get_x() + patch.get_width()) == pytest.approx((result.lr_min, result.lr_max), rel=1e-12)
    assert "usable range" in disp.range_patch_.get_label()
    matplotlib.pyplot.close("all")
    # from_result reads lr_min / lr_max too; a NaN end draws no band
    assert LRFinderDisplay.from_result(result).range_patch_ is not None
    nan_range = LRFinderDisplay(result.lrs, result.smoothed_losses,
                                lr_range=(math.nan, math.nan)).plot()
    assert nan_range.range_patch_ is None
    with pytest.raises(ValueError, match="lr_range"):
        LRFinderDisplay(result.lrs, result.smoothed_losses, lr_range=(1.0, 0.1))
    matplotlib.pyplot.close("all")


def test_digits_inside_the_range_trains_far_above_it_does_not():
    # bundled digits, the seed's two hidden layers, plain SGD, 30 epochs, seed 1
    # (benchmarks/bench_lr_range.py measures seeds 1-3 and Adam too; with 10
    # epochs the lower half of the range is too slow: the middle reached 0.76)
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=500,
                                                        stratify=y, random_state=0)
    net = MulticlassMLPClassifier((64, 16), activation=("logistic", "tanh"), solver="sgd",
                                  momentum=0.0, batch_size=32, max_iter=30, n_init=1,
                                  n_iter_no_change=np.inf)
    result = lr_range_test(net.set_params(random_state=0), X_train, y_train)
    assert result.lr_min < result.suggestion < result.lr_max

    def score(lr):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fitted = clone(net).set_params(learning_rate_init=lr, random_state=1)
                return fitted.fit(X_train, y_train).score(X_test, y_test)
            except FloatingPointError:
                return 0.0

    assert score(result.suggestion) >= 0.9
    assert score(math.sqrt(result.lr_min * result.lr_max)) >= 0.9  # the range's middle
    assert score(10 * result.lr_max) <= 0.5
