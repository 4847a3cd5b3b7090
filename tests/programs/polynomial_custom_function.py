"""y = a + b P3(c + d x), with P3 the Legendre polynomial of degree 3 written as a custom
autograd Function (forward and backward by hand), fitted to sin(x) (in the style of
PyTorch's "Learning PyTorch with Examples": defining new autograd functions)."""

import math

import torch


class LegendrePolynomial3(torch.autograd.Function):
    """P3(z) = (5 z^3 - 3 z) / 2, and its derivative P3'(z) = 3 (5 z^2 - 1) / 2."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


dtype = torch.float
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)

a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, dtype=dtype, requires_grad=True)

learning_rate = 5e-6
losses = []
for t in range(2000):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= learning_rate * p.grad
            p.grad = None

print(f"Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)")
RESULT = {"losses": losses[::100] + [losses[-1]],
          "coefficients": [a.item(), b.item(), c.item(), d.item()]}
