"""Colours that follow JupyterLab's theme, and the dashboard's high-contrast palette (CSS).

The pictures are written for a white page (``explorer.svg``: a file looks the same anywhere).
In the widgets this stylesheet repaints what lies around and between the nodes from
JupyterLab's CSS variables, so that the light and the dark theme both read:

- the canvas is the page's colour (``--jp-layout-color0``); edges, their numbers (on a halo of
  the page's colour), the bands of positions, the notes, the zoom, the player's status and the
  legend's text (``currentColor`` in ``legend_svg``) take the theme's ink;
- a node keeps its fill (the legend's colour bars show the same fills) and its ink, chosen
  against that fill by ``style.text_colour`` (at least 4.58:1 on any fill);
- nothing is hard-coded dark on the page: a muted text is the theme's ink mixed 72% with the
  page (9:1 on white, 10:1 on JupyterLab Dark's #111).

``microgpt-contrast`` (the dashboard's "high contrast" toggle puts it on the dashboard) is a
palette, not a filter: every text in full ink (``--jp-ui-font-color0``/``--jp-content-font-
color0``: black on light, white on dark), JupyterLab's and ipywidgets' dimmer text colours
raised to it inside the dashboard, disabled controls shown by a dashed outline instead of 60%
opacity, edges darker; the fills are left as they are, so the colour scales stay the ones the
legend shows (a CSS filter changed the fills under their text and lowered its contrast).

``STYLESHEET`` is what ``SvgGraph`` adds to the page (anywidget's ``_css``). The dashboard's own
stylesheet (``dashboard.py``) takes its tables', notes' and messages' colours from the same
variables; a few panels still colour cells inline, and ``DASHBOARD_CSS`` gives those an ink that
reads on them.
"""

from __future__ import annotations

__all__ = ["CONTRAST_CSS", "DASHBOARD_CSS", "STYLESHEET", "VIEWER_CSS"]

#: The viewer inside ``SvgGraph`` (``.microgpt-svg``): the theme's page and ink.
VIEWER_CSS = """
.microgpt-svg, .microgpt-dashboard {
  --microgpt-paper: var(--jp-layout-color0, #ffffff);
  --microgpt-ink: var(--jp-content-font-color1, #222222);
  --microgpt-muted: color-mix(in srgb, var(--jp-content-font-color0, #000000) 72%,
    var(--jp-layout-color0, #ffffff));
  --microgpt-line: color-mix(in srgb, var(--jp-content-font-color0, #000000) 50%,
    var(--jp-layout-color0, #ffffff));
  --microgpt-line-faint: color-mix(in srgb, var(--jp-content-font-color0, #000000) 25%,
    var(--jp-layout-color0, #ffffff));
  --microgpt-band: var(--jp-layout-color1, #f6f6f6);
  --microgpt-band-line: var(--jp-border-color1, #dddddd);
}
.microgpt-svg { color: var(--microgpt-ink); }
.microgpt-svg .microgpt-viewer-canvas { background: var(--microgpt-paper);
  border-color: var(--jp-border-color1, #cccccc); }
.microgpt-svg .microgpt-viewer-title { color: var(--microgpt-ink); }
.microgpt-svg .microgpt-viewer-notes, .microgpt-svg .microgpt-viewer-zoom {
  color: var(--microgpt-muted); }
.microgpt-svg .microgpt-viewer-play-status, .microgpt-svg .microgpt-viewer-play-label,
.microgpt-svg .microgpt-viewer-legend { color: var(--microgpt-ink); }
.microgpt-svg .microgpt-viewer-toolbar button, .microgpt-svg .microgpt-viewer-toolbar select {
  color: var(--jp-ui-font-color1, #222222); background: var(--jp-layout-color2, #eeeeee);
  border: 1px solid var(--jp-border-color1, #bbbbbb); border-radius: 2px; }
.microgpt-svg .microgpt-viewer-indicator { background: var(--microgpt-paper);
  border-color: var(--microgpt-line); }
.microgpt-svg .microgpt-viewer-indicator-view { border-color: var(--microgpt-ink); }
.microgpt-svg g.edge > path { stroke: var(--microgpt-line); }
.microgpt-svg g.edge > polygon { fill: var(--microgpt-line); }
.microgpt-svg g.edge.param > path { stroke: var(--microgpt-line-faint); }
.microgpt-svg g.edge.param > polygon { fill: var(--microgpt-line-faint); }
.microgpt-svg g.edge > text:not(.microgpt-play-label) { fill: var(--microgpt-muted);
  stroke: var(--microgpt-paper); }
.microgpt-svg g.band > rect { fill: var(--microgpt-band); stroke: var(--microgpt-band-line); }
.microgpt-svg g.band > text { fill: var(--microgpt-muted); }
"""

#: Inline colours of the dashboard's panels (the stepper's and the training tab's cells) given
#: an ink that reads on them in every theme.
DASHBOARD_CSS = """
.microgpt-dashboard [style*="background:#fdb863"],
.microgpt-dashboard [style*="background:#fdb863"] *,
.microgpt-dashboard [style*="background:#b2abd2"],
.microgpt-dashboard [style*="background:#b2abd2"] * { color: #000000; }
.microgpt-dashboard [style*="color:#b00020"] { color: var(--jp-error-color1, #b00020) !important; }
"""

#: High contrast: full ink everywhere, disabled controls outlined, darker edges, no filter.
CONTRAST_CSS = """
.microgpt-dashboard.microgpt-contrast, .microgpt-svg.microgpt-contrast,
.microgpt-contrast .microgpt-svg {
  --microgpt-ink: var(--jp-content-font-color0, #000000);
  --microgpt-muted: var(--jp-content-font-color0, #000000);
  --microgpt-line: color-mix(in srgb, var(--jp-content-font-color0, #000000) 80%,
    var(--jp-layout-color0, #ffffff));
  --microgpt-line-faint: color-mix(in srgb, var(--jp-content-font-color0, #000000) 50%,
    var(--jp-layout-color0, #ffffff));
  --microgpt-band-line: var(--jp-border-color0, #999999);
  --jp-ui-font-color1: var(--jp-ui-font-color0, #000000);
  --jp-ui-font-color2: var(--jp-ui-font-color0, #000000);
  --jp-ui-font-color3: var(--jp-ui-font-color0, #000000);
  --jp-content-font-color1: var(--jp-content-font-color0, #000000);
  --jp-content-font-color2: var(--jp-content-font-color0, #000000);
  --jp-content-font-color3: var(--jp-content-font-color0, #000000);
  --jp-widgets-color: var(--jp-ui-font-color0, #000000);
  --jp-widgets-label-color: var(--jp-ui-font-color0, #000000);
  --jp-widgets-readout-color: var(--jp-ui-font-color0, #000000);
  --jp-widgets-input-color: var(--jp-ui-font-color0, #000000);
  --jp-widgets-disabled-opacity: 1;
  color: var(--jp-ui-font-color0, #000000);
}
.microgpt-contrast .jupyter-button:disabled, .microgpt-contrast select:disabled,
.microgpt-contrast input:disabled, .microgpt-contrast button:disabled {
  opacity: 1; outline: 1px dashed currentColor; outline-offset: -3px; cursor: not-allowed; }
.microgpt-contrast .noUi-target[disabled] { opacity: 1; }
.microgpt-contrast .microgpt-viewer-canvas { border-color: var(--jp-border-color0, #999999); }
"""

STYLESHEET = VIEWER_CSS + DASHBOARD_CSS + CONTRAST_CSS
