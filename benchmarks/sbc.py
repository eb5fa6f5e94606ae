"""Simulation-based calibration of a Phase I calibration (the full check of the method).

Every simulation of a calibration's reference table ran at a prior draw with every mechanism
of the scenario on and its own population; this script fits ``--datasets`` of them as if they
were the Phase I figures (the statistics plus reading errors drawn from the observation model,
ranges as cells), each with the emulator fitted without its fold, and checks that the 90%
credible intervals cover the true parameters in at least 90% of (parameter, dataset) pairs. It
writes, beside the calibration (``<results>/sbc/``):

* ``sbc.json``: coverage overall and per parameter, counts of pairs, interval widths;
* ``sbc_coverage.png``: coverage per parameter with its binomial 90% band;
* ``sbc_ranks.png``: the rank of each truth among its posterior draws (uniform when calibrated).

Usage::

    python benchmarks/sbc.py results/calibration/phase1-<time>            # 500 datasets, the fit's particles
    python benchmarks/sbc.py results/calibration/phase1-<time> --datasets 2000 --particles 2000
    python benchmarks/sbc.py results/calibration/phase1-<time> --seed 20131001 --exclude-seed 20130930

``--exclude-seed S`` leaves out the datasets a run with seed S (and as many datasets) fitted, so
that a setting chosen on one run (the likelihood power) is validated on datasets it never saw.

The figures in docs/calibration.md come from the committed calibration's run of this script.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", help="a complete calibration results directory (scoresim calibrate)")
    ap.add_argument("--datasets", type=int, default=500, help="held-out simulations fitted (default 500)")
    ap.add_argument("--particles", type=int, help="sampler particles per dataset (default: the calibration's)")
    ap.add_argument("--seed", type=int, default=20130930)
    ap.add_argument("--exclude-seed", type=int, help="leave out the datasets a run with this seed fitted")
    ap.add_argument("--exclude-datasets", type=int, default=500, help="how many datasets that run fitted (500)")
    ap.add_argument("--out", help="output directory (default RESULTS/sbc)")
    args = ap.parse_args(argv)

    from scoresim.calibration import fitting, sbc
    from scoresim.calibration.run import open_directory, table
    from scoresim.experiments.store import SweepStore

    path = Path(args.results)
    cal, _, _ = open_directory(path)
    X, Y, names, _ = table(SweepStore(path / "simulations"))
    started = time.perf_counter()
    res = fitting.fit(cal, X, Y, names, sbc_datasets=0, log=lambda *a: None)
    obs = res.observations.subset(np.array([i not in res.excluded for i in res.observations.ids]))
    sbc.PARTICLES = args.particles or cal.spec.fit.particles
    out_particles = sbc.PARTICLES
    exclude = None if args.exclude_seed is None else sbc.picks(len(res.u), args.exclude_datasets, args.exclude_seed)[0]
    out = sbc.run(res, obs, args.datasets, args.seed, cal.spec.fit.reachable, exclude)
    out["seed"], out["exclude_seed"], out["particles"] = args.seed, args.exclude_seed, out_particles
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["parameters"] = [p.path for p in cal.spec.parameters]
    out["simulations"] = int(len(res.u))
    dest = Path(args.out) if args.out else path / "sbc"
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "sbc.json").write_text(json.dumps(out, indent=1))
    figures(out, dest)
    print(f"simulation-based calibration (likelihood power {out['likelihood_power']:g}): {out['datasets']} datasets x {len(out['parameters'])} parameters = "
          f"{out['pairs']:,} pairs; 90% intervals cover the truth in {out['covered']:,} ({out['coverage']:.1%}) "
          f"in {out['seconds']:.0f} s")
    for name, c, w in zip(out["parameters"], out["coverage_per_parameter"], out["width_per_parameter"]):
        print(f"  {name:<40} coverage {c:6.1%}   mean interval width {w:.2f} of the prior quantiles")
    print(f"wrote {dest}/sbc.json, sbc_coverage.png, sbc_ranks.png")
    return 0 if out["coverage"] >= 0.9 else 1


def figures(out: dict, dest: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = list(out["parameters"])
    cov = np.array(out["coverage_per_parameter"])
    n = out["datasets"]
    band = 1.645 * math.sqrt(0.9 * 0.1 / n)
    fig = Figure(figsize=(8, 0.32 * len(names) + 1.4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    y = np.arange(len(names))
    ax.axvspan(0.9 - band, 0.9 + band, color="0.85", label=f"90% ± binomial noise ({n} datasets)")
    ax.axvline(0.9, color="0.3", linewidth=1)
    ax.barh(y, cov, color=np.where(cov >= 0.9 - band, "tab:blue", "tab:red"), height=0.6)
    ax.set_yticks(y, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0.5, 1.0)
    ax.set_xlabel("share of datasets whose 90% interval covers the true value")
    ax.set_title(f"Simulation-based calibration: {out['coverage']:.1%} of {out['pairs']:,} (parameter, dataset) pairs "
                 "covered", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(dest / "sbc_coverage.png", dpi=110)

    ranks = np.array(out["ranks"])
    cols = 5
    rows = math.ceil(len(names) / cols)
    fig = Figure(figsize=(2.4 * cols, 1.7 * rows + 0.6))
    FigureCanvasAgg(fig)
    bins = 10
    for j, name in enumerate(names):
        ax = fig.add_subplot(rows, cols, j + 1)
        ax.hist(ranks[:, j], bins=bins, range=(0, 1), color="tab:blue")
        ax.axhline(len(ranks) / bins, color="0.3", linewidth=1, linestyle="--")
        ax.set_title(name, fontsize=7)
        ax.set_yticks([])
        ax.tick_params(labelsize=6)
    fig.suptitle("rank of the true value among the posterior draws (flat: calibrated; dashed: uniform)", fontsize=9)
    fig.tight_layout()
    fig.savefig(dest / "sbc_ranks.png", dpi=110)


if __name__ == "__main__":
    sys.exit(main())
