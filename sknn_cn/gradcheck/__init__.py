"""Gradient check: back-propagation against two-sided differences (seed 1.4.3).

Back-propagation computes the *analytic* gradient of the objective with respect
to every weight; a slip in one line of it (a wrong activation derivative, a
missing regularisation term) still trains, only badly.  The gradient check of
seed 1.4.3 compares it with a *numerical* gradient, step by step:

1. take the network's parameters (a fresh initialisation, or the trained ones:
   the seed advises checking again after some training, 1.4.3.3 note 5);
2. flatten every ``W`` and ``b`` in order into one vector ``theta`` (the
   layout the estimators train with, ``[W1, ..., WL, b1, ..., bL]``);
3. (the data ``X``, preferably scaled to [0, 1], is the caller's);
4. one forward and one backward pass give the analytic gradient
   ``dtheta_real`` (the estimator's public ``objective(X, y)``, which calls
   :func:`sknn_cn.network.loss_and_gradients`);
5. flattened in the same order as ``theta``;
6. for every element ``theta_k`` the two-sided approximation::

       dtheta_approx_k = (J(theta + h e_k) - J(theta - h e_k)) / (2 h)

   in float64, whatever the estimator's ``dtype``;
7. the relative distance::

       diff = ||dtheta_real - dtheta_approx||_2
              / (||dtheta_real||_2 + ||dtheta_approx||_2)

and the seed's verdict bands:

=====================  =====================================================
``diff``               verdict
=====================  =====================================================
``> 1e-2``             **wrong**: the gradient is certainly broken
``1e-4 .. 1e-2``       **suspicious**: check the code
``1e-7 .. 1e-4``       **acceptable** only for non-smooth activations (relu);
                       for smooth ones (logistic, tanh, softmax) **too high**
``< 1e-7``             **correct**
=====================  =====================================================

(The seed adds that errors accumulate with depth: for a ten-layer net a
``diff`` of ``1e-2`` can still be fine.)

The same ``diff`` is computed for each parameter array (``W1, b1, W2, ...``),
which locates a bug (1.4.3.3 note 2).  Back-propagation runs from the output
layer down, so a wrong derivative in layer ``l`` spoils ``W_l, b_l`` *and every
layer below it*, while the layers above stay correct: the bug is in the
highest layer that fails (:attr:`GradientCheckResult.first_failing_layer`).

The objective ``J`` is the one the estimator trains, L2 term included
(1.4.3.3 note 3)::

    J = sum_i s_i CE_i / S + alpha / (2 S) * sum_l ||W_l||^2

with ``s_i`` the sample weights (times the class weights) and ``S`` their sum.

Dropout (1.4.3.3 note 4): a randomly dropped network has no well-defined
``J``, so by default the check runs with dropout **off** (the whole network,
whatever the estimator's ``dropout``) and its result says so.  With
``dropout='frozen'`` it draws one dropout mask per hidden layer from
``random_state`` (rates from the estimator) and keeps it: ``J_M(theta)`` is
then a deterministic function, the loss of one training step's network, and
its two-sided differences are a valid check of the dropout backward pass.

How 51,000 two-sided differences take seconds, not minutes
----------------------------------------------------------
Each ``J(theta +- h e_k)`` is evaluated exactly as defined, one element at a
time; only work that cannot change is reused.  Perturbing ``W_l[i, j]`` (or
``b_l[j]``) changes only column ``j`` of ``Z_l``, by ``+- h * A_{l-1}[:, i]``
(``+- h`` for the bias).  So the layers below ``l`` are computed once, column
``j`` of ``A_l`` is recomputed, and the next pre-activation is updated by the
rank-one change ``Z_{l+1} + (A_l'[:, j] - A_l[:, j]) W_{l+1}[j, :]``; the layers
above run in full.  Many perturbations are stacked into one array, so the
remaining layers are one large matrix product per chunk.  For the seed's
784-64-16-10 net, 50,240 of the 50,890 parameters are in ``W1``, and each of
their evaluations costs about as much as the 16-10 tail of the network, not the
784-64 head.  (Perturbing several elements *at once* would not be valid: that
measures a directional derivative, not the elements.)
"""

import math
import numbers
import time

import numpy as np

from .numerical import numerical_gradient
from .result import (
    NON_SMOOTH_ACTIVATIONS,
    VERDICT_BANDS,
    GradientCheckResult,
    parameter_layout,
    verdict,
)
from ..training.rng import generator_from

__all__ = ["check_gradients", "GradientCheckResult", "verdict", "VERDICT_BANDS",
           "NON_SMOOTH_ACTIVATIONS"]


def _check_positive(value, name):
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not math.isfinite(value) or value <= 0):
        raise ValueError(f"`{name}` must be a positive finite number; got {name}={value!r}.")
    return float(value)


def _choose_elements(params, subset, rng):
    """A boolean mask over theta: all elements, or a random subset of each array."""
    masks = []
    for _, layer, is_bias, _, _ in parameter_layout(params):
        size = params[layer][int(is_bias)].size
        mask = np.zeros(size, dtype=bool)
        if subset is None:
            mask[:] = True
        else:
            if isinstance(subset, numbers.Integral):
                k = min(int(subset), size)
            else:
                k = max(1, int(round(subset * size)))
            mask[rng.choice(size, size=k, replace=False)] = True
        masks.append(mask)
    return np.concatenate(masks)


def _check_subset(subset):
    if subset is None:
        return None
    if isinstance(subset, numbers.Integral) and not isinstance(subset, bool):
        if subset >= 1:
            return int(subset)
    elif isinstance(subset, numbers.Real) and not isinstance(subset, bool):
        if 0 < subset <= 1:
            return float(subset)
    raise ValueError(
        "`subset` must be None (check every element), an int >= 1 (elements per "
        "parameter array) or a float in (0, 1] (fraction of each array); got "
        f"subset={subset!r}."
    )


# --------------------------------------------------------------------------
# the public function
# --------------------------------------------------------------------------
def check_gradients(estimator, X, y, *, classes=None, sample_weight=None, epsilon=1e-5,
                    subset=None, random_state=None, dropout="off"):
    """Compare back-propagation with two-sided differences (seed 1.4.3).

    Parameters
    ----------
    estimator : BinaryMLPClassifier or MulticlassMLPClassifier
        Fitted: its trained weights are checked.  Not fitted: a fresh draw of
        its initialiser from its ``random_state``, in float64
        (``estimator.objective(X, y).initial_params(random_state)``; not a
        replay of ``fit``'s draws, which also shuffle and split).  The
        estimator is not changed either way.
    X : array-like of shape (n_samples, n_features)
        Data for the objective; the seed advises values scaled to [0, 1].
        A few dozen samples are plenty.
    y : array-like of shape (n_samples,)
        Class labels.
    classes : array-like of shape (n_classes,), default=None
        Every class the network has an output for, when the estimator is not
        fitted and ``y`` may lack some (as ``partial_fit``'s ``classes``);
        default ``np.unique(y)``.  A fitted estimator uses its ``classes_``.
    sample_weight : array-like of shape (n_samples,), default=None
        As in ``fit``; the estimator's ``class_weight`` is applied too.
    epsilon : float, default=1e-5
        The step ``h`` of ``(J(theta + h e_k) - J(theta - h e_k)) / (2 h)``.
        In float64, 1e-5 balances the ``h**2`` truncation error of the central
        difference against the ``1e-16 / h`` rounding error.
    subset : None, int or float, default=None
        None checks every element.  An int checks that many randomly chosen
        elements of *each* parameter array (all of the small ones), a float
        in (0, 1] that fraction of each: every layer is still covered.
    random_state : int, RandomState instance or None, default=None
        Chooses the subset, and draws the masks of ``dropout='frozen'``.
    dropout : {'off', 'frozen'}, default='off'
        'off' checks the whole network, as the seed advises (1.4.3.3 note 4).
        'frozen' drops through one mask per hidden layer, drawn once with the
        estimator's ``dropout`` rates and kept for every evaluation of ``J``:
        a check of the dropout backward pass.

    Returns
    -------
    result : GradientCheckResult
        ``print(result)`` shows the per-array table; ``result.diff``,
        ``result.verdict``, ``result.passed``, ``result.analytic``,
        ``result.numerical`` hold the numbers.

    Examples
    --------
    >>> from sknn_cn import MulticlassMLPClassifier
    >>> from sknn_cn.datasets import make_coin_hole
    >>> from sknn_cn.gradcheck import check_gradients
    >>> X, y = make_coin_hole(50, random_state=0)
    >>> net = MulticlassMLPClassifier((8, 4), activation=("logistic", "tanh"),
    ...                               random_state=0)
    >>> result = check_gradients(net, X, y)
    >>> result.verdict, result.diff < 1e-7
    ('correct', True)
    """
    started = time.perf_counter()
    epsilon = _check_positive(epsilon, "epsilon")
    subset = _check_subset(subset)
    if dropout not in ("off", "frozen"):
        raise ValueError(f"`dropout` must be 'off' or 'frozen'; got dropout={dropout!r}.")
    if not callable(getattr(estimator, "objective", None)):
        raise TypeError(
            "check_gradients needs an estimator with a public objective(X, y), such as "
            "BinaryMLPClassifier or MulticlassMLPClassifier; got "
            f"estimator={type(estimator).__name__}."
        )
    # the estimator's own objective: its encoding of y, its weights, its alpha
    objective = estimator.objective(X, y, sample_weight=sample_weight, classes=classes)
    fitted = hasattr(estimator, "coefs_")
    # Step 1: the trained weights, or a fresh draw of the estimator's initialiser
    if fitted:
        params = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64))
                  for W, b in zip(estimator.coefs_, estimator.intercepts_)]
    else:
        params = objective.initial_params(estimator.random_state)

    # Step 2: every W and b, in order, into theta (the estimator's layout).
    layout = parameter_layout(params)
    names = [name for name, *_ in layout]
    shapes = [shape for _, _, _, shape, _ in layout]
    theta = np.concatenate([params[layer][int(is_bias)].ravel()
                            for _, layer, is_bias, _, _ in layout])

    rng = generator_from(random_state)
    checked = _choose_elements(params, subset, rng)
    if dropout == "frozen":  # one draw of the masks, kept (same generator, after the subset)
        objective = objective.with_frozen_dropout(rng)
    masks = (None if objective.frozen_dropout is None
             else objective.frozen_dropout.masks)

    # Step 4-5: the analytic gradient by back-propagation, flattened like theta.
    loss, grads = objective.loss_and_gradients(params)
    analytic = np.concatenate([np.asarray(grads[layer][int(is_bias)], np.float64).ravel()
                               for _, layer, is_bias, _, _ in layout])

    # Step 6: two-sided differences, element by element.
    numerical = numerical_gradient(params, objective.X, objective.Y,
                                   objective.sample_weight, objective.activations,
                                   objective.out_activation, objective.alpha, epsilon,
                                   checked, masks=masks)
    return GradientCheckResult(
        names=names, shapes=shapes, theta=theta, analytic=analytic,
        numerical=numerical, checked=checked, params=params, loss=loss,
        epsilon=epsilon, alpha=objective.alpha, activations=objective.activations,
        out_activation=objective.out_activation, n_samples=objective.X.shape[0],
        fitted=fitted, elapsed=time.perf_counter() - started,
        dropout=objective.dropout, dropout_mode=dropout)
