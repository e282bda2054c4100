"""``microgpt serve`` for a class: three students open the dashboard, leave, and no kernel of
theirs is left.

Short culling settings (idle 20 s) stand in for the defaults. Student 1 closes the tab (the
page's close request frees the kernel), student 2's browser is gone without a word
(the kernel is culled once idle), student 3 stays: an open tab is never culled, however idle."""

from __future__ import annotations

import re
import time

import pytest
from labharness import expect
from serveharness import KERNEL_ID_JS, start_serve

pytestmark = pytest.mark.browser

GONE_WITHIN_S = 90


@pytest.fixture
def served(browser_requirements, tmp_path):
    server = start_serve(tmp_path, "--pool", "1", "--cull-idle", "20")
    try:
        yield server
    finally:
        server.stop()


def _wait_gone(served, ids: set[str]) -> set[str]:
    """Wait until none of ``ids`` is listed by /api/kernels; return those still listed."""
    deadline = time.monotonic() + GONE_WITHIN_S
    while (left := ids & {k["id"] for k in served.kernels()}) and time.monotonic() < deadline:
        time.sleep(1)
    return left


def test_three_students_leave_no_kernel(browser, served):
    contexts, kernel_ids = [], []
    try:
        for _ in range(3):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(served.url, timeout=120_000)
            graph = page.locator(".microgpt-dashboard .microgpt-graph")
            expect(graph.locator("g.node").first).to_be_visible(timeout=120_000)
            contexts.append(context)
            kernel_ids.append(page.evaluate(KERNEL_ID_JS))
        assert len(set(kernel_ids)) == 3, "each student has a kernel of their own"
        listed = {k["id"]: k for k in served.kernels()}
        for kid in kernel_ids:
            assert listed[kid]["connections"] >= 1

        # Student 3 clicks a tensor: the kernel answers (the page is live, not a picture).
        page3 = contexts[2].pages[0]
        relu = page3.locator(".microgpt-graph g.node[data-kind=tensor][data-id$='.mlp.relu']")
        relu.scroll_into_view_if_needed()
        relu.click()
        expect(page3.locator(".microgpt-breadcrumb")).to_contain_text("layer0.mlp.relu")

        contexts[0].pages[0].close(run_before_unload=True)  # closes the tab
        contexts[0].close()
        contexts[1].close()  # the browser is gone: no close request
        assert _wait_gone(served, set(kernel_ids[:2])) == set()
        log = served.log()
        assert f"Kernel shutdown: {kernel_ids[0]}" in log
        # (the closed tab's request usually frees its kernel before the culler sees it; with
        # the short timeout here, the culler can come first: either frees it)
        assert re.search(rf"Culling .*{kernel_ids[1]}", log), "the lost tab was not culled"

        # Student 3's tab stayed open and idle through two culls: its kernel is still there.
        assert kernel_ids[2] in {k["id"] for k in served.kernels()}
        contexts[2].close()
        assert _wait_gone(served, {kernel_ids[2]}) == set()
    finally:
        for context in contexts:
            context.close()
    log = served.log()
    assert "Timeout waiting for IOPub output" not in log
    # refills started while students' kernels were culled: no error about a starting kernel
    assert "while checking the idle duration" not in log and "Traceback" not in log
