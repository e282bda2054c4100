"""JupyterLab's light and dark themes and the dashboard's high contrast, measured (DESIGN.md,
"Screens and presentation"; issue 18, item 4) in a real JupyterLab + Chromium on the laptop.

The classroom dashboard (presenter mode) shows "christopher"; in JupyterLab Light and in
JupyterLab Dark (``apputils:change-theme``), with its "high contrast" toggle off and on, on
the model view, the overview (played to its end: the picture as recorded, on its log scale)
and the scope of pos7.softmax (signed grads on a log scale, edge numbers), and then on every
tab of the dashboard, the contrast of every text the dashboard shows is measured
(``CONTRAST_JS``: WCAG 2 ratios of computed colours, text against what is behind it):

- every text of the pictures (node text, edge numbers, bands, the legend) and of the viewer
  around them (title, notes, zoom, the player's status) reads at 4.5:1 or more in both themes,
  whatever the toggle;
- with high contrast on, every text of the dashboard does (4.5:1), in both themes;
- with it off, every text is visible (3:1 or more: JupyterLab's own inactive tab titles sit
  at 4.2-4.4:1 in its themes), but for disabled controls (60% opacity in ipywidgets: a
  disabled primary button is 2.6:1; WCAG exempts them);
- the canvas takes the theme's page colour (dark in JupyterLab Dark).

The worst texts of each state are written to ``themes/contrast.json`` and screenshots of each
to ``themes/`` (``$BROWSER_TESTS_ARTIFACTS``, else pytest's temp dir), pass or fail. The theme
is set back to JupyterLab Light at the end (the server's settings outlive the test).
"""

from __future__ import annotations

import json

import pytest
from labharness import SCREENS, error_outputs, open_and_run_all, settle

from .test_screens import REPO, screenshots

pytestmark = pytest.mark.browser

THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
TEXT = 4.5  # WCAG AA for text
VISIBLE = 3.0  # WCAG's floor for large text and controls

#: Every text a learner sees in an element, with its WCAG contrast against what is behind it.
#: HTML: the element's computed colour (its alpha and its ancestors' opacity) over the
#: background colours of it and its ancestors, layered from the first opaque one (white when
#: none is); text fields and selects for the value they show. SVG: a text's fill over its halo
#: (a stroke of 2 px or more painted first: edge numbers), else over the topmost filled shape
#: of its SVG painted before it whose box holds the text's centre (a node's box or circle, a
#: band), laid over the SVG's HTML background. Texts of a canvas outside its visible window are
#: left out. Returns ``{text, ratio, fg, bg, kind, where, disabled}`` per text.
CONTRAST_JS = r"""(root) => {
  const parse = (s) => {
    if (!s || s === "none" || s === "transparent") return null;
    let m = /rgba?\(([^)]*)\)/.exec(s);
    if (m) {
      const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    m = /color\(srgb ([^)]*)\)/.exec(s);
    if (m) {
      const p = m[1].split(/[\s\/]+/).filter(Boolean).map(Number);
      return [255 * p[0], 255 * p[1], 255 * p[2], p.length > 3 ? p[3] : 1];
    }
    return null;
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((k) => top[k] * a + bottom[k] * (1 - a)).concat([1]);
  };
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)];
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  };
  const hex = (c) =>
    "#" + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity || 1);
    return o;
  };
  const htmlBackground = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) {
        layers.push(c);
        if (c[3] >= 1) break;
      }
    }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const where = (el) => {
    const parts = [];
    for (let e = el; e && e !== root && parts.length < 4; e = e.parentElement) {
      const cls = typeof e.className === "string" ? e.className : e.getAttribute("class") || "";
      const first = cls.split(/\s+/).find((c) => /^(microgpt|widget|lm-|jp-)/.test(c)) || "";
      parts.push(e.localName + (first ? "." + first : ""));
    }
    return parts.join(" < ");
  };
  const visible = (el) => {
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const out = [];
  const record = (el, text, fg, bg, kind) => {
    const alpha = fg[3] * opacity(el);
    const ink = over([fg[0], fg[1], fg[2], alpha], bg);
    const disabled = Boolean(el.closest(":disabled, [disabled]"));
    out.push({ text: text.trim().slice(0, 50), ratio: Math.round(ratio(ink, bg) * 100) / 100,
               fg: hex(ink), bg: hex(bg), kind, where: where(el), disabled });
  };
  // HTML: elements with text of their own, and form fields showing a value
  const seen = new Set();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || !n.textContent.trim()) continue;
    if (el.closest("svg, style, script, option, select")) continue;
    seen.add(el);
    if (!visible(el)) continue;
    const fg = parse(getComputedStyle(el).color);
    if (fg) record(el, n.textContent, fg, htmlBackground(el), "html");
  }
  const fields = "input[type=text], input[type=number], input:not([type]), select, textarea";
  for (const el of root.querySelectorAll(fields)) {
    if (!visible(el)) continue;
    const option = el.localName === "select" ? el.selectedOptions[0] : null;
    const text = el.localName === "select" ? (option ? option.textContent : "") : el.value;
    if (!text.trim()) continue;
    const fg = parse(getComputedStyle(el).color);
    if (fg) record(el, text, fg, htmlBackground(el), "field");
  }
  // SVG: every <text>, against its halo or the topmost filled shape painted before it
  for (const svg of root.querySelectorAll("svg")) {
    if (svg.ownerSVGElement) continue;  // an <svg> nested in another is walked with it
    const frame = svg.closest(".microgpt-viewer-canvas");
    const f = frame ? frame.getBoundingClientRect() : null;
    const base = htmlBackground(svg);
    const shapes = [];
    for (const el of svg.querySelectorAll("rect, circle, ellipse, polygon, text")) {
      if (el.localName !== "text") {
        const style = getComputedStyle(el);
        const fill = parse(style.fill);
        if (!fill || fill[3] === 0 || style.display === "none") continue;
        fill[3] *= Number(style.fillOpacity || 1);
        shapes.push([el.getBoundingClientRect(), fill]);
        continue;
      }
      const t = el;
      if (!t.textContent.trim() || !visible(t)) continue;
      const r = t.getBoundingClientRect();
      const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
      if (f && (cx < f.left || cx > f.right || cy < f.top || cy > f.bottom)) continue;
      const style = getComputedStyle(t);
      const fg = parse(style.fill);
      if (!fg) continue;
      fg[3] *= Number(style.fillOpacity || 1);
      const halo = parse(style.stroke);
      if (halo && parseFloat(style.strokeWidth) >= 2 && style.paintOrder.startsWith("stroke")) {
        record(t, t.textContent, fg, over(halo, base), "svg-halo");
        continue;
      }
      let bg = base;
      for (let k = shapes.length - 1; k >= 0; k--) {
        const [b, fill] = shapes[k];
        if (cx >= b.left && cx <= b.right && cy >= b.top && cy <= b.bottom) {
          bg = over(fill, base);
          break;
        }
      }
      record(t, t.textContent, fg, bg, "svg");
    }
  }
  return out;
}"""


def worst(measured: list[dict], n: int = 8) -> list[dict]:
    return sorted(measured, key=lambda m: m["ratio"])[:n]


def shown(graph, css: str):
    """The control ``css`` of the graph's toolbar where it is shown (presenter mode shows one
    widget in its toolbar row or in the menu under it)."""
    return graph.locator(f"{css} >> visible=true").first


def dashboard_on(page, lab_server, doc: str):
    """The classroom dashboard (presenter mode) run and showing ``doc``: the graph's locator
    and its title's."""
    from playwright.sync_api import expect

    path = lab_server.add_notebook(REPO / "notebooks" / "classroom_dashboard.ipynb")
    open_and_run_all(page, path, timeout=180)
    graph = page.locator(".microgpt-graph")
    title = graph.locator(".microgpt-viewer-title")
    expect(title).to_contain_text("'emma'")
    field = shown(graph, ".microgpt-doc input")
    field.fill(doc)
    field.press("Enter")
    expect(title).to_contain_text(f"'{doc}'", timeout=30_000)
    return graph, title


def set_theme(page, name: str) -> None:
    page.evaluate(
        "(t) => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})",
        THEMES[name],
    )
    light = "true" if name == "light" else "false"
    page.wait_for_function("(l) => document.body.dataset.jpThemeLight === l", arg=light)
    page.wait_for_timeout(500)  # the theme's stylesheet applied, then a frame drawn
    settle(page)


def set_contrast(page, dashboard, on: bool) -> None:
    """The dashboard's "high contrast" toggle, in its toolbar or behind the toolbar's "⋯"."""
    has = "(el) => el.classList.contains('microgpt-contrast')"
    if dashboard.evaluate(has) != on:
        toggle = dashboard.locator("button:has-text('high contrast') >> visible=true")
        menu = toggle.count() == 0
        if menu:
            dashboard.locator(".microgpt-more >> visible=true").first.click()
        toggle.first.click()
        if menu:  # closed again: the menu would cover the picture
            dashboard.locator(".microgpt-more >> visible=true").first.click()
    page.wait_for_function(
        "([el, on]) => el.classList.contains('microgpt-contrast') === on",
        arg=[dashboard.element_handle(), on],
    )
    settle(page)


def canvas_luminance(graph) -> float:
    return graph.locator(".microgpt-viewer-canvas").evaluate(
        """(el) => {
          const [r, g, b] = getComputedStyle(el).backgroundColor.match(/[\\d.]+/g).map(Number);
          const lin = (v) => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
          return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
        }"""
    )


@pytest.fixture
def laptop(browser, lab_server):
    context = browser.new_context(base_url=lab_server.url, **SCREENS["laptop"])
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
        lab_server.shutdown_kernels()


def test_every_text_reads_in_light_dark_and_high_contrast(
    laptop, lab_server, browser_artifacts_dir
):
    from playwright.sync_api import expect

    page = laptop
    folder = screenshots(browser_artifacts_dir).parent / "themes"
    folder.mkdir(parents=True, exist_ok=True)
    graph, title = dashboard_on(page, lab_server, "christopher")
    dashboard = page.locator(".microgpt-dashboard")
    report: dict[str, dict] = {}
    failures: list[str] = []

    def measure(state: str, contrast: bool, tab: bool = False) -> list[dict]:
        settle(page)
        measured = dashboard.evaluate(CONTRAST_JS)
        report[state] = {"texts": len(measured), "worst": worst(measured)}
        if tab:  # the tab's panel, in sight
            dashboard.locator(".widget-tab").scroll_into_view_if_needed()
            page.screenshot(path=str(folder / f"{state}.png"))
        else:  # the graph's top (controls, title, picture), then its legend
            graph.evaluate("(el) => el.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(folder / f"{state}.png"))
            footer = graph.locator(".microgpt-viewer-footer")
            footer.scroll_into_view_if_needed()
            footer.screenshot(path=str(folder / f"{state}-legend.png"))
        pictures = [m for m in measured if m["kind"].startswith("svg")]
        viewer = [m for m in measured if "microgpt-viewer" in m["where"]]
        if not measured or (not tab and not pictures):
            failures.append(f"{state}: no text measured")
        for m in pictures + viewer:
            if m["ratio"] < TEXT:
                failures.append(f"{state}: picture/viewer text below {TEXT}:1: {m}")
        for m in measured:  # WCAG exempts disabled controls; high contrast does not
            if m["disabled"] and not contrast:
                continue
            if m["ratio"] < (TEXT if contrast else VISIBLE):
                failures.append(f"{state}: text below {TEXT if contrast else VISIBLE}:1: {m}")
        return measured

    try:
        for theme in THEMES:
            set_theme(page, theme)
            lum = canvas_luminance(graph)
            assert (lum > 0.9) if theme == "light" else (lum < 0.05), (theme, lum)
            # the model view, as the dashboard opens
            shown(graph, ".microgpt-view-pick select").select_option("model")
            expect(title).to_contain_text("model")
            for on in (False, True):
                set_contrast(page, dashboard, on)
                measure(f"{theme}-{'contrast-' if on else ''}model", on)
            # the overview, played to its end: the |grad| of 50.63 and the rest on a log scale
            shown(graph, ".microgpt-view-pick select").select_option("overview")
            expect(graph.locator('g.node[data-id^="group/pos"]').first).to_be_attached()
            graph.locator(".microgpt-viewer-play-end").click()
            expect(graph.locator(".microgpt-viewer-legend")).to_contain_text("log scale")
            expect(graph.locator(".microgpt-viewer-legend")).to_contain_text("50.63")
            for on in (False, True):
                set_contrast(page, dashboard, on)
                measure(f"{theme}-{'contrast-' if on else ''}overview", on)
            # the scope of pos7.softmax: signed grads on a log scale, numbers on the edges
            graph.locator(".microgpt-viewer-fit").click()
            graph.locator('g.node[data-id="group/pos7.softmax"]').click()
            expect(title).to_contain_text("scope pos7.softmax")
            graph.locator(".microgpt-viewer-play-end").click()
            for on in (False, True):
                set_contrast(page, dashboard, on)
                measured = measure(f"{theme}-{'contrast-' if on else ''}softmax", on)
                assert any(m["kind"] == "svg-halo" for m in measured)  # edge numbers seen
            # every tab of the dashboard, both ways
            tabs = dashboard.locator(".lm-TabBar-tab")
            for k in range(tabs.count()):
                tabs.nth(k).click()
                page.wait_for_timeout(1500)  # the tab draws when shown
                name = tabs.nth(k).inner_text().strip().replace(" ", "-")
                if name == "backward":  # a step taken: its rows marked in colour
                    dashboard.locator("button:has-text('next step') >> visible=true").click()
                    page.wait_for_timeout(1000)
                for on in (False, True):
                    set_contrast(page, dashboard, on)
                    measure(f"{theme}-{'contrast-' if on else ''}tab-{name}", on, tab=True)
            tabs.first.click()
            set_contrast(page, dashboard, False)
    finally:
        (folder / "contrast.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
        set_theme(page, "light")
    for state, r in report.items():
        print(state, r["texts"], "texts, worst", r["worst"][0]["ratio"] if r["worst"] else None)
    assert not failures, "\n".join(failures[:20])
    assert error_outputs(page) == []
