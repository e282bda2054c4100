"""Pictures open readable (DESIGN.md, "Screens and presentation"; issue 18, item 1) in a real
JupyterLab + Chromium, on the laptop (1600×1000) and the projector (853×480 at 1.5).

A notebook written for the test (in the server's temp root, never in the repo) shows the model
view of "christopher" at position 5 (about 1,500 × 2,700 px, node text 10–13 px: fitting it
whole would shrink its text to 3–5 px) and a small scalar graph (two attention weights). As
they open, without a zoom or a scroll:

- the model view's median node text is at least 9 CSS px (font size × the viewer's scale), it
  opens on the start of the pass (the top, where the article's ``gpt()`` begins) with the nodes
  there whole, the minimap shows where the view is and covers no node text; "fit" still shows
  the whole picture;
- the small graph is shown whole, enlarged: as wide as half its canvas at least (or as tall as
  the canvas, when the height is what limits it), its text readable;
- no canvas is wider than its output, no error output, no console error.

The measurements are printed and written to ``readable/<screen>.json`` next to the screenshots
(``$BROWSER_TESTS_ARTIFACTS``, else pytest's temp dir), pass or fail.
"""

from __future__ import annotations

import json

import pytest
from labharness import error_outputs, measure_viewer, open_and_run_all, settle

pytestmark = pytest.mark.browser

READABLE_PX = 9.0  # DESIGN.md: median text >= 9 CSS px
ROUNDING_PX = 0.01  # the scale read back from the screen is rounded to layout units (1/64 px)

CELLS = [
    "from explorer import ForwardPass, full_view, model_view\n"
    "from explorer.widgets import show\n"
    'fp = ForwardPass("christopher")',
    "show(model_view(fp, pos=5))",
    'show(full_view(fp, pattern="pos1.layer0.attn.head0.attn_weights[*]"))',
]

#: The boxes of the nodes whose data-id is given, in CSS px (null: not in the picture).
NODES_JS = """(viewer, ids) => ids.map((id) => {
  const g = [...viewer.querySelectorAll('g.node')].find((n) => n.dataset.id === id);
  if (!g) return null;
  const r = g.getBoundingClientRect();
  return {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
})"""


def inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (
        inner["left"] >= outer["left"] - slack
        and inner["right"] <= outer["right"] + slack
        and inner["top"] >= outer["top"] - slack
        and inner["bottom"] <= outer["bottom"] + slack
    )


def test_pictures_open_readable(screen, lab_server, browser_artifacts_dir):
    from playwright.sync_api import expect

    name, page = screen
    folder = browser_artifacts_dir / "readable"
    folder.mkdir(parents=True, exist_ok=True)
    path = lab_server.write_notebook("readable_check.ipynb", CELLS)
    open_and_run_all(page, path, timeout=180)
    viewers = page.locator(".jp-OutputArea-output .microgpt-viewer")
    expect(viewers).to_have_count(2)
    for k in range(2):
        expect(viewers.nth(k).locator("svg g.node").first).to_be_attached()
    settle(page)
    model, small = viewers.nth(0), viewers.nth(1)

    # -- the model view, as it opens ---------------------------------------------------------
    model.scroll_into_view_if_needed()  # scrolls the notebook, never the picture
    settle(page)
    opened = measure_viewer(model)
    model.screenshot(path=str(folder / f"{name}-model-view-opened.png"))
    measured = {"model view": opened}
    try:
        assert opened["texts"] > 100
        assert inside(opened["canvas"], opened["output"]), "the canvas is wider than its output"
        assert opened["font"] >= READABLE_PX - ROUNDING_PX, f"median text {opened['font']:.2f} px"
        # it opens on the top of the pass: the token's embedding whole, and the position's
        # too when both fit side by side in the canvas
        token, position = model.evaluate(NODES_JS, ["wte[s]", "wpe[5]"])
        canvas = opened["canvas"]
        assert inside(token, canvas), f"the start of the pass is cut: {token}"
        if position["right"] - token["left"] <= canvas["right"] - canvas["left"]:
            assert inside(position, canvas), f"the start of the pass is cut: {position}"
        assert token["top"] - canvas["top"] < 20, "the view does not start at the top"
        assert opened["visible"] >= 10, "the view shows next to nothing"
        # only part of it is in view: the minimap says where, over no node text
        assert opened["indicator"] is not None, "the minimap does not show where the view is"
        assert opened["covered"] == 0, f"the minimap covers {opened['covered']} node texts"
        mini, part = opened["indicator"], opened["inView"]
        assert part["top"] - mini["top"] <= 2, "the minimap does not show the view at the top"
        assert part["height"] < 0.6 * mini["height"], "the minimap shows most of it in view"

        # "fit" still shows the whole picture (text too small to read, by design)
        model.locator(".microgpt-viewer-fit").click()
        settle(page)
        fitted = measure_viewer(model)
        measured["model view, fit"] = fitted
        model.screenshot(path=str(folder / f"{name}-model-view-fit.png"))
        assert inside(fitted["drawing"], fitted["canvas"], slack=2), "fit leaves part out"
        assert fitted["scale"] < opened["scale"]

        # -- a small graph: whole, enlarged ----------------------------------------------------
        small.scroll_into_view_if_needed()
        settle(page)
        little = measure_viewer(small)
        measured["small graph"] = little
        small.screenshot(path=str(folder / f"{name}-small-graph-opened.png"))
        assert inside(little["canvas"], little["output"]), "the canvas is wider than its output"
        assert inside(little["drawing"], little["canvas"], slack=2), "the small graph is cut"
        canvas_w = little["canvas"]["right"] - little["canvas"]["left"]
        canvas_h = little["canvas"]["bottom"] - little["canvas"]["top"]
        if little["drawing"]["width"] / little["scale"] < 0.5 * canvas_w:
            assert little["scale"] > 1, "the small graph is not enlarged"
        assert (
            little["drawing"]["width"] >= 0.5 * canvas_w
            or little["drawing"]["height"] >= 0.9 * canvas_h
        ), f"the small graph fills {little['drawing']['width'] / canvas_w:.0%} of its canvas"
        assert little["font"] >= READABLE_PX - ROUNDING_PX
        assert little["indicator"] is None, "a picture shown whole needs no minimap"

        assert error_outputs(page) == []
        assert page.console_errors == []
    finally:
        report = json.dumps(measured, indent=1)
        (folder / f"{name}.json").write_text(report, encoding="utf-8")
        summary = {
            k: {"scale": round(v["scale"], 3), "median font px": round(v["font"], 2),
                "median text box px": round(v["height"], 2), "zoom": v["zoom"]}
            for k, v in measured.items()
        }  # fmt: skip
        print(f"\n{name}: {json.dumps(summary)}")
