"""A word-level language model (Embedding, a 2-layer LSTM, a Linear decoder) trained by
truncated backpropagation through time with gradient clipping and a hand-written SGD step
through .data, then saved and reloaded (in the style of PyTorch's examples:
word_language_model; the corpus is a small made-up one)."""

import io
import math

import numpy as np
import torch
import torch.nn as nn

corpus = ("the cat sat on the mat . the dog sat on the log . a cat saw a dog . "
          "the dog saw the cat on the mat . a dog sat on a log .").split() * 6
vocab = sorted(set(corpus))
ids = torch.tensor([vocab.index(w) for w in corpus], dtype=torch.long)


def batchify(data, bsz):
    """Cut the id stream into bsz columns: (length, bsz)."""
    nbatch = data.size(0) // bsz
    data = data[:nbatch * bsz]
    return data.view(bsz, -1).t().contiguous()


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid, self.nlayers = nhid, nlayers

    def forward(self, input, hidden):
        emb = self.encoder(input)
        output, hidden = self.rnn(emb, hidden)
        decoded = self.decoder(output).view(-1, self.decoder.out_features)
        return decoded, hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                weight.new_zeros(self.nlayers, bsz, self.nhid))


def repackage_hidden(h):
    """Cut the graph between chunks: backpropagation stops at the chunk's start."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def get_batch(source, i, bptt=6):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


train_data = batchify(ids, 4)
ntokens = len(vocab)
model = RNNModel(ntokens, 16, 32, 2)
rng = np.random.default_rng(1)
for p in model.parameters():  # the same start in both runs
    p.data.copy_(torch.from_numpy(rng.uniform(-0.3, 0.3, tuple(p.shape)).astype(np.float32)))
criterion = nn.CrossEntropyLoss()
lr, clip = 5.0, 0.5


def evaluate(model, data):
    model.eval()
    total = 0.0
    hidden = model.init_hidden(4)
    with torch.no_grad():
        for i in range(0, data.size(0) - 1, 6):
            inputs, targets = get_batch(data, i)
            output, hidden = model(inputs, hidden)
            total += len(inputs) * criterion(output, targets).item()
    return total / (len(data) - 1)


epoch_losses = []
for epoch in range(1, 9):
    model.train()
    hidden = model.init_hidden(4)
    total_loss = 0.0
    for batch, i in enumerate(range(0, train_data.size(0) - 1, 6)):
        data, targets = get_batch(train_data, i)
        model.zero_grad()
        hidden = repackage_hidden(hidden)
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        total_loss += loss.item()
    val_loss = evaluate(model, train_data)
    epoch_losses.append(val_loss)
    print(f"| epoch {epoch:3d} | loss {val_loss:5.2f} | ppl {math.exp(val_loss):8.2f}")

with io.BytesIO() as f:
    torch.save(model.state_dict(), f)
    f.seek(0)
    reloaded = RNNModel(ntokens, 16, 32, 2)
    reloaded.load_state_dict(torch.load(f))
reloaded_loss = evaluate(reloaded, train_data)
print(f"reloaded: loss {reloaded_loss:5.2f}")

RESULT = {"losses": epoch_losses, "reloaded": reloaded_loss,
          "perplexity": math.exp(epoch_losses[-1])}
