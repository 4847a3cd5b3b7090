"""The Transformer variant of a word-level language model, in the style of PyTorch's
examples (word_language_model, --model Transformer): a subclass of nn.Transformer that keeps
its encoder and replaces its decoder by a Linear, a positional-encoding buffer, a causal
mask made as log(tril(ones)), log_softmax with NLLLoss, gradient clipping and a hand-written
SGD step through .data; then saved and reloaded. The dropout layers (and the attention
dropout) are set to 0 after construction so that both libraries do the same arithmetic
from the same weights (NumPy's generator); the corpus is a small made-up one."""

import io
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

corpus = ("the cat sat on the mat . the dog sat on the log . a cat saw a dog . "
          "the dog saw the cat on the mat . a dog sat on a log .").split() * 6
vocab = sorted(set(corpus))
ids = torch.tensor([vocab.index(w) for w in corpus], dtype=torch.long)


class PositionalEncoding(nn.Module):
    """PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...), as a buffer."""

    def __init__(self, d_model, dropout=0.1, max_len=500):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe.unsqueeze(0).transpose(0, 1))

    def forward(self, x):
        return self.dropout(x + self.pe[:x.size(0), :])


class TransformerModel(nn.Transformer):
    """nn.Transformer's encoder; its decoder replaced by a Linear to the vocabulary."""

    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.5):
        super().__init__(d_model=ninp, nhead=nhead, dim_feedforward=nhid,
                         num_encoder_layers=nlayers)
        self.model_type = "Transformer"
        self.src_mask = None
        self.pos_encoder = PositionalEncoding(ninp, dropout)
        self.input_emb = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)

    def _generate_square_subsequent_mask(self, sz):
        return torch.log(torch.tril(torch.ones(sz, sz)))  # 0 on and below the diagonal, -inf above

    def forward(self, src, has_mask=True):
        if has_mask:
            if self.src_mask is None or self.src_mask.size(0) != len(src):
                self.src_mask = self._generate_square_subsequent_mask(len(src)).to(src.device)
        else:
            self.src_mask = None
        src = self.input_emb(src) * math.sqrt(self.ninp)
        src = self.pos_encoder(src)
        output = self.encoder(src, mask=self.src_mask)
        output = self.decoder(output)
        return F.log_softmax(output, dim=-1)


def make_model():
    model = TransformerModel(len(vocab), 16, 2, 32, 2, dropout=0.0)
    for module in model.modules():  # no dropout anywhere: the same arithmetic in both runs
        if isinstance(module, nn.Dropout):
            module.p = 0.0
        if isinstance(module, nn.MultiheadAttention):
            module.dropout = 0.0
    return model


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data[:nbatch * bsz].view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt=7):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].view(-1)


train_data = batchify(ids, 4)
ntokens = len(vocab)
model = make_model()
rng = np.random.default_rng(2)
for name, p in model.named_parameters():  # the same start in both runs
    scale = 0.2 if p.dim() > 1 else 0.02
    p.data.copy_(torch.from_numpy(rng.uniform(-scale, scale, tuple(p.shape)).astype(np.float32)))
criterion = nn.NLLLoss()
lr, clip = 1.0, 0.25


def evaluate(eval_model, data_source):
    eval_model.eval()
    total = 0.0
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, 7):
            data, targets = get_batch(data_source, i)
            output = eval_model(data).view(-1, ntokens)
            total += len(data) * criterion(output, targets).item()
    return total / (len(data_source) - 1)


step_losses, epoch_losses = [], []
for epoch in range(1, 7):
    model.train()
    for i in range(0, train_data.size(0) - 1, 7):
        data, targets = get_batch(train_data, i)
        model.zero_grad()
        output = model(data).view(-1, ntokens)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        step_losses.append(loss.item())
    epoch_losses.append(evaluate(model, train_data))
    print(f"| epoch {epoch:3d} | valid loss {epoch_losses[-1]:5.2f} | ppl {math.exp(epoch_losses[-1]):8.2f}")

with io.BytesIO() as f:
    torch.save(model.state_dict(), f)
    f.seek(0)
    reloaded = make_model()
    reloaded.load_state_dict(torch.load(f))
reloaded_loss = evaluate(reloaded, train_data)

RESULT = {"step_losses": step_losses, "losses": epoch_losses, "reloaded": reloaded_loss,
          "perplexity": math.exp(epoch_losses[-1]), "keys": list(model.state_dict())}
