// The viewer, part: its stylesheet, added once per document or shadow root; presenter mode's
// slide layout.

// Once per document (or per shadow root, whose styles are its own).
function microgptViewerAddStyle(host) {
  const root = host.getRootNode ? host.getRootNode() : null;
  const where = root && root.nodeType === 11 ? root : host.ownerDocument.head;
  if (where.querySelector("style#microgpt-viewer-style")) return;
  const style = host.ownerDocument.createElement("style");
  style.id = "microgpt-viewer-style";
  style.textContent = microgptViewerCss();
  where.appendChild(style);
}

function microgptViewerCss() {
  const c = ".microgpt-viewer-canvas";
  const shapes = (state) =>
    ["rect", "circle", "polygon", "ellipse", "path"].map((s) => `${c} g.node${state} ${s}`);
  // Marks draw a node's outline in screen px at any zoom: paint() keeps --microgpt-unscale at
  // 1 / scale (vector-effect: non-scaling-stroke ignores the CSS transform that zooms).
  const mark = (state, colour, width) =>
    `${shapes(state).join(",\n")} { stroke: ${colour};` +
    ` stroke-width: calc(${width}px * var(--microgpt-unscale, 1)); }`;
  return [
    ".microgpt-viewer-toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px;",
    "  margin: 4px 0; }",
    ".microgpt-viewer-toolbar button { min-width: 2.2em; padding: 1px 6px; cursor: pointer;",
    "  font-size: inherit; }", // buttons follow the page's text size
    ".microgpt-viewer-toolbar select { font-size: inherit; }",
    // full screen: the host holds the screen (title, toolbar, canvas, legend), on the page's
    // background
    ".microgpt-viewer:fullscreen { box-sizing: border-box; padding: 8px; overflow: auto;",
    "  background: var(--jp-layout-color0, #fff); color: var(--jp-content-font-color1, #000); }",
    // presenter mode (a .microgpt-viewer-fill ancestor) and full screen: a one-line title, the
    // notes folded behind their toggle (shown only when there are notes), the player's
    // controls on a row of their own under the zoom buttons and the minimap
    ".microgpt-viewer-notes-toggle { display: none; }",
    // the legend (an SVG at its natural size) grows with the page's text size
    ".microgpt-viewer-footer { zoom: var(--microgpt-text-scale, 1); }",
    ...microgptViewerSlide(),
    ".microgpt-viewer-zoom { margin-left: 6px; color: #555; font-variant-numeric: tabular-nums; }",
    `${c} { position: relative; overflow: hidden; max-width: 100%; border: 1px solid #ccc;`,
    "  background: #fff; cursor: grab; touch-action: none; user-select: none; }",
    `${c}:focus-visible { outline: 2px solid #555; outline-offset: -2px; }`,
    `${c}.microgpt-viewer-dragging, ${c}.microgpt-viewer-dragging g.node { cursor: grabbing; }`,
    `${c} > svg { position: absolute; left: 0; top: 0; transform-origin: 0 0; }`,
    `${c} g.node { cursor: pointer; }`,
    // an unfilled box or ellipse answers clicks inside it too, not only on its outline
    `${shapes("").join(", ")} { pointer-events: visible; }`,
    // later rules win: selected over search over hover
    mark(":hover", "#000000", 2),
    mark(".microgpt-highlight", "#1b7837", 3),
    mark(".microgpt-selected", "#e08214", 4),
    mark(".microgpt-play-current", "#c51b7d", 5),
    `${shapes(".microgpt-play-pending").join(", ")} { stroke-dasharray: 3 2; }`,
    `${c} g.edge.microgpt-play-edge path { stroke: #c51b7d; stroke-width: 2.5px; }`,
    `${c} g.edge.microgpt-play-edge polygon { fill: #c51b7d; }`,
    `${c} g.edge.microgpt-play-edge > text:not(.microgpt-play-label) { display: none; }`,
    ".microgpt-viewer-play { display: inline-flex; flex-wrap: wrap; align-items: center; gap: 4px;",
    "  margin-left: 10px; }",
    ".microgpt-viewer-play[hidden] { display: none; }",
    ".microgpt-viewer-play-status { color: #222; font-variant-numeric: tabular-nums;",
    "  overflow-wrap: anywhere; }",
    // the minimap: at the toolbar's right end, outside the picture
    ".microgpt-viewer-indicator-slot { display: none; margin-left: auto; flex: none; }",
    ".microgpt-viewer-indicator { position: relative; display: none;",
    "  overflow: hidden; border: 1px solid #777; background: #fff; pointer-events: none; }",
    ".microgpt-viewer-indicator-view { position: absolute; box-sizing: border-box;",
    "  border: 1.5px solid #333; background: rgba(0, 0, 0, 0.12); }",
  ].join("\n");
}

function microgptViewerSlide() {
  const modes = [".microgpt-viewer-fill .microgpt-viewer", ".microgpt-viewer:fullscreen"];
  const each = (suffix) => modes.map((m) => m + suffix).join(",\n");
  const h = " > .microgpt-viewer-header";
  const rest = h + " > :not(.microgpt-viewer-title):not(.microgpt-viewer-notes-toggle)";
  return [
    `${each(h)} { display: flex; flex-wrap: wrap; align-items: center; column-gap: 0.5em; }`,
    `${each(h + " > .microgpt-viewer-title")} { flex: 1 1 0; min-width: 0; white-space: nowrap;`,
    "  overflow-x: auto; overflow-y: hidden; scrollbar-width: thin; }",
    `${each(h + " > .microgpt-viewer-notes-toggle")} { display: inline-block; order: 1;`,
    "  flex: none; font-size: 0.9em; padding: 0 6px; cursor: pointer; }",
    `${each(rest)} { display: none; order: 2; flex: 0 0 100%; }`,
    `${each(h + ".microgpt-viewer-notes-open > *")} { display: block; }`,
    `${each(h + ":not(:has(> .microgpt-viewer-notes:not(:empty))) > .microgpt-viewer-notes-toggle")}`,
    "  { display: none; }",
    // the toolbar: the zoom buttons and the minimap on one row, the player (if any) on the next
    `${each(" .microgpt-viewer-indicator-slot")} { order: 1; }`,
    `${each(" .microgpt-viewer-play")} { order: 2; flex: 1 0 100%; margin-left: 0; }`,
    `${each(" .microgpt-viewer-play-label")} { display: none; }`,
  ];
}
