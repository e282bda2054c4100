"""``CompareView`` in a real JupyterLab on both reference screens: its three charts at their
natural size (or shrunk to the panel, never stretched), no control label cut, the graph diff
drawn in the viewer with both numbers on its nodes and the Δ legend, nothing wider than the
output area. Screenshots are saved as artifacts, pass or fail."""

from __future__ import annotations

import pytest
from labharness import error_outputs, open_and_run_all
from test_charts import _natural_or_shrunk, _not_cut, _size

pytestmark = pytest.mark.browser

CELLS = ["from explorer.widgets import CompareView\nw = CompareView()\nw.pos = 2\nw"]


def test_compare_view_fits_both_screens(screen, lab_server, browser_artifacts_dir):
    from playwright.sync_api import expect

    name, page = screen
    shots = browser_artifacts_dir / "compare"
    shots.mkdir(parents=True, exist_ok=True)
    path = lab_server.write_notebook(f"compare-{name}.ipynb", CELLS)
    open_and_run_all(page, path, timeout=240)
    view = page.locator(".microgpt-compare")
    expect(view).to_be_visible()
    graph = view.locator(".microgpt-svg")
    expect(graph.locator("g.node").first).to_be_attached()
    try:
        images = view.locator("img.microgpt-chart, .microgpt-chart img")
        expect(images).to_have_count(3)
        for k in range(3):
            img = images.nth(k)
            img.scroll_into_view_if_needed()
            _natural_or_shrunk(_size(img), f"compare chart {k}")
        _not_cut(view)
        legend = graph.locator(".microgpt-viewer-legend")
        expect(legend).to_contain_text("Δgrad")
        expect(graph).to_contain_text("→")  # both passes' numbers on the nodes
        # nothing wider than the output area: no sideways scrolling to find a part
        over = view.evaluate(
            """root => {
            const area = root.closest('.jp-OutputArea-output').getBoundingClientRect();
            return [...root.querySelectorAll('img, .microgpt-viewer-legend svg, .widget-hbox')]
              .filter(e => e.offsetParent !== null)
              .map(e => [e.className.baseVal ?? e.className, e.getBoundingClientRect().right])
              .filter(([, right]) => right > area.right + 1);
            }"""
        )
        assert over == [], f"wider than the output area: {over}"
    finally:
        view.screenshot(path=str(shots / f"{name}-compare.png"))
    assert error_outputs(page) == []
    assert page.console_errors == []
