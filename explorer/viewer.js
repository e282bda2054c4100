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

function microgptViewer(host, options) {
  const opts = options || {};
  const doc = host.ownerDocument;
  const win = doc.defaultView;
  const MAX_SCALE = 8;
  const DRAG_PX = 4; // a press that moves further is a drag, never a click
  const STEP = 1.25; // zoom factor of a button or key press
  const READABLE_PX = 9; // median node text on screen a picture opens with, at least
  const COMFORT_PX = 16; // a small picture is enlarged until its median text is this size
  const MAX_ENLARGE = 2; // and never beyond twice its natural size (all three x textScale)
  const FILL_MIN_PX = 120; // a canvas that fills the visible height is at least this tall
  const FILL_MARGIN_PX = 6; // and ends this far above the bottom of what is visible
  const MINIMAP_H = 24; // px: the minimap's height in the toolbar (its width follows)
  const listening = new AbortController(); // destroy() removes every listener at once
  microgptViewerAddStyle(host);

  // ---- the DOM: header, toolbar (with the minimap), canvas (the svg), footer ----
  const add = (parent, tag, cls) =>
    parent.appendChild(Object.assign(doc.createElement(tag), { className: cls }));
  host.classList.add("microgpt-viewer");
  const header = add(host, "div", "microgpt-viewer-header");
  const toolbar = add(host, "div", "microgpt-viewer-toolbar");
  const canvas = add(host, "div", "microgpt-viewer-canvas");
  const footer = add(host, "div", "microgpt-viewer-footer");
  canvas.tabIndex = 0;
  const button = (text, cls, title, action) => {
    const b = add(toolbar, "button", "microgpt-viewer-" + cls);
    Object.assign(b, { type: "button", textContent: text, title });
    on(b, "click", action);
    return b;
  };
  button("+", "zoom-in", "Zoom in (+)", () => zoomBy(STEP));
  button("\u2212", "zoom-out", "Zoom out (\u2212)", () => zoomBy(1 / STEP));
  button("fit", "fit", "Fit the whole picture (0 or F)", () => fit());
  button("1:1", "one", "Actual size, 1:1 (1)", () => oneToOne());
  // four corners drawn, not a glyph: a font without U+26F6 would show an empty box
  button("", "fullscreen", "Full screen (Esc leaves)", () => toggleFullscreen()).innerHTML =
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
    resized(); // the canvas below moves
  });
  const player = microgptPlayer(toolbar, add, on, win, (g) => follow(g));
  // The minimap sits at the toolbar's right end, in a slot kept while a picture is shown, so
  // that it never covers the picture and the canvas never moves when it appears.
  const slot = add(toolbar, "span", "microgpt-viewer-indicator-slot");
  const indicator = add(slot, "span", "microgpt-viewer-indicator");
  const indicatorView = add(indicator, "span", "microgpt-viewer-indicator-view");

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
    const width = canvas.getBoundingClientRect().width;
    cw = Math.max(0, Math.floor(width) - 2 * canvas.clientLeft); // floor: never overflow
    textScale = microgptViewerTextScale(host, win);
    const enlarge = MAX_ENLARGE * textScale;
    const minH = opts.minHeight ?? 240;
    const maxH = opts.maxHeight ?? 0.7 * win.innerHeight;
    const clampH = (h) => Math.round(Math.max(minH, Math.min(h, maxH))); // the min wins
    const filled = fillHeight(); // presenter mode or full screen: the height is given
    // text size known: enlarged up to comfortable text; not known: never above 1:1
    const comfort = COMFORT_PX * textScale;
    const most = textSize ? Math.max(1, Math.min(enlarge, comfort / textSize)) : 1;
    const widthScale = pic && cw ? Math.min(most, cw / pic.w) : 0;
    ch = filled || clampH(pic ? pic.h * widthScale : 0);
    fitScale = pic && cw ? Math.min(widthScale, ch / pic.h) : 1;
    openScale = textSize ? Math.min(enlarge, (READABLE_PX * textScale) / textSize) : 1;
    if (!filled && !fitsReadable()) ch = clampH(pic.h * openScale); // more height, up to max
    canvas.style.height = ch + "px";
    minScale = Math.min(0.5 * fitScale, 0.05);
  }

  // The canvas's height when it fills what is visible (0: it does not). In full screen: the
  // screen's less the title and the toolbar (the legend is below, the screen scrolls to it).
  // Inside a .microgpt-viewer-fill element: the visible height of the nearest ancestor that
  // scrolls (else the window's) less what lies between that element's top and the canvas's.
  function fillHeight() {
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

  // Fitted whole, the median text is readable (or the picture has no text to read).
  const fitsReadable = () => !textSize || fitScale * textSize >= READABLE_PX * textScale - 1e-6;

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
  // what matters (focus()).
  function openView() {
    if (!pic || !cw || fitsReadable()) {
      fitView();
      mode = "open";
      return;
    }
    [mode, whole] = ["open", false];
    const s = (view.scale = openScale);
    const f = focus();
    view.x = place(f.x, f.ax, cw / s, pic.x, pic.w);
    view.y = place(f.y, f.ay, ch / s, pic.y, pic.h);
  }

  // Where the view starts on one axis: the point `at` at the fraction `anchor` of the view's
  // `size` (0: its start, 0.5: its middle), kept within the picture's [start, start + length]
  // (or the picture centred, when the view is larger than it).
  function place(at, anchor, size, start, length) {
    if (size >= length) return start + (length - size) / 2;
    return Math.min(Math.max(at - anchor * size, start), start + length - size);
  }

  // What a picture opens on (SVG units): the centre of a node (or of the nodes a picture
  // marks alike: a path's sources), or an end of the picture.
  function focus() {
    const named = (id) => (id === null ? [] : [nodes.get(id)].filter(Boolean));
    let gs = named(selected);
    if (!gs.length) gs = named(svg.getAttribute("data-focus"));
    if (!gs.length) gs = markedNodes();
    if (gs.length) {
      const bs = gs.map(nodeBox);
      const x0 = Math.min(...bs.map((b) => b.x));
      const y0 = Math.min(...bs.map((b) => b.y));
      const x1 = Math.max(...bs.map((b) => b.x + b.w));
      const y1 = Math.max(...bs.map((b) => b.y + b.h));
      return { x: (x0 + x1) / 2, y: (y0 + y1) / 2, ax: 0.5, ay: 0.5 };
    }
    const flow = microgptViewerFlow(svg);
    const boxes = [...nodes.values()].map(nodeBox).filter((b) => b.w > 0 || b.h > 0);
    if (!flow || !boxes.length) {
      return { x: pic.x + pic.w / 2, y: pic.y + pic.h / 2, ax: 0.5, ay: 0.5 };
    }
    // the rank at that end: the nodes level with the outermost one
    const across = flow === "down" || flow === "up"; // the rank runs across, along x
    const [pos, len] = across ? ["y", "h"] : ["x", "w"];
    const [side, size] = across ? ["x", "w"] : ["y", "h"];
    // a top-to-bottom picture reads from its start; a left-to-right one opens on its end
    const atEnd = flow === "right" || flow === "up";
    const key = (b) => (atEnd ? -(b[pos] + b[len]) : b[pos]);
    const first = boxes.reduce((a, b) => (key(b) < key(a) ? b : a));
    const level = first[pos] + first[len] / 2;
    const rank = boxes.filter((b) => b[pos] <= level && level <= b[pos] + b[len]);
    const lo = Math.min(...rank.map((b) => b[side]));
    const hi = Math.max(...rank.map((b) => b[side] + b[size]));
    const room = across ? cw / view.scale : ch / view.scale;
    // the rank centred if it fits in the view, else from its first node (reading order)
    const mid = hi - lo <= room ? [(lo + hi) / 2, 0.5] : [lo - 8, 0];
    const end = atEnd ? [pic[pos] + pic[len], 1] : [pic[pos], 0];
    const [ex, ax, ey, ay] = across ? [...mid, ...end] : [...end, ...mid];
    return { x: ex, y: ey, ax, ay };
  }

  // The nodes the picture marks with one role: a data-role, else the border explorer.style.ROLE
  // gives it (the explorer's SVG); the selected one, a path's sources, the root, in that order.
  function markedNodes() {
    for (const role of ["selected", "source", "root"]) {
      const gs = [...svg.querySelectorAll(`g.node[data-role="${role}"]`)];
      if (gs.length) return gs;
    }
    const borders = [["#e08214"], ["#1b7837"], ["#000000", "black"]];
    for (const colours of borders) {
      const gs = [...nodes.values()].filter((g) => {
        const shape = g.querySelector(
          ":scope > rect, :scope > circle, :scope > polygon, :scope > ellipse",
        );
        const colour = shape && (shape.getAttribute("stroke") || "").toLowerCase();
        return colours.includes(colour) && Number(shape.getAttribute("stroke-width")) >= 2.5;
      });
      if (gs.length) return gs;
    }
    return [];
  }

  // Panning may push the picture aside, but never out of sight: a strip of it stays in.
  function clampView() {
    if (!pic || !cw) return;
    const s = view.scale;
    const keepX = Math.min(64, pic.w * s) / s;
    const keepY = Math.min(64, pic.h * s) / s;
    view.x = Math.min(Math.max(view.x, pic.x + keepX - cw / s), pic.x + pic.w - keepX);
    view.y = Math.min(Math.max(view.y, pic.y + keepY - ch / s), pic.y + pic.h - keepY);
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
      slot.style.display = indicator.style.display = "none"; // no picture: nothing to locate
      return;
    }
    const s = view.scale;
    const [dx, dy] = [(pic.x - view.x) * s, (pic.y - view.y) * s];
    svg.style.transform = `translate(${dx}px, ${dy}px) scale(${s})`;
    if (s !== markScale) unscaleMarks();
    paintIndicator(cw / s, ch / s);
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

  // Shown while part of the picture is out of view: its outline and the part in view, in a
  // slot of the toolbar that keeps its size while the picture is shown. The outline is
  // MINIMAP_H px tall and 24 to 160 px wide: a tall picture's box is stretched sideways.
  function paintIndicator(w, h) {
    const x0 = Math.max(view.x, pic.x);
    const y0 = Math.max(view.y, pic.y);
    const x1 = Math.min(view.x + w, pic.x + pic.w);
    const y1 = Math.min(view.y + h, pic.y + pic.h);
    const e = 0.5 / view.scale; // half a screen pixel
    const all = x1 - x0 >= pic.w - e && y1 - y0 >= pic.h - e;
    const most = Math.max(24, Math.min(160, cw / 4));
    const kx = Math.min(Math.max(24, (pic.w * MINIMAP_H) / pic.h), most) / pic.w;
    const ky = MINIMAP_H / pic.h;
    // the slot holds the outline and its 1 px border
    Object.assign(slot.style, { width: pic.w * kx + 2 + "px", height: MINIMAP_H + 2 + "px" });
    slot.style.display = "block";
    indicator.style.display = all ? "none" : "block";
    if (all) return;
    Object.assign(indicator.style, { width: pic.w * kx + "px", height: MINIMAP_H + "px" });
    Object.assign(indicatorView.style, {
      left: (x0 - pic.x) * kx + "px",
      top: (y0 - pic.y) * ky + "px",
      width: Math.max(2, (x1 - x0) * kx) + "px",
      height: Math.max(2, (y1 - y0) * ky) + "px",
    });
  }

  // ---- the picture and its nodes ----
  function setSvg(text) {
    player.load(null, nodes);
    if (svg) svg.remove();
    svg = pic = markScale = null;
    nodes = new Map();
    textSize = 0;
    const start = (text || "").indexOf("<svg"); // drop any XML prolog, DOCTYPE, comments
    if (start >= 0) {
      const holder = doc.createElement("template");
      holder.innerHTML = text.slice(start);
      svg = holder.content.querySelector("svg");
    }
    if (svg) {
      pic = microgptViewerNaturalBox(svg);
      canvas.appendChild(svg);
      const b = pic ? null : svg.getBBox(); // no size given: measure the drawing
      if (b) pic = { x: b.x, y: b.y, w: b.width || 1, h: b.height || 1 };
      // 1 SVG unit = 1 px before the transform (graphviz's width in pt would make it 4/3)
      svg.setAttribute("viewBox", `${pic.x} ${pic.y} ${pic.w} ${pic.h}`);
      Object.assign(svg.style, { width: pic.w + "px", height: pic.h + "px", maxWidth: "none" });
      for (const g of svg.querySelectorAll("g.node")) {
        const id = microgptViewerNodeId(g);
        if (id !== null && !nodes.has(id)) nodes.set(id, g);
      }
      textSize = microgptViewerTextSize(svg, win);
    }
    player.load(svg, nodes); // a picture with a backward script gets the player's controls
    measure();
    openView(); // whatever the last picture's view was
    mark();
    paintNow(); // not one frame at its natural size
    // A selection made in the same task (the widget draws, then selects) is where it opens.
    opening = true;
    Promise.resolve().then(() => (opening = false));
  }

  function mark() {
    for (const [id, g] of nodes) {
      g.classList.toggle("microgpt-selected", id === selected);
      g.classList.toggle("microgpt-highlight", highlighted.has(id));
    }
  }

  // A node's box in SVG units, read from the screen: its place in the <svg> as drawn now,
  // whatever view is painted (0 x 0 while the canvas is not laid out).
  function nodeBox(g) {
    const r = g.getBoundingClientRect();
    const o = svg.getBoundingClientRect();
    const k = o.width / pic.w || 1; // screen px per SVG unit, as painted
    const [x, y] = [pic.x + (r.left - o.left) / k, pic.y + (r.top - o.top) / k];
    return { x, y, w: r.width / k, h: r.height / k };
  }

  // Brings a node into view unless it is already whole on screen at a readable scale.
  function reveal(g, zoom) {
    const b = nodeBox(g);
    const [w, h] = [cw / view.scale, ch / view.scale];
    const inside =
      b.x >= view.x && b.y >= view.y && b.x + b.w <= view.x + w && b.y + b.h <= view.y + h;
    const readable = textSize ? (READABLE_PX * textScale) / textSize : 0.75;
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
    const [w, h] = [cw / view.scale, ch / view.scale];
    const inside =
      b.x >= view.x && b.y >= view.y && b.x + b.w <= view.x + w && b.y + b.h <= view.y + h;
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

  // ---- pointer: drag to pan, two fingers to pinch, a still press to click ----
  const pointers = new Map(); // pointerId -> its last position used, in canvas px
  let press = null; // the screen point where a single pointer went down
  let dragging = false;
  let notClick = false; // the pointer moved: the coming click is not a click

  function local(e) {
    const r = canvas.getBoundingClientRect();
    return { x: e.clientX - r.left - canvas.clientLeft, y: e.clientY - r.top - canvas.clientTop };
  }

  // Captured only once a drag begins: a captured press would send its click to the canvas,
  // not to the node under it.
  function capture(id) {
    try {
      canvas.setPointerCapture(id); // the drag goes on outside the canvas
    } catch (_) {} // not an active pointer (a synthetic event): nothing to capture
  }

  function onPointerDown(e) {
    if (e.pointerType === "mouse" && e.button !== 0) return;
    if (e.pointerType === "mouse") pointers.clear(); // a release outside was never seen
    pointers.set(e.pointerId, local(e));
    if (pointers.size === 1) {
      press = { x: e.clientX, y: e.clientY };
      dragging = notClick = false;
    } else {
      dragging = notClick = true; // a second finger: a pinch, then a pan once one lifts
      for (const id of pointers.keys()) capture(id);
    }
  }

  function onPointerMove(e) {
    const last = pointers.get(e.pointerId);
    if (!last) return;
    const p = local(e);
    if (!dragging) {
      if (Math.hypot(e.clientX - press.x, e.clientY - press.y) <= DRAG_PX) return;
      dragging = notClick = true; // and pan from where the press began: no jump
      canvas.classList.add("microgpt-viewer-dragging");
      capture(e.pointerId);
    }
    if (pointers.size === 2) pinch(e.pointerId, last, p);
    else if (pointers.size === 1) panBy(p.x - last.x, p.y - last.y);
    pointers.set(e.pointerId, p);
  }

  // One finger moved from `last` to `p`: follow the midpoint, scale by the spread.
  function pinch(id, last, p) {
    const other = [...pointers].find(([k]) => k !== id)[1];
    const mid = (a) => ({ x: (a.x + other.x) / 2, y: (a.y + other.y) / 2 });
    const spread = (a) => Math.max(1, Math.hypot(a.x - other.x, a.y - other.y));
    const [m0, m1] = [mid(last), mid(p)];
    panBy(m1.x - m0.x, m1.y - m0.y);
    zoomAt(spread(p) / spread(last), m1.x, m1.y);
  }

  function onPointerUp(e) {
    if (!pointers.delete(e.pointerId) || pointers.size) return;
    dragging = false;
    canvas.classList.remove("microgpt-viewer-dragging");
  }

  function onClick(e) {
    if (notClick) return; // reset by the next press
    const g = e.target.closest ? e.target.closest("g.node") : null;
    const id = g ? microgptViewerNodeId(g) : null;
    if (id !== null && opts.onNodeClick) opts.onNodeClick(id, e);
  }

  // ---- wheel and keys ----
  function onWheel(e) {
    e.preventDefault(); // the page must not scroll under a zooming picture
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? ch : 1; // lines, pages
    const rate = e.ctrlKey ? 0.01 : 0.002; // a trackpad pinch sends small ctrl+wheel deltas
    const factor = Math.min(2, Math.max(0.5, Math.exp(-e.deltaY * unit * rate)));
    const p = local(e);
    zoomAt(factor, p.x, p.y);
  }

  // a clicker's keys step the backward player, when the picture has one
  const stepPlayer = (by) => () => player.api.seek(player.api.position() + by);
  const keys = {
    "+": () => zoomBy(STEP), "=": () => zoomBy(STEP), "-": () => zoomBy(1 / STEP),
    0: fit, f: fit, F: fit, 1: () => oneToOne(),
    ArrowLeft: () => panBy(cw / 10, 0), ArrowRight: () => panBy(-cw / 10, 0),
    ArrowUp: () => panBy(0, ch / 10), ArrowDown: () => panBy(0, -ch / 10),
    PageDown: stepPlayer(1), PageUp: stepPlayer(-1), " ": stepPlayer(1),
  };
  const playerKeys = new Set(["PageDown", "PageUp", " "]);

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey || !keys[e.key]) return; // browser shortcuts
    if (playerKeys.has(e.key) && !player.api.available()) return; // no player: the page's key
    e.preventDefault(); // arrows must not scroll the page
    keys[e.key]();
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

  const handlers = { pointerdown: onPointerDown, pointermove: onPointerMove, click: onClick };
  Object.assign(handlers, { pointerup: onPointerUp, pointercancel: onPointerUp, keydown: onKey });
  for (const [type, fn] of Object.entries(handlers)) on(canvas, type, fn);
  on(canvas, "wheel", onWheel, { passive: false });
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

// The page's text size at the host: --microgpt-text-scale (1 when unset), kept within 0.5-4.
function microgptViewerTextScale(host, win) {
  const value = parseFloat(win.getComputedStyle(host).getPropertyValue("--microgpt-text-scale"));
  return Number.isFinite(value) && value > 0 ? Math.min(4, Math.max(0.5, value)) : 1;
}

// The natural box of a root <svg> in its own units: its viewBox, else its width and height
// (px; pt is 4/3 px, as graphviz writes them). null when neither is given.
function microgptViewerNaturalBox(svg) {
  const box = (svg.getAttribute("viewBox") || "").trim().split(/[\s,]+/).map(Number);
  const [x, y, w, h] = box;
  if (box.length === 4 && w > 0 && h > 0) return { x, y, w, h };
  const width = microgptViewerLength(svg.getAttribute("width"));
  const height = microgptViewerLength(svg.getAttribute("height"));
  return width > 0 && height > 0 ? { x: 0, y: 0, w: width, h: height } : null;
}

// The median font size of the text in a picture's nodes, in its own units (CSS px at scale 1);
// 0 if its nodes hold no text.
function microgptViewerTextSize(svg, win) {
  const sizes = [];
  for (const t of svg.querySelectorAll("g.node text")) {
    if (!t.textContent.trim()) continue;
    let size = 0;
    for (let e = t; e && !size; e = e === svg ? null : e.parentElement) {
      size = microgptViewerLength(e.getAttribute("font-size"));
    }
    if (!size) size = parseFloat(win.getComputedStyle(t).fontSize) || 0;
    if (size > 0) sizes.push(size);
  }
  sizes.sort((a, b) => a - b);
  const n = sizes.length;
  return n ? (n % 2 ? sizes[(n - 1) / 2] : (sizes[n / 2 - 1] + sizes[n / 2]) / 2) : 0;
}

// Which way a picture's edges run, summed from where each starts to where it ends: "down",
// "up", "right", "left", or "" (no edges).
function microgptViewerFlow(svg) {
  let [dx, dy] = [0, 0];
  for (const path of svg.querySelectorAll("g.edge path")) {
    const n = (path.getAttribute("d") || "").match(/-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?/gi);
    if (!n || n.length < 4) continue;
    dx += Number(n[n.length - 2]) - Number(n[0]);
    dy += Number(n[n.length - 1]) - Number(n[1]);
  }
  if (!dx && !dy) return "";
  if (Math.abs(dy) > Math.abs(dx)) return dy > 0 ? "down" : "up";
  return dx > 0 ? "right" : "left";
}

function microgptViewerLength(text) {
  const m = /^\s*([\d.]+(?:e[+-]?\d+)?)\s*(px|pt)?\s*$/i.exec(text || "");
  return m ? Number(m[1]) * (/pt/i.test(m[2] || "") ? 4 / 3 : 1) : 0;
}

// data-id if present, else the text of the node's own <title> (where graphviz writes its name)
function microgptViewerNodeId(g) {
  const id = g.getAttribute("data-id");
  if (id !== null) return id;
  for (const child of g.children) if (child.localName === "title") return child.textContent;
  return null;
}

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

// ---- backward, played: the script of explorer/playback.py, kept in the picture's <metadata> ----
// Steps through the recorded backward pass: node k of the script is final at step k + 1; each
// step sets the grads shown (text and fill) and labels the edges into the node with the
// grad += it sent. Position p (0 … N) is how many steps are taken; N is the picture as drawn.
function microgptPlayer(toolbar, add, on, win, onCurrent) {
  const bar = add(toolbar, "span", "microgpt-viewer-play");
  bar.hidden = true;
  add(bar, "span", "microgpt-viewer-play-label").textContent = "backward";
  const button = (text, cls, title, action) => {
    const b = add(bar, "button", "microgpt-viewer-play-" + cls);
    Object.assign(b, { type: "button", textContent: text, title });
    on(b, "click", action);
    return b;
  };
  button("|\u25c0", "start", "Backward: back to the start (no grad final yet)", () => act(() => seek(0)));
  button("\u25c0", "back", "Backward: one step back", () => act(() => seek(p - 1)));
  const playButton = button("\u25b6", "play", "Play backward, node by node", () => toggle());
  button("\u25b6|", "step", "Backward: one step", () => act(() => stepOnce()));
  button("\u25b6\u25b6|", "end", "Backward: to the end (the picture as recorded)", () => act(() => seek(n)));
  const speed = add(bar, "select", "microgpt-viewer-play-speed");
  speed.title = "Steps per second";
  for (const v of [1, 2, 5, 10, 20, 50]) {
    const o = add(speed, "option", "");
    Object.assign(o, { value: String(v), textContent: v + "/s", selected: v === 5 });
  }
  on(speed, "change", () => { if (timer) { pause(); play(); } });
  const status = add(bar, "span", "microgpt-viewer-play-status");

  let script = null;
  let n = 0; // steps
  let p = 0; // steps taken
  let els = []; // per script node: {g, text, prefix, width, fill, ink, origText, origFill, origInk}
  let shown = []; // what each node shows now
  let edgesOf = new Map(); // "src\0dst" -> [g.edge]
  let labelled = []; // edges labelled for the current step
  let current = []; // g.node marked as the current step
  let timer = 0;
  let nodeMap = new Map(); // the viewer's: node id -> g.node

  // text: the script's JSON; undefined: the picture's own <metadata>, if any
  function load(svg, nodes, text) {
    pause();
    if (script) seek(n); // the picture as drawn again: texts, fills, no labels
    for (const e of els) if (e) e.g.removeAttribute("data-step");
    script = null;
    nodeMap = nodes;
    [els, shown, labelled, current] = [[], [], [], []];
    edgesOf = new Map();
    if (text === undefined) {
      const meta = svg ? svg.querySelector("metadata.microgpt-backward") : null;
      text = meta ? meta.textContent : null;
    }
    if (svg && text) {
      try {
        script = JSON.parse(text);
      } catch (_) {
        script = null; // a broken script: the picture still shows, without a player
      }
    }
    bar.hidden = !script;
    if (!script) return;
    n = script.steps.length;
    p = n; // the picture as drawn, until seek(0) below paints the start
    els = script.nodes.map((id) => element(nodes.get(id)));
    els.forEach((e, j) => e && e.g.setAttribute("data-step", String(j + 1))); // when final
    shown = els.map(() => null); // null: the picture's own text and fill
    for (const g of svg.querySelectorAll("g.edge")) {
      const key = g.getAttribute("data-src") + "\u0000" + g.getAttribute("data-dst");
      if (!edgesOf.has(key)) edgesOf.set(key, []);
      edgesOf.get(key).push(g);
    }
    script.start = script.start.map(Number);
    for (const st of script.steps) for (const s of st.set) s[1] = Number(s[1]);
    seek(0); // the player opens at step 0: backward not run yet, the root's grad 1
  }

  function element(g) {
    if (!g) return null;
    const kind = g.getAttribute("data-kind");
    const prefix = kind === "group" ? "|grad| " : "grad ";
    const text = [...g.querySelectorAll("text")].find((t) => t.textContent.startsWith(prefix));
    const shape = g.querySelector("rect, circle");
    const ink = g.querySelector("g[fill]");
    if (!text || !shape || !ink) return null;
    const size = Number(text.getAttribute("font-size")) || 10;
    const box = Number(shape.getAttribute("width")) || 0;
    return {
      g, kind, text, prefix, shape, ink,
      width: text.textContent.length - prefix.length,
      chars: Math.floor((box - 12) / (0.62 * size)), // the box's room, in characters
      size,
      origText: text.textContent,
      origFill: shape.getAttribute("fill"),
      origInk: ink.getAttribute("fill"),
    };
  }

  // What node j shows at position q: the values after q steps.
  function valuesAt(q) {
    const v = script.start.slice();
    for (let k = 0; k < q; k++) for (const [j, x] of script.steps[k].set) v[j] = x;
    return v;
  }

  function paintNode(j, value, final) {
    const e = els[j];
    if (!e) return;
    if (final) {
      e.text.textContent = e.origText;
      e.text.removeAttribute("textLength");
      e.shape.setAttribute("fill", e.origFill);
      e.ink.setAttribute("fill", e.origInk);
    } else {
      const line = e.prefix + microgptFmt(value).padStart(e.width);
      e.text.textContent = line;
      if (line.length > e.chars && e.chars > 0) {
        e.text.setAttribute("textLength", String(e.chars * 0.6 * e.size));
        e.text.setAttribute("lengthAdjust", "spacingAndGlyphs");
      } else e.text.removeAttribute("textLength");
      const s = script.scale;
      const fill = e.kind === "group" ? microgptNormColour(value, s.norm, s.norm_floor)
        : microgptDiverging(value, s.grad, s.grad_floor);
      e.shape.setAttribute("fill", fill);
      e.ink.setAttribute("fill", microgptTextColour(fill));
    }
    e.g.classList.toggle("microgpt-play-pending", !final);
  }

  function seek(q) {
    if (!script) return;
    q = Math.max(0, Math.min(n, q));
    const v = valuesAt(q);
    for (let j = 0; j < n; j++) {
      const final = j < q;
      const key = final ? "final" : v[j];
      if (!Object.is(shown[j], key)) {
        paintNode(j, v[j], final);
        shown[j] = key;
      }
    }
    p = q;
    paintStep();
    paintStatus();
  }

  function paintStep() {
    for (const g of labelled) {
      g.classList.remove("microgpt-play-edge");
      for (const t of g.querySelectorAll("text.microgpt-play-label")) t.remove();
    }
    for (const g of current) g.classList.remove("microgpt-play-current");
    labelled = [];
    current = [];
    if (p === 0) return;
    const st = script.steps[p - 1];
    const here = els[p - 1];
    if (here) current.push(here.g);
    const op = st.op ? nodeMap.get(st.op) : null;
    if (op) current.push(op);
    for (const g of current) g.classList.add("microgpt-play-current");
    if (here) onCurrent(here.g);
    for (const [src, dst, values, norm] of st.edges) {
      const gs = edgesOf.get(src + "\u0000" + dst) || [];
      gs.forEach((g, k) => {
        const value = Number(values[Math.min(k, values.length - 1)]);
        label(g, (norm ? "|+=| " : "+= ") + microgptFmt(value));
        labelled.push(g);
      });
    }
  }

  function label(g, text) {
    const path = g.querySelector("path");
    if (!path) return;
    if (!g.microgptMid) {
      const length = path.getTotalLength();
      g.microgptMid = path.getPointAtLength(length / 2);
    }
    const t = g.ownerDocument.createElementNS("http://www.w3.org/2000/svg", "text");
    const { x, y } = g.microgptMid;
    for (const [k, v] of Object.entries({
      class: "microgpt-play-label", x, y: y - 3, "font-size": 9, "font-weight": "bold",
      "text-anchor": "middle", fill: "#8e0152", stroke: "#ffffff", "stroke-width": 3,
      "paint-order": "stroke",
    })) t.setAttribute(k, String(v));
    t.textContent = text;
    g.classList.add("microgpt-play-edge");
    g.appendChild(t);
  }

  function paintStatus() {
    playButton.textContent = timer ? "||" : "\u25b6";
    playButton.title = timer ? "Pause" : "Play backward, node by node";
    if (!script) return;
    let text = `step ${p} / ${n}`;
    if (p > 0) {
      const e = els[p - 1];
      const what = e && e.kind === "group" ? "|grad|" : "grad";
      const grad = microgptFmt(Number(script.steps[p - 1].grad));
      text += `: ${script.nodes[p - 1]} ${what} ${grad} final`;
    }
    status.textContent = text;
  }

  function stepOnce() {
    seek(p >= n ? 1 : p + 1);
  }

  // Steps keep to the speed chosen: each is due 1 / speed after the one before, and a late
  // one does not push the later ones back.
  let due = 0;
  function tick() {
    if (p >= n) {
      pause();
      return;
    }
    seek(p + 1);
    due += 1000 / Number(speed.value);
    timer = win.setTimeout(tick, Math.max(0, due - win.performance.now()));
  }

  function play() {
    if (!script || timer) return;
    if (p >= n) seek(0);
    due = win.performance.now() + 1000 / Number(speed.value);
    timer = win.setTimeout(tick, 1000 / Number(speed.value));
    paintStatus();
  }

  function pause() {
    if (timer) win.clearTimeout(timer);
    timer = 0;
    paintStatus();
  }

  function toggle() {
    if (timer) pause();
    else play();
  }

  function act(fn) {
    pause();
    fn();
  }

  const api = {
    available: () => Boolean(script), length: () => n, position: () => p, playing: () => Boolean(timer),
    seek: (q) => act(() => seek(q)), step: () => act(stepOnce), back: () => act(() => seek(p - 1)),
    play, pause, shown: () => script ? valuesAt(p) : [], nodes: () => (script ? script.nodes.slice() : []),
  };
  return { load, api };
}

// Python's format(x, ".4g") (explorer.style.fmt): 4 significant digits, no trailing zeros.
function microgptFmt(x) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return "0";
  const [mantissa, e] = x.toExponential(3).split("e");
  const exp = Number(e);
  const trim = (s) => (s.includes(".") ? s.replace(/\.?0+$/, "") : s);
  if (exp < -4 || exp >= 4) {
    return trim(mantissa) + "e" + (exp < 0 ? "-" : "+") + String(Math.abs(exp)).padStart(2, "0");
  }
  return trim(x.toFixed(3 - exp));
}

// explorer.style's scales: white to blue (< 0) or red (> 0), white to teal for a group's norm;
// square-root stretched, or logarithmic from a floor when one value dominates (the script's
// grad_floor and norm_floor: the picture's own scale); black or white text, whichever
// contrasts more with the fill (WCAG 2).
function microgptMix(rgb, t) {
  t = Math.min(Math.max(t, 0), 1);
  return "#" + rgb.map((c) => Math.round(255 + (c - 255) * t).toString(16).padStart(2, "0")).join("");
}

// explorer.style.strength: 0 (white) to 1 (the full colour); a value at the floor of a log
// scale gets the faintest tint (0.12), only 0 stays white
function microgptStrength(value, scale, floor) {
  const a = Math.abs(value);
  if (a === Infinity) return 1;
  if (!scale || !a) return 0;
  if (floor > 0 && floor < scale) {
    const u = Math.log(Math.max(a, floor) / floor) / Math.log(scale / floor);
    return 0.12 + 0.88 * Math.min(u, 1);
  }
  return Math.sqrt(Math.min(a / scale, 1));
}

function microgptDiverging(value, scale, floor) {
  if (Number.isNaN(value) || !(scale || !Number.isFinite(value))) return "#ffffff";
  return microgptMix(value < 0 ? [33, 102, 172] : [178, 24, 43],
    microgptStrength(value, scale, floor || 0));
}

function microgptNormColour(value, scale, floor) {
  if (!scale || !Number.isFinite(value)) return "#ffffff";
  return microgptMix([1, 102, 94], microgptStrength(value, scale, floor || 0));
}

function microgptTextColour(fill) {
  const linear = (c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const [r, g, b] = [1, 3, 5].map((k) => linear(parseInt(fill.slice(k, k + 2), 16) / 255));
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) ? "#000000" : "#ffffff";
}
