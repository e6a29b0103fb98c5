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
   ``dtheta_real`` (:func:`sknn_cn.network.loss_and_gradients`);
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
The package has no dropout, so note 4 (switch dropout off) holds by default.

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
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_X_y, column_or_1d

from . import network
from .network import ACTIVATIONS, output_and_loss

__all__ = ["check_gradients", "GradientCheckResult", "verdict", "VERDICT_BANDS",
           "NON_SMOOTH_ACTIVATIONS"]

#: The seed's bands (1.4.3.2): (upper bound of diff, verdict).
VERDICT_BANDS = (
    (1e-7, "correct"),
    (1e-4, "acceptable only for non-smooth activations"),
    (1e-2, "suspicious"),
    (math.inf, "wrong"),
)

#: Activations with a kink, for which diffs up to 1e-4 are acceptable.
NON_SMOOTH_ACTIVATIONS = frozenset({"relu"})

#: Bytes of scratch memory per chunk of stacked perturbations.
_CHUNK_BYTES = 48 * 2**20


def verdict(diff, non_smooth=False):
    """The seed's verdict for a relative difference (seed 1.4.3.2).

    Parameters
    ----------
    diff : float
        ``||g - g_num|| / (||g|| + ||g_num||)``.
    non_smooth : bool, default=False
        Whether the network has a non-smooth activation (relu), for which
        ``1e-7 < diff <= 1e-4`` is acceptable.

    Returns
    -------
    verdict : str
        'correct', 'acceptable (non-smooth activation)', 'too high for smooth
        activations', 'suspicious' or 'wrong'.
    """
    if not diff <= 1e-2:  # also NaN
        return "wrong"
    if diff > 1e-4:
        return "suspicious"
    if diff > 1e-7:
        return ("acceptable (non-smooth activation)" if non_smooth
                else "too high for smooth activations")
    return "correct"


def _passes(diff, non_smooth):
    return diff <= 1e-7 or (non_smooth and diff <= 1e-4)


def _relative_difference(g, g_num):
    """The seed's diff; 0 when both vectors are zero (nothing to disagree on)."""
    denominator = np.linalg.norm(g) + np.linalg.norm(g_num)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(g - g_num) / denominator)


def _layout(params):
    """Where each array sits in theta: [(name, layer, is_bias, shape, start), ...].

    The order is the estimator's flat vector, ``[W1, ..., WL, b1, ..., bL]``
    (:func:`sknn_cn.network.pack_params`): all weights, then all biases.
    """
    entries, start = [], 0
    for is_bias in (False, True):
        for layer, (W, b) in enumerate(params):
            array = b if is_bias else W
            entries.append((f"{'b' if is_bias else 'W'}{layer + 1}", layer, is_bias,
                            array.shape, start))
            start += array.size
    return entries


# --------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------
class GradientCheckResult:
    """What :func:`check_gradients` found.

    Attributes
    ----------
    diff : float
        The seed's relative difference over all checked elements.
    verdict : str
        The seed's verdict for ``diff`` (see :func:`verdict`).
    passed : bool
        ``diff <= 1e-7``, or ``<= 1e-4`` when the net has a non-smooth
        activation.
    names : list of str
        ``['W1', ..., 'WL', 'b1', ..., 'bL']``, the order of ``theta``: the
        layout of the estimator's own flat parameter vector
        (:func:`sknn_cn.network.pack_params`).
    shapes : list of tuple
    per_parameter : list of dict
        One per array, layer by layer (``W1, b1, W2, b2, ...``): ``name``,
        ``shape``, ``n_checked``, ``diff``,
        ``verdict``, ``passed``, ``max_abs_error`` and ``worst_index`` (index
        into the array of the largest ``|g - g_num|``).
    theta : ndarray of shape (n_params,)
        All parameters, flattened in the order of ``names`` (float64).
    analytic : ndarray of shape (n_params,)
        The back-propagated gradient of every element.
    numerical : ndarray of shape (n_params,)
        The two-sided differences; NaN where an element was not checked.
    checked : ndarray of bool of shape (n_params,)
        Which elements were checked (all unless ``subset`` was given).
    params : list of (W, b)
        The float64 parameters the check ran on.
    loss : float
        ``J(theta)``, L2 term included.
    epsilon : float
        The step ``h``.
    alpha : float
        The L2 penalty in ``J``.
    activations : tuple of str
        Hidden activations; ``out_activation`` is the output's.
    out_activation : str
    n_samples : int
    fitted : bool
        Whether the estimator's trained weights were checked (else a fresh
        initialisation, as ``fit`` would start from).
    elapsed : float
        Seconds taken.
    """

    def __init__(self, *, names, shapes, theta, analytic, numerical, checked, params,
                 loss, epsilon, alpha, activations, out_activation, n_samples,
                 fitted, elapsed):
        self.names = names
        self.shapes = shapes
        self.theta = theta
        self.analytic = analytic
        self.numerical = numerical
        self.checked = checked
        self.params = params
        self.loss = loss
        self.epsilon = epsilon
        self.alpha = alpha
        self.activations = tuple(activations)
        self.out_activation = out_activation
        self.n_samples = n_samples
        self.fitted = fitted
        self.elapsed = elapsed
        self.non_smooth = any(a in NON_SMOOTH_ACTIVATIONS for a in self.activations)

        self.diff = _relative_difference(analytic[checked], numerical[checked])
        self.verdict = verdict(self.diff, self.non_smooth)
        self.passed = _passes(self.diff, self.non_smooth)
        self.per_parameter = []
        arrays = sorted(zip(names, shapes, self._slices()),  # layer by layer
                        key=lambda item: (int(item[0][1:]), item[0][0] == "b"))
        for name, shape, sl in arrays:
            mask = checked[sl]
            g, g_num = analytic[sl][mask], numerical[sl][mask]
            error = np.abs(g - g_num)
            if error.size:
                worst = np.flatnonzero(mask)[int(np.argmax(error))]
                worst_index = tuple(int(k) for k in np.unravel_index(worst, shape))
                max_error = float(error.max())
            else:
                worst_index, max_error = None, 0.0
            d = _relative_difference(g, g_num)
            self.per_parameter.append({
                "name": name, "shape": tuple(shape), "n_checked": int(mask.sum()),
                "diff": d, "verdict": verdict(d, self.non_smooth),
                "passed": _passes(d, self.non_smooth),
                "max_abs_error": max_error, "worst_index": worst_index,
            })

    def _slices(self):
        start = 0
        for shape in self.shapes:
            size = int(np.prod(shape))
            yield slice(start, start + size)
            start += size

    @property
    def n_checked(self):
        """Number of elements compared."""
        return int(self.checked.sum())

    @property
    def first_failing_layer(self):
        """The highest layer (1-based) whose W or b fails, or None.

        Back-propagation runs downwards, so an error made in layer ``l``
        shows in layers ``l, l-1, ..., 1``; the highest failing layer is where
        the bug is.
        """
        failing = [int(p["name"][1:]) for p in self.per_parameter if not p["passed"]]
        return max(failing) if failing else None

    def to_arrays(self, vector):
        """Split a ``theta``-shaped vector into the arrays ``[W1, b1, W2, ...]``.

        Parameters
        ----------
        vector : ndarray of shape (n_params,)
            ``theta``, ``analytic`` or ``numerical``.

        Returns
        -------
        arrays : dict of str to ndarray
        """
        return {name: vector[sl].reshape(shape)
                for name, shape, sl in zip(self.names, self.shapes, self._slices())}

    def _header(self):
        sizes = [self.params[0][0].shape[0]] + [W.shape[1] for W, _ in self.params]
        state = "trained weights" if self.fitted else "fresh initialisation"
        return (f"Gradient check (seed 1.4.3): net {'-'.join(map(str, sizes))}, "
                f"activations {', '.join(self.activations) or '-'} -> "
                f"{self.out_activation}, alpha={self.alpha:g}, "
                f"{self.n_samples} samples, h={self.epsilon:g}, {state}")

    def _rows(self):
        rows = []
        for p in self.per_parameter:
            shape = "x".join(map(str, p["shape"]))
            rows.append((p["name"], shape, f"{p['n_checked']}", f"{p['diff']:.2e}",
                         f"{p['max_abs_error']:.2e}", p["verdict"]))
        rows.append(("all", "", f"{self.n_checked}", f"{self.diff:.2e}",
                     f"{max((p['max_abs_error'] for p in self.per_parameter), default=0):.2e}",
                     self.verdict))
        return rows

    def _footer(self):
        lines = []
        layer = self.first_failing_layer
        if layer is not None:
            lines.append(f"Look in layer {layer}: back-propagation passes its error on "
                         "to the layers below, the layers above are right.")
        lines.append(f"J = {self.loss:.6g}; {self.n_checked} of {self.theta.size} "
                     f"elements checked in {self.elapsed:.2f} s.")
        return lines

    _COLUMNS = ("param", "shape", "checked", "diff", "max |g - g_num|", "verdict")

    def __str__(self):
        rows = [self._COLUMNS] + self._rows()
        widths = [max(len(r[c]) for r in rows) for c in range(len(self._COLUMNS))]
        lines = [self._header()]
        for k, row in enumerate(rows):
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
            if k == 0 or k == len(rows) - 2:
                lines.append("  ".join("-" * w for w in widths))
        lines += self._footer()
        return "\n".join(lines)

    def __repr__(self):
        return (f"<GradientCheckResult diff={self.diff:.3e} ({self.verdict}), "
                f"{self.n_checked} elements>")

    def _repr_html_(self):
        from html import escape

        head = "".join(f"<th>{escape(c)}</th>" for c in self._COLUMNS)
        body = []
        for k, row in enumerate(self._rows()):
            passed = (self.per_parameter[k]["passed"] if k < len(self.per_parameter)
                      else self.passed)
            colour = "#009E73" if passed else "#D55E00"
            cells = "".join(f"<td>{escape(c)}</td>" for c in row[:-1])
            cells += f'<td style="color:{colour}"><b>{escape(row[-1])}</b></td>'
            body.append(f"<tr>{cells}</tr>")
        footer = "<br>".join(escape(line) for line in self._footer())
        return (f"<p>{escape(self._header())}</p><table><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table><p>{footer}</p>")


# --------------------------------------------------------------------------
# setting up the objective the estimator trains
# --------------------------------------------------------------------------
def _check_positive(value, name):
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not math.isfinite(value) or value <= 0):
        raise ValueError(f"`{name}` must be a positive finite number; got {name}={value!r}.")
    return float(value)


def _objective(estimator, X, y, sample_weight, classes):
    """Float64 parameters, one-hot targets and weights of the estimator's objective."""
    from .base import BaseMLPClassifier

    if not isinstance(estimator, BaseMLPClassifier):
        raise TypeError(
            "check_gradients needs a BinaryMLPClassifier or MulticlassMLPClassifier; "
            f"got estimator={type(estimator).__name__}."
        )
    estimator._validate_params()
    X, y = check_X_y(X, y, dtype=np.float64)
    y = column_or_1d(y)
    check_classification_targets(y)
    fitted = hasattr(estimator, "coefs_")
    if fitted:
        if classes is not None and not np.array_equal(np.unique(classes),
                                                      estimator.classes_):
            raise ValueError(
                f"`classes`={np.asarray(classes).tolist()!r} differ from the fitted "
                f"estimator's classes_={estimator.classes_.tolist()!r}."
            )
        classes = estimator.classes_
        if X.shape[1] != estimator.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(estimator).__name__} was "
                f"fitted with {estimator.n_features_in_} features."
            )
        unseen = np.setdiff1d(np.unique(y), classes)
        if unseen.size:
            raise ValueError(f"y contains labels {unseen.tolist()!r} that the fitted "
                             f"estimator does not know (classes_={classes.tolist()!r}).")
        activations = tuple(estimator.activations_)
        params = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64))
                  for W, b in zip(estimator.coefs_, estimator.intercepts_)]
    else:
        classes = np.unique(y if classes is None else classes)
        unseen = np.setdiff1d(np.unique(y), classes)
        if unseen.size:
            raise ValueError(f"y contains labels {unseen.tolist()!r} that are not in "
                             f"`classes`={classes.tolist()!r}.")
        estimator._check_class_count(classes)
        estimator._check_classes(classes)
        hidden = estimator._hidden_sizes()
        activations = estimator._hidden_activations(len(hidden))
        n_outputs = 1 if estimator._out_activation == "logistic" else len(classes)
        layer_sizes = [X.shape[1], *hidden, n_outputs]
        # The weights fit would start from (its first initialisation): the same
        # generator derived from random_state, drawn in float64.
        rs = check_random_state(estimator.random_state)
        rng = np.random.default_rng(rs.randint(np.iinfo(np.int32).max))
        if estimator.early_stopping:  # fit draws the validation split's seed first
            rng.integers(np.iinfo(np.int32).max)
        params = network.init_params(layer_sizes, estimator.init, rng, np.float64)

    y_index = np.searchsorted(classes, y)
    if estimator._out_activation == "logistic":
        Y = (y_index == 1).astype(np.float64)[:, None]
    else:
        Y = np.zeros((y.shape[0], len(classes)))
        Y[np.arange(y.shape[0]), y_index] = 1.0

    weights = None
    if sample_weight is not None:
        weights = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                       ensure_non_negative=True)
    if estimator.class_weight is not None:
        per_class = compute_class_weight(estimator.class_weight, classes=classes,
                                         y=classes[y_index])
        weights = per_class[y_index] if weights is None else weights * per_class[y_index]
    if weights is not None and not weights.sum() > 0:
        raise ValueError("sample_weight must have a positive sum; got all zeros.")
    return X, Y, weights, params, activations, fitted


def _choose_elements(params, subset, rng):
    """A boolean mask over theta: all elements, or a random subset of each array."""
    masks = []
    for _, layer, is_bias, _, _ in _layout(params):
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
# the numerical gradient
# --------------------------------------------------------------------------
def _per_sample_loss(Z_out, Y, out_activation):
    """Cross-entropy of each row of output pre-activations (the estimator's loss)."""
    _, per_sample = output_and_loss(Z_out, Y, out_activation)
    return per_sample


def _tail(params, layer, Z, activations):
    """Output pre-activations from rows of layer ``layer``'s pre-activations."""
    for upper in range(layer, len(params) - 1):
        A = ACTIVATIONS[activations[upper]](Z)  # in place
        W, b = params[upper + 1]
        # Z = A W + b, computed as (W^T A^T)^T: for a tall, narrow A this
        # orientation is several times faster in OpenBLAS (same arithmetic).
        Z = (W.T @ A.T).T
        Z += b
    return Z


def _numerical_gradient(params, X, Y, weights, activations, out_activation, alpha,
                        epsilon, checked):
    """Two-sided differences for the checked elements; NaN elsewhere.

    Each difference is ``J(theta + h e_k) - J(theta - h e_k)`` with
    ``J = sum_s w_s L_s / S``.  A sample whose input to the perturbed weight is
    exactly 0 (``A_{l-1}[s, i] == 0``, e.g. a blank MNIST pixel) has the same
    forward pass, hence the same ``L_s``, on both sides: its term cancels
    exactly and is not computed.  The rest are evaluated as pairs
    (perturbation, sample), rows of one stacked forward pass per chunk.
    """
    n = X.shape[0]
    total_weight = n if weights is None else float(weights.sum())
    sample_weight = np.ones(n) if weights is None else weights
    # One plain forward pass; Zs[l] / As[l] are the pre-activation of layer l
    # and the input of layer l (As[0] = X).  Nothing here is modified later.
    As = [X]
    Zs = []
    for layer, (W, b) in enumerate(params):
        Z = As[-1] @ W + b
        Zs.append(Z)
        if layer < len(params) - 1:
            As.append(ACTIVATIONS[activations[layer]](Z.copy()))
    n_layers = len(params)
    widest = max(W.shape[1] for W, _ in params)
    rows_per_chunk = max(1, _CHUNK_BYTES // (2 * 8 * 4 * widest))

    numerical = np.full(checked.shape, np.nan)
    starts = {(layer, is_bias): start for _, layer, is_bias, _, start in _layout(params)}
    for layer, (W, b) in enumerate(params):
        n_in, n_out = W.shape
        last = layer == n_layers - 1
        A_in = As[layer]
        for is_bias, size in ((False, W.size), (True, b.size)):
            offset = starts[(layer, is_bias)]
            flat = np.flatnonzero(checked[offset:offset + size])
            if is_bias:
                rows, cols = None, flat
                counts = np.full(flat.size, n)
            else:
                rows, cols = np.divmod(flat, n_out)
                nonzero_per_input = np.count_nonzero(A_in, axis=0)
                counts = nonzero_per_input[rows]
            g = np.zeros(flat.size)
            # chunks of perturbations holding about rows_per_chunk pairs
            bounds = np.searchsorted(np.cumsum(counts), np.arange(
                rows_per_chunk, counts.sum() + rows_per_chunk, rows_per_chunk))
            start = 0
            for stop in np.unique(np.minimum(bounds + 1, flat.size)):
                if stop <= start:
                    continue
                part = slice(start, stop)
                if is_bias:
                    pert, sample = np.divmod(np.arange((stop - start) * n), n)
                    shift = np.full(pert.size, epsilon)  # Z[s, j] += h * 1
                else:
                    inputs = A_in[:, rows[part]].T  # (P, n): A_{l-1}[s, i_p]
                    pert, sample = np.nonzero(inputs)
                    shift = epsilon * inputs[pert, sample]  # Z[s, j] += h A_{l-1}[s, i]
                col = cols[part][pert]
                base = Zs[layer][sample, col]
                # rows 0..m-1: theta + h e_k; rows m..2m-1: theta - h e_k
                m = pert.size
                both_samples = np.concatenate([sample, sample])
                both_cols = np.concatenate([col, col])
                Z_col = np.concatenate([base + shift, base - shift])
                if last:
                    Z_out = Zs[layer][both_samples]
                    Z_out[np.arange(2 * m), both_cols] = Z_col
                else:
                    A_col = ACTIVATIONS[activations[layer]](Z_col)  # in place
                    A_col -= As[layer + 1][both_samples, both_cols]  # change of A_l[s, j]
                    W_next, _ = params[layer + 1]
                    # rank-one update of the next layer's pre-activation
                    Z_next = Zs[layer + 1][both_samples]
                    Z_next += A_col[:, None] * W_next[both_cols]
                    Z_out = _tail(params, layer + 1, Z_next, activations)
                L = _per_sample_loss(Z_out, Y[both_samples], out_activation)
                change = (L[:m] - L[m:]) * sample_weight[sample]
                g[part] = np.bincount(pert, weights=change, minlength=stop - start)
                start = stop
            g /= total_weight * 2 * epsilon
            if alpha and not is_bias:
                w = W[rows, cols]
                # the one changed summand of alpha / (2 S) sum ||W||^2
                g += (alpha / (2 * total_weight)) * ((w + epsilon) ** 2
                                                     - (w - epsilon) ** 2) / (2 * epsilon)
            numerical[offset + flat] = g
    return numerical


# --------------------------------------------------------------------------
# the public function
# --------------------------------------------------------------------------
def check_gradients(estimator, X, y, *, classes=None, sample_weight=None, epsilon=1e-5,
                    subset=None, random_state=None):
    """Compare back-propagation with two-sided differences (seed 1.4.3).

    Parameters
    ----------
    estimator : BinaryMLPClassifier or MulticlassMLPClassifier
        Fitted: its trained weights are checked.  Not fitted: the weights
        ``fit`` would start from (the same draw from ``random_state``, in
        float64) are checked; the estimator is not changed either way.
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
        Chooses the subset.

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
    X, Y, weights, params, activations, fitted = _objective(
        estimator, X, y, sample_weight, classes)
    alpha = float(estimator.alpha)
    out_activation = estimator._out_activation

    # Step 2: every W and b, in order, into theta (the estimator's layout).
    layout = _layout(params)
    names = [name for name, *_ in layout]
    shapes = [shape for _, _, _, shape, _ in layout]
    theta = np.concatenate([params[layer][int(is_bias)].ravel()
                            for _, layer, is_bias, _, _ in layout])

    rs = check_random_state(random_state)
    rng = np.random.default_rng(rs.randint(np.iinfo(np.int32).max))
    checked = _choose_elements(params, subset, rng)

    # Step 4-5: the analytic gradient by back-propagation, flattened like theta.
    loss, grads = network.loss_and_gradients(
        [(W.copy(), b.copy()) for W, b in params], X, Y, activations, out_activation,
        alpha=alpha, sample_weight=weights)
    analytic = np.concatenate([np.asarray(grads[layer][int(is_bias)], np.float64).ravel()
                               for _, layer, is_bias, _, _ in layout])

    # Step 6: two-sided differences, element by element.
    numerical = _numerical_gradient(params, X, Y, weights, activations, out_activation,
                                    alpha, epsilon, checked)
    return GradientCheckResult(
        names=names, shapes=shapes, theta=theta, analytic=analytic,
        numerical=numerical, checked=checked, params=params, loss=loss,
        epsilon=epsilon, alpha=alpha, activations=activations,
        out_activation=out_activation, n_samples=X.shape[0], fitted=fitted,
        elapsed=time.perf_counter() - started)
