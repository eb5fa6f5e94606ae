"""The delivery plan of a scale-up: budget, trainers, firms' decisions to enrol, and who is
served when. Its result is a :class:`~scoresim.modules.Schedule` the agent-based model runs.

Each month, in this order:

1. **Budget.** At the start of a year the year's budget is released (unspent money stays when
   ``budget.carry_over``). In the first month it operates each year, the programme commits its
   fixed cost for the months it operates that year.
2. **Trainers.** Active trainers leave at the monthly attrition rate; trainees who started
   ``tot_lag_months`` ago join, the certified share of them. The programme trains new trainers
   (paid from the budget, within course places) to fill the trainer posts of its institutions.
   Trainers are an expected-value pool, not agents.
3. **Capacity.** Firm-modules that may start this month: active trainers x
   ``modules_per_trainer_year`` / 12 (fractions carried to the next month).
4. **Applications.** Each eligible firm not yet applied accumulates an application hazard
   (base rate x fee factor x buyer pressure x peers x outreach, the best offer of the active
   strategies, times the enrolment weight of :mod:`scoresim.selection` that scenario runs use:
   more for committed firms and after a bad spell) and applies when the sum passes its Exp(1)
   threshold, drawn once per firm.
5. **Enrolment.** Each strategy serves its applicants in its order (targeted first if it says
   so, then by application month, then a random key), as long as its share of the money
   commits the firm's whole package of programme-paid modules and its share of the new-firm
   capacity (``new_firm_share`` of the month's, split by the strategies' budget shares) lasts.
   Serving stops at the first applicant that does not fit.
6. **Further modules.** Enrolled firms' next modules start when due (``1 + visit_months +
   gap_months`` after the last), first due first, in the capacity left; a module that finds
   no trainer waits for the next month.

Why new firms have a fixed share of capacity: it keeps a plan's reach monotone in its budget
(more money never reaches fewer firms, a tested property). Serving further modules first would
leave no trainer idle, but then more money, which enrols more firms early, brings more further
modules later that crowd out new firms, and some plans reach fewer firms with more money; so
does letting one strategy use the new-firm capacity another leaves (randomised tests found
both).

All random numbers are drawn up front from the ``uptake`` stream, one fixed-shape array per
use, so plans under different budgets or strategies pair firm by firm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..modules import Schedule, eligible, sponsored_firms, spread_visits
from ..params import AREAS, month_index
from ..selection import log_weights
from ..state import Buyers, Firms, N_AREAS
from .params import PlanConfig, StrategyParams

SERIES: dict[str, tuple[str, str]] = {
    # name: (units, long name); monthly values of the plan
    "budget_released": ("USD/month", "programme budget released"),
    "committed": ("USD/month", "programme money committed (fixed costs, trainer training, firms' packages)"),
    "spend_overhead": ("USD/month", "programme spending on fixed costs"),
    "spend_tot": ("USD/month", "programme spending on training trainers"),
    "spend_modules": ("USD/month", "programme spending on modules"),
    "spend_firms": ("USD/month", "fees paid by firms"),
    "spend_sponsors": ("USD/month", "fees paid by sponsoring buyers"),
    "firms_reached": ("firms/month", "firms starting Module 1"),
    "workers_reached": ("workers/month", "workers of firms starting Module 1"),
    "modules_delivered": ("firm-modules/month", "modules started (workshops, one firm one module)"),
    "capacity_modules": ("firm-modules/month", "modules the active trainers can start"),
    "capacity_new": ("firm-modules/month", "of which firms starting Module 1 may take at most"),
    "trainers_active": ("trainers", "certified trainers active"),
    "trainees": ("trainees/month", "trainees starting training of trainers"),
    "trainer_posts": ("trainers", "trainer posts of the institutions"),
    "applications": ("firms/month", "firms applying"),
    "queue": ("firms", "applicants waiting at the end of the month"),
}


@dataclass
class UptakeDraws:
    """Per-firm random numbers of the plan, drawn once (fixed shapes whatever the config)."""

    threshold: np.ndarray   # (F,) Exp(1): a firm applies when its cumulative hazard passes it
    key: np.ndarray         # (F,) uniform: order among equal applicants
    extra: np.ndarray       # (F, 4) uniform: further modules wanted, Binomial(4, p) by comparison
    taste: np.ndarray       # (F, 5) uniform: module preference beside need
    stay: np.ndarray        # (F, 5) uniform: continues to the module when >= dropout

    @classmethod
    def draw(cls, n: int, rng: np.random.Generator) -> "UptakeDraws":
        return cls(rng.exponential(1.0, n), rng.random(n), rng.random((n, 4)), rng.random((n, N_AREAS)),
                   rng.random((n, N_AREAS)))


@dataclass
class Allocation:
    """What the planner varies: budget shares across strategies, the modules funded per firm
    (None: each strategy's own) and the target sectors of sector strategies (None: their own)."""

    weights: dict[str, float]
    modules_funded: int | None = None
    target_sectors: list[str] | None = None
    budget_level: float = 1.0

    def describe(self) -> str:
        parts = [f"{k} {v:.0%}" for k, v in self.weights.items() if v > 0]
        if self.modules_funded is not None:
            parts.append(f"{self.modules_funded} module(s) funded")
        if self.target_sectors is not None:
            parts.append("sectors " + "+".join(self.target_sectors))
        return ", ".join(parts)


@dataclass
class Plan:
    """A delivery plan: the schedule for the model and the plan's monthly series."""

    schedule: Schedule
    series: dict[str, np.ndarray]


@dataclass
class _Channel:
    """A strategy as the plan applies it."""

    s: StrategyParams
    weight: float
    targeted: np.ndarray       # (F,) bool
    funded: int



def pressure(firms: Firms, buyers: Buyers) -> np.ndarray:
    """(F,) buyer pressure: share of a firm's buyers that sponsor SCORE plus half the share of
    its buyers whose compliance requirement its baseline practices fall short of."""
    from ..processes.market import compliance

    comp = compliance(firms.practice0[None])[0]
    lf, lb = buyers.link_firm, buyers.link_buyer
    degree = np.maximum(np.bincount(lf, minlength=firms.n), 1)
    sponsor = np.bincount(lf, buyers.sponsor[lb].astype(float), minlength=firms.n)
    short = np.bincount(lf, (comp[lf] < buyers.requirement[lb]).astype(float), minlength=firms.n)
    return (sponsor + 0.5 * short) / degree


def targeted(cfg: PlanConfig, s: StrategyParams, firms: Firms, sponsored: np.ndarray,
             sectors: list[str] | None = None) -> np.ndarray:
    """(F,) bool: firms a strategy's outreach is aimed at."""
    names = list(cfg.population.sectors)
    if s.target == "all":
        return np.ones(firms.n, bool)
    if s.target == "sponsored_suppliers":
        return sponsored.copy()
    if s.target == "sectors":
        return np.isin(firms.sector, [names.index(x) for x in (sectors or s.target_sectors)])
    rates = np.array([v.accidents_per_100_year for v in cfg.population.sectors.values()])
    return rates[firms.sector] > np.median(rates)


def module_order(cfg: PlanConfig, s: StrategyParams, practice0: np.ndarray, taste: np.ndarray) -> np.ndarray:
    """(F, 5) areas in the order a firm takes them (offered areas first): Module 1 first when
    offered and required, then the strategy's ``modules_first``, then by need and taste."""
    offered = np.array([a in cfg.programme.modules for a in AREAS])
    key = cfg.uptake.need_weight * practice0 + taste
    key = np.where(offered, key, np.inf)
    for rank, area in enumerate(reversed(s.modules_first)):
        key[:, AREAS.index(area)] = -10.0 - rank
    if cfg.programme.module1_first and offered[0]:
        key[:, 0] = -100.0
    return np.argsort(key, axis=1, kind="stable")


def build_plan(cfg: PlanConfig, firms: Firms, buyers: Buyers, draws: UptakeDraws, alloc: Allocation,
               scale: float = 1.0, perf: np.ndarray | None = None) -> Plan:
    """Simulate the delivery plan month by month (see the module docstring).

    ``scale`` < 1 runs a sample of firms: budget, fixed costs, the cost of training a trainer
    and each trainer's throughput are multiplied by it, so the plan is the full plan in miniature.
    ``perf`` (T, F) is the firms' exogenous performance (the model's
    :meth:`~scoresim.model.ScoreModel.performance`): firms apply more after a bad spell, as in
    scenario runs (:mod:`scoresim.selection`).
    """
    return _Planner(cfg, firms, buyers, draws, alloc, scale, perf).run()


class _Planner:
    """State of one plan while it is simulated; :meth:`run` returns the :class:`Plan`."""

    def __init__(self, cfg: PlanConfig, firms: Firms, buyers: Buyers, draws: UptakeDraws, alloc: Allocation,
                 scale: float, perf: np.ndarray | None = None) -> None:
        self.cfg, self.f, self.d, self.scale, self.perf = cfg, firms, draws, scale, perf
        T, F = cfg.time.months, firms.n
        self.T, self.F = T, F
        self.sponsored = sponsored_firms(firms, buyers)
        self.eligible = eligible(cfg, firms)
        self.pressure = pressure(firms, buyers)
        total = sum(max(w, 0.0) for w in alloc.weights.values())
        names = list(cfg.strategies)
        self.channels: list[_Channel] = []
        for name in names:
            w = max(alloc.weights.get(name, 0.0), 0.0) / total if total > 0 else 0.0
            s = cfg.strategies[name]
            self.channels.append(_Channel(s, w, targeted(cfg, s, firms, self.sponsored, alloc.target_sectors),
                                          alloc.modules_funded or s.modules_funded))
        self.budget = [b * alloc.budget_level * scale for b in cfg.budget.released(cfg.years)]
        prog = cfg.programme
        self.first = month_index(cfg.time.start, prog.enrol_start)
        self.last_enrol = month_index(cfg.time.start, prog.enrol_end)
        self.period = 1 + prog.visit_months + prog.gap_months
        self.series = {k: np.zeros(T) for k in SERIES}
        # firm state
        self.hazard = np.zeros(F)
        self.applied = np.full(F, -1)        # month applied, -1: not yet
        self.channel = np.full(F, -1)        # strategy that serves the firm
        self.enrolled = np.zeros(F, bool)
        self.start = np.full((F, N_AREAS), -1, np.int64)
        self.order = np.zeros((F, N_AREAS), np.int64)
        self.n_mod = np.zeros(F, np.int64)   # modules the firm will take (package)
        self.next = np.zeros(F, np.int64)    # modules started so far
        self.due = np.full(F, np.iinfo(np.int64).max)
        self.share_firm = np.zeros(F)
        self.share_sponsor = np.zeros(F)
        # money (cumulative USD) and trainers
        self.released = self.committed_fixed = 0.0
        self.committed_pkg = np.zeros(len(self.channels))
        self.base = (0.0, 0.0, np.zeros(len(self.channels)))  # offsets when money does not carry over
        self.active = cfg.capacity.trainers_start
        self.arrivals = np.zeros(T + cfg.capacity.tot_lag_months + 1)
        self.cap_cum = 0.0
        self.overhead_month = 0.0
        sector_n = np.bincount(firms.sector[self.eligible], minlength=len(cfg.population.sectors))
        self.sector_eligible = np.maximum(sector_n, 1)

    # ------------------------------------------------------------------ the month
    def run(self) -> Plan:
        for t in range(self.T):
            self._money(t)
            cap = self._capacity(t)
            if self.first <= t <= self.last_enrol:
                self._applications(t)
                cap -= self._enrol(t, int(self.series["capacity_new"][t]))
            self._further_modules(t, cap)
            self.series["queue"][t] = int(((self.applied >= 0) & ~self.enrolled).sum())
        return self._plan()

    def _money(self, t: int) -> None:
        """Release the year's budget; commit and pay the fixed cost of the months operated."""
        c, y = self.cfg, t // 12
        if t % 12 == 0 and y < len(self.budget):
            if not c.budget.carry_over:
                self.base = (self.released, self.committed_fixed, self.committed_pkg.copy())
            self.released += self.budget[y]
            self.series["budget_released"][t] = self.budget[y]
        operating = t >= self.first
        if operating and (t % 12 == 0 or t == self.first):
            months = min(12 - t % 12, self.T - t)
            want = c.costs.overhead_usd_per_year * self.scale * months / 12.0
            fixed = min(want, max(self._free(), 0.0))
            self.committed_fixed += fixed
            self.series["committed"][t] += fixed
            self.overhead_month = fixed / months
        if operating:
            self.series["spend_overhead"][t] = self.overhead_month

    def _free(self) -> float:
        """Money not yet committed (USD)."""
        r0, f0, p0 = self.base
        return (self.released - r0) - (self.committed_fixed - f0) - (self.committed_pkg.sum() - p0.sum())

    def _capacity(self, t: int) -> int:
        """Trainers leave, join and are trained; returns the firm-modules that may start."""
        cap = self.cfg.capacity
        self.active = self.active * (1.0 - cap.attrition_per_month) + self.arrivals[t]
        y = t // 12
        posts = min(cap.institutions_start + cap.institutions_added_per_year * y, cap.institutions_max) \
            * cap.trainers_per_institution
        if t >= self.first:
            intake = self._intake(t, posts)
            self.arrivals[t + cap.tot_lag_months] += cap.certification * intake
        self.series["trainers_active"][t] = self.active
        self.series["trainer_posts"][t] = posts
        before = self.cap_cum
        self.cap_cum += self.active * cap.modules_per_trainer_year * self.scale / 12.0
        n = int(np.floor(self.cap_cum + 1e-9) - np.floor(before + 1e-9))
        self.series["capacity_modules"][t] = n
        self.series["capacity_new"][t] = np.floor(n * cap.new_firm_share + 1e-9)
        return n

    def _intake(self, t: int, posts: float) -> int:
        """Trainees to start this month: enough to fill the institutions' trainer posts (counting
        the certified share of those in training), within course places and the money left."""
        c, cap = self.cfg, self.cfg.capacity
        pipeline = self.arrivals[t + 1: t + cap.tot_lag_months + 1].sum()
        gap = posts - self.active - pipeline
        if gap <= 0 or cap.certification == 0:
            return 0
        places = int(np.floor((t + 1) * cap.tot_intake_max_per_year / 12) - np.floor(t * cap.tot_intake_max_per_year / 12))
        unit = c.costs.tot_usd_per_trainee * self.scale
        free = self._free() - self._reserve(t)
        affordable = places if unit <= 0 or free >= places * unit else int(np.floor(max(free, 0.0) / unit + 1e-9))
        n = max(min(int(np.ceil(gap / cap.certification - 1e-9)), places, affordable), 0)
        self.committed_fixed += n * unit
        self.series["committed"][t] += n * unit
        self.series["spend_tot"][t] += n * unit
        self.series["trainees"][t] = n
        return n

    def _reserve(self, t: int) -> float:
        """Money kept for the packages of the applicants already waiting, as many as the active
        trainers can start for new firms before the year ends (USD): trainers are trained only
        with money beyond it, so more budget never buys trainers at the expense of firms that
        the present trainers could have served (which would reach fewer firms)."""
        cap = self.cfg.capacity
        months = 12 - t % 12
        room = int(np.floor(self.active * cap.modules_per_trainer_year * self.scale * months / 12.0
                            * cap.new_firm_share + 1e-9))
        total = 0.0
        for k, ch in enumerate(self.channels):
            if ch.weight <= 0 or room <= 0:
                continue
            queue = np.flatnonzero((self.channel == k) & ~self.enrolled)
            if len(queue) == 0:
                continue
            group = (~ch.targeted[queue]).astype(int) if ch.s.targeted_first else np.zeros(len(queue), int)
            queue = queue[np.lexsort((self.d.key[queue], self.applied[queue], group))][: room]
            n_mod, _, share_s = self._packages(queue, ch)
            total += float((n_mod * self.cfg.costs.variable_usd * (1.0 - ch.s.firm_share - share_s)).sum())
        return min(total, max(self._free(), 0.0))

    def _applications(self, t: int) -> None:
        """Firms not yet applied accumulate the hazard of the best offer; some apply."""
        u, f = self.cfg.uptake, self.f
        open_ = self.eligible & (self.applied < 0)
        peers = np.bincount(f.sector[self.enrolled], minlength=len(self.sector_eligible)) / self.sector_eligible
        common = u.base_per_year / 12.0 * (1.0 + u.buyer_pressure * self.pressure) \
            * (1.0 + u.peer_effect * peers[f.sector]) \
            * np.exp(log_weights(f.commitment, self.perf, t, self.eligible, self.cfg.selection))
        best = np.zeros(self.F)
        which = np.full(self.F, -1)
        for k, ch in enumerate(self.channels):
            if ch.weight <= 0:
                continue
            h = common * np.exp(-u.fee_sensitivity * ch.s.firm_share) \
                * np.where(ch.targeted, ch.s.outreach, ch.s.outreach_others)
            better = h > best
            best = np.where(better, h, best)
            which = np.where(better, k, which)
        self.hazard += np.where(open_, best, 0.0)
        new = open_ & (self.hazard >= self.d.threshold) & (which >= 0)
        self.applied[new] = t
        self.channel[new] = which[new]
        self.series["applications"][t] = new.sum()

    def _enrol(self, t: int, cap_new: int) -> int:
        """Serve applicants, each strategy within its share of ``cap_new``; returns the modules
        started. A share a strategy cannot use goes to further modules, not to another strategy:
        passing it on would make reach depend on who else is queueing, and lose monotonicity."""
        return sum(self._serve(t, k, ch, n) for k, (ch, n) in enumerate(zip(self.channels, self._split(cap_new))))

    def _split(self, n: int) -> list[int]:
        """``n`` split over the strategies in proportion to their weights by the D'Hondt rule
        (the largest ``n`` of weight / 1, weight / 2, ...): a larger ``n`` never gives a strategy
        less, which rounding the proportional shares can (the Alabama paradox)."""
        w = np.array([ch.weight for ch in self.channels])
        if n <= 0 or not (w > 0).any():
            return [0] * len(w)
        quotients = w[:, None] / np.arange(1, n + 1)[None, :]
        top = np.argsort(-quotients.ravel(), kind="stable")[:n]
        return np.bincount(top // n, minlength=len(w)).tolist()

    def _serve(self, t: int, k: int, ch: _Channel, cap: int) -> int:
        """Enrol the longest prefix of strategy ``k``'s queue its money and ``cap`` allow."""
        if cap <= 0 or ch.weight <= 0:
            return 0
        queue = np.flatnonzero((self.channel == k) & ~self.enrolled)
        if len(queue) == 0:
            return 0
        group = (~ch.targeted[queue]).astype(int) if ch.s.targeted_first else np.zeros(len(queue), int)
        queue = queue[np.lexsort((self.d.key[queue], self.applied[queue], group))][: cap]
        n_mod, order, share_s = self._packages(queue, ch)
        v = self.cfg.costs.variable_usd
        cost = n_mod * v * (1.0 - ch.s.firm_share - share_s)
        r0, f0, p0 = self.base
        share = ch.weight * ((self.released - r0) - (self.committed_fixed - f0)) - (self.committed_pkg[k] - p0[k])
        money = min(share, self._free())   # trainers trained since may have left another strategy short
        n = int(np.searchsorted(np.cumsum(cost), money + 1e-6, side="right"))
        if n == 0:
            return 0
        i = queue[:n]
        self.enrolled[i] = True
        self.n_mod[i], self.order[i], self.share_firm[i], self.share_sponsor[i] = n_mod[:n], order[:n], \
            ch.s.firm_share, share_s[:n]
        self.committed_pkg[k] += cost[:n].sum()
        self.series["committed"][t] += cost[:n].sum()
        self.series["firms_reached"][t] += n
        self.series["workers_reached"][t] += self.f.size[i].sum()
        self._start_modules(t, i)
        return n

    def _packages(self, idx: np.ndarray, ch: _Channel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Modules each firm will take (wanted, funded, offered, less dropouts), their order and
        the sponsor's share of their cost."""
        prog, u = self.cfg.programme, self.cfg.uptake
        wanted = 1 + (self.d.extra[idx] < (u.modules_per_firm - 1.0) / 4.0).sum(axis=1)
        n = np.minimum(np.minimum(wanted, ch.funded), len(prog.modules))
        kept = np.cumprod((self.d.stay[idx] >= prog.dropout) | (np.arange(N_AREAS) == 0), axis=1).sum(axis=1)
        order = module_order(self.cfg, ch.s, self.f.practice0[idx], self.d.taste[idx])
        return np.minimum(n, kept), order, ch.s.sponsor_share * self.sponsored[idx]

    def _further_modules(self, t: int, cap: int) -> int:
        """Start due further modules, first due first, within ``cap``; returns how many."""
        due = np.flatnonzero(self.enrolled & (self.next < self.n_mod) & (self.due <= t))
        if len(due) == 0 or cap <= 0:
            return 0
        due = due[np.lexsort((self.d.key[due], self.due[due]))][:cap]
        self._start_modules(t, due)
        return len(due)

    def _start_modules(self, t: int, idx: np.ndarray) -> None:
        """Firms ``idx`` start their next module in month ``t``: workshop, cash by payer."""
        v = self.cfg.costs.variable_usd
        area = self.order[idx, self.next[idx]]
        self.start[idx, area] = t
        self.next[idx] += 1
        self.due[idx] = t + self.period
        s = self.series
        s["modules_delivered"][t] += len(idx)
        s["spend_firms"][t] += v * self.share_firm[idx].sum()
        s["spend_sponsors"][t] += v * self.share_sponsor[idx].sum()
        s["spend_modules"][t] += v * (1.0 - self.share_firm[idx] - self.share_sponsor[idx]).sum()

    def _plan(self) -> Plan:
        idx = np.flatnonzero(self.enrolled)
        prog = self.cfg.programme
        sched = Schedule(firm=idx, start=self.start[idx], sponsored=self.share_sponsor[idx] > 0,
                         visits_in_month=spread_visits(prog.visits_per_module, prog.visit_months),
                         firm_share=self.share_firm[idx],
                         sponsor_share=self.share_sponsor[idx])
        return Plan(sched, self.series)


__all__ = ["SERIES", "UptakeDraws", "Allocation", "Plan", "build_plan", "pressure", "targeted", "module_order"]
