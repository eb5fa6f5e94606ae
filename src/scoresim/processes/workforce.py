"""Process 3, the workforce: engagement, skill, accidents, absence and quits of every worker.

Firm-level drivers are computed first (cheap, one value per firm); the per-worker work is a fixed,
short sequence of float32 operations, done by compiled kernels that loop over each firm's
contiguous slots (:mod:`scoresim.processes.workforce_kernels`) and reproduce, bit for bit, the
whole-array numpy reference :func:`workforce_step_numpy`. Two uniforms per worker and month
(accident and turnover streams) make every worker-level event; conditional on an accident, the
same uniform rescaled gives the days lost (exponential), so no draw depends on the state.
Sickness absence enters the model only through firm totals: each worker's expected sick days are
summed per firm and the firm's binomial variation is added with one standard normal per firm
(absence stream), which pairs the two worlds closely under common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..params import WorkforceParams
from ..state import COOP, OSH, WORKFORCE, Workers

HAZARD, ABSENCE, ENGAGE, QUIT, GROWTH = range(5)
NEW_HIRE_MONTHS = 6.0


@dataclass
class WorkforceOutcome:
    """Firm-level results of the month, arrays (W, F)."""

    absent_days: np.ndarray      # production workers' days absent (sickness and injury)
    skill: np.ndarray            # sum of production workers' skill
    engagement: np.ndarray       # sum of all staff's engagement
    accidents: np.ndarray        # accidents (all staff)
    quits: np.ndarray            # quits replaced by new hires
    trained_managers_lost: np.ndarray  # trained managers who quit


def firm_drivers(practice: np.ndarray, team: np.ndarray, accident_rate: np.ndarray,
                 engagement_mean: np.ndarray, hazard_base: np.ndarray, practice_mean: float,
                 w: WorkforceParams, disillusion: np.ndarray | float = 0.0,
                 exposure: np.ndarray | float = 1.0, alive: np.ndarray | bool = True) -> np.ndarray:
    """(5, W, F) float32 firm-level drivers of worker events: hazard (1/month), absence share,
    engagement target, quit chance (1/month) and skill growth (share of gap/month).

    ``disillusion`` lowers the engagement target (a team broke down); ``exposure`` (hours worked
    per paid hour at capacity) scales the accident hazard; firms not ``alive`` have neither
    accidents nor quits."""
    osh, wfm, coop = practice[..., OSH], practice[..., WORKFORCE], practice[..., COOP]
    target = (w.engagement_base + w.engagement_cooperation * coop + w.engagement_workforce * wfm
              + w.engagement_team * team - w.engagement_accidents * accident_rate - disillusion)
    target = np.clip((1 - w.engagement_peers) * target + w.engagement_peers * engagement_mean, 0, 1)
    out = np.stack([
        hazard_base * np.exp(-w.osh_hazard * (osh - practice_mean)) * exposure * alive,
        w.absence_base * (1.0 - w.absence_workforce * wfm),
        target,
        w.quit_base * (1.0 - w.quit_workforce * wfm) * alive,
        np.minimum(w.skill_growth * (1.0 + w.skill_growth_workforce * wfm), 1.0),
    ])
    return out.astype(np.float32)


def hazard_factor(skill: np.ndarray, tenure: np.ndarray, w: WorkforceParams) -> np.ndarray:
    """Individual hazard multiplier: 1 + hazard_skill * (1 - skill) + hazard_new_hire * h / (h + tenure),
    with h = 6 months, so a new hire's extra risk halves after six months on the job."""
    return 1.0 + w.hazard_skill * (1.0 - skill) + w.hazard_new_hire * NEW_HIRE_MONTHS / (NEW_HIRE_MONTHS + tenure)


def hazard_norm(skill: np.ndarray, tenure: np.ndarray, w: WorkforceParams) -> float:
    """Mean individual hazard factor of a population, to keep the firm rate calibrated."""
    return float(np.mean(hazard_factor(skill, tenure, w)))


def workforce_step(wk: Workers, drivers: np.ndarray, z_absence: np.ndarray, u_accident: np.ndarray,
                   u_quit: np.ndarray, sizes: np.ndarray, bounds: np.ndarray, w: WorkforceParams,
                   hazard_scale: float) -> WorkforceOutcome:
    """Advance every worker one month (state updated in place) and return firm sums.

    ``drivers`` is (5, W, F) from :func:`firm_drivers`, each firm's value applying to its
    ``sizes`` contiguous slots; ``u_*`` are float32 uniforms of shape (N,) or (W, N) and
    ``z_absence`` standard normals of shape (F,) or (W, F); ``bounds`` are the interleaved slot
    offsets [start_f, start_f + managers_f, ...] of firms stored one after the other, each with
    at least one manager and one production worker, so each firm sum comes apart into its
    managers' and its production workers' parts. Same results, bit for bit, as
    :func:`workforce_step_numpy`, several times faster.
    """
    from . import workforce_kernels as kernels  # here, so importing scoresim does not load numba

    starts, managers = np.ascontiguousarray(bounds[0::2]), bounds[1::2] - bounds[0::2]
    if not kernels.slots_tile(starts, managers, sizes, wk.n):
        raise ValueError("workforce_step: firms must occupy the worker slots contiguously, in order, "
                         "with 1 <= managers < size")
    N = wk.n
    c = np.array([w.engagement_speed, w.hazard_new_hire * NEW_HIRE_MONTHS, 1.0 + w.hazard_skill,
                  w.hazard_skill, hazard_scale], np.float32)
    hit, ratio, accidents = kernels.engagement_skill_hazard(
        wk.engagement, wk.skill, wk.tenure, wk.injured, u_accident.reshape(-1, N), drivers[ENGAGE],
        drivers[GROWTH], drivers[HAZARD], starts, sizes, c)
    wk.injured.reshape(-1)[hit] = _days_lost(ratio, w)
    c = np.array([w.working_days, -w.absence_engagement, 1.0 + 0.5 * w.absence_engagement,
                  -w.quit_engagement, 1.0 + 0.5 * w.quit_engagement, w.hire_skill, w.hire_engagement],
                 np.float32)
    injury, sick, skill, engagement, quits, lost = kernels.absence_quits(
        wk.engagement, wk.skill, wk.tenure, wk.injured, wk.absent, wk.trained, wk.manager,
        u_quit.reshape(-1, N), drivers[ABSENCE], drivers[QUIT], starts, managers, sizes, c)
    return WorkforceOutcome(
        absent_days=_absent_days(sick.astype(np.float64), injury, sizes - managers, z_absence, w),
        skill=skill.astype(np.float64), engagement=engagement.astype(np.float64),
        accidents=accidents, quits=quits, trained_managers_lost=lost)


def _days_lost(ratio: np.ndarray, w: WorkforceParams) -> np.ndarray:
    """Days lost to each accident (float32), exponential with mean ``days_lost_mean``, from its
    uniform rescaled to [0, 1) (``ratio`` = u / hazard)."""
    return -w.days_lost_mean * np.log1p(-np.minimum(ratio, 0.999999))


def _absent_days(sick: np.ndarray, injury: np.ndarray, n_prod: np.ndarray, z: np.ndarray,
                 w: WorkforceParams) -> np.ndarray:
    """Production workers' absent days per firm: the sum of their expected sick days ``sick``
    (float64) with the binomial-like firm variation of one standard normal ``z``, plus their
    injury days ``injury``, at most the paid days."""
    paid = n_prod * w.working_days
    sick = np.clip(sick + np.sqrt(sick * np.maximum(1.0 - sick / paid, 0.0)) * z, 0.0, None)
    return np.minimum(sick + injury, paid)


def workforce_step_numpy(wk: Workers, drivers: np.ndarray, z_absence: np.ndarray, u_accident: np.ndarray,
                         u_quit: np.ndarray, sizes: np.ndarray, bounds: np.ndarray, w: WorkforceParams,
                         hazard_scale: float) -> WorkforceOutcome:
    """Reference implementation of :func:`workforce_step` with whole-array numpy operations
    (firm drivers spread to workers with ``np.repeat``, firm sums with ``np.add.reduceat``): the
    readable specification the compiled kernels must reproduce bit for bit (the tests check
    that on varied inputs). Same arguments and results."""
    n_firms = len(sizes)
    spread = lambda k: np.repeat(drivers[k], sizes, axis=1)  # noqa: E731  (W, N)
    e, s, inj = wk.engagement, wk.skill, wk.injured
    W, N = e.shape
    tmp = spread(ENGAGE)
    tmp -= e
    tmp *= w.engagement_speed
    e += tmp
    np.subtract(1.0, s, out=tmp)
    tmp *= spread(GROWTH)
    s += tmp
    # accidents: individual hazard from the firm's, missing skill and new-hire status
    hz = np.add(wk.tenure, NEW_HIRE_MONTHS)
    np.divide(np.float32(w.hazard_new_hire * NEW_HIRE_MONTHS), hz, out=hz)
    hz += 1.0 + w.hazard_skill
    np.multiply(s, w.hazard_skill, out=tmp)
    hz -= tmp
    hz *= spread(HAZARD)
    hz *= hazard_scale
    hit = np.flatnonzero((u_accident < hz) & (inj <= 0))
    ua = _pick(u_accident, hit, N)
    inj.reshape(-1)[hit] = _days_lost(ua / hz.reshape(-1)[hit], w)
    # absence: injury days, then expected sick days over the days not lost to injury
    np.minimum(inj, w.working_days, out=tmp)
    inj -= tmp
    injury_days = np.add.reduceat(tmp, bounds, axis=1)
    pa = np.multiply(e, -w.absence_engagement, out=wk.absent)
    pa += 1.0 + 0.5 * w.absence_engagement
    pa *= spread(ABSENCE)
    pa *= np.subtract(w.working_days, tmp, out=hz)
    sick = np.add.reduceat(pa, bounds, axis=1)[:, 1::2].astype(np.float64)
    pa += tmp                                       # each worker's expected absent days
    # quits: replaced by a new hire in the same slot
    q = np.multiply(e, -w.quit_engagement, out=tmp)
    q += 1.0 + 0.5 * w.quit_engagement
    q *= spread(QUIT)
    left = np.flatnonzero(u_quit < q)
    slot = left % N
    lost_manager = wk.manager[slot] & wk.trained.reshape(-1)[left]
    for arr, value in ((wk.skill, w.hire_skill), (wk.engagement, w.hire_engagement),
                       (wk.tenure, 0.0), (wk.injured, 0.0), (wk.trained, False)):
        arr.reshape(-1)[left] = value
    wk.tenure += 1.0
    skill = np.add.reduceat(s, bounds, axis=1)
    engagement = np.add.reduceat(e, bounds, axis=1)
    key_hit = (hit // N) * n_firms + wk.firm[hit % N]
    key_left = (left // N) * n_firms + wk.firm[slot]
    count = lambda k, wts=None: np.bincount(k, wts, minlength=W * n_firms).reshape(W, n_firms)  # noqa: E731
    return WorkforceOutcome(
        absent_days=_absent_days(sick, injury_days[:, 1::2], sizes - (bounds[1::2] - bounds[0::2]),
                                 z_absence, w),
        skill=skill[:, 1::2].astype(np.float64),
        engagement=(engagement[:, 0::2] + engagement[:, 1::2]).astype(np.float64),
        accidents=count(key_hit).astype(np.float64),
        quits=count(key_left).astype(np.float64),
        trained_managers_lost=count(key_left, lost_manager.astype(float)).astype(np.float64),
    )


def _pick(u: np.ndarray, flat_idx: np.ndarray, n: int) -> np.ndarray:
    """Values of a (N,) or (W, N) uniform array at flat (W, N) indices."""
    return u[flat_idx % n] if u.ndim == 1 else u.reshape(-1)[flat_idx]


def train(wk: Workers, world: int, slots: np.ndarray, w: WorkforceParams) -> None:
    """Classroom participants in ``world``: trained, with a skill and engagement gain (in place)."""
    wk.trained[world, slots] = True
    wk.skill[world, slots] = np.minimum(wk.skill[world, slots] + w.classroom_skill, 1.0)
    wk.engagement[world, slots] = np.minimum(wk.engagement[world, slots] + w.classroom_engagement, 1.0)
