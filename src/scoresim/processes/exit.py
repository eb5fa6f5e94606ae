"""Firm exit after sustained losses.

Each firm carries the losses it has not yet earned back: a loss stock that a month's loss
raises and a month's profit pays down (never below 0). A firm exits at the end of the month in
which the stock exceeds its reserves, ``reserves`` months of its revenue (an exponentially
weighted mean over a year): from the next month it produces, sells, employs and reports
nothing; its workers lose their jobs and its buyers move their orders to their other
suppliers. A firm that has never lost more than it earned back never exits.
"""

from __future__ import annotations

import numpy as np

REVENUE_MONTHS = 12.0
"""Averaging time of the revenue that scales the reserves (months)."""


def loss_stock(stock: np.ndarray, profit: np.ndarray) -> np.ndarray:
    """Losses not yet earned back (W, F), USD, after this month's ``profit``."""
    return np.maximum(stock - profit, 0.0)


def mean_revenue(mean: np.ndarray, revenue: np.ndarray, t: int) -> np.ndarray:
    """Exponentially weighted mean monthly revenue (W, F); month 0 starts it at its own value."""
    return revenue.copy() if t == 0 else mean + (revenue - mean) / REVENUE_MONTHS


def exits(alive: np.ndarray, stock: np.ndarray, revenue: np.ndarray, reserves: np.ndarray,
          enabled: bool) -> np.ndarray:
    """(W, F) bool: living firms whose unrecovered losses exceed their reserves (``reserves``:
    (F,) months of revenue) at the end of this month."""
    if not enabled:
        return np.zeros_like(alive)
    return alive & (stock > reserves * np.maximum(revenue, 0.0))


__all__ = ["loss_stock", "mean_revenue", "exits", "REVENUE_MONTHS"]
