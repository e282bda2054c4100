"""Render the README's pictures from the real shipped model (dev-only; run after the model or
the renderer changes, and commit the result).

    .venv/bin/python tools/make_readme_picture.py

Writes ``docs/emma_head.svg`` (one attention head at one position, every scalar node with its
value and gradient) and ``docs/christopher_overview.svg`` (a 103,675-node pass folded by scope).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer import ForwardPass, overview, scope_view
from explorer.render import write

DOCS = Path(__file__).resolve().parents[1] / "docs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS, help=f"folder (default {DOCS})")
    args = parser.parse_args()
    args.out.mkdir(exist_ok=True)
    head = scope_view(ForwardPass("emma"), "pos2.layer0.attn.head1")
    overview_view = overview(ForwardPass("christopher"))
    for view, name in ((head, "emma_head.svg"), (overview_view, "christopher_overview.svg")):
        path = write(view, args.out / name)
        print(f"wrote {path} ({view.drawn} drawn nodes)")


if __name__ == "__main__":
    main()
