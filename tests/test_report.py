"""``scoresim report``: one self-contained HTML page per results directory.

Real results (a run, a sweep with its analysis, a quick calibration) and a scale-up directory
laid out as ``scoresim scaleup`` writes it are reported on; the pages are checked for structure
(sections, embedded figures, no remote references, provenance), bad input is refused with
nothing written, and headless Chromium opens each page to confirm that every figure renders
and no script error occurs. The browser tests are skipped when no Chromium is installed,
unless SCORESIM_REQUIRE_BROWSER is set (as in CI), when a missing browser fails them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from conftest import tree
from test_experiments import SMALL_BASE as BASE  # the same small scenario as the sweep tests

from scoresim.cli import main
from scoresim.config import scenario_from_json
from scoresim.params import describe_parameters
from scoresim.report import build_report
from scoresim.report.html import Section, esc, page
from scoresim.report.parts import CAPTIONS

SPEC = """
name = "score_small"
base = "base.toml"
seed = 5
replicates = 2
outputs = ["effect.accidents", "share_improving.defects"]
[method]
name = "latin"
samples = 10
[[parameters]]
path = "workforce.osh_hazard"
bounds = [0.5, 2.5]
[[parameters]]
path = "adoption.visit_rate"
bounds = [0.1, 0.4]
"""
TARGETS = """
name = "small"
scenario = "base.toml"
seed = 9
[[targets]]
id = "acc"
printed = "-0.1"
value = -0.1
statistic = "reported_change.accidents"
reading = "test"
tolerance = 0.02
source = "test"
[[parameters]]
path = "workforce.osh_hazard"
bounds = [0.5, 3.0]
[fit]
simulations = 24
quick_simulations = 24
folds = 3
particles = 300
sbc_datasets = 4
predictive_draws = 5
posterior_draws = 50
"""
SECTIONS = ("Contents", "Summary", "Assumptions and parameters", "Provenance")
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


# --------------------------------------------------------------------------- the command

def scoresim_report(argv: list[str]) -> int:
    """``scoresim report ...`` through the command line entry point."""
    try:
        return main(["report", *argv])
    except SystemExit as exc:   # argparse's own usage errors
        return int(exc.code)


def report(argv: list[str], capsys) -> tuple[int, str, str]:
    code = scoresim_report(argv)
    out, err = capsys.readouterr()
    return code, out, err


def make_report(results: Path, out: Path, capsys, *extra: str) -> str:
    code, stdout, err = report([str(results), "--out", str(out), *extra], capsys)
    assert code == 0, err
    figures = len(list(results.glob("*.png"))) + len(list(results.glob("analysis*/*.png")))
    assert re.fullmatch(rf"wrote {re.escape(str(out))} \(\d[\d,]* KB, {figures} figures\)\n", stdout), stdout
    return plain(out.read_text(encoding="utf-8"))


def plain(text: str) -> str:
    """The page without break opportunities (<wbr>) and cell classes of digests, so that tests
    can look for cell text."""
    return text.replace("<wbr>", "").replace('<td class="hash">', "<td>")


# --------------------------------------------------------------------------- results to report on

def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A valid grey PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _ok(argv: list[str]) -> None:
    assert main(argv) == 0, argv


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("inputs")
    (d / "base.toml").write_text(BASE)
    (d / "spec.toml").write_text(SPEC)
    (d / "targets.toml").write_text(TARGETS)
    return d


@pytest.fixture(scope="module")
def run_dir(inputs) -> Path:
    _ok(["run", str(inputs / "base.toml"), "--out", str(inputs / "run"), "--replicates", "2"])
    return inputs / "run"


@pytest.fixture(scope="module")
def sweep_dir(inputs) -> Path:
    _ok(["sweep", str(inputs / "spec.toml"), "--out", str(inputs / "sweep"), "--serial"])
    _ok(["analyze", str(inputs / "sweep"), "--resamples", "50"])
    return inputs / "sweep"


@pytest.fixture(scope="module")
def calibration_dir(inputs) -> Path:
    _ok(["calibrate", str(inputs / "targets.toml"), "--quick", "--serial", "--out", str(inputs / "cal")])
    return inputs / "cal"


SCALEUP_COMMIT = "0123456789abcdef0123456789abcdef01234567"
ASSUMPTIONS = [{"path": "budget.usd_per_year", "value": 4.0e6, "unit": "USD/year", "range": "[0, 1e+10]",
                "source": "donor pages", "doc": "programme budget"},
               {"path": "costs.module_usd", "value": 2500.0, "unit": "USD/firm/module", "range": "[0, 1e+06]",
                "source": "brochure", "doc": "cost of a module <per firm>"}]


def scaleup_directory(path: Path, assumptions: bool = True, optimise: bool = True) -> Path:
    """A directory laid out as ``scoresim scaleup`` writes it: manifest, scaleup.nc, table.csv and
    table.txt, config.json, assumptions.json, figures and (optimisation) optimise.txt, frontier.csv,
    allocation.csv, search.csv, frontier.png."""
    path.mkdir()
    config = json.loads(BASE_CONFIG)
    config["budget"] = {"usd_per_year": 4.0e6, "carry_over": True}
    config["strategies"] = {"open": {"label": "open enrolment"}, "buyer_led": {"label": "buyer-led"}}
    versions = {"python": "3.11", "scoresim": "0.1.0"}
    manifest = {"format": "scoresim-scaleup/1", "kind": "scaleup", "status": "complete", "name": "plan",
                "mode": "optimise" if optimise else "strategies",
                "command": "scoresim scaleup plan.toml", "git_commit": SCALEUP_COMMIT, "versions": versions,
                "created_utc": "2030-01-01T00:00:00+00:00", "seed": 3, "replicates": 2,
                "strategies": ["open", "buyer_led"],
                "posterior": {"file": "src/scoresim/data/posterior_phase1.nc", "sha256": "ab" * 8, "draws": 300}}
    (path / "manifest.json").write_text(json.dumps(manifest))
    xr.Dataset({"firms_reached": (("strategy",), np.array([10.0, 20.0]))},
               coords={"strategy": ["open", "buyer_led"]},
               attrs={"config": json.dumps(config), "git_commit": SCALEUP_COMMIT, "versions": json.dumps(versions),
                      "created_utc": "2030-01-01T00:00:00+00:00", "command": "scoresim scaleup plan.toml",
                      "seed": 3, "replicates": 2}).to_netcdf(path / "scaleup.nc", engine="h5netcdf")
    rows = ["strategy,period,metric,units,median,p5,p95"]
    periods = [f"{2000 + y // 2}" if y % 2 == 0 else f"2000-{2000 + y // 2}" for y in range(125)]  # years, totals
    rows += [f"{s},{p},firms_reached,firms,{10.0 * y + k:.6f},{y},{20 * y}"
             for k, s in enumerate(("open", "buyer_led")) for y, p in enumerate(periods)]
    (path / "table.csv").write_text("\n".join(rows) + "\n")
    (path / "table.txt").write_text("strategy    firms reached\nopen        1,240\nbuyer-led   1,250\n")
    (path / "config.json").write_text(json.dumps(config, indent=2))
    if assumptions:
        (path / "assumptions.json").write_text(json.dumps(ASSUMPTIONS))
    for i, name in enumerate(("reach.png", "costs.png")):
        (path / name).write_bytes(tiny_png(4 + i))          # distinct images (a PDF stores one copy of each)
    if optimise:
        (path / "optimise.txt").write_text("budget share   accidents averted\n0.5   10\n1.0   18\n")
        (path / "frontier.csv").write_text("budget_share,accidents_averted\n0.5,10\n1.0,18\n")
        (path / "allocation.csv").write_text("budget_share,strategy,share\n1.0,open,0.25\n1.0,buyer_led,0.75\n")
        (path / "search.csv").write_text("candidate,accidents_averted\n0,9\n1,18\n")
        (path / "frontier.png").write_bytes(tiny_png(6, 5))
    return path


BASE_CONFIG = json.dumps({"name": "plan", "population": {"n_firms": 24, "workers_mean": 40.0},
                          "time": {"start": "2008-01", "months": 30}})


@pytest.fixture(scope="module")
def scaleup_dir(tmp_path_factory) -> Path:
    return scaleup_directory(tmp_path_factory.mktemp("scaleup") / "plan")


@pytest.fixture(scope="module")
def all_results(run_dir, sweep_dir, calibration_dir, scaleup_dir) -> dict[str, Path]:
    return {"run": run_dir, "sweep": sweep_dir, "analysis": sweep_dir / "analysis",
            "calibration": calibration_dir, "scaleup": scaleup_dir}


# --------------------------------------------------------------------------- structure

class Page(HTMLParser):
    """What the tests look at in a page: ids, links, images, body attributes, #page-check."""

    def __init__(self, text: str):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.images: list[str] = []
        self.body: dict[str, str] = {}
        self.check, self._in_check = "", False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "img":
            self.images.append(a.get("src", ""))
        if tag == "body":
            self.body = {k: v or "" for k, v in a.items()}
        self._in_check = a.get("id") == "page-check"

    def handle_endtag(self, tag):
        self._in_check = False

    def handle_data(self, data):
        if self._in_check:
            self.check += data


def assert_self_contained(text: str, sections: tuple[str, ...], figures: int) -> Page:
    """One page, every section present and linked from the contents, every figure a PNG data
    URI, nothing loaded from elsewhere."""
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    parsed = Page(text)
    for title in SECTIONS + sections:
        assert f">{title}</h2>" in text, title
    assert all(link.startswith("#") and link[1:] in parsed.ids or link.startswith("data:text/csv;base64,")
               for link in parsed.links), parsed.links
    assert len(parsed.images) == figures == int(parsed.body["data-figures-expected"])
    assert all(src.startswith("data:image/png;base64,") for src in parsed.images)
    lowered = text.lower()
    for remote in ('src="http', "src='http", 'href="http', "href='http", "url(", "@import", "<link",
                   "<iframe", "<object", "<embed", 'src="//', 'href="//'):
        assert remote not in lowered, remote
    assert "Generated " in text and " UTC" in text
    return parsed


def test_run_report(run_dir, tmp_path, capsys):
    text = make_report(run_dir, tmp_path / "run.html", capsys)
    assert_self_contained(text, ("Figures", "Results by indicator"), 3)
    ds = xr.open_dataset(run_dir / "dataset.nc", engine="h5netcdf")
    attrs = dict(ds.attrs)
    ds.close()
    assert f"<td>{attrs['git_commit']}</td>" in text and attrs["command"] in text
    assert attrs["created_utc"] in text and "Library versions" in text
    for row in json.loads((run_dir / "summary.json").read_text()):
        assert f"<td>{row['indicator']}" in text
    scenario = scenario_from_json(attrs["config"], "test")
    for row in describe_parameters(instance=scenario):      # every parameter, with its value
        assert f"<td>{row['path']}</td>" in text, row["path"]
    assert "<td>population.n_firms</td><td class=\"num\">24</td>" in text
    for name in ("dataset.nc", "summary.json", "config.json", "effects.png"):
        assert f"<td>{name}</td>" in text


def test_sweep_report_includes_its_analysis(sweep_dir, tmp_path, capsys):
    text = make_report(sweep_dir, tmp_path / "sweep.html", capsys)
    analysis_figures = len(list((sweep_dir / "analysis").glob("*.png")))
    assert_self_contained(text, ("Sensitivity analysis (analysis)",), analysis_figures)
    manifest = json.loads((sweep_dir / "manifest.json").read_text())
    assert f"<td>{manifest['git_commit']}</td>" in text and "<h3>Sessions</h3>" in text
    assert "<td>workforce.osh_hazard</td>" in text and "Ranked indices (table.txt)" in text
    assert "<td>effect.accidents</td>" in text and "Base scenario" in text
    assert "Experiment spec as written (spec.toml)" in text


def test_analysis_report_on_its_own(sweep_dir, tmp_path, capsys):
    analysis = sweep_dir / "analysis"
    text = make_report(analysis, tmp_path / "analysis.html", capsys)
    assert_self_contained(text, ("Sensitivity analysis",), len(list(analysis.glob("*.png"))))
    commit = json.loads((sweep_dir / "manifest.json").read_text())["git_commit"]
    assert f"<td>{commit}</td>" in text and "<td>scoresim analyze " in text


def test_calibration_report(calibration_dir, tmp_path, capsys):
    text = make_report(calibration_dir, tmp_path / "cal.html", capsys)
    assert_self_contained(text, ("Fit to the targets", "Figures"), 3)
    manifest = json.loads((calibration_dir / "manifest.json").read_text())
    assert f"<td>{manifest['git_commit']}</td>" in text
    digest = hashlib.sha256((calibration_dir / "posterior.nc").read_bytes()).hexdigest()
    assert f"<th>posterior SHA-256</th><td>{digest}</td>" in text
    assert "Priors of the calibrated parameters" in text and "<td>acc</td>" in text


def test_scaleup_report(scaleup_dir, tmp_path, capsys):
    text = make_report(scaleup_dir, tmp_path / "plan.html", capsys)
    parsed = assert_self_contained(text, ("Strategy comparison", "Optimised allocation", "Figures"), 3)
    assert "optimisation" in parsed.ids
    assert f"<td>{SCALEUP_COMMIT}</td>" in text and "<td>src/scoresim/data/posterior_phase1.nc</td>" in text
    assert "<th>posterior SHA-256 (first 16 hex digits)</th><td>" + "ab" * 8 + "</td>" in text
    assert "table.csv has 250 rows of 7 columns" in text and 'download="table.csv"' in text
    assert "<td>costs.module_usd</td>" in text and "cost of a module &lt;per firm&gt;" in text
    assert "Allocations evaluated by the search (search.csv)" in text and "<td>[0, 1e+06]</td>" in text
    assert text.index(esc(CAPTIONS["frontier"])) > text.index('id="optimisation"')   # shown with the optimisation


def test_scaleup_report_without_assumptions_lists_the_config(tmp_path, capsys):
    plan = scaleup_directory(tmp_path / "plan", assumptions=False, optimise=False)
    text = make_report(plan, tmp_path / "plan.html", capsys)
    assert_self_contained(text, ("Strategy comparison", "Figures"), 2)
    assert "Optimised allocation" not in text
    for path in ("population.n_firms", "budget.usd_per_year", "strategies.buyer_led.label"):
        assert f"<td>{path}</td>" in text, path


def test_default_out_title_and_escaping(run_dir, tmp_path, capsys):
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    code, out, err = report([str(copy), "--title", "<b>A & B</b>"], capsys)
    assert code == 0, err
    assert out.startswith(f"wrote {copy / 'report.html'} (")
    text = (copy / "report.html").read_text()
    assert "<title>&lt;b&gt;A &amp; B&lt;/b&gt;</title>" in text and "<b>A" not in text
    assert sorted(p.name for p in copy.iterdir() if p.name.startswith(".")) == []    # no temporary left


def test_build_report_api(scaleup_dir, tmp_path):
    before = tree(scaleup_dir)
    text = build_report(scaleup_dir)
    assert text.startswith("<!DOCTYPE html>") and "Scale-up plan: plan" in text
    assert tree(scaleup_dir) == before                                            # building writes nothing


# --------------------------------------------------------------------------- bad input

def assert_refused(argv: list[str], capsys, work: Path, *expected: str) -> None:
    """Exit status 2, no traceback, every ``expected`` text in the message, nothing written."""
    before = tree(work)
    code, out, err = report(argv, capsys)
    assert code == 2, (code, out, err)
    assert "Traceback" not in err + out
    for text in expected:
        assert text in err, (text, err)
    assert tree(work) == before, "bad input must not write anything"


def damaged_run(run_dir: Path, work: Path, name: str, content: bytes) -> Path:
    copy = work / "run"
    shutil.copytree(run_dir, copy)
    (copy / name).write_bytes(content)
    return copy


def test_missing_directory(capsys, work):
    assert_refused(["nothing"], capsys, work, "nothing: no such directory", "scoresim results directory")


def test_a_file_is_not_a_results_directory(capsys, work):
    (work / "dataset.nc").write_text("x")
    assert_refused(["dataset.nc"], capsys, work, "dataset.nc: not a directory")


def test_unrecognised_directory(capsys, work):
    (work / "stuff").mkdir()
    (work / "stuff" / "notes.txt").write_text("hello")
    assert_refused(["stuff"], capsys, work, "stuff: not a recognised results directory", "dataset.nc",
                   "manifest.json", "indices.nc")


@pytest.mark.parametrize("content, expected", [
    ("{not json", "not valid JSON"),
    ('["a list"]', "expected a JSON object"),
    ('{"format": "other/1"}', "field 'format': expected one of"),
])
def test_bad_manifest(content, expected, capsys, work):
    (work / "res").mkdir()
    (work / "res" / "manifest.json").write_text(content)
    assert_refused(["res"], capsys, work, os.path.join("res", "manifest.json"), expected)


@pytest.mark.parametrize("name, content, expected", [
    ("dataset.nc", b"not netcdf", "not a readable netCDF file"),
    ("summary.json", b'{"rows": 1}', "expected a JSON list of objects"),
    ("summary.json", b"\xff\xfe\x00garbage", "not a UTF-8 text file"),
    ("effects.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not a complete PNG image"),
    ("config.json", b'{"population": {"n_firms": ', "not valid JSON"),
])
def test_damaged_run_directory(run_dir, name, content, expected, capsys, work):
    copy = damaged_run(run_dir, work, name, content)
    assert_refused([str(copy.name)], capsys, work, os.path.join("run", name), expected)


def test_truncated_figure(run_dir, capsys, work):
    png = (run_dir / "practices.png").read_bytes()
    damaged_run(run_dir, work, "practices.png", png[: len(png) // 2])
    assert_refused(["run"], capsys, work, os.path.join("run", "practices.png"), "damaged or truncated")


def test_incomplete_sweep(sweep_dir, capsys, work):
    copy = work / "sweep"
    shutil.copytree(sweep_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    (copy / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    (copy / "results.nc").unlink()
    assert_refused(["sweep"], capsys, work, "sweep: the sweep is not complete", "scoresim sweep --resume sweep")


def test_incomplete_calibration(capsys, work):
    (work / "cal").mkdir()
    (work / "cal" / "manifest.json").write_text(json.dumps({"format": "scoresim-calibration/2", "status": "running"}))
    (work / "cal" / "calibration.json").write_text("{}")
    (work / "cal" / "targets.toml").write_text("")
    assert_refused(["cal"], capsys, work, "cal: the calibration is not complete", "scoresim calibrate --resume cal")


@pytest.mark.parametrize("change, expected", [
    ({"status": "running"}, "the scale-up run is not complete"),
    ({"drop": "table.csv"}, "not a complete scale-up directory (table.csv missing)"),
    ({"drop": "scaleup.nc"}, "not a complete scale-up directory (scaleup.nc missing)"),
    ({"write": ("assumptions.json", '{"path": 1}')}, "expected a JSON list of objects"),
])
def test_bad_scaleup_directory(change, expected, capsys, work):
    plan = scaleup_directory(work / "plan")
    if "status" in change:
        manifest = json.loads((plan / "manifest.json").read_text())
        (plan / "manifest.json").write_text(json.dumps({**manifest, **change}))
    if "drop" in change:
        (plan / change["drop"]).unlink()
    if "write" in change:
        (plan / change["write"][0]).write_text(change["write"][1])
    assert_refused(["plan"], capsys, work, "plan", expected)


def test_existing_out_is_refused(run_dir, capsys, work):
    (work / "report.html").write_text("keep me")
    assert_refused([str(run_dir), "--out", "report.html"], capsys, work, "report.html: already exists",
                   "never overwritten")
    assert (work / "report.html").read_text() == "keep me"


def test_existing_default_report_is_refused(run_dir, capsys, work):
    copy = damaged_run(run_dir, work, "report.html", b"an earlier report")
    assert_refused(["run"], capsys, work, os.path.join("run", "report.html"), "already exists")
    assert (copy / "report.html").read_bytes() == b"an earlier report"


def test_out_in_a_missing_directory(run_dir, capsys, work):
    assert_refused([str(run_dir), "--out", "no/such/report.html"], capsys, work,
                   "no/such/report.html: cannot write the report", "does not exist")


# --------------------------------------------------------------------------- in a browser

CONSOLE = re.compile(r'CONSOLE[:(]\d+\)?\]\s*"(?P<message>.*)", source: (?P<source>\S+)')


def find_browser() -> str:
    """A Chromium binary; the test is skipped without one, or fails when SCORESIM_REQUIRE_BROWSER
    is set (to anything but '' or '0')."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("SCORESIM_REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"SCORESIM_REQUIRE_BROWSER is set but no browser ({', '.join(BROWSERS)}) is on the PATH")
    pytest.skip(f"no browser ({', '.join(BROWSERS)}); set SCORESIM_REQUIRE_BROWSER=1 to make this a failure")


def open_in_browser(browser: str, page_file: Path, scratch: Path) -> tuple[Page, list[str]]:
    """Load ``page_file`` in headless Chromium; return the page as it stands after loading (its
    DOM) and the console messages the page itself produced."""
    url = page_file.resolve().as_uri()
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--no-default-browser-check", "--disable-extensions", f"--user-data-dir={scratch}",
                           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom", url],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    console = [m.group("message") for m in CONSOLE.finditer(done.stderr) if m.group("source").startswith(url)]
    return Page(done.stdout), console


@pytest.fixture(scope="module")
def browser() -> str:
    return find_browser()


@pytest.mark.parametrize("kind", ["run", "sweep", "analysis", "calibration", "scaleup"])
def test_report_renders_in_a_browser(browser, kind, all_results, tmp_path, capsys):
    out = tmp_path / f"{kind}.html"
    make_report(all_results[kind], out, capsys)
    static = Page(out.read_text())
    dom, console = open_in_browser(browser, out, tmp_path / "profile")
    assert dom.body.get("data-figures-ok") == "true", (dom.body, dom.check)
    assert dom.body["data-figures"] == dom.body["data-figures-loaded"] == str(len(static.images))
    assert len(static.images) > 0
    assert dom.body["data-errors"] == "0" and dom.check == "", dom.check
    assert console == [], console


def test_browser_check_catches_broken_figures_and_script_errors(browser, tmp_path):
    """The check is not vacuous: a figure that does not decode, a remote image (blocked), a script
    error and an unhandled rejection all show up, in the DOM and on the console."""
    good = "data:image/png;base64," + base64.b64encode(tiny_png()).decode()
    body = (f'<img src="{good}" alt="good"><img src="data:image/png;base64,iVBORw0KGgo=" alt="broken">'
            '<img src="http://example.invalid/x.png" alt="remote">'
            "<script>undefinedFunction();</script><script>Promise.reject(new Error('late'));</script>")
    out = tmp_path / "bad.html"
    out.write_text(page("bad", "a page with faults", [Section("s", "Faults", body)], "footer"))
    dom, console = open_in_browser(browser, out, tmp_path / "profile")
    assert dom.body["data-figures-ok"] == "false"
    assert (dom.body["data-figures"], dom.body["data-figures-loaded"]) == ("3", "1")
    assert int(dom.body["data-errors"]) >= 4, dom.check
    for text in ("undefinedFunction", "unhandled rejection", "blocked: http://example.invalid/x.png"):
        assert text in dom.check, (text, dom.check)
    assert any("Uncaught" in m for m in console), console


def test_missing_browser_fails_only_when_required(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("SCORESIM_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception):
        find_browser()
    monkeypatch.setenv("SCORESIM_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="SCORESIM_REQUIRE_BROWSER"):
        find_browser()


# --------------------------------------------------------------------------- layout, in a browser

@pytest.fixture(scope="module")
def compare_dir(inputs) -> Path:
    (inputs / "fewer.toml").write_text(BASE.replace("participants = 16", "participants = 8")
                                       .replace('name = "small"', 'name = "fewer"'))
    _ok(["compare", str(inputs / "base.toml"), str(inputs / "fewer.toml"), "--replicates", "2",
         "--out", str(inputs / "cmp")])
    return inputs / "cmp"


@pytest.fixture(scope="module")
def every_kind(all_results, compare_dir) -> dict[str, Path]:
    return {**all_results, "compare": compare_dir}


def test_compare_report(compare_dir, tmp_path, capsys):
    text = make_report(compare_dir, tmp_path / "cmp.html", capsys)
    assert_self_contained(text, ("Figures", "Comparison"), 2)
    assert "Comparison: small vs fewer" in text and "Parameters that differ between the scenarios" in text
    assert "<td>programme.participants</td>" in text and 'download="compare.csv"' in text
    assert text.index(esc(CAPTIONS["differences"])) < text.index(esc(CAPTIONS["values"]))   # main result first


@pytest.mark.parametrize("kind", ["run", "sweep", "analysis", "calibration", "scaleup", "compare"])
def test_report_starts_with_a_summary_in_words(kind, every_kind, tmp_path, capsys):
    text = make_report(every_kind[kind], tmp_path / f"{kind}.html", capsys)
    first = text.index("<section ")
    assert text[first:].startswith('<section id="summary">\n<h2>Summary</h2>\n<div class="summary"><p>This report ')
    summary = text[first:text.index("</section>", first)]
    assert "What they rest on" in summary
    if kind in ("run", "compare", "scaleup", "calibration"):
        assert re.search(r"\[[-+]?[\d.,]+[%kMB]?, [-+]?[\d.,]+[%kMB]?\]", summary), summary   # results with intervals
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", text)
    assert all(".png" not in c for c in captions), captions      # captions say what a figure shows


@pytest.mark.parametrize("kind", ["run", "sweep", "analysis", "calibration", "scaleup", "compare"])
def test_report_fits_a_screen_and_a_page_and_prints_every_figure(kind, every_kind, tmp_path, capsys):
    from browser import LAYOUT_CHECK, chromium, pdf_images

    out = tmp_path / f"{kind}.html"
    make_report(every_kind[kind], out, capsys)
    figures = len(Page(out.read_text()).images)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})          # a laptop screen
        page.goto(out.resolve().as_uri())
        screen = page.evaluate(LAYOUT_CHECK)
        assert screen["wide"] == [] and screen["scrollWidth"] <= screen["vw"], screen
        assert screen["breaking"] == [], screen
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 700, "height": 1000})                    # A4 less its margins
        printed = page.evaluate(LAYOUT_CHECK)
        assert printed["wide"] == [] and printed["scrollWidth"] <= printed["vw"], printed
        pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and pdf_images(pdf) >= figures > 0


def test_layout_check_finds_wide_elements_and_words_broken_inside(tmp_path):
    """Not vacuous: an element wider than the page and text allowed to break anywhere are found;
    the same wide table inside a scrolling box is not."""
    from browser import LAYOUT_CHECK, chromium

    body = ('<div style="width:3000px">too wide</div><p style="overflow-wrap:anywhere">Fals e</p>'
            '<div class="table-wrap"><table><tr><td style="min-width:3000px">scrolls</td></tr></table></div>')
    out = tmp_path / "wide.html"
    out.write_text(page("wide", "a page too wide", [Section("s", "Wide", body)], "footer"))
    with chromium() as browser:
        pg = browser.new_page(viewport={"width": 1280, "height": 800})
        pg.goto(out.resolve().as_uri())
        found = pg.evaluate(LAYOUT_CHECK)
    assert found["wide"] and all(w.startswith("DIV") for w in found["wide"]), found
    assert not any("TD" in w for w in found["wide"]), found
    assert found["breaking"] == ["P."], found


def test_playwright_browser_missing_fails_only_when_required(monkeypatch):
    import browser

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("SCORESIM_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception):
        browser.executable()
    monkeypatch.setenv("SCORESIM_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="SCORESIM_REQUIRE_BROWSER"):
        browser.executable()
