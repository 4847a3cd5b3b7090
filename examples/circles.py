"""Circles: a small network, train/validation/test sets, the learning rate, and an SVM
(the practical of seed 004).

    python examples/circles.py [OUTPUT_FOLDER]    (figures go to ./circles-output by default)

Steps: split the data three ways, train the 2-4-2 tanh network of the practical's
figure 1, keep the weights the validation set likes best, measure once on the test set,
look at what the hidden layer does, compare learning rates, and put an RBF SVM beside it.
"""

import os
import sys

import glassgrad as gg
import glassgrad.nn as nn
from glassgrad import viz
from glassgrad.data import DataLoader, circles, train_val_test_split
from glassgrad.train import evaluate, fit

out = sys.argv[1] if len(sys.argv) > 1 else "circles-output"
os.makedirs(out, exist_ok=True)

# ---------------------------------------------------------------- data: three sets, three jobs
# training set: the weights are fitted on it; validation set: chooses among models and
# epochs (model selection); test set: measured once, at the end, to estimate how the chosen
# model does on data it has never influenced. Reusing the test set to choose would make
# that estimate optimistic.
X, y = circles(n=1000, noise=0.05, factor=0.5, seed=0)
train, val, test = train_val_test_split(X, y, val=0.2, test=0.2, seed=0, stratify=y)
print(f"{len(train)} training, {len(val)} validation, {len(test)} test points")
train_loader = DataLoader(train, batch_size=10, shuffle=True, generator=gg.Generator(0))
val_loader = DataLoader(val, batch_size=len(val))
test_loader = DataLoader(test, batch_size=len(test))

# ---------------------------------------------------------------- the network of figure 1
# n_x = 2 inputs, n_h = 4 tanh hidden units, n_y = 2 class scores:
#     h = tanh(W_h x + b_h),   y_tilde = W_y h + b_y,   y_hat = softmax(y_tilde)
# CrossEntropyLoss takes the scores y_tilde and applies the softmax itself: fused, the
# gradient with respect to y_tilde is simply y_hat - y (question 15).
gg.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2))
loss_fn = nn.CrossEntropyLoss()
optimizer = gg.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

history = fit(model, loss_fn, optimizer, train_loader, val_loader, epochs=40,
              keep_best="val_accuracy", progress=False)
best = history[history.best_epoch - 1]
print(f"best validation accuracy {best['val_accuracy']:.1%} at epoch {history.best_epoch} "
      f"(of {len(history)}); those weights are kept")
scores = evaluate(model, test_loader, loss_fn)  # the one and only look at the test set
print(f"test accuracy {scores['accuracy']:.1%}, test loss {scores['loss']:.4f}")

viz.plot_history(history, os.path.join(out, "circles_curves.png"), title="circles, 2-4-2 tanh")
viz.plot_decision_boundary(model, X, y, os.path.join(out, "circles_boundary.png"),
                           title=f"2-4-2 tanh network: test {scores['accuracy']:.1%}")
# "The network bends the space" (seed 002): in the 4-D hidden space a plane separates the
# circles. The figure looks along the output layer's direction, where that plane is a line.
viz.plot_hidden_space(model, X, y, os.path.join(out, "circles_hidden.png"))

# ---------------------------------------------------------------- the learning rate (question 11)
# Plain SGD (no momentum), same data, same initial weights, four learning rates: 0.01
# crawls, 0.1 is slow, 1 converges, 10 overshoots: the loss jumps up and stays high.
runs = {}
for lr in (0.01, 0.1, 1.0, 10.0):
    gg.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2))
    runs[f"lr={lr:g}"] = fit(net, loss_fn, gg.optim.SGD(net.parameters(), lr=lr), train_loader, val_loader,
                             epochs=20, progress=False)
    print(f"lr={lr:<6g} final training loss {runs[f'lr={lr:g}'].last['train_loss']:.4f}")
viz.plot_histories(runs, os.path.join(out, "circles_learning_rates.png"), title="influence of the learning rate")

# ---------------------------------------------------------------- an SVM beside it
try:
    from sklearn.svm import SVC
except ImportError:
    print("scikit-learn is not installed: skipping the SVM (pip install 'glassgrad[svm]')")
else:
    Xtr, ytr = train.tensors[0].array, train.tensors[1].array
    Xte, yte = test.tensors[0].array, test.tensors[1].array
    svm = SVC(kernel="rbf", C=1.0, gamma="scale").fit(Xtr, ytr)
    svm_acc = (svm.predict(Xte) == yte).mean()
    print(f"SVM (RBF kernel): test accuracy {svm_acc:.1%} with {len(svm.support_)} support vectors")
    viz.plot_decision_boundaries(
        {f"SVM, RBF kernel: {svm_acc:.1%}": svm.predict, f"2-4-2 tanh MLP: {scores['accuracy']:.1%}": model},
        X, y, os.path.join(out, "circles_svm_vs_mlp.png"))

print(f"\nfigures written to {out}/")
