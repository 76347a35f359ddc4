#!/usr/bin/env python3
"""PEFT LoRA adapters and their reference logits, written by an implementation that is not ours (issue 20).

Why: transformer4j reads PEFT adapter directories and merges them into base models. This script writes, for a tiny
Llama (nn.Linear layers, grouped-query attention) and a tiny GPT-2 (Conv1D layers [in, out], fan_in_fan_out true),

  base/config.json, base/model.safetensors        a Hugging Face model directory (random weights, BF16 for Llama,
                                                  F32 Conv1D for GPT-2; no tokenizer: the test adds one)
  adapter/adapter_config.json                     as PEFT's save_pretrained writes it (every field of LoraConfig,
                                                  including ones transformer4j ignores)
  adapter/adapter_model.safetensors               base_model.model.<module>.lora_A.weight [r, in] and
                                                  ...lora_B.weight [out, r], float32, both non-zero
  reference.safetensors                           input_ids [2, 8] and logits [2, 8, V] of base + adapter

The logits follow PEFT's merge (LoraLayer.get_delta_weight): W' = W + (lora_alpha / r) * B @ A, transposed onto a
Conv1D weight when fan_in_fan_out, then HF's forward (the Llama one of llama_reference_torch.py, GPT-2's
modeling_gpt2.py equations restated here), all in float64.

Usage: /usr/bin/python3 scripts/reference/lora_reference_torch.py backend-cpu/src/test/resources/org/transformer4j/lora
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llama_reference_torch as llama  # noqa: E402

LLAMA = dict(model_type="llama", architectures=["LlamaForCausalLM"], vocab_size=48, hidden_size=32,
             intermediate_size=48, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=8,
             hidden_act="silu", max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=10000.0,
             tie_word_embeddings=False, attention_bias=False, mlp_bias=False, attention_dropout=0.0)
GPT2 = dict(model_type="gpt2", architectures=["GPT2LMHeadModel"], vocab_size=48, n_embd=16, n_head=2, n_layer=2,
            n_positions=32, n_ctx=32, layer_norm_epsilon=1e-5, activation_function="gelu_new",
            tie_word_embeddings=True, bos_token_id=0, eos_token_id=0)
SEQ = 8


def adapter_config(r, alpha, targets, fan_in_fan_out, base):
    """Every field PEFT 0.1x writes for a LoRA adapter, sorted as save_pretrained's json.dumps(sort_keys=True)."""
    c = {"alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": base, "bias": "none",
         "corda_config": None, "eva_config": None, "exclude_modules": None, "fan_in_fan_out": fan_in_fan_out,
         "inference_mode": True, "init_lora_weights": True, "layer_replication": None, "layers_pattern": None,
         "layers_to_transform": None, "loftq_config": {}, "lora_alpha": alpha, "lora_bias": False,
         "lora_dropout": 0.05, "megatron_config": None, "megatron_core": "megatron.core", "modules_to_save": None,
         "peft_type": "LORA", "peft_version": "0.17.1", "qalora_group_size": 16, "r": r, "rank_pattern": {},
         "revision": None, "target_modules": sorted(targets), "target_parameters": None, "task_type": "CAUSAL_LM",
         "trainable_token_indices": None, "use_dora": False, "use_qalora": False, "use_rslora": False}
    return json.dumps(c, indent=2, sort_keys=True) + "\n"


def write_json(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def random_adapter(layers, r, gen):
    """A and B both N(0, 0.3^2) so that the adapter moves the logits clearly (PEFT would start B at zero)."""
    t = {}
    for name, (out, inp) in layers.items():
        t[f"base_model.model.{name}.lora_A.weight"] = 0.3 * torch.randn((r, inp), generator=gen)
        t[f"base_model.model.{name}.lora_B.weight"] = 0.3 * torch.randn((out, r), generator=gen)
    return t


def delta(adapter, name, scale):
    a = adapter[f"base_model.model.{name}.lora_A.weight"].double()
    b = adapter[f"base_model.model.{name}.lora_B.weight"].double()
    return scale * (b @ a)  # [out, in]


def llama_case(out_root, gen):
    c = LLAMA
    w16 = llama.random_weights(c, gen)
    w = {k: v.double() for k, v in w16.items()}
    r, alpha = 4, 8
    targets = ["q_proj", "v_proj", "down_proj"]
    layers = {k[:-len(".weight")]: tuple(v.shape) for k, v in w.items()
              if any(k.endswith(f".{t}.weight") for t in targets)}
    adapter = random_adapter(layers, r, gen)
    merged = dict(w)
    for name in layers:
        merged[name + ".weight"] = w[name + ".weight"] + delta(adapter, name, alpha / r)
    ids = torch.randint(0, c["vocab_size"], (2, SEQ), generator=gen)
    logits = llama.forward(c, merged, ids)
    base_logits = llama.forward(c, w, ids)
    write_case(os.path.join(out_root, "tiny-llama"), dict(c, torch_dtype="bfloat16"), w16, adapter,
               adapter_config(r, alpha, targets, False, "tiny-llama/base"), ids, logits)
    return (logits - base_logits).abs().max().item()


def gpt2_weights(c, gen):
    """GPT-2's state dict as GPT2LMHeadModel saves it (transformer. prefix, Conv1D [in, out]), float32."""
    e, v, p = c["n_embd"], c["vocab_size"], c["n_positions"]
    w = {"transformer.wte.weight": 0.3 * torch.randn((v, e), generator=gen),
         "transformer.wpe.weight": 0.1 * torch.randn((p, e), generator=gen)}
    for i in range(c["n_layer"]):
        h = f"transformer.h.{i}."
        for ln in ("ln_1", "ln_2"):
            w[h + ln + ".weight"] = 1 + 0.1 * torch.randn((e,), generator=gen)
            w[h + ln + ".bias"] = 0.1 * torch.randn((e,), generator=gen)
        for name, (inp, out) in {"attn.c_attn": (e, 3 * e), "attn.c_proj": (e, e), "mlp.c_fc": (e, 4 * e),
                                 "mlp.c_proj": (4 * e, e)}.items():
            w[h + name + ".weight"] = 0.3 * torch.randn((inp, out), generator=gen)
            w[h + name + ".bias"] = 0.1 * torch.randn((out,), generator=gen)
    w["transformer.ln_f.weight"] = 1 + 0.1 * torch.randn((e,), generator=gen)
    w["transformer.ln_f.bias"] = 0.1 * torch.randn((e,), generator=gen)
    return w


def gpt2_forward(c, w, ids):
    """modeling_gpt2.py: Conv1D y = x W + b, fused q/k/v, causal attention / sqrt(d), gelu_new, tied head."""
    b, t = ids.shape
    e, nh = c["n_embd"], c["n_head"]
    d = e // nh
    eps = c["layer_norm_epsilon"]

    def ln(x, p):
        return torch.nn.functional.layer_norm(x, (e,), w[p + ".weight"], w[p + ".bias"], eps)

    def conv1d(x, p):
        return x @ w[p + ".weight"] + w[p + ".bias"]

    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][torch.arange(t)][None]
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for i in range(c["n_layer"]):
        h = f"transformer.h.{i}."
        q, k, v = conv1d(ln(x, h + "ln_1"), h + "attn.c_attn").split(e, dim=2)
        q, k, v = (z.view(b, t, nh, d).transpose(1, 2) for z in (q, k, v))
        s = (q @ k.transpose(-1, -2)) / math.sqrt(d)
        s = s.masked_fill(~causal, float("-inf"))
        a = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(b, t, e)
        x = x + conv1d(a, h + "attn.c_proj")
        m = conv1d(ln(x, h + "ln_2"), h + "mlp.c_fc")
        m = 0.5 * m * (1 + torch.tanh(math.sqrt(2 / math.pi) * (m + 0.044715 * m.pow(3))))
        x = x + conv1d(m, h + "mlp.c_proj")
    x = ln(x, "transformer.ln_f")
    return x @ w["transformer.wte.weight"].T


def gpt2_case(out_root, gen):
    c = GPT2
    w32 = gpt2_weights(c, gen)
    w = {k: v.double() for k, v in w32.items()}
    r, alpha = 2, 6
    targets = ["c_attn", "mlp.c_proj"]
    # PEFT's in/out features of a Conv1D: weight [in, out]; lora_A [r, in], lora_B [out, r]
    layers = {k[:-len(".weight")]: (v.shape[1], v.shape[0]) for k, v in w.items()
              if k.endswith(".attn.c_attn.weight") or k.endswith(".mlp.c_proj.weight")}
    adapter = random_adapter(layers, r, gen)
    merged = dict(w)
    for name in layers:
        merged[name + ".weight"] = w[name + ".weight"] + delta(adapter, name, alpha / r).T  # fan_in_fan_out
    ids = torch.randint(0, c["vocab_size"], (2, SEQ), generator=gen)
    logits = gpt2_forward(c, merged, ids)
    base_logits = gpt2_forward(c, w, ids)
    write_case(os.path.join(out_root, "tiny-gpt2"), c, w32, adapter,
               adapter_config(r, alpha, targets, True, "tiny-gpt2/base"), ids, logits)
    return (logits - base_logits).abs().max().item()


def write_case(out, config, weights, adapter, adapter_json, ids, logits):
    base = os.path.join(out, "base")
    ad = os.path.join(out, "adapter")
    os.makedirs(base, exist_ok=True)
    os.makedirs(ad, exist_ok=True)
    llama.write_safetensors(os.path.join(base, "model.safetensors"), weights)
    write_json(os.path.join(base, "config.json"), json.dumps(config, indent=2) + "\n")
    llama.write_safetensors(os.path.join(ad, "adapter_model.safetensors"), adapter)
    write_json(os.path.join(ad, "adapter_config.json"), adapter_json)
    llama.write_safetensors(os.path.join(out, "reference.safetensors"), {"input_ids": ids, "logits": logits.float()})


def main(out_root):
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(2020)
    print(f"tiny-llama: the adapter moves the logits by up to {llama_case(out_root, gen):.3f}")
    print(f"tiny-gpt2: the adapter moves the logits by up to {gpt2_case(out_root, gen):.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: lora_reference_torch.py OUTPUT_DIR")
    main(sys.argv[1])
