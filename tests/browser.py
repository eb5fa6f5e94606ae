"""Headless Chromium for the tests, driven by Playwright: the system's Chromium (Debian's
/usr/bin/chromium, or another on the PATH), never a browser build Playwright would download.

A test that needs the browser is skipped when none is installed, unless
SCORESIM_REQUIRE_BROWSER is set (as in CI), when a missing browser or a Playwright that cannot
start it fails the test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-extensions"]


def required() -> bool:
    return os.environ.get("SCORESIM_REQUIRE_BROWSER", "") not in ("", "0")


def unavailable(message: str) -> None:
    """Skip, or fail when a browser is required."""
    if required():
        pytest.fail(f"SCORESIM_REQUIRE_BROWSER is set but {message}")
    pytest.skip(f"{message}; set SCORESIM_REQUIRE_BROWSER=1 to make this a failure")


def executable() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    unavailable(f"no browser ({', '.join(BROWSERS)}) is on the PATH")
    raise AssertionError("unreachable")


@contextmanager
def chromium() -> Iterator:
    """A Playwright Browser on the system's Chromium."""
    path = executable()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright (a test extra) is not installed")
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=path, headless=True, args=ARGS)
        except Exception as err:  # noqa: BLE001 (any launch failure is reported)
            unavailable(f"Chromium at {path} did not start under Playwright: {err}")
        try:
            yield browser
        finally:
            browser.close()


# Elements wider than the page (outside a box that scrolls them), and text that may break
# inside a word: the layout checks of the reports.
LAYOUT_CHECK = """
() => {
  const vw = document.documentElement.clientWidth;
  const wide = [], breaking = [];
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if ((style.overflowWrap === 'anywhere' || style.wordBreak === 'break-all' || style.wordBreak === 'break-word')
        && !el.classList.contains('hash') && el.textContent.trim()) {
      breaking.push(el.tagName + '.' + el.className);
    }
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1) continue;
    let a = el.parentElement, contained = false;
    while (a && a !== document.body) {
      const ov = getComputedStyle(a).overflowX;
      if (ov === 'auto' || ov === 'scroll' || ov === 'hidden') {
        contained = a.getBoundingClientRect().right <= vw + 1;
        break;
      }
      a = a.parentElement;
    }
    if (!contained) wide.push(el.tagName + (el.id ? '#' + el.id : '') + ' to ' + Math.round(r.right) + 'px');
  }
  return {vw: vw, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 10),
          breaking: [...new Set(breaking)].slice(0, 10)};
}
"""


def pdf_images(data: bytes) -> int:
    """Images drawn in a PDF (image XObjects, looked up through form XObjects; soft masks of
    images are not counted)."""
    import io

    from pypdf import PdfReader

    seen: set = set()

    def count(resources) -> int:
        n = 0
        xobjects = resources.get("/XObject") if resources else None
        if not xobjects:
            return 0
        xobjects = xobjects.get_object()
        for name in xobjects:
            ref = xobjects.raw_get(name)
            key = getattr(ref, "idnum", None), name
            obj = xobjects[name].get_object()
            if key in seen:
                continue
            seen.add(key)
            if obj.get("/Subtype") == "/Image":
                n += 1
            elif obj.get("/Subtype") == "/Form":
                n += count(obj.get("/Resources"))
        return n

    reader = PdfReader(io.BytesIO(data))
    return sum(count(page.get("/Resources")) for page in reader.pages)
