"""``microgpt serve`` in a process of its own, for tests/browser/test_serve.py and
bench/bench_class.py. Standard library only (Playwright is the caller's).

:func:`start_serve` runs ``python -m microgpt serve --host 127.0.0.1`` on a free port (Linux
stops it if the caller dies), waits until it answers, and returns a :class:`ServeProcess`:
``.url``, ``.kernels()`` (``GET /api/kernels``), ``.log()``, ``.kernel_pids()`` (the kernel
processes, for their memory), ``.stop()`` (SIGTERM: Voilà stops its kernels; then SIGKILL for
anything left of its process tree). In a page, :data:`KERNEL_ID_JS` reads the page's kernel id.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from labharness import _descendants, _proc_stat, die_with_parent, free_port

REPO = Path(__file__).resolve().parents[2]

#: In a Voilà page: the id of the kernel that serves it (Voilà's page config).
KERNEL_ID_JS = (
    "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
)

# `python -m microgpt serve ARGS...`, stopped by Linux when the caller dies.
_DIE_WITH_PARENT = die_with_parent("microgpt", "microgpt")


@dataclass
class ServeProcess:
    url: str
    log_path: Path
    process: subprocess.Popen

    def kernels(self, timeout: float = 10.0) -> list[dict]:
        with urllib.request.urlopen(self.url + "api/kernels", timeout=timeout) as response:
            return json.loads(response.read())

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kernel_pids(self) -> dict[str, int]:
        """{kernel id: pid} of the server's live kernel processes (from their command lines,
        which name the connection file ``kernel-<id>.json``)."""
        found = {}
        for pid in _descendants(self.process.pid):
            try:
                args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            for arg in args:
                name = os.path.basename(arg.decode(errors="replace"))
                if name.startswith("kernel-") and name.endswith(".json"):
                    found[name[len("kernel-") : -len(".json")]] = pid
        return found

    def stop(self, timeout: float = 30.0) -> None:
        proc = self.process
        descendants = _descendants(proc.pid) if proc.poll() is None else {}
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout)
        deadline = time.monotonic() + timeout
        for pid, start in descendants.items():  # only the processes we saw, never a reused pid
            while (stat := _proc_stat(pid)) and stat[1] == start:
                if time.monotonic() > deadline:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                    break
                time.sleep(0.05)


def start_serve(
    log_dir: Path, *args: str, wait_pool: bool = True, timeout: float = 120.0
) -> ServeProcess:
    """Start ``microgpt serve --host 127.0.0.1 --port <free> ARGS``; return once
    ``/api/kernels`` answers and (``wait_pool``) the pool of pre-started kernels is full."""
    port = free_port()
    log_path = Path(log_dir) / f"serve-{port}.log"
    cmd = [sys.executable, "-c", _DIE_WITH_PARENT, str(os.getpid()), "serve",
           "--host", "127.0.0.1", "--port", str(port), *args]  # fmt: skip
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, cwd=REPO, env=env,
                                start_new_session=True)  # fmt: skip
    server = ServeProcess(f"http://127.0.0.1:{port}/", log_path, proc)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"microgpt serve exited ({proc.returncode}):\n{server.log()}")
            with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
                server.kernels(timeout=2)
                if not wait_pool or "is filled with" in server.log():
                    return server
            if time.monotonic() > deadline:
                raise RuntimeError(f"microgpt serve did not start:\n{server.log()}")
            time.sleep(0.3)
    except BaseException:
        server.stop()
        raise
