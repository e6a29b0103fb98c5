"""The speed-motivated forms of the equations equal their reference forms.

Oracle: scipy.special.expit (the logistic in float64 to the last bit where it
is representable), over the whole range where exp overflows.
"""

import warnings

import numpy as np
import pytest
from scipy.special import expit

from sknn_cn.network.activations import logistic


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-15), (np.float32, 2e-7)])
def test_logistic_with_one_exp_equals_expit_without_warnings(dtype, rtol):
    z = np.concatenate([np.linspace(-800, 800, 20001), [-1e30, 1e30, -0.0, 0.0]])
    z = z.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # exp's overflow at very negative z is expected
        got = logistic(z.copy())
    want = expit(z.astype(np.float64))
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, rtol=rtol, atol=np.finfo(dtype).tiny)
    assert got[z == -1e30][0] == 0.0 and got[z == 1e30][0] == 1.0
