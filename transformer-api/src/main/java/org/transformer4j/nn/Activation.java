package org.transformer4j.nn;

/**
 * The feed-forward network's non-linearity: exact-erf GELU (nanoGPT, PyTorch {@code nn.GELU()}), GELU's tanh
 * approximation (GPT-2's {@code gelu_new}, PyTorch {@code nn.GELU(approximate="tanh")}) or ReLU (the original paper).
 * In config.json: {@code "gelu"}, {@code "gelu_tanh"} or {@code "relu"}.
 */
public enum Activation {
    /** {@code x · Φ(x)}, with the exact erf: nanoGPT's and PyTorch's default GELU. */
    GELU,
    /** {@code max(0, x)}: the original paper's. */
    RELU,
    /** {@code 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³)))}: what GPT-2 was trained with. */
    GELU_TANH;

    /**
     * The value in config.json: the constant's name in lower case.
     *
     * @return {@code gelu}, {@code relu} or {@code gelu_tanh}
     */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
