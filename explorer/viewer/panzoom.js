// The viewer, part: pan and zoom. Where a view starts and how far it may be pushed aside, and
// the input that moves it: drag to pan, two fingers to pinch, the wheel to zoom about the
// cursor, keys; a still press is a click on a node.

// Where the view starts on one axis: the point `at` at the fraction `anchor` of the view's
// `size` (0: its start, 0.5: its middle), kept within the picture's [start, start + length]
// (or the picture centred, when the view is larger than it).
function microgptViewerPlace(at, anchor, size, start, length) {
  if (size >= length) return start + (length - size) / 2;
  return Math.min(Math.max(at - anchor * size, start), start + length - size);
}

// Panning may push the picture aside, but never out of sight: a strip of it stays in. Moves
// view (its corner x, y in SVG units, its scale) over the picture's box pic on a cw x ch canvas.
function microgptViewerClamp(view, pic, cw, ch) {
  const s = view.scale;
  const keepX = Math.min(64, pic.w * s) / s;
  const keepY = Math.min(64, pic.h * s) / s;
  view.x = Math.min(Math.max(view.x, pic.x + keepX - cw / s), pic.x + pic.w - keepX);
  view.y = Math.min(Math.max(view.y, pic.y + keepY - ch / s), pic.y + pic.h - keepY);
}

// The canvas's pointer, wheel and key input, turned into the viewer's moves: ctl gives
// panBy(dx, dy), zoomAt(factor, px, py), zoomIn(), zoomOut(), fit(), oneToOne(), size() (the
// canvas's [width, height] in px), player (the backward player's api) and click(id, event).
function microgptViewerInput(canvas, on, ctl) {
  const DRAG_PX = 4; // a press that moves further is a drag, never a click
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
    else if (pointers.size === 1) ctl.panBy(p.x - last.x, p.y - last.y);
    pointers.set(e.pointerId, p);
  }

  // One finger moved from `last` to `p`: follow the midpoint, scale by the spread.
  function pinch(id, last, p) {
    const other = [...pointers].find(([k]) => k !== id)[1];
    const mid = (a) => ({ x: (a.x + other.x) / 2, y: (a.y + other.y) / 2 });
    const spread = (a) => Math.max(1, Math.hypot(a.x - other.x, a.y - other.y));
    const [m0, m1] = [mid(last), mid(p)];
    ctl.panBy(m1.x - m0.x, m1.y - m0.y);
    ctl.zoomAt(spread(p) / spread(last), m1.x, m1.y);
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
    if (id !== null) ctl.click(id, e);
  }

  function onWheel(e) {
    e.preventDefault(); // the page must not scroll under a zooming picture
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? ctl.size()[1] : 1; // lines, pages
    const rate = e.ctrlKey ? 0.01 : 0.002; // a trackpad pinch sends small ctrl+wheel deltas
    const factor = Math.min(2, Math.max(0.5, Math.exp(-e.deltaY * unit * rate)));
    const p = local(e);
    ctl.zoomAt(factor, p.x, p.y);
  }

  // a clicker's keys step the backward player, when the picture has one
  const stepPlayer = (by) => () => ctl.player.seek(ctl.player.position() + by);
  const [cw, ch] = [() => ctl.size()[0], () => ctl.size()[1]];
  const keys = {
    "+": ctl.zoomIn, "=": ctl.zoomIn, "-": ctl.zoomOut,
    0: ctl.fit, f: ctl.fit, F: ctl.fit, 1: ctl.oneToOne,
    ArrowLeft: () => ctl.panBy(cw() / 10, 0), ArrowRight: () => ctl.panBy(-cw() / 10, 0),
    ArrowUp: () => ctl.panBy(0, ch() / 10), ArrowDown: () => ctl.panBy(0, -ch() / 10),
    PageDown: stepPlayer(1), PageUp: stepPlayer(-1), " ": stepPlayer(1),
  };
  const playerKeys = new Set(["PageDown", "PageUp", " "]);

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey || !keys[e.key]) return; // browser shortcuts
    if (playerKeys.has(e.key) && !ctl.player.available()) return; // no player: the page's key
    e.preventDefault(); // arrows must not scroll the page
    keys[e.key]();
  }

  const handlers = { pointerdown: onPointerDown, pointermove: onPointerMove, click: onClick };
  Object.assign(handlers, { pointerup: onPointerUp, pointercancel: onPointerUp, keydown: onKey });
  for (const [type, fn] of Object.entries(handlers)) on(canvas, type, fn);
  on(canvas, "wheel", onWheel, { passive: false });
}
