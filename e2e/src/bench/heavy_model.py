"""A model whose import costs about a second of real work, like a data scientist's pandas/scikit-learn/torch
imports, with the standard library only (a fresh machine has no numpy): it fits a least-squares trend and a
seasonal profile to a synthetic price series, in pure Python, once, at import. `pnpm bench` puts it beside a copy of
the sample main.py (which imports it), to show what a warm process saves on an import-heavy main.py.
"""
import math
import random

_rng = random.Random(42)
_N = 1_000_000
_prices = []
_p = 2500.0
for _i in range(_N):
    _p *= 1.0 + _rng.gauss(0.0, 0.001) + 0.0002 * math.sin(_i / 500.0)
    _prices.append(_p)
_sx = _sy = _sxx = _sxy = 0.0
for _i, _y in enumerate(_prices):
    _sx += _i
    _sy += _y
    _sxx += _i * _i
    _sxy += _i * _y
SLOPE = (_N * _sxy - _sx * _sy) / (_N * _sxx - _sx * _sx)
INTERCEPT = (_sy - SLOPE * _sx) / _N
SEASON = [sum(_prices[j] for j in range(k, _N, 1000)) / (_N // 1000) for k in range(0, 1000, 100)]
del _prices
