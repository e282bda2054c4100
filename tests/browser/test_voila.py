"""The classroom dashboard served as an app by Voilà: the widgets render and answer a click.

Voilà's template asks a CDN for icon fonts; offline those requests fail (only icons go
missing), so those two console messages are the only ones tolerated here."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from labharness import free_port

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def voila_url(tmp_path):
    voila = Path(sys.executable).parent / "voila"
    if not voila.exists():
        pytest.fail("voila is not installed: pip install -e '.[test]' (or '.[voila]')")
    port = free_port()
    log = (tmp_path / "voila.log").open("w")
    proc = subprocess.Popen(
        [str(voila), str(REPO / "notebooks" / "classroom_dashboard.ipynb"), "--no-browser",
         f"--port={port}", "--Voila.ip=127.0.0.1"],  # fmt: skip
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:  # the port answers: the server is up (serving the app takes a kernel run)
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"voila did not start: see {log.name}")
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()


def test_dashboard_as_a_voila_app(browser, voila_url):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(voila_url, timeout=120_000)
        graph = page.locator(".microgpt-dashboard .microgpt-graph")
        expect(graph.locator("g.node").first).to_be_visible(timeout=120_000)
        relu = graph.locator("g.node[data-kind=tensor][data-id$='.mlp.relu']")
        relu.scroll_into_view_if_needed()
        relu.click()
        expect(page.locator(".microgpt-breadcrumb")).to_contain_text("layer0.mlp.relu")
    finally:
        page.close()
    assert [e for e in errors if "ERR_NAME_NOT_RESOLVED" not in e] == []
