package org.transformer4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.conformance.fixtures.TinyModels.SMALL;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.data.Batch;
import org.transformer4j.data.BatchSampler;
import org.transformer4j.data.BatchSource;
import org.transformer4j.nn.Activation;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.train.AdamWStep;
import org.transformer4j.train.OptimizerState;
import org.transformer4j.train.Trainer;
import org.transformer4j.train.TrainingCheckpoint;
import org.transformer4j.train.TrainingCheckpoints;
import org.transformer4j.train.TrainingConfig;
import org.transformer4j.train.TrainingData;
import org.transformer4j.train.TrainingDivergedException;
import org.transformer4j.train.TrainingListener;
import org.transformer4j.train.TrainingProgram;

/**
 * Training on the cpu backend end to end, through the shared {@link Trainer}: tiny models memorise a fixed
 * batch, runs are reproducible bit for bit (dropout included), a checkpointed and resumed run equals an
 * uninterrupted one, clipping scales the update, a NaN stops training without touching the last checkpoint,
 * and the thread count does not change the numbers.
 */
class TrainingBehaviourTest {

    /** The same batch forever (position counts the draws), to overfit on. */
    static final class ConstantSource implements BatchSource {
        private final Batch batch;
        private long position;

        ConstantSource(Batch batch) {
            this.batch = batch;
        }

        @Override
        public Batch next() {
            position++;
            return batch;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void seek(long p) {
            position = p;
        }
    }

    /** Records every step's loss and gradient norm. */
    static final class Recorder implements TrainingListener {
        final List<Float> losses = new ArrayList<>();
        final List<Double> norms = new ArrayList<>();

        @Override
        public void onStep(StepMetrics m) {
            losses.add(m.loss());
            norms.add(m.gradNorm());
        }

        float[] lossArray() {
            float[] out = new float[losses.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = losses.get(i);
            }
            return out;
        }
    }

    private static TrainingEngine open(int threads, long seed) {
        return new CpuBackend().open(new EngineOptions(threads, null, seed));
    }

    private static TrainingConfig.Builder constantLr(float lr, int steps) {
        return TrainingConfig.builder().maxSteps(steps).learningRate(lr).minLearningRate(lr).warmupSteps(0)
                .weightDecay(0f).gradClip(0f).evalInterval(0).evalBatches(1).checkpointInterval(0);
    }

    private static TrainingData constant(Batch b) {
        return new TrainingData(new ConstantSource(b), new ConstantSource(b), new ConstantSource(b));
    }

    private static void assertSameWeights(Map<String, HostTensor> expected, Map<String, HostTensor> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": parameter names");
        expected.forEach((name, t) -> assertArrayEquals(t.floats(), actual.get(name).floats(),
                what + ": parameter " + name + " must be bit-identical"));
    }

    // ---- memorising one batch ----

    /** Four sequences of 8 random tokens with distinct first tokens, so each next token is determined by its prefix. */
    static Batch gptFixedBatch() {
        Random rnd = new Random(3);
        int b = 4;
        int t = 8;
        int[] seq = new int[b * (t + 1)];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i <= t; i++) {
                seq[r * (t + 1) + i] = i == 0 ? 1 + 2 * r : rnd.nextInt(SMALL.vocab());
            }
        }
        int[] in = new int[b * t];
        int[] out = new int[b * t];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                in[r * t + i] = seq[r * (t + 1) + i];
                out[r * t + i] = seq[r * (t + 1) + i + 1];
            }
        }
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put(BatchSampler.INPUT_IDS, HostTensor.ofInts(Shape.of(b, t), in));
        m.put(BatchSampler.TARGETS, HostTensor.ofInts(Shape.of(b, t), out));
        return new Batch(m);
    }

    @Test
    void tinyGptMemorisesAFixedBatch() {
        GptModel model = new GptModel(TinyModels.gptPreLn(SMALL).build());
        try (TrainingEngine engine = open(1, 1);
             TrainingProgram program = engine.compileTraining(model, Initializer.initialize(model.parameterSpecs(), 1))) {
            Batch batch = gptFixedBatch();
            float before = program.evaluate(batch);
            var result = new Trainer(program, constantLr(1e-2f, 300).build(), constant(batch)).run();
            assertTrue(before > 2.0, "an untrained model is near ln(11) = 2.4, was " + before);
            assertTrue(result.trainLoss() < 0.05f, "loss after 300 steps on one batch: " + result.trainLoss());
            assertEquals(result.trainLoss(), program.evaluate(batch), 0f);
        }
    }

    static final int BOS = 1;
    static final int EOS = 2;
    static final int PAD = 0;

    /** Reverse the source: four sources of 3 to 6 tokens (padded to 6), targets the reversed source then EOS. */
    static Batch reverseBatch() {
        int[][] sources = {{3, 4, 5, 6, 7, 8}, {9, 10, 3}, {5, 5, 8, 10, 4}, {7, 3, 9, 6}};
        int s = 6;
        int t = 7;
        int b = sources.length;
        int[] src = new int[b * s];
        int[] mask = new int[b * s];
        int[] tgtIn = new int[b * t];
        int[] targets = new int[b * t];
        for (int r = 0; r < b; r++) {
            int[] x = sources[r];
            int[] y = new int[x.length + 1];
            for (int i = 0; i < x.length; i++) {
                src[r * s + i] = x[i];
                mask[r * s + i] = 1;
                y[i] = x[x.length - 1 - i];
            }
            y[x.length] = EOS;
            for (int i = 0; i < t; i++) {
                tgtIn[r * t + i] = i == 0 ? BOS : i - 1 < y.length ? y[i - 1] : PAD;
                targets[r * t + i] = i < y.length ? y[i] : GptModel.IGNORE_INDEX;
            }
        }
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("src_ids", HostTensor.ofInts(Shape.of(b, s), src));
        m.put("src_mask", HostTensor.ofInts(Shape.of(b, s), mask));
        m.put("tgt_in", HostTensor.ofInts(Shape.of(b, t), tgtIn));
        m.put("targets", HostTensor.ofInts(Shape.of(b, t), targets));
        return new Batch(m);
    }

    @Test
    void tinyEncoderDecoderMemorisesAReversalBatch() {
        Seq2SeqModel model = new Seq2SeqModel(TinyModels.seq2seqPreLn(SMALL).build());
        try (TrainingEngine engine = open(1, 2);
             TrainingProgram program = engine.compileTraining(model, Initializer.initialize(model.parameterSpecs(), 2))) {
            Batch batch = reverseBatch();
            float before = program.evaluate(batch);
            var result = new Trainer(program, constantLr(1e-2f, 300).build(), constant(batch)).run();
            assertTrue(before > 2.0, "an untrained model is near ln(11) = 2.4, was " + before);
            assertTrue(result.trainLoss() < 0.05f, "loss after 300 steps on one batch: " + result.trainLoss());
        }
    }

    // ---- determinism and exact resume ----

    private static final int[] TOKENS = new Random(11).ints(400, 0, SMALL.vocab()).toArray();

    private static TrainingData sampled(long seed) {
        return new TrainingData(new BatchSampler(TOKENS, 3, 8, seed), new BatchSampler(TOKENS, 3, 8, seed + 1),
                new BatchSampler(TOKENS, 3, 8, seed + 2));
    }

    /** Runs {@code steps} steps of a GPT with dropout; returns the per-step losses and the final weights. */
    private static Map<String, HostTensor> train(float dropout, long engineSeed, int steps, Recorder recorder) {
        GptModel model = new GptModel(TinyModels.gptPreLn(SMALL).dropout(dropout).build());
        try (TrainingEngine engine = open(1, engineSeed);
             TrainingProgram program = engine.compileTraining(model, Initializer.initialize(model.parameterSpecs(), 4))) {
            new Trainer(program, constantLr(3e-3f, steps).build(), sampled(9)).listener(recorder).run();
            return program.weights();
        }
    }

    @Test
    void theSameSeedGivesBitIdenticalRunsWithAndWithoutDropout() {
        for (float dropout : new float[] {0f, 0.2f}) {
            Recorder a = new Recorder();
            Recorder b = new Recorder();
            Map<String, HostTensor> wa = train(dropout, 42, 12, a);
            Map<String, HostTensor> wb = train(dropout, 42, 12, b);
            assertArrayEquals(a.lossArray(), b.lossArray(), "dropout " + dropout + ": per-step losses");
            assertSameWeights(wa, wb, "dropout " + dropout);
        }
        // and the engine seed does drive dropout: another seed gives other masks, so other losses
        Recorder c = new Recorder();
        Recorder d = new Recorder();
        train(0.2f, 42, 3, c);
        train(0.2f, 43, 3, d);
        assertNotEquals(c.losses, d.losses, "dropout masks must depend on the engine seed");
    }

    @Test
    void aResumedRunEqualsAnUninterruptedOne(@TempDir Path dir) throws IOException {
        GptModel model = new GptModel(TinyModels.gptPreLn(SMALL).dropout(0.1f).build());
        Map<String, HostTensor> init = Initializer.initialize(model.parameterSpecs(), 6);
        // warm-up and cosine decay over 20 steps, so the schedule depends on the step; weight decay and clipping on
        TrainingConfig.Builder base = TrainingConfig.builder().learningRate(5e-3f).minLearningRate(5e-4f)
                .warmupSteps(3).decaySteps(20).weightDecay(0.1f).gradClip(1f).gradAccumulation(2).evalInterval(0)
                .evalBatches(1);

        Map<String, HostTensor> straight;
        Recorder straightSteps = new Recorder();
        try (TrainingEngine engine = open(2, 77); TrainingProgram program = engine.compileTraining(model, init)) {
            new Trainer(program, base.maxSteps(20).build(), sampled(5)).listener(straightSteps).run();
            straight = program.weights();
        }

        Path file = dir.resolve(TrainingCheckpoints.FILE_NAME);
        try (TrainingEngine engine = open(2, 77); TrainingProgram program = engine.compileTraining(model, init)) {
            Trainer first = new Trainer(program, base.maxSteps(10).build(), sampled(5));
            first.run();
            assertEquals(20, first.checkpoint().trainPosition(), "10 steps of 2 micro-batches draw 20 batches");
            TrainingCheckpoints.save(file, first.checkpoint());
        }
        TrainingCheckpoint loaded = TrainingCheckpoints.load(file);
        assertEquals(10, loaded.step());
        Recorder resumedSteps = new Recorder();
        // a new engine and program, started from other weights: everything must come from the checkpoint
        Map<String, HostTensor> other = Initializer.initialize(model.parameterSpecs(), 999);
        try (TrainingEngine engine = open(2, 77); TrainingProgram program = engine.compileTraining(model, other)) {
            Trainer second = new Trainer(program, base.maxSteps(20).build(), sampled(5)).listener(resumedSteps);
            second.resumeFrom(loaded).run();
            assertEquals(20, second.step());
            assertSameWeights(straight, program.weights(), "20 steps straight vs 10 + checkpoint + 10");
        }
        assertArrayEquals(tail(straightSteps.lossArray(), 10), resumedSteps.lossArray(), "losses of steps 11..20");
    }

    private static float[] tail(float[] a, int from) {
        float[] out = new float[a.length - from];
        System.arraycopy(a, from, out, 0, out.length);
        return out;
    }

    @Test
    void resumingWithoutTheDataPositionWouldBeCaught(@TempDir Path dir) throws IOException {
        // The resume test above would pass vacuously if every batch were the same; show that the data position
        // matters: a checkpoint whose position is rewound to 0 gives other weights.
        GptModel model = new GptModel(TinyModels.gptPreLn(SMALL).build());
        Map<String, HostTensor> init = Initializer.initialize(model.parameterSpecs(), 6);
        TrainingConfig.Builder base = constantLr(3e-3f, 4);
        Map<String, HostTensor> right;
        Map<String, HostTensor> rewound;
        TrainingCheckpoint cp;
        try (TrainingEngine engine = open(1, 1); TrainingProgram program = engine.compileTraining(model, init)) {
            Trainer t = new Trainer(program, base.maxSteps(2).build(), sampled(5));
            t.run();
            cp = t.checkpoint();
        }
        try (TrainingEngine engine = open(1, 1); TrainingProgram program = engine.compileTraining(model, init)) {
            new Trainer(program, base.maxSteps(4).build(), sampled(5)).resumeFrom(cp).run();
            right = program.weights();
        }
        try (TrainingEngine engine = open(1, 1); TrainingProgram program = engine.compileTraining(model, init)) {
            TrainingCheckpoint atZero = new TrainingCheckpoint(cp.weights(), cp.optimizer(), cp.step(), 0);
            new Trainer(program, base.maxSteps(4).build(), sampled(5)).resumeFrom(atZero).run();
            rewound = program.weights();
        }
        assertFalse(java.util.Arrays.equals(right.get("transformer.wte.weight").floats(),
                rewound.get("transformer.wte.weight").floats()), "other batches must give other weights");
    }

    // ---- gradient clipping ----

    /**
     * With AdamW's eps far above every gradient, one step moves each weight by {@code lr·gradScale·g / eps}
     * (within |g|/eps relative): linear in the gradient, so a clipped step is the unclipped one times
     * {@code clip / norm}. (With a normal eps Adam's normalisation hides any uniform scale.)
     */
    @Test
    void clippingScalesTheUpdateByClipOverNorm() {
        GptModel model = new GptModel(TinyModels.gptPreLn(SMALL).build());
        Map<String, HostTensor> init = TinyModels.gradientWeights(model.parameterSpecs(), 8);
        float eps = 1e4f;
        float lr = 1e4f;
        Batch batch = TinyModels.gptBatch(SMALL.vocab(), 2, 7, 1);
        Map<String, float[]> unclipped = new LinkedHashMap<>();
        double norm;
        Recorder r = new Recorder();
        try (TrainingEngine engine = open(1, 1); TrainingProgram program = engine.compileTraining(model, init)) {
            new Trainer(program, constantLr(lr, 1).eps(eps).build(), constant(batch)).listener(r).run();
            norm = r.norms.getFirst();
            program.weights().forEach((k, v) -> unclipped.put(k, delta(init.get(k).floats(), v.floats())));
        }
        assertTrue(norm > 0.5, "the gradient norm should be well above the clip: " + norm);
        float clip = (float) (norm / 4);
        double expectedRatio = clip / (norm + 1e-6);
        double dot = 0;
        double uu = 0;
        try (TrainingEngine engine = open(1, 1); TrainingProgram program = engine.compileTraining(model, init)) {
            new Trainer(program, constantLr(lr, 1).eps(eps).gradClip(clip).build(), constant(batch)).run();
            for (var e : program.weights().entrySet()) {
                float[] u = unclipped.get(e.getKey());
                float[] c = delta(init.get(e.getKey()).floats(), e.getValue().floats());
                for (int i = 0; i < u.length; i++) {
                    // every element, with slack for the float32 rounding of w - delta and of the difference
                    double tol = 1e-3 * Math.abs(u[i] * expectedRatio) + 4 * Math.ulp(init.get(e.getKey()).floats()[i]);
                    assertEquals(u[i] * expectedRatio, c[i], tol, e.getKey() + "[" + i + "]: clipped update");
                    dot += (double) u[i] * c[i];
                    uu += (double) u[i] * u[i];
                }
            }
        }
        assertTrue(uu > 0, "the unclipped step moved nothing");
        assertEquals(expectedRatio, dot / uu, 1e-3 * expectedRatio, "least-squares ratio clipped/unclipped update");
    }

    private static float[] delta(float[] before, float[] after) {
        float[] d = new float[before.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = after[i] - before[i];
        }
        return d;
    }

    /** A program with a fixed gradient norm that records the AdamW steps it is asked to take. */
    static final class FakeProgram implements TrainingProgram {
        final double norm;
        final List<AdamWStep> steps = new ArrayList<>();

        FakeProgram(double norm) {
            this.norm = norm;
        }

        @Override
        public float forwardBackward(Batch batch) {
            return 1f;
        }

        @Override
        public float evaluate(Batch batch) {
            return 1f;
        }

        @Override
        public double gradientNorm() {
            return norm;
        }

        @Override
        public void step(AdamWStep step) {
            steps.add(step);
        }

        @Override
        public void zeroGradients() {
        }

        @Override
        public Map<String, HostTensor> gradients() {
            return Map.of();
        }

        @Override
        public Map<String, HostTensor> weights() {
            return Map.of();
        }

        @Override
        public OptimizerState optimizerState() {
            return new OptimizerState(0, Map.of(), Map.of());
        }

        @Override
        public void restore(Map<String, HostTensor> weights, OptimizerState state) {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void theTrainerFoldsClippingAndAccumulationIntoGradScale() {
        Batch b = TinyModels.gptBatch(SMALL.vocab(), 2, 7, 1);
        // accumulated norm 12 over 3 micro-batches: the averaged gradient has norm 4, above the clip of 1
        FakeProgram clipped = new FakeProgram(12);
        new Trainer(clipped, constantLr(1e-3f, 1).gradClip(1f).gradAccumulation(3).build(), constant(b)).run();
        assertEquals(1.0 / (4 + 1e-6) / 3, clipped.steps.getFirst().gradScale(), 1e-7);
        // norm 1.5 / 3 = 0.5 is under the clip: only the 1/3 average
        FakeProgram free = new FakeProgram(1.5);
        new Trainer(free, constantLr(1e-3f, 1).gradClip(1f).gradAccumulation(3).build(), constant(b)).run();
        assertEquals(1.0 / 3, free.steps.getFirst().gradScale(), 1e-7);
    }

    // ---- divergence ----

    @Test
    void aNanLossStopsTrainingAndLeavesTheLastCheckpointUntouched(@TempDir Path dir) throws IOException {
        GptModel model = new GptModel(TinyModels.gptPreLn(SMALL).build());
        Path file = dir.resolve(TrainingCheckpoints.FILE_NAME);
        byte[][] saved = new byte[1][];
        try (TrainingEngine engine = open(1, 1);
             TrainingProgram program = engine.compileTraining(model, Initializer.initialize(model.parameterSpecs(), 1))) {
            TrainingConfig config = constantLr(1e-3f, 6).checkpointInterval(3).build();
            Trainer trainer = new Trainer(program, config, constant(TinyModels.gptBatch(SMALL.vocab(), 2, 7, 1))).checkpointTo(c -> {
                TrainingCheckpoints.save(file, c);
                return file;
            });
            trainer.listener(new TrainingListener() {
                @Override
                public void onCheckpoint(long step, Path where) {
                    try {
                        saved[0] = Files.readAllBytes(where);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    // poison one weight after the step-3 checkpoint: step 4's loss is NaN
                    Map<String, HostTensor> w = program.weights();
                    w.get("transformer.ln_f.weight").floats()[0] = Float.NaN;
                    program.restore(w, program.optimizerState());
                }
            });
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, trainer::run);
            assertTrue(e.getMessage().contains("step 4"), e.getMessage());
            assertEquals(3, trainer.step(), "no step is taken on a NaN loss");
        }
        assertArrayEquals(saved[0], Files.readAllBytes(file), "the step-3 checkpoint must be byte-identical");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no other file is left behind");
        }
        TrainingCheckpoint cp = TrainingCheckpoints.load(file);
        assertEquals(3, cp.step());
        for (HostTensor t : cp.weights().values()) {
            for (float v : t.floats()) {
                assertTrue(Float.isFinite(v), "the checkpoint holds the weights from before the NaN");
            }
        }
    }

    // ---- threads ----

    @Test
    void oneAndTwoThreadsGiveTheSameLosses() {
        // wide enough that the matrix products (m·n·k >= 64³) and attention (8 sequences × 2 heads) split
        GptConfig c = new GptConfig(SMALL.vocab(), 16, 2, 2, 32, 128, 0.1f, true, true,
                PositionalEncodingType.LEARNED, NormPlacement.PRE, Activation.GELU);
        GptModel model = new GptModel(c);
        Map<String, HostTensor> init = Initializer.initialize(model.parameterSpecs(), 3);
        float[][] losses = new float[2][];
        List<Map<String, HostTensor>> weights = new ArrayList<>();
        for (int threads = 1; threads <= 2; threads++) {
            Recorder r = new Recorder();
            try (TrainingEngine engine = open(threads, 5); TrainingProgram program = engine.compileTraining(model, init)) {
                TrainingData data = new TrainingData(new BatchSampler(TOKENS, 8, 16, 1), new BatchSampler(TOKENS, 8, 16, 2),
                        new BatchSampler(TOKENS, 8, 16, 3));
                new Trainer(program, constantLr(3e-3f, 3).build(), data).listener(r).run();
                weights.add(program.weights());
            }
            losses[threads - 1] = r.lossArray();
        }
        for (int i = 0; i < losses[0].length; i++) {
            assertEquals(losses[0][i], losses[1][i], 1e-6 * Math.abs(losses[0][i]), "step " + (i + 1) + " loss");
        }
        // The kernels split work so that every element is computed in the same order on any thread count
        // (by rows, by column slices, by (batch, head)), so the runs are in fact bit-identical.
        assertArrayEquals(losses[0], losses[1], "1 vs 2 threads: per-step losses");
        assertSameWeights(weights.get(0), weights.get(1), "1 vs 2 threads");
    }
}
