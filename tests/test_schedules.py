"""Tests for sknn_cn.training.schedules and batch_schedules (seed 1.4.4.2, 1.4.4.3).

Oracles: each closed form written out here, independently of the module
(for BatchSizeSchedule, batch sizes and update counts worked out by hand, and
the same training done by hand with a warm start);
torch.optim.lr_scheduler stepped the same number of times (when torch is
installed); sklearn's clone / GridSearchCV for the parameter protocol.
"""

import math

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from sknn_cn import MulticlassMLPClassifier
from sknn_cn.training.batch_schedules import BatchSizeSchedule
from sknn_cn.training.schedules import (
    SCHEDULES,
    ExponentialSchedule,
    FixedSchedule,
    InverseSchedule,
    LRSchedule,
    MultiStepSchedule,
    PolynomialSchedule,
    StepSchedule,
    get_schedule,
)

BASE = 0.1
STEPS = np.arange(10_001)  # t = 0 .. 10000


# ---------------------------------------------------------------------------
# closed forms, written independently with plain Python math
# ---------------------------------------------------------------------------
def closed_fixed(t):
    return BASE


def closed_step(t, step_size, gamma):
    return BASE * gamma ** math.floor(t / step_size)


def closed_multistep(t, milestones, gamma):
    return BASE * gamma ** sum(1 for m in milestones if t >= m)


def closed_exp(t, gamma):  # seed eq. (5)
    return BASE * gamma**t


def closed_inv(t, gamma, p):  # seed eq. (6)
    return BASE * 1.0 / (1.0 + gamma * t) ** p


def closed_poly(t, T, p):  # seed eq. (7), 0 after T
    return BASE * (1.0 - t / T) ** p if t <= T else 0.0


CASES = [
    (FixedSchedule(), closed_fixed),
    (StepSchedule(step_size=500, gamma=0.1), lambda t: closed_step(t, 500, 0.1)),
    (StepSchedule(step_size=7, gamma=0.9), lambda t: closed_step(t, 7, 0.9)),
    (
        MultiStepSchedule(milestones=(3000, 5500, 8000), gamma=0.1),
        lambda t: closed_multistep(t, (3000, 5500, 8000), 0.1),
    ),
    (
        MultiStepSchedule(milestones=[1, 2, 9999], gamma=0.5),
        lambda t: closed_multistep(t, (1, 2, 9999), 0.5),
    ),
    (ExponentialSchedule(gamma=0.99), lambda t: closed_exp(t, 0.99)),
    (ExponentialSchedule(gamma=0.9995), lambda t: closed_exp(t, 0.9995)),
    (InverseSchedule(gamma=1e-3, power=0.5), lambda t: closed_inv(t, 1e-3, 0.5)),
    (InverseSchedule(gamma=0.05, power=0.75), lambda t: closed_inv(t, 0.05, 0.75)),
    (PolynomialSchedule(max_steps=8000, power=0.9), lambda t: closed_poly(t, 8000, 0.9)),
    (PolynomialSchedule(max_steps=10_000, power=1.0), lambda t: closed_poly(t, 10_000, 1.0)),
    (PolynomialSchedule(max_steps=3000, power=2.0), lambda t: closed_poly(t, 3000, 2.0)),
]


@pytest.mark.parametrize("schedule, closed", CASES, ids=[repr(s) for s, _ in CASES])
def test_values_equal_closed_form(schedule, closed):
    expected = np.array([closed(int(t)) for t in STEPS])
    got = schedule.values(BASE, STEPS)
    assert got.shape == STEPS.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("schedule, closed", CASES, ids=[repr(s) for s, _ in CASES])
def test_call_equals_closed_form(schedule, closed):
    # the per-update path the training loop uses, on a spread of steps
    for t in list(range(0, 40)) + list(range(40, 10_001, 37)) + [10_000]:
        lr = schedule(BASE, t)
        assert isinstance(lr, float)
        assert lr == pytest.approx(closed(t), rel=1e-12, abs=0)


def test_first_update_uses_base_lr():
    for name in SCHEDULES:
        schedule = get_schedule(name)
        assert schedule(0.37, 0, total_steps=100) == pytest.approx(0.37, rel=1e-15)


def test_numpy_integer_step_accepted():
    schedule = ExponentialSchedule(gamma=0.9)
    assert schedule(BASE, np.int64(3)) == pytest.approx(BASE * 0.9**3, rel=1e-14)
    assert schedule(BASE, np.int32(3)) == pytest.approx(BASE * 0.9**3, rel=1e-14)


def test_poly_uses_total_steps_from_loop_and_clamps_at_zero():
    schedule = PolynomialSchedule(power=0.9)  # max_steps=None: T comes from the loop
    assert schedule.needs_total_steps
    got = schedule.values(BASE, STEPS, total_steps=4000)
    expected = np.array([closed_poly(int(t), 4000, 0.9) for t in STEPS])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    assert schedule(BASE, 4000, total_steps=4000) == 0.0
    assert schedule(BASE, 9999, total_steps=4000) == 0.0
    # max_steps, when set, wins over total_steps
    fixed_T = PolynomialSchedule(max_steps=100, power=1.0)
    assert not fixed_T.needs_total_steps
    assert fixed_T(BASE, 50, total_steps=4000) == pytest.approx(BASE * 0.5, rel=1e-14)


def test_poly_without_any_T_raises():
    with pytest.raises(ValueError, match=r"max_steps.*total_steps"):
        PolynomialSchedule()(BASE, 10)
    with pytest.raises(ValueError, match=r"total_steps=0"):
        PolynomialSchedule()(BASE, 10, total_steps=0)


def test_shapes_of_poly_curve_follow_the_seed():
    """Seed: p=1 linear, p>1 convex (falls fast first), p<1 concave."""
    t = np.arange(0, 1001)
    linear = PolynomialSchedule(max_steps=1000, power=1.0).values(1.0, t)
    convex = PolynomialSchedule(max_steps=1000, power=2.0).values(1.0, t)
    concave = PolynomialSchedule(max_steps=1000, power=0.5).values(1.0, t)
    np.testing.assert_allclose(np.diff(linear, 2), 0.0, atol=1e-12)
    assert np.all(np.diff(convex, 2) > -1e-12)
    assert np.all(np.diff(concave, 2) < 1e-12)
    interior = slice(1, -1)
    assert np.all(convex[interior] < linear[interior])
    assert np.all(concave[interior] > linear[interior])


def test_values_empty_and_2d():
    schedule = ExponentialSchedule(gamma=0.5)
    assert schedule.values(BASE, []).shape == (0,)
    grid = np.array([[0, 1], [2, 3]])
    np.testing.assert_allclose(schedule.values(BASE, grid), BASE * 0.5**grid, rtol=1e-15)
    assert FixedSchedule().values(BASE, grid).shape == (2, 2)


# ---------------------------------------------------------------------------
# torch.optim.lr_scheduler as an external oracle
# ---------------------------------------------------------------------------
def _torch_lrs(make_scheduler, n_steps, base_lr=BASE):
    """Learning rate torch uses for update t = 0 .. n_steps-1."""
    torch = pytest.importorskip("torch")
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([param], lr=base_lr)
    scheduler = make_scheduler(torch.optim.lr_scheduler, optimizer)
    lrs = []
    for _ in range(n_steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()  # no grad: a no-op, but keeps torch's call-order check quiet
        scheduler.step()
    return np.array(lrs, dtype=np.float64)


N_TORCH = 3001


TORCH_CASES = [
    ("fixed-constantlr", FixedSchedule(), lambda S, o: S.ConstantLR(o, factor=1.0, total_iters=5)),
    ("step", StepSchedule(step_size=250, gamma=0.5), lambda S, o: S.StepLR(o, step_size=250, gamma=0.5)),
    (
        "multistep",
        MultiStepSchedule(milestones=(300, 550, 800, 2999), gamma=0.3),
        lambda S, o: S.MultiStepLR(o, milestones=[300, 550, 800, 2999], gamma=0.3),
    ),
    ("exp", ExponentialSchedule(gamma=0.998), lambda S, o: S.ExponentialLR(o, gamma=0.998)),
    (
        "poly",
        PolynomialSchedule(max_steps=2500, power=0.9),
        lambda S, o: S.PolynomialLR(o, total_iters=2500, power=0.9),
    ),
    (
        # torch has no inv schedule; LambdaLR with seed eq. (6) written here
        "inv-lambdalr",
        InverseSchedule(gamma=0.01, power=0.5),
        lambda S, o: S.LambdaLR(o, lambda t: 1.0 / (1.0 + 0.01 * t) ** 0.5),
    ),
]


@pytest.mark.parametrize(
    "schedule, make_scheduler",
    [(s, m) for _, s, m in TORCH_CASES],
    ids=[name for name, _, _ in TORCH_CASES],
)
def test_matches_torch_lr_scheduler(schedule, make_scheduler):
    expected = _torch_lrs(make_scheduler, N_TORCH)
    got = schedule.values(BASE, np.arange(N_TORCH))
    # torch's chainable updates multiply step by step, so allow rounding
    # accumulated over a few thousand products.
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-15)


def test_poly_with_total_steps_matches_torch():
    expected = _torch_lrs(lambda S, o: S.PolynomialLR(o, total_iters=1000, power=2.0), 1500)
    got = PolynomialSchedule(power=2.0).values(BASE, np.arange(1500), total_steps=1000)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-15)


# ---------------------------------------------------------------------------
# sklearn parameter protocol
# ---------------------------------------------------------------------------
ALL_DEFAULTS = [cls() for cls in SCHEDULES.values()]


@pytest.mark.parametrize("schedule", ALL_DEFAULTS, ids=lambda s: type(s).__name__)
def test_clone_get_set_params_round_trip(schedule):
    params = schedule.get_params()
    assert params["unit"] == "iteration"
    copy = clone(schedule)
    assert copy is not schedule and type(copy) is type(schedule)
    assert copy.get_params() == params
    rebuilt = type(schedule)(**params)
    np.testing.assert_array_equal(
        rebuilt.values(BASE, STEPS, total_steps=10_000),
        schedule.values(BASE, STEPS, total_steps=10_000),
    )
    assert copy.set_params(unit="epoch") is copy
    assert copy.unit == "epoch" and schedule.unit == "iteration"


def test_set_params_changes_the_curve():
    schedule = ExponentialSchedule(gamma=0.99)
    schedule.set_params(gamma=0.5)
    assert schedule(BASE, 3) == pytest.approx(BASE * 0.5**3, rel=1e-15)
    schedule = InverseSchedule().set_params(gamma=2.0, power=1.0)
    assert schedule(BASE, 4) == pytest.approx(BASE / 9.0, rel=1e-15)


class _Holder(BaseEstimator):
    """A stand-in estimator with an ``lr_schedule`` parameter.

    Its score is highest when the schedule's learning rate at step 10 is
    closest to 0.05, so GridSearchCV must pick gamma with 0.1 * gamma**10
    nearest to 0.05, i.e. gamma = 0.5 ** 0.1 ~= 0.933.
    """

    def __init__(self, lr_schedule=None):
        self.lr_schedule = lr_schedule

    def fit(self, X, y=None):
        self.lr10_ = get_schedule(self.lr_schedule)(0.1, 10)
        return self

    def score(self, X, y=None):
        return -abs(self.lr10_ - 0.05)


def test_grid_search_tunes_nested_gamma():
    user_schedule = ExponentialSchedule(gamma=0.99)
    search = GridSearchCV(
        _Holder(lr_schedule=user_schedule),
        {"lr_schedule__gamma": [0.5, 0.9, 0.933, 0.99]},
        cv=2,
    )
    search.fit(np.zeros((4, 1)))
    assert search.best_params_ == {"lr_schedule__gamma": 0.933}
    assert search.best_estimator_.lr_schedule.gamma == 0.933
    assert user_schedule.gamma == 0.99  # the user's object is never mutated
    assert _Holder(lr_schedule=user_schedule).get_params()["lr_schedule__gamma"] == 0.99


# ---------------------------------------------------------------------------
# get_schedule
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, cls",
    list(SCHEDULES.items())
    + [
        ("constant", FixedSchedule),
        ("exponential", ExponentialSchedule),
        ("inverse", InverseSchedule),
        ("polynomial", PolynomialSchedule),
    ],
)
def test_get_schedule_by_name(name, cls):
    schedule = get_schedule(name)
    assert type(schedule) is cls
    assert schedule.get_params() == cls().get_params()


def test_get_schedule_seed_defaults():
    assert get_schedule("step").step_size == 500
    assert tuple(get_schedule("multistep").milestones) == (3000, 5500, 8000)
    assert get_schedule("exp").gamma == 0.99
    assert get_schedule("inv").power == 0.5
    assert get_schedule("poly").power == 0.9


def test_get_schedule_clones_instance():
    mine = StepSchedule(step_size=10, gamma=0.5)
    got = get_schedule(mine)
    assert got is not mine and got.get_params() == mine.get_params()


@pytest.mark.parametrize("bad", ["cosine", "Fixed", "", None, 0.1, StepSchedule])
def test_get_schedule_bad_spec(bad):
    with pytest.raises(ValueError) as info:
        get_schedule(bad)
    message = str(info.value)
    assert "lr_schedule" in message and repr(bad) in message
    for name in SCHEDULES:
        assert repr(name) in message


def test_get_schedule_validates_instance():
    with pytest.raises(ValueError, match=r"gamma=1\.5"):
        get_schedule(ExponentialSchedule(gamma=1.5))


# ---------------------------------------------------------------------------
# validation: each error names the argument and the value
# ---------------------------------------------------------------------------
BAD_PARAMS = [
    (StepSchedule, "gamma", 0),
    (StepSchedule, "gamma", 1.5),
    (StepSchedule, "gamma", -0.1),
    (StepSchedule, "gamma", float("nan")),
    (StepSchedule, "step_size", 0),
    (StepSchedule, "step_size", 2.5),
    (StepSchedule, "step_size", True),
    (MultiStepSchedule, "gamma", 0.0),
    (MultiStepSchedule, "milestones", (5, 3)),
    (MultiStepSchedule, "milestones", (3, 3)),
    (MultiStepSchedule, "milestones", (0, 3)),
    (MultiStepSchedule, "milestones", (-2, 3)),
    (MultiStepSchedule, "milestones", (1.5, 3)),
    (MultiStepSchedule, "milestones", ()),
    (MultiStepSchedule, "milestones", 500),
    (MultiStepSchedule, "milestones", "3000"),
    (ExponentialSchedule, "gamma", 0),
    (ExponentialSchedule, "gamma", 1.01),
    (ExponentialSchedule, "gamma", "0.9"),
    (InverseSchedule, "gamma", 0),
    (InverseSchedule, "gamma", -1.0),
    (InverseSchedule, "gamma", float("inf")),
    (InverseSchedule, "power", 0),
    (InverseSchedule, "power", -0.5),
    (PolynomialSchedule, "max_steps", 0),
    (PolynomialSchedule, "max_steps", 10.0),
    (PolynomialSchedule, "power", 0),
    (PolynomialSchedule, "power", None),
    (FixedSchedule, "unit", "batch"),
    (ExponentialSchedule, "unit", None),
]


@pytest.mark.parametrize("cls, name, value", BAD_PARAMS)
def test_bad_parameter_raises_naming_it(cls, name, value):
    schedule = cls(**{name: value})  # __init__ only stores (sklearn convention)
    assert getattr(schedule, name) is value
    for attempt in (
        schedule.validate,
        lambda: schedule(BASE, 1, total_steps=10),
        lambda: schedule.values(BASE, [0, 1], total_steps=10),
    ):
        with pytest.raises(ValueError) as info:
            attempt()
        message = str(info.value)
        assert f"{name}={value!r}" in message, message


def test_bad_parameter_set_later_is_caught():
    schedule = ExponentialSchedule().validate()
    schedule.set_params(gamma=0)
    with pytest.raises(ValueError, match=r"gamma must be .*\(0, 1\].*gamma=0"):
        schedule(BASE, 3)


@pytest.mark.parametrize("step", [-1, 1.0, 2.5, "3", None, True])
def test_bad_step_raises(step):
    with pytest.raises(ValueError, match=r"step must be an integer >= 0; got step="):
        ExponentialSchedule()(BASE, step)


@pytest.mark.parametrize("steps", [[0, -1], [0.0, 1.0], [True, False]])
def test_bad_steps_array_raises(steps):
    with pytest.raises(ValueError, match=r"steps must be"):
        ExponentialSchedule().values(BASE, steps)


@pytest.mark.parametrize("base_lr", [0, -0.1, float("nan"), float("inf"), "0.1", None])
def test_bad_base_lr_raises(base_lr):
    with pytest.raises(ValueError) as info:
        FixedSchedule()(base_lr, 0)
    assert f"base_lr={base_lr!r}" in str(info.value)


def test_all_schedules_are_lrschedule_and_registered():
    assert set(SCHEDULES) == {"fixed", "step", "multistep", "exp", "inv", "poly"}
    for cls in SCHEDULES.values():
        assert issubclass(cls, LRSchedule)
        assert cls.__doc__ and "1.4.4.2" in cls.__doc__


# ---------------------------------------------------------------------------
# BatchSizeSchedule (seed 1.4.4.3): grow the batch instead of decaying the rate
# ---------------------------------------------------------------------------
def _digits(n=100):
    X, y = load_digits(return_X_y=True)
    return X[:n] / 16.0, y[:n]


def test_batch_sizes_per_epoch_hand_worked():
    # milestones 2 and 5, factor 3, from 10: epochs 0-1 -> 10, 2-4 -> 30, 5- -> 90
    schedule = BatchSizeSchedule(milestones=(2, 5), factor=3)
    assert [schedule(10, e) for e in range(7)] == [10, 10, 30, 30, 30, 90, 90]
    assert schedule.values(10, np.arange(7)).tolist() == [10, 10, 30, 30, 30, 90, 90]
    # the caps: max_batch_size, then the number of samples
    capped = BatchSizeSchedule(milestones=(2, 5), factor=3, max_batch_size=50)
    assert capped.values(10, np.arange(7)).tolist() == [10, 10, 30, 30, 30, 50, 50]
    assert schedule.values(10, np.arange(7), n_samples=40).tolist() == [10, 10, 30, 30, 30,
                                                                          40, 40]
    # a real factor rounds to the nearest integer: 64 * 1.5 ** k = 64, 96, 144, 216
    assert BatchSizeSchedule((1, 2, 3), 1.5).values(64, np.arange(4)).tolist() == [
        64, 96, 144, 216]
    assert all(type(schedule(10, e)) is int for e in range(7))


def test_number_of_updates_hand_worked():
    # 100 samples: 2 epochs of ceil(100/10)=10, 3 of ceil(100/30)=4, 2 of ceil(100/90)=2
    schedule = BatchSizeSchedule(milestones=(2, 5), factor=3)
    assert schedule.n_updates(10, 7, 100) == 2 * 10 + 3 * 4 + 2 * 2 == 36
    assert schedule.n_updates(10, 0, 100) == 0


def test_equivalent_lr_schedule_has_the_same_noise_scale():
    # Smith et al. 2017: noise scale g = lr * N / B; before any cap, lr_t / B_t of the
    # decay (batch fixed) equals that of the growth (rate fixed) at every epoch
    growth = BatchSizeSchedule(milestones=(3, 7), factor=4)
    decay = growth.equivalent_lr_schedule()
    assert isinstance(decay, MultiStepSchedule)
    assert decay.get_params() == {"milestones": (3, 7), "gamma": 0.25, "unit": "epoch"}
    epochs = np.arange(12)
    np.testing.assert_allclose(decay.values(0.5, epochs) / 32,
                               0.5 / growth.values(32, epochs), rtol=1e-15)


def test_fit_uses_the_batch_size_of_each_epoch():
    # oracle: the same training by hand, 2 epochs at batch 10 then a warm start of
    # 3 epochs at batch 30 (plain SGD keeps no state; no shuffling, so both see the
    # samples in the same order)
    X, y = _digits(100)
    common = dict(hidden_layer_sizes=(8,), solver="sgd", momentum=0.0, shuffle=False,
                  learning_rate_init=0.3, random_state=0, n_init=1,
                  n_iter_no_change=np.inf)
    grown = MulticlassMLPClassifier(
        batch_size=10, max_iter=5, batch_size_schedule=BatchSizeSchedule((2,), 3), **common
    ).fit(X, y)
    by_hand = MulticlassMLPClassifier(batch_size=10, max_iter=2, **common).fit(X, y)
    by_hand.set_params(batch_size=30, max_iter=3, warm_start=True).fit(X, y)
    for a, b in zip(grown.coefs_ + grown.intercepts_, by_hand.coefs_ + by_hand.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert grown.n_iter_ == 5 and grown.t_ == 500
    assert grown.n_updates_ == 2 * 10 + 3 * 4 == BatchSizeSchedule((2,), 3).n_updates(10, 5, 100)
    assert grown.loss_curve_ == by_hand.loss_curve_


def test_growth_is_a_no_op_for_full_batches():
    # batch >= n: the batch cannot grow, the run is exactly the one without a schedule
    X, y = _digits(60)
    common = dict(hidden_layer_sizes=(8,), solver="sgd", batch_size=60, max_iter=6,
                  random_state=1, n_init=1, n_iter_no_change=np.inf)
    plain = MulticlassMLPClassifier(**common).fit(X, y)
    grown = MulticlassMLPClassifier(batch_size_schedule=BatchSizeSchedule((1, 3), 5),
                                    **common).fit(X, y)
    for a, b in zip(plain.coefs_, grown.coefs_):
        np.testing.assert_array_equal(a, b)
    assert plain.n_updates_ == grown.n_updates_ == 6


def test_partial_fit_follows_the_schedule_by_epoch():
    X, y = _digits(100)
    net = MulticlassMLPClassifier((8,), solver="sgd", batch_size=10, random_state=0,
                                  batch_size_schedule=BatchSizeSchedule((2,), 5))
    updates = []
    for _ in range(4):
        net.partial_fit(X, y, classes=np.arange(10))
        updates.append(net.n_updates_)
    assert np.diff([0] + updates).tolist() == [10, 10, 2, 2]  # batch 10, 10, 50, 50
    assert len(net.loss_curve_) == 4 and net.t_ == 400


class _RecordingSchedule(LRSchedule):
    """A fixed rate that records the (t, total_steps) the loop passes."""

    seen = []

    def __init__(self, unit="iteration"):
        self.unit = unit

    def _factor(self, t, total_steps):
        _RecordingSchedule.seen.append((t, total_steps))
        return 1.0


def test_per_update_lr_schedules_see_the_real_number_of_updates():
    X, y = _digits(100)
    _RecordingSchedule.seen.clear()
    MulticlassMLPClassifier((4,), batch_size=10, max_iter=7, n_init=1, random_state=0,
                            n_iter_no_change=np.inf, lr_schedule=_RecordingSchedule(),
                            batch_size_schedule=BatchSizeSchedule((2, 5), 3)).fit(X, y)
    ts = [t for t, _ in _RecordingSchedule.seen]
    assert ts == list(range(36))  # one call per update, t = 0 .. 35
    assert {total for _, total in _RecordingSchedule.seen} == {36}


@pytest.mark.parametrize("kwargs, shown", [
    (dict(factor=0.5), "factor=0.5"),
    (dict(factor=float("nan")), "factor=nan"),
    (dict(factor="5"), "factor='5'"),
    (dict(milestones=(3, 2)), "milestones=(3, 2)"),
    (dict(milestones=()), "milestones=()"),
    (dict(milestones=(0, 2)), "milestones=(0, 2)"),
    (dict(max_batch_size=0), "max_batch_size=0"),
    (dict(max_batch_size=2.5), "max_batch_size=2.5"),
])
def test_batch_schedule_errors_name_the_argument(kwargs, shown):
    schedule = BatchSizeSchedule(**kwargs)
    for attempt in (schedule.validate, lambda: schedule(10, 1),
                    schedule.equivalent_lr_schedule):
        with pytest.raises(ValueError) as info:
            attempt()
        assert shown in str(info.value)
    X, y = _digits(30)
    with pytest.raises(ValueError, match=shown.replace("(", r"\(").replace(")", r"\)")
                       .replace("+", r"\+").replace(".", r"\.")):
        MulticlassMLPClassifier((4,), max_iter=2, batch_size_schedule=schedule).fit(X, y)
    assert not hasattr(MulticlassMLPClassifier(batch_size_schedule=schedule), "coefs_")


def test_cap_below_the_base_batch_and_bad_epochs_are_refused():
    with pytest.raises(ValueError, match=r"max_batch_size=8 and base_batch_size=16"):
        BatchSizeSchedule(max_batch_size=8)(16, 0)
    with pytest.raises(ValueError, match=r"epoch must be an integer >= 0; got epoch=-1"):
        BatchSizeSchedule()(16, -1)
    with pytest.raises(InvalidParameterError, match="batch_size_schedule"):
        MulticlassMLPClassifier(batch_size_schedule="grow").fit(*_digits(30))


def test_batch_schedule_clone_params_and_grid_search():
    schedule = BatchSizeSchedule(milestones=(2,), factor=2, max_batch_size=64)
    assert clone(schedule).get_params() == {"milestones": (2,), "factor": 2,
                                            "max_batch_size": 64}
    net = MulticlassMLPClassifier((8,), solver="sgd", batch_size=8, max_iter=4, n_init=1,
                                  random_state=0, batch_size_schedule=schedule)
    assert net.get_params()["batch_size_schedule__factor"] == 2
    twin = clone(net).set_params(batch_size_schedule__factor=4)
    assert twin.batch_size_schedule.factor == 4 and schedule.factor == 2  # a copy
    X, y = _digits(160)
    search = GridSearchCV(net, {"batch_size_schedule__factor": [1, 4]}, cv=2,
                          error_score="raise").fit(X, y)
    assert [p["batch_size_schedule__factor"] for p in search.cv_results_["params"]] == [1, 4]
    # the factor reaches fit: 80 samples per fold, 2 epochs of batch 8 then 2 of 8 * factor
    updates = {f: clone(net).set_params(batch_size_schedule__factor=f).fit(X[:80], y[:80])
               .n_updates_ for f in (1, 4)}
    assert updates == {1: 4 * 10, 4: 2 * 10 + 2 * 3}
    assert search.best_estimator_.batch_size_schedule.factor in (1, 4)


def test_check_estimator_with_a_batch_schedule():
    from sklearn.utils.estimator_checks import check_estimator

    # mini-batches of 16 (growing to 64): repeating a row is not the same as
    # doubling its weight once the rows fall into different mini-batches, which
    # is why the default estimator, full-batch on these small sets, is the one
    # that passes that check
    reason = "mini-batch SGD: a repeated row can land in another mini-batch"
    check_estimator(MulticlassMLPClassifier(
        (8,), max_iter=20, batch_size=16,
        batch_size_schedule=BatchSizeSchedule(milestones=(5, 10), factor=2)),
        expected_failed_checks={"check_sample_weight_equivalence_on_dense_data": reason,
                                "check_sample_weight_equivalence_on_sparse_data": reason})
