"""Presenter mode is a slide (DESIGN.md, "Screens and presentation"; issue 18, items 2 and 3), in
a real JupyterLab + Chromium on the laptop (1600×1000) and the projector (853×480 at 1.5), with
the file browser open as JupyterLab opens it.

The classroom notebook (``Dashboard(presenter=True)``) is run and "christopher" typed. At text
sizes 100%, 150% and 250% (the "text size" control, in the toolbar row or behind its "⋯"), with
the dashboard's top scrolled to the top of the notebook panel:

- the graph's canvas takes at least 60% of the panel's visible height;
- the toolbar is one row (every control shown in it has the same top), the title one line, its
  notes folded behind the "notes" toggle;
- node text opens at the readable size times the text size;
- no text is cut anywhere in the dashboard: in every tab, and in the "⋯" menu once opened
  (``CUT_TEXT_JS``: an ellipsis, or a box past an ancestor that hides overflow; a panel that
  scrolls may hold more than it shows).

Then the full-screen button gives the viewer the screen (the Fullscreen API on its host) and
Esc gives it back, the canvas resized both ways; a clicker's PageDown/PageUp, arrows and space
step the backward player (which opens at step 0) and, in the model view (no player), the
position. The measurements are written to ``presenter/<screen>.json`` next to the screenshots
(``$BROWSER_TESTS_ARTIFACTS``, else pytest's temp dir), pass or fail.
"""

from __future__ import annotations

import json
import re

import pytest
from labharness import error_outputs, settle

from .test_screens import CUT_TEXT_JS, close_menu, dashboard_on, tool

pytestmark = pytest.mark.browser

SIZES = (1.0, 1.5, 2.5)
SHARE = 0.6  # the graph's part of the visible height, at least
READABLE_PX = 9.0
TABS = ("attention", "across positions", "next token", "backward", "embeddings", "one step",
        "training")  # fmt: skip

#: Scroll the nearest ancestor of ``e`` that scrolls so that e's top is at its top; return the
#: visible part of that panel (on screen) as {top, bottom}.
TO_TOP_JS = """(e) => {
  let sc = e.parentElement;
  const scrolls = (a) => /(auto|scroll)/.test(getComputedStyle(a).overflowY)
    && a.scrollHeight > a.clientHeight + 1;
  while (sc && !scrolls(sc)) sc = sc.parentElement;
  sc.scrollTop += e.getBoundingClientRect().top - sc.getBoundingClientRect().top;
  const r = sc.getBoundingClientRect();
  return {top: Math.max(r.top, 0), bottom: Math.min(r.top + sc.clientTop + sc.clientHeight,
          innerHeight)};
}"""

#: The slide as seen: the canvas's visible part, the toolbar's rows, the title's lines.
SLIDE_JS = """([dash, panel]) => {
  const part = (e) => {
    const r = e.getBoundingClientRect();
    return Math.max(0, Math.min(r.bottom, panel.bottom) - Math.max(r.top, panel.top));
  };
  const canvas = dash.querySelector('.microgpt-viewer-canvas');
  const bar = dash.querySelector('.microgpt-toolbar');
  const shown = [...bar.children].filter((e) => getComputedStyle(e).visibility !== 'hidden');
  // rows: a tool starting below every tool of the row before begins a new one
  let rows = 0;
  let bottom = -Infinity;
  for (const r of shown.map((e) => e.getBoundingClientRect()).sort((a, b) => a.top - b.top)) {
    if (r.top >= bottom - 1) rows += 1;
    bottom = rows && r.top >= bottom - 1 ? r.bottom : Math.max(bottom, r.bottom);
  }
  const title = dash.querySelector('.microgpt-viewer-title');
  const notes = dash.querySelector('.microgpt-viewer-notes');
  const toggle = dash.querySelector('.microgpt-viewer-notes-toggle');
  const style = getComputedStyle(title);
  return {
    visible: panel.bottom - panel.top, canvas: part(canvas),
    canvasTop: canvas.getBoundingClientRect().top - dash.getBoundingClientRect().top,
    dashTop: dash.getBoundingClientRect().top - panel.top,
    rows, tools: shown.length,
    shownTools: shown.map((e) => (e.className.match(/microgpt-[a-z-]+/g) || []).join(' ')),
    titleLines: Math.round(title.getBoundingClientRect().height / parseFloat(style.lineHeight
      === 'normal' ? parseFloat(style.fontSize) * 1.2 : style.lineHeight)),
    notesShown: notes ? getComputedStyle(notes).display !== 'none' : false,
    toggleShown: getComputedStyle(toggle).display !== 'none',
    scale: getComputedStyle(dash).getPropertyValue('--microgpt-text-scale').trim(),
  };
}"""


def _pick_text_size(page, graph, size: float) -> None:
    """Choose ``size`` in the "text size" control, in the toolbar's row or behind "⋯"."""
    tool(graph, ".microgpt-text-size select").select_option(label=f"{size:.0%}")
    page.wait_for_function(
        "([s]) => getComputedStyle(document.querySelector('.microgpt-dashboard'))"
        ".getPropertyValue('--microgpt-text-scale').trim() === s",
        arg=[str(size)],
    )
    page.wait_for_timeout(600)  # the toolbar refits (a round trip) and the viewer reopens
    close_menu(graph)
    page.wait_for_timeout(300)
    settle(page)


def _cut_everywhere(page, dashboard) -> dict:
    """CUT_TEXT_JS on the dashboard with each tab shown in turn, and with the "⋯" menu open."""
    cuts = {}
    for title in TABS:
        page.locator(".microgpt-dashboard .lm-TabBar-tab", has_text=title).first.click()
        page.wait_for_timeout(1200)  # the tab draws when shown (a round trip to the kernel)
        cuts[title] = dashboard.evaluate(CUT_TEXT_JS)
    page.locator(".microgpt-dashboard .lm-TabBar-tab", has_text="attention").first.click()
    more = dashboard.locator(".microgpt-toolbar .microgpt-more")
    if more.is_visible():  # some tools are in the menu: open it, nothing cut there either
        more.click()
        dashboard.locator(".microgpt-toolbar-menu").wait_for(state="visible")
        settle(page)
        cuts["menu"] = dashboard.evaluate(CUT_TEXT_JS)
        close_menu(dashboard.locator(".microgpt-graph"))
    return cuts


def test_presenter_is_a_slide_at_every_text_size(screen, lab_server, browser_artifacts_dir):
    from playwright.sync_api import expect

    name, page = screen
    shots = browser_artifacts_dir / "presenter"
    shots.mkdir(parents=True, exist_ok=True)
    graph, _ = dashboard_on(page, lab_server, "christopher")
    dashboard = page.locator(".microgpt-dashboard")
    expect(dashboard).to_have_class(re.compile("microgpt-presenter"))
    expect(page.locator("#filebrowser")).to_be_visible()  # as JupyterLab opens
    results = {}
    try:
        for size in SIZES:
            _pick_text_size(page, graph, size)
            panel = dashboard.evaluate(TO_TOP_JS)
            settle(page)
            slide = page.evaluate(SLIDE_JS, [dashboard.element_handle(), panel])
            slide["share"] = slide["canvas"] / slide["visible"]
            font = graph.evaluate(
                """(g) => {
                  const v = g.querySelector('.microgpt-viewer');
                  const svg = v.querySelector('.microgpt-viewer-canvas > svg');
                  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                  const sizes = [...svg.querySelectorAll('g.node text')]
                    .filter((t) => t.textContent.trim())
                    .map((t) => parseFloat(getComputedStyle(t).fontSize) * scale)
                    .sort((a, b) => a - b);
                  return sizes[Math.floor(sizes.length / 2)];
                }"""
            )
            slide["medianText"] = font
            page.screenshot(path=str(shots / f"{name}-{size:.0%}.png"))
            slide["cut"] = _cut_everywhere(page, dashboard)
            results[f"{size:.0%}"] = slide
            dashboard.evaluate(TO_TOP_JS)
            what = f"{name} at {size:.0%}: {slide}"
            assert abs(slide["dashTop"]) <= 1.5, what
            assert slide["share"] >= SHARE, what
            assert slide["rows"] == 1, what
            assert slide["titleLines"] == 1 and not slide["notesShown"], what
            assert slide["toggleShown"], what  # the model view has notes: they fold
            assert font >= READABLE_PX * size - 0.3, what  # node text follows the text size
            assert all(c == [] for c in slide["cut"].values()), what
        page.screenshot(path=str(shots / f"{name}-last.png"))
    finally:
        (shots / f"{name}.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    assert error_outputs(page) == []
    assert page.console_errors == []


def test_full_screen_and_a_clickers_keys(screen, lab_server, browser_artifacts_dir):
    from playwright.sync_api import expect

    name, page = screen
    shots = browser_artifacts_dir / "presenter"
    shots.mkdir(parents=True, exist_ok=True)
    graph, _ = dashboard_on(page, lab_server, "christopher")
    canvas = graph.locator(".microgpt-viewer-canvas")
    dashboard = page.locator(".microgpt-dashboard")
    dashboard.evaluate(TO_TOP_JS)
    settle(page)
    height = canvas.evaluate("(c) => c.getBoundingClientRect().height")

    # full screen: the viewer's host holds the screen, the canvas grows; Esc gives it back
    graph.locator(".microgpt-viewer-fullscreen").click()
    page.wait_for_function(
        "() => document.fullscreenElement && document.fullscreenElement"
        ".classList.contains('microgpt-viewer')"
    )
    page.wait_for_timeout(300)
    settle(page)
    full = canvas.evaluate("(c) => [c.getBoundingClientRect().height, innerHeight]")
    page.screenshot(path=str(shots / f"{name}-fullscreen.png"))
    assert full[0] > height and full[0] >= 0.6 * full[1], (height, full)
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.fullscreenElement === null")
    page.wait_for_timeout(300)
    settle(page)
    back = canvas.evaluate("(c) => c.getBoundingClientRect().height")
    assert back == pytest.approx(height, abs=2), (height, back)

    # the overview has a backward player: it opens at step 0; a clicker steps it
    tool(graph, ".microgpt-view-pick select").select_option("overview")
    status = graph.locator(".microgpt-viewer-play-status")
    expect(status).to_be_visible()
    expect(status).to_have_text(re.compile(r"^step 0 / \d+$"))
    canvas.focus()  # the presenter clicked into the graph
    for key, step in (("PageDown", 1), ("PageDown", 2), ("PageUp", 1), ("ArrowRight", 2),
                      (" ", 3), ("ArrowLeft", 2)):  # fmt: skip
        page.keyboard.press(key)
        expect(status).to_have_text(re.compile(rf"^step {step} / \d+"))
    page.screenshot(path=str(shots / f"{name}-player-keys.png"))

    # the model view has none: the keys move the position (every view follows)
    tool(graph, ".microgpt-view-pick select").select_option("model")
    expect(status).to_be_hidden()
    readout = graph.locator(".microgpt-toolbar .microgpt-pos-slider .widget-readout")
    expect(readout).to_have_text("1")
    canvas.focus()
    page.keyboard.press("PageDown")
    expect(readout).to_have_text("2")
    expect(graph.locator(".microgpt-viewer-title")).to_contain_text("position 2")
    page.keyboard.press("ArrowLeft")
    expect(readout).to_have_text("1")
    assert error_outputs(page) == []
    assert page.console_errors == []


def test_one_selection_across_the_page(screen, lab_server, browser_artifacts_dir):
    """A click on an attention cell outlines that cell (not its row) and the weight in the
    head's graph; a search for a node not drawn opens the view that shows it, selected; a
    search with several matches lists them to pick from."""
    from playwright.sync_api import expect

    name, page = screen
    shots = browser_artifacts_dir / "presenter"
    shots.mkdir(parents=True, exist_ok=True)
    graph, title = dashboard_on(page, lab_server, "christopher")
    image = page.locator(".microgpt-attention img")
    image.scroll_into_view_if_needed()
    grid = json.loads(image.get_attribute("data-grid"))
    b = image.bounding_box()
    row, col = 5, 3
    cell_w = b["width"] * (grid["right"] - grid["left"]) / grid["cols"]
    cell_h = b["height"] * (grid["bottom"] - grid["top"]) / grid["rows"]
    x = b["x"] + b["width"] * grid["left"] + (col + 0.5) * cell_w
    y = b["y"] + b["height"] * grid["top"] + (row + 0.5) * cell_h
    page.mouse.click(x, y)
    outline = page.locator(".microgpt-attention .microgpt-cell-highlight")
    expect(outline).to_have_attribute("data-cell", f"{row},{col}")
    expect(outline).to_be_visible()
    image.scroll_into_view_if_needed()  # (the graph above drew the head's scope meanwhile)
    b, o = image.bounding_box(), outline.bounding_box()  # the outline, where the cell is now
    x0 = b["x"] + b["width"] * grid["left"] + col * cell_w
    y0 = b["y"] + b["height"] * grid["top"] + row * cell_h
    for got, want in ((o["x"], x0), (o["y"], y0), (o["width"], cell_w), (o["height"], cell_h)):
        assert got == pytest.approx(want, abs=2), (o, x0, y0, cell_w, cell_h)
    page.locator(".microgpt-attention").screenshot(path=str(shots / f"{name}-attention-cell.png"))
    weight = f"pos{row}.layer0.attn.head0.attn_weights[k={col}]"
    node = graph.locator(f'g.node[data-id="{weight}"]')
    expect(node).to_have_class(re.compile("microgpt-selected"), timeout=30_000)
    expect(title).to_contain_text(f"pos{row}.layer0.attn.head0")

    # a search for one node not drawn: its tensor's scalars open, it is selected
    box = tool(graph, ".microgpt-search input")
    box.fill("pos4.layer0.mlp.relu[7]")
    box.press("Enter")
    found = graph.locator('g.node[data-id="pos4.layer0.mlp.relu[7]"]')
    expect(found).to_have_class(re.compile("microgpt-selected"), timeout=30_000)
    expect(page.locator(".microgpt-inspector .microgpt-inspector-name")).to_have_text(
        "pos4.layer0.mlp.relu[7]"
    )
    # several: listed under the search box, a pick opens one
    box = tool(graph, ".microgpt-search input")
    box.fill("pos*.loss")
    box.press("Enter")
    matches = graph.locator(".microgpt-search-matches select")
    expect(matches).to_be_visible()
    expect(graph.locator(".microgpt-note")).to_contain_text("12 nodes match")
    matches.select_option("pos7.loss")
    picked = graph.locator('g.node[data-id="pos7.loss"]')
    expect(picked).to_have_class(re.compile("microgpt-selected"), timeout=30_000)
    close_menu(graph)
    graph.evaluate(TO_TOP_JS)
    page.screenshot(path=str(shots / f"{name}-search-picked.png"))
    assert graph.evaluate(CUT_TEXT_JS) == []
    assert error_outputs(page) == []
    assert page.console_errors == []
