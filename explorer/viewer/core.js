// The graph viewer: pans and zooms an SVG picture inside a canvas no wider than its host, with
// a toolbar, clickable nodes and a position indicator. No dependencies, nothing fetched.
// A plain script, not a module: it is inlined both into the anywidget's ES module and into a
// <script> of an exported HTML page. Only function declarations sit at top level (no const or
// let), so inlining it twice into one page is harmless.
//
// The view is three numbers: the SVG point at the canvas's top-left corner (x, y) and the
// scale (screen px per SVG unit). The <svg> keeps its natural size and viewBox; pan and zoom
// set a CSS transform on it. Chromium lays SVG text out again whenever a viewBox (or an SVG
// transform's scale) changes: ~100 ms a frame for 1,000 nodes. A CSS transform costs no layout
// and, with no will-change (which would freeze a bitmap), is painted crisp at every scale.
//
// A picture opens readable (DESIGN.md, "Screens and presentation"). Its text size is the median
// font size of the text in its nodes (SVG units: CSS px at scale 1). Fitted whole, if that keeps
// the median at 9 CSS px or more; a small picture is enlarged to fill its canvas, up to median
// text of 16 px and never beyond twice its size. Otherwise it opens at the readable scale
// (median text of exactly 9 px: as much of the picture as can be read), on what matters: the
// selected node, else the node the <svg> names in data-focus, else a node the picture marks (a
// data-role, or the explorer's borders: selected, a path's source, the root), else the start of
// a top-to-bottom picture (the model view reads as the article's gpt()) or the end of a
// left-to-right one (where its root is). The minimap in the toolbar shows where the view is,
// never over the picture. "fit" shows the whole picture, whatever its text size.
//
// A text size (the CSS property --microgpt-text-scale on the host or an ancestor, 1 to 2.5:
// presenter mode's "text size") multiplies the readable and comfortable text sizes: node text
// on screen grows with the rest of the page's text.
//
// Presenter mode is a slide: inside an element of class microgpt-viewer-fill, the canvas fills
// the rest of the visible height of what scrolls the page (JupyterLab's notebook panel, else the
// window) once that element's top is at its top; the title keeps to one line and the notes fold
// behind a "notes" toggle. The full-screen button (Fullscreen API on the host; Esc leaves) gives
// the canvas the screen but for the title and the toolbar (the legend is below: it scrolls).
// PageDown, PageUp and space on the canvas step the backward player, which opens at step 0.
// The host keeps the viewer's API as host.microgptViewer (a presenter's clicker steps it).
//
//   const viewer = microgptViewer(div, { onNodeClick: (id, event) => ..., minHeight: 240 });
//   viewer.header.append(title); viewer.setSvg(text); viewer.select(id);
//   viewer.setBackward(json); // or a <metadata class="microgpt-backward"> in the picture
//
// The script is written in parts, one subject each, in explorer/viewer/: core.js (this: the
// host, its state, sizing, painting and the API), panzoom.js (the view's moves and the input
// that makes them), selection.js (marks, node boxes, what a picture opens on), minimap.js,
// player.js (backward, played), picture.js (what is read off a picture), style.js (the
// stylesheet) and colours.js (explorer.style's scales). explorer.viewer.viewer_script() joins
// them in that order into the one script the widgets and the exported HTML inline: nothing is
// built. Every part keeps this header's rule: only function declarations at top level.

function microgptViewer(host, options) {
  const opts = options || {};
  const doc = host.ownerDocument;
  const win = doc.defaultView;
  const MAX_SCALE = 8;
  const STEP = 1.25; // zoom factor of a button or key press
  const listening = new AbortController(); // destroy() removes every listener at once
  microgptViewerAddStyle(host);

  // ---- the DOM: header, toolbar (with the minimap), canvas (the svg), footer ----
  const moves = {
    zoomIn: () => zoomBy(STEP),
    zoomOut: () => zoomBy(1 / STEP),
    fit: () => fit(),
    oneToOne: () => oneToOne(),
    fullscreen: () => toggleFullscreen(),
    notes: () => resized(), // the canvas below moves
  };
  const { add, header, toolbar, canvas, footer, readout } = microgptViewerChrome(host, on, moves);
  const player = microgptPlayer(toolbar, add, on, win, (g) => follow(g));
  const minimap = microgptMinimap(toolbar, add); // at the toolbar's right end

  // ---- state ----
  let svg = null; // the root <svg> shown, or null
  let pic = null; // its natural box in SVG units: {x, y, w, h}
  let nodes = new Map(); // node id -> g.node
  let [cw, ch] = [0, 0]; // the canvas's content size in px
  let [fitScale, minScale] = [1, 0.05];
  let textSize = 0; // the median font size of the picture's node text, SVG units; 0: none
  let textScale = 1; // the page's text size (--microgpt-text-scale), read by measure()
  let openScale = 1; // the readable scale, for a picture whose fit is not readable
  const view = { x: 0, y: 0, scale: 1 };
  // "open": as a new picture opens (a resize opens it again); "fit": fitted by the user (a
  // resize fits again); "": moved by the user (a resize keeps the view)
  let mode = "open";
  let whole = false; // the view shows the whole picture, fitted
  let opening = false; // within the task that set the picture: a selection is where it opens
  let frame = 0; // the pending requestAnimationFrame, 0 if none
  let sizeChanged = false;
  let selected = null;
  let highlighted = new Set();
  let markScale = null; // the scale the marks' widths were last set for

  function on(target, type, fn, extra) {
    target.addEventListener(type, fn, Object.assign({ signal: listening.signal }, extra));
  }

  // ---- size: the canvas is as wide as the host, as tall as the picture at the scale it opens
  // with (fitted to the width, enlarged if small; the readable scale if fitting is not) ----
  function measure() {
    const sizes = microgptViewerMeasure(host, canvas, opts, pic, textSize);
    ({ cw, ch, textScale, fitScale, openScale, minScale } = sizes);
  }

  const fitsReadable = () => microgptViewerReadable(fitScale, textSize, textScale);

  function relayout() {
    const before = [cw, ch, textScale];
    measure();
    if (before[0] === cw && before[1] === ch && before[2] === textScale) return;
    if (mode === "open") openView();
    else if (mode === "fit") fitView();
    else if (before[2] !== textScale) zoomAt(textScale / before[2], cw / 2, ch / 2);
    else clampView();
  }

  // ---- full screen: the Fullscreen API on the host (Esc leaves, as the browser's own key) ----
  function toggleFullscreen() {
    if (doc.fullscreenElement === host) doc.exitFullscreen().catch(() => {});
    else if (host.requestFullscreen) host.requestFullscreen().catch(() => {}); // refused: stays
  }

  // ---- the view ----
  function fitView() {
    mode = "fit";
    whole = true;
    if (!pic || !cw) return;
    view.scale = fitScale;
    view.x = pic.x + (pic.w - cw / fitScale) / 2;
    view.y = pic.y + (pic.h - ch / fitScale) / 2;
  }

  // The view a picture opens with: fitted if that is readable, else the readable scale on
  // what matters (microgptViewerFocus, selection.js).
  function openView() {
    if (!pic || !cw || fitsReadable()) {
      fitView();
      mode = "open";
      return;
    }
    [mode, whole] = ["open", false];
    const s = (view.scale = openScale);
    const f = microgptViewerFocus(svg, nodes, pic, selected, [cw / s, ch / s]);
    view.x = microgptViewerPlace(f.x, f.ax, cw / s, pic.x, pic.w);
    view.y = microgptViewerPlace(f.y, f.ay, ch / s, pic.y, pic.h);
  }

  function clampView() {
    if (pic && cw) microgptViewerClamp(view, pic, cw, ch);
  }

  const clampScale = (s) => Math.min(MAX_SCALE, Math.max(minScale, s));

  function moved() {
    [mode, whole] = ["", false];
    clampView();
    schedule();
  }

  // (px, py): the canvas point that stays on the same SVG point
  function zoomAt(factor, px, py) {
    const s = clampScale(view.scale * factor);
    view.x += px / view.scale - px / s;
    view.y += py / view.scale - py / s;
    view.scale = s;
    moved();
  }

  // (dx, dy): screen px the picture moves, as a drag would move it
  function panBy(dx, dy) {
    view.x -= dx / view.scale;
    view.y -= dy / view.scale;
    moved();
  }

  function centreOn(cx, cy, scale) {
    view.scale = clampScale(scale);
    view.x = cx - cw / view.scale / 2;
    view.y = cy - ch / view.scale / 2;
    moved();
  }

  // ---- drawing: one batch of DOM writes per animation frame ----
  function schedule() {
    if (!frame) frame = win.requestAnimationFrame(onFrame);
  }

  function onFrame() {
    frame = 0;
    if (sizeChanged) relayout();
    sizeChanged = false;
    paint();
  }

  function paintNow() {
    if (frame) win.cancelAnimationFrame(frame);
    onFrame();
  }

  function paint() {
    readout.textContent = svg ? Math.round(view.scale * 100) + "%" : "";
    if (!svg || !cw) {
      minimap.hide(); // no picture: nothing to locate
      return;
    }
    const s = view.scale;
    const [dx, dy] = [(pic.x - view.x) * s, (pic.y - view.y) * s];
    svg.style.transform = `translate(${dx}px, ${dy}px) scale(${s})`;
    if (s !== markScale) unscaleMarks();
    minimap.paint(view, pic, cw, cw / s, ch / s);
  }

  // Outlines of marked nodes keep their screen width: --microgpt-unscale = 1 / scale. Every
  // node inherits it, so setting it restyles them all (~80 ms at 1,000 nodes): during a zoom
  // it waits until the wheel rests; a new picture gets it at once.
  let unscaleTimer = 0;
  function unscaleMarks() {
    win.clearTimeout(unscaleTimer);
    const apply = () => {
      if (!svg) return;
      svg.style.setProperty("--microgpt-unscale", String(1 / view.scale));
      markScale = view.scale;
    };
    if (markScale === null) apply();
    else unscaleTimer = win.setTimeout(apply, 150);
  }

  // ---- the picture and its nodes ----
  function setSvg(text) {
    player.load(null, nodes);
    if (svg) svg.remove();
    markScale = null;
    ({ svg, pic, nodes, textSize } = microgptViewerShow(canvas, text));
    player.load(svg, nodes); // a picture with a backward script gets the player's controls
    measure();
    openView(); // whatever the last picture's view was
    mark();
    paintNow(); // not one frame at its natural size
    // A selection made in the same task (the widget draws, then selects) is where it opens.
    opening = true;
    Promise.resolve().then(() => (opening = false));
  }

  const mark = () => microgptViewerMark(nodes, selected, highlighted);
  const nodeBox = (g) => microgptViewerNodeBox(g, svg, pic);

  // Brings a node into view unless it is already whole on screen at a readable scale.
  function reveal(g, zoom) {
    const b = nodeBox(g);
    const inside = microgptViewerInside(b, view, cw / view.scale, ch / view.scale);
    const readable = textSize ? (microgptViewerText().readable * textScale) / textSize : 0.75;
    if (inside && view.scale >= Math.min(0.75, readable) - 1e-9) return;
    let s = view.scale;
    if (zoom) s = Math.min(Math.max(s, 1), 0.9 * Math.min(cw / b.w, ch / b.h));
    centreOn(b.x + b.w / 2, b.y + b.h / 2, s);
  }

  // While backward plays, its current node stays in sight: the view moves only when the node
  // is out of it (a fitted picture shows every node already).
  function follow(g) {
    if (!cw || whole) return;
    const b = nodeBox(g);
    const inside = microgptViewerInside(b, view, cw / view.scale, ch / view.scale);
    if (!inside) centreOn(b.x + b.w / 2, b.y + b.h / 2, view.scale);
  }

  function select(id, how) {
    selected = id ?? null;
    mark();
    const g = selected === null ? null : nodes.get(selected);
    if (g && cw && opening && mode === "open") {
      openView(); // a picture just set opens on its selection
      schedule();
    } else if (g && cw && !(how && how.reveal === false)) reveal(g, !how || how.zoom !== false);
    return Boolean(g);
  }

  function highlight(ids) {
    highlighted = new Set(ids || []); // a search's matches
    mark();
  }

  // Esc leaves full screen (a headless or kiosk browser may not take the key itself)
  function onHostKey(e) {
    if (e.key === "Escape" && doc.fullscreenElement === host) {
      e.preventDefault();
      doc.exitFullscreen().catch(() => {});
    }
  }

  // ---- public ----
  function fit() {
    fitView(); // the whole picture, readable or not
    schedule();
  }

  function oneToOne() {
    zoomAt(1 / view.scale, cw / 2, ch / 2);
  }

  // at: [x, y] in canvas px, the canvas's centre by default
  function zoomBy(factor, at) {
    const [px, py] = at || [cw / 2, ch / 2];
    zoomAt(factor, px, py);
  }

  function getView() {
    const s = view.scale;
    return { x: view.x, y: view.y, width: cw / s, height: ch / s, scale: s };
  }

  function setView(v) {
    view.scale = clampScale(v.scale ?? view.scale);
    view.x = v.x ?? view.x;
    view.y = v.y ?? view.y;
    moved();
  }

  function destroy() {
    player.load(null, nodes);
    listening.abort();
    if (observer) observer.disconnect();
    if (frame) win.cancelAnimationFrame(frame);
    win.clearTimeout(unscaleTimer);
    for (const e of [header, toolbar, canvas, footer]) e.remove();
    host.classList.remove("microgpt-viewer");
    if (host.microgptViewer === api) delete host.microgptViewer;
  }

  microgptViewerInput(canvas, on, {
    ...moves,
    panBy,
    zoomAt,
    size: () => [cw, ch],
    player: player.api,
    click: (id, e) => opts.onNodeClick && opts.onNodeClick(id, e),
  });
  on(host, "keydown", onHostKey);
  on(doc, "fullscreenchange", () => {
    host.classList.toggle("microgpt-viewer-fullscreen", doc.fullscreenElement === host);
    resized(); // the canvas takes (or gives back) the screen's height
  });
  // Sizes are read again in the next frame, not in the observer: setting the canvas's height
  // there would resize the host within the same frame (a "ResizeObserver loop" error).
  const resized = () => {
    sizeChanged = true;
    schedule();
  };
  const observer = win.ResizeObserver ? new win.ResizeObserver(resized) : null;
  if (observer) observer.observe(host);
  on(win, "resize", resized); // the default maxHeight follows the window
  measure();
  paint();

  const api = { header, footer, canvas, setSvg, select, highlight, fit, oneToOne, zoomBy };
  // A backward script (explorer.playback's JSON) for the picture shown; "" or null: none.
  function setBackward(text) {
    player.load(svg, nodes, text || null);
  }

  Object.assign(api, { getView, setView, destroy, setBackward, backward: player.api });
  Object.assign(api, { fullscreen: toggleFullscreen, refresh: resized });
  Object.defineProperty(api, "svg", { get: () => svg }); // the <svg> shown, or null
  host.microgptViewer = api;
  return api;
}

// The canvas's height when it fills what is visible (0: it does not). In full screen: the
// screen's less the title and the toolbar (the legend is below, the screen scrolls to it).
// Inside a .microgpt-viewer-fill element: the visible height of the nearest ancestor that
// scrolls (else the window's) less what lies between that element's top and the canvas's.
function microgptViewerFillHeight(host, canvas) {
  const FILL_MIN_PX = 120; // a canvas that fills the visible height is at least this tall
  const FILL_MARGIN_PX = 6; // and ends this far above the bottom of what is visible
  const doc = host.ownerDocument;
  const win = doc.defaultView;
  const full = doc.fullscreenElement === host;
  const top = full ? host : host.closest(".microgpt-viewer-fill");
  if (!top) return 0;
  let visible = win.innerHeight;
  for (let e = top.parentElement; !full && e && e !== doc.body; e = e.parentElement) {
    const scrolls = e.scrollHeight > e.clientHeight + 1; // a box that only could does not count
    if (!scrolls || !/(auto|scroll)/.test(win.getComputedStyle(e).overflowY)) continue;
    const r = e.getBoundingClientRect(); // the part of it on screen
    visible = Math.min(r.top + e.clientTop + e.clientHeight, win.innerHeight) - Math.max(r.top, 0);
    break;
  }
  const above = canvas.getBoundingClientRect().top - top.getBoundingClientRect().top;
  const below = full ? parseFloat(win.getComputedStyle(host).paddingBottom) || 0 : 0;
  const h = visible - above - below - 2 * canvas.clientTop - FILL_MARGIN_PX;
  return Math.round(Math.max(FILL_MIN_PX, h));
}

// The viewer's DOM in host: header, toolbar (zoom buttons, full screen, the zoom readout),
// canvas, footer; the notes toggle in the header. act: the buttons' actions (zoomIn, zoomOut,
// fit, oneToOne, fullscreen, notes).
function microgptViewerChrome(host, on, act) {
  const doc = host.ownerDocument;
  const add = (parent, tag, cls) =>
    parent.appendChild(Object.assign(doc.createElement(tag), { className: cls }));
  host.classList.add("microgpt-viewer");
  const header = add(host, "div", "microgpt-viewer-header");
  const toolbar = add(host, "div", "microgpt-viewer-toolbar");
  const canvas = add(host, "div", "microgpt-viewer-canvas");
  const footer = add(host, "div", "microgpt-viewer-footer");
  canvas.tabIndex = 0;
  const button = (text, cls, title, action) =>
    microgptViewerButton(add, on, toolbar, "microgpt-viewer-" + cls, [text, title], action);
  button("+", "zoom-in", "Zoom in (+)", act.zoomIn);
  button("\u2212", "zoom-out", "Zoom out (\u2212)", act.zoomOut);
  button("fit", "fit", "Fit the whole picture (0 or F)", act.fit);
  button("1:1", "one", "Actual size, 1:1 (1)", act.oneToOne);
  // four corners drawn, not a glyph: a font without U+26F6 would show an empty box
  button("", "fullscreen", "Full screen (Esc leaves)", act.fullscreen).innerHTML =
    '<svg viewBox="0 0 16 16" width="0.9em" height="0.9em" aria-hidden="true">' +
    '<path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" fill="none" stroke="currentColor"' +
    ' stroke-width="2"/></svg>';
  const readout = add(toolbar, "span", "microgpt-viewer-zoom");
  // presenter mode: the notes (the header's lines after the title) fold behind this toggle
  const notesToggle = add(header, "button", "microgpt-viewer-notes-toggle");
  Object.assign(notesToggle, { type: "button", textContent: "notes", title: "Show the notes" });
  on(notesToggle, "click", () => {
    const open = header.classList.toggle("microgpt-viewer-notes-open");
    notesToggle.title = open ? "Hide the notes" : "Show the notes";
    act.notes();
  });
  return { add, header, toolbar, canvas, footer, readout };
}

// A button in parent, of class cls, showing label[0] with the tooltip label[1]; a click runs
// action. add and on: the viewer's element maker and listener (removed by destroy()).
function microgptViewerButton(add, on, parent, cls, label, action) {
  const b = add(parent, "button", cls);
  Object.assign(b, { type: "button", textContent: label[0], title: label[1] });
  on(b, "click", action);
  return b;
}

// Text sizes, in CSS px of median node text on screen (all three times the page's text size):
// a picture opens with readable text at least; a small one is enlarged until its text is
// comfortable, and never beyond enlarge times its natural size.
function microgptViewerText() {
  return { readable: 9, comfort: 16, enlarge: 2 };
}

// Fitted whole, the median text is readable (or the picture has no text to read).
function microgptViewerReadable(fitScale, textSize, textScale) {
  return !textSize || fitScale * textSize >= microgptViewerText().readable * textScale - 1e-6;
}

// The canvas's size and the scales a picture opens with: the canvas is as wide as the host, as
// tall as the picture at the scale it opens with (fitted to the width, enlarged if small; the
// readable scale if fitting is not), within opts.minHeight and opts.maxHeight, or the height
// it fills (presenter mode, full screen). Sets the canvas's height.
function microgptViewerMeasure(host, canvas, opts, pic, textSize) {
  const win = host.ownerDocument.defaultView;
  const text = microgptViewerText();
  const width = canvas.getBoundingClientRect().width;
  const cw = Math.max(0, Math.floor(width) - 2 * canvas.clientLeft); // floor: never overflow
  const textScale = microgptViewerTextScale(host, win);
  const enlarge = text.enlarge * textScale;
  const minH = opts.minHeight ?? 240;
  const maxH = opts.maxHeight ?? 0.7 * win.innerHeight;
  const clampH = (h) => Math.round(Math.max(minH, Math.min(h, maxH))); // the min wins
  const filled = microgptViewerFillHeight(host, canvas); // presenter mode or full screen
  // text size known: enlarged up to comfortable text; not known: never above 1:1
  const comfort = text.comfort * textScale;
  const most = textSize ? Math.max(1, Math.min(enlarge, comfort / textSize)) : 1;
  const widthScale = pic && cw ? Math.min(most, cw / pic.w) : 0;
  let ch = filled || clampH(pic ? pic.h * widthScale : 0);
  const fitScale = pic && cw ? Math.min(widthScale, ch / pic.h) : 1;
  const openScale = textSize ? Math.min(enlarge, (text.readable * textScale) / textSize) : 1;
  if (!filled && !microgptViewerReadable(fitScale, textSize, textScale)) {
    ch = clampH(pic.h * openScale); // more height, up to max
  }
  canvas.style.height = ch + "px";
  return { cw, ch, textScale, fitScale, openScale, minScale: Math.min(0.5 * fitScale, 0.05) };
}
