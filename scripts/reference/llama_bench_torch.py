#!/usr/bin/env python3
"""SmolLM2-135M-shaped Llama (random weights, Hugging Face layout): write it, and time PyTorch on it (issue 20).

Why: the decode rate of transformer4j's Llama runtime is a claim only next to other implementations on the same
weights in the same run (scripts/bench/smollm2.sh interleaves this script, SmolLm2Bench.java and JlamaBench.java).

  write DIR     config.json (LlamaForCausalLM: 30 layers, hidden 576, 9 heads, 3 key/value heads, head_dim 64,
                intermediate 1536, vocabulary 49,152, tied embeddings, rope_theta 100000), model.safetensors
                (float32, N(0, 0.02^2), norms 1, seed 5), a byte-level BPE tokenizer.json (GPT-2's byte alphabet,
                <|endoftext|> at id 0; the benches feed token ids, the file is there because loaders want one) and
                generation_config.json.
  run DIR --batch B [--prompt P] [--new N] [--threads T]
                load (timed), then B rows of a P-token prompt prefilled in one call and N greedy steps with the
                key/value cache, each step one token per row; prints load seconds, prefill seconds, decode tokens/s
                (B * (N - 1) tokens over the decode time, the step that gives the first token excluded) and peak RSS.

The model is transformers' modeling_llama.py restated in plain PyTorch (Debian's python3-torch 1.13; transformers is
not installed): LlamaRMSNorm, LlamaRotaryEmbedding (default rope), rotate_half, repeat_kv, eager attention with a
cache grown by torch.cat as DynamicCache does, LlamaMLP; float32 throughout, torch.inference_mode; the
projections kept transposed (see Llama.__init__).

Usage: /usr/bin/python3 scripts/reference/llama_bench_torch.py write /tmp/smollm2-random
       /usr/bin/python3 scripts/reference/llama_bench_torch.py run /tmp/smollm2-random --batch 8 --threads 2
"""
import argparse
import json
import os
import resource
import struct
import time

import torch

CONFIG = dict(model_type="llama", architectures=["LlamaForCausalLM"], vocab_size=49152, hidden_size=576,
              intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9, num_key_value_heads=3,
              head_dim=64, hidden_act="silu", max_position_embeddings=8192, rms_norm_eps=1e-5, rope_theta=100000.0,
              rope_scaling=None, tie_word_embeddings=True, attention_bias=False, mlp_bias=False,
              attention_dropout=0.0, bos_token_id=0, eos_token_id=0, torch_dtype="float32")


def state_dict_shapes(c):
    hid, inter, h, kv, d = (c["hidden_size"], c["intermediate_size"], c["num_attention_heads"],
                            c["num_key_value_heads"], c["head_dim"])
    s = {"model.embed_tokens.weight": (c["vocab_size"], hid)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        s[p + "self_attn.q_proj.weight"] = (h * d, hid)
        s[p + "self_attn.k_proj.weight"] = (kv * d, hid)
        s[p + "self_attn.v_proj.weight"] = (kv * d, hid)
        s[p + "self_attn.o_proj.weight"] = (hid, h * d)
        s[p + "mlp.gate_proj.weight"] = (inter, hid)
        s[p + "mlp.up_proj.weight"] = (inter, hid)
        s[p + "mlp.down_proj.weight"] = (hid, inter)
        s[p + "input_layernorm.weight"] = (hid,)
        s[p + "post_attention_layernorm.weight"] = (hid,)
    s["model.norm.weight"] = (hid,)
    return s


def atomic_write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def write_safetensors(path, tensors):
    """safetensors: 8-byte little-endian header length, JSON header (padded to 8 bytes), raw float32 data."""
    header, offset = {}, 0
    for name, t in tensors.items():
        n = t.numel() * 4
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for t in tensors.values():
            f.write(t.contiguous().numpy().astype("<f4").tobytes())
    os.replace(tmp, path)


def read_safetensors(path):
    """Each tensor read into its own float32 array (one copy of the weights in memory, as a loader keeps them)."""
    import numpy as np
    out = {}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        base = 8 + n
        for name, meta in header.items():
            if name == "__metadata__":
                continue
            assert meta["dtype"] == "F32", f"{name}: this bench reads float32 files, found {meta['dtype']}"
            a, b = meta["data_offsets"]
            f.seek(base + a)
            out[name] = torch.from_numpy(np.fromfile(f, dtype="<f4", count=(b - a) // 4)).reshape(meta["shape"])
    return out


def byte_alphabet():
    """GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to U+0100 and up."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for _, c in sorted(zip(bs, cs))]


def tokenizer_json():
    alphabet = byte_alphabet()
    vocab = {"<|endoftext|>": 0}
    for ch in alphabet:
        vocab[ch] = len(vocab)
    merges = []
    for a, b in [("Ġ", "t"), ("Ġ", "a"), ("h", "e"), ("i", "n"), ("r", "e"), ("o", "n"), ("Ġt", "he")]:
        merges.append(f"{a} {b}")
        vocab[a + b] = len(vocab)
    return {"version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [{"id": 0, "content": "<|endoftext|>", "single_word": False, "lstrip": False,
                              "rstrip": False, "normalized": False, "special": True}],
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "post_processor": None,
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                      "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
                      "vocab": vocab, "merges": merges}}


def write(out):
    os.makedirs(out, exist_ok=True)
    gen = torch.Generator().manual_seed(5)
    w = {}
    for name, shape in state_dict_shapes(CONFIG).items():
        w[name] = torch.ones(shape) if name.endswith("norm.weight") else 0.02 * torch.randn(shape, generator=gen)
    write_safetensors(os.path.join(out, "model.safetensors"), w)
    atomic_write(os.path.join(out, "config.json"), (json.dumps(CONFIG, indent=2) + "\n").encode())
    atomic_write(os.path.join(out, "tokenizer.json"), json.dumps(tokenizer_json(), ensure_ascii=False).encode())
    atomic_write(os.path.join(out, "generation_config.json"),
                 (json.dumps(dict(bos_token_id=0, eos_token_id=0, do_sample=False), indent=2) + "\n").encode())
    n = sum(t.numel() for t in w.values())
    print(f"wrote {out}: {n:,} parameters")


def prompt_rows(batch, length, vocab):
    """The prompts every bench uses: row r, position i holds (i * 7919 + 13 + 101 * r) % vocab."""
    return [[(i * 7919 + 13 + 101 * r) % vocab for i in range(length)] for r in range(batch)]


def rms_norm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Llama:
    def __init__(self, c, w):
        # Every projection is kept transposed, [in, out] contiguous, and applied as x @ w: the same product as HF's
        # nn.Linear (x @ W^T), but Debian's torch 1.13 (BLAS_INFO=generic) runs F.linear's transposed operand
        # through a slow path (a 1x576 by 576x1536 product: 8.3 ms with F.linear, 0.46 ms as x @ w, measured here).
        # The tied embedding is kept only transposed too: the lookup takes its columns.
        for name in list(w):
            if w[name].dim() == 2:
                w[name] = w[name].t().contiguous()
        self.c, self.w = c, w
        d = c["head_dim"]
        self.inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))

    def forward(self, ids, cache, start):
        """Logits of the last position [B, V]; cache: per layer [k, v] of [B, kv, T, d], grown by torch.cat."""
        c, w = self.c, self.w
        b, t = ids.shape
        h, kv, d = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        pos = torch.arange(start, start + t, dtype=torch.float32)
        freqs = torch.outer(pos, self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        x = w["model.embed_tokens.weight"][:, ids].permute(1, 2, 0)
        for i in range(c["num_hidden_layers"]):
            p = f"model.layers.{i}."
            n = rms_norm(x, w[p + "input_layernorm.weight"], c["rms_norm_eps"])
            q = (n @ w[p + "self_attn.q_proj.weight"]).view(b, t, h, d).transpose(1, 2)
            k = (n @ w[p + "self_attn.k_proj.weight"]).view(b, t, kv, d).transpose(1, 2)
            v = (n @ w[p + "self_attn.v_proj.weight"]).view(b, t, kv, d).transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            if cache[i] is not None:
                k = torch.cat([cache[i][0], k], dim=2)
                v = torch.cat([cache[i][1], v], dim=2)
            cache[i] = (k, v)
            total = k.shape[2]
            g = h // kv
            k = k[:, :, None].expand(b, kv, g, total, d).reshape(b, h, total, d)
            v = v[:, :, None].expand(b, kv, g, total, d).reshape(b, h, total, d)
            scores = (q @ k.transpose(2, 3)) * d ** -0.5
            if t > 1:
                causal = torch.ones(t, total, dtype=torch.bool).tril(total - t)
                scores = scores.masked_fill(~causal, float("-inf"))
            a = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(b, t, h * d)
            x = x + a @ w[p + "self_attn.o_proj.weight"]
            m = rms_norm(x, w[p + "post_attention_layernorm.weight"], c["rms_norm_eps"])
            gate = m @ w[p + "mlp.gate_proj.weight"]
            up = m @ w[p + "mlp.up_proj.weight"]
            x = x + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"]
        x = rms_norm(x[:, -1], w["model.norm.weight"], c["rms_norm_eps"])
        return x @ w["model.embed_tokens.weight"]


def run(d, batch, prompt_len, new, threads):
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    with open(os.path.join(d, "config.json")) as f:
        c = json.load(f)
    model = Llama(c, read_safetensors(os.path.join(d, "model.safetensors")))
    load = time.perf_counter() - t0
    ids = torch.tensor(prompt_rows(batch, prompt_len, c["vocab_size"]))
    with torch.inference_mode():
        model.forward(ids[:, :8], [None] * c["num_hidden_layers"], 0)  # warm-up
        cache = [None] * c["num_hidden_layers"]
        t1 = time.perf_counter()
        nxt = model.forward(ids, cache, 0).argmax(-1, keepdim=True)
        t2 = time.perf_counter()
        first = nxt[0].item()
        out = [first]
        for s in range(new - 1):
            nxt = model.forward(nxt, cache, prompt_len + s).argmax(-1, keepdim=True)
            out.append(nxt[0].item())
        t3 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"pytorch batch {batch}: load {load:.2f} s, prefill {batch}x{prompt_len} {t2 - t1:.3f} s, decode "
          f"{batch * (new - 1) / (t3 - t2):.1f} tokens/s, peak RSS {rss} MiB, threads {threads}, "
          f"row 0 ids {out[:8]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["write", "run"])
    ap.add_argument("dir")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--prompt", type=int, default=32)
    ap.add_argument("--new", type=int, default=64)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    if a.mode == "write":
        write(a.dir)
    else:
        run(a.dir, a.batch, a.prompt, a.new, a.threads)


if __name__ == "__main__":
    main()
