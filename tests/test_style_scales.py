"""Colour scales that show structure, and text that reads on every fill (issue 18, items 4-5).

When one value dominates a picture (its largest |value| more than ``style.DOMINANCE`` times the
90th percentile of the non-zero ones), the scale turns logarithmic from about the smallest
value: on the real overview of "christopher" one softmax's |grad| of 50.63 no longer leaves the
69 other boxes white, and the legend says "log scale", why, and shows its powers of ten. The
same rule serves signed gradients (a softmax's scope, where one probability's grad is −47.6
among grads of 0.0001-0.03). A picture with no dominant value keeps the linear scale. Node text
is black or white by the WCAG contrast with its fill: at least 4.5:1 on every fill of every
scale. The legend's text takes the page's colour (``currentColor``), so it reads in a dark
theme too, and the widgets' stylesheet takes every text colour from JupyterLab's theme.
"""

from __future__ import annotations

import math
import re
import statistics
import xml.etree.ElementTree as ET

import pytest

from explorer import ForwardPass, layout, overview, scope_view, style, svg
from explorer.shapes import scales_of
from microgpt.errors import MicrogptError

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def christopher():
    return ForwardPass("christopher")


def _fills(text: str, kind: str) -> dict[str, str]:
    """``data-id`` → fill of the drawn nodes of ``kind``."""
    out = {}
    for g in ET.fromstring(text).iter(f"{NS}g"):
        if "node" in (g.get("class") or "").split() and g.get("data-kind") == kind:
            out[g.get("data-id")] = g.find(f"{NS}rect").get("fill")
    return out


def _legend_words(text: str) -> list[str]:
    root = ET.fromstring(text)
    return [t.text or "" for t in root.iter(f"{NS}text")]


# -- the rule --------------------------------------------------------------------------------
def test_a_linear_scale_serves_values_without_a_dominant_one():
    assert style.log_floor([0.1 * k for k in range(1, 30)]) == 0.0
    assert style.log_floor([]) == style.log_floor([0.0, 0.0]) == 0.0
    assert style.log_floor([5.0]) == 0.0  # one value is its own 90th percentile


def test_one_dominant_value_turns_the_scale_logarithmic_from_the_smallest():
    values = [0.2, 0.3, 0.5, 0.4, 0.25, 0.35, 0.45, 0.3, 0.2, 0.1, -0.15, 50.0, 0.0]
    top, p90 = style.dominance(values)
    assert top == 50.0 and p90 == 0.5 and top > style.DOMINANCE * p90
    assert style.log_floor(values) == 0.1  # the smallest non-zero |value|
    # values over many decades: the floor is LOG_DECADES below the top, unless that would
    # leave more than 10% of them under it (then the 10th percentile)
    wide = [1e-9] + [0.5 + 0.01 * k for k in range(40)] + [100.0]
    assert style.log_floor(wide) == pytest.approx(100.0 / 10**style.LOG_DECADES)
    tiny = [1e-6 * k for k in range(1, 40)] + [100.0]
    assert style.log_floor(tiny) == sorted(tiny)[math.ceil(0.1 * len(tiny)) - 1]


def test_strength_runs_from_white_at_zero_to_full_at_the_top():
    assert style.strength(0.0, 1.0) == 0.0 and style.strength(1.0, 1.0) == 1.0
    assert style.strength(0.25, 1.0) == 0.5  # square-root stretch
    assert style.strength(0.0, 50.0, 0.1) == 0.0  # 0 stays white on a log scale
    assert style.strength(0.1, 50.0, 0.1) == style.LOG_TINT  # the floor: the faintest tint
    assert style.strength(0.01, 50.0, 0.1) == style.LOG_TINT  # below it: the same
    assert style.strength(50.0, 50.0, 0.1) == style.strength(-math.inf, 50.0, 0.1) == 1.0
    mags = [0.1 * 1.5**k for k in range(16)]
    steps = [style.strength(v, 50.0, 0.1) for v in mags]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
    # equal ratios, equal steps: a log scale
    gaps = [b - a for a, b in zip(steps, steps[1:]) if b < 1]
    assert max(gaps) - min(gaps) < 1e-9
    assert style.log_ticks(50.0, 0.066) == [0.1, 1.0, 10.0]
    assert style.log_ticks(50.0, 0.0) == []


def test_node_text_reads_on_every_fill_of_every_scale():
    fills = [style.diverging(v, 1.0) for v in (-1 + k / 100 for k in range(201))]
    fills += [style.norm_colour(k / 100, 1.0) for k in range(101)]
    fills += [style.sequential(k / 100) for k in range(101)]
    fills += [style.OP_FILL, style.SUM_FILL, style.FOLDED_FILL, "#808080", "#777777"]
    worst = min(style.contrast(f, style.text_colour(f)) for f in fills)
    assert worst >= 4.5, worst
    assert style.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert style.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    # the edge numbers, on their white halo
    assert style.contrast(style.EDGE["ink"], "#ffffff") >= 4.5
    assert style.contrast(style.PARAM_EDGE["ink"], "#ffffff") >= 4.5


# -- the real overview of "christopher" ------------------------------------------------------
def test_the_overview_of_christopher_separates_the_groups_the_largest_dwarfs(christopher):
    view = overview(christopher)
    lay = layout.layout(view)
    s = lay.scales
    norms = {n.id: n.grad for n in view.nodes if n.kind == "group"}
    top = max(norms, key=norms.get)
    assert top == "group/pos7.softmax" and style.fmt(norms[top]) == "50.63"
    assert s.norm_floor == pytest.approx(min(norms.values()))  # log, from the smallest
    text = svg.to_svg(view, lay)
    fills = _fills(text, "group")
    rest = [k for k in norms if k != top]
    # linear, the others would be near white: half of them under 18% of the colour
    linear = [style.strength(norms[k], s.norm) for k in rest]
    assert statistics.median(linear) < 0.18
    log = [style.strength(norms[k], s.norm, s.norm_floor) for k in rest]
    assert statistics.median(log) > 0.35
    # every fill as the scale says, darker for a larger norm, and many tints, not a few
    for k, v in norms.items():
        assert fills[k] == style.norm_colour(v, s.norm, s.norm_floor)
    by_norm = sorted(norms, key=norms.get)
    lum = [style.luminance(fills[k]) for k in by_norm]
    assert all(a >= b for a, b in zip(lum, lum[1:]))
    assert len(set(fills.values())) >= 40
    # the legend says so, with its numbers: floor, powers of ten, top, and why
    words = " ".join(_legend_words(svg.legend_svg(view, s)))
    assert "log scale" in words and "one value dominates" in words
    for number in ("0.06598", "1", "10", "50.63"):
        assert re.search(rf"(^| ){re.escape(number)}( |$)", words), number
    assert f"50.63 is {50.63 / s.norm_p90:.0f}× the 90th percentile ({style.fmt(s.norm_p90)})" in (
        words
    )


def test_signed_gradients_of_a_softmax_scope_get_a_log_scale_too(christopher):
    view = scope_view(christopher, "pos7.softmax")
    s = scales_of(view)
    assert s.grad_min < -40 and s.grad_floor > 0  # one probability's grad dominates
    text = svg.to_svg(view)
    fills = _fills(text, "value")
    grads = {n.id: n.grad for n in view.nodes if n.kind == "value" and n.id in fills}
    for k, g in grads.items():
        assert fills[k] == style.diverging(g, s.grad, s.grad_floor)
    # per sign, darker for a larger |grad|; most boxes visibly tinted, not white
    for sign in (1, -1):
        ids = sorted((k for k in grads if grads[k] * sign > 0), key=lambda k: abs(grads[k]))
        lum = [style.luminance(fills[k]) for k in ids]
        assert all(a >= b for a, b in zip(lum, lum[1:]))
    tinted = [k for k in grads if style.luminance(fills[k]) < 0.8]
    assert len(tinted) > len(grads) / 2
    words = _legend_words(text)
    assert any("log scale" in w for w in words)
    assert style.fmt(-s.grad) in words and style.fmt(s.grad) in words and "0" in words


def test_a_flat_picture_keeps_its_linear_scale(christopher):
    view = scope_view(christopher, "pos3.layer0.attn.head1")
    s = scales_of(view)
    assert s.grad_floor == 0.0 and s.norm_floor == 0.0
    assert not any("log scale" in w for w in _legend_words(svg.to_svg(view)))


# -- colours from the page -------------------------------------------------------------------
def test_the_legend_takes_the_pages_text_colour(christopher):
    view = overview(christopher)
    legend = svg.legend_svg(view, scales_of(view))
    root = ET.fromstring(legend)
    texts = list(root.iter(f"{NS}text"))
    assert texts and all(t.get("fill") == "currentColor" for t in texts)
    assert "#222222" not in legend and "#555555" not in legend
    # a file is drawn on white: its legend's ink is set dark there
    page = ET.fromstring(svg.to_svg(view))
    box = next(g for g in page.iter(f"{NS}g") if g.get("class") == "legend")
    assert style.contrast(box.get("color"), "#ffffff") >= 4.5


def test_edges_out_of_parameters_are_marked_for_the_stylesheet(christopher):
    root = ET.fromstring(svg.canvas_svg(scope_view(christopher, "pos1.embed")))
    classes = [g.get("class") for g in root.iter(f"{NS}g") if "edge" in g.get("class", "")]
    assert "edge param" in classes and "edge" in classes


def test_the_widgets_take_every_text_colour_from_the_theme():
    from explorer.widgets import theme
    from explorer.widgets.front import SvgGraph

    assert theme.STYLESHEET in SvgGraph._css
    for css in (theme.VIEWER_CSS, theme.CONTRAST_CSS):
        for prop, value in re.findall(r"(?<![-\w])(color|fill|background):\s*([^;]+);", css):
            assert value.startswith(("var(", "none")), f"{prop}: {value} is not the theme's"
    # the high contrast is a palette: no filter changes the fills under their text
    from explorer.widgets import dashboard

    for css in (theme.STYLESHEET, dashboard._STYLE, dashboard._PRESENTER_STYLE):
        assert "filter:" not in css.replace("filter: none", "")
    for prop, value in re.findall(r"(?<![-\w])(color):\s*([^;]+);", dashboard._BASE_CSS):
        assert value.startswith("var("), f"the dashboard's {prop}: {value} is not the theme's"


def test_the_loss_scale_lives_with_the_others():
    """White at 0 to brown at the scale, clamped; what cannot be placed is full brown."""
    assert style.loss_colour(0.0, 3.0) == "#ffffff"
    assert style.loss_colour(3.0, 3.0) == style.loss_colour(9.0, 3.0) == "#8c510a"
    assert style.loss_colour(math.inf, 3.0) == style.loss_colour(1.0, 0.0) == "#8c510a"
    assert style.luminance(style.loss_colour(1.0, 3.0)) > style.luminance("#8c510a")
    with pytest.raises(MicrogptError, match="loss"):
        style.loss_colour("high", 3.0)


def test_swatches_walk_each_scale_in_equal_steps():
    div, seq, loss = (
        style.diverging_swatches(2.0),
        style.sequential_swatches(),
        style.loss_swatches(2.0),
    )
    assert len(div) == len(seq) == len(loss) == style.SWATCHES
    half = style.SWATCHES // 2
    light = [style.luminance(c) for c in div]
    assert light[:half] == sorted(light[:half]) and light[half:] == sorted(light[half:])[::-1]
    assert div[0] == style.diverging(-1.9, 2.0) and div[-1] == style.diverging(1.9, 2.0)
    assert seq[-1] == style.sequential(1 - 0.5 / style.SWATCHES)
    assert loss[0] == style.loss_colour(0.05, 2.0)


def test_wrap_breaks_at_spaces_within_the_width():
    text = "the quick brown fox jumps over the lazy dog " * 3
    lines = style.wrap(text.strip(), 10.0, 150.0, least=10)
    assert " ".join(lines) == text.strip()
    per_line = int(150.0 / (style.CHAR_EM * 10.0))
    assert all(len(line) <= per_line for line in lines) and len(lines) > 1
    assert style.wrap("a" * 50, 10.0, 10.0, least=5) == ["a" * 50]  # a long word stays whole
    assert len(style.wrap(text, 10.0, 1.0, least=30)[0]) > 20  # at least `least` a line
