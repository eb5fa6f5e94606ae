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

from . import economics
from . import population as pop
from .config import load_scenario, set_values
from .modules import Schedule, build_schedule
from .params import Scenario
from .processes import adoption, adoption_costs, delivery, drift, failure, jobs, market, production, suggestions
from .processes import workforce
from .processes import exit as exits
from .processes import shocks
from .recorder import FIRM_OUTPUTS, PROGRAMME_OUTPUTS, Recorder
from .rng import Streams, generator
from .state import CLEANER, COOP, OSH, QUALITY, WORKFORCE

WORLDS: tuple[str, ...] = ("programme", "counterfactual")
REPORTED_MEANS = ("accident_rate", "absence_rate", "defect_rate", "productivity", "engagement")
REPORTED_TOTALS = ("good_output", "accidents", "profit")
"""Indicators the ``mesa.DataCollector`` reports per world: worker-weighted means and totals."""


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

    Step order (each month): 1 dropout and delivery (with what adopting costs the firm),
    2 adoption, drift and decay, implementation dips and teams, 3 workforce, 4 suggestions,
    5a jobs (hires and layoffs), 5 production to demand and costs, 6 market, 7 exit, 8 record.
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
        self._init_economics()
        self.buyers = pop.build_buyers(p, self.firms, self.base_good * (1.0 - self.outside_share),
                                       generator(self.seed_value, "buyers"))
        self.history = shocks.build_history(p, self.firms, self.buyers, self.seed_value)
        self.link_kind = shocks.link_kind(self.buyers)
        self.schedule_plan = (build_schedule(p, self.firms, self.buyers, generator(self.seed_value, "delivery"),
                                             self.performance() if p.selection.strength and p.selection.dip else None)
                              if schedule is None else schedule)
        self._init_programme_state()
        self.streams = Streams(self.process_seed, W, p.run.common_random_numbers)
        self._init_market()
        self._init_employment()
        self.month = 0
        self.last: dict[str, np.ndarray] = {}
        self._aggregated: dict[str, np.ndarray] = {}
        self._aggregated_month = -1
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
        baseline demand is built on (also keeps its defect rate and energy per unit)."""
        f, wk, p, st = self.firms, self.workers, self.p, self.state
        w, pm, pp = p.workforce, p.population.practice_mean, p.production
        skill = np.add.reduceat(wk.skill[0], self.bounds)[1::2] / self.n_prod
        eng = self.engagement_mean[0]
        absence = (w.absence_base * (1 - w.absence_workforce * st.practice[0, :, WORKFORCE])
                   * (1 + w.absence_engagement * (0.5 - eng)))
        present = self.n_prod * w.working_days * (1 - absence)
        q = present * f.units_per_day * production.efficiency(
            st.practice[0], skill, st.gain_productivity[0], f.tfp, pm, pp)
        d = production.defect_rate(st.practice[0, :, QUALITY], skill, eng, st.gain_defects[0],
                                   f.defect_base, np.zeros(f.n), pm, pp)
        self.base_defect = d
        self.base_kwh = (f.energy_base * (1.0 - pp.energy_cleaner * st.practice[0, :, CLEANER])
                         / (1.0 - pp.energy_cleaner * pm) * (1.0 - st.gain_energy[0]))
        return q * (1 - d * (1 - p.production.rework_share))

    def _init_economics(self) -> None:
        """Wage and price paths, and each firm's baseline revenue, capital costs, marginal cost
        and value added per person engaged (month-0 prices), from its baseline output."""
        f, p, pp, m = self.firms, self.p, self.p.production, self.p.market
        self.paths = economics.paths(p)
        self.outside_share = m.outside_demand if m.produce_to_demand else 0.0
        good = self.base_good
        q = good / (1.0 - self.base_defect * (1.0 - pp.rework_share))
        revenue = f.price * good * (1.0 - self.outside_share + self.outside_share * m.spot_price)
        intermediate = (q * f.material * (1.0 + self.base_defect * pp.rework_share * pp.rework_cost)
                        + q * self.base_kwh * pp.energy_price_usd_kwh + good * f.services)
        self.capital = f.capital_share * revenue
        self.va_base = (revenue - intermediate) / f.size
        self.va_share = np.where(revenue > 0, (revenue - intermediate) / np.where(revenue > 0, revenue, 1.0), 0.0)
        self.mc_base = production.marginal_cost(f, self.base_defect, self.base_kwh, good / self.n_prod, f.wage, pp)
        self.exit_jobs = np.zeros_like(self.state.accident_rate)
        self.flows = jobs.Flows(*(np.zeros_like(self.state.accident_rate) for _ in range(3)))
        self.adopt_time = adoption_costs.Time(0.0, 0.0, 0.0)

    def _init_market(self) -> None:
        """Initial order shares: buyers' allocation at the baseline scores, and the orders.

        With ``market.capacity_aware`` buyers score each supplier relative to its own baseline
        (its defect rate, compliance and price at the start), so at the start each supplier's
        orders match its output (its size already reflects what buyers think of it) and orders
        move when its attractiveness changes; otherwise scores are absolute and the first
        shares are those of the baseline compliance and prices."""
        f, p = self.firms, self.p
        comp = market.compliance(self.state.practice)
        self.score0 = 0.0
        if self._capacity_aware():
            self.score0 = market.attractiveness(self.base_defect / f.defect_base, 1.0, comp[0], self.log_rel_price,
                                                p.market)
            score = np.zeros_like(comp)
        else:
            score = market.attractiveness(1.0, 1.0, comp, self.log_rel_price, p.market)
        self.elsewhere_weight = (market.elsewhere_weights(score[0], self.buyers, p.market.elsewhere_share,
                                                          p.production.defect_noise, p.market.weight_quality)
                                 if p.market.elsewhere_share > 0 else None)
        self.elsewhere_start = market.mean_score(score[0], self.buyers)
        self.drift_score0 = self._drift_score(0)
        self.state.share = market.target_shares(score, self.buyers)
        if self.elsewhere_weight is not None:   # the population's part of the buyers' purchases, exactly
            self.state.share = self.state.share * (1.0 - p.market.elsewhere_share)
        link, self.outside_log = self._demand_logs(0)
        capacity = (self.base_good * (1.0 + self._overtime_max()))[None].repeat(len(self.worlds), 0) \
            if self._capacity_aware() else None
        _, self.orders = market.allocate(self.state.share, self.state.share, self.buyers.demand,
                                         self.buyers, f.n, p.market, link, capacity)

    def _init_employment(self) -> None:
        """Firms start with the workforce their first month's demand needs at their efficiency
        of that month (employment per slot; 1 without demand limits or adjustment)."""
        p, s = self.p, self.state
        if not (p.market.produce_to_demand and p.jobs.adjustment):
            return
        sd = p.shocks.firm_sd
        capacity = self.base_good * np.exp(self.history.efficiency[0].astype(float) - 0.5 * sd * sd)
        demand = self.orders + p.market.outside_demand * self.base_good * np.exp(self.outside_log)
        s.employment = np.clip(demand / capacity, 0.2, 5.0) * np.ones_like(s.employment)
        s.need = s.employment.copy()

    def _drift_score(self, t: int) -> np.ndarray:
        """(F,) what buyers would score each firm at its drifting baseline practices in month ``t``
        (compliance and the quality term), the path the suppliers outside the population follow."""
        p, f = self.p, self.firms
        floor = drift.practice_floor(f.practice0, t, p.drift)
        ratio = np.exp(-p.production.defect_quality * (floor[:, QUALITY] - f.practice0[:, QUALITY]))
        return market.attractiveness(ratio, 1.0, market.compliance(floor), 0.0, p.market)

    def _elsewhere(self, t: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(weight, score) (B,) of what buyers buy outside the population in month ``t``: at
        the start its share is market.elsewhere_share, its suppliers score the buyer's suppliers'
        mean, and it moves as they would with drift alone (the same in every world)."""
        if self.elsewhere_weight is None:
            return None
        if not self.p.drift.practice:
            return self.elsewhere_weight, self.elsewhere_start
        shift = market.mean_score(self._drift_score(t) - self.drift_score0, self.buyers)
        return self.elsewhere_weight, self.elsewhere_start + shift

    def _overtime_max(self) -> float:
        """Overtime allowed (share of regular hours): none without demand limits."""
        return self.p.production.overtime_max if self.p.market.produce_to_demand else 0.0

    def _capacity_aware(self) -> bool:
        return self.p.market.capacity_aware and self.p.market.produce_to_demand

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
        self._jobs(t, wo)
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
        s.accident_rate = wo.accidents / self._staff() * 1200.0
        self.lost_managers = wo.trained_managers_lost
        return wo

    def _staff(self) -> np.ndarray:
        """Persons engaged (W, F): the production workforce and the managers."""
        return self.state.employment * self.n_prod + self.firms.managers

    def _jobs(self, t: int, wo: workforce.WorkforceOutcome) -> None:
        """Process 5a: this month's quits, replacements, hires and layoffs toward the workforce
        the firm expects its orders to need (:mod:`scoresim.processes.jobs`)."""
        s, f = self.state, self.firms
        quits = wo.quits * (self._staff() / f.size)
        s.employment, self.flows = jobs.adjust(s.employment, s.need, quits, self.n_prod, s.alive, self.p.jobs)

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
        m, limited = p.market, p.market.produce_to_demand
        outside = m.outside_demand * self.base_good * np.exp(self.outside_log) if limited else 0.0
        demand = production.Demand(self.orders, outside, self.mc_base, m.demand_elasticity, m.spot_price, limited)
        price = self.paths.price[t][f.country]
        self.wage = f.wage * self.paths.wage[t][f.country] * jobs.rent_factor(s.va_mean, p.jobs)
        hiring = jobs.cost(self.flows, self.wage, f.separation_weeks, p.jobs)
        time = self.adopt_time
        labour = production.Labour(s.employment, self.wage, price, self._overtime_max(), time.worker_days,
                                   hiring + self.capital * price)
        self.adoption_cost = time.cash + time.manager_days * self.wage * pp.manager_wage_ratio / p.workforce.working_days
        pr = production.produce(f, s.practice, wo.absent_days, wo.skill, wo.engagement, wo.accidents,
                                (s.gain_productivity, s.gain_defects, s.gain_energy), demand,
                                fee_firm + self.adoption_cost, s.defect_z, p.population.practice_mean, pp,
                                p.workforce, self._efficiency_shock(t), labour)
        s.hours, s.paid = pr.hours, pr.paid
        s.need = jobs.expect(s.need, pr.needed, p.jobs)
        if p.jobs.rent_sharing:
            trend = price * np.exp(p.drift.productivity * t / 12.0)
            s.va_mean = jobs.va_average(s.va_mean, pr.value_added / self._staff() / trend / self.va_base, s.alive,
                                        p.jobs)
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
                                      self.log_rel_price, p.market) - self.score0
        target = market.target_shares(score, self.buyers, self._elsewhere(t))
        if not s.alive.all():  # buyers place no orders with firms that exited
            target = market.drop_exited(target, s.alive, self.buyers, self.elsewhere_weight is not None)
        z = self.streams.normal("market", (self.buyers.n,))
        demand = self.buyers.demand * np.exp(p.market.demand_noise * z - 0.5 * p.market.demand_noise**2)
        link, self.outside_log = self._demand_logs(t + 1)
        capacity = (pr.capacity * self.n_prod * s.employment * (1.0 + self._overtime_max()) * s.alive
                    if self._capacity_aware() else None)
        s.share, self.orders = market.allocate(share, target, demand, self.buyers, f.n, p.market, link, capacity)
        return failed

    def _exit(self, t: int, pr: production.Production) -> None:
        """Process 7: firms whose unrecovered losses exceed their reserves exit at the end of the month."""
        p, s = self.p, self.state
        s.loss_stock = exits.loss_stock(s.loss_stock, pr.profit)
        s.mean_revenue = exits.mean_revenue(s.mean_revenue, pr.revenue, t)
        gone = exits.exits(s.alive, s.loss_stock, s.mean_revenue, self.firms.reserves, p.exit.enabled)
        self.exit_jobs = np.where(gone, self._staff(), 0.0)
        if gone.any():
            s.alive = s.alive & ~gone
            s.exit_month = np.where(gone, t, s.exit_month)
            s.share = market.drop_exited(s.share, s.alive, self.buyers, self.elsewhere_weight is not None)
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
            "hours": pr.hours / s.employment, "value_added": pr.value_added, "adoption_cost": self.adoption_cost,
            "employment": self._staff() * s.alive, "hires": self.flows.hires, "separations": self.flows.separations,
            "jobs_lost_exit": self.exit_jobs, "overtime": pr.overtime / np.maximum(pr.hours, 1e-12),
            "price_level": self.paths.price[t][f.country],
        }
        self.last = {k: np.broadcast_to(v, (W, f.n)) if np.ndim(v) < 2 else v for k, v in self.last.items()}
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
        costly = adoption_costs.any_cost(p.adoption_costs)
        self.adopt_time = (adoption_costs.Time(np.zeros((W, f.n)), np.zeros((W, f.n)), np.zeros((W, f.n)))
                           if costly else adoption_costs.Time(0.0, 0.0, 0.0))
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
        if costly and (team.any() or s.osh_done.any()):
            extra = adoption_costs.monthly(team, s.osh_done, self._staff(), p.adoption_costs)
            for k in ("worker_days", "manager_days", "cash"):
                setattr(self.adopt_time, k, getattr(self.adopt_time, k) + getattr(extra, k))
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
        if isinstance(self.adopt_time.cash, np.ndarray) and (d.workshop.any() or d.visits.any()):
            staff = self._staff()[pw, fi]
            cost = adoption_costs.delivered(d, f.managers[fi], staff - f.managers[fi], staff, p.programme,
                                            p.adoption_costs)
            for k in ("worker_days", "manager_days", "cash"):
                getattr(self.adopt_time, k)[pw, fi] += getattr(cost, k)
            s.osh_done[pw, fi] |= d.workshop[:, OSH]
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
        """Aggregate indicators of each world, for ``mesa.DataCollector``: worker-weighted means
        over the firms that report a value, and totals."""
        def reporter(var: str, world: int):
            return lambda m: float(m._aggregates()[var][world]) if m.last else float("nan")
        return {f"{var}_{name}": reporter(var, w) for w, name in enumerate(self.worlds)
                for var in REPORTED_MEANS + REPORTED_TOTALS}

    def _aggregates(self) -> dict[str, np.ndarray]:
        """This month's reported aggregates (W,) by indicator, computed once a month for all worlds."""
        if self._aggregated_month != self.month:
            size, last = self.firms.size, self.last
            self._aggregated = {var: np.nansum(last[var], axis=1) for var in REPORTED_TOTALS}
            for var in REPORTED_MEANS:
                w = size * np.isfinite(last[var])
                total = w.sum(axis=1)
                mean = np.nansum(last[var] * w, axis=1) / np.where(total > 0, total, 1)
                self._aggregated[var] = np.where(total > 0, mean, np.nan)
            self._aggregated_month = self.month
        return self._aggregated

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
