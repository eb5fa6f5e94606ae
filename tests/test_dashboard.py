"""``scoresim dashboard``: what the page does (validation, runs, estimands, baseline,
downloads), then the page itself served by the command and driven in the system's headless
Chromium: change a parameter, run, see the result change, keep a baseline, enter a bad value
and see the error, download the dataset and the report."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import assert_input_error
from test_experiments import SMALL_BASE as BASE

from scoresim.config import InputError
from scoresim.dashboard import logic


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dash") / "small.toml"
    path.write_text(BASE + "\n[run]\nreplicates = 2\n")
    return path


# --------------------------------------------------------------------------- what the page does

def test_edits_are_validated_like_configs_with_every_error_at_once(config):
    s = logic.load(config)
    texts = {**logic.field_values(s), "programme.participants": "-5", "time.months": "many"}
    with pytest.raises(InputError) as err:
        logic.apply(s, texts)
    message = str(err.value)
    assert message.startswith("dashboard: field ")
    assert "programme.participants" in message and "time.months" in message and "allowed" in message
    edited = logic.apply(s, {**logic.field_values(s), "programme.participants": "8",
                             "programme.modules": '["osh"]', "programme.enrol_end": "2008-10"})
    assert (edited.programme.participants, edited.programme.modules, edited.programme.enrol_end) == (
        8, ["osh"], "2008-10")
    assert logic.apply(s, logic.field_values(s)) == s                  # nothing edited, nothing changed


def test_offered_scenarios_are_given_configs_then_shipped_scenarios(config, monkeypatch):
    from conftest import ROOT

    monkeypatch.setenv(logic.CONFIGS_ENV, str(config))
    names = list(logic.scenario_files(ROOT / "configs"))
    assert names[0] == "small" and {"phase1", "osh_only"} <= set(names)
    assert not any(n.startswith("scaleup") for n in names)              # planner configs are not scenarios


def test_run_estimands_baseline_and_downloads(config):
    s = logic.load(config)
    first = logic.run(s, "small")
    head, rows = logic.estimands(first)
    assert head[-1] == "median [90% interval]" and any(r[0] == "accidents" and "%" in r[2] for r in rows)
    second = logic.run(logic.apply(s, {**logic.field_values(s), "programme.participants": "8"}), "fewer")
    why, head, rows = logic.versus(first, second)
    assert why.startswith("paired") and head[-1].startswith("fewer - small")
    assert logic.dataset_bytes(first).startswith(b"\x89HDF")
    report = logic.report_bytes(first).decode()
    assert report.startswith("<!DOCTYPE html>") and "Scenario run: small" in report


def test_bad_config_given_to_the_command(capsys, work):
    (work / "bad.toml").write_text("[population]\nn_firms = -1\n")
    assert_input_error(["dashboard", "bad.toml", "--no-browser"], capsys, work, "bad.toml", "population.n_firms")


# --------------------------------------------------------------------------- the page, in a browser

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(config, tmp_path_factory):
    """``scoresim dashboard CONFIG`` serving on a free port of this machine."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "scoresim.cli", "dashboard", str(config), "--no-browser",
                                 "--port", str(port)], cwd=config.parent, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"the dashboard exited ({proc.returncode}): {log.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail(f"the dashboard did not start in 90 s: {log.read_text()[-2000:]}")
        yield f"http://127.0.0.1:{port}/", log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def estimands(page) -> str:
    table = page.locator("table.scoresim-estimands")
    table.wait_for(timeout=60_000)
    return table.inner_text()


def run_and_wait(page, previous: str | None = None) -> str:
    page.get_by_role("button", name="Run").click()
    if previous is None:
        return estimands(page)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = estimands(page)
        if text != previous:
            return text
        time.sleep(0.3)
    raise AssertionError("the estimands did not change after the run")


def set_field(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Tab")


def test_dashboard_in_a_browser(server, tmp_path):
    from browser import chromium

    url, log = server
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        elsewhere, failed = [], []
        page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:", "ws://127.0.0.1"))
                else elsewhere.append(r.url))
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(url)
        page.get_by_text("Main parameters").wait_for(timeout=60_000)
        field = page.get_by_label("participants", exact=True)
        page.wait_for_function("() => [...document.querySelectorAll('input')].some(i => i.value === '16')",
                               timeout=30_000)                            # the given config is loaded
        assert field.input_value() == "16"

        first = run_and_wait(page)
        assert "accidents" in first and "causal effect" in first and "[" in first
        assert page.locator("img").count() >= 1                          # trajectories
        page.get_by_role("button", name="Keep as baseline").click()

        set_field(page, "participants", "8")
        second = run_and_wait(page, first)
        assert second != first
        versus = page.locator("table.scoresim-versus")
        versus.wait_for(timeout=30_000)
        assert "fewer" not in versus.inner_text() and "small" in versus.inner_text()
        assert "Paired" in page.inner_text("body")

        page.get_by_role("button", name="Prepare downloads").click()
        with page.expect_download() as dl:
            page.get_by_text("Download dataset.nc").click()
        assert Path(dl.value.path()).read_bytes().startswith(b"\x89HDF")
        with page.expect_download() as dl:
            page.get_by_text("Download report.html").click()
        assert Path(dl.value.path()).read_text().startswith("<!DOCTYPE html>")

        set_field(page, "participants", "-5")
        page.get_by_role("button", name="Run").click()
        error = page.locator(".scoresim-error")
        error.wait_for(timeout=30_000)
        assert "programme.participants" in error.inner_text() and "allowed" in error.inner_text()
        assert "Traceback" not in page.inner_text("body")
        assert estimands(page) == second                                  # the last good run stays
        assert elsewhere == [] and failed == [], (elsewhere, failed)      # everything from this machine
    assert "Traceback" not in log.read_text()
