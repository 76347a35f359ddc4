#!/usr/bin/env python3
"""GPT-2-small training steps in PyTorch: the reference of scripts/bench/Gpt2TrainStepBench.java (issue 17).

The same work as the Java side: nanoGPT's model.py restated here (not imported): learned positions, pre-LN blocks
with LayerNorm (bias), fused c_attn [3C, C], causal softmax(q k^T / sqrt(d)) v (F.scaled_dot_product_attention
when this torch has it, as nanoGPT; else nanoGPT's explicit masked softmax), exact GELU MLP (4C), final LayerNorm,
head tied to wte, mean cross-entropy; nanoGPT's init (N(0, 0.02), c_proj N(0, 0.02/sqrt(2L)), zero biases).
One step = forward + backward, clip_grad_norm_(1.0), torch.optim.AdamW(lr 6e-4, betas (0.9, 0.95), eps 1e-8,
weight decay 0.1 on tensors of rank >= 2, 0 on biases and norms: nanoGPT's configure_optimizers), zero_grad.
Defaults: 12 layers x 768, 12 heads, vocabulary 50257, context 1024, batch 4 x 256, dropout 0.

With --init DIR it starts from DIR/weights.safetensors and trains on DIR/batch.safetensors, both written by
`Gpt2TrainStepBench --dump DIR` (read with json + numpy, no safetensors package), so the losses of each step can be
set against the Java side's; the model shape then comes from the weights. Without it, the weights and the batch are
drawn here (the timing does not depend on the values).
Prints each step's ms and loss, then median and best ms, tokens/s and peak RSS (ru_maxrss).

Usage: /usr/bin/python3 scripts/reference/gpt2_train_step_torch.py [--layers 12] [--width 768] [--heads 12]
       [--vocab 50257] [--context 1024] [--batch 4] [--seq 256] [--warmup 2] [--steps 5] [--threads 2] [--init DIR]
"""
import argparse
import json
import math
import os
import resource
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_safetensors(path):
    """Every tensor of a safetensors file (F32 or I32), by name."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        kinds = {"F32": "<f4", "I32": "<i4", "I64": "<i8"}
        if e["dtype"] not in kinds:
            raise ValueError(f"{path}: {name} has dtype {e['dtype']}; only F32, I32 and I64 are read")
        out[name] = torch.from_numpy(np.asarray(data[b:end]).view(kinds[e["dtype"]]).reshape(e["shape"]).copy())
    return out


class CausalSelfAttention(nn.Module):
    def __init__(self, c, heads, context):
        super().__init__()
        self.c_attn = nn.Linear(c, 3 * c)
        self.c_proj = nn.Linear(c, c)
        self.heads = heads
        self.flash = hasattr(F, "scaled_dot_product_attention")
        if not self.flash:
            self.register_buffer("bias", torch.tril(torch.ones(context, context)).view(1, 1, context, context),
                                 persistent=False)

    def forward(self, x):
        b, t, c = x.size()
        q, k, v = self.c_attn(x).split(c, dim=2)
        k = k.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        q = q.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        v = v.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        if self.flash:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :t, :t] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            y = att @ v
        y = y.transpose(1, 2).contiguous().view(b, t, c)
        return self.c_proj(y)


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c, 4 * c)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * c, c)

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, c, heads, context):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c)
        self.attn = CausalSelfAttention(c, heads, context)
        self.ln_2 = nn.LayerNorm(c)
        self.mlp = Mlp(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    def __init__(self, vocab, context, layers, heads, c):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, c),
            wpe=nn.Embedding(context, c),
            h=nn.ModuleList([Block(c, heads, context) for _ in range(layers)]),
            ln_f=nn.LayerNorm(c)))
        self.lm_head = nn.Linear(c, vocab, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # tied
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * layers))
            elif p.dim() >= 2:
                nn.init.normal_(p, mean=0.0, std=0.02)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(self, idx, targets):
        t = idx.size(1)
        pos = torch.arange(0, t, dtype=torch.long)
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-100)


def main():
    ap = argparse.ArgumentParser()
    for name, default in (("layers", 12), ("width", 768), ("heads", 12), ("vocab", 50257), ("context", 1024),
                          ("batch", 4), ("seq", 256), ("warmup", 2), ("steps", 5), ("threads", 2)):
        ap.add_argument("--" + name, type=int, default=default)
    ap.add_argument("--init", help="directory with weights.safetensors and batch.safetensors from Gpt2TrainStepBench --dump")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    t0 = time.perf_counter()
    if a.init:
        w = read_safetensors(os.path.join(a.init, "weights.safetensors"))
        ids = read_safetensors(os.path.join(a.init, "batch.safetensors"))
        a.vocab, a.width = w["transformer.wte.weight"].shape
        a.context = w["transformer.wpe.weight"].shape[0]
        a.layers = sum(1 for k in w if k.endswith(".ln_1.weight"))
        idx, targets = ids["input_ids"].long(), ids["targets"].long()
        a.batch, a.seq = idx.shape
    model = Gpt(a.vocab, a.context, a.layers, a.heads, a.width)
    if a.init:
        params = dict(model.named_parameters())  # the tied head is listed once, as transformer.wte.weight
        if set(params) != set(w):
            raise SystemExit(f"{a.init}/weights.safetensors does not match the model: missing "
                             f"{sorted(set(params) - set(w))}, unexpected {sorted(set(w) - set(params))}")
        with torch.no_grad():
            for name, p in params.items():
                if tuple(p.shape) != tuple(w[name].shape):
                    raise SystemExit(f"{name}: file has {tuple(w[name].shape)}, model needs {tuple(p.shape)}")
                p.copy_(w[name])
        del w
    else:
        idx = torch.randint(0, a.vocab, (a.batch, a.seq))
        targets = torch.randint(0, a.vocab, (a.batch, a.seq))
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=6e-4, betas=(0.9, 0.95), eps=1e-8)
    attention = "scaled_dot_product_attention" if model.transformer.h[0].attn.flash else "explicit masked softmax"
    print(f"torch {torch.__version__} ({a.threads} threads, {attention}): GPT {a.layers} layers x {a.width} wide, "
          f"{a.heads} heads, vocabulary {a.vocab}, context {a.context}, {n_params:,} parameters, batch {a.batch} x "
          f"{a.seq}; set up in {time.perf_counter() - t0:.1f} s", flush=True)
    ms = []
    for s in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        loss = model(idx, targets)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        took = (time.perf_counter() - t0) * 1e3
        print(f"  step {s + 1}{' (warm-up)' if s < a.warmup else ''}: {took:.0f} ms, loss {loss.item():.6f},"
              f" grad norm {norm.item():.4f}", flush=True)
        if s >= a.warmup:
            ms.append(took)
    if ms:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        med = statistics.median(ms)
        print(f"torch train step ({a.batch} x {a.seq}, {a.threads} threads): median {med:.0f} ms, best {min(ms):.0f} ms"
              f" over {len(ms)} steps (after {a.warmup} warm-up), {a.batch * a.seq / (med / 1e3):.0f} tokens/s;"
              f" peak RSS {rss:,} MiB")


if __name__ == "__main__":
    main()
