"""The wheel alone: a ``pip install`` gives the lessons and the dashboard, not only the CLI.

The project's wheel is built from the tree and installed (``--no-deps``) in a fresh virtualenv
whose only other packages are this environment's dependencies, reached through a ``.pth`` file
and ``JUPYTER_PATH`` for their data files (the source tree itself is not on its path: the
editable install's hook is not read from there). Run outside the repository: ``microgpt
lessons out`` writes every lesson, equal to ``notebooks/``, and ``microgpt serve`` serves the
classroom dashboard it holds.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from explorer.viewer import PARTS

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory) -> Path:
    """A virtualenv holding the wheel, with this environment's dependencies beside it."""
    base = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(base), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if built.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"the wheel did not build: {built.stderr[-2000:]}")
        pytest.skip(f"the wheel did not build here (no network for its build backend?): "
                    f"{built.stderr.strip().splitlines()[-1:]}")  # fmt: skip
    (wheel,) = base.glob("*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        timeout=300,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "microgpt_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    with zipfile.ZipFile(wheel) as z:
        assert "explorer/lessons/classroom_dashboard.ipynb" in z.namelist()
        # the viewer's parts, which explorer.viewer joins into one script
        assert {f"explorer/viewer/{part}" for part in PARTS} <= set(z.namelist())
    return venv


def _env() -> dict[str, str]:
    """The environment of a user's shell: no PYTHONPATH; the dependencies' data files (Voilà's
    templates, JupyterLab's extensions) found where this environment has them."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return env


def _run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = _env()
    return subprocess.run(
        [str(venv / "bin" / "microgpt"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_wheel_is_what_runs(wheel_venv, tmp_path):
    where = subprocess.run(
        [str(wheel_venv / "bin" / "python"), "-c", "import explorer; print(explorer.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert str(wheel_venv) in where and str(REPO) not in where


def test_microgpt_lessons_writes_every_lesson(wheel_venv, tmp_path):
    done = _run(wheel_venv, tmp_path, "lessons", "out")
    assert done.returncode == 0, done.stderr
    shipped = sorted((REPO / "notebooks").glob("*.ipynb"))
    assert len(shipped) >= 11
    for lesson in shipped:
        assert (tmp_path / "out" / lesson.name).read_bytes() == lesson.read_bytes()
    assert f"wrote {len(shipped) + 1} of {len(shipped) + 1} lesson files into out" in done.stdout
    again = _run(wheel_venv, tmp_path, "lessons", "out")
    assert again.returncode == 0 and "wrote 0 of" in again.stdout


def test_microgpt_serve_serves_the_dashboard_from_the_wheel(wheel_venv, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = _env()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                str(wheel_venv / "bin" / "microgpt"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--pool",
                "0",
            ],  # fmt: skip
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline, page = time.monotonic() + 180, ""
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as r:
                    page = r.read().decode("utf-8", "replace")
                    break
            except OSError:
                time.sleep(0.5)
        text = log.read_text(errors="replace")
        assert page, f"microgpt serve answered nothing:\n{text[-3000:]}"
        assert "classroom_dashboard.ipynb" in text and "voila" in page.lower(), text[-3000:]
        assert str(REPO / "notebooks") not in text
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
