"""Test functions with known sensitivity indices, run through the same experiment engine.

:func:`ishigami` has the signature the engine expects, ``(params, seed) -> outputs``, so an
experiment spec can name it as ``model = "scoresim.testfunctions:ishigami"``. Its analytic
Sobol indices (:func:`ishigami_indices`) check the whole sweep-and-analysis pipeline.
"""

from __future__ import annotations

import math
import time
from typing import Mapping

import numpy as np


def ishigami(params: Mapping[str, float], seed: int) -> dict[str, float]:
    """Ishigami and Homma (1990): y = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i ~ U(-pi, pi).

    Parameters (in ``params``): ``x1``, ``x2``, ``x3``; optional constants ``a`` (7), ``b``
    (0.1), ``noise`` (sd of Gaussian noise added to ``y_noisy``, drawn from ``seed``),
    ``delay_seconds`` (sleep before returning, to imitate a slow model) and ``fail_above``
    (raise ``ValueError`` when x1 exceeds it, to imitate a model that fails in part of the space).
    """
    x1, x2, x3 = (float(params[k]) for k in ("x1", "x2", "x3"))
    a, b = float(params.get("a", 7.0)), float(params.get("b", 0.1))
    if x1 > float(params.get("fail_above", math.inf)):
        raise ValueError(f"ishigami: x1 = {x1:.3f} lies in the failing region")
    if params.get("delay_seconds"):
        time.sleep(float(params["delay_seconds"]))
    y = math.sin(x1) + a * math.sin(x2) ** 2 + b * x3 ** 4 * math.sin(x1)
    noise = float(params.get("noise", 0.0))
    eps = np.random.default_rng(int(seed)).normal(0.0, noise) if noise > 0 else 0.0
    return {"y": y, "y_noisy": y + eps}


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[str, np.ndarray]:
    """Analytic first-order (S1), total (ST) and second-order (S2, 3x3 upper triangle) indices."""
    pi4, pi8 = math.pi ** 4, math.pi ** 8
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * pi8 / 18 - b ** 2 * pi8 / 50
    v = v1 + v2 + v13
    s2 = np.full((3, 3), np.nan)
    s2[0, 1], s2[0, 2], s2[1, 2] = 0.0, v13 / v, 0.0
    return {"S1": np.array([v1, v2, 0.0]) / v, "ST": np.array([v1 + v13, v2, v13]) / v, "S2": s2}
