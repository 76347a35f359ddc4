package org.transformer4j.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.Tensor;

/** Beam search against hand-computed cases, greedy decoding and exhaustive enumeration with full recomputes. */
class BeamSearchTest {
    private static final double TOLERANCE = 1e-5;

    /**
     * A "model" given as next-token probabilities for each prefix (tokens generated so far): the session keeps one
     * prefix per batch row, so the search's row reordering is checked too.
     */
    static final class TableSession implements DecodingSession {
        private final Function<List<Integer>, double[]> probabilities;
        private final int vocab;
        private final int max;
        private List<List<Integer>> rows = new ArrayList<>();
        int steps;

        TableSession(int vocab, int max, Function<List<Integer>, double[]> probabilities) {
            this.vocab = vocab;
            this.max = max;
            this.probabilities = probabilities;
        }

        @Override
        public int vocabSize() {
            return vocab;
        }

        @Override
        public int maxNewTokens() {
            return max;
        }

        @Override
        public float[] start() {
            rows.add(List.of());
            return logits();
        }

        @Override
        public float[] step(int[] tokens) {
            assertEquals(rows.size(), tokens.length);
            steps++;
            List<List<Integer>> next = new ArrayList<>();
            for (int b = 0; b < tokens.length; b++) {
                List<Integer> r = new ArrayList<>(rows.get(b));
                r.add(tokens[b]);
                next.add(List.copyOf(r));
            }
            rows = next;
            return logits();
        }

        @Override
        public void selectRows(int[] select) {
            List<List<Integer>> next = new ArrayList<>();
            for (int r : select) {
                next.add(rows.get(r));
            }
            rows = next;
        }

        private float[] logits() {
            float[] out = new float[rows.size() * vocab];
            for (int b = 0; b < rows.size(); b++) {
                double[] p = probabilities.apply(rows.get(b));
                for (int v = 0; v < vocab; v++) {
                    out[b * vocab + v] = (float) Math.log(p[v]);
                }
            }
            return out;
        }

        @Override
        public void close() {
        }
    }

    private static final int A = 0;
    private static final int B = 1;
    private static final int EOS = 2;

    /** Greedy takes A (0.5) then A (0.34): 0.17; the better output is B (0.4) then EOS (0.9): 0.36. */
    private static double[] greedyTrap(List<Integer> prefix) {
        if (prefix.isEmpty()) {
            return new double[] {0.5, 0.4, 0.1};
        }
        if (prefix.equals(List.of(A))) {
            return new double[] {0.34, 0.33, 0.33};
        }
        if (prefix.equals(List.of(B))) {
            return new double[] {0.05, 0.05, 0.9};
        }
        return new double[] {0.2, 0.2, 0.6};
    }

    @Test
    void beamFindsTheMoreProbableOutputThatGreedyMisses() {
        BeamSearchOptions greedy = BeamSearchOptions.of(1, 2, Set.of(EOS));
        List<Hypothesis> g = BeamSearch.search(new TableSession(3, 10, BeamSearchTest::greedyTrap), greedy);
        assertArrayEquals(new int[] {A, A}, g.get(0).tokens());
        assertEquals(Math.log(0.5) + Math.log(0.34), g.get(0).logProb(), TOLERANCE);
        assertFalse(g.get(0).finished(), "greedy ran into the token limit");

        List<Hypothesis> beam = BeamSearch.search(new TableSession(3, 10, BeamSearchTest::greedyTrap),
                BeamSearchOptions.of(2, 2, Set.of(EOS)));
        assertArrayEquals(new int[] {B}, beam.get(0).tokens());
        assertEquals(Math.log(0.4) + Math.log(0.9), beam.get(0).logProb(), TOLERANCE);
        assertEquals(beam.get(0).logProb(), beam.get(0).score(), 0.0, "no length penalty");
        assertTrue(beam.get(0).finished());
    }

    @Test
    void nBestListsHypothesesBestFirstWithTheirScores() {
        // width 2: step 1 keeps A (0.5), B (0.4); EOS (0.1) is candidate rank 2 >= width, so it is not kept.
        // step 2: B,EOS 0.36 (finished); A,A 0.17; A,B 0.165; A,EOS 0.165 (rank 3 >= width: dropped); B,A 0.02 ...
        // the limit of 2 tokens ends the search with the alive A,A and A,B.
        List<Hypothesis> best = BeamSearch.search(new TableSession(3, 10, BeamSearchTest::greedyTrap),
                BeamSearchOptions.of(2, 2, Set.of(EOS)).withNBest(2));
        assertEquals(2, best.size());
        assertArrayEquals(new int[] {B}, best.get(0).tokens());
        assertArrayEquals(new int[] {A, A}, best.get(1).tokens());
        assertEquals(Math.log(0.17), best.get(1).logProb(), TOLERANCE);
    }

    @Test
    void lengthPenaltyFavoursLongerOutputs() {
        // At start: EOS 0.3, A 0.7. After A: EOS 0.6, A 0.4; after A,A: EOS 1 (almost).
        Function<List<Integer>, double[]> model = prefix -> switch (prefix.size()) {
            case 0 -> new double[] {0.7, 1e-9, 0.3};
            case 1 -> new double[] {0.4, 1e-9, 0.6};
            default -> new double[] {1e-9, 1e-9, 1.0};
        };
        // alpha = 0 ranks by probability: [A] = 0.7·0.6 = 0.42, then [] = 0.3, then [A,A] = 0.7·0.4·1 = 0.28
        List<Hypothesis> raw = BeamSearch.search(new TableSession(3, 10, model),
                new BeamSearchOptions(2, 0.0, 5, 2, Set.of(EOS)));
        assertArrayEquals(new int[] {A}, raw.get(0).tokens());
        assertEquals(Math.log(0.42), raw.get(0).score(), 1e-6);
        assertArrayEquals(new int[] {}, raw.get(1).tokens());
        assertEquals(Math.log(0.3), raw.get(1).score(), 1e-6);
        // alpha = 1 (mean per token, EOS counted): [] ln0.3/1 = -1.204; [A] ln0.42/2 = -0.434; [A,A] ln0.28/3 = -0.424
        List<Hypothesis> mean = BeamSearch.search(new TableSession(3, 10, model),
                new BeamSearchOptions(2, 1.0, 5, 2, Set.of(EOS)));
        assertArrayEquals(new int[] {A, A}, mean.get(0).tokens());
        assertEquals(Math.log(0.28) / 3, mean.get(0).score(), 1e-6);
        assertEquals(Math.log(0.28), mean.get(0).logProb(), 1e-6);
        assertArrayEquals(new int[] {A}, mean.get(1).tokens());
        assertEquals(Math.log(0.42) / 2, mean.get(1).score(), 1e-6);
    }

    @Test
    void searchStopsOnceTheBestFinishedBeatsEveryAliveHypothesis() {
        // EOS is certain-ish at once: after step 1 the finished [] (0.9) beats the alive A (0.05) and B (0.05).
        TableSession session = new TableSession(3, 100, prefix -> new double[] {0.05, 0.05, 0.9});
        List<Hypothesis> best = BeamSearch.search(session, BeamSearchOptions.of(2, 50, Set.of(EOS)));
        assertArrayEquals(new int[] {}, best.get(0).tokens());
        assertEquals(0, session.steps, "no decoding step after the first choice");
    }

    @ParameterizedTest
    @CsvSource({"PRE, LEARNED", "POST, SINUSOIDAL"})
    void gptWidthOneIsGreedy(NormPlacement norm, PositionalEncodingType positions) {
        GptModel model = TinyModels.gpt(7, 32, norm, positions);
        GptGenerator generator = new GptGenerator(model, TinyModels.OPS, TinyModels.weights(model.parameterSpecs(), 21));
        int[] prompt = {1, 5, 3};
        int[] greedy = generator.generate(prompt, GenerationOptions.greedy(12), t -> true);
        List<Hypothesis> beam = generator.beamSearch(prompt, BeamSearchOptions.of(1, 12, Set.of()));
        assertArrayEquals(greedy, beam.get(0).tokens());
        assertFalse(beam.get(0).finished());
        // with an end token: greedy includes it and stops there; the hypothesis ends before it
        int eos = greedy[4];
        int firstEos = indexOf(greedy, eos);
        int[] greedyEos = generator.generate(prompt, GenerationOptions.greedy(12).withStopTokens(Set.of(eos)), t -> true);
        assertArrayEquals(Arrays.copyOf(greedy, firstEos + 1), greedyEos);
        Hypothesis h = generator.beamSearch(prompt, BeamSearchOptions.of(1, 12, Set.of(eos))).get(0);
        assertArrayEquals(Arrays.copyOf(greedy, firstEos), h.tokens());
        assertTrue(h.finished());
    }

    /** Every continuation of the prompt of length 3 over a vocabulary of 5, scored by full recomputes. */
    @ParameterizedTest
    @CsvSource({"PRE, LEARNED, 31", "POST, SINUSOIDAL, 32", "PRE, SINUSOIDAL, 33"})
    void gptBeamOfWidth25FindsTheExhaustiveOptimumAndNBest(NormPlacement norm, PositionalEncodingType positions,
                                                           long seed) {
        int vocab = 5;
        GptModel model = TinyModels.gpt(vocab, 16, norm, positions);
        Parameters w = TinyModels.weights(model.parameterSpecs(), seed);
        int[] prompt = {2, 0};
        List<Scored> all = new ArrayList<>();
        for (int i = 0; i < 125; i++) {
            int[] seq = {i / 25, i / 5 % 5, i % 5};
            double logProb = 0;
            int[] prefix = prompt;
            for (int token : seq) {
                logProb += logSoftmax(KvCacheConsistencyTest.lastRow(model.logits(TinyModels.OPS, w,
                        KvCacheConsistencyTest.ids(prefix))), token);
                prefix = KvCacheConsistencyTest.append(prefix, token);
            }
            all.add(new Scored(seq, logProb));
        }
        all.sort(Comparator.comparingDouble(Scored::logProb).reversed());
        GptGenerator generator = new GptGenerator(model, TinyModels.OPS, w);
        List<Hypothesis> beam = generator.beamSearch(prompt, new BeamSearchOptions(25, 0.0, 3, 25, Set.of()));
        assertEquals(25, beam.size());
        for (int i = 0; i < 25; i++) {
            assertArrayEquals(all.get(i).tokens(), beam.get(i).tokens(), "rank " + i);
            assertEquals(all.get(i).logProb(), beam.get(i).logProb(), TOLERANCE, "rank " + i);
        }
        assertTrue(all.get(0).logProb() - all.get(1).logProb() > 1e-4, "a clear optimum, not a rounding tie");
    }

    @Test
    void greedyIsBeatenByBeamOnSomeTinyRandomGpt() {
        // Over a few seeds, the width-5 beam must never be worse than greedy, and strictly better at least once.
        int better = 0;
        for (long seed = 40; seed < 46; seed++) {
            GptModel model = TinyModels.gpt(5, 16, NormPlacement.PRE, PositionalEncodingType.LEARNED);
            GptGenerator generator = new GptGenerator(model, TinyModels.OPS, TinyModels.weights(model.parameterSpecs(), seed));
            Hypothesis greedy = generator.beamSearch(new int[] {1}, BeamSearchOptions.of(1, 4, Set.of())).get(0);
            Hypothesis beam = generator.beamSearch(new int[] {1}, BeamSearchOptions.of(5, 4, Set.of())).get(0);
            assertTrue(beam.logProb() >= greedy.logProb() - TOLERANCE, "seed " + seed);
            if (beam.logProb() > greedy.logProb() + 1e-4) {
                better++;
                assertNotEquals(Arrays.toString(greedy.tokens()), Arrays.toString(beam.tokens()));
            }
        }
        assertTrue(better > 0, "beam never beat greedy on these seeds");
    }

    /** The encoder-decoder: the best output ending in EOS within 3 tokens (or cut at 3), against enumeration. */
    @ParameterizedTest
    @CsvSource({"POST, SINUSOIDAL, 51", "PRE, LEARNED, 52"})
    void seq2seqBeamFindsTheExhaustiveOptimum(NormPlacement norm, PositionalEncodingType positions, long seed) {
        int vocab = 5;
        int bos = 3;
        int eos = 4;
        Seq2SeqModel model = TinyModels.seq2seq(vocab, 16, norm, positions);
        Parameters w = TinyModels.weights(model.parameterSpecs(), seed);
        int[] source = {0, 1, 2, 1};
        Tensor memory = model.encode(TinyModels.OPS, w, KvCacheConsistencyTest.ids(source), null);
        // all outputs: up to 2 tokens (not EOS) then EOS, or 3 tokens without EOS (cut at the limit)
        List<Scored> all = new ArrayList<>();
        List<int[]> bodies = new ArrayList<>();
        bodies.add(new int[0]);
        for (int len = 1; len <= 3; len++) {
            for (int i = 0; i < Math.pow(eos, len); i++) {
                int[] body = new int[len];
                for (int k = 0, rest = i; k < len; k++, rest /= eos) {
                    body[k] = rest % eos;
                }
                bodies.add(body);
            }
        }
        for (int[] body : bodies) {
            boolean ends = body.length < 3;
            double logProb = 0;
            int[] prefix = {bos};
            for (int k = 0; k < body.length + (ends ? 1 : 0); k++) {
                int token = k < body.length ? body[k] : eos;
                logProb += logSoftmax(KvCacheConsistencyTest.lastRow(model.decode(TinyModels.OPS, w,
                        KvCacheConsistencyTest.ids(prefix), memory, null, null)), token);
                prefix = KvCacheConsistencyTest.append(prefix, token);
            }
            all.add(new Scored(body, logProb));
        }
        all.sort(Comparator.comparingDouble(Scored::logProb).reversed());
        Seq2SeqGenerator generator = new Seq2SeqGenerator(model, TinyModels.OPS, w, bos, eos);
        Hypothesis best = generator.beamSearch(source, BeamSearchOptions.of(25, 3, Set.of())).get(0);
        assertArrayEquals(all.get(0).tokens(), best.tokens());
        assertEquals(all.get(0).logProb(), best.logProb(), TOLERANCE);
        assertEquals(all.get(0).tokens().length < 3, best.finished());
        // width 1 is greedy
        int[] greedy = generator.generate(source, GenerationOptions.greedy(3));
        assertArrayEquals(greedy, generator.beamSearch(source, BeamSearchOptions.of(1, 3, Set.of())).get(0).tokens());
    }

    @Test
    void refusesMoreTokensThanTheContextAllows() {
        GptModel model = TinyModels.gpt(5, 8, NormPlacement.PRE, PositionalEncodingType.LEARNED);
        GptGenerator generator = new GptGenerator(model, TinyModels.OPS, TinyModels.weights(model.parameterSpecs(), 1));
        // prompt of 6 in a context of 8: tokens 1..3 fit (the third is chosen from position 7's logits)
        assertEquals(3, generator.beamSearch(new int[] {0, 1, 2, 3, 4, 0}, BeamSearchOptions.of(2, 3, Set.of()))
                .get(0).tokens().length);
        var e = assertThrows(IllegalArgumentException.class,
                () -> generator.beamSearch(new int[] {0, 1, 2, 3, 4, 0}, BeamSearchOptions.of(2, 4, Set.of())));
        assertTrue(e.getMessage().contains("at most 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BeamSearchOptions(0, 0, 3, 1, Set.of()));
        assertThrows(IllegalArgumentException.class, () -> new BeamSearchOptions(2, 0, 3, 3, Set.of()));
        assertThrows(IllegalArgumentException.class, () -> new BeamSearchOptions(2, Double.NaN, 3, 1, Set.of()));
    }

    record Scored(int[] tokens, double logProb) {
    }

    /** log softmax(logits)[token], in double. */
    static double logSoftmax(float[] logits, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return logits[token] - max - Math.log(sum);
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

}
