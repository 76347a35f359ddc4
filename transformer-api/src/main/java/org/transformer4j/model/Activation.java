package org.transformer4j.model;

/**
 * The feed-forward network's non-linearity: exact-erf GELU (nanoGPT, PyTorch {@code nn.GELU()}), GELU's tanh
 * approximation (GPT-2's {@code gelu_new}, PyTorch {@code nn.GELU(approximate="tanh")}) or ReLU (the original paper).
 * In config.json: {@code "gelu"}, {@code "gelu_tanh"} or {@code "relu"}.
 */
public enum Activation {
    GELU, RELU,
    /** {@code 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³)))}: what GPT-2 was trained with. */
    GELU_TANH;

    String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
