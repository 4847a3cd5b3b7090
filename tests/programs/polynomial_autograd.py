"""Fit y = sin(x) on [-pi, pi] with a cubic a + b x + c x^2 + d x^3, by gradient descent
on four 0-d tensors; autograd computes the gradients (in the style of PyTorch's
"Learning PyTorch with Examples": tensors and autograd)."""

import math

import torch

dtype = torch.float

x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)

# Fixed starting weights (the tutorial draws them at random), so that two runs compare.
a = torch.tensor(0.1, dtype=dtype, requires_grad=True)
b = torch.tensor(-0.2, dtype=dtype, requires_grad=True)
c = torch.tensor(0.05, dtype=dtype, requires_grad=True)
d = torch.tensor(0.3, dtype=dtype, requires_grad=True)

learning_rate = 1e-6
losses = []
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    losses.append(loss.item())

    loss.backward()

    # the update is not part of the model: no graph for it
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")

# the slope of the final loss with respect to each coefficient, without touching .grad
final = (a + b * x + c * x ** 2 + d * x ** 3 - y).pow(2).sum()
slopes = torch.autograd.grad(final, [a, b, c, d])
assert a.grad is None

RESULT = {
    "losses": losses[::100] + [losses[-1]],
    "coefficients": [a.item(), b.item(), c.item(), d.item()],
    "slopes": [s.item() for s in slopes],
}
