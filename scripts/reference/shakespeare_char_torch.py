#!/usr/bin/env python3
"""Independent PyTorch reference for nanoGPT's shakespeare-char CPU recipe (issue 3).

Why: backend-cpu must reach nanoGPT's published validation loss (1.88) on this recipe at twice PyTorch's
tokens/s. This script trains the same model with PyTorch (written from the recipe's description, not copied
from nanoGPT) so that our Java trainer's loss and speed can be compared with a reference run on the same
machine, the same data split and the same loss estimators.

Recipe: character vocabulary of the whole text (sorted unique chars), first 90% train / last 10% val;
GPT with 4 layers, 4 heads, 128 wide, context 64, batch 12, no dropout, no biases (LayerNorm without bias
too), pre-LN blocks, exact-erf GELU, MLP 4x, learned positions, lm_head tied to the token embedding, final
LayerNorm; init N(0, 0.02), residual projections N(0, 0.02/sqrt(2 n_layer)); AdamW lr 1e-3, betas
(0.9, 0.99), eps 1e-8, weight decay 0.1 on params with dim >= 2; 100 warm-up steps then cosine decay to 1e-4
at step 2000; gradient clipping at global norm 1.0; random windows; 2000 steps.

At the end it prints three validation estimates: over --eval-batches fixed seeded batches (our Java
trainer's estimator), over 20 random batches (nanoGPT's --eval_iters=20) together with that estimate's
spread over --spread batch seeds, and over every non-overlapping 64-token window of the validation split
(deterministic; each validation target counted once). Then ms/iteration and tokens/s of the training steps
alone (evaluation excluded).

Needs PyTorch (Debian: apt-get install python3-torch python3-numpy; tested with 1.13). Debian's torch calls
whatever libblas.so.3 the alternatives system selects: with the reference BLAS alone (libblas3) a step takes
seconds; install libopenblas0-pthread (the issue's "PyTorch 1.13 with OpenBLAS") before timing anything.
Usage: python3 scripts/reference/shakespeare_char_torch.py --seed 1337 --threads 2
"""
import argparse
import ctypes
import math
import os
import time

# Idle OpenMP threads sleep instead of spinning: on a small machine shared with other work, spinning threads
# make a step 2-8x slower here (set OMP_WAIT_POLICY=active to measure the default). Read when torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/work/shared/data/tinyshakespeare.txt"
N_LAYER, N_HEAD, N_EMBD, BLOCK, BATCH = 4, 4, 128, 64, 12
LR, MIN_LR, WARMUP, DECAY_ITERS = 1e-3, 1e-4, 100, 2000
EVAL_SEED = 20240601  # fixed windows of the --eval-batches estimate, the same for every run


def load_data(path=DATA):
    """(vocab, train, val): sorted unique characters and the 90/10 split as int64 tensors."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    vocab = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(vocab)}
    ids = torch.tensor([stoi[ch] for ch in text], dtype=torch.long)
    cut = int(0.9 * len(ids))
    return vocab, ids[:cut], ids[cut:]


def get_batch(data, generator=None):
    """BATCH random windows of BLOCK tokens and their targets shifted by one."""
    ix = torch.randint(len(data) - BLOCK, (BATCH,), generator=generator)
    x = torch.stack([data[i:i + BLOCK] for i in ix.tolist()])
    y = torch.stack([data[i + 1:i + 1 + BLOCK] for i in ix.tolist()])
    return x, y


class LayerNorm(nn.Module):
    """LayerNorm with a weight and no bias (torch 1.13's nn.LayerNorm cannot drop only the bias)."""

    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, None, 1e-5)


class Block(nn.Module):
    """Pre-LN block: x + attn(ln_1(x)), then x + mlp(ln_2(x))."""

    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = LayerNorm(N_EMBD), LayerNorm(N_EMBD)
        self.c_attn = nn.Linear(N_EMBD, 3 * N_EMBD, bias=False)
        self.attn_proj = nn.Linear(N_EMBD, N_EMBD, bias=False)
        self.c_fc = nn.Linear(N_EMBD, 4 * N_EMBD, bias=False)
        self.mlp_proj = nn.Linear(4 * N_EMBD, N_EMBD, bias=False)
        self.register_buffer("mask", torch.tril(torch.ones(BLOCK, BLOCK, dtype=torch.bool)))

    def attention(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q, k, v = (z.view(b, t, N_HEAD, c // N_HEAD).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(c // N_HEAD)
        att = att.masked_fill(~self.mask[:t, :t], float("-inf")).softmax(dim=-1)
        return self.attn_proj((att @ v).transpose(1, 2).reshape(b, t, c))

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    """Token + learned position embeddings, N_LAYER pre-LN blocks, final LayerNorm, lm_head tied to wte."""

    def __init__(self, vocab_size):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, N_EMBD)
        self.wpe = nn.Embedding(BLOCK, N_EMBD)
        self.blocks = nn.ModuleList(Block() for _ in range(N_LAYER))
        self.ln_f = LayerNorm(N_EMBD)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
        for blk in self.blocks:
            for proj in (blk.attn_proj, blk.mlp_proj):
                nn.init.normal_(proj.weight, 0.0, 0.02 / math.sqrt(2 * N_LAYER))

    def forward(self, idx, targets):
        pos = torch.arange(idx.shape[1])
        x = self.wte(idx) + self.wpe(pos)
        for blk in self.blocks:
            x = blk(x)
        logits = self.ln_f(x) @ self.wte.weight.t()
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))


def lr_at(it):
    """nanoGPT's schedule: linear warm-up, then cosine decay from LR to MIN_LR at DECAY_ITERS."""
    if it < WARMUP:
        return LR * (it + 1) / (WARMUP + 1)
    if it > DECAY_ITERS:
        return MIN_LR
    ratio = (it - WARMUP) / (DECAY_ITERS - WARMUP)
    return MIN_LR + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (LR - MIN_LR)


@torch.no_grad()
def estimate(model, data, batches, seed):
    """Mean loss over `batches` random batches drawn from a generator seeded with `seed`."""
    model.eval()
    g = torch.Generator().manual_seed(seed)
    mean = float(np.mean([model(*get_batch(data, g)).item() for _ in range(batches)]))
    model.train()
    return mean


@torch.no_grad()
def full_loss(model, data):
    """Mean loss over every non-overlapping BLOCK window of `data` (each target counted once)."""
    model.eval()
    n = (len(data) - 1) // BLOCK
    x = data[:n * BLOCK].view(n, BLOCK)
    y = data[1:n * BLOCK + 1].view(n, BLOCK)
    total = sum(model(x[i:i + 64], y[i:i + 64]).item() * len(x[i:i + 64]) for i in range(0, n, 64))
    model.train()
    return total / n


def report_losses(model, train, val, eval_batches, spread):
    """Prints the loss estimators (shared with eval_checkpoint_torch.py)."""
    print(f"val loss, {eval_batches} fixed batches (seed {EVAL_SEED}): {estimate(model, val, eval_batches, EVAL_SEED):.4f}")
    print(f"train loss, {eval_batches} fixed batches:             {estimate(model, train, eval_batches, EVAL_SEED):.4f}")
    twenty = [estimate(model, val, 20, s) for s in range(spread)]
    print(f"val loss, 20 batches (nanoGPT --eval_iters=20), batch seed 0: {twenty[0]:.4f}")
    print(f"  spread over batch seeds 0..{spread - 1}: mean {np.mean(twenty):.4f} sd {np.std(twenty, ddof=1):.4f} "
          f"min {min(twenty):.4f} max {max(twenty):.4f}")
    print(f"val loss, all {(len(val) - 1) // BLOCK} non-overlapping windows: {full_loss(model, val):.4f}")


def set_threads(n):
    """Sets torch's threads and OpenBLAS's (torch does not tell a Debian-built OpenBLAS); returns the BLAS name."""
    torch.set_num_threads(n)
    try:
        blas = ctypes.CDLL("libblas.so.3")
    except OSError:
        return "no libblas.so.3 found"
    if not hasattr(blas, "openblas_set_num_threads"):
        return "reference BLAS (slow: install libopenblas0-pthread)"
    blas.openblas_set_num_threads(n)
    return f"OpenBLAS, {blas.openblas_get_num_threads()} threads"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--iters", type=int, default=2000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--eval-batches", type=int, default=200)
    p.add_argument("--spread", type=int, default=10, help="batch seeds for the spread of the 20-batch estimate")
    p.add_argument("--log-interval", type=int, default=250)
    a = p.parse_args()
    blas = set_threads(a.threads)
    torch.manual_seed(a.seed)  # the global generator draws the weights, then the training batches (as nanoGPT)
    vocab, train, val = load_data()
    model = GPT(len(vocab))
    decay = [q for q in model.parameters() if q.dim() >= 2]
    no_decay = [q for q in model.parameters() if q.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=LR, betas=(0.9, 0.99), eps=1e-8)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {blas}, OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']} | vocab {len(vocab)} | "
          f"{len(train):,} train / {len(val):,} val tokens | {sum(q.numel() for q in model.parameters()):,} parameters")
    start, train_s = time.perf_counter(), 0.0
    for it in range(a.iters):
        t0 = time.perf_counter()
        for group in opt.param_groups:
            group["lr"] = lr_at(it)
        loss = model(*get_batch(train))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        train_s += time.perf_counter() - t0
        if (it + 1) % a.log_interval == 0 or it == 0:
            print(f"step {it + 1:5d}  batch loss {loss.item():.4f}  lr {lr_at(it):.2e}  {1000 * train_s / (it + 1):.1f} ms/it",
                  flush=True)
    report_losses(model, train, val, a.eval_batches, a.spread)
    print(f"ms/iteration (training steps only): {1000 * train_s / a.iters:.2f}")
    print(f"tokens/s: {BATCH * BLOCK * a.iters / train_s:,.0f}")
    print(f"wall time: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
