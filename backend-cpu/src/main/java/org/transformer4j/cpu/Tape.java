package org.transformer4j.cpu;

import java.util.ArrayList;
import java.util.List;

/**
 * The record of one training step's forward pass: each layer pushes its hand-written backward, and
 * {@link #backward} runs them in reverse order (reverse-mode differentiation over whole layers, like
 * llm.c's paired forward/backward functions).
 */
final class Tape {
    private final List<Runnable> backwards = new ArrayList<>();

    void record(Runnable backward) {
        backwards.add(backward);
    }

    /** Seeds d(loss)/d(loss) = 1 and runs every recorded backward, newest first. */
    void backward(CpuTensor loss) {
        if (loss.shape.size() != 1) {
            throw new IllegalArgumentException("backward needs a scalar loss, got shape " + loss.shape);
        }
        loss.grad()[0] = 1f;
        for (int i = backwards.size() - 1; i >= 0; i--) {
            backwards.get(i).run();
        }
        backwards.clear();
    }
}
