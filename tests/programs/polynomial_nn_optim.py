"""The cubic fit of sin(x) as a model: nn.Sequential(Linear(3, 1), Flatten), a summed
MSELoss and RMSprop (in the style of PyTorch's "Learning PyTorch with Examples": nn and
optim)."""

import math

import torch

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# (x, x^2, x^3) as the three features: x.unsqueeze(-1) is (2000, 1), p is (3,), so the
# power broadcasts to (2000, 3)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1),
)
# start from fixed weights (the layer draws them at random), written through .data
model[0].weight.data.copy_(torch.tensor([[0.2, -0.1, 0.05]]))
model[0].bias.data.fill_(0.1)

loss_fn = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)

losses = []
for t in range(2000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())
    losses.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

linear_layer = model[0]
w = linear_layer.weight
print(f"Result: y = {linear_layer.bias.item():.4f} + {w[:, 0].item():.4f} x "
      f"+ {w[:, 1].item():.4f} x^2 + {w[:, 2].item():.4f} x^3")
RESULT = {"losses": losses[::100] + [losses[-1]],
          "coefficients": [linear_layer.bias.item()] + w.detach().flatten().tolist()}
