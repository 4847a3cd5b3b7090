"""MNIST with a multi-layer perceptron: 784-256-128-10, ReLU, cross-entropy, SGD with
momentum, training images shifted at random by up to 2 pixels. About 98.7 % of the test
digits right after 10 epochs (seed 004, part 1-ab; docs/training.md).

    glassgrad data fetch mnist                    (once: puts the files in the data folder)
    python examples/mnist_mlp.py [OUTPUT_FOLDER] [EPOCHS]

This is what `glassgrad train` does with no argument, written out as a script.
"""

import os
import sys

import glassgrad as gg
import glassgrad.nn as nn
from glassgrad import viz
from glassgrad.data import DataLoader, mnist, train_val_test_split
from glassgrad.data.augment import RandomShiftLoader
from glassgrad.train import confusion_matrix, evaluate, fit, predict_classes

out = sys.argv[1] if len(sys.argv) > 1 else "mnist-output"
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
os.makedirs(out, exist_ok=True)

# ---------------------------------------------------------------- the data
# 60,000 training and 10,000 test images of 28 x 28 pixels in [0, 1], labels 0..9.
# A tenth of the training images is held out as the validation set.
try:
    train_all, test = mnist("train"), mnist("test")
except FileNotFoundError as exc:  # the files are not there yet: say how to get them
    sys.exit(str(exc))
train, val, _ = train_val_test_split(train_all, val=0.1, test=0, seed=0)
print(f"{len(train)} training, {len(val)} validation, {len(test)} test images")
train_loader = DataLoader(train, batch_size=64, shuffle=True, generator=gg.Generator(0))
# Augmentation: every epoch, each training image moves by a new random offset of up to 2
# pixels along each axis. A digit drawn 1 pixel to the left is the same digit; without
# this the network learns its 54,000 images by heart and stays near 98.2 % on the test set.
train_loader = RandomShiftLoader(train_loader, padding=2)
val_loader = DataLoader(val, batch_size=1000)
test_loader = DataLoader(test, batch_size=1000)

# ---------------------------------------------------------------- the model
# Flatten turns each 1 x 28 x 28 image into a vector of 784 numbers; two hidden ReLU layers;
# 10 class scores. The softmax is inside CrossEntropyLoss.
gg.manual_seed(0)
model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(784, 256), nn.ReLU(),
    nn.Linear(256, 128), nn.ReLU(),
    nn.Linear(128, 10),
)
print(model)
print(f"{sum(p.numel() for p in model.parameters()):,} parameters")
loss_fn = nn.CrossEntropyLoss()
optimizer = gg.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
# The learning rate follows half a cosine from 0.05 down to 0 over the run: big steps
# early, small ones at the end so the last epochs settle instead of bouncing.
scheduler = gg.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)

# ---------------------------------------------------------------- training
# One epoch is 844 iterations of 64 images (54,000 / 64, rounded up).
history = fit(model, loss_fn, optimizer, train_loader, val_loader, epochs=epochs, scheduler=scheduler,
              keep_best="val_accuracy", callbacks=[] if gg.train.progress_shown() else [gg.train.print_epochs])
print(f"kept the weights of epoch {history.best_epoch}; {history.iterations} iterations in all")

# ---------------------------------------------------------------- the test set, once
scores = evaluate(model, test_loader, loss_fn)
print(f"test accuracy {scores['accuracy']:.2%} (test loss {scores['loss']:.4f})")

# ---------------------------------------------------------------- figures
viz.plot_history(history, os.path.join(out, "mnist_curves.png"), title="MNIST, 784-256-128-10")
X, y = test.tensors
matrix = confusion_matrix(y, predict_classes(model, X), num_classes=10)
viz.plot_confusion_matrix(matrix, os.path.join(out, "mnist_confusion.png"))
# Each first-layer unit computes a dot product of its 784 weights with the image: shown as a
# 28 x 28 picture, the weights are the pattern that unit responds to (red +, blue -).
viz.plot_weights(model, os.path.join(out, "mnist_weights.png"))
print(f"figures written to {out}/")
