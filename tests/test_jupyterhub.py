"""deploy/jupyterhub_config.py: a real JupyterHub on 127.0.0.1 (configurable-http-proxy from
npm, DummyAuthenticator, each student a local process) logs three students in; each lands on
the classroom dashboard, which Voilà runs in that student's own server.

Needs ``jupyterhub`` (PyPI, in the test extras) and ``configurable-http-proxy`` (npm); without
them it is skipped with the reason, except under CI=true, where that is a failure."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STUDENTS = ("ada", "grace", "alan")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _requirements() -> None:
    missing = []
    if not (BIN / "jupyterhub").exists():
        missing.append("jupyterhub (pip install -e '.[test]')")
    if not shutil.which("configurable-http-proxy"):
        missing.append("configurable-http-proxy (npm install -g configurable-http-proxy)")
    if missing:
        reason = "the JupyterHub test needs " + "; ".join(missing)
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def hub(tmp_path):
    _requirements()
    port = _free_port()
    env = dict(os.environ, MICROGPT_HUB_LANDING="dashboard", MICROGPT_HUB_IP="127.0.0.1",
               MICROGPT_HUB_PORT=str(port), PYTHONPATH=str(REPO),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"))  # fmt: skip
    # The recipe as it is, then what a test needs: dummy logins, every student a process of
    # this user (root in CI) with a home under tmp, ports and files of its own.
    config = tmp_path / "test_config.py"
    config.write_text(
        "import runpy\n"
        f"runpy.run_path({str(REPO / 'deploy' / 'jupyterhub_config.py')!r},"
        " init_globals={'get_config': get_config})\n"
        "c = get_config()\n"
        "c.JupyterHub.authenticator_class = 'dummy'\n"
        "c.Authenticator.allow_all = True\n"
        "c.JupyterHub.spawner_class = 'simple'\n"
        f"c.SimpleLocalProcessSpawner.home_dir_template = '{tmp_path}/home/{{username}}'\n"
        "c.Spawner.args.append('--allow-root')\n"
        f"c.JupyterHub.hub_port = {_free_port()}\n"
        f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{_free_port()}'\n"
        f"c.JupyterHub.db_url = 'sqlite:///{tmp_path}/hub.sqlite'\n"
        f"c.JupyterHub.cookie_secret_file = '{tmp_path}/cookie_secret'\n",
        encoding="utf-8",
    )
    cmd = [str(BIN / "jupyterhub"), "-f", str(config)]
    log_path = tmp_path / "hub.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "hub/api/", timeout=2).read()
                break
            except (OSError, urllib.error.URLError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterHub did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.5)
        yield url, log_path
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # the hub stops the students' servers
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def _login(url: str, name: str) -> tuple[urllib.request.OpenerDirector, str]:
    """Log in as ``name``; follow the hub to the landing page. Returns (browser, final URL)."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    browser.open(url + "hub/login", timeout=30).read()
    xsrf = next(c.value for c in jar if c.name == "_xsrf")
    form = urllib.parse.urlencode({"username": name, "password": "x", "_xsrf": xsrf})
    response = browser.open(url + "hub/login", data=form.encode(), timeout=200)
    response.read()
    return browser, response.geturl()


def _open_landing(browser, url: str, name: str, landing: str) -> str:
    """Open the student's server; while it starts the hub shows its spawn-pending page."""
    deadline = time.monotonic() + 300
    while True:
        with browser.open(url + f"user/{name}/", timeout=300) as response:
            page = response.read().decode()
            if response.geturl() == landing:
                return page
        if time.monotonic() > deadline:
            pytest.fail(f"{name} never reached {landing} (last: {response.geturl()})")
        time.sleep(1)


def test_three_students_land_on_the_dashboard(hub):
    url, log_path = hub
    browsers = {}
    for name in STUDENTS:  # the whole class logs in, then each opens the landing page
        browsers[name], _ = _login(url, name)
    for name, browser in browsers.items():
        landing = f"{url}user/{name}/voila/render/classroom_dashboard.ipynb"  # default_url
        page = _open_landing(browser, url, name, landing)
        # Voilà ran the notebook in this student's own server: the dashboard is a widget
        # view, and nothing failed.
        assert WIDGET_VIEW in page, page[-2000:]
        assert "Traceback" not in page and "There was an error" not in page
    log = log_path.read_text(errors="replace")
    assert "Starting managed service idle-culler" in log  # idle students are stopped
