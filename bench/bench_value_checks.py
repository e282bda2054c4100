"""What the engine's argument checks cost number arithmetic: today's ``Value`` against the
``Value`` of a git revision before the checks (issue 19 item 1), interleaved in one process.

Run from the repository root (about 20 s)::

    .venv/bin/python bench/bench_value_checks.py            # against a8187cd, 15 rounds
    .venv/bin/python bench/bench_value_checks.py --rev HEAD~3 --rounds 25

Each round builds and back-propagates the same expression graph (adds, muls, subtractions,
divisions, powers and plain-number operands: every path a check could sit on) with each
engine in turn, the cyclic GC off inside the timed part. It prints the medians, the minima
and their ratios (today / before): the minimum is the figure least disturbed by other load.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from microgpt.engine import Value  # noqa: E402

BEFORE = "a8187cd"  # the last commit before Value checked its operands


def engine_at(rev: str):
    """``microgpt/engine.py`` as it was at ``rev`` (standard library only), as a module."""
    source = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "show", f"{rev}:microgpt/engine.py"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    path = Path(tempfile.mkdtemp()) / "engine_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("engine_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def work(cls) -> None:
    xs = [cls(0.01 * i) for i in range(200)]
    acc = cls(0.0)
    for _ in range(25):
        for x in xs:
            acc = acc * 0.5 + x * x - 1.0 + x / 3 + (x**2) / (acc + 2.0) - (-x)
    acc.backward()


def timed(cls) -> float:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        work(cls)
        return time.perf_counter() - start
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default=BEFORE, help=f"the engine to compare with ({BEFORE})")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (15)")
    args = parser.parse_args()
    old = engine_at(args.rev).Value
    before, now = [], []
    for _ in range(args.rounds):
        before.append(timed(old))
        now.append(timed(Value))
    mb, mn = statistics.median(before), statistics.median(now)
    print(f"Value arithmetic on numbers, {args.rounds} interleaved rounds (ms per graph)")
    print(f"  engine at {args.rev}: median {mb * 1e3:7.1f}  min {min(before) * 1e3:7.1f}")
    print(f"  engine today    : median {mn * 1e3:7.1f}  min {min(now) * 1e3:7.1f}")
    print(f"  today / before  : median {mn / mb:.3f}  min {min(now) / min(before):.3f}")


if __name__ == "__main__":
    main()
