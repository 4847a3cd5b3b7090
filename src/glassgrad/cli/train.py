"""`glassgrad train | evaluate | svm | sweep`: train a network from the command line.

    glassgrad train                                   # 784-256-128-10 MLP on MNIST
    glassgrad train --dataset circles --out runs/c    # 2-4-2 tanh net, figures in runs/c
    glassgrad evaluate --model runs/c                 # rebuild it, print the test metrics
    glassgrad svm --dataset circles                   # RBF SVM beside an MLP (seed 004)
    glassgrad sweep lr --values 1e-3,1e-2,1e-1,1      # one run per learning rate, one plot

Thin on purpose: this module turns options into a dataset, a model, a loss and an
optimizer, then calls ``glassgrad.train.fit`` and ``glassgrad.viz``. Every option left out
takes the value of the dataset's lesson (table ``PRESETS``), so a bare
``glassgrad train --dataset xor`` already works.
"""

import json
import math
import os
import time

from . import checks
from .checks import Real, arg

from glassgrad.errors import UserError

DATASETS = ("xor", "circles", "moons", "spirals", "mnist", "fashion-mnist")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "identity")
LOSSES = ("ce", "mse", "squared", "hinge", "softmax-hinge")
OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop", "adagrad")
SCHEDULERS = ("none", "cosine", "step")

# What each dataset's lesson uses when an option is left out. Sizes: "mlp:4" is one hidden
# layer of 4 units, so circles is the 2-4-2 network of seed 004 (n_x=2, n_h=4, n_y=2).
PRESETS = {
    "xor": dict(model="mlp:4", activation="tanh", optimizer="sgd", lr=0.5, momentum=0.9,
                batch_size=0, epochs=300, scheduler="none", n=4, noise=0.0),
    "circles": dict(model="mlp:4", activation="tanh", optimizer="sgd", lr=0.1, momentum=0.9,
                    batch_size=10, epochs=40, scheduler="none", n=1000, noise=0.05),
    "moons": dict(model="mlp:16", activation="tanh", optimizer="sgd", lr=0.1, momentum=0.9,
                  batch_size=16, epochs=60, scheduler="none", n=1000, noise=0.1),
    "spirals": dict(model="mlp:64,64", activation="relu", optimizer="adam", lr=0.01, momentum=0.9,
                    batch_size=32, epochs=150, scheduler="none", n=900, noise=0.02),
    # mnist: each training image moved by up to 2 pixels, anew every epoch (random_shift):
    # 98.65 to 98.96 % test accuracy over seeds 0-4 with it, about 98.2 % without, in 10
    # epochs at 1.4x the CPU time (docs/training.md).
    "mnist": dict(model="mlp:256,128", activation="relu", optimizer="sgd", lr=0.05, momentum=0.9,
                  batch_size=64, epochs=10, scheduler="cosine", n=None, noise=None, random_shift=2),
}
PRESETS["fashion-mnist"] = dict(PRESETS["mnist"], random_shift=0)  # not measured with shifts

# Files written by --out, read back by `glassgrad evaluate`.
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.npz"
# What train, svm and sweep write: a folder holding only these (from a glassgrad older
# than the .glassgrad-run marker) may be replaced by a new run.
RUN_FILES = (CONFIG_FILE, WEIGHTS_FILE, "history.json", "metrics.json", "curves.png", "confusion.png",
             "boundary.png", "hidden.png", "weights.png", "svm_vs_mlp.png", "svm_metrics.json",
             "sweep_*.png", "sweep_*.json")


# ------------------------------------------------------------------------------ parsers
def register(subparsers):
    train = _add_parser(subparsers, "train", "train a network and print its test accuracy",
                        "Train a network on a dataset and print its test accuracy. With no option: "
                        "the 784-256-128-10 ReLU MLP on MNIST, cross-entropy, SGD with momentum 0.9 on a cosine "
                        "schedule, training images shifted at random by up to 2 pixels, 10 epochs.")
    _add_training_options(train, default_dataset="mnist")
    train.add_argument("--out", metavar="DIR", help="write history.json, metrics.json, config.json, "
                       "model.npz and figures (curves, confusion matrix, decision boundary) to DIR")
    train.add_argument("--no-figures", action="store_true", help="with --out: skip the figures")
    train.add_argument("--distributed", action="store_true", help="data-parallel training over the ranks "
                       "of mpirun (mpirun -n K glassgrad train --distributed ...): each rank trains on its "
                       "1/K of every batch, gradients averaged; rank 0 prints and writes --out (docs/scale.md)")
    train.set_defaults(func=_train_command)

    ev = _add_parser(subparsers, "evaluate", "evaluate a model saved by `glassgrad train --out DIR`",
                     "Rebuild the model saved by `glassgrad train --out DIR` from its config.json and "
                     "model.npz and print its metrics on the test set (or another split).")
    ev.add_argument("--model", metavar="DIR", required=True, help="the folder given to `train --out`")
    ev.add_argument("--split", choices=("test", "val", "train"), default="test",
                    help="which part of the data (default: test)")
    ev.set_defaults(func=_evaluate_command)

    svm = _add_parser(subparsers, "svm", "an RBF support vector machine beside an MLP (scikit-learn)",
                      "Train scikit-learn's SVC (RBF kernel) and an MLP on the same 2-D data and draw "
                      "both decision boundaries in one figure with their test accuracies.")
    _add_training_options(svm, default_dataset="circles", two_d_only=True)
    svm.add_argument("--C", type=arg(Real(0, low_open=True), "--C"), default=1.0, help="SVM regularisation C (default: 1)")
    svm.add_argument("--gamma", default="scale", help="RBF kernel width: 'scale', 'auto' or a number")
    svm.add_argument("--out", metavar="DIR", default=os.path.join("runs", "svm"),
                     help="folder for svm_vs_mlp.png and svm_metrics.json, written as a unit "
                     "(default: runs/svm)")
    svm.set_defaults(func=_svm_command)

    sweep = _add_parser(subparsers, "sweep", "train one model per value of a hyper-parameter, or a grid",
                        "Train one model per value of a hyper-parameter (same seed, same data) and plot "
                        "the curves together: e.g. the influence of the learning rate (seed 004, Q11). "
                        "With --grid: a grid or random search over several settings, scored on the "
                        "validation split, the chosen one tested once (docs/sweep.md).")
    sweep.add_argument("param", nargs="?", choices=sorted(SWEEPABLE), help="the hyper-parameter to vary")
    sweep.add_argument("--values", help="comma-separated values, e.g. 1e-3,1e-2,1e-1,1 "
                       "(separate with ';' when a value has commas: \"mlp:4;mlp:8,8\")")
    _add_training_options(sweep, default_dataset="circles")
    from .sweep import add_grid_options

    add_grid_options(sweep)
    sweep.add_argument("--out", metavar="DIR", default=None,
                       help="folder for sweep_<param>.png and sweep_<param>.json, written as a unit "
                       "(default: runs/sweep_<param>)")
    sweep.set_defaults(func=_sweep_command)


def _add_parser(subparsers, name, help_text, description):
    return subparsers.add_parser(name, help=help_text, description=description)


def _rule(key):
    """The argparse type of the option for settings key ``key``: read and checked by the
    same rule that checks presets, sweep values and config files (cli/checks.py)."""
    return arg(checks.settings_rules()[key], checks.option_name(key))


def _add_training_options(p, default_dataset, two_d_only=False):
    datasets = [d for d in DATASETS if not two_d_only or d not in ("mnist", "fashion-mnist")]
    g = p.add_argument_group("data")
    g.add_argument("--dataset", choices=datasets, default=default_dataset,
                   help=f"default: {default_dataset}")
    g.add_argument("--n", type=_rule("n"), help="number of points of a 2-D dataset, or of MNIST training images "
                   "to use (default: per dataset; all of MNIST)")
    g.add_argument("--noise", type=_rule("noise"), help="noise of a 2-D dataset (default: per dataset)")
    g.add_argument("--val-fraction", type=_rule("val_fraction"), default=None,
                   help="part of the training data held out for validation (default 0.1; 0 = none)")
    g.add_argument("--test-fraction", type=_rule("test_fraction"), default=0.2,
                   help="part of a 2-D dataset held out for testing (default 0.2; MNIST has its own)")
    g.add_argument("--seed", type=_rule("seed"), default=0, help="seed of the weights, the split and the "
                   "shuffling: the same seed gives the same run, bit for bit on the same machine (same BLAS "
                   "kernel and thread count), to float rounding across thread counts (default 0)")
    g = p.add_argument_group("model")
    g.add_argument("--model", help="mlp:H1,H2,... (hidden sizes; 'mlp:' = no hidden layer) or cnn "
                   "(default: mlp:256,128 on MNIST, mlp:4 on circles and xor)")
    g.add_argument("--activation", choices=ACTIVATIONS, help="hidden activation (default: per dataset)")
    g.add_argument("--dropout", type=_rule("dropout"), default=0.0, help="dropout after each hidden layer (default 0)")
    g.add_argument("--init", type=_rule("init"), default="default", help="weight initialisation: default "
                   "(PyTorch's), xavier, kaiming, normal:STD or constant:C (see glassgrad study vanishing-gradients)")
    g = p.add_argument_group("training")
    g.add_argument("--loss", choices=LOSSES, default="ce",
                   help="ce = cross-entropy, mse, squared = the 1/2 squared error of the seeds (both on "
                   "one-hot targets), hinge = multi-class margin, softmax-hinge (default: ce)")
    g.add_argument("--optimizer", choices=OPTIMIZERS, help="default: sgd")
    g.add_argument("--lr", type=_rule("lr"), help="learning rate (default: per dataset)")
    g.add_argument("--momentum", type=_rule("momentum"), help="SGD/RMSprop momentum (default 0.9 for SGD)")
    g.add_argument("--weight-decay", type=_rule("weight_decay"), default=0.0, help="default 0")
    g.add_argument("--decay", choices=("l2", "decoupled"), default=None,
                   help="l2: add weight_decay*w to the gradient; decoupled: shrink w by lr*weight_decay "
                   "(default: l2, decoupled for adamw)")
    g.add_argument("--batch-size", type=_rule("batch_size"), help="examples per iteration: 1 = online SGD, 0 = full batch")
    if not two_d_only:
        g.add_argument("--random-shift", type=_rule("random_shift"), metavar="PIXELS", help="augmentation: every "
                       "training image moved by a new random offset of up to PIXELS along each axis at every "
                       "epoch, zeros coming in (torchvision's RandomCrop(28, padding=PIXELS)); 0 = none "
                       "(default: 2 on MNIST, 0 elsewhere)")
    g.add_argument("--epochs", type=_rule("epochs"), help="passes over the training set (default: per dataset)")
    g.add_argument("--scheduler", choices=SCHEDULERS, help="learning-rate schedule over the epochs "
                   "(default: cosine on MNIST, none elsewhere)")
    g.add_argument("--keep-best", choices=("val_loss", "val_accuracy", "none"), default="val_accuracy",
                   help="restore the weights of the best validation epoch at the end (default: val_accuracy)")
    g.add_argument("--early-stopping", type=_rule("early_stopping"), metavar="PATIENCE",
                   help="stop after PATIENCE epochs without validation improvement")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")


# Which option a sweep varies, and how to read one of its values.
SWEEPABLE = {
    "lr": ("lr", float), "momentum": ("momentum", float), "weight-decay": ("weight_decay", float),
    "batch-size": ("batch_size", int), "dropout": ("dropout", float), "epochs": ("epochs", int),
    "model": ("model", str), "activation": ("activation", str), "optimizer": ("optimizer", str),
    "loss": ("loss", str), "init": ("init", str), "random-shift": ("random_shift", int),
}


# ------------------------------------------------------------------------------ settings
def _settings(args, name=checks.option_name):
    """The full run configuration: options given, else the dataset's preset; checked."""
    preset = PRESETS[args.dataset]
    s = {
        "dataset": args.dataset,
        "n": args.n if args.n is not None else preset["n"],
        "noise": args.noise if args.noise is not None else preset["noise"],
        "val_fraction": args.val_fraction if args.val_fraction is not None else (0.0 if args.dataset == "xor" else 0.1),
        "test_fraction": args.test_fraction,
        "seed": args.seed,
        "model": args.model or preset["model"],
        "activation": args.activation or preset["activation"],
        "dropout": args.dropout,
        "init": args.init,
        "loss": args.loss,
        "optimizer": args.optimizer or preset["optimizer"],
        "lr": args.lr if args.lr is not None else preset["lr"],
        "momentum": args.momentum,
        "weight_decay": args.weight_decay,
        "decay": args.decay,
        "batch_size": args.batch_size if args.batch_size is not None else preset["batch_size"],
        "epochs": args.epochs if args.epochs is not None else preset["epochs"],
        "scheduler": args.scheduler or preset["scheduler"],
        "keep_best": None if args.keep_best == "none" else args.keep_best,
        "early_stopping": args.early_stopping,
        "random_shift": _given(args, "random_shift", preset.get("random_shift", 0)),
    }
    if s["momentum"] is None:
        s["momentum"] = preset["momentum"] if s["optimizer"] == "sgd" else 0.0
    if s["decay"] is None:
        s["decay"] = "decoupled" if s["optimizer"] == "adamw" else "l2"
    _check_settings(s, name)
    return s


def _given(args, key, default):
    """An option's value, else ``default`` (also when the command has no such option)."""
    value = getattr(args, key, None)
    return default if value is None else value


def _check_settings(s, name=checks.option_name):
    """Every setting of one run, checked before anything runs (rules in cli/checks.py)."""
    checks.check_settings(s, name)


def parse_model(spec, name="--model"):
    """'mlp:256,128' -> ('mlp', [256, 128]); 'mlp:' -> ('mlp', []); 'cnn' -> ('cnn', [])."""
    return checks.parse_model(spec, name)


# ------------------------------------------------------------------------------ data
def load_data(s):
    """(train, val or None, test) TensorDatasets, the input shape and the number of classes.

    The split depends on the seed only, so `evaluate` rebuilds exactly the same test set.
    """
    import glassgrad.data as gd

    name = s["dataset"]
    if name in ("mnist", "fashion-mnist"):
        loader = gd.mnist if name == "mnist" else gd.fashion_mnist
        try:
            train_all, test = loader("train"), loader("test")
        except (gd.DatasetNotFoundError, gd.DatasetIntegrityError) as exc:
            raise UserError(_one_line(exc, name)) from None
        if s["n"] is not None and s["n"] < len(train_all):  # a quick lesson on the first n images
            X, y = train_all.tensors
            train_all = gd.TensorDataset(X[:s["n"]], y[:s["n"]])
        if s["val_fraction"] > 0:
            train, val, _ = gd.train_val_test_split(train_all, val=s["val_fraction"], test=0, seed=s["seed"])
        else:
            train, val = train_all, None
        n_classes = 10
    elif name == "xor":
        X, y = gd.xor()
        # Four points: there is nothing to hold out. XOR asks whether the network can
        # represent the function at all, so it is trained and tested on the same 4 points.
        train = test = gd.TensorDataset(X, y)
        val = train if s["val_fraction"] > 0 else None
        n_classes = 2
    else:
        make = {"circles": gd.circles, "moons": gd.moons, "spirals": gd.spirals}[name]
        X, y = make(n=s["n"], noise=s["noise"], seed=s["seed"])
        train, val, test = gd.train_val_test_split(
            X, y, val=s["val_fraction"], test=s["test_fraction"], seed=s["seed"], stratify=y)
        if len(val) == 0:
            val = None
        n_classes = int(y.array.max()) + 1
    in_shape = tuple(train.tensors[0].shape[1:])
    if s["loss"] in ("mse", "squared"):
        train, val, test = (_one_hot_dataset(d, n_classes) if d is not None else None for d in (train, val, test))
    return train, val, test, in_shape, n_classes


def _one_line(exc, name):
    """The data module's advice spans several lines; the command says it in one."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    from glassgrad.data import DatasetNotFoundError

    if isinstance(exc, DatasetNotFoundError):
        return f"{lines[0]} Run `glassgrad data fetch {name}` (or set $GLASSGRAD_DATA to a folder holding {name}/)."
    return " ".join(lines)


def _one_hot_dataset(dataset, n_classes):
    """The same examples with one-hot float targets: what a squared error compares to."""
    from glassgrad.backend import xp
    from glassgrad.data import TensorDataset
    from glassgrad.tensor import Tensor

    X, y = dataset.tensors
    one_hot = xp.eye(n_classes, dtype=X.array.dtype)[y.array]
    return TensorDataset(X, Tensor._wrap(one_hot))


# ------------------------------------------------------------------------------ model
def build_model(s, in_shape, n_classes):
    """The network the settings describe, as an nn.Sequential (PyTorch's parameter names)."""
    import glassgrad.nn as nn

    kind, hidden = parse_model(s["model"])
    act = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "leaky_relu": nn.LeakyReLU,
           "identity": nn.Identity}[s["activation"]]
    layers = []
    if kind == "cnn":
        if len(in_shape) != 3:
            raise UserError(f"--model cnn needs images; {s['dataset']} has inputs of shape {in_shape}")
        c, h, w = in_shape
        # Two 3x3 convolutions (padding 1 keeps the size), each followed by 2x2 max pooling.
        layers += [nn.Conv2d(c, 16, 3, padding=1), act(), nn.MaxPool2d(2),
                   nn.Conv2d(16, 32, 3, padding=1), act(), nn.MaxPool2d(2), nn.Flatten()]
        width = 32 * (h // 4) * (w // 4)
        hidden = [128]
    else:
        if len(in_shape) > 1:
            layers.append(nn.Flatten())
        width = math.prod(in_shape)
    for h in hidden:
        layers += [nn.Linear(width, h), act()]
        if s["dropout"]:
            layers.append(nn.Dropout(s["dropout"]))
        width = h
    layers.append(nn.Linear(width, n_classes))
    from glassgrad.nn.init import init_scheme_

    return init_scheme_(nn.Sequential(*layers), s.get("init", "default"), nonlinearity=s["activation"])


def build_loss(s):
    import glassgrad.nn as nn

    return {
        "ce": lambda: nn.CrossEntropyLoss(),
        "mse": lambda: nn.MSELoss(),
        # mean over examples of 1/2 ||y_hat - y||^2: the seeds' loss, averaged per batch so
        # that the learning rate means the same thing at every batch size
        "squared": lambda: nn.SquaredError(reduction="mean"),
        "hinge": lambda: nn.MultiMarginLoss(),
        "softmax-hinge": lambda: nn.SoftmaxHingeLoss(),
    }[s["loss"]]()


def build_optimizer(s, model):
    import glassgrad.optim as optim

    params = model.parameters()
    name, lr, wd = s["optimizer"], s["lr"], s["weight_decay"]
    if name == "sgd":
        return optim.SGD(params, lr=lr, momentum=s["momentum"], weight_decay=wd, decay=s["decay"])
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=wd, decay=s["decay"])
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=wd)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, momentum=s["momentum"], weight_decay=wd)
    return optim.Adagrad(params, lr=lr, weight_decay=wd)


def build_scheduler(s, optimizer):
    from glassgrad.optim import lr_scheduler

    if s["scheduler"] == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=s["epochs"])
    if s["scheduler"] == "step":  # divide by 10 at 1/2 and 3/4 of the run
        e = s["epochs"]
        return lr_scheduler.MultiStepLR(optimizer, milestones=sorted({max(1, e // 2), max(1, 3 * e // 4)}), gamma=0.1)
    return None


# ------------------------------------------------------------------------------ one run
def run(s, progress=True, verbose=True, distributed=False):
    """Train as the settings say. Returns (model, history, metrics, data).
    ``distributed``: this process is one rank of mpirun (glassgrad.distributed.training)."""
    import glassgrad
    from glassgrad.data import DataLoader
    from glassgrad.train import evaluate, fit, progress_shown

    train, val, test, in_shape, n_classes = load_data(s)
    glassgrad.manual_seed(s["seed"])  # the initial weights and dropout
    model = build_model(s, in_shape, n_classes)
    loss_fn = build_loss(s)
    optimizer = build_optimizer(s, model)
    scheduler = build_scheduler(s, optimizer)
    batch = s["batch_size"] or len(train)  # 0 = full batch: one iteration per epoch
    train_loader = DataLoader(train, batch_size=batch, shuffle=batch < len(train),
                              generator=glassgrad.Generator(s["seed"]))
    if s.get("random_shift"):  # a new shift of every image at every epoch (global generator: seeded above)
        from glassgrad.data.augment import RandomShiftLoader

        train_loader = RandomShiftLoader(train_loader, s["random_shift"])
    eval_batch = 1000 if in_shape != (2,) else 10000
    val_loader = DataLoader(val, batch_size=eval_batch) if val is not None else None
    keep_best = s["keep_best"] if val_loader is not None else None
    callbacks = []
    if verbose and not progress_shown(progress):
        callbacks.append(_EpochPrinter(s["epochs"]))
    if verbose:
        print(f"{s['dataset']}: {len(train)} training, {len(val) if val is not None else 0} validation, "
              f"{len(test)} test examples; {_describe_model(model, s)}", flush=True)
    fit_model, fit_loader = model, train_loader
    if distributed:
        from glassgrad.distributed.training import data_parallel

        fit_model, fit_loader = data_parallel(model, train_loader, len(train), batch)
    start = time.perf_counter()
    history = fit(fit_model, loss_fn, optimizer, fit_loader, val_loader, epochs=s["epochs"],
                  callbacks=callbacks, progress=progress, scheduler=scheduler,
                  keep_best=keep_best, early_stopping=s["early_stopping"])
    seconds = time.perf_counter() - start
    scores = evaluate(model, DataLoader(test, batch_size=eval_batch), loss_fn)
    metrics = {
        "test_loss": scores["loss"], "test_accuracy": scores["accuracy"], "test_examples": scores["examples"],
        "best_epoch": history.best_epoch, "epochs_run": len(history), "iterations": history.iterations,
        "train_seconds": round(seconds, 3),
        "final_train_accuracy": history.last["train_accuracy"], "final_val_accuracy": history.last["val_accuracy"],
    }
    metrics = {k: _finite(v) if isinstance(v, float) else v for k, v in metrics.items()}  # standard JSON
    return model, history, metrics, (train, val, test, in_shape, n_classes)


class _EpochPrinter:
    """One line per epoch (about ten lines for long runs) where no progress bar shows."""

    def __init__(self, epochs):
        self.every = max(1, epochs // 10)
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs):
        if epoch == 1 or epoch % self.every == 0 or epoch == self.epochs:
            from glassgrad.train import print_epochs

            print_epochs(epoch, logs)


def _describe_model(model, s):
    sizes = []
    for m in model.modules():
        if type(m).__name__ == "Linear":
            if not sizes:
                sizes.append(m.in_features)
            sizes.append(m.out_features)
    n_params = sum(p.array.size for p in model.parameters())
    shape = "-".join(map(str, sizes)) if s["model"] != "cnn" else "cnn"
    shift = f", random shifts up to {s['random_shift']} px" if s.get("random_shift") else ""
    return (f"{shape} {s['activation']} network ({n_params:,} parameters), {s['loss']} loss, "
            f"{s['optimizer']} lr={s['lr']:g}, batch {s['batch_size'] or 'full'}, {s['epochs']} epochs{shift}")


def _percent(x):
    return "n/a" if x is None else f"{100 * x:.2f} %"


# ------------------------------------------------------------------------------ train
def _train_command(args):
    # Everything is checked before training, and the folder is created only after it.
    s = _settings(args)
    out = _check_out(args.out, figures=not args.no_figures, feature="train --out (its figures)",
                     hint=" (or add --no-figures)") if args.out is not None else None
    if args.distributed:
        from glassgrad.distributed.training import run_ranks

        model, history, metrics, data = run_ranks(run, s, progress=not args.no_progress)
        if model is None:  # not rank 0: rank 0 reports and writes
            return 0
    else:
        model, history, metrics, data = run(s, progress=not args.no_progress)
    loss = "diverged (inf/NaN)" if metrics["test_loss"] is None else f"{metrics['test_loss']:.4f}"
    print(f"test accuracy: {_percent(metrics['test_accuracy'])}  (test loss {loss}, "
          f"{metrics['epochs_run']} epochs, {metrics['iterations']} iterations, {metrics['train_seconds']:.1f} s)")
    if out:
        written = write_run(out, s, model, history, metrics, data, figures=not args.no_figures)
        print(f"wrote {', '.join(written)} to {out}")
    return 0


def _check_out(out, figures, feature, hint=""):
    """The --out folder can be made and written, and matplotlib is there if figures are
    drawn: both found before training. Nothing is created here: the folder is written as
    a unit once the run is complete (glassgrad.atomic.atomic_folder)."""
    from glassgrad.atomic import TargetError, check_folder_target

    checks.check_out_folder(out)
    try:
        check_folder_target(out, known=RUN_FILES)
    except TargetError as exc:
        raise UserError(f"--out: {exc}") from None
    if figures:
        try:
            checks.need_matplotlib(feature)
        except UserError as exc:
            raise UserError(f"{exc}{hint}") from None
    return out


def write_run(out, s, model, history, metrics, data, figures=True):
    """Everything a run leaves behind, written as a unit: built in a temporary folder next
    to ``out`` and swapped in whole, so ``out`` holds the old run or the new, never a mix."""
    from glassgrad.atomic import atomic_folder

    with atomic_folder(out, known=RUN_FILES) as folder:
        return _write_run_files(str(folder), s, model, history, metrics, data, figures)


def _write_run_files(out, s, model, history, metrics, data, figures):
    import glassgrad
    from glassgrad import viz
    from glassgrad.train import confusion_matrix, predict_classes, write_text_atomic

    train, val, test, in_shape, n_classes = data
    config = dict(s, in_shape=list(in_shape), n_classes=n_classes, glassgrad=glassgrad.__version__)
    write_text_atomic(os.path.join(out, CONFIG_FILE), json.dumps(config, indent=2) + "\n")
    glassgrad.save(model.state_dict(), os.path.join(out, WEIGHTS_FILE))
    history.to_json(os.path.join(out, "history.json"))
    write_text_atomic(os.path.join(out, "metrics.json"), json.dumps(metrics, indent=2) + "\n")
    written = [CONFIG_FILE, WEIGHTS_FILE, "history.json", "metrics.json"]
    if not figures:
        return written

    viz.plot_history(history, os.path.join(out, "curves.png"), title=f"{s['dataset']}: {s['model']}")
    written.append("curves.png")
    X, y = test.tensors
    predicted = predict_classes(model, X)
    matrix = confusion_matrix(_class_labels(y), predicted, n_classes)
    names = _class_names(s["dataset"])
    viz.plot_confusion_matrix(matrix, os.path.join(out, "confusion.png"), class_names=names,
                              title=f"{s['dataset']} test set: {_percent(metrics['test_accuracy'])} correct")
    written.append("confusion.png")
    if in_shape == (2,):
        Xa, ya = _all_points(train, val, test)
        viz.plot_decision_boundary(model, Xa, ya, os.path.join(out, "boundary.png"),
                                   title=f"{s['dataset']}, {s['model']} {s['activation']}: "
                                   f"test {_percent(metrics['test_accuracy'])}")
        written.append("boundary.png")
        if parse_model(s["model"])[1]:
            viz.plot_hidden_space(model, Xa, ya, os.path.join(out, "hidden.png"))
            written.append("hidden.png")
    elif parse_model(s["model"])[0] == "mlp" and parse_model(s["model"])[1] and in_shape[-2:] == (28, 28):
        viz.plot_weights(model, os.path.join(out, "weights.png"))
        written.append("weights.png")
    return written


def _class_labels(y):
    data = y.array
    return data.argmax(1) if data.ndim == 2 else data


def _all_points(*parts):
    from glassgrad.backend import xp

    parts = [p for p in parts if p is not None]
    if parts[0] is parts[-1]:  # xor: one set
        parts = parts[:1]
    X = xp.concatenate([p.tensors[0].array for p in parts])
    y = xp.concatenate([_class_labels(p.tensors[1]) for p in parts])
    return X, y


def _class_names(dataset):
    if dataset == "fashion-mnist":
        from glassgrad.data import FASHION_MNIST

        return list(getattr(FASHION_MNIST, "classes", range(10)))
    return None


# ------------------------------------------------------------------------------ evaluate
def _evaluate_command(args):
    import glassgrad
    from glassgrad.data import DataLoader
    from glassgrad.train import evaluate

    folder = args.model
    config_path = os.path.join(folder, CONFIG_FILE)
    weights_path = os.path.join(folder, WEIGHTS_FILE)
    if not os.path.isdir(folder):
        raise UserError(f"--model {folder!r} is not a folder (expected the folder given to `train --out`)")
    for path in (config_path, weights_path):
        if not os.path.isfile(path):
            raise UserError(f"{path} is missing: is {folder!r} a folder written by `glassgrad train --out`?")
    s = checks.read_json_object(config_path, what="a glassgrad run config")
    missing = [key for key in _CONFIG_KEYS if key not in s]
    if missing:
        raise UserError(f"{config_path}: key {missing[0]!r} is missing: is it a config.json written by "
                        "`glassgrad train --out`?")
    s = {key: s[key] for key in (*_CONFIG_KEYS, *_OPTIONAL_CONFIG_KEYS) if key in s}
    _check_settings(s, name=lambda key: f"{config_path}: key {key!r}")
    train, val, test, in_shape, n_classes = load_data(s)
    model = build_model(s, in_shape, n_classes)
    from glassgrad.io import CheckpointError

    try:
        state = glassgrad.load(weights_path)
    except CheckpointError as exc:  # its message names the file
        raise UserError(str(exc) if weights_path in str(exc) else f"{weights_path}: {exc}") from None
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        raise UserError(f"{weights_path} does not fit the model in {CONFIG_FILE}: "
                           f"{str(exc).splitlines()[-1].strip()}") from None
    part = {"test": test, "val": val, "train": train}[args.split]
    if part is None:
        raise UserError(f"this run has no {args.split} set (it was trained with --val-fraction 0)")
    scores = evaluate(model, DataLoader(part, batch_size=1000), build_loss(s))
    print(f"{s['dataset']} {args.split} set ({scores['examples']} examples): accuracy "
          f"{_percent(scores['accuracy'])}, loss {scores['loss']:.4f}")
    return 0


_CONFIG_KEYS = ("dataset", "n", "noise", "val_fraction", "test_fraction", "seed", "model", "activation",
                "dropout", "loss", "optimizer", "lr", "momentum", "weight_decay", "decay", "batch_size",
                "epochs", "scheduler", "keep_best", "early_stopping")
_OPTIONAL_CONFIG_KEYS = ("init", "random_shift")  # absent from configs written before the option existed


# ------------------------------------------------------------------------------ svm
def _svm_command(args):
    from glassgrad import viz
    from glassgrad.errors import require

    # Everything is checked before the MLP trains; the folder is created only after it.
    s = _settings(args)
    gamma = _parse_gamma(args.gamma)
    out = _check_out(args.out, figures=True, feature="svm (its figure)")
    SVC = require("sklearn.svm", "svm", "svm").SVC
    model, history, metrics, data = run(s, progress=not args.no_progress)
    train, val, test, _, _ = data
    # The SVM has no epochs: it fits on the training set (the validation part, which the
    # MLP used for model selection, is not given to it either, so both see the same data).
    Xtr, ytr = train.tensors[0].array, _class_labels(train.tensors[1])
    Xte, yte = test.tensors[0].array, _class_labels(test.tensors[1])
    start = time.perf_counter()
    svm = SVC(kernel="rbf", C=args.C, gamma=gamma).fit(Xtr, ytr)
    svm_seconds = time.perf_counter() - start
    svm_acc = float((svm.predict(Xte) == yte).mean())
    mlp_acc = metrics["test_accuracy"]
    Xa, ya = _all_points(train, val, test)
    figure = os.path.join(out, "svm_vs_mlp.png")
    summary = {"dataset": s["dataset"], "svm_test_accuracy": svm_acc, "mlp_test_accuracy": mlp_acc,
               "svm_support_vectors": int(len(svm.support_)), "svm_seconds": round(svm_seconds, 3),
               "mlp_seconds": metrics["train_seconds"], "C": args.C, "gamma": args.gamma}
    from glassgrad.atomic import atomic_folder
    from glassgrad.train import write_text_atomic

    with atomic_folder(out, known=RUN_FILES) as folder:  # written as a unit
        viz.plot_decision_boundaries(
            {f"SVM, RBF kernel (C={args.C:g}): test {_percent(svm_acc)}": svm.predict,
             f"MLP {s['model']} {s['activation']}: test {_percent(mlp_acc)}": model},
            Xa, ya, os.path.join(folder, "svm_vs_mlp.png"), title=f"{s['dataset']}: {len(svm.support_)} "
            f"support vectors vs {sum(p.array.size for p in model.parameters())} weights")
        write_text_atomic(os.path.join(folder, "svm_metrics.json"), json.dumps(summary, indent=2) + "\n")
    print(f"SVM (RBF) test accuracy: {_percent(svm_acc)}  ({len(svm.support_)} support vectors)")
    print(f"MLP       test accuracy: {_percent(mlp_acc)}")
    print(f"wrote {figure}")
    return 0


def _parse_gamma(text):
    if text in ("scale", "auto"):
        return text
    try:
        return Real(0, low_open=True).parse(text, "--gamma")
    except UserError:
        raise checks.refuse("--gamma", "'scale', 'auto' or a finite number > 0", text) from None


# ------------------------------------------------------------------------------ sweep
def _sweep_command(args):
    from glassgrad import viz
    from glassgrad.train import write_text_atomic

    from .sweep import grid_command, one_parameter_form

    if not one_parameter_form(args):
        return grid_command(args)
    dest, kind = SWEEPABLE[args.param]
    # ';' separates values that contain commas themselves: --values "mlp:4;mlp:8,8"
    raw = [v.strip() for v in args.values.split(";" if ";" in args.values else ",") if v.strip()]
    if not raw:
        raise UserError("--values is empty: give comma-separated values, e.g. 1e-3,1e-2,1e-1")
    if len(raw) > checks.MAX_SWEEP_VALUES:
        raise checks.refuse("--values", f"at most {checks.MAX_SWEEP_VALUES} values", f"{len(raw)} values")
    rule = checks.settings_rules()[dest]
    values = [rule.parse(v, f"--values ({args.param})") for v in raw]
    if len(set(values)) != len(values):
        raise UserError(f"--values: expected different values, got a repeated one in {args.values!r}")
    # Check every run's settings, and the folder, before the first run starts.
    runs = []
    for v in values:
        setattr(args, dest, v)
        where = f"--values ({args.param} {v})"
        runs.append((v, _settings(args, name=lambda key: where if key == dest else checks.option_name(key))))
    out = _check_out(args.out or os.path.join("runs", f"sweep_{args.param.replace('-', '_')}"),
                     figures=True, feature="sweep (its figure)")
    histories, rows = {}, []
    for v, s in runs:
        label = f"{args.param}={v:g}" if isinstance(v, float) else f"{args.param}={v}"
        print(f"--- {label}", flush=True)
        model, history, metrics, _ = run(s, progress=not args.no_progress, verbose=False)
        histories[label] = history
        final_loss = _finite(history.last["train_loss"])
        rows.append({"value": v, "final_train_loss": final_loss,
                     "best_val_accuracy": _finite(max((a for a in history["val_accuracy"] if a is not None),
                                                      default=None)),
                     "test_accuracy": metrics["test_accuracy"], "seconds": metrics["train_seconds"]})
        loss_text = "diverged (inf/NaN)" if final_loss is None else f"{final_loss:.4f}"
        print(f"{label}: final training loss {loss_text}, test accuracy {_percent(metrics['test_accuracy'])}",
              flush=True)
    stem = f"sweep_{args.param.replace('-', '_')}"
    figure = os.path.join(out, stem + ".png")
    from glassgrad.atomic import atomic_folder

    with atomic_folder(out, known=RUN_FILES) as folder:  # written as a unit
        viz.plot_histories(histories, os.path.join(folder, stem + ".png"),
                           title=f"{runs[0][1]['dataset']}: influence of {args.param}")
        write_text_atomic(os.path.join(folder, stem + ".json"),
                          json.dumps({"param": args.param, "runs": rows,
                                      "histories": {k: h.to_dict() for k, h in histories.items()}},
                                     indent=2) + "\n")
    print(f"wrote {figure} and {stem}.json")
    return 0


def _finite(value):
    import math

    return value if value is not None and math.isfinite(value) else None
