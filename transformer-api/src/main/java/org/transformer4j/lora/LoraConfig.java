package org.transformer4j.lora;

import java.util.List;
import java.util.Objects;

/**
 * What LoRA adapts and how (PEFT's {@code LoraConfig}): rank {@code r}, scale {@code alpha / r}, and the target
 * modules, matched against the last part of each linear layer's name ({@code q_proj} matches
 * {@code model.layers.3.self_attn.q_proj}).
 *
 * @param rank    r, >= 1
 * @param alpha   lora_alpha; the branch is scaled by {@code alpha / rank}
 * @param targets module names, e.g. {@code [q_proj, v_proj]} (PEFT's default for Llama)
 */
public record LoraConfig(int rank, float alpha, List<String> targets) {

    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be >= 1, was " + rank);
        }
        if (!(alpha > 0) || Float.isInfinite(alpha)) {
            throw new IllegalArgumentException("lora_alpha must be a finite number > 0, was " + alpha);
        }
        Objects.requireNonNull(targets, "targets");
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target module, e.g. q_proj,v_proj");
        }
        targets = List.copyOf(targets);
    }

    /** PEFT's defaults for Llama-family models: q_proj and v_proj, alpha = 2·rank. */
    public static LoraConfig of(int rank) {
        return new LoraConfig(rank, 2f * rank, List.of("q_proj", "v_proj"));
    }

    /** The branch's scale {@code alpha / rank}. */
    public float scale() {
        return alpha / rank;
    }
}
