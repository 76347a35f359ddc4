package org.transformer4j.examples.translate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.generate.TokenSampler;
import org.transformer4j.model.KvCache;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * Translates texts with an encoder-decoder model by greedy decoding, many sources at once: the sources of a
 * batch are padded and masked, encoded once, then the decoder runs one position at a time against its
 * key/value cache, taking the most likely token for every row until each row has produced {@code <eos>}
 * (or the context is full). Works on any inference backend.
 *
 * <p>Texts are encoded with {@code parseSpecialTokens = false}, as {@link org.transformer4j.data.PairDataset}
 * encodes training data.
 */
public final class GreedyTranslator implements Translator {
    private final Seq2SeqModel model;
    private final Ops ops;
    private final Parameters weights;
    private final Tokenizer tokenizer;
    private final int bos;
    private final int eos;
    private final int pad;

    /**
     * A translator for {@code model} with {@code weights} loaded into {@code engine}.
     *
     * @throws IllegalArgumentException if the tokenizer lacks {@code <bos>}, {@code <eos>} or {@code <pad>}
     */
    public GreedyTranslator(Seq2SeqModel model, InferenceEngine engine, Parameters weights, Tokenizer tokenizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.ops = engine.inferenceOps();
        this.weights = Objects.requireNonNull(weights, "weights");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.bos = special(tokenizer, Tokenizer.BOS, tokenizer.bosId());
        this.eos = special(tokenizer, Tokenizer.EOS, tokenizer.eosId());
        this.pad = special(tokenizer, Tokenizer.PAD, tokenizer.padId());
    }

    private static int special(Tokenizer tokenizer, String name, java.util.OptionalInt id) {
        return id.orElseThrow(() -> new IllegalArgumentException("the tokenizer has no " + name + " token (specials "
                + tokenizer.specialTokens().keySet() + "); an encoder-decoder needs <pad>, <bos> and <eos>"));
    }

    /**
     * The translations of {@code sources}, in order, decoding {@code batchSize} of them at a time.
     *
     * @throws IllegalArgumentException if a source is empty, holds a character the tokenizer cannot encode, or
     *     is longer than the model's context (the message names its index)
     */
    @Override
    public List<String> translate(List<String> sources, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        List<String> out = new ArrayList<>(sources.size());
        for (int from = 0; from < sources.size(); from += batchSize) {
            List<String> chunk = sources.subList(from, Math.min(sources.size(), from + batchSize));
            for (int[] ids : translateIds(encode(chunk, from))) {
                out.add(tokenizer.decode(ids));
            }
        }
        return out;
    }

    /** The source token ids of {@code text}, checked against the context. */
    public int[] encodeSource(String text) {
        return encode(List.of(text), 0).getFirst();
    }

    private List<int[]> encode(List<String> texts, int firstIndex) {
        int ctx = model.config().contextLength();
        List<int[]> ids = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            int[] t;
            try {
                t = tokenizer.encode(texts.get(i), false);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("input " + (firstIndex + i + 1) + " (\"" + texts.get(i)
                        + "\") cannot be encoded: " + e.getMessage(), e);
            }
            if (t.length == 0) {
                throw new IllegalArgumentException("input " + (firstIndex + i + 1) + " is empty; give some text");
            }
            if (t.length > ctx) {
                throw new IllegalArgumentException("input " + (firstIndex + i + 1) + " has " + t.length
                        + " tokens but the model's context is " + ctx + "; shorten it");
            }
            ids.add(t);
        }
        return ids;
    }

    /**
     * Greedy translations (token ids, without {@code <bos>} and {@code <eos>}) of already-encoded sources,
     * decoded together as one batch.
     */
    public List<int[]> translateIds(List<int[]> sources) {
        int b = sources.size();
        if (b == 0) {
            return List.of();
        }
        int s = sources.stream().mapToInt(x -> x.length).max().orElseThrow();
        int[] srcIds = new int[b * s];
        int[] srcMask = new int[b * s];
        Arrays.fill(srcIds, pad);
        for (int r = 0; r < b; r++) {
            int[] src = sources.get(r);
            System.arraycopy(src, 0, srcIds, r * s, src.length);
            Arrays.fill(srcMask, r * s, r * s + src.length, 1);
        }
        int ctx = model.config().contextLength();
        int vocab = model.config().vocabSize();
        int[][] produced = new int[b][ctx];
        int[] lengths = new int[b];
        boolean[] done = new boolean[b];
        int[] step = new int[b];
        Arrays.fill(step, bos);
        try (Tensor ids = ops.constant(HostTensor.ofInts(Shape.of(b, s), srcIds));
             Tensor mask = ops.constant(HostTensor.ofInts(Shape.of(b, s), srcMask));
             Tensor memory = model.encode(ops, weights, ids, mask);
             KvCache cache = model.newCache()) {
            int remaining = b;
            for (int position = 0; position < ctx && remaining > 0; position++) {
                float[] logits;
                try (Tensor in = ops.constant(HostTensor.ofInts(Shape.of(b, 1), step));
                     Tensor out = model.decode(ops, weights, in, memory, mask, cache)) {
                    logits = out.toFloatArray();
                }
                for (int r = 0; r < b; r++) {
                    int next = TokenSampler.argmax(logits, r * vocab, vocab);
                    step[r] = next;
                    if (done[r]) {
                        continue;
                    }
                    if (next == eos) {
                        done[r] = true;
                        remaining--;
                    } else {
                        produced[r][lengths[r]++] = next;
                    }
                }
            }
        }
        List<int[]> out = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            out.add(Arrays.copyOf(produced[r], lengths[r]));
        }
        return out;
    }

    /** The tokenizer inputs are encoded with and outputs decoded with. */
    public Tokenizer tokenizer() {
        return tokenizer;
    }
}
