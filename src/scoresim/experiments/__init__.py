"""Experiments at scale: specs, sampling, executors, resumable stores and sensitivity analysis.

Typical use from Python (the ``scoresim sweep`` and ``scoresim analyze`` commands do the same)::

    from scoresim.experiments import load_experiment, create_sweep, run_sweep, make_executor, analyze
    store = create_sweep(load_experiment("experiments/morris_phase1.toml"), "results/my-morris")
    with make_executor(workers=2) as ex:
        results = run_sweep(store, ex).results       # xarray.Dataset: X, Y, ok, error, seed
    indices = analyze(results)                        # xarray.Dataset: mu_star, sigma, ...
"""

from .engine import create_sweep, run_sweep
from .executors import DaskExecutor, ProcessExecutor, SerialExecutor, make_executor
from .spec import Experiment, ExperimentSpec, load_experiment
from .store import SweepStore, load_results


def analyze(results, resamples: int = 1000, conf_level: float = 0.95, origin: str = "results"):
    """Sensitivity indices of a finished sweep (see :func:`scoresim.experiments.analysis.analyze`)."""
    from .analysis import analyze as _analyze

    return _analyze(results, resamples=resamples, conf_level=conf_level, origin=origin)


__all__ = ["create_sweep", "run_sweep", "DaskExecutor", "ProcessExecutor", "SerialExecutor",
           "make_executor", "Experiment", "ExperimentSpec", "load_experiment", "SweepStore",
           "load_results", "analyze"]
