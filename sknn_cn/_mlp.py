"""The estimators: BinaryMLPClassifier and MulticlassMLPClassifier.

They own input validation, the training loop (epochs, shuffling, mini-batches,
learning-rate schedules, early stopping) and the fitted attributes.  The maths
lives in :mod:`sknn_cn.network`; parameter updates in
:mod:`sknn_cn.optimizers`; learning rates in :mod:`sknn_cn.schedules`.
"""

import copy
import math
import numbers
import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import expit, logsumexp
from scipy.stats import entropy
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
)
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from . import network as _network
from ._blas import blas_threads_for
from .network import resolve_activation
from .optimizers import AdamOptimizer, SGDOptimizer
from .schedules import BatchSizeSchedule, FixedSchedule, LRSchedule, get_schedule

__all__ = ["BinaryMLPClassifier", "MulticlassMLPClassifier"]

#: max_iter='auto': 200 epochs, but at least this many mini-batch updates.
_AUTO_EPOCHS = 200
_MIN_UPDATES = 20000
#: The stopping rule looks once per epoch, or once per this many updates when
#: epochs are shorter (small data sets).
_UPDATES_PER_CHECK = 100

#: n_init='auto': networks with fewer parameters than this get several
#: initialisations.  Small nets have bad local minima (the seed's 2-2-1 XOR net
#: ends in one from 13 of 30 initialisations with Adam, 12-15% with SGD) and
#: train in milliseconds.
_SMALL_NET_PARAMS = 100
_SMALL_NET_INITS = 3
#: ... and an initialisation that ends in a valley (see _in_valley) is retried
#: without counting, at most this many times: with the 2-2-1 XOR net's valley
#: rate (83 of 200), 3 + 10 tries all fail for about 1 seed in 100 000.
_MAX_VALLEY_RETRIES = 10
#: A valley: training stalled at a loss above this fraction of the loss of
#: predicting the class frequencies (XOR's valleys sit at 1/2 and 0.7 of it,
#: ln(2)/2 and 0.48 against ln 2; solved, the loss is near 0).
_VALLEY_LOSS_FRACTION = 1 / 3

_INIT_NAMES = set(_network.INITIALIZERS) | set(_network.INIT_ALIASES)


class _BaseMLPClassifier(ClassifierMixin, BaseEstimator):
    """Shared machinery of the two classifiers; not for direct use."""

    _out_activation = None  # 'logistic' or 'softmax', set by the subclasses

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [str, list, tuple],
        "solver": [StrOptions({"sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "lr_schedule": [str, LRSchedule],
        "batch_size_schedule": [None, BatchSizeSchedule],
        "max_iter": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "init": [StrOptions(_INIT_NAMES)],
        "dtype": "no_validation",  # checked in _train_dtype
        "n_threads": [None, Interval(Integral, 1, None, closed="left")],
        "n_init": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="logistic",
        *,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=0.02,
        lr_schedule="fixed",
        batch_size_schedule=None,
        max_iter="auto",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        class_weight=None,
        init="glorot_uniform",
        dtype=None,
        n_threads=None,
        n_init="auto",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.lr_schedule = lr_schedule
        self.batch_size_schedule = batch_size_schedule
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.init = init
        self.dtype = dtype
        self.n_threads = n_threads
        self.n_init = n_init

    # ------------------------------------------------------------------
    # validation helpers
    # ------------------------------------------------------------------
    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
        for size in sizes:
            if not isinstance(size, numbers.Integral) or isinstance(size, bool) or size < 1:
                raise ValueError(
                    "hidden_layer_sizes must contain only integers >= 1; "
                    f"got hidden_layer_sizes={self.hidden_layer_sizes!r}."
                )
        return sizes

    def _hidden_activations(self, n_hidden):
        spec = self.activation
        if isinstance(spec, str):
            return (resolve_activation(spec),) * n_hidden
        spec = list(spec)
        if len(spec) != n_hidden:
            raise ValueError(
                f"activation has {len(spec)} names but hidden_layer_sizes has "
                f"{n_hidden} layers; give one name per hidden layer or a single "
                f"string. Got activation={self.activation!r}."
            )
        return tuple(resolve_activation(a) for a in spec)

    def _train_dtype(self, X):
        if self.dtype is None:
            return np.float32 if getattr(X, "dtype", None) == np.float32 else np.float64
        try:
            dtype = np.dtype(self.dtype)
        except TypeError:
            dtype = None
        if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(
                "dtype must be None, 'float32' or 'float64' (or the numpy types); "
                f"got dtype={self.dtype!r}."
            )
        return dtype.type

    def _encode_targets(self, y_index, dtype):
        """One-hot targets: a 0/1 column for the logistic output, K columns for softmax."""
        n_outputs = 1 if self._out_activation == "logistic" else len(self.classes_)
        if n_outputs == 1:
            return (y_index == 1).astype(dtype)[:, None]
        Y = np.zeros((y_index.shape[0], n_outputs), dtype=dtype)
        Y[np.arange(y_index.shape[0]), y_index] = 1
        return Y

    def _check_class_count(self, classes):
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the "
                f"data, but the data contains only one class: {classes[0]!r}."
            )

    # ------------------------------------------------------------------
    # fit / partial_fit
    # ------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to data by mini-batch gradient descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels (any hashable, sortable labels: ints, strings, ...).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss; multiplied by the weights that
            ``class_weight`` gives.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over (X, y), continuing from the current state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), default=None
            All the classes that can appear in ``y``; required on the first
            call, ignored afterwards.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        if self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True.")
        if isinstance(self.class_weight, str):
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit, which "
                "sees one batch at a time; pass a dict of class weights instead."
            )
        if _check_partial_fit_first_call(self, classes):
            try:
                self._check_class_count(self.classes_)
            except ValueError:
                del self.classes_
                raise
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _validate_training_data(self, X, y, sample_weight, reset):
        X, y = validate_data(
            self, X, y, reset=reset, dtype=(np.float64, np.float32),
            ensure_min_samples=1,
        )
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        return X, y, sample_weight

    def _fit(self, X, y, sample_weight=None, incremental=False):
        # All or nothing: whatever goes wrong (bad input, a diverging run), the
        # estimator is left exactly as it was before this call.
        saved = dict(self.__dict__)
        try:
            return self._fit_transaction(X, y, sample_weight, incremental)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    def _fit_transaction(self, X, y, sample_weight, incremental):
        hidden_sizes = self._hidden_sizes()
        activations = self._hidden_activations(len(hidden_sizes))
        schedule = get_schedule(self.lr_schedule)
        schedule.validate()

        fitted_before = hasattr(self, "coefs_")
        keep_state = fitted_before and (incremental or self.warm_start)
        X, y, sample_weight = self._validate_training_data(
            X, y, sample_weight, reset=not keep_state
        )
        dtype = self.coefs_[0].dtype.type if keep_state else self._train_dtype(X)
        X = np.ascontiguousarray(X, dtype=dtype)

        # ---- classes --------------------------------------------------
        if incremental:
            unseen = np.setdiff1d(np.unique(y), self.classes_)
            if unseen.size:
                raise ValueError(
                    f"y contains labels {unseen.tolist()!r} that are not in "
                    f"`classes`={self.classes_.tolist()!r} given on the first "
                    "call to partial_fit."
                )
        else:
            classes = np.unique(y)
            self._check_class_count(classes)
            if keep_state and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as "
                    f"in the previous call to fit. Previously got {self.classes_!r}, "
                    f"`y` has {classes!r}."
                )
            self.classes_ = classes
        self._check_classes(self.classes_)
        y_index = np.searchsorted(self.classes_, y)
        Y = self._encode_targets(y_index, dtype)
        sample_weight = self._effective_sample_weight(sample_weight, X, y_index, dtype)

        if keep_state:
            self._check_architecture(hidden_sizes, activations)
        else:
            rs = check_random_state(self.random_state)
            self._rng = np.random.default_rng(rs.randint(np.iinfo(np.int32).max))

        # ---- validation split for early stopping ----------------------
        X_val = Y_val = y_val_index = sw_val = None
        if self.early_stopping:
            X, X_val, Y, Y_val, y_index, y_val_index, sample_weight, sw_val = (
                self._split_validation(X, Y, y_index, sample_weight)
            )

        n_samples = X.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn(
                    f"batch_size={self.batch_size} is larger than the number of "
                    f"training samples ({n_samples}); it is clipped to {n_samples}.",
                    UserWarning,
                )
            batch_size = min(self.batch_size, n_samples)
        n_batches = -(-n_samples // batch_size)
        epochs, check_every = self._epoch_budget(n_batches)
        if incremental:
            epochs, check_every = 1, 1
        if schedule.unit == "iteration":
            total_steps = None if incremental else sum(
                -(-n_samples // b) for b in self._batch_sizes(batch_size, 0, epochs, n_samples))
        else:
            total_steps = None if incremental else epochs

        n_outputs = 1 if self._out_activation == "logistic" else len(self.classes_)
        layer_sizes = [X.shape[1], *hidden_sizes, n_outputs]
        n_init = 1 if (keep_state or incremental) else self._n_initialisations(layer_sizes)
        # n_init='auto' on a small net: a search that ends at the first
        # initialisation classifying every training sample, and retries (without
        # counting them) initialisations that end in a valley
        search = self.n_init == "auto" and n_init > 1
        prior_loss = self._prior_loss(y_index, sample_weight) if search else None
        data = (X, Y, sample_weight, X_val, Y_val, y_val_index, sw_val)
        best = None
        attempt = n_trained = n_valleys = 0
        with blas_threads_for(self.n_threads, batch_size, layer_sizes):
            while attempt < n_init:
                if keep_state:
                    state = _TrainingState.from_estimator(self)
                    if not incremental:  # warm_start: a new optimizer, curves go on
                        state.optimizer = None
                else:
                    params = _network.init_params(layer_sizes, self.init, self._rng, dtype)
                    state = _TrainingState(params)
                if state.optimizer is None:
                    state.optimizer = self._make_optimizer(state.flat_params())
                if self.verbose and n_init > 1:
                    print(f"Initialisation {n_trained + 1} (try {attempt + 1} of {n_init})")
                self._train(state, data, activations, schedule, total_steps,
                            batch_size, epochs, check_every, incremental)
                n_trained += 1
                attempt += 1
                if best is None or state.better_than(best):
                    best = state
                if state.interrupted:
                    break
                if search:
                    if self._fits_every_sample(state, X, y_index, sample_weight,
                                               activations):
                        break  # no other start can classify better
                    if (n_valleys < _MAX_VALLEY_RETRIES
                            and self._in_valley(state, prior_loss)):
                        n_valleys += 1
                        attempt -= 1  # a valley does not count as a try
                        if self.verbose:
                            print(f"Stuck in a valley (loss {state.loss:.4f}); "
                                  "trying a new initialisation.")

        self.n_init_ = n_trained
        self.activations_ = activations
        self.out_activation_ = self._out_activation
        best.commit(self)
        if not (incremental or best.stopped_early or best.interrupted):
            warnings.warn(
                f"Stochastic optimizer: maximum iterations ({epochs} epochs, "
                f"max_iter={self.max_iter!r}) reached and the optimization hasn't "
                "converged yet.",
                ConvergenceWarning,
            )
        return self

    def _n_initialisations(self, layer_sizes):
        """How many random initialisations to train (the best one is kept)."""
        if self.n_init != "auto":
            return self.n_init
        n_params = sum((n_in + 1) * n_out
                       for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))
        return _SMALL_NET_INITS if n_params < _SMALL_NET_PARAMS else 1

    @staticmethod
    def _prior_loss(y_index, sample_weight):
        """Loss of predicting the (weighted) class frequencies: their entropy."""
        counts = np.bincount(y_index, weights=sample_weight)
        return float(entropy(counts))  # entropy normalises the counts

    def _fits_every_sample(self, state, X, y_index, sample_weight, activations):
        """Does the trained state classify every training sample correctly?"""
        Z = _network.logits(state.params, X, activations)
        wrong = self._predict_index_from_logits(Z) != y_index
        if sample_weight is not None:
            wrong &= sample_weight > 0
        return not wrong.any()

    def _in_valley(self, state, prior_loss):
        """Did the run stall in a valley (a bad local minimum or a plateau)?

        Yes when the no-improvement rule stopped it while its training loss is
        still above ``_VALLEY_LOSS_FRACTION`` of ``prior_loss``, the loss of
        predicting the class frequencies.  The 2-2-1 XOR net has two such
        valleys: two samples at p = 1/2 (loss ln(2)/2, half of ln 2) or three
        at p = 1/3 or 2/3 (loss 0.48); solved, its loss is near 0.  Called only
        for runs that misclassify some training sample.
        """
        return state.stopped_early and state.loss > _VALLEY_LOSS_FRACTION * prior_loss

    def _train(self, state, data, activations, schedule, total_steps, batch_size,
               epochs, check_every, incremental):
        """The epoch / mini-batch loop; it changes only ``state``."""
        X, Y, sample_weight, X_val, Y_val, y_val_index, sw_val = data
        n_samples = X.shape[0]
        params = state.params
        theta = state.theta
        batch_sizes = self._batch_sizes(batch_size, state.n_epochs, epochs, n_samples)
        workspace = _network.Workspace(params, max(batch_sizes))
        # the L2 term acts on the weights only: theta[:n_weights] (pack_params)
        theta_W = theta[:state.n_weights]
        grad_W = workspace.grad[:state.n_weights]
        order = np.arange(n_samples)
        alpha = self.alpha
        base_lr = self.learning_rate_init
        out_activation = self._out_activation
        gather = self.shuffle
        by_iteration = schedule.unit == "iteration"
        optimizer_step = state.optimizer.step
        forward, backward = _network.forward, _network.backward
        flat_params, flat_grads = [theta], [workspace.grad]
        constant_lr = base_lr if isinstance(schedule, FixedSchedule) else None

        try:
            # overflow is not warned about: a non-finite loss or weight is
            # caught below and reported with the learning rate that caused it
            with np.errstate(over="ignore", invalid="ignore"):
                for batch_size in batch_sizes:  # one per epoch (batch_size_schedule)
                    if gather:
                        self._rng.shuffle(order)
                    accumulated_loss = 0.0
                    for start in range(0, n_samples, batch_size):
                        stop = min(start + batch_size, n_samples)
                        m = stop - start
                        if gather:
                            batch = order[start:stop]
                            # mode='clip' skips a bounds check that costs twice
                            # the copy itself; `order` is a permutation, always valid
                            X_batch = np.take(X, batch, axis=0, out=workspace.X[:m],
                                              mode="clip")
                            Y_batch = np.take(Y, batch, axis=0, out=workspace.Y[:m],
                                              mode="clip")
                            sw_batch = None if sample_weight is None else sample_weight[batch]
                        else:
                            X_batch, Y_batch = X[start:stop], Y[start:stop]
                            sw_batch = (None if sample_weight is None
                                        else sample_weight[start:stop])

                        acts, loss_sum = forward(params, X_batch, activations,
                                                 out_activation, Y=Y_batch,
                                                 workspace=workspace,
                                                 sample_weight=sw_batch, reduce=True)
                        total_weight = m if sw_batch is None else float(sw_batch.sum())
                        batch_loss = loss_sum / total_weight
                        backward(params, acts, Y_batch, activations, sample_weight=sw_batch,
                                 workspace=workspace)
                        # the L2 term, on every weight at once: theta_W
                        batch_loss += _network.l2_term(theta_W, alpha, total_weight, grad=grad_W)
                        if not math.isfinite(batch_loss):
                            raise FloatingPointError(self._divergence_message(state))
                        if constant_lr is None:
                            step = state.n_updates if by_iteration else state.n_epochs
                            lr = schedule(base_lr, step, total_steps)
                        else:
                            lr = constant_lr
                        optimizer_step(flat_params, flat_grads, lr)
                        state.n_updates += 1
                        accumulated_loss += batch_loss * m

                    state.n_epochs += 1
                    state.t += n_samples
                    state.loss = accumulated_loss / n_samples
                    state.loss_curve.append(state.loss)
                    if not np.isfinite(theta).all():
                        raise FloatingPointError(self._divergence_message(state))
                    if self.verbose:
                        print(f"Iteration {state.n_epochs}, loss = {state.loss:.8f}")
                    if self.early_stopping:  # recorded every epoch
                        self._record_validation(state, X_val, Y_val, y_val_index, sw_val,
                                                activations)
                    if state.n_epochs % check_every:
                        continue  # the stopping rule looks every `check_every` epochs
                    self._update_no_improvement(state, check_every)

                    if not incremental and state.no_improvement > self.n_iter_no_change:
                        state.stopped_early = True
                        if self.verbose:
                            what = ("Validation score" if self.early_stopping
                                    else "Training loss")
                            print(f"{what} did not improve more than tol={self.tol} for "
                                  f"{self.n_iter_no_change} consecutive checks. Stopping.")
                        break
        except KeyboardInterrupt:
            state.interrupted = True
            warnings.warn("Training interrupted by user; keeping the weights so far.",
                          UserWarning)

        if self.early_stopping and state.best_params is not None:
            state.restore_best()

    def _batch_sizes(self, batch_size, first_epoch, epochs, n_samples):
        """The batch size of each of ``epochs`` epochs from ``first_epoch`` on."""
        if self.batch_size_schedule is None:
            return [batch_size] * epochs
        schedule = clone(self.batch_size_schedule)
        return schedule.values(batch_size, np.arange(first_epoch, first_epoch + epochs),
                               n_samples).tolist()

    def _epoch_budget(self, n_batches):
        """Number of epochs, and how often (in epochs) the stopping rule looks.

        The stopping rule looks at least every ``_UPDATES_PER_CHECK`` mini-batch
        updates, never more often than once an epoch: on a large data set that
        is every epoch, exactly as in scikit-learn; on the seed's 4-sample XOR,
        where an epoch is a single update, it is every 100 epochs, so the slow
        start of training (a plateau of ~1e-5 improvement per update) is not
        mistaken for convergence after 10 updates.

        ``max_iter='auto'`` runs 200 epochs, extended on small data sets so
        that at least ``_MIN_UPDATES`` updates are made.
        """
        check_every = -(-_UPDATES_PER_CHECK // n_batches)
        if self.max_iter != "auto":
            return self.max_iter, check_every
        return max(_AUTO_EPOCHS, -(-_MIN_UPDATES // n_batches)), check_every

    def _divergence_message(self, state):
        return (
            f"Training diverged: the loss became NaN or infinite at epoch "
            f"{state.n_epochs + 1} (update {state.n_updates + 1}) with "
            f"learning_rate_init={self.learning_rate_init!r}. Try a smaller "
            "learning_rate_init (e.g. a tenth of it) or standardise X. The "
            "estimator was left as it was before this call."
        )

    def _record_validation(self, state, X_val, Y_val, y_val_index, sw_val, activations):
        acts, loss_sum = _network.forward(
            state.params, X_val, activations, self._out_activation, Y=Y_val,
            sample_weight=sw_val, reduce=True,
        )
        correct = (self._predict_index(acts[-1]) == y_val_index).astype(np.float64)
        if sw_val is None:
            val_loss = loss_sum / len(correct)
            val_score = float(correct.mean())
        else:
            val_loss = loss_sum / float(sw_val.sum())
            val_score = float(correct @ sw_val / sw_val.sum())
        state.validation_loss_curve.append(val_loss)
        state.validation_scores.append(val_score)
        if self.verbose:
            print(f"Validation score: {val_score:.6f}, validation loss: {val_loss:.6f}")
        if val_score > state.best_validation_score:
            state.best_validation_score = val_score
            state.snapshot_best()

    def _update_no_improvement(self, state, window):
        """scikit-learn's stopping rule, looking at the last ``window`` epochs.

        The best training loss (or validation score) of the window counts as an
        improvement if it beats the best of the earlier checks by ``tol``.  With
        ``window=1`` this is exactly ``MLPClassifier``'s rule.
        """
        if self.early_stopping:
            latest = max(state.validation_scores[-window:])
            improved = latest > state.best_checked + self.tol
            state.best_checked = max(state.best_checked, latest)
        else:
            latest = min(state.loss_curve[-window:])
            improved = latest < state.best_loss - self.tol
            state.best_loss = min(state.best_loss, latest)
        state.no_improvement = 0 if improved else state.no_improvement + 1

    def _split_validation(self, X, Y, y_index, sample_weight):
        arrays = [X, Y, y_index] + ([] if sample_weight is None else [sample_weight])
        try:
            parts = train_test_split(
                *arrays, test_size=self.validation_fraction,
                random_state=int(self._rng.integers(np.iinfo(np.int32).max)),
                stratify=y_index,
            )
        except ValueError as exc:
            raise ValueError(
                "early_stopping needs a validation set with at least one sample of "
                f"each class; with validation_fraction={self.validation_fraction} "
                f"and {X.shape[0]} samples it cannot be made ({exc}). Increase "
                "validation_fraction or provide more data."
            ) from None
        X_train, X_val, Y_train, Y_val, yi_train, yi_val = parts[:6]
        sw_train, sw_val = (parts[6], parts[7]) if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        return (np.ascontiguousarray(X_train), X_val, np.ascontiguousarray(Y_train),
                Y_val, yi_train, yi_val, sw_train, sw_val)

    def _effective_sample_weight(self, sample_weight, X, y_index, dtype):
        """sample_weight times class weights; None when all weights are 1."""
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                                 ensure_non_negative=True)
        if self.class_weight is not None:
            cw = compute_class_weight(self.class_weight, classes=self.classes_,
                                      y=self.classes_[y_index])
            per_sample = cw[y_index]
            sample_weight = per_sample if sample_weight is None else sample_weight * per_sample
        if sample_weight is None:
            return None
        if not sample_weight.sum() > 0:
            raise ValueError("sample_weight must have a positive sum; got all zeros.")
        if np.all(sample_weight == 1):
            return None
        return sample_weight.astype(dtype)

    def _make_optimizer(self, flat_params):
        if self.solver == "adam":
            return AdamOptimizer(flat_params, self.beta_1, self.beta_2, self.epsilon)
        return SGDOptimizer(flat_params, self.momentum, self.nesterovs_momentum)

    def _check_architecture(self, hidden_sizes, activations):
        fitted = [W.shape[1] for W in self.coefs_[:-1]]
        if fitted != list(hidden_sizes) or tuple(activations) != tuple(self.activations_):
            raise ValueError(
                "warm_start / partial_fit cannot change the architecture: fitted with "
                f"hidden layers {fitted} and activations {self.activations_}, now "
                f"hidden_layer_sizes={self.hidden_layer_sizes!r}, "
                f"activation={self.activation!r}."
            )

    # ------------------------------------------------------------------
    # prediction
    # ------------------------------------------------------------------
    def _validate_for_predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return np.asarray(X, dtype=self.coefs_[0].dtype)

    def _params(self):
        return list(zip(self.coefs_, self.intercepts_))

    def _logits(self, X):
        return _network.logits(self._params(), X, self.activations_)

    def hidden_activations(self, X):
        """Outputs of every hidden layer: the "space transform" of seed 1.1.5.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        hidden : list of ndarray
            ``hidden[l]`` has shape ``(n_samples, hidden_layer_sizes[l])``: the
            samples as the output layer sees them (for the last hidden layer),
            where the classes become linearly separable.
        """
        X = self._validate_for_predict(X)
        hidden, _ = _network.logits(self._params(), X, self.activations_,
                                    return_hidden=True)
        return hidden

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        X = self._validate_for_predict(X)
        return self.classes_[self._predict_index_from_logits(self._logits(X))]

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed stably from the logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        X = self._validate_for_predict(X)
        return self._log_proba_from_logits(self._logits(X))

    def predict_proba(self, X):
        """Class probabilities, columns ordered as ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        X = self._validate_for_predict(X)
        return self._proba_from_logits(self._logits(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags


class _TrainingState:
    """Everything the loop changes, so that a failed run can be thrown away.

    The estimator is only written to by :meth:`commit`, after training ends
    normally: a run that diverges leaves the estimator as it was.
    """

    def __init__(self, params):
        # one flat vector theta; params are (W, b) views into it
        self.theta, self.params = _network.pack_params(params)
        self.n_weights = _network.n_weights(params)
        self.optimizer = None
        self.n_updates = 0
        self.n_epochs = 0
        self.t = 0
        self.loss = None
        self.loss_curve = []
        self.best_loss = np.inf
        self.validation_loss_curve = []
        self.validation_scores = []
        self.best_validation_score = -np.inf
        self.best_checked = -np.inf  # best validation score at the stopping checks
        self.best_params = None
        self.no_improvement = 0
        self.stopped_early = False
        self.interrupted = False

    def better_than(self, other):
        """Is this run better than ``other`` (best validation score, else final loss)?"""
        if self.validation_scores:
            return self.best_validation_score > other.best_validation_score
        return self.loss < other.loss

    @classmethod
    def from_estimator(cls, est):
        """Copies of the estimator's fitted state (so a failure can't touch it)."""
        state = cls(list(zip(est.coefs_, est.intercepts_)))  # pack_params copies
        # The optimizer keeps its own state arrays (velocities, moments), aligned
        # by position with the parameters it is given; a deep copy is independent.
        state.optimizer = copy.deepcopy(getattr(est, "_optimizer", None))
        state.n_updates = est._n_updates
        state.n_epochs = est.n_iter_
        state.t = est.t_
        state.loss = est.loss_
        state.loss_curve = list(est.loss_curve_)
        state.best_loss = est.best_loss_ if est.best_loss_ is not None else np.inf
        state.validation_loss_curve = list(est.validation_loss_curve_ or [])
        state.validation_scores = list(est.validation_scores_ or [])
        return state

    def flat_params(self):
        """What the optimizer updates: the single flat vector theta."""
        return [self.theta]

    def snapshot_best(self):
        self.best_params = self.theta.copy()

    def restore_best(self):
        self.theta[...] = self.best_params

    def commit(self, est):
        est.coefs_ = [W for W, _ in self.params]
        est.intercepts_ = [b for _, b in self.params]
        est._optimizer = self.optimizer
        est._n_updates = self.n_updates
        est.n_iter_ = self.n_epochs
        est.t_ = self.t
        est.loss_ = self.loss
        est.loss_curve_ = self.loss_curve
        est.n_layers_ = len(self.params) + 1
        est.n_outputs_ = self.params[-1][0].shape[1]
        if self.validation_scores:
            est.validation_loss_curve_ = self.validation_loss_curve
            est.validation_scores_ = self.validation_scores
            est.best_validation_score_ = self.best_validation_score
            est.best_loss_ = None
        else:
            est.validation_loss_curve_ = None
            est.validation_scores_ = None
            est.best_validation_score_ = None
            est.best_loss_ = self.best_loss


class BinaryMLPClassifier(_BaseMLPClassifier):
    """A multi-layer network for two classes, with one logistic output unit.

    The network of seed 1.1.3: ``Z1 = X W1 + B1``, ``A1 = f(Z1)``, ...,
    ``A_L = Logistic(Z_L)``, trained on the binary cross-entropy
    ``-[y ln a + (1 - y) ln(1 - a)]`` by back-propagation written out in NumPy
    (:mod:`sknn_cn.network`).  ``A_L`` is the probability of ``classes_[1]``.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Width of each hidden layer; ``(2,)`` is the seed's XOR net.
    activation : str or sequence of str, default='logistic'
        Hidden activation, one name for all hidden layers or one per layer:
        'identity', 'logistic' (or 'sigmoid', the seed's choice), 'tanh', 'relu'.
    solver : {'adam', 'sgd'}, default='adam'
        'adam' is Adam; 'sgd' is mini-batch gradient descent with (Nesterov)
        momentum, the seed's optimiser (``momentum=0`` is the seed's plain rule).
    alpha : float, default=1e-4
        L2 penalty: ``alpha / (2 S) * sum ||W||^2`` with ``S`` the batch's
        total sample weight.
    batch_size : int or 'auto', default='auto'
        Mini-batch size; 'auto' is ``min(200, n_samples)``.
    learning_rate_init : float, default=0.02
        The base learning rate that ``lr_schedule`` scales.  The default suits
        'adam' on the seed's problems (measured: benchmarks/bench_toy_problems.py);
        for 'sgd' try 0.1-0.5 (see :mod:`sknn_cn.lr_finder`).
    lr_schedule : str or LRSchedule, default='fixed'
        'fixed', 'step', 'multistep', 'exp', 'inv', 'poly' (seed 1.4.4.2) or
        a schedule object from :mod:`sknn_cn.schedules`; stepped after every
        mini-batch update unless the schedule's ``unit`` is 'epoch'.
    batch_size_schedule : BatchSizeSchedule or None, default=None
        Grow the batch size at epoch milestones instead of decaying the
        learning rate (seed 1.4.4.3; Smith et al. 2017): epoch ``e`` uses
        mini-batches of ``batch_size_schedule(batch_size, e, n_samples)``.
        None keeps ``batch_size`` throughout.
    max_iter : int or 'auto', default='auto'
        Number of epochs (passes over the data), as in scikit-learn.  'auto'
        is 200 epochs, or more on small data sets so that at least 20 000
        mini-batch updates are made (the seed's 4-sample XOR needs thousands
        of updates, and an epoch of it is one update).
    shuffle : bool, default=True
        Shuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split; an
        int gives bit-identical refits.
    tol : float, default=1e-4
        Improvement of the training loss (or validation score) that counts.
    verbose : bool, default=False
        Print the loss after every epoch.
    warm_start : bool, default=False
        Continue from the previous fit's weights.
    momentum : float, default=0.9
        Momentum of the 'sgd' solver.
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified), record the
        validation loss and accuracy every epoch, stop when the accuracy has
        not improved by ``tol`` for ``n_iter_no_change`` epochs and keep the
        best weights.
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's parameters.
    n_iter_no_change : int, default=10
        Stop when the training loss (validation accuracy with early stopping)
        has not improved by ``tol`` for this many checks.  A check is made
        every epoch, as in scikit-learn, except on small data sets, where it
        is made every ``ceil(100 / batches_per_epoch)`` epochs (every 100
        updates) and compares the best value of those epochs; otherwise a
        4-sample problem would stop after 10 updates on its initial plateau.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes in the loss (seed 1.3); 'balanced' uses
        ``n_samples / (n_classes * count(class))``.
    init : str, default='glorot_uniform'
        Weight initialisation: 'glorot_uniform' (alias 'xavier', the seed's
        source), 'glorot_normal', 'he_uniform', 'he_normal' (alias 'msra'),
        'normal'.  Biases start at zero.
    dtype : {None, 'float32', 'float64'}, default=None
        Floating type of the weights and the arithmetic; None keeps float32
        input as float32 and uses float64 otherwise.  float32 is about twice
        as fast.
    n_threads : int or None, default=None
        BLAS threads while training; None picks by matrix size (one thread
        for small layers, where threading costs more than it gives).
    n_init : int or 'auto', default='auto'
        Number of random initialisations to train; the one with the lowest
        final training loss (best validation score with early stopping) is
        kept.  An integer trains exactly that many.  'auto' trains 1 for
        networks with 100 parameters or more.  Smaller networks have bad local
        minima (the seed's 2-2-1 XOR net stalls in a valley from 83 of 200
        initialisations with the default Adam, random_state 0-199 and
        ``n_init=1``: two samples at p = 1/2, loss ln(2)/2, or three at
        p = 1/3, loss 0.48) and train in milliseconds, so
        'auto' trains them one initialisation after another:

        * up to 3, stopping at the first that classifies every training
          sample correctly;
        * a run that ends in a valley -- stopped by the no-improvement rule
          with some training sample misclassified and a training loss above
          1/3 of the loss of predicting the class frequencies (ln 2 for
          XOR) -- does not count towards the 3 and is retried, at most 10
          times.

        ``n_init_`` tells how many were trained.  Ignored by ``partial_fit``
        and ``warm_start`` refits, which continue from the fitted weights.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coefs_ : list of ndarray
        ``coefs_[l]`` is ``W_{l+1}`` of shape ``(n_in, n_out)``.
    intercepts_ : list of ndarray
        ``intercepts_[l]`` is ``B_{l+1}`` of shape ``(n_out,)``.
    activations_ : tuple of str
        The hidden activation of each hidden layer.
    out_activation_ : str
        'logistic'.
    n_iter_ : int
        Epochs run.
    t_ : int
        Training samples seen.
    loss_ : float
        Mean loss of the last epoch.
    loss_curve_ : list of float
        Mean training loss of every epoch.
    best_loss_ : float or None
        Smallest training loss (None with early stopping).
    validation_loss_curve_, validation_scores_ : list of float or None
        Validation cross-entropy and accuracy of every epoch (early stopping).
    best_validation_score_ : float or None
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when X had string column names.
    n_layers_ : int
    n_outputs_ : int
    n_init_ : int
        Number of initialisations trained (see ``n_init``); the weights are
        the best one's.

    See Also
    --------
    MulticlassMLPClassifier : softmax output for K >= 2 classes.
    sklearn.neural_network.MLPClassifier : the same parameter names.

    Examples
    --------
    >>> from sknn_cn import BinaryMLPClassifier
    >>> from sknn_cn.datasets import make_xor
    >>> X, y = make_xor()
    >>> clf = BinaryMLPClassifier(hidden_layer_sizes=(2,), random_state=0).fit(X, y)
    >>> clf.predict(X).tolist()
    [0, 1, 1, 0]
    """

    _out_activation = "logistic"

    def _check_classes(self, classes):
        if len(classes) != 2:
            raise ValueError(
                "Only binary classification is supported: BinaryMLPClassifier "
                f"handles exactly 2 classes, but y has {len(classes)} classes "
                f"{classes.tolist()!r}. Use MulticlassMLPClassifier for more."
            )

    def _predict_index(self, A):
        return (A[:, 0] > 0.5).astype(np.intp)

    def _predict_index_from_logits(self, Z):
        return (Z[:, 0] > 0).astype(np.intp)

    def _proba_from_logits(self, Z):
        # both columns from the logit (not 1 - p), so a tiny probability of
        # classes_[0] stays accurate instead of rounding to 0
        z = Z[:, 0]
        return np.column_stack([expit(-z), expit(z)])

    def _log_proba_from_logits(self, Z):
        z = Z[:, 0]
        # log(1 - p) = -log(1 + e^z), log p = -log(1 + e^-z)
        return np.column_stack([-np.logaddexp(0, z), -np.logaddexp(0, -z)])

    def decision_function(self, X):
        """The logit ``z`` of the output unit: ``P(classes_[1]) = 1 / (1 + e^-z)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        z : ndarray of shape (n_samples,)
            Positive values predict ``classes_[1]``.
        """
        X = self._validate_for_predict(X)
        return self._logits(X)[:, 0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


class MulticlassMLPClassifier(_BaseMLPClassifier):
    """A multi-layer network with a softmax output over K >= 2 classes.

    The networks of seed 1.2.2 (2-3-3 on the coin-with-a-hole data) and 1.4.2
    (784-64-16-10 on MNIST): ``Z_l = A_{l-1} W_l + B_l``, hidden activations
    per layer, ``A_L = Softmax(Z_L)``, trained on the cross-entropy
    ``-sum_j y_j ln a_j`` by back-propagation written out in NumPy.  The seed's
    MNIST net is ``MulticlassMLPClassifier(hidden_layer_sizes=(64, 16),
    activation=('logistic', 'tanh'))``.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
    activation : str or sequence of str, default='logistic'
    solver : {'adam', 'sgd'}, default='adam'
    alpha : float, default=1e-4
    batch_size : int or 'auto', default='auto'
    learning_rate_init : float, default=0.02
    lr_schedule : str or LRSchedule, default='fixed'
    batch_size_schedule : BatchSizeSchedule or None, default=None
    max_iter : int or 'auto', default='auto'
    shuffle : bool, default=True
    random_state : int, RandomState instance or None, default=None
    tol : float, default=1e-4
    verbose : bool, default=False
    warm_start : bool, default=False
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
    n_iter_no_change : int, default=10
    class_weight : dict, 'balanced' or None, default=None
    init : str, default='glorot_uniform'
    dtype : {None, 'float32', 'float64'}, default=None
    n_threads : int or None, default=None
    n_init : int or 'auto', default='auto'
        See :class:`BinaryMLPClassifier` for the meaning of each parameter.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coefs_, intercepts_ : list of ndarray
    activations_ : tuple of str
    out_activation_ : str
        'softmax'.
    n_iter_, t_ : int
    loss_, best_loss_ : float
    loss_curve_ : list of float
    validation_loss_curve_, validation_scores_ : list of float or None
    best_validation_score_ : float or None
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    n_layers_, n_outputs_ : int
    n_init_ : int

    Examples
    --------
    >>> from sknn_cn import MulticlassMLPClassifier
    >>> from sknn_cn.datasets import make_coin_hole
    >>> X, y = make_coin_hole(600, random_state=0)
    >>> clf = MulticlassMLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    """

    _out_activation = "softmax"

    def _check_classes(self, classes):
        pass

    def _predict_index(self, A):
        return A.argmax(axis=1)

    _predict_index_from_logits = _predict_index

    def _proba_from_logits(self, Z):
        A, _ = _network.output_and_loss(Z, None, "softmax")
        return A

    def _log_proba_from_logits(self, Z):
        return Z - logsumexp(Z, axis=1, keepdims=True)

    def decision_function(self, X):
        """The logits of the output layer (before softmax).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes), or (n_samples,) for 2 classes
            For two classes, ``z_1 - z_0`` (positive predicts ``classes_[1]``),
            as scikit-learn's binary classifiers return.
        """
        X = self._validate_for_predict(X)
        Z = self._logits(X)
        if Z.shape[1] == 2:
            return Z[:, 1] - Z[:, 0]
        return Z
