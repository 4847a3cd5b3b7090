"""Bad input to every `glassgrad` sub-command: a table of command lines, each refused.

Each row is a command line and the text its refusal must name (the option, the key, the
file). Every row must end with exit status 2 and exactly one line on stderr that names it,
no traceback, nothing printed on stdout (nothing ran), and nothing created: the command
runs in an empty folder with --out pointing into it, and the folder must stay empty (the
input files the rows read live in a separate folder, which must stay unchanged too).

The rows run in-process through ``glassgrad.cli.main`` (a subprocess costs ~0.3 s, so
200 of them would cost a minute); a few behaviours that need a real process (a closed
pipe, a closed stdout, a bug's traceback, the exit status seen by a shell) run as
subprocesses at the end.
"""

import json
import os
import subprocess
import sys

import pytest

from glassgrad.cli import main

# ------------------------------------------------------------------------------ input files
# A small valid exercise; the rows change one line of it. ``{...}`` marks the lines a row may
# replace (see _exercise).
EXERCISE = """title = "a 2-2 softmax network"
[network]
sizes = {sizes}
activations = {activations}
bias = {bias}
init = "{init}"
value = {value}
limit = {limit}
std = {std}
[data]
x = {x}
y = {y}
[loss]
kind = "{loss}"
[optimizer]
lr = {lr}
steps = {steps}
batch_size = {batch_size}
"""
GOOD = dict(sizes="[2, 2]", activations='["softmax"]', bias="true", init="constant", value="0.1",
            limit="0.1", std="0.1", x="[[1.0, 2.0]]", y="[1]", loss="cross_entropy", lr="0.1",
            steps="1", batch_size="0")


def _exercise(**change):
    return EXERCISE.format(**dict(GOOD, **change))


EXPRESSION = 'kind = "expression"\nexpression = "x*y"\n[values]\nx = 1\ny = 2\n'

# A run's config.json as `glassgrad train --out` writes it; the rows change one key.
CONFIG = {"dataset": "circles", "n": 100, "noise": 0.05, "val_fraction": 0.1, "test_fraction": 0.2,
          "seed": 0, "model": "mlp:4", "activation": "tanh", "dropout": 0.0, "loss": "ce",
          "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 0.0, "decay": "l2",
          "batch_size": 10, "epochs": 1, "scheduler": "none", "keep_best": "val_accuracy",
          "early_stopping": None, "in_shape": [2], "n_classes": 2}


def _config(**change):
    return json.dumps(dict(CONFIG, **change))


# name -> content (text, or bytes) of each input file, written once into the inputs folder.
FILES = {
    "good.toml": _exercise(),
    "good_expr.toml": EXPRESSION,
    "values_list.toml": EXPRESSION.replace("[values]\nx = 1\ny = 2\n", "values = [1, 2]\n"),
    "values_nan.toml": EXPRESSION.replace("x = 1", "x = nan"),
    "upstream_nan.toml": EXPRESSION.replace('expression = "x*y"', 'expression = "x*y"\nupstream = nan'),
    "expr_not_text.toml": EXPRESSION.replace('"x*y"', "5"),
    "expr_bad.toml": EXPRESSION.replace('"x*y"', '"x.y"'),
    "lr_nan.toml": _exercise(lr="nan"),
    "lr_zero.toml": _exercise(lr="0"),
    "lr_text.toml": _exercise(lr='"fast"'),
    "value_nan.toml": _exercise(value="nan"),
    "value_inf.toml": _exercise(value="inf"),
    "x_nan.toml": _exercise(x="[[nan, 1.0]]"),
    "x_ragged.toml": _exercise(x="[[1.0, 2.0], [1.0]]"),
    "x_text.toml": _exercise(x='[["a", "b"]]'),
    "x_width.toml": _exercise(x="[[1.0, 2.0, 3.0]]"),
    "limit_nan.toml": _exercise(init="uniform", limit="nan"),
    "limit_negative.toml": _exercise(init="uniform", limit="-1"),
    "std_inf.toml": _exercise(init="normal", std="inf"),
    "init_foo.toml": _exercise(init="orthogonal"),
    "sizes_huge.toml": _exercise(sizes="[1000000, 1000000]"),
    "sizes_wide.toml": _exercise(sizes="[2, 1000000]"),
    "sizes_one.toml": _exercise(sizes="[2]"),
    "sizes_zero.toml": _exercise(sizes="[2, 0]"),
    "sizes_bool.toml": _exercise(sizes="[true, 2]"),
    "sizes_text.toml": _exercise(sizes='"2-2"'),
    "y_5.toml": _exercise(y="[5]"),
    "y_minus1.toml": _exercise(y="[-1]"),
    "y_half.toml": _exercise(y="[1.5]"),
    "y_nan.toml": _exercise(y="[nan]"),
    "y_shape.toml": _exercise(loss="mse", activations='["tanh"]', y="[[1.0, 0.0, 0.0]]"),
    "steps_frac.toml": _exercise(steps="1.7"),
    "steps_zero.toml": _exercise(steps="0"),
    "steps_huge.toml": _exercise(steps="1000000000"),
    "steps_bool.toml": _exercise(steps="true"),
    "batch_frac.toml": _exercise(batch_size="0.5"),
    "batch_big.toml": _exercise(batch_size="5"),
    "act_foo.toml": _exercise(activations='["swish"]'),
    "act_count.toml": _exercise(activations='["tanh", "softmax"]'),
    "act_softmax_hidden.toml": _exercise(sizes="[2, 2, 2]", activations='["softmax", "softmax"]'),
    "loss_foo.toml": _exercise(loss="hinge"),
    "loss_needs_softmax.toml": _exercise(activations='["tanh"]'),
    "bias_text.toml": _exercise(bias='"yes"'),
    "answers_not_table.toml": "answers = 5\n" + _exercise(),
    "kind_foo.toml": 'kind = "quiz"\n',
    "not_toml.toml": "[network\n",
    "latin1.toml": "title = \"caf\xe9\"\n".encode("latin-1"),
    "deep.toml": "x = " + "[" * 5000 + "]" * 5000 + "\n",
    "run_not_json/config.json": "{ not json",
    "run_list/config.json": "[1, 2]",
    "run_model_list/config.json": _config(model=[4]),
    "run_model_huge/config.json": _config(model="mlp:1000000000000"),
    "run_model_foo/config.json": _config(model="resnet"),
    "run_n_huge/config.json": _config(n=10**12),
    "run_n_bool/config.json": _config(n=True),
    "run_lr_nan/config.json": _config(lr=float("nan")).replace("NaN", "NaN"),
    "run_lr_inf/config.json": _config(lr=1e400),
    "run_lr_text/config.json": _config(lr="0.1"),
    "run_lr_zero/config.json": _config(lr=0),
    "run_dataset/config.json": _config(dataset="cifar"),
    "run_activation/config.json": _config(activation="swish"),
    "run_optimizer/config.json": _config(optimizer="foo"),
    "run_seed/config.json": _config(seed=-1),
    "run_epochs/config.json": _config(epochs=1.5),
    "run_dropout/config.json": _config(dropout=1.0),
    "run_missing_key/config.json": json.dumps({k: v for k, v in CONFIG.items() if k != "loss"}),
    "run_latin1/config.json": _config(activation="tanh").replace("tanh", "t\xe2nh").encode("latin-1"),
    "run_deep/config.json": "[" * 100000 + "]" * 100000,
    "run_bad_weights/config.json": _config(),
    "run_no_config/model.npz": b"not a checkpoint",
    "run_mixed/config.json": _config(optimizer="adagrad", decay="decoupled"),
    "run_init/config.json": _config(init="normal:0"),
    "a_file": "not a folder",
    "class.csv": "student,variant,loss\nann,1,0.3\n",
    "class_twice.csv": "student,variant,loss\nann,1,0.3\nann,1,0.3\n",
    "class_latin1.csv": "student,variant,loss\nren\xe9e,1,0.3\n".encode("latin-1"),
}
RUN_DIRS = sorted({name.split("/")[0] for name in FILES if "/" in name})


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("inputs")
    for name, content in FILES.items():
        path = root / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    for run in RUN_DIRS:  # every run folder has a weights file, so its config is what is read
        if run != "run_no_config":
            (root / run / "model.npz").write_bytes(b"not a checkpoint")
    return root


def snapshot(folder):
    return sorted((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*"))


# ------------------------------------------------------------------------------ the table
# (command line, text the one error line must contain). In a command line, {in} is the inputs
# folder and OUT a path inside the (empty) working folder.
TRAINING_OPTIONS = [
    ("--lr inf", "--lr: expected a finite number > 0, got 'inf'"),
    ("--lr nan", "--lr: expected a finite number > 0"),
    ("--lr -1", "--lr: expected a finite number > 0"),
    ("--lr 0", "--lr: expected a finite number > 0"),
    ("--lr abc", "--lr: expected a finite number > 0, got 'abc'"),
    ("--lr 1e999", "--lr: expected a finite number"),
    ("--noise nan", "--noise: expected a finite number >= 0"),
    ("--noise -0.1", "--noise: expected a finite number >= 0"),
    ("--momentum inf", "--momentum: expected a finite number >= 0"),
    ("--momentum -0.5", "--momentum"),
    ("--weight-decay inf", "--weight-decay: expected a finite number >= 0"),
    ("--weight-decay -1", "--weight-decay"),
    ("--dropout 1", "--dropout: expected a number in [0, 1)"),
    ("--dropout nan", "--dropout"),
    ("--val-fraction 1", "--val-fraction: expected a number in [0, 1)"),
    ("--val-fraction -0.1", "--val-fraction"),
    ("--test-fraction 0", "--test-fraction: expected a number in (0, 1)"),
    ("--test-fraction nan", "--test-fraction"),
    ("--seed -1", "--seed: expected a whole number from 0"),
    ("--seed 1.5", "--seed"),
    ("--seed 18446744073709551616", "--seed"),
    ("--n 0", "--n: expected a whole number from 1"),
    ("--n 1000000000000", "--n: expected a whole number from 1 to 1000000"),
    ("--n 5 --dataset circles", "--n: expected at least 10 points"),
    ("--n ten", "--n"),
    ("--batch-size -1", "--batch-size: expected a whole number from 0"),
    ("--batch-size 1.5", "--batch-size"),
    ("--epochs 0", "--epochs: expected a whole number from 1"),
    ("--epochs 1000000000", "--epochs"),
    ("--epochs +-5", "--epochs: expected a whole number"),
    ("--epochs \u00b2", "--epochs: expected a whole number"),
    ("--epochs " + "9" * 5000, "--epochs"),
    ("--early-stopping 0", "--early-stopping"),
    ("--model mlp:1000000000000", "--model: expected hidden sizes from 1 to 100000"),
    ("--model mlp:99999,99999", "--model: expected at most 100000000 parameters"),
    ("--model mlp:a,b", "--model: expected mlp:H1,H2,..."),
    ("--model mlp:0", "--model: expected hidden sizes from 1"),
    ("--model mlp:-4", "--model"),
    ("--model mlp:\u00b2", "--model: expected mlp:H1,H2,..."),
    ("--model resnet", "--model: expected mlp:H1,H2,..."),
    ("--model cnn --dataset circles", "--model: cnn needs images"),
    ("--activation swish", "--activation: invalid choice: 'swish'"),
    ("--loss foo", "--loss: invalid choice"),
    ("--optimizer foo", "--optimizer: invalid choice"),
    ("--scheduler foo", "--scheduler: invalid choice"),
    ("--decay foo", "--decay: invalid choice"),
    ("--keep-best foo", "--keep-best: invalid choice"),
    ("--dataset cifar", "--dataset: invalid choice: 'cifar'"),
    ("--optimizer adagrad --decay decoupled", "--decay: decoupled is for sgd, adam and adamw"),
    ("--optimizer adamw --decay l2", "--decay: adamw is Adam with decoupled decay"),
    ("--optimizer adam --momentum 0.9", "--momentum: does not apply to adam"),
    ("--dataset circles --val-fraction 0.5 --test-fraction 0.5", "--val-fraction + --test-fraction"),
    ("--init orthogonal", "--init: expected default, xavier, kaiming"),
    ("--init normal:nan", "--init"),
    ("--init normal:-1", "--init"),
    ("--init constant:inf", "--init"),
    ("--activation softmax", "--activation: invalid choice"),
    ("--lr", "--lr: expected one argument"),
    ("--no-such-option 1", "unrecognized arguments: --no-such-option"),
]
# Every training option is refused by each command that takes it.
TRAINING_COMMANDS = ["train --out OUT", "sweep lr --values 0.1,0.2 --out OUT", "svm --out OUT"]

ROWS = [(f"{command} {option}", expected) for command in TRAINING_COMMANDS
        for option, expected in TRAINING_OPTIONS]
ROWS += [
    # train: the --out folder
    ("train --dataset xor --out {in}/a_file", "--out: expected a folder"),
    ("train --dataset xor --out {in}/a_file/run", "--out: cannot create the folder"),
    ("train --dataset xor --out ''", "--out: expected a folder, got an empty name"),
    # sweep: its values, each checked before the first run
    ("sweep optimizer --values sgd,foo --out OUT", "--values (optimizer): expected one of sgd, adam"),
    ("sweep activation --values relu,foo --out OUT", "--values (activation): expected one of relu"),
    ("sweep loss --values ce,foo --out OUT", "--values (loss): expected one of ce"),
    ("sweep lr --values 0.1,inf --out OUT", "--values (lr): expected a finite number > 0, got 'inf'"),
    ("sweep lr --values 0.1,nan --out OUT", "--values (lr)"),
    ("sweep lr --values a,b --out OUT", "--values (lr): expected a finite number > 0, got 'a'"),
    ("sweep lr --values 0.1,0.1 --out OUT", "--values: expected different values"),
    ("sweep lr --values , --out OUT", "--values is empty"),
    ("sweep lr --values " + ",".join(str(i + 1) for i in range(60)) + " --out OUT", "--values: expected at most 50"),
    ("sweep epochs --values 1,0 --out OUT", "--values (epochs): expected a whole number from 1"),
    ("sweep epochs --values 1,2.5 --out OUT", "--values (epochs)"),
    ("sweep batch-size --values 10,-1 --out OUT", "--values (batch-size)"),
    ("sweep dropout --values 0.1,1 --out OUT", "--values (dropout)"),
    ("sweep momentum --values 0.9,inf --out OUT", "--values (momentum)"),
    ("sweep weight-decay --values 0,nan --out OUT", "--values (weight-decay)"),
    ("sweep model --values 'mlp:4;mlp:x' --out OUT", "--values (model mlp:x)"),
    ("sweep model --values 'mlp:4;mlp:1000000000000' --out OUT", "--values (model mlp:1000000000000)"),
    ("sweep model --values 'mlp:4;cnn' --out OUT", "--values (model cnn): cnn needs images"),
    ("sweep optimizer --values sgd,adam --momentum 0.5 --out OUT", "--momentum: does not apply to adam"),
    ("sweep colour --values 1 --out OUT", "param: invalid choice: 'colour'"),
    ("sweep init --values xavier,foo --out OUT", "--values (init): expected default, xavier"),
    ("sweep init --values default,normal:nan --out OUT", "--values (init)"),
    ("sweep lr --out OUT", "the following arguments are required: --values"),
    ("sweep lr --values 0.1 --out {in}/a_file", "--out: expected a folder"),
    # svm: its own options, before the MLP trains
    ("svm --gamma inf --out OUT", "--gamma: expected 'scale', 'auto' or a finite number > 0, got 'inf'"),
    ("svm --gamma nan --out OUT", "--gamma"),
    ("svm --gamma -1 --out OUT", "--gamma"),
    ("svm --gamma 0 --out OUT", "--gamma"),
    ("svm --gamma wide --out OUT", "--gamma"),
    ("svm --C 0 --out OUT", "--C: expected a finite number > 0"),
    ("svm --C -1 --out OUT", "--C"),
    ("svm --C inf --out OUT", "--C"),
    ("svm --C nan --out OUT", "--C"),
    ("svm --C big --out OUT", "--C"),
    ("svm --dataset mnist --out OUT", "--dataset: invalid choice: 'mnist'"),
    ("svm --out {in}/a_file", "--out: expected a folder"),
    # evaluate: the run folder and its config.json
    ("evaluate --model {in}/no_such_run", "--model '{in}/no_such_run' is not a folder"),
    ("evaluate --model {in}/a_file", "is not a folder"),
    ("evaluate --model {in}/run_no_config", "config.json is missing"),
    ("evaluate --model {in}/run_not_json", "run_not_json/config.json: expected a glassgrad run config in JSON"),
    ("evaluate --model {in}/run_list", "run_list/config.json: expected a glassgrad run config (a JSON object)"),
    ("evaluate --model {in}/run_model_list", "run_model_list/config.json: key 'model': expected"),
    ("evaluate --model {in}/run_model_huge", "run_model_huge/config.json: key 'model': expected hidden sizes"),
    ("evaluate --model {in}/run_model_foo", "run_model_foo/config.json: key 'model'"),
    ("evaluate --model {in}/run_n_huge", "run_n_huge/config.json: key 'n': expected a whole number from 1 to 1000000"),
    ("evaluate --model {in}/run_n_bool", "run_n_bool/config.json: key 'n'"),
    ("evaluate --model {in}/run_lr_nan", "run_lr_nan/config.json: expected a glassgrad run config in JSON, but NaN"),
    ("evaluate --model {in}/run_lr_inf", "run_lr_inf/config.json: expected a glassgrad run config in JSON, but Infinity"),
    ("evaluate --model {in}/run_lr_text", "run_lr_text/config.json: key 'lr': expected a finite number > 0, got '0.1'"),
    ("evaluate --model {in}/run_lr_zero", "run_lr_zero/config.json: key 'lr'"),
    ("evaluate --model {in}/run_dataset", "run_dataset/config.json: key 'dataset': expected one of xor"),
    ("evaluate --model {in}/run_activation", "run_activation/config.json: key 'activation'"),
    ("evaluate --model {in}/run_optimizer", "run_optimizer/config.json: key 'optimizer'"),
    ("evaluate --model {in}/run_seed", "run_seed/config.json: key 'seed'"),
    ("evaluate --model {in}/run_epochs", "run_epochs/config.json: key 'epochs'"),
    ("evaluate --model {in}/run_dropout", "run_dropout/config.json: key 'dropout'"),
    ("evaluate --model {in}/run_missing_key", "run_missing_key/config.json: key 'loss' is missing"),
    ("evaluate --model {in}/run_latin1", "run_latin1/config.json: expected UTF-8 text"),
    ("evaluate --model {in}/run_deep", "run_deep/config.json: expected a glassgrad run config"),
    ("evaluate --model {in}/run_mixed", "run_mixed/config.json: key 'decay'"),
    ("evaluate --model {in}/run_init", "run_init/config.json: key 'init'"),
    ("evaluate --model {in}/run_bad_weights", "run_bad_weights/model.npz"),
    ("evaluate --model {in}/run_bad_weights --split all", "--split: invalid choice"),
    ("evaluate", "the following arguments are required: --model"),
    # explain: the expression, its values and the output
    ("explain x*y --at x=1 y=2 --upstream nan", "--upstream: expected a finite number, got 'nan'"),
    ("explain x*y --at x=1 y=2 --upstream inf", "--upstream"),
    ("explain x*y --at x=1 y=2 --upstream up", "--upstream"),
    ("explain x*y --at x=nan y=2", "--at x: expected a finite number, got 'nan'"),
    ("explain x*y --at x=inf y=2", "--at x"),
    ("explain x*y --at x=one y=2", "--at x: expected a finite number, got 'one'"),
    ("explain x*y --at x y=2", "--at: expected NAME=VALUE, got 'x'"),
    ("explain x*y --at 1x=2 y=2", "--at: expected a variable name"),
    ("explain x*y --at x=1 --const y=nan", "--const y"),
    ("explain x*y --at x=1", "no value given for y (use --at y=...)"),
    ("explain x*y --at x=1 y=2 z=3", "z given a value but not used"),
    ("explain x*y --at x=1 --const x=2 y=1", "given both as a variable and as a constant"),
    ("explain x*y --at x=1 y=2 --digits 0", "--digits: expected a whole number from 1 to 17"),
    ("explain x*y --at x=1 y=2 --digits 18", "--digits"),
    ("explain x*y --at x=1 y=2 --format pdf", "--format: invalid choice"),
    ("explain x*y --at x=1 y=2 --out {in}/no_such_folder/f.txt", "--out: cannot write"),
    ("explain x*y --at x=1 y=2 --out {in}", "--out: expected a file name"),
    ("explain x*y --at x=1 y=2 --out /dev/null", "--out: refusing to write /dev/null"),
    ("exercise {in}/good.toml --out /dev/null", "--out: refusing to write /dev/null"),
    ("explain \"__import__('os').system('true')\" --at x=1", "not allowed"),
    ("explain x.y --at x=1", "attribute access"),
    ("explain 'x*' --at x=1", "cannot parse the expression"),
    ("explain '' --at x=1", "empty expression"),
    ("explain 'x' --at x=1", "there is no operation to explain"),
    ("explain '" + "tanh(" * 120 + "x" + ")" * 120 + "' --at x=1", "nested too deeply"),
    ("explain 1e999*x --at x=1", "number too large"),
    # explain cost: sizes checked before any network is built
    ("explain cost --width 100000000", "--width: expected a whole number from 1 to 4096"),
    ("explain cost --width 0", "--width"),
    ("explain cost --width -1", "--width"),
    ("explain cost --depth 0", "--depth: expected a whole number from 1 to 64"),
    ("explain cost --depth 1000", "--depth"),
    ("explain cost --inputs -5", "--inputs: expected a whole number from 1"),
    ("explain cost --inputs 0", "--inputs"),
    ("explain cost --sizes 0", "--sizes: expected a whole number from 1"),
    ("explain cost --sizes 4 -3", "--sizes"),
    ("explain cost --sizes wide", "--sizes"),
    ("explain cost --sizes " + " ".join(["2"] * 17), "--sizes: expected at most 16 widths, got 17"),
    ("explain cost --batch 0", "--batch"),
    ("explain cost --batch 1000000000", "--batch"),
    ("explain cost --width 4096 --depth 64", "--width: expected a network of at most 2000000 parameters"),
    ("explain cost --sizes 8 4000 --depth 8", "--sizes: expected a network of at most"),
    ("explain cost --format dot", "--format: dot draws a graph"),
    ("explain cost --out {in}/no_such_folder/cost.txt", "--out: cannot write"),
    ("explain cost --at x=1", "--at, --const and --upstream"),
    # exercise: options
    ("exercise {in}/good.toml --steps 0", "--steps: expected a whole number from 1 to 1000, got '0'"),
    ("exercise {in}/good.toml --steps -5", "--steps"),
    ("exercise {in}/good.toml --steps 1000000000", "--steps: expected a whole number from 1 to 1000"),
    ("exercise {in}/good.toml --steps 1.7", "--steps"),
    ("exercise {in}/good.toml --tol nan", "--tol: expected a finite number >= 0, got 'nan'"),
    ("exercise {in}/good.toml --tol -1", "--tol"),
    ("exercise {in}/good.toml --tol inf", "--tol"),
    ("exercise {in}/good.toml --digits 0", "--digits"),
    ("exercise {in}/good.toml --answer loss", "--answer: expected NAME=VALUE, got 'loss'"),
    ("exercise {in}/good.toml --answer loss=abc", "--answer loss: cannot read the answer 'abc'"),
    ("exercise {in}/good.toml --answer loss=nan", "--answer loss"),
    ("exercise {in}/good.toml --answer loss=NaN", "--answer loss"),
    ("exercise {in}/good.toml --answer 'h1=[1, [2]]'", "--answer h1"),
    ("exercise {in}/good.toml --answer loss=1e999", "--answer loss: cannot read the answer '1e999': expected finite numbers"),
    ("exercise {in}/good.toml --answer 'loss=[]'", "--answer loss: cannot read the answer '[]': expected finite numbers"),
    ("exercise {in}/good.toml --answer 'h1=" + "[" * 5000 + "]" * 5000 + "'", "--answer h1: cannot read the answer: expected lists nested at most"),
    ("exercise {in}/good.toml --answer 'h1=" + "1," * 60000 + "1'", "--answer h1: cannot read the answer: expected at most"),
    ("exercise {in}/good.toml --answer zz=1", "unknown quantity 'zz' in the answers"),
    ("exercise {in}/good.toml --answer 'h1[7]=1'", "h1[7]: index out of range"),
    ("exercise {in}/good.toml --format pdf", "--format: invalid choice"),
    ("exercise {in}/good.toml --out {in}/no_such_folder/s.md", "--out: cannot write"),
    ("exercise", "name an exercise"),
    ("exercise no-such-exercise", "no bundled exercise called 'no-such-exercise'"),
    ("exercise {in}/missing.toml", "exercise file not found: {in}/missing.toml"),
    ("exercise {in}/", "expected an exercise file"),
    # exercise: the file's keys, each named with the file
    ("exercise {in}/values_list.toml", "values_list.toml: [values]: expected a table"),
    ("exercise {in}/values_nan.toml", "values_nan.toml: [values] x: expected a finite number"),
    ("exercise {in}/upstream_nan.toml", "upstream_nan.toml: upstream: expected a finite number"),
    ("exercise {in}/expr_not_text.toml", "expr_not_text.toml: expression: expected the expression as text"),
    ("exercise {in}/expr_bad.toml", "attribute access"),
    ("exercise {in}/lr_nan.toml", "lr_nan.toml: [optimizer] lr: expected a finite number > 0"),
    ("exercise {in}/lr_zero.toml", "lr_zero.toml: [optimizer] lr"),
    ("exercise {in}/lr_text.toml", "lr_text.toml: [optimizer] lr"),
    ("exercise {in}/value_nan.toml", "value_nan.toml: [network] value: expected a finite number"),
    ("exercise {in}/value_inf.toml", "value_inf.toml: [network] value"),
    ("exercise {in}/x_nan.toml", "x_nan.toml: [data] x: expected a list of finite numbers"),
    ("exercise {in}/x_ragged.toml", "x_ragged.toml: [data] x"),
    ("exercise {in}/x_text.toml", "x_text.toml: [data] x"),
    ("exercise {in}/x_width.toml", "x_width.toml: [data] x must have 2 numbers per example"),
    ("exercise {in}/limit_nan.toml", "limit_nan.toml: [network] limit: expected a finite number >= 0"),
    ("exercise {in}/limit_negative.toml", "limit_negative.toml: [network] limit"),
    ("exercise {in}/std_inf.toml", "std_inf.toml: [network] std"),
    ("exercise {in}/init_foo.toml", "init_foo.toml: [network] init: expected one of explicit"),
    ("exercise {in}/sizes_huge.toml", "sizes_huge.toml: [network] sizes"),
    ("exercise {in}/sizes_wide.toml", "sizes_wide.toml: [network] sizes"),
    ("exercise {in}/sizes_one.toml", "sizes_one.toml: [network] sizes: expected a list of at least 2"),
    ("exercise {in}/sizes_zero.toml", "sizes_zero.toml: [network] sizes"),
    ("exercise {in}/sizes_bool.toml", "sizes_bool.toml: [network] sizes"),
    ("exercise {in}/sizes_text.toml", "sizes_text.toml: [network] sizes"),
    ("exercise {in}/y_5.toml", "y_5.toml: [data] y: expected class indices: whole numbers from 0 to 1, got [5.0]"),
    ("exercise {in}/y_minus1.toml", "y_minus1.toml: [data] y: expected class indices"),
    ("exercise {in}/y_half.toml", "y_half.toml: [data] y"),
    ("exercise {in}/y_nan.toml", "y_nan.toml: [data] y: expected a list of finite numbers"),
    ("exercise {in}/y_shape.toml", "y_shape.toml: [data] y must have 2 value(s) per example"),
    ("exercise {in}/steps_frac.toml", "steps_frac.toml: [optimizer] steps: expected a whole number from 1 to 1000, got 1.7"),
    ("exercise {in}/steps_zero.toml", "steps_zero.toml: [optimizer] steps"),
    ("exercise {in}/steps_huge.toml", "steps_huge.toml: [optimizer] steps"),
    ("exercise {in}/steps_bool.toml", "steps_bool.toml: [optimizer] steps"),
    ("exercise {in}/batch_frac.toml", "batch_frac.toml: [optimizer] batch_size"),
    ("exercise {in}/batch_big.toml", "batch_big.toml: [optimizer] batch_size: expected a whole number from 0 to 1"),
    ("exercise {in}/act_foo.toml", "act_foo.toml: [network] activations: expected one of"),
    ("exercise {in}/act_count.toml", "act_count.toml: [network] activations: 2 given for 1 layers"),
    ("exercise {in}/act_softmax_hidden.toml", "act_softmax_hidden.toml: [network] activations: softmax"),
    ("exercise {in}/loss_foo.toml", "loss_foo.toml: [loss] kind must be one of"),
    ("exercise {in}/loss_needs_softmax.toml", "loss_needs_softmax.toml: [loss] kind = 'cross_entropy': cross_entropy needs a softmax"),
    ("exercise {in}/bias_text.toml", "bias_text.toml: [network] bias: expected true or false"),
    ("exercise {in}/answers_not_table.toml", "answers_not_table.toml: [answers]: expected a table"),
    ("exercise {in}/kind_foo.toml", "kind_foo.toml: kind must be 'expression' or 'network'"),
    ("exercise {in}/not_toml.toml", "not_toml.toml: not valid TOML"),
    ("exercise {in}/latin1.toml", "latin1.toml: expected UTF-8 text"),
    ("exercise {in}/deep.toml", "deep.toml: not valid TOML"),
    # exercise: variants and sheets
    ("exercise {in}/good.toml --variant 0", "--variant: expected a whole number from 1"),
    ("exercise {in}/good.toml --variant abc", "--variant: expected a whole number from 1"),
    ("exercise {in}/good.toml --variant 1e9", "--variant"),
    ("exercise seed001-q1 --variants 1-1000000 --out OUT", "--variants: expected a range like 1-30"),
    ("exercise seed001-q1 --variants 5-1 --out OUT", "--variants: expected a range like 1-30"),
    ("exercise seed001-q1 --variants x --out OUT", "--variants: expected numbers like 1-30"),
    ("exercise seed001-q1 --variants 1-3", "--variants writes one file per sheet: give the folder with --out"),
    ("exercise seed001-q1 --variants 1-3 --format dot --out OUT", "--variants writes sheets: use --format"),
    ("exercise seed001-q1 --variants 1-3 --variant 2 --out OUT", "--variants makes a class set"),
    ("exercise seed001-q1 --sheet foo", "--sheet: invalid choice"),
    # grade
    ("grade seed001-q1 --answers {in}/class.csv --out OUT --tol nan", "--tol: expected a finite number >= 0, got 'nan'"),
    ("grade seed001-q1 --answers {in}/class.csv --out OUT --tol inf", "--tol"),
    ("grade seed001-q1 --answers {in}/class.csv --out OUT --tol -1", "--tol"),
    ("grade seed001-q1 --answers {in}/missing.csv --out OUT", "--answers: cannot read"),
    ("grade seed001-q1 --answers {in}/class_latin1.csv --out OUT", "--answers: '{in}/class_latin1.csv' is not UTF-8"),
    ("grade seed001-q1 --answers {in}/class_twice.csv --out OUT", "--answers {in}/class_twice.csv: line 3: 'ann' appears twice"),
    ("grade nope --answers {in}/class.csv --out OUT", "no bundled exercise called 'nope'"),
    ("grade seed001-q1 --answers {in}/class.csv --out {in}/a_file", "--out: '{in}/a_file' must be a folder"),
    ("grade seed001-q1 --out OUT", "the following arguments are required: --answers"),
    # study
    ("study --out OUT", "name a study to run"),
    ("study nope --out OUT", "no study named 'nope'"),
    ("study vanishing-gradients --dpi 3 --out OUT", "--dpi: expected a whole number from"),
    ("study vanishing-gradients --dpi 1e9 --out OUT", "--dpi"),
    ("study vanishing-gradients --seed -2 --out OUT", "--seed: expected a whole number from 0"),
    ("study vanishing-gradients --seed nan --out OUT", "--seed"),
    ("study vanishing-gradients --list", "--list takes no study name"),
    ("study vanishing-gradients --out {in}/a_file", "--out: expected a folder"),
    ("study vanishing-gradients --out {in}/a_file/sub", "--out: cannot create the folder"),
    ("study vanishing-gradients --out ''", "--out: expected a folder, got an empty name"),
    # data
    ("data", "expected an action: fetch, list or verify"),
    ("data fetch nope", "name: invalid choice: 'nope'"),
    ("data fetch mnist --source debian --root {in}", "mnist has no debian source"),
    ("data fetch mnist --source ftp", "--source: invalid choice: 'ftp'"),
    ("data verify nope", "name: invalid choice: 'nope'"),
    ("data list --root {in}/a_file", "--root: expected a folder"),
    ("data verify --root {in}/a_file", "--root: expected a folder"),
    ("data fetch mnist --root {in}/a_file/sub", "--root: expected a folder"),
    ("data frobnicate", "invalid choice: 'frobnicate'"),
    # playground: checked before anything is served
    ("playground --port 0 --no-browser", "--port: expected a whole number from 1 to 65535, got '0'"),
    ("playground --port 65536 --no-browser", "--port: expected a whole number from 1 to 65535"),
    ("playground --port http --no-browser", "--port: expected a whole number from 1 to 65535, got 'http'"),
    ("playground --port 80.5 --no-browser", "--port"),
    ("playground --host '' --no-browser", "--host: expected an address such as 127.0.0.1"),
    ("playground --host no-such-host.invalid --no-browser", "--host: cannot use 'no-such-host.invalid'"),
    ("playground --browser", "unrecognized arguments: --browser"),
    # the command itself
    ("frobnicate", "invalid choice: 'frobnicate'"),
    ("--frobnicate", "unrecognized arguments: --frobnicate"),
]


def _argv(line, inputs, work):
    import shlex

    return [a.replace("{in}", str(inputs)).replace("OUT", str(work / "out")) for a in shlex.split(line)]


@pytest.mark.parametrize("line, expected", ROWS, ids=[row[0][:80] for row in ROWS])
def test_bad_input_is_refused_in_one_line_before_anything_changes(line, expected, inputs, tmp_path,
                                                                   monkeypatch, capsys):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("GLASSGRAD_DEBUG", raising=False)
    monkeypatch.setenv("GLASSGRAD_DATA", str(inputs / "no_data"))  # never the user's cache
    before = snapshot(inputs)
    status = main(_argv(line, inputs, work))
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert status == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("glassgrad") and ": error: " in lines[0], lines[0]
    assert expected.replace("{in}", str(inputs)) in lines[0]
    assert out == ""  # nothing ran
    assert list(work.iterdir()) == []  # nothing created, in particular not --out
    assert snapshot(inputs) == before


def test_the_table_is_large_and_covers_every_command():
    commands = {line.split()[0] for line, _ in ROWS}
    assert len(ROWS) >= 150
    assert {"train", "sweep", "svm", "evaluate", "explain", "exercise", "data", "study", "grade",
            "playground"} <= commands
    assert any(line.startswith("explain cost") for line, _ in ROWS)


def test_the_inputs_the_rows_change_are_good_ones(inputs, capsys):
    """The rows fail for the one line they change: unchanged, the files are accepted."""
    assert main(["exercise", str(inputs / "good.toml"), "--format", "markdown"]) == 0
    assert main(["exercise", str(inputs / "good_expr.toml")]) == 0
    capsys.readouterr()


# ------------------------------------------------------------------------------ missing extras
@pytest.mark.parametrize("line, extra", [
    ("train --dataset xor --epochs 1 --out OUT", "viz"),
    ("sweep lr --values 0.1 --epochs 1 --out OUT", "viz"),
    ("svm --out OUT", "viz"),
    ("explain cost --out OUT.png", "viz"),
])
def test_missing_matplotlib_names_the_extra(line, extra, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    monkeypatch.chdir(tmp_path)
    status = main(_argv(line, tmp_path, tmp_path))
    out, err = capsys.readouterr()
    assert status == 2 and len(err.splitlines()) == 1, err
    assert f'pip install "glassgrad[{extra}]"' in err and "matplotlib" in err
    assert out == "" and list(tmp_path.iterdir()) == []


def test_missing_scikit_learn_names_the_extra(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.svm", None)
    monkeypatch.chdir(tmp_path)
    status = main(["svm", "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert status == 2 and len(err.splitlines()) == 1, err
    assert 'pip install "glassgrad[svm]"' in err and "sklearn" in err
    assert out == "" and list(tmp_path.iterdir()) == []


def test_without_figures_train_needs_no_matplotlib(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    status = main(["train", "--dataset", "xor", "--epochs", "2", "--no-progress", "--no-figures",
                   "--out", str(tmp_path / "run")])
    assert status == 0, capsys.readouterr().err
    assert (tmp_path / "run" / "config.json").is_file()


# ------------------------------------------------------------------------------ real processes
def _run(args, **kwargs):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("GLASSGRAD_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "glassgrad", *args], capture_output=True, text=True,
                          env=env, timeout=300, **kwargs)


def test_a_real_process_refuses_in_one_line_with_status_2(tmp_path):
    done = _run(["train", "--lr", "inf", "--out", str(tmp_path / "out")], cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "glassgrad train: error: --lr: expected a finite number > 0, got 'inf' " \
                          "(see glassgrad train --help)\n"
    assert done.stdout == "" and list(tmp_path.iterdir()) == []


def test_a_closed_pipe_ends_quietly():
    """`glassgrad train | head -2`: the reader leaves after two lines while training goes on."""
    env = dict(os.environ)
    env.pop("GLASSGRAD_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-m", "glassgrad", "train", "--dataset", "xor", "--epochs", "3000",
                             "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    first = [proc.stdout.readline() for _ in range(2)]  # the header and epoch 1; epoch 300 comes later
    proc.stdout.close()  # what head does after its lines
    err = proc.stderr.read().decode()
    proc.stderr.close()
    status = proc.wait(timeout=300)
    assert first[0].startswith(b"xor:") and first[1].startswith(b"epoch 1 ")
    assert err == ""  # no "Broken pipe", no traceback
    assert status == 141  # 128 + SIGPIPE, as a Unix tool ends when its reader has gone


def test_a_closed_stdout_is_not_an_error(tmp_path):
    env = dict(os.environ)
    env.pop("GLASSGRAD_DEBUG", None)
    out = tmp_path / "sol.md"
    done = subprocess.run(
        f"'{sys.executable}' -m glassgrad exercise seed001-q1 --format markdown >&- ; "
        f"'{sys.executable}' -m glassgrad exercise seed001-q1 --format markdown --out '{out}' >&-",
        shell=True, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_text().startswith("#")


def test_a_bug_shows_its_traceback_and_where_to_report_it():
    """Not a user's mistake: an exception escaping a command is shown in full, status 1."""
    script = ("import sys, glassgrad.explain.exercise as ex\n"
              "def broken(*a, **k):\n    raise ZeroDivisionError('a bug')\n"
              "ex.solve = broken\n"
              "from glassgrad.cli import main\nsys.exit(main(['exercise', 'seed001-q1']))\n")
    env = dict(os.environ)
    env.pop("GLASSGRAD_DEBUG", None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
    assert "ZeroDivisionError: a bug" in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert "bug in glassgrad" in last and "report" in last


def test_a_value_error_from_a_bug_is_not_taken_for_bad_input(monkeypatch, capsys):
    """main() used to catch ValueError/TypeError/KeyError everywhere; a bug raising one
    must still show its traceback."""
    import glassgrad.explain.exercise as ex

    def broken(*args, **kwargs):
        raise KeyError("internal")

    monkeypatch.setattr(ex, "solve", broken)
    assert main(["exercise", "seed001-q1"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "KeyError" in err and "bug in glassgrad" in err


def test_a_diverged_run_writes_standard_json_and_warns_in_one_line(tmp_path, capsys):
    """lr = 1e300 is a valid (finite) setting; the run diverges. Its files stay standard
    JSON (no NaN or Infinity, which JSON does not have) and the warnings are one line each."""
    run = tmp_path / "run"
    status = main(["train", "--dataset", "circles", "--n", "40", "--epochs", "2", "--lr", "1e300",
                   "--no-progress", "--no-figures", "--out", str(run)])
    err = capsys.readouterr().err
    assert status == 0, err
    assert err and all(line.startswith("glassgrad train: warning: ") for line in err.splitlines())

    def refuse(constant):
        raise AssertionError(f"{constant} is not standard JSON")

    for name in ("config.json", "metrics.json", "history.json"):
        json.loads((run / name).read_text(), parse_constant=refuse)
    assert json.loads((run / "metrics.json").read_text())["test_loss"] is None


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root may write in any folder, so there is no unwritable one to try")
@pytest.mark.parametrize("command", [["train", "--dataset", "xor"], ["sweep", "lr", "--values", "0.1"], ["svm"]])
def test_an_unwritable_out_is_found_before_training(command, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        status = main([*command, "--out", str(locked / "run")])
    finally:
        locked.chmod(0o700)
    out, err = capsys.readouterr()
    assert status == 2 and len(err.splitlines()) == 1 and "--out: cannot create the folder" in err
    assert out == "" and list(locked.iterdir()) == []
