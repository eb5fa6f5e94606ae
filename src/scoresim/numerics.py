"""Small numerical helpers shared by the reporting modules."""

from __future__ import annotations

import contextlib
import warnings
from typing import Iterator

import numpy as np


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence numpy's warnings about empty slices, 0/0 and log(0) inside a block: the callers
    turn such cases into NaN on purpose."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


__all__ = ["quiet"]
