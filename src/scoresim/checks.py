"""Checks a valid scenario must pass before a run allocates anything: the memory it will need
fits the machine, and the programme asks for no more participants than the drawn population
has eligible firms.

Memory is estimated from the population (workers, firms, months, worlds, what is recorded and
how many replicates are held), with coefficients measured on this code (peak resident memory
of runs of 0.35 to 10 million workers, firm and group recording, 1 to 4 replicates; the
estimate lies 20-60% above what was measured). The limit is a share of the machine's memory
(:data:`LIMIT_SHARE`), or what the user gives with ``--memory-limit GB``.
"""

from __future__ import annotations

import os
from pathlib import Path

from .config import InputError
from .params import Scenario

BASE_BYTES = 0.3e9              # the interpreter and its libraries
WORKER_BYTES = 8                # static slot attributes of a worker
WORKER_WORLD_BYTES = 40         # a worker's dynamic state in one world, with the step's temporaries
FIRM_WORLD_BYTES = 400          # a firm's state in one world
DATASET_FACTOR = 2.5            # peak memory per byte of recorded dataset (stacking, reports, writing)
LIMIT_SHARE = 0.8               # default limit: this share of the machine's memory
GB = 1e9


def machine_memory() -> int:
    """Bytes of memory this process may use: the machine's physical memory, or a smaller
    control-group limit."""
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    for limit_file in (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory/memory.limit_in_bytes")):
        try:
            text = limit_file.read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return int(total)


def memory_limit(gigabytes: float | None = None) -> tuple[int, str]:
    """The memory limit in bytes and how it was set."""
    if gigabytes is not None:
        return int(gigabytes * GB), "--memory-limit"
    machine = machine_memory()
    return int(LIMIT_SHARE * machine), f"{LIMIT_SHARE:.0%} of this machine's {machine / GB:.1f} GB"


def expected_workers(s: Scenario) -> float:
    """Expected workers of the population (firm sizes average ``workers_mean``, clipped)."""
    pop = s.population
    return pop.n_firms * min(max(pop.workers_mean, pop.workers_min), pop.workers_max)


def dataset_bytes(s: Scenario, replicates: int, worlds: int = 2) -> float:
    """Bytes of the dataset a run records: the firm panel (every firm, or the participants
    alone at group level) and the group aggregates."""
    from .recorder import FIRM_OUTPUTS

    per_firm_month = (len(FIRM_OUTPUTS) + 5) * 4          # float32 outputs and five practice levels
    panel = s.population.n_firms if s.recording.level == "firm" else min(s.programme.participants,
                                                                         s.population.n_firms)
    groups = (2 * len(s.population.countries) * len(s.population.sectors)
              if s.recording.level == "group" else 0)
    per_group_month = (len(FIRM_OUTPUTS) + 5) * 8
    months = s.time.months
    return replicates * worlds * months * (panel * per_firm_month + groups * per_group_month)


def run_memory(s: Scenario, replicates: int, worlds: int = 2) -> float:
    """Estimated peak memory (bytes) of ``simulate.run``: the interpreter, the state of the
    models held (the first replicate's model is kept beside the running one) and the
    recorded dataset."""
    models = 2 if replicates > 1 else 1
    state = (expected_workers(s) * (WORKER_BYTES + worlds * WORKER_WORLD_BYTES)
             + s.population.n_firms * worlds * FIRM_WORLD_BYTES)
    return BASE_BYTES + models * state + DATASET_FACTOR * dataset_bytes(s, replicates, worlds)


def plan_memory(s: Scenario, cached: int = 4) -> float:
    """Estimated peak memory (bytes) of one scale-up replicate: the counterfactual's firms and
    monthly firm values (``cached`` counterfactuals kept per process) beside one programme
    world at a time."""
    state = expected_workers(s) * (WORKER_BYTES + WORKER_WORLD_BYTES) + s.population.n_firms * FIRM_WORLD_BYTES
    monthly = s.time.months * 7 * 8 * s.population.n_firms
    return BASE_BYTES + 2 * state + cached * monthly


def describe(s: Scenario, replicates: int) -> str:
    """The population and recording an estimate rests on, in words."""
    return (f"{expected_workers(s):,.0f} workers in {s.population.n_firms:,} firms, {s.time.months} months, "
            f"{replicates} replicate(s), recording level '{s.recording.level}'")


def check_memory(needed: float, limit: tuple[int, str], origin: str, what: str,
                 hint: str = "lower population.n_firms, population.workers_mean, time.months or the replicates, "
                             "or record groups (recording.level = \"group\")") -> None:
    """:class:`InputError` when ``needed`` bytes exceed the limit; nothing has been allocated."""
    allowed, how = limit
    if needed > allowed:
        raise InputError(f"{origin}: {what} needs about {needed / GB:.1f} GB of memory, more than the limit of "
                         f"{allowed / GB:.1f} GB ({how}); {hint}; on a machine with more memory, raise the "
                         "limit with --memory-limit GB")


def check_run(s: Scenario, replicates: int, origin: str, limit_gb: float | None = None, worlds: int = 2,
              processes: int = 1) -> None:
    """The memory check of a run of ``replicates`` replicates of ``s`` (``processes`` such runs
    at once: a sweep's or a calibration's local worker processes)."""
    at_once = f", {processes} at once" if processes > 1 else ""
    check_memory(processes * run_memory(s, replicates, worlds), memory_limit(limit_gb), origin,
                 f"running {describe(s, replicates)}{at_once},")


SIZE_PARAMETERS = ("population.n_firms", "population.workers_mean", "population.workers_min",
                   "population.workers_max", "time.months", "programme.participants")


def largest(s: Scenario, upper: dict[str, float]) -> Scenario:
    """``s`` with each varied parameter that sets its size (firms, workers, months) at its upper
    bound ``upper[path]``: the largest run of a sweep (``s`` itself if that is not valid)."""
    from .config import set_values
    from .params import numeric_parameters

    numeric = numeric_parameters(s)
    values = {k: (int(v) if numeric[k].integer else float(v)) for k, v in upper.items()
              if k in SIZE_PARAMETERS and k in numeric}
    if not values:
        return s
    try:
        return set_values(s, values, origin="largest run")
    except InputError:
        return s


def eligible_firms(s: Scenario, seed: int) -> int:
    """How many firms of the population drawn with ``seed`` the programme may enrol (the same
    draw as the model's: firms come first from the 'population' stream)."""
    from .modules import eligible
    from .population import build_firms
    from .rng import generator

    return int(eligible(s, build_firms(s, generator(seed, "population"))).sum())


def check_participants(s: Scenario, seed: int, origin: str) -> None:
    """:class:`InputError` when the programme asks for more participants than the population
    drawn with ``seed`` has eligible firms."""
    prog = s.programme
    if not prog.enabled or prog.participants == 0:
        return
    n = eligible_firms(s, seed)
    if prog.participants > n:
        rules = [f"{k} = {getattr(prog, k)}" for k in ("eligible_sectors", "eligible_countries")
                 if getattr(prog, k)]
        rules += [f"eligible_min_workers = {prog.eligible_min_workers}"] if prog.eligible_min_workers else []
        rules += ([f"eligible_max_workers = {prog.eligible_max_workers}"]
                  if prog.eligible_max_workers < 1_000_000 else [])
        why = f" ({', '.join(rules)})" if rules else ""
        raise InputError(f"{origin}: field 'programme.participants': {prog.participants:,} participants asked for, "
                         f"but only {n:,} of the {s.population.n_firms:,} firms drawn with seed {seed} are "
                         f"eligible{why}; ask for at most {n:,}, or widen the eligibility")


__all__ = ["machine_memory", "memory_limit", "run_memory", "plan_memory", "dataset_bytes", "check_memory", "check_run",
           "largest", "eligible_firms", "check_participants"]
