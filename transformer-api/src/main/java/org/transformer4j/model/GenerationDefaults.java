package org.transformer4j.model;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The generation settings a model directory suggests, from Hugging Face's {@code generation_config.json} (or, as
 * Hugging Face does without that file, the {@code bos/eos_token_id} of {@code config.json}). Each value is empty
 * when the directory does not say; callers fill the gaps with their own defaults and let explicit options (the
 * CLI's flags) win. Apply them with {@code GenerationOptions.withDefaults}.
 *
 * @param maxNewTokens {@code max_new_tokens}
 * @param doSample     {@code do_sample}: false (Hugging Face's default) means greedy decoding
 * @param temperature  {@code temperature}
 * @param topK         {@code top_k}
 * @param topP         {@code top_p}
 * @param eosTokenIds  {@code eos_token_id} (one id or a list): generation stops at any of them
 * @param bosTokenId   {@code bos_token_id}
 */
public record GenerationDefaults(OptionalInt maxNewTokens, Optional<Boolean> doSample, OptionalDouble temperature,
                                 OptionalInt topK, OptionalDouble topP, Set<Integer> eosTokenIds, OptionalInt bosTokenId) {
    /** A directory that suggests nothing. */
    public static final GenerationDefaults NONE = new GenerationDefaults(OptionalInt.empty(), Optional.empty(),
            OptionalDouble.empty(), OptionalInt.empty(), OptionalDouble.empty(), Set.of(), OptionalInt.empty());

    /** Checks the parts are present and copies the end-of-text ids. */
    public GenerationDefaults {
        Objects.requireNonNull(maxNewTokens, "maxNewTokens");
        Objects.requireNonNull(doSample, "doSample");
        Objects.requireNonNull(temperature, "temperature");
        Objects.requireNonNull(topK, "topK");
        Objects.requireNonNull(topP, "topP");
        Objects.requireNonNull(bosTokenId, "bosTokenId");
        eosTokenIds = Set.copyOf(eosTokenIds);
    }

    /**
     * True when the directory suggests nothing at all.
     *
     * @return true when every setting is unset
     */
    public boolean isEmpty() {
        return equals(NONE);
    }
}
