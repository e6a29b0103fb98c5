"""The result of a gradient check: the seed's verdict bands and a per-array table (1.4.3).

:func:`verdict` maps a relative difference to the seed's words;
:class:`GradientCheckResult` holds both gradients, the overall and per-array
``diff`` and locates a bug (:attr:`GradientCheckResult.first_failing_layer`).
"""

import math

import numpy as np

__all__ = ["GradientCheckResult", "verdict", "passes", "relative_difference",
           "parameter_layout", "VERDICT_BANDS", "NON_SMOOTH_ACTIVATIONS"]

#: The seed's bands (1.4.3.2): (upper bound of diff, verdict).
VERDICT_BANDS = (
    (1e-7, "correct"),
    (1e-4, "acceptable only for non-smooth activations"),
    (1e-2, "suspicious"),
    (math.inf, "wrong"),
)

#: Activations with a kink, for which diffs up to 1e-4 are acceptable.
NON_SMOOTH_ACTIVATIONS = frozenset({"relu"})

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


def passes(diff, non_smooth):
    """Does ``diff`` pass the seed's bands (up to 1e-4 for non-smooth nets)?"""
    return diff <= 1e-7 or (non_smooth and diff <= 1e-4)


def relative_difference(g, g_num):
    """The seed's diff; 0 when both vectors are zero (nothing to disagree on)."""
    denominator = np.linalg.norm(g) + np.linalg.norm(g_num)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(g - g_num) / denominator)


def parameter_layout(params):
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
        initialisation drawn from its ``random_state``).
    dropout : tuple of float
        The estimator's dropout rate of each hidden layer.
    dropout_mode : {'off', 'frozen'}
        'off': checked without dropout (seed 1.4.3.3 note 4), whatever
        ``dropout`` is; 'frozen': through one fixed draw of the masks.
    elapsed : float
        Seconds taken.
    """

    def __init__(self, *, names, shapes, theta, analytic, numerical, checked, params,
                 loss, epsilon, alpha, activations, out_activation, n_samples,
                 fitted, elapsed, dropout=(), dropout_mode="off"):
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
        self.dropout = tuple(dropout)
        self.dropout_mode = dropout_mode
        self.non_smooth = any(a in NON_SMOOTH_ACTIVATIONS for a in self.activations)

        self.diff = relative_difference(analytic[checked], numerical[checked])
        self.verdict = verdict(self.diff, self.non_smooth)
        self.passed = passes(self.diff, self.non_smooth)
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
            d = relative_difference(g, g_num)
            self.per_parameter.append({
                "name": name, "shape": tuple(shape), "n_checked": int(mask.sum()),
                "diff": d, "verdict": verdict(d, self.non_smooth),
                "passed": passes(d, self.non_smooth),
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

    @property
    def dropout_note(self):
        """How dropout entered the check, in words."""
        rates = ", ".join(f"{p:g}" for p in self.dropout) or "-"
        if self.dropout_mode == "frozen":
            return f"dropout frozen: one fixed draw of the masks (rates {rates})"
        return (f"dropout off (seed 1.4.3.3 note 4; the estimator's rates: {rates})"
                if any(self.dropout) else "dropout off (seed 1.4.3.3 note 4)")

    def _header(self):
        sizes = [self.params[0][0].shape[0]] + [W.shape[1] for W, _ in self.params]
        state = "trained weights" if self.fitted else "fresh initialisation"
        return (f"Gradient check (seed 1.4.3): net {'-'.join(map(str, sizes))}, "
                f"activations {', '.join(self.activations) or '-'} -> "
                f"{self.out_activation}, alpha={self.alpha:g}, "
                f"{self.n_samples} samples, h={self.epsilon:g}, {state}, "
                f"{self.dropout_note}")

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
