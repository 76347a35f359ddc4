#!/usr/bin/env python3
"""Reference logits of tiny Llama-family models in Hugging Face's formulas (issue 20), written as test fixtures.

Why: LlamaModel (transformer-api) is checked against an implementation that is not ours. This script restates
transformers' modeling_llama.py / modeling_qwen2.py (LlamaRMSNorm, LlamaRotaryEmbedding with rope_scaling
"llama3" as _compute_llama3_parameters, rotate_half / apply_rotary_pos_emb, repeat_kv, eager attention, LlamaMLP)
in plain PyTorch (Debian's python3-torch; transformers itself is not installed here), draws random weights, and
writes for each model an HF-layout directory (config.json + model.safetensors in BF16, as HF checkpoints ship)
and reference.safetensors with inputs and outputs:

  input_ids [2, 8] and logits [2, 8, V]            every position, no padding
  padded_input_ids / padded_mask / padded_position_ids [2, 8] and padded_logits [2, 8, V]
                                                   row 0 left-padded by 3 (HF's position_ids = cumsum(mask) - 1)
  greedy_prompt [2, 4] and greedy_tokens [2, 6]    argmax continuation by full recompute
  greedy_short_prompt [1, 2] and greedy_short_tokens [1, 6]
                                                   the same for a shorter prompt (input_ids[1, :2]), so that a
                                                   batch of prompts of different lengths has a reference too

The forward runs in float64 on the BF16-rounded weights, except where HF fixes float32: the inverse frequencies
and the rotary angles (inv_freq @ position_ids in float32, then cos/sin), so that the fixture is HF's result
without float32 rounding elsewhere. The smallest greedy margin (best minus second logit) is printed: it must stay
far above float32 rounding for an exact token comparison to be fair.

Usage: /usr/bin/python3 scripts/reference/llama_reference_torch.py transformer-api/src/test/resources/org/transformer4j/llama
"""
import json
import math
import os
import struct
import sys

import torch

MODELS = {
    # 2 layers, hidden 64, 4 heads of 16 sharing 2 key/value heads, llama3 rope scaling whose three regimes
    # (kept, smoothed, divided) all occur at head_dim 16 with original_max_position_embeddings 64
    "tiny-llama": dict(model_type="llama", architectures=["LlamaForCausalLM"], vocab_size=100, hidden_size=64,
                       intermediate_size=96, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                       head_dim=16, hidden_act="silu", max_position_embeddings=128, rms_norm_eps=1e-5,
                       rope_theta=500000.0,
                       rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                         original_max_position_embeddings=64),
                       tie_word_embeddings=False, attention_bias=False, mlp_bias=False, attention_dropout=0.0),
    # Qwen2: q/k/v biases (no o_proj bias), tied head, no rope scaling
    "tiny-qwen2": dict(model_type="qwen2", architectures=["Qwen2ForCausalLM"], vocab_size=100, hidden_size=32,
                       intermediate_size=48, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                       hidden_act="silu", max_position_embeddings=128, rms_norm_eps=1e-6, rope_theta=1000000.0,
                       tie_word_embeddings=True, use_sliding_window=False, sliding_window=128, attention_dropout=0.0),
}
SEQ = 8
PROMPT = 4
NEW = 6
WEIGHT_STD = 0.25


def head_dim(c):
    return c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]


def inv_freq(c):
    """transformers' _compute_default_rope_parameters / _compute_llama3_parameters, in float32 as there."""
    dim = head_dim(c)
    base = c["rope_theta"]
    f = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    rs = c.get("rope_scaling")
    if rs is None:
        return f
    assert rs["rope_type"] == "llama3"
    factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
    old = rs["original_max_position_embeddings"]
    low_wavelen = old / low
    high_wavelen = old / high
    wavelen = 2 * math.pi / f
    f_llama = torch.where(wavelen > low_wavelen, f / factor, f)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * f_llama / factor + smooth * f_llama
    medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
    return torch.where(medium, smoothed, f_llama)


def rope_tables(c, position_ids):
    """LlamaRotaryEmbedding.forward: float32 angles, cos/sin of cat(freqs, freqs)."""
    f = inv_freq(c)[None, :, None].float().expand(position_ids.shape[0], -1, 1)
    freqs = (f @ position_ids[:, None, :].float()).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().double(), emb.sin().double()


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rms_norm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def linear(x, w, b=None):
    y = x @ w.T
    return y if b is None else y + b


def forward(c, w, ids, mask=None, position_ids=None):
    """Logits [B, T, V] (float64) of LlamaForCausalLM / Qwen2ForCausalLM in eager attention."""
    b, t = ids.shape
    h, kv, d = c["num_attention_heads"], c["num_key_value_heads"], head_dim(c)
    if position_ids is None:
        position_ids = torch.arange(t)[None, :].expand(b, t)
    cos, sin = rope_tables(c, position_ids)
    cos, sin = cos[:, None], sin[:, None]
    allowed = torch.tril(torch.ones(t, t, dtype=torch.bool))[None, None]
    if mask is not None:
        allowed = allowed & mask.bool()[:, None, None, :]
    x = w["model.embed_tokens.weight"][ids]
    qkv_bias = c["model_type"] == "qwen2" or c.get("attention_bias", False)
    o_bias = c["model_type"] == "llama" and c.get("attention_bias", False)
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        n = rms_norm(x, w[p + "input_layernorm.weight"], c["rms_norm_eps"])
        bias = (lambda name: w[p + f"self_attn.{name}.bias"]) if qkv_bias else (lambda name: None)
        q = linear(n, w[p + "self_attn.q_proj.weight"], bias("q_proj")).view(b, t, h, d).transpose(1, 2)
        k = linear(n, w[p + "self_attn.k_proj.weight"], bias("k_proj")).view(b, t, kv, d).transpose(1, 2)
        v = linear(n, w[p + "self_attn.v_proj.weight"], bias("v_proj")).view(b, t, kv, d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        g = h // kv  # repeat_kv
        k = k[:, :, None].expand(b, kv, g, t, d).reshape(b, h, t, d)
        v = v[:, :, None].expand(b, kv, g, t, d).reshape(b, h, t, d)
        scores = (q @ k.transpose(2, 3)) * d ** -0.5
        scores = scores.masked_fill(~allowed, float("-inf"))
        probs = torch.softmax(scores, dim=-1)
        probs = torch.nan_to_num(probs, nan=0.0)  # a padded query that sees no key: zeros (compared nowhere)
        a = (probs @ v).transpose(1, 2).reshape(b, t, h * d)
        x = x + linear(a, w[p + "self_attn.o_proj.weight"], w.get(p + "self_attn.o_proj.bias") if o_bias else None)
        m = rms_norm(x, w[p + "post_attention_layernorm.weight"], c["rms_norm_eps"])
        gate = linear(m, w[p + "mlp.gate_proj.weight"])
        up = linear(m, w[p + "mlp.up_proj.weight"])
        x = x + linear(torch.nn.functional.silu(gate) * up, w[p + "mlp.down_proj.weight"])
    x = rms_norm(x, w["model.norm.weight"], c["rms_norm_eps"])
    head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def shapes(c):
    """HF's state dict of the config, in HF's order."""
    hid, inter, h, kv, d = (c["hidden_size"], c["intermediate_size"], c["num_attention_heads"],
                            c["num_key_value_heads"], head_dim(c))
    qkv_bias = c["model_type"] == "qwen2" or c.get("attention_bias", False)
    s = {"model.embed_tokens.weight": (c["vocab_size"], hid)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        s[p + "self_attn.q_proj.weight"] = (h * d, hid)
        if qkv_bias:
            s[p + "self_attn.q_proj.bias"] = (h * d,)
        s[p + "self_attn.k_proj.weight"] = (kv * d, hid)
        if qkv_bias:
            s[p + "self_attn.k_proj.bias"] = (kv * d,)
        s[p + "self_attn.v_proj.weight"] = (kv * d, hid)
        if qkv_bias:
            s[p + "self_attn.v_proj.bias"] = (kv * d,)
        s[p + "self_attn.o_proj.weight"] = (hid, h * d)
        s[p + "mlp.gate_proj.weight"] = (inter, hid)
        s[p + "mlp.up_proj.weight"] = (inter, hid)
        s[p + "mlp.down_proj.weight"] = (hid, inter)
        s[p + "input_layernorm.weight"] = (hid,)
        s[p + "post_attention_layernorm.weight"] = (hid,)
    s["model.norm.weight"] = (hid,)
    if not c["tie_word_embeddings"]:
        s["lm_head.weight"] = (c["vocab_size"], hid)
    return s


def random_weights(c, gen):
    """Matrices N(0, WEIGHT_STD²) (spread, so that greedy choices win by wide margins), norm gains 1 + N(0, 0.1²),
    biases N(0, 0.1²); every value rounded to bfloat16 (the file stores BF16)."""
    w = {}
    for name, shape in shapes(c).items():
        if name.endswith("norm.weight"):
            t = 1 + 0.1 * torch.randn(shape, generator=gen)
        elif name.endswith(".bias"):
            t = 0.1 * torch.randn(shape, generator=gen)
        else:
            t = WEIGHT_STD * torch.randn(shape, generator=gen)
        w[name] = t.to(torch.bfloat16)
    return w


def write_safetensors(path, tensors):
    """safetensors: 8-byte little-endian header length, JSON header (padded to 8 bytes), raw little-endian data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        if t.dtype == torch.bfloat16:
            dtype, raw = "BF16", t.contiguous().view(torch.int16).numpy().tobytes()
        elif t.dtype == torch.float32:
            dtype, raw = "F32", t.contiguous().numpy().astype("<f4").tobytes()
        elif t.dtype == torch.int64:
            dtype, raw = "I64", t.contiguous().numpy().astype("<i8").tobytes()
        else:
            raise ValueError(f"{name}: unsupported dtype {t.dtype}")
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for raw in blobs:
            f.write(raw)
    os.replace(tmp, path)


def greedy(c, w, prompt):
    ids = prompt.clone()
    margin = float("inf")
    for _ in range(NEW):
        last = forward(c, w, ids)[:, -1]
        top = torch.topk(last, 2, dim=-1).values
        margin = min(margin, (top[:, 0] - top[:, 1]).min().item())
        ids = torch.cat([ids, last.argmax(-1, keepdim=True)], dim=1)
    return ids[:, prompt.shape[1]:], margin


def main(out_root):
    torch.set_num_threads(1)
    for seed, (name, c) in enumerate(MODELS.items()):
        gen = torch.Generator().manual_seed(1000 + seed)
        w16 = random_weights(c, gen)
        w = {k: v.double() for k, v in w16.items()}
        ids = torch.randint(0, c["vocab_size"], (2, SEQ), generator=gen)
        logits = forward(c, w, ids)
        mask = torch.ones(2, SEQ, dtype=torch.int64)
        mask[0, :3] = 0
        padded = ids.clone()
        padded[0, :3] = 0
        position_ids = (mask.cumsum(-1) - 1).clamp(min=0)
        padded_logits = forward(c, w, padded, mask, position_ids)
        prompt = ids[:, :PROMPT]
        tokens, margin = greedy(c, w, prompt)
        short_prompt = ids[1:2, :2]
        short_tokens, short_margin = greedy(c, w, short_prompt)
        margin = min(margin, short_margin)
        out = os.path.join(out_root, name)
        os.makedirs(out, exist_ok=True)
        write_safetensors(os.path.join(out, "model.safetensors"), w16)
        cfg = dict(c, torch_dtype="bfloat16")
        tmp = os.path.join(out, "config.json.tmp")
        with open(tmp, "w") as f:
            json.dump(cfg, f, indent=2)
            f.write("\n")
        os.replace(tmp, os.path.join(out, "config.json"))
        write_safetensors(os.path.join(out, "reference.safetensors"), {
            "input_ids": ids, "logits": logits.float(),
            "padded_input_ids": padded, "padded_mask": mask, "padded_position_ids": position_ids,
            "padded_logits": padded_logits.float(),
            "greedy_prompt": prompt, "greedy_tokens": tokens,
            "greedy_short_prompt": short_prompt.contiguous(), "greedy_short_tokens": short_tokens})
        print(f"{name}: logits std {logits.std().item():.3f}, smallest greedy margin {margin:.4f}, "
              f"greedy tokens {tokens.tolist()}, short prompt {short_prompt.tolist()} -> {short_tokens.tolist()}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: llama_reference_torch.py OUTPUT_DIR")
    main(sys.argv[1])
