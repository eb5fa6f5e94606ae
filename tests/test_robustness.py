"""Nothing a user does breaks it: output places, full disks, closed pipes, damaged result
directories, concurrent writers, deep or huge inputs, strict types, empty programmes.

Each case ends with exit status 2, a message naming the file (or option) and field, no
traceback and nothing half written, or succeeds where it should. Read-only places and full
disks are real: read-only or small tmpfs mounts where this process may mount them (root),
permission bits otherwise; tests that need a mount are skipped where none can be made.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, call, partial_files
from scoresim.outputs import directory_lock

SCORESIM = [sys.executable, "-m", "scoresim.cli"]

TINY = """name = "tiny"
[run]
replicates = 1
[time]
start = "2008-01"
months = 30
[population]
n_firms = 12
[programme]
participants = 6
enrol_start = "2008-07"
enrol_end = "2008-08"
"""

SPEC = """name = "tinysweep"
base = "tiny.toml"
seed = 3
replicates = 1
outputs = ["effect.accidents", "reported_change.defects"]
[method]
name = "latin"
samples = 12
[[parameters]]
path = "workforce.osh_hazard"
bounds = [1.0, 2.0]
[[parameters]]
path = "adoption.visit_rate"
bounds = [0.1, 0.3]
"""

PLAN = """name = "tinyplan"
[run]
replicates = 1
[time]
start = "2027-01"
months = 24
[population]
n_firms = 120
workers_mean = 30.0
[buyers]
n_buyers = 12
[programme]
enrol_start = "2027-01"
enrol_end = "2028-06"
[budget]
usd_per_year = 2.0e5
"""

TARGETS = """name = "tinytargets"
scenario = "tiny40.toml"
seed = 9
[[targets]]
id = "adopt"
printed = "most adopted"
value = [0.5, 0.9]
statistic = "share_improving.adoption"
reading = "test"
tolerance = 0.1
source = "test"
[[parameters]]
path = "adoption.visit_rate"
bounds = [0.1, 0.4]
[fit]
simulations = 24
quick_simulations = 24
folds = 3
particles = 200
sbc_datasets = 4
predictive_draws = 5
posterior_draws = 10
"""

TINY40 = TINY.replace("n_firms = 12", "n_firms = 40").replace("participants = 6", "participants = 20")


@pytest.fixture
def files(work):
    """A tiny scenario, sweep spec, planner config and targets file in the working directory."""
    for name, text in (("tiny.toml", TINY), ("spec.toml", SPEC), ("plan.toml", PLAN), ("targets.toml", TARGETS),
                       ("tiny40.toml", TINY40)):
        (work / name).write_text(text)
    return work


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished tiny sweep and a tiny run, made once."""
    base = tmp_path_factory.mktemp("finished")
    (base / "tiny.toml").write_text(TINY)
    (base / "spec.toml").write_text(SPEC)
    with contextlib.chdir(base):
        from scoresim.cli import main
        with contextlib.redirect_stdout(open(os.devnull, "w")), contextlib.redirect_stderr(open(os.devnull, "w")):
            assert main(["sweep", "spec.toml", "--serial", "--out", "SW"]) == 0
            assert main(["run", "tiny.toml", "--no-figures", "--out", "RUN"]) == 0
    return base


def _mount(args: list[str], where: Path) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", *args, str(where)], capture_output=True).returncode == 0


@contextlib.contextmanager
def read_only(folder: Path):
    """``folder`` (created empty) made read-only: a read-only tmpfs over it as root (permission
    bits do not stop root), its permission bits otherwise."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = _mount(["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs"], folder)
    if not mounted:
        if os.geteuid() == 0:
            pytest.skip("cannot mount a read-only file system here")
        folder.chmod(0o555)
    try:
        yield folder
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)
        else:
            folder.chmod(0o755)


@contextlib.contextmanager
def small_disk(folder: Path, size: str):
    """A tmpfs of ``size`` mounted on ``folder``; the test is skipped where none can be mounted."""
    folder.mkdir(parents=True, exist_ok=True)
    if not _mount(["-t", "tmpfs", "-o", f"size={size}", "tmpfs"], folder):
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def snapshot(where: Path) -> dict[str, str]:
    """Every path under ``where`` with its content's hash ('dir', or 'link -> target')."""
    out = {}
    for root, dirs, names in os.walk(where):
        for name in dirs + names:
            p = Path(root, name)
            rel = os.path.relpath(p, where)
            out[rel] = (f"link -> {os.readlink(p)}" if p.is_symlink() else "dir" if p.is_dir()
                        else hashlib.sha256(p.read_bytes()).hexdigest())
    return out


def refused(argv, capsys, where: Path, *expected: str) -> str:
    """Exit 2, no traceback, every ``expected`` text on stderr, nothing changed under ``where``."""
    before = snapshot(where)
    code, out, err = call(argv, capsys)
    assert code == 2, (code, err)
    assert "Traceback" not in out + err
    for text in expected:
        assert text in err, (text, err)
    assert snapshot(where) == before, "nothing may be written"
    assert partial_files(where) == []
    return err


COMMANDS = {
    "run": ["run", "tiny.toml", "--no-figures"],
    "sweep": ["sweep", "spec.toml", "--serial"],
    "scaleup": ["scaleup", "plan.toml", "--serial", "--no-figures"],
}


# --------------------------------------------------------------------------- output places

@pytest.mark.parametrize("command", sorted(COMMANDS) + ["analyze"])
def test_out_is_a_dangling_symlink(command, files, finished, capsys):
    os.symlink(files / "nowhere" / "target", files / "link")
    argv = COMMANDS.get(command, ["analyze", str(finished / "SW")])
    refused(argv + ["--out", "link"], capsys, files, "--out link", "symbolic link", "does not exist")


@pytest.mark.parametrize("command", sorted(COMMANDS) + ["analyze"])
def test_out_name_too_long(command, files, finished, capsys):
    argv = COMMANDS.get(command, ["analyze", str(finished / "SW")])
    refused(argv + ["--out", "x" * 300], capsys, files, "--out", "300 bytes long", "255")


@pytest.mark.parametrize("command", sorted(COMMANDS) + ["analyze"])
def test_out_inside_a_read_only_directory(command, files, finished, capsys):
    argv = COMMANDS.get(command, ["analyze", str(finished / "SW")])
    with read_only(files / "locked"):
        refused(argv + ["--out", "locked/new/deeper"], capsys, files, "--out locked/new/deeper",
                "cannot create the directory")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_results_folder_read_only(command, files, capsys):
    with read_only(files / "results"):
        refused(COMMANDS[command], capsys, files, "results/", "cannot create the directory", "--out")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_read_only_working_directory(command, files, capsys, monkeypatch):
    with read_only(files / "ro"):
        monkeypatch.chdir(files / "ro")
        argv = [a if not a.endswith(".toml") else f"../{a}" for a in COMMANDS[command]]
        try:
            refused(argv, capsys, files, "cannot create the directory", "choose another place with --out")
        finally:
            monkeypatch.chdir(files)


def test_analyze_in_a_read_only_sweep_directory(files, finished, capsys):
    shutil.copytree(finished / "SW", files / "SW")
    if not _mount(["--bind", str(files / "SW")], files / "SW") or not _mount(["-o", "remount,bind,ro"], files / "SW"):
        pytest.skip("cannot make a read-only bind mount here")
    try:
        refused(["analyze", "SW"], capsys, files, "SW/analysis", "cannot create the directory", "--out")
    finally:
        subprocess.run(["umount", str(files / "SW")], check=True)


def test_report_out_places(files, finished, capsys):
    os.symlink(files / "missing.html", files / "link.html")
    refused(["report", str(finished / "RUN"), "--out", "link.html"], capsys, files, "symbolic link")
    refused(["report", str(finished / "RUN"), "--out", "no/such/report.html"], capsys, files, "does not exist")


# --------------------------------------------------------------------------- full disks

@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_full_disk_fails_cleanly(command, files, capsys):
    """No crash in the netCDF writer, nothing left behind, the space needed is named."""
    argv = COMMANDS[command] if command != "run" else ["run", str(ROOT / "configs" / "phase1.toml"),
                                                       "--replicates", "1", "--no-figures"]
    with small_disk(files / "disk", "16k") as disk:
        err = refused(argv + ["--out", "disk/out"], capsys, disk, "disk/out", "not enough space on the device",
                      "it needs", "free")
        assert os.listdir(disk) == []
    assert err.startswith("scoresim: error: ")


def test_a_write_that_hits_a_full_disk_is_clean(files, capsys, monkeypatch):
    """Even when the free space is not known beforehand, the write fails as an error, not a crash."""
    import scoresim.outputs

    monkeypatch.setattr(scoresim.outputs, "free_bytes", lambda folder: None)
    with small_disk(files / "disk", "64k") as disk:
        refused(["run", str(ROOT / "configs" / "phase1.toml"), "--replicates", "1", "--no-figures",
                 "--out", "disk/out"], capsys, disk, "not enough space on the device")
        assert os.listdir(disk) == []


def test_sweep_whose_disk_fills_keeps_its_journal_and_resumes(files, capsys, monkeypatch):
    with small_disk(files / "disk", "120k") as disk:
        shutil.copy(files / "tiny.toml", disk)
        (disk / "spec.toml").write_text(SPEC.replace("samples = 12", "samples = 40").replace(
            'outputs = ["effect.accidents", "reported_change.defects"]',
            'outputs = ["effect.accidents", "effect.defects", "effect.absenteeism", "effect.productivity", '
            '"effect.energy", "effect.relations", "effect.unit_cost", "reported_change.defects"]'))
        monkeypatch.chdir(disk)
        st = os.statvfs(disk)
        # leave room for the directory and a few journal lines, not for all of them
        (disk / "filler").write_bytes(b"\0" * (st.f_bavail * st.f_frsize - 64 * 1024))
        code, out, err = call(["sweep", "spec.toml", "--serial", "--out", "sw"], capsys)
        assert code == 2 and "Traceback" not in err, err
        assert "the journal keeps" in err and "scoresim sweep --resume sw" in err
        assert partial_files(disk) == []
        assert not (disk / "sw" / "results.nc").exists()
        kept = (disk / "sw" / "runs.jsonl").read_bytes().count(b"\n")
        (disk / "filler").unlink()
        code, out, err = call(["sweep", "--resume", "sw", "--serial"], capsys)
        assert code == 0, err
        assert (disk / "sw" / "results.nc").is_file()
        assert (disk / "sw" / "runs.jsonl").read_bytes().count(b"\n") == 40
        assert f"({kept:,} were already recorded)" in out
        monkeypatch.chdir(files)


# --------------------------------------------------------------------------- closed pipes

def _piped(cmd: list[str], cwd: Path) -> tuple[int, str]:
    """Run ``scoresim cmd`` with its standard output read for one line only (``| head -1``)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(SCORESIM + cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    return proc.wait(timeout=600), err


@pytest.mark.parametrize("command, out, expected", [
    (["run", "tiny.toml", "--no-figures"], "R", ["dataset.nc", "summary.json", "config.json"]),
    (["sweep", "spec.toml", "--serial"], "S", ["results.nc", "manifest.json"]),
    (["scaleup", "plan.toml", "--serial", "--no-figures"], "P", ["scaleup.nc", "table.csv", "manifest.json"]),
    (["calibrate", "targets.toml", "--serial"], "C", ["posterior.nc", "fit_table.csv"]),
])
def test_a_closed_standard_output_never_costs_the_results(command, out, expected, files):
    code, err = _piped(command + ["--out", out], files)
    assert code == 0, err
    assert "Traceback" not in err
    for name in expected:
        assert (files / out / name).is_file(), name
    if command[0] == "sweep":
        assert (files / out / "runs.jsonl").read_bytes().count(b"\n") == 12
    assert partial_files(files) == []


def test_a_closed_standard_error_keeps_a_failure_a_failure(files):
    (files / "bad.toml").write_text("[programme]\nparticipants = -1\n")
    proc = subprocess.run(SCORESIM + ["run", "bad.toml"], cwd=files, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, env=dict(os.environ, PYTHONUNBUFFERED="1"), timeout=120,
                          preexec_fn=lambda: os.close(2))
    assert proc.returncode == 2
    assert not (files / "results").exists()


# --------------------------------------------------------------------------- damaged result directories

def _damage(folder: Path, name: str, how: str, finished: Path) -> None:
    path = folder / name
    if how == "random":
        path.write_bytes(os.urandom(400))
    elif how == "list":
        path.write_text("[]")
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[: max(len(path.read_bytes()) // 3, 50)])
    elif how == "run dataset":
        shutil.copy(finished / "RUN" / "dataset.nc", path)
    elif how == "base null":
        data = json.loads(path.read_text())
        data["base"] = None
        path.write_text(json.dumps(data))


DAMAGE = [("manifest.json", "random", "manifest.json"), ("manifest.json", "list", "manifest.json"),
          ("experiment.json", "truncated", "experiment.json"), ("experiment.json", "base null", "field 'base'"),
          ("samples.nc", "truncated", "samples.nc"), ("samples.nc", "run dataset", "samples.nc"),
          ("results.nc", "truncated", "results.nc"), ("results.nc", "random", "results.nc"),
          ("results.nc", "run dataset", "results.nc")]


@pytest.mark.parametrize("name, how, expected", DAMAGE)
def test_analyze_refuses_a_damaged_sweep(name, how, expected, files, finished, capsys):
    shutil.copytree(finished / "SW", files / "SW")
    _damage(files / "SW", name, how, finished)
    refused(["analyze", "SW"], capsys, files, f"SW/{expected}" if "/" not in expected and "." in expected
            else expected)


@pytest.mark.parametrize("name, how, expected", [d for d in DAMAGE if d[0] != "results.nc"])
def test_resume_refuses_a_damaged_sweep(name, how, expected, files, finished, capsys):
    shutil.copytree(finished / "SW", files / "SW")
    _damage(files / "SW", name, how, finished)
    refused(["sweep", "--resume", "SW", "--serial"], capsys, files, expected)


@pytest.mark.parametrize("how", ["truncated", "random", "run dataset"])
def test_resume_rebuilds_a_damaged_results_file(how, files, finished, capsys):
    shutil.copytree(finished / "SW", files / "SW")
    _damage(files / "SW", "results.nc", how, finished)
    code, out, err = call(["sweep", "--resume", "SW", "--serial"], capsys)
    assert code == 0, err
    assert "rebuilding it from the journal" in err and "nothing to do" not in out
    assert "(12 were already recorded)" in out        # rebuilt, no run repeated
    code, out, err = call(["analyze", "SW", "--no-figures", "--resamples", "10"], capsys)
    assert code == 0, err


@pytest.mark.parametrize("change", ["drop key", "wrong type", "empty", "not rows"])
def test_report_refuses_a_damaged_run_summary(change, files, finished, capsys):
    shutil.copytree(finished / "RUN", files / "RUN")
    path = files / "RUN" / "summary.json"
    rows = json.loads(path.read_text())
    if change == "drop key":
        rows = [{k: v for k, v in r.items() if k != "causal"} for r in rows]
    elif change == "wrong type":
        rows[2]["reported"] = "a lot"
    elif change == "empty":
        rows = []
    else:
        rows = {"rows": rows}
    path.write_text(json.dumps(rows))
    refused(["report", "RUN"], capsys, files, "RUN/summary.json")


# --------------------------------------------------------------------------- concurrency and time

def test_a_calibration_has_one_writer_at_a_time(files, capsys):
    from scoresim.calibration.run import Settings, create
    from scoresim.calibration.targets import load_targets

    cal = load_targets(files / "targets.toml")
    create(cal, files / "C", Settings.of(cal.spec, False), "test")
    with directory_lock(files / "C", "calibration"):      # another process writing it
        refused(["calibrate", "--resume", "C", "--serial"], capsys, files / "C",
                "another scoresim process is writing this calibration")


def test_two_calibrations_resumed_at_once_write_one_history(files):
    from scoresim.calibration.run import Settings, create
    from scoresim.calibration.targets import load_targets

    (files / "targets.toml").write_text(TARGETS.replace("simulations = 24\nquick", "simulations = 80\nquick"))
    # long enough for the second to arrive while the first runs
    cal = load_targets(files / "targets.toml")
    create(cal, files / "C", Settings.of(cal.spec, False), "test")
    procs = [subprocess.Popen(SCORESIM + ["calibrate", "--resume", "C", "--serial"], cwd=files,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
    results = [(p.wait(timeout=600), p.stderr.read().decode()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    assert any("another scoresim process" in err for code, err in results if code == 2)
    manifest = json.loads((files / "C" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and len(manifest["sessions"]) == 1


def test_calibration_stops_on_counts_unless_a_time_limit_is_asked(files, monkeypatch):
    from scoresim.calibration.run import Settings
    from scoresim.calibration.targets import load_targets

    spec = load_targets(ROOT / "configs" / "targets" / "phase1.toml").spec
    for quick in (False, True):
        assert Settings.of(spec, quick).max_minutes is None
    assert Settings.of(spec, True, time_limit=3.0).max_minutes == 3.0
    assert Settings.of(spec, False).simulations == spec.fit.simulations     # a count, not a clock


# --------------------------------------------------------------------------- sizes, types, programmes

def test_a_population_too_big_for_the_machine_is_refused_before_allocating(files, capsys):
    (files / "big.toml").write_text("[population]\nn_firms = 5000000\n")
    refused(["run", "big.toml"], capsys, files, "big.toml", "needs about", "GB of memory", "limit",
            "--memory-limit")


def test_memory_limit_option(files, capsys):
    refused(["run", "tiny.toml", "--memory-limit", "0.01"], capsys, files, "tiny.toml", "0.0 GB (--memory-limit)")
    code, out, err = call(["run", "tiny.toml", "--no-figures", "--memory-limit", "64", "--out", "R"], capsys)
    assert code == 0, err


def test_the_benchmark_cases_fit_their_memory_targets():
    """The 10-million-worker benchmark (group recording) is estimated within 8 GB: admitted."""
    from scoresim.checks import memory_limit, run_memory
    from scoresim.config import load_scenario, set_values

    ten_m = set_values(load_scenario(ROOT / "configs" / "phase1.toml"),
                       {"population.n_firms": 57143, "programme.participants": 20000, "time.months": 120,
                        "recording.level": "group"}, origin="test")
    assert run_memory(ten_m, 1) < 8e9
    assert run_memory(load_scenario(ROOT / "configs" / "phase1.toml"), 100) < memory_limit()[0]


TYPES = [
    ("programme.firm_share", '"0.5"', "expected a number, not text"),
    ("programme.participants", "true", "expected a whole number"),
    ("programme.firm_share", "true", "expected a number, not true/false"),
    ("population.n_firms", "300.0", "written without a decimal point"),
    ("population.n_firms", "0.0", "written without a decimal point"),
    ("programme.cohort_size", "5.0", "written without a decimal point"),
    ("programme.enabled", "1", "expected true or false"),
    ("programme.enabled", '"yes"', "expected true or false"),
    ("run.common_random_numbers", "0", "expected true or false"),
    ("time.months", '"84"', "expected a whole number"),
    ("workforce.osh_hazard", "nan", "finite number"),
    ("programme.modules", '"osh"', "expected a list"),
    ("name", "3", "expected text"),
]


@pytest.mark.parametrize("path, value, expected", TYPES)
def test_wrong_types_are_errors_with_the_allowed_type(path, value, expected, files, capsys):
    section, key = path.rsplit(".", 1) if "." in path else ("", path)
    text = (f"[{section}]\n" if section else "") + f"{key} = {value}\n"
    (files / "typed.toml").write_text(text)
    err = refused(["validate", "typed.toml"], capsys, files, "typed.toml", f"field '{path}'", expected, "allowed")
    refused(["run", str(ROOT / "configs" / "phase1.toml"), "--set", f"{path}={value}"], capsys, files,
            f"--set {path}", expected)
    assert err


def test_a_whole_number_is_a_valid_decimal_number(files, capsys):
    (files / "ok.toml").write_text("[workforce]\nosh_hazard = 2\n")
    code, out, err = call(["validate", "ok.toml"], capsys)
    assert code == 0 and json.loads(out)["workforce"]["osh_hazard"] == 2.0


@pytest.mark.parametrize("text", ["[programme]\nmodules = []\n",
                                  "[programme]\neligible_min_workers = 100000\n",
                                  '[programme]\neligible_countries = ["Ghana"]\neligible_max_workers = 11\n'])
def test_an_empty_programme_is_an_error(text, files, capsys):
    (files / "empty.toml").write_text(text)
    for command in ("validate", "run"):
        refused([command, "empty.toml"], capsys, files, "empty.toml", "programme")


def test_participants_beyond_the_eligible_firms_say_how_many_there_are(files, capsys):
    from scoresim import ScoreModel
    from scoresim.checks import eligible_firms
    from scoresim.config import load_scenario
    from scoresim.modules import eligible

    (files / "few.toml").write_text(TINY.replace("[programme]", "[programme]\neligible_min_workers = 210"))
    scenario = load_scenario(files / "few.toml")
    n = eligible_firms(scenario, 1)
    assert n == int(eligible(scenario, ScoreModel(scenario, seed=1).firms).sum())   # the model's own draw
    assert 0 < n < 6
    refused(["run", "few.toml"], capsys, files, "few.toml", "field 'programme.participants'",
            f"only {n} of the 12 firms drawn with seed 1 are eligible", f"at most {n}")


def test_a_byte_order_mark_is_accepted_on_the_command_line(files, capsys):
    (files / "bom.toml").write_bytes(b"\xef\xbb\xbf" + TINY.encode())
    code, out, err = call(["run", "bom.toml", "--no-figures", "--out", "R"], capsys)
    assert code == 0, err


@pytest.mark.parametrize("which, field", [("spec", "base"), ("targets", "scenario")])
@pytest.mark.parametrize("target", ["missing.toml", "", "folder", "empty.toml", "broken.toml"])
def test_a_file_named_by_a_spec_or_targets_file_is_named_with_its_field(which, field, target, files, capsys):
    (files / "folder").mkdir()
    (files / "empty.toml").write_text("")
    (files / "broken.toml").write_text("[programme\n")
    source = files / ("spec.toml" if which == "spec" else "targets.toml")
    text = source.read_text().replace('"tiny.toml"', f'"{target}"').replace('"tiny40.toml"', f'"{target}"')
    source.write_text(text)
    argv = ["sweep", "spec.toml", "--dry-run"] if which == "spec" else ["calibrate", "targets.toml"]
    refused(argv, capsys, files, source.name, f"field '{field}'")


# --------------------------------------------------------------------------- configs: one rule for tables

def test_a_named_country_takes_its_documented_values(files):
    from scoresim.config import load_scenario

    (files / "ghana.toml").write_text("[population.countries.Ghana]\nweight = 2.0\n")
    s = load_scenario(files / "ghana.toml")
    assert list(s.population.countries) == ["Ghana"]          # the table lists the countries
    ghana = s.population.countries["Ghana"]
    assert ghana.wage_usd_month == 140.0 and ghana.va_per_worker_usd_year == 5000.0 and ghana.weight == 2.0


def test_set_is_a_line_of_the_config(files):
    """A table written in the file and the same values given with --set resolve alike."""
    from scoresim.config import load_scenario

    (files / "plain.toml").write_text('name = "x"\n')
    (files / "table.toml").write_text('name = "x"\n[population.countries.Ghana]\nweight = 2.0\n'
                                      '[population.sectors.toys]\nweight = 1.0\nprice_usd_per_unit = 3.0\n')
    by_set = load_scenario(files / "plain.toml", ["population.countries.Ghana.weight=2.0",
                                                  "population.sectors.toys.weight=1.0",
                                                  "population.sectors.toys.price_usd_per_unit=3.0"])
    assert by_set == load_scenario(files / "table.toml")
    phase1 = load_scenario(ROOT / "configs" / "phase1.toml", ["population.countries.Ghana.weight=2.0"])
    assert len(phase1.population.countries) == 7 and phase1.population.countries["Ghana"].weight == 2.0


def test_several_problems_are_reported_at_once(files, capsys):
    (files / "many.toml").write_text('[programme]\nparticipants = "x"\nfirm_share = 2.0\n[time]\nmonths = 0\n'
                                     "[population]\nworkers_min = 50\nworkers_max = 10\n")
    err = refused(["validate", "many.toml", "--set", "programme.cohort_size=0", "--set", "nope.x=1"], capsys, files,
                  "programme.participants", "programme.firm_share", "time.months",
                  "workers_min must not exceed workers_max", "--set programme.cohort_size", "--set nope.x")
    assert err.count("\n") >= 6
