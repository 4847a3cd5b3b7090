"""A sequence-to-sequence Transformer in the style of PyTorch's tutorial "Language
translation with nn.Transformer": token embeddings scaled by sqrt(emb_size), a positional
encoding buffer, nn.Transformer with a causal target mask built from triu(ones) == 1,
bool padding masks for source, target and memory, CrossEntropyLoss(ignore_index=PAD),
Adam(betas=(0.9, 0.98), eps=1e-9), then greedy decoding through transformer.encoder and
transformer.decoder. The "language pair" is made up: the target sentence is the source
sentence reversed. Dropout is 0 and the weights come from NumPy's generator, so both
libraries do the same arithmetic."""

import math

import numpy as np
import torch
import torch.nn as nn
from torch import Tensor
from torch.nn import Transformer

PAD_IDX, BOS_IDX, EOS_IDX = 1, 2, 3
VOCAB = 12  # words 4..11


class PositionalEncoding(nn.Module):
    def __init__(self, emb_size, dropout, maxlen=50):
        super().__init__()
        den = torch.exp(- torch.arange(0, emb_size, 2) * math.log(10000) / emb_size)
        pos = torch.arange(0, maxlen).reshape(maxlen, 1)
        pos_embedding = torch.zeros((maxlen, emb_size))
        pos_embedding[:, 0::2] = torch.sin(pos * den)
        pos_embedding[:, 1::2] = torch.cos(pos * den)
        pos_embedding = pos_embedding.unsqueeze(-2)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("pos_embedding", pos_embedding)

    def forward(self, token_embedding: Tensor):
        return self.dropout(token_embedding + self.pos_embedding[:token_embedding.size(0), :])


class TokenEmbedding(nn.Module):
    def __init__(self, vocab_size, emb_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_size)
        self.emb_size = emb_size

    def forward(self, tokens: Tensor):
        return self.embedding(tokens.long()) * math.sqrt(self.emb_size)


class Seq2SeqTransformer(nn.Module):
    def __init__(self, num_encoder_layers, num_decoder_layers, emb_size, nhead, src_vocab_size,
                 tgt_vocab_size, dim_feedforward=512, dropout=0.1):
        super().__init__()
        self.transformer = Transformer(d_model=emb_size, nhead=nhead,
                                       num_encoder_layers=num_encoder_layers,
                                       num_decoder_layers=num_decoder_layers,
                                       dim_feedforward=dim_feedforward, dropout=dropout)
        self.generator = nn.Linear(emb_size, tgt_vocab_size)
        self.src_tok_emb = TokenEmbedding(src_vocab_size, emb_size)
        self.tgt_tok_emb = TokenEmbedding(tgt_vocab_size, emb_size)
        self.positional_encoding = PositionalEncoding(emb_size, dropout=dropout)

    def forward(self, src, trg, src_mask, tgt_mask, src_padding_mask, tgt_padding_mask,
                memory_key_padding_mask):
        src_emb = self.positional_encoding(self.src_tok_emb(src))
        tgt_emb = self.positional_encoding(self.tgt_tok_emb(trg))
        outs = self.transformer(src_emb, tgt_emb, src_mask, tgt_mask, None,
                                src_padding_mask, tgt_padding_mask, memory_key_padding_mask)
        return self.generator(outs)

    def encode(self, src, src_mask):
        return self.transformer.encoder(self.positional_encoding(self.src_tok_emb(src)), src_mask)

    def decode(self, tgt, memory, tgt_mask):
        return self.transformer.decoder(self.positional_encoding(self.tgt_tok_emb(tgt)), memory, tgt_mask)


def generate_square_subsequent_mask(sz):
    mask = (torch.triu(torch.ones((sz, sz))) == 1).transpose(0, 1)
    return mask.float().masked_fill(mask == 0, float("-inf")).masked_fill(mask == 1, float(0.0))


def create_mask(src, tgt):
    src_seq_len, tgt_seq_len = src.shape[0], tgt.shape[0]
    tgt_mask = generate_square_subsequent_mask(tgt_seq_len)
    src_mask = torch.zeros((src_seq_len, src_seq_len)).type(torch.bool)
    src_padding_mask = (src == PAD_IDX).transpose(0, 1)
    tgt_padding_mask = (tgt == PAD_IDX).transpose(0, 1)
    return src_mask, tgt_mask, src_padding_mask, tgt_padding_mask


# ---------------------------------------------------------------- made-up data
rng = np.random.default_rng(5)


def sentence_pair():
    words = rng.integers(4, VOCAB, rng.integers(2, 6)).tolist()
    return [BOS_IDX] + words + [EOS_IDX], [BOS_IDX] + words[::-1] + [EOS_IDX]


def collate(pairs):
    """Pad to the longest sentence: (length, batch) tensors, as the tutorial's collate_fn."""
    width = max(max(len(s), len(t)) for s, t in pairs)
    src = [s + [PAD_IDX] * (width - len(s)) for s, _ in pairs]
    tgt = [t + [PAD_IDX] * (width - len(t)) for _, t in pairs]
    return torch.tensor(src).t().contiguous(), torch.tensor(tgt).t().contiguous()


batches = [collate([sentence_pair() for _ in range(4)]) for _ in range(6)]

transformer = Seq2SeqTransformer(2, 2, 16, 2, VOCAB, VOCAB, dim_feedforward=32, dropout=0.0)
for name, p in transformer.named_parameters():  # the same start in both runs
    bound = math.sqrt(6 / sum(p.shape[:2])) if p.dim() > 1 else 0.02
    p.data.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))
loss_fn = torch.nn.CrossEntropyLoss(ignore_index=PAD_IDX)
optimizer = torch.optim.Adam(transformer.parameters(), lr=0.003, betas=(0.9, 0.98), eps=1e-9)


def train_epoch(model, optimizer):
    model.train()
    losses = 0
    for src, tgt in batches:
        tgt_input = tgt[:-1, :]
        src_mask, tgt_mask, src_padding_mask, tgt_padding_mask = create_mask(src, tgt_input)
        logits = model(src, tgt_input, src_mask, tgt_mask, src_padding_mask, tgt_padding_mask,
                       src_padding_mask)
        optimizer.zero_grad()
        tgt_out = tgt[1:, :]
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1))
        loss.backward()
        optimizer.step()
        losses += loss.item()
    return losses / len(batches)


def greedy_decode(model, src, src_mask, max_len, start_symbol):
    memory = model.encode(src, src_mask)
    ys = torch.ones(1, 1).fill_(start_symbol).type(torch.long)
    for i in range(max_len - 1):
        tgt_mask = generate_square_subsequent_mask(ys.size(0)).type(torch.bool)
        out = model.decode(ys, memory, tgt_mask)
        out = out.transpose(0, 1)
        prob = model.generator(out[:, -1])
        _, next_word = torch.max(prob, dim=1)
        next_word = next_word.item()
        ys = torch.cat([ys, torch.ones(1, 1).type_as(src.data).fill_(next_word)], dim=0)
        if next_word == EOS_IDX:
            break
    return ys


epoch_losses = [train_epoch(transformer, optimizer) for _ in range(12)]
print("losses", " ".join(f"{x:.3f}" for x in epoch_losses))

transformer.eval()
src = torch.tensor([BOS_IDX, 5, 7, 9, EOS_IDX]).view(-1, 1)
with torch.no_grad():
    decoded = greedy_decode(transformer, src, torch.zeros(5, 5).type(torch.bool), 8, BOS_IDX)
print("decoded", decoded.flatten().tolist())

RESULT = {"losses": epoch_losses, "decoded": decoded.flatten().tolist()}
