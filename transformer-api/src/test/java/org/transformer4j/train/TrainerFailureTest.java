package org.transformer4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.data.Batch;
import org.transformer4j.data.BatchSource;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/**
 * The training loop when things go wrong: a non-finite loss or gradient norm stops it before the update and before
 * any save, leaving the last checkpoint byte for byte; a checkpoint that cannot be written stops it with an error
 * naming the path while the file that was there stays; a checkpoint save cut off mid-file leaves the previous one.
 */
class TrainerFailureTest {
    @TempDir
    Path tmp;

    /**
     * A stand-in for a backend's program: one weight vector of {@code size} floats that each step moves by
     * {@code -lr}; losses and gradient norms are scripted.
     */
    static final class ScriptedProgram implements TrainingProgram {
        final float[] w;
        final Deque<Float> losses;
        final Deque<Double> norms;
        int steps;
        int zeroed;

        ScriptedProgram(int size, List<Float> losses, List<Double> norms) {
            this.w = new float[size];
            this.losses = new ArrayDeque<>(losses);
            this.norms = new ArrayDeque<>(norms);
        }

        public float forwardBackward(Batch batch) {
            return losses.isEmpty() ? 1f : losses.poll();
        }

        public float evaluate(Batch batch) {
            return 1f;
        }

        public double gradientNorm() {
            return norms.isEmpty() ? 0.5 : norms.poll();
        }

        public void step(AdamWStep step) {
            steps++;
            for (int i = 0; i < w.length; i++) {
                w[i] -= step.lr();
            }
        }

        public void zeroGradients() {
            zeroed++;
        }

        public Map<String, HostTensor> gradients() {
            return Map.of("w", HostTensor.zeros(Shape.of(w.length)));
        }

        public Map<String, HostTensor> weights() {
            return Map.of("w", HostTensor.ofFloats(Shape.of(w.length), w.clone()));
        }

        public OptimizerState optimizerState() {
            return new OptimizerState(steps, Map.of("w", HostTensor.zeros(Shape.of(w.length))),
                    Map.of("w", HostTensor.zeros(Shape.of(w.length))));
        }

        public void restore(Map<String, HostTensor> weights, OptimizerState state) {
            throw new UnsupportedOperationException();
        }

        public void close() {
        }
    }

    private static BatchSource constant() {
        Batch b = new Batch(Map.of("input_ids", HostTensor.ofInts(Shape.of(1, 2), new int[] {0, 1}),
                "targets", HostTensor.ofInts(Shape.of(1, 2), new int[] {1, 0})));
        return new BatchSource() {
            long position;

            public Batch next() {
                position++;
                return b;
            }

            public long position() {
                return position;
            }

            public void seek(long p) {
                position = p;
            }
        };
    }

    private static TrainingData data() {
        return new TrainingData(constant(), constant(), constant());
    }

    private static TrainingConfig config(int steps, int checkpointInterval) {
        return TrainingConfig.builder().maxSteps(steps).learningRate(0.1f).warmupSteps(0).minLearningRate(0.1f)
                .gradClip(0f).evalInterval(0).evalBatches(1).checkpointInterval(checkpointInterval).build();
    }

    /** Saves every checkpoint to {@code file} and remembers the bytes of each. */
    private static Trainer.Checkpointer to(Path file, List<byte[]> saved) {
        return c -> {
            TrainingCheckpoints.save(file, c);
            saved.add(Files.readAllBytes(file));
            return file;
        };
    }

    @Test
    void anInfiniteLossStopsBeforeTheUpdateAndLeavesTheLastCheckpoint() throws IOException {
        Path file = tmp.resolve(TrainingCheckpoints.FILE_NAME);
        List<byte[]> saved = new ArrayList<>();
        ScriptedProgram program = new ScriptedProgram(4, List.of(2f, 2f, Float.POSITIVE_INFINITY), List.of());
        Trainer trainer = new Trainer(program, config(5, 1), data()).checkpointTo(to(file, saved));

        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, trainer::run);

        assertTrue(e.getMessage().contains("loss is Infinity at step 3"), e.getMessage());
        assertTrue(e.getMessage().contains("Lower the learning rate"), e.getMessage());
        assertEquals(2, program.steps, "the update of step 3 was not applied");
        assertEquals(2, trainer.step());
        assertEquals(1, program.zeroed, "the bad gradients were discarded");
        assertEquals(2, saved.size());
        assertArrayEquals(saved.get(1), Files.readAllBytes(file), "the step-2 checkpoint is untouched");
        TrainingCheckpoint last = TrainingCheckpoints.load(file);
        assertEquals(2, last.step());
        assertArrayEquals(new float[] {-0.2f, -0.2f, -0.2f, -0.2f}, last.weights().get("w").floats());
    }

    @Test
    void aNanGradientNormStopsBeforeTheUpdate() {
        ScriptedProgram program = new ScriptedProgram(2, List.of(), List.of(0.5, Double.NaN));
        Trainer trainer = new Trainer(program, config(5, 0), data());

        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, trainer::run);

        assertTrue(e.getMessage().contains("gradient norm is NaN at step 2"), e.getMessage());
        assertEquals(1, program.steps);
    }

    @Test
    void aCheckpointPathUnderARegularFileFailsNamingItAndLeavesTheFile() throws IOException {
        Path blocker = tmp.resolve("out");
        Files.writeString(blocker, "a file where the model directory should be");
        Path file = blocker.resolve(TrainingCheckpoints.FILE_NAME);
        ScriptedProgram program = new ScriptedProgram(2, List.of(), List.of());
        Trainer trainer = new Trainer(program, config(3, 1), data()).checkpointTo(to(file, new ArrayList<>()));

        UncheckedIOException e = assertThrows(UncheckedIOException.class, trainer::run);

        assertTrue(e.getMessage().contains("checkpoint at step 1 failed"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot write " + file), e.getMessage());
        assertEquals(1, trainer.step(), "training stops at the failed save");
        assertEquals("a file where the model directory should be", Files.readString(blocker));
    }

    /**
     * The checkpoint holds 3 x 40,000 floats (480 KB), far more than the 64 KB write buffer, so when the saving thread
     * is interrupted (as {@code ExecutorService.shutdownNow()} does) the write fails at the first flush to disk with
     * most of the file still to come. The previous checkpoint must stay byte for byte, loadable, with no temporary
     * file beside it.
     */
    @Test
    void aCheckpointSaveCutOffMidFileLeavesThePreviousCheckpoint() throws IOException {
        Path file = tmp.resolve(TrainingCheckpoints.FILE_NAME);
        List<byte[]> saved = new ArrayList<>();
        ScriptedProgram program = new ScriptedProgram(40_000, List.of(), List.of());
        Trainer trainer = new Trainer(program, config(4, 1), data()).checkpointTo(to(file, saved))
                .listener(new TrainingListener() {
                    @Override
                    public void onStep(StepMetrics m) {
                        if (m.step() == 2) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
        UncheckedIOException e;
        try {
            e = assertThrows(UncheckedIOException.class, trainer::run);
        } finally {
            Thread.interrupted();
        }
        assertTrue(e.getMessage().contains("checkpoint at step 2 failed"), e.getMessage());
        assertTrue(e.getMessage().contains("the previous checkpoint is intact"), e.getMessage());
        assertTrue(e.getCause().getCause() instanceof java.nio.channels.ClosedByInterruptException, e.toString());
        assertEquals(1, saved.size());
        assertArrayEquals(saved.getFirst(), Files.readAllBytes(file));
        assertEquals(1, TrainingCheckpoints.load(file).step());
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left");
        }
    }

    @Test
    void aTruncatedOrForeignCheckpointIsRefusedNamingTheFile() throws IOException {
        Path file = tmp.resolve(TrainingCheckpoints.FILE_NAME);
        ScriptedProgram program = new ScriptedProgram(8, List.of(), List.of());
        TrainingCheckpoints.save(file, new Trainer(program, config(1, 0), data()).checkpoint());
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 5));
        var truncated = assertThrows(org.transformer4j.io.CheckpointFormatException.class,
                () -> TrainingCheckpoints.load(file));
        assertEquals(file, truncated.file());

        Map<String, HostTensor> weightsOnly = new LinkedHashMap<>();
        weightsOnly.put("w", HostTensor.zeros(Shape.of(2)));
        org.transformer4j.io.Safetensors.write(file, weightsOnly, Map.of("format", "pt"));
        var foreign = assertThrows(org.transformer4j.io.CheckpointFormatException.class,
                () -> TrainingCheckpoints.load(file));
        assertTrue(foreign.getMessage().contains("not a transformer4j training state"), foreign.getMessage());
    }
}
