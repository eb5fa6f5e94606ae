"""HTML building blocks of a report: escaped text, tables, preformatted text, embedded figures
and the page around them (inline style sheet, self-check script, contents list).

Everything here returns HTML text. Every value that comes from a results directory passes
through :func:`esc`; only the building blocks themselves write markup. The page loads nothing
from anywhere: its Content-Security-Policy allows inline style and script and ``data:`` images
only, so a stray remote reference would be blocked (and counted as an error by the check
script) rather than fetched.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

HASH = re.compile(r"[0-9a-f]{16,64}(\+dirty)?")
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

STYLE = """
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; --band: #f6f8fa; --link: #0b57d0; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem 2rem 4rem; color: var(--ink); background: #fff;
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       overflow-wrap: normal; word-break: normal; hyphens: manual; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2.5rem 0 .75rem; padding-bottom: .25rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
a { color: var(--link); }
.meta, .note, figcaption, caption { color: var(--muted); font-size: .9rem; }
.summary p { font-size: 1.02rem; max-width: 50rem; }
nav ol { columns: 2; margin: .5rem 0 0; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: .5rem 0 1rem; }
table { border-collapse: collapse; font-size: .88rem; }
caption { text-align: left; padding: 0 0 .25rem; }
th, td { border: 1px solid var(--rule); padding: .2rem .5rem; vertical-align: top; text-align: left;
         max-width: 28rem; }
th { background: var(--band); position: sticky; top: 0; }
tbody tr:nth-child(even) { background: #fbfcfd; }
table.details tbody tr { background: #fff; }
table.details tr.detail td { color: var(--muted); font-size: .82rem; border-top: none; padding-left: 1.5rem; }
table.details tr:not(.detail) td { border-bottom: none; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
          font-size: .8rem; word-break: break-all; min-width: 12rem; }
table.kv th { width: 14rem; position: static; }
pre { background: var(--band); border: 1px solid var(--rule); padding: .75rem; overflow-x: auto; max-width: 100%;
      font: .82rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
figure { margin: 1rem 0 2rem; counter-increment: figure; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { margin-top: .35rem; max-width: 50rem; }
figcaption::before { content: "Figure " counter(figure) ". "; font-weight: 600; }
a.download { font-size: .9rem; }
footer { margin-top: 3rem; border-top: 1px solid var(--rule); padding-top: .5rem; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav, a.download { display: none; }
  h2 { break-after: avoid; margin-top: 1.2rem; }
  h3 { break-after: avoid; }
  figure, tr, .summary { break-inside: avoid; }
  table { max-width: 100%; }
  figure img { max-height: 230mm; width: auto; max-width: 100%; }
  .table-wrap { overflow: visible; }
  table { font-size: 7.5pt; }
  th { position: static; }
  th, td { max-width: none; padding: .1rem .3rem; }
  pre { white-space: pre-wrap; overflow: visible; font-size: 7pt; }
}
"""

# Runs before anything else on the page: records script errors, failed loads (an <img> that
# does not decode, a blocked remote reference) and unhandled promise rejections; after the
# page has loaded it checks every <img> and writes the outcome on <body> (data-figures-ok,
# data-figures, data-figures-loaded, data-errors) and the messages into #page-check, where a
# headless browser's dumped DOM shows them. Errors after that update the attributes again.
CHECK_SCRIPT = """
(function () {
  "use strict";
  var errors = [], loaded = false;
  function note(message) { errors.push(String(message)); if (loaded) { report(); } }
  window.addEventListener("error", function (e) {
    var t = e.target;
    note(t && t !== window && t.tagName ? "failed to load <" + t.tagName.toLowerCase() + ">"
                                       : (e.message || "script error"));
  }, true);
  window.addEventListener("unhandledrejection", function (e) { note("unhandled rejection: " + e.reason); });
  document.addEventListener("securitypolicyviolation", function (e) { note("blocked: " + e.blockedURI); });
  function report() {
    var images = document.images, ok = 0, i;
    for (i = 0; i < images.length; i++) {
      if (images[i].complete && images[i].naturalWidth > 0) { ok++; }
    }
    var body = document.body;
    body.setAttribute("data-figures", String(images.length));
    body.setAttribute("data-figures-loaded", String(ok));
    body.setAttribute("data-figures-ok", String(ok === images.length));
    body.setAttribute("data-errors", String(errors.length));
    document.getElementById("page-check").textContent = errors.join("\\n");
  }
  window.addEventListener("load", function () { loaded = true; report(); setTimeout(report, 50); });
})();
"""


@dataclass(frozen=True)
class Section:
    """A top-level part of the page: anchor id, heading, body HTML."""

    id: str
    title: str
    body: str


def esc(value: object) -> str:
    """``value`` as text, HTML-escaped (quotes too, so it is safe inside attributes)."""
    return html.escape(str(value), quote=True)


_BREAK_AFTER = re.compile(r"([._/,=:;|+-])(?=[^\s])")
LONG = 18   # tokens longer than this get break opportunities after . _ / , and similar


def breakable(text: str) -> str:
    """``text`` escaped, with break opportunities (<wbr>) after the separators of long tokens
    (dotted parameter paths, file names, lists without spaces), so a narrow cell wraps them at
    a separator, never inside a word."""
    out = []
    for token in re.split(r"(\s+)", str(text)):
        if len(token) > LONG and not token.isspace():
            out.append("<wbr>".join(esc(part) for part in _BREAK_AFTER.sub("\\1\0", token).split("\0")))
        else:
            out.append(esc(token))
    return "".join(out)


def fmt(value: object) -> str:
    """A value as short readable text: floats to 4 significant digits, lists comma-separated."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {fmt(v)}" for k, v in value.items()) + "}"
    return str(value)


def _float(value: float) -> str:
    """4 significant digits; large numbers in full with thousands separators (29,220, not 2.922e+04)."""
    if not math.isfinite(value):
        return "n/a" if math.isnan(value) else str(value)
    rounded = float(f"{value:.4g}")
    return f"{rounded:,.0f}" if 1e4 <= abs(rounded) < 1e15 else f"{value:.4g}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return bool(text.strip())


def cell(value: object) -> str:
    """A table cell: numbers (and number-like text) right-aligned, floats rounded."""
    if isinstance(value, str) and _is_number(value) and any(c in value for c in ".eE"):
        value = float(value)
    text = fmt(value)
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool) or _is_number(text)
    if numeric:
        return f'<td class="num">{esc(text)}</td>'
    if HASH.fullmatch(text):
        return f'<td class="hash">{esc(text)}</td>'
    return f"<td>{breakable(text)}</td>"


def table(columns: Sequence[str], rows: Iterable[Sequence[object]], caption: str = "", note: str = "") -> str:
    """An HTML table with a header row; ``note`` (escaped) follows it."""
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>\n" for row in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    out = f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody></table></div>\n'
    return out + (paragraph(note, "note") if note else "")


def detail_table(columns: Sequence[str], rows: Iterable[tuple[Sequence[object], str]], caption: str = "",
                 note: str = "") -> str:
    """A table whose rows each carry a line of prose beneath them, spanning every column (a
    meaning and a source), so that the table stays narrow enough for a page."""
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = []
    for cells, detail in rows:
        body.append("<tr>" + "".join(cell(v) for v in cells) + "</tr>")
        if detail:
            body.append(f'<tr class="detail"><td colspan="{len(columns)}">{breakable(detail)}</td></tr>')
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    out = (f'<div class="table-wrap"><table class="details">{cap}<thead><tr>{head}</tr></thead>\n<tbody>\n'
           + "\n".join(body) + "\n</tbody></table></div>\n")
    return out + (paragraph(note, "note") if note else "")


def key_values(pairs: Iterable[tuple[str, object]]) -> str:
    """A two-column table of labelled values (pairs whose value is None or '' are left out)."""
    rows = "".join(f"<tr><th>{esc(k)}</th>{cell(v)}</tr>\n" for k, v in pairs if v is not None and v != "")
    return f'<div class="table-wrap"><table class="kv"><tbody>\n{rows}</tbody></table></div>\n'


def download(data: bytes, name: str, label: str, mime: str = "text/csv") -> str:
    """A link that saves ``data`` as the file ``name`` (embedded as a data URI: the page stays
    self-contained)."""
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<p><a class="download" download="{esc(name)}" href="data:{esc(mime)};base64,{b64}">'
            f"{esc(label)}</a></p>\n")


def paragraph(text: str, cls: str = "") -> str:
    """A paragraph of escaped text."""
    return (f'<p class="{esc(cls)}">' if cls else "<p>") + esc(text) + "</p>\n"


def bullets(items: Iterable[str]) -> str:
    """A list of escaped items."""
    return "<ul>" + "".join(f"<li>{esc(x)}</li>" for x in items) + "</ul>\n"


def heading(text: str, anchor: str = "") -> str:
    """A third-level heading (sections carry the second level)."""
    return (f'<h3 id="{esc(anchor)}">' if anchor else "<h3>") + esc(text) + "</h3>\n"


def preformatted(text: str) -> str:
    """Plain text kept as laid out (a printed table)."""
    return f"<pre>{esc(text.rstrip())}</pre>\n"


def figure(png: bytes, caption: str) -> str:
    """A PNG image embedded as a data URI, with its caption (numbered by the style sheet)."""
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{esc(caption)}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>\n")


def contents(sections: Sequence[Section]) -> str:
    """The contents list: a link to every section."""
    items = "".join(f'<li><a href="#{esc(s.id)}">{esc(s.title)}</a></li>' for s in sections)
    return f'<nav aria-label="contents"><h2 id="contents">Contents</h2><ol>{items}</ol></nav>\n'


def page(title: str, subtitle: str, sections: Sequence[Section], footer: str) -> str:
    """The whole document: head with inline style and check script, title, contents, sections."""
    figures = sum(s.body.count("<img ") for s in sections)
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n<script>{CHECK_SCRIPT}</script>\n</head>\n",
        f'<body data-figures-expected="{figures}" data-figures-ok="pending">\n',
        f'<header><h1>{esc(title)}</h1>\n<p class="meta">{esc(subtitle)}</p></header>\n',
        contents(sections),
    ]
    parts += [f'<section id="{esc(s.id)}">\n<h2>{esc(s.title)}</h2>\n{s.body}</section>\n' for s in sections]
    parts.append(f'<footer>{paragraph(footer, "meta")}</footer>\n')
    parts.append('<pre id="page-check" hidden></pre>\n</body>\n</html>\n')
    return "".join(parts)
