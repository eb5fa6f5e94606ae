"""What a report shows for each kind of result: a run, a sweep (with its analyses), an
analysis on its own, a calibration and a scale-up plan. Each builder reads the directory and
returns the report's title and sections."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import textable
from ..config import InputError
from . import html as h
from . import words
from .html import Section
from .inputs import (
    figures,
    json_attr,
    netcdf_header,
    read_json,
    read_object,
    read_records,
    require,
    sha256,
)
from .parts import (
    PARAMETER_COLUMNS,
    detail_text,
    csv_body,
    figures_body,
    parameters_table,
    posterior_facts,
    provenance_body,
    records_body,
    text_body,
)

ASSUMPTIONS = "Assumptions and parameters"


@dataclass(frozen=True)
class Content:
    """A report's default title, a one-line description of the result, and its sections."""

    title: str
    described: str
    sections: list[Section]


def build(kind: str, path: Path) -> Content:
    """The content of the report on the ``kind`` result in ``path``."""
    builders: dict[str, Callable[[Path], Content]] = {
        "run": run_content, "sweep": sweep_content, "analysis": analysis_content,
        "calibration": calibration_content, "scaleup": scaleup_content, "compare": compare_content}
    return builders[kind](path)


def _figures_section(paths: list[Path], sid: str = "figures", title: str = "Figures") -> list[Section]:
    return [Section(sid, title, figures_body(paths))] if paths else []


def _summary(sentences: list, facts: str = "") -> Section:
    """The opening section: the summary in words, then the key facts."""
    body = '<div class="summary">' + "".join(
        h.paragraph(x) if isinstance(x, str) else h.bullets(x) for x in sentences) + "</div>\n"
    return Section("summary", "Summary", body + facts)


def _complete(path: Path, manifest: dict, what: str, resume: str) -> None:
    if manifest.get("status") != "complete":
        raise InputError(f"{path}: the {what} is not complete (status {manifest.get('status')!r} in "
                         f"manifest.json); finish it with: {resume} {path}")


# --------------------------------------------------------------------------- run

SUMMARY_KEYS = ("indicator", "kind", "reported", "reported_lo", "reported_hi", "share_improving", "did", "did_lo",
                "did_hi", "causal", "causal_lo", "causal_hi", "phase1")


def run_content(path: Path) -> Content:
    """A ``scoresim run`` directory: summary table, figures, the scenario, provenance."""
    require(path, "dataset.nc", "summary.json", what="run")
    dataset = path / "dataset.nc"
    attrs, sizes = netcdf_header(dataset)
    rows = summary_rows(path / "summary.json")
    config = _run_config(path, attrs)
    name = attrs.get("scenario") or config.get("name") or path.name
    overview = h.key_values([
        ("scenario", name), ("description", config.get("description")), ("firms recorded", sizes.get("firm")),
        ("months simulated", sizes.get("time")), ("replicates", attrs.get("replicates")), ("seed", attrs.get("seed")),
        ("posterior draws", attrs.get("posterior_draws"))])
    sentences = words.run(name, config, attrs, sizes, rows)
    facts = [("command", attrs.get("command")), ("git commit", attrs.get("git_commit")),
             ("scoresim version", attrs.get("scoresim_version")), ("created (UTC)", attrs.get("created_utc")),
             ("seed", attrs.get("seed")), ("replicates", attrs.get("replicates")),
             ("replicate seeds", attrs.get("replicate_seeds"))]
    facts += posterior_facts(attrs.get("posterior"), attrs.get("posterior_sha256"), attrs.get("posterior_draws"))
    assumptions = parameters_table(config, f"{path / 'config.json'}")
    if attrs.get("posterior"):
        assumptions = h.paragraph("The replicates ran with posterior draws of the calibrated parameters (one draw "
                                  "per replicate; the posterior file is named under Provenance): for those "
                                  "parameters the values below are the config's, not the draws.", "note") + assumptions
    sections = [_summary(sentences, overview), *_figures_section(figures(path)),
                Section("results", "Results by indicator", _summary_table(rows, attrs, config)),
                Section("assumptions", ASSUMPTIONS, assumptions),
                Section("provenance", "Provenance",
                        provenance_body(facts, json_attr(attrs, "versions", dataset), path))]
    return Content(f"Scenario run: {name}", "a scenario run (scoresim run)", sections)


def summary_rows(path: Path) -> list[dict]:
    """The rows of a run's summary.json, each with every key of :data:`SUMMARY_KEYS` and values
    of the right kind; else :class:`InputError` naming the file, the row and the key."""
    rows = read_records(path)
    if not rows:
        raise InputError(f"{path}: no rows; expected one row per indicator, as scoresim run writes")
    keys = SUMMARY_KEYS
    for i, row in enumerate(rows):
        missing = [k for k in keys if k not in row]
        if missing:
            raise InputError(f"{path}: row {i + 1} lacks {', '.join(repr(k) for k in missing)}; expected the keys "
                             f"{', '.join(keys)} (damaged or not written by scoresim run)")
        for key in keys:
            value = row[key]
            text = key in ("indicator", "kind", "phase1")
            ok = (isinstance(value, str) if key in ("indicator", "kind") else
                  value is None or isinstance(value, str) if text else
                  value is None or (isinstance(value, int | float) and not isinstance(value, bool)))
            if not ok:
                want = "text" if text else "a number or null"
                raise InputError(f"{path}: row {i + 1}, key '{key}': expected {want}, got {value!r:.40}")
    return rows


def _run_config(path: Path, attrs: dict) -> dict:
    """The run's resolved config: config.json, or the dataset's 'config' attribute."""
    if (path / "config.json").exists():
        return read_object(path / "config.json")
    config = json_attr(attrs, "config", path / "dataset.nc")
    if not isinstance(config, dict):
        raise InputError(f"{path}: the run's config is missing (expected config.json or the attribute 'config' "
                         "of dataset.nc)")
    return config


def _pct(value: Any, kind: str) -> str:
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return "n/a"
    return f"{value:+.2f}" if kind == "points" else f"{100 * value:+.1f}%"


def _ranged(r: dict, est: str, kind: str) -> str:
    mid = _pct(r[est], kind)
    return mid if mid == "n/a" else f"{mid} [{_pct(r[est + '_lo'], kind)}, {_pct(r[est + '_hi'], kind)}]"


def _summary_table(rows: list[dict], attrs: dict, config: dict | None = None) -> str:
    """The run's summary as printed by ``scoresim run``: the three estimands per indicator, and
    the Phase I figures only for a scenario of Phase I's programme (:func:`textable.is_phase1`)."""
    out = []
    phase1 = any(r.get("phase1") for r in rows) and textable.is_phase1(config or {})
    for r in rows:
        k = str(r["kind"])
        share = r["share_improving"]
        label = f"{r['indicator']} (0-1 scale)" if k == "points" else r["indicator"]
        out.append([label, _pct(r["reported"], k),
                    f"{100 * share:.0f}%" if isinstance(share, (int, float)) and math.isfinite(share) else "n/a",
                    _ranged(r, "did", k), _ranged(r, "causal", k)] + ([r["phase1"]] if phase1 else []))
    spread = (f"covers {attrs['uncertainty']}" if attrs.get("uncertainty") else
              "combines parameter uncertainty (posterior draws) and the run's stochastic noise"
              if attrs.get("posterior") else "covers the run's stochastic noise only (replicates share the "
              "population, its shock history and the delivery plan)")
    note = (f"Medians over {attrs.get('replicates', 'the')} replicate(s) (summary.json). Reported: the mean change "
            "participants that return monitoring data report, before enrolment vs after completion; improving: "
            "their share reporting a gain. Evaluator: difference in differences against non-participants of the "
            "same markets. Causal: programme vs the same firms without it (same seeds). Adoption: change of "
            f"practice on a 0-1 scale. The 90% range {spread}. docs/estimands.md explains why the three differ.")
    return h.table(("indicator", "reported", "improving", "evaluator (DiD) [90%]", "causal effect [90%]")
                   + (("Phase I figure",) if phase1 else ()), out, note=note)


# --------------------------------------------------------------------------- sweep and analysis

def sweep_content(path: Path) -> Content:
    """A ``scoresim sweep`` directory: design, outputs, every analysis in it, the experiment."""
    from ..experiments.store import SweepStore, load_results

    store = SweepStore(path)           # validates manifest, experiment and samples
    manifest = store.manifest
    _complete(path, manifest, "sweep", "scoresim sweep --resume")
    results = load_results(path)
    experiment = read_object(path / "experiment.json")
    name = manifest.get("experiment") or path.name
    overview = h.key_values([
        ("experiment", name), ("description", (experiment.get("spec") or {}).get("description")),
        ("model", manifest.get("model")), ("method", manifest.get("method")), ("points", manifest.get("points")),
        ("replicates", manifest.get("replicates")), ("runs", manifest.get("runs")),
        ("runs ok", manifest.get("runs_ok")), ("runs failed", manifest.get("runs_failed"))])
    analyses = sorted(p for p in path.iterdir() if p.is_dir() and (p / "indices.nc").is_file())
    sentences = words.sweep(name, manifest, experiment.get("spec") or {}, analyses)
    sections = [_summary(sentences, overview + _outputs_table(results)), *_figures_section(figures(path))]
    for sub in analyses:
        sections.append(Section(f"analysis-{sub.name}", f"Sensitivity analysis ({sub.name})", _analysis_body(sub)))
    assumptions = _experiment_body(experiment, str(path / "experiment.json"))
    if (path / "spec.toml").is_file():
        assumptions += h.heading("Experiment spec as written (spec.toml)") + text_body(path / "spec.toml")
    facts = [("command", manifest.get("command")), ("git commit", manifest.get("git_commit")),
             ("created (UTC)", manifest.get("created_utc")), ("completed (UTC)", manifest.get("completed_utc")),
             ("experiment seed", manifest.get("seed")), ("sample seed", results.attrs.get("sample_seed")),
             ("replicates", manifest.get("replicates"))]
    facts += _experiment_posterior(experiment)
    sections += [Section("assumptions", ASSUMPTIONS, assumptions),
                 Section("provenance", "Provenance", provenance_body(facts, manifest.get("versions"), path,
                                                                     manifest.get("sessions")))]
    return Content(f"Sweep: {name}", "a parameter sweep (scoresim sweep)", sections)


def _outputs_table(results) -> str:
    """Per output: runs with a value, and mean, sd, min, median and max over them; failed runs."""
    import numpy as np

    Y, ok = results["Y"].values, results["ok"].values
    rows = []
    for i, name in enumerate(results["output"].values):
        y = Y[..., i][ok & np.isfinite(Y[..., i])]
        stats = [float(f(y)) for f in (np.mean, np.std, np.min, np.median, np.max)] if y.size else [math.nan] * 5
        rows.append([str(name), int(y.size), *stats])
    out = h.heading("Outputs over all runs") + h.table(("output", "runs with a value", "mean", "sd", "min",
                                                          "median", "max"), rows)
    failed = results["error"].values[~ok] if "error" in results else []
    if len(failed):
        messages, counts = np.unique(failed.astype(str), return_counts=True)
        top = sorted(zip(counts.tolist(), messages.tolist(), strict=True), reverse=True)[:10]
        out += h.heading("Failed runs") + h.table(("runs", "error"), top,
                                                  note="The most frequent errors; every failed run and its "
                                                       "sample are in runs.jsonl.")
    return out


def _analysis_body(path: Path) -> str:
    """An analysis directory's ranked table, indices and figures, with how it was made."""
    attrs, _ = netcdf_header(path / "indices.nc")
    out = h.key_values([("title", attrs.get("title")), ("estimator", attrs.get("estimator")),
                        ("bootstrap resamples", attrs.get("resamples")),
                        ("confidence level", attrs.get("conf_level")),
                        ("command", attrs.get("analysis_command")),
                        ("git commit", attrs.get("analysis_git_commit"))])
    out += figures_body(figures(path))
    if (path / "table.txt").is_file():
        out += h.heading("Ranked indices (table.txt)") + text_body(path / "table.txt")
    if (path / "indices.csv").is_file():
        out += h.heading("Every index (indices.csv)") + csv_body(path / "indices.csv")
    return out


def analysis_content(path: Path) -> Content:
    """A ``scoresim analyze`` directory on its own."""
    indices = path / "indices.nc"
    attrs, _ = netcdf_header(indices)
    experiment = json_attr(attrs, "experiment", indices)
    if not isinstance(experiment, dict):
        raise InputError(f"{indices}: not a scoresim analysis (attribute 'experiment' missing)")
    name = (experiment.get("spec") or {}).get("name") or path.name
    facts = [("analysis command", attrs.get("analysis_command")),
             ("analysis git commit", attrs.get("analysis_git_commit")),
             ("sweep command", attrs.get("sweep_command")), ("sweep git commit", attrs.get("sweep_git_commit")),
             ("sweep created (UTC)", attrs.get("sweep_created_utc")), ("sample seed", attrs.get("sample_seed")),
             ("bootstrap seed", attrs.get("bootstrap_seed")), ("replicates", attrs.get("replicates"))]
    facts += _experiment_posterior(experiment)
    sections = [_summary(words.analysis(name, attrs, path)),
                Section("analysis", "Sensitivity analysis", _analysis_body(path)),
                Section("assumptions", ASSUMPTIONS,
                        _experiment_body(experiment, f"{indices} (attribute 'experiment')")),
                Section("provenance", "Provenance",
                        provenance_body(facts, json_attr(attrs, "analysis_versions", indices), path))]
    return Content(f"Sensitivity analysis: {name}", "a sensitivity analysis (scoresim analyze)", sections)


def _experiment_posterior(experiment: dict) -> list[tuple[str, Any]]:
    """Provenance lines of the posterior an experiment record ran with (none when it had none)."""
    post = experiment.get("posterior") if isinstance(experiment.get("posterior"), dict) else {}
    return posterior_facts(post.get("origin"), post.get("digest"), len(post.get("values") or []) or None)


def _experiment_body(experiment: dict, origin: str) -> str:
    """The varied parameters, method, constants and base scenario of an experiment record."""
    spec = experiment.get("spec") if isinstance(experiment.get("spec"), dict) else {}
    params = [p for p in spec.get("parameters") or [] if isinstance(p, dict)]
    columns = ("parameter", "distribution", "low", "high", "peak", "mean", "sd", "group", "levels")
    rows = [[p.get("path"), p.get("dist"), *(list(p.get("bounds") or [None, None]) + [None, None])[:2],
             p.get("peak"), p.get("mean"), p.get("sd"), p.get("group"), p.get("values")] for p in params]
    out = h.heading("Varied parameters") + h.table(columns, rows)
    method = spec.get("method") if isinstance(spec.get("method"), dict) else {}
    out += h.heading("Design") + h.key_values([
        ("model", spec.get("model")), ("base scenario", spec.get("base")), ("experiment seed", spec.get("seed")),
        ("replicates per point", spec.get("replicates")), ("seeds", spec.get("seeds")),
        ("outputs", spec.get("outputs")), *((f"method.{k}", v) for k, v in method.items())])
    if spec.get("constants"):
        out += h.heading("Constants") + h.table(("name", "value"), sorted(spec["constants"].items()))
    if isinstance(experiment.get("base"), dict):
        out += h.heading("Base scenario (every parameter not varied)") + parameters_table(
            experiment["base"], f"{origin} (base)")
    return out


# --------------------------------------------------------------------------- calibration

def calibration_content(path: Path) -> Content:
    """A ``scoresim calibrate`` directory: fit, identifiability, figures, targets and priors."""
    require(path, "manifest.json", "calibration.json", "targets.toml", what="calibration")
    manifest = read_object(path / "manifest.json")
    _complete(path, manifest, "calibration", "scoresim calibrate --resume")
    require(path, "posterior.nc", "fit_table.csv", "identifiability.csv", what="calibration")
    _, sizes = netcdf_header(path / "posterior.nc")
    cal = read_object(path / "calibration.json")
    name = manifest.get("name") or path.name
    overview = h.key_values([
        ("targets", name), ("mode", manifest.get("mode")), ("method", manifest.get("method")),
        ("simulations", manifest.get("simulations")), ("stopped early", manifest.get("stopped_early")),
        ("effective sample size", manifest.get("effective_sample_size")),
        ("posterior draws", sizes.get("draw"))])
    fit = ""
    if (path / "fit_table.txt").is_file():
        fit = h.heading("As printed (fit_table.txt)") + text_body(path / "fit_table.txt")
    fit += h.heading("Fit to each target (fit_table.csv)") + csv_body(
        path / "fit_table.csv", columns=("target", "evidence", "low", "high", "median", "q05", "q95", "inside", "status"))
    fit += h.heading("Identifiability (identifiability.csv)") + csv_body(
        path / "identifiability.csv", columns=("name", "median", "q05", "q95", "sd_ratio", "verdict"))
    if (path / "estimands.csv").is_file():
        fit += h.heading("Reported, evaluator and causal estimates (estimands.csv)") + csv_body(path / "estimands.csv")
    facts = [("command", manifest.get("command")), ("git commit", manifest.get("git_commit")),
             ("created (UTC)", manifest.get("created_utc")), ("completed (UTC)", manifest.get("completed_utc")),
             ("seed", (cal.get("targets") or {}).get("seed")),
             ("simulations planned", (cal.get("settings") or {}).get("simulations")),
             *posterior_facts("posterior.nc", sha256(path / "posterior.nc"), sizes.get("draw"))]
    sections = [_summary(words.calibration(name, manifest, path), overview), *_figures_section(figures(path)),
                Section("fit", "Fit to the targets", fit),
                Section("assumptions", ASSUMPTIONS, _calibration_assumptions(path, cal)),
                Section("provenance", "Provenance", provenance_body(facts, manifest.get("versions"), path,
                                                                    manifest.get("sessions")))]
    return Content(f"Calibration: {name}", "a calibration (scoresim calibrate)", sections)


def _calibration_assumptions(path: Path, cal: dict) -> str:
    """Targets, trial evidence, priors, settings and the scenario of a calibration."""
    spec = cal.get("targets") if isinstance(cal.get("targets"), dict) else {}
    out = h.heading("Targets") + records_body([t for t in spec.get("targets") or [] if isinstance(t, dict)])
    if spec.get("evidence"):
        out += h.heading("Trial evidence") + records_body([t for t in spec["evidence"] if isinstance(t, dict)])
    if spec.get("not_expressible"):
        out += h.heading("Reported outcomes the model cannot express") + h.preformatted(
            "\n".join(h.fmt(x) for x in spec["not_expressible"]))
    out += h.heading("Priors of the calibrated parameters") + records_body(
        [p for p in spec.get("parameters") or [] if isinstance(p, dict)])
    out += h.heading("Settings") + h.key_values([*(cal.get("settings") or {}).items(),
                                                 *((f"fit.{k}", v) for k, v in (spec.get("fit") or {}).items())])
    if isinstance(cal.get("scenario"), dict):
        out += h.heading("Scenario (parameters not calibrated keep these values)") + parameters_table(
            cal["scenario"], f"{path / 'calibration.json'} (scenario)")
    return out + h.heading("Targets file as written (targets.toml)") + text_body(path / "targets.toml")


# --------------------------------------------------------------------------- scale-up

OPTIMISATION_FIGURES = ("frontier.png",)


def scaleup_content(path: Path) -> Content:
    """A ``scoresim scaleup`` directory: comparison table, optimisation, figures, assumptions."""
    require(path, "manifest.json", what="scale-up")
    manifest = read_object(path / "manifest.json")
    _complete(path, manifest, "scale-up run", "scoresim scaleup")
    require(path, "scaleup.nc", "table.csv", what="scale-up")
    attrs, _ = netcdf_header(path / "scaleup.nc")
    name = manifest.get("name") or path.name
    overview = h.key_values([("plan", name), ("mode", manifest.get("mode")), ("strategies", manifest.get("strategies")),
                             ("replicates", manifest.get("replicates")), ("seed", manifest.get("seed"))])
    horizon, period = _horizon(path / "table.csv")
    labels = _strategy_labels(path, attrs)
    comparison = ""
    if horizon:
        comparison = h.heading(f"Over the whole horizon ({period})") + _horizon_table(horizon, labels)
    comparison += h.heading("Every strategy, period and metric (table.csv)") + csv_body(path / "table.csv")
    shown = set(OPTIMISATION_FIGURES) if (path / "optimise.txt").is_file() else set()
    sections = [_summary(words.scaleup(name, manifest, horizon, labels), overview),
                *_figures_section([p for p in figures(path) if p.name not in shown]),
                Section("comparison", "Strategy comparison", comparison)]
    if (path / "optimise.txt").is_file():
        sections.append(Section("optimisation", "Optimised allocation", _optimisation_body(path)))
    sections += [Section("assumptions", ASSUMPTIONS, _scaleup_assumptions(path, attrs)),
                 Section("provenance", "Provenance", _scaleup_provenance(path, manifest, attrs))]
    return Content(f"Scale-up plan: {name}", "a scale-up plan (scoresim scaleup)", sections)


def _horizon(path: Path) -> tuple[dict[str, dict[str, dict]], str]:
    """Per strategy and metric, the median and interval (and units) of table.csv's period that
    spans the whole horizon ('2027-2031'); empty when the table has no such period."""
    from .inputs import read_csv

    header, rows, _ = read_csv(path, 10**9)
    col = {c: i for i, c in enumerate(header)}
    if not {"strategy", "period", "metric", "median", "p5", "p95"} <= set(col):
        return {}, ""
    spans = {r[col["period"]] for r in rows if "-" in r[col["period"]]}
    if not spans:
        return {}, ""

    def span(p: str) -> tuple[int, int]:
        a, _, b = p.partition("-")
        return (int(b), -int(a)) if a.isdigit() and b.isdigit() else (-1, 0)

    period = max(spans, key=span)
    out: dict[str, dict[str, dict]] = {}
    for r in rows:
        if r[col["period"]] == period:
            out.setdefault(r[col["strategy"]], {})[r[col["metric"]]] = {
                k: _float(r[col[k]]) for k in ("median", "p5", "p95")} | {"units": r[col["units"]] if "units" in col
                                                                           else ""}
    return out, period


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _strategy_labels(path: Path, attrs: dict) -> dict[str, str]:
    config = read_json(path / "config.json") if (path / "config.json").is_file() else json_attr(
        attrs, "config", path / "scaleup.nc")
    strategies = config.get("strategies") if isinstance(config, dict) else None
    if not isinstance(strategies, dict):
        return {}
    return {k: str(v.get("label") or k) for k, v in strategies.items() if isinstance(v, dict)}


def _horizon_table(horizon: dict[str, dict[str, dict]], labels: dict[str, str]) -> str:
    """Metrics as rows, strategies as columns (at most four per table, so that it fits a page),
    each cell 'median [p5, p95]'."""
    strategies = list(horizon)
    metrics = list(dict.fromkeys(m for s in strategies for m in horizon[s]))
    out = ""
    for start in range(0, len(strategies), 4):
        group = strategies[start:start + 4]
        rows = []
        for m in metrics:
            units = next((horizon[s][m]["units"] for s in group if m in horizon[s]), "")
            rows.append([m.replace("_", " ") + (f" ({units})" if units and units != "1" else "")]
                        + [_cell(horizon[s].get(m)) for s in group])
        out += h.table(["metric"] + [labels.get(s, s) for s in group], rows)
    return out + h.paragraph("Median [90% interval] over replicates, totals over the whole horizon; table.csv has "
                             "every year and the totals through each year.", "note")


def _cell(st: dict | None) -> str:
    if not st:
        return ""
    return f"{textable.compact(st['median'])} [{textable.compact(st['p5'])}, {textable.compact(st['p95'])}]"


def _optimisation_body(path: Path) -> str:
    out = text_body(path / "optimise.txt")
    for name, title in (("frontier.csv", "Cost-outcome frontier"), ("allocation.csv", "Allocation"),
                        ("search.csv", "Allocations evaluated by the search")):
        if (path / name).is_file():
            out += h.heading(f"{title} ({name})") + csv_body(path / name)
    return out + figures_body([path / n for n in OPTIMISATION_FIGURES if (path / n).is_file()])


def _scaleup_assumptions(path: Path, attrs: dict) -> str:
    """assumptions.json when present, else every parameter of the resolved config."""
    if (path / "assumptions.json").is_file():
        rows = read_records(path / "assumptions.json")
        return h.detail_table(PARAMETER_COLUMNS[:4], (([r.get("path"), r.get("value"), r.get("unit"), r.get("range")],
                                                       detail_text(r.get("doc"), r.get("source"))) for r in rows),
                              note=f"{len(rows)} assumptions (assumptions.json), every one as the plan used it.")
    config = read_json(path / "config.json") if (path / "config.json").is_file() else json_attr(
        attrs, "config", path / "scaleup.nc")
    if not isinstance(config, dict):
        raise InputError(f"{path}: the plan's config is missing (expected assumptions.json, config.json or the "
                         "attribute 'config' of scaleup.nc)")
    return parameters_table(config, str(path / "config.json"), _plan_model())


def _plan_model():
    """The planner's config model, or None when this installation has no planner."""
    try:
        from ..scaleup.params import PlanConfig
    except ImportError:
        return None
    return PlanConfig


def _scaleup_provenance(path: Path, manifest: dict, attrs: dict) -> str:
    def get(key: str) -> Any:
        return manifest.get(key, attrs.get(key))

    post = get("posterior")
    if isinstance(post, dict):       # {path, sha256} (or origin, digest as in experiment records)
        origin = post.get("path") or post.get("file") or post.get("origin")
        digest, draws = post.get("sha256") or post.get("digest"), post.get("draws")
    else:
        origin, digest, draws = post, get("posterior_sha256"), get("posterior_draws")
    facts = [("command", get("command")), ("git commit", get("git_commit")), ("created (UTC)", get("created_utc")),
             ("seed", get("seed")), ("replicates", get("replicates")), *posterior_facts(origin, digest, draws)]
    versions = manifest.get("versions") or json_attr(attrs, "versions", path / "scaleup.nc")
    return provenance_body(facts, versions, path, manifest.get("sessions"))



# --------------------------------------------------------------------------- compare

def compare_content(path: Path) -> Content:
    """A ``scoresim compare`` directory: differences, each scenario's values, the parameters that
    differ between the scenarios, provenance."""
    require(path, "manifest.json", what="comparison")
    manifest = read_object(path / "manifest.json")
    _complete(path, manifest, "comparison", "scoresim compare")
    require(path, "compare.csv", "compare.nc", what="comparison")
    rows = _csv_records(path / "compare.csv")
    scenarios = [s for s in manifest.get("scenarios") or [] if isinstance(s, dict)]
    labels = [str(s.get("label")) for s in scenarios]
    facts = h.key_values([("baseline", manifest.get("baseline")), ("scenarios", ", ".join(labels)),
                          ("paired", "yes" if manifest.get("paired") else "no"), ("pairing", manifest.get("pairing"))])
    results = h.heading("Each scenario and its difference from the baseline") + _compare_table(rows, labels)
    results += h.download((path / "compare.csv").read_bytes(), "compare.csv", "Download compare.csv")
    if (path / "compare.txt").is_file():
        results += h.heading("As printed (compare.txt)") + text_body(path / "compare.txt")
    configs = read_object(path / "configs.json") if (path / "configs.json").is_file() else {}
    facts_prov = [("command", manifest.get("command")), ("git commit", manifest.get("git_commit")),
                  ("created (UTC)", manifest.get("created_utc"))]
    sections = [_summary(words.compare(manifest, rows), facts), *_figures_section(figures(path)),
                Section("results", "Comparison", results),
                Section("assumptions", ASSUMPTIONS, _compare_assumptions(configs, path)),
                Section("provenance", "Provenance", h.table(("scenario", "from", "kind", "seed", "replicates"),
                                                            [[s.get("label"), s.get("origin"), s.get("kind"),
                                                              s.get("seed"), s.get("replicates")] for s in scenarios])
                        + provenance_body(facts_prov, manifest.get("versions"), path))]
    return Content(f"Comparison: {' vs '.join(labels)}", "a comparison of scenarios (scoresim compare)", sections)


def _csv_records(path: Path) -> list[dict[str, str]]:
    from .inputs import read_csv

    header, rows, _ = read_csv(path, 10**9)
    return [dict(zip(header, r)) for r in rows]


def _compare_table(rows: list[dict[str, str]], labels: list[str]) -> str:
    """Per indicator and estimand: each scenario's median [90% interval] and each difference
    from the baseline; scenarios in groups of three columns so that the table fits a page."""
    base = labels[0] if labels else ""
    keyed = {(r["scenario"], r["indicator"], r["estimand"], r["statistic"]): r for r in rows}
    pairs = list(dict.fromkeys((r["indicator"], r["estimand"]) for r in rows))
    columns = [(s, "value") for s in labels] + [(s, "difference") for s in labels[1:]]
    out = ""
    for start in range(0, len(columns), 3):
        group = columns[start:start + 3]
        head = ["indicator", "estimand"] + [s if stat == "value" else f"{s} less {base}" for s, stat in group]
        body = []
        for ind, est in pairs:
            cells = [ind, est]
            for s, stat in group:
                r = keyed.get((s, ind, est, stat))
                cells.append(_compare_cell(r, stat) if r else "")
            body.append(cells)
        out += h.table(head, body)
    return out + h.paragraph("Median [90% interval] over replicates. Relative indicators: changes in %, differences "
                             "in percentage points (pp); adoption: practice level on the 0-1 scale.", "note")


def _compare_cell(r: dict[str, str], stat: str) -> str:
    kind = "points" if "practice" in r.get("units", "") else "relative"
    mid, lo, hi = (_float(r[k]) if r.get(k) else math.nan for k in ("median", "p5", "p95"))
    return textable.with_interval(mid, lo, hi, kind=kind, diff=stat == "difference")


def _compare_assumptions(configs: dict, path: Path) -> str:
    """The parameters whose values differ between the scenarios, then every scenario's list."""
    from .parts import flatten

    flat = {label: dict(flatten(cfg)) for label, cfg in configs.items() if isinstance(cfg, dict)}
    labels = list(flat)
    keys = list(dict.fromkeys(k for f in flat.values() for k in f))
    differ = [[k] + [h.fmt(flat[s].get(k)) for s in labels] for k in keys
              if len({repr(flat[s].get(k)) for s in labels}) > 1]
    out = h.heading("Parameters that differ between the scenarios") + (
        h.table(["parameter"] + labels, differ) if differ else h.paragraph("None: the scenarios share every "
                                                                           "parameter."))
    for label, cfg in configs.items():
        if isinstance(cfg, dict):
            out += h.heading(f"Every parameter of {label}") + parameters_table(cfg, f"{path / 'configs.json'} "
                                                                                      f"({label})")
    return out
