"""Benchmark the lessons' static site (``make lite``): what a student waits for, what the server
pays, how large the site is.

Serves ``build/lite`` with ``python -m http.server`` on 127.0.0.1 (a process of its own, so its
CPU time is the server's cost alone), opens lesson 02 in a fresh headless Chromium context (an
empty cache: a student's first visit) with every request outside 127.0.0.1 blocked, and times:

- **cold open to first picture**: from the address typed to the first graph node on screen
  (JupyterLab loads, the Pyodide kernel starts, "Run All" is sent once it is idle, the cells
  before the first graph run); goal <= 12 s;
- **a click's re-layout**, in the site's kernel: the views a click redraws (the overview, a head
  of emma, the model view at position 2), each built and laid out with viz.js (median of 5);
  goal <= 0.3 s;
- **server cost per student**: the static server's CPU seconds over one student's visit;
  goal <= 0.2 CPU-s;
- **site size** on disk; goal <= 50 MB.

Run from the repository root after ``make lite``:
``.venv/bin/python bench/bench_lite.py [--students 3]``.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "build" / "lite"
sys.path.insert(0, str(REPO / "tests" / "browser"))

from labharness import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (standard library only)

#: Typed into a new cell after the lesson: the re-layout a click costs, in the site's kernel.
RELAYOUT_CELL = """import statistics, time
from explorer import ForwardPass, model_view, overview, scope_view
from explorer.render import to_svg
fp = ForwardPass("emma")
def median_s(make):
    times = []
    for _ in range(5):
        t = time.perf_counter(); to_svg(make()); times.append(time.perf_counter() - t)
    return statistics.median(times)
print("relayout", median_s(lambda: overview(fp)),
      median_s(lambda: scope_view(fp, "pos2.layer0.attn.head1")),
      median_s(lambda: model_view(fp, pos=2)))"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def visit(browser, site: str, relayout: bool) -> dict:
    """One student's first visit: seconds to the first picture (and the re-layout times)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    outside = []

    def route(r):
        if r.request.url.startswith(site + "/"):
            return r.continue_()
        outside.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    start = time.monotonic()
    page.goto(f"{site}/lab/index.html?path=notebooks/02_value_and_autograd.ipynb")
    idle = page.locator(".jp-StatusBar-Widget", has_text="Python (Pyodide) | Idle").first
    idle.wait_for(timeout=120_000)
    kernel = time.monotonic() - start
    page.get_by_role("menuitem", name="Run").click()
    page.locator("li[data-command='runmenu:run-all']").click()
    page.locator(".jp-OutputArea-output .microgpt-viewer svg g.node").first.wait_for(
        timeout=120_000
    )
    out = {"first_picture": time.monotonic() - start, "kernel_idle": kernel, "outside": outside}
    if relayout:
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]"
            ".every((e) => /\\[\\d+\\]/.test(e.textContent))",
            timeout=120_000,
        )
        page.locator(".jp-Notebook .jp-Cell").last.click()
        page.keyboard.press("Escape")
        page.keyboard.press("b")
        page.keyboard.press("Enter")
        page.keyboard.insert_text(RELAYOUT_CELL)
        page.keyboard.press("Shift+Enter")
        line = page.locator(".jp-OutputArea-output", has_text="relayout").last
        line.wait_for(timeout=120_000)
        out["relayout"] = [float(x) for x in line.inner_text().split()[-3:]]
    context.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=3, help="cold visits (default 3)")
    args = parser.parse_args()
    if not (SITE / "index.html").is_file():
        sys.exit(f"no site at {SITE}: run `make lite` first")
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=SITE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    site = f"http://127.0.0.1:{port}"
    time.sleep(1.0)
    size = sum(p.stat().st_size for p in SITE.rglob("*") if p.is_file())
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"site size: {size / 1e6:.1f} MB (goal <= 50 MB)")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            firsts, costs, relayouts = [], [], []
            for k in range(args.students):
                before = cpu_seconds(server.pid)
                seen = visit(browser, site, relayout=(k == 0))
                costs.append(cpu_seconds(server.pid) - before)
                firsts.append(seen["first_picture"])
                relayouts += [seen["relayout"]] if "relayout" in seen else []
                print(
                    f"student {k + 1}: kernel idle {seen['kernel_idle']:.1f} s, first picture "
                    f"{seen['first_picture']:.1f} s, server {costs[-1]:.2f} CPU-s, requests "
                    f"outside 127.0.0.1: {len(seen['outside'])}"
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    print(f"cold open to first picture: median {statistics.median(firsts):.1f} s (goal <= 12 s)")
    for name, t in zip(("overview", "head 1 of layer 0", "model view"), relayouts[0]):
        print(f"re-layout in the browser, emma's {name}: {t * 1000:.0f} ms (goal <= 300 ms)")
    print(f"server cost per student: median {statistics.median(costs):.2f} CPU-s (goal <= 0.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
