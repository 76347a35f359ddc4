package org.transformer4j.tokenizer;

import java.util.Map;
import java.util.OptionalInt;

/**
 * Turns text into token ids and back. Implementations are immutable and safe to share between threads.
 *
 * <p>Ids run from 0 to {@code vocabSize() - 1}. Special tokens (such as {@link #BOS}, {@link #EOS},
 * {@link #PAD}) have ids of their own; {@link #encode(String)} turns their literal text into their id,
 * {@link #encode(String, boolean)} can treat it as ordinary text instead, and {@link #decode} writes their
 * literal text back. The tokenizers of this package round-trip: {@code decode(encode(s)).equals(s)}
 * for every string they can encode.
 *
 * <p>Load and save with {@link Tokenizers}; the file format is described in the package documentation.
 */
public interface Tokenizer {
    /** Conventional text of the beginning-of-sequence token. */
    String BOS = "<bos>";
    /** Conventional text of the end-of-sequence token (nanoGPT/GPT-2 use it as the document separator). */
    String EOS = "<eos>";
    /** Conventional text of the padding token. */
    String PAD = "<pad>";

    /**
     * The token ids of {@code text}; literal special tokens in it become their ids.
     *
     * @param text the text
     * @return its token ids
     */
    default int[] encode(String text) {
        return encode(text, true);
    }

    /**
     * The token ids of {@code text}.
     *
     * @param parseSpecialTokens when true, each literal occurrence of a special token's text (leftmost first,
     *     the longest where several start at the same place) becomes that token's id; when false, special token
     *     texts are encoded like any other text (which may fail for a {@link CharTokenizer} whose alphabet
     *     lacks their characters)
     * @param text the text
     * @return its token ids
     */
    int[] encode(String text, boolean parseSpecialTokens);

    /**
     * {@code ids} (of one text, from {@link #encode}) with the special tokens that the tokenizer adds around a
     * model's whole input, as Hugging Face's {@code add_special_tokens=True} does through the tokenizer.json's
     * post-processor: Llama 3's {@code <|begin_of_text|>} in front, nothing for GPT-2. {@link #encode} itself
     * never adds them; a prompt rendered by a chat template already holds them as text and must not get them
     * twice. The default (tokenizers without a post-processor) returns a copy of {@code ids}.
     *
     * @param ids the ids of one text
     * @return the ids with the special tokens added
     */
    default int[] addSpecialTokens(int[] ids) {
        return ids.clone();
    }

    /**
     * The text of {@code ids}; fails with {@link IllegalArgumentException} for an id outside the vocabulary.
     *
     * @param ids token ids
     * @return the text they stand for
     */
    String decode(int[] ids);

    /**
     * Number of ids, special tokens included.
     *
     * @return the vocabulary size
     */
    int vocabSize();

    /**
     * The special tokens, text to id, in id order.
     *
     * @return the special tokens; empty for none
     */
    Map<String, Integer> specialTokens();

    /**
     * The id of the special token whose text is {@code token} (e.g. {@code "<eos>"}), if there is one.
     *
     * @param token the special token's text
     * @return its id, or empty
     */
    default OptionalInt specialTokenId(String token) {
        Integer id = specialTokens().get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * The id of {@link #BOS}, if this tokenizer has it.
     *
     * @return the id, or empty
     */
    default OptionalInt bosId() {
        return specialTokenId(BOS);
    }

    /**
     * The id of {@link #EOS}, if this tokenizer has it.
     *
     * @return the id, or empty
     */
    default OptionalInt eosId() {
        return specialTokenId(EOS);
    }

    /**
     * The id of {@link #PAD}, if this tokenizer has it.
     *
     * @return the id, or empty
     */
    default OptionalInt padId() {
        return specialTokenId(PAD);
    }

    /**
     * The tokenizer.json text of this tokenizer (see the package documentation), readable by {@link Tokenizers}.
     *
     * @return the JSON text
     */
    String toJson();
}
