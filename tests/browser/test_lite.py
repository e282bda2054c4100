"""The lessons' static site (``make lite``): lessons run in the browser, nothing requested
outside, and its layouts are viz.js's own.

The site is built once per session (``make lite``: PyPI and npm only; downloads are kept in
``build/lite-work``, so later builds are offline), served from 127.0.0.1 by a plain static file
server, and opened in headless Chromium with every other request blocked (and recorded):

- lessons 02 and 03 run every cell with no error and show a graph, within 120 s of opening;
- the graphs laid out in the browser are the pictures ``@viz-js/viz`` lays out under Node from
  the same DOT: a cell computes the SVG of emma's overview in the site's kernel, and this
  process draws it with viz.js under Node as the layout engine: the two are byte-identical.

Without ``npm`` (and outside CI) the tests skip with the reason.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from labharness import ci_requires_browser, expect

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "build" / "lite"


def _build_setting(name: str) -> str:
    """A pinned version from deploy/lite/build.py (read, not imported: it is a script)."""
    text = (REPO / "deploy" / "lite" / "build.py").read_text(encoding="utf-8")
    return re.search(rf'^{name} = "([^"]+)"', text, re.M).group(1)


VIZ = REPO / "build" / "lite-work" / "npm" / f"@viz-js__viz-{_build_setting('VIZ')}" / "dist"
VIZ = VIZ / "viz.js"
OPEN_TIMEOUT_S = 120

#: viz.js under Node: DOT on stdin, Graphviz's json0 on stdout (what the site's kernel gets).
NODE_LAYOUT = """
const { pathToFileURL } = require("node:url");
import(pathToFileURL(process.argv[1]).href).then(async (m) => {
  const viz = await m.instance();
  let source = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (d) => { source += d; });
  process.stdin.on("end", () => {
    const r = viz.render(source, { format: "json0", engine: "dot" });
    if (r.status !== "success") {
      process.stderr.write(r.errors.map((e) => e.message).join("; "));
      process.exit(1);
    }
    process.stdout.write(r.output);
  });
});
"""

#: Run in the site's kernel after a lesson: the SVG of emma's overview, by its hash.
SITE_SVG_CELL = """import hashlib
from explorer import ForwardPass, overview
from explorer.render import to_svg
svg = to_svg(overview(ForwardPass("emma")))
print("site-svg-sha256", hashlib.sha256(svg.encode()).hexdigest(), len(svg))"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test reports what matters
        pass


@pytest.fixture(scope="session")
def lite_site():
    """``make lite`` once, then the site on a free 127.0.0.1 port: yields its URL."""
    for tool in ("npm", "node", "make"):
        if shutil.which(tool) is None:
            if ci_requires_browser():
                pytest.fail(f"{tool} is missing: CI must build the lessons' site (make lite)")
            pytest.skip(f"{tool} is not installed: the lessons' site cannot be built here")
    done = subprocess.run(["make", "lite"], cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:] or done.stdout[-3000:]
    assert (SITE / "index.html").is_file()
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site_page(browser, lite_site):
    """A page on the site with every request that leaves 127.0.0.1 blocked and recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.outside = []
    page.errors = []

    def route(r):
        if r.request.url.startswith(lite_site + "/"):
            return r.continue_()
        page.outside.append(r.request.url)
        return r.abort()

    context.route("**/*", route)  # the context's: the kernel's web worker fetches too
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    try:
        yield page
    finally:
        context.close()


def _run_lesson(page, site: str, notebook: str) -> float:
    """Open the lesson, run all its cells; returns the seconds from opening to the last cell."""
    start = time.monotonic()
    page.goto(f"{site}/lab/index.html?path=notebooks/{notebook}")
    expect(page.locator(".jp-Notebook .jp-CodeCell").first).to_be_visible(timeout=60_000)
    # the kernel started and idle (the status bar says so only once it has started: "Run All"
    # sent before that is lost)
    idle = page.locator(".jp-StatusBar-Widget", has_text="Python (Pyodide) | Idle")
    expect(idle.first).to_be_visible(timeout=90_000)
    page.get_by_role("menuitem", name="Run").click()
    page.locator("li[data-command='runmenu:run-all']").click()
    deadline = start + OPEN_TIMEOUT_S
    while time.monotonic() < deadline:
        if page.evaluate(_ALL_RAN_JS):
            break
        time.sleep(1)
    return time.monotonic() - start


_ALL_RAN_JS = """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
  .every((e) => /\\[\\d+\\]/.test(e.textContent))"""

_ERRORS_JS = """() => [...document.querySelectorAll(
  ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")]
  .map((e) => e.innerText.slice(0, 2000))"""


@pytest.mark.parametrize("notebook", ["02_value_and_autograd.ipynb", "03_one_forward_pass.ipynb"])
def test_lesson_runs_in_the_browser_with_nothing_from_outside(site_page, lite_site, notebook):
    page = site_page
    seconds = _run_lesson(page, lite_site, notebook)
    assert page.evaluate(_ALL_RAN_JS), f"{notebook}: not every cell ran in {seconds:.0f} s"
    assert page.evaluate(_ERRORS_JS) == []
    graphs = page.locator(".jp-OutputArea-output .microgpt-viewer svg g.node")
    assert graphs.count() > 0, f"{notebook}: no graph shown"
    assert page.outside == [], page.outside
    assert page.errors == []
    print(f"{notebook}: every cell ran in {seconds:.1f} s, {graphs.count()} nodes drawn")


def test_the_site_draws_what_viz_js_lays_out_under_node(site_page, lite_site, monkeypatch):
    page = site_page
    _run_lesson(page, lite_site, "02_value_and_autograd.ipynb")
    cells = page.locator(".jp-Notebook .jp-Cell")
    cells.last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # a new cell below the last, edited next
    page.keyboard.press("Enter")
    page.keyboard.insert_text(SITE_SVG_CELL)
    page.keyboard.press("Shift+Enter")
    out = page.locator(".jp-OutputArea-output", has_text="site-svg-sha256")
    expect(out.last).to_be_visible(timeout=60_000)
    _, site_hash, site_len = out.last.inner_text().split()[-3:]

    import explorer.layout as layout
    from explorer import ForwardPass, overview
    from explorer.render import to_svg

    def node_json0(source: str, backend: str) -> dict:
        done = subprocess.run(
            ["node", "-e", NODE_LAYOUT, str(VIZ)],
            input=source,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    monkeypatch.setattr(layout, "_graphviz_json", node_json0)
    monkeypatch.setattr(layout, "svg_backend", lambda: "viz-js")  # the SVG names its engine
    svg = to_svg(overview(ForwardPass("emma")))
    assert 'data-layout="viz-js"' in svg
    assert (hashlib.sha256(svg.encode()).hexdigest(), len(svg)) == (site_hash, int(site_len))


def test_a_chart_lesson_offline_says_so_in_its_first_cell(site_page, lite_site):
    """numpy and matplotlib are on Pyodide's index only: offline, the first cell of a lesson
    with charts says plainly that its charts will not work (the graphs do)."""
    page = site_page
    page.goto(f"{lite_site}/lab/index.html?path=notebooks/04_attention.ipynb")
    idle = page.locator(".jp-StatusBar-Widget", has_text="Python (Pyodide) | Idle")
    expect(idle.first).to_be_visible(timeout=90_000)
    page.locator(".jp-Notebook .jp-CodeCell").first.click()
    page.keyboard.press("Shift+Enter")
    said = page.locator(".jp-OutputArea-output", has_text="this lesson's charts are not")
    expect(said.first).to_be_visible(timeout=90_000)
    assert "Connect to the internet" in said.first.inner_text()
    assert page.evaluate(_ERRORS_JS) == []
    assert page.outside and all(
        u.startswith("https://cdn.jsdelivr.net/pyodide/") for u in page.outside
    )
