"""Compiled (numba) kernels of the per-worker workforce step.

They loop over worlds, firms and each firm's contiguous worker slots and do, in two passes over
the workers, what the numpy reference (:func:`scoresim.processes.workforce.workforce_step_numpy`)
does with some thirty whole-array operations, with bit-for-bit the same results:

* every per-worker operation is the same float32 operation in the same order (constants are
  rounded to float32 first, as numpy rounds a Python float meeting a float32 array; no fast-math,
  so no reassociation and no fused multiply-add);
* firm sums reproduce ``numpy.add.reduceat`` on float32: the first element plus numpy's pairwise
  sum of the rest (:func:`reduceat_sum`);
* the days lost to an accident need a float32 ``log1p``, whose numpy implementation may differ
  in the last bit from the C library's (numpy uses its own SIMD code on some processors), so the
  step is split in two kernels and that logarithm is taken by numpy in between, on the month's
  accidents only.

Within a firm, the per-worker arithmetic runs in branch-free loops over the firm's slice, which
the compiler vectorises; events (accidents) are picked out in a second, short loop.
"""

from __future__ import annotations

import numba
import numpy as np

_JIT = dict(nogil=True, cache=True, error_model="numpy")
PW_BLOCKSIZE = 128
"""Block size of numpy's pairwise summation (``PW_BLOCKSIZE`` in numpy's loops_utils.h)."""


@numba.njit(**_JIT)
def pairwise_sum(a: np.ndarray, lo: int, n: int) -> np.float32:
    """Sum of ``a[lo:lo + n]`` (float32) in exactly the order of numpy's pairwise summation."""
    if n < 8:
        res = np.float32(0.0)
        for i in range(lo, lo + n):
            res += a[i]
        return res
    if n <= PW_BLOCKSIZE:
        r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
        r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
        i = 8
        last = n - n % 8
        while i < last:
            j = lo + i
            r0 += a[j]
            r1 += a[j + 1]
            r2 += a[j + 2]
            r3 += a[j + 3]
            r4 += a[j + 4]
            r5 += a[j + 5]
            r6 += a[j + 6]
            r7 += a[j + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[lo + i]
            i += 1
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return pairwise_sum(a, lo, n2) + pairwise_sum(a, lo + n2, n - n2)


@numba.njit(**_JIT)
def reduceat_sum(a: np.ndarray, lo: int, hi: int) -> np.float32:
    """``numpy.add.reduceat`` of the float32 segment ``a[lo:hi]`` (``hi > lo``): its first
    element, plus the pairwise sum of the others."""
    first = a[lo]
    if hi - lo > 1:
        first += pairwise_sum(a, lo + 1, hi - lo - 1)
    return first


@numba.njit(**_JIT)
def slots_tile(start: np.ndarray, managers: np.ndarray, size: np.ndarray, n: int) -> bool:
    """Whether the firms fill the ``n`` worker slots one after the other, in order, each with at
    least one manager and one production worker (the kernels index slots without bounds checks)."""
    end = 0
    for f in range(len(size)):
        if start[f] != end or managers[f] < 1 or managers[f] >= size[f]:
            return False
        end += size[f]
    return end == n and len(size) > 0


@numba.njit(**_JIT)
def largest(size: np.ndarray) -> int:
    """The largest firm's size (scratch arrays hold one firm's workers)."""
    big = 0
    for f in range(len(size)):
        big = max(big, size[f])
    return big


@numba.njit(**_JIT)
def engagement_skill_hazard(engagement, skill, tenure, injured, u_accident, target, growth, hazard,
                            start, size, c):
    """Pass 1, in place: engagement and skill of every worker, then accidents.

    ``engagement``, ``skill``, ``tenure``, ``injured`` are (W, N) float32; ``u_accident`` (1, N)
    or (W, N) float32; ``target``, ``growth``, ``hazard`` the (W, F) float32 firm drivers;
    ``start``, ``size`` (F,) the firms' slots; ``c`` the float32 constants (engagement_speed,
    hazard_new_hire * 6, 1 + hazard_skill, hazard_skill, hazard_scale). Returns the flat (W, N)
    indices of the workers who have an accident (ascending), their ``u_accident / hazard`` and
    the accidents per firm (W, F) float64."""
    W, N = engagement.shape
    hz = np.empty(largest(size), np.float32)
    hits = np.empty(W * N, np.int64)     # at most one accident per worker; untouched pages cost nothing
    ratio = np.empty(W * N, u_accident.dtype)
    accidents = np.zeros((W, len(size)), np.float64)
    n_hit = 0
    for w in range(W):
        e, s, ten, inj = engagement[w], skill[w], tenure[w], injured[w]
        u = u_accident[0] if u_accident.shape[0] == 1 else u_accident[w]
        for f in range(len(size)):
            lo, hi = start[f], start[f] + size[f]
            _engagement_skill_hazard(e[lo:hi], s[lo:hi], ten[lo:hi], target[w, f], growth[w, f], hazard[w, f],
                                     c, hz)
            for i in range(lo, hi):
                if u[i] < hz[i - lo] and inj[i] <= 0:
                    hits[n_hit] = w * N + i
                    ratio[n_hit] = u[i] / hz[i - lo]
                    n_hit += 1
                    accidents[w, f] += 1.0
    return hits[:n_hit].copy(), ratio[:n_hit].copy(), accidents


@numba.njit(**_JIT)
def _engagement_skill_hazard(e, s, tenure, target, growth, hazard, c, hz):
    """One firm's workers (slices, in place): engagement, skill, and each one's accident hazard
    into the scratch array ``hz``."""
    speed, new_hire, base, per_skill, scale = c[0], c[1], c[2], c[3], c[4]
    for j in range(len(e)):
        ev = e[j]
        ev = ev + (target - ev) * speed
        e[j] = ev
        sv = s[j]
        sv = sv + (np.float32(1.0) - sv) * growth
        s[j] = sv
        h = new_hire / (tenure[j] + np.float32(6.0))
        h = ((h + base) - sv * per_skill) * hazard
        hz[j] = h * scale


@numba.njit(**_JIT)
def absence_quits(engagement, skill, tenure, injured, absent, trained, manager, u_quit, absence, quit,
                  start, managers, size, c):
    """Pass 2, in place: injury days, expected sick days (``absent``), quits replaced by hires,
    tenure, and the firm sums.

    Arrays as in :func:`engagement_skill_hazard` (``injured`` with this month's accidents set),
    ``absent`` (W, N) float32, ``trained`` (W, N) bool, ``manager`` (N,) bool, ``u_quit`` (1, N)
    or (W, N) float32, ``absence`` and ``quit`` (W, F) float32 drivers; ``c`` the float32
    constants (working_days, -absence_engagement, 1 + absence_engagement / 2, -quit_engagement,
    1 + quit_engagement / 2, hire_skill, hire_engagement). Returns float32 (W, F) sums: the
    production workers' injury days, sick days and skill, all staff's engagement; and float64
    (W, F) counts of quits and of trained managers who quit."""
    W, F = engagement.shape[0], len(size)
    big = largest(size)
    inj_days, sick_days = np.empty(big, np.float32), np.empty(big, np.float32)   # one firm's
    sums = np.empty((4, W, F), np.float32)
    counts = np.zeros((2, W, F), np.float64)
    for w in range(W):
        e, s, ten, inj, ab, tr = engagement[w], skill[w], tenure[w], injured[w], absent[w], trained[w]
        u = u_quit[0] if u_quit.shape[0] == 1 else u_quit[w]
        for f in range(F):
            lo, mid, hi = start[f], start[f] + managers[f], start[f] + size[f]
            counts[:, w, f] = _absence_quits(e[lo:hi], s[lo:hi], inj[lo:hi], ab[lo:hi], ten[lo:hi], tr[lo:hi],
                                             manager[lo:hi], u[lo:hi], absence[w, f], quit[w, f], c,
                                             inj_days, sick_days)
            sums[0, w, f] = reduceat_sum(inj_days, mid - lo, hi - lo)
            sums[1, w, f] = reduceat_sum(sick_days, mid - lo, hi - lo)
            sums[2, w, f] = reduceat_sum(s, mid, hi)
            sums[3, w, f] = reduceat_sum(e, lo, mid) + reduceat_sum(e, mid, hi)
    return sums[0], sums[1], sums[2], sums[3], counts[0], counts[1]


@numba.njit(**_JIT)
def _absence_quits(e, s, inj, absent, tenure, trained, manager, u, absence, quit, c, inj_days, sick_days):
    """One firm's workers (slices, in place): injury days this month (taken from ``injured``),
    expected sick days, ``absent``, quits replaced by hires, tenure + 1; injury and sick days
    also into the scratch arrays ``inj_days``, ``sick_days``. Returns the numbers of quits and
    of trained managers who quit. Branch-free, so that it vectorises."""
    days, abs_e, abs_c, quit_e, quit_c, hire_s, hire_e = c[0], c[1], c[2], c[3], c[4], c[5], c[6]
    n_quit = 0
    n_lost = 0
    for j in range(len(e)):
        iv = inj[j]
        t = days if days < iv else iv        # numpy.minimum(injured, days)
        ev = e[j]
        x = ((ev * abs_e + abs_c) * absence) * (days - t)
        inj_days[j] = t
        sick_days[j] = x
        absent[j] = x + t
        q = u[j] < (ev * quit_e + quit_c) * quit
        tr = trained[j]
        n_quit += q
        n_lost += q & tr & manager[j]
        inj[j] = np.float32(0.0) if q else iv - t
        tenure[j] = np.float32(1.0) if q else tenure[j] + np.float32(1.0)
        s[j] = hire_s if q else s[j]
        e[j] = hire_e if q else ev
        trained[j] = False if q else tr
    return n_quit, n_lost
