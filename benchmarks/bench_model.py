"""Benchmark the full model: worker-steps per second and peak memory.

Runs the programme and counterfactual worlds together (every process on, firm-level recording
unless stated) and reports, for each case:

* wall time of the simulation (population building excluded, reported apart), best of the
  repeats, and the CPU time of that run: on a shared machine the wall time also measures the
  other processes' load, the CPU time only the model's own work;
* worker-steps per second, counting each world's worker-months (workers x months x worlds)
  and, for comparison, per world (workers x months);
* peak resident memory of a fresh process running that case alone.

The first repeat of a case in a fresh process also loads the compiled workforce kernels (or
compiles them, a few seconds, when the package has just been installed); the best repeat is
reported.

Usage::

    python benchmarks/bench_model.py            # Phase I, 1M workers, 10M workers
    python benchmarks/bench_model.py --quick    # Phase I and 1M workers only
    python benchmarks/bench_model.py --case 1m  # one case

Targets (issue: the SCORE model): >= 20 million worker-steps/s per world at 1M workers for 120
months with every process on and firm-level recording; Phase I (616 firms with the comparison
pool, about 108,000 workers, 84 months) with its counterfactual under 0.5 s per replicate; a
10-million-worker run within 8 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

CASES = {
    # name: (config, overrides, recording note)
    "phase1": ("configs/phase1.toml", {}, "Phase I, 616 firms, 84 months"),
    "1m": ("configs/phase1.toml", {"population.n_firms": 5714, "programme.participants": 2000,
                                   "time.months": 120}, "1M workers, 120 months, firm panel"),
    "10m": ("configs/phase1.toml", {"population.n_firms": 57143, "programme.participants": 20000,
                                    "time.months": 120, "recording.level": "group"},
            "10M workers, 120 months, group recording"),
}
ROOT = Path(__file__).resolve().parents[1]


def run_case(name: str, repeats: int) -> dict:
    """Run one case in this process and return its measurements."""
    from scoresim import ScoreModel, load_scenario
    from scoresim.config import set_values

    config, overrides, note = CASES[name]
    scenario = set_values(load_scenario(ROOT / config), overrides, origin="benchmark")
    walls, builds, cpus = [], [], []
    for r in range(repeats):
        t0 = time.perf_counter()
        model = ScoreModel(scenario, replicate=r)
        t1, c1 = time.perf_counter(), time.process_time()
        model.run()
        t2, c2 = time.perf_counter(), time.process_time()
        builds.append(t1 - t0)
        walls.append(t2 - t1)
        cpus.append(c2 - c1)
    workers, months, worlds = model.workers.n, scenario.time.months, len(model.worlds)
    best = min(walls)
    return {
        "case": name, "note": note, "workers": workers, "firms": model.firms.n, "months": months,
        "worlds": worlds, "repeats": repeats, "build_s": round(min(builds), 3),
        "run_s_best": round(best, 3), "run_s_all": [round(w, 3) for w in walls],
        "run_cpu_s": round(cpus[walls.index(best)], 3),
        "per_replicate_s": round(min(b + w for b, w in zip(builds, walls)), 3),
        "worker_steps_per_s_all_worlds": round(workers * months * worlds / best),
        "worker_steps_per_s_per_world": round(workers * months / best),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=list(CASES), help="run one case in this process")
    parser.add_argument("--quick", action="store_true", help="skip the 10M-worker case")
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    if args.case:
        repeats = args.repeats or {"phase1": 5, "1m": 2, "10m": 1}[args.case]
        print(json.dumps(run_case(args.case, repeats)))
        return
    cases = ["phase1", "1m"] + ([] if args.quick else ["10m"])
    for name in cases:  # a fresh process per case, so peak memory is the case's own
        out = subprocess.run([sys.executable, __file__, "--case", name], capture_output=True, text=True)
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            raise SystemExit(out.returncode)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['case']:>6}: {r['note']}: {r['workers']:,} workers x {r['months']} months x "
              f"{r['worlds']} worlds in {r['run_s_best']:.2f} s (CPU {r['run_cpu_s']:.2f} s; "
              f"+{r['build_s']:.2f} s build) -> "
              f"{r['worker_steps_per_s_all_worlds'] / 1e6:.1f} M worker-steps/s counting both worlds, "
              f"{r['worker_steps_per_s_per_world'] / 1e6:.1f} M per world; per replicate "
              f"{r['per_replicate_s']:.2f} s; peak memory {r['peak_rss_gb']:.2f} GB")


if __name__ == "__main__":
    main()
