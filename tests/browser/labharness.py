"""Real-browser helpers: a JupyterLab server in a temp dir, and Playwright helpers for notebooks.

The fixtures in ``conftest.py`` wrap these; the module docstring there shows how a test uses
them. Everything here imports only the standard library at module level, so collecting the
suite with ``-m 'not browser'`` costs nothing; Playwright and nbformat are imported lazily.

Races this module deals with (see ../shared/ENVIRONMENT.md, "A real browser"):

- The notebook toolbar reads "idle" before any kernel exists; Run All then runs nothing. We
  never read the toolbar: we wait, inside the page, for the notebook's own
  ``sessionContext.session.kernel`` to be ``connected`` and ``idle`` and for its
  ``kernel_info`` reply, and only then run all cells through the command registry
  (``window.jupyterapp``, exposed by ``--LabApp.expose_app_in_browser=True``).
- JupyterLab 4 virtualises long notebooks (cells outside the viewport are not rendered); the
  settings below switch windowing off so every output is in the DOM.
- Autosave and the news toast are switched off, so tests never write into the notebooks and
  no toast covers the page.
- A notebook reopened on the same server would reconnect to its old kernel (old state, old
  execution counts); ``open_notebook`` shuts down any session on that path first.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    from playwright.sync_api import Page

#: Debian's Chromium (apt package ``chromium``); the /usr/bin wrapper prints a spurious error.
CHROMIUM = Path(os.environ.get("BROWSER_TESTS_CHROMIUM", "/usr/lib/chromium/chromium"))
#: The two reference screens (DESIGN.md, "Screens and presentation"): browser-context options.
SCREENS = {
    "laptop": {"viewport": {"width": 1600, "height": 1000}, "device_scale_factor": 1},
    "projector": {"viewport": {"width": 853, "height": 480}, "device_scale_factor": 1.5},
}

#: Flags verified on these machines (ENVIRONMENT.md).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: JupyterLab user settings written into the server's temp settings dir.
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    # No "would you like news?" toast, no update check (no network, nothing covering the page).
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Never write outputs back into the notebooks under test.
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    # Render every cell (JupyterLab 4 otherwise virtualises cells outside the viewport).
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}

#: Run by every kernel of the server (IPython startup file in the temp IPYTHONDIR).
KERNEL_STARTUP = """\
# Written by tests/browser/labharness.py. JupyterLab's widget manager asks every new kernel for
# its widgets through the comm target "jupyter.widget.control"; until ipywidgets is imported the
# kernel answers on stderr ("No such comm target registered: jupyter.widget.control", then "No
# such comm: <id>"), which the harness would report as kernel errors. Importing it here (binding
# no name in the user namespace) registers the target before the frontend asks.
__import__("ipywidgets")
"""

#: Output elements that mean something went wrong in a cell. Verified against JupyterLab 4.6:
#: stderr streams *and* error tracebacks are both rendered as
#: ``div.jp-RenderedText.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]``
#: (Lab turns an ``error`` output into a stderr bundle; ``application/vnd.jupyter.error`` never
#: appears as a ``data-mime-type``). Nested output areas (ipywidgets ``Output``) use the same
#: classes, so errors captured by an Output widget are found too.
STDERR_OUTPUT_SELECTOR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
#: Text ipywidgets puts in an output when a widget view cannot be created (and console.error).
WIDGET_ERROR_TEXT = "Error displaying widget"
#: An error report keeps its first line and this many last lines (tracebacks get long).
ERROR_TAIL_LINES = 12

KERNEL_TIMEOUT_S = 90.0
RUN_TIMEOUT_S = 120.0


def ci_requires_browser() -> bool:
    """In CI (``CI=true``) a missing browser is a failure, never a skip."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing_requirements() -> list[str]:
    """What is missing to run the browser tests here (empty when all is present)."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append(
            "the `playwright` Python package (pip install playwright; do not run "
            "`playwright install`, the tests use Debian's Chromium)"
        )
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium at {CHROMIUM} (apt-get install -y chromium)")
    if importlib.util.find_spec("jupyterlab") is None:  # importing it costs 1.5 s
        missing.append("the `jupyterlab` Python package")
    return missing


# --------------------------------------------------------------------------------------------
# The JupyterLab server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_lab_settings(settings_dir: Path, settings: dict[str, dict[str, Any]]) -> None:
    for plugin, values in settings.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2), encoding="utf-8")


def notebook_json(cells: list[str]) -> str:
    """A notebook (kernelspec ``python3``, no outputs) with one code cell per source string."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    return nbformat.writes(nb)


def _proc_stat(pid: int) -> tuple[int, int] | None:
    """(ppid, start time) of a live process, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[19])


def _descendants(root_pid: int) -> dict[int, int]:
    """{pid: start time} of every live descendant of root_pid (kernels live in their own
    sessions, so killing the server's process group alone would orphan them)."""
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat:
                children.setdefault(stat[0], []).append((int(entry.name), stat[1]))
    found: dict[int, int] = {}
    todo = [root_pid]
    while todo:
        for pid, start in children.get(todo.pop(), []):
            if pid not in found:
                found[pid] = start
                todo.append(pid)
    return found


@dataclass
class LabServer:
    """A running JupyterLab server (see :func:`start_lab_server`)."""

    url: str  #: e.g. "http://127.0.0.1:41234/" (no token)
    root_dir: Path  #: the server's root: a temp dir holding copies of the notebooks
    log_path: Path  #: the server's (and its kernels') stdout/stderr
    process: subprocess.Popen = field(repr=False)
    _jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar, repr=False)
    _http: urllib.request.OpenerDirector | None = field(default=None, repr=False)
    _xsrf: str = field(default="", repr=False)

    # -- notebooks --------------------------------------------------------------------------

    def add_notebook(self, source: str | os.PathLike, name: str | None = None) -> str:
        """Copy a notebook (or a directory) into the root; return its path relative to it."""
        source = Path(source)
        target = self.root_dir / (name or source.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        else:
            shutil.copyfile(source, target)
        return target.relative_to(self.root_dir).as_posix()

    def write_notebook(self, name: str, cells: list[str]) -> str:
        """Write a notebook with these code cells into the root; return its relative path."""
        target = self.root_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(notebook_json(cells), encoding="utf-8")
        return name

    # -- REST ---------------------------------------------------------------------------------

    def api(self, method: str, path: str, body: Any = None, timeout: float = 10.0) -> Any:
        """Call the server's REST API (``path`` like "api/kernels"); return the decoded JSON.
        Non-GET requests carry the XSRF token the server demands even without a token."""
        if self._http is None:
            self._http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self._jar))
        if method != "GET" and not self._xsrf:  # any page sets the `_xsrf` cookie
            self._http.open(self.url + "lab", timeout=timeout).read()
            self._xsrf = next((c.value for c in self._jar if c.name == "_xsrf"), "")
        request = urllib.request.Request(
            self.url + path.lstrip("/"),
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-XSRFToken": self._xsrf},
        )
        with self._http.open(request, timeout=timeout) as response:
            data = response.read()
        return json.loads(data) if data else None

    def shutdown_kernels(self) -> None:
        """Shut down every session and kernel (each test starts from fresh kernels)."""
        with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
            for session in self.api("GET", "api/sessions"):
                self.api("DELETE", f"api/sessions/{session['id']}")
            for kernel in self.api("GET", "api/kernels"):
                self.api("DELETE", f"api/kernels/{kernel['id']}")

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # -- lifetime -----------------------------------------------------------------------------

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the server (SIGTERM to its process group, SIGKILL if needed) and any kernel or
        other descendant that outlives it. Idempotent."""
        proc = self.process
        descendants = _descendants(proc.pid) if proc.poll() is None else {}
        if proc.poll() is None:
            self.shutdown_kernels()
            descendants.update(_descendants(proc.pid))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout)
        with contextlib.suppress(ProcessLookupError):  # stragglers in the server's own group
            os.killpg(proc.pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        for pid, start in descendants.items():
            # Only the very processes we saw (same pid *and* start time), never a reused pid.
            while (stat := _proc_stat(pid)) and stat[1] == start:
                if time.monotonic() > deadline:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                    break
                time.sleep(0.05)


def die_with_parent(module: str, argv0: str) -> str:
    """Python code for ``python -c CODE PARENT_PID ARGS...`` that runs ``python -m module
    ARGS...`` after asking Linux to SIGTERM it when the caller dies (SIGKILL, SIGTERM from a CI
    timeout: no fixture finaliser runs then). A server then stops as usual and shuts its kernels
    down; the kernels also watch their parent (ipykernel)."""
    return f"""\
import ctypes, os, runpy, signal, sys
parent = int(sys.argv.pop(1))
if sys.platform.startswith("linux"):
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
if os.getppid() != parent:
    sys.exit("the caller is gone")
sys.argv[0] = {argv0!r}
runpy.run_module({module!r}, run_name="__main__", alter_sys=True)
"""


_DIE_WITH_PARENT = die_with_parent("jupyterlab", "jupyter-lab")


def start_lab_server(base: Path, root_dir: Path, timeout: float = 60.0) -> LabServer:
    """Start ``jupyter lab`` serving ``root_dir``; settings, workspaces, runtime, config and
    IPython dirs all live under ``base``. Returns once ``/api/status`` answers."""
    settings_dir, ws_dir = base / "settings", base / "ws"
    for sub in ("settings", "ws", "runtime", "config", "ipython"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    write_lab_settings(settings_dir, LAB_SETTINGS)
    startup = base / "ipython" / "profile_default" / "startup" / "00-harness.py"
    startup.parent.mkdir(parents=True, exist_ok=True)
    startup.write_text(KERNEL_STARTUP, encoding="utf-8")
    env = dict(os.environ)
    env.update(
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTER_CONFIG_DIR=str(base / "config"),  # no user config from ~/.jupyter
        IPYTHONDIR=str(base / "ipython"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONUNBUFFERED="1",
    )
    errors = []
    for attempt in range(3):  # a free port can be taken between bind() and the server's bind
        port = free_port()
        log_path = base / f"jupyterlab-{port}.log"
        cmd = [
            sys.executable,
            "-c",
            _DIE_WITH_PARENT,
            str(os.getpid()),
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            f"--ServerApp.root_dir={root_dir}",
            f"--LabApp.user_settings_dir={settings_dir}",
            f"--LabApp.workspaces_dir={ws_dir}",
            "--LabApp.expose_app_in_browser=True",
        ]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=root_dir,
                env=env,
                start_new_session=True,  # its own process group, stopped as a whole
            )
        server = LabServer(f"http://127.0.0.1:{port}/", root_dir, log_path, proc)
        try:
            if _wait_until_answering(server, timeout):
                return server
        except BaseException:
            server.stop()
            raise
        server.stop()
        errors.append(f"attempt {attempt + 1} (port {port}):\n{server.log_tail()}")
        if "already in use" not in server.log_tail():
            break
    raise RuntimeError("JupyterLab did not start:\n" + "\n".join(errors))


def _wait_until_answering(server: LabServer, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            server.api("GET", "api/status", timeout=2)
            return True
        except (OSError, urllib.error.URLError, ValueError):
            time.sleep(0.2)
    return False


# --------------------------------------------------------------------------------------------
# Playwright helpers

_FIND_PANEL_JS = """
window.__harnessPanel = (path) => {
    for (const w of window.jupyterapp.shell.widgets('main')) {
        if (w.context && w.context.path === path && w.sessionContext) return w;
    }
    return null;
};
"""

# Opens the notebook and, at once (before its kernel exists), records every error and stderr
# iopub message of its kernel whatever the parent: this catches tracebacks from widget callbacks
# and trait observers, which never reach a cell's output area.
_OPEN_JS = """
async ({path}) => {
    const app = window.jupyterapp;
    await app.restored;
    // A session left on this path (an earlier test) would hand us its used kernel.
    const sessions = app.serviceManager.sessions;
    await sessions.refreshRunning();
    for (const model of [...sessions.running()]) {
        if (model.path === path) await sessions.shutdown(model.id);
    }
    try {
        await app.serviceManager.contents.get(path, {content: false});
    } catch (error) {
        throw new Error(`no notebook ${path} in the server's root: ${error}`);
    }
    const widget = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
    const errors = window.__harnessKernelErrors = window.__harnessKernelErrors || [];
    const control = window.__harnessControlComms = window.__harnessControlComms || [];
    widget.sessionContext.iopubMessage.connect((_, msg) => {
        const type = msg.header.msg_type, c = msg.content;
        if (type === 'comm_msg' && c.data && c.data.method === 'update_states') {
            control.push(c.comm_id);  // the widget manager's state-restore comm
        } else if (type === 'error') {
            const head = `${c.ename}: ${c.evalue}`;
            errors.push({head, text: (c.traceback || []).join('\\n') || head});
        } else if (type === 'stream' && c.name === 'stderr' && c.text.trim()) {
            errors.push({head: c.text.trim(), text: c.text});
        }
    });
    app.shell.activateById(widget.id);
    await widget.context.ready;
    await widget.sessionContext.ready;
}
"""

# True once the notebook's *own* kernel exists, is connected and idle (not the toolbar text).
_KERNEL_IDLE_JS = """
(path) => {
    const panel = window.__harnessPanel(path);
    const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
    return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}
"""

_KERNEL_INFO_JS = """
async (path) => { await window.__harnessPanel(path).sessionContext.session.kernel.info; }
"""

_RUN_ALL_JS = """
async ({path, timeoutMs}) => {
    const app = window.jupyterapp;
    const panel = window.__harnessPanel(path);
    app.shell.activateById(panel.id);
    const run = app.commands.execute('notebook:run-all-cells');
    const timeout = new Promise((_, reject) => setTimeout(
        () => reject(new Error(`Run All did not finish within ${timeoutMs} ms`)), timeoutMs));
    return await Promise.race([run, timeout]);
}
"""

# Every code cell has run (an execution count, not running) and the kernel is idle again.
_RUN_DONE_JS = """
(path) => {
    const panel = window.__harnessPanel(path);
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    if (!kernel || kernel.status !== 'idle') return false;
    // JupyterLab skips empty code cells: they never get an execution count.
    return panel.content.widgets.every(cell => cell.model.type !== 'code' ||
        !cell.model.sharedModel.getSource().trim() ||
        (cell.model.executionCount !== null && cell.model.executionState !== 'running'));
}
"""

_WIDGETS_RENDERED_JS = """
() => ![...document.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.widget-view+json"]')]
    .some(el => el.textContent.trim() === 'Loading widget...')
"""


def open_notebook(page: Page, path: str, timeout: float = KERNEL_TIMEOUT_S) -> None:
    """Load JupyterLab in ``page``, open the notebook at ``path`` (relative to the server root)
    on a fresh kernel, and wait until that kernel is connected, idle and has answered
    ``kernel_info``. The page's context must have the server's URL as ``base_url`` (the
    ``page`` fixture does this)."""
    ms = timeout * 1000
    page.goto("lab?reset", timeout=ms)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=ms)
    page.evaluate(_FIND_PANEL_JS)
    page.evaluate(_OPEN_JS, {"path": path})
    page.wait_for_function(_KERNEL_IDLE_JS, arg=path, timeout=ms, polling=100)
    page.evaluate(_KERNEL_INFO_JS, path)


def run_all(page: Page, path: str, timeout: float = RUN_TIMEOUT_S, check: bool = True) -> list[str]:
    """Run all cells of the open notebook ``path`` through JupyterLab's ``notebook:run-all-cells``
    command and wait until the kernel is idle with every code cell executed and every widget
    view rendered. Returns :func:`error_outputs`; with ``check`` it raises if there are any."""
    ms = timeout * 1000
    ok = page.evaluate(_RUN_ALL_JS, {"path": path, "timeoutMs": ms})
    if ok:
        page.wait_for_function(_RUN_DONE_JS, arg=path, timeout=ms, polling=100)
        page.wait_for_function(_WIDGETS_RENDERED_JS, timeout=ms, polling=100)
    errors = error_outputs(page)
    if check and (errors or not ok):
        detail = "\n\n".join(errors) or "(no error output found in the page)"
        raise AssertionError(f"Run All of {path} failed (run-all returned {ok}):\n{detail}")
    return errors


def open_and_run_all(
    page: Page, path: str, timeout: float = RUN_TIMEOUT_S, check: bool = True
) -> list[str]:
    """:func:`open_notebook` then :func:`run_all` (see both)."""
    open_notebook(page, path, timeout=min(timeout, KERNEL_TIMEOUT_S))
    return run_all(page, path, timeout=timeout, check=check)


def error_outputs(page: Page) -> list[str]:
    """Error outputs in the page: stderr streams and tracebacks in any output area (a
    traceback is rendered as stderr), widgets that failed to display, and kernel error/stderr
    messages that reached no cell (raised in a widget callback or a trait observer). Each entry
    says where it was found and gives the (shortened) text."""
    found = [
        "stderr/traceback output: " + _shorten(text)
        for text in page.locator(STDERR_OUTPUT_SELECTOR).all_inner_texts()
    ]
    found += [
        "widget output: " + _shorten(text)
        for text in page.evaluate(_WIDGET_ERRORS_JS, WIDGET_ERROR_TEXT)
    ]
    # A cell's traceback or stderr arrives both as an output and as an iopub message: once.
    squash = re.compile(r"\s+")
    shown = [squash.sub("", _ANSI.sub("", text)) for text in found]
    messages, control = page.evaluate(
        "() => [window.__harnessKernelErrors || [], window.__harnessControlComms || []]"
    )
    for message in messages:
        if _benign_kernel_message(message["head"], control):
            continue
        head = squash.sub("", _ANSI.sub("", message["head"]))
        if not any(head in text for text in shown):
            found.append("kernel message (no cell): " + _shorten(message["text"]))
            shown.append(squash.sub("", _ANSI.sub("", message["text"])))
    return found


def wait_for_error_output(page: Page, text: str, timeout: float = 15.0) -> list[str]:
    """Wait until an entry of :func:`error_outputs` contains ``text`` (say, an exception a
    click should raise in the kernel); return all entries. Raises ``TimeoutError``."""
    deadline = time.monotonic() + timeout
    while True:
        errors = error_outputs(page)
        if any(text in error for error in errors):
            return errors
        if time.monotonic() > deadline:
            raise TimeoutError(f"no error output containing {text!r} in {timeout} s: {errors}")
        page.wait_for_timeout(100)


def _benign_kernel_message(text: str, control_comms: list[str]) -> bool:
    """ipykernel 7 looks a ``comm_msg``'s comm up (to route it to a subshell) on its shell
    channel thread, possibly before the main thread has handled the ``comm_open`` sent just
    before it, and then logs "No such comm: <id>" to stderr although the message is handled
    fine. JupyterLab's widget manager does exactly that with its state-restore comm
    (``jupyter.widget.control``, answered by ``update_states``) on every new kernel. Only that
    comm's id is excused; "No such comm" for any other comm (a widget closed in Python while
    its view still talks) is reported."""
    match = re.fullmatch(r"No such comm: (\S+)", text.strip())
    return bool(match) and match.group(1) in control_comms


_WIDGET_ERRORS_JS = """
(prefix) => [...document.querySelectorAll('.jp-OutputArea-output')]
    .map(el => el.textContent.trim()).filter(text => text.startsWith(prefix))
"""
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _shorten(text: str) -> str:
    lines = _ANSI.sub("", text).strip().splitlines()
    if len(lines) > ERROR_TAIL_LINES + 2:
        lines = [lines[0], "..."] + lines[-ERROR_TAIL_LINES:]
    return "\n".join(lines)


def expect(actual: Any, message: str | None = None) -> Any:
    """Playwright's ``expect``, imported on first use (so test modules can import it from here
    at collection time on a machine without Playwright, and get a skip instead of an error)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(actual, message)


def collect_console_errors(page: Page, into: list[str] | None = None) -> list[str]:
    """Record the page's ``console.error`` messages and uncaught exceptions (``pageerror``) into
    a list, live, from now on; return it."""
    errors = [] if into is None else into

    def on_console(message) -> None:
        if message.type == "error":
            location = message.location or {}
            where = f" ({location.get('url')}:{location.get('lineNumber')})" if location else ""
            errors.append(f"console.error: {message.text}{where}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("crash", lambda _page: errors.append("page crashed"))
    return errors


def save_artifacts(
    page: Page, directory: Path, notes: dict[str, str] | None = None, max_cells: int = 40
) -> list[Path]:
    """Screenshots of the viewport and of each cell (the notebook scrolls inside its panel, so
    a full-page shot shows only the viewport), the page HTML, the error outputs, and any
    ``notes`` (name -> text, e.g. console errors) as text files."""
    directory.mkdir(parents=True, exist_ok=True)
    saved = []
    notes = dict(notes or {})
    with contextlib.suppress(Exception):
        notes["error_outputs"] = "\n\n".join(error_outputs(page))
    for name, text in notes.items():
        path = directory / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        saved.append(path)
    with contextlib.suppress(Exception):
        path = directory / "page.png"
        page.screenshot(path=path, timeout=5000)
        saved.append(path)
    with contextlib.suppress(Exception):
        path = directory / "page.html"
        path.write_text(page.content(), encoding="utf-8")
        saved.append(path)
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell")
    with contextlib.suppress(Exception):
        for i in range(min(cells.count(), max_cells)):
            path = directory / f"cell-{i:02d}.png"
            cells.nth(i).screenshot(path=path, timeout=5000)
            saved.append(path)
    return saved


# --------------------------------------------------------------------------------------------
# The graph viewer (explorer/viewer/) as a learner sees it

#: What a learner sees of one viewer (``.microgpt-viewer``), in CSS px: ``scale`` (screen px per
#: SVG unit), ``font`` (the median font size of its node text on screen: font size × scale) and
#: ``height`` (the median height of those texts' boxes), ``texts`` (how many), the boxes of the
#: ``canvas`` (inside its border), the ``drawing``, the minimap (``indicator``, ``None`` while
#: hidden; ``inView``, the part of it that marks the view) and the ``output`` around the viewer,
#: ``visible`` (node texts inside the canvas, whole or in part), ``covered`` (how many of them
#: the minimap overlaps) and ``zoom`` (the zoom readout).
VIEWER_MEASURE_JS = """(viewer) => {
  const box = (r) => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                       width: r.width, height: r.height});
  const meets = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom
                          && b.top < a.bottom;
  const median = (xs) => {
    xs.sort((a, b) => a - b);
    const n = xs.length;
    return n ? (n % 2 ? xs[(n - 1) / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2) : 0;
  };
  const canvas = viewer.querySelector('.microgpt-viewer-canvas');
  const svg = canvas.querySelector(':scope > svg');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const c = canvas.getBoundingClientRect();
  const inner = {left: c.left + canvas.clientLeft, top: c.top + canvas.clientTop,
                 right: c.left + canvas.clientLeft + canvas.clientWidth,
                 bottom: c.top + canvas.clientTop + canvas.clientHeight};
  const indicator = viewer.querySelector('.microgpt-viewer-indicator');
  const shown = indicator && getComputedStyle(indicator).display !== 'none'
    && getComputedStyle(indicator).visibility !== 'hidden';
  const mini = shown ? box(indicator.getBoundingClientRect()) : null;
  const part = shown ? indicator.querySelector('.microgpt-viewer-indicator-view') : null;
  const sizes = [], heights = [];
  let visible = 0, covered = 0;
  for (const t of svg.querySelectorAll('g.node text')) {
    if (!t.textContent.trim()) continue;
    sizes.push(parseFloat(getComputedStyle(t).fontSize) * scale);
    const r = t.getBoundingClientRect();
    heights.push(r.height);
    if (!meets(r, inner)) continue;
    visible += 1;
    if (mini && meets(r, mini)) covered += 1;
  }
  const output = viewer.closest('.jp-OutputArea-output');
  return {
    scale, font: median(sizes), height: median(heights), texts: sizes.length,
    visible, covered, indicator: mini, canvas: inner,
    inView: part ? box(part.getBoundingClientRect()) : null,
    drawing: box(svg.querySelector(':scope > g').getBoundingClientRect()),
    output: output ? box(output.getBoundingClientRect()) : null,
    zoom: viewer.querySelector('.microgpt-viewer-zoom').textContent,
  };
}"""


def measure_viewer(viewer) -> dict:
    """:data:`VIEWER_MEASURE_JS` for the viewer at this Playwright locator."""
    return viewer.evaluate(VIEWER_MEASURE_JS)


def settle(page: Page) -> None:
    """Wait two animation frames: the viewer writes its view in the next one."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
