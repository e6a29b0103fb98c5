"""The network core: the seed's equations in plain NumPy, nothing of scikit-learn.

* :mod:`~sknn_cn.network.activations`: hidden activations and their derivatives
  written from the output (seed 1.1.3, 1.4.2 eqs. 11, 15);
* :mod:`~sknn_cn.network.losses`: the logistic and softmax output layers and
  their cross-entropies (seed 1.1.3 eq. 12, 1.2.1.2, 1.4.2 eqs. 6-7);
* :mod:`~sknn_cn.network.init`: weight initialisers (Glorot/Xavier, He/MSRA,
  normal);
* :mod:`~sknn_cn.network.core`: forward and backward for any depth, one line
  per equation of seed 1.4.2 (eqs. 1-17), preallocated buffers optional;
  the L2 term; the flat parameter vector theta;
* :mod:`~sknn_cn.network.dropout`: inverted dropout masks of the hidden
  layers (training only);
* :mod:`~sknn_cn.network.objective`: the objective and its gradient at given
  parameters on fixed data (what ``est.objective(X, y)`` returns).

Examples
--------
>>> import numpy as np
>>> from sknn_cn import network
>>> rng = np.random.default_rng(0)
>>> params = network.init_params([2, 3, 1], "xavier", rng)
>>> X, Y = rng.uniform(size=(4, 2)), np.array([[0.0], [1.0], [1.0], [0.0]])
>>> loss, grads = network.loss_and_gradients(params, X, Y, ["tanh"], "logistic",
...                                          alpha=0.1)
>>> [dW.shape for dW, _ in grads]
[(2, 3), (3, 1)]
"""

from .activations import ACTIVATIONS, ALIASES, DERIVATIVES, resolve_activation
from .core import (
    Workspace,
    backward,
    forward,
    l2_term,
    logits,
    loss_and_gradients,
    n_weights,
    pack_params,
)
from .dropout import Dropout, dropout_rates
from .init import INIT_ALIASES, INITIALIZERS, init_params
from .losses import OUTPUTS, output_and_loss, output_and_total_loss
from .objective import Objective

__all__ = [
    "ACTIVATIONS",
    "DERIVATIVES",
    "ALIASES",
    "resolve_activation",
    "OUTPUTS",
    "output_and_loss",
    "output_and_total_loss",
    "INITIALIZERS",
    "INIT_ALIASES",
    "init_params",
    "forward",
    "backward",
    "logits",
    "l2_term",
    "loss_and_gradients",
    "pack_params",
    "n_weights",
    "Workspace",
    "Dropout",
    "dropout_rates",
    "Objective",
]
