"""Benchmark the scale-up planner on the national scenario: one replicate of one strategy with
its counterfactual, the whole population (configs/scaleup_national.toml: 20,000 SMEs, about
3.2 million workers, 60 months).

Each case runs in a fresh process, so its peak memory is its own. Reported: wall time of the
replicate (population, counterfactual world, delivery plan, programme world and outcome
accounting, everything but reading the config), worker-steps per second (workers x months x 2
worlds), and the peak resident memory.

Usage::

    python benchmarks/bench_scaleup.py                  # one strategy, then all four strategies
    python benchmarks/bench_scaleup.py --case one       # one case

Target (issue: the scale-up planner): one replicate of one strategy, with its counterfactual,
under 30 seconds on a 2-core machine, in under 8 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "scaleup_national.toml"
CASES = {"one": ["open"], "all": None}


def run_case(name: str) -> dict:
    from scoresim.scaleup.commands import load_plan
    from scoresim.scaleup.simulate import replicate_seed, run_replicate

    cfg = load_plan(CONFIG)
    strategies = CASES[name] or list(cfg.strategies)
    t0 = time.perf_counter()
    out = run_replicate(cfg.model_dump_json(), [{"weights": {s: 1.0}} for s in strategies],
                        replicate_seed(cfg.run.seed, 0))
    wall = time.perf_counter() - t0
    workers = int(cfg.population.n_firms * cfg.population.workers_mean)
    return {"case": name, "strategies": len(strategies), "firms": cfg.population.n_firms, "workers_approx": workers,
            "months": cfg.time.months, "seconds": round(wall, 2),
            "firms_reached": [int(o["firms_reached"].sum()) for o in out],
            "worker_steps_per_s": round(workers * cfg.time.months * (1 + len(strategies)) / wall),
            "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=list(CASES))
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case)))
        return
    for name in CASES:
        res = subprocess.run([sys.executable, __file__, "--case", name], capture_output=True, text=True)
        if res.returncode:
            print(res.stderr, file=sys.stderr)
            raise SystemExit(res.returncode)
        r = json.loads(res.stdout.strip().splitlines()[-1])
        print(f"{r['case']:>4}: {r['strategies']} strateg{'y' if r['strategies'] == 1 else 'ies'} + counterfactual, "
              f"{r['firms']:,} firms, ~{r['workers_approx'] / 1e6:.1f}M workers, {r['months']} months: "
              f"{r['seconds']:.1f} s ({r['worker_steps_per_s'] / 1e6:.1f} M worker-steps/s over the worlds run), "
              f"peak memory {r['peak_rss_gb']:.2f} GB; firms reached {r['firms_reached']}")


if __name__ == "__main__":
    main()
