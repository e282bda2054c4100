"""One training step from the classroom dashboard in a real browser, on both reference screens:
move to step 500, show the next step's document, select a parameter in the graph (zoomed into
position 1's embedding), press
"train one step": the report gives the loss before and after and the parameter's Adam numbers,
the graph's root changes to the new loss; "undo" puts it back. Nothing in the tab is cut."""

from __future__ import annotations

import re

import pytest

from microgpt import load_checkpoint

from .test_screens import CUT_TEXT_JS, close_menu, dashboard_on, screenshots, tool

pytestmark = pytest.mark.browser


def _root_value(title_text: str) -> str:
    m = re.search(r"root \S+ = (\S+)", title_text)
    assert m, title_text
    return m[1]


def test_one_step_from_the_dashboard(screen, lab_server, browser_artifacts_dir):
    from playwright.sync_api import expect

    name, page = screen
    shots = screenshots(browser_artifacts_dir)
    graph, title = dashboard_on(page, lab_server, "emma")
    doc = load_checkpoint().step_docs[500]  # the document of training step 501

    page.locator(".lm-TabBar-tab", has_text="one step").click()
    tab = page.locator(".microgpt-trainstep")
    expect(tab).to_be_visible()
    take = tab.locator("button", has_text="train one step")
    expect(take).to_be_disabled()  # the shipped run's schedule is over at step 1000
    readout = tab.locator(".widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("500")
    page.keyboard.press("Enter")
    expect(tab).to_contain_text("weights after step 500 of 1000", timeout=60_000)
    tab.locator("button", has_text="next step's document").click()
    expect(title).to_contain_text(f"'{doc}'", timeout=60_000)
    notes = graph.locator(".microgpt-viewer-header")
    # the summary line, a note (presenter mode folds the notes behind a toggle: hidden)
    before = _root_value(graph.locator(".microgpt-viewer-notes > div").first.text_content())

    # a parameter: zoom into position 1's embedding, click its letter's embedding row entry
    # (each picture opens readable, on part of it: "fit" shows every node to click)
    fit = graph.locator(".microgpt-viewer-fit")
    tool(graph, ".microgpt-view-pick select").select_option("overview")
    close_menu(graph)
    group = graph.locator('g.node[data-id="group/pos1.embed"]')
    expect(group).to_be_attached(timeout=60_000)
    fit.click()
    group.click()
    param = f"wte[{doc[0]},0]"
    node = graph.locator(f'g.node[data-id="{param}"]')
    expect(node).to_be_attached(timeout=60_000)
    fit.click()
    node.click()

    take.click()
    expect(tab).to_contain_text("training step 501", timeout=60_000)
    expect(tab).to_contain_text(f"Adam on {param}")
    expect(tab).to_contain_text("weights after step 501 of 1000 (1 of them taken here by hand)")
    report = tab.inner_text()
    assert "loss after" in report and "learning rate" in report and "m̂" in report
    expect(notes).not_to_contain_text(f"= {before}", timeout=60_000)  # the graph's new loss
    tab.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / f"{name}-one-step.png"))
    assert page.locator(".microgpt-dashboard").evaluate(CUT_TEXT_JS) == []

    tab.locator("button", has_text="undo").click()
    expect(tab).to_contain_text("weights after step 500 of 1000", timeout=60_000)
    expect(notes).to_contain_text(f"= {before}", timeout=60_000)
