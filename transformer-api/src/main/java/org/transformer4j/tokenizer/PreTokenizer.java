package org.transformer4j.tokenizer;

/**
 * Cuts text into the chunks ("words") that BPE merges never cross. Implementations are stateless:
 * {@link ChunkSplitter} (this project's own split, used by {@link ByteLevelBpeTokenizer#train}) and
 * {@link Gpt2Splitter} (GPT-2's regular expression, used by Hugging Face's ByteLevel pre-tokenizer).
 */
interface PreTokenizer {
    /** Receives each chunk as a range of the text. */
    interface Sink {
        void chunk(int from, int to);
    }

    /** Cuts {@code s[from, to)} into chunks, in order; their ranges cover it exactly and none is empty. */
    void split(CharSequence s, int from, int to, Sink sink);
}
