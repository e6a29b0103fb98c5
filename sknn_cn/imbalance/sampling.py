"""Synthetic minority samples by independent per-attribute sampling (seed 1.3.1.3).

The seed (1.3.1.3, "尝试产生人工数据样本") describes the simplest way to make
artificial samples for a small class: for every attribute, pick at random one
of the values that the class's samples take for that attribute, and put the
picks together into a new sample.  Because each attribute is drawn on its own,
this is sampling from the product of the class's per-attribute (marginal)
distributions, the independence assumption of naive Bayes.  The seed warns of
the price: relations between attributes (a linear relation, if there was one)
are not kept.

:class:`PerAttributeOverSampler` implements this as an imbalanced-learn
over-sampler, so it takes ``sampling_strategy`` exactly as imblearn's samplers
do and works inside :class:`imblearn.pipeline.Pipeline`.
"""

import os

import numpy as np
from scipy import sparse
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import validate_data

from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type

from .._labels import check_label_types
from ._atomic import all_or_nothing

__all__ = ["PerAttributeOverSampler"]


class PerAttributeOverSampler(BaseOverSampler):
    """Over-sample a class by drawing every attribute independently (seed 1.3.1.3).

    For a class ``c`` with ``n_c`` samples ``X_c`` and ``m`` synthetic samples
    to make, synthetic sample ``s`` gets, for each feature ``j``, the value
    ``X_c[r[s, j], j]`` where the row indices ``r[s, j]`` are drawn uniformly
    and independently from ``{0, ..., n_c - 1}``.  Each feature of a synthetic
    sample therefore follows the class's empirical distribution of that
    feature (values that occur more often are drawn more often: "the value
    space" of the seed is read as the empirical marginal, as in naive Bayes),
    and the features of one synthetic sample are independent of each other::

        P(x_new | c) = prod_j  P_c(x_j),   P_c(x_j = v) = #{i in c : X[i, j] = v} / n_c

    Consequences worth knowing:

    - every synthetic value is a value the class already shows for that
      feature, so the per-feature ranges (and categories) never grow;
    - the per-feature marginal distributions are kept, but correlations
      between features within a class are destroyed (their expected value in
      the synthetic samples is 0);
    - with ``n_c = 1`` every synthetic sample is a copy of that sample, as
      with :class:`imblearn.over_sampling.RandomOverSampler`.

    Any value is allowed as a feature value (numbers, strings in an ``object``
    array, ``NaN``), since values are only copied, never computed.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        How many samples each class should have after resampling, exactly as
        in imblearn's over-samplers:

        - ``float`` (binary only): the wanted ratio ``N_minority / N_majority``
          after resampling, in ``(0, 1]``;
        - ``str``: which classes to resample up to the size of the majority
          class, one of ``'minority'``, ``'not minority'``, ``'not majority'``,
          ``'all'``, ``'auto'`` (``'auto'`` is ``'not majority'``);
        - ``dict``: ``{class_label: n_samples_wanted}`` for the classes to
          resample;
        - callable: ``f(y) -> dict`` as above.

    random_state : int, RandomState instance or None, default=None
        Seeds the draws of the row indices ``r``.  Pass an int for
        reproducible output across calls.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class_label: n_synthetic_samples}`` actually made for each class.

    source_indices_ : ndarray of shape (n_synthetic_samples, n_features)
        For synthetic sample ``s`` (row ``n_samples + s`` of the output) and
        feature ``j``, the index in the input ``X`` of the sample whose value
        was copied.  All indices of one row belong to samples of the same
        class.  Lets a reader check the construction by hand.

    n_features_in_ : int
        Number of features seen during ``fit_resample``.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit_resample``; defined only when
        ``X`` has feature names that are all strings.

    See Also
    --------
    imblearn.over_sampling.RandomOverSampler : copies whole samples.
    imblearn.over_sampling.SMOTE : interpolates between neighbouring samples.

    Notes
    -----
    The output is the input followed by the synthetic samples, class by
    class in the order of ``sampling_strategy_``, like imblearn's
    ``RandomOverSampler``.  Multiclass data is handled class by class.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn_cn.imbalance import PerAttributeOverSampler
    >>> X = np.array([[0, 10], [1, 11], [2, 12], [5, 50]])
    >>> y = np.array([0, 0, 0, 1])
    >>> X_res, y_res = PerAttributeOverSampler(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [3, 3]
    """

    # ``sampling_strategy`` and ``random_state`` constraints come from imblearn.
    _parameter_constraints: dict = {**BaseOverSampler._parameter_constraints}

    def __init__(self, *, sampling_strategy="auto", random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state

    def fit_resample(self, X, y, **params):
        """Resample the data set: the input followed by the synthetic samples.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
            Samples; any dtype (values are only copied).
        y : array-like of shape (n_samples,)
            Class labels.
        **params : dict
            None are accepted: the construction uses no sample weights or
            other per-sample data.

        Returns
        -------
        X_resampled : {array-like, dataframe, sparse matrix} of shape (n_samples_new, n_features)
        y_resampled : array-like of shape (n_samples_new,)

        If it raises, the sampler is left exactly as it was.
        """
        if params:
            raise TypeError(
                "PerAttributeOverSampler.fit_resample() got unexpected keyword "
                f"argument(s) {sorted(params)}; it takes only X and y (the synthetic "
                "samples are drawn uniformly within each class, so there is no "
                "sample_weight)."
            )
        try:
            type_of_target(y, input_name="y")
        except TypeError:
            # sklearn sorts string and number labels together and fails with
            # "'<' not supported between instances of 'int' and 'str'" when the
            # first label is a string (it says "Unknown label type" otherwise).
            check_label_types(y, "y")
            raise
        with all_or_nothing(self):
            return super().fit_resample(X, y)

    def _check_X_y(self, X, y):
        # imblearn's hook for a sampler's input checks.  Values are only
        # copied, so any dtype (strings, NaN, inf) and sparse input are
        # accepted; but X and y must be the same length (sklearn's own check
        # and message: imblearn's RandomOverSampler skips it).
        if isinstance(self.sampling_strategy, (bool, np.bool_)):
            raise ValueError(
                "sampling_strategy must be a float in (0, 1], a str, a dict or a callable; "
                f"got sampling_strategy={self.sampling_strategy!r}.")
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y = validate_data(
            self, X, y, reset=True, accept_sparse=["csr", "csc"], dtype=None,
            ensure_all_finite=False, y_numeric=False,
        )
        if callable(self.sampling_strategy):
            # imblearn calls it next and fails with "'int' object has no attribute
            # 'keys'" when it does not return a dict; say so first.
            wanted = self.sampling_strategy(y)
            if not isinstance(wanted, dict):
                raise ValueError(
                    "sampling_strategy, a callable, must return a dict {class_label: "
                    f"n_samples}}; it returned {wanted!r}.")
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        random_state = check_random_state(self.random_state)
        n_features = X.shape[1]
        _check_output_fits(self.sampling_strategy_, n_features, X)

        X_parts = [X]
        y_parts = [y]
        sources = []
        for class_label, n_new in self.sampling_strategy_.items():
            class_indices = np.flatnonzero(y == class_label)
            # r[s, j]: which sample of the class lends feature j to synthetic sample s.
            rows = random_state.randint(0, class_indices.size, size=(n_new, n_features))
            source = class_indices[rows]
            sources.append(source)
            X_parts.append(_take_per_feature(X, source))
            y_parts.append(np.full(n_new, class_label, dtype=y.dtype))

        self.source_indices_ = (
            np.vstack(sources) if sources else np.empty((0, n_features), dtype=np.intp)
        )
        if sparse.issparse(X):
            X_resampled = sparse.vstack(X_parts, format=X.format)
        else:
            X_resampled = np.vstack(X_parts)
        return X_resampled, np.hstack(y_parts)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags


def _physical_memory():
    """Bytes of RAM, or None where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _check_output_fits(strategy, n_features, X):
    """Refuse, before allocating, a request larger than the machine's memory.

    The synthetic part needs ``n_new * n_features`` source indices (intp) and
    as many copied values; a ``sampling_strategy`` of ``{c: 10**12}`` would
    otherwise fail inside NumPy or, for a size that fits in virtual memory,
    swap the machine.
    """
    n_new = sum(int(n) for n in strategy.values())
    itemsize = X.dtype.itemsize if hasattr(X, "dtype") else 8
    needed = n_new * n_features * (np.dtype(np.intp).itemsize + itemsize)
    memory = _physical_memory()
    if memory is not None and needed > memory:
        raise MemoryError(
            f"sampling_strategy asks for {n_new} synthetic samples of {n_features} "
            f"features ({needed / 2**30:.1f} GiB of indices and values), more than this "
            f"machine's {memory / 2**30:.1f} GiB of memory; got "
            f"sampling_strategy_={ {k: int(v) for k, v in strategy.items()} !r}.")


def _take_per_feature(X, source):
    """Return ``X_new[s, j] = X[source[s, j], j]``.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    source : ndarray of int of shape (n_new, n_features)

    Returns
    -------
    X_new : same kind and dtype as ``X``, shape (n_new, n_features)
    """
    n_new, n_features = source.shape
    if not sparse.issparse(X):
        return X[source, np.arange(n_features)]
    # Sparse: one column at a time, keeping only the non-zero copies.
    X_csc = X.tocsc()
    rows, cols, data = [], [], []
    for j in range(n_features):
        column = X_csc[:, [j]].toarray().ravel()
        values = column[source[:, j]]
        nonzero = np.flatnonzero(values)
        rows.append(nonzero)
        cols.append(np.full(nonzero.size, j))
        data.append(values[nonzero])
    X_new = sparse.coo_matrix(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_new, n_features),
        dtype=X.dtype,
    )
    return X_new.asformat(X.format)
