"""Classify small 8x8 "clothing" images into 10 classes with an MLP: Dataset, DataLoader,
a train and a test function, the model saved and loaded back (in the style of PyTorch's
quickstart tutorial; the images are made here instead of downloading FashionMNIST)."""

import io

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_images(count, rng, prototypes):
    """Noisy copies of 10 prototype images, with their labels."""
    labels = rng.integers(0, 10, count)
    images = prototypes[labels] + 0.8 * rng.standard_normal((count, 1, 8, 8))
    return (torch.from_numpy(images.astype(np.float32)),
            torch.from_numpy(labels.astype(np.int64)))


rng = np.random.default_rng(0)
prototypes = rng.standard_normal((10, 1, 8, 8)) * 0.6
training_data = TensorDataset(*make_images(1200, rng, prototypes))
test_data = TensorDataset(*make_images(400, rng, prototypes))

batch_size = 64
train_dataloader = DataLoader(training_data, batch_size=batch_size)
test_dataloader = DataLoader(test_data, batch_size=batch_size)
for X, y in test_dataloader:
    print(f"Shape of X [N, C, H, W]: {X.shape}")
    print(f"Shape of y: {y.shape} {y.dtype}")
    break

device = "cuda" if torch.cuda.is_available() else "cpu"
print(f"Using {device} device")


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(8 * 8, 64),
            nn.ReLU(),
            nn.Linear(64, 64),
            nn.ReLU(),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork().to(device)
print(model)
for name, param in model.named_parameters():  # the same start in both runs
    param.data.copy_(torch.from_numpy(
        rng.uniform(-0.12, 0.12, tuple(param.shape)).astype(np.float32)))

loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=5e-2)


def train(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 10 == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")
    return loss if isinstance(loss, float) else loss.item()


def test(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return test_loss, correct


epochs = 4
history = []
for t in range(epochs):
    print(f"Epoch {t+1}\n-------------------------------")
    last = train(train_dataloader, model, loss_fn, optimizer)
    history.append((last, *test(test_dataloader, model, loss_fn)))
print("Done!")

# save the weights and load them into a new model, through memory instead of a file
buffer = io.BytesIO()
torch.save(model.state_dict(), buffer)
buffer.seek(0)
model = NeuralNetwork().to(device)
model.load_state_dict(torch.load(buffer, weights_only=True))

classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
model.eval()
x, y = test_data[0][0], test_data[0][1]
with torch.no_grad():
    x = x.to(device)
    pred = model(x.unsqueeze(0))
    predicted, actual = classes[pred[0].argmax(0)], classes[y]
    print(f'Predicted: "{predicted}", Actual: "{actual}"')

RESULT = {"train_loss": [h[0] for h in history], "test_loss": [h[1] for h in history],
          "accuracy": [h[2] for h in history],
          "reloaded": list(test(test_dataloader, model, loss_fn)),
          "first_prediction": predicted}
