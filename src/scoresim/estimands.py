"""Three estimands of what the programme did, each a pure function of window means.

* **reported** (monitoring): what the participants that report would tell the programme, their
  self-reported before/after change (:mod:`scoresim.observation`), averaged over reporters;
* **did** (evaluation): what an evaluator who surveys participants and non-participants in the
  same markets would estimate by difference in differences on the recorded (true) panel:
  for each surviving participant, the change of its log indicator from its before- to its
  after-window less the mean change of the surviving non-participants of its country and sector
  (its sector, or all, when its market has none) over the same calendar months, averaged over
  participants and turned back into a relative change. Staggered enrolment is handled by
  matching calendar windows participant by participant, not by a two-way fixed-effects model;
* **causal**: the participants in the programme world against the same firms in the world
  without the programme, over the same after-window, among participants that survive in both
  worlds: ``exp(mean log(after / after_counterfactual)) - 1``.

Practice indicators (adoption) use differences in points instead of logs; rare events
(accidents) use ratios of counts summed over firms (non-participants' counts scaled to each
participant's workforce). With no selection and no spillovers between firms, the comparison
firms' changes are draws of the participants' counterfactual changes, so ``did`` estimates
``causal`` without bias; selection on commitment or on a dip, and orders that participants win
from non-participants, bias it (docs/estimands.md).
"""

from __future__ import annotations

import numpy as np

from .indicators import cumulative, window_means_at
from .numerics import quiet

ESTIMANDS: dict[str, str] = {"reported": "mean_reported_change", "did": "did_estimate", "causal": "effect"}
"""Estimand name -> variable (replicate, indicator) of the run dataset."""

ESTIMAND_LABELS: dict[str, str] = {
    "reported": "reported by participants (monitoring)",
    "did": "difference in differences (evaluator)",
    "causal": "causal effect (against the counterfactual)",
}


def relative_mean(ratio: np.ndarray, axis: int = -1) -> np.ndarray:
    """``exp(mean log ratio) - 1`` over ``axis``, ignoring NaN and non-positive ratios."""
    with quiet():
        return np.expm1(np.nanmean(np.log(np.where(ratio > 0, ratio, np.nan)), axis=axis))


def monitoring(before: np.ndarray, after: np.ndarray, reporting: np.ndarray, kind: str, pooled: bool,
               direction: int, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reported levels (R, K) of one indicator -> per firm reported change (NaN for firms that
    do not report or cannot report a relative change), whether it reports an improvement, and
    the mean change over reporters (R,) (pooled: ratio of sums)."""
    with quiet():
        if kind == "points":
            change = after - before
        else:
            change = np.where(before > 0, after / before - 1.0, np.nan)
        change = np.where(reporting, change, np.nan)
        improved = np.nan_to_num(direction * change, nan=-np.inf) > threshold
        if pooled:
            mean = np.where(reporting, after, 0).sum(-1) / np.where(reporting, before, 0).sum(-1) - 1.0
        else:
            mean = np.nanmean(change, axis=-1)
    return change, improved & reporting, mean


def causal(after: np.ndarray, after_cf: np.ndarray, valid: np.ndarray, kind: str,
           pooled: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per firm effect (R, K) (relative or points; NaN where not ``valid``) and its aggregate
    over valid firms (R,)."""
    with quiet():
        if kind == "points":
            firm = np.where(valid, after - after_cf, np.nan)
            return firm, np.nanmean(firm, axis=-1)
        ratio = np.where(valid & (after_cf > 0), after / after_cf, np.nan)
        if pooled:
            agg = np.where(valid, after, 0).sum(-1) / np.where(valid, after_cf, 0).sum(-1) - 1.0
        else:
            agg = relative_mean(ratio)
        return ratio - 1.0, agg


def comparison_weights(alive: np.ndarray, cell_p: np.ndarray, cell_c: np.ndarray, sector_p: np.ndarray,
                       sector_c: np.ndarray) -> np.ndarray:
    """(R, P, C) weights of comparison firms for each participant: the surviving ones
    (``alive`` (R, P, C)) of its market, else of its sector, else all."""
    w = alive & (cell_p[:, None] == cell_c[None, :])[None]
    none = ~w.any(-1, keepdims=True)
    w = np.where(none, alive & (sector_p[:, None] == sector_c[None, :])[None], w)
    none = ~w.any(-1, keepdims=True)
    return np.where(none, alive, w).astype(float)


def did(x_p: tuple[np.ndarray, np.ndarray], cs_c: np.ndarray, before: np.ndarray, after: np.ndarray,
        length: int, weights: np.ndarray, kind: str, pooled: bool, size_p: np.ndarray,
        size_c: np.ndarray, areas: tuple[np.ndarray, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Difference in differences of one indicator for one block of participants.

    ``x_p``: participants' (before, after) window means (R, P); ``cs_c``: the comparison firms'
    cumulative panel (R, T + 1, C) (or (R, T + 1, C * 5) by area for practice, with ``areas`` =
    (taken (P, 5), 5)); ``before`` (P,) and ``after`` (R, P): window starts; ``weights``
    (R, P, C). Returns per participant terms (R, P) and, for pooled indicators, the comparison's
    expected (before, after) counts scaled to each participant (else None) as the second item
    stacked (2, R, P)."""
    R = after.shape[0]
    b_c = window_means_at(cs_c, np.broadcast_to(before, (R, len(before))), length)
    a_c = window_means_at(cs_c, after, length)
    if areas is not None:
        taken, n_areas = areas
        share = taken / np.maximum(taken.sum(-1, keepdims=True), 1)
        b_c = (b_c.reshape(R, len(before), -1, n_areas) * share[None, :, None, :]).sum(-1)
        a_c = (a_c.reshape(R, len(before), -1, n_areas) * share[None, :, None, :]).sum(-1)
    bp, ap = x_p
    with quiet():
        if kind == "points":
            trend = (weights * (a_c - b_c)).sum(-1) / weights.sum(-1)
            return (ap - bp) - trend, np.full((2, R, len(before)), np.nan)
        if pooled:
            per_worker = lambda v: (weights * v).sum(-1) / (weights * size_c).sum(-1)  # noqa: E731
            expected = np.stack([per_worker(b_c), per_worker(a_c)]) * size_p
            return np.full(ap.shape, np.nan), expected
        ok = (b_c > 0) & (a_c > 0)
        w = weights * ok
        trend = (w * np.log(np.where(ok, a_c / np.where(ok, b_c, 1.0), 1.0))).sum(-1) / w.sum(-1)
        return np.log(np.where((bp > 0) & (ap > 0), ap / bp, np.nan)) - trend, np.full((2, R, len(before)), np.nan)


def did_aggregate(terms: np.ndarray, expected: np.ndarray, x_p: tuple[np.ndarray, np.ndarray],
                  valid: np.ndarray, kind: str, pooled: bool) -> np.ndarray:
    """The evaluator's estimate (R,) from the per participant terms of :func:`did`."""
    with quiet():
        if kind == "points":
            return np.nanmean(np.where(valid, terms, np.nan), axis=-1)
        if pooled:
            bp, ap = x_p
            mine = np.where(valid, ap, 0).sum(-1) / np.where(valid, bp, 0).sum(-1)
            theirs = np.where(valid, expected[1], 0).sum(-1) / np.where(valid, expected[0], 0).sum(-1)
            return mine / theirs - 1.0
        return np.expm1(np.nanmean(np.where(valid, terms, np.nan), axis=-1))


__all__ = ["ESTIMANDS", "ESTIMAND_LABELS", "relative_mean", "monitoring", "causal", "comparison_weights",
           "did", "did_aggregate", "cumulative"]
