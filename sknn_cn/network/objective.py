"""The training objective at given parameters: what gradient checking and the range test need.

An :class:`Objective` holds the data in the form the network core takes
(float64 ``X``, encoded targets ``Y``, effective sample weights) with the
architecture and ``alpha``, and evaluates

    J(params) = sum_i s_i loss_i / S  +  alpha / (2 S) * sum_l ||W_l||^2

and its gradient through :func:`~sknn_cn.network.core.loss_and_gradients`
(the one path of eqs. 1-17 and :func:`~sknn_cn.network.core.l2_term`).  It
knows nothing of scikit-learn: an estimator builds one with its own encoding
and weights (``est.objective(X, y)``).

It never drops (dropout is random, so ``J`` would not be a function of the
parameters: seed 1.4.3.3 note 4).  :meth:`Objective.with_frozen_dropout`
gives the objective of one fixed draw of the dropout masks instead, a
deterministic function whose gradient checks the dropout backward pass.
"""

import copy

import numpy as np
import scipy.sparse as sp

from ..training.rng import generator_from
from .core import loss_and_gradients
from .dropout import Dropout
from .init import init_params

__all__ = ["Objective"]


class Objective:
    """The loss of a network on fixed data, as a function of its parameters.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        Encoded targets: a 0/1 column for the logistic output, one-hot for softmax.
    layer_sizes : sequence of int
        ``[n_features, n_hidden_1, ..., n_outputs]``.
    activations : sequence of str
        One hidden activation per hidden layer.
    out_activation : {'logistic', 'softmax'}
    alpha : float, default=0.0
    sample_weight : ndarray of shape (n_samples,) or None, default=None
        The effective weights (sample weights times class weights); None is all 1.
    init : str, default='glorot_uniform'
        The initialiser :meth:`initial_params` uses.
    dropout : sequence of float or None, default=None
        The estimator's dropout rate of each hidden layer.  Not applied (the
        objective of a fit is the undropped one); :meth:`with_frozen_dropout`
        draws masks with these rates.

    Attributes
    ----------
    X, Y, sample_weight, layer_sizes, activations, out_activation, alpha, init, dropout
        As given; ``X``, ``Y`` and ``sample_weight`` as float64.
    frozen_dropout : Dropout or None
        The fixed masks the loss drops through (:meth:`with_frozen_dropout`);
        None: no dropout.
    """

    def __init__(self, X, Y, layer_sizes, activations, out_activation, *, alpha=0.0,
                 sample_weight=None, init="glorot_uniform", dropout=None):
        self.X = (X.tocsr().astype(np.float64) if sp.issparse(X)  # sparse X stays sparse
                  else np.asarray(X, dtype=np.float64))
        self.Y = np.asarray(Y, dtype=np.float64)
        self.sample_weight = (None if sample_weight is None
                              else np.asarray(sample_weight, dtype=np.float64))
        self.layer_sizes = [int(n) for n in layer_sizes]
        self.activations = tuple(activations)
        self.out_activation = out_activation
        self.alpha = float(alpha)
        self.init = init
        n_hidden = len(self.layer_sizes) - 2
        self.dropout = (0.0,) * n_hidden if dropout is None else tuple(dropout)
        self.frozen_dropout = None

    def with_frozen_dropout(self, random_state=None):
        """The same objective with one draw of the dropout masks, kept fixed.

        ``J_M(params)``: the loss of the network whose hidden outputs are
        multiplied by fixed masks ``M_l`` (0 or ``1 / (1 - p_l)``, one per
        sample and unit) drawn with the rates :attr:`dropout`.  It is a
        deterministic, smooth function of the parameters, so two-sided
        differences check the dropout backward pass (the masks of one
        training step are such a draw).

        Parameters
        ----------
        random_state : int, RandomState instance, Generator or None, default=None
            Draws the masks (a Generator is drawn from directly).

        Returns
        -------
        objective : Objective
            A shallow copy sharing the data.
        """
        if not any(self.dropout):
            raise ValueError(
                "with_frozen_dropout needs a dropout rate > 0 in some hidden layer; "
                f"this objective's dropout={list(self.dropout)!r} (set the estimator's "
                "dropout).")
        rng = (random_state if isinstance(random_state, np.random.Generator)
               else generator_from(random_state))
        frozen = copy.copy(self)
        frozen.frozen_dropout = Dropout.frozen(
            self.dropout, self.layer_sizes[1:-1], self.X.shape[0], np.float64, rng)
        return frozen

    def loss_and_gradients(self, params):
        """``J(params)`` and its gradient.

        Parameters
        ----------
        params : list of (W, b)
            Cast to float64 (copies) before use.

        Returns
        -------
        loss : float
        grads : list of (dW, db)
        """
        params = [(np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64))
                  for W, b in params]
        return loss_and_gradients(params, self.X, self.Y, self.activations,
                                  self.out_activation, alpha=self.alpha,
                                  sample_weight=self.sample_weight,
                                  dropout=self.frozen_dropout)

    def loss(self, params):
        """``J(params)``, a float."""
        return float(self.loss_and_gradients(params)[0])

    def initial_params(self, random_state=None):
        """Fresh parameters from the estimator's initialiser, in float64.

        They are drawn from ``random_state``: an int or None seeds
        ``numpy.random.default_rng``; a ``Generator`` is drawn from; a legacy
        ``RandomState`` gives one integer that seeds a new generator.  This is
        *not* a replay of the draws ``fit`` makes (fit also shuffles and may
        split the data first): same architecture and initialiser, other numbers.

        Returns
        -------
        params : list of (W, b)
        """
        if isinstance(random_state, np.random.RandomState):
            random_state = random_state.randint(np.iinfo(np.int32).max)
        rng = np.random.default_rng(random_state)
        return init_params(self.layer_sizes, self.init, rng, np.float64)
