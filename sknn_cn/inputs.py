"""Turning the user's inputs into training arrays, checked against the fitted state.

:class:`FitInputsMixin` is the half of :class:`sknn_cn.base.BaseMLPClassifier`
that reads the parameters describing the network (hidden sizes, activations,
dtype) and the data (``X``, ``y``, ``classes``, sample and class weights), checks
them, with errors that name the argument and the value, and returns arrays:
class indices, one-hot targets, effective sample weights.
"""

import math
import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import (
    _check_sample_weight,
    assert_all_finite,
    column_or_1d,
    validate_data,
)

from . import network
from ._multilabel import indicator_from_keys, is_multilabel, is_row_keys, row_keys

__all__ = ["FitInputsMixin"]


def _unique_labels(y):
    """The sorted labels of ``y``; a ValueError naming ``y`` if they cannot be sorted.

    Labels of types that do not compare (``['a', 1, 2]``) make NumPy's sort,
    and so scikit-learn's own checks, raise ``TypeError: '<' not supported
    between instances of 'int' and 'str'``, which does not say it is about ``y``.
    """
    try:
        check_classification_targets(y)
        return np.unique(y)
    except TypeError as exc:
        types = sorted({type(label).__name__ for label in np.ravel(y)})
        raise ValueError(
            f"y mixes labels of types {types} that cannot be sorted against each "
            f"other ({exc}); use labels of one type, e.g. all str or all int."
        ) from exc


class FitInputsMixin:
    """Input checks and encodings of the classifiers (a mixin; reads ``self``'s
    parameters and fitted attributes, sets only ``classes_``)."""

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
            return (network.resolve_activation(spec),) * n_hidden
        spec = list(spec)
        if len(spec) != n_hidden:
            raise ValueError(
                f"activation has {len(spec)} names but hidden_layer_sizes has "
                f"{n_hidden} layers; give one name per hidden layer or a single "
                f"string. Got activation={self.activation!r}."
            )
        return tuple(network.resolve_activation(a) for a in spec)

    def _train_dtype(self, X):
        if self.dtype is None:
            return np.float32 if getattr(X, "dtype", None) == np.float32 else np.float64
        try:
            dtype = np.dtype(self.dtype)
        except (TypeError, ValueError):
            dtype = None
        # `is None` first: np.dtype('float64') == None is True
        if dtype is None or dtype.type not in (np.float32, np.float64):
            raise InvalidParameterError(
                f"The 'dtype' parameter of {type(self).__name__} must be None, "
                "'float32' or 'float64' (or the numpy types np.float32, np.float64). "
                f"Got {self.dtype!r} instead."
            )
        return dtype.type

    def _as_model_dtype(self, X, dtype, fitted):
        """``X`` as a C-contiguous ``dtype`` array, or CSR for sparse X (CSC is
        converted once, so that a mini-batch is a slice of rows); a ValueError
        if the cast overflows.

        ``X`` is finite (``validate_data`` checked it); casting float64 to
        float32 turns values beyond float32's range (3.4e38) into inf, which
        would otherwise show up as a NaN prediction or a divergence blamed on
        the learning rate.
        """
        narrowing = X.dtype.itemsize > np.dtype(dtype).itemsize
        with np.errstate(over="ignore"):
            cast = (X.tocsr().astype(dtype, copy=False) if sp.issparse(X)
                    else np.ascontiguousarray(X, dtype=dtype))
        values = (cast.data, X.data) if sp.issparse(X) else (cast, X)
        if narrowing and not np.isfinite(values[0]).all():
            self._check_finite_X(X)  # NaN / inf in X itself (partial_fit's unchecked X)
            limit = np.finfo(dtype).max
            largest = float(np.max(np.abs(values[1])))
            whose = ("the fitted model's" if fitted
                     else f"dtype={self.dtype!r}'s" if self.dtype is not None else "the")
            raise ValueError(
                f"X has values up to {largest:.3g} in absolute value, beyond {whose} "
                f"{np.dtype(dtype).name} range (max {limit:.3g}): they would become "
                "inf. Scale X (e.g. with sklearn.preprocessing.StandardScaler)"
                + ("." if fitted else " or fit with dtype='float64'.")
            )
        return cast

    def _validate_params(self):
        """sklearn's parameter validation, and no bool where a number is meant.

        ``bool`` is an ``int`` in Python, so ``Interval(Integral, ...)`` takes
        ``batch_size=True`` as 1; here a bool is accepted only by parameters
        whose constraints say "boolean" (or "verbose").
        """
        super()._validate_params()
        for name, constraints in self._parameter_constraints.items():
            value = getattr(self, name, None)
            if constraints == "no_validation" or not isinstance(value, (bool, np.bool_)):
                continue
            if "boolean" in constraints or "verbose" in constraints:
                continue
            allowed = [str(c) for c in constraints
                       if isinstance(c, (Interval, Options, StrOptions))]
            allowed += ["None"] * (None in constraints)
            raise InvalidParameterError(
                f"The {name!r} parameter of {type(self).__name__} must be "
                f"{' or '.join(allowed)} (a bool is not a number here). "
                f"Got {value!r} instead."
            )

    def _encode_targets(self, y_index, dtype, n_classes=None):
        """One-hot targets: a 0/1 column for the logistic output, K columns for softmax."""
        n_classes = len(self.classes_) if n_classes is None else n_classes
        if is_row_keys(y_index):  # multilabel: the indicator itself, one column per label
            return indicator_from_keys(y_index, n_classes, dtype)
        n_outputs = 1 if self._out_activation == "logistic" else n_classes
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

    def _first_partial_fit_call(self, classes):
        """Set ``classes_`` on the first call; check ``classes`` on later ones."""
        fitted_classes = getattr(self, "classes_", None)
        if fitted_classes is None and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if fitted_classes is None:
            labels = unique_labels(classes)
            if not labels.size:
                raise ValueError("classes must list every label y can hold (at least "
                                 f"2); got classes={classes!r}.")
            self.classes_ = labels
        elif classes is not None and not np.array_equal(fitted_classes,
                                                        unique_labels(classes)):
            raise ValueError(f"`classes={classes!r}` is not the same as on last call to "
                             f"partial_fit, was: {fitted_classes!r}")
        return fitted_classes is None

    def _validate_training_data(self, X, y, sample_weight, reset, check_finite=True):
        """Checked ``X``, ``y`` and the sorted labels of ``y`` (None if multilabel).

        ``check_finite=False`` skips the NaN / inf scan of ``X`` (a full read of
        it): ``partial_fit`` leaves it to :meth:`_check_finite_X`, called when
        training turns non-finite, which a non-finite ``X`` always makes it.
        """
        # multilabel indicator y: one logistic unit per label (the logistic output only)
        multilabel = is_multilabel(y)
        if multilabel and self._out_activation != "logistic":
            raise ValueError(
                f"{type(self).__name__} has a softmax output (exactly one class per "
                f"sample) and cannot fit a multilabel indicator y of shape "
                f"{np.shape(y)}; use BinaryMLPClassifier, which fits one logistic "
                "unit per label as MLPClassifier does."
            )
        X, y = validate_data(
            self, X, y, reset=reset, dtype=(np.float64, np.float32),
            ensure_min_samples=1, accept_sparse=("csr", "csc"), multi_output=multilabel,
            ensure_all_finite=check_finite,
        )
        if multilabel:
            y = y.toarray() if sp.issparse(y) else np.asarray(y)
            labels = None
        else:
            y = column_or_1d(y, warn=True)
            labels = _unique_labels(y)
        self._train_dtype(X)  # checked even where the fitted dtype is kept
        return X, y, sample_weight, labels

    def _check_finite_X(self, X):
        """sklearn's ValueError naming X if it holds NaN or inf; else nothing."""
        assert_all_finite(X, estimator_name=type(self).__name__, input_name="X")

    def _check_n_outputs(self, n_outputs):
        fitted = self.coefs_[-1].shape[1]
        if fitted != n_outputs:
            raise ValueError(
                f"y needs {n_outputs} output unit(s) but the fitted network has "
                f"{fitted}: warm_start / partial_fit cannot switch between binary "
                "and multilabel y, or change the number of labels."
            )

    def _set_labels(self, y, incremental, keep_state):
        """Multilabel ``y``: ``classes_`` is ``arange(n_labels)`` (as MLPClassifier);
        the keys of the label rows stand for class indices (:mod:`._multilabel`)."""
        labels = np.arange(y.shape[1])
        if incremental or keep_state:
            if not np.array_equal(self.classes_, labels):
                raise ValueError(
                    f"y has {y.shape[1]} label columns, so `classes` must be "
                    f"{labels.tolist()!r}; got classes_={self.classes_.tolist()!r}."
                )
            if hasattr(self, "coefs_"):
                self._check_n_outputs(y.shape[1])
        else:
            self.classes_ = labels
        if not np.isin(y, (0, 1)).all():
            raise ValueError("A multilabel indicator y must contain only 0 and 1.")
        return row_keys(y)

    def _set_classes(self, y, labels, incremental, keep_state):
        """Check ``y``'s labels (sorted, unique) against ``classes_`` (setting it in
        ``fit``); class indices."""
        if y.ndim == 2:
            return self._set_labels(y, incremental, keep_state)
        if (incremental or keep_state) and hasattr(self, "coefs_"):
            self._check_n_outputs(1 if self._out_activation == "logistic"
                                  else len(self.classes_))
        if incremental:
            unseen = np.setdiff1d(labels, self.classes_, assume_unique=True)
            if unseen.size:
                raise ValueError(
                    f"y contains labels {unseen.tolist()!r} that are not in "
                    f"`classes`={self.classes_.tolist()!r} given on the first "
                    "call to partial_fit."
                )
        else:
            classes = labels
            self._check_class_count(classes)
            if keep_state and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as "
                    f"in the previous call to fit. Previously got {self.classes_}, "
                    f"`y` has {classes}."
                )
            self.classes_ = classes
        self._check_classes(self.classes_)
        return np.searchsorted(self.classes_, y)

    def _effective_sample_weight(self, sample_weight, X, y_index, dtype, classes=None):
        """sample_weight times class weights; None when all weights are 1."""
        classes = self.classes_ if classes is None else classes
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                                 ensure_non_negative=True)
        if self.class_weight is not None and is_row_keys(y_index):
            raise ValueError(
                "class_weight is not supported with a multilabel y (a sample has "
                f"several labels); got class_weight={self.class_weight!r}. Use "
                "sample_weight instead."
            )
        if self.class_weight is not None:
            self._check_class_weight_values()
            cw = compute_class_weight(self.class_weight, classes=classes,
                                      y=classes[y_index])
            per_sample = cw[y_index]
            sample_weight = per_sample if sample_weight is None else sample_weight * per_sample
        if sample_weight is None:
            return None
        what = ("sample_weight" if self.class_weight is None
                else f"sample_weight times class_weight={self.class_weight!r}")
        with np.errstate(over="ignore"):
            total = sample_weight.sum()
        if not total > 0:
            raise ValueError(f"The weights ({what}) must have a positive sum; got all "
                             "zeros.")
        if np.all(sample_weight == 1):
            return None
        with np.errstate(over="ignore", under="ignore"):
            cast = sample_weight.astype(dtype)
            cast_total = cast.sum(dtype=dtype)
        info = np.finfo(dtype)
        if not info.tiny <= cast_total <= info.max:
            # the L2 term is alpha / (2 * total): its arithmetic needs a normal total
            raise ValueError(
                f"The weights ({what}) sum to {total:.3g}, outside the "
                f"{np.dtype(dtype).name} range of the training arithmetic "
                f"({info.tiny:.3g} to {info.max:.3g}); multiply them by a common "
                "factor (their scale sets the strength of alpha's L2 term)."
            )
        return cast

    def _check_class_weight_values(self):
        """Every value of a ``class_weight`` dict is a finite number >= 0."""
        if not isinstance(self.class_weight, dict):
            return
        for label, weight in self.class_weight.items():
            number = (isinstance(weight, numbers.Real)
                      and not isinstance(weight, (bool, np.bool_)))
            if not (number and math.isfinite(weight) and weight >= 0):
                raise ValueError(
                    f"class_weight[{label!r}]={weight!r}: class weights must be "
                    f"finite numbers >= 0; got class_weight={self.class_weight!r}."
                )

    def _check_architecture(self, hidden_sizes, activations):
        fitted = [W.shape[1] for W in self.coefs_[:-1]]
        if fitted != list(hidden_sizes) or tuple(activations) != tuple(self.activations_):
            raise ValueError(
                "warm_start / partial_fit cannot change the architecture: fitted with "
                f"hidden layers {fitted} and activations {self.activations_}, now "
                f"hidden_layer_sizes={self.hidden_layer_sizes!r}, "
                f"activation={self.activation!r}."
            )
        fitted_dtype = self.coefs_[0].dtype
        if self.dtype is not None and np.dtype(self.dtype) != fitted_dtype:
            raise ValueError(
                f"warm_start / partial_fit cannot change dtype: fitted in "
                f"{fitted_dtype.name}, now dtype={self.dtype!r}. Refit from scratch "
                "(warm_start=False) or set dtype back."
            )
