"""Who enrols: the enrolment propensity that scenario runs (:mod:`scoresim.modules`) and the
scale-up planner's uptake (:mod:`scoresim.scaleup.plan`) share.

A firm's enrolment weight in month ``t`` is ``exp(strength * (commitment * z_c + dip * z_d(t)))``:
``z_c`` is the standard score of its management commitment and ``z_d(t)`` the standard score of
the shortfall of its recent performance (the mean of its exogenous shocks over the last
``dip_months`` months, :func:`scoresim.processes.shocks.performance`, with the sign turned so
that a bad spell scores high), both across the eligible firms. Firms that had a bad spell
enrol more: the Ashenfelter dip, which the mean reversion of the shocks then "repairs" in a
before/after comparison. Strength 0 gives every firm weight 1: a uniform draw.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .params import SelectionParams


def standard_scores(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(F,) standard scores of ``x`` over the firms in ``mask`` (0 outside it, or where x does
    not vary)."""
    out = np.zeros(len(x))
    if mask.sum() < 2:
        return out
    v = x[mask]
    sd = v.std()
    if sd > 0:
        out[mask] = (v - v.mean()) / sd
    return out


def dip_scores(perf: np.ndarray, t: int, months: int, mask: np.ndarray) -> np.ndarray:
    """(F,) standard scores of the shortfall of each firm's performance over months
    [t - months, t) (as many as have passed; 0 in month 0)."""
    a = max(t - months, 0)
    if t <= a:
        return np.zeros(perf.shape[1])
    return standard_scores(-perf[a:t].mean(axis=0), mask)


def log_weights(commitment: np.ndarray, perf: np.ndarray | None, t: int, mask: np.ndarray,
                s: SelectionParams) -> np.ndarray:
    """(F,) log enrolment weights of month ``t`` (0 everywhere at strength 0)."""
    if s.strength == 0.0:
        return np.zeros(len(commitment))
    lw = s.commitment * standard_scores(commitment, mask)
    if s.dip and perf is not None:
        lw = lw + s.dip * dip_scores(perf, t, s.dip_months, mask)
    return s.strength * lw


def draw_cohorts(exp_keys: np.ndarray, candidates: np.ndarray, months: np.ndarray, size: int, n: int,
                 weights: Callable[[int], np.ndarray], first: np.ndarray | None = None) -> np.ndarray:
    """Draw ``n`` participants from ``candidates`` in cohorts of ``size``, cohort k in month
    ``months[k]`` (non-decreasing), each by weighted sampling without replacement (Efraimidis
    and Spirakis 2006: the smallest keys ``Exp(1) / weight``). ``weights(t)`` gives the (F,) log
    weights of month ``t``; firms in ``first`` (bool, (F,)) are taken before any other. Returns
    the chosen firms in the order drawn (cohort k is entries [k * size, (k + 1) * size)).

    Cohorts of the same month share its weights, so they are drawn together (one sort per
    month); with weights that do not change over time the draw equals one sort of the keys, so
    constant weights of 0 give the uniform draw in the order of ``exp_keys``."""
    remaining = np.asarray(candidates)
    chosen: list[np.ndarray] = []
    taken, k = 0, 0
    months = np.asarray(months)
    while k < len(months) and taken < n and len(remaining):
        same = int(np.searchsorted(months, months[k], side="right")) - k     # cohorts of this month
        take = min(size * same, n - taken)
        key = exp_keys[remaining] * np.exp(-weights(int(months[k]))[remaining])
        order = np.lexsort((key, ~first[remaining])) if first is not None else np.argsort(key, kind="stable")
        chosen.append(remaining[order[:take]])
        remaining = remaining[np.sort(order[take:])]
        taken += take
        k += same
    return np.concatenate(chosen) if chosen else np.zeros(0, np.int64)


__all__ = ["standard_scores", "dip_scores", "log_weights", "draw_cohorts"]
