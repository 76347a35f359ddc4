package org.transformer4j.cpu;

import java.util.ArrayList;
import java.util.List;

/**
 * The record of one training step's forward pass: each layer pushes its hand-written backward, and
 * {@link #backward} runs them in reverse order (reverse-mode differentiation over whole layers, like
 * llm.c's paired forward/backward functions).
 *
 * <p>Each backward is recorded with the tensors its op produced. Once it has run, their gradients are complete and
 * read (every consumer's backward ran before it), so they are {@linkplain CpuTensor#releaseGrad() handed back} to
 * the pass's arena: the gradients still to come reuse those cache-warm arrays instead of touching fresh memory.
 */
final class Tape {
    private final List<Runnable> backwards = new ArrayList<>();
    private final List<CpuTensor[]> outputs = new ArrayList<>();

    /** Records the backward of an op that produced {@code output}. */
    void record(CpuTensor output, Runnable backward) {
        record(new CpuTensor[] {output}, backward);
    }

    /** Records the backward of an op that produced all of {@code outputs} (one backward for them all). */
    void record(CpuTensor[] outputs, Runnable backward) {
        backwards.add(backward);
        this.outputs.add(outputs);
    }

    /** Seeds d(loss)/d(loss) = 1 and runs every recorded backward, newest first. */
    void backward(CpuTensor loss) {
        if (loss.shape.size() != 1) {
            throw new IllegalArgumentException("backward needs a scalar loss, got shape " + loss.shape);
        }
        loss.grad()[0] = 1f;
        for (int i = backwards.size() - 1; i >= 0; i--) {
            backwards.get(i).run();
            for (CpuTensor produced : outputs.get(i)) {
                produced.releaseGrad();
            }
        }
        backwards.clear();
        outputs.clear();
    }
}
