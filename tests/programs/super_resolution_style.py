"""Sub-pixel super-resolution in the style of PyTorch's examples (super_resolution): four
convolutions, the last with upscale_factor^2 channels, rearranged into a larger image by
nn.PixelShuffle; orthogonal initialisation with ReLU's gain; Adam on MSELoss over a
DataLoader; PSNR on a test set; saved and reloaded. The images are small made-up smooth
ones (sums of sinusoids) instead of BSDS300; the weights are initialised by each library,
then overwritten from NumPy's generator so that both runs start equal."""

import io
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.init as init
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self, upscale_factor):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 16, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(16, 16, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(16, 8, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(8, upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)
        self._initialize_weights()

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        return self.pixel_shuffle(self.conv4(x))

    def _initialize_weights(self):
        init.orthogonal_(self.conv1.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv2.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv3.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv4.weight)


def images(n, size, rng):
    """Smooth grey images in [0, 1]: a few random sinusoids each."""
    y, x = np.mgrid[0:size, 0:size] / size
    out = np.zeros((n, 1, size, size))
    for k in range(n):
        for _ in range(3):
            fx, fy, phase = rng.uniform(0.5, 3, 2).tolist() + [rng.uniform(0, 2 * math.pi)]
            out[k, 0] += np.sin(2 * math.pi * (fx * x + fy * y) + phase)
    return ((out - out.min()) / (out.max() - out.min())).astype(np.float32)


def downscale(hr, factor):
    n, c, h, w = hr.shape
    return hr.reshape(n, c, h // factor, factor, w // factor, factor).mean(axis=(3, 5))


upscale_factor = 2
rng = np.random.default_rng(4)
train_hr, test_hr = images(16, 16, rng), images(4, 16, rng)
train_set = TensorDataset(torch.from_numpy(downscale(train_hr, 2)), torch.from_numpy(train_hr))
test_set = TensorDataset(torch.from_numpy(downscale(test_hr, 2)), torch.from_numpy(test_hr))
training_data_loader = DataLoader(dataset=train_set, batch_size=4, shuffle=False)
testing_data_loader = DataLoader(dataset=test_set, batch_size=2, shuffle=False)

model = Net(upscale_factor=upscale_factor)
with torch.no_grad():  # the same start in both runs (each library's orthogonal_ draws its own)
    for name, p in model.named_parameters():
        fan_in = p[0].numel() if p.dim() > 1 else 16
        p.copy_(torch.from_numpy(rng.normal(0, 1 / math.sqrt(fan_in), tuple(p.shape)).astype(np.float32)))
criterion = nn.MSELoss()
optimizer = optim.Adam(model.parameters(), lr=0.01)


def train(epoch):
    epoch_loss = 0
    for iteration, batch in enumerate(training_data_loader, 1):
        input, target = batch[0], batch[1]
        optimizer.zero_grad()
        loss = criterion(model(input), target)
        epoch_loss += loss.item()
        loss.backward()
        optimizer.step()
    return epoch_loss / len(training_data_loader)


def test(net):
    avg_psnr = 0
    with torch.no_grad():
        for batch in testing_data_loader:
            input, target = batch[0], batch[1]
            mse = criterion(net(input), target)
            avg_psnr += 10 * math.log10(1 / mse.item())
    return avg_psnr / len(testing_data_loader)


losses, psnrs = [], []
for epoch in range(1, 9):
    losses.append(train(epoch))
    psnrs.append(test(model))
    print(f"===> Epoch {epoch} Complete: Avg. Loss: {losses[-1]:.4f}, Avg. PSNR: {psnrs[-1]:.4f} dB")

with io.BytesIO() as f:
    torch.save(model.state_dict(), f)
    f.seek(0)
    reloaded = Net(upscale_factor=upscale_factor)
    reloaded.load_state_dict(torch.load(f))

RESULT = {"losses": losses, "psnr": psnrs, "reloaded_psnr": test(reloaded)}
