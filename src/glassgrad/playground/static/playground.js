// glassgrad playground: the page's script (plain JavaScript, no build step, no library).
//
// The server does all the mathematics (glassgrad trains the network); this script only
// sends the settings, asks for training steps and draws what comes back. The HTTP API is
// docs/playground.md's: POST /api/session (settings -> a session of its own for this tab),
// POST .../step, POST .../reset, GET .../explain(.json), DELETE the old session.
//
// Every server answer is a STATE (iteration, losses, points, boundary, hidden space) and the
// page is redrawn from it alone, so there is no second copy of the model here to drift.
"use strict";

// Okabe and Ito's palette: distinguishable with every common colour-vision deficiency.
// Class 0 orange, class 1 blue (as in TensorFlow Playground), then further classes.
const CLASS_COLOURS = ["#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"];
const TRAIN_CURVE = "#1d2430";
const TEST_CURVE = "#D55E00";
const STEPS_PER_FRAME = 5;      // iterations asked for per request while playing
const POINT_RADIUS = 4;
const CLICK_RADIUS = 9;         // how far (pixels) a click may miss a point and still pick it
const SETTINGS_DELAY_MS = 350;  // typing "0.003" should make one session, not four

// The page's whole state, one global object (the browser tests read it, as can the console).
const playground = {
  options: null,      // GET /api/options
  session: null,      // this tab's session id
  state: null,        // the last STATE drawn
  csvText: null,      // the uploaded file's text, sent when dataset == "csv"
  playing: false,
  loops: 0,           // play loops started (only the latest runs)
  queue: Promise.resolve(),  // server calls run one at a time, in order
  selected: null,     // {split, index, iteration} of the point whose explorer is open
  settingsTimer: null,
};

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- talking to the server

/** One API call; resolves to the JSON answer or throws an Error carrying the server's one line. */
async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new Error(`the server does not answer (${err.message}); is glassgrad playground still running?`);
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
  if (!response.ok) {
    const line = data && typeof data.error === "string" ? data.error : `HTTP ${response.status}: ${text.slice(0, 200)}`;
    throw Object.assign(new Error(line), { status: response.status });
  }
  if (data === null) throw new Error(`the server's answer to ${path} is not JSON`);
  return data;
}

/** Run server calls one after another: a Step pressed during Play waits for Play's request. */
function exclusive(task) {
  const run = playground.queue.then(task, task);
  playground.queue = run.catch(() => {});
  return run;
}

function showStatus(text, isError = false) {
  const line = $("status");
  line.textContent = text;
  line.title = text;  // the whole line on hover when it is cut at the window's edge
  line.classList.toggle("error", isError);
}

function showError(err) {
  showStatus(`error: ${err.message}`, true);
}

// ---------------------------------------------------------------- the settings

function fillSelect(select, names, chosen) {
  select.replaceChildren(...names.map((name) => new Option(name, name, false, name === chosen)));
}

/** A number field's value: a number when it reads as one, else the text (the server says what is wrong). */
function numberOrText(input) {
  const text = input.value.trim();
  const value = Number(text);
  return text !== "" && Number.isFinite(value) ? value : text;
}

function hiddenWidths() {
  return [...$("widths").querySelectorAll("input")].map(numberOrText);
}

function setHiddenWidths(widths) {
  const inputs = widths.map((width, i) => {
    const input = document.createElement("input");
    input.type = "number";
    input.min = "1";
    input.step = "1";
    input.value = String(width);
    input.title = `width of hidden layer ${i + 1}`;
    input.setAttribute("aria-label", input.title);
    return input;
  });
  $("widths").replaceChildren(...inputs);
  $("layer-count").textContent = String(widths.length);
}

/** The settings as the contract's config object. */
function readConfig() {
  const config = {
    dataset: $("dataset").value,
    points: numberOrText($("points")),
    noise: numberOrText($("noise")),
    test_fraction: numberOrText($("test_fraction")),
    hidden: hiddenWidths(),
    activation: $("activation").value,
    loss: $("loss").value,
    optimizer: $("optimizer").value,
    lr: numberOrText($("lr")),
    batch_size: numberOrText($("batch_size")),
    weight_decay: numberOrText($("weight_decay")),
    dropout: numberOrText($("dropout")),
    seed: numberOrText($("seed")),
  };
  if (config.dataset === "csv") {
    config.csv = playground.csvText ?? "";
    delete config.points;  // the file decides how many points there are
    delete config.noise;
  }
  return config;
}

/** Show the config the server used (its defaults filled in) in the controls. */
function showConfig(config) {
  for (const name of ["points", "noise", "test_fraction", "lr", "batch_size", "weight_decay", "dropout", "seed"]) {
    if (config[name] !== undefined && document.activeElement !== $(name)) $(name).value = String(config[name]);
  }
  for (const name of ["dataset", "activation", "loss", "optimizer"]) {
    if (config[name] !== undefined) $(name).value = config[name];
  }
  if (Array.isArray(config.hidden)) setHiddenWidths(config.hidden);
  showDataFields();
}

/** An uploaded file decides its points: the generator's fields are greyed out for csv. */
function showDataFields() {
  const generated = $("dataset").value !== "csv";
  $("points").disabled = !generated;
  $("noise").disabled = !generated;
}

function settingsChanged() {
  clearTimeout(playground.settingsTimer);
  playground.settingsTimer = setTimeout(() => startSession(readConfig()), SETTINGS_DELAY_MS);
}

function changeLayerCount(delta) {
  const widths = hiddenWidths();
  if (delta > 0) widths.push(widths.length ? widths[widths.length - 1] : 4);
  else widths.pop();
  setHiddenWidths(widths);
  settingsChanged();
}

async function uploadCsv(file) {
  const limit = playground.options?.limits?.max_csv_bytes;
  if (limit && file.size > limit) {
    showStatus(`error: ${file.name} is ${file.size} bytes; the playground takes CSV files up to ${limit} bytes`, true);
    return;
  }
  playground.csvText = await file.text();
  if (![...$("dataset").options].some((o) => o.value === "csv")) $("dataset").add(new Option("csv", "csv"));
  $("dataset").value = "csv";
  await startSession(readConfig(), `uploaded ${file.name}`);
}

// ---------------------------------------------------------------- sessions and training

/**
 * A new session for these settings. On success the old session is deleted (its slot freed);
 * on failure the old one keeps training and the status line says what was wrong.
 */
function startSession(config, what = "new settings") {
  return exclusive(async () => {
    try {
      const answer = await api("POST", "/api/session", config);
      const old = playground.session;
      playground.session = answer.session;
      if (old) deleteSession(old);
      closeExplorer();
      showConfig(answer.state.config);
      draw(answer.state);
      showStatus(`${what}: ${describe(answer.state)}`);
    } catch (err) {
      showError(err);
      if (playground.session) showStatus(`error: ${err.message} (still training the previous settings)`, true);
    }
  });
}

function deleteSession(id) {
  // keepalive lets the request finish while the tab closes; a 404/405 is of no interest
  fetch(`/api/session/${encodeURIComponent(id)}`, { method: "DELETE", keepalive: true }).catch(() => {});
}

/** "circles, 140 train and 60 test points, network 2-8-8-2 (tanh)" */
function describe(state) {
  const { points, config } = state;
  const classes = state.classes ?? 2;
  const widths = [2, ...config.hidden, classes].join("-");
  return `${config.dataset}, ${points.train.length} train and ${points.test.length} test points, ` +
    `network ${widths} (${config.activation})`;
}

/** Ask for `steps` iterations; returns false when the server refused (the status line says why). */
function trainSteps(steps) {
  return exclusive(async () => {
    if (!playground.session) return false;
    try {
      const state = await api("POST", `/api/session/${playground.session}/step`, { steps });
      if (state.session === playground.session) draw(state);  // an answer for a replaced session is dropped
      // the error line stays until something works again, then says what is running
      if ($("status").classList.contains("error")) showStatus(`training ${describe(state)}`);
      return true;
    } catch (err) {
      showError(err);
      if (err.status === 404) startAgain();
      return false;
    }
  });
}

/**
 * The server forgot this tab's session (it restarted, or gave an idle tab's slot to another):
 * start a new one from the settings shown, so the page keeps working. Queued, not awaited:
 * it runs after the failed call that noticed.
 */
function startAgain() {
  playground.session = null;
  startSession(readConfig(), "the server had closed this tab's session; a new one");
}

function reset() {
  return exclusive(async () => {
    if (!playground.session) return;
    try {
      const state = await api("POST", `/api/session/${playground.session}/reset`);
      closeExplorer();
      draw(state);
      showStatus(`reset: the same initial weights (seed ${state.config.seed}), iteration 0`);
    } catch (err) {
      showError(err);
      if (err.status === 404) startAgain();
    }
  });
}

function setPlaying(playing) {
  playground.playing = playing;
  $("play").classList.toggle("playing", playing);
  $("play").textContent = playing ? "\u275A\u275A Pause" : "\u25B6 Play";
}

async function playLoop() {
  // Pause then Play again while a request is out would leave the old loop alive beside the
  // new one; each loop carries a number and stops when a newer loop exists.
  const loop = ++playground.loops;
  while (playground.playing && loop === playground.loops) {
    const ok = await trainSteps(Math.min(STEPS_PER_FRAME, playground.options?.limits?.max_steps ?? STEPS_PER_FRAME));
    if (!ok) setPlaying(false);
    // let the browser paint before asking for more
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  }
}

function togglePlay() {
  if (playground.playing) {
    setPlaying(false);
    return;
  }
  setPlaying(true);
  closeExplorerIfStale();
  playLoop();
}

// ---------------------------------------------------------------- drawing a STATE

function draw(state) {
  playground.state = state;
  showCounters(state);
  drawBoundary(state);
  drawLossCurves(state);
  drawHiddenSpace(state);
}

function last(values) {
  return values && values.length ? values[values.length - 1] : null;
}

function formatNumber(x, digits = 4) {
  if (x === null || x === undefined) return "\u2013";
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

/** Put a number in an element: rounded text for people, the full value in data-value for tests. */
function showNumber(element, value, digits = 4) {
  element.textContent = formatNumber(value, digits);
  element.dataset.value = value === null || value === undefined ? "" : String(value);
}

function showCounters(state) {
  $("iteration").textContent = String(state.iteration);
  $("epoch").textContent = state.epoch.toFixed(2);
  showNumber($("train-loss"), last(state.train_loss));
  showNumber($("test-loss"), last(state.test_loss));
  $("train-accuracy").textContent = percent(state.train_accuracy);
  $("test-accuracy").textContent = percent(state.test_accuracy);
}

function percent(fraction) {
  // null: an empty test set (test fraction 0) has no accuracy
  return fraction === null || fraction === undefined ? "\u2013" : `${(100 * fraction).toFixed(1)} %`;
}

/** A canvas's 2-D context scaled so one unit is one CSS pixel (sharp on high-density screens). */
function context2d(canvas) {
  const ratio = window.devicePixelRatio || 1;
  if (!canvas.dataset.cssWidth) {
    canvas.dataset.cssWidth = canvas.width;
    canvas.dataset.cssHeight = canvas.height;
    canvas.style.width = `${canvas.width}px`;
    canvas.style.height = `${canvas.height}px`;
    canvas.width = Math.round(canvas.width * ratio);
    canvas.height = Math.round(canvas.height * ratio);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { ctx, width: Number(canvas.dataset.cssWidth), height: Number(canvas.dataset.cssHeight) };
}

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * The heat map's colour for p(class 1): class 0's orange at p = 0, white at p = 0.5 (the
 * boundary), class 1's blue at p = 1; kept pale so the points stay readable on top.
 */
function probabilityColour(p) {
  const towards = hexToRgb(p < 0.5 ? CLASS_COLOURS[0] : CLASS_COLOURS[1]);
  const strength = 0.75 * Math.min(1, Math.abs(p - 0.5) * 2);
  return towards.map((c) => Math.round(255 + (c - 255) * strength));
}

const DIVERGED = [200, 200, 200];  // a grid cell whose output is not a finite number (sent as null)

/**
 * How a boundary grid cell is coloured: two classes, by p(class 1) (how sure the network is);
 * more classes (an uploaded CSV), by the predicted class, pale, as p(class 1) alone cannot
 * tell the other classes apart.
 */
function cellColouring(state) {
  const { probability, predicted } = state.boundary;
  if ((state.classes ?? 2) > 2 && predicted) {
    return (row, col) => {
      const k = predicted[row][col];
      if (k === null) return DIVERGED;
      return hexToRgb(CLASS_COLOURS[k % CLASS_COLOURS.length]).map((c) => Math.round(255 + (c - 255) * 0.45));
    };
  }
  return (row, col) => (probability[row][col] === null ? DIVERGED : probabilityColour(probability[row][col]));
}

/** The caption names what the colours mean, with a swatch per class. */
function showBoundaryCaption(state) {
  const classes = state.classes ?? 2;
  const caption = $("boundary-caption");
  if (Number(caption.dataset.classes) === classes) return;
  caption.dataset.classes = String(classes);
  const swatches = [];
  for (let k = 0; k < classes; k++) {
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = CLASS_COLOURS[k % CLASS_COLOURS.length];
    swatches.push(swatch, ` class ${k}${k < classes - 1 ? ", " : "; "}`);
  }
  const what = classes > 2 ? "Decision regions: colour is the predicted class, " : "Decision boundary: colour is p(class 1), ";
  caption.replaceChildren(what, ...swatches,
    "rings are test points. Click a point to see its forward and backward pass.");
}

/** Data coordinates <-> canvas pixels for the boundary plot (extent = [xmin, xmax, ymin, ymax]). */
function boundaryScale(extent, width, height) {
  const [xmin, xmax, ymin, ymax] = extent;
  return {
    toPixel: ([x, y]) => [((x - xmin) / (xmax - xmin)) * width, ((ymax - y) / (ymax - ymin)) * height],
  };
}

function drawBoundary(state) {
  const canvas = $("boundary");
  const { ctx, width, height } = context2d(canvas);
  const { size, extent } = state.boundary;
  showBoundaryCaption(state);
  const colourOf = cellColouring(state);
  // the n x n grid into an n x n image (rows from ymax down, as the contract sends them),
  // then stretched over the canvas with smoothing: a smooth map from a coarse grid
  const grid = document.createElement("canvas");
  grid.width = size;
  grid.height = size;
  const image = grid.getContext("2d").createImageData(size, size);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const [r, g, b] = colourOf(row, col);
      const at = 4 * (row * size + col);
      image.data.set([r, g, b, 255], at);
    }
  }
  grid.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(grid, 0, 0, width, height);
  drawBoundaryAxes(ctx, extent, width, height);

  const scale = boundaryScale(extent, width, height);
  for (const [split, outline] of [["train", "#ffffff"], ["test", "#1d2430"]]) {
    if (split === "test" && !$("show-test").checked) continue;
    state.points[split].forEach(([x, y, label]) => {
      drawPoint(ctx, scale.toPixel([x, y]), CLASS_COLOURS[label % CLASS_COLOURS.length], outline);
    });
  }
  if (playground.selected) {
    const point = state.points[playground.selected.split][playground.selected.index];
    if (point) drawSelection(ctx, scale.toPixel(point));
  }
}

function drawBoundaryAxes(ctx, extent, width, height) {
  const [xmin, xmax, ymin, ymax] = extent;
  ctx.fillStyle = "rgba(29, 36, 48, 0.75)";
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "bottom";
  ctx.textAlign = "left";
  ctx.fillText(`x ${formatNumber(xmin, 3)} \u2026 ${formatNumber(xmax, 3)}`, 4, height - 2);
  ctx.textAlign = "right";
  ctx.textBaseline = "top";
  ctx.fillText(`y ${formatNumber(ymin, 3)} \u2026 ${formatNumber(ymax, 3)}`, width - 4, 3);
}

function drawPoint(ctx, [px, py], fill, outline) {
  ctx.beginPath();
  ctx.arc(px, py, POINT_RADIUS, 0, 2 * Math.PI);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.lineWidth = outline === "#ffffff" ? 1 : 1.6;
  ctx.strokeStyle = outline;
  ctx.stroke();
}

function drawSelection(ctx, [px, py]) {
  ctx.beginPath();
  ctx.arc(px, py, POINT_RADIUS + 4, 0, 2 * Math.PI);
  ctx.lineWidth = 2.5;
  ctx.strokeStyle = "#000000";
  ctx.stroke();
}

// ---------------------------------------------------------------- the loss curves

/** Round tick steps (1, 2 or 5 times a power of ten) covering [low, high] with about `count` ticks. */
function linearTicks(low, high, count = 5) {
  const raw = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const ticks = [];
  for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Log-axis ticks: the powers of ten in range, and 2 and 5 times them when at most three decades show. */
function logTicks(low, high) {
  const first = Math.floor(Math.log10(low));
  const lastPower = Math.ceil(Math.log10(high));
  const multiples = lastPower - first <= 3 ? [1, 2, 5] : [1];
  const ticks = [];
  for (let k = first; k <= lastPower; k++) {
    for (const m of multiples) {
      const t = Number((m * 10 ** k).toPrecision(12));
      if (t >= low && t <= high) ticks.push(t);
    }
  }
  return ticks;
}

function drawLossCurves(state) {
  const { ctx, width, height } = context2d($("loss-curve"));
  ctx.clearRect(0, 0, width, height);
  const useLog = $("log-scale").checked;
  const curves = [[state.train_loss, TRAIN_CURVE, []], [state.test_loss, TEST_CURVE, [6, 4]]];
  const values = curves.flatMap(([v]) => v).filter((v) => Number.isFinite(v) && (!useLog || v > 0));
  const box = { left: 56, right: width - 10, top: 10, bottom: height - 34 };
  drawFrame(ctx, box);
  if (values.length === 0) return;

  // log: a little room above and below the curves; linear: from zero, as losses are >= 0
  const low = useLog ? minimum(values) / 1.15 : 0;
  const high = useLog ? maximum(values) * 1.15 : maximum(values) * 1.05 || 1;
  const toY = useLog
    ? (v) => box.bottom - ((Math.log10(v) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * (box.bottom - box.top)
    : (v) => box.bottom - ((v - low) / (high - low)) * (box.bottom - box.top);
  const lastIteration = Math.max(1, state.iteration);
  const toX = (iteration) => box.left + (iteration / lastIteration) * (box.right - box.left);

  // a log axis spanning less than from one "1, 2, 5" mark to the next gets round linear ticks
  const yTicks = useLog && logTicks(low, high).length >= 2 ? logTicks(low, high) : linearTicks(low, high);
  drawYTicks(ctx, box, yTicks.map((t) => [toY(t), formatNumber(t, 3)]));
  drawXTicks(ctx, box, linearTicks(0, lastIteration, 5).filter((t) => Number.isInteger(t)).map((t) => [toX(t), String(t)]));

  for (const [series, colour, dash] of curves) {
    const xOf = (i) => iterationOfRecord(state, i, series.length);
    ctx.beginPath();
    let drawing = false;
    series.forEach((v, i) => {
      if (!Number.isFinite(v) || (useLog && v <= 0)) { drawing = false; return; }
      const [x, y] = [toX(xOf(i)), toY(v)];
      if (drawing) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      drawing = true;
    });
    ctx.setLineDash(dash);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.stroke();
    ctx.setLineDash([]);
  }
}

/** The iteration at which loss record i was taken: the server's loss_iterations where it
 *  sends them, else records spread evenly from iteration 0 to the current one. */
function iterationOfRecord(state, i, count) {
  if (Array.isArray(state.loss_iterations) && state.loss_iterations.length === count) return state.loss_iterations[i];
  return count > 1 ? (i * state.iteration) / (count - 1) : 0;
}

function drawFrame(ctx, box) {
  ctx.strokeStyle = "#8a93a5";
  ctx.lineWidth = 1;
  ctx.strokeRect(box.left, box.top, box.right - box.left, box.bottom - box.top);
}

function drawYTicks(ctx, box, ticks) {
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = "#3c4556";
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const [y, label] of ticks) {
    ctx.strokeStyle = "#e3e7ee";
    ctx.beginPath();
    ctx.moveTo(box.left, y);
    ctx.lineTo(box.right, y);
    ctx.stroke();
    ctx.fillText(label, box.left - 5, y);
  }
}

function drawXTicks(ctx, box, ticks) {
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const [x, label] of ticks) {
    ctx.strokeStyle = "#8a93a5";
    ctx.beginPath();
    ctx.moveTo(x, box.bottom);
    ctx.lineTo(x, box.bottom + 4);
    ctx.stroke();
    ctx.fillText(label, x, box.bottom + 6);
  }
  ctx.fillText("iteration", (box.left + box.right) / 2, box.bottom + 19);
}

// ---------------------------------------------------------------- the hidden space

function drawHiddenSpace(state) {
  const { ctx, width, height } = context2d($("hidden"));
  ctx.clearRect(0, 0, width, height);
  const hidden = state.hidden;
  if (!hidden || !hidden.points) {
    $("hidden-caption").textContent = "Hidden space: needs a hidden layer of at least two units";
    return;
  }
  $("hidden-caption").textContent =
    `Hidden space: units 1 and 2 of hidden layer ${hidden.layer + 1}, train points`;
  const xs = hidden.points.map((p) => p[0]);
  const ys = hidden.points.map((p) => p[1]);
  // margins above and below hold the range labels, so no point hides them
  const pad = { side: 10, top: 20, bottom: 20 };
  const [xlow, xhigh] = paddedRange(xs);
  const [ylow, yhigh] = paddedRange(ys);
  const toPixel = ([h1, h2]) => [
    pad.side + ((h1 - xlow) / (xhigh - xlow)) * (width - 2 * pad.side),
    height - pad.bottom - ((h2 - ylow) / (yhigh - ylow)) * (height - pad.top - pad.bottom),
  ];
  drawFrame(ctx, { left: 0.5, right: width - 0.5, top: 0.5, bottom: height - 0.5 });
  ctx.fillStyle = "#3c4556";
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "left";
  ctx.textBaseline = "bottom";
  ctx.fillText(`h1 ${formatNumber(xlow, 2)} \u2026 ${formatNumber(xhigh, 2)}`, 4, height - 2);
  ctx.textBaseline = "top";
  ctx.fillText(`h2 ${formatNumber(ylow, 2)} \u2026 ${formatNumber(yhigh, 2)}`, 4, 3);
  hidden.points.forEach((p, i) => {
    const label = state.points.train[i] ? state.points.train[i][2] : 0;
    drawPoint(ctx, toPixel(p), CLASS_COLOURS[label % CLASS_COLOURS.length], "#ffffff");
  });
}

// (not Math.min(...values): a long training run's loss list would overflow the call stack)
function minimum(values) { return values.reduce((a, b) => Math.min(a, b), Infinity); }
function maximum(values) { return values.reduce((a, b) => Math.max(a, b), -Infinity); }

function paddedRange(values) {
  let low = minimum(values);
  let high = maximum(values);
  if (!(high > low)) { low -= 1; high += 1; }  // one value (or a dead unit): a unit-wide window
  return [low, high];
}

// ---------------------------------------------------------------- clicking a point

/** The drawn point nearest the click, within CLICK_RADIUS pixels, as {split, index}; or null. */
function pointAt(event) {
  const state = playground.state;
  if (!state) return null;
  const canvas = $("boundary");
  const rect = canvas.getBoundingClientRect();
  const click = [event.clientX - rect.left, event.clientY - rect.top];
  const scale = boundaryScale(state.boundary.extent, rect.width, rect.height);
  let best = null;
  const splits = $("show-test").checked ? ["train", "test"] : ["train"];
  for (const split of splits) {
    state.points[split].forEach((point, index) => {
      const [px, py] = scale.toPixel(point);
      const distance = Math.hypot(px - click[0], py - click[1]);
      if (distance <= CLICK_RADIUS && (!best || distance < best.distance)) best = { split, index, distance };
    });
  }
  return best && { split: best.split, index: best.index };
}

function onBoundaryClick(event) {
  const hit = pointAt(event);
  if (hit) openExplorer(hit.split, hit.index);
}

/**
 * The explorer of one example at the current weights. Training pauses first, so the numbers
 * shown and the explorer below are of the weights the boundary shows.
 */
function openExplorer(split, index) {
  setPlaying(false);
  return exclusive(async () => {
    const query = `split=${split}&index=${index}`;
    try {
      const numbers = await api("GET", `/api/session/${playground.session}/explain.json?${query}`);
      playground.selected = { split, index, iteration: playground.state.iteration };
      showExplainNumbers(split, index, numbers);
      $("explorer-frame").src = `/api/session/${playground.session}/explain?${query}`;
      $("explain").hidden = false;
      drawBoundary(playground.state);
      showStatus(`${split} point ${index}: its forward and backward pass at iteration ${playground.state.iteration}`);
    } catch (err) {
      showError(err);
    }
  });
}

/** The first parameter whose name says weight (the first layer's W), else the first one. */
function firstWeightName(grads) {
  const names = Object.keys(grads);
  return names.find((n) => /weight|^W/i.test(n)) ?? names[0];
}

function showExplainNumbers(split, index, numbers) {
  $("explain-title").textContent =
    `${split} point ${index} at iteration ${playground.state.iteration}: forward and backward pass`;
  $("explain-point").textContent = numbers.point.map((v) => formatNumber(v, 6)).join(", ");
  $("explain-point").dataset.value = JSON.stringify(numbers.point);
  $("explain-label").textContent = String(numbers.label);
  $("explain-output").textContent = numbers.output.flat().map((v) => formatNumber(v, 6)).join(", ");
  showNumber($("explain-loss"), numbers.loss, 6);
  const name = firstWeightName(numbers.grads);
  $("explain-grad-title").textContent = `gradient of the first layer's weights, d loss / d ${name}`;
  $("explain-grad").dataset.name = name;
  showMatrix($("explain-grad"), numbers.grads[name]);
}

/** A weight matrix as a table: row i is unit i of the layer, column j its input j (W is out x in, as in nn.Linear). */
function showMatrix(table, matrix) {
  const rows = Array.isArray(matrix[0]) ? matrix : [matrix];
  const header = document.createElement("tr");
  header.append(document.createElement("th"));
  rows[0].forEach((_, j) => header.append(cell("th", `input ${j}`)));
  const body = rows.map((row, i) => {
    const tr = document.createElement("tr");
    tr.append(cell("th", `unit ${i}`));
    for (const value of row) {
      const td = cell("td", "");
      showNumber(td, value, 6);
      tr.append(td);
    }
    return tr;
  });
  table.replaceChildren(header, ...body);
}

function cell(tag, text) {
  const element = document.createElement(tag);
  element.textContent = text;
  return element;
}

function closeExplorer() {
  playground.selected = null;
  $("explain").hidden = true;
  $("explorer-frame").removeAttribute("src");
}

/** Training on moves the weights away from those the open explorer shows: close it. */
function closeExplorerIfStale() {
  if (playground.selected) {
    closeExplorer();
    if (playground.state) drawBoundary(playground.state);
  }
}

// ---------------------------------------------------------------- start

function wireControls() {
  $("play").addEventListener("click", togglePlay);
  $("step").addEventListener("click", () => { closeExplorerIfStale(); trainSteps(1); });
  $("reset").addEventListener("click", () => { setPlaying(false); reset(); });
  $("add-layer").addEventListener("click", () => changeLayerCount(+1));
  $("remove-layer").addEventListener("click", () => changeLayerCount(-1));
  $("controls").addEventListener("change", (event) => {
    if (event.target.id === "csv-file") return;  // handled by uploadCsv
    showDataFields();
    settingsChanged();
  });
  $("controls").addEventListener("submit", (event) => event.preventDefault());
  $("csv-file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file) uploadCsv(file);
    event.target.value = "";  // the same file chosen again is a new upload
  });
  $("boundary").addEventListener("click", onBoundaryClick);
  $("show-test").addEventListener("change", () => playground.state && drawBoundary(playground.state));
  $("log-scale").addEventListener("change", () => playground.state && drawLossCurves(playground.state));
  $("close-explain").addEventListener("click", closeExplorerIfStale);
  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(event.target.tagName);
    if (event.key === " " && !typing) { event.preventDefault(); togglePlay(); }
  });
  // a closed tab frees its session on the server
  window.addEventListener("pagehide", () => playground.session && deleteSession(playground.session));
}

async function start() {
  wireControls();
  try {
    playground.options = await api("GET", "/api/options");
  } catch (err) {
    showError(err);
    return;
  }
  fillSelect($("dataset"), playground.options.datasets.filter((d) => d !== "csv"), "circles");
  fillSelect($("activation"), playground.options.activations, "tanh");
  fillSelect($("loss"), playground.options.losses, "cross_entropy");
  fillSelect($("optimizer"), playground.options.optimizers, "sgd");
  // TensorFlow Playground's first picture; every other setting is the server's default
  // (the controls then show the config the server used)
  await startSession({ dataset: "circles" }, "ready");
}

document.addEventListener("DOMContentLoaded", start);
