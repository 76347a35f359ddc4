package org.transformer4j.tokenizer;

import java.util.function.Consumer;

/**
 * Cuts text into the chunks ("words") that BPE merges never cross, as a Hugging Face pre-tokenizer does.
 * Implementations are immutable: this project's own split ({@link ChunkSplitter}) and Hugging Face's
 * {@code ByteLevel}, {@code Split}, {@code Digits} and {@code Sequence} ({@link PreTokenizers}).
 */
interface PreTokenizer {
    /** Receives each chunk as a range of the text (the hand-written splitters' form). */
    interface Sink {
        void chunk(int from, int to);
    }

    /** Cuts {@code s} into chunks, in order, each non-empty (Hugging Face drops empty splits). */
    void split(String s, Consumer<String> out);
}
