"""A two-layer network on random data with a hand-written ReLU (a custom autograd
Function) and weights updated by hand (in the style of PyTorch's "Learning PyTorch with
Examples": a custom ReLU, the two-layer net with autograd)."""

import numpy as np
import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0  # no gradient where the unit was off
        return grad_input


batch, d_in, hidden, d_out = 64, 100, 50, 10

# data and starting weights from NumPy's generator, so that two runs see the same numbers
rng = np.random.default_rng(0)
x = torch.from_numpy(rng.standard_normal((batch, d_in))).float()
y = torch.from_numpy(rng.standard_normal((batch, d_out))).float()
w1 = torch.from_numpy(rng.standard_normal((d_in, hidden)) * 0.1).float().requires_grad_()
w2 = torch.from_numpy(rng.standard_normal((hidden, d_out)) * 0.1).float().requires_grad_()

learning_rate = 1e-4
losses = []
for t in range(300):
    relu = MyReLU.apply
    y_pred = relu(x.mm(w1)).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    losses.append(loss.item())
    if t % 50 == 49:
        print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()

RESULT = {"losses": losses[::25] + [losses[-1]], "w2_sum": w2.sum().item()}
