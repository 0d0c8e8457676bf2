// Fetches /api/visits and draws one SVG bar per point, with its value above it.
const SVG = "http://www.w3.org/2000/svg";

function element(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function draw(svg, points) {
  const width = 600;
  const height = 260;
  const bottom = 30;
  const top = 20;
  const max = Math.max(1, ...points.map((point) => point.value));
  const slot = width / points.length;
  svg.replaceChildren();
  points.forEach((point, index) => {
    const barHeight = ((height - bottom - top) * point.value) / max;
    const x = index * slot + slot * 0.15;
    const y = height - bottom - barHeight;
    const bar = element("rect", { x, y, width: slot * 0.7, height: barHeight });
    bar.append(element("title", {}, point.label + ": " + point.value));
    svg.append(bar);
    svg.append(element("text", { x: x + slot * 0.35, y: y - 4, "text-anchor": "middle" }, point.value));
    svg.append(element("text", { x: x + slot * 0.35, y: height - 10, "text-anchor": "middle" }, point.label.slice(5)));
  });
}

async function refresh() {
  const days = document.getElementById("days").value;
  const response = await fetch("/api/visits?days=" + encodeURIComponent(days));
  const data = await response.json();
  document.getElementById("title").textContent = data.title;
  draw(document.getElementById("chart"), data.points);
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("days").addEventListener("change", refresh);
  refresh();
});
