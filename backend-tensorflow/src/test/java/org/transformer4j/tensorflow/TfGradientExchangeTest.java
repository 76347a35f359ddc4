package org.transformer4j.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.cpu.CpuBackend;
import org.transformer4j.data.Batch;
import org.transformer4j.data.BatchSampler;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.train.AdamWStep;
import org.transformer4j.train.TrainingProgram;

/**
 * {@link TfTrainingProgram#readGradients} and {@link TfTrainingProgram#writeGradients}, which distributed training
 * ({@code Trainer.distributed}) uses to all-reduce the replicas' gradients: the flat layout is the parameters one after
 * another in the model's order (checked against the per-parameter {@code gradients()} map and against the cpu
 * backend's {@code readGradients}, within 1e-3 relative as in {@code TfTrainingTest}); written gradients are read back
 * exactly, are what {@code gradientNorm} measures (against a float64 sum in the test) and what {@code step} applies
 * (a program given another's gradients steps to the same weights bit for bit); a buffer of the wrong length is refused.
 */
class TfGradientExchangeTest {
    private static final AdamWStep ADAMW = new AdamWStep(1e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
    private static TrainingEngine tf;
    private static TrainingEngine cpu;

    @BeforeAll
    static void open() {
        tf = new TensorFlowBackend().open(EngineOptions.defaults().withThreads(1));
        cpu = new CpuBackend().open(EngineOptions.defaults().withThreads(1));
    }

    @AfterAll
    static void close() {
        tf.close();
        cpu.close();
    }

    private static GptModel model() {
        return new GptModel(GptConfig.builder().vocabSize(11).contextLength(8).layers(1).heads(2).embeddingDim(8)
                .dropout(0f).build());
    }

    private static Batch batch() {
        int[] tokens = new int[200];
        Random r = new Random(3);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(11);
        }
        return new BatchSampler(tokens, 4, 8, 9L).next();
    }

    private static int parameterCount(GptModel m) {
        long n = 0;
        for (var spec : m.parameterSpecs()) {
            n += spec.shape().size();
        }
        return Math.toIntExact(n);
    }

    @Test
    void flatGradientsAreTheParametersInModelOrderAndAgreeWithTheCpuBackend() {
        GptModel m = model();
        Map<String, HostTensor> w = Initializer.initialize(m.parameterSpecs(), 4L);
        Batch b = batch();
        float[] fromTf = new float[parameterCount(m)];
        float[] fromCpu = new float[fromTf.length];
        try (TrainingProgram t = tf.compileTraining(m, w); TrainingProgram c = cpu.compileTraining(m, w)) {
            t.forwardBackward(b);
            c.forwardBackward(b);
            t.readGradients(fromTf);
            c.readGradients(fromCpu);
            int at = 0;
            for (var spec : m.parameterSpecs()) {
                float[] g = t.gradients().get(spec.name()).floats();
                assertArrayEquals(g, java.util.Arrays.copyOfRange(fromTf, at, at + g.length), "layout of " + spec.name());
                at += g.length;
            }
        }
        double maxAbs = 0;
        for (float f : fromCpu) {
            maxAbs = Math.max(maxAbs, Math.abs(f));
        }
        for (int i = 0; i < fromTf.length; i++) {
            assertEquals(fromCpu[i], fromTf[i], 1e-3 * maxAbs, "gradient " + i + " against the cpu backend");
        }
    }

    @Test
    void writtenGradientsAreReadBackMeasuredAndApplied() {
        GptModel m = model();
        Map<String, HostTensor> w = Initializer.initialize(m.parameterSpecs(), 4L);
        float[] given = new float[parameterCount(m)];
        Random r = new Random(5);
        double sumSquares = 0;
        for (int i = 0; i < given.length; i++) {
            given[i] = (float) r.nextGaussian() * 1e-2f;
            sumSquares += (double) given[i] * given[i];
        }
        try (TrainingProgram accumulated = tf.compileTraining(m, w); TrainingProgram written = tf.compileTraining(m, w)) {
            written.forwardBackward(batch()); // something accumulated, which writeGradients must replace
            written.writeGradients(given);
            float[] back = new float[given.length];
            written.readGradients(back);
            assertArrayEquals(given, back);
            assertEquals(Math.sqrt(sumSquares), written.gradientNorm(), 1e-9 * Math.sqrt(sumSquares));

            accumulated.forwardBackward(batch());
            float[] g = new float[given.length];
            accumulated.readGradients(g);
            written.writeGradients(g);
            accumulated.step(ADAMW);
            written.step(ADAMW);
            accumulated.weights().forEach((k, v) -> assertArrayEquals(v.floats(), written.weights().get(k).floats(),
                    "weights of " + k + " after a step on written gradients"));
            float[] zero = new float[given.length];
            written.readGradients(zero);
            for (float f : zero) {
                assertEquals(0f, f, "step zeroes the gradients it applied");
            }
        }
    }

    @Test
    void aBufferOfTheWrongLengthIsRefused() {
        GptModel m = model();
        try (TrainingProgram t = tf.compileTraining(m, Initializer.initialize(m.parameterSpecs(), 4L))) {
            var e = assertThrows(IllegalArgumentException.class, () -> t.writeGradients(new float[3]));
            assertTrue(e.getMessage().contains("3 floats") && e.getMessage().contains(parameterCount(m) + " parameters"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> t.readGradients(new float[parameterCount(m) + 1]));
        }
    }
}
