"""Prediction from the fitted weights, in chunks bounded by ``working_memory``.

:class:`PredictionMixin` gives both classifiers ``predict``, ``predict_proba``,
``predict_log_proba`` and ``hidden_activations``: ``X`` (dense, CSR or CSC) is
checked, cut into chunks of rows whose activations fit in scikit-learn's
``working_memory``, and each chunk goes forward through the network
(:func:`sknn_cn.network.logits`).  The output-specific steps (class index,
probabilities from the logits) are the classifiers' own.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils import gen_batches
from sklearn.utils._chunking import get_chunk_n_rows
from sklearn.utils.validation import check_is_fitted, validate_data

from . import network

__all__ = ["PredictionMixin"]


class PredictionMixin:
    """Prediction from the fitted weights, shared by the two classifiers."""

    def _forward_in_chunks(self, X, head):
        """``head(hidden, Z)`` for every row of ``X``, computed chunk by chunk.

        ``X`` is checked, then cut into chunks of rows whose activations (every
        layer's, plus the chunk of ``X`` cast to the model's dtype) fit in
        scikit-learn's ``working_memory`` (``sklearn.get_config()``, MiB).
        ``head`` maps a chunk's hidden activations and logits to a tuple of
        arrays (one row per sample); the chunks' results are written into one
        output per array.  A single chunk's results are returned as they are.
        A chunk with a non-finite logit raises a ValueError naming ``X``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32),
                          accept_sparse=("csr", "csc"))
        if sp.issparse(X):  # the first layer's product on the sparse matrix, by rows
            X = X.tocsr()
        dtype = self.coefs_[0].dtype
        params = list(zip(self.coefs_, self.intercepts_))
        n_samples = X.shape[0]
        row_bytes = dtype.itemsize * (X.shape[1] + sum(W.shape[1] for W in self.coefs_))
        chunk_rows = get_chunk_n_rows(row_bytes, max_n_rows=n_samples)
        outputs = None
        for rows in gen_batches(n_samples, chunk_rows):
            X_chunk = self._as_model_dtype(X[rows], dtype, fitted=True)
            with np.errstate(over="ignore", invalid="ignore"):  # checked next
                hidden, Z = network.logits(params, X_chunk, self.activations_,
                                            return_hidden=True)
            self._check_finite_logits(Z, X_chunk, rows.start)
            results = head(hidden, Z)
            del hidden, Z, X_chunk
            if chunk_rows >= n_samples:
                return results
            if outputs is None:
                outputs = tuple(np.empty((n_samples, *r.shape[1:]), dtype=r.dtype)
                                for r in results)
            for out, result in zip(outputs, results):
                out[rows] = result
        return outputs

    def _check_finite_logits(self, Z, X_chunk, first_row):
        finite = np.isfinite(Z).all(axis=1)
        if finite.all():
            return
        row = int(np.flatnonzero(~finite)[0])
        raise ValueError(
            f"X[{first_row + row}] gives the non-finite output logits "
            f"{Z[row].tolist()!r}: its values (up to "
            f"{float(abs(X_chunk[row]).max()):.3g} in absolute value) are too "
            f"large for this network's {Z.dtype.name} arithmetic. Scale X as it was "
            "scaled for fit (e.g. with the same StandardScaler)."
        )

    def hidden_activations(self, X):
        """Outputs of every hidden layer: the "space transform" of seed 1.1.5.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        hidden : list of ndarray
            ``hidden[l]`` has shape ``(n_samples, hidden_layer_sizes[l])``: the
            samples as the output layer sees them (for the last hidden layer),
            where the classes become linearly separable.
        """
        return list(self._forward_in_chunks(X, lambda hidden, Z: tuple(hidden)))

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,), or the (n_samples, n_labels) 0/1 indicator
        """
        def head(hidden, Z):
            if Z.shape[1] > 1 and self._out_activation == "logistic":
                return ((Z > 0).astype(int),)  # multilabel: one logistic unit per label
            return (self.classes_[self._predict_index_from_logits(Z)],)

        labels, = self._forward_in_chunks(X, head)
        return labels

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed stably from the logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes) or (n_samples, n_labels)
        """
        log_proba, = self._forward_in_chunks(
            X, lambda hidden, Z: (self._log_proba_from_logits(Z),))
        return log_proba

    def predict_proba(self, X):
        """Class probabilities, columns ordered as ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or (n_samples, n_labels)
        """
        proba, = self._forward_in_chunks(
            X, lambda hidden, Z: (self._proba_from_logits(Z),))
        return proba
