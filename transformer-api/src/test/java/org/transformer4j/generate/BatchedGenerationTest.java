package org.transformer4j.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.KvCache;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * Several GPT prompts of different lengths generated as one left-padded batch give, token for token, what each
 * gives alone, and greedy decoding equals a plain loop of full recomputes with argmax.
 */
class BatchedGenerationTest {
    private static final int VOCAB = 11;
    private static final List<int[]> PROMPTS = List.of(new int[] {3, 1}, new int[] {0, 9, 9, 2, 4, 7, 1},
            new int[] {5}, new int[] {8, 8, 2, 6});

    @ParameterizedTest
    @CsvSource({"PRE, LEARNED", "PRE, SINUSOIDAL", "POST, LEARNED", "POST, SINUSOIDAL"})
    void greedyBatchEqualsEachAloneAndPlainRecompute(NormPlacement norm, PositionalEncodingType positions) {
        GptModel model = TinyModels.gpt(VOCAB, 48, norm, positions);
        Parameters w = TinyModels.weights(model.parameterSpecs(), 17);
        GptGenerator generator = new GptGenerator(model, TinyModels.OPS, w);
        List<int[]> batched = generator.generate(PROMPTS, GenerationOptions.greedy(15));
        for (int i = 0; i < PROMPTS.size(); i++) {
            int[] alone = generator.generate(PROMPTS.get(i), GenerationOptions.greedy(15), t -> true);
            assertArrayEquals(alone, batched.get(i), "prompt " + i);
            assertArrayEquals(plainGreedy(model, w, PROMPTS.get(i), 15), alone, "prompt " + i + " vs full recompute");
        }
    }

    @ParameterizedTest
    @CsvSource({"PRE, LEARNED", "POST, SINUSOIDAL"})
    void seededSamplingBatchEqualsEachAloneWithItsOwnSeedAndSettings(NormPlacement norm, PositionalEncodingType positions) {
        GptModel model = TinyModels.gpt(VOCAB, 48, norm, positions);
        GptGenerator generator = new GptGenerator(model, TinyModels.OPS, TinyModels.weights(model.parameterSpecs(), 18));
        List<GenerationOptions> options = List.of(
                GenerationOptions.sampling(20, 1.0f, 0, 101),
                GenerationOptions.sampling(9, 0.7f, 4, 202),            // a shorter limit: leaves the batch early
                GenerationOptions.sampling(20, 1.3f, 0, 303).withTopP(0.8f),
                GenerationOptions.sampling(20, 1.0f, 0, 404).withStopTokens(Set.of(3, 4)));
        List<int[]> seen = new ArrayList<>();
        PROMPTS.forEach(p -> seen.add(new int[0]));
        List<int[]> batched = generator.generate(PROMPTS, options, (row, token) -> {
            seen.set(row, KvCacheConsistencyTest.append(seen.get(row), token));
            return true;
        });
        for (int i = 0; i < PROMPTS.size(); i++) {
            int[] alone = generator.generate(PROMPTS.get(i), options.get(i), t -> true);
            assertArrayEquals(alone, batched.get(i), "prompt " + i);
            assertArrayEquals(alone, seen.get(i), "streamed tokens of prompt " + i);
        }
        assertEquals(9, batched.get(1).length);
        int[] stopped = batched.get(3);
        int last = stopped[stopped.length - 1];
        assertTrue(stopped.length == 20 || last == 3 || last == 4, Arrays.toString(stopped));
        // different seeds do give different samples (so equality above is not vacuous)
        int[] otherSeed = generator.generate(PROMPTS.get(0), GenerationOptions.sampling(20, 1.0f, 0, 999), t -> true);
        assertTrue(!Arrays.equals(otherSeed, batched.get(0)), "seed 999 sampled the same 20 tokens as seed 101");
    }

    @Test
    void callbackStopsOnlyItsOwnPrompt() {
        GptModel model = TinyModels.gpt(VOCAB, 48, NormPlacement.PRE, PositionalEncodingType.LEARNED);
        GptGenerator generator = new GptGenerator(model, TinyModels.OPS, TinyModels.weights(model.parameterSpecs(), 19));
        List<int[]> batched = generator.generate(PROMPTS, java.util.Collections.nCopies(4, GenerationOptions.greedy(10)),
                (row, token) -> row != 2);
        assertEquals(1, batched.get(2).length);
        for (int i : new int[] {0, 1, 3}) {
            assertArrayEquals(generator.generate(PROMPTS.get(i), GenerationOptions.greedy(10), t -> true), batched.get(i));
        }
    }

    @ParameterizedTest
    @CsvSource({"PRE, LEARNED", "POST, SINUSOIDAL"})
    void batchGoesOnPastTheContextWindowLikeEachAlone(NormPlacement norm, PositionalEncodingType positions) {
        // context 12: every prompt fills its window and slides (rebuilds from its last 6 tokens) at its own time
        GptModel model = TinyModels.gpt(VOCAB, 12, norm, positions);
        GptGenerator generator = new GptGenerator(model, TinyModels.OPS, TinyModels.weights(model.parameterSpecs(), 20));
        List<int[]> batched = generator.generate(PROMPTS, GenerationOptions.greedy(30));
        for (int i = 0; i < PROMPTS.size(); i++) {
            int[] alone = generator.generate(PROMPTS.get(i), GenerationOptions.greedy(30), t -> true);
            assertEquals(30, alone.length);
            assertArrayEquals(alone, batched.get(i), "prompt " + i);
        }
        // and both equal a plain loop of full recomputes over the same windows: the whole history while it fits,
        // then (after a token that overflows it) the last half-window, growing again until the next overflow
        Parameters w = TinyModels.weights(model.parameterSpecs(), 20);
        for (int i = 0; i < PROMPTS.size(); i++) {
            assertArrayEquals(plainSlidingGreedy(model, w, PROMPTS.get(i), 30), batched.get(i), "prompt " + i);
        }
    }

    @ParameterizedTest
    @CsvSource({"LEARNED", "SINUSOIDAL"})
    void leftPaddedRowWithPositionIdsHasTheLogitsOfTheUnpaddedRow(PositionalEncodingType positions) {
        GptModel model = TinyModels.gpt(VOCAB, 16, NormPlacement.PRE, positions);
        Parameters w = TinyModels.weights(model.parameterSpecs(), 22);
        var ops = TinyModels.OPS;
        int[] row = {4, 2, 7};
        float[] alone = model.logits(ops, w, KvCacheConsistencyTest.ids(row)).toFloatArray();
        // batch of 2: [pad pad 4 2 7] with positions [0 0 0 1 2], and a full row [1 2 3 4 5]
        Tensor ids = ops.constant(HostTensor.ofInts(Shape.of(2, 5), new int[] {0, 0, 4, 2, 7, 1, 2, 3, 4, 5}));
        Tensor pos = ops.constant(HostTensor.ofInts(Shape.of(2, 5), new int[] {0, 0, 0, 1, 2, 0, 1, 2, 3, 4}));
        Tensor mask = ops.constant(HostTensor.ofInts(Shape.of(2, 5), new int[] {0, 0, 1, 1, 1, 1, 1, 1, 1, 1}));
        float[] batch = model.logits(ops, w, ids, pos, null, mask).toFloatArray();
        float[] paddedRow = Arrays.copyOfRange(batch, 2 * VOCAB, 5 * VOCAB);
        assertEquals(0, KvCacheConsistencyTest.maxAbsDiff(alone, paddedRow), 1e-5);
        float[] fullRow = model.logits(ops, w, KvCacheConsistencyTest.ids(new int[] {1, 2, 3, 4, 5})).toFloatArray();
        assertEquals(0, KvCacheConsistencyTest.maxAbsDiff(fullRow, Arrays.copyOfRange(batch, 5 * VOCAB, 10 * VOCAB)), 1e-5);
        // explicit positions 0..T-1 equal the implicit ones; shifted positions do not
        Tensor five = KvCacheConsistencyTest.ids(new int[] {1, 2, 3, 4, 5});
        float[] explicit = model.logits(ops, w, five, ops.constant(HostTensor.ofInts(Shape.of(1, 5), new int[] {0, 1, 2, 3, 4})),
                null, null).toFloatArray();
        assertEquals(0, KvCacheConsistencyTest.maxAbsDiff(fullRow, explicit), 0.0);
        float[] shifted = model.logits(ops, w, five, ops.constant(HostTensor.ofInts(Shape.of(1, 5), new int[] {1, 2, 3, 4, 5})),
                null, null).toFloatArray();
        assertTrue(KvCacheConsistencyTest.maxAbsDiff(fullRow, shifted) > 1e-3, "positions must matter");
    }

    @Test
    void positionIdsAreCheckedAgainstTheContextAndTheIds() {
        GptModel model = TinyModels.gpt(VOCAB, 8, NormPlacement.PRE, PositionalEncodingType.SINUSOIDAL);
        Parameters w = TinyModels.weights(model.parameterSpecs(), 23);
        var ops = TinyModels.OPS;
        Tensor ids = KvCacheConsistencyTest.ids(new int[] {1, 2});
        var e = assertThrows(IllegalArgumentException.class, () -> model.logits(ops, w, ids,
                ops.constant(HostTensor.ofInts(Shape.of(1, 2), new int[] {7, 8})), null, null));
        assertTrue(e.getMessage().contains("position id 8") && e.getMessage().contains("[0, 8)"), e.getMessage());
        assertThrows(RuntimeException.class, () -> model.logits(ops, w, ids,
                ops.constant(HostTensor.ofInts(Shape.of(1, 3), new int[] {0, 1, 2})), null, null));
    }

    @Test
    void cachedStepsWithPositionIdsAndPaddingMatchRecompute() {
        GptModel model = TinyModels.gpt(VOCAB, 16, NormPlacement.POST, PositionalEncodingType.LEARNED);
        Parameters w = TinyModels.weights(model.parameterSpecs(), 24);
        var ops = TinyModels.OPS;
        try (KvCache cache = model.newCache()) {
            model.logits(ops, w, ops.constant(HostTensor.ofInts(Shape.of(2, 3), new int[] {0, 6, 1, 2, 3, 4})),
                    ops.constant(HostTensor.ofInts(Shape.of(2, 3), new int[] {0, 0, 1, 0, 1, 2})), cache,
                    ops.constant(HostTensor.ofInts(Shape.of(2, 3), new int[] {0, 1, 1, 1, 1, 1})));
            float[] step = model.logits(ops, w, ops.constant(HostTensor.ofInts(Shape.of(2, 1), new int[] {9, 10})),
                    ops.constant(HostTensor.ofInts(Shape.of(2, 1), new int[] {2, 3})), cache,
                    ops.constant(HostTensor.ofInts(Shape.of(2, 4), new int[] {0, 1, 1, 1, 1, 1, 1, 1}))).toFloatArray();
            float[] row0 = KvCacheConsistencyTest.lastRow(model.logits(ops, w, KvCacheConsistencyTest.ids(new int[] {6, 1, 9})));
            float[] row1 = KvCacheConsistencyTest.lastRow(model.logits(ops, w, KvCacheConsistencyTest.ids(new int[] {2, 3, 4, 10})));
            assertEquals(0, KvCacheConsistencyTest.maxAbsDiff(row0, Arrays.copyOfRange(step, 0, VOCAB)), 1e-5);
            assertEquals(0, KvCacheConsistencyTest.maxAbsDiff(row1, Arrays.copyOfRange(step, VOCAB, 2 * VOCAB)), 1e-5);
        }
    }

    /** Greedy decoding by full recomputation over the whole sequence at each step. */
    private static int[] plainGreedy(GptModel model, Parameters w, int[] prompt, int n) {
        int[] seq = prompt;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = argmaxLast(model, w, seq);
            seq = KvCacheConsistencyTest.append(seq, out[i]);
        }
        return out;
    }

    private static int[] plainSlidingGreedy(GptModel model, Parameters w, int[] prompt, int n) {
        int context = model.config().contextLength();
        int[] history = prompt;
        int start = 0;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = argmaxLast(model, w, Arrays.copyOfRange(history, start, history.length));
            history = KvCacheConsistencyTest.append(history, out[i]);
            if (history.length - start > context) {
                start = history.length - context / 2;
            }
        }
        return out;
    }

    private static int argmaxLast(GptModel model, Parameters w, int[] seq) {
        float[] last = KvCacheConsistencyTest.lastRow(model.logits(TinyModels.OPS, w, KvCacheConsistencyTest.ids(seq)));
        int best = 0;
        for (int v = 1; v < last.length; v++) {
            if (last[v] > last[best]) {
                best = v;
            }
        }
        return best;
    }

}
