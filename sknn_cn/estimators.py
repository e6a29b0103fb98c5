"""The classifiers: BinaryMLPClassifier and MulticlassMLPClassifier.

Each sets its output layer (logistic or softmax) and what follows from it:
class checks, probabilities and the decision function.  Everything else --
parameters, validation, fit / partial_fit, the public objective and training
state -- is shared, in :class:`sknn_cn.base.BaseMLPClassifier`; the maths is in
:mod:`sknn_cn.network`, the loop and its rules in :mod:`sknn_cn.training`.
"""

import numpy as np
from scipy.special import expit, logsumexp

from . import network
from ._multilabel import row_keys
from .base import BaseMLPClassifier
from .prediction import PredictionMixin

__all__ = ["BinaryMLPClassifier", "MulticlassMLPClassifier"]


class _MLPClassifier(PredictionMixin, BaseMLPClassifier):
    """What the two classifiers share beyond the base: prediction, tags."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = False
        return tags


class BinaryMLPClassifier(_MLPClassifier):
    """A multi-layer network for two classes, with one logistic output unit.

    The network of seed 1.1.3: ``Z1 = X W1 + B1``, ``A1 = f(Z1)``, ...,
    ``A_L = Logistic(Z_L)``, trained on the binary cross-entropy
    ``-[y ln a + (1 - y) ln(1 - a)]`` by back-propagation written out in NumPy
    (:mod:`sknn_cn.network`).  ``A_L`` is the probability of ``classes_[1]``.

    **Multilabel y** (an indicator matrix): one logistic unit per label, as
    ``MLPClassifier``; loss = sum of the labels' binary cross-entropies,
    ``classes_ = arange(n_labels)``, :meth:`predict` gives the 0/1 indicator,
    :meth:`predict_proba` each label's probability, ``score`` subset accuracy.
    It lives here because independent logistic units let any number of labels
    be on, where a softmax picks one class per sample.  **Sparse X** (CSR, CSC)
    is never densified: ``X W1`` and ``X^T dZ1`` are computed on the sparse
    matrix (benchmarks/bench_sparse.py).  **Two classes:**
    :class:`MulticlassMLPClassifier` keeps its softmax (``out_activation_ =
    'softmax'``, ``n_outputs_ = 2``); this class has one logistic unit.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Width of each hidden layer; ``(2,)`` is the seed's XOR net.
    activation : str or sequence of str, default='logistic'
        Hidden activation, one name for all hidden layers or one per layer:
        'identity', 'logistic' (or 'sigmoid', the seed's choice), 'tanh', 'relu'.
    solver : {'adam', 'sgd', 'lbfgs'}, default='adam'
        'adam' is Adam; 'sgd' is mini-batch gradient descent with (Nesterov)
        momentum, the seed's optimiser (``momentum=0`` is the seed's plain rule).
        'lbfgs' minimises the full-batch objective with scipy's L-BFGS-B, as
        ``MLPClassifier(solver='lbfgs')`` (:mod:`sknn_cn.training.lbfgs`):
        ``max_iter`` iterations, ``max_fun`` evaluations, ``tol`` on the
        projected gradient; it has no ``partial_fit``, computes in float64 and
        ignores the mini-batch, learning-rate and early-stopping parameters.
    alpha : float, default=1e-4
        L2 penalty: ``alpha / (2 S) * sum ||W||^2`` with ``S`` the batch's
        total sample weight.
    dropout : float or sequence of float, default=0.0
        Inverted dropout on the hidden layers while training: each hidden
        unit's output is set to 0 with probability ``p`` and the kept ones are
        scaled by ``1 / (1 - p)``, with a fresh mask for every mini-batch drawn
        from the estimator's generator (``random_state``).  One rate for every
        hidden layer or one per hidden layer, each in ``[0, 1)``; the inputs
        never drop.  ``predict``, ``predict_proba``, ``score``,
        ``hidden_activations``, the Displays, the early-stopping validation
        pass and :meth:`objective` use the whole network.  0 (the default)
        draws nothing: the same fit as before the parameter existed.
        ``loss_curve_`` holds the training loss of the dropped networks.
    batch_size : int or 'auto', default='auto'
        Mini-batch size; 'auto' is ``min(200, n_samples)``.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        scikit-learn's rules, used with ``solver='sgd'`` only (as in
        scikit-learn; 'adam' and 'lbfgs' ignore it).  'constant' leaves
        ``lr_schedule`` in charge.  'invscaling': the rate of an epoch is
        ``learning_rate_init / (t + 1) ** power_t``, ``t`` the samples seen
        before it (``t_``; the first epoch of a fit uses ``learning_rate_init``).
        'adaptive': each time the no-improvement rule fires (``tol``,
        ``n_iter_no_change``; training loss, or validation score with
        ``early_stopping``) the rate is divided by 5 instead of stopping;
        training stops when it fires with a rate ``<= 1e-6``.  'invscaling' or
        'adaptive' with an ``lr_schedule`` other than 'fixed' raises
        ``ValueError`` (two rules for one rate).
    learning_rate_init : float, default=0.02
        The base learning rate that ``lr_schedule`` (or ``learning_rate``) scales.  The default suits
        'adam' on the seed's problems (measured: benchmarks/bench_toy_problems.py);
        for 'sgd' try 0.1-0.5 (see :mod:`sknn_cn.lr_finder`).
    power_t : float, default=0.5
        Exponent of ``learning_rate='invscaling'``.
    lr_schedule : str or LRSchedule, default='fixed'
        'fixed', 'step', 'multistep', 'exp', 'inv', 'poly' (seed 1.4.4.2) or
        a schedule object from :mod:`sknn_cn.training.schedules`; stepped after every
        mini-batch update unless the schedule's ``unit`` is 'epoch'.
    batch_size_schedule : BatchSizeSchedule or None, default=None
        Grow the batch size at epoch milestones instead of decaying the
        learning rate (seed 1.4.4.3; Smith et al. 2017): epoch ``e`` uses
        mini-batches of ``batch_size_schedule(batch_size, e, n_samples)``.
        None keeps ``batch_size`` throughout.
    max_iter : int or 'auto', default='auto'
        Number of epochs (passes over the data), as in scikit-learn; L-BFGS
        iterations with 'lbfgs'.  'auto' is 200 epochs, or more on small data
        sets so that at least 20 000 mini-batch updates are made (the seed's
        4-sample XOR needs thousands of updates, and an epoch of it is one
        update); 200 iterations with 'lbfgs'.
    shuffle : bool, default=True
        Shuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split; an
        int gives bit-identical refits.
    tol : float, default=1e-4
        Improvement of the training loss (or validation score) that counts;
        with 'lbfgs', scipy's ``gtol`` (as in scikit-learn).
    verbose : bool, default=False
        Print the loss after every epoch.
    warm_start : bool, default=False
        Continue from the previous fit's weights (with a new optimizer, as in
        scikit-learn; ``n_iter_`` counts the new fit's epochs only).
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
    n_iter_no_change : int, inf or 'auto', default='auto'
        Stop when the training loss (validation accuracy with early stopping)
        has not improved by ``tol`` for more than this many checks.  A number
        means what scikit-learn's documentation says: a check after every
        epoch, stop after ``n_iter_no_change + 1`` epochs in a row without an
        improvement (``np.inf`` never stops).  'auto' is 10 checks, made every
        epoch on large data sets (scikit-learn's rule) but every
        ``ceil(100 / batches_per_epoch)`` epochs on small ones (every 100
        updates), comparing the best value of those epochs: otherwise a
        4-sample problem would stop after 11 updates on its initial plateau.
        Not used by 'lbfgs'.
    max_fun : int, default=15000
        'lbfgs' only: the most objective evaluations (scipy's ``maxfun``).
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
        Threads of NumPy's BLAS, which does the matrix products, while
        training (any other BLAS in the process, such as SciPy's own
        OpenBLAS, runs one thread meanwhile: two OpenBLAS pools busy-waiting
        on the same cores slowed two-thread epochs down up to 26x).  None:
        one thread, unless the largest product of a step has 5e7
        multiply-adds or more (784-512 at batch 128) and a core is free when
        the fit starts (no other task running on it), then two.  On 2 cores,
        two threads made such epochs 0.55-0.96x as long with the other core
        free and 1.1-2.6x as long with it busy
        (``benchmarks/bench_scaling.py --threads-policy``, README).  Set it to
        use more cores, or to pin the count: float32 results differ in their
        last bits between thread counts.  Concurrent fits in one process share
        BLAS's one limit: fits asking for different counts run one after the
        other (:mod:`sknn_cn.training.threads`).
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
        ``arange(n_labels)`` for multilabel y.
    coefs_ : list of ndarray
        ``coefs_[l]`` is ``W_{l+1}`` of shape ``(n_in, n_out)``.
    intercepts_ : list of ndarray
        ``intercepts_[l]`` is ``B_{l+1}`` of shape ``(n_out,)``.
    activations_ : tuple of str
        The hidden activation of each hidden layer.
    out_activation_ : str
        'logistic' (also for multilabel y, as MLPClassifier).
    n_iter_ : int
        Epochs run by the last ``fit`` or ``partial_fit`` call (1 for
        ``partial_fit``), as in scikit-learn 1.9; L-BFGS iterations with
        'lbfgs' (scipy's ``nit``).
    t_ : int
        Training samples seen.
    n_updates_ : int
        Mini-batch updates made (the step an ``lr_schedule`` with
        ``unit='iteration'`` is at).
    loss_ : float
        Mean loss of the last epoch.
    loss_curve_ : list of float
        Mean training loss of every epoch of every fit (``warm_start`` and
        ``partial_fit`` append).  With 'lbfgs' (scikit-learn sets none): the
        objective after each L-BFGS iteration of the last fit.
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
        1, or ``n_labels`` for multilabel y.
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
        if A.shape[1] > 1:  # multilabel: the key of the row of labels
            return row_keys(A > 0.5)
        return (A[:, 0] > 0.5).astype(np.intp)

    def _predict_index_from_logits(self, Z):
        if Z.shape[1] > 1:
            return row_keys(Z > 0)
        return (Z[:, 0] > 0).astype(np.intp)

    def _proba_from_logits(self, Z):
        if Z.shape[1] > 1:  # multilabel: each unit's own probability
            return expit(Z)
        # both columns from the logit (not 1 - p), so a tiny probability of
        # classes_[0] stays accurate instead of rounding to 0
        z = Z[:, 0]
        return np.column_stack([expit(-z), expit(z)])

    def _log_proba_from_logits(self, Z):
        if Z.shape[1] > 1:
            return -np.logaddexp(0, -Z)
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
        z : ndarray of shape (n_samples,), or (n_samples, n_labels)
            Positive values predict ``classes_[1]`` (each label, multilabel).
        """
        z, = self._forward_in_chunks(
            X, lambda hidden, Z: (Z if Z.shape[1] > 1 else Z[:, 0],))
        return z

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.classifier_tags.multi_label = True
        return tags


class MulticlassMLPClassifier(_MLPClassifier):
    """A multi-layer network with a softmax output over K >= 2 classes.

    The networks of seed 1.2.2 (2-3-3 on the coin-with-a-hole data) and 1.4.2
    (784-64-16-10 on MNIST): ``Z_l = A_{l-1} W_l + B_l``, hidden activations
    per layer, ``A_L = Softmax(Z_L)``, trained on the cross-entropy
    ``-sum_j y_j ln a_j`` by back-propagation written out in NumPy.  The seed's
    MNIST net is ``MulticlassMLPClassifier(hidden_layer_sizes=(64, 16),
    activation=('logistic', 'tanh'))``.

    Sparse X is trained on without densifying; for multilabel y use
    :class:`BinaryMLPClassifier` (a softmax picks one class per sample).

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(100,)
    activation : str or sequence of str, default='logistic'
    solver : {'adam', 'sgd', 'lbfgs'}, default='adam'
    alpha : float, default=1e-4
    dropout : float or sequence of float, default=0.0
        Inverted dropout rate of the hidden layers while training.
    batch_size : int or 'auto', default='auto'
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
    learning_rate_init : float, default=0.02
    power_t : float, default=0.5
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
    n_iter_no_change : int, inf or 'auto', default='auto'
    max_fun : int, default=15000
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
        'softmax', also with 2 classes (then ``n_outputs_ == 2``), where
        ``MLPClassifier`` uses one logistic unit: that network is
        :class:`BinaryMLPClassifier`.
    n_iter_, t_, n_updates_ : int
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
        A, _ = network.output_and_loss(Z, None, "softmax")
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
        def head(hidden, Z):
            return (Z[:, 1] - Z[:, 0],) if Z.shape[1] == 2 else (Z,)

        scores, = self._forward_in_chunks(X, head)
        return scores
