"""The dashboard in a real JupyterLab: run the classroom notebook, click a graph node and see
the inspector follow, move the position and see attention follow, click an attention cell,
press "check gradient" and read both numbers; no error outputs, no console errors. And an
exported HTML file that shows the graph with the network disabled."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from labharness import error_outputs, open_and_run_all

from .test_screens import tool

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]


def _node(page, scope, title: str):
    return scope.locator("g.node", has=page.locator("title", has_text=re.compile(
        "^" + re.escape(title) + "$")))  # fmt: skip


def test_classroom_dashboard(lab_server, page, console_errors):
    from playwright.sync_api import expect

    path = lab_server.add_notebook(REPO / "notebooks" / "classroom_dashboard.ipynb")
    open_and_run_all(page, path, timeout=180)
    dashboard = page.locator(".microgpt-dashboard")
    expect(dashboard).to_be_visible()
    graph = page.locator(".microgpt-graph")
    inspector = page.locator(".microgpt-inspector")
    expect(graph.locator("g.node").first).to_be_visible()

    # the dashboard opens on the model view: a click on a tensor opens its scalar nodes
    relu = graph.locator("g.node[data-kind=tensor][data-id$='.layer0.mlp.relu']")
    relu.scroll_into_view_if_needed()
    relu.click()
    expect(graph.locator("g.node[data-kind=value][data-id*='.layer0.mlp.relu[']")).to_have_count(64)
    expect(page.locator(".microgpt-inspector")).to_contain_text("64 entries")
    # in the overview, a click on a group zooms into it (Python answers with a new picture)
    tool(graph, ".microgpt-view-pick select").select_option("overview")
    _node(page, graph, "group/pos1.layer0").click()
    expect(page.locator(".microgpt-breadcrumb")).to_contain_text("layer0")

    # moving the position moves attention's outlined row and redraws the probabilities
    band = page.locator(".microgpt-attention .microgpt-row-highlight")
    expect(band).to_be_visible()
    top_before = band.evaluate("e => e.style.top")
    # the next-token tab draws when shown (hidden tabs wait), then follows the position
    page.locator(".lm-TabBar-tab", has_text="next token").click()
    probs = page.locator(".microgpt-probs img")
    expect(probs).to_be_visible()
    page.wait_for_timeout(500)  # the chart drawn on showing the tab has arrived
    probs_before = probs.get_attribute("src")
    handle = page.locator(".microgpt-pos-slider .noUi-handle, .microgpt-pos-slider [role=slider]")
    handle.first.focus()
    page.keyboard.press("ArrowRight")
    expect(probs).not_to_have_attribute("src", probs_before)
    page.locator(".lm-TabBar-tab", has_text="attention").click()
    expect(band).not_to_have_attribute("style", re.compile(re.escape(f"top: {top_before}")))

    # a click on an attention cell selects that weight in the graph and the inspector
    image = page.locator(".microgpt-attention img")
    image.scroll_into_view_if_needed()
    grid = json.loads(image.get_attribute("data-grid"))
    box = image.bounding_box()
    row, col = 2, 1
    x = box["x"] + box["width"] * (
        grid["left"] + (col + 0.5) / grid["cols"] * (grid["right"] - grid["left"])
    )  # noqa: E501
    y = box["y"] + box["height"] * (
        grid["top"] + (row + 0.5) / grid["rows"] * (grid["bottom"] - grid["top"])
    )  # noqa: E501
    page.mouse.click(x, y)
    weight = "pos2.layer0.attn.head0.attn_weights[k=1]"
    expect(inspector.locator(".microgpt-inspector-name")).to_have_text(weight)
    expect(_node(page, graph, weight)).to_have_class(re.compile("microgpt-selected"))

    # a click on a graph node selects it in Python: the inspector follows
    logit = "pos2.layer0.attn.head0.attn_logits[k=0]"
    graph.locator(".microgpt-viewer-fit").click()  # the whole head in view: the logit too
    graph.locator(".microgpt-viewer-canvas").scroll_into_view_if_needed()
    _node(page, graph, logit).click()
    expect(inspector.locator(".microgpt-inspector-name")).to_have_text(logit)
    expect(inspector).to_contain_text("contribution")

    # "check gradient" shows the backward gradient and the finite-difference estimate
    inspector.locator("button.microgpt-check-gradient").click()
    result = inspector.locator(".microgpt-fd-result")
    expect(result).to_contain_text("finite difference")
    grad = float(result.locator(".microgpt-fd-grad").inner_text())
    estimate = float(result.locator(".microgpt-fd-estimate").inner_text())
    assert grad == pytest.approx(estimate, rel=1e-3, abs=1e-8)
    expect(result).to_contain_text("agree")

    assert error_outputs(page) == []
    assert console_errors == []


def test_exported_html_shows_the_graph_offline(browser, tmp_path):
    from explorer import ForwardPass, scope_view
    from explorer.export import write_view

    view = scope_view(ForwardPass("emma"), "pos1.layer0.attn.head0")
    page_path = write_view(view, tmp_path / "head.html")
    context = browser.new_context(offline=True)
    requests = []
    try:
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_path.as_uri())
        nodes = page.locator("svg g.node")
        assert nodes.count() == view.drawn
        weight = "pos1.layer0.attn.head0.attn_weights[k=0]"
        assert _node(page, page, weight).count() == 1
    finally:
        context.close()
    assert [u for u in requests if not u.startswith("file:")] == []
