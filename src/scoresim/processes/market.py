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


def target_shares(score: np.ndarray, buyers: Buyers,
                  elsewhere: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Each buyer's order shares over its links (W, E), softmax of scores times capacity. With
    ``elsewhere`` = (weight, score), each (B,), the buyer also buys from suppliers outside the
    population, with weight ``weight * exp(score)`` (:func:`elsewhere_weights`): the links'
    shares then sum to less than 1, the rest is bought elsewhere."""
    x = score[:, buyers.link_firm]
    if x.size == 0:  # no supplier links at all: nothing to allocate
        return x
    top = np.full((x.shape[0], buyers.n), -np.inf)
    np.maximum.at(top, (np.arange(x.shape[0])[:, None], buyers.link_buyer[None, :]), x)
    wgt = buyers.base_share * np.exp(x - top[:, buyers.link_buyer])  # each buyer's best scores 1
    total = _per_buyer(wgt, buyers)
    if elsewhere is not None:
        weight, away = elsewhere
        with np.errstate(invalid="ignore", over="ignore"):   # buyers without suppliers: top is -inf
            total = total + (weight * np.exp(away - top))[:, buyers.link_buyer]
    return wgt / total


def mean_score(score: np.ndarray, buyers: Buyers) -> np.ndarray:
    """(B,) each buyer's mean of its suppliers' scores (``score`` (F,)), weighted by base share."""
    return np.bincount(buyers.link_buyer, buyers.base_share * score[buyers.link_firm], minlength=buyers.n)


def elsewhere_weights(score: np.ndarray, buyers: Buyers, share: float, noise: float = 0.0,
                      weight_quality: float = 0.0) -> np.ndarray:
    """(B,) weights of what each buyer buys outside the population such that, at the scores
    ``score`` (F,) of the start, a ``share`` of its purchases is bought there from suppliers that
    score its suppliers' mean (:func:`mean_score`). The suppliers' month-to-month defect noise
    (log-sd ``noise``, scored at ``weight_quality``) raises the weight of their softmax on
    average; the elsewhere weight carries the same expected factor, so the share holds."""
    x = score[buyers.link_firm]
    mean = mean_score(score, buyers)
    spread = np.bincount(buyers.link_buyer, buyers.base_share * np.exp(x - mean[buyers.link_buyer]),
                         minlength=buyers.n)
    return share / (1.0 - share) * spread * noise_factor(noise, weight_quality)


def noise_factor(noise: float, weight_quality: float) -> float:
    """E[exp(-weight_quality * (exp(noise * z - noise^2 / 2) - 1))], z standard normal: the mean
    multiplier of a supplier's softmax weight from its defect noise (Gauss-Hermite, 40 nodes)."""
    if noise == 0.0 or weight_quality == 0.0:
        return 1.0
    z, w = np.polynomial.hermite_e.hermegauss(40)
    return float(np.sum(w * np.exp(-weight_quality * (np.exp(noise * z - noise**2 / 2) - 1.0))) / np.sqrt(2 * np.pi))


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
    return _renormalise(cut, share, buyers, m.elsewhere_share > 0), failed


def _renormalise(new: np.ndarray, old: np.ndarray, buyers: Buyers, keep_total: bool) -> np.ndarray:
    """``new`` shares scaled per buyer to sum to 1, or with ``keep_total`` to what ``old`` summed to."""
    if keep_total:
        return new * (_per_buyer(old, buyers) / _per_buyer(new, buyers))
    return new / _per_buyer(new, buyers)


def allocate(share: np.ndarray, target: np.ndarray, demand: np.ndarray, buyers: Buyers,
             n_firms: int, m: MarketParams, link_multiplier: np.ndarray | None = None,
             capacity: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Move shares toward target and turn them into orders per firm (units/month).
    ``demand`` is (W, B) or (B,); ``link_multiplier`` (E,), if given, scales each link's orders
    (the market's cycle and scripted shocks of the supplier's country and sector); with
    ``capacity`` (W, F), good units each supplier can make, buyers place no more than that
    (:func:`place`). Returns new shares (W, E) and orders (W, F)."""
    share = share + m.adjust * (target - share)
    if m.elsewhere_share > 0:          # the buyers' whole purchases: the population's part is 1 - elsewhere
        demand = demand / (1.0 - m.elsewhere_share)
    per_link = share * np.broadcast_to(demand, (share.shape[0], buyers.n))[:, buyers.link_buyer]
    if link_multiplier is not None:
        per_link = per_link * link_multiplier
    if capacity is not None:
        per_link = place(per_link, share, capacity, buyers)
    return share, _per_firm(per_link, buyers.link_firm, n_firms)


PLACE_ROUNDS = 3
"""Rounds in which buyers offer what suppliers at capacity refused to their other suppliers."""


def place(wanted: np.ndarray, share: np.ndarray, capacity: np.ndarray, buyers: Buyers) -> np.ndarray:
    """Orders per link (W, E) that respect each supplier's ``capacity`` (W, F), good units: a
    supplier asked for more takes each link's order in proportion; each buyer offers what was
    refused to its suppliers with room left, in proportion to its shares, for
    :data:`PLACE_ROUNDS` rounds; what is left the buyers buy elsewhere."""
    W, F = capacity.shape
    lf, lb = buyers.link_firm, buyers.link_buyer
    asked = _per_firm(wanted, lf, F)
    with np.errstate(divide="ignore", invalid="ignore"):
        take = np.where(asked > capacity, capacity / np.where(asked > 0, asked, 1.0), 1.0)
    placed = wanted * take[:, lf]
    left = _per_buyer_sum(wanted - placed, lb, buyers.n)
    for _ in range(PLACE_ROUNDS):
        room = np.maximum(capacity - _per_firm(placed, lf, F), 0.0)
        if not (left > 1e-9).any():
            break
        weight = share * (room[:, lf] > 1e-9)
        total = _per_buyer_sum(weight, lb, buyers.n)
        offer = np.where(total[:, lb] > 0, left[:, lb] * weight / np.where(total[:, lb] > 0, total[:, lb], 1.0), 0.0)
        offered = _per_firm(offer, lf, F)
        with np.errstate(divide="ignore", invalid="ignore"):
            fit = np.where(offered > room, room / np.where(offered > 0, offered, 1.0), 1.0)
        got = offer * fit[:, lf]
        placed = placed + got
        left = np.maximum(left - _per_buyer_sum(got, lb, buyers.n), 0.0)
    return placed


def _per_firm(per_link: np.ndarray, link_firm: np.ndarray, n_firms: int) -> np.ndarray:
    """Sum of link values (W, E) per supplier (W, F)."""
    W = per_link.shape[0]
    key = (np.arange(W)[:, None] * n_firms + link_firm[None, :]).ravel()
    return np.bincount(key, per_link.ravel(), minlength=W * n_firms).reshape(W, n_firms)


def _per_buyer_sum(per_link: np.ndarray, link_buyer: np.ndarray, n_buyers: int) -> np.ndarray:
    """Sum of link values (W, E) per buyer (W, B)."""
    return _per_firm(per_link, link_buyer, n_buyers)


def drop_exited(share: np.ndarray, alive: np.ndarray, buyers: Buyers, keep_total: bool = False) -> np.ndarray:
    """Shares (W, E) with the links of firms that exited (``alive`` (W, F) False) set to 0 and
    each buyer's shares renormalised over its remaining suppliers (to what they summed to
    before with ``keep_total``)."""
    kept = share * alive[:, buyers.link_firm]
    return _renormalise(kept, share, buyers, keep_total)

