"""Benchmark the sweep engine at Phase I size: its overhead and its parallel speed-up.

Two measurements on one experiment (the Phase I scenario, three behavioural parameters, a
Latin hypercube, one replicate per point):

* overhead: the engine with the serial executor (sampling, batching, the journal written and
  flushed per batch, results.nc at the end) against calling the same model function on the
  same points and seeds in a plain loop. Target: at most 10% slower.
* speed-up: throughput (runs per second) of two local worker processes against one
  (the same process executor, so both pay the same start-up). Target: at least 1.7 times.

Usage::

    python benchmarks/bench_sweep.py              # 48 runs for the overhead, 96 for the speed-up
    python benchmarks/bench_sweep.py --runs 24    # quicker, noisier
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = """
name = "bench_phase1"
base = "{base}"
seed = 3
replicates = 1
outputs = ["effect.accidents", "effect.defects", "share_improving.defects", "cost_per_firm_usd"]

[method]
name = "latin"
samples = {runs}

[[parameters]]
path = "adoption.visit_rate"
bounds = [0.15, 0.35]
[[parameters]]
path = "workforce.osh_hazard"
bounds = [1.0, 2.0]
[[parameters]]
path = "adoption.decay"
bounds = [0.004, 0.01]
"""


def write_spec(directory: Path, runs: int) -> Path:
    path = directory / "bench.toml"
    path.write_text(SPEC.format(base=(ROOT / "configs" / "phase1.toml").as_posix(), runs=runs))
    return path


def plain_loop(store) -> float:
    """Seconds to call the model function on every point and seed of ``store``, no engine."""
    from scoresim.experiments.models import model_function

    fn = model_function(store.experiment)
    names = [p.path for p in store.experiment.spec.parameters]
    t0 = time.perf_counter()
    for point in range(store.points):
        fn({k: float(v) for k, v in zip(names, store.X[point])}, int(store.seeds[point, 0]))
    return time.perf_counter() - t0


def engine(spec: Path, out: Path, executor) -> float:
    """Seconds for the whole engine: create the store, run every run, write results.nc."""
    from scoresim.experiments.engine import create_sweep, run_sweep
    from scoresim.experiments.spec import load_experiment

    t0 = time.perf_counter()
    store = create_sweep(load_experiment(spec), out)
    with executor as ex:
        run_sweep(store, ex)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=48, help="runs for the overhead measurement")
    args = parser.parse_args()
    from scoresim.experiments.engine import create_sweep
    from scoresim.experiments.executors import ProcessExecutor, SerialExecutor
    from scoresim.experiments.spec import load_experiment

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        spec = write_spec(tmp, args.runs)
        plain_loop(create_sweep(load_experiment(spec), tmp / "warm"))   # imports, caches
        loop = plain_loop(create_sweep(load_experiment(spec), tmp / "loop"))
        serial = engine(spec, tmp / "serial", SerialExecutor())
        spec2 = write_spec(tmp, 2 * args.runs)
        one = engine(spec2, tmp / "one", ProcessExecutor(1))
        two = engine(spec2, tmp / "two", ProcessExecutor(2))
    n2 = 2 * args.runs
    result = {
        "runs": args.runs,
        "plain_loop_s": round(loop, 2), "engine_serial_s": round(serial, 2),
        "overhead": round(serial / loop - 1, 4),
        "runs_speedup": n2, "one_worker_s": round(one, 2), "two_workers_s": round(two, 2),
        "one_worker_runs_per_s": round(n2 / one, 2), "two_workers_runs_per_s": round(n2 / two, 2),
        "speedup": round(one / two, 3),
    }
    print(json.dumps(result, indent=2))
    print(f"engine overhead over a plain loop: {100 * result['overhead']:+.1f}% (target <= +10%)")
    print(f"two workers vs one: {result['speedup']:.2f}x throughput (target >= 1.7x)")


if __name__ == "__main__":
    main()
