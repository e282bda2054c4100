// The viewer, part: what it reads off a picture (plain functions of the <svg> and the page).
// Parts are joined in a fixed order into one script (explorer/viewer/__init__.py); the rules
// of core.js's header hold in each: only function declarations at top level.

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

// A picture's text (an SVG document; any XML prolog, DOCTYPE or comments before <svg> are
// dropped) shown in canvas at its natural size: 1 SVG unit = 1 px before the viewer's
// transform (graphviz's width in pt would make it 4/3). Returns the root <svg> (null if the
// text holds none), its natural box pic, its nodes (node id -> g.node, the first of each id)
// and its median node text size.
function microgptViewerShow(canvas, text) {
  const shown = { svg: null, pic: null, nodes: new Map(), textSize: 0 };
  const start = (text || "").indexOf("<svg");
  if (start < 0) return shown;
  const holder = canvas.ownerDocument.createElement("template");
  holder.innerHTML = text.slice(start);
  const svg = holder.content.querySelector("svg");
  if (!svg) return shown;
  let pic = microgptViewerNaturalBox(svg);
  canvas.appendChild(svg);
  const b = pic ? null : svg.getBBox(); // no size given: measure the drawing
  if (b) pic = { x: b.x, y: b.y, w: b.width || 1, h: b.height || 1 };
  svg.setAttribute("viewBox", `${pic.x} ${pic.y} ${pic.w} ${pic.h}`);
  Object.assign(svg.style, { width: pic.w + "px", height: pic.h + "px", maxWidth: "none" });
  for (const g of svg.querySelectorAll("g.node")) {
    const id = microgptViewerNodeId(g);
    if (id !== null && !shown.nodes.has(id)) shown.nodes.set(id, g);
  }
  const win = canvas.ownerDocument.defaultView;
  return Object.assign(shown, { svg, pic, textSize: microgptViewerTextSize(svg, win) });
}
