package org.transformer4j.lora;

import java.util.List;
import java.util.Objects;

/**
 * What LoRA adapts and how, as PEFT's {@code LoraConfig} says it: rank {@code r}, scale {@code alpha / r}, the target
 * modules and the dropout on the adapters' input. A target matches a linear layer as in PEFT: its name is the
 * layer's whole name or the layer's name ends with {@code "." + target} ({@code q_proj} and {@code self_attn.q_proj}
 * both match {@code model.layers.3.self_attn.q_proj}).
 *
 * @param rank    r, at least 1
 * @param alpha   lora_alpha; the branch is scaled by {@code alpha / rank}
 * @param targets module names, e.g. {@code [q_proj, v_proj]} (PEFT's default for Llama) or {@code [c_attn]} (GPT-2)
 * @param dropout lora_dropout: drop probability on the adapter branch's input while training, in [0, 1)
 */
public record LoraConfig(int rank, float alpha, List<String> targets, float dropout) {

    /**
     * Validates the fields and copies {@code targets}.
     *
     * @throws IllegalArgumentException for a rank below 1, an alpha that is not finite and positive, a dropout
     *     outside [0, 1), or no or blank target names
     */
    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be >= 1, was " + rank);
        }
        if (!(alpha > 0) || Float.isInfinite(alpha)) {
            throw new IllegalArgumentException("lora_alpha must be a finite number > 0, was " + alpha);
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), was " + dropout);
        }
        Objects.requireNonNull(targets, "targets");
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target module, e.g. q_proj,v_proj");
        }
        for (String t : targets) {
            if (t == null || t.isBlank()) {
                throw new IllegalArgumentException("LoRA target modules must be non-empty names, were " + targets);
            }
        }
        targets = List.copyOf(targets);
    }

    /**
     * PEFT's defaults for a model type: its {@link #defaultTargets default targets}, alpha = 2·rank and no dropout.
     *
     * @param rank      r, at least 1
     * @param modelType config.json's {@code model_type}
     * @return the config
     */
    public static LoraConfig of(int rank, String modelType) {
        return new LoraConfig(rank, 2f * rank, defaultTargets(modelType), 0f);
    }

    /**
     * PEFT's default target modules of a model type ({@code TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING}):
     * {@code c_attn} for GPT-2 (this project's {@code gpt} too), {@code q_proj, v_proj} for Llama, Qwen2, Mistral
     * and the encoder-decoder.
     *
     * @param modelType config.json's {@code model_type}
     * @return the target module names
     */
    public static List<String> defaultTargets(String modelType) {
        return switch (modelType) {
            case "gpt", "gpt2" -> List.of("c_attn");
            default -> List.of("q_proj", "v_proj");
        };
    }

    /** {@return the branch's scale {@code alpha / rank}} */
    public float scale() {
        return alpha / rank;
    }

    /**
     * Whether a linear layer is a target.
     *
     * @param layer the layer's name: its weight's name without {@code .weight}
     * @return whether some target is the whole name or its last dotted part(s)
     */
    public boolean matches(String layer) {
        for (String t : targets) {
            if (layer.equals(t) || layer.endsWith("." + t)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code target} matches at least one of {@code layers}. */
    static boolean matchesAny(String target, Iterable<String> layers) {
        for (String layer : layers) {
            if (layer.equals(target) || layer.endsWith("." + target)) {
                return true;
            }
        }
        return false;
    }
}
