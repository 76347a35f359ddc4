package org.transformer4j.cpu.kernel;

import static org.transformer4j.cpu.kernel.KernelMath.F;
import static org.transformer4j.cpu.kernel.KernelMath.L;

import jdk.incubator.vector.FloatVector;

/**
 * RMS normalization over the last axis (Llama's {@code LlamaRMSNorm}), forward and backward:
 * {@code out = x·rstd·gamma} with {@code rstd = 1/sqrt(mean(x²) + eps)}. The forward saves {@code rstd} per row.
 * The backward adds into {@code dx} and {@code dgamma}; {@code dgamma} is summed column by column in row order, so
 * it does not depend on the thread count.
 */
public final class RmsNormKernel {
    private static final String KERNEL = "RmsNormKernel";

    private RmsNormKernel() {
    }

    /**
     * @param x     input {@code [rows, c]}
     * @param gamma scale {@code [c]}
     * @param out   output {@code [rows, c]} (may alias x)
     * @param rstd  receives each row's {@code 1/sqrt(mean(x²) + eps)} {@code [rows]}
     */
    public static void forward(Parallelism par, float[] x, float[] gamma, float eps, int rows, int c, float[] out,
                               float[] rstd) {
        String k = KERNEL + ".forward";
        check(k, x, gamma, rows, c);
        KernelArgs.length(k, "out", out, (long) rows * c);
        KernelArgs.length(k, "rstd", rstd, rows);
        if (!(eps >= 0f)) {
            throw new IllegalArgumentException(k + ": eps must be >= 0, was " + eps);
        }
        par.forRange(rows, KernelMath.rowGrain(c), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * c;
                float rs = (float) (1.0 / Math.sqrt(KernelMath.dot(x, base, x, base, c) / c + eps));
                rstd[r] = rs;
                int j = 0;
                for (int bound = F.loopBound(c); j < bound; j += L) {
                    FloatVector.fromArray(F, x, base + j).mul(rs).mul(FloatVector.fromArray(F, gamma, j))
                            .intoArray(out, base + j);
                }
                for (; j < c; j++) {
                    out[base + j] = x[base + j] * rs * gamma[j];
                }
            }
        });
    }

    /**
     * Adds the gradients: with {@code g_j = dout_j·gamma_j},
     * {@code dx_j += rstd·g_j - x_j·rstd³·mean(g·x)} and {@code dgamma_j += Σ_rows dout_j·x_j·rstd}.
     *
     * @param rstd what {@link #forward} saved for this x
     */
    public static void backward(Parallelism par, float[] dout, float[] x, float[] gamma, float[] rstd, int rows, int c,
                                float[] dx, float[] dgamma) {
        String k = KERNEL + ".backward";
        check(k, x, gamma, rows, c);
        KernelArgs.length(k, "dout", dout, (long) rows * c);
        KernelArgs.length(k, "rstd", rstd, rows);
        KernelArgs.length(k, "dx", dx, (long) rows * c);
        KernelArgs.length(k, "dgamma", dgamma, c);
        par.forRange(rows, KernelMath.rowGrain(c), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * c;
                float rs = rstd[r];
                FloatVector acc = FloatVector.zero(F);
                int j = 0;
                for (int bound = F.loopBound(c); j < bound; j += L) {
                    FloatVector g = FloatVector.fromArray(F, dout, base + j).mul(FloatVector.fromArray(F, gamma, j));
                    acc = g.fma(FloatVector.fromArray(F, x, base + j), acc);
                }
                float gx = KernelMath.sumLanes(acc);
                for (; j < c; j++) {
                    gx = Math.fma(dout[base + j] * gamma[j], x[base + j], gx);
                }
                float m = gx / c * rs * rs * rs;
                j = 0;
                for (int bound = F.loopBound(c); j < bound; j += L) {
                    FloatVector g = FloatVector.fromArray(F, dout, base + j).mul(FloatVector.fromArray(F, gamma, j));
                    FloatVector t = g.mul(rs).sub(FloatVector.fromArray(F, x, base + j).mul(m));
                    t.add(FloatVector.fromArray(F, dx, base + j)).intoArray(dx, base + j);
                }
                for (; j < c; j++) {
                    dx[base + j] += dout[base + j] * gamma[j] * rs - x[base + j] * m;
                }
            }
        });
        int grain = Math.max(4 * L, (int) Math.min(c, (64L * 1024 + rows - 1) / Math.max(1, rows)));
        par.forRange(c, grain, (from, to) -> {
            int j = from;
            for (int bound = from + F.loopBound(to - from); j < bound; j += L) {
                FloatVector g = FloatVector.fromArray(F, dgamma, j);
                for (int r = 0; r < rows; r++) {
                    int base = r * c;
                    g = FloatVector.fromArray(F, dout, base + j).fma(FloatVector.fromArray(F, x, base + j).mul(rstd[r]), g);
                }
                g.intoArray(dgamma, j);
            }
            for (; j < to; j++) {
                float g = dgamma[j];
                for (int r = 0; r < rows; r++) {
                    int idx = r * c + j;
                    g = Math.fma(dout[idx], x[idx] * rstd[r], g);
                }
                dgamma[j] = g;
            }
        });
    }

    private static void check(String k, float[] x, float[] gamma, int rows, int c) {
        KernelArgs.nonNegative(k, "rows", rows);
        KernelArgs.positive(k, "c", c);
        KernelArgs.length(k, "x", x, (long) rows * c);
        KernelArgs.length(k, "gamma", gamma, c);
    }
}
