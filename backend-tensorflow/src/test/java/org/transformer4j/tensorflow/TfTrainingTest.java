package org.transformer4j.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.transformer4j.conformance.fixtures.TinyModels.SMALL;

import java.util.Map;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.cpu.CpuBackend;
import org.transformer4j.data.Batch;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.train.AdamWStep;
import org.transformer4j.train.OptimizerState;
import org.transformer4j.train.TrainingProgram;

/**
 * Training on the tensorflow backend against the cpu backend on a tiny GPT and a tiny encoder-decoder: logits and
 * loss within 1e-4 relative, every gradient within 1e-3 relative, the weights after 1 and after 10 AdamW steps
 * (accumulating two micro-batches, weight decay on matrices) within 1e-4; the gradient norm; the same seed giving the
 * same losses with dropout on, and another seed other losses; restore for exact resume.
 */
class TfTrainingTest {
    private static final AdamWStep ADAMW = new AdamWStep(1e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, 0.5f);
    private static TrainingEngine cpu;
    private static TrainingEngine tf;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend().open(EngineOptions.defaults().withThreads(1));
        tf = new TensorFlowBackend().open(EngineOptions.defaults().withThreads(1));
    }

    @AfterAll
    static void close() {
        tf.close();
        cpu.close();
    }

    @Test
    void gptLogitsAndLossMatchTheCpuBackend() {
        GptModel model = gpt(0f);
        Map<String, HostTensor> w = TinyModels.gradientWeights(model.parameterSpecs(), 3);
        Batch batch = TinyModels.gptBatch(SMALL.vocab(), 3, 8, 4);
        assertClose(logits(cpu, model, w, batch), logits(tf, model, w, batch), 1e-6, 1e-4, "gpt logits");
        assertLossesClose(model, w, batch);
    }

    @Test
    void seq2seqLogitsAndLossMatchTheCpuBackend() {
        Seq2SeqModel model = new Seq2SeqModel(TinyModels.seq2seqPostLn(SMALL).bias(false).build());
        Map<String, HostTensor> w = TinyModels.gradientWeights(model.parameterSpecs(), 5);
        Batch batch = TinyModels.seq2seqBatch(SMALL.vocab(), 7, 6, 6);
        assertClose(decoderLogits(cpu, model, w, batch), decoderLogits(tf, model, w, batch), 1e-6, 1e-4,
                "seq2seq logits");
        assertLossesClose(model, w, batch);
    }

    private static void assertLossesClose(TrainableModel model, Map<String, HostTensor> w, Batch batch) {
        try (TrainingProgram a = cpu.compileTraining(model, w); TrainingProgram b = tf.compileTraining(model, w)) {
            float ea = a.evaluate(batch);
            assertClose(new float[] {ea}, new float[] {b.evaluate(batch)}, 0, 1e-4, "evaluation loss");
            assertClose(new float[] {a.forwardBackward(batch)}, new float[] {b.forwardBackward(batch)}, 0, 1e-4,
                    "training loss");
            assertTrue(ea > 1f, "a loss this size means the check compared something: " + ea);
        }
    }

    private static float[] logits(TrainingEngine e, GptModel model, Map<String, HostTensor> w, Batch batch) {
        Ops ops = e.inferenceOps();
        try (LoadedWeights lw = e.load(w); Tensor t = model.logits(ops, lw, ops.constant(batch.get("input_ids")))) {
            return t.toFloatArray();
        }
    }

    private static float[] decoderLogits(TrainingEngine e, Seq2SeqModel model, Map<String, HostTensor> w, Batch batch) {
        Ops ops = e.inferenceOps();
        try (LoadedWeights lw = e.load(w)) {
            Tensor mask = ops.constant(batch.get("src_mask"));
            Tensor memory = model.encode(ops, lw, ops.constant(batch.get("src_ids")), mask);
            try (Tensor t = model.decode(ops, lw, ops.constant(batch.get("tgt_in")), memory, mask, null)) {
                return t.toFloatArray();
            }
        }
    }

    @Test
    void gptGradientsAndStepsMatchTheCpuBackend() {
        GptModel model = gpt(0f);
        checkTraining(model, TinyModels.gradientWeights(model.parameterSpecs(), 7),
                seed -> TinyModels.gptBatch(SMALL.vocab(), 3, 8, seed));
    }

    @Test
    void seq2seqGradientsAndStepsMatchTheCpuBackend() {
        Seq2SeqModel model = new Seq2SeqModel(TinyModels.seq2seqPostLn(SMALL).bias(false).build());
        checkTraining(model, TinyModels.gradientWeights(model.parameterSpecs(), 8),
                seed -> TinyModels.seq2seqBatch(SMALL.vocab(), 7, 6, seed));
    }

    /** Gradients of two accumulated micro-batches, the gradient norm, then weights after 1 and after 10 steps. */
    private static void checkTraining(TrainableModel model, Map<String, HostTensor> w, LongFunction<Batch> batches) {
        try (TrainingProgram a = cpu.compileTraining(model, w); TrainingProgram b = tf.compileTraining(model, w)) {
            for (int s = 0; s < 10; s++) {
                for (int micro = 0; micro < 2; micro++) {
                    Batch batch = batches.apply(100L * s + micro);
                    assertClose(new float[] {a.forwardBackward(batch)}, new float[] {b.forwardBackward(batch)}, 0, 1e-4,
                            "loss at step " + s);
                }
                if (s == 0) {
                    Map<String, HostTensor> ga = a.gradients();
                    assertClose(ga, b.gradients(), 1e-7, 1e-3, "accumulated gradient");
                    assertClose(new float[] {(float) a.gradientNorm()}, new float[] {(float) b.gradientNorm()}, 0, 1e-4,
                            "gradient norm");
                    assertEquals(norm(ga), b.gradientNorm(), 1e-4 * norm(ga), "norm of the fetched gradients");
                }
                a.step(ADAMW);
                b.step(ADAMW);
                if (s == 0 || s == 9) {
                    assertClose(a.weights(), b.weights(), 1e-6, 1e-4, "weights after " + (s + 1) + " steps");
                    OptimizerState sa = a.optimizerState();
                    OptimizerState sb = b.optimizerState();
                    assertEquals(sa.step(), sb.step());
                    assertClose(sa.m(), sb.m(), 1e-7, 1e-3, "first moment after " + (s + 1) + " steps");
                }
            }
            assertEquals(0.0, b.gradientNorm(), "step zeroes the gradients");
        }
    }

    private static double norm(Map<String, HostTensor> grads) {
        double sum = 0;
        for (HostTensor g : grads.values()) {
            for (float x : g.floats()) {
                sum += (double) x * x;
            }
        }
        return Math.sqrt(sum);
    }

    /** Five steps with dropout 0.2 on an engine with {@code seed}: the losses. */
    private static float[] losses(long seed) {
        GptModel model = gpt(0.2f);
        try (TrainingEngine e = new TensorFlowBackend().open(EngineOptions.defaults().withThreads(2).withSeed(seed));
             TrainingProgram p = e.compileTraining(model, TinyModels.gradientWeights(model.parameterSpecs(), 9))) {
            float[] losses = new float[6];
            for (int s = 0; s < 5; s++) {
                losses[s] = p.forwardBackward(TinyModels.gptBatch(SMALL.vocab(), 3, 8, s));
                p.step(ADAMW);
            }
            losses[5] = p.evaluate(TinyModels.gptBatch(SMALL.vocab(), 3, 8, 0));
            return losses;
        }
    }

    @Test
    void theSameSeedGivesTheSameLossesAndAnotherSeedOthers() {
        float[] first = losses(42);
        assertArrayEquals(first, losses(42));
        assertNotEquals(first[0], losses(43)[0], "dropout must depend on the seed");
    }

    @Test
    void dropoutIsOnInTrainingAndOffInEvaluation() {
        GptModel model = gpt(0.3f);
        Batch batch = TinyModels.gptBatch(SMALL.vocab(), 3, 8, 1);
        try (TrainingProgram p = tf.compileTraining(model, TinyModels.gradientWeights(model.parameterSpecs(), 2));
             TrainingProgram noDrop = cpu.compileTraining(gpt(0f),
                     TinyModels.gradientWeights(model.parameterSpecs(), 2))) {
            float eval = p.evaluate(batch);
            assertEquals(noDrop.evaluate(batch), eval, 1e-4 * eval, "evaluation ignores dropout");
            float first = p.forwardBackward(batch);
            float second = p.forwardBackward(batch);
            assertNotEquals(eval, first);
            assertNotEquals(first, second, "each micro-batch draws its own dropout masks");
        }
    }

    @Test
    void restoreResumesExactly() {
        GptModel model = gpt(0f);
        try (TrainingProgram p = tf.compileTraining(model, TinyModels.gradientWeights(model.parameterSpecs(), 10))) {
            p.forwardBackward(TinyModels.gptBatch(SMALL.vocab(), 3, 8, 1));
            p.step(ADAMW);
            Map<String, HostTensor> w = p.weights();
            OptimizerState st = p.optimizerState();
            p.forwardBackward(TinyModels.gptBatch(SMALL.vocab(), 3, 8, 2));
            p.step(ADAMW);
            Map<String, HostTensor> after = p.weights();
            p.restore(w, st);
            assertEquals(w, p.weights());
            assertEquals(0.0, p.gradientNorm());
            p.forwardBackward(TinyModels.gptBatch(SMALL.vocab(), 3, 8, 2));
            p.step(ADAMW);
            assertEquals(after, p.weights(), "the same step from the restored state gives the same weights");
            HostTensor wrong = HostTensor.zeros(org.transformer4j.tensor.Shape.of(3));
            Map<String, HostTensor> bad = new java.util.LinkedHashMap<>(w);
            bad.put("transformer.wte.weight", wrong);
            assertThrows(IllegalArgumentException.class, () -> p.restore(bad, st));
        }
    }

    @Test
    void aBatchOfAnotherShapeIsTracedAgainAndIdsAreChecked() {
        GptModel model = gpt(0f);
        Map<String, HostTensor> w = TinyModels.gradientWeights(model.parameterSpecs(), 12);
        Map<String, HostTensor> m = new java.util.LinkedHashMap<>();
        m.put("input_ids", TinyModels.idTensor(2, 5, SMALL.vocab(), 5));
        m.put("targets", TinyModels.idTensor(2, 5, SMALL.vocab(), 6));
        Batch shorter = new Batch(m);
        try (TrainingProgram a = cpu.compileTraining(model, w); TrainingProgram b = tf.compileTraining(model, w)) {
            b.forwardBackward(TinyModels.gptBatch(SMALL.vocab(), 3, 8, 1));
            b.zeroGradients();
            assertEquals(a.forwardBackward(shorter), b.forwardBackward(shorter), 1e-4);
            assertClose(a.gradients(), b.gradients(), 1e-7, 1e-3, "gradients of the shorter batch");
            Map<String, HostTensor> badIds = new java.util.LinkedHashMap<>(m);
            int[] ids = m.get("input_ids").ints().clone();
            ids[3] = SMALL.vocab();
            badIds.put("input_ids", HostTensor.ofInts(m.get("input_ids").shape(), ids));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> b.forwardBackward(new Batch(badIds)));
            assertTrue(e.getMessage().contains("input_ids") && e.getMessage().contains(String.valueOf(SMALL.vocab())),
                    e.getMessage());
        }
    }

    /** The fixture's pre-LN GPT, tied, without biases (a key bias has an exactly-zero true gradient). */
    private static GptModel gpt(float dropout) {
        return new GptModel(TinyModels.gptPreLn(SMALL).bias(false).tiedEmbeddings(true).dropout(dropout).build());
    }

    /** Fails unless {@code |actual - expected| <= abs + rel·|expected|} element-wise, naming the first offender. */
    static void assertClose(float[] expected, float[] actual, double abs, double rel, String what) {
        assertEquals(expected.length, actual.length, what + ": lengths");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (!(Math.abs(a - e) <= abs + rel * Math.abs(e))) {
                fail(what + "[" + i + "]: tensorflow " + a + ", cpu " + e + " (allowed abs " + abs + " + rel " + rel + ")");
            }
        }
    }

    static void assertClose(Map<String, HostTensor> expected, Map<String, HostTensor> actual, double abs, double rel,
            String what) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": names");
        for (String k : expected.keySet()) {
            assertEquals(expected.get(k).shape(), actual.get(k).shape(), what + " " + k);
            assertClose(expected.get(k).floats(), actual.get(k).floats(), abs, rel, what + " " + k);
        }
    }
}
