"""A small convolutional classifier in the style of PyTorch's examples (mnist, dcgan):
weights drawn by a weights_init function through .data, channel dropout, a lazy first
fully connected layer, log_softmax with nll_loss, Adadelta with a StepLR schedule,
train/test loops over DataLoaders (the 12x12 images, four kinds of stripes, are made here).

The weights and the dropout masks come from each library's own random generator, so two
runs differ in their draws: they agree in outcome (accuracy, loss), not in every digit."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset


def stripes(count, rng):
    """12x12 images of horizontal, vertical, diagonal or anti-diagonal stripes, in noise."""
    labels = rng.integers(0, 4, count)
    r, c = np.mgrid[0:12, 0:12]
    patterns = np.stack([np.sin(r), np.sin(c), np.sin(r + c), np.sin(r - c)])
    images = patterns[labels] + 0.7 * rng.standard_normal((count, 12, 12))
    return TensorDataset(torch.from_numpy(images[:, None].astype(np.float32)),
                         torch.from_numpy(labels))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.dropout1 = nn.Dropout2d(0.1)
        self.fc1 = nn.LazyLinear(32)  # its input size is read from the first batch
        self.fc2 = nn.Linear(32, 4)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return F.log_softmax(self.fc2(x), dim=1)


def weights_init(m):
    if isinstance(m, nn.Conv2d):
        m.weight.data.normal_(0.0, 0.2)
        m.bias.data.fill_(0)


def train(model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % 10 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]"
                  f"\tLoss: {loss.item():.6f}")
    return loss.item()


def test(model, device, test_loader):
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    print(f"\nTest set: Average loss: {test_loss:.4f}, Accuracy: {correct}/"
          f"{len(test_loader.dataset)} ({100. * correct / len(test_loader.dataset):.0f}%)\n")
    return test_loss, correct / len(test_loader.dataset)


torch.manual_seed(1)
use_cuda = torch.cuda.is_available()
device = torch.device("cuda" if use_cuda else "cpu")
rng = np.random.default_rng(0)
train_loader = DataLoader(stripes(600, rng), batch_size=32, shuffle=True)
test_loader = DataLoader(stripes(200, rng), batch_size=100)

model = Net().to(device)
model.apply(weights_init)
optimizer = optim.Adadelta(model.parameters(), lr=1.0)  # made before fc1 knows its size
scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
results = []
for epoch in range(1, 4):
    last = train(model, device, train_loader, optimizer, epoch)
    results.append((last, *test(model, device, test_loader)))
    scheduler.step()

RESULT = {"train_loss": [r[0] for r in results], "test_loss": [r[1] for r in results],
          "accuracy": [r[2] for r in results], "fc1_in": model.fc1.in_features,
          "lr": optimizer.param_groups[0]["lr"]}
