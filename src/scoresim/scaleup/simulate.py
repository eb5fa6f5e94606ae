"""Run delivery plans through the agent-based model and account their outcomes.

One replicate simulates the counterfactual world once (no programme) and the programme world
once per allocation (strategy), all from the same seed: the same population, the same uptake
draws and, with common random numbers, the same monthly random numbers. A single world run
alone equals that world in a stacked run, so the outcome of an allocation is the difference of
its programme world and the shared counterfactual, firm by firm and month by month, summed
over every firm of the population (so orders buyers move away from firms that did not take
part are netted out).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from ..model import ScoreModel
from ..params import Scenario
from ..recorder import Recorder
from ..rng import generator
from .params import PlanConfig
from .plan import SERIES, Allocation, UptakeDraws, build_plan

OUTCOMES: dict[str, tuple[str, str]] = {
    # name: (units, long name); monthly, all firms, counterfactual less programme (gains: programme less counterfactual)
    "accidents_averted": ("accidents/month", "workplace accidents averted"),
    "absence_days_averted": ("days/month", "production-worker days of absence averted (sickness and injury)"),
    "defect_savings_usd": ("USD/month", "defect costs saved: scrapped material and rework at programme-world output"),
    "energy_savings_usd": ("USD/month", "energy costs saved at programme-world output"),
    "accident_cost_savings_usd": ("USD/month", "employers' accident costs saved (other cost savings)"),
    "value_added_gain_usd": ("USD/month", "gain in value added (revenue less materials, rework, energy and purchased "
                                          "services), every firm: what participants take from other firms nets out"),
    "profit_gain_usd": ("USD/month", "gain in profit (after fees and adoption costs), every firm"),
    "sales_gain_usd": ("USD/month", "gain in sales, every firm: what the population sells more to buyers' other "
                                    "suppliers' and outside competitors' loss"),
    "displaced_va_usd": ("USD/month", "value added the population's extra sales take from producers outside it: "
                                      "the sales gain times each firm's sector value-added share"),
    "adoption_cost_usd": ("USD/month", "what adopting costs the firms beside fees: managers' time at their wage, "
                                       "travel, investments (workers' time is lost output, inside value added)"),
    "hiring_cost_change_usd": ("USD/month", "change in hiring costs (recruitment; severance is a transfer and is "
                                            "left out)"),
    "quits_averted": ("workers/month", "quits (and replacement hires) averted"),
    "jobs": ("persons", "persons engaged at the end of the month, programme less counterfactual, every firm"),
    "jobs_created": ("persons", "of which more persons engaged: sum over firms with more"),
    "jobs_destroyed": ("persons", "fewer persons engaged: sum over firms with fewer (a positive number)"),
}
JOB_STOCKS = ("jobs", "jobs_created", "jobs_destroyed")
"""Outcomes that are end-of-month stocks, not monthly flows."""


def replicate_seed(seed: int, r: int) -> int:
    """Seed of replicate ``r``'s population, uptake draws and random numbers."""
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(0x5CA1E, r))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def model_scenario(cfg: PlanConfig, draw: dict[str, float] | None = None, scale: float = 1.0) -> Scenario:
    """The model scenario of a planner config: a posterior draw set, modules priced at their
    variable cost, and for ``scale`` < 1 a proportionally smaller population of firms and buyers."""
    from ..config import set_values

    values: dict[str, Any] = dict(draw or {})
    values["programme.cost_per_module_usd"] = cfg.costs.variable_usd
    values["recording.level"] = "group"   # the cheaper recorder to build; _quiet replaces it anyway
    if scale < 1.0:
        values["population.n_firms"] = max(int(round(cfg.population.n_firms * scale)), 1)
        values["buyers.n_buyers"] = max(int(round(cfg.buyers.n_buyers * scale)), len(cfg.population.sectors))
    return set_values(cfg.scenario(), values, origin="scale-up model scenario", label="")


def _quiet(m: ScoreModel) -> ScoreModel:
    """Drop the model's own recorder: the planner accounts its outcomes itself."""
    m.recorder = Recorder(len(m.worlds), m.p.time.months, np.zeros(0, np.int64), None, 0, m.firms.size.astype(float))
    return m


def _firm_month(m: ScoreModel) -> dict[str, np.ndarray]:
    """This month's firm values (F,) of the model's only world (0 for firms that exited)."""
    last, p = {k: np.nan_to_num(v) for k, v in m.last.items()}, m.p
    absent = last["absence_rate"][0] * m.n_prod * p.workforce.working_days
    hiring = np.broadcast_to(m.wage * p.jobs.hiring_cost_months * m.flows.hires, last["output"].shape)[0]
    return {"q": last["output"][0], "d": last["defect_rate"][0], "e": last["energy_per_unit"][0],
            "price": last["price_level"][0], "va": last["value_added"][0], "profit": last["profit"][0],
            "sales": last["revenue"][0],
            "adopt": last["adoption_cost"][0], "hiring": hiring, "acc": last["accidents"][0], "abs": absent,
            "quits": last["quits"][0], "emp": last["employment"][0]}


def _month_outcomes(m: ScoreModel, prog: dict[str, np.ndarray], cf: dict[str, np.ndarray]) -> dict[str, float]:
    pp = m.p.production
    waste = (1.0 - pp.rework_share) + pp.rework_share * pp.rework_cost
    acc = float((cf["acc"] - prog["acc"]).sum())
    jobs = prog["emp"] - cf["emp"]
    price = prog["price"]
    return {
        "accidents_averted": acc,
        "absence_days_averted": float((cf["abs"] - prog["abs"]).sum()),
        "defect_savings_usd": float((m.firms.material * price * prog["q"] * (cf["d"] - prog["d"]) * waste).sum()),
        "energy_savings_usd": float((price * prog["q"] * (cf["e"] - prog["e"])).sum() * pp.energy_price_usd_kwh),
        "accident_cost_savings_usd": acc * pp.accident_cost_usd,
        "value_added_gain_usd": float((prog["va"] - cf["va"]).sum()),
        "profit_gain_usd": float((prog["profit"] - cf["profit"]).sum()),
        "sales_gain_usd": float((prog["sales"] - cf["sales"]).sum()),
        "displaced_va_usd": float((m.va_share * (prog["sales"] - cf["sales"])).sum()),
        "adoption_cost_usd": float((prog["adopt"] - cf["adopt"]).sum()),
        "hiring_cost_change_usd": float((prog["hiring"] - cf["hiring"]).sum()),
        "quits_averted": float((cf["quits"] - prog["quits"]).sum()),
        "jobs": float(jobs.sum()),
        "jobs_created": float(np.clip(jobs, 0.0, None).sum()),
        "jobs_destroyed": float(np.clip(-jobs, 0.0, None).sum()),
    }


_CF_CACHE: dict[tuple, tuple] = {}   # per process: the last counterfactuals, reused by an allocation search
_CF_CACHE_SIZE = 4


def counterfactual(cfg: PlanConfig, seed: int, draw: dict[str, float] | None, scale: float) -> tuple:
    """The counterfactual world of a replicate: (model scenario, firms, buyers, uptake draws,
    monthly firm values, mean wage, exogenous performance for selection or None). Cached per
    process, keyed by config, seed, draw and scale."""
    key = (cfg.model_dump_json(), seed, tuple(sorted((draw or {}).items())), scale)
    if key in _CF_CACHE:
        return _CF_CACHE[key]
    scen = model_scenario(cfg, draw, scale)
    m = _quiet(ScoreModel(scen, seed=seed, worlds=("counterfactual",)))
    months = []
    for _ in range(scen.time.months):
        m.step()
        months.append(_firm_month(m))
    firms = m.firms
    wage = float((firms.wage * firms.size).sum() / firms.size.sum())
    perf = m.performance() if scen.selection.strength and scen.selection.dip else None
    value = (scen, firms, m.buyers, UptakeDraws.draw(firms.n, generator(seed, "uptake")), months, wage, perf)
    if len(_CF_CACHE) >= _CF_CACHE_SIZE:
        _CF_CACHE.pop(next(iter(_CF_CACHE)))
    _CF_CACHE[key] = value
    return value


def run_replicate(cfg_json: str, allocations: list[dict], seed: int, draw: dict[str, float] | None = None,
                  scale: float = 1.0) -> list[dict[str, np.ndarray]]:
    """Simulate one replicate: the counterfactual once, then each allocation's plan in the
    programme world. Returns, per allocation, the monthly plan series and outcomes (T,) and
    ``wage_usd`` (the population's mean monthly wage, repeated)."""
    cfg = PlanConfig.model_validate_json(cfg_json)
    scen, firms, buyers, draws, cf_months, wage, perf = counterfactual(cfg, seed, draw, scale)
    out = []
    for spec in allocations:
        plan = build_plan(cfg, firms, buyers, draws, Allocation(**spec), scale, perf)
        m = _quiet(ScoreModel(scen, seed=seed, worlds=("programme",), schedule=plan.schedule))
        rows = []
        for t in range(scen.time.months):
            m.step()
            rows.append(_month_outcomes(m, _firm_month(m), cf_months[t]))
        series = {k: np.array([r[k] for r in rows]) for k in OUTCOMES}
        series.update(plan.series)
        series["wage_usd"] = np.full(scen.time.months, wage)
        out.append(series)
    return out


def allocation_record(alloc: Allocation) -> dict:
    """An allocation as a plain dict (picklable, JSON-able)."""
    return asdict(alloc)


__all__ = ["OUTCOMES", "JOB_STOCKS", "SERIES", "run_replicate", "replicate_seed", "model_scenario", "allocation_record"]
