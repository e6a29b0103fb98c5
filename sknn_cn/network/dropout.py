"""Inverted dropout on the hidden layers (Srivastava et al. 2014; seed 1.4.3.3 note 4).

While training, each hidden unit's output is kept with probability ``1 - p``
and set to 0 otherwise; kept outputs are scaled by ``1 / (1 - p)`` so that
their expectation is the undropped output::

    A~_l = A_l * M_l,   M_l[s, j] = 1 / (1 - p_l) with probability 1 - p_l, else 0
    E[A~_l] = A_l

which is why prediction needs no change: it uses ``A_l`` ("inverted"
dropout; the original paper scaled the weights at test time instead).

The backward pass goes through the same mask: ``dA_l`` (eqs. 10, 14) is
multiplied by ``M_l`` before the activation's derivative (eqs. 11, 15), and
that derivative is written from the *undropped* ``A_l``; the weight gradient
of the layer above uses the dropped ``A~_l``, the input it saw.

Only the hidden layers drop, not the input: the seed's note speaks of the
nodes of the network (its keep probability), one rate per hidden layer
matches ``activation``'s one name per hidden layer, and the inputs' own
buffer is the user's ``X`` when ``shuffle=False`` (dropping there would mean
a copy of every mini-batch).

:class:`Dropout` holds the masks of one mini-batch, preallocated for the
largest batch, and is what :func:`~sknn_cn.network.core.forward` and
:func:`~sknn_cn.network.core.backward` take as ``dropout=``.  With a
generator it draws fresh masks for every forward pass (training); without
one its masks are frozen (a gradient check of the dropout backward pass,
:mod:`sknn_cn.gradcheck`).
"""

import numbers

import numpy as np

__all__ = ["Dropout", "dropout_rates"]


def dropout_rates(dropout, n_hidden):
    """One dropout rate per hidden layer, checked.

    Parameters
    ----------
    dropout : float or sequence of float
        One rate for every hidden layer, or one per hidden layer; each in
        ``[0, 1)``.
    n_hidden : int
        Number of hidden layers.

    Returns
    -------
    rates : tuple of float
        ``n_hidden`` rates.
    """
    spec = dropout
    if isinstance(spec, numbers.Real) and not isinstance(spec, bool):
        spec = [spec] * n_hidden
    try:
        spec = list(spec)
    except TypeError:
        spec = None
    if spec is None or not all(isinstance(p, numbers.Real) and not isinstance(p, bool)
                               and 0 <= p < 1 for p in spec):
        raise ValueError(
            "dropout must be a float in [0, 1) or a sequence of such floats, one "
            f"per hidden layer; got dropout={dropout!r}."
        )
    if len(spec) != n_hidden:
        raise ValueError(
            f"dropout has {len(spec)} rates but hidden_layer_sizes has {n_hidden} "
            f"layers; give one rate per hidden layer or a single float. Got "
            f"dropout={dropout!r}."
        )
    return tuple(float(p) for p in spec)


class Dropout:
    """The dropout masks of the hidden layers for one mini-batch.

    Parameters
    ----------
    rates : sequence of float
        ``p_l`` of each hidden layer (0 for a layer that does not drop).
    widths : sequence of int
        Width of each hidden layer.
    batch_size : int
        Largest number of rows a forward pass will have.
    dtype : numpy dtype
        The network's (float32 or float64).
    rng : numpy.random.Generator or None, default=None
        Draws fresh masks at every forward pass (training).  None: the masks
        are frozen; draw them once with :meth:`draw`.

    Attributes
    ----------
    masks : list of ndarray or None
        ``masks[l]`` of shape ``(batch_size, width_l)`` holds ``M_l`` (0 or
        ``1 / (1 - p_l)``); None for a layer with ``p_l = 0``.
    """

    def __init__(self, rates, widths, batch_size, dtype, rng=None):
        dtype = np.dtype(dtype)
        if len(rates) != len(widths):
            raise ValueError(f"{len(rates)} dropout rates for {len(widths)} hidden layers.")
        self.rates = tuple(float(p) for p in rates)
        self.rng = rng
        self.dtype = dtype
        self.masks = [np.zeros((batch_size, w), dtype) if p else None
                      for p, w in zip(self.rates, widths)]
        self._dropped = [np.empty((batch_size, w), dtype) if p else None
                         for p, w in zip(self.rates, widths)]
        self._kept = [None] * len(widths)  # the undropped A_l of the last forward pass
        dropping = [k for k, M in enumerate(self.masks) if M is not None]
        self._first = dropping[0] if dropping else None  # where a forward pass redraws

    @classmethod
    def frozen(cls, rates, widths, n_samples, dtype, rng):
        """One mask per hidden layer for ``n_samples`` rows, drawn once from the
        Generator ``rng`` and kept."""
        dropout = cls(rates, widths, n_samples, dtype)
        dropout.draw(n_samples, rng)
        return dropout

    def draw(self, m, rng):
        """Fill the first ``m`` rows of every mask from ``rng`` (no allocation)."""
        for p, M in zip(self.rates, self.masks):
            if M is None:
                continue
            U = M[:m]
            rng.random(out=U, dtype=self.dtype)  # uniform on [0, 1)
            np.greater_equal(U, p, out=U)  # 1 with probability 1 - p, else 0
            U *= 1 / (1 - p)  # inverted dropout: E[M] = 1

    def forward(self, layer, A):
        """``A~ = A * M``: the dropped output of hidden layer ``layer``.

        ``A`` (the undropped output, what the derivative is written from) is
        left as it is; the dropped one goes to a buffer of its own.  With a
        generator, the masks are redrawn first, at the first hidden layer.
        """
        self._kept[layer] = A
        M = self.masks[layer]
        if M is None:
            return A
        m = A.shape[0]
        if self.rng is not None and layer == self._first:
            self.draw(m, self.rng)
        return np.multiply(A, M[:m], out=self._dropped[layer][:m])

    def backward(self, layer, dA):
        """``dA *= M`` in place; returns the undropped ``A`` of ``layer`` for f'."""
        M = self.masks[layer]
        if M is not None:
            dA *= M[:dA.shape[0]]
        return self._kept[layer]

    def __repr__(self):
        state = "frozen" if self.rng is None else "training"
        return f"<Dropout rates={list(self.rates)} ({state})>"
