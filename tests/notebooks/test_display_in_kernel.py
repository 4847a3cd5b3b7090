"""What glassgrad's objects show in a real Jupyter kernel: each cell's outputs are read as
the notebook front end receives them (the MIME bundle of execute_result / display_data)."""

import re

import pytest


def data_of(outputs, mime):
    return [o["data"][mime] for o in outputs
            if o.get("output_type") in ("execute_result", "display_data") and mime in o.get("data", {})]


def test_tensor_shows_a_table_and_keeps_its_text_repr(run_cells):
    (out,) = run_cells(
        "import glassgrad as gg\n"
        "x = gg.tensor([[0.1234567, -2.5], [3.0, 4.0]], requires_grad=True)\n"
        "y = x * 2\n"
        "y")
    html = data_of(out, "text/html")[0]
    assert data_of(out, "text/plain")[0] == "tensor([[ 0.2469, -5.0000],\n        [ 6.0000,  8.0000]], grad_fn=<MulBackward>)"
    # each value whole in its own cell, then the facts line
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells == ["0.2469", "-5", "6", "8"]
    assert "shape (2, 2)" in html and "dtype float32" in html and "grad_fn MulBackward" in html


def test_module_shows_a_summary_table_and_summary_adds_output_shapes(run_cells):
    model_out, summary_out = run_cells(
        "import glassgrad as gg\n"
        "model = gg.nn.Sequential(gg.nn.Linear(2, 4), gg.nn.Tanh(), gg.nn.Linear(4, 2))\n"
        "model",
        "gg.display.summary(model, input_size=(5, 2))")
    html = data_of(model_out, "text/html")[0]
    # 2*4 + 4 and 4*2 + 2 parameters, 22 in all (hand count)
    assert "Param #" in html and ">12<" in html and ">10<" in html and "Total params: 22" in html
    assert data_of(model_out, "text/plain")[0].startswith("Sequential(\n  (0): Linear(in_features=2")
    html = data_of(summary_out, "text/html")[0]
    assert "(5, 4)" in html and "(5, 2)" in html
    text = data_of(summary_out, "text/plain")[0]
    assert "Total params: 22" in text and "(5, 4)" in text


def test_trace_matrices_are_tables_and_rules_are_math(run_cells):
    (out,) = run_cells(
        "import glassgrad as gg\n"
        "W = gg.tensor([[0.1234567, -0.0213799], [3.0, 4.0]], requires_grad=True, name='W')\n"
        "x = gg.tensor([1.0, 2.0], name='x')\n"
        "with gg.explain.trace() as t:\n"
        "    s = (W @ x).tanh().sum()\n"
        "    s.backward()\n"
        "t")
    html = data_of(out, "text/html")[0]
    numbers = re.findall(r"<td style='text-align:right[^>]*>([^<]*)</td>", html)
    assert "0.123457" in numbers and "-0.0213799" in numbers  # 6 significant digits, whole
    assert "$" in html and "\\tanh" in html  # rules and formulas as LaTeX for MathJax
    assert "|" not in re.sub(r"<[^>]*>", "", html)


def test_expression_result_and_solution_render_math(run_cells):
    expr, sol = run_cells(
        "from glassgrad.explain import explain_expression\n"
        "explain_expression('2*(x*y + max(z, w))', {'x': 3, 'y': -4, 'z': 2, 'w': -1})",
        "from glassgrad.explain import solve\n"
        "solve('seed001-q1')")
    # seed 000: f = 2(xy + max(z, w)) = 2(-12 + 2) = -20; df/dx = 2y = -8, df/dy = 2x = 6,
    # df/dz = 2 (z is the max), df/dw = 0
    assert data_of(expr, "text/plain")[0] == (
        "<ExpressionResult f = 2 * (x * y + max(z, w)); f = -20; df/dx = -8, df/dy = 6, df/dz = 2, df/dw = 0>")
    assert "\\max" in data_of(expr, "text/html")[0]
    assert "$" in data_of(expr, "text/markdown")[0]
    html = data_of(sol, "text/html")[0]
    assert "<table" in html and "$" in html and "```" not in html


def test_graphs_are_svg_with_or_without_graphviz(run_cells):
    with_dot, without_dot = run_cells(
        "import glassgrad as gg\n"
        "a = gg.tensor(2.0, requires_grad=True, name='a'); b = gg.tensor(-3.0, requires_grad=True, name='b')\n"
        "c = (a * b).tanh(); c.backward()\n"
        "c.graph()",
        "import os\n"
        "os.environ['PATH'], saved = '', os.environ['PATH']\n"
        "try:\n"
        "    g = c.graph(); svg = g.svg()\n"
        "finally:\n"
        "    os.environ['PATH'] = saved\n"
        "print(g.engine)\n"
        "g")
    assert data_of(with_dot, "image/svg+xml")[0].lstrip().startswith(("<?xml", "<svg", "<!DOCTYPE"))
    printed = "".join(o.get("text", "") for o in without_dot if o["output_type"] == "stream")
    assert printed.strip() == "glassgrad"
    svg = data_of(without_dot, "image/svg+xml")[0]
    assert "<svg" in svg and ">a<" in svg and ">b<" in svg and ">tanh<" in svg


def test_viz_figures_display_inline_without_a_magic(run_cells):
    pytest.importorskip("matplotlib")
    (out,) = run_cells(
        "import glassgrad as gg\n"
        "from glassgrad import viz\n"
        "h = gg.train.History([{'epoch': 1, 'train_loss': 1.0, 'val_loss': 1.2, 'train_accuracy': None, 'val_accuracy': None},\n"
        "                      {'epoch': 2, 'train_loss': 0.5, 'val_loss': 0.8, 'train_accuracy': None, 'val_accuracy': None}])\n"
        "viz.plot_history(h)")
    png = data_of(out, "image/png")
    assert png and len(png) == 1


def test_fit_in_a_notebook_shows_progress_then_the_kept_epoch_and_live_plots_redraw(run_cells):
    pytest.importorskip("matplotlib")
    (out,) = run_cells(
        "import glassgrad as gg\n"
        "from glassgrad.data import DataLoader, TensorDataset, circles\n"
        "from glassgrad.train import fit\n"
        "gg.manual_seed(0)\n"
        "X, y = circles(200, seed=0)\n"
        "model = gg.nn.Sequential(gg.nn.Linear(2, 8), gg.nn.Tanh(), gg.nn.Linear(8, 2))\n"
        "live = gg.display.LiveTraining(model, X, y, resolution=40)\n"
        "h = fit(model, gg.nn.CrossEntropyLoss(), gg.optim.SGD(model.parameters(), lr=0.5),\n"
        "        DataLoader(TensorDataset(X, y), batch_size=50), DataLoader(TensorDataset(X, y), batch_size=200),\n"
        "        epochs=3, callbacks=[live], keep_best='val_loss')\n"
        "print(live.draws, h.best_epoch)")
    html = "".join(data_of(out, "text/html"))
    best = "".join(o.get("text", "") for o in out if o["output_type"] == "stream").split()
    assert best[0] == "3"  # one drawing per epoch
    assert f"kept the weights of epoch {best[1]} (best val_loss" in html
    assert "<progress" in html and "<table>" in html  # the bar, then the table of epochs
    assert len(data_of(out, "image/png")) == 1  # one figure, redrawn in place
    stream = "".join(o.get("text", "") for o in out if o["output_type"] == "stream")
    assert "epoch 1 " not in stream  # no per-epoch lines: the notebook shows HTML instead


def test_history_and_study_results_show_tables(run_cells):
    history, study = run_cells(
        "import glassgrad as gg\n"
        "h = gg.train.History([{'epoch': 1, 'train_loss': 0.9, 'val_loss': 1.0, 'iterations': 5, 'step': 5, 'time': 0.1},\n"
        "                      {'epoch': 2, 'train_loss': 0.5, 'val_loss': 0.7, 'iterations': 5, 'step': 10, 'time': 0.1}],\n"
        "                     monitor='val_loss', best_epoch=2)\n"
        "h",
        "from glassgrad.studies import StudyResult\n"
        "r = StudyResult(); r.name, r.question = 'demo', 'Does it work?'\n"
        "r.find('ratio', 0.000123, 'vanishes')\n"
        "r")
    html = data_of(history, "text/html")[0]
    assert "<tr style='font-weight:bold;'><td" in html and ">0.5000<" in html and "kept the weights of epoch 2" in html
    html = data_of(study, "text/html")[0]
    assert "Does it work?" in html and ">1.23e-04<" in html and ">vanishes<" in html
