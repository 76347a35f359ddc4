package org.transformer4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.conformance.fixtures.TinyModels.SMALL;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.cpu.kernel.Parallelism;
import org.transformer4j.data.Batch;
import org.transformer4j.model.GptModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.train.TrainingProgram;

/**
 * {@link StepArena} and its use by the training program: reused arrays must not leak one pass's values into the
 * next (every pass gives what a fresh program gives), a loop of one batch shape stops allocating after its
 * first pass, and the backward hands the gradients it has finished with to the gradients still to come.
 */
class StepArenaTest {

    @Test
    void recycledArraysAreReusedAndZeroedWhenAskedFor() {
        StepArena arena = new StepArena(Parallelism.sequential());
        float[] a = arena.floats(5);
        float[] b = arena.floatsForOverwrite(5);
        assertNotSame(a, b);
        a[2] = 7f;
        arena.recycle();
        float[] c = arena.floats(5);
        float[] d = arena.floats(5);
        assertSame(b, c, "the last array handed back is the first reused");
        assertSame(a, d);
        assertArrayEquals(new float[5], d, "floats() zeroes a reused array");
        assertEquals(2 * 5 * 4, arena.allocatedBytes());
        arena.floats(6);
        assertEquals(2 * 5 * 4 + 6 * 4, arena.allocatedBytes(), "a size not seen before is allocated");
    }

    @Test
    void anArrayGivenBackIsTheNextOfItsSizeAndIsRecycledOnce() {
        StepArena arena = new StepArena(Parallelism.sequential());
        float[] a = arena.floatsForOverwrite(5);
        arena.floatsForOverwrite(5); // a second one, still taken
        arena.giveBack(a);
        assertSame(a, arena.floatsForOverwrite(5), "a given-back array is handed out again before a new one");
        assertEquals(2 * 5 * 4, arena.allocatedBytes());
        assertEquals(3 * 5 * 4, arena.handedOutBytes());
        arena.recycle();
        float[] c = arena.floatsForOverwrite(5);
        float[] d = arena.floatsForOverwrite(5);
        float[] e = arena.floatsForOverwrite(5);
        assertNotSame(c, d);
        assertNotSame(d, e, "an array given back and taken again went into the free list twice");
        assertNotSame(c, e);
        assertEquals(3 * 5 * 4, arena.allocatedBytes(), "the third array of the pass is a new one");
        assertThrows(IllegalStateException.class, () -> arena.giveBack(new float[5]), "not the arena's");
        arena.giveBack(e);
        assertThrows(IllegalStateException.class, () -> arena.giveBack(e), "given back twice");
    }

    @Test
    void theBackwardReusesTheGradientsItHasFinishedWith() {
        GptModel model = new GptModel(TinyModels.gptPreLn(SMALL).build());
        Map<String, HostTensor> init = TinyModels.gradientWeights(model.parameterSpecs(), 3);
        try (var engine = new CpuBackend().open(new EngineOptions(1, null, 5));
             TrainingProgram program = engine.compileTraining(model, init)) {
            CpuTrainingProgram cpu = (CpuTrainingProgram) program;
            program.forwardBackward(TinyModels.gptBatch(SMALL.vocab(), 2, 7, 1));
            assertTrue(cpu.arenaBytes() < cpu.arenaHandedOutBytes(),
                    "the first pass allocated " + cpu.arenaBytes() + " bytes for " + cpu.arenaHandedOutBytes()
                            + " handed out: no gradient array was reused within it");
        }
    }

    @Test
    void aReleasedGradientCannotBeWrittenAgain() {
        StepArena arena = new StepArena(Parallelism.sequential());
        CpuTensor t = CpuTensor.floats(Shape.of(2, 3), arena.floatsForOverwrite(6), true, arena);
        float[] g = t.grad();
        t.releaseGrad();
        assertThrows(IllegalStateException.class, t::grad);
        assertThrows(IllegalStateException.class, t::gradToSet);
        assertSame(g, arena.floatsForOverwrite(6), "the released gradient is the next array of its size");
    }

    @Test
    void passesThatReuseTheArenaGiveWhatAFreshProgramGivesAndAllocateNothingNew() {
        GptModel model = new GptModel(TinyModels.gptPreLn(SMALL).dropout(0.1f).build());
        Map<String, HostTensor> init = TinyModels.gradientWeights(model.parameterSpecs(), 3);
        Batch first = TinyModels.gptBatch(SMALL.vocab(), 2, 7, 1);
        Map<String, HostTensor> other = new LinkedHashMap<>();
        other.put("input_ids", HostTensor.ofInts(Shape.of(2, 7), new int[] {4, 4, 3, 8, 1, 0, 2, 9, 9, 5, 6, 10, 7, 3}));
        other.put("targets", HostTensor.ofInts(Shape.of(2, 7), new int[] {4, 3, 8, 1, 0, 2, 6, 9, 5, 6, 10, 7, 3, 1}));
        Batch second = new Batch(other);
        try (var engine = new CpuBackend().open(new EngineOptions(2, null, 5));
             TrainingProgram reused = engine.compileTraining(model, init)) {
            CpuTrainingProgram cpu = (CpuTrainingProgram) reused;
            reused.forwardBackward(first);
            reused.zeroGradients();
            long footprint = cpu.arenaBytes();
            reused.forwardBackward(second);
            assertEquals(footprint, cpu.arenaBytes(), "the second pass of the same shape allocated new arrays");
            float loss = reused.evaluate(second);
            Map<String, HostTensor> grads = reused.gradients();
            try (TrainingProgram fresh = engine.compileTraining(model, init)) {
                // Same dropout masks: the mask seed depends on the step and the pass's order within it.
                fresh.forwardBackward(second);
                assertEquals(fresh.evaluate(second), loss, 0f);
                fresh.gradients().forEach((name, g) ->
                        assertArrayEquals(g.floats(), grads.get(name).floats(), 0f, name));
            }
        }
    }
}
