"""Sine waves learnt by an LSTMCell stepped by hand over time, trained with L-BFGS and a
closure, then asked to continue the waves (in the style of PyTorch's examples:
time_sequence_prediction)."""

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


def sine_waves(count, length, period=20, seed=2):
    """``count`` sine waves of ``length`` steps, each starting at a random phase."""
    rng = np.random.default_rng(seed)
    t = np.arange(length) + rng.integers(-4 * period, 4 * period, count).reshape(count, 1)
    return np.sin(t / period)


class Sequence(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.hidden = hidden
        self.cell = nn.LSTMCell(1, hidden)
        self.linear = nn.Linear(hidden, 1)

    def forward(self, input, future=0):
        outputs = []
        h_t = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        c_t = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        for input_t in input.split(1, dim=1):  # one time step: (N, 1)
            h_t, c_t = self.cell(input_t, (h_t, c_t))
            output = self.linear(h_t)
            outputs.append(output)
        for _ in range(future):  # feed the prediction back in
            h_t, c_t = self.cell(output, (h_t, c_t))
            output = self.linear(h_t)
            outputs.append(output)
        return torch.cat(outputs, dim=1)


data = sine_waves(8, 40)
input = torch.from_numpy(data[2:, :-1])
target = torch.from_numpy(data[2:, 1:])
test_input = torch.from_numpy(data[:2, :-1])
test_target = torch.from_numpy(data[:2, 1:])

seq = Sequence().double()
rng = np.random.default_rng(0)
for name, param in seq.named_parameters():  # fixed start, the same in both runs
    param.data.copy_(torch.from_numpy(rng.uniform(-0.25, 0.25, tuple(param.shape))))
criterion = nn.MSELoss()
optimizer = optim.LBFGS(seq.parameters(), lr=0.8, max_iter=10)

losses, test_losses = [], []
for i in range(3):
    def closure():
        optimizer.zero_grad()
        out = seq(input)
        loss = criterion(out, target)
        loss.backward()
        return loss
    losses.append(optimizer.step(closure).item())
    with torch.no_grad():
        future = 10
        pred = seq(test_input, future=future)
        test_loss = criterion(pred[:, :-future], test_target)
        test_losses.append(test_loss.item())
    print(f"step {i}: train {losses[-1]:.6f}  test {test_losses[-1]:.6f}")

RESULT = {"losses": losses, "test_losses": test_losses,
          "continuation": pred[:, -future:].flatten().tolist()}
