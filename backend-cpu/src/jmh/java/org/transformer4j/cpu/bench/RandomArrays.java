package org.transformer4j.cpu.bench;

import java.util.SplittableRandom;

/** Inputs for the benchmarks: seeded uniform floats in [-0.5, 0.5), so every run times the same data. */
final class RandomArrays {
    private RandomArrays() {
    }

    static float[] uniform(int size, SplittableRandom rnd) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (rnd.nextDouble() - 0.5);
        }
        return x;
    }
}
