// The viewer, part: backward, played. The script of explorer/playback.py, kept in the
// picture's <metadata> (or given by setBackward), with its controls in the toolbar.
// Steps through the recorded backward pass: node k of the script is final at step k + 1; each
// step sets the grads shown (text and fill) and labels the edges into the node with the
// grad += it sent. Position p (0 … N) is how many steps are taken; N is the picture as drawn.
function microgptPlayer(toolbar, add, on, win, onCurrent) {
  const { bar, playButton, speed, status } = microgptPlayerBar(toolbar, add, on, {
    start: () => act(() => seek(0)),
    back: () => act(() => seek(p - 1)),
    toggle: () => toggle(),
    step: () => act(() => stepOnce()),
    end: () => act(() => seek(n)),
    speed: () => {
      if (timer) {
        pause();
        play();
      }
    },
  });

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
    els = script.nodes.map((id) => microgptPlayerElement(nodes.get(id)));
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

  // What node j shows at position q: the values after q steps.
  function valuesAt(q) {
    const v = script.start.slice();
    for (let k = 0; k < q; k++) for (const [j, x] of script.steps[k].set) v[j] = x;
    return v;
  }

  function seek(q) {
    if (!script) return;
    q = Math.max(0, Math.min(n, q));
    const v = valuesAt(q);
    for (let j = 0; j < n; j++) {
      const final = j < q;
      const key = final ? "final" : v[j];
      if (!Object.is(shown[j], key)) {
        microgptPlayerPaint(els[j], v[j], final, script.scale);
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
        microgptPlayerLabel(g, (norm ? "|+=| " : "+= ") + microgptFmt(value));
        labelled.push(g);
      });
    }
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

// A script node's drawn parts (null if the picture drew it without a grad line): its <g>, the
// grad text, the shape whose fill shows the grad, and what the picture drew there.
function microgptPlayerElement(g) {
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

// Paints one script node e: its grad value so far on the script's scale s, or, once
// final, the picture as drawn.
function microgptPlayerPaint(e, value, final, s) {
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
    const fill = e.kind === "group" ? microgptNormColour(value, s.norm, s.norm_floor)
      : microgptDiverging(value, s.grad, s.grad_floor);
    e.shape.setAttribute("fill", fill);
    e.ink.setAttribute("fill", microgptTextColour(fill));
  }
  e.g.classList.toggle("microgpt-play-pending", !final);
}

// Labels edge g at its middle with text (the grad += it sent).
function microgptPlayerLabel(g, text) {
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

// The player's controls, hidden until a picture has a script: start, back, play, step, end,
// the speed (steps per second) and the status. act: what each does (start, back, toggle,
// step, end, speed: the speed changed).
function microgptPlayerBar(toolbar, add, on, act) {
  const bar = add(toolbar, "span", "microgpt-viewer-play");
  bar.hidden = true;
  add(bar, "span", "microgpt-viewer-play-label").textContent = "backward";
  const button = (text, cls, title, action) =>
    microgptViewerButton(add, on, bar, "microgpt-viewer-play-" + cls, [text, title], action);
  button("|\u25c0", "start", "Backward: back to the start (no grad final yet)", act.start);
  button("\u25c0", "back", "Backward: one step back", act.back);
  const playButton = button("\u25b6", "play", "Play backward, node by node", act.toggle);
  button("\u25b6|", "step", "Backward: one step", act.step);
  button("\u25b6\u25b6|", "end", "Backward: to the end (the picture as recorded)", act.end);
  const speed = add(bar, "select", "microgpt-viewer-play-speed");
  speed.title = "Steps per second";
  for (const v of [1, 2, 5, 10, 20, 50]) {
    const o = add(speed, "option", "");
    Object.assign(o, { value: String(v), textContent: v + "/s", selected: v === 5 });
  }
  on(speed, "change", act.speed);
  const status = add(bar, "span", "microgpt-viewer-play-status");
  return { bar, playButton, speed, status };
}
