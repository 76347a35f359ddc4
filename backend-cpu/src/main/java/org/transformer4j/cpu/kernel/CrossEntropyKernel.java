package org.transformer4j.cpu.kernel;

import static org.transformer4j.cpu.kernel.KernelMath.F;
import static org.transformer4j.cpu.kernel.KernelMath.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Mean cross-entropy of {@code softmax(logits)} against integer targets, rows whose target equals
 * {@code ignoreIndex} left out of both the sum and the count (PyTorch's {@code ignore_index}).
 * Each row's loss is {@code logsumexp(row) - row[target]}, computed with the row maximum subtracted.
 * When every row is ignored the loss is 0 and the gradient is 0 (PyTorch would give NaN, which would
 * poison a training run). Results do not depend on the thread count.
 */
public final class CrossEntropyKernel {
    private static final String KERNEL = "CrossEntropyKernel";

    private CrossEntropyKernel() {
    }

    /**
     * @param logits  {@code [n, vocab]}
     * @param targets {@code [n]}, each in {@code [0, vocab)} or equal to {@code ignoreIndex}
     * @return the mean loss over the rows whose target is not {@code ignoreIndex}
     * @throws IllegalArgumentException naming the row and value of a target outside {@code [0, vocab)}
     */
    public static float forward(Parallelism par, float[] logits, int[] targets, int n, int vocab, int ignoreIndex) {
        String k = KERNEL + ".forward";
        int count = checkedCount(k, logits, targets, n, vocab, ignoreIndex);
        if (count == 0) {
            return 0f;
        }
        double[] rowLoss = new double[n];
        par.forRange(n, KernelMath.rowGrain(vocab), (from, to) -> {
            for (int r = from; r < to; r++) {
                int t = targets[r];
                if (t == ignoreIndex) {
                    continue;
                }
                int base = r * vocab;
                float max = max(logits, base, vocab);
                float sum = sumExp(logits, base, vocab, max);
                rowLoss[r] = Math.log(sum) + max - logits[base + t];
            }
        });
        double total = 0;
        for (double l : rowLoss) {
            total += l;
        }
        return (float) (total / count);
    }

    /** The number of rows whose target is not {@code ignoreIndex}: the divisor of the mean. */
    public static int count(int[] targets, int n, int ignoreIndex) {
        KernelArgs.nonNegative(KERNEL + ".count", "n", n);
        KernelArgs.length(KERNEL + ".count", "targets", targets, n);
        int count = 0;
        for (int r = 0; r < n; r++) {
            if (targets[r] != ignoreIndex) {
                count++;
            }
        }
        return count;
    }

    /**
     * Adds the gradient of the mean loss: {@code dlogits += dloss·(softmax(row) - onehot(target))/count} for
     * counted rows; ignored rows get nothing.
     *
     * @param dloss the gradient flowing into the scalar loss (1 when it is the final objective)
     */
    public static void backward(Parallelism par, float[] logits, int[] targets, int n, int vocab, int ignoreIndex,
                                float dloss, float[] dlogits) {
        String k = KERNEL + ".backward";
        int count = checkedCount(k, logits, targets, n, vocab, ignoreIndex);
        KernelArgs.length(k, "dlogits", dlogits, (long) n * vocab);
        if (count == 0) {
            return;
        }
        float g = dloss / count;
        par.forRange(n, KernelMath.rowGrain(vocab), (from, to) -> {
            float[] e = new float[vocab]; // exp(row - max), computed once per element
            for (int r = from; r < to; r++) {
                int t = targets[r];
                if (t == ignoreIndex) {
                    continue;
                }
                int base = r * vocab;
                float max = max(logits, base, vocab);
                FloatVector vmax = FloatVector.broadcast(F, max);
                FloatVector acc = FloatVector.zero(F);
                int j = 0;
                int bound = F.loopBound(vocab);
                for (; j < bound; j += L) {
                    FloatVector ev = KernelMath.exp(FloatVector.fromArray(F, logits, base + j).sub(vmax));
                    acc = acc.add(ev);
                    ev.intoArray(e, j);
                }
                float sum = KernelMath.sumLanes(acc);
                for (; j < vocab; j++) {
                    e[j] = KernelMath.exp(logits[base + j] - max);
                    sum += e[j];
                }
                float s = g / sum;
                FloatVector vs = FloatVector.broadcast(F, s);
                for (j = 0; j < bound; j += L) {
                    FloatVector.fromArray(F, e, j).fma(vs, FloatVector.fromArray(F, dlogits, base + j)).intoArray(dlogits, base + j);
                }
                for (; j < vocab; j++) {
                    dlogits[base + j] = Math.fma(e[j], s, dlogits[base + j]);
                }
                dlogits[base + t] -= g;
            }
        });
    }

    private static float max(float[] a, int off, int len) {
        float m = Float.NEGATIVE_INFINITY;
        int j = 0;
        int bound = F.loopBound(len);
        if (bound > 0) {
            FloatVector vm = FloatVector.fromArray(F, a, off);
            for (j = L; j < bound; j += L) {
                vm = vm.max(FloatVector.fromArray(F, a, off + j));
            }
            m = vm.reduceLanes(VectorOperators.MAX);
        }
        for (; j < len; j++) {
            m = Math.max(m, a[off + j]);
        }
        return m;
    }

    private static float sumExp(float[] a, int off, int len, float max) {
        FloatVector vmax = FloatVector.broadcast(F, max);
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (int bound = F.loopBound(len); j < bound; j += L) {
            acc = acc.add(KernelMath.exp(FloatVector.fromArray(F, a, off + j).sub(vmax)));
        }
        float s = KernelMath.sumLanes(acc);
        for (; j < len; j++) {
            s += KernelMath.exp(a[off + j] - max);
        }
        return s;
    }

    private static int checkedCount(String k, float[] logits, int[] targets, int n, int vocab, int ignoreIndex) {
        KernelArgs.nonNegative(k, "n", n);
        KernelArgs.positive(k, "vocab", vocab);
        KernelArgs.length(k, "logits", logits, (long) n * vocab);
        KernelArgs.length(k, "targets", targets, n);
        int count = 0;
        for (int r = 0; r < n; r++) {
            int t = targets[r];
            if (t == ignoreIndex) {
                continue;
            }
            if (t < 0 || t >= vocab) {
                throw new IllegalArgumentException(k + ": target " + t + " at row " + r + " is outside [0, " + vocab
                        + ") and is not the ignore index " + ignoreIndex + "; check the tokenizer's vocabulary size");
            }
            count++;
        }
        return count;
    }
}
