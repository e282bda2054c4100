"""One selection state in a real JupyterLab (issue 20, item 1): in the classroom dashboard a
zoom into an attention head moves the attention tab to that layer and head and the backward tab
to that head's scope, at the head's position. What the page shows is checked (the position's
readout, the head button pressed, the heatmap redrawn, the stepper's scope box and its table),
not only the traits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from labharness import error_outputs, open_and_run_all

from .test_screens import tool

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]


def _group(page, graph, scope: str):
    title = page.locator("title", has_text=re.compile("^" + re.escape(f"group/{scope}") + "$"))
    return graph.locator("g.node", has=title)


def test_a_zoom_into_a_head_moves_the_attention_and_backward_tabs(lab_server, page, console_errors):
    from playwright.sync_api import expect

    path = lab_server.add_notebook(REPO / "notebooks" / "classroom_dashboard.ipynb")
    open_and_run_all(page, path, timeout=180)
    graph = page.locator(".microgpt-graph")
    expect(graph.locator("g.node").first).to_be_visible()
    attention = page.locator(".microgpt-attention")
    head_pressed = attention.locator(".microgpt-head button.mod-active")
    expect(head_pressed).to_have_text("0")
    heatmap = attention.locator("img")
    before = heatmap.get_attribute("src")

    # the overview, then a click on each box deeper: position 2's layer, its attention, head 1
    tool(graph, ".microgpt-view-pick select").select_option("overview")
    for scope in ("pos2.layer0", "pos2.layer0.attn", "pos2.layer0.attn.head1"):
        box = _group(page, graph, scope)
        expect(box).to_have_count(1)
        graph.locator(".microgpt-viewer-fit").click()  # the whole picture in view
        box.click()
        expect(page.locator(".microgpt-breadcrumb")).to_contain_text(scope.rsplit(".", 1)[-1])

    # the position follows the zoom, shown by the slider
    expect(graph.locator(".microgpt-pos-slider .widget-readout")).to_have_text("2")
    # the attention tab: head 1 pressed, its map drawn again (the title is in the picture)
    expect(head_pressed).to_have_text("1")
    expect(heatmap).not_to_have_attribute("src", before)
    # the backward tab: the head's scope, its nodes listed
    page.locator(".lm-TabBar-tab", has_text="backward").click()
    stepper = page.locator(".microgpt-stepper")
    expect(stepper.locator("input[type=text]")).to_have_value("pos2.layer0.attn.head1")
    expect(stepper.locator("table")).to_contain_text("pos2.layer0.attn.head1.")
    expect(stepper.locator("table")).not_to_contain_text("head0")

    assert error_outputs(page) == []
    assert console_errors == []
