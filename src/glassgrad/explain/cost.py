"""What seed 004 asks (question 12): the cost of all the gradients of an MLP by finite
differences against one backward pass, counted and measured.

Finite differences need one forward pass per parameter (plus one at the unperturbed
point), or two with central differences; each forward pass costs about as much as the
number of parameters N, so all gradients cost O(N^2). Backpropagation needs one forward
and one backward pass, a small constant times one forward pass: O(N).

``measure_costs`` builds tanh MLPs of growing width in float64 with glassgrad, runs both,
checks that they agree, and times them. With many parameters the finite-difference time
is measured on a sample of parameters and scaled up (the table says so).
"""

import time
from dataclasses import dataclass

import numpy as np

from .document import Document, Heading, Paragraph, Table
from .format import number

SAMPLE = 256  # parameters timed when there are too many to perturb them all
FULL_LIMIT = 3000  # up to this many parameters, finite differences run on all of them


@dataclass
class CostRow:
    width: int
    params: int
    fd_forwards: int  # forward passes finite differences need for all gradients
    fd_seconds: float  # measured (or scaled from a sample)
    fd_estimated: bool
    bp_passes: str  # "1 forward + 1 backward"
    bp_seconds: float
    forward_seconds: float  # one forward pass
    max_rel_diff: float  # finite differences vs backprop, on the perturbed parameters
    perturbed: int = 0  # parameters finite differences actually ran on


def _network(depth, width, inputs, outputs, batch, seed):
    import glassgrad as gg

    rng = np.random.default_rng(seed)
    sizes = [inputs] + [width] * depth + [outputs]
    params = []
    for i in range(len(sizes) - 1):
        bound = 1 / np.sqrt(sizes[i])
        params.append(gg.tensor(rng.uniform(-bound, bound, (sizes[i + 1], sizes[i])), dtype=gg.float64,
                                requires_grad=True))
        params.append(gg.tensor(rng.uniform(-bound, bound, sizes[i + 1]), dtype=gg.float64,
                                requires_grad=True))
    x = gg.tensor(rng.normal(size=(batch, inputs)), dtype=gg.float64)
    y = gg.tensor(rng.normal(size=(batch, outputs)), dtype=gg.float64)

    def loss():
        h = x
        n = len(params) // 2
        for i in range(n):
            h = h @ params[2 * i].T + params[2 * i + 1]
            if i < n - 1:
                h = gg.tanh(h)
        d = h - y
        return (d * d).sum() * 0.5

    return params, loss


def _median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def finite_difference_gradients(params, loss, indices=None, eps=None, central=False):
    """Gradients of loss() by perturbing parameters one at a time, under no_grad.

    ``indices``: (param number, flat index) pairs to do (default: all). Returns
    ({(p, i): value}, number of forward passes)."""
    import glassgrad as gg

    if eps is None:
        eps = 1e-6 if central else 1e-7
    if indices is None:
        indices = [(p, i) for p, t in enumerate(params) for i in range(t.array.size)]
    out = {}
    forwards = 0
    with gg.no_grad():
        base = None if central else float(loss().array)
        forwards += 0 if central else 1
        for p, i in indices:
            flat = params[p].array.reshape(-1)
            old = flat[i]
            flat[i] = old + eps
            up = float(loss().array)
            forwards += 1
            if central:
                flat[i] = old - eps
                down = float(loss().array)
                forwards += 1
                out[(p, i)] = (up - down) / (2 * eps)
            else:
                out[(p, i)] = (up - base) / eps
            flat[i] = old
    return out, forwards


def measure_costs(depth=4, width=64, inputs=None, batch=32, widths=None, central=False,
                  outputs=1, seed=0, repeats=5, sample=SAMPLE, full_limit=FULL_LIMIT):
    """One CostRow per width (default: width/8, width/4, width/2, width)."""
    import glassgrad as gg

    if widths is None:
        widths = sorted({max(2, width // 8), max(2, width // 4), max(2, width // 2), width})
    rows = []
    for w in widths:
        n_in = inputs or w
        params, loss = _network(depth, w, n_in, outputs, batch, seed)
        P = sum(t.array.size for t in params)

        def forward():
            with gg.no_grad():
                loss()

        def backprop():
            for t in params:
                t.grad = None
            loss().backward()

        forward()
        backprop()  # warm up
        t_fwd = _median_time(forward, repeats)
        t_bp = _median_time(backprop, repeats)
        grads = [t.grad.array.reshape(-1).copy() for t in params]

        all_indices = [(p, i) for p, t in enumerate(params) for i in range(t.array.size)]
        estimated = P > full_limit
        if estimated:
            rng = np.random.default_rng(seed)
            chosen = rng.choice(len(all_indices), size=min(sample, P), replace=False)
            indices = [all_indices[k] for k in sorted(chosen)]
        else:
            indices = all_indices
        t0 = time.perf_counter()
        fd, forwards = finite_difference_gradients(params, loss, indices, central=central)
        t_fd = time.perf_counter() - t0
        total_forwards = (2 * P) if central else (P + 1)
        if estimated:
            t_fd *= total_forwards / forwards
        diffs = [abs(v - grads[p][i]) / max(abs(grads[p][i]), 1e-3) for (p, i), v in fd.items()]
        rows.append(CostRow(w, P, total_forwards, t_fd, estimated, "1 forward + 1 backward", t_bp,
                            t_fwd, float(max(diffs)), len(indices)))
    return rows


def _seconds(s):
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.0f} us"


def cost_document(rows, depth, central=False):
    method = "central differences (2 forward passes per parameter)" if central else \
        "forward differences (1 forward pass per parameter, plus 1)"
    doc = Document("Cost of all gradients: finite differences vs one backward pass")
    doc.add(Paragraph.of(
        f"tanh MLPs with {depth} hidden layers of the given width, float64, batch of "
        f"examples per pass; {method}. Finite differences perturb each parameter and rerun the "
        "network: all gradients cost as many forward passes as there are parameters, each "
        "about as costly as the number of parameters, so O(N^2). Backpropagation gets all "
        "of them from one forward and one backward pass: O(N)."))
    table_rows = []
    for r in rows:
        table_rows.append([
            str(r.width), str(r.params), _seconds(r.forward_seconds), str(r.fd_forwards),
            _seconds(r.fd_seconds) + (" (est.)" if r.fd_estimated else ""),
            r.bp_passes, _seconds(r.bp_seconds), f"{r.fd_seconds / r.bp_seconds:.0f}x",
            number(r.max_rel_diff, 2),
        ])
    doc.add(Heading("Measured", 2))
    doc.add(Table(["width", "parameters N", "one forward", "FD forward passes", "FD time",
                   "backprop passes", "backprop time", "FD / backprop", "max rel. diff"], table_rows))
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        g = b.params / a.params
        f = b.forward_seconds / a.forward_seconds
        doc.add(Heading("Growth", 2))
        doc.add(Paragraph.of(
            f"From width {a.width} to {b.width} the number of parameters N grows {g:.1f}x. "
            f"Finite differences need {g:.1f}x more forward passes, and one forward pass took "
            f"{f:.1f}x longer ({_seconds(a.forward_seconds)} -> {_seconds(b.forward_seconds)}), so "
            f"their time grew {b.fd_seconds / a.fd_seconds:.0f}x: the number of passes times the "
            "cost of one, O(N) x O(N) = O(N^2) once the matrix products outweigh the fixed cost "
            "of each op (small layers are dominated by it). One backward pass grew "
            f"{b.bp_seconds / a.bp_seconds:.1f}x, like one forward pass."))
    sampled = [r for r in rows if r.fd_estimated]
    if sampled:
        doc.add(Paragraph.of(
            f"(est.): for the larger networks finite differences ran on "
            f"{sampled[0].perturbed} randomly chosen parameters and the time is scaled to all of them; "
            "'max rel. diff' compares finite differences with backprop on the parameters "
            "that were perturbed."))
    return doc


def plot_costs(rows, path):
    """Time against number of parameters, log-log, for both methods (matplotlib), written
    to ``path`` (.png, .svg or .pdf) by viz.save_figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..viz import save_figure

    P = [r.params for r in rows]
    fig = Figure(figsize=(6, 4))  # no pyplot: no global backend switched, no window
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.loglog(P, [r.fd_seconds for r in rows], "o-", label="finite differences (all gradients)")
    ax.loglog(P, [r.bp_seconds for r in rows], "s-", label="backprop (1 forward + 1 backward)")
    ax.set_xlabel("number of parameters N")
    ax.set_ylabel("seconds")
    ax.set_title("All gradients of an MLP: O(N^2) vs O(N)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    save_figure(fig, path)
