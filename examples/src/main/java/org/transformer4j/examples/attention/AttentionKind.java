package org.transformer4j.examples.attention;

import java.util.Locale;

/** Which attention of a model to look at. */
public enum AttentionKind {
    /** A GPT's (causal) self-attention; for an encoder-decoder, the same as {@link #ENCODER}. */
    SELF,
    /** An encoder-decoder's encoder self-attention (source to source). */
    ENCODER,
    /** An encoder-decoder's causal decoder self-attention (target to target). */
    DECODER,
    /** An encoder-decoder's cross-attention (target to source). */
    CROSS;

    /** The kind called {@code name} (case-insensitive; {@code encoder-self}, {@code decoder-self} also work). */
    public static AttentionKind parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace("_", "-");
        return switch (n) {
            case "self" -> SELF;
            case "encoder", "encoder-self" -> ENCODER;
            case "decoder", "decoder-self" -> DECODER;
            case "cross" -> CROSS;
            default -> throw new IllegalArgumentException("attention kind must be self, encoder, decoder or cross, was " + name);
        };
    }
}
