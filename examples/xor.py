"""XOR: the four points no straight line can separate (seed 000; Goodfellow et al., ch. 6).

    python examples/xor.py [OUTPUT_FOLDER]        (figures go to ./xor-output by default)

What you will see:
1. a linear model (no hidden layer) cannot get all four points right;
2. one hidden layer of two tanh units can: it bends the plane so that, in the hidden
   space, a straight line does separate the classes;
3. iterations are not epochs: full-batch learning makes one update per epoch, online
   learning one update per example.
"""

import os
import sys

import glassgrad as gg
import glassgrad.nn as nn
from glassgrad import viz
from glassgrad.data import DataLoader, TensorDataset, xor
from glassgrad.train import evaluate, fit

out = sys.argv[1] if len(sys.argv) > 1 else "xor-output"
os.makedirs(out, exist_ok=True)

# ---------------------------------------------------------------- the data
X, y = xor()
print("inputs:\n", X)
print("labels:", y)  # 0, 1, 1, 0: "exactly one of the two inputs is 1"
data = TensorDataset(X, y)
full_batch = DataLoader(data, batch_size=4)  # all four points in every iteration

# ---------------------------------------------------------------- 1. a linear model fails
# Without a hidden layer the network computes scores W x + b: the boundary between the two
# classes is a straight line, and no line puts (0,1), (1,0) on one side and (0,0), (1,1)
# on the other: at best a line gets 3 of the 4 points right. Cross-entropy does not even
# look for that line: its lowest value for a linear model is at W = 0, b = 0 ("50/50
# everywhere"), so training ends at chance level.
gg.manual_seed(0)
linear = nn.Sequential(nn.Linear(2, 2))
fit(linear, nn.CrossEntropyLoss(), gg.optim.SGD(linear.parameters(), lr=0.5, momentum=0.9),
    full_batch, epochs=200, progress=False)
print(f"\nlinear model: accuracy {evaluate(linear, full_batch)['accuracy']:.0%}")

# ---------------------------------------------------------------- 2. one hidden layer succeeds
# 2 inputs -> 2 tanh units -> 2 class scores. Cross-entropy on the scores, SGD with momentum.
gg.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 2))
print(model)
optimizer = gg.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
history = fit(model, nn.CrossEntropyLoss(), optimizer, full_batch, epochs=200, progress=False)
print(f"2-2-2 tanh network: accuracy {evaluate(model, full_batch)['accuracy']:.0%}, "
      f"final loss {history.last['train_loss']:.4f}")
# With only two hidden units some starting weights get stuck at 50 % (try manual_seed(2)):
# the loss surface has flat regions. Four hidden units get stuck far less often.

viz.plot_history(history, os.path.join(out, "xor_curves.png"), title="XOR, 2-2-2 tanh")
viz.plot_decision_boundary(model, X, y, os.path.join(out, "xor_boundary.png"),
                           title="XOR: the regions of the 2-2-2 network")
# The hidden space: the two tanh outputs of each point. There, one straight line (the
# output layer) separates the classes: the hidden layer has bent the plane.
viz.plot_hidden_space(model, X, y, os.path.join(out, "xor_hidden.png"))

# ---------------------------------------------------------------- 3. iterations vs epochs
# An iteration is one update of the weights; an epoch is one pass over the training set.
# Same 100 epochs and learning rate, different numbers of updates: online learning makes
# four times as many, and gets further in the same number of epochs.
for batch_size, name in ((4, "full batch"), (1, "online")):
    gg.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 2))
    loader = DataLoader(data, batch_size=batch_size, shuffle=True, generator=gg.Generator(0))
    h = fit(net, nn.CrossEntropyLoss(), gg.optim.SGD(net.parameters(), lr=1.0), loader, epochs=100,
            progress=False)
    print(f"{name:>10}: {len(h)} epochs = {h.iterations} iterations "
          f"({h[0]['iterations']} per epoch), final loss {h.last['train_loss']:.4f}")

print(f"\nfigures written to {out}/")
