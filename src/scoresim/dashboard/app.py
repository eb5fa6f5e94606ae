"""The dashboard page (Solara): pick a scenario, edit its main parameters, run it with
progress shown, see the participants' trajectories in the programme and counterfactual worlds
and the estimands with their intervals, keep a run as the baseline and compare the next ones
with it, download the dataset and the HTML report.

Served by ``scoresim dashboard`` (``solara run scoresim.dashboard.app``). Every action goes
through :mod:`.logic`; bad input shows its message on the page, never a traceback.
"""

from __future__ import annotations

import html
import io

import solara
import solara.lab

from ..config import InputError
from . import logic

files = solara.reactive({})            # scenario name -> config file
choice = solara.reactive("")           # the scenario picked
path_text = solara.reactive("")        # a config file typed in
scenario = solara.reactive(None)       # the loaded Scenario
source = solara.reactive("")           # where it came from
texts = {path: solara.reactive("") for path, _ in logic.FIELDS}
message = solara.reactive("")          # what is wrong, in words
progress = solara.reactive(0.0)        # share of replicates done
result = solara.reactive(None)         # the last run (logic.Result)
baseline = solara.reactive(None)       # the run kept as baseline
downloads = solara.reactive(None)      # (run, download links) once prepared


def _show(s, origin: str) -> None:
    scenario.value, source.value, message.value = s, origin, ""
    for path, text in logic.field_values(s).items():
        texts[path].value = text


def pick(name: str) -> None:
    """Load the scenario ``name`` of the list."""
    choice.value = name
    try:
        _show(logic.load(files.value[name]), str(files.value[name]))
    except InputError as err:
        message.value = str(err)


def load_typed() -> None:
    """Load the config file typed into the path field."""
    try:
        _show(logic.load(path_text.value.strip()), path_text.value.strip())
        choice.value = ""
    except InputError as err:
        message.value = str(err)


@solara.lab.task
def run_scenario() -> None:
    """Validate the edited fields and run; the message says what is wrong, if anything."""
    message.value = ""
    try:
        edited = logic.apply(scenario.value, {p: r.value for p, r in texts.items()})
    except InputError as err:
        message.value = str(err)
        return
    progress.value = 0.0
    total = edited.run.replicates

    def step(n: int) -> None:
        progress.value = min(1.0, progress.value + n / total)

    try:
        result.value = logic.run(edited, edited.name, source.value, step)
    except InputError as err:
        message.value = str(err)
    except Exception as err:  # noqa: BLE001 (shown on the page in words, never as a traceback)
        message.value = f"the run failed: {type(err).__name__}: {err}"


def keep_baseline() -> None:
    baseline.value = result.value


def _heading(text: str, tag: str = "h4") -> None:
    """A heading (plain HTML: Solara's Markdown would load a maths renderer the page does not need)."""
    solara.HTML(tag=tag, unsafe_innerHTML=html.escape(text), style="margin: 0.75rem 0 0.5rem")


def _table(head: list[str], rows: list[list[str]], cls: str) -> None:
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    solara.HTML(tag="table", classes=[cls, "scoresim-table"],
                unsafe_innerHTML="<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head)
                + f"</tr></thead><tbody>{body}</tbody>")


def _png(res) -> bytes:
    import matplotlib.pyplot as plt

    from .. import plotting

    fig = plotting.trajectories(res.ds)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    return buf.getvalue()


STYLE = """
.scoresim-table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1rem; }
.scoresim-table th, .scoresim-table td { border: 1px solid #d1d9e0; padding: 2px 8px; text-align: left; }
.scoresim-table td:last-child { font-variant-numeric: tabular-nums; }
"""


@solara.component
def Controls() -> None:
    with solara.Card("Scenario"):
        solara.Select("shipped scenario", values=list(files.value), value=choice.value, on_value=pick)
        solara.InputText("or a config file", value=path_text, continuous_update=False)
        solara.Button("Load file", on_click=load_typed, outlined=True)
        if source.value:
            solara.Text(f"from {source.value}")
    with solara.Card("Main parameters"):
        for path, label in logic.FIELDS:
            solara.InputText(label, value=texts[path], continuous_update=True, message=path)
        solara.Button("Run", on_click=run_scenario, color="primary", disabled=scenario.value is None
                      or run_scenario.pending)


@solara.component
def Trajectories(res) -> None:
    """The participants' indicators over time, programme against counterfactual."""
    png = solara.use_memo(lambda: _png(res), dependencies=[res])
    solara.Image(png, width="100%")


@solara.component
def Downloads(res) -> None:
    """The run's dataset and HTML report: made when asked for, then offered as links that save
    them (embedded in the page, so nothing is fetched from elsewhere)."""
    ready = downloads.value
    if ready is not None and ready[0] is res:
        solara.HTML(tag="div", unsafe_innerHTML=" ".join(ready[1]), classes=["scoresim-downloads"])
    else:
        solara.Button("Prepare downloads", on_click=prepare_downloads, outlined=True)


def prepare_downloads() -> None:
    """Make the last run's dataset.nc and report.html for the download links."""
    res = result.value
    try:
        links = (_link(logic.dataset_bytes(res), f"{res.label}-dataset.nc", "application/x-netcdf",
                       "Download dataset.nc"),
                 _link(logic.report_bytes(res), f"{res.label}-report.html", "text/html", "Download report.html"))
    except InputError as err:
        message.value = str(err)
        return
    downloads.value = (res, links)


def _link(data: bytes, name: str, mime: str, label: str) -> str:
    import base64

    b64 = base64.b64encode(data).decode("ascii")
    return (f'<a download="{html.escape(name)}" href="data:{mime};base64,{b64}" '
            f'style="margin-right: 1.5rem">{html.escape(label)}</a>')


@solara.component
def Results() -> None:
    if message.value:
        lines = "<br>".join(html.escape(x) for x in message.value.splitlines())
        with solara.Error(classes=["scoresim-error"]):
            solara.HTML(tag="div", unsafe_innerHTML=lines)
    if run_scenario.pending:
        solara.Text(f"running: {progress.value:.0%} of the replicates done", classes=["scoresim-progress"])
        solara.ProgressLinear(progress.value if progress.value > 0 else True)
    res = result.value
    if res is None:
        solara.Info("Pick a scenario, edit its parameters and press Run.")
        return
    participants = res.scenario.programme.participants
    _heading(f"{res.label}: {participants} participants, {res.ds.sizes['replicate']} replicate(s), "
             f"seed {res.scenario.run.seed}, ran in {res.seconds:.1f} s", "h3")
    solara.Text(f"Intervals cover {res.ds.attrs.get('uncertainty', 'the replicates')}.")
    Trajectories(res)
    _heading("Estimands (median and 90% interval over replicates)")
    head, rows = logic.estimands(res)
    _table(head, rows, "scoresim-estimands")
    with solara.Row():
        solara.Button("Keep as baseline", on_click=keep_baseline, outlined=True)
        Downloads(res)
    base = baseline.value
    if base is not None and base is not res:
        why, head, rows = logic.versus(base, res)
        _heading(f"Against the baseline {base.label}")
        solara.Text(why[:1].upper() + why[1:] + ".")
        _table(head, rows, "scoresim-versus")
    elif base is not None:
        solara.Text("This run is the baseline; change a parameter and run again to compare.",
                    classes=["scoresim-baseline"])


def _first() -> None:
    """On opening the page: offer the scenarios and load the first (a config given to the
    command, else the first shipped one)."""
    if not files.value:
        files.value = logic.scenario_files()
    if scenario.value is None and files.value:
        pick(next(iter(files.value)))


@solara.component
def Page() -> None:
    solara.use_effect(_first, [])
    solara.Style(STYLE)
    solara.Title("scoresim dashboard")
    with solara.Column(style={"padding": "1rem"}):
        _heading("scoresim: SCORE programme scenarios", "h2")
        with solara.Columns([2, 5]):
            Controls()
            with solara.Column():
                Results()
