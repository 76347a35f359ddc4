package org.transformer4j.backend;

/**
 * How an inference engine stores the weights of a model's matrix products: float32 as loaded, or rounded to
 * bfloat16 (half the memory and, at batch 1 where a decoding step reads every weight once, about half the time),
 * with float32 arithmetic either way. Chosen with {@code LanguageModel.Builder#weights}; an engine that keeps only
 * float32 refuses the others (see {@link InferenceEngine#load(java.util.Map, WeightPrecision)}).
 */
public enum WeightPrecision {
    /** The weights as loaded, in float32 (the default). */
    FLOAT32,
    /**
     * Every weight matrix rounded to bfloat16 (to nearest, ties to even); vectors (biases, norms) stay float32.
     * Products accumulate in float32; logits move by about the rounding of the weights (see backend-cpu's
     * BENCHMARKS.md for the measured differences).
     */
    BF16
}
