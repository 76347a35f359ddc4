package org.transformer4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.ConformanceCase.Need;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.generate.Seq2SeqGenerator;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.testing.ReferenceEngine;
import org.transformer4j.testing.ReferenceOps;
import org.transformer4j.testing.ReferenceTensor;

/**
 * The complete kit on the scalar reference (which does not train) and on deliberately broken candidates: each
 * breakage fails the cases meant to catch it and no others.
 */
class CompleteKitTest {
    private static final Set<String> TRAINING_OR_TRAINED = Set.of("gpt_gradients", "gpt_gradients_post_ln",
            "seq2seq_gradients", "gpt_adamw_step", "seq2seq_adamw_step", "checkpoint_from_candidate",
            "checkpoint_from_reference", "llama_gradients", "llama_gradients_qwen2");
    private static final Set<String> OUT_OF_VOCABULARY = Set.of("bad_embedding_id_past_vocab",
            "bad_embedding_negative_id", "bad_gpt_token_past_vocab", "bad_seq2seq_source_negative_id");

    private static ConformanceReport itself;

    @BeforeAll
    static void runAgainstItself() {
        itself = run(new ReferenceOps());
    }

    private static ConformanceReport run(ReferenceOps candidateOps) {
        try (Engine ref = new ReferenceEngine(); Engine cand = new ReferenceEngine("candidate", candidateOps)) {
            return ConformanceKit.complete().run(ref, cand);
        }
    }

    /** Attention caches that forget what they held: concatTime keeps only the new step. */
    static final class ForgetfulCacheOps extends ReferenceOps {
        @Override
        public Tensor concatTime(Tensor a, Tensor b) {
            return b;
        }
    }

    /** An embedding that wraps ids into the table instead of refusing them (garbage out of bad input). */
    static final class WrappingEmbeddingOps extends ReferenceOps {
        @Override
        public Tensor embedding(Tensor table, Tensor ids) {
            if (!ids.dtype().isInteger()) {
                return super.embedding(table, ids);
            }
            int vocab = table.shape().dim(0);
            int[] v = ids.toIntArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.floorMod(v[i], vocab);
            }
            return super.embedding(table, ReferenceTensor.ofInts(ids.shape(), v));
        }
    }

    /** An embedding that indexes without checking: a bad id surfaces as ArrayIndexOutOfBoundsException. */
    static final class UncheckedEmbeddingOps extends ReferenceOps {
        @Override
        public Tensor embedding(Tensor table, Tensor ids) {
            int c = table.shape().dim(1);
            float[] t = table.toFloatArray();
            int[] v = ids.toIntArray();
            float[] out = new float[v.length * c];
            for (int i = 0; i < v.length; i++) {
                System.arraycopy(t, v[i] * c, out, i * c, c);
            }
            return ReferenceTensor.ofFloats(Shape.of(concat(ids.shape().toArray(), c)), out);
        }
    }

    private static int[] concat(int[] dims, int last) {
        int[] d = Arrays.copyOf(dims, dims.length + 1);
        d[dims.length] = last;
        return d;
    }

    @Test
    void referenceAgainstItselfPassesEverythingButTraining() {
        for (ConformanceReport.Row r : itself.rows()) {
            CaseStatus expected = TRAINING_OR_TRAINED.contains(r.name()) ? CaseStatus.NOT_SUPPORTED : CaseStatus.PASS;
            assertEquals(expected, r.status(), r.name() + ": " + r.detail());
            if (expected == CaseStatus.PASS && !r.name().startsWith("bad_")) {
                assertEquals(0.0, r.maxAbsError(), r.name() + " must be computed identically on identical engines");
            }
        }
        assertTrue(itself.passed(), itself.toTable());
        assertEquals(ConformanceKit.complete().cases().size(), itself.rows().size());
    }

    @Test
    void everyCaseHasAToleranceWithAReasonAndTrainingCasesSayTheyNeedTraining() {
        for (ConformanceCase c : ConformanceKit.complete().cases()) {
            assertTrue(!c.tolerance().reason().isBlank(), c.name());
            assertTrue(!c.description().isBlank(), c.name());
            assertTrue(c.name().matches("[a-z0-9_]+"), c.name());
            boolean training = c.name().contains("gradients") || c.name().contains("adamw")
                    || c.name().equals("checkpoint_from_candidate");
            assertEquals(training ? Need.TRAINING : Need.INFERENCE, c.needs(), c.name());
        }
    }

    @Test
    void aCacheThatForgetsFailsTheCacheAndGenerationCasesButNotTheFullForward() {
        ConformanceReport r = run(new ForgetfulCacheOps());
        for (String name : List.of("gpt_kv_cache", "gpt_kv_cache_post_ln", "seq2seq_kv_cache", "concat_time")) {
            assertEquals(CaseStatus.FAIL, r.row(name).status(), name + "\n" + r.toTable());
        }
        for (String name : List.of("gpt_logits", "gpt_logits_post_ln", "gpt_logits_left_padded", "gpt_loss",
                "seq2seq_logits", "seq2seq_logits_pre_ln", "seq2seq_loss")) {
            assertEquals(CaseStatus.PASS, r.row(name).status(), name + "\n" + r.toTable());
        }
        assertTrue(r.row("gpt_greedy").status() == CaseStatus.FAIL || r.row("gpt_beam").status() == CaseStatus.FAIL,
                r.toTable());
    }

    @Test
    void anEmbeddingThatWrapsBadIdsFailsExactlyTheOutOfVocabularyCases() {
        ConformanceReport r = run(new WrappingEmbeddingOps());
        for (ConformanceReport.Row row : r.rows()) {
            CaseStatus expected = OUT_OF_VOCABULARY.contains(row.name()) ? CaseStatus.FAIL
                    : TRAINING_OR_TRAINED.contains(row.name()) ? CaseStatus.NOT_SUPPORTED : CaseStatus.PASS;
            assertEquals(expected, row.status(), row.name() + ": " + row.detail());
        }
        assertTrue(r.row("bad_embedding_id_past_vocab").detail().contains("returned a tensor [2, 7, 12] FLOAT32"
                + " instead of refusing"), r.row("bad_embedding_id_past_vocab").detail());
    }

    @Test
    void anIndexOutOfBoundsIsNotAClearRefusal() {
        ConformanceReport r = run(new UncheckedEmbeddingOps());
        String detail = r.row("bad_embedding_id_past_vocab").detail();
        assertEquals(CaseStatus.FAIL, r.row("bad_embedding_id_past_vocab").status(), detail);
        assertTrue(detail.contains("ArrayIndexOutOfBoundsException") && detail.contains("IllegalArgumentException"),
                detail);
    }

    @Test
    void aReferenceThatAcceptsBadInputFailsTheCaseInsteadOfPassingIt() {
        try (Engine lenient = new ReferenceEngine("lenient", new WrappingEmbeddingOps());
             Engine strict = new ReferenceEngine()) {
            ConformanceReport r = ConformanceKit.complete().filter(c -> OUT_OF_VOCABULARY.contains(c.name()))
                    .run(lenient, strict);
            assertEquals(OUT_OF_VOCABULARY.size(), r.count(CaseStatus.FAIL), r.toTable());
            assertTrue(r.row("bad_embedding_negative_id").detail().contains("reference engine 'lenient' did not "
                    + "refuse"), r.toTable());
        }
    }

    /**
     * The token cases compare choices exactly; that is fair only if no choice is a near-tie. Along the reference's
     * greedy path (recomputed in full), the best logit must beat the second by far more than the model cases' float32
     * error (~1e-6 measured on the cpu backend, 1e-4 allowed).
     */
    @Test
    void greedyChoicesOfTheFixtureAreFarFromTies() {
        GptModel model = ModelFixtures.gptPreLn();
        List<int[]> prompts = ModelCases.GREEDY_PROMPTS;
        try (ReferenceEngine ref = new ReferenceEngine(); LoadedWeights w = ref.load(ModelFixtures.weights(model, 11))) {
            Ops ops = ref.inferenceOps();
            double smallestGap = Double.POSITIVE_INFINITY;
            for (int[] prompt : prompts) {
                int[] out = new GptGenerator(model, ref.inferenceOps(), w).generate(prompt, GenerationOptions.greedy(7), t -> true);
                int[] all = concatTokens(prompt, out);
                float[] logits = model.logits(ops, w, ops.constant(HostTensor.ofInts(Shape.of(1, all.length), all)))
                        .toFloatArray();
                int vocab = ModelFixtures.VOCAB;
                for (int pos = prompt.length - 1; pos < all.length - 1; pos++) {
                    float[] row = Arrays.copyOfRange(logits, pos * vocab, (pos + 1) * vocab);
                    int best = argmax(row);
                    assertEquals(all[pos + 1], best, "the generator took the argmax of the full recompute");
                    row[best] = Float.NEGATIVE_INFINITY;
                    smallestGap = Math.min(smallestGap, logits[pos * vocab + best] - row[argmax(row)]);
                }
            }
            assertTrue(smallestGap > 4e-2, "smallest top-2 logit gap " + smallestGap);
        }
    }

    @Test
    void seq2seqGreedyChoicesOfTheFixtureAreFarFromTies() {
        Seq2SeqModel model = ModelFixtures.seq2seqPreLn();
        try (ReferenceEngine ref = new ReferenceEngine(); LoadedWeights w = ref.load(ModelFixtures.weights(model, 22))) {
            Seq2SeqGenerator generator = new Seq2SeqGenerator(model, ref.inferenceOps(), w, ModelCases.BOS, ModelCases.EOS);
            List<Integer> lengths = new ArrayList<>();
            for (int[] src : ModelCases.GREEDY_SOURCES) {
                int[] out = generator.generate(src, GenerationOptions.greedy(8));
                lengths.add(out.length);
                double gap = seq2seqGap(model, ref, w, src, out);
                assertTrue(gap > 4e-2, "smallest top-2 logit gap " + gap + " for source " + Arrays.toString(src));
            }
            assertEquals(List.of(8, 5), lengths, "one output is cut by the limit, the other ends at EOS");
        }
    }

    /** The smallest top-2 gap along a greedy output (the step that chose EOS included, when it stopped early). */
    static double seq2seqGap(Seq2SeqModel model, ReferenceEngine ref, LoadedWeights w, int[] src, int[] out) {
        Ops ops = ref.inferenceOps();
        int[] tgtIn = concatTokens(new int[] {ModelCases.BOS}, out);
        Tensor memory = model.encode(ops, w, ops.constant(HostTensor.ofInts(Shape.of(1, src.length), src)), null);
        float[] logits = model.decode(ops, w, ops.constant(HostTensor.ofInts(Shape.of(1, tgtIn.length), tgtIn)), memory,
                null, null).toFloatArray();
        int vocab = ModelFixtures.VOCAB;
        double gap = Double.POSITIVE_INFINITY;
        for (int pos = 0; pos < tgtIn.length; pos++) {
            if (pos == out.length && out.length == 8) {
                break; // cut by the token limit: nothing was chosen here
            }
            float[] row = Arrays.copyOfRange(logits, pos * vocab, (pos + 1) * vocab);
            int best = argmax(row);
            assertEquals(pos < out.length ? out[pos] : ModelCases.EOS, best, "greedy took the full recompute's argmax");
            row[best] = Float.NEGATIVE_INFINITY;
            gap = Math.min(gap, logits[pos * vocab + best] - row[argmax(row)]);
        }
        return gap;
    }

    private static int[] concatTokens(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
