#!/usr/bin/env python3
"""One LoRA training step in PyTorch at SmolLM2-135M's shape: the reference of scripts/bench/LoraStepBench.java.

The same work as the Java side: a Llama decoder in HF's formulas (modeling_llama.py restated, float32, eager
attention with repeat_kv, RoPE theta 100000, RMSNorm, SwiGLU, tied head), 30 layers x 576 wide, 9 heads / 3 KV
heads, MLP 1536, vocabulary 49,152, random frozen base weights (requires_grad False), rank-8 LoRA on q_proj and
v_proj written as PEFT's forward (y = x W^T + (alpha/r) * (x A^T) B^T, alpha 16), mean cross-entropy over
batch 4 x 256 tokens, backward, torch.optim.AdamW on the adapters only. Prints ms per step (median, min) and the
peak RSS (ru_maxrss).

Usage: /usr/bin/python3 scripts/reference/lora_step_torch.py [steps] [--threads N]
"""
import argparse
import math
import os
import resource
import time

import torch
import torch.nn.functional as F

V, H, L, NH, KV, D, FF = 49152, 576, 30, 9, 3, 64, 1536
R, ALPHA = 8, 16
B, T = 4, 256


def rms(x, w):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5))


def rotate_half(x):
    return torch.cat((-x[..., D // 2:], x[..., :D // 2]), dim=-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("steps", type=int, nargs="?", default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    t0 = time.time()
    std = 0.02
    w = {"embed": torch.randn(V, H) * std, "norm": torch.ones(H)}
    lora = []
    for i in range(L):
        p = f"{i}."
        w[p + "q"] = torch.randn(NH * D, H) * std
        w[p + "k"] = torch.randn(KV * D, H) * std
        w[p + "v"] = torch.randn(KV * D, H) * std
        w[p + "o"] = torch.randn(H, NH * D) * std
        w[p + "gate"] = torch.randn(FF, H) * std
        w[p + "up"] = torch.randn(FF, H) * std
        w[p + "down"] = torch.randn(H, FF) * std
        w[p + "ln1"] = torch.ones(H)
        w[p + "ln2"] = torch.ones(H)
        for name, out in (("q", NH * D), ("v", KV * D)):
            A = torch.empty(R, H).uniform_(-1 / math.sqrt(H), 1 / math.sqrt(H)).requires_grad_()
            Bm = torch.zeros(out, R).requires_grad_()
            w[p + name + "_A"], w[p + name + "_B"] = A, Bm
            lora += [A, Bm]
    params = sum(v.numel() for k, v in w.items() if not k.endswith(("_A", "_B")))
    trained = sum(t.numel() for t in lora)
    inv = 1.0 / (100000.0 ** (torch.arange(0, D, 2).float() / D))
    ang = torch.arange(T).float()[:, None] * inv[None, :]
    emb = torch.cat((ang, ang), -1)
    cos, sin = emb.cos(), emb.sin()
    causal = torch.full((T, T), float("-inf")).triu(1)
    scale = ALPHA / R

    def adapted(x, p, name):
        y = x @ w[p + name].T
        if p + name + "_A" in w:
            y = y + scale * ((x @ w[p + name + "_A"].T) @ w[p + name + "_B"].T)
        return y

    def loss_of(ids, targets):
        x = w["embed"][ids]
        for i in range(L):
            p = f"{i}."
            n = rms(x, w[p + "ln1"])
            q = adapted(n, p, "q").view(B, T, NH, D).transpose(1, 2)
            k = adapted(n, p, "k").view(B, T, KV, D).transpose(1, 2)
            v = adapted(n, p, "v").view(B, T, KV, D).transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            k = k.repeat_interleave(NH // KV, dim=1)
            v = v.repeat_interleave(NH // KV, dim=1)
            s = (q @ k.transpose(2, 3)) / math.sqrt(D) + causal
            o = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(B, T, NH * D)
            x = x + o @ w[p + "o"].T
            m = rms(x, w[p + "ln2"])
            x = x + (F.silu(m @ w[p + "gate"].T) * (m @ w[p + "up"].T)) @ w[p + "down"].T
        logits = rms(x, w["norm"]) @ w["embed"].T
        return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))

    g = torch.Generator().manual_seed(7)
    ids = torch.randint(0, V, (B, T + 1), generator=g)
    opt = torch.optim.AdamW(lora, lr=1e-4, weight_decay=0.0)
    print(f"pytorch {torch.__version__}, {a.threads} threads: {params:,} base parameters (frozen), {trained:,} LoRA "
          f"parameters, set up in {time.time() - t0:.1f} s")
    times = []
    for s in range(-1, a.steps):
        t1 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_of(ids[:, :-1], ids[:, 1:])
        loss.backward()
        opt.step()
        took = (time.perf_counter() - t1) * 1000
        print(f"  step {s + 1}: {took:.0f} ms, loss {loss.item():.4f}")
        if s >= 0:
            times.append(took)
    times.sort()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"pytorch LoRA step (4 x 256): median {times[len(times) // 2]:.0f} ms, min {times[0]:.0f} ms over "
          f"{a.steps} steps; peak RSS {rss:,} MiB")


if __name__ == "__main__":
    main()
