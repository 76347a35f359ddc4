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
    /** A recorded backward and the tensors of the op it belongs to. */
    private record Entry(CpuTensor[] outputs, Runnable backward) {
    }

    private final List<Entry> entries = new ArrayList<>();

    /** Records the backward of an op that produced {@code output}. */
    void record(CpuTensor output, Runnable backward) {
        record(new CpuTensor[] {output}, backward);
    }

    /** Records the backward of an op that produced all of {@code outputs} (one backward for them all). */
    void record(CpuTensor[] outputs, Runnable backward) {
        entries.add(new Entry(outputs, backward));
    }

    /** Seeds d(loss)/d(loss) = 1 and runs every recorded backward, newest first. */
    void backward(CpuTensor loss) {
        if (loss.shape.size() != 1) {
            throw new IllegalArgumentException("backward needs a scalar loss, got shape " + loss.shape);
        }
        loss.grad()[0] = 1f;
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            e.backward.run();
            for (CpuTensor produced : e.outputs) {
                produced.releaseGrad();
            }
        }
        entries.clear();
    }
}
