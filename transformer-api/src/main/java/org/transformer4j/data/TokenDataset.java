package org.transformer4j.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * A tokenized text split into a training part and a validation part, as nanoGPT prepares its data: the whole
 * text is encoded once, the first {@code trainFraction} of the tokens is the training split and the rest the
 * validation split (nanoGPT uses 0.9).
 *
 * <p>The arrays are held, not copied, and returned as they are: treat them as read-only.
 */
public final class TokenDataset {
    private final int[] train;
    private final int[] validation;

    /**
     * A dataset of two token arrays already split (held, not copied).
     *
     * @param train the training tokens
     * @param validation the validation tokens
     */
    public TokenDataset(int[] train, int[] validation) {
        this.train = Objects.requireNonNull(train, "train");
        this.validation = Objects.requireNonNull(validation, "validation");
    }

    /**
     * Encodes {@code text} with {@code tokenizer} and splits the tokens: the first
     * {@code floor(n * trainFraction)} are the training split, the rest the validation split.
     *
     * @param text the whole text
     * @param tokenizer the tokenizer
     * @param trainFraction the share of tokens in the training split, e.g. 0.9
     * @return the split dataset
     * @throws IllegalArgumentException if {@code trainFraction} is not strictly between 0 and 1
     */
    public static TokenDataset fromText(String text, Tokenizer tokenizer, double trainFraction) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(tokenizer, "tokenizer");
        checkFraction(trainFraction);
        int[] tokens = tokenizer.encode(text);
        int cut = (int) Math.floor(tokens.length * trainFraction);
        return new TokenDataset(Arrays.copyOfRange(tokens, 0, cut), Arrays.copyOfRange(tokens, cut, tokens.length));
    }

    /**
     * Reads {@code file} as UTF-8 text and does {@link #fromText}.
     *
     * @param file a UTF-8 text file
     * @param tokenizer the tokenizer
     * @param trainFraction the share of tokens in the training split, e.g. 0.9
     * @return the split dataset
     * @throws NoSuchFileException if the file does not exist (the message names it)
     * @throws IOException if it cannot be read or is not UTF-8 (the message names it)
     */
    public static TokenDataset fromFile(Path file, Tokenizer tokenizer, double trainFraction) throws IOException {
        Objects.requireNonNull(file, "file");
        checkFraction(trainFraction);
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "text data file does not exist; check the path");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("text data file " + file + " is not valid UTF-8 (" + e + "); convert it to UTF-8", e);
        }
        return fromText(text, tokenizer, trainFraction);
    }

    private static void checkFraction(double trainFraction) {
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new IllegalArgumentException("trainFraction must be strictly between 0 and 1 (nanoGPT uses 0.9), got "
                    + trainFraction);
        }
    }

    /**
     * The training tokens (not a copy).
     *
     * @return the array
     */
    public int[] train() {
        return train;
    }

    /**
     * The validation tokens (not a copy).
     *
     * @return the array
     */
    public int[] validation() {
        return validation;
    }

    /**
     * A sampler of training batches; fails if the training split is shorter than {@code blockSize + 1}.
     *
     * @param batchSize B: sequences per batch, at least 1
     * @param blockSize T: tokens per input sequence, at least 1
     * @param seed the seed every batch's offsets derive from
     * @return a sampler at position 0
     */
    public BatchSampler trainSampler(int batchSize, int blockSize, long seed) {
        return new BatchSampler("training split", train, batchSize, blockSize, seed);
    }

    /**
     * A sampler of validation batches; fails if the validation split is shorter than {@code blockSize + 1}.
     *
     * @param batchSize B: sequences per batch, at least 1
     * @param blockSize T: tokens per input sequence, at least 1
     * @param seed the seed every batch's offsets derive from
     * @return a sampler at position 0
     */
    public BatchSampler validationSampler(int batchSize, int blockSize, long seed) {
        return new BatchSampler("validation split", validation, batchSize, blockSize, seed);
    }

    @Override
    public String toString() {
        return "TokenDataset[train " + train.length + " tokens, validation " + validation.length + " tokens]";
    }
}
