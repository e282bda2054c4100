// The viewer, part: explorer.style's number format and colour scales, for the backward player.

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
