"""Layers: importing any microgpt module loads no plotting, graph, widget or array library, and
microgpt never imports explorer."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

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
