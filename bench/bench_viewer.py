"""Benchmark the graph viewer (explorer/viewer/): frames per second while panning and zooming.

Draws a 1,000-node picture with ``dot`` (40 columns x 25 stages, each node a table of three
lines like the explorer's: name, data, grad; or ``--svg FILE``), opens it in Debian's Chromium
(the flags of tests/browser) in a standalone page, and for ``--seconds`` per gesture counts the
animation frames that showed a new view, with two drivers:

- ``script``: the page itself moves the view every frame (``setView`` / ``zoomBy``): what the
  drawing costs;
- ``mouse``: Playwright's mouse drags and turns the wheel through the viewer's own handlers;
  its fps cannot exceed the events Playwright sends (printed as inputs/s).

Gestures: pan at 1:1 (a few dozen nodes in view), pan at twice the fitted scale, pan at the
fitted scale (every node in view: the most to paint), and zoom in and out between fit and 1:1
about the canvas's centre. The goal is 30 fps. ``--viewbox`` also times the alternative the
viewer avoids (rewriting the <svg>'s viewBox every frame: Chromium then lays out all SVG text
again). Headless Chromium with ``--disable-gpu`` rasterises on the CPU, and other work on the
machine lowers the figures (the load average is printed). Run from the repository root:
``.venv/bin/python bench/bench_viewer.py [--seconds 3] [--width 853 --height 480 --scale 1.5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from labharness import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (standard library only)

GOAL_FPS = 30.0

# What the page shows: the viewer's transform (or the viewBox, for --viewbox).
SHOWN = "(viewer.svg.style.transform + viewer.svg.getAttribute('viewBox'))"

# In the page: move the view every frame for `ms`; count frames and the views shown.
MEASURE = """async ([gesture, ms]) => {
  const v = viewer;
  const frames = (n) => new Promise((r) => { const f = () => (--n ? requestAnimationFrame(f) : r());
                                           requestAnimationFrame(f); });
  v.fit();
  const fit = v.getView().scale;
  if (gesture === "pan 1:1") v.setView({ x: 0, y: 0, scale: 1 });
  if (gesture === "pan 2x fit") v.zoomBy(2);
  if (gesture === "pan fit") v.zoomBy(1.0001);
  await frames(5);
  return await new Promise((resolve) => {
    const t0 = performance.now();
    let last = t0, shown = SHOWN, changed = 0, dir = 1;
    const gaps = [];
    const step = (now) => {
      gaps.push(now - last);
      last = now;
      if (SHOWN !== shown) { changed++; shown = SHOWN; }
      const view = v.getView();
      if (gesture === "zoom") {
        if (view.scale >= 1) dir = -1;
        if (view.scale <= fit * 1.01) dir = 1;
        v.zoomBy(dir > 0 ? 1.04 : 1 / 1.04);
      } else {
        v.setView({ x: view.x + 6 / view.scale, y: view.y + 1 / view.scale });
      }
      if (now - t0 < ms) requestAnimationFrame(step);
      else resolve({ ms: now - t0, frames: gaps.length - 1, changed, gaps: gaps.slice(1) });
    };
    requestAnimationFrame(step);
  });
}""".replace("SHOWN", SHOWN)

# The same gestures with the viewBox rewritten every frame instead (the viewer is left unused).
MEASURE_VIEWBOX = """async ([gesture, ms]) => {
  const v = viewer, svg = v.svg;
  v.fit();
  const fit = v.getView().scale, w = v.getView().width * fit, h = v.getView().height * fit;
  Object.assign(svg.style, { transform: "none", width: w + "px", height: h + "px" });
  const setBox = (x, y, s) => svg.setAttribute("viewBox", `${x} ${y} ${w / s} ${h / s}`);
  const start = { "pan 1:1": 1, "pan 2x fit": 2 * fit, "pan fit": fit, zoom: 1 };
  let [x, y, s, dir] = [0, 0, start[gesture], 1];
  setBox(x, y, s);
  return await new Promise((resolve) => {
    const t0 = performance.now(), gaps = [];
    let last = t0;
    const step = (now) => {
      gaps.push(now - last);
      last = now;
      if (gesture === "zoom") {
        if (s >= 1) dir = -1;
        if (s <= fit * 1.01) dir = 1;
        s *= dir > 0 ? 1.04 : 1 / 1.04;
      } else x += 6 / s;
      setBox(x, y, s);
      if (now - t0 < ms) requestAnimationFrame(step);
      else resolve({ ms: now - t0, frames: gaps.length - 1, changed: gaps.length - 1,
                     gaps: gaps.slice(1) });
    };
    requestAnimationFrame(step);
  });
}"""

# In the page: only count (the mouse is driven from Python meanwhile).
COUNT_START = """() => {
  window.counting = { gaps: [], changed: 0, stop: false };
  let last = performance.now(), shown = SHOWN;
  const step = (now) => {
    counting.gaps.push(now - last);
    last = now;
    if (SHOWN !== shown) { counting.changed++; shown = SHOWN; }
    if (!counting.stop) requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}""".replace("SHOWN", SHOWN)
COUNT_STOP = """() => { counting.stop = true; const c = counting;
  return { ms: c.gaps.reduce((a, b) => a + b, 0), frames: c.gaps.length, changed: c.changed,
           gaps: c.gaps }; }"""


def graph_dot(columns: int = 40, stages: int = 25, seed: int = 1) -> str:
    """A DOT graph of columns x stages nodes, each an HTML table of three lines."""
    rng = random.Random(seed)
    lines = [
        "digraph bench {",
        'node [shape=plaintext, fontname="DejaVu Sans Mono", fontsize=10];',
        'edge [color="#777777"];',
    ]
    for c in range(columns):
        for s in range(stages):
            data, grad = rng.uniform(-2, 2), rng.uniform(-0.1, 0.1)
            fill = "#f4a582" if grad > 0 else "#92c5de"
            rows = (
                f"<TR><TD><B>pos{c}.stage{s}</B></TD></TR><TR><TD>data {data:+.4f}</TD></TR>"
                f'<TR><TD BGCOLOR="{fill}">grad {grad:+.4f}</TD></TR>'
            )
            table = '<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
            lines.append(f'"n{c}_{s}" [label=<{table}{rows}</TABLE>>];')
            if s:
                lines.append(f'"n{c}_{s - 1}" -> "n{c}_{s}";')
                if c and rng.random() < 0.3:
                    lines.append(f'"n{c - 1}_{s - 1}" -> "n{c}_{s}";')
    return "\n".join([*lines, "}"])


def page_html(svg: str) -> str:
    from explorer.viewer import viewer_script

    viewer = viewer_script()
    data = json.dumps(svg).replace("</", "<\\/")
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>viewer bench</title></head>'
        '<body style="margin: 16px"><div id="host"></div>'
        f"<script>{viewer}</script><script>"
        'window.viewer = microgptViewer(document.getElementById("host"));'
        f"viewer.setSvg({data});</script></body></html>"
    )


def drive_mouse(page, gesture: str, seconds: float) -> dict:
    """Drag or wheel with Playwright's mouse for `seconds`, counting frames in the page."""
    box = page.evaluate("(() => { const r = viewer.canvas.getBoundingClientRect();"
                        " return [r.left, r.top, r.width, r.height]; })()")  # fmt: skip
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    page.evaluate("viewer.fit()")
    if gesture == "pan 1:1":
        page.evaluate("viewer.setView({x: 0, y: 0, scale: 1})")
    elif gesture == "pan 2x fit":
        page.evaluate("viewer.zoomBy(2)")
    elif gesture == "pan fit":
        page.evaluate("viewer.zoomBy(1.0001)")  # a hair past fit: the whole picture in view
    page.mouse.move(cx, cy)
    page.evaluate(COUNT_START)
    end, k = time.perf_counter() + seconds, 0
    if gesture != "zoom":
        page.mouse.down()
    while time.perf_counter() < end:
        k += 1
        if gesture == "zoom":
            page.mouse.wheel(0, -40 if (k // 30) % 2 == 0 else 40)  # in, then out, ...
        else:
            dx = 3 * (k % 200) if (k // 200) % 2 == 0 else 3 * (200 - k % 200)
            page.mouse.move(cx - 300 + dx, cy + (k % 40) - 20)
    if gesture != "zoom":
        page.mouse.up()
    result = page.evaluate(COUNT_STOP)
    result["inputs"] = k
    return result


def report(mode: str, gesture: str, result: dict) -> None:
    """fps: frames that showed a new view, per second (with the mouse driver, never more than
    the events Playwright sends: those are shown as inputs/s); then the frame interval's
    median and 95th percentile, the animation frames per second, and fps / 30."""
    seconds = result["ms"] / 1000
    fps = result["changed"] / seconds
    gaps = sorted(result["gaps"]) or [0.0]
    p95 = gaps[min(len(gaps) - 1, int(0.95 * len(gaps)))]
    inputs = f"{result['inputs'] / seconds:6.0f}" if "inputs" in result else "     -"
    print(
        f"  {mode:<7} {gesture:<10} {fps:6.1f} {statistics.median(gaps):7.1f} {p95:7.1f} "
        f"{result['frames'] / seconds:7.1f} {inputs:>9}   x{fps / GOAL_FPS:4.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per gesture (3)")
    parser.add_argument("--width", type=int, default=1600, help="viewport width, CSS px (1600)")
    parser.add_argument("--height", type=int, default=1000, help="viewport height (1000)")
    parser.add_argument("--scale", type=float, default=1.0, help="device scale factor (1)")
    parser.add_argument("--columns", type=int, default=40, help="graph columns (40)")
    parser.add_argument("--stages", type=int, default=25, help="graph rows (25)")
    parser.add_argument("--svg", type=Path, help="time this SVG file instead (e.g. an export)")
    parser.add_argument(
        "--mode", choices=["script", "mouse", "both"], default="both", help="driver (both)"
    )
    parser.add_argument(
        "--viewbox",
        action="store_true",
        help="also time rewriting the viewBox every frame instead (what the viewer avoids)",
    )
    args = parser.parse_args()
    dot = shutil.which("dot")
    if not CHROMIUM.exists() or not (dot or args.svg):
        sys.exit(f"needs {CHROMIUM} and graphviz's dot (or --svg)")
    from playwright.sync_api import sync_playwright

    if args.svg:
        svg = args.svg.read_text(encoding="utf-8")
    else:
        source = graph_dot(args.columns, args.stages)
        svg = subprocess.run([dot, "-Tsvg"], input=source, capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        path = Path(tmp) / "bench.html"
        path.write_text(page_html(svg), encoding="utf-8")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            viewport={"width": args.width, "height": args.height},
            device_scale_factor=args.scale,
        )
        page = context.new_page()
        page.goto(path.as_uri())
        nodes = page.evaluate("viewer.svg.querySelectorAll('g.node').length")
        texts = page.evaluate("viewer.svg.querySelectorAll('text').length")
        view = page.evaluate("viewer.getView()")
        width, height = view["width"] * view["scale"], view["height"] * view["scale"]
        print(
            f"viewer benchmark: {nodes:,} nodes, {texts:,} text elements, {len(svg):,} bytes of "
            f"SVG; canvas {width:.0f} x {height:.0f} px at x{args.scale}, "
            f"fit {view['scale'] * 100:.0f}%; {args.seconds:g} s each"
        )
        print(f"  load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
              "(other work on the machine lowers the figures)")  # fmt: skip
        print(f"  {'driver':<7} {'gesture':<10} {'fps':>6} {'median':>7} {'p95':>7} "
              f"{'rAF/s':>7} {'inputs/s':>9}   fps/30")  # fmt: skip
        gestures = ["pan 1:1", "pan 2x fit", "pan fit", "zoom"]
        modes = ["script", "mouse"] if args.mode == "both" else [args.mode]
        modes += ["viewBox"] if args.viewbox else []  # last: it leaves the viewer unusable
        for mode in modes:
            for gesture in gestures:
                if mode == "script":
                    result = page.evaluate(MEASURE, [gesture, args.seconds * 1000])
                elif mode == "mouse":
                    result = drive_mouse(page, gesture, args.seconds)
                else:
                    result = page.evaluate(MEASURE_VIEWBOX, [gesture, args.seconds * 1000])
                report(mode, gesture, result)
        browser.close()


if __name__ == "__main__":
    main()
