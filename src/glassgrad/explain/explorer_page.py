"""The explorer page's HTML, style and script (plain JavaScript, no build step, no library).

The script only shows what explorer.py computed: the page's JSON (``{{DATA}}``) holds the
layout, the formatted numbers and the text of every step. State is one number, the step:
0 shows the inputs, 1..F the forward pass (F nodes), F+1.. the backward steps; every
view is drawn from scratch from it, so stepping back is as simple as stepping forward.

Controls: the buttons, the arrow keys (Right/Left: next/previous step, Home/End), a click
on a node (its panel). The URL's hash can set the start: ``#step=7``, ``#view=question``,
``#keys=Right,Right,Left`` (key presses replayed through the same handler), and
``#fill=c:-12;f:2`` (question view: fill cells by name and check them).

The Content-Security-Policy forbids every request: no script, style, font or image can be
loaded from anywhere, so the page works from file:// and cannot reach the network.
"""

PAGE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; color: #1d2430; background: #fafafa; }
header { padding: 10px 16px; background: #24324a; color: #fff; }
header h1 { font-size: 18px; margin: 0; }
#bar { display: flex; gap: 6px; align-items: center; padding: 8px 16px; background: #e9edf3; flex-wrap: wrap; }
#bar button { font-size: 14px; padding: 4px 10px; }
#counter { margin-left: 8px; font-variant-numeric: tabular-nums; }
#phase { margin-left: 8px; font-weight: 600; }
main { display: flex; gap: 12px; padding: 12px 16px; align-items: flex-start; flex-wrap: wrap; }
#graphbox { overflow: auto; background: #fff; border: 1px solid #ccd; max-width: 100%; }
svg text { font-family: ui-monospace, monospace; font-size: 12px; }
.node rect { fill: #fff; stroke: #8895aa; stroke-width: 1.5; rx: 6; }
.node.leaf rect { fill: #eef6ff; }
.node.constant rect { fill: #f3f3f3; stroke-dasharray: 4 3; }
.node.current rect { stroke: #d9480f; stroke-width: 3; }
.node.selected rect { stroke: #1c7ed6; stroke-width: 3; }
.node { cursor: pointer; }
.node .val { fill: #2b8a3e; }
.node .grad { fill: #c92a2a; }
.edge { stroke: #9aa5b8; stroke-width: 1.5; fill: none; }
.edge.current { stroke: #d9480f; stroke-width: 3.5; }
.edge.done { stroke: #c92a2a; }
.elabel { fill: #c92a2a; font-size: 11px; }
aside { flex: 1; min-width: 320px; }
.panel { background: #fff; border: 1px solid #ccd; padding: 10px 12px; margin-bottom: 10px; }
.panel h2 { font-size: 15px; margin: 0 0 6px 0; }
pre { margin: 4px 0; white-space: pre-wrap; font-size: 13px; }
.muted { color: #667; font-size: 13px; }
#question table { border-collapse: collapse; }
#layers td { padding: 2px 8px; vertical-align: top; }
#question td { padding: 3px 6px; border-bottom: 1px solid #eee; vertical-align: top; }
#question input { width: 14em; font-family: ui-monospace, monospace; }
.right { color: #2b8a3e; font-weight: 600; }
.wrong { color: #c92a2a; font-weight: 600; }
#verdict { margin-top: 8px; }
.hidden { display: none; }
</style>
</head>
<body>
<header><h1 id="title"></h1></header>
<div id="bar">
  <button id="first" title="start (Home)">|&#x25C0; start</button>
  <button id="prev" title="previous step (Left arrow)">&#x25C0; back</button>
  <button id="next" title="next step (Right arrow)">next &#x25B6;</button>
  <button id="last" title="end (End)">end &#x25B6;|</button>
  <span id="counter"></span><span id="phase"></span>
  <span id="passbox" class="hidden">&nbsp; training step <input type="range" id="pass" min="1" value="1"> <span id="passno"></span></span>
  <span style="flex:1"></span>
  <button id="toggle">question view</button>
</div>
<main>
  <div id="graphbox"><svg id="graph"></svg></div>
  <aside>
    <div class="panel" id="steppanel"><h2>This step</h2><div id="step"></div></div>
    <div class="panel" id="nodepanel"><h2>Node</h2><div id="node" class="muted">Click a node to see its rule with its numbers.</div></div>
    <div class="panel hidden" id="layerpanel"><h2>Layers (the worked solution's matrices, first step)</h2><div id="layers"></div></div>
    <div class="panel hidden" id="question">
      <h2>Check my answer</h2>
      <p class="muted">Fill in any cells (a number, or a list like [0.29, -1] for an array) and press check.
      A value is right when it equals the answer rounded to the decimals you wrote (and is within 1 %).</p>
      <table id="cells"></table>
      <button id="check">check</button>
      <div id="verdict"></div>
    </div>
  </aside>
</main>
<script type="application/json" id="explorer-data">{{DATA}}</script>
<script>
"use strict";
const ALL = JSON.parse(document.getElementById("explorer-data").textContent);
const PASSES = ALL.passes || [ALL];  // several training steps: one pass each, a slider between them
const SVGNS = document.getElementById("graph").namespaceURI;  // the SVG namespace, no URL written
let D, byId, edgeById, F, TOTAL;  // the pass shown
let step = 0;
let selected = null;

function use(k) {  // show pass k (0-based): its records, steps, questions and layers
  D = PASSES[k];
  byId = {}; D.records.forEach(r => { byId[r.id] = r; });
  edgeById = {}; D.edges.forEach(e => { edgeById[e.id] = e; });
  F = D.forward.length;
  TOTAL = F + D.backward.length;  // steps 1..TOTAL; 0 shows only the inputs
  step = Math.min(step, TOTAL);
  if (!byId[selected]) selected = null;
  document.getElementById("cells").innerHTML = ""; document.getElementById("verdict").innerHTML = "";
  buildQuestion();
  document.getElementById("layers").innerHTML = ""; buildLayers();
  document.getElementById("passno").textContent = `${k + 1} of ${PASSES.length}`;
}

function el(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}
function short(text) {  // one line of a value for the node box
  if (text === null || text === undefined) return "";
  const one = text.replace(/\s*\n\s*/g, " ");
  return one.length > 18 ? one.slice(0, 17) + "\u2026" : one;
}

// What is known after `s` steps: which values are shown, which gradients, which edges carried one.
function stateAt(s) {
  const shown = new Set(), grads = {}, done = new Set();
  D.records.forEach(r => { if (r.kind !== "node") shown.add(r.id); });
  for (let k = 0; k < Math.min(s, F); k++) shown.add(D.forward[k]);
  let current = null;
  if (s >= 1 && s <= F) current = {kind: "forward", node: D.forward[s - 1]};
  const count = {};
  D.backward.forEach(b => { if (b.kind === "edge") count[b.target] = (count[b.target] || 0) + 1; });
  for (let k = 0; k < s - F; k++) {
    const b = D.backward[k];
    if (b.kind === "seed") grads[b.target] = b.text.split(" = ").slice(1).join(" = ");
    if (b.kind === "edge") {
      done.add(b.edge);
      if (count[b.target] === 1) grads[b.target] = b.downstream_text;
    }
    if (b.kind === "broadcast" && count[b.target] === 1) grads[b.target] = b.downstream_text;
    if (b.kind === "sum") grads[b.target] = byId[b.target].grad_text;
    if (k === s - F - 1) current = b;
  }
  return {shown, grads, done, current};
}

function drawGraph(st) {
  const svg = document.getElementById("graph");
  svg.innerHTML = "";
  svg.setAttribute("width", D.width);
  svg.setAttribute("height", D.height);
  const W = D.node_width, H = D.node_height;
  const cur = st.current;
  D.edges.forEach(e => {
    const a = byId[e.from], b = byId[e.to];
    const n = b.inputs.length;
    const x1 = a.x + W, y1 = a.y + H / 2;
    const x2 = b.x, y2 = b.y + H * (e.index + 1) / (n + 1);
    const mx = (x1 + x2) / 2;
    let cls = "edge";
    if (cur && cur.edge === e.id) cls += " current";
    else if (st.done.has(e.id)) cls += " done";
    svg.appendChild(el("path", {d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, class: cls, "data-edge": e.id}));
    if (st.done.has(e.id)) {
      const step = D.backward.find(b2 => b2.kind === "edge" && b2.edge === e.id);
      svg.appendChild(el("text", {x: mx - 20, y: (y1 + y2) / 2 - 4, class: "elabel", "data-edge-label": e.id},
                         short(step.downstream_text)));
    }
  });
  D.records.forEach(r => {
    const g = el("g", {class: "node " + r.kind, "data-id": r.id, "data-name": r.name, transform: `translate(${r.x},${r.y})`});
    if ((cur && (cur.node === r.id || cur.target === r.id))) g.classList.add("current");
    if (selected === r.id) g.classList.add("selected");
    g.appendChild(el("rect", {width: W, height: H}));
    const head = r.kind === "node" ? `${r.name} = ${r.form}` : r.name;
    g.appendChild(el("text", {x: 6, y: 16}, short(head)));
    if (st.shown.has(r.id)) g.appendChild(el("text", {x: 6, y: 34, class: "val", "data-value": r.id}, short(r.text)));
    if (st.grads[r.id] !== undefined) g.appendChild(el("text", {x: 6, y: 52, class: "grad", "data-grad": r.id}, "\u2207 " + short(st.grads[r.id])));
    g.addEventListener("click", () => { selected = r.id; render(); });
    svg.appendChild(g);
  });
}

function equals(text) { return text.includes("\n") ? " =\n" + text : " = " + text; }  // a matrix on its own lines
function pre(text) { const p = document.createElement("pre"); p.textContent = text; return p; }
function para(text, cls) { const p = document.createElement("div"); if (cls) p.className = cls; p.textContent = text; return p; }

function drawStep(st) {
  const box = document.getElementById("step");
  box.innerHTML = "";
  const cur = st.current;
  if (!cur) {
    box.appendChild(para("The inputs are given. Press next (or the right arrow) to run the forward pass node by node."));
    D.records.filter(r => r.kind !== "node").forEach(r => box.appendChild(pre(`${r.name} = ${r.text}`)));
    return;
  }
  const out = pre("");
  out.id = "stepvalue";
  if (cur.kind === "forward") {
    const r = byId[cur.node];
    box.appendChild(para(`Forward: node ${r.name} (${r.label})`));
    out.textContent = `${r.name} = ${r.form}` + (r.numbers ? ` = ${r.numbers}` : "") + `\n= ${r.text}`;
    out.setAttribute("data-text", r.text);
    box.appendChild(out);
    if (step === F && !D.backward.length) box.appendChild(para("No backward pass was recorded (call .backward() inside the trace).", "muted"));
    return;
  }
  const names = {seed: "Backward: the seed", edge: "Backward: one edge", broadcast: "Backward: sum over broadcast axes",
                 sum: "Backward: a value feeding several nodes"};
  box.appendChild(para(names[cur.kind]));
  box.appendChild(pre(cur.text));
  if (cur.kind === "seed") { out.textContent = cur.note; box.appendChild(out); return; }
  out.textContent = cur.numbers;
  out.setAttribute("data-text", cur.kind === "sum" ? byId[cur.target].grad_text : cur.downstream_text);
  box.appendChild(out);
}

function drawNode() {
  const box = document.getElementById("node");
  if (!selected) return;
  const r = byId[selected];
  box.className = "";
  box.innerHTML = "";
  box.appendChild(para(`${r.name}` + (r.kind === "node" ? ` \u2014 op ${r.label}` + (r.op_kind ? ` (${r.op_kind})` : "")
                                                   : ` \u2014 ${r.kind}`)));
  if (r.kind === "node") {
    box.appendChild(pre(`forward: ${r.name} = ${r.form}` + (r.numbers ? ` = ${r.numbers}` : "") + equals(r.text)));
    if (r.rule) box.appendChild(pre(`rule: ${r.rule}`));
    if (r.how) box.appendChild(pre(`backward: ${r.how}`));
    D.backward.filter(b => b.kind === "edge" && b.source === r.id).forEach(b => {
      box.appendChild(pre(`${b.text}\n= ${b.numbers}`));
    });
  } else {
    box.appendChild(pre(`value: ${r.text}`));
  }
  D.backward.filter(b => b.kind === "sum" && b.target === r.id).forEach(b => box.appendChild(pre(`${b.text}:\n${b.numbers}`)));
  if (r.grad_text !== null) box.appendChild(pre(`d${D.of}/d${r.name} = ${r.grad_text}`));
}

function render() {
  const st = stateAt(step);
  drawGraph(st);
  drawStep(st);
  drawNode();
  document.getElementById("counter").textContent = `step ${step} of ${TOTAL}`;
  document.getElementById("phase").textContent = step === 0 ? "inputs" : (step <= F ? "forward" : "backward");
}

function go(s) { step = Math.max(0, Math.min(TOTAL, s)); render(); }
function onKey(key) {
  if (key === "ArrowRight" || key === "Right") go(step + 1);
  else if (key === "ArrowLeft" || key === "Left") go(step - 1);
  else if (key === "Home") go(0);
  else if (key === "End") go(TOTAL);
}
document.addEventListener("keydown", ev => {
  if (ev.target && ev.target.tagName === "INPUT") return;
  onKey(ev.key);
});
document.getElementById("first").onclick = () => go(0);
document.getElementById("prev").onclick = () => go(step - 1);
document.getElementById("next").onclick = () => go(step + 1);
document.getElementById("last").onclick = () => go(TOTAL);

// ---------------------------------------------------------------- check my answer
function decimals(tok) {  // as explain/answers.py: '0.376' -> 3, '12' -> 0, '1.5e-3' -> 4
  const t = tok.toLowerCase(); const [mant, exp] = t.split("e");
  let d = mant.includes(".") ? mant.split(".")[1].length : 0;
  if (exp !== undefined) d -= parseInt(exp, 10);
  return Math.max(d, 0);
}
function tolerance(expected, dec) {  // as explain/answers.py tolerance()
  const rounding = 0.5 * Math.pow(10, -dec) * (1 + 1e-9);
  const cap = Math.max(0.01 * Math.abs(expected), 1e-12);
  return Math.max(Math.min(rounding, cap), 1e-12);
}
const NUM = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g;
function judge(text, expected) {
  const toks = text.match(NUM) || [];
  if (!toks.length) return {blank: true};
  if (expected === null) return {error: "this value is too large to check here"};
  if (toks.length !== expected.length) return {error: `expected ${expected.length} number(s), got ${toks.length}`};
  for (let i = 0; i < toks.length; i++) {
    const e = expected[i];
    if (typeof e === "string") return {error: `the answer is ${e}`};
    if (Math.abs(parseFloat(toks[i]) - e) > tolerance(e, decimals(toks[i]))) return {ok: false, index: i};
  }
  return {ok: true};
}
function buildQuestion() {
  const table = document.getElementById("cells");
  D.questions.forEach((q, k) => {
    const tr = document.createElement("tr");
    const a = document.createElement("td"); a.textContent = q.what === "value" ? `${q.label}` : `${q.label}`;
    const b = document.createElement("td");
    const inp = document.createElement("input"); inp.id = `cell${k}`; inp.setAttribute("data-name", q.name);
    inp.setAttribute("data-what", q.what);
    inp.placeholder = q.shape.length ? `shape (${q.shape.join(", ")})` : "a number";
    b.appendChild(inp);
    const c = document.createElement("td"); c.id = `mark${k}`;
    tr.append(a, b, c); table.appendChild(tr);
  });
}
function check() {
  let first = null, right = 0, wrong = 0;
  D.questions.forEach((q, k) => {
    const mark = document.getElementById(`mark${k}`);
    const v = judge(document.getElementById(`cell${k}`).value, q.expected);
    mark.className = ""; mark.textContent = "";
    if (v.blank) return;
    if (v.ok) { right++; mark.className = "right"; mark.textContent = "right"; return; }
    wrong++; mark.className = "wrong"; mark.textContent = v.error ? `wrong: ${v.error}` : "wrong";
    if (first === null) first = k;
  });
  const out = document.getElementById("verdict");
  out.innerHTML = "";
  out.appendChild(para(`${right} right, ${wrong} wrong`));
  if (first !== null) {
    const q = D.questions[first];
    const where = q.what === "value" ? "the forward pass" : "the backward pass";
    const p = para(`First divergence: ${q.label} (in ${where}). Later cells that use it may be wrong only because of it.`, "wrong");
    p.id = "divergence"; p.setAttribute("data-name", q.name); p.setAttribute("data-what", q.what);
    out.appendChild(p);
  } else if (right) {
    const p = para("No divergence: every filled cell is right.", "right"); p.id = "divergence"; out.appendChild(p);
  }
}
document.getElementById("check").onclick = check;
document.getElementById("toggle").onclick = () => {
  const q = document.getElementById("question");
  q.classList.toggle("hidden");
  document.getElementById("steppanel").classList.toggle("hidden");
  document.getElementById("nodepanel").classList.toggle("hidden");  // its numbers would give answers away
  if (D.layers.length) document.getElementById("layerpanel").classList.toggle("hidden");
  document.getElementById("toggle").textContent = q.classList.contains("hidden") ? "question view" : "step view";
};

function buildLayers() {  // the layer view: s, h, delta, dW, db per layer, side by side
  if (!D.layers.length) return;
  const box = document.getElementById("layers");
  D.layers.forEach(L => {
    const t = document.createElement("table");
    const head = document.createElement("tr");
    const cap = document.createElement("td"); cap.textContent = `layer ${L.layer}`; cap.style.fontWeight = "600";
    head.appendChild(cap);
    L.rows.forEach(r => { const td = document.createElement("td"); td.textContent = r.name; head.appendChild(td); });
    const vals = document.createElement("tr"); vals.appendChild(document.createElement("td"));
    L.rows.forEach(r => { const td = document.createElement("td"); const p = pre(r.text); p.setAttribute("data-layer-value", r.name);
                          td.appendChild(p); vals.appendChild(td); });
    t.append(head, vals); box.appendChild(t);
  });
  document.getElementById("layerpanel").classList.remove("hidden");
}

// ---------------------------------------------------------------- start
document.getElementById("title").textContent = ALL.title;
(function fromHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  const slider = document.getElementById("pass");
  slider.max = PASSES.length;
  if (PASSES.length > 1) document.getElementById("passbox").classList.remove("hidden");
  const first = Math.max(1, Math.min(PASSES.length, parseInt(h.get("pass"), 10) || 1));
  slider.value = first;
  use(first - 1);
  slider.addEventListener("input", () => { use(parseInt(slider.value, 10) - 1); render(); });
  if (h.get("step")) step = Math.max(0, Math.min(TOTAL, parseInt(h.get("step"), 10) || 0));
  if (h.get("select") && byId[h.get("select")]) selected = h.get("select");
  if ((h.get("view") || ALL.view || D.view) === "question") document.getElementById("toggle").onclick();
  if (h.get("fill")) {
    h.get("fill").split(";").forEach(pair => {
      const i = pair.indexOf(":"); const name = pair.slice(0, i), val = pair.slice(i + 1);
      const cell = document.querySelector(`#cells input[data-name="${CSS.escape(name.replace(/^grad\./, ""))}"][data-what="${name.startsWith("grad.") ? "grad" : "value"}"]`);
      if (cell) cell.value = val;
    });
    check();
  }
  render();
  if (h.get("keys")) h.get("keys").split(",").forEach(onKey);
})();
</script>
</body>
</html>
"""
