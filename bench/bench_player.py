"""Benchmark backward played on the graph (explorer/playback.py + explorer/viewer/player.js).

Builds a ~300-node view ("christopher", scope pos8.layer0.attn.head1: 338 drawn nodes, every
scalar, 207 of them with a step), times its script in Python (``backward_script``), exports it
as the standalone HTML page, opens that in Debian's Chromium (the flags of tests/browser) and
measures, over every step of the script:

- ``stepped``: the page presses "one step" and waits for the next animation frame, step after
  step: steps per second with every step painted (at most the display's frame rate);
- ``work``: the time one step's DOM updates take (button press to the end of style and layout);
- ``played``: the player running on its own at its fastest speed (50 steps/s): the rate it keeps.

The goal is ≥ 20 steps/s. A busy machine lowers the figures (the load average is printed).
Run from the repository root: ``.venv/bin/python bench/bench_player.py [--width 853 --height
480 --scale 1.5] [--doc christopher --scope pos8.layer0.attn.head1]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "browser"))

from labharness import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (standard library only)

GOAL = 20.0

# In the page: every step, one frame each; then the work of one step alone.
MEASURE = """async () => {
  const q = (s) => document.querySelector(s);
  const status = () => Number(/step (\\d+)/.exec(q(".microgpt-viewer-play-status").textContent)[1]);
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const n = Number(/\\/ (\\d+)/.exec(q(".microgpt-viewer-play-status").textContent)[1]);
  q(".microgpt-viewer-play-start").click();
  await frame();
  const t0 = performance.now();
  for (let k = 0; k < n; k++) { q(".microgpt-viewer-play-step").click(); await frame(); }
  const stepped = n / ((performance.now() - t0) / 1000);
  q(".microgpt-viewer-play-start").click();
  await frame();
  const work = [];
  for (let k = 0; k < n; k++) {
    const t = performance.now();
    q(".microgpt-viewer-play-step").click();
    q(".microgpt-viewer-canvas svg").getBoundingClientRect(); // style and layout now
    document.body.offsetHeight;
    work.push(performance.now() - t);
    await frame();
  }
  q(".microgpt-viewer-play-speed").value = "50";
  q(".microgpt-viewer-play-start").click();
  await frame();
  const t1 = performance.now();
  q(".microgpt-viewer-play-play").click();
  while (status() < n) await frame();
  const played = n / ((performance.now() - t1) / 1000);
  return { n, stepped, work, played, ok: status() === n };
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--doc", default="christopher")
    parser.add_argument("--scope", default="pos8.layer0.attn.head1")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from explorer import ForwardPass, scope_view
    from explorer.export import write_view
    from explorer.playback import backward_script

    fp = ForwardPass(args.doc)
    view = scope_view(fp, args.scope)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        script = backward_script(fp, view)
        times.append(time.perf_counter() - t)
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(f"view: {args.doc!r} scope {args.scope}: {view.drawn} drawn nodes, {len(script)} steps")
    print(f"script in Python: {1000 * min(times):.0f} ms (min of 3)")
    with tempfile.TemporaryDirectory() as tmp:
        page_path = write_view(view, Path(tmp) / "player.html", fp=fp)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(
                viewport={"width": args.width, "height": args.height},
                device_scale_factor=args.scale,
            )
            page.goto(page_path.as_uri())
            result = page.evaluate(MEASURE)
            browser.close()
    work = result["work"]
    print(f"screen {args.width}x{args.height}@{args.scale}")
    print(f"stepped, one frame per step: {result['stepped']:.1f} steps/s (goal ≥ {GOAL:.0f})")
    print(
        f"one step's DOM work: median {statistics.median(work):.1f} ms, "
        f"max {max(work):.1f} ms ({1000 / statistics.median(work):.0f} steps/s if unpainted)"
    )
    print(f"played at 50/s: {result['played']:.1f} steps/s; reached the end: {result['ok']}")


if __name__ == "__main__":
    main()
