package org.transformer4j.cpu.kernel;

import static org.transformer4j.cpu.kernel.KernelMath.ELEMENT_GRAIN;
import static org.transformer4j.cpu.kernel.KernelMath.F;
import static org.transformer4j.cpu.kernel.KernelMath.L;

import jdk.incubator.vector.FloatVector;

/**
 * Element-wise kernels on float arrays: add and multiply (with broadcast of a trailing-shape operand over rows),
 * scale, accumulate/axpy (the building blocks of backward passes, which add into gradients), the
 * column sum that reduces a broadcast operand's gradient, and the sum of squares behind the global
 * gradient norm. Every result is independent of the thread count.
 */
public final class ElementwiseKernels {
    private static final String KERNEL = "ElementwiseKernels";
    /** Fixed block of the sum of squares: the partial sums do not depend on how threads split the work. */
    private static final int SQUARES_BLOCK = 4096;

    private ElementwiseKernels() {
    }

    /** {@code out[i] = a[i] + b[i]} for i in [0, n); out may alias a or b. */
    public static void add(Parallelism par, float[] a, float[] b, float[] out, int n) {
        KernelArgs.nonNegative(KERNEL + ".add", "n", n);
        KernelArgs.length(KERNEL + ".add", "a", a, n);
        KernelArgs.length(KERNEL + ".add", "b", b, n);
        KernelArgs.length(KERNEL + ".add", "out", out, n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector.fromArray(F, a, i).add(FloatVector.fromArray(F, b, i)).intoArray(out, i);
            }
            for (; i < to; i++) {
                out[i] = a[i] + b[i];
            }
        });
    }

    /**
     * {@code out[r, j] = a[r, j] + b[j]}: {@code a} is {@code [rows, inner]}, {@code b} has the trailing
     * shape {@code [inner]} and is broadcast over the rows (a bias, a positional table). out may alias a.
     */
    public static void addBroadcast(Parallelism par, float[] a, float[] b, int rows, int inner, float[] out) {
        String k = KERNEL + ".addBroadcast";
        KernelArgs.nonNegative(k, "rows", rows);
        KernelArgs.positive(k, "inner", inner);
        KernelArgs.length(k, "a", a, (long) rows * inner);
        KernelArgs.length(k, "b", b, inner);
        KernelArgs.length(k, "out", out, (long) rows * inner);
        par.forRange(rows, KernelMath.rowGrain(inner), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * inner;
                int j = 0;
                for (int bound = F.loopBound(inner); j < bound; j += L) {
                    FloatVector.fromArray(F, a, base + j).add(FloatVector.fromArray(F, b, j)).intoArray(out, base + j);
                }
                for (; j < inner; j++) {
                    out[base + j] = a[base + j] + b[j];
                }
            }
        });
    }

    /**
     * {@code out[r, j] = a[r, j]·b[j]}: {@code a} is {@code [rows, inner]} and {@code b} is {@code [inner]} broadcast
     * over the rows, or {@code [rows, inner]} itself ({@code inner} then the whole length and {@code rows} 1).
     * out may alias a.
     */
    public static void multiply(Parallelism par, float[] a, float[] b, int rows, int inner, float[] out) {
        String k = KERNEL + ".multiply";
        KernelArgs.nonNegative(k, "rows", rows);
        KernelArgs.positive(k, "inner", inner);
        KernelArgs.length(k, "a", a, (long) rows * inner);
        KernelArgs.length(k, "b", b, inner);
        KernelArgs.length(k, "out", out, (long) rows * inner);
        if (rows == 1) {
            par.forRange(inner, ELEMENT_GRAIN, (from, to) -> {
                int i = from;
                for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                    FloatVector.fromArray(F, a, i).mul(FloatVector.fromArray(F, b, i)).intoArray(out, i);
                }
                for (; i < to; i++) {
                    out[i] = a[i] * b[i];
                }
            });
            return;
        }
        par.forRange(rows, KernelMath.rowGrain(inner), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * inner;
                int j = 0;
                for (int bound = F.loopBound(inner); j < bound; j += L) {
                    FloatVector.fromArray(F, a, base + j).mul(FloatVector.fromArray(F, b, j)).intoArray(out, base + j);
                }
                for (; j < inner; j++) {
                    out[base + j] = a[base + j] * b[j];
                }
            }
        });
    }

    /**
     * {@code dst[i] += x[i]·y[i]} for i in [0, n): the backward of a product ({@code da += dout·b}).
     */
    public static void accumulateProduct(Parallelism par, float[] x, float[] y, float[] dst, int n) {
        String k = KERNEL + ".accumulateProduct";
        KernelArgs.nonNegative(k, "n", n);
        KernelArgs.length(k, "x", x, n);
        KernelArgs.length(k, "y", y, n);
        KernelArgs.length(k, "dst", dst, n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector.fromArray(F, x, i).fma(FloatVector.fromArray(F, y, i), FloatVector.fromArray(F, dst, i))
                        .intoArray(dst, i);
            }
            for (; i < to; i++) {
                dst[i] = Math.fma(x[i], y[i], dst[i]);
            }
        });
    }

    /**
     * {@code x[i] = 0} for i in [0, n), split across threads like the element-wise kernels that then write into
     * {@code x}, so each thread's share is already in its own cache when they do.
     */
    public static void zero(Parallelism par, float[] x, int n) {
        KernelArgs.nonNegative(KERNEL + ".zero", "n", n);
        KernelArgs.length(KERNEL + ".zero", "x", x, n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> java.util.Arrays.fill(x, from, to, 0f));
    }

    /**
     * {@code dst[i] = src[i]} for i in [0, n): the first gradient written into a buffer that nothing has added into
     * yet (instead of zeroing it and adding), split across threads like {@link #accumulate}.
     */
    public static void copy(Parallelism par, float[] src, float[] dst, int n) {
        KernelArgs.nonNegative(KERNEL + ".copy", "n", n);
        KernelArgs.length(KERNEL + ".copy", "src", src, n);
        KernelArgs.length(KERNEL + ".copy", "dst", dst, n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> System.arraycopy(src, from, dst, from, to - from));
    }

    /** {@code out[i] = factor·x[i]}; out may alias x. */
    public static void scale(Parallelism par, float[] x, float factor, float[] out, int n) {
        KernelArgs.nonNegative(KERNEL + ".scale", "n", n);
        KernelArgs.length(KERNEL + ".scale", "x", x, n);
        KernelArgs.length(KERNEL + ".scale", "out", out, n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector.fromArray(F, x, i).mul(factor).intoArray(out, i);
            }
            for (; i < to; i++) {
                out[i] = factor * x[i];
            }
        });
    }

    /** {@code dst[i] += src[i]}: adds a gradient into an accumulating gradient buffer. */
    public static void accumulate(Parallelism par, float[] src, float[] dst, int n) {
        KernelArgs.nonNegative(KERNEL + ".accumulate", "n", n);
        KernelArgs.length(KERNEL + ".accumulate", "src", src, n);
        KernelArgs.length(KERNEL + ".accumulate", "dst", dst, n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector.fromArray(F, dst, i).add(FloatVector.fromArray(F, src, i)).intoArray(dst, i);
            }
            for (; i < to; i++) {
                dst[i] += src[i];
            }
        });
    }

    /** {@code y[i] += alpha·x[i]} (e.g. the backward of {@code scale}: {@code dx += factor·dout}). */
    public static void axpy(Parallelism par, float alpha, float[] x, float[] y, int n) {
        KernelArgs.nonNegative(KERNEL + ".axpy", "n", n);
        KernelArgs.length(KERNEL + ".axpy", "x", x, n);
        KernelArgs.length(KERNEL + ".axpy", "y", y, n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> KernelMath.axpy(alpha, x, from, y, from, to - from));
    }

    /**
     * {@code dst[j] += Σ_r src[r, j]}: the gradient of a broadcast operand (bias, positional table) from the
     * gradient of a {@code [rows, inner]} result. Split over columns, each summed in row order, so the result
     * does not depend on the thread count.
     */
    public static void sumRows(Parallelism par, float[] src, int rows, int inner, float[] dst) {
        String k = KERNEL + ".sumRows";
        KernelArgs.nonNegative(k, "rows", rows);
        KernelArgs.positive(k, "inner", inner);
        KernelArgs.length(k, "src", src, (long) rows * inner);
        KernelArgs.length(k, "dst", dst, inner);
        int grain = Math.max(4 * L, (int) Math.min(inner, (64L * 1024 + rows - 1) / Math.max(1, rows)));
        par.forRange(inner, grain, (from, to) -> {
            int j = from;
            for (int bound = from + F.loopBound(to - from); j < bound; j += L) {
                FloatVector acc = FloatVector.fromArray(F, dst, j);
                for (int r = 0; r < rows; r++) {
                    acc = acc.add(FloatVector.fromArray(F, src, r * inner + j));
                }
                acc.intoArray(dst, j);
            }
            for (; j < to; j++) {
                float s = dst[j];
                for (int r = 0; r < rows; r++) {
                    s += src[r * inner + j];
                }
                dst[j] = s;
            }
        });
    }

    /**
     * {@code Σ x[i]²} accumulated in double (each square is exact in double), for the global gradient norm.
     * Sums fixed blocks then the block sums in order, so the value does not depend on the thread count.
     */
    public static double sumOfSquares(Parallelism par, float[] x, int n) {
        KernelArgs.nonNegative(KERNEL + ".sumOfSquares", "n", n);
        KernelArgs.length(KERNEL + ".sumOfSquares", "x", x, n);
        int blocks = (n + SQUARES_BLOCK - 1) / SQUARES_BLOCK;
        double[] partial = new double[blocks];
        par.forRange(blocks, Math.max(1, ELEMENT_GRAIN / SQUARES_BLOCK), (from, to) -> {
            for (int blk = from; blk < to; blk++) {
                int start = blk * SQUARES_BLOCK;
                int end = Math.min(n, start + SQUARES_BLOCK);
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                int i = start;
                for (; i + 3 < end; i += 4) {
                    double a0 = x[i];
                    double a1 = x[i + 1];
                    double a2 = x[i + 2];
                    double a3 = x[i + 3];
                    s0 += a0 * a0;
                    s1 += a1 * a1;
                    s2 += a2 * a2;
                    s3 += a3 * a3;
                }
                for (; i < end; i++) {
                    double a = x[i];
                    s0 += a * a;
                }
                partial[blk] = (s0 + s1) + (s2 + s3);
            }
        });
        double total = 0;
        for (double p : partial) {
            total += p;
        }
        return total;
    }
}
