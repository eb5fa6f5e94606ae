"""Typed parameters of the SCORE model: default, unit, valid range and source of each.

Every numeric parameter is declared with :func:`P`, which records its unit and source in the
field's metadata and its valid range as pydantic bounds. Unknown keys are rejected
(``extra="forbid"``). Sources refer to the evidence table of the project
(the SCORE Phase I brochure, ILO programme documents and the cited studies; see the Sources
section of docs/model.md) or say ``assumption``
when no figure exists; assumptions are exposed to sensitivity analysis through their ranges.

Months are model steps. Money is in US dollars (USD). Shares and practice levels are in [0, 1].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StrictFloat, field_validator, model_validator

AREAS: tuple[str, ...] = ("cooperation", "quality", "cleaner_production", "workforce", "osh")
"""The five SCORE module areas, in module order (Module 1 is workplace cooperation)."""

Area = Literal["cooperation", "quality", "cleaner_production", "workforce", "osh"]

BROCHURE = "SCORE Phase I brochure"
ASSUMPTION = "assumption"
CALIBRATED = "calibrated to SCORE Phase I (src/scoresim/data/posterior_phase1.nc): its posterior median"


def P(default: Any, unit: str, lo: float | None = None, hi: float | None = None,
      source: str = ASSUMPTION, doc: str = "", gt: float | None = None, allowed: str = "") -> Any:
    """Declare a parameter with its unit, valid range [lo, hi] (or > gt) and source; ``allowed``
    describes the valid values of a non-numeric parameter."""
    extra = {"unit": unit, "source": source}
    if allowed:
        extra["range"] = allowed
    return Field(default, ge=lo, le=hi, gt=gt, description=doc, json_schema_extra=extra)


MONTHS = "1900-01 to 2199-12"


def choice(allowed: str, doc: str, **default: Any) -> Any:
    """Declare a non-numeric setting with what it allows; ``default=`` or ``default_factory=``."""
    return Field(description=doc, json_schema_extra={"range": allowed}, **default)


SEED_MAX = 2**63 - 1
REPLICATES_MAX = 100_000


STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
"""The type policy of every config: unknown keys are errors and types are strict (a string is
not a number, a boolean is not a number, a decimal number is not a whole number, only true
and false are booleans; a whole number is a valid decimal number); nan and inf are invalid."""


Pair = Annotated[tuple[StrictFloat, StrictFloat], Strict(False)]
"""Two numbers [low, high], written as a TOML list (strict numbers inside)."""


class Section(BaseModel):
    """Base of every parameter section: the strict type policy; assignment is validated."""

    model_config = ConfigDict(**STRICT, validate_assignment=True)


def rules(problems: list[str]) -> None:
    """Raise the broken rules of a section together (one line each), if any."""
    if problems:
        raise ValueError("\n".join(problems))


def documented_entries(table: Any, documented: dict[str, dict[str, Any]], what: str = "",
                       near_cutoff: float | None = None) -> Any:
    """A table of named entries (countries, sectors, strategies) in which each entry named like
    a documented one starts from the documented values: the fields it sets replace them. With
    ``near_cutoff``, a new name very close to a documented one is taken for a misspelling."""
    if not isinstance(table, dict):
        return table
    problems = []
    if near_cutoff is not None:
        import difflib

        for name in table:
            if name not in documented:
                near = difflib.get_close_matches(str(name), list(documented), n=1, cutoff=near_cutoff)
                if near:
                    problems.append(f"'{name}' is not a documented {what}; did you mean '{near[0]}'? (a documented "
                                    f"{what} takes its documented values; a new one, the generic values)")
    rules(problems)
    return {name: ({**documented[name], **entry} if name in documented and isinstance(entry, dict) else entry)
            for name, entry in table.items()}


_MONTH = re.compile(r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$")


def month_index(start: str, month: str) -> int:
    """Months from ``start`` to ``month``, both 'YYYY-MM'."""
    y0, m0 = (int(x) for x in start.split("-"))
    y1, m1 = (int(x) for x in month.split("-"))
    return (y1 - y0) * 12 + (m1 - m0)


def _check_month(value: str) -> str:
    if not _MONTH.match(value):
        raise ValueError(f"{value!r} is not a month in the form 'YYYY-MM'")
    return value


class TimeParams(Section):
    """Simulated calendar: monthly steps from ``start``."""

    start: str = P("2008-01", "YYYY-MM", doc="first simulated month", allowed=MONTHS)
    months: int = P(84, "months", 1, 600, doc="number of monthly steps")

    _start = field_validator("start")(classmethod(lambda cls, v: _check_month(v)))


class CountryParams(Section):
    """A country of the firm population: its SMEs' value added per worker and wages (employer
    cost, 2010-2012) with their path by year, and its labour laws' costs of layoffs and overtime.
    Documented countries take their values from ``scoresim/data/countries.csv`` (each with its
    source and range there, in ``scoresim params`` and in docs/model.md)."""

    weight: float = P(1.0, "relative weight", 0.0, 1e6, doc="share of firms (normalised)")
    va_per_worker_usd_year: float = P(8000.0, "USD/person/year", 100.0, 1e6,
                                      doc="value added per person engaged (all staff) of the country's "
                                          "manufacturing SMEs in an average sector, 2010-2012; times the sector's "
                                          "va_multiplier (a new country: an order of magnitude, assumption)")
    wage_usd_month: float = P(250.0, "USD/worker/month", 10.0, 10000.0,
                              doc="employer cost of a production worker (wage and mandatory contributions), "
                                  "2010-2012 mean (a new country: an order of magnitude, assumption)")
    wage_by_year: dict[str, float] = choice(
        "years 'YYYY' (1900-2199), each USD 10-10000", "employer cost of a production worker by calendar year, "
        "nominal USD: with drift.wage_series it sets the path of wages, and of prices at a constant labour "
        "share, scaled to wage_usd_month (empty: wages grow at drift.wages)", default_factory=dict)
    separation_weeks: float = P(13.0, "weeks of wage", 0.0, 520.0,
                                doc="cost of laying off a production worker (severance and notice) at 3 years' "
                                    "tenure (a new country: assumption)")
    overtime_premium: float = P(1.5, "ratio", 1.0, 5.0,
                                doc="overtime hourly wage over the ordinary one (a new country: assumption)")
    hazard_multiplier: float = P(1.0, "ratio", 0.1, 10.0,
                                 doc="country multiplier of the sector accident hazard")

    @field_validator("wage_by_year")
    @classmethod
    def _years(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k in v if not re.match(r"^(19|20|21)\d\d$", str(k))]
        if bad:
            raise ValueError(f"wage_by_year: {bad} are not years 'YYYY' (1900-2199)")
        out = [k for k, x in v.items() if not 10.0 <= x <= 10000.0]
        if out:
            raise ValueError(f"wage_by_year: the wages of {out} must lie in [10, 10000] USD a month")
        return v


class SectorParams(Section):
    """A manufacturing sector: its cost shares and value added per worker relative to the
    country's SMEs, the unit its output is counted in, and baseline quality, energy and safety.
    Documented sectors take their economics from ``scoresim/data/sectors.csv``. The unit
    quantities (output per worker-day, material and energy per unit) follow from the shares and
    the country's value added per worker (``scoresim.economics``) unless given."""

    weight: float = P(1.0, "relative weight", 0.0, 1e6, doc="share of firms (normalised)")
    price_usd_per_unit: float = P(5.0, "USD/unit", 0.01, 1e6,
                                  doc="price buyers pay per good unit at baseline (it sets the size of a unit)")
    materials_share: float = P(0.6, "share of sales", 0.0, 0.98,
                               doc="materials (rework material included) at baseline (a new sector: assumption)")
    energy_share: float = P(0.03, "share of sales", 0.0, 0.98, doc="energy at baseline (a new sector: assumption)")
    services_share: float = P(0.1, "share of sales", 0.0, 0.98,
                              doc="purchased services and other intermediate inputs, variable with output "
                                  "(a new sector: assumption)")
    capital_share: float = P(0.04, "share of sales", 0.0, 0.5,
                             doc="depreciation, interest and rent a month, fixed at this share of the firm's "
                                 "baseline sales (a new sector: assumption)")
    va_multiplier: float = P(1.0, "ratio", 0.05, 20.0,
                             doc="value added per worker of the sector over the country's SME mean "
                                 "(a new sector: assumption)")
    units_per_worker_day: float | None = P(None, "units/worker-day", 0.01, 1e6,
                                           source="derived when absent (scoresim.economics)",
                                           doc="output of a present worker of average skill at baseline practice; "
                                               "absent: derived from the country's value added per worker and the "
                                               "shares (scoresim.economics); given: the same in every country")
    material_usd_per_unit: float | None = P(None, "USD/unit", 0.0, 1e6,
                                           source="derived when absent (scoresim.economics)",
                                            doc="material cost per unit produced; absent: from materials_share")
    energy_kwh_per_unit: float | None = P(None, "kWh/unit", 0.0, 1e6,
                                           source="derived when absent (scoresim.economics)",
                                          doc="energy intensity at baseline practice; absent: from energy_share")
    defect_rate: float = P(0.08, "share of units", 0.0, 0.9,
                           doc="first-pass defect rate at baseline practice (no SME figure exists; "
                               "cost of poor quality up to 20-25% of cost in apparel)")
    accidents_per_100_year: float = P(11.0, "accidents/100 workers/year", 0.0, 100.0,
                                      source="Yu et al. 2017; ILO: 9-14",
                                      doc="baseline injury rate at baseline OSH practice")

    @model_validator(mode="after")
    def _shares(self) -> "SectorParams":
        if self.materials_share + self.energy_share + self.services_share > 0.98:
            raise ValueError("materials_share + energy_share + services_share must not exceed 0.98: value added "
                             "is the rest of sales")
        return self


DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Datum:
    """A sourced value of a data file: value, plausible range, unit, source, directness."""

    value: float
    low: float
    high: float
    year: str
    unit: str
    source: str
    directness: str

    def cite(self) -> str:
        """The source with its range and directness, as ``scoresim params`` shows it."""
        rng = "" if self.low == self.high else f"; range {_fmt(self.low)}-{_fmt(self.high)}"
        return f"{self.source} ({self.year or 'n.a.'}; {self.directness}{rng})"


def read_data(name: str, key: str) -> dict[str, dict[str, list[Datum]]]:
    """``scoresim/data/<name>`` as {entity: {parameter: [Datum, ...]}} (entity column ``key``)."""
    import csv

    out: dict[str, dict[str, list[Datum]]] = {}
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            d = Datum(float(row["value"]), float(row["low"] or row["value"]), float(row["high"] or row["value"]),
                      row["year"], row["unit"], row["source"], row["directness"])
            out.setdefault(row[key], {}).setdefault(row["parameter"], []).append(d)
    return out


COUNTRY_DATA = read_data("countries.csv", "country")
SECTOR_DATA = read_data("sectors.csv", "sector")
REFERENCE_YEARS = "2010-2012"


def _data_country(name: str, weight: float = 1.0) -> CountryParams:
    d = COUNTRY_DATA[name]
    ref = lambda k: next(x.value for x in d[k] if x.year == REFERENCE_YEARS)  # noqa: E731
    return CountryParams(weight=weight, va_per_worker_usd_year=ref("va_per_worker_usd_year"),
                         wage_usd_month=ref("wage_usd_month"),
                         wage_by_year={x.year: x.value for x in d["wage_usd_month"] if x.year != REFERENCE_YEARS},
                         separation_weeks=d["separation_weeks"][0].value,
                         overtime_premium=d["overtime_premium"][0].value)


def _default_countries() -> dict[str, CountryParams]:
    return {k: _data_country(k) for k in COUNTRY_DATA}


def _data_sector(name: str, **kept: Any) -> SectorParams:
    d = {k: v[0].value for k, v in SECTOR_DATA[name].items()}
    return SectorParams(**d, **kept)


def _default_sectors() -> dict[str, SectorParams]:
    # weights (population mix), defect and accident rates: model assumptions and sources as declared
    return {
        "garments": _data_sector("garments", weight=3.0, defect_rate=0.08, accidents_per_100_year=9.0),
        "food": _data_sector("food", weight=2.0, defect_rate=0.05, accidents_per_100_year=11.0),
        "metal_auto_parts": _data_sector("metal_auto_parts", weight=2.0, defect_rate=0.06,
                                         accidents_per_100_year=14.0),
        "electronics": _data_sector("electronics", weight=1.0, defect_rate=0.04, accidents_per_100_year=7.0),
    }


def data_source(path: str, value: Any) -> str | None:
    """The data file's citation of a documented country's or sector's parameter at ``path``
    (population.countries.<name>.<field>, population.sectors.<name>.<field>) when it has its
    documented value, else None."""
    parts = path.split(".")
    if len(parts) != 4 or parts[0] != "population" or parts[1] not in ("countries", "sectors"):
        return None
    table, name, field = parts[1], parts[2], parts[3]
    documented = (DOCUMENTED_COUNTRIES if table == "countries" else DOCUMENTED_SECTORS).get(name)
    if documented is None or documented.get(field) != value:
        return None
    data = (COUNTRY_DATA if table == "countries" else SECTOR_DATA).get(name, {})
    key = "wage_usd_month" if field == "wage_by_year" else field
    rows = data.get(key)
    if not rows:
        return None
    if field == "wage_by_year":
        return rows[-1].source + f" ({rows[1].directness}; by year, ranges in scoresim/data/countries.csv)"
    row = next((r for r in rows if r.year in (REFERENCE_YEARS, "2012", "")), rows[0])
    return row.cite()


DOCUMENTED_COUNTRIES = {k: v.model_dump() for k, v in _default_countries().items()}
DOCUMENTED_SECTORS = {k: v.model_dump() for k, v in _default_sectors().items()}
NEAR_NAME = 0.85   # a new country or sector name this close to a documented one is a misspelling


class PopulationParams(Section):
    """The firms, their workers and their buyers at the start of the simulation."""

    n_firms: int = P(308, "firms", 1, 5_000_000, source=BROCHURE + ": 308 enterprises")
    workers_mean: float = P(175.0, "workers/firm", 5.0, 5000.0,
                            source=BROCHURE + ": 54,000 workers / 308 firms",
                            doc="mean firm size (managers included)")
    workers_sigma: float = P(0.6, "log-units", 0.0, 2.0, doc="sd of log firm size (lognormal)")
    workers_min: int = P(10, "workers/firm", 5, 100000, doc="smallest firm")
    workers_max: int = P(1000, "workers/firm", 5, 100000, doc="largest firm")
    manager_share: float = P(0.08, "share of staff", 0.01, 0.5, doc="managers and supervisors")
    women_share: float = P(0.3, "share of staff", 0.0, 1.0,
                           source="SCORE Dec 2016: 30% of participants women")
    practice_mean: float = P(0.25, "practice level [0,1]", 0.0, 1.0,
                             doc="mean baseline practice level in each area (Beta distributed)")
    practice_concentration: float = P(8.0, "Beta a+b", 0.5, 1000.0, doc="spread of baseline practices")
    skill_mean: float = P(0.6, "skill [0,1]", 0.0, 1.0,
                          doc="mean worker skill at start (near the steady state of learning and turnover)")
    engagement_mean: float = P(0.45, "engagement [0,1]", 0.0, 1.0,
                               doc="mean worker engagement at start when engagement_start is 'mean'")
    engagement_start: Literal["steady_state", "mean"] = Field(
        "steady_state", description="workers' engagement starts around their firm's steady state (the target "
        "its practices and accident rate set), so the world without the programme does not drift toward it "
        "after the start; 'mean': around engagement_mean in every firm (the model before the counterfactual "
        "mechanisms)", json_schema_extra={"range": "steady_state | mean"})
    commitment_mean: float = P(0.38, "commitment [0,1]", 0.0, 1.0,
                               source=CALIBRATED,
                               doc="mean management commitment (Beta distributed)")
    commitment_concentration: float = P(4.62, "Beta a+b", 0.2, 1000.0,
                                        source=CALIBRATED + "; prior: Bloom et al. 2020: lack of director "
                                                            "time a main cause of dropped practices",
                                        doc="spread of management commitment across firms (small: many "
                                            "firms with almost none)")
    tfp_sigma: float = P(0.2, "log-units", 0.0, 2.0, doc="sd of log firm efficiency (dispersion of TFP)")
    tenure_mean_months: float = P(30.0, "months", 0.0, 600.0, doc="mean tenure at start (exponential)")
    va_scale: float = P(1.0, "ratio", 0.1, 10.0,
                        source=ASSUMPTION + "; for sensitivity analysis, 0.5-2 covers the sources' ranges of value added "
                                            "per worker",
                        doc="multiplies every country's value added per worker and its wages alike: the level of the "
                            "firms' productivity against the sources, labour shares unchanged (sample this, not "
                            "value added and wages independently)")
    wage_scale: float = P(1.0, "ratio", 0.1, 10.0,
                          source=ASSUMPTION + "; for sensitivity analysis, 0.7-1.4 covers labour shares of value "
                                              "added of about 0.25-0.65",
                          doc="multiplies every country's wages alone: the labour share of value added")
    countries: dict[str, CountryParams] = Field(default_factory=_default_countries,
                                                description="countries with weights, value added per worker and "
                                                            "wages; a table in a config lists them all")
    sectors: dict[str, SectorParams] = Field(default_factory=_default_sectors,
                                             description="sectors with cost shares, value added per worker and "
                                                         "baseline rates; a table in a config lists them all")

    @field_validator("countries", mode="before")
    @classmethod
    def _documented_countries(cls, v: Any) -> Any:
        return documented_entries(v, DOCUMENTED_COUNTRIES, "country", NEAR_NAME)

    @field_validator("sectors", mode="before")
    @classmethod
    def _documented_sectors(cls, v: Any) -> Any:
        return documented_entries(v, DOCUMENTED_SECTORS, "sector", NEAR_NAME)

    @model_validator(mode="after")
    def _check(self) -> "PopulationParams":
        problems = []
        if self.workers_min > self.workers_max:
            problems.append("workers_min must not exceed workers_max")
        for name, table in (("countries", self.countries), ("sectors", self.sectors)):
            if not table:
                problems.append(f"{name} must list at least one entry")
            elif sum(v.weight for v in table.values()) <= 0:
                problems.append(f"{name}: weights must not all be zero")
        rules(problems)
        return self


class BuyerParams(Section):
    """International and national buyers, their requirements, audits and sponsorship."""

    n_buyers: int = P(40, "buyers", 1, 1_000_000)
    international_share: float = P(0.5, "share of buyers", 0.0, 1.0)
    links_per_firm: int = P(2, "buyers/firm", 1, 10, doc="buyers each supplier sells to")
    sponsor_share: float = P(0.0, "share of international buyers", 0.0, 1.0,
                             doc="international buyers that sponsor SCORE for their suppliers")
    requirement_international: float = P(0.3, "compliance [0,1]", 0.0, 1.0,
                                         doc="compliance level international buyers require "
                                             "(baseline compliance is about 0.25: most SMEs fall short)")
    requirement_national: float = P(0.2, "compliance [0,1]", 0.0, 1.0)
    audits_per_year_international: float = P(1.0, "audits/supplier/year", 0.0, 12.0)
    audits_per_year_national: float = P(0.25, "audits/supplier/year", 0.0, 12.0)


class ProgrammeParams(Section):
    """SCORE delivery: who is eligible, when modules start, visits, fees and who pays them."""

    enabled: bool = Field(True, description="deliver the programme in the programme world")
    modules: list[Area] = choice("subset of: " + ", ".join(AREAS), "modules offered",
                                 default_factory=lambda: list(AREAS))
    participants: int = P(308, "firms", 0, 5_000_000, source=BROCHURE,
                          doc="firms enrolled; the commands refuse more than the drawn population has eligible "
                              "(0: no programme)")
    eligible_sectors: list[str] = choice("names in population.sectors", "empty: all sectors",
                                         default_factory=list)
    eligible_countries: list[str] = choice("names in population.countries", "empty: all countries",
                                           default_factory=list)
    eligible_min_workers: int = P(0, "workers/firm", 0, 1_000_000)
    eligible_max_workers: int = P(1_000_000, "workers/firm", 0, 1_000_000)
    targeting: Literal["random", "sponsored_first"] = Field(
        "random", description="random among eligible, or suppliers of sponsoring buyers first")
    enrol_start: str = P("2009-01", "YYYY-MM", source=BROCHURE + ": 2009 start", allowed=MONTHS,
                         doc="first month a cohort starts Module 1 (inside the simulated period)")
    enrol_end: str = P("2012-12", "YYYY-MM", source=BROCHURE + ": ended September 2013",
                       doc="last month a cohort starts Module 1", allowed=MONTHS)
    cohort_size: int = P(5, "firms/workshop", 1, 100,
                         source="ILO SCORE pages WCMS_321117: 4-5 firms per workshop")
    modules_per_firm: float = P(2.0, "modules/firm", 1.0, 5.0,
                                source=BROCHURE + ": 2,400 classroom participants / 308 firms / 4 per module",
                                doc="mean modules a participant plans: 1 + Binomial(4, (mean - 1) / 4)")
    module1_first: bool = Field(True, description="Module 1 (cooperation) first when offered "
                                "(SCORE programme design)")
    classroom_managers: int = P(2, "persons/firm/module", 0, 20, source="WCMS_321117")
    classroom_workers: int = P(2, "persons/firm/module", 0, 20, source="WCMS_321117")
    visits_per_module: int = P(3, "visits", 0, 12,
                               source="SCORE Phase II mid-term evaluation: 3 visits within 3 months")
    visit_months: int = P(3, "months", 1, 24, source="SCORE Phase II mid-term evaluation")
    gap_months: int = P(2, "months", 0, 36, doc="pause between a module's last visit and the next module")
    dropout: float = P(0.05, "probability/module", 0.0, 1.0, doc="chance a firm stops before a further module")
    cost_per_module_usd: float = P(2500.0, "USD/firm/module", 0.0, 1e6, source=BROCHURE)
    firm_share: float = P(0.11, "share of cost", 0.0, 1.0,
                          source="Indonesia cost recovery 11% Phase I (ILO WCMS_613999)",
                          doc="share of the module cost paid by the firm")
    sponsor_share: float = P(0.0, "share of cost", 0.0, 1.0,
                             source="China 2012: a buyer (Coop) paid 50% (ILO WCMS_204141)",
                             doc="share paid by a sponsoring buyer for its suppliers")

    _months = field_validator("enrol_start", "enrol_end")(classmethod(lambda cls, v: _check_month(v)))

    @model_validator(mode="after")
    def _check(self) -> "ProgrammeParams":
        problems = []
        if self.firm_share + self.sponsor_share > 1.0 + 1e-12:
            problems.append("firm_share + sponsor_share must not exceed 1")
        if len(set(self.modules)) != len(self.modules):
            problems.append("modules must not repeat")
        if self.enabled and self.participants > 0 and not self.modules:
            problems.append("modules: offer at least one module (for a scenario without the programme, set "
                            "enabled = false or participants = 0)")
        if self.eligible_min_workers > self.eligible_max_workers:
            problems.append("eligible_min_workers must not exceed eligible_max_workers")
        if month_index(self.enrol_start, self.enrol_end) < 0:
            problems.append("enrol_end must not be before enrol_start")
        rules(problems)
        return self


class AdoptionParams(Section):
    """How practices move toward what a module teaches, and how they decay."""

    target: float = P(0.586, "practice level [0,1]", 0.0, 1.0, source=CALIBRATED + "; prior: assumption",
                      doc="level a module teaches")
    classroom_rate: float = P(0.10, "share of gap/workshop", 0.0, 1.0,
                              doc="share of the gap to target closed by the workshop")
    visit_rate: float = P(0.204, "share of gap/visit", 0.0, 1.0,
                          source=CALIBRATED + "; prior: Bloom et al. 2013: practices +38 vs +12 points",
                          doc="share of the gap closed per consulting visit, at commitment 0.5")
    absorptive_cooperation: float = P(0.5, "ratio", 0.0, 5.0,
                                      doc="extra adoption per unit of cooperation practice "
                                          "(Module 1 first: the others build on it)")
    decay: float = P(0.007, "1/month", 0.0, 0.2,
                     source="Bloom et al. 2020: half of practices dropped after 8-9 years (~8%/year)",
                     doc="monthly decay of practice above its baseline")
    team_decay_factor: float = P(0.5, "ratio", 0.0, 1.0,
                                 doc="decay multiplier while the improvement team is active")
    team_setup: float = P(0.9, "probability", 0.0, 1.0,
                          doc="chance a Module 1 workshop sets up an enterprise improvement team")
    team_lapse: float = P(0.02, "hazard/month", 0.0, 1.0,
                          doc="monthly lapse hazard of an active team at commitment 0.5")
    manager_quit_lapse: float = P(0.1, "hazard/trained manager lost", 0.0, 5.0,
                                  source="Bloom et al. 2020: manager turnover main cause of drop",
                                  doc="extra lapse hazard when a trained manager quits")


class WorkforceParams(Section):
    """Absence, accidents, engagement, turnover and skill of workers."""

    working_days: float = P(22.0, "days/month", 1.0, 31.0)
    absence_base: float = P(0.05, "share of days", 0.0, 0.5,
                            source="WHO; Adhvaryu et al.: ~5% (2-11%)",
                            doc="absence at engagement 0.5 and no workforce practice")
    absence_engagement: float = P(0.508, "ratio per unit engagement", 0.0, 1.9,
                                  source=CALIBRATED,
                                  doc="absence falls by this share per unit engagement above 0.5")
    absence_workforce: float = P(0.266, "ratio", 0.0, 0.9, source=CALIBRATED,
                                 doc="absence falls by this share at full workforce practice")
    osh_hazard: float = P(1.11, "1/practice unit", 0.0, 10.0,
                          source=CALIBRATED + "; prior: Yu et al. 2017 RCT: participatory OSH training -42% injuries",
                          doc="hazard multiplier exp(-osh_hazard * (osh - baseline mean))")
    hazard_skill: float = P(0.5, "ratio", 0.0, 5.0, doc="extra hazard per unit of missing skill")
    hazard_new_hire: float = P(0.5, "ratio", 0.0, 5.0,
                               doc="extra hazard of a new hire, halving after 6 months of tenure")
    days_lost_mean: float = P(12.0, "days/accident", 0.0, 365.0, doc="mean days lost per accident (exponential)")
    engagement_speed: float = P(0.15, "1/month", 0.0, 1.0, doc="monthly adjustment of engagement to its target")
    engagement_base: float = P(0.38, "engagement [0,1]", 0.0, 1.0, doc="target with no practices")
    engagement_cooperation: float = P(0.261, "per practice unit", 0.0, 1.0, source=CALIBRATED)
    engagement_workforce: float = P(0.15, "per practice unit", 0.0, 1.0)
    engagement_team: float = P(0.05, "engagement", 0.0, 1.0, doc="target shift while a team is active")
    engagement_accidents: float = P(0.005, "per accident/100 workers/year", 0.0, 0.1)
    engagement_peers: float = P(0.3, "weight", 0.0, 1.0, doc="weight of the firm's mean engagement in the target")
    quit_base: float = P(0.025, "1/month", 0.0, 0.5, doc="monthly quit chance at engagement 0.5")
    quit_engagement: float = P(1.0, "ratio per unit engagement", 0.0, 1.9)
    quit_workforce: float = P(0.3, "ratio", 0.0, 0.9, doc="quits fall by this share at full workforce practice")
    hire_skill: float = P(0.2, "skill [0,1]", 0.0, 1.0, doc="skill of a replacement hire")
    hire_engagement: float = P(0.45, "engagement [0,1]", 0.0, 1.0)
    skill_growth: float = P(0.02, "share of gap/month", 0.0, 1.0, doc="learning on the job")
    skill_growth_workforce: float = P(1.0, "ratio", 0.0, 10.0, doc="extra learning at full workforce practice")
    classroom_skill: float = P(0.1, "skill", 0.0, 1.0, doc="skill gained by a classroom participant")
    classroom_engagement: float = P(0.1, "engagement", 0.0, 1.0)


class SuggestionParams(Section):
    """Worker suggestions and the small lasting gains of those implemented."""

    rate: float = P(0.1, "suggestions/worker/month", 0.0, 5.0,
                    doc="at full cooperation practice and engagement 0.5 (about 1.2 a worker-year; "
                        "0.3 at baseline practice)")
    team_multiplier: float = P(2.0, "ratio", 1.0, 10.0, doc="rate multiplier while a team is active")
    implemented: float = P(0.3, "share", 0.0, 1.0)
    gain_productivity: float = P(0.0006, "relative/suggestion", 0.0, 0.1)
    gain_defects: float = P(0.0009, "relative/suggestion", 0.0, 0.1)
    gain_energy: float = P(0.0003, "relative/suggestion", 0.0, 0.1)
    gain_cap: float = P(0.5, "relative", 0.0, 1.0, doc="largest cumulative gain a firm can reach")
    erosion: float = P(0.02, "1/month", 0.0, 1.0,
                       doc="monthly erosion of past gains (products and processes change); "
                           "gains start at their steady state under baseline practice")


class ProductionParams(Section):
    """Output, defects, energy and costs."""

    skill_effect: float = P(0.6, "ratio per skill unit", 0.0, 5.0, doc="output gain per unit of mean skill above 0.5")
    quality_effect: float = P(0.0933, "ratio per practice unit", 0.0, 2.0,
                              source=CALIBRATED + "; prior: Bloom et al. 2013: productivity +17% year 1")
    cleaner_effect: float = P(0.08, "ratio per practice unit", 0.0, 2.0)
    workforce_effect: float = P(0.0484, "ratio per practice unit", 0.0, 2.0,
                                source=CALIBRATED + "; prior: Adhvaryu et al.: soft skills +11-12%")
    cooperation_effect: float = P(0.0436, "ratio per practice unit", 0.0, 2.0, source=CALIBRATED)
    defect_quality: float = P(0.844, "1/practice unit", 0.0, 10.0,
                              source=CALIBRATED,
                              doc="defect multiplier exp(-defect_quality * (quality - baseline mean))")
    defect_skill: float = P(0.5, "ratio per skill unit", 0.0, 5.0)
    defect_engagement: float = P(0.3, "ratio per engagement unit", 0.0, 5.0)
    defect_noise: float = P(0.143, "log-sd", 0.0, 2.0, source=CALIBRATED,
                            doc="stationary variation of the defect rate (lognormal)")
    defect_persistence: float = P(0.7, "AR(1) coefficient/month", 0.0, 0.99, source=ASSUMPTION,
                                  doc="monthly persistence of the defect-rate noise (0: independent months)")
    rework_share: float = P(0.5, "share of defects", 0.0, 1.0, doc="defective units reworked, the rest scrapped")
    rework_cost: float = P(0.3, "share of material cost", 0.0, 5.0)
    energy_cleaner: float = P(0.0377, "ratio per practice unit", 0.0, 0.9,
                              source=CALIBRATED,
                              doc="energy per unit falls by this share per unit of cleaner-production practice")
    energy_price_usd_kwh: float = P(0.1, "USD/kWh", 0.0, 10.0)
    accident_cost_usd: float = P(470.0, "USD/accident", 0.0, 1e6,
                                 source="BMC Public Health 2022 (Ethiopia)")
    manager_wage_ratio: float = P(3.0, "ratio", 1.0, 50.0)
    overtime_max: float = P(0.25, "share of regular hours", 0.0, 1.0,
                            source="legal caps: China 36 h a month (Labour Law art. 41), Viet Nam 200-300 h a year "
                                   "(Labour Code 2012 art. 106), Indonesia 14 h a week (Law 13/2003 art. 78), about "
                                   "10-30% of regular hours; practice exceeds them (SACOM: 80-150 h a month in Chinese "
                                   "factories; Fair Wear: excessive overtime in 97% of 36 Bangladeshi garment "
                                   "factories); range 0.1-0.5",
                            doc="most overtime a firm works, share of its workforce's regular hours (paid at the "
                                "country's overtime_premium)")


class MarketParams(Section):
    """Buyers' demand and how they allocate orders across suppliers; demand outside the buyers."""

    demand_ratio: float = P(1.0, "ratio", 0.1, 10.0,
                            doc="buyers' demand relative to what their suppliers sell them at baseline: their baseline "
                                "good output less what they sell outside the buyers (all of it without demand limits)")
    demand_noise: float = P(0.03, "log-sd/month", 0.0, 1.0)
    adjust: float = P(0.1, "1/month", 0.0, 1.0, doc="speed at which order shares follow attractiveness")
    weight_quality: float = P(0.5, "per defect-rate unit relative", 0.0, 100.0,
                              source="derived: cost of poor quality up to 20-25% of manufacturing cost in apparel "
                                     "(industry estimate), so a 10% lower defect rate is worth at most about 2.5% of "
                                     "price to a buyer: weight_price x 0.25 = 0.5 (the model before firm economics "
                                     "used 5, a 25% price cut); range 0-1",
                              doc="score lost per unit of the defect rate relative to the sector's baseline rate")
    weight_reliability: float = P(1.0, "per fill-rate unit", 0.0, 100.0)
    weight_compliance: float = P(1.0, "per compliance unit", 0.0, 100.0)
    weight_price: float = P(2.0, "per log price", 0.0, 100.0)
    audit_cut: float = P(0.3, "share of orders", 0.0, 1.0, doc="order share cut after a failed audit")
    spot_price: float = P(0.9, "share of price", 0.0, 1.0,
                          source=ASSUMPTION + "; sales outside contracted buyers fetch less than contract prices "
                                              "(exporters charge more to richer, more distant markets: Manova & Zhang "
                                              "2012, QJE 127(1)); range 0.7-1",
                          doc="price of sales outside the buyers at baseline, share of the buyer price (without "
                              "demand limits: the price of all output beyond orders)")
    produce_to_demand: bool = Field(True, description="firms produce what they can sell (orders and "
                                    "outside_demand); false: at capacity, whatever sells (the model before "
                                    "demand limited output)")
    outside_demand: float = P(0.2, "share of baseline good output", 0.0, 0.95,
                              source=ASSUMPTION + "; range 0.1-0.4",
                              doc="share of its baseline output a firm sells outside its buyers (domestic traders, "
                                  "small buyers) at baseline; the buyers order the rest")
    demand_elasticity: float = P(4.0, "elasticity", 0.0, 30.0,
                                 source="Hsieh & Klenow 2009 (QJE 124(4)) use 3 between plants' products; trade "
                                        "literature 3-10 (Broda & Weinstein 2006, QJE 121(2); Simonovska & Waugh 2014, "
                                        "JIE 92(1)); range 2-10",
                                 doc="price elasticity of demand outside the buyers: firms price there at a constant "
                                     "markup over marginal cost (the spot price at baseline) and sell (baseline "
                                     "marginal cost / marginal cost) ^ elasticity times their baseline quantity, as "
                                     "far as capacity allows; 0: a fixed quantity at the spot price")
    elsewhere_share: float = P(0.5, "share of purchases", 0.0, 0.95,
                               source=ASSUMPTION + ": the firms of a scenario are SMEs of their markets (Phase I: a "
                                                   "sample of them); their buyers also buy from large firms and abroad, "
                                                   "and SMEs hold about half of formal manufacturing employment in "
                                                   "developing countries (Ayyagari, Beck & Demirguc-Kunt 2007, Small "
                                                   "Business Economics 29(4), not re-checked); range 0-0.9",
                               doc="share of the buyers' purchases bought from suppliers outside the population at "
                                   "baseline: a supplier that becomes more attractive takes orders from them as from "
                                   "its rivals in the population (0: buyers buy only from the population)")
    capacity_aware: bool = Field(True, description="buyers place with a supplier no more than it can make with its "
                                 "workforce and overtime and offer the rest to their other suppliers; false: orders "
                                 "follow shares whatever the capacity")


class JobsParams(Section):
    """Employment follows the work orders need: firms hire and lay off toward it, paying for
    both, and wages share a little of the firm's productivity (rent sharing)."""

    adjustment: float = P(0.06, "share of gap/month", 0.0, 1.0,
                          source="Caballero, Engel & Micco 2004 (J. Comparative Economics 32(4)); Caballero, Cowan, "
                                 "Engel & Micco 2013 (JDE 101): half to three quarters of the gap closed within a year "
                                 "in Latin American plants (not re-checked); range 0.03-0.12",
                          doc="share of the gap between the production workforce the orders need and the current "
                              "one closed each month (0: employment fixed)")
    demand_months: float = P(3.0, "months", 1.0, 24.0, source=ASSUMPTION,
                             doc="averaging time of the workforce needed, the firm's expectation of its orders")
    hiring_cost_months: float = P(0.5, "months of wage", 0.0, 12.0,
                                  source=ASSUMPTION + " (recruitment, paperwork, induction; the learning of new hires "
                                                      "is modelled through skill); range 0.25-2",
                                  doc="cost of a hire, every replacement of a quit included")
    rent_sharing: float = P(0.1, "elasticity", 0.0, 1.0,
                            source="Card, Cardoso, Heining & Kline 2018 (J. Labor Economics 36(S1)): most estimates "
                                   "0.05-0.15 (not re-checked); Arbache & Menezes-Filho (Brazil); Azam & Ris 2001 (World "
                                   "Bank PRWP 2600, Cote d'Ivoire); range 0-0.2",
                            doc="elasticity of the firm's wages to its value added per worker (relative to the "
                                "common trend)")
    rent_months: float = P(12.0, "months", 1.0, 60.0, source=ASSUMPTION + ": wages are reset about once a year",
                           doc="averaging time of the value added per worker wages respond to")


class AdoptionCostParams(Section):
    """What adopting SCORE costs the firm beside the fees: the time of managers and workers in
    workshops, consulting visits, improvement-team meetings and implementation, travel, and
    investments. Workers' time is lost production time (capacity); managers' time is valued at
    their wage; travel and investments are paid. All 0 switches them off."""

    classroom_days: float = P(2.0, "days/participant/workshop", 0.0, 30.0,
                              source="ILO SCORE pages WCMS_321117: 2-day workshop, 2 managers + 2 workers per firm",
                              doc="days each classroom participant spends away (programme.classroom_managers and "
                                  "classroom_workers per module)")
    visit_manager_days: float = P(2.0, "manager-days/module", 0.0, 30.0,
                                  source=ASSUMPTION + ": 3 visits (Phase II mid-term evaluation) x half a day; 1-10 "
                                                      "person-days a module with the workers' days",
                                  doc="managers' time with the consultant per module, spread over its visits")
    visit_worker_days: float = P(4.0, "worker-days/module", 0.0, 60.0, source=ASSUMPTION,
                                 doc="production workers' time with the consultant per module, spread over its visits")
    team_days: float = P(3.0, "person-days/month", 0.0, 60.0,
                         source=ASSUMPTION + ": 8 members x 1.5 hours x 2 meetings a month; range 0.5-6",
                         doc="improvement-team meetings while a team is active, half managers, half workers")
    implementation_days: float = P(0.5, "worker-days/worker/module", 0.0, 10.0,
                                   source=ASSUMPTION + " (5S days, re-layout, training co-workers); range 0-2",
                                   doc="time every production worker spends implementing a module, over its visits")
    travel_usd_per_day: float = P(10.0, "USD/person-day", 0.0, 1000.0, source=ASSUMPTION + "; range 5-25",
                                  doc="travel and meals of a classroom participant per day away")
    osh_usd_per_worker: float = P(30.0, "USD/worker", 0.0, 10000.0,
                                  source="ILO (1988) Low-cost ways of improving working conditions: 100 examples from "
                                         "Asia; ILO WISE manual (2018): mostly low-cost; the amount an assumption, "
                                         "range 10-100",
                                  doc="OSH equipment (guards, extinguishers, first aid, PPE, lighting) when the OSH "
                                      "module starts, per staff member")
    osh_upkeep_usd_per_worker_year: float = P(5.0, "USD/worker/year", 0.0, 1000.0,
                                              source=ASSUMPTION + " (PPE replacement); range 2-15",
                                              doc="upkeep of OSH equipment after the OSH module, per staff member")
    cleaner_usd_per_worker: float = P(50.0, "USD/worker", 0.0, 10000.0,
                                      source="IFC Vietnam Improvement Programme: 82 factories invested USD 37M and save "
                                             "USD 30M a year, payback 12-15 months (large exporters); the amount for "
                                             "SMEs an assumption, range 0-300",
                                      doc="cleaner-production changes when the module starts, per staff member")
    quality_usd_per_worker: float = P(10.0, "USD/worker", 0.0, 10000.0,
                                      source=ASSUMPTION + " (gauges, racks, bins, boards); range 0-50",
                                      doc="quality tools when the quality module starts, per staff member")


BLOOM13 = "Bloom et al. 2013 (QJE 128(1))"
SHOCKS_LIT = ("Khan & Thomas 2013 (JPE 121(6)), Bloom et al. 2018 (Econometrica 86(3)): annual persistence "
              "of firm productivity 0.66-0.81; Bils, Klenow & Ruane 2021: measured dispersion overstates true shocks")


class DriftParams(Section):
    """Secular change of the world without the programme (both worlds alike): management practices
    diffuse, and labour productivity, wages and demand grow. All 0 switches drift off."""

    practice: float = P(0.00907, "practice level/year", 0.0, 0.06,
                        source=CALIBRATED + "; prior: Bloom et al. 2020 (AEJ Applied 12(2)): diagnosed "
                                            "controls kept little of "
                               "their +12 points after 8-9 years (0 to 0.007/year); upper end: "
                               + BLOOM13 + " controls +0.12 in about 2 years",
                        doc="rise of every firm's baseline practice level per year (capped at 1)")
    productivity: float = P(0.0373, "log-points/year", -0.05, 0.10,
                            source=CALIBRATED + "; prior: World Bank WDI NV.IND.MANF.KD.ZG 2008-2014: "
                                                "manufacturing value added "
                                   "+2 to +11%/year less 1-3% employment growth",
                            doc="trend growth of every firm's efficiency")
    wages: float = P(0.03, "log-points/year", -0.05, 0.15,
                     source="ILO Global Wage Report 2014/15: real wages +6% (developing Asia), +0.8% "
                            "(Latin America), 2012-13; central value across the seven countries",
                     doc="trend growth of wages")
    wage_series: bool = Field(True, description="wages follow each country's wage_by_year (nominal USD at the year's "
                              "exchange rate), and prices with them at a constant labour share (value added per "
                              "worker indexed to the local-currency wage); beyond the series wages grow at "
                              "drift.wages; false: drift.wages throughout")
    demand: float = P(0.03, "log-points/year", -0.10, 0.15,
                      source=ASSUMPTION + ": demand grows with productivity (balanced growth)",
                      doc="trend growth of buyers' demand and of demand outside the buyers")


class DemandShock(Section):
    """A scripted demand shock: from ``start`` to ``end`` (months inclusive) demand from the chosen
    buyers of firms in the chosen sectors and countries is multiplied by 1 + ``change``."""

    start: str = P("2009-01", "YYYY-MM", allowed=MONTHS, doc="first month of the shock")
    end: str = P("2009-12", "YYYY-MM", allowed=MONTHS, doc="last month of the shock")
    change: float = P(-0.1, "relative", -0.95, 2.0, doc="relative change of demand during the shock")
    sectors: list[str] = choice("names in population.sectors", "empty: all sectors", default_factory=list)
    countries: list[str] = choice("names in population.countries", "empty: all countries",
                                  default_factory=list)
    buyers: Literal["all", "international", "national"] = Field(
        "all", description="orders of which buyers; 'all' and 'national' also scale demand outside the buyers")

    _months = field_validator("start", "end")(classmethod(lambda cls, v: _check_month(v)))

    @model_validator(mode="after")
    def _check(self) -> "DemandShock":
        if month_index(self.start, self.end) < 0:
            raise ValueError("end must not be before start")
        return self


class ShockParams(Section):
    """Exogenous shocks, common to both worlds: a business cycle per country and sector, persistent
    shocks to each firm's efficiency and each buyer's demand (AR(1) in logs, monthly), and scripted
    demand shocks. Standard deviations are those of the stationary process; 0 switches a shock off."""

    cycle_persistence: float = P(0.971, "AR(1) coefficient/month", 0.0, 0.999,
                                 source="WDI manufacturing growth 2000-2019 (sd 1-4 points, low persistence "
                                        "of growth): annual AR(1) 0.7 of log demand, 0.7^(1/12)",
                                 doc="monthly persistence of the country x sector business cycle")
    cycle_sd: float = P(0.042, "log-sd", 0.0, 0.3,
                        source="WDI manufacturing growth: annual innovation sd 0.03, stationary 0.042",
                        doc="stationary sd of log demand of a country x sector market")
    firm_persistence: float = P(0.976, "AR(1) coefficient/month", 0.0, 0.999,
                                source=SHOCKS_LIT + "; annual 0.75, 0.75^(1/12)",
                                doc="monthly persistence of each firm's efficiency shock")
    firm_sd: float = P(0.12, "log-sd", 0.0, 0.5,
                       source=SHOCKS_LIT + "; annual innovation sd 0.08, the lower end of 0.08-0.25 (true shocks, "
                                    "not measurement error), stationary 0.08/sqrt(1-0.75^2)",
                       doc="stationary sd of each firm's log efficiency shock")
    buyer_persistence: float = P(0.9865, "AR(1) coefficient/month", 0.0, 0.999,
                                 source="Foster, Haltiwanger & Syverson 2008 (AER 98(1)): demand more persistent "
                                        "than productivity; annual 0.85, 0.85^(1/12)",
                                 doc="monthly persistence of each buyer's demand shock")
    buyer_sd: float = P(0.15, "log-sd", 0.0, 0.6, source=ASSUMPTION + "; annual innovation sd 0.08, the lower end "
                                                                      "of 0.08-0.30 (Foster, Haltiwanger & Syverson "
                                                                      "2008), stationary 0.08/sqrt(1-0.85^2)",
                        doc="stationary sd of each buyer's log demand shock")
    scripted: list[DemandShock] = Field(default_factory=list,
                                        description="scripted demand shocks, one [[shocks.scripted]] table each",
                                        json_schema_extra={"range": "tables of start, end (YYYY-MM), change "
                                                           "(relative, -0.95 to 2), sectors, countries, buyers "
                                                           "(all | international | national)",
                                                           "source": "scenario input"})


class SelectionParams(Section):
    """Who enrols: each cohort is drawn from the eligible firms not yet enrolled with weights
    exp(strength * (commitment * z_commitment + dip * z_dip)), z being standard scores across the
    eligible firms of management commitment and of the shortfall of recent performance. Strength 0
    is a uniform draw."""

    strength: float = P(0.94, "ratio", 0.0, 5.0,
                        source=CALIBRATED + "; prior: " + ASSUMPTION + "; Suzuki, Vu & Sonobe 2014 (JCE "
                                            "42(3)): firms with higher prior "
                                            "demand for training gain more; JICA kaizen programmes choose willing firms",
                        doc="scale of selection on commitment and on the performance dip")
    commitment: float = P(0.9, "log-weight/sd", 0.0, 3.0,
                          source="Maffioli, McKenzie & Ubfal 2020 (WB PRWP 9415): price screens out owners who "
                                 "expect less; odds ratio about 2.5 per sd (assumption, range 1-4)",
                          doc="log enrolment weight per sd of management commitment")
    dip: float = P(0.3, "log-weight/sd", 0.0, 3.0,
                   source="Ashenfelter 1978 (REStat 60(1)); Heckman & Smith 1999 (EJ 109): "
                          "pre-programme dip; for firms an assumption (enrollees 0.1-0.3 sd below their mean)",
                   doc="log enrolment weight per sd of shortfall of recent performance")
    dip_months: int = P(6, "months", 1, 36, doc="months of recent performance a firm looks back on")


class FailureParams(Section):
    """Not every firm succeeds: implementation disrupts production for a while, firms drop out in
    the middle of a module, and improvement teams that break down leave relations and practice
    worse. All 0 switches failure off."""

    disruption: float = P(0.03, "relative output loss", 0.0, 0.3,
                          source=ASSUMPTION + "; Brynjolfsson, Rock & Syverson 2021 (AEJ Macro): "
                                              "productivity J-curve of reorganisation",
                          doc="efficiency lost in the month of a module's workshop, fading after")
    disruption_months: float = P(3.0, "months", 0.1, 24.0, doc="e-folding time of the disruption")
    dropout_hazard: float = P(0.02, "1/month", 0.0, 0.5,
                              source=ASSUMPTION + "; attendance and completion in business-training RCTs "
                                                  "(McKenzie & Woodruff 2014, WBRO 29(1))",
                              doc="monthly chance a participant stops mid-module, at commitment 0.5 and "
                                  "productivity as before enrolment")
    dropout_results: float = P(5.0, "log-hazard/relative change", 0.0, 30.0,
                               doc="fall of the dropout log-hazard per unit of relative productivity "
                                   "change since enrolment (early results keep firms in)")
    breakdown_engagement: float = P(0.05, "engagement", 0.0, 0.5,
                                    source=ASSUMPTION + "; Lawler & Mohrman 1985 (HBR): most quality "
                                                        "circles fade within a few years",
                                    doc="fall of the engagement target when an improvement team breaks down")
    breakdown_setback: float = P(0.05, "practice level", 0.0, 0.5,
                                 doc="fall of cooperation practice when a team breaks down (it can end "
                                     "below where it started)")
    disillusion_months: float = P(12.0, "months", 0.1, 120.0, doc="e-folding time of the engagement fall")


class ExitParams(Section):
    """Firms exit after sustained losses: each firm carries the losses it has not yet earned
    back (a loss stock that profits pay down) and exits when they exceed its reserves, drawn once
    per firm (exponential, mean ``reserve_months`` months of revenue)."""

    enabled: bool = Field(True, description="firms exit after sustained losses")
    reserve_months: float = P(2.0, "months of revenue", 0.05, 60.0,
                              source=ASSUMPTION + "; McKenzie & Paffhausen 2019 (REStat 101(4)): less profitable "
                                                  "firms die more; annual exit of established SMEs 2-8%",
                              doc="mean reserves a firm can lose before it exits, in months of its revenue")


class RecordingParams(Section):
    """What is recorded: a firm panel, or group aggregates plus the participants' panel."""

    level: Literal["firm", "group"] = Field("firm", description="firm panel or group aggregates")


class ReportingParams(Section):
    """How participants' self-reported before/after changes are computed."""

    window_months: int = P(6, "months", 1, 36, doc="months averaged before enrolment and after completion")
    lag_months: int = P(0, "months", 0, 36, doc="months after completion before the after-window")
    threshold: float = P(0.02, "relative change", 0.0, 1.0, doc="a change beyond this counts as improvement")
    adoption_threshold: float = P(0.1, "practice level", 0.0, 1.0,
                                  doc="rise in mean practice of taken modules that counts as adoption")
    response_rate: float = P(0.8, "share of participants", 0.0, 1.0,
                             source="SCORE Phase II mid-term evaluation (2016): about one firm in five did not report",
                             doc="chance a surviving participant returns monitoring data, at average results")
    response_results: float = P(0.558, "log-odds/sd", 0.0, 3.0,
                                source=CALIBRATED + "; prior: " + ASSUMPTION + "; firms doing badly drop "
                                                    "out of follow-up (McKenzie & "
                                                    "Paffhausen 2019); bottom quartile about twice as likely silent",
                                doc="rise of the log-odds of reporting per sd of the firm's true results (its mean "
                                    "standardised improvement over the indicators)")
    measurement_sd: float = P(0.182, "log-sd", 0.0, 0.5,
                              source=CALIBRATED + "; prior: de Mel, McKenzie & Woodruff 2009 (JDE 88(1)): "
                                                  "large errors in self-reported "
                                     "firm figures; assumption 0.10-0.30",
                              doc="error of each reported level (before and after alike), relative indicators")
    measurement_sd_points: float = P(0.05, "practice level", 0.0, 0.3,
                                     doc="error of each practice assessment (adoption)")
    optimism: float = P(0.0471, "log-points", 0.0, 0.2,
                        source=CALIBRATED + "; prior: " + ASSUMPTION + "; McKenzie & Woodruff 2014: "
                                            "training changes how firms report",
                        doc="participants report their after-level better than it is by this much")
    optimism_points: float = P(0.02, "practice level", 0.0, 0.2, source=ASSUMPTION,
                               doc="participants' after-assessment of practice is higher than it is by this much")
    savings_months: int = P(3, "months", 1, 36,
                            source="SCORE Phase I brochure: 'savings of up to USD 15,000 within three months of "
                                   "participation', read as the first months from the first workshop",
                            doc="months from enrolment over which a participant reports its cost savings as an "
                                "amount (USD), against its cost per good unit before enrolment")


class RunParams(Section):
    """Seed and ensemble size (the CLI may override them)."""

    seed: int = P(1, "integer", 0, SEED_MAX)
    replicates: int = P(10, "runs", 1, REPLICATES_MAX)
    common_random_numbers: bool = Field(True, description="pair the worlds on the same draws")
    posterior: str = choice("calibrated (the committed posterior of the Phase I calibration) | none | a "
                            "posterior.nc path, relative to the config file",
                            "parameter draws of the calibrated parameters for ensembles (scoresim run, "
                            "compare, scaleup, dashboard): replicate r takes draw r mod draws; parameters "
                            "the config sets keep their values", default="calibrated")
    populations: Literal["fresh", "shared"] = Field(
        "fresh", description="each replicate of an ensemble draws its own population, history of shocks and "
                             "delivery plan (fresh), or all share one (shared)",
        json_schema_extra={"range": "fresh | shared"})


class Scenario(Section):
    """A complete, validated scenario: every parameter of a run."""

    name: str = choice("text", "short scenario name", default="scenario")
    description: str = choice("text", "what the scenario is for", default="")
    run: RunParams = Field(default_factory=RunParams)
    time: TimeParams = Field(default_factory=TimeParams)
    population: PopulationParams = Field(default_factory=PopulationParams)
    buyers: BuyerParams = Field(default_factory=BuyerParams)
    programme: ProgrammeParams = Field(default_factory=ProgrammeParams)
    adoption: AdoptionParams = Field(default_factory=AdoptionParams)
    workforce: WorkforceParams = Field(default_factory=WorkforceParams)
    suggestions: SuggestionParams = Field(default_factory=SuggestionParams)
    production: ProductionParams = Field(default_factory=ProductionParams)
    market: MarketParams = Field(default_factory=MarketParams)
    jobs: JobsParams = Field(default_factory=JobsParams)
    adoption_costs: AdoptionCostParams = Field(default_factory=AdoptionCostParams)
    drift: DriftParams = Field(default_factory=DriftParams)
    shocks: ShockParams = Field(default_factory=ShockParams)
    selection: SelectionParams = Field(default_factory=SelectionParams)
    failure: FailureParams = Field(default_factory=FailureParams)
    exit: ExitParams = Field(default_factory=ExitParams)
    recording: RecordingParams = Field(default_factory=RecordingParams)
    reporting: ReportingParams = Field(default_factory=ReportingParams)

    @model_validator(mode="after")
    def _check(self) -> "Scenario":
        prog = self.programme
        problems = []
        first = month_index(self.time.start, prog.enrol_start)
        if prog.enabled and not 0 <= first < self.time.months:
            problems.append(f"programme.enrol_start ({prog.enrol_start}) must fall inside the simulated "
                            f"period: from time.start ({self.time.start}) for time.months ({self.time.months})")
        for field, names, table in (("eligible_sectors", prog.eligible_sectors, self.population.sectors),
                                    ("eligible_countries", prog.eligible_countries, self.population.countries)):
            unknown = [n for n in names if n not in table]
            if unknown:
                problems.append(f"programme.{field}: {unknown} not among {sorted(table)}")
        for i, shock in enumerate(self.shocks.scripted):
            for field, names, table in (("sectors", shock.sectors, self.population.sectors),
                                        ("countries", shock.countries, self.population.countries)):
                unknown = [n for n in names if n not in table]
                if unknown:
                    problems.append(f"shocks.scripted[{i}].{field}: {unknown} not among {sorted(table)}")
        rules(problems)
        return self


def parameter_fields(instance: BaseModel, prefix: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Every leaf parameter of a parameter tree as (dotted path, pydantic field, value)."""
    for name, field in type(instance).model_fields.items():
        value = getattr(instance, name)
        path = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from parameter_fields(value, path + ".")
        elif isinstance(value, dict) and value and isinstance(next(iter(value.values())), BaseModel):
            for key, sub in value.items():
                yield from parameter_fields(sub, f"{path}.{key}.")
        else:
            yield path, field, value


def describe_parameters(model: type[BaseModel] = Scenario, prefix: str = "",
                        instance: BaseModel | None = None) -> list[dict[str, str]]:
    """Flatten the parameter tree into rows: path, unit, default, range, source, doc."""
    instance = instance if instance is not None else model()
    rows: list[dict[str, str]] = []
    for path, field, value in parameter_fields(instance, prefix):
        extra = field.json_schema_extra or {}
        cited = data_source(path, value)
        rows.append({
            "path": path,
            "unit": str(extra.get("unit", "")),
            "default": "derived" if value is None else _fmt(value),
            "range": _range(field),
            "source": cited or str(extra.get("source", "")),
            "doc": field.description or "",
        })
    return rows


@dataclass(frozen=True)
class NumericParameter:
    """A numeric parameter that experiments may vary: its valid range and current value."""

    path: str
    value: float
    lo: float          # lowest valid value (-inf if none)
    hi: float          # highest valid value (inf if none)
    lo_open: bool      # True when the value must be strictly above ``lo``
    integer: bool      # whole numbers only: sampled values are rounded
    unit: str


def numeric_parameters(instance: BaseModel) -> dict[str, NumericParameter]:
    """The numeric (int or float, not bool) parameters of a scenario, by dotted path."""
    out = {}
    for path, field, value in parameter_fields(instance):
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        lo, hi, lo_open = float("-inf"), float("inf"), False
        for m in field.metadata:
            if getattr(m, "ge", None) is not None:
                lo = float(m.ge)
            if getattr(m, "gt", None) is not None:
                lo, lo_open = float(m.gt), True
            if getattr(m, "le", None) is not None:
                hi = float(m.le)
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        out[path] = NumericParameter(path, float(value), lo, hi, lo_open, field.annotation is int,
                                     str(extra.get("unit", "")))
    return out


def _fmt(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _range(field: Any) -> str:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if "range" in extra:
        return str(extra["range"])
    lo = hi = None
    lo_open = False
    for m in field.metadata:
        if getattr(m, "ge", None) is not None:
            lo = m.ge
        if getattr(m, "gt", None) is not None:
            lo, lo_open = m.gt, True
        if getattr(m, "le", None) is not None:
            hi = m.le
    if lo is None and hi is None:
        ann = field.annotation
        args = getattr(ann, "__args__", None)
        if ann is bool:
            return "true/false"
        if args and all(isinstance(a, str) for a in args):
            return " | ".join(args)
        return ""
    left = "(" if lo_open else "["
    return f"{left}{_fmt(lo) if lo is not None else '-inf'}, {_fmt(hi) if hi is not None else 'inf'}]"
