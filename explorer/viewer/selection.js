// The viewer, part: selection. The nodes a picture marks (selected, highlighted, its roles),
// their boxes, and what a picture opens on. Plain functions of the <svg>, its nodes (a Map of
// node id -> g.node) and its natural box pic.

// Marks the selected node and a search's matches (their outlines: see style.js).
function microgptViewerMark(nodes, selected, highlighted) {
  for (const [id, g] of nodes) {
    g.classList.toggle("microgpt-selected", id === selected);
    g.classList.toggle("microgpt-highlight", highlighted.has(id));
  }
}

// A node's box in SVG units, read from the screen: its place in the <svg> as drawn now,
// whatever view is painted (0 x 0 while the canvas is not laid out).
function microgptViewerNodeBox(g, svg, pic) {
  const r = g.getBoundingClientRect();
  const o = svg.getBoundingClientRect();
  const k = o.width / pic.w || 1; // screen px per SVG unit, as painted
  const [x, y] = [pic.x + (r.left - o.left) / k, pic.y + (r.top - o.top) / k];
  return { x, y, w: r.width / k, h: r.height / k };
}

// Whether box b lies whole in the view: its corner (view.x, view.y), w x h SVG units.
function microgptViewerInside(b, view, w, h) {
  return b.x >= view.x && b.y >= view.y && b.x + b.w <= view.x + w && b.y + b.h <= view.y + h;
}

// What a picture opens on (SVG units): the centre of a node (the selected one, else the one
// the <svg> names in data-focus, else the nodes a picture marks alike: a path's sources), or
// an end of the picture. room: the view's [width, height] in SVG units at the scale it opens.
function microgptViewerFocus(svg, nodes, pic, selected, room) {
  const nodeBox = (g) => microgptViewerNodeBox(g, svg, pic);
  const named = (id) => (id === null ? [] : [nodes.get(id)].filter(Boolean));
  let gs = named(selected);
  if (!gs.length) gs = named(svg.getAttribute("data-focus"));
  if (!gs.length) gs = microgptViewerMarked(svg, nodes);
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
  return microgptViewerEnd(pic, boxes, flow, room);
}

// The rank of nodes at the end a picture reads from: a top-to-bottom picture's start, a
// left-to-right one's end (where its root is). Centred if it fits in the view, else from its
// first node (reading order).
function microgptViewerEnd(pic, boxes, flow, room) {
  const across = flow === "down" || flow === "up"; // the rank runs across, along x
  const [pos, len] = across ? ["y", "h"] : ["x", "w"];
  const [side, size] = across ? ["x", "w"] : ["y", "h"];
  const atEnd = flow === "right" || flow === "up";
  const key = (b) => (atEnd ? -(b[pos] + b[len]) : b[pos]);
  // the rank at that end: the nodes level with the outermost one
  const first = boxes.reduce((a, b) => (key(b) < key(a) ? b : a));
  const level = first[pos] + first[len] / 2;
  const rank = boxes.filter((b) => b[pos] <= level && level <= b[pos] + b[len]);
  const lo = Math.min(...rank.map((b) => b[side]));
  const hi = Math.max(...rank.map((b) => b[side] + b[size]));
  const space = across ? room[0] : room[1];
  const mid = hi - lo <= space ? [(lo + hi) / 2, 0.5] : [lo - 8, 0];
  const end = atEnd ? [pic[pos] + pic[len], 1] : [pic[pos], 0];
  const [ex, ax, ey, ay] = across ? [...mid, ...end] : [...end, ...mid];
  return { x: ex, y: ey, ax, ay };
}

// The nodes the picture marks with one role: a data-role, else the border explorer.style.ROLE
// gives it (the explorer's SVG); the selected one, a path's sources, the root, in that order.
function microgptViewerMarked(svg, nodes) {
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
