"""The graph viewer (explorer/viewer/: its parts, joined by ``viewer_script``) in Chromium, on a
laptop and on a projector screen.

Each test opens a standalone page (file://) that inlines the viewer's script and two real
pictures drawn by ``dot``: a wide graph (300 nodes in 60 columns, far wider than any screen) and
a tall one.
Neither is readable fitted whole, so each opens at the readable scale (median node text 9 CSS px)
on its start; most tests begin from the fitted view ("fit"), the first two check the opening.
Positions are read from the rendered page (``getBoundingClientRect``) in CSS px, so the tests
check what a learner sees, not only the viewer's own numbers; and since the viewer moves the
picture with a CSS transform, one test compares its pixels at 3x with the same view drawn
through a viewBox (as crisp). Screenshots of both screens are saved under
``$BROWSER_TESTS_ARTIFACTS`` (else pytest's basetemp) in ``viewer/``.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from labharness import SCREENS

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
DOT = shutil.which("dot") or "/usr/bin/dot"
TOL = 2.0  # px: where a point under the cursor may end up after a zoom
EDGE_TOL = 0.5  # px: sub-pixel rounding at the canvas's edges


def wide_dot(columns: int = 60, stages: int = 5) -> str:
    """A graph shaped like the explorer's grid: one column per position, one row per stage."""
    lines = ["digraph wide {", 'node [fontname="DejaVu Sans Mono", fontsize=10];']
    for c in range(columns):
        for s in range(stages):
            shape = "ellipse" if s % 2 else 'box, style=filled, fillcolor="#f7f7f7"'
            lines.append(f'"pos{c}.s{s}" [label="pos{c}.s{s}\\n{c * s / 7:.4f}", shape={shape}];')
            if s:
                lines.append(f'"pos{c}.s{s - 1}" -> "pos{c}.s{s}";')
        if c:
            lines.append(f'"pos{c - 1}.s1" -> "pos{c}.s2";')
    return "\n".join([*lines, "}"])


def tall_dot(length: int = 30) -> str:
    nodes = [f'"step{k}" [shape=box, label="step {k}"];' for k in range(length)]
    edges = [f'"step{k}" -> "step{k + 1}";' for k in range(length - 1)]
    return "\n".join(["digraph tall {", *nodes, *edges, "}"])


def render(dot_source: str) -> str:
    return subprocess.run(
        [DOT, "-Tsvg"], input=dot_source, capture_output=True, text=True, check=True
    ).stdout


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>viewer test</title>
<style>body {{ margin: 16px; font: 14px sans-serif; }} #below {{ height: 2000px; }}</style>
</head><body>
<p>A notebook cell above the picture.</p>
<div id="host"></div>
<div id="below">Page content below (the page can scroll).</div>
<script>{viewer}</script>
<script>
const SVGS = {svgs};
window.clicks = [];
const viewer = microgptViewer(document.getElementById("host"), {{
  onNodeClick: (id, event) => clicks.push([id, event.type]),
}});
viewer.header.innerHTML = '<b class="title">wide</b> <span class="crumb">overview › pos3</span>';
viewer.footer.innerHTML = '<span class="legend">boxes: values · ellipses: ops</span>';
viewer.setSvg(SVGS.wide);
window.viewer = viewer;
// test helpers: boxes on screen, in CSS px
window.T = {{
  box: (e) => {{ const r = e.getBoundingClientRect();
    return {{ left: r.left, top: r.top, right: r.right, bottom: r.bottom }}; }},
  canvas: () => {{ const c = viewer.canvas, r = c.getBoundingClientRect();
    return {{ left: r.left + c.clientLeft, top: r.top + c.clientTop,
             right: r.left + c.clientLeft + c.clientWidth,
             bottom: r.top + c.clientTop + c.clientHeight }}; }},
  node: (id) => [...viewer.svg.querySelectorAll("g.node")].find(
    (g) => (g.dataset.id ?? g.querySelector(":scope > title").textContent) === id),
  shape: (id) => T.box(T.node(id).querySelector("polygon, ellipse")),
  content: () => T.box(viewer.svg.querySelector(":scope > g")),
  indicator: () => getComputedStyle(document.querySelector(".microgpt-viewer-indicator")).display,
}};
</script>
</body></html>
"""


@pytest.fixture(scope="module")
def pictures() -> dict[str, str]:
    if not Path(DOT).exists():
        pytest.skip("the viewer tests draw their pictures with graphviz's dot")
    wide = render(wide_dot())
    # one node named by data-id (the explorer's own SVG writer names nodes so)
    named = 'class="node" data-id="custom-7">\n<title>x<'
    wide = wide.replace('class="node">\n<title>pos7.s0<', named)
    assert named in wide
    from explorer import ForwardPass, scope_view, svg

    package = svg.canvas_svg(scope_view(ForwardPass("emma"), "pos1.layer0.attn.head0"))
    small = render("digraph small { a -> b; a -> c; b -> d; c -> d; }")  # text 14 px
    return {"wide": wide, "tall": render(tall_dot()), "package": package, "small": small}


@pytest.fixture(scope="module")
def page_url(pictures, tmp_path_factory) -> str:
    from explorer.viewer import viewer_script

    svgs = json.dumps(pictures).replace("</", "<\\/")
    html = PAGE.format(viewer=viewer_script(), svgs=svgs)
    path = tmp_path_factory.mktemp("viewer") / "viewer.html"
    path.write_text(html, encoding="utf-8")
    return path.as_uri()


@pytest.fixture(params=list(SCREENS))
def screen(request) -> str:
    return request.param


@pytest.fixture
def page(browser, page_url, screen, console_errors, browser_artifacts_dir):
    """The test page on one screen. Named ``page`` (with ``browser_artifacts_dir``) so that
    conftest saves screenshots when a test fails."""
    from labharness import collect_console_errors

    context = browser.new_context(**SCREENS[screen])
    page = context.new_page()
    collect_console_errors(page, console_errors)
    page.goto(page_url)
    page.wait_for_function("window.viewer !== undefined")
    settle(page)
    page.evaluate("window.opened = viewer.getView(); viewer.fit()")  # the view it opened with
    settle(page)
    try:
        yield page
        assert console_errors == []
    finally:
        context.close()


def settle(page) -> None:
    """Wait two animation frames: the viewer writes the view in the next one."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def view(page) -> dict:
    return page.evaluate("viewer.getView()")


def centre(box: dict) -> tuple[float, float]:
    return (box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2


def inside(box: dict, frame: dict, tol: float = EDGE_TOL) -> bool:
    return (
        box["left"] >= frame["left"] - tol
        and box["right"] <= frame["right"] + tol
        and box["top"] >= frame["top"] - tol
        and box["bottom"] <= frame["bottom"] + tol
    )


def natural_box(svg: str) -> tuple[float, float, float, float]:
    """x, y, width and height of a picture in its own units (its viewBox, as dot writes it)."""
    box = re.search(r'<svg[^>]*viewBox="([^"]+)"', svg)[1].split()
    return float(box[0]), float(box[1]), float(box[2]), float(box[3])


def natural_size(svg: str) -> tuple[float, float]:
    """Width and height of a picture in its own units."""
    return natural_box(svg)[2:]


#: How far fitting may enlarge a picture: to median text of 16 px (the small one's is 14 px).
MOST = {"small": 16 / 14}


def fit_scale(page, picture: str) -> float:
    """The scale that shows the whole picture, from the canvas's size on screen."""
    width_units, height_units = natural_size(page.evaluate(f"SVGS.{picture}"))
    canvas = page.evaluate("T.canvas()")
    width, height = canvas["right"] - canvas["left"], canvas["bottom"] - canvas["top"]
    v = view(page)
    assert v["width"] * v["scale"] == pytest.approx(width, abs=1)
    assert v["height"] * v["scale"] == pytest.approx(height, abs=0.01)
    most = MOST.get(picture, 1)
    return min(most, v["width"] * v["scale"] / width_units, height / height_units)


def assert_fitted(page, picture: str = "wide") -> None:
    canvas, host = page.evaluate("T.canvas()"), page.evaluate("T.box(host)")
    assert canvas["right"] <= host["right"] + EDGE_TOL, "the canvas is wider than its host"
    svg = page.evaluate("T.box(viewer.svg)")
    assert svg["left"] >= canvas["left"] - EDGE_TOL and svg["right"] <= canvas["right"] + EDGE_TOL
    assert inside(page.evaluate("T.content()"), canvas), "part of the drawing is out of view"
    assert view(page)["scale"] == pytest.approx(fit_scale(page, picture), rel=1e-9)
    assert page.evaluate("T.indicator()") == "none"


def assert_opened_readable(page, picture: str, first: str) -> None:
    """Opened at median text 9 px (dot's node text: 10 px in the wide picture, 14 in the tall
    one), at the top of the picture (its edges run down: it opens on its start; centred if it
    is not as tall as the canvas) with the node ``first`` of the top rank in view; the minimap
    shows the view and lies outside the canvas."""
    size = {"wide": 10, "tall": 14}[picture]
    v, canvas = view(page), page.evaluate("T.canvas()")
    assert v["scale"] == pytest.approx(9 / size, rel=1e-9)
    _, y, _, height = natural_box(page.evaluate(f"SVGS.{picture}"))
    top = y if height > v["height"] else y + (height - v["height"]) / 2
    assert v["y"] == pytest.approx(top)
    assert inside(page.evaluate(f"T.box(T.node('{first}'))"), canvas), f"{first} is not in view"
    assert page.evaluate("T.indicator()") == "block"
    mini = page.evaluate("T.box(document.querySelector('.microgpt-viewer-indicator'))")
    assert mini["bottom"] <= canvas["top"], "the minimap lies over the canvas"
    part = page.evaluate("T.box(document.querySelector('.microgpt-viewer-indicator-view'))")
    assert part["top"] == pytest.approx(mini["top"] + 1, abs=1), "the minimap shows no top"


def test_opens_readable_on_the_start(page, screen, browser_artifacts_dir):
    """The wide picture fitted whole would show 3-4 px text: it opens readable instead, on the
    start of the graph (its top rank, from the left: the rank is wider than the canvas); "fit"
    and a resize (the learner has not moved) keep to their rules."""
    assert page.evaluate("opened") == page.evaluate("viewer.setSvg(SVGS.wide), viewer.getView()")
    settle(page)
    assert_opened_readable(page, "wide", "pos0.s0")
    assert page.evaluate("T.box(T.node('pos0.s0')).left - T.canvas().left") < 20
    out = browser_artifacts_dir / "viewer"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{screen}-opened.png"))
    zoom = page.locator(".microgpt-viewer-zoom").inner_text()
    assert zoom == "90%"
    size, width = page.viewport_size, view(page)["width"]
    page.set_viewport_size({"width": size["width"] - 100, "height": size["height"]})
    page.wait_for_function(f"viewer.getView().width < {width}")
    settle(page)
    assert_opened_readable(page, "wide", "pos0.s0")  # opened again for the new size
    page.set_viewport_size(size)
    page.click(".microgpt-viewer-fit")
    settle(page)
    assert_fitted(page)


def test_small_pictures_are_enlarged_and_selection_is_where_it_opens(page, screen):
    """A small picture fills its canvas, up to text of 16 px (14 px text: 16/14). A picture set
    and given a selection at once (as the widget draws) opens on the selected node."""
    page.evaluate("viewer.setSvg(SVGS.small)")
    settle(page)
    assert_fitted(page, "small")
    assert view(page)["scale"] == pytest.approx(16 / 14, rel=1e-9)
    page.evaluate("viewer.setSvg(SVGS.wide); viewer.select('pos40.s4', {reveal: false})")
    settle(page)
    v, canvas = view(page), page.evaluate("T.canvas()")
    assert v["scale"] == pytest.approx(0.9, rel=1e-9)
    node = page.evaluate("T.box(T.node('pos40.s4'))")
    assert inside(node, canvas)
    assert centre(node)[0] == pytest.approx(centre(canvas)[0], abs=TOL)
    page.evaluate("viewer.select('pos41.s4')")  # later: a selection in view does not move it
    settle(page)
    assert view(page) == v


def test_fit_is_sized(page, screen):
    assert_fitted(page)
    canvas = page.evaluate("T.canvas()")
    inner = page.evaluate("innerHeight")
    height = canvas["bottom"] - canvas["top"]
    assert 240 <= height <= max(240, 0.7 * inner) + 1
    assert view(page)["scale"] < 0.5, "the wide picture must be shrunk to fit"
    zoom = page.locator(".microgpt-viewer-zoom").inner_text()
    assert zoom == f"{round(view(page)['scale'] * 100)}%"
    for cls, key in [("zoom-in", "+"), ("zoom-out", "−"), ("fit", "0"), ("one", "1")]:
        assert key in page.locator(f".microgpt-viewer-{cls}").get_attribute("title")
    assert page.locator(".microgpt-viewer-canvas").get_attribute("tabindex") == "0"


def test_wheel_zooms_about_the_cursor(page):
    canvas = page.evaluate("T.canvas()")
    node = "pos31.s2"
    nx, ny = centre(page.evaluate(f"T.shape('{node}')"))
    cx, cy = nx + 37, min(ny + 23, canvas["bottom"] - 5)  # the cursor near, not on, the node
    page.mouse.move(cx, cy)
    before = view(page)["scale"]
    page.mouse.wheel(0, -240)
    page.wait_for_function(f"viewer.getView().scale > {before}")
    settle(page)
    ratio = view(page)["scale"] / before
    assert ratio > 1.2
    mx, my = centre(page.evaluate(f"T.shape('{node}')"))
    assert mx == pytest.approx(cx + (nx - cx) * ratio, abs=TOL)
    assert my == pytest.approx(cy + (ny - cy) * ratio, abs=TOL)
    assert page.evaluate("scrollY") == 0, "the wheel over the canvas scrolled the page"
    zoomed = view(page)["scale"]
    page.mouse.wheel(0, 240)  # and back out
    page.wait_for_function(f"viewer.getView().scale < {zoomed}")
    settle(page)
    ox, oy = centre(page.evaluate(f"T.shape('{node}')"))
    assert (ox, oy) == (pytest.approx(nx, abs=TOL), pytest.approx(ny, abs=TOL))


def test_drag_pans_and_is_not_a_click(page):
    page.click(".microgpt-viewer-one")
    settle(page)
    node = "pos30.s1"
    x0, y0 = centre(page.evaluate(f"T.shape('{node}')"))
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 - 150, y0 + 20, steps=8)
    page.mouse.up()
    settle(page)
    x1, y1 = centre(page.evaluate(f"T.shape('{node}')"))
    assert (x1 - x0, y1 - y0) == (pytest.approx(-150, abs=0.6), pytest.approx(20, abs=0.6))
    assert page.evaluate("clicks") == [], "a drag that began on a node clicked it"
    # a press that moves at most 4 px is still a click
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move(x1 + 3, y1, steps=3)
    page.mouse.up()
    assert page.evaluate("clicks") == [[node, "click"]]


def test_click_on_a_node_reports_its_id(page):
    for node, expected in [("pos12.s3", "pos12.s3"), ("custom-7", "custom-7")]:
        x, y = centre(page.evaluate(f"T.shape('{node}')"))  # at fit: a few px wide
        page.mouse.click(x, y)
        assert page.evaluate("clicks.at(-1)") == [expected, "click"]
    canvas = page.evaluate("T.canvas()")  # the picture is centred: blank above it
    page.mouse.click(canvas["left"] + 100, canvas["top"] + 3)
    assert len(page.evaluate("clicks")) == 2


def test_buttons_fit_and_one_to_one(page):
    fitted = view(page)
    page.click(".microgpt-viewer-zoom-in")
    page.click(".microgpt-viewer-zoom-in")
    settle(page)
    assert view(page)["scale"] == pytest.approx(fitted["scale"] * 1.25**2)
    assert page.evaluate("T.indicator()") == "block"
    page.evaluate("viewer.setView({x: 900, y: 20})")
    page.click(".microgpt-viewer-fit")
    settle(page)
    assert view(page) == fitted, "fit must restore the first view exactly"
    assert_fitted(page)
    page.click(".microgpt-viewer-one")
    settle(page)
    assert view(page)["scale"] == 1
    assert page.locator(".microgpt-viewer-zoom").inner_text() == "100%"


def test_keys(page):
    fitted = view(page)
    page.focus(".microgpt-viewer-canvas")
    page.keyboard.type("+")
    assert view(page)["scale"] == pytest.approx(fitted["scale"] * 1.25)
    page.keyboard.type("=")
    page.keyboard.press("Minus")
    assert view(page)["scale"] == pytest.approx(fitted["scale"] * 1.25)
    x = view(page)["x"]
    page.keyboard.press("ArrowRight")
    assert view(page)["x"] > x
    page.keyboard.press("ArrowDown")
    page.keyboard.press("0")
    assert view(page) == fitted
    page.keyboard.press("1")
    assert view(page)["scale"] == 1
    page.keyboard.press("f")
    assert view(page) == fitted
    assert page.evaluate("scrollY") == 0, "arrow keys on the canvas scrolled the page"


def assert_centred(page, node: str) -> None:
    box, canvas = page.evaluate(f"T.box(T.node('{node}'))"), page.evaluate("T.canvas()")
    assert inside(box, canvas), f"{node} is not in view"
    x, y = centre(box)
    cx, cy = centre(canvas)
    assert (x, y) == (pytest.approx(cx, abs=TOL), pytest.approx(cy, abs=TOL))


def test_select_brings_a_node_into_view(page, screen, browser_artifacts_dir):
    out = browser_artifacts_dir / "viewer"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{screen}-fitted.png"))
    page.evaluate("viewer.setView({x: 0, y: 0, scale: 1})")  # the far left at 1:1
    settle(page)
    far = "pos58.s4"
    assert not inside(page.evaluate(f"T.box(T.node('{far}'))"), page.evaluate("T.canvas()"))
    assert page.evaluate(f"viewer.select('{far}')") is True
    settle(page)
    assert_centred(page, far)
    assert page.locator("g.node.microgpt-selected").count() == 1
    assert page.evaluate(f"T.node('{far}').classList.contains('microgpt-selected')")
    assert page.evaluate("T.indicator()") == "block"
    page.evaluate("viewer.highlight(['pos57.s4', 'pos59.s3'])")
    page.mouse.move(*centre(page.evaluate("T.shape('pos58.s3')")))  # hover a third one
    settle(page)
    page.screenshot(path=str(out / f"{screen}-selected.png"))
    strokes = page.evaluate(
        """() => ['pos58.s4', 'pos57.s4', 'pos58.s3'].map((id) => {
          const s = getComputedStyle(T.node(id).querySelector('polygon, ellipse'));
          return [s.stroke, s.strokeWidth]; })"""
    )
    assert strokes == [
        ["rgb(224, 130, 20)", "4px"],
        ["rgb(27, 120, 55)", "3px"],
        ["rgb(0, 0, 0)", "2px"],
    ]
    page.click(".microgpt-viewer-fit")
    settle(page)
    assert page.evaluate("T.indicator()") == "none"
    # at fit the scale is below 0.75: select zooms in to a readable size
    page.evaluate("viewer.select('pos30.s2')")
    settle(page)
    assert view(page)["scale"] >= 1
    assert_centred(page, "pos30.s2")
    page.evaluate("viewer.select('pos30.s3')")  # in view at a readable scale: nothing moves
    settle(page)
    assert_centred(page, "pos30.s2")
    page.evaluate("viewer.select(null)")
    assert page.locator("g.node.microgpt-selected").count() == 0


def test_header_and_footer_stay_put(page):
    def ys():
        return [page.evaluate(f"T.box(document.querySelector('{s}')).top") for s in slots]

    slots = [".title", ".microgpt-viewer-toolbar", ".legend"]
    before = ys()
    x, y = centre(page.evaluate("T.canvas()"))
    page.mouse.move(x, y)
    page.mouse.wheel(0, -600)
    page.mouse.down()
    page.mouse.move(x + 200, y + 200, steps=5)
    page.mouse.up()
    settle(page)
    assert view(page)["scale"] > fit_scale(page, "wide")
    assert ys() == before


def test_new_picture_opens_by_its_own_rule(page):
    """Whatever the last picture's view: the tall picture opens readable at its top, centred
    (narrower than the canvas); the wide one as it first opened; fitted, the tall one fills the
    canvas's height."""
    page.evaluate("viewer.zoomBy(3, [10, 10]); viewer.setView({x: 2000})")
    page.evaluate("viewer.setSvg(SVGS.tall)")
    settle(page)
    assert_opened_readable(page, "tall", "step0")
    svg, canvas = page.evaluate("T.box(viewer.svg)"), page.evaluate("T.canvas()")
    assert (svg["left"] + svg["right"]) / 2 == pytest.approx(centre(canvas)[0], abs=1)
    page.click(".microgpt-viewer-fit")
    settle(page)
    assert_fitted(page, "tall")
    v, (_, height) = view(page), natural_size(page.evaluate("SVGS.tall"))
    assert v["scale"] < 1 and v["height"] == pytest.approx(height)  # fitted by height
    page.evaluate("viewer.setSvg(SVGS.wide)")
    settle(page)
    assert view(page) == page.evaluate("opened")


def test_pinch_zooms_about_the_fingers(page):
    """Two touch pointers spreading apart (synthetic pointer events)."""
    canvas = page.evaluate("T.canvas()")
    cx, cy = centre(canvas)
    before = view(page)["scale"]
    page.evaluate(
        """([cx, cy]) => {
        const c = viewer.canvas;
        const ev = (type, id, x, y) => c.dispatchEvent(new PointerEvent(type, {pointerId: id,
          pointerType: 'touch', isPrimary: id === 1, clientX: x, clientY: y, bubbles: true}));
        ev('pointerdown', 1, cx - 20, cy); ev('pointerdown', 2, cx + 20, cy);
        for (let k = 1; k <= 10; k++) ev('pointermove', 2, cx + 20 + 6 * k, cy);
        ev('pointerup', 1, cx - 20, cy); ev('pointerup', 2, cx + 80, cy);
        }""",
        [cx, cy],
    )
    # the distance went from 40 to 100 px
    assert view(page)["scale"] == pytest.approx(before * 2.5, rel=1e-6)
    assert page.evaluate("clicks") == []


def test_no_modules_and_safe_to_inline_twice(page):
    from explorer.viewer import viewer_script

    source = viewer_script()
    assert not re.search(r"^\s*(import|export)\b", source, re.M)
    top = re.findall(r"^(?!function |\}|//|\s|$)(.*)", source, re.M)
    assert top == [], "only function declarations at top level"
    page.add_script_tag(content=source)  # a second copy in the same page
    page.evaluate("microgptViewer(document.createElement('div')).destroy()")


def test_destroy_removes_everything(page):
    page.evaluate("viewer.destroy()")
    assert page.locator("#host").inner_html() == ""
    page.mouse.move(300, 200)
    page.mouse.wheel(0, -100)
    settle(page)
    assert math.isfinite(view(page)["scale"])


def test_prolog_and_sizes_in_pt(page):
    """No viewBox: the size comes from width and height; 1pt = 4/3 px; the prolog is dropped."""
    svg = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="300pt" height="150pt">'
        '<g class="node"><title>only</title><rect x="10" y="10" width="100" height="40"/></g>'
        "</svg>"
    )
    page.evaluate("(text) => viewer.setSvg(text)", svg)
    v = view(page)
    assert v["scale"] == 1  # 400 x 200 px fits both screens
    assert v["x"] == pytest.approx((400 - v["width"]) / 2)
    assert v["y"] == pytest.approx((200 - v["height"]) / 2)
    assert page.evaluate("viewer.select('only')") is True


def test_resize_refits_until_the_user_moves(page):
    fitted = view(page)
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"] - 200, "height": size["height"]})
    page.wait_for_function(f"viewer.getView().scale < {fitted['scale']}")
    settle(page)
    assert_fitted(page)
    page.evaluate("viewer.zoomBy(2)")
    zoomed = view(page)
    page.set_viewport_size(size)
    page.wait_for_function(f"viewer.getView().width > {zoomed['width']}")
    assert view(page)["scale"] == zoomed["scale"]  # the learner's zoom is kept


def test_zoomed_in_is_as_crisp_as_a_redrawn_viewbox(page, screen, browser_artifacts_dir):
    """The viewer moves the picture with a CSS transform; at 3x it must look like the same view
    drawn by the SVG itself (a viewBox), not like a stretched bitmap."""
    import io

    import numpy as np
    from PIL import Image

    page.evaluate("viewer.setView({x: 1500, y: 60, scale: 3})")
    settle(page)
    canvas = page.evaluate("T.canvas()")
    # the canvas's top-left corner
    clip = {"x": canvas["left"], "y": canvas["top"], "width": 300, "height": 150}
    shots = [page.screenshot(clip=clip)]
    page.evaluate(
        """() => { const v = viewer.getView(), c = T.canvas(), ref = document.createElement('div');
        ref.style.cssText = `position: fixed; z-index: 9; left: ${c.left}px; top: ${c.top}px;
          width: ${c.right - c.left}px; height: ${c.bottom - c.top}px; background: #fff`;
        ref.innerHTML = SVGS.wide.slice(SVGS.wide.indexOf('<svg'));
        const svg = ref.firstElementChild;
        svg.setAttribute('viewBox', `${v.x} ${v.y} ${v.width} ${v.height}`);
        svg.setAttribute('width', c.right - c.left);
        svg.setAttribute('height', c.bottom - c.top);
        document.body.appendChild(ref); }"""
    )
    settle(page)
    shots.append(page.screenshot(clip=clip))
    out = browser_artifacts_dir / "viewer"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{screen}-crisp-viewer.png").write_bytes(shots[0])
    (out / f"{screen}-crisp-viewbox.png").write_bytes(shots[1])
    viewer, reference = (
        np.asarray(Image.open(io.BytesIO(s)).convert("L"), dtype=float) for s in shots
    )

    def sharpness(image):  # edge energy: a blurred picture has much less
        return np.abs(np.diff(image, axis=0)).sum() + np.abs(np.diff(image, axis=1)).sum()

    assert reference.std() > 20, "the clip shows no drawing"
    # measured: ratio 1.00, difference 0.3-0.6 grey levels; the reference blurred by a
    # Gaussian of 1 px radius gives 0.80-0.94 and 3.9-5.8
    assert sharpness(viewer) >= 0.95 * sharpness(reference)
    assert np.abs(viewer - reference).mean() < 2


def test_marks_on_the_packages_own_svg_keep_their_screen_width(page):
    """The explorer's SVG draws ops as circles and values as rects; the selection outline is
    4 px on screen at any zoom (the picture is scaled by a CSS transform)."""
    page.evaluate("viewer.setSvg(SVGS.package)")
    settle(page)
    op = "op/pos1.layer0.attn.head0.softmax.exp[k=0]"
    value = "pos1.layer0.attn.head0.attn_weights[k=0]"
    for node, shape in ((op, "circle"), (value, "rect")):
        page.evaluate(f"viewer.select({json.dumps(node)}, {{reveal: false}})")
        for zoom in (1, 3):
            page.evaluate(f"viewer.setView({{scale: viewer.getView().scale * {zoom}}})")
            page.wait_for_timeout(300)  # the outlines are restyled once the zoom rests
            width = page.evaluate(
                f"parseFloat(getComputedStyle(T.node({json.dumps(node)})"
                f".querySelector('{shape}')).strokeWidth)"
            )
            assert width * view(page)["scale"] == pytest.approx(4, abs=0.05), (node, zoom)
        assert "microgpt-selected" in page.evaluate(
            f"T.node({json.dumps(node)}).getAttribute('class')"
        )
