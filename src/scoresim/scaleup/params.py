"""Typed parameters of the scale-up planner: budget, costs, delivery capacity, uptake, rollout
strategies, economics and the allocation search.

A planner config is a scenario config (population, buyers, model parameters; see
:mod:`scoresim.params`) with these sections added, validated the same way: unknown keys are
errors and every number has a unit, a range and a source. Money is in US dollars (USD), time
in months or years of the simulated period. Sources refer to the project's evidence table
(docs/model.md, section Sources) or say ``assumption``.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..params import AREAS, BROCHURE, Area, P, Scenario, Section, choice, documented_entries, rules

COST_RECOVERY = "Indonesia cost recovery: 11% Phase I, 37% Phase II, 62% in 2017 (ILO WCMS_613999)"
MYANMAR = "Myanmar 2019 lessons learned: 55% of trainees certified, 32% still active"
OBJECTIVES: tuple[str, ...] = ("accidents_averted", "net_benefit_usd", "value_added_gain_usd", "firms_reached",
                               "workers_reached", "absence_days_averted")
"""What ``scoresim scaleup --optimise`` can maximise (cumulative over the horizon)."""


class BudgetParams(Section):
    """The programme's budget: what it may commit each year."""

    usd_per_year: float = P(4.0e6, "USD/year", 0.0, 1e10,
                            source="Phase II: CHF 12.75M over 2013-17; 2021-24: USD 3.05M (donor and ILO pages)",
                            doc="programme budget released at the start of each year (used when per_year is empty)")
    per_year: list[float] = choice("one amount >= 0 (USD) per simulated year", "budget of each year; "
                                   "empty: usd_per_year every year", default_factory=list)
    carry_over: bool = Field(True, description="unspent budget stays available in later years")

    @model_validator(mode="after")
    def _check(self) -> "BudgetParams":
        if any(not math.isfinite(v) or v < 0 for v in self.per_year):
            raise ValueError("per_year: every amount must be a finite number >= 0")
        return self

    def released(self, years: int) -> list[float]:
        """Budget released at the start of each of ``years`` years (USD)."""
        if self.per_year:
            return [float(v) for v in self.per_year]
        return [self.usd_per_year] * years


class CostParams(Section):
    """What delivery costs and how the cost per module falls with scale."""

    module_usd: float = P(2500.0, "USD/firm/module", 0.0, 1e6, source=BROCHURE + ": USD 2,500 per SME per module",
                          doc="full cost of a module per firm at the reference scale (fixed costs included)")
    fixed_share: float = P(0.3, "share of cost", 0.0, 0.95,
                           doc="share of that cost that is fixed (management, materials development, "
                               "monitoring) at the reference scale; the rest varies with modules delivered")
    reference_modules_per_year: float = P(154.0, "firm-modules/year", 1.0, 1e7,
                                          source=BROCHURE + ": 308 firms x about 2 modules over 2009-2012",
                                          doc="scale at which module_usd was observed")
    tot_usd_per_trainee: float = P(3000.0, "USD/trainee", 0.0, 1e6,
                                   doc="training of one trainer (course and supervised practice)")

    @property
    def variable_usd(self) -> float:
        """Variable cost of one firm-module (USD)."""
        return self.module_usd * (1.0 - self.fixed_share)

    @property
    def overhead_usd_per_year(self) -> float:
        """Fixed programme cost per year of operation (USD/year): the average cost per module is
        ``variable_usd + overhead_usd_per_year / modules per year``, module_usd at the reference scale."""
        return self.module_usd * self.fixed_share * self.reference_modules_per_year


class CapacityParams(Section):
    """Delivery capacity: institutions, trainers and how trainers are trained and kept."""

    institutions_start: int = P(4, "institutions", 0, 10_000, doc="training institutions delivering at the start")
    institutions_added_per_year: int = P(3, "institutions/year", 0, 10_000,
                                         doc="institutions accredited each further year")
    institutions_max: int = P(19, "institutions", 0, 10_000,
                              source=BROCHURE + ": 19 institutions able to deliver independently (seven countries)",
                              doc="ceiling on institutions")
    trainers_per_institution: int = P(8, "trainers/institution", 1, 1000, doc="trainer posts per institution")
    trainers_start: float = P(12.0, "trainers", 0.0, 1e6, doc="certified, active trainers at the start")
    modules_per_trainer_year: float = P(24.0, "firm-modules/trainer/year", 0.0, 1000.0,
                                        doc="firms per trainer per year, counted once per module: a share "
                                            "of a 2-day workshop for 4-5 firms and three factory visits each")
    new_firm_share: float = P(0.6, "share of capacity", 0.0, 1.0,
                              doc="share of a month's capacity firms starting Module 1 may take; further "
                                  "modules of enrolled firms take the rest and what new firms leave")
    tot_lag_months: int = P(6, "months", 0, 60, doc="from the start of training to certification")
    tot_intake_max_per_year: float = P(60.0, "trainees/year", 0.0, 1e6, doc="places on trainer courses")
    certification: float = P(0.55, "share of trainees", 0.0, 1.0, source=MYANMAR)
    active_share: float = P(0.32, "share of trainees", 0.0, 1.0, source=MYANMAR,
                            doc="trainees still active active_after_years after training")
    active_after_years: float = P(3.0, "years", 0.1, 50.0,
                                  doc="when the active share was observed (assumption): sets trainer attrition")

    @model_validator(mode="after")
    def _check(self) -> "CapacityParams":
        problems = []
        if self.active_share > self.certification:
            problems.append("active_share must not exceed certification (only certified trainers are active)")
        if self.institutions_start > self.institutions_max:
            problems.append("institutions_start must not exceed institutions_max")
        rules(problems)
        return self

    @property
    def attrition_per_month(self) -> float:
        """Monthly chance a certified trainer stops: (active / certified) ** (1 / months) = 1 - attrition."""
        if self.certification == 0:
            return 0.0
        kept = self.active_share / self.certification
        return 1.0 - kept ** (1.0 / (12.0 * self.active_after_years)) if kept > 0 else 1.0


class UptakeParams(Section):
    """How firms decide to enrol, and which modules they go on to after Module 1."""

    base_per_year: float = P(0.10, "1/year", 0.0, 12.0,
                             doc="yearly chance an eligible firm applies when told of the offer, free, "
                                 "with no buyer pressure and no peers who took part")
    fee_sensitivity: float = P(2.5, "1/share of cost", 0.0, 50.0,
                               source="McKenzie 2021: low demand for paid business training (qualitative)",
                               doc="application rate x exp(-fee_sensitivity * share of the module cost the firm pays)")
    buyer_pressure: float = P(2.0, "ratio per unit pressure", 0.0, 50.0,
                              source="Boudreau 2024; Alfaro-Urena et al.: buyers move suppliers' practices",
                              doc="rate x (1 + buyer_pressure * pressure); pressure: share of the firm's buyers "
                                  "that sponsor SCORE plus half the share whose requirement it falls short of")
    peer_effect: float = P(3.0, "ratio per share of peers", 0.0, 100.0,
                           doc="rate x (1 + peer_effect * share of eligible firms of its sector enrolled)")
    modules_per_firm: float = P(2.0, "modules/firm", 1.0, 5.0,
                                source=BROCHURE + ": 2,400 classroom participants / 308 firms / 4 per module",
                                doc="mean modules a firm wants: 1 + Binomial(4, (mean - 1) / 4)")
    need_weight: float = P(1.0, "weight", 0.0, 100.0,
                           doc="after Module 1 a firm takes modules in order of need (low baseline practice) "
                               "plus taste: key = need_weight * practice + uniform")


class StrategyParams(Section):
    """A rollout strategy: whom it reaches, whom it serves first, who pays, which modules."""

    label: str = choice("text", "name shown in tables and figures", default="")
    target: Literal["all", "sponsored_suppliers", "sectors", "high_hazard"] = Field(
        "all", description="firms the outreach is aimed at: all eligible, suppliers of sponsoring buyers, "
                           "firms of target_sectors, or firms of sectors above the median accident rate")
    target_sectors: list[str] = choice("names in population.sectors", "sectors for target = 'sectors'",
                                       default_factory=list)
    outreach: float = P(1.0, "ratio", 0.0, 100.0, doc="application-rate multiplier for targeted firms")
    outreach_others: float = P(1.0, "ratio", 0.0, 100.0, doc="multiplier for eligible firms not targeted (0: none)")
    targeted_first: bool = Field(False, description="applicants who are targeted are served before the others")
    firm_share: float = P(0.37, "share of variable cost", 0.0, 1.0, source=COST_RECOVERY,
                          doc="share of a module's variable cost the firm pays")
    sponsor_share: float = P(0.0, "share of variable cost", 0.0, 1.0,
                             source="China 2012: a buyer (Coop) paid 50% (ILO WCMS_204141)",
                             doc="share a sponsoring buyer pays for its suppliers")
    modules_funded: int = P(3, "modules/firm", 1, 5, doc="most modules the programme funds per firm")
    modules_first: list[Area] = choice("subset of: " + ", ".join(AREAS),
                                       "modules a firm takes right after Module 1, before its own choice",
                                       default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> "StrategyParams":
        problems = []
        if self.firm_share + self.sponsor_share > 1.0 + 1e-12:
            problems.append("firm_share + sponsor_share must not exceed 1")
        if self.target == "sectors" and not self.target_sectors:
            problems.append("target = 'sectors' needs target_sectors")
        rules(problems)
        return self


def _default_strategies() -> dict[str, StrategyParams]:
    return {
        "open": StrategyParams(label="open enrolment"),
        "buyer_led": StrategyParams(label="buyer-led", target="sponsored_suppliers", outreach=3.0,
                                    outreach_others=0.5, targeted_first=True, firm_share=0.12, sponsor_share=0.5),
        "sector": StrategyParams(label="sector-targeted", target="sectors", target_sectors=["garments"],
                                 outreach=3.0, outreach_others=0.0, targeted_first=True),
        "osh_first": StrategyParams(label="OSH-first", target="high_hazard", outreach=2.0, targeted_first=True,
                                    modules_first=["osh"]),
    }


DOCUMENTED_STRATEGIES = {k: v.model_dump() for k, v in _default_strategies().items()}


class EconomicsParams(Section):
    """How benefits and costs are valued (benefits count inside the horizon only)."""

    discount_rate: float = P(0.05, "1/year", 0.0, 1.0, doc="discount rate of net present value (assumption, "
                                                             "public appraisal rates are 3-12%)")
    displacement: float = P(0.5, "share", 0.0, 1.0,
                            source="Additionality Guide (English Partnerships 2008; Homes and Communities Agency "
                                   "2014): displacement of business support, ready reckoner low 25%, medium 50%, "
                                   "high 75%; range 0.25-0.75",
                            doc="share of the value added the population's extra sales take from producers outside it "
                                "(buyers' other suppliers, competitors on the outside market) that other producers of "
                                "the same economy lose: subtracted from benefits (0: every such sale is won abroad)")


class OptimiseParams(Section):
    """The allocation search of ``scoresim scaleup --optimise``."""

    budget_levels: list[float] = choice("shares of the budget in (0, 1]", "budget levels of the cost-outcome "
                                        "frontier; the last is the full budget", default_factory=lambda: [0.5, 1.0])
    sample_fraction: float = P(0.05, "share of firms", gt=0.0, hi=1.0,
                               doc="the search evaluates a random sample of firms with budget and capacity "
                                   "scaled alike (its error is measured against full runs)")
    seeds: int = P(1, "seeds", 1, 100, doc="seeds averaged per evaluation in the search")
    popsize: int = P(3, "x dimensions", 2, 100, doc="differential evolution population multiplier")
    maxiter: int = P(4, "generations", 1, 1000, doc="differential evolution generations")
    verify_top: int = P(2, "allocations", 1, 20, doc="best distinct candidates of each budget level run on the "
                                                     "full population; the best of them is the frontier point")

    @model_validator(mode="after")
    def _check(self) -> "OptimiseParams":
        problems = []
        if not self.budget_levels or any(not 0 < v <= 1 for v in self.budget_levels):
            problems.append("budget_levels: give one or more shares in (0, 1]")
        if sorted(self.budget_levels) != list(self.budget_levels):
            problems.append("budget_levels must be increasing")
        rules(problems)
        return self


class PlanConfig(Scenario):
    """A planner config: a scenario plus budget, costs, capacity, uptake, strategies, economics."""

    budget: BudgetParams = Field(default_factory=BudgetParams)
    costs: CostParams = Field(default_factory=CostParams)
    capacity: CapacityParams = Field(default_factory=CapacityParams)
    uptake: UptakeParams = Field(default_factory=UptakeParams)
    strategies: dict[str, StrategyParams] = Field(default_factory=_default_strategies,
                                                  description="rollout strategies to compare, by name")
    economics: EconomicsParams = Field(default_factory=EconomicsParams)
    optimise: OptimiseParams = Field(default_factory=OptimiseParams)

    @field_validator("strategies", mode="before")
    @classmethod
    def _documented_strategies(cls, v):
        return documented_entries(v, DOCUMENTED_STRATEGIES)

    @model_validator(mode="after")
    def _check_plan(self) -> "PlanConfig":
        years = self.years
        problems = []
        if self.budget.per_year and len(self.budget.per_year) != years:
            problems.append(f"budget.per_year lists {len(self.budget.per_year)} amounts; the horizon "
                            f"(time.months = {self.time.months}) has {years} years")
        if not self.strategies:
            problems.append("strategies: list at least one strategy")
        for name, s in self.strategies.items():
            unknown = [x for x in s.target_sectors if x not in self.population.sectors]
            if unknown:
                problems.append(f"strategies.{name}.target_sectors: {unknown} not among "
                                f"{sorted(self.population.sectors)}")
            offered = [m for m in s.modules_first if m not in self.programme.modules]
            if offered:
                problems.append(f"strategies.{name}.modules_first: {offered} not among programme.modules "
                                f"{self.programme.modules}")
        rules(problems)
        return self

    @property
    def years(self) -> int:
        """Simulated years (the last may be partial)."""
        return -(-self.time.months // 12)

    def scenario(self) -> Scenario:
        """The model scenario of this config (the planner's sections left out)."""
        keep = set(Scenario.model_fields)
        return Scenario.model_validate({k: v for k, v in self.model_dump().items() if k in keep})


PLANNER_SECTIONS: tuple[str, ...] = ("budget", "costs", "capacity", "uptake", "strategies", "economics", "optimise")
