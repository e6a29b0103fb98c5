"""What the two classifiers share: parameters, validation, fit, public seams.

:class:`BaseMLPClassifier` owns the constructor parameters and their
``_parameter_constraints``, ``fit`` / ``partial_fit`` and
the fitted attributes, and the seams other tools use: :meth:`objective`
(gradient checking, the range test) and the training state (persistence).
Checking and encoding the inputs is in :mod:`sknn_cn.inputs`; the maths is in
:mod:`sknn_cn.network`, the loop and its rules in
:mod:`sknn_cn.training`, prediction in :mod:`sknn_cn.estimators`.
"""

import copy
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import (
    check_is_fitted,
    check_X_y,
    column_or_1d,
    validate_data,
)

from . import network
from .inputs import FitInputsMixin
from .network import Objective
from .training.batch_schedules import BatchSizeSchedule
from .training.callbacks import NULL_WATCH, WatchMixin
from .training.lbfgs import fit_lbfgs
from .training.loop import TrainingState, fit_initialisations
from .training.optimizers import AdamOptimizer, SGDOptimizer
from .training.schedules import LRSchedule
from .training.sklearn_schedules import resolve_schedule
from .training.split import split_validation
from .training.state import check_training_state, training_state
from .training.rng import generator_from

__all__ = ["BaseMLPClassifier"]

_INIT_NAMES = set(network.INITIALIZERS) | set(network.INIT_ALIASES)


class BaseMLPClassifier(WatchMixin, FitInputsMixin, ClassifierMixin, BaseEstimator):
    """Shared machinery of :class:`~sknn_cn.BinaryMLPClassifier` and
    :class:`~sknn_cn.MulticlassMLPClassifier`; not for direct use.

    A subclass sets ``_out_activation`` ('logistic' or 'softmax') and the
    output-specific methods (class check, class index and probabilities from
    the logits).  ``isinstance(est, BaseMLPClassifier)`` tells a tool that
    ``est`` has :meth:`objective`.
    """


    _out_activation = None  # 'logistic' or 'softmax', set by the subclasses

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [str, list, tuple],
        "solver": [StrOptions({"sgd", "adam", "lbfgs"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
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
            StrOptions({"auto"}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "init": [StrOptions(_INIT_NAMES)],
        "dtype": "no_validation",  # checked in _train_dtype
        # BLAS takes a C int
        "n_threads": [None, Interval(Integral, 1, 2**31 - 1, closed="both")],
        "n_init": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="logistic",
        *,
        solver="adam",
        alpha=1e-4,
        dropout=0.0,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.02,
        power_t=0.5,
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
        n_iter_no_change="auto",
        max_fun=15000,
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
        self.dropout = dropout
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
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
        self.max_fun = max_fun
        self.class_weight = class_weight
        self.init = init
        self.dtype = dtype
        self.n_threads = n_threads
        self.n_init = n_init

    # ------------------------------------------------------------------
    # fit / partial_fit
    # ------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to data by mini-batch gradient descent (or L-BFGS).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; CSR / CSC matrices are trained on without densifying.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (any hashable, sortable labels: ints, strings, ...),
            or a multilabel indicator (BinaryMLPClassifier).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss; multiplied by the weights that
            ``class_weight`` gives.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def _check_solver(self):
        if self.solver == "lbfgs":  # as scikit-learn: no partial_fit attribute
            raise AttributeError("partial_fit is only available for the stochastic "
                                 "solvers 'sgd' and 'adam'; solver='lbfgs' is not "
                                 "stochastic.")
        return True

    @available_if(_check_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over (X, y), continuing from the current state.

        Only for the stochastic solvers ('sgd', 'adam'): with ``solver='lbfgs'``
        the estimator has no ``partial_fit`` attribute, as in scikit-learn.
        Afterwards ``n_iter_`` is 1 (scikit-learn 1.9); ``loss_curve_`` grows.

        X is not scanned for NaN and inf before the epoch, as ``fit`` does: a
        NaN or inf anywhere in X makes the loss or the weights non-finite
        during the epoch (``inf * 0`` is NaN in ``X^T dZ``), and then the
        call raises scikit-learn's ValueError naming X and changes nothing.
        This saves a full read of X per call (about 5 % of an MNIST epoch).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
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
        first_call = self._first_partial_fit_call(classes)
        try:
            if first_call:
                self._check_class_count(self.classes_)
            return self._fit(X, y, sample_weight=sample_weight, incremental=True)
        except BaseException:
            if first_call:  # a refused first call leaves the estimator unfitted
                del self.classes_
            raise

    def _fit(self, X, y, sample_weight=None, incremental=False):
        # All or nothing: whatever goes wrong (bad input, a diverging run), the
        # estimator is left exactly as it was before this call.
        # Generators change in place, so their states are saved apart.
        watch = self._watch("partial_fit" if incremental else "fit", X, y, sample_weight)
        saved = dict(self.__dict__)
        generators = {rng: copy.deepcopy(rng.bit_generator.state)
                      for rng in saved.values() if isinstance(rng, np.random.Generator)}
        try:
            with watch:  # sklearn callbacks; every task begun is ended, also on failure
                return self._fit_transaction(X, y, sample_weight, incremental, watch)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            for rng, state in generators.items():
                rng.bit_generator.state = state
            raise

    def _fit_transaction(self, X, y, sample_weight, incremental, watch=NULL_WATCH):
        hidden_sizes = self._hidden_sizes()
        activations = self._hidden_activations(len(hidden_sizes))
        dropout = network.dropout_rates(self.dropout, len(hidden_sizes))
        schedule = resolve_schedule(self.lr_schedule, self.learning_rate, self.power_t,
                                    self.solver)
        if self.solver == "lbfgs" and any(dropout):
            raise ValueError(f"dropout={self.dropout!r} needs a stochastic solver ('sgd' "
                             "or 'adam'); solver='lbfgs' minimises a fixed objective.")

        fitted_before = hasattr(self, "coefs_")
        keep_state = fitted_before and (incremental or self.warm_start)
        # partial_fit reads X for NaN / inf only if training turns non-finite
        # (below): a full read of X on every call costs ~5% of an MNIST epoch
        X, y, sample_weight, labels = self._validate_training_data(
            X, y, sample_weight, reset=not keep_state, check_finite=not incremental
        )
        dtype = self.coefs_[0].dtype.type if keep_state else self._train_dtype(X)
        X = self._as_model_dtype(X, dtype, fitted=keep_state)  # C-contiguous, or CSR
        y_index = self._set_classes(y, labels, incremental, keep_state)
        Y = self._encode_targets(y_index, dtype)
        sample_weight = self._effective_sample_weight(sample_weight, X, y_index, dtype)

        if keep_state:
            self._check_architecture(hidden_sizes, activations)
        else:
            self._rng = generator_from(self.random_state)

        validation = None
        if self.early_stopping and self.solver != "lbfgs":  # lbfgs ignores it (sklearn)
            X, X_val, Y, Y_val, y_index, y_val_index, sample_weight, sw_val = (
                split_validation(X, Y, y_index, sample_weight,
                                 self.validation_fraction, self._rng, self.classes_)
            )
            validation = (X_val, Y_val, y_val_index, sw_val)

        layer_sizes = [X.shape[1], *hidden_sizes, Y.shape[1]]  # Y: one column per output
        if keep_state:
            # partial_fit goes on with the optimizer; warm_start makes a new one
            optimizer = copy.deepcopy(self._optimizer) if incremental else None
            initial = TrainingState.from_estimator(self, optimizer)
            # sklearn's no-improvement count goes on (a warm_start refit too,
            # unless 'auto'); the 'adaptive' count goes on with the optimizer
            if incremental or self.n_iter_no_change != "auto":
                initial.no_improvement = getattr(self, "_no_improvement_count", 0)
            if incremental:
                initial.n_plateaus = getattr(self, "_n_plateaus", 0)
        else:
            initial = None
        if self.solver == "lbfgs":
            return self._fit_lbfgs(X, Y, sample_weight, y_index, initial, layer_sizes,
                                   activations, dtype, watch)
        try:
            best, n_trained, epochs = fit_initialisations(
                (X, Y, sample_weight), y_index, initial=initial, layer_sizes=layer_sizes,
                activations=activations, out_activation=self._out_activation,
                init=self.init, dtype=dtype, rng=self._rng,
                make_optimizer=self._make_optimizer, schedule=schedule,
                batch_size=self.batch_size, batch_size_schedule=self.batch_size_schedule,
                max_iter=self.max_iter, n_init=self.n_init, incremental=incremental,
                n_threads=self.n_threads, alpha=self.alpha,
                learning_rate_init=self.learning_rate_init, shuffle=self.shuffle,
                tol=self.tol, n_iter_no_change=self.n_iter_no_change, verbose=self.verbose,
                validation=validation, dropout=dropout, predict_index=self._predict_index,
                predict_index_from_logits=self._predict_index_from_logits, watch=watch,
            )
        except FloatingPointError:
            # a NaN or inf in X makes the loss or the weights non-finite: say so
            self._check_finite_X(X)
            raise
        self.n_init_ = n_trained
        self.activations_ = activations
        self.out_activation_ = self._out_activation
        best.commit(self)
        self._optimizer = best.optimizer
        self._no_improvement_count, self._n_plateaus = best.no_improvement, best.n_plateaus
        if not (incremental or best.stopped_early or best.interrupted
                or best.stopped_by_callback):
            warnings.warn(
                f"Stochastic optimizer: maximum iterations ({epochs} epochs, "
                f"max_iter={self.max_iter!r}) reached and the optimization hasn't "
                "converged yet.",
                ConvergenceWarning,
            )
        return self

    def _fit_lbfgs(self, X, Y, sample_weight, y_index, initial, layer_sizes, activations,
                   dtype, watch):
        best, n_trained = fit_lbfgs(
            (X, Y, sample_weight), y_index, initial=initial, layer_sizes=layer_sizes,
            activations=activations, out_activation=self._out_activation, init=self.init,
            dtype=dtype, rng=self._rng, make_optimizer=self._make_optimizer,
            alpha=self.alpha, max_iter=self.max_iter, max_fun=self.max_fun, tol=self.tol,
            n_init=self.n_init, n_threads=self.n_threads, verbose=self.verbose,
            predict_index_from_logits=self._predict_index_from_logits, watch=watch)
        self.n_init_ = n_trained
        self.activations_ = activations
        self.out_activation_ = self._out_activation
        best.commit(self)
        self._optimizer = best.optimizer
        self._no_improvement_count, self._n_plateaus = 0, 0
        return self

    def _make_optimizer(self, flat_params):
        if self.solver == "adam":
            return AdamOptimizer(flat_params, self.beta_1, self.beta_2, self.epsilon)
        return SGDOptimizer(flat_params, self.momentum, self.nesterovs_momentum)

    # ---- public seams: the objective, the training state --------------
    def objective(self, X, y, *, sample_weight=None, classes=None):
        """The objective ``fit`` minimises on ``(X, y)``, as a function of the weights.

        With this estimator's own encoding of ``y``, sample and class weights,
        activations, output and ``alpha`` (seed 1.4.3: the regularisation term
        included), in float64.  Fitted or not, the estimator is not changed.
        It never drops: ``dropout`` is only recorded
        (``Objective.with_frozen_dropout`` fixes one draw of its masks).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Multiplied by the weights that ``class_weight`` gives.
        classes : array-like of shape (n_classes,), default=None
            The classes to encode ``y`` against; default ``classes_`` when
            fitted, else the labels in ``y``.

        Returns
        -------
        objective : sknn_cn.network.objective.Objective
            With ``loss(params)``, ``loss_and_gradients(params)`` and
            ``initial_params(random_state)``.
        """
        self._validate_params()
        fitted = hasattr(self, "coefs_")
        if fitted:  # the fitted network, whatever the parameters say now
            hidden_sizes = [W.shape[1] for W in self.coefs_[:-1]]
            activations = tuple(self.activations_)
        else:
            hidden_sizes = self._hidden_sizes()
            activations = self._hidden_activations(len(hidden_sizes))
        if fitted:  # checks n_features_in_ and the feature names; sets nothing
            X, y = validate_data(self, X, y, reset=False, dtype=np.float64)
        else:
            X, y = check_X_y(X, y, dtype=np.float64)
        y = column_or_1d(y)
        check_classification_targets(y)
        if fitted and classes is not None and not np.array_equal(unique_labels(classes),
                                                                 self.classes_):
            raise ValueError(f"`classes`={np.asarray(classes).tolist()!r} differ from the "
                             f"fitted estimator's classes_={self.classes_.tolist()!r}.")
        classes = self.classes_ if fitted else unique_labels(y if classes is None else classes)
        self._check_class_count(classes)
        self._check_classes(classes)
        unseen = np.setdiff1d(np.unique(y), classes)
        if unseen.size:
            where = ("that the fitted estimator does not know (classes_=" if fitted
                     else "that are not in `classes`=(")
            raise ValueError(f"y contains labels {unseen.tolist()!r} {where}"
                             f"{classes.tolist()!r}).")
        y_index = np.searchsorted(classes, y)
        X = np.ascontiguousarray(X, dtype=np.float64)
        Y = self._encode_targets(y_index, np.float64, n_classes=len(classes))
        weights = self._effective_sample_weight(sample_weight, X, y_index, np.float64,
                                                classes=classes)
        layer_sizes = [X.shape[1], *hidden_sizes, Y.shape[1]]
        return Objective(X, Y, layer_sizes, activations, self._out_activation,
                         alpha=self.alpha, sample_weight=weights, init=self.init,
                         dropout=network.dropout_rates(self.dropout, len(hidden_sizes)))

    def get_training_state(self):
        """What ``partial_fit`` continues from, beyond the public fitted attributes.

        Returns
        -------
        state : dict
            ``{'n_updates': n_updates_, 'generator': the shuffling generator's
            bit_generator.state, 'optimizer': {'class': name, 'state':
            optimizer.state_dict()}, 'no_improvement': int, 'n_plateaus': int}``
            (copies; the two counts of the no-improvement rule and of
            ``learning_rate='adaptive'``; :mod:`sknn_cn.training.state`).
        """
        check_is_fitted(self)
        return training_state(self.n_updates_, self._rng, self._optimizer,
                              getattr(self, "_no_improvement_count", 0),
                              getattr(self, "_n_plateaus", 0))

    def set_training_state(self, state):
        """Put back a state from :meth:`get_training_state`, checking every field
        (the optimizer's arrays against the fitted ``coefs_``, which must be set):
        a ``ValueError`` names the field that is missing or wrong."""
        check_is_fitted(self)
        (self.n_updates_, self._rng, self._optimizer, self._no_improvement_count,
         self._n_plateaus) = check_training_state(state, self.coefs_, self.intercepts_)
        return self
