#!/usr/bin/env python3
"""Evaluates a transformer4j shakespeare-char checkpoint with the independent PyTorch model (issue 3).

Why: a cross-check of our Java trainer's loss estimator. The Java trainer prints its validation loss; this script
loads the same model.safetensors into shakespeare_char_torch.GPT and prints the PyTorch validation losses (200
fixed batches, 20 batches with their spread, every non-overlapping window), so a difference between the two is
the estimator's or the Java forward pass's, not the training's.

The safetensors file is parsed with json + numpy (8-byte little-endian header length, JSON header, raw data);
weight names are nanoGPT's (transformer.wte.weight, transformer.h.N.attn.c_attn.weight, ...), see GptModel.
Usage: python3 scripts/reference/eval_checkpoint_torch.py /tmp/torchref-run [--threads 2]
"""
import argparse
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shakespeare_char_torch as ref  # noqa: E402  (sets OMP_WAIT_POLICY before torch loads)
import torch  # noqa: E402

# nanoGPT / transformer4j name -> name in shakespeare_char_torch.GPT ("N" stands for the layer index)
RENAME = {"transformer.wte.weight": "wte.weight", "transformer.wpe.weight": "wpe.weight",
          "transformer.ln_f.weight": "ln_f.weight", "transformer.h.N.ln_1.weight": "blocks.N.ln_1.weight",
          "transformer.h.N.ln_2.weight": "blocks.N.ln_2.weight",
          "transformer.h.N.attn.c_attn.weight": "blocks.N.c_attn.weight",
          "transformer.h.N.attn.c_proj.weight": "blocks.N.attn_proj.weight",
          "transformer.h.N.mlp.c_fc.weight": "blocks.N.c_fc.weight",
          "transformer.h.N.mlp.c_proj.weight": "blocks.N.mlp_proj.weight"}


def read_safetensors(path):
    """{name: float32 numpy array} of a safetensors file holding F32 tensors."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name} is {info['dtype']}; this script reads F32 tensors only")
        lo, hi = info["data_offsets"]
        out[name] = np.frombuffer(data[lo:hi], dtype="<f4").reshape(info["shape"])
    return out


def local_name(name):
    parts = name.removeprefix("_orig_mod.").split(".")
    layer = None
    if len(parts) > 2 and parts[1] == "h":
        layer, parts[2] = parts[2], "N"
    key = RENAME.get(".".join(parts))
    return None if key is None else key.replace("N", layer) if layer is not None else key


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model_dir", help="directory with config.json, tokenizer.json and model.safetensors")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--eval-batches", type=int, default=200)
    p.add_argument("--spread", type=int, default=10)
    a = p.parse_args()
    ref.set_threads(a.threads)
    with open(os.path.join(a.model_dir, "config.json")) as f:
        cfg = json.load(f)
    want = {"n_layer": ref.N_LAYER, "n_head": ref.N_HEAD, "n_embd": ref.N_EMBD, "context_length": ref.BLOCK,
            "ffn_dim": 4 * ref.N_EMBD, "bias": False, "tie_embeddings": True, "positional_encoding": "learned",
            "norm_placement": "pre", "activation": "gelu"}
    for k, v in want.items():
        if cfg.get(k) != v:
            raise SystemExit(f"{a.model_dir}/config.json: {k} is {cfg.get(k)!r}, the recipe's model needs {v!r}")
    vocab, train, val = ref.load_data()
    with open(os.path.join(a.model_dir, "tokenizer.json"), encoding="utf-8") as f:
        tok = json.load(f)["model"]["vocab"]
    if tok != {ch: i for i, ch in enumerate(vocab)}:
        raise SystemExit(f"{a.model_dir}/tokenizer.json: its vocabulary is not the sorted characters of {ref.DATA}")
    model = ref.GPT(len(vocab))
    state = model.state_dict()
    loaded = set()
    for name, arr in read_safetensors(os.path.join(a.model_dir, "model.safetensors")).items():
        key = local_name(name)
        if key is None and name.removeprefix("_orig_mod.") == "lm_head.weight":
            key = "wte.weight"  # tied: lm_head.weight may stand in for, or duplicate, the token embedding
        if key is None or key not in state:
            raise SystemExit(f"model.safetensors: unexpected tensor {name} {list(arr.shape)}")
        if tuple(arr.shape) != tuple(state[key].shape):
            raise SystemExit(f"model.safetensors: {name} has shape {list(arr.shape)}, expected {list(state[key].shape)}")
        state[key] = torch.from_numpy(arr.copy())
        loaded.add(key)
    missing = [k for k in state if k not in loaded and not k.endswith(".mask")]
    if missing:
        raise SystemExit(f"model.safetensors: missing tensors for {missing}")
    model.load_state_dict(state)
    print(f"{a.model_dir}: {len(loaded)} tensors, {sum(q.numel() for q in model.parameters()):,} parameters")
    ref.report_losses(model, train, val, a.eval_batches, a.spread)


if __name__ == "__main__":
    main()
