"""Regenerate the national scenario's table of docs/scaleup.md from a run of
``scoresim scaleup configs/scaleup_national.toml`` (its default replicates, each with its own
population, uptake draws and draw of the calibrated parameters). The table and the sentence that
introduces it go between the page's BEGIN/END markers; nothing else on the page changes.

Usage (from the repository root; a few minutes on 2 cores)::

    python scripts/scaleup_page.py
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "scaleup.md"
NAME = "NATIONAL TABLE"
ROWS = (
    # label, metric, format
    ("firms reached", "firms_reached", "count"),
    ("workers in them", "workers_reached", "count"),
    ("spending, all payers", "spend_total", "usd"),
    ("of which programme", "spend_programme", "usd"),
    ("of which sponsoring buyers", "spend_sponsors", "usd"),
    ("cost recovery (firms' and sponsors' share)", "cost_recovery", "share"),
    ("accidents averted", "accidents_averted", "count"),
    ("cost per accident averted (all payers)", "cost_per_accident_averted_usd", "usd"),
    ("value-added gain, every firm", "value_added_gain_usd", "usd"),
    ("of which defect and energy savings", "waste_savings_usd", "usd"),
    ("value added displaced from other producers", "displaced_va_usd", "usd"),
    ("firms' adoption costs", "adoption_cost_usd", "usd"),
    ("benefits (section above)", "benefit_usd", "usd"),
    ("benefit-cost ratio", "benefit_cost_ratio", "ratio"),
    ("net present value", "net_benefit_usd", "usd"),
    ("payback (months)", "payback_months", "ratio"),
    ("jobs created", "jobs_created", "count"),
    ("jobs destroyed", "jobs_destroyed", "count"),
    ("net jobs at the end", "jobs", "count"),
    ("budget committed", "budget_committed_share", "share"),
    ("trainer capacity used", "capacity_used_share", "share"),
)


def fmt(x: float, kind: str) -> str:
    if x != x:
        return "n/a"
    if kind == "share":
        return f"{100 * x:.0f}%"
    if kind == "ratio":
        return f"{x:.1f}" if abs(x) < 100 else f"{x:,.0f}"
    a = abs(x)
    s = (f"{x / 1e9:.2f}B" if a >= 1e9 else f"{x / 1e6:.0f}M" if a >= 1e8 else f"{x / 1e6:.1f}M" if a >= 1e6 else f"{x / 1e3:.0f}k" if a >= 1e4
         else f"{x:,.0f}")
    return ("USD " + s) if kind == "usd" else s


def cell(row: dict, kind: str) -> str:
    med, lo, hi = (float(row[k]) for k in ("median", "p5", "p95"))
    mid = fmt(med, kind)
    lo_s, hi_s = fmt(lo, kind), fmt(hi, kind)
    return mid if lo_s == hi_s == mid else f"{mid} [{lo_s.removeprefix('USD ')}, {hi_s.removeprefix('USD ')}]"


def table(out: Path) -> tuple[str, int]:
    cfg = json.loads((out / "config.json").read_text())
    rows = list(csv.DictReader((out / "table.csv").open()))
    periods = sorted({r["period"] for r in rows if "-" in r["period"]}, key=len)
    horizon = max(periods, key=lambda p: (int(p.split("-")[1]), -int(p.split("-")[0])))
    strategies = list(dict.fromkeys(r["strategy"] for r in rows))
    labels = cfg.get("strategy_labels") or {}
    by = {(r["strategy"], r["metric"]): r for r in rows if r["period"] == horizon}
    import numpy as np
    import xarray as xr

    with xr.open_dataset(out / "scaleup.nc") as ds:   # defect and energy savings together, per replicate
        waste = (ds["defect_savings_usd"] + ds["energy_savings_usd"]).sum("time")
        for s in strategies:
            q = np.quantile(waste.sel(strategy=s).values, [0.5, 0.05, 0.95])
            by[(s, "waste_savings_usd")] = dict(zip(("median", "p5", "p95"), q))
    head = "| | " + " | ".join(labels.get(s, s) for s in strategies) + " |"
    lines = [head, "|---" * (len(strategies) + 1) + "|"]
    for label, metric, kind in ROWS:
        if not all((s, metric) in by for s in strategies):
            continue
        lines.append(f"| {label} | " + " | ".join(cell(by[(s, metric)], kind) for s in strategies) + " |")
    with xr.open_dataset(out / "scaleup.nc") as ds:
        replicates = int(ds.attrs["replicates"])
        names = [str(x) for x in ds["strategy_label"].values] if "strategy_label" in ds.coords else strategies
    lines[0] = "| | " + " | ".join(names) + " |"
    return "\n".join(lines), replicates


def main() -> None:
    from scoresim.cli import main as cli

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "national"
        started = time.perf_counter()
        code = cli(["scaleup", str(ROOT / "configs" / "scaleup_national.toml"), "--out", str(out), "--no-figures"])
        seconds = time.perf_counter() - started
        if code != 0:
            raise SystemExit(f"scoresim scaleup failed with exit status {code}")
        text, replicates = table(out)
    intro = (f"`scoresim scaleup configs/scaleup_national.toml` ({replicates} replicates, each with its own population, "
             f"uptake draws and draw of the calibrated parameters; {seconds:.0f} s measured on a 2-core machine). Over "
             f"the five years, median [90% interval]:")
    begin, end = f"<!-- BEGIN {NAME} (generated by scripts/scaleup_page.py) -->", f"<!-- END {NAME} -->"
    page = PAGE.read_text(encoding="utf-8")
    if begin not in page or end not in page:
        raise SystemExit(f"{PAGE}: markers for {NAME} missing")
    page = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: f"{begin}\n{intro}\n\n{text}\n{end}", page,
                  flags=re.S)
    PAGE.write_text(page, encoding="utf-8")
    print(json.dumps({"page": str(PAGE.relative_to(ROOT)), "seconds": round(seconds, 1), "replicates": replicates}))


if __name__ == "__main__":
    main()
