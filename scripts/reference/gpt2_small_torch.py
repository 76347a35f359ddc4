#!/usr/bin/env python3
"""Batch-1 greedy generation of a Hugging Face GPT-2 directory with PyTorch, in HF's GPT-2 formulas (issue 15).

Why: the side-by-side reference for transformer4j's GPT-2 numbers (scripts/bench/gpt2_small.sh). The model is
written here from modeling_gpt2.py's equations, not imported from transformers: Conv1D y = x.W + b (W [in, out]),
fused q/k/v, causal softmax(q k^T / sqrt(d)) v with a key/value cache, gelu_new, LayerNorm eps from config.json,
tied or untied head. model.safetensors is parsed with json + numpy (8-byte little-endian header length, JSON header,
raw little-endian data), with or without the 'transformer.' prefix.

It prints the load time, the prefill time of a 128-token prompt, the decode rate of 128 greedy tokens (the same
prompt as Gpt2SmallBench.java: ids (i*7919+13) % 50257), peak RSS, the first ids, and the read bandwidth of this
machine (a sum over 512 MiB), so that tokens/s can be set against the memory-bandwidth bound.
With --batch B, B prompts (row r: the prompt's ids + 101 r, mod 50257, as Gpt2SmallBench.java) decode together and
the rate counts the new tokens of every row.

--layout picks how the same equations run (issue 17: the comparison should be against the best PyTorch here):
  hf      (default) HF's formulation: Conv1D weights [in, out], torch.addmm, the key/value cache grown by torch.cat.
  linear  the weights transposed once at load to [out, in] contiguous (nn.Linear's layout), F.linear for several rows
          and torch.addmv / torch.mv for one row (batch-1 decoding: a matrix-vector product streams the weights
          2-3x faster than addmm/linear with Debian's torch 1.13, BLAS_INFO=generic), and a key/value cache
          preallocated for prompt + new tokens and written in place.
Both give the same greedy ids (float32 sums in a different order can only flip near-ties).
Usage: /usr/bin/python3 scripts/reference/gpt2_small_torch.py DIR [--threads 2] [--batch 1] [--layout hf|linear]
"""
import argparse
import json
import math
import os
import resource
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        raw = np.asarray(data[b:end])
        if e["dtype"] == "F32":
            arr = raw.view("<f4")
        elif e["dtype"] == "F16":
            arr = raw.view("<f2").astype(np.float32)
        elif e["dtype"] == "BF16":
            arr = (raw.view("<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(f"{path}: {name} has dtype {e['dtype']}")
        out[name[len("transformer."):] if name.startswith("transformer.") else name] = \
            torch.from_numpy(arr.reshape(e["shape"]).copy())
    return out


class CatCache:
    """HF's cache: per layer (k, v) [B, heads, t, d], grown by torch.cat at every step."""

    def __init__(self, layers):
        self.kv = [None] * layers

    def length(self):
        return 0 if self.kv[0] is None else self.kv[0][0].shape[2]

    def append(self, i, k, v):
        if self.kv[i] is not None:
            k = torch.cat([self.kv[i][0], k], dim=2)
            v = torch.cat([self.kv[i][1], v], dim=2)
        self.kv[i] = (k, v)
        return k, v


class InPlaceCache:
    """A cache preallocated as [B, heads, capacity, d] per layer; each step writes its rows in place."""

    def __init__(self, layers, b, heads, capacity, d):
        self.k = [torch.empty(b, heads, capacity, d) for _ in range(layers)]
        self.v = [torch.empty(b, heads, capacity, d) for _ in range(layers)]
        self.n = [0] * layers

    def length(self):
        return self.n[0]

    def append(self, i, k, v):
        t0, t = self.n[i], k.shape[2]
        if t0 + t > self.k[i].shape[2]:
            raise ValueError(f"cache holds {self.k[i].shape[2]} positions, {t0 + t} needed")
        self.k[i][:, :, t0:t0 + t].copy_(k)
        self.v[i][:, :, t0:t0 + t].copy_(v)
        self.n[i] = t0 + t
        return self.k[i][:, :, :t0 + t], self.v[i][:, :, :t0 + t]


class Gpt2:
    def __init__(self, cfg, w, layout="hf"):
        self.c = cfg["n_embd"]
        self.h = cfg["n_head"]
        self.layers = cfg["n_layer"]
        self.eps = cfg.get("layer_norm_epsilon", 1e-5)
        self.layout = layout
        head = w["lm_head.weight"] if not cfg.get("tie_word_embeddings", True) else w["wte.weight"]
        if layout == "linear":
            # Conv1D [in, out] to [out, in], once; the head (wte [V, C]) already is [out, in]
            conv1d = (".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight")
            w = {k: (v.t().contiguous() if k.endswith(conv1d) else v) for k, v in w.items()}
            self.proj, self.logits_of = self.linear, lambda x: self.linear_nobias(x, head)
        elif layout == "hf":
            self.proj, self.logits_of = self.conv1d, lambda x: x @ head.T
        else:
            raise ValueError(f"layout must be hf or linear, was {layout}")
        self.w = w

    def ln(self, x, name):
        return F.layer_norm(x, (self.c,), self.w[name + ".weight"], self.w[name + ".bias"], self.eps)

    def conv1d(self, x, name):
        return torch.addmm(self.w[name + ".bias"], x, self.w[name + ".weight"])

    def linear(self, x, name):
        w, b = self.w[name + ".weight"], self.w[name + ".bias"]
        if x.shape[0] == 1:
            return torch.addmv(b, w, x[0]).unsqueeze(0)
        return F.linear(x, w, b)

    @staticmethod
    def linear_nobias(x, w):
        if x.shape[0] == 1:
            return torch.mv(w, x[0]).unsqueeze(0)
        return F.linear(x, w)

    def new_cache(self, b, capacity):
        if self.layout == "hf":
            return CatCache(self.layers)
        return InPlaceCache(self.layers, b, self.h, capacity, self.c // self.h)

    @staticmethod
    def gelu_new(x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))

    def forward(self, ids, cache):
        """Logits [B, V] of the last position for ids [B, T] following the cache."""
        t0 = cache.length()
        b, t = ids.shape
        d = self.c // self.h
        x = (self.w["wte.weight"][ids] + self.w["wpe.weight"][t0:t0 + t]).reshape(b * t, self.c)
        for i in range(self.layers):
            p = f"h.{i}."
            qkv = self.proj(self.ln(x, p + "ln_1"), p + "attn.c_attn")
            q, k, v = (z.reshape(b, t, self.h, d).transpose(1, 2) for z in qkv.split(self.c, dim=1))
            k, v = cache.append(i, k, v)
            s = q @ k.transpose(2, 3) / math.sqrt(d)
            if t > 1:
                mask = torch.ones(t, t0 + t, dtype=torch.bool).tril(t0)
                s = s.masked_fill(~mask, float("-inf"))
            a = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(b * t, self.c)
            x = x + self.proj(a, p + "attn.c_proj")
            m = self.gelu_new(self.proj(self.ln(x, p + "ln_2"), p + "mlp.c_fc"))
            x = x + self.proj(m, p + "mlp.c_proj")
        return self.logits_of(self.ln(x.reshape(b, t, self.c)[:, -1], "ln_f"))

    def greedy(self, prompts, n, on_first=None):
        """Greedy ids [B][n] for equal-length prompts [B][T]."""
        cache = self.new_cache(len(prompts), len(prompts[0]) + n)
        logits = self.forward(torch.tensor(prompts), cache)
        out = [[] for _ in prompts]
        for k in range(n):
            nxt = torch.argmax(logits, dim=-1)
            for r, tok in enumerate(nxt.tolist()):
                out[r].append(tok)
            if k == 0 and on_first:
                on_first()
            if k + 1 < n:
                logits = self.forward(nxt.reshape(-1, 1), cache)
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--layout", choices=("hf", "linear"), default="hf")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_grad_enabled(False)
    t0 = time.perf_counter()
    cfg = json.load(open(os.path.join(a.dir, "config.json")))
    model = Gpt2(cfg, read_safetensors(os.path.join(a.dir, "model.safetensors")), a.layout)
    load = time.perf_counter() - t0
    prompts = [[((i * 7919 + 13) % 50257 + 101 * r) % 50257 for i in range(128)] for r in range(a.batch)]
    model.greedy(prompts, 8)  # warm-up
    first = []
    t0 = time.perf_counter()
    out = model.greedy(prompts, 128, lambda: first.append(time.perf_counter()))
    t1 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    new = sum(len(o) - 1 for o in out)
    print(f"torch {torch.__version__} {a.layout} ({a.threads} threads) batch {a.batch}: load {load:.2f} s, prefill {a.batch} x 128"
          f" tokens {first[0] - t0:.3f} s, decode {new / (t1 - first[0]):.1f} tokens/s, peak RSS {rss} MiB,"
          f" first ids of row 0 {out[0][:12]}")
    big = torch.ones(128 << 20)  # 512 MiB
    big.sum()
    reps = 5
    t0 = time.perf_counter()
    for _ in range(reps):
        big.sum()
    bw = reps * big.numel() * 4 / (time.perf_counter() - t0) / 1e9
    print(f"read bandwidth (torch sum over 512 MiB, {a.threads} threads): {bw:.1f} GB/s")


if __name__ == "__main__":
    main()
