"""Process 6, the market: buyers audit suppliers and allocate orders across them by price,
quality, reliability and compliance; order shares follow attractiveness with inertia."""

from __future__ import annotations

import numpy as np

from ..params import MarketParams
from ..state import Buyers, COOP, OSH, WORKFORCE

COMPLIANCE_WEIGHTS = {OSH: 0.4, WORKFORCE: 0.3, COOP: 0.3}
"""Compliance with buyers' codes as a weighted mean of practices (assumption)."""


def compliance(practice: np.ndarray) -> np.ndarray:
    """Compliance level [0, 1] of each firm (W, F)."""
    return sum(wt * practice[..., a] for a, wt in COMPLIANCE_WEIGHTS.items())


def attractiveness(defect_ratio: np.ndarray, fill_rate: np.ndarray, comp: np.ndarray,
                   log_rel_price: np.ndarray, m: MarketParams) -> np.ndarray:
    """Score of each firm for buyers (W, F): higher is better."""
    return (-m.weight_quality * (defect_ratio - 1.0) + m.weight_reliability * (fill_rate - 1.0)
            + m.weight_compliance * comp - m.weight_price * log_rel_price)


def target_shares(score: np.ndarray, buyers: Buyers) -> np.ndarray:
    """Each buyer's order shares over its links (W, E), softmax of scores times capacity."""
    x = score[:, buyers.link_firm]
    if x.size == 0:  # no supplier links at all: nothing to allocate
        return x
    top = np.full((x.shape[0], buyers.n), -np.inf)
    np.maximum.at(top, (np.arange(x.shape[0])[:, None], buyers.link_buyer[None, :]), x)
    wgt = buyers.base_share * np.exp(x - top[:, buyers.link_buyer])  # each buyer's best scores 1
    return wgt / _per_buyer(wgt, buyers)


def _per_buyer(values: np.ndarray, buyers: Buyers) -> np.ndarray:
    """Sum over each buyer's links, broadcast back to links (W, E)."""
    W, B = values.shape[0], buyers.n
    key = (np.arange(W)[:, None] * B + buyers.link_buyer[None, :]).ravel()
    tot = np.bincount(key, values.ravel(), minlength=W * B).reshape(W, B)
    return np.maximum(tot[:, buyers.link_buyer], 1e-300)


def audit(share: np.ndarray, comp: np.ndarray, u: np.ndarray, buyers: Buyers,
          m: MarketParams) -> tuple[np.ndarray, np.ndarray]:
    """Audits this month: failed links lose ``audit_cut`` of their share, which the buyer
    reallocates to its other suppliers. Returns new shares and failed audits per link (W, E)."""
    audited = u < buyers.audit_rate[buyers.link_buyer]
    failed = audited & (comp[:, buyers.link_firm] < buyers.requirement[buyers.link_buyer])
    cut = share * np.where(failed, 1.0 - m.audit_cut, 1.0)
    return cut / _per_buyer(cut, buyers), failed


def allocate(share: np.ndarray, target: np.ndarray, demand: np.ndarray, buyers: Buyers,
             n_firms: int, m: MarketParams, link_multiplier: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Move shares toward target and turn them into orders per firm (units/month).
    ``demand`` is (W, B) or (B,); ``link_multiplier`` (E,), if given, scales each link's orders
    (the market's cycle and scripted shocks of the supplier's country and sector). Returns new
    shares (W, E) and orders (W, F)."""
    share = share + m.adjust * (target - share)
    per_link = share * np.broadcast_to(demand, (share.shape[0], buyers.n))[:, buyers.link_buyer]
    if link_multiplier is not None:
        per_link = per_link * link_multiplier
    W = share.shape[0]
    key = (np.arange(W)[:, None] * n_firms + buyers.link_firm[None, :]).ravel()
    orders = np.bincount(key, per_link.ravel(), minlength=W * n_firms).reshape(W, n_firms)
    return share, orders


def drop_exited(share: np.ndarray, alive: np.ndarray, buyers: Buyers) -> np.ndarray:
    """Shares (W, E) with the links of firms that exited (``alive`` (W, F) False) set to 0 and
    each buyer's shares renormalised over its remaining suppliers."""
    kept = share * alive[:, buyers.link_firm]
    return kept / _per_buyer(kept, buyers)

