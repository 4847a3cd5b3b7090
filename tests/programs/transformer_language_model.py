"""A Transformer language model in the style of PyTorch's tutorial "Language modeling with
nn.Transformer" (and the examples' word_language_model, Transformer variant): an
Embedding scaled by sqrt(d_model), a sinusoidal positional encoding registered as a buffer,
a TransformerEncoder under a causal mask, a Linear decoder, cross entropy, gradient
clipping, SGD with a StepLR schedule, then a few Adam steps, an evaluation under no_grad and
a save and reload. The corpus is a small made-up one; dropout is 0 so that both libraries
do the same arithmetic (the weights come from NumPy's generator)."""

import copy
import io
import math

import numpy as np
import torch
from torch import nn
from torch.nn import TransformerEncoder, TransformerEncoderLayer

corpus = ("the cat sat on the mat . the dog sat on the log . a cat saw a dog . "
          "the dog saw the cat on the mat . a dog sat on a log .").split() * 4
vocab = sorted(set(corpus))
ids = torch.tensor([vocab.index(w) for w in corpus], dtype=torch.long)


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):
        """x: (seq_len, batch_size, embedding_dim)"""
        x = x + self.pe[:x.size(0)]
        return self.dropout(x)


class TransformerModel(nn.Module):
    def __init__(self, ntoken, d_model, nhead, d_hid, nlayers, dropout=0.5):
        super().__init__()
        self.model_type = "Transformer"
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        encoder_layers = TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = TransformerEncoder(encoder_layers, nlayers, enable_nested_tensor=False)
        self.embedding = nn.Embedding(ntoken, d_model)
        self.d_model = d_model
        self.linear = nn.Linear(d_model, ntoken)

    def forward(self, src, src_mask=None):
        """src: (seq_len, batch_size) -> (seq_len, batch_size, ntoken)"""
        src = self.embedding(src) * math.sqrt(self.d_model)
        src = self.pos_encoder(src)
        output = self.transformer_encoder(src, src_mask)
        return self.linear(output)


def batchify(data, bsz):
    seq_len = data.size(0) // bsz
    data = data[:seq_len * bsz]
    return data.view(bsz, seq_len).t().contiguous()


bptt = 8


def get_batch(source, i):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].reshape(-1)
    return data, target


train_data = batchify(ids, 4)
ntokens = len(vocab)
model = TransformerModel(ntokens, d_model=16, nhead=2, d_hid=32, nlayers=2, dropout=0.0)
rng = np.random.default_rng(3)
with torch.no_grad():  # the same start in both runs, parameter by parameter
    for name, p in model.named_parameters():
        scale = 0.1 if p.dim() > 1 else 0.02
        p.copy_(torch.from_numpy(rng.uniform(-scale, scale, tuple(p.shape)).astype(np.float32)))
criterion = nn.CrossEntropyLoss()


def train_steps(optimizer, scheduler=None, epochs=1):
    losses = []
    for _ in range(epochs):
        model.train()
        for i in range(0, train_data.size(0) - 1, bptt):
            data, targets = get_batch(train_data, i)
            src_mask = nn.Transformer.generate_square_subsequent_mask(data.size(0))
            output = model(data, src_mask)
            loss = criterion(output.view(-1, ntokens), targets)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()
            losses.append(loss.item())
        if scheduler is not None:
            scheduler.step()
    return losses


def evaluate(eval_model, data_source):
    eval_model.eval()
    total_loss = 0.0
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, bptt):
            data, targets = get_batch(data_source, i)
            src_mask = nn.Transformer.generate_square_subsequent_mask(data.size(0))
            output = eval_model(data, src_mask)
            total_loss += data.size(0) * criterion(output.view(-1, ntokens), targets).item()
    return total_loss / (len(data_source) - 1)


sgd = torch.optim.SGD(model.parameters(), lr=1.0)
scheduler = torch.optim.lr_scheduler.StepLR(sgd, 1.0, gamma=0.95)
sgd_losses = train_steps(sgd, scheduler, epochs=4)
adam = torch.optim.Adam(model.parameters(), lr=1e-2)
adam_losses = train_steps(adam, epochs=6)
val_loss = evaluate(model, train_data)
best_model = copy.deepcopy(model)  # the tutorial keeps its best model so
print(f"| sgd {sgd_losses[-1]:5.3f} | adam {adam_losses[-1]:5.3f} | eval {val_loss:5.3f} "
      f"| ppl {math.exp(val_loss):7.2f} | lr {scheduler.get_last_lr()[0]:.4f}")

with io.BytesIO() as f:
    torch.save(model.state_dict(), f)
    f.seek(0)
    reloaded = TransformerModel(ntokens, d_model=16, nhead=2, d_hid=32, nlayers=2, dropout=0.0)
    reloaded.load_state_dict(torch.load(f))
reloaded_loss = evaluate(reloaded, train_data)

RESULT = {"sgd_losses": sgd_losses, "adam_losses": adam_losses, "eval_loss": val_loss,
          "reloaded": reloaded_loss, "best_model": evaluate(best_model, train_data),
          "lr": scheduler.get_last_lr()[0],
          "keys": list(model.state_dict())}
