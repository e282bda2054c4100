"""Benchmark a class: N students open the dashboard served by ``microgpt serve`` at once.

Starts ``microgpt serve`` on 127.0.0.1 (loopback only; ``--pool`` pre-started kernels, default
one per student), then:

0. **the floor** (``--baseline``): one student opening a one-button Voilà app served the same
   way: Voilà's own page load, which no dashboard can go below;
1. **one student** on a pre-started kernel: the page opened until the graph is on screen,
   then the tab closes (``--single`` times, median shown);
2. **N students at once** (Playwright browser contexts in Debian's Chromium, all opened in
   the same instant): for each, time to graph (page requested until the first graph node is
   visible); then, once every page is open, the class follows the teacher: all click at once,
   three clicks each (a group, until the graph has zoomed into it; two attention cells, until
   the inspector names that weight), then all type "christopher" as the document and wait for
   its graph; the CPU time of the server and kernels, and of the students' browsers, per
   student;
3. memory per kernel (RSS, and USS: the pages no other process shares) of the students'
   kernel processes, read from /proc after "christopher";
4. the tabs close (the pages' own close request), and the students' kernels still listed by
   the server's ``/api/kernels`` are counted right after and once the idle cull has run.

Bounded: at most 40 students, every wait has a timeout, the whole run ``--max-seconds``.
The browsers run on the same machine as the server and share its cores, so the figures are an
upper bound on what a class would see from their own laptops; the load average is printed.
Run from the repository root: ``.venv/bin/python bench/bench_class.py --students 5 10 20``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from labharness import CHROMIUM, CHROMIUM_ARGS, _descendants  # noqa: E402  (stdlib only)
from serveharness import KERNEL_ID_JS, start_serve  # noqa: E402

MAX_STUDENTS = 40
GOALS = {
    "single": 1.5,  # s, one student's dashboard on screen from a pre-started kernel
    "graph_p95": 15.0,  # s, N=20 at once
    "click_p95": 0.5,  # s
    "memory": 150.0,  # MB per student after "christopher"
}
VIEWPORT = {"width": 1400, "height": 1000}
GRAPH = ".microgpt-dashboard .microgpt-graph"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)] if ordered else float("nan")


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, USS) of a process in MB, from /proc/PID/smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        fields[key] = int(value.split()[0])
    uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return fields["Rss"] / 1024, uss / 1024


def cpu_seconds(pids) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def browser_pids(server) -> list[int]:
    """This process's Chromium processes (the students' browsers), not the server's tree."""
    served = {server.process.pid, *_descendants(server.process.pid)}
    found = []
    for pid in _descendants(os.getpid()):
        if pid in served:
            continue
        try:
            if b"chrom" in Path(f"/proc/{pid}/comm").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


async def open_dashboard(browser, url: str, timeout_ms: float):
    """A new student: (context, page, seconds until the graph shows, or None on a timeout)."""
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(timeout_ms)
    page = await context.new_page()
    start = time.perf_counter()
    try:
        await page.goto(url, wait_until="commit", timeout=timeout_ms)
        await page.locator(GRAPH + " g.node").first.wait_for(state="visible", timeout=timeout_ms)
    except Exception as e:  # noqa: BLE001 - a page that never shows the graph is counted
        print(f"  a page did not show the graph: {type(e).__name__}: {str(e).splitlines()[0]}")
        return context, page, None
    return context, page, time.perf_counter() - start


async def click_cell(page, row: int, col: int, timeout_ms: float) -> float:
    """Click attention cell (row, col) of head 0; seconds until the inspector names it."""
    image = page.locator(".microgpt-attention img")
    await image.scroll_into_view_if_needed()
    grid = json.loads(await image.get_attribute("data-grid"))
    box = await image.bounding_box()
    x = box["x"] + box["width"] * (
        grid["left"] + (col + 0.5) / grid["cols"] * (grid["right"] - grid["left"])
    )
    y = box["y"] + box["height"] * (
        grid["top"] + (row + 0.5) / grid["rows"] * (grid["bottom"] - grid["top"])
    )
    name = f"pos{row}.layer0.attn.head0.attn_weights[k={col}]"
    inspector = page.locator(".microgpt-inspector .microgpt-inspector-name")
    start = time.perf_counter()
    await page.mouse.click(x, y)
    await inspector.filter(has_text=name).wait_for(timeout=timeout_ms)
    return time.perf_counter() - start


async def click_group(page, timeout_ms: float) -> float:
    """Click the MLP's relu tensor in the model view; seconds until the breadcrumb shows it."""
    graph = page.locator(GRAPH)
    await graph.locator(".microgpt-viewer-canvas").scroll_into_view_if_needed()
    group = graph.locator("g.node").filter(
        has=page.locator("title", has_text=re.compile(r"^pos\d+\.layer0\.mlp\.relu$"))
    )
    start = time.perf_counter()
    await group.click()
    await (
        page.locator(".microgpt-breadcrumb").filter(has_text="layer0").wait_for(timeout=timeout_ms)
    )
    return time.perf_counter() - start


async def type_christopher(page, timeout_ms: float) -> bool:
    """Type "christopher" as the document; True once the graph's header names it (the graph
    may be zoomed into a scope by an earlier click, so no particular node is looked for)."""
    box = page.locator(".microgpt-doc input")
    await box.fill("christopher")
    await box.press("Enter")
    try:
        await (
            page.locator(GRAPH + " .microgpt-viewer-header")
            .filter(has_text="'christopher'")
            .first.wait_for(state="visible", timeout=timeout_ms)
        )
    except Exception:  # noqa: BLE001
        return False
    return True


async def student_opens(browser, url: str, timeout_ms: float) -> dict:
    context, page, to_graph = await open_dashboard(browser, url, timeout_ms)
    result = {"context": context, "page": page, "graph": to_graph, "clicks": [], "kernel": None}
    if to_graph is not None:
        result["kernel"] = await page.evaluate(KERNEL_ID_JS)
    return result


async def student_acts(result: dict, step: str, k: int, timeout_ms: float) -> None:
    """One thing the whole class does when the teacher asks: "clicks" (a group, then two
    attention cells) or "christopher" (type it as the document)."""
    if result["graph"] is None or "click_error" in result:
        return
    page = result["page"]
    try:
        if step == "clicks":
            # the zoom first: a click on an attention cell then zooms the graph to that head
            result["clicks"].append(("zoom", await click_group(page, timeout_ms)))
            result["clicks"].append(("cell", await click_cell(page, 2, 1, timeout_ms)))
            result["clicks"].append(("cell", await click_cell(page, 3, k % 4, timeout_ms)))
        else:
            result["christopher"] = await type_christopher(page, timeout_ms)
    except Exception as e:  # noqa: BLE001
        result["click_error"] = f"{type(e).__name__}: {str(e).splitlines()[0]}"


async def single_student(browser, server, repeats: int, timeout_ms: float) -> list[float]:
    times = []
    for _ in range(repeats):
        await wait_pool_ready(server, 1, 120)
        context, page, to_graph = await open_dashboard(browser, server.url, timeout_ms)
        if to_graph is not None:
            times.append(to_graph)
        await page.close(run_before_unload=True)
        await context.close()
    return times


#: The lightest Voilà app: one ipywidgets button (the floor under any dashboard's page load).
BASELINE_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": "import ipywidgets\nipywidgets.Button(description='ready')",
        }
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


async def baseline(browser, log_dir: Path, repeats: int, timeout_ms: float) -> dict:
    """One student opening a one-button notebook on the same server settings: Voilà's own
    page load (its front end, the kernel connection), which no dashboard can go below."""
    notebook = log_dir / "baseline_button.ipynb"
    notebook.write_text(json.dumps(BASELINE_NOTEBOOK), encoding="utf-8")
    server = start_serve(log_dir, "--pool", "1", "--notebook", str(notebook), timeout=120)
    times, cpu = [], []
    try:
        for _ in range(repeats):
            await wait_pool_ready(server, 1, 120)
            before = cpu_seconds(browser_pids(server))
            context = await browser.new_context(viewport=VIEWPORT)
            page = await context.new_page()
            start = time.perf_counter()
            await page.goto(server.url, wait_until="commit", timeout=timeout_ms)
            await page.locator(".widget-button").first.wait_for(state="visible", timeout=timeout_ms)
            times.append(time.perf_counter() - start)
            cpu.append(cpu_seconds(browser_pids(server)) - before)
            await page.close(run_before_unload=True)
            await context.close()
    finally:
        server.stop()
    return {"times": times, "browser_cpu": cpu}


async def wait_pool_ready(server, size: int, timeout: float) -> None:
    """Until ``size`` kernels wait unconnected and idle (the pool has refilled)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = [k for k in server.kernels() if k["connections"] == 0]
        if len(waiting) >= size and all(k["execution_state"] == "idle" for k in waiting):
            await asyncio.sleep(2)  # a kernel reads idle between cells too: look again
            waiting = [k for k in server.kernels() if k["connections"] == 0]
            if len(waiting) >= size and all(k["execution_state"] == "idle" for k in waiting):
                return
        await asyncio.sleep(0.5)


async def run_class(n: int, args, log_dir: Path) -> dict:
    from playwright.async_api import async_playwright

    pool = args.pool if args.pool is not None else n
    timeout_ms = args.timeout * 1000
    server = start_serve(
        log_dir,
        "--pool",
        str(pool),
        "--cull-idle",
        str(args.cull_idle),
        wait_pool=pool > 0,
        timeout=max(120, 15 * pool),
    )
    out = {"n": n, "pool": pool}
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            if args.single and pool > 0:
                out["single"] = await single_student(browser, server, args.single, timeout_ms)
            await wait_pool_ready(server, pool, max(120, 15 * pool))
            out["load_before"] = os.getloadavg()[0]
            cpu0 = cpu_seconds([server.process.pid, *server.kernel_pids().values()])
            browser0 = cpu_seconds(browser_pids(server))
            start = time.perf_counter()
            results = await asyncio.gather(
                *(student_opens(browser, server.url, timeout_ms) for _ in range(n))
            )
            out["wall"] = time.perf_counter() - start
            # as a class follows the teacher: everyone clicks, then everyone types a name
            for step in ("clicks", "christopher"):
                await asyncio.gather(
                    *(student_acts(r, step, k, timeout_ms) for k, r in enumerate(results))
                )
            pids = server.kernel_pids()
            out["cpu_per_student"] = (cpu_seconds([server.process.pid, *pids.values()]) - cpu0) / n
            out["browser_cpu_per_student"] = (cpu_seconds(browser_pids(server)) - browser0) / n
            out["graph"] = [r["graph"] for r in results]
            out["clicks"] = [c for r in results for c in r["clicks"]]
            out["click_errors"] = [r["click_error"] for r in results if "click_error" in r]
            out["christopher"] = sum(bool(r.get("christopher")) for r in results)
            ids = {r["kernel"] for r in results if r["kernel"]}
            out["memory"] = [memory_mb(pids[k]) for k in ids if k in pids]
            out["load_after"] = os.getloadavg()[0]
            for r in results:  # the students close their tabs
                await r["page"].close(run_before_unload=True)
                await r["context"].close()
            await asyncio.sleep(5)
            out["left_5s"] = len(ids & {k["id"] for k in server.kernels()})
            await asyncio.sleep(args.cull_idle + max(2, args.cull_idle // 4) + 2)
            out["left_culled"] = len(ids & {k["id"] for k in server.kernels()})
            await browser.close()
        out["iopub_timeouts"] = server.log().count("Timeout waiting for IOPub output")
    finally:
        server.stop()
    return out


def report(out: dict) -> None:
    n = out["n"]
    shown = [t for t in out["graph"] if t is not None]
    cells = [t for kind, t in out["clicks"] if kind == "cell"]
    zooms = [t for kind, t in out["clicks"] if kind == "zoom"]
    print(
        f"\nN = {n} students at once (pool of {out['pool']} pre-started kernels; load average "
        f"{out['load_before']:.1f} before, {out['load_after']:.1f} after)"
    )
    if out.get("single"):
        single = statistics.median(out["single"])
        print(
            f"  one student, pre-started kernel: graph on screen in {single:.2f} s (median "
            f"of {len(out['single'])}; goal <= {GOALS['single']} s: "
            f"{'met' if single <= GOALS['single'] else 'MISSED'})"
        )
    print(f"  show the graph: {len(shown)}/{n}")
    if shown:
        goal = (
            ""
            if n < 20
            else f"; goal p95 <= {GOALS['graph_p95']:.0f} s: "
            + ("met" if p95(shown) <= GOALS["graph_p95"] else "MISSED")
        )
        print(
            f"  time to graph: median {statistics.median(shown):.1f} s, p95 {p95(shown):.1f} s,"
            f" max {max(shown):.1f} s{goal}"
        )
    for what, times in (("click -> inspector", cells), ("click -> zoomed graph", zooms)):
        if times:
            verdict = "met" if p95(times) <= GOALS["click_p95"] else "MISSED"
            print(
                f"  {what}: median {statistics.median(times):.2f} s, p95 {p95(times):.2f} s "
                f"({len(times)} clicks; goal p95 <= {GOALS['click_p95']} s: {verdict})"
            )
    for error in out["click_errors"][:3]:
        print(f"  click failed: {error}")
    print(f"  typed christopher, graph redrawn: {out['christopher']}/{n}")
    if out["memory"]:
        rss = [m[0] for m in out["memory"]]
        uss = [m[1] for m in out["memory"]]
        verdict = "met" if statistics.median(uss) <= GOALS["memory"] else "MISSED"
        print(
            f"  memory per kernel after christopher: RSS median {statistics.median(rss):.0f} "
            f"MB (max {max(rss):.0f}), USS median {statistics.median(uss):.0f} MB (max "
            f"{max(uss):.0f}); goal <= {GOALS['memory']:.0f} MB: {verdict}"
        )
    print(
        f"  CPU per student: server + kernels {out['cpu_per_student']:.1f} CPU-s (refills "
        f"included), the student's browser {out['browser_cpu_per_student']:.1f} CPU-s"
    )
    print(
        f"  students' kernels left: {out['left_5s']} five seconds after the tabs closed, "
        f"{out['left_culled']} after an idle cull"
    )
    print(f"  'Timeout waiting for IOPub output' in the server log: {out['iopub_timeouts']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument(
        "--students",
        type=int,
        nargs="+",
        default=[5],
        help=f"class sizes to run, each on a fresh server (<= {MAX_STUDENTS})",
    )
    parser.add_argument("--pool", type=int, help="pre-started kernels (default: one a student)")
    parser.add_argument(
        "--single",
        type=int,
        default=3,
        help="one-student openings timed first (default 3; 0: none)",
    )
    parser.add_argument("--cull-idle", type=int, default=30, help="server's --cull-idle (30)")
    parser.add_argument(
        "--timeout", type=float, default=120, help="seconds any one wait may take (default 120)"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=1800, help="bound on the whole run (default 1800)"
    )
    parser.add_argument("--log-dir", help="where the servers' logs go (default: a temp dir)")
    parser.add_argument(
        "--baseline",
        type=int,
        default=3,
        help="openings of a one-button Voilà app timed first: the floor (default 3; 0: none)",
    )
    args = parser.parse_args()
    if any(not 1 <= n <= MAX_STUDENTS for n in args.students):
        parser.error(f"--students: 1 to {MAX_STUDENTS}")
    print(f"{os.cpu_count()} cores; Chromium {CHROMIUM}; server and browsers on 127.0.0.1")

    async def all_classes():
        log_dir = Path(args.log_dir or tempfile.mkdtemp(prefix="bench-class-"))
        log_dir.mkdir(parents=True, exist_ok=True)
        print(f"server logs in {log_dir}")
        if args.baseline:
            from playwright.async_api import async_playwright

            async with async_playwright() as pw:
                browser = await pw.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                floor = await baseline(browser, log_dir, args.baseline, args.timeout * 1000)
                await browser.close()
            print(
                f"\nfloor: a one-button Voila app, pre-started kernel: on screen in "
                f"{statistics.median(floor['times']):.2f} s (median of {len(floor['times'])}), "
                f"browser {statistics.median(floor['browser_cpu']):.1f} CPU-s per page"
            )
        for n in args.students:
            report(await run_class(n, args, log_dir))

    try:
        asyncio.run(asyncio.wait_for(all_classes(), args.max_seconds))
    except asyncio.TimeoutError:
        sys.exit(f"stopped: the run took more than --max-seconds {args.max_seconds:.0f}")


if __name__ == "__main__":
    main()
