"""Batch size against learning rate (seed 1.4.4.3).

The seed's update rule (1.4.4, eq. 1) is ``w <- w - eta / m * sum_i grad J_i``:
the learning rate ``eta`` and the batch size ``m`` act together.  The seed sums
up what is known about changing ``m``:

1. a larger batch wants a larger learning rate, in proportion: the **linear
   rule** ``eta' = eta * m' / m`` (Goyal et al. 2017, "Accurate, large
   minibatch SGD");
2. further on the gain shrinks to the **square-root rule**
   ``eta' = eta * sqrt(m' / m)`` (Krizhevsky 2014; Hoffer et al. 2017), which
   keeps the variance of the update the same;
3. at the extreme the learning rate cannot grow any more, however large the
   batch: it **saturates** (``max_lr`` below).

:func:`scale_learning_rate` applies a rule.  :class:`LRBatchGrid` reads a
``GridSearchCV`` over ``learning_rate_init`` x ``batch_size``, finds the best
rate for each batch size, and measures which rule the data follow: the local
exponent ``k`` in ``best_lr ~ batch_size ** k`` between neighbouring batch
sizes is 1 where the linear rule holds, 1/2 for the square-root rule and 0
where the rate has saturated.  This module only computes;
:class:`sknn_cn.plotting.LRBatchGridDisplay` draws the grid as a heat map.
"""

import math
import numbers

import numpy as np

__all__ = ["scale_learning_rate", "RULES", "LRBatchGrid", "classify_exponent"]

#: rule name -> exponent k of lr' = lr * (new_batch / base_batch) ** k
RULES = {"linear": 1.0, "sqrt": 0.5}


def _check_batch(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"`{name}` must be an integer >= 1; got {name}={value!r}.")
    return int(value)


def scale_learning_rate(base_lr, base_batch, new_batch, rule="linear", *, max_lr=None):
    """The learning rate for a new batch size, by the linear or square-root rule.

    Seed 1.4.4.3::

        linear:  lr = base_lr * new_batch / base_batch
        sqrt:    lr = base_lr * sqrt(new_batch / base_batch)

    then ``min(lr, max_lr)`` when ``max_lr`` is given (the saturation of point 3).

    Parameters
    ----------
    base_lr : float
        A learning rate known to work with ``base_batch``.
    base_batch : int
        Its batch size.
    new_batch : int or array-like of int
        The batch size(s) to scale to.
    rule : {'linear', 'sqrt'}, default='linear'
    max_lr : float, default=None
        Cap on the result.

    Returns
    -------
    lr : float or ndarray
        One rate per ``new_batch`` (a float for an int).

    Examples
    --------
    >>> scale_learning_rate(0.1, 32, 128)
    0.4
    >>> scale_learning_rate(0.1, 32, 128, rule="sqrt")
    0.2
    >>> scale_learning_rate(0.1, 32, 1024, max_lr=1.0)
    1.0
    """
    if (isinstance(base_lr, bool) or not isinstance(base_lr, numbers.Real)
            or not math.isfinite(base_lr) or base_lr <= 0):
        raise ValueError(f"`base_lr` must be a positive finite number; got base_lr={base_lr!r}.")
    base_batch = _check_batch(base_batch, "base_batch")
    if not isinstance(rule, str) or rule not in RULES:
        raise ValueError(f"Unknown rule {rule!r} in `rule`. Allowed rules: "
                         f"{', '.join(map(repr, RULES))}.")
    if max_lr is not None and (isinstance(max_lr, bool) or not isinstance(max_lr, numbers.Real)
                               or not max_lr > 0):
        raise ValueError(f"`max_lr` must be None or a positive number; got max_lr={max_lr!r}.")
    if max_lr is not None and max_lr < base_lr:
        raise ValueError(
            f"`max_lr` must be at least `base_lr` (a rate known to work cannot exceed the "
            f"cap); got max_lr={max_lr!r} < base_lr={base_lr!r}.")
    scalar = np.ndim(new_batch) == 0
    batches = [_check_batch(b, "new_batch") for b in np.atleast_1d(new_batch).tolist()]
    lrs = np.array([float(base_lr) * (b / base_batch) ** RULES[rule] for b in batches])
    if max_lr is not None:
        lrs = np.minimum(lrs, float(max_lr))
    if not np.all(np.isfinite(lrs)):
        raise ValueError(
            f"The scaled learning rate overflows: base_lr={base_lr!r} * "
            f"(new_batch / base_batch) ** {RULES[rule]} is not finite; give max_lr.")
    return float(lrs[0]) if scalar else lrs


def classify_exponent(k, tolerance=0.25):
    """Name the rule an exponent ``k`` of ``lr ~ batch ** k`` matches.

    Parameters
    ----------
    k : float
    tolerance : float, default=0.25

    Returns
    -------
    name : {'linear', 'sqrt', 'saturated', 'falls', 'faster than linear', 'between'}
    """
    if not math.isfinite(k):
        return "undefined"
    if abs(k - 1.0) <= tolerance:
        return "linear"
    if abs(k - 0.5) <= tolerance:
        return "sqrt"
    if abs(k) <= tolerance:
        return "saturated"
    if k < 0:
        return "falls"
    return "faster than linear" if k > 1 else "between"


def _check_grid_axis(values, name):
    try:
        values = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold numbers; {exc}.") from exc
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(
            f"{name} must be a non-empty 1-D array of finite numbers; got {name}={values.tolist()}.")
    return values


class LRBatchGrid:
    """Scores of a learning-rate x batch-size grid and the rule they follow.

    Parameters
    ----------
    lrs : array-like of shape (n_lrs,)
        Increasing learning rates.
    batch_sizes : array-like of shape (n_batches,)
        Increasing batch sizes.
    scores : array-like of shape (n_batches, n_lrs)
        Score (higher is better, e.g. validation accuracy) of each pair; NaN
        for a run that failed (diverged).

    Attributes
    ----------
    best_lrs : ndarray of shape (n_batches,)
        Best learning rate of each batch size (grid point).
    best_scores : ndarray of shape (n_batches,)
    refined_lrs : ndarray of shape (n_batches,)
        The best rate refined by a parabola through the best point and its
        two neighbours in ``log(lr)`` (the grid point itself at an edge).
    exponents : ndarray of shape (n_batches - 1,)
        ``k = log(refined_lr[i+1] / refined_lr[i]) / log(batch[i+1] / batch[i])``.
    verdicts : list of str
        :func:`classify_exponent` of each exponent.
    """

    def __init__(self, lrs, batch_sizes, scores):
        self.lrs = _check_grid_axis(lrs, "lrs")
        if not np.all(self.lrs > 0):
            raise ValueError(f"lrs must be positive finite numbers; got lrs={self.lrs.tolist()}.")
        batch_sizes = _check_grid_axis(batch_sizes, "batch_sizes")
        if not np.all((batch_sizes >= 1) & (batch_sizes == np.round(batch_sizes))):
            raise ValueError(
                f"batch_sizes must be integers >= 1; got batch_sizes={batch_sizes.tolist()}.")
        self.batch_sizes = batch_sizes.astype(int)
        try:
            self.scores = np.asarray(scores, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"scores must hold numbers (NaN for a failed run); {exc}.") from exc
        if np.isinf(self.scores).any():
            raise ValueError("scores must be finite or NaN (a failed run); got inf.")
        if self.scores.shape != (self.batch_sizes.size, self.lrs.size):
            raise ValueError(
                f"scores must have shape (n_batches, n_lrs) = ({self.batch_sizes.size}, "
                f"{self.lrs.size}); got {self.scores.shape}.")
        if np.any(np.diff(self.lrs) <= 0) or np.any(np.diff(self.batch_sizes) <= 0):
            raise ValueError("lrs and batch_sizes must be strictly increasing.")
        filled = np.where(np.isnan(self.scores), -np.inf, self.scores)
        best = filled.argmax(axis=1)
        self.best_lrs = self.lrs[best]
        self.best_scores = self.scores[np.arange(len(best)), best]
        self.refined_lrs = np.array([self._refine(row, j) for row, j in zip(filled, best)])
        ratios_lr = np.log(self.refined_lrs[1:] / self.refined_lrs[:-1])
        ratios_b = np.log(self.batch_sizes[1:] / self.batch_sizes[:-1])
        self.exponents = ratios_lr / ratios_b
        self.verdicts = [classify_exponent(k) for k in self.exponents]

    def _refine(self, row, j):
        if j == 0 or j == len(row) - 1 or not np.all(np.isfinite(row[j - 1:j + 2])):
            return float(self.lrs[j])
        x = np.log(self.lrs[j - 1:j + 2])
        a, b, _ = np.polyfit(x, row[j - 1:j + 2], 2)
        if a >= 0:  # not a maximum
            return float(self.lrs[j])
        vertex = float(np.clip(-b / (2 * a), x[0], x[2]))
        return math.exp(vertex)

    @classmethod
    def from_cv_results(cls, cv_results, *, lr_param="learning_rate_init",
                        batch_param="batch_size", score="mean_test_score"):
        """Read a ``GridSearchCV(...).cv_results_`` over the two parameters.

        Parameters
        ----------
        cv_results : dict
        lr_param, batch_param : str
            Parameter names; a pipeline step prefix (``'mlp__batch_size'``)
            is fine.
        score : str, default='mean_test_score'
        """
        try:
            columns = [cv_results[f"param_{lr_param}"], cv_results[f"param_{batch_param}"],
                       cv_results[score]]
        except KeyError as exc:
            raise ValueError(
                f"cv_results has no column {exc.args[0]!r}; search over `{lr_param}` "
                f"and `{batch_param}` or pass their names as lr_param / batch_param."
            ) from None
        for column, name in zip(columns, (f"param_{lr_param}", f"param_{batch_param}", score)):
            if np.ma.is_masked(column):
                raise ValueError(
                    f"cv_results[{name!r}] has masked entries (candidates without that "
                    "parameter); search one grid over both parameters.")
        lr_col, batch_col, values = (np.asarray(c, dtype=float) for c in columns)
        if not len(lr_col) == len(batch_col) == len(values):
            raise ValueError(
                f"cv_results columns differ in length: param_{lr_param} {len(lr_col)}, "
                f"param_{batch_param} {len(batch_col)}, {score} {len(values)}.")
        pairs = set(zip(lr_col.tolist(), batch_col.tolist()))
        if len(pairs) != len(lr_col):
            raise ValueError(
                f"cv_results has repeated ({lr_param}, {batch_param}) pairs; search over "
                "those two parameters only, or reduce the results to one row per pair.")
        lrs = np.unique(lr_col)
        batches = np.unique(batch_col)
        scores = np.full((batches.size, lrs.size), np.nan)
        scores[np.searchsorted(batches, batch_col), np.searchsorted(lrs, lr_col)] = values
        return cls(lrs, batches, scores)

    def rule_prediction(self, rule, base=0):
        """Best rates predicted from batch ``batch_sizes[base]`` by a rule.

        Returns
        -------
        lrs : ndarray of shape (n_batches,)
        """
        return scale_learning_rate(float(self.refined_lrs[base]), int(self.batch_sizes[base]),
                                   self.batch_sizes.tolist(), rule)

    def table(self):
        """Plain-text grid: one row per batch size, best cell starred."""
        head = ["batch \\ lr"] + [f"{lr:g}" for lr in self.lrs] + ["best lr", "refined"]
        rows = []
        for i, batch in enumerate(self.batch_sizes):
            cells = []
            for j, s in enumerate(self.scores[i]):
                text = "diverged" if np.isnan(s) else f"{s:.4f}"
                cells.append(text + ("*" if self.lrs[j] == self.best_lrs[i] else " "))
            rows.append([str(batch)] + cells + [f"{self.best_lrs[i]:g}",
                                                f"{self.refined_lrs[i]:.3g}"])
        widths = [max(len(r[c]) for r in [head] + rows) for c in range(len(head))]
        lines = ["  ".join(h.rjust(w) for h, w in zip(head, widths))]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
        return "\n".join(lines)

    def rule_report(self):
        """One line per pair of neighbouring batch sizes: exponent and rule."""
        lines = []
        for i, (k, name) in enumerate(zip(self.exponents, self.verdicts)):
            b0, b1 = self.batch_sizes[i], self.batch_sizes[i + 1]
            lines.append(f"batch {b0:>4} -> {b1:<4}: best lr {self.refined_lrs[i]:.3g} -> "
                         f"{self.refined_lrs[i + 1]:.3g}, lr ~ batch^{k:+.2f} ({name})")
        return "\n".join(lines)
