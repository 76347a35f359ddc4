#!/usr/bin/env python3
"""A tiny GPT-2 in Hugging Face's formulas, exported to ONNX by PyTorch with Optimum's input and output names (issue 15).

Why: backend-onnx must serve a graph that transformer4j did not write. This script writes one the way the Python
ecosystem does: a GPT-2 restated from transformers' modeling_gpt2.py (Conv1D y = x.W + b with W [in, out], fused
q/k/v, causal softmax(q k^T / sqrt(d)) with HF's masking (the causal mask's minimum, plus (1 - attention_mask) times
the minimum), gelu_new, LayerNorm, tied head, learned positions read at position_ids), traced by torch.onnx.export
with Hugging Face Optimum's names and dynamic axes for a decoder with past (TextDecoderWithPositionIdsOnnxConfig):

  inputs   input_ids int64 [batch_size, sequence_length]
           attention_mask int64 [batch_size, past_sequence_length + sequence_length]
           position_ids int64 [batch_size, sequence_length]
           past_key_values.N.key / .value float32 [batch_size, n_head, past_sequence_length, head_dim]
  outputs  logits float32 [batch_size, sequence_length, vocab_size]
           present.N.key / .value float32 [batch_size, n_head, past_sequence_length + sequence_length, head_dim]

The directory it writes is what `optimum-cli export onnx --task text-generation-with-past` leaves for a GPT-2
(without the merged decoder): model.onnx, config.json (GPT2Config fields), generation_config.json and a
tokenizer.json (a byte-level BPE of GPT-2's layout with 256 byte tokens, a few merges and <|endoftext|>). No
transformer4j metadata is in the graph. reference.safetensors holds the expected results, computed by the same
module in float64 (not by ONNX Runtime):

  input_ids [2, 8] and logits [2, 8, V]                 every position, no padding, empty past
  padded_input_ids / padded_mask / padded_position_ids [2, 8] and padded_logits [2, 8, V]
                                                        row 0 left-padded by 3 (position_ids = cumsum(mask) - 1)
  greedy_prompt [2, 4] and greedy_tokens [2, 6]         argmax continuation by full recompute

The smallest greedy margin (best minus second logit) is printed: it must stay far above float32 rounding.

Usage: /usr/bin/python3 scripts/reference/gpt2_onnx_torch.py backend-onnx/src/test/resources/org/transformer4j/onnx/optimum-gpt2
"""
import json
import os
import struct
import sys

import torch

CONFIG = {
    "model_type": "gpt2",
    "architectures": ["GPT2LMHeadModel"],
    "vocab_size": 265,
    "n_positions": 64,
    "n_embd": 32,
    "n_layer": 2,
    "n_head": 4,
    "n_inner": None,
    "activation_function": "gelu_new",
    "layer_norm_epsilon": 1e-5,
    "tie_word_embeddings": True,
    "bos_token_id": 264,
    "eos_token_id": 264,
    "resid_pdrop": 0.0,
    "embd_pdrop": 0.0,
    "attn_pdrop": 0.0,
    "use_cache": True,
}
MERGES = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("Ġ", "a"), ("e", "r"), ("o", "n"), ("Ġ", "s")]
SEQ, PROMPT, NEW = 8, 4, 6


def bytes_to_unicode():
    """GPT-2's byte-to-character table: printable bytes map to themselves, the others to 256 + n."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def tokenizer_json():
    table = bytes_to_unicode()
    vocab = {table[b]: b for b in range(256)}
    for a, b in MERGES:
        vocab[a + b] = len(vocab)
    eot = len(vocab)
    assert eot + 1 == CONFIG["vocab_size"] and eot == CONFIG["eos_token_id"]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": eot, "content": "<|endoftext|>", "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [a + " " + b for a, b in MERGES]},
    }


class Gpt2(torch.nn.Module):
    """modeling_gpt2.py's GPT2LMHeadModel forward with a past, as plain tensors (HF's parameter names)."""

    def __init__(self, c, w):
        super().__init__()
        self.c, self.h, self.layers = c["n_embd"], c["n_head"], c["n_layer"]
        self.eps = c["layer_norm_epsilon"]
        self.w = w
        n = c["n_positions"]
        self.bias = torch.tril(torch.ones(n, n, dtype=torch.bool)).view(1, 1, n, n)

    def ln(self, x, name):
        return torch.nn.functional.layer_norm(x, (self.c,), self.w[name + ".weight"], self.w[name + ".bias"], self.eps)

    def conv1d(self, x, name):
        return x @ self.w[name + ".weight"] + self.w[name + ".bias"]

    @staticmethod
    def gelu_new(x):
        return 0.5 * x * (1.0 + torch.tanh(((2.0 / torch.pi) ** 0.5) * (x + 0.044715 * torch.pow(x, 3.0))))

    def heads(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.h, self.c // self.h).transpose(1, 2)

    def forward(self, input_ids, attention_mask, position_ids, *past):
        x = self.w["wte.weight"][input_ids] + self.w["wpe.weight"][position_ids]
        # HF: (1 - mask) * finfo.min added to the scores, [batch, 1, 1, total]
        minimum = torch.finfo(x.dtype).min
        extended = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * minimum
        presents = []
        for i in range(self.layers):
            q, k, v = self.conv1d(self.ln(x, f"h.{i}.ln_1"), f"h.{i}.attn.c_attn").split(self.c, dim=2)
            q, k, v = self.heads(q), self.heads(k), self.heads(v)
            k = torch.cat((past[2 * i], k), dim=-2)
            v = torch.cat((past[2 * i + 1], v), dim=-2)
            presents += [k, v]
            w = q @ k.transpose(-1, -2) / torch.full([], v.size(-1) ** 0.5, dtype=x.dtype)
            q_len, k_len = q.size(-2), k.size(-2)
            causal = self.bias[:, :, k_len - q_len:k_len, :k_len]
            w = torch.where(causal, w, torch.full([], minimum, dtype=x.dtype)) + extended
            a = torch.softmax(w, dim=-1) @ v
            b, _, t, _ = a.shape
            a = a.transpose(1, 2).reshape(b, t, self.c)
            x = x + self.conv1d(a, f"h.{i}.attn.c_proj")
            m = self.gelu_new(self.conv1d(self.ln(x, f"h.{i}.ln_2"), f"h.{i}.mlp.c_fc"))
            x = x + self.conv1d(m, f"h.{i}.mlp.c_proj")
        logits = self.ln(x, "ln_f") @ self.w["wte.weight"].t()
        return (logits, *presents)

    def empty_past(self, batch, dtype):
        d = self.c // self.h
        return [torch.zeros(batch, self.h, 0, d, dtype=dtype) for _ in range(2 * self.layers)]


def random_weights(c, gen):
    """HF's parameter names; scales chosen so that the logits have a standard deviation of about 2."""
    width, n = c["n_embd"], c["n_positions"]

    def p(*shape, std, mean=0.0):
        return torch.randn(*shape, generator=gen) * std + mean

    w = {"wte.weight": p(c["vocab_size"], width, std=0.5), "wpe.weight": p(n, width, std=0.2)}
    for i in range(c["n_layer"]):
        for ln in ("ln_1", "ln_2"):
            w[f"h.{i}.{ln}.weight"] = p(width, std=0.1, mean=1.0)
            w[f"h.{i}.{ln}.bias"] = p(width, std=0.1)
        for name, (fin, fout) in {"attn.c_attn": (width, 3 * width), "attn.c_proj": (width, width),
                                  "mlp.c_fc": (width, 4 * width), "mlp.c_proj": (4 * width, width)}.items():
            w[f"h.{i}.{name}.weight"] = p(fin, fout, std=fin ** -0.5)
            w[f"h.{i}.{name}.bias"] = p(fout, std=0.1)
    w["ln_f.weight"] = p(width, std=0.1, mean=1.0)
    w["ln_f.bias"] = p(width, std=0.1)
    return w


def write_safetensors(path, tensors):
    """safetensors: 8-byte little-endian header length, JSON header (padded to 8 bytes), raw little-endian data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        if t.dtype == torch.float32:
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


def write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)


def run(model, ids, mask=None, positions=None):
    b, t = ids.shape
    mask = torch.ones(b, t, dtype=torch.int64) if mask is None else mask
    positions = torch.arange(t).expand(b, t) if positions is None else positions
    return model(ids, mask, positions, *model.empty_past(b, torch.float64))[0]


def export(model, path):
    layers = CONFIG["n_layer"]
    names_in = ["input_ids", "attention_mask", "position_ids"]
    names_out = ["logits"]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "past_sequence_length + sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(layers):
        for kv in ("key", "value"):
            names_in.append(f"past_key_values.{i}.{kv}")
            names_out.append(f"present.{i}.{kv}")
            axes[names_in[-1]] = {0: "batch_size", 2: "past_sequence_length"}
            axes[names_out[-1]] = {0: "batch_size", 2: "past_sequence_length + sequence_length"}
    # traced at batch 2, past 3, 2 new tokens: sizes that no axis shares, so none is frozen by accident
    b, past, t = 2, 3, 2
    d = CONFIG["n_embd"] // CONFIG["n_head"]
    args = (torch.zeros(b, t, dtype=torch.int64), torch.ones(b, past + t, dtype=torch.int64),
            torch.arange(past, past + t).expand(b, t).contiguous(),
            *[torch.zeros(b, CONFIG["n_head"], past, d) for _ in range(2 * layers)])
    tmp = path + ".tmp"
    torch.onnx.export(model, args, tmp, input_names=names_in, output_names=names_out, dynamic_axes=axes,
                      opset_version=17, do_constant_folding=True)
    os.replace(tmp, path)


def main(out):
    torch.manual_seed(0)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(15)
    weights = random_weights(CONFIG, gen)
    model = Gpt2(CONFIG, weights).eval()
    os.makedirs(out, exist_ok=True)
    ids = torch.randint(0, CONFIG["vocab_size"], (2, SEQ), generator=gen)
    mask = torch.ones(2, SEQ, dtype=torch.int64)
    mask[0, :3] = 0
    padded = ids.clone()
    padded[0, :3] = 0
    position_ids = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        export(model, os.path.join(out, "model.onnx"))
        model64 = Gpt2(CONFIG, {k: v.double() for k, v in weights.items()}).eval()
        logits = run(model64, ids)
        padded_logits = run(model64, padded, mask, position_ids)
        prompt = ids[:, :PROMPT]
        seq, margin = prompt.clone(), float("inf")
        for _ in range(NEW):
            last = run(model64, seq)[:, -1]
            top = torch.topk(last, 2, dim=-1).values
            margin = min(margin, (top[:, 0] - top[:, 1]).min().item())
            seq = torch.cat([seq, last.argmax(-1, keepdim=True)], dim=1)
        tokens = seq[:, PROMPT:]
    write_json(os.path.join(out, "config.json"), CONFIG)
    write_json(os.path.join(out, "generation_config.json"),
               {"bos_token_id": CONFIG["bos_token_id"], "eos_token_id": CONFIG["eos_token_id"]})
    write_json(os.path.join(out, "tokenizer.json"), tokenizer_json())
    write_safetensors(os.path.join(out, "reference.safetensors"), {
        "input_ids": ids, "logits": logits.float(),
        "padded_input_ids": padded, "padded_mask": mask, "padded_position_ids": position_ids,
        "padded_logits": padded_logits.float(),
        "greedy_prompt": prompt, "greedy_tokens": tokens})
    print(f"model.onnx {os.path.getsize(os.path.join(out, 'model.onnx'))} bytes; logits std "
          f"{logits.std().item():.3f}; smallest greedy margin {margin:.4f}; greedy tokens {tokens.tolist()}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: gpt2_onnx_torch.py OUTPUT_DIR")
    main(sys.argv[1])
