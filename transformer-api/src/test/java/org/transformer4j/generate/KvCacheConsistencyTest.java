package org.transformer4j.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.KvCache;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * Incremental decoding with the key/value cache gives, at every step, the logits of a full recomputation (no cache)
 * over the whole sequence so far; and a cache whose batch rows were reordered continues each row as a fresh
 * recomputation of that row's sequence.
 */
class KvCacheConsistencyTest {
    private static final double TOLERANCE = 1e-5;
    private static final int VOCAB = 13;
    private static final int STEPS = 50;
    private final Ops ops = TinyModels.OPS;

    @ParameterizedTest
    @CsvSource({"PRE, LEARNED", "PRE, SINUSOIDAL", "POST, LEARNED", "POST, SINUSOIDAL"})
    void gptCachedLogitsEqualFullRecomputeAtEveryStep(NormPlacement norm, PositionalEncodingType positions) {
        GptModel model = TinyModels.gpt(VOCAB, 64, norm, positions);
        Parameters w = TinyModels.weights(model.parameterSpecs(), 7);
        SplittableRandom random = new SplittableRandom(3);
        int[] seq = {1, 4, 2};
        double previousDifference = -1;
        try (KvCache cache = model.newCache()) {
            float[] cached = lastRow(model.logits(ops, w, ids(seq), cache, null));
            for (int step = 0; step < STEPS; step++) {
                float[] full = lastRow(model.logits(ops, w, ids(seq)));
                assertEquals(0, maxAbsDiff(cached, full), TOLERANCE, "step " + step + ", sequence length " + seq.length);
                int next = random.nextInt(VOCAB);
                seq = append(seq, next);
                float[] nextCached = lastRow(model.logits(ops, w, ids(new int[] {next}), cache, null));
                assertEquals(seq.length, cache.length());
                previousDifference = Math.max(previousDifference, maxAbsDiff(nextCached, cached));
                cached = nextCached;
            }
        }
        // the test can fail: successive positions have clearly different logits, far above the tolerance
        assertTrue(previousDifference > 0.1, "logits barely change between steps: " + previousDifference);
    }

    @ParameterizedTest
    @CsvSource({"PRE, LEARNED", "PRE, SINUSOIDAL", "POST, LEARNED", "POST, SINUSOIDAL"})
    void seq2seqDecoderCachedLogitsEqualFullRecomputeAtEveryStep(NormPlacement norm, PositionalEncodingType positions) {
        Seq2SeqModel model = TinyModels.seq2seq(VOCAB, 64, norm, positions);
        Parameters w = TinyModels.weights(model.parameterSpecs(), 11);
        SplittableRandom random = new SplittableRandom(5);
        int[] source = {3, 9, 9, 1, 12, 0, 5};
        int[] target = {2};
        Tensor memory = model.encode(ops, w, ids(source), null);
        try (KvCache cache = model.newCache()) {
            float[] cached = lastRow(model.decode(ops, w, ids(target), memory, null, cache));
            for (int step = 0; step < STEPS; step++) {
                Tensor freshMemory = model.encode(ops, w, ids(source), null);
                float[] full = lastRow(model.decode(ops, w, ids(target), freshMemory, null, null));
                assertEquals(0, maxAbsDiff(cached, full), TOLERANCE, "step " + step + ", target length " + target.length);
                int next = random.nextInt(VOCAB);
                target = append(target, next);
                cached = lastRow(model.decode(ops, w, ids(new int[] {next}), memory, null, cache));
                assertEquals(target.length, cache.length());
                assertEquals(source.length, cache.cross(0).length(), "cross-attention cache holds the source positions");
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"PRE, LEARNED", "POST, SINUSOIDAL"})
    void gptCacheRowsCanBeReorderedRepeatedAndDropped(NormPlacement norm, PositionalEncodingType positions) {
        GptModel model = TinyModels.gpt(VOCAB, 32, norm, positions);
        Parameters w = TinyModels.weights(model.parameterSpecs(), 8);
        int[][] rows = {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}};
        try (KvCache cache = model.newCache()) {
            model.logits(ops, w, ids(rows), cache, null);
            cache.selectRows(ops, new int[] {2, 0, 2});
            assertEquals(3, cache.batchSize());
            int[][] next = {{0}, {3}, {7}};
            float[] stepped = model.logits(ops, w, ids(next), cache, null).toFloatArray();
            int[][] expectedRows = {append(rows[2], 0), append(rows[0], 3), append(rows[2], 7)};
            for (int b = 0; b < 3; b++) {
                float[] full = lastRow(model.logits(ops, w, ids(expectedRows[b])));
                float[] got = Arrays.copyOfRange(stepped, b * VOCAB, (b + 1) * VOCAB);
                assertEquals(0, maxAbsDiff(got, full), TOLERANCE, "row " + b);
            }
            cache.selectRows(ops, new int[] {1});
            float[] single = lastRow(model.logits(ops, w, ids(new int[] {4}), cache, null));
            float[] full = lastRow(model.logits(ops, w, ids(append(expectedRows[1], 4))));
            assertEquals(0, maxAbsDiff(single, full), TOLERANCE);
        }
    }

    @ParameterizedTest
    @CsvSource({"POST, SINUSOIDAL", "PRE, LEARNED"})
    void seq2seqCacheReorderingKeepsCrossAttentionConsistent(NormPlacement norm, PositionalEncodingType positions) {
        Seq2SeqModel model = TinyModels.seq2seq(VOCAB, 32, norm, positions);
        Parameters w = TinyModels.weights(model.parameterSpecs(), 12);
        int[][] sources = {{1, 2, 3}, {4, 5, 6}};
        int[][] targets = {{0, 7}, {0, 8}};
        Tensor memory = model.encode(ops, w, ids(sources), null);
        try (KvCache cache = model.newCache()) {
            model.decode(ops, w, ids(targets), memory, null, cache);
            cache.selectRows(ops, new int[] {1, 1, 0});
            float[] stepped = model.decode(ops, w, ids(new int[][] {{3}, {4}, {5}}), memory, null, cache).toFloatArray();
            int[][] src = {sources[1], sources[1], sources[0]};
            int[][] tgt = {append(targets[1], 3), append(targets[1], 4), append(targets[0], 5)};
            for (int b = 0; b < 3; b++) {
                Tensor m = model.encode(ops, w, ids(src[b]), null);
                float[] full = lastRow(model.decode(ops, w, ids(tgt[b]), m, null, null));
                float[] got = Arrays.copyOfRange(stepped, b * VOCAB, (b + 1) * VOCAB);
                assertEquals(0, maxAbsDiff(got, full), TOLERANCE, "row " + b);
            }
        }
    }

    static Tensor ids(int[] seq) {
        return TinyModels.OPS.constant(HostTensor.ofInts(Shape.of(1, seq.length), seq));
    }

    static Tensor ids(int[][] rows) {
        int t = rows[0].length;
        int[] flat = new int[rows.length * t];
        for (int b = 0; b < rows.length; b++) {
            System.arraycopy(rows[b], 0, flat, b * t, t);
        }
        return TinyModels.OPS.constant(HostTensor.ofInts(Shape.of(rows.length, t), flat));
    }

    /** The logits of the last position of the (single) row, {@code [V]}. */
    static float[] lastRow(Tensor logits) {
        float[] all = logits.toFloatArray();
        int v = logits.shape().dim(-1);
        return Arrays.copyOfRange(all, all.length - v, all.length);
    }

    static int[] append(int[] seq, int token) {
        int[] out = Arrays.copyOf(seq, seq.length + 1);
        out[seq.length] = token;
        return out;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
