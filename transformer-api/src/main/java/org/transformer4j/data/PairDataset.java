package org.transformer4j.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * Tokenized (source, target) pairs for an encoder-decoder, with the special ids the batches need:
 * {@code <bos>} starts the decoder input, {@code <eos>} ends the target, {@code <pad>} fills short sources.
 *
 * <p>Texts are encoded with {@code parseSpecialTokens = false}: a literal "&lt;eos&gt;" in the data is text,
 * never the end-of-sequence token. Encode inputs the same way when translating. The token arrays are held,
 * not copied: treat them as read-only.
 */
public final class PairDataset {
    private final List<int[]> sources;
    private final List<int[]> targets;
    private final int bosId;
    private final int eosId;
    private final int padId;

    /**
     * Pairs already tokenized ({@code sources.get(i)} goes with {@code targets.get(i)}).
     *
     * @param sources the source token ids of each pair
     * @param targets the target token ids of each pair, without {@code <bos>} or {@code <eos>}
     * @param bosId the id that starts every decoder input
     * @param eosId the id that ends every decoder target
     * @param padId the id that pads shorter sequences
     * @throws IllegalArgumentException if the lists differ in size, are empty, a source is empty, or the
     *     special ids are negative or not distinct
     */
    public PairDataset(List<int[]> sources, List<int[]> targets, int bosId, int eosId, int padId) {
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(targets, "targets");
        if (sources.size() != targets.size()) {
            throw new IllegalArgumentException("PairDataset: " + sources.size() + " sources but " + targets.size()
                    + " targets; each source needs exactly one target");
        }
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("PairDataset: no pairs; give at least one (source, target) pair");
        }
        if (bosId < 0 || eosId < 0 || padId < 0 || bosId == eosId || bosId == padId || eosId == padId) {
            throw new IllegalArgumentException("PairDataset: the <bos>, <eos> and <pad> ids must be distinct and"
                    + " non-negative, were " + bosId + ", " + eosId + ", " + padId);
        }
        for (int i = 0; i < sources.size(); i++) {
            Objects.requireNonNull(sources.get(i), "sources[" + i + "]");
            Objects.requireNonNull(targets.get(i), "targets[" + i + "]");
            if (sources.get(i).length == 0) {
                throw new IllegalArgumentException("PairDataset: pair " + i + " has an empty source; the encoder"
                        + " needs at least one token (drop the pair or give it text)");
            }
        }
        this.sources = List.copyOf(sources);
        this.targets = List.copyOf(targets);
        this.bosId = bosId;
        this.eosId = eosId;
        this.padId = padId;
    }

    /**
     * Encodes the texts with {@code tokenizer}, which must have the special tokens {@link Tokenizer#BOS},
     * {@link Tokenizer#EOS} and {@link Tokenizer#PAD}.
     *
     * @param tokenizer the tokenizer of both sides
     * @param sources the source texts
     * @param targets the target texts, {@code targets.get(i)} for {@code sources.get(i)}
     * @return the tokenized pairs
     * @throws IllegalArgumentException if a special token is missing, the lists differ in size or are empty,
     *     a source is empty, or a text holds a character the tokenizer cannot encode (the message names the pair)
     */
    public static PairDataset encode(Tokenizer tokenizer, List<String> sources, List<String> targets) {
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(targets, "targets");
        int bos = requireSpecial(tokenizer, Tokenizer.BOS, tokenizer.bosId());
        int eos = requireSpecial(tokenizer, Tokenizer.EOS, tokenizer.eosId());
        int pad = requireSpecial(tokenizer, Tokenizer.PAD, tokenizer.padId());
        if (sources.size() != targets.size()) {
            throw new IllegalArgumentException("PairDataset: " + sources.size() + " sources but " + targets.size()
                    + " targets; each source needs exactly one target");
        }
        List<int[]> src = new ArrayList<>(sources.size());
        List<int[]> tgt = new ArrayList<>(targets.size());
        for (int i = 0; i < sources.size(); i++) {
            src.add(encodeText(tokenizer, sources.get(i), "source", i));
            tgt.add(encodeText(tokenizer, targets.get(i), "target", i));
        }
        return new PairDataset(src, tgt, bos, eos, pad);
    }

    private static int[] encodeText(Tokenizer tokenizer, String text, String what, int index) {
        Objects.requireNonNull(text, what + "s[" + index + "]");
        try {
            return tokenizer.encode(text, false);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PairDataset: cannot encode the " + what + " of pair " + index + " (\""
                    + text + "\"): " + e.getMessage(), e);
        }
    }

    private static int requireSpecial(Tokenizer tokenizer, String token, OptionalInt id) {
        if (id.isEmpty()) {
            throw new IllegalArgumentException("PairDataset: the tokenizer has no " + token + " token (its specials are "
                    + tokenizer.specialTokens().keySet() + "); build it with the specials " + Tokenizer.PAD + ", "
                    + Tokenizer.BOS + " and " + Tokenizer.EOS);
        }
        return id.getAsInt();
    }

    /**
     * Number of pairs.
     *
     * @return at least 1
     */
    public int size() {
        return sources.size();
    }

    /**
     * The source tokens of pair {@code i} (not a copy).
     *
     * @param i the pair, from 0
     * @return its source ids
     */
    public int[] source(int i) {
        return sources.get(i);
    }

    /**
     * The target tokens of pair {@code i}, without {@code <bos>} or {@code <eos>} (not a copy).
     *
     * @param i the pair, from 0
     * @return its target ids
     */
    public int[] target(int i) {
        return targets.get(i);
    }

    /**
     * The id that starts every decoder input.
     *
     * @return the {@code <bos>} id
     */
    public int bosId() {
        return bosId;
    }

    /**
     * The id that ends every decoder target.
     *
     * @return the {@code <eos>} id
     */
    public int eosId() {
        return eosId;
    }

    /**
     * The id that pads shorter sequences (masked out of attention and the loss).
     *
     * @return the {@code <pad>} id
     */
    public int padId() {
        return padId;
    }

    /**
     * The longest source, in tokens.
     *
     * @return the length
     */
    public int maxSourceLength() {
        return sources.stream().mapToInt(s -> s.length).max().orElse(0);
    }

    /**
     * The longest decoder sequence, in tokens: the longest target plus one ({@code <bos>} in, {@code <eos>} out).
     *
     * @return the length
     */
    public int maxDecoderLength() {
        return targets.stream().mapToInt(t -> t.length + 1).max().orElse(1);
    }

    @Override
    public String toString() {
        return "PairDataset[" + size() + " pairs, sources up to " + maxSourceLength() + " tokens, decoder sequences up to "
                + maxDecoderLength() + "]";
    }
}
