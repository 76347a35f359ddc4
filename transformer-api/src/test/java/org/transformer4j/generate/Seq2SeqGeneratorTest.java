package org.transformer4j.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.Tensor;

/** Encoder-decoder generation against a plain loop that re-encodes and re-decodes everything at each step. */
class Seq2SeqGeneratorTest {
    private static final int VOCAB = 9;
    private static final int BOS = 7;
    private static final int EOS = 8;
    private static final int[] SOURCE = {1, 4, 4, 0, 6, 2};

    /** The plain reference: full encode + decode per step, token picked by {@code sampler}, stopping at {@code eos}. */
    private static int[] plain(Seq2SeqModel model, Parameters w, int[] source, int eos, int max, TokenSampler sampler) {
        int[] target = {BOS};
        int[] out = new int[0];
        for (int i = 0; i < max; i++) {
            Tensor memory = model.encode(TinyModels.OPS, w, KvCacheConsistencyTest.ids(source), null);
            float[] last = KvCacheConsistencyTest.lastRow(model.decode(TinyModels.OPS, w,
                    KvCacheConsistencyTest.ids(target), memory, null, null));
            int next = sampler.next(last, 0, VOCAB);
            if (next == eos) {
                break;
            }
            out = KvCacheConsistencyTest.append(out, next);
            target = KvCacheConsistencyTest.append(target, next);
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"POST, SINUSOIDAL", "PRE, LEARNED", "POST, LEARNED", "PRE, SINUSOIDAL"})
    void greedyAndSampledOutputsEqualThePlainRecomputeLoop(NormPlacement norm, PositionalEncodingType positions) {
        Seq2SeqModel model = TinyModels.seq2seq(VOCAB, 32, norm, positions);
        Parameters w = TinyModels.weights(model.parameterSpecs(), 61);
        Seq2SeqGenerator generator = new Seq2SeqGenerator(model, TinyModels.OPS, w, BOS, EOS);
        GenerationOptions greedy = GenerationOptions.greedy(20);
        List<Integer> streamed = new ArrayList<>();
        int[] out = generator.generate(SOURCE, greedy, t -> streamed.add(t));
        assertArrayEquals(plain(model, w, SOURCE, EOS, 20, new TokenSampler(greedy)), out);
        assertArrayEquals(out, streamed.stream().mapToInt(Integer::intValue).toArray());

        GenerationOptions sampling = GenerationOptions.sampling(20, 1.0f, 0, 77);
        assertArrayEquals(plain(model, w, SOURCE, EOS, 20, new TokenSampler(sampling)), generator.generate(SOURCE, sampling));
    }

    @Test
    void stopsAtEosWithoutIncludingIt() {
        Seq2SeqModel model = TinyModels.seq2seq(VOCAB, 32, NormPlacement.POST, PositionalEncodingType.SINUSOIDAL);
        Parameters w = TinyModels.weights(model.parameterSpecs(), 62);
        // what greedy produces with an EOS it never reaches (id 8 is only an end marker if chosen)
        int[] free = plain(model, w, SOURCE, -1, 12, new TokenSampler(GenerationOptions.greedy(12)));
        // pick as EOS the first token that differs from all before it, at index >= 1
        int k = 1;
        while (k < free.length && contains(Arrays.copyOf(free, k), free[k])) {
            k++;
        }
        assertTrue(k < free.length, "greedy output repeats one token only: " + Arrays.toString(free));
        int eos = free[k];
        Seq2SeqGenerator generator = new Seq2SeqGenerator(model, TinyModels.OPS, w, BOS, eos);
        assertArrayEquals(Arrays.copyOf(free, k), generator.generate(SOURCE, GenerationOptions.greedy(12)));
        // a stop token of the options ends it the same way (with an EOS id that does not occur in that output)
        int[] seen = Arrays.copyOf(free, k + 1);
        int unused = java.util.stream.IntStream.range(0, VOCAB).filter(v -> !contains(seen, v)).findFirst().orElseThrow();
        Seq2SeqGenerator other = new Seq2SeqGenerator(model, TinyModels.OPS, w, BOS, unused);
        assertArrayEquals(Arrays.copyOf(free, k), other.generate(SOURCE, GenerationOptions.greedy(12).withStopTokens(Set.of(eos))));
        // the token limit and the callback end it too
        assertEquals(1, generator.generate(SOURCE, GenerationOptions.greedy(12), t -> false).length);
        assertEquals(Math.min(k, 2), generator.generate(SOURCE, GenerationOptions.greedy(2)).length);
    }

    @Test
    void refusesBadSourcesAndLimits() {
        Seq2SeqModel model = TinyModels.seq2seq(VOCAB, 8, NormPlacement.POST, PositionalEncodingType.SINUSOIDAL);
        Parameters w = TinyModels.weights(model.parameterSpecs(), 63);
        Seq2SeqGenerator generator = new Seq2SeqGenerator(model, TinyModels.OPS, w, BOS, EOS);
        var empty = assertThrows(IllegalArgumentException.class, () -> generator.generate(new int[0], GenerationOptions.greedy(3)));
        assertTrue(empty.getMessage().contains("the source is empty"), empty.getMessage());
        var oov = assertThrows(IllegalArgumentException.class, () -> generator.generate(new int[] {1, 9}, GenerationOptions.greedy(3)));
        assertTrue(oov.getMessage().contains("token 9 at position 1") && oov.getMessage().contains("[0, 9)"), oov.getMessage());
        int[] longSource = {1, 2, 3, 4, 5, 6, 0, 1, 2, 3};
        var tooLong = assertThrows(IllegalArgumentException.class, () -> generator.generate(longSource, GenerationOptions.greedy(3)));
        assertTrue(tooLong.getMessage().contains("has 10 tokens but the model's context is 8"), tooLong.getMessage());
        int[] cropped = generator.generate(longSource, GenerationOptions.greedy(3).withCropPrompt(true));
        assertArrayEquals(generator.generate(Arrays.copyOfRange(longSource, 2, 10), GenerationOptions.greedy(3)), cropped);
        var limit = assertThrows(IllegalArgumentException.class, () -> generator.generate(SOURCE, GenerationOptions.greedy(9)));
        assertTrue(limit.getMessage().contains("maxNewTokens 9 exceeds"), limit.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Seq2SeqGenerator(model, TinyModels.OPS, w, 9, EOS));
        assertThrows(IllegalArgumentException.class, () -> new Seq2SeqGenerator(model, TinyModels.OPS, w, BOS, -1));
        assertFalse(generator.generate(SOURCE, GenerationOptions.greedy(8)).length > 8);
    }

    private static boolean contains(int[] a, int v) {
        return Arrays.stream(a).anyMatch(x -> x == v);
    }
}
