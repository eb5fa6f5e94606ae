"""``ScoreModel``: the SCORE agent-based model as a ``mesa.Model``.

The model owns the struct-of-arrays state of firms, workers and buyers for one or two stacked
worlds (``programme`` and ``counterfactual``: the same population and random numbers, the
programme delivered only in the first), and advances them one month per :meth:`step`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np

from . import population as pop
from .config import load_scenario, set_values
from .modules import Schedule, build_schedule
from .params import Scenario
from .processes import adoption, delivery, drift, failure, market, production, suggestions, workforce
from .processes import exit as exits
from .processes import shocks
from .recorder import FIRM_OUTPUTS, PROGRAMME_OUTPUTS, Recorder
from .rng import Streams, generator
from .state import COOP, QUALITY, WORKFORCE

WORLDS: tuple[str, ...] = ("programme", "counterfactual")


def replicate_seed(seed: int, replicate: int) -> int:
    """Seed of the process streams of replicate ``replicate`` of a run seeded ``seed``."""
    return int(np.random.SeedSequence(entropy=seed, spawn_key=(0x5C0E, replicate)).generate_state(1, np.uint64)[0])


class ScoreModel(mesa.Model):
    """The SCORE programme in a population of SMEs, their workers and buyers.

    Parameters
    ----------
    scenario : a :class:`Scenario`, a path to a TOML config, or None for the defaults.
    seed : seed of the population and delivery plan (default: the scenario's ``run.seed``).
    replicate : replicate number; the process streams are seeded from (seed, replicate).
    worlds : which worlds to simulate, a subset of ("programme", "counterfactual").
    schedule : a delivery plan to use instead of drawing one (the scale-up planner's); its
        participants must be firms of this population.
    **overrides : parameter values by dotted path, for example
        ``ScoreModel("configs/phase1.toml", **{"programme.participants": 100})``; this is how
        ``mesa.batch_run`` sweeps the model.

    Step order (each month): 1 dropout and delivery, 2 adoption, drift and decay, implementation
    dips and teams, 3 workforce, 4 suggestions, 5 production to demand and costs, 6 market,
    7 exit, 8 record.
    """

    def __init__(self, scenario: Scenario | str | Path | None = None, *, seed: int | None = None,
                 replicate: int = 0, worlds: tuple[str, ...] = WORLDS, schedule: Schedule | None = None,
                 **overrides: Any) -> None:
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario) if scenario is not None else Scenario()
        if overrides:
            scenario = set_values(scenario, overrides, origin="ScoreModel keyword arguments")
        self.p = p = scenario
        self.seed_value = int(p.run.seed if seed is None else seed)
        super().__init__(seed=self.seed_value)
        unknown = set(worlds) - set(WORLDS)
        if unknown or not worlds:
            raise ValueError(f"worlds must be a non-empty subset of {WORLDS}, got {worlds}")
        self.worlds = tuple(worlds)
        self.pw = self.worlds.index("programme") if "programme" in self.worlds else None
        self.replicate = replicate
        self.process_seed = replicate_seed(self.seed_value, replicate)
        W = len(self.worlds)
        self.firms = pop.build_firms(p, generator(self.seed_value, "population"))
        self.firms.reserves = p.exit.reserve_months * generator(self.seed_value, "population", 2).exponential(
            1.0, self.firms.n)
        self.workers = pop.build_workers(p, self.firms, generator(self.seed_value, "population", 1), W)
        self.state = pop.initial_firm_state(self.firms, W)
        self._init_derived()
        self.base_good = self._baseline_good_output()
        self.buyers = pop.build_buyers(p, self.firms, self.base_good, generator(self.seed_value, "buyers"))
        self.history = shocks.build_history(p, self.firms, self.buyers, self.seed_value)
        self.link_kind = shocks.link_kind(self.buyers)
        self.schedule_plan = (build_schedule(p, self.firms, self.buyers, generator(self.seed_value, "delivery"),
                                             self.performance() if p.selection.strength and p.selection.dip else None)
                              if schedule is None else schedule)
        self._init_programme_state()
        self.streams = Streams(self.process_seed, W, p.run.common_random_numbers)
        self._init_market()
        self.month = 0
        self.last: dict[str, np.ndarray] = {}
        self.recorder = self._make_recorder()
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())
        self._firm_views: list | None = None
        self._buyer_views: list | None = None

    # ----------------------------------------------------------------- set-up helpers
    def _init_derived(self) -> None:
        f, wk, p = self.firms, self.workers, self.p
        self.n_prod = (f.size - f.managers).astype(float)
        self.bounds = np.stack([f.start, f.start + f.managers], axis=1).ravel()
        self.hazard_scale = 1.0 / workforce.hazard_norm(wk.skill[0], wk.tenure[0], p.workforce)
        sector_price = np.array([s.price_usd_per_unit for s in p.population.sectors.values()])
        self.log_rel_price = np.log(f.price / sector_price[f.sector])
        self.engagement_mean = np.add.reduceat(wk.engagement, f.start, axis=1) / f.size
        sp, st = p.suggestions, self.state
        rate0 = suggestions.implemented_rate(st.practice[..., COOP], st.team, self.engagement_mean,
                                             self.n_prod, sp)
        st.gain_productivity = suggestions.steady_gain(rate0, sp.gain_productivity, sp)
        st.gain_defects = suggestions.steady_gain(rate0, sp.gain_defects, sp)
        st.gain_energy = suggestions.steady_gain(rate0, sp.gain_energy, sp)
        self.lost_managers = np.zeros_like(self.state.accident_rate)

    def _baseline_good_output(self) -> np.ndarray:
        """Expected good units per month of each firm in its initial state (F,): what buyers'
        baseline demand is built on."""
        f, wk, p, st = self.firms, self.workers, self.p, self.state
        w, pm = p.workforce, p.population.practice_mean
        skill = np.add.reduceat(wk.skill[0], self.bounds)[1::2] / self.n_prod
        eng = self.engagement_mean[0]
        absence = (w.absence_base * (1 - w.absence_workforce * st.practice[0, :, WORKFORCE])
                   * (1 + w.absence_engagement * (0.5 - eng)))
        present = self.n_prod * w.working_days * (1 - absence)
        q = present * f.units_per_day * production.efficiency(
            st.practice[0], skill, st.gain_productivity[0], f.tfp, pm, p.production)
        d = production.defect_rate(st.practice[0, :, QUALITY], skill, eng, st.gain_defects[0],
                                   f.defect_base, np.zeros(f.n), pm, p.production)
        return q * (1 - d * (1 - p.production.rework_share))

    def _init_market(self) -> None:
        """Initial order shares: buyers' allocation at the baseline scores, and the orders."""
        f, p = self.firms, self.p
        comp = market.compliance(self.state.practice)
        score = market.attractiveness(1.0, 1.0, comp, self.log_rel_price, p.market)
        self.state.share = market.target_shares(score, self.buyers)
        link, self.outside_log = self._demand_logs(0)
        _, self.orders = market.allocate(self.state.share, self.state.share, self.buyers.demand,
                                         self.buyers, f.n, p.market, link)

    def _init_programme_state(self) -> None:
        """Participants' dropout month (-1: none), productivity when they enrolled, and the
        uniforms their dropout decisions compare with (T, P), drawn per run seed like the rest
        of the delivery plan, so replicates differ in results, not in luck of the draw."""
        n = self.schedule_plan.n
        self.dropout_draws = generator(self.seed_value, "dropout").random((self.p.time.months, n))
        self.dropped_at = np.full(n, -1, np.int64)
        self.productivity_at_enrol = np.full(n, np.nan)
        self.planned_completion = self.schedule_plan.completion(self.p.programme.visit_months)

    def performance(self) -> np.ndarray:
        """(T, F) the exogenous part of each firm's performance (log points): what enrolment
        selects on (:func:`scoresim.processes.shocks.performance`)."""
        return shocks.performance(self.history, self.firms, self.buyers)

    def _demand_logs(self, t: int) -> tuple[np.ndarray | None, np.ndarray]:
        """Month ``t``'s log demand multipliers per link (None when all are 0) and outside the
        buyers (F,)."""
        link, outside = shocks.demand_logs(self.history, min(t, self.p.time.months - 1), self.firms, self.buyers,
                                           self.link_kind, drift.log_trend(self.p.drift.demand, t))
        return (np.exp(link) if link.any() else None), outside

    def _make_recorder(self) -> Recorder:
        f, p = self.firms, self.p
        participant = np.zeros(f.n, bool)
        participant[self.schedule_plan.firm] = True
        self.participant = participant
        if p.recording.level == "firm":
            return Recorder(len(self.worlds), p.time.months, np.arange(f.n), None, 0, f.size)
        n_c, n_s = len(p.population.countries), len(p.population.sectors)
        group = (f.country * n_s + f.sector) * 2 + participant
        return Recorder(len(self.worlds), p.time.months, self.schedule_plan.firm, group,
                        n_c * n_s * 2, f.size.astype(float))

    # ----------------------------------------------------------------- the month
    def step(self) -> None:
        """Advance one month: delivery, adoption, workforce, suggestions, production, market,
        exit, record."""
        p, f, s, t = self.p, self.firms, self.state, self.month
        fees = self._deliver_and_adopt(t)
        wo = self._workforce()
        done = self._suggestions()
        pr = self._produce(t, wo, fees["firm"])
        failed = self._market(t, pr)
        self._exit(t, pr)
        self._record(t, pr, wo, done, failed, fees)
        self.month += 1
        self.running = self.month < p.time.months

    def _workforce(self) -> workforce.WorkforceOutcome:
        """Process 3: engagement, skill, accidents, absence and quits of every worker."""
        p, f, s = self.p, self.firms, self.state
        drivers = workforce.firm_drivers(s.practice, s.team, s.accident_rate, self.engagement_mean,
                                         f.hazard_base, p.population.practice_mean, p.workforce,
                                         s.disillusion, s.hours, s.alive)
        n = self.workers.n
        u = [self.streams.uniform(k, (n,), np.float32) for k in ("accident", "turnover")]
        wo = workforce.workforce_step(self.workers, drivers, self.streams.normal("absence", (f.n,)), *u,
                                      f.size, self.bounds, p.workforce, self.hazard_scale)
        self.engagement_mean = wo.engagement / f.size
        s.accident_rate = wo.accidents / f.size * 1200.0
        self.lost_managers = wo.trained_managers_lost
        return wo

    def _suggestions(self) -> np.ndarray:
        """Process 4: suggestions implemented this month (W, F) and their lasting gains."""
        p, f, s = self.p, self.firms, self.state
        lam = suggestions.implemented_rate(s.practice[..., COOP], s.team, self.engagement_mean,
                                           self.n_prod, p.suggestions)
        done = suggestions.poisson_inverse(self.streams.uniform("suggestions", (f.n,)), lam)
        sp = p.suggestions
        s.gain_productivity = suggestions.accumulate(s.gain_productivity, done, sp.gain_productivity, sp)
        s.gain_defects = suggestions.accumulate(s.gain_defects, done, sp.gain_defects, sp)
        s.gain_energy = suggestions.accumulate(s.gain_energy, done, sp.gain_energy, sp)
        return done

    def _produce(self, t: int, wo: workforce.WorkforceOutcome, fee_firm: np.ndarray) -> production.Production:
        """Process 5: output to demand, quality, energy, costs and profit of every firm."""
        p, f, s = self.p, self.firms, self.state
        pp, rho = p.production, p.production.defect_persistence
        z = self.streams.normal("defects", (f.n,))
        s.defect_z = z if rho == 0.0 else rho * s.defect_z + np.sqrt(1.0 - rho * rho) * z if t else z
        demand = np.inf
        if p.market.produce_to_demand:
            demand = self.orders + p.market.outside_demand * self.base_good * np.exp(self.outside_log)
        pr = production.produce(f, s.practice, wo.absent_days, wo.skill, wo.engagement, wo.accidents,
                                (s.gain_productivity, s.gain_defects, s.gain_energy), self.orders,
                                fee_firm, s.defect_z, p.population.practice_mean, pp, p.workforce,
                                p.market.spot_price, self._efficiency_shock(t), demand, s.paid,
                                p.market.hours_adjustment, float(np.exp(drift.log_trend(p.drift.wages, t))))
        s.hours, s.paid = pr.hours, pr.paid
        recent = np.where(np.isnan(s.productivity_recent), pr.productivity, s.productivity_recent)
        s.productivity_recent = recent + (pr.productivity - recent) / 3.0
        return pr

    def _efficiency_shock(self, t: int) -> np.ndarray | float:
        """Efficiency multiplier of month ``t`` (W, F) or 1: the firm's shock (mean 1), the trend
        and the implementation dip."""
        p, s = self.p, self.state
        sd, trend = p.shocks.firm_sd, drift.log_trend(p.drift.productivity, t)
        if sd == 0.0 and trend == 0.0 and not s.disruption.any():
            return 1.0
        log_shock = self.history.efficiency[t].astype(float) - 0.5 * sd * sd + trend
        return np.exp(log_shock) * (1.0 - np.minimum(s.disruption, 0.95))

    def _market(self, t: int, pr: production.Production) -> np.ndarray:
        """Process 6: audits, buyers' scores and next month's orders; returns failed audits (W, E)."""
        p, f, s = self.p, self.firms, self.state
        comp = market.compliance(s.practice)
        share, failed = market.audit(s.share, comp, self.streams.uniform("audit", (len(self.buyers.link_firm),)),
                                     self.buyers, p.market)
        score = market.attractiveness(pr.defect_rate / f.defect_base, pr.fill_rate, comp,
                                      self.log_rel_price, p.market)
        target = market.target_shares(score, self.buyers)
        if not s.alive.all():  # buyers place no orders with firms that exited
            target = market.drop_exited(target, s.alive, self.buyers)
        z = self.streams.normal("market", (self.buyers.n,))
        demand = self.buyers.demand * np.exp(p.market.demand_noise * z - 0.5 * p.market.demand_noise**2)
        link, self.outside_log = self._demand_logs(t + 1)
        s.share, self.orders = market.allocate(share, target, demand, self.buyers, f.n, p.market, link)
        return failed

    def _exit(self, t: int, pr: production.Production) -> None:
        """Process 7: firms whose unrecovered losses exceed their reserves exit at the end of the month."""
        p, s = self.p, self.state
        s.loss_stock = exits.loss_stock(s.loss_stock, pr.profit)
        s.mean_revenue = exits.mean_revenue(s.mean_revenue, pr.revenue, t)
        gone = exits.exits(s.alive, s.loss_stock, s.mean_revenue, self.firms.reserves, p.exit.enabled)
        if gone.any():
            s.alive = s.alive & ~gone
            s.exit_month = np.where(gone, t, s.exit_month)
            s.share = market.drop_exited(s.share, s.alive, self.buyers)
            self.orders = np.where(s.alive, self.orders, 0.0)

    def _record(self, t: int, pr: production.Production, wo: workforce.WorkforceOutcome, done: np.ndarray,
                failed: np.ndarray, fees: dict[str, Any]) -> None:
        """Process 8: this month's firm values; firms that had exited before it record nothing."""
        p, f, s = self.p, self.firms, self.state
        W = len(self.worlds)
        failed_f = np.bincount((np.arange(W)[:, None] * f.n + self.buyers.link_firm).ravel(),
                               failed.ravel(), minlength=W * f.n).reshape(W, f.n)
        self.last = {
            "output": pr.output, "good_output": pr.good_output, "productivity": pr.productivity,
            "defect_rate": pr.defect_rate, "energy_per_unit": pr.energy_kwh / np.maximum(pr.output, 1e-9),
            "energy_kwh": pr.energy_kwh, "accidents": wo.accidents, "accident_rate": s.accident_rate,
            "absence_rate": wo.absent_days / (self.n_prod * p.workforce.working_days),
            "engagement": self.engagement_mean, "skill": wo.skill / self.n_prod, "quits": wo.quits,
            "team_active": s.team.astype(float), "suggestions": done, "orders": self.orders,
            "revenue": pr.revenue, "operating_cost": pr.operating_cost, "unit_cost": pr.unit_cost,
            "training_fee": fees["firm"], "profit": pr.profit, "failed_audits": failed_f,
            "hours": pr.hours,
        }
        active = (s.exit_month < 0) | (s.exit_month >= t)          # alive during month t
        if not active.all():
            self.last = {k: np.where(active, v, 0.0 if FIRM_OUTPUTS[k][2] == "sum" else np.nan)
                         for k, v in self.last.items()}
        practice = s.practice if active.all() else np.where(active[..., None], s.practice, np.nan)
        self.recorder.record(t, self.last, practice, fees["programme"], active)
        self.datacollector.collect(self)

    def _deliver_and_adopt(self, t: int) -> dict[str, Any]:
        """Processes 1 and 2: dropout and delivery in the programme world, then adoption, drift
        and decay of practices, implementation dips, and improvement teams."""
        p, f, s = self.p, self.firms, self.state
        W = len(self.worlds)
        fee_firm = np.zeros((W, f.n))
        totals = {k: np.zeros(W) for k in PROGRAMME_OUTPUTS}
        coop_workshop = np.zeros((W, f.n), bool)
        workshops = np.zeros((W, f.n))
        if self.pw is not None and self.schedule_plan.n:
            self._deliver(t, fee_firm, totals, coop_workshop, workshops)
        floor = drift.practice_floor(f.practice0, t, p.drift)
        rise = floor - drift.practice_floor(f.practice0, t - 1, p.drift) if t and p.drift.practice else 0.0
        s.practice = adoption.decay(s.practice, floor, s.team, p.adoption, rise)
        s.disruption = failure.disruption(s.disruption, workshops, p.failure)
        team, s.team_hazard = adoption.update_team(s.team, s.team_hazard, coop_workshop, f.commitment,
                                                   self.lost_managers, f.team_setup_draw,
                                                   f.team_resilience, p.adoption)
        fp = p.failure
        s.disillusion = failure.fade(s.disillusion, fp.disillusion_months)
        s.practice, s.disillusion = adoption.breakdown(s.practice, s.disillusion, s.team & ~team, COOP,
                                                       fp.breakdown_setback, fp.breakdown_engagement)
        s.team = team
        return {"firm": fee_firm, "programme": totals}

    def _deliver(self, t: int, fee_firm: np.ndarray, totals: dict[str, np.ndarray], coop_workshop: np.ndarray,
                 workshops: np.ndarray) -> None:
        """Process 1 in the programme world: participants drop out or receive this month's
        workshops and visits (arrays filled in place)."""
        p, f, s, sched = self.p, self.firms, self.state, self.schedule_plan
        pw, fi = self.pw, sched.firm
        self._dropouts(t)
        active = (self.dropped_at < 0) & s.alive[pw, fi]
        d = delivery.deliver(t, sched, p.programme, active)
        if d.workshop.any():
            slots = delivery.classroom_slots(t, sched, d.workshop, f, p.programme)
            workforce.train(self.workers, pw, slots, p.workforce)
            totals["classroom_participants"][pw] = len(slots)
            totals["workshops"][pw] = d.workshop.sum()
            fee_firm[pw, fi] = d.fee_firm
            totals["fee_firms"][pw] = d.fee_firm.sum()
            totals["fee_sponsors"][pw] = d.fee_sponsor.sum()
            totals["fee_programme"][pw] = d.fee_programme.sum()
            coop_workshop[pw, fi] = d.workshop[:, COOP]
            workshops[pw, fi] = d.workshop.sum(axis=1)
        if d.workshop.any() or d.visits.any():
            speed = adoption.adoption_speed(f.commitment[fi], s.practice[pw, fi, COOP], p.adoption)
            s.practice[pw, fi] = adoption.adopt(s.practice[pw, fi], d.workshop, d.visits, speed, p.adoption)

    def _dropouts(self, t: int) -> None:
        """Participants between their first workshop and their last planned visit stop with the
        chance of :func:`scoresim.processes.failure.dropout_chance` (one draw each, every month)."""
        sched, s, pw = self.schedule_plan, self.state, self.pw
        u = self.dropout_draws[t]
        enrol = sched.enrol
        recent = s.productivity_recent[pw, sched.firm]
        starting = enrol == t
        self.productivity_at_enrol[starting] = recent[starting]
        if self.p.failure.dropout_hazard == 0.0:
            return
        at_risk = (self.dropped_at < 0) & (enrol < t) & (t <= self.planned_completion) & s.alive[pw, sched.firm]
        with np.errstate(invalid="ignore", divide="ignore"):
            early = recent / self.productivity_at_enrol - 1.0
        chance = failure.dropout_chance(self.firms.commitment[sched.firm], early, self.p.failure)
        self.dropped_at = np.where(at_risk & (u < chance), t, self.dropped_at)

    def run(self) -> "ScoreModel":
        """Step through every month of the scenario."""
        while self.running:
            self.step()
        return self

    # ----------------------------------------------------------------- Mesa views
    def _reporters(self) -> dict[str, Any]:
        """Aggregate indicators of each world, for ``mesa.DataCollector``."""
        def mean_of(name: str, world: int):
            def mean(m: "ScoreModel") -> float:
                if not m.last:
                    return float("nan")
                x, w = m.last[name][world], m.firms.size * np.isfinite(m.last[name][world])
                return float(np.nansum(x * w) / w.sum()) if w.sum() else float("nan")
            return mean
        def total_of(name: str, world: int):
            return lambda m: float(np.nansum(m.last[name][world])) if m.last else float("nan")
        rep: dict[str, Any] = {}
        for w, name in enumerate(self.worlds):
            for var in ("accident_rate", "absence_rate", "defect_rate", "productivity", "engagement"):
                rep[f"{var}_{name}"] = mean_of(var, w)
            for var in ("good_output", "accidents", "profit"):
                rep[f"{var}_{name}"] = total_of(var, w)
        return rep

    def firm_views(self) -> list["FirmView"]:
        """Thin ``mesa.Agent`` views of the firms (built on first use; read-only)."""
        if self._firm_views is None:
            self._firm_views = [FirmView(self, i) for i in range(self.firms.n)]
        return self._firm_views

    def buyer_views(self) -> list["BuyerView"]:
        """Thin ``mesa.Agent`` views of the buyers (built on first use; read-only)."""
        if self._buyer_views is None:
            self._buyer_views = [BuyerView(self, i) for i in range(self.buyers.n)]
        return self._buyer_views


class FirmView(mesa.Agent):
    """Read-only view of one firm for inspection; the arrays stay the state."""

    def __init__(self, model: ScoreModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def size(self) -> int:
        return int(self.model.firms.size[self.index])

    @property
    def practice(self) -> dict[str, float]:
        from .params import AREAS
        return dict(zip(AREAS, self.model.state.practice[0, self.index].tolist()))

    @property
    def participant(self) -> bool:
        return bool(self.model.participant[self.index])


class BuyerView(mesa.Agent):
    """Read-only view of one buyer (programme world) for inspection."""

    def __init__(self, model: ScoreModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def international(self) -> bool:
        return bool(self.model.buyers.international[self.index])

    @property
    def sponsor(self) -> bool:
        return bool(self.model.buyers.sponsor[self.index])

    @property
    def suppliers(self) -> dict[int, float]:
        """Supplier firm index -> current order share."""
        b = self.model.buyers
        links = np.flatnonzero(b.link_buyer == self.index)
        return dict(zip(b.link_firm[links].tolist(), self.model.state.share[0, links].tolist()))


__all__ = ["ScoreModel", "FirmView", "BuyerView", "WORLDS", "replicate_seed"]
