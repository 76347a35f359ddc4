package org.transformer4j.model;

/**
 * The feed-forward network's non-linearity: exact-erf GELU (GPT-2, nanoGPT) or ReLU (the original
 * paper). In config.json: {@code "gelu"} or {@code "relu"}.
 */
public enum Activation {
    GELU, RELU;

    String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
