package org.transformer4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.conformance.fixtures.TinyModels.SMALL;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.Comparison;
import org.transformer4j.conformance.GradientCheck;
import org.transformer4j.conformance.Tolerance;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.data.Batch;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.lora.LoraConfig;
import org.transformer4j.lora.LoraModel;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.nn.layers.RopeScaling;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.testing.ReferenceEngine;
import org.transformer4j.testing.ReferenceOps;
import org.transformer4j.testing.ReferenceTensor;
import org.transformer4j.train.TrainingProgram;

/**
 * Whole models on the cpu backend: every parameter's gradient from {@link CpuTrainingProgram#forwardBackward}
 * against finite differences of the loss computed by the independent scalar {@link ReferenceOps}, for a tiny GPT
 * and a tiny encoder-decoder in both architectural variants (dropout 0) and a tiny Llama and Qwen2 (RMSNorm, rotary
 * positions, grouped-query attention, SwiGLU); and logits and loss against the
 * {@link ReferenceEngine}.
 *
 * <p>Gradient criterion: {@code |g - fd| <= 5e-5 + 5e-3·|fd|}. The finite difference is Richardson's
 * extrapolation of central differences with steps 1e-2 and 5e-3 (truncation error O(h⁴), negligible), of the
 * reference loss with ReLU masks frozen at the point (same derivative, no kink to cross; see
 * {@link FrozenReluReferenceOps}) and the cross-entropy summed in double. What is left is the float32 rounding
 * of the reference's layer outputs, about 1e-7 on the loss, which puts about 1.5e-5 on the quotient; the largest
 * error measured over all four models is 1.4e-5. A wrong or missing backward path is off by O(1) relative.
 * Parameters of up to 8 elements are checked element by element, larger ones on 6 random elements each.
 */
class ModelGradientTest {
    /** The finite-difference step (with half of it for Richardson's extrapolation). */
    private static final double STEP = 1e-2;
    private static final Tolerance GRAD = new Tolerance(5e-5, 5e-3,
            "Richardson-extrapolated finite differences (step 1e-2) of a float32 reference loss against a float32 "
            + "backward");
    /** Whole-model forward: float32 layer outputs computed in a different order. */
    private static final Tolerance MODEL = new Tolerance(1e-5, 1e-4, "float32, different summation order");
    /** Parameters up to this size are checked element by element; larger ones on a random sample. */
    private static final int CHECK_ALL_UP_TO = 8;
    private static final int SAMPLE = 6;

    private static TrainingEngine cpu;
    private static InferenceEngine reference;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend().open(EngineOptions.defaults().withThreads(2).withSeed(5));
        reference = new ReferenceEngine();
    }

    @AfterAll
    static void close() {
        cpu.close();
        reference.close();
    }

    @Test
    void gptPreLnLearnedGeluBiasTied() {
        GptConfig c = TinyModels.gptPreLn(SMALL).tiedEmbeddings(true).build();
        checkEveryParameter("GPT pre-LN", new GptModel(c), gptBatch(), 11);
    }

    @Test
    void gptPostLnSinusoidalReluNoBiasUntied() {
        GptConfig c = TinyModels.gptPostLn(SMALL).tiedEmbeddings(false).build();
        checkEveryParameter("GPT post-LN", new GptModel(c), gptBatch(), 12);
    }

    @Test
    void encoderDecoderPreLn() {
        Seq2SeqConfig c = TinyModels.seq2seqPreLn(SMALL).bias(true).build();
        checkEveryParameter("encoder-decoder pre-LN", new Seq2SeqModel(c), seq2seqBatch(), 13);
    }

    @Test
    void llamaGroupedQueryAttentionLlama3RopeSwiGluUntied() {
        LlamaModel model = new LlamaModel(LlamaConfig.builder().vocabSize(SMALL.vocab()).hiddenSize(8)
                .intermediateSize(12).layers(2).heads(4).kvHeads(2).headDim(4).ropeTheta(10000)
                .ropeScaling(RopeScaling.llama3(4, 1, 4, 4)).maxPositionEmbeddings(SMALL.context()).build());
        checkEveryParameter("Llama", model, gptBatch(), 15);
    }

    @Test
    void qwen2MultiQueryWithBiasesTied() {
        LlamaModel model = new LlamaModel(LlamaConfig.builder().family(LlamaConfig.Family.QWEN2)
                .vocabSize(SMALL.vocab()).hiddenSize(8).intermediateSize(12).layers(2).heads(2).kvHeads(1)
                .attentionBias(true).tieWordEmbeddings(true).maxPositionEmbeddings(SMALL.context()).build());
        checkEveryParameter("Qwen2", model, gptBatch(), 16);
    }

    @Test
    void loraAdaptersOnQkvAndMlpOfALlama() {
        LlamaModel base = new LlamaModel(LlamaConfig.builder().vocabSize(SMALL.vocab()).hiddenSize(8)
                .intermediateSize(12).layers(2).heads(4).kvHeads(2).maxPositionEmbeddings(SMALL.context()).build());
        LoraModel lora = new LoraModel(base, TinyModels.gradientWeights(base.parameterSpecs(), 17),
                new LoraConfig(2, 3f, java.util.List.of("q_proj", "v_proj", "down_proj"), 0f));
        checkEveryParameter("LoRA r=2 on a Llama", lora, gptBatch(), 18);
    }

    @Test
    void loraAdaptersOnFusedAttentionProjectionAndMlpOfAGpt() {
        GptModel base = new GptModel(TinyModels.gptPreLn(SMALL).tiedEmbeddings(true).build());
        LoraModel lora = new LoraModel(base, TinyModels.gradientWeights(base.parameterSpecs(), 19),
                new LoraConfig(2, 4f, java.util.List.of("c_attn", "attn.c_proj", "c_fc"), 0f));
        assertEquals(3 * 2, lora.adaptedLayers().size(), "c_attn, attn.c_proj and mlp.c_fc of 2 layers: "
                + lora.adaptedLayers());
        checkEveryParameter("LoRA r=2 on a GPT", lora, gptBatch(), 20);
    }

    @Test
    void encoderDecoderPostLn() {
        Seq2SeqConfig c = TinyModels.seq2seqPostLn(SMALL).bias(false).build();
        checkEveryParameter("encoder-decoder post-LN", new Seq2SeqModel(c), seq2seqBatch(), 14);
    }

    /** The accumulated gradient of one parameter of a program. */
    static float[] gradientOf(TrainingProgram program, String name) {
        return program.gradients().get(name).floats();
    }

    /**
     * The scalar reference ops with two changes for finite differences. (1) ReLU masks: at the point where the
     * gradient is taken, it records which inputs of every ReLU are positive; at the perturbed points it applies
     * those recorded masks ({@code x·[x₀ > 0]}) instead of the signs there. That function equals the model's loss
     * near the point, so it has the same derivative, but it has no kink for a finite-difference step to cross.
     * (2) The mean cross-entropy is recomputed in double from the reference's logits, so the loss carries no
     * final float32 rounding.
     */
    static final class FrozenReluReferenceOps extends ReferenceOps {
        private final List<boolean[]> masks;
        private final boolean replay;
        private int reluCalls;
        double loss = Double.NaN;

        /** Records the ReLU masks of this evaluation. */
        FrozenReluReferenceOps() {
            this.masks = new ArrayList<>();
            this.replay = false;
        }

        /** Applies the masks recorded by {@code at}. */
        FrozenReluReferenceOps(FrozenReluReferenceOps at) {
            this.masks = at.masks;
            this.replay = true;
        }

        @Override
        public Tensor relu(Tensor x) {
            float[] v = x.toFloatArray();
            if (!replay) {
                boolean[] positive = new boolean[v.length];
                for (int i = 0; i < v.length; i++) {
                    positive[i] = v[i] > 0;
                }
                masks.add(positive);
                return super.relu(x);
            }
            boolean[] positive = masks.get(reluCalls++);
            assertEquals(positive.length, v.length, "ReLU call " + reluCalls + " changed size");
            float[] out = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = positive[i] ? v[i] : 0f;
            }
            return ReferenceTensor.ofFloats(x.shape(), out);
        }

        @Override
        public Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex) {
            float[] z = logits.toFloatArray();
            int[] t = targets.toIntArray();
            int vocab = logits.shape().dim(-1);
            double sum = 0;
            int counted = 0;
            for (int r = 0; r < t.length; r++) {
                if (t[r] == ignoreIndex) {
                    continue;
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < vocab; j++) {
                    max = Math.max(max, z[r * vocab + j]);
                }
                double e = 0;
                for (int j = 0; j < vocab; j++) {
                    e += Math.exp(z[r * vocab + j] - max);
                }
                sum += max + Math.log(e) - z[r * vocab + t[r]];
                counted++;
            }
            loss = sum / counted;
            return super.crossEntropy(logits, targets, ignoreIndex);
        }
    }

    /**
     * Evaluates the reference loss for {@code weights} with parameter {@code name} replaced by {@code values},
     * recording ReLU masks when {@code at} is null and applying {@code at}'s otherwise.
     */
    private static FrozenReluReferenceOps referenceLoss(TrainableModel model, Map<String, HostTensor> weights,
                                                        Batch batch, String name, float[] values,
                                                        FrozenReluReferenceOps at) {
        FrozenReluReferenceOps ops = at == null ? new FrozenReluReferenceOps() : new FrozenReluReferenceOps(at);
        Map<String, Tensor> inputs = new HashMap<>();
        for (String in : model.inputNames()) {
            inputs.put(in, ops.constant(batch.get(in)));
        }
        model.loss(ops, n -> {
            HostTensor w = weights.containsKey(n) ? weights.get(n) : model.frozenWeights().get(n);
            return n.equals(name) ? HostTensor.ofFloats(w.shape(), values) : w;
        }, inputs);
        return ops;
    }

    /**
     * The derivative of the reference loss in element {@code i} of parameter {@code name}: Richardson's
     * extrapolation {@code (4·D(h/2) - D(h)) / 3} of central differences {@code D} (error O(h⁴)).
     */
    private static double derivative(TrainableModel model, Map<String, HostTensor> weights, Batch batch,
                                     String name, int i, FrozenReluReferenceOps at) {
        double wide = central(model, weights, batch, name, i, at, STEP);
        double narrow = central(model, weights, batch, name, i, at, STEP / 2);
        return (4 * narrow - wide) / 3;
    }

    private static double central(TrainableModel model, Map<String, HostTensor> weights, Batch batch, String name,
                                  int i, FrozenReluReferenceOps at, double step) {
        float[] w = weights.get(name).floats();
        float[] work = w.clone();
        float plus = (float) (w[i] + step);
        float minus = (float) (w[i] - step);
        work[i] = plus;
        double up = referenceLoss(model, weights, batch, name, work, at).loss;
        work[i] = minus;
        double down = referenceLoss(model, weights, batch, name, work, at).loss;
        return (up - down) / ((double) plus - (double) minus);
    }

    static void checkEveryParameter(String what, TrainableModel model, Batch batch, long seed) {
        Map<String, HostTensor> weights = TinyModels.gradientWeights(model.parameterSpecs(), seed);
        try (TrainingProgram program = cpu.compileTraining(model, weights)) {
            float loss = program.forwardBackward(batch);
            FrozenReluReferenceOps at = referenceLoss(model, weights, batch, "", null, null);
            assertTrue(MODEL.allows(loss, at.loss), what + ": training loss " + loss + " vs reference " + at.loss);
            assertEquals(loss, program.evaluate(batch), 0f, what + ": evaluate() without dropout = forwardBackward()");

            Random rnd = new Random(seed);
            double gradSquares = 0;
            int checked = 0;
            List<String> failures = new ArrayList<>();
            for (ParameterSpec spec : model.parameterSpecs()) {
                String name = spec.name();
                float[] g = gradientOf(program, name);
                for (float x : g) {
                    gradSquares += (double) x * x;
                }
                int[] elements = elementsToCheck(g.length, rnd);
                List<Float> analytic = new ArrayList<>();
                List<Double> numeric = new ArrayList<>();
                List<Integer> where = new ArrayList<>();
                for (int i : elements) {
                    double fd = derivative(model, weights, batch, name, i, at);
                    analytic.add(g[i]);
                    numeric.add(fd);
                    where.add(i);
                }
                checked += where.size();
                float[] a = new float[analytic.size()];
                double[] n = new double[numeric.size()];
                double largest = 0;
                for (int k = 0; k < a.length; k++) {
                    a[k] = analytic.get(k);
                    n[k] = numeric.get(k);
                    largest = Math.max(largest, Math.abs(n[k]));
                }
                Comparison cmp = GradientCheck.compare(a, n, GRAD);
                if (!cmp.passed()) {
                    failures.add(name + " " + spec.shape() + " (element " + where.get(Math.max(0, cmp.worstIndex()))
                            + "): " + cmp.describe());
                }
                if (name.endsWith("k_proj.bias") && !(model instanceof LlamaModel)) {
                    // softmax is invariant to adding one constant to every score of a query: q·(k + b) = q·k + q·b
                    // (not with rotary positions: there the bias is rotated by each key's position)
                    assertTrue(largest < 2e-5, what + ": " + name + " cannot change the loss, yet fd = " + largest);
                } else {
                    assertTrue(largest > 1e-3, what + ": parameter " + name + " has no gradient to speak of "
                            + "(largest finite difference " + largest + " over " + a.length + " elements), so the "
                            + "check proves nothing; change the fixture");
                }
            }
            assertTrue(failures.isEmpty(), what + ": gradients differ from finite differences for "
                    + failures.size() + " parameter(s):\n" + String.join("\n", failures));
            assertEquals(Math.sqrt(gradSquares), program.gradientNorm(), 1e-6 * Math.sqrt(gradSquares),
                    what + ": gradientNorm() is the L2 norm of every parameter's gradient");

            // a second forwardBackward accumulates: every gradient doubles
            String first = model.parameterSpecs().getFirst().name();
            float[] once = gradientOf(program, first);
            program.forwardBackward(batch);
            float[] twice = gradientOf(program, first);
            for (int i = 0; i < once.length; i++) {
                assertEquals(2 * once[i], twice[i], 1e-6f * Math.abs(once[i]) + 1e-12f, what + ": accumulation " + i);
            }
            program.zeroGradients();
            assertEquals(0.0, program.gradientNorm(), what + ": zeroGradients()");
            // cleared gradients read as zeros through every accessor, though their buffers were not rewritten
            program.gradients().forEach((name, g) -> {
                for (float x : g.floats()) {
                    assertEquals(0f, x, what + ": " + name + " after zeroGradients()");
                }
            });
            float[] flat = new float[(int) model.parameterSpecs().stream().mapToLong(p -> p.shape().size()).sum()];
            java.util.Arrays.fill(flat, Float.NaN);
            program.readGradients(flat);
            for (float x : flat) {
                assertEquals(0f, x, what + ": readGradients() after zeroGradients()");
            }
            // and the next pass sets them afresh: the gradient of one pass again, not added to the stale buffers
            program.zeroGradients();
            program.forwardBackward(batch);
            assertArrayEquals(once, gradientOf(program, first), 0f, what + ": a pass after zeroGradients()");
        }
    }

    /** The fixture's GPT batch of these tests: two rows of 7 tokens. */
    private static Batch gptBatch() {
        return TinyModels.gptBatch(SMALL.vocab(), 2, 7, 1);
    }

    /** The fixture's encoder-decoder batch of these tests: sources of 6, targets of 5. */
    private static Batch seq2seqBatch() {
        return TinyModels.seq2seqBatch(SMALL.vocab(), 6, 5, 1);
    }

    private static int[] elementsToCheck(int n, Random rnd) {
        if (n <= CHECK_ALL_UP_TO) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        return rnd.ints(0, n).distinct().limit(SAMPLE).sorted().toArray();
    }

    // ---- whole-model forward against the reference engine ----

    private static float[] gptLogits(InferenceEngine engine, GptModel model, Map<String, HostTensor> weights, HostTensor ids) {
        Ops ops = engine.inferenceOps();
        try (LoadedWeights w = engine.load(weights)) {
            return model.logits(ops, w, ops.constant(ids)).toFloatArray();
        }
    }

    private static float[] seq2seqLogits(InferenceEngine engine, Seq2SeqModel model, Map<String, HostTensor> weights, Batch b) {
        Ops ops = engine.inferenceOps();
        try (LoadedWeights w = engine.load(weights)) {
            Tensor mask = ops.constant(b.get("src_mask"));
            Tensor memory = model.encode(ops, w, ops.constant(b.get("src_ids")), mask);
            return model.decode(ops, w, ops.constant(b.get("tgt_in")), memory, mask, null).toFloatArray();
        }
    }

    private static float loss(InferenceEngine engine, TrainableModel model, Map<String, HostTensor> weights, Batch b) {
        Ops ops = engine.inferenceOps();
        try (LoadedWeights w = engine.load(weights)) {
            Map<String, Tensor> in = new LinkedHashMap<>();
            for (String name : model.inputNames()) {
                in.put(name, ops.constant(b.get(name)));
            }
            return model.loss(ops, w, in).item();
        }
    }

    private static void assertClose(String what, float[] actual, float[] expected) {
        Comparison c = Comparison.of(actual, expected, MODEL);
        assertTrue(c.passed(), what + ": cpu vs reference: " + c.describe());
    }

    @Test
    void gptLogitsAndLossMatchTheReferenceEngine() {
        for (GptConfig c : List.of(TinyModels.gptPreLn(SMALL).dropout(0.1f).build(),
                TinyModels.gptPostLn(SMALL).dropout(0.1f).build())) {
            GptModel model = new GptModel(c);
            Map<String, HostTensor> weights = TinyModels.gradientWeights(model.parameterSpecs(), 21);
            Batch b = gptBatch();
            String what = "GPT " + c.normPlacement();
            float[] expected = gptLogits(reference, model, weights, b.get("input_ids"));
            assertEquals(2 * 7 * SMALL.vocab(), expected.length);
            assertClose(what + " logits", gptLogits(cpu, model, weights, b.get("input_ids")), expected);
            float refLoss = loss(reference, model, weights, b);
            assertClose(what + " loss", new float[] {loss(cpu, model, weights, b)}, new float[] {refLoss});
            try (TrainingProgram p = cpu.compileTraining(model, weights)) {
                assertClose(what + " evaluate()", new float[] {p.evaluate(b)}, new float[] {refLoss});
            }
        }
    }

    @Test
    void encoderDecoderLogitsAndLossMatchTheReferenceEngine() {
        for (Seq2SeqConfig c : List.of(TinyModels.seq2seqPreLn(SMALL).dropout(0.1f).build(),
                TinyModels.seq2seqPostLn(SMALL).dropout(0.1f).build())) {
            Seq2SeqModel model = new Seq2SeqModel(c);
            Map<String, HostTensor> weights = TinyModels.gradientWeights(model.parameterSpecs(), 22);
            Batch b = seq2seqBatch();
            String what = "encoder-decoder " + c.normPlacement();
            float[] expected = seq2seqLogits(reference, model, weights, b);
            assertEquals(2 * 5 * SMALL.vocab(), expected.length);
            assertClose(what + " logits", seq2seqLogits(cpu, model, weights, b), expected);
            float refLoss = loss(reference, model, weights, b);
            assertClose(what + " loss", new float[] {loss(cpu, model, weights, b)}, new float[] {refLoss});
            try (TrainingProgram p = cpu.compileTraining(model, weights)) {
                assertClose(what + " evaluate()", new float[] {p.evaluate(b)}, new float[] {refLoss});
            }
        }
    }
}
