"""Build the lessons as a static JupyterLite site (``make lite``): Python runs in the students'
browsers (Pyodide), so a class needs a link and no server kernels.

Everything comes from the two registries, pinned, and nothing from third parties is committed:

- **npm**: Pyodide itself (the interpreter, its standard library, its package lock) and
  ``@viz-js/viz`` (Graphviz as WebAssembly, which lays the graphs out in the browser:
  ``explorer.lite``);
- **PyPI**: JupyterLite and its Pyodide kernel (``deploy/lite/requirements.txt``, installed in
  the build's own virtualenv by ``make lite``), the pure-Python wheels the kernel and the
  widgets need, at the versions of Pyodide's lock (``ipython``, ``traitlets``, …) or pinned
  here (``ipywidgets``, ``anywidget``, …), and this project's own wheel, built from the tree.

Pyodide's lock is rewritten for what the site serves: every package the site holds points at
its file (with its own sha256), every other one at Pyodide's CDN (numpy and matplotlib have no
build on PyPI or npm: a lesson that draws charts loads them from there when it is online).
The project's wheel is preloaded when the kernel starts, so a lesson's first cell needs no
``%pip``. The site's files are the lessons that wheel holds (``explorer/lessons/``, from
``notebooks/``), under ``notebooks/``.

Usage: ``make lite``, which installs ``deploy/lite/requirements.txt`` into ``build/lite-env``
and runs ``build/lite-env/bin/python deploy/lite/build.py [--out build/lite] [--work
build/lite-work]``. Needs Node.js's ``npm``. The npm packages and wheels are kept in ``--work``
and the project's wheel is built without a download (hatchling is pinned in the build's
environment), so once that environment exists a second build asks no registry. ``--out`` is
replaced whole, so it must be new, empty, or an earlier site (it holds ``.microgpt-lite``); the
site is built beside it and swapped in only when complete.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PYODIDE = "314.0.6"  # jupyterlite-pyodide-kernel 0.8.6's Pyodide
VIZ = "3.31.0"
CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE}/full/"
PYTHON = "3.14"  # Pyodide 314's Python, for `pip download`

#: Pure-Python wheels the site serves that Pyodide's lock does not hold: (version, the lock
#: names they need). ipywidgets' other requirements (widgetsnbextension, jupyterlab_widgets)
#: are the front end's, which the site has as JupyterLab extensions.
KERNEL_WHEELS = {
    "comm": ("0.2.3", []),
    "ipywidgets": ("8.1.9", ["comm", "ipython", "traitlets"]),
    "psygnal": ("0.16.1", []),
    "anywidget": ("0.11.0", ["ipywidgets", "psygnal", "typing-extensions"]),
}

#: This project in the kernel: the widgets' stack, never numpy or matplotlib (chart lessons
#: load those from Pyodide's CDN; the graph lessons need nothing from outside).
PROJECT = ("microgpt-explorer", ["ipywidgets", "anywidget"], ["microgpt", "explorer"])

#: What the Pyodide kernel loads as it starts (micropip, then jedi and ipython through piplite).
KERNEL_START = ["micropip", "jedi", "ipython"]
#: Loaded with Pyodide itself, all at once, instead of one by one by the kernel as it starts.
KERNEL_PRELOAD = ["ipython", "jedi", "comm"]

#: The Pyodide files the site serves (the rest of the npm package is types and maps).
PYODIDE_FILES = ["pyodide.mjs", "pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm"]
PYODIDE_FILES += ["python_stdlib.zip"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "build" / "lite")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "lite-work")
    args = parser.parse_args(argv)
    work = args.work.resolve()
    out = args.out.resolve()
    check_out(out)
    jupyter_lite = Path(sys.executable).parent / "jupyter-lite"
    if not jupyter_lite.exists():
        raise SystemExit(
            f"no jupyter-lite beside {sys.executable}: run `make lite`, which installs "
            "deploy/lite/requirements.txt into build/lite-env and runs this script there"
        )
    if shutil.which("npm") is None:
        raise SystemExit(
            "npm is not installed: the site's Pyodide and viz.js come from the npm registry. "
            "Install Node.js with npm (Debian/Ubuntu: apt-get install nodejs npm), then run "
            "`make lite` again"
        )
    work.mkdir(parents=True, exist_ok=True)

    pyodide_dir = npm_package("pyodide", PYODIDE, work)
    viz_dir = npm_package("@viz-js/viz", VIZ, work)
    lock = json.loads((pyodide_dir / "pyodide-lock.json").read_text(encoding="utf-8"))
    packages = lock["packages"]

    wheels = work / "wheels"
    wheels.mkdir(exist_ok=True)
    served: dict[str, Path] = {}
    for name, (version, _) in KERNEL_WHEELS.items():
        served[name] = pip_wheel(name, version, wheels)
    starts = KERNEL_START + [d for _, deps in KERNEL_WHEELS.values() for d in deps]
    for name in closure(starts, packages):
        if name in KERNEL_WHEELS:
            continue
        entry = packages[name]
        if not entry["file_name"].endswith("-none-any.whl"):
            raise SystemExit(
                f"the kernel needs {name}, which has no pure-Python wheel: the site cannot "
                "serve it from PyPI"
            )
        served[name] = pip_wheel(name, entry["version"], wheels)
    project = project_wheel(work / "project")

    staging = work / "lite"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    (staging / "jupyter-lite.json").write_text(json.dumps(site_config(), indent=2) + "\n")
    contents = staging / "contents"  # the wheel's lessons, under notebooks/ as in the tree
    lessons_from_wheel(project, contents / "notebooks")
    # built beside the target and swapped in whole: a failed build leaves the old site as it was
    building = out.parent / f".{out.name}.building"
    if building.exists():
        shutil.rmtree(building)
    run(
        [
            str(jupyter_lite),
            "build",
            "--lite-dir",
            str(staging),
            "--contents",
            str(contents),
            "--output-dir",
            str(building),
            "--apps",
            "lab",
            "--no-sourcemaps",
            "--no-unused-shared-packages",
        ],
        cwd=staging,
    )

    target = building / "static" / "pyodide"
    target.mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_FILES:
        shutil.copy2(pyodide_dir / name, target / name)
    shutil.copy2(viz_dir / "dist" / "viz.js", target / "viz.js")
    for path in [*served.values(), project]:
        shutil.copy2(path, target / path.name)
    rewrite_lock(lock, served, project)
    (target / "pyodide-lock.json").write_text(json.dumps(lock, separators=(",", ":")))
    (building / MARK).write_text("a lessons site written by deploy/lite/build.py (make lite)\n")
    if out.exists():
        shutil.rmtree(out)  # check_out made sure it is an earlier site, or empty
    building.rename(out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {out} ({size / 1e6:.1f} MB): serve it with any static web server")
    return 0


#: The file a site this script wrote holds: only such a folder (or an empty one) is replaced.
MARK = ".microgpt-lite"


def check_out(out: Path) -> None:
    """Refuse an ``--out`` that is not an earlier site of this script, or empty: it is deleted
    and replaced (``--out docs`` must not wipe a repository's docs/)."""
    if out.exists() and not out.is_dir():
        raise SystemExit(f"--out {out} is a file: give a folder for the site")
    ours = (out / MARK).is_file() or (out / "static" / "pyodide" / "viz.js").is_file()
    if out.is_dir() and any(out.iterdir()) and not ours:  # (viz.js: a site from before MARK)
        raise SystemExit(
            f"--out {out} holds files this script did not write: it replaces its folder "
            "whole, so give a new or empty folder (or an earlier site of make lite)"
        )
    if out in (REPO, *REPO.parents) or out == Path.home():
        raise SystemExit(f"--out {out} would replace the repository or a folder above it")


def site_config() -> dict:
    """The site's ``jupyter-lite.json``: the kernel on the site's own Pyodide, no PyPI."""
    kernel = {
        "pyodideUrl": "./static/pyodide/pyodide.mjs",
        "disablePyPIFallback": True,
        "loadPyodideOptions": {"packages": ["micropip", PROJECT[0], *KERNEL_PRELOAD]},
    }
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "microgpt explorer",
            "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": kernel},
        },
    }


def closure(names: list[str], packages: dict) -> list[str]:
    """``names`` and everything they depend on in Pyodide's lock, in a stable order."""
    seen: list[str] = []
    todo = list(names)
    while todo:
        name = normalized(todo.pop(0))
        if name in seen or name in KERNEL_WHEELS:
            continue
        if name not in packages:
            raise SystemExit(f"{name} is not in Pyodide {PYODIDE}'s lock")
        seen.append(name)
        todo.extend(packages[name]["depends"])
    return seen


def normalized(name: str) -> str:
    """A package name as the lock's keys spell it (PEP 503: ``prompt_toolkit`` is
    ``prompt-toolkit``)."""
    return name.lower().replace("_", "-").replace(".", "-")


def rewrite_lock(lock: dict, served: dict[str, Path], project: Path) -> None:
    """Point every package at the site's file or at Pyodide's CDN; add the site's own."""
    packages = lock["packages"]
    for name, entry in packages.items():
        if name in served:
            entry["file_name"] = served[name].name
            entry["sha256"] = sha256(served[name])
        else:
            entry["file_name"] = CDN + entry["file_name"]
    for name, (version, depends) in KERNEL_WHEELS.items():
        packages[name] = lock_entry(name, version, served[name], depends, [name])
    name, depends, imports = PROJECT
    version = project.name.split("-")[1]
    packages[name] = lock_entry(name, version, project, depends, imports)


def lock_entry(name: str, version: str, wheel: Path, depends: list, imports: list) -> dict:
    return {
        "name": name,
        "version": version,
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": sha256(wheel),
        "package_type": "package",
        "imports": imports,
        "depends": depends,
        "unvendored_tests": False,
    }


def npm_package(name: str, version: str, work: Path) -> Path:
    """The npm package ``name@version`` unpacked under ``work/npm`` (kept: built once)."""
    folder = work / "npm" / f"{name.replace('/', '__')}-{version}"
    if not (folder / "package.json").exists():
        (work / "npm").mkdir(parents=True, exist_ok=True)
        done = run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=work / "npm")
        tarball = work / "npm" / done.stdout.strip().splitlines()[-1]
        with tarfile.open(tarball) as tar:
            tar.extractall(folder.parent / (folder.name + ".tmp"), filter="data")
        (folder.parent / (folder.name + ".tmp") / "package").rename(folder)
        shutil.rmtree(folder.parent / (folder.name + ".tmp"))
        tarball.unlink()
    return folder


def pip_wheel(name: str, version: str, dest: Path) -> Path:
    """The pure-Python wheel ``name==version`` from PyPI (kept in ``dest``)."""
    stem = name.replace("-", "_").lower()
    found = [p for p in dest.glob("*.whl") if _wheel_key(p) == (stem, version)]
    if not found:
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        pip += ["--only-binary=:all:", "--platform", "any", "--implementation", "py"]
        pip += ["--python-version", PYTHON, "--abi", "none", "--dest", str(dest)]
        run([*pip, f"{name}=={version}"])
        found = [p for p in dest.glob("*.whl") if _wheel_key(p) == (stem, version)]
    if len(found) != 1:
        raise SystemExit(f"expected one wheel of {name}=={version} in {dest}, found {found}")
    return found[0]


def _wheel_key(path: Path) -> tuple[str, str]:
    name, version = path.name.split("-")[:2]
    return name.lower().replace(".", "_"), version


def project_wheel(dest: Path) -> Path:
    """This project's wheel, built from the tree (``pip wheel``)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    # hatchling is pinned in requirements.txt and used in place: no download at build time
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(dest), str(REPO)])  # fmt: skip
    (wheel,) = dest.glob("*.whl")
    return wheel


def lessons_from_wheel(wheel: Path, dest: Path) -> None:
    """The lessons the wheel holds (``explorer/lessons/``: what a ``pip install`` gets)."""
    prefix = "explorer/lessons/"
    dest.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as z:
        # the lessons themselves: a folder's leftovers (.ipynb_checkpoints, scratch files) that
        # the wheel may have picked up are not the site's
        names = [n for n in z.namelist() if n.startswith(prefix)]
        names = [n for n in names if "/" not in n[len(prefix) :]]
        names = [n for n in names if n.endswith(".ipynb") or n.endswith("/README.md")]
        if not any(n.endswith(".ipynb") for n in names):
            raise SystemExit(f"{wheel.name} holds no lessons under {prefix}: see pyproject.toml")
        for name in names:
            (dest / name[len(prefix) :]).write_bytes(z.read(name))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(
            f"`{' '.join(command)}` failed ({done.returncode}):\n{done.stderr or done.stdout}"
        )
    return done


if __name__ == "__main__":
    sys.exit(main())
