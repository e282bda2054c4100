"""Real-browser tests: JupyterLab + Debian's Chromium + Playwright (python, sync API).

Every test under ``tests/browser`` is marked ``browser`` automatically; ``-m 'not browser'``
deselects them at no cost (nothing starts until a fixture asks for it, and this package imports
only the standard library at collection). Without Chromium or the ``playwright`` package they
are skipped with the reason, except in CI (``CI=true``), where that is a failure: a missing
browser must never pass silently. Run them: ``.venv/bin/python -m pytest tests/browser -q``.

Fixtures
--------
``lab_server`` (session)
    A :class:`labharness.LabServer`: ``jupyter lab`` as root in its own process group on a free
    127.0.0.1 port, no token, news toast and autosave off, windowing off, every kernel with
    ipywidgets pre-imported, and a temp root dir holding a copy of the repo's ``notebooks/``.
    ``.add_notebook(src, name=None)`` copies a notebook (or a directory) into the root,
    ``.write_notebook(name, [source, ...])`` writes one; both return the path to open.
    ``.url``, ``.root_dir``, ``.log_path`` (server and kernel log), ``.api(method, path,
    body=None)`` (REST, XSRF handled). Stopped with its kernels at the end of the session, on
    failure and on Ctrl-C; if pytest itself is killed, Linux stops it (parent-death signal).
``browser`` (session)
    A Playwright ``Browser``: /usr/lib/chromium/chromium (``$BROWSER_TESTS_CHROMIUM``) with the
    flags from ENVIRONMENT.md. Use it directly for pages that need no JupyterLab.
``page`` (function)
    A ``Page`` in a fresh browser context whose ``base_url`` is the server's URL, 1400x1000.
    After the test every kernel is shut down. When a test fails, screenshots (viewport and one
    per cell), the page HTML, the error outputs and the console errors are saved under
    ``<pytest basetemp>/browser-artifacts/<test>/`` (or ``$BROWSER_TESTS_ARTIFACTS``); the
    failure report prints that directory and the JupyterLab log.
``console_errors`` (function)
    The live list of ``page``'s ``console.error`` messages and uncaught page errors.

Helpers (``from labharness import ...``)
-----------------------------------------
``open_and_run_all(page, path, timeout=120, check=True) -> list[str]``
    Open the notebook on a fresh kernel, wait until that kernel is connected and idle (not the
    toolbar's "idle"), run all cells, wait until every cell has run and every widget rendered.
    Raises ``AssertionError`` with the errors if anything failed; ``check=False`` returns them.
    ``open_notebook(page, path)`` and ``run_all(page, path)`` are its two halves.
``error_outputs(page) -> list[str]``
    stderr and tracebacks in any output area (Output widgets included), "Error displaying
    widget", and kernel errors/stderr that reached no cell ("kernel message (no cell): ...",
    e.g. an exception in an ``on_click`` handler or a trait observer).
``wait_for_error_output(page, text)``, ``expect`` (Playwright's, imported lazily),
``collect_console_errors(page)``, ``save_artifacts(page, directory)``.

A test
------
::

    from pathlib import Path

    from labharness import error_outputs, expect, open_and_run_all

    REPO = Path(__file__).resolve().parents[2]

    def test_dashboard(lab_server, page, console_errors):
        path = lab_server.add_notebook(REPO / "notebooks" / "classroom_dashboard.ipynb")
        open_and_run_all(page, path)
        graph, inspector = page.locator(".microgpt-graph"), page.locator(".microgpt-inspector")
        expect(graph.locator("g.node").first).to_be_visible()          # wait for a widget
        graph.locator("g.node", has=page.locator("title", has_text="logits[3]")).click()
        expect(inspector).to_contain_text("logits[3]")                 # Python answered
        value = inspector.locator(".microgpt-value").inner_text()      # read text once
        page.locator(".microgpt-pos-slider [role=slider]").focus()     # ipywidgets slider
        page.keyboard.press("ArrowRight")
        assert error_outputs(page) == []
        assert console_errors == []

Prefer ``expect(...)`` (it retries, 15 s here) to reading text once: the DOM changes only
after the kernel's reply comes back. Give widgets stable CSS classes with ``add_class`` and
find them by class. Import Playwright only inside tests or through ``labharness``, so a machine
without it skips instead of failing at collection. Figures: server start ~3 s, first notebook
~8 s (JupyterLab load + kernel start + run), each later one ~4 s.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # `labharness`, whatever the import mode

from labharness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENS,
    ci_requires_browser,
    collect_console_errors,
    missing_requirements,
    save_artifacts,
    start_lab_server,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NOTEBOOKS = REPO / "notebooks"
EXPECT_TIMEOUT_MS = 15_000
ACTION_TIMEOUT_MS = 30_000
VIEWPORT = {"width": 1400, "height": 1000}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """On a failure, while the page still shows it: save artifacts, name them in the report."""
    report = yield
    funcargs = getattr(item, "funcargs", {})
    page = funcargs.get("page")
    if report.when in ("setup", "call") and report.failed and page and not page.is_closed():
        name = re.sub(r"[^\w.\[\]-]+", "_", item.name)
        directory = funcargs["browser_artifacts_dir"] / name
        notes = {"console_errors": "\n".join(funcargs.get("console_errors") or [])}
        saved = save_artifacts(page, directory, notes)
        lines = [f"{len(saved)} files in {directory}"]
        if "lab_server" in funcargs:
            lines.append(f"JupyterLab log: {funcargs['lab_server'].log_path}")
        report.sections.append(("browser artifacts", "\n".join(lines)))
    return report


@pytest.fixture(scope="session")
def browser_requirements() -> None:
    missing = missing_requirements()
    if missing:
        reason = "browser tests need " + "; ".join(missing)
        if ci_requires_browser():
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_artifacts_dir(tmp_path_factory) -> Path:
    root = os.environ.get("BROWSER_TESTS_ARTIFACTS")
    return Path(root) if root else tmp_path_factory.getbasetemp() / "browser-artifacts"


@pytest.fixture(scope="session")
def lab_server(browser_requirements, tmp_path_factory):
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "root"
    if NOTEBOOKS.is_dir():  # a copy: the tests never write into the repo
        shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    root.mkdir(exist_ok=True)
    server = start_lab_server(base, root)
    atexit.register(server.stop)  # should the session end without running finalisers
    try:
        yield server
    finally:
        server.stop()
        atexit.unregister(server.stop)


@pytest.fixture(scope="session")
def browser(browser_requirements):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def console_errors() -> list[str]:
    return []


@pytest.fixture
def page(browser, lab_server, console_errors, browser_artifacts_dir):
    context = browser.new_context(base_url=lab_server.url, viewport=VIEWPORT)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    collect_console_errors(page, console_errors)
    try:
        yield page
    finally:
        context.close()
        lab_server.shutdown_kernels()


@pytest.fixture(params=list(SCREENS))
def screen(request, browser, lab_server):
    """``(name, page)`` on each reference screen in turn (``SCREENS``), JupyterLab as base
    URL; ``page.console_errors`` collects console errors. Kernels are stopped after."""
    name = request.param
    context = browser.new_context(base_url=lab_server.url, **SCREENS[name])
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    collect_console_errors(page, errors)
    page.console_errors = errors
    try:
        yield name, page
    finally:
        context.close()
        lab_server.shutdown_kernels()
