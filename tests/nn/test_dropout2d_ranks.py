"""Dropout2d outside 4-D, as PyTorch 2.13: it runs (mask of shape (N, C, 1, ...), so a 2-D
input is dropped entry by entry) and warns with torch's words; 4-D is silent."""

import warnings

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.nn as nn

torch = pytest.importorskip("torch")


def caught(lib, shape, training=True):
    layer = lib.nn.Dropout2d(0.5)
    if not training:
        layer.eval()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        out = layer(lib.ones(*shape))
    return out, [str(w.message) for w in seen if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize("shape", [(4, 6), (2, 4, 6), (2, 3, 4, 5), (2, 3, 2, 2, 2)])
@pytest.mark.parametrize("training", [True, False])
def test_warnings_are_torchs(shape, training):
    ours, ours_seen = caught(gg, shape, training)
    theirs, theirs_seen = caught(torch, shape, training)
    assert ours_seen == theirs_seen
    assert tuple(ours.shape) == tuple(theirs.shape)


def test_a_2d_input_is_dropped_entry_by_entry():
    gg.manual_seed(0)
    out, seen = caught(gg, (200, 50))
    values = out.numpy()
    assert set(np.unique(values)) <= {0.0, 2.0}  # kept entries scaled by 1/(1-p)
    # entry-wise: rows are mixed (a channel-wise mask would make every row all 0 or all 2)
    mixed = ((values == 0).any(axis=1) & (values == 2).any(axis=1)).mean()
    assert mixed > 0.99
    assert 0.45 < (values == 2).mean() < 0.55  # 10,000 draws: 5 sd is 0.025
    assert len(seen) == 1 and "Received a 2-D input to dropout2d" in seen[0]
