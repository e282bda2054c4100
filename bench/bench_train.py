"""Whole-process ``microgpt train`` on floats vs on the ``Value`` engine (issue 21).

Runs ``microgpt train --data NAMES --steps 1000 --samples 20`` as a separate process, once per
engine in each pair (the order alternating between pairs), and prints each run's wall and CPU
time (the child's user + system), the medians, and the ratios floats / value and floats /
article. The two engines' outputs are compared (the same step lines and samples, and
byte-identical checkpoints) before any figure is trusted.

The article's script is timed in the same pairs: by default ``bench/article_style.py`` (the
article's way of writing microgpt, written from the spec: it prints the same lines and samples,
which is checked), or any script given with ``--article SCRIPT``; it runs in a temporary folder
where ``input.txt`` is a link to NAMES, as it expects. ``--article none`` skips it and uses the
reference figure of issue 2 (~260 ms a step, not measured here, said so). Goal: floats <= 0.05x
the article's script (moonshot 0.02x).

Usage (from the repository root; the value engine takes minutes per run)::

    .venv/bin/python bench/bench_train.py [--pairs 1] [--steps 1000] [--article PATH]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAMES = REPO.parent / "shared" / "data" / "names.txt"
#: bench/bench_engine.py's reference: the article's script, ms per step (issue 2; not measured).
ARTICLE_MS_PER_STEP = 260
GOAL, MOONSHOT = 0.05, 0.02


def run(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """(wall s, CPU s of the child, stdout) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=1, help="paired runs (median shown)")
    parser.add_argument("--steps", type=int, default=1000, help="training steps (1000)")
    parser.add_argument("--data", type=Path, default=NAMES, help="the article's names.txt")
    parser.add_argument("--article", default=str(REPO / "bench" / "article_style.py"),
                        help="the article's script to time too (default: bench/article_style.py; "
                        "'none': use issue 2's reference figure)")  # fmt: skip
    args = parser.parse_args()
    args.article = None if args.article == "none" else Path(args.article)
    data = args.data.resolve()
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"microgpt train --data {data.name} --steps {args.steps} --samples 20, whole process")
    kinds = ["floats", "value"] + (["article"] if args.article else [])
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in kinds}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.article:
            (folder / "input.txt").symlink_to(data)
        outputs = {}
        for pair in range(args.pairs):
            for kind in kinds if pair % 2 == 0 else kinds[::-1]:
                if kind == "article":
                    cmd = [sys.executable, str(args.article.resolve()), str(args.steps)]
                else:
                    cmd = [sys.executable, "-m", "microgpt", "train", "--data", str(data),
                           "--steps", str(args.steps), "--samples", "20", "--engine", kind,
                           "--out", f"{kind}.json"]  # fmt: skip
                wall, cpu, out = run(cmd, folder)
                times[kind].append((wall, cpu))
                outputs[kind] = out
                print(f"  pair {pair + 1}: {kind:<8} {wall:8.2f} s wall {cpu:8.2f} s CPU")
        same_lines = outputs["floats"] == outputs["value"]
        same_file = (folder / "floats.json").read_bytes() == (folder / "value.json").read_bytes()
        print(f"identical output: step lines and samples {same_lines}, checkpoints {same_file}")
        if args.article:
            print(f"the article's script printed the same lines and samples: "
                  f"{outputs['article'] == outputs['floats']}")  # fmt: skip

    med = {k: statistics.median(c for _, c in v) for k, v in times.items()}
    wall = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
    for k in kinds:
        print(f"{k:<8} median {wall[k]:8.2f} s wall {med[k]:8.2f} s CPU")
    print(f"floats / value (CPU): {med['floats'] / med['value']:.3f}  "
          f"(value is {med['value'] / med['floats']:.1f}x slower)")  # fmt: skip
    if args.article:
        article, how = med["article"], "measured in the same pairs"
    else:
        article = ARTICLE_MS_PER_STEP * args.steps / 1000
        how = f"REFERENCE {ARTICLE_MS_PER_STEP} ms/step from issue 2, not measured"
    ratio = med["floats"] / article
    verdict = "met" if ratio <= GOAL else "MISSED"
    print(f"article's script: {article:.1f} s ({how})")
    print(f"floats / article: {ratio:.3f}  goal <= {GOAL}: {verdict}; moonshot <= {MOONSHOT}: "
          f"{'met' if ratio <= MOONSHOT else 'not met'}")  # fmt: skip
    print(f"value / article: {med['value'] / article:.3f}")


if __name__ == "__main__":
    main()
