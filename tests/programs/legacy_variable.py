"""Linear regression written the way pre-0.4 PyTorch code (old courses, old answers) still
reads: Variable wrappers, .data arithmetic on weights and gradients, grad.data.zero_()."""

import numpy as np
import torch
from torch.autograd import Variable

rng = np.random.default_rng(3)
x_np = rng.standard_normal((100, 3)).astype(np.float32)
true_w = np.array([[2.0], [-3.0], [0.5]], dtype=np.float32)
y_np = x_np @ true_w + 1.0 + 0.1 * rng.standard_normal((100, 1)).astype(np.float32)

dtype = torch.FloatTensor
x = Variable(torch.from_numpy(x_np).type(dtype), requires_grad=False)
y = Variable(torch.from_numpy(y_np).type(dtype), requires_grad=False)
w = Variable(torch.zeros(3, 1).type(dtype), requires_grad=True)
b = Variable(torch.zeros(1).type(dtype), requires_grad=True)

learning_rate = 0.05
losses = []
for t in range(200):
    y_pred = x.mm(w) + b
    loss = (y_pred - y).pow(2).mean()
    losses.append(loss.data.item())
    loss.backward()
    w.data -= learning_rate * w.grad.data
    b.data -= learning_rate * b.grad.data
    w.grad.data.zero_()
    b.grad.data.zero_()

print("learnt", w.data.view(-1).tolist(), b.data.item())
RESULT = {"losses": losses[::20] + [losses[-1]], "w": w.data.view(-1).tolist(),
          "b": b.data.item()}
