"""Charts in a real JupyterLab, on both reference screens: every chart widget (attention,
next-token probabilities, embeddings) and a notebook ``picture`` is shown at its natural CSS
size, or smaller when its panel is narrower, never stretched; its PNG has twice as many pixels
each way (sharp at 2× zoom and on a 1.5× projector); control labels are not cut; the attention
view's "head" label sits beside its buttons. Sampling in the dashboard stops at BOS.
Screenshots of each chart are saved as artifacts, pass or fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from labharness import error_outputs, open_and_run_all

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]

CELLS = [
    "from explorer import ForwardPass, ModelSource\n"
    "from explorer.plots import loss_curve, picture\n"
    "from explorer.widgets import AttentionView, EmbeddingView, ProbabilitiesView\n"
    "source = ModelSource()\n"
    "fp = ForwardPass('christopher', source=source)",
    "attention = AttentionView()\nattention.show(fp)\nattention",
    "probs = ProbabilitiesView(seed=7)\nprobs.show(fp)\nprobs.pos = 6\nprobs",
    "EmbeddingView(source)",
    "picture(loss_curve(source.ckpt.loss_history))",
]


def _size(img) -> dict:
    """The image's box on the page, its PNG's pixels and its natural CSS size (the width and
    height attributes, or for the clickable image the box its widget was given)."""
    return img.evaluate(
        """img => {
        const r = img.getBoundingClientRect();
        const owner = img.closest('.microgpt-image');
        const given = owner ? parseFloat(owner.style.width) : parseFloat(img.getAttribute('width'));
        const area = img.closest('.jp-OutputArea-output');
        return {width: r.width, height: r.height, naturalWidth: img.naturalWidth,
                naturalHeight: img.naturalHeight, css: given,
                panel: area ? area.getBoundingClientRect().width : null};
        }"""
    )


def _natural_or_shrunk(s: dict, what: str) -> None:
    assert s["naturalWidth"] == pytest.approx(2 * s["css"], abs=1), f"{what}: not a 2x PNG {s}"
    assert s["width"] <= s["css"] + 0.5, f"{what} is stretched beyond its natural size: {s}"
    if s["panel"] and s["panel"] > s["css"] + 20:  # room enough: exactly its natural size
        assert s["width"] == pytest.approx(s["css"], abs=0.5), f"{what} is not natural: {s}"
    ratio = s["naturalHeight"] / s["naturalWidth"]
    assert s["height"] == pytest.approx(s["width"] * ratio, abs=1.5), f"{what} is distorted {s}"


def _not_cut(locator) -> None:
    """No label in ``locator`` is cut: every label's text fits its box."""
    cut = locator.evaluate(
        """root => [...root.querySelectorAll('.widget-label, button')]
        .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
        .map(e => e.textContent)"""
    )
    assert cut == [], f"cut labels: {cut}"


def test_charts_at_natural_size(screen, lab_server, browser_artifacts_dir):
    from playwright.sync_api import expect

    name, page = screen
    shots = browser_artifacts_dir / "charts"
    shots.mkdir(parents=True, exist_ok=True)
    path = lab_server.write_notebook(f"charts-{name}.ipynb", CELLS)
    open_and_run_all(page, path, timeout=180)

    attention = page.locator(".microgpt-attention")
    img = attention.locator("img")
    expect(img).to_be_visible()
    img.scroll_into_view_if_needed()
    attention.screenshot(path=str(shots / f"{name}-attention.png"))
    _natural_or_shrunk(_size(img), "attention")
    _not_cut(attention)
    label = attention.locator(".microgpt-head .widget-label")
    buttons = attention.locator(".microgpt-head .widget-toggle-button").first
    lb, bb = label.bounding_box(), buttons.bounding_box()
    assert 0 <= bb["x"] - (lb["x"] + lb["width"]) <= 16, f"'head' is apart from its buttons {lb}"
    assert abs((lb["y"] + lb["height"] / 2) - (bb["y"] + bb["height"] / 2)) <= 4, "not in a row"

    for cls in ("microgpt-probs", "microgpt-embeddings"):
        view = page.locator(f".{cls}")
        img = view.locator("img")
        expect(img).to_be_visible()
        img.scroll_into_view_if_needed()
        _natural_or_shrunk(_size(img), cls)
        _not_cut(view)
        view.screenshot(path=str(shots / f"{name}-{cls}.png"))

    loss = page.locator(".jp-RenderedImage img").last
    loss.scroll_into_view_if_needed()
    s = _size(loss)
    _natural_or_shrunk(s, "picture(loss_curve)")
    loss.screenshot(path=str(shots / f"{name}-loss.png"))
    assert error_outputs(page) == []
    assert page.console_errors == []


def test_dashboard_sampling_stops_at_bos(lab_server, page, console_errors, browser_artifacts_dir):
    """Sampling after "christopher" (the shipped model, seed 1) draws "a", then BOS: the
    message says so and stays, the document is not extended by BOS, the button refuses."""
    from playwright.sync_api import expect

    path = lab_server.write_notebook(
        "sampling.ipynb",
        [
            "from explorer.widgets import Dashboard\n"
            "d = Dashboard(doc='christopher')\nd.probs.rng.seed(1)\nd",
        ],
    )
    open_and_run_all(page, path, timeout=180)
    page.locator(".lm-TabBar-tab", has_text="next token").click()
    probs = page.locator(".microgpt-probs")
    button = probs.locator("button.microgpt-sample-next")
    message = probs.locator(".microgpt-probs-message")
    button.click()
    expect(message).to_contain_text("sampled after 'christopher' (position 11)")
    expect(probs).to_contain_text("of 'christophera'")  # the chart's document grew
    expect(message).to_contain_text("sampled after 'christopher' (position 11)")  # kept
    button.click()
    expect(message).to_contain_text("BOS ends the name: 'christophera' is complete")
    expect(button).to_be_disabled()
    expect(button).to_contain_text("name complete")
    expect(probs).to_contain_text("of 'christophera' reads")  # BOS was not appended
    probs.screenshot(path=str(browser_artifacts_dir / "charts" / "sampling-bos.png"))
    assert error_outputs(page) == []
    assert console_errors == []
