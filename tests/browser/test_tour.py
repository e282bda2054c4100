"""The tour in a real JupyterLab: every cell runs, its pictures and widgets appear, and the
dashboard at its end answers a click; no error outputs, no console errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from labharness import error_outputs, open_and_run_all

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]


def test_tour_runs_and_its_dashboard_answers(lab_server, page, console_errors):
    from playwright.sync_api import expect

    path = lab_server.add_notebook(REPO / "notebooks" / "00_tour.ipynb")
    open_and_run_all(page, path, timeout=180)
    # five graphs in the viewer (model, overview, node, a head with the backward player, path),
    # the dashboard's, the attention heatmap
    outputs = page.locator(".jp-OutputArea-output")
    lesson_graphs = outputs.locator(".microgpt-viewer:not(.microgpt-dashboard *)")
    expect(lesson_graphs).to_have_count(5)
    expect(lesson_graphs.locator("svg g.node").first).to_be_attached()
    expect(lesson_graphs.locator(".microgpt-viewer-play:not([hidden])")).to_have_count(1)
    expect(outputs.and_(page.locator('[data-mime-type="image/png"]'))).to_have_count(1)
    graph = page.locator(".microgpt-dashboard .microgpt-graph")
    expect(graph.locator("g.node").first).to_be_visible()
    node = graph.locator("g.node[data-kind=tensor][data-id$='.mlp.relu']")
    node.scroll_into_view_if_needed()
    node.click()
    crumbs = page.locator(".microgpt-dashboard .microgpt-breadcrumb")
    expect(crumbs).to_contain_text("layer0.mlp.relu")
    assert error_outputs(page) == []
    assert console_errors == []
