// The viewer, part: the minimap. Shown while part of the picture is out of view: its outline
// and the part in view, in a slot at the toolbar's right end that keeps its size while a
// picture is shown, so that it never covers the picture and the canvas never moves when it
// appears.
function microgptMinimap(toolbar, add) {
  const MINIMAP_H = 24; // px: the minimap's height in the toolbar (its width follows)
  const slot = add(toolbar, "span", "microgpt-viewer-indicator-slot");
  const indicator = add(slot, "span", "microgpt-viewer-indicator");
  const indicatorView = add(indicator, "span", "microgpt-viewer-indicator-view");

  // No picture: nothing to locate.
  function hide() {
    slot.style.display = indicator.style.display = "none";
  }

  // The view (its corner view.x, view.y; w x h SVG units at view.scale) over the picture's
  // box pic, on a canvas cw px wide. The outline is MINIMAP_H px tall and 24 to 160 px wide:
  // a tall picture's box is stretched sideways.
  function paint(view, pic, cw, w, h) {
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

  return { hide, paint };
}
