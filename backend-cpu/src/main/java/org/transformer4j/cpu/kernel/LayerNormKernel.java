package org.transformer4j.cpu.kernel;

import static org.transformer4j.cpu.kernel.KernelMath.F;
import static org.transformer4j.cpu.kernel.KernelMath.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Layer normalization over the last axis, forward and backward:
 * {@code out = (x - mean)·rstd·gamma + beta} with {@code rstd = 1/sqrt(var + eps)} and the biased variance.
 * The forward saves {@code mean} and {@code rstd} per row for the backward. The backward adds into
 * {@code dx}, {@code dgamma} and {@code dbeta}; the parameter gradients are summed column by column in row
 * order, so they do not depend on the thread count.
 */
public final class LayerNormKernel {
    private static final String KERNEL = "LayerNormKernel";

    private LayerNormKernel() {
    }

    /**
     * @param x     input {@code [rows, c]}
     * @param gamma scale {@code [c]}
     * @param beta  shift {@code [c]}, or null for none
     * @param out   output {@code [rows, c]} (may alias x)
     * @param mean  receives each row's mean {@code [rows]}
     * @param rstd  receives each row's {@code 1/sqrt(var + eps)} {@code [rows]}
     */
    public static void forward(Parallelism par, float[] x, float[] gamma, float[] beta, float eps, int rows, int c,
                               float[] out, float[] mean, float[] rstd) {
        String k = KERNEL + ".forward";
        checkCommon(k, x, gamma, rows, c);
        if (beta != null) {
            KernelArgs.length(k, "beta", beta, c);
        }
        KernelArgs.length(k, "out", out, (long) rows * c);
        KernelArgs.length(k, "mean", mean, rows);
        KernelArgs.length(k, "rstd", rstd, rows);
        if (!(eps >= 0f)) {
            throw new IllegalArgumentException(k + ": eps must be >= 0, was " + eps);
        }
        par.forRange(rows, KernelMath.rowGrain(c), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * c;
                float mu = sum(x, base, c) / c;
                FloatVector vmu = FloatVector.broadcast(F, mu);
                FloatVector acc = FloatVector.zero(F);
                int j = 0;
                for (int bound = F.loopBound(c); j < bound; j += L) {
                    FloatVector d = FloatVector.fromArray(F, x, base + j).sub(vmu);
                    acc = d.fma(d, acc);
                }
                float ss = KernelMath.sumLanes(acc);
                for (; j < c; j++) {
                    float d = x[base + j] - mu;
                    ss = Math.fma(d, d, ss);
                }
                float rs = (float) (1.0 / Math.sqrt(ss / c + eps));
                mean[r] = mu;
                rstd[r] = rs;
                FloatVector vrs = FloatVector.broadcast(F, rs);
                j = 0;
                for (int bound = F.loopBound(c); j < bound; j += L) {
                    FloatVector n = FloatVector.fromArray(F, x, base + j).sub(vmu).mul(vrs);
                    FloatVector g = FloatVector.fromArray(F, gamma, j);
                    FloatVector o = beta == null ? n.mul(g) : n.fma(g, FloatVector.fromArray(F, beta, j));
                    o.intoArray(out, base + j);
                }
                for (; j < c; j++) {
                    float n = (x[base + j] - mu) * rs;
                    out[base + j] = beta == null ? n * gamma[j] : Math.fma(n, gamma[j], beta[j]);
                }
            }
        });
    }

    /**
     * Adds the gradients of the layer norm: {@code dx += rstd·(dn - mean(dn) - xhat·mean(dn·xhat))} with
     * {@code dn = dout·gamma}, {@code dgamma += Σ_rows dout·xhat}, {@code dbeta += Σ_rows dout}.
     *
     * @param mean  and {@code rstd}: what {@link #forward} saved for this x
     * @param dbeta may be null when the layer has no beta
     */
    public static void backward(Parallelism par, float[] dout, float[] x, float[] gamma, float[] mean, float[] rstd,
                                int rows, int c, float[] dx, float[] dgamma, float[] dbeta) {
        backward(par, dout, x, gamma, mean, rstd, rows, c, dx, dgamma, dbeta, false);
    }

    /**
     * {@link #backward(Parallelism, float[], float[], float[], float[], float[], int, int, float[], float[], float[])},
     * or with {@code overwriteDx} {@code dx = rstd·(...)}: dx's old contents are not read (a gradient buffer nothing
     * has added into yet need not be zeroed first; the same bits as adding into zeros). dgamma and dbeta are added
     * into either way.
     */
    public static void backward(Parallelism par, float[] dout, float[] x, float[] gamma, float[] mean, float[] rstd,
                                int rows, int c, float[] dx, float[] dgamma, float[] dbeta, boolean overwriteDx) {
        String k = KERNEL + ".backward";
        checkCommon(k, x, gamma, rows, c);
        KernelArgs.length(k, "dout", dout, (long) rows * c);
        KernelArgs.length(k, "mean", mean, rows);
        KernelArgs.length(k, "rstd", rstd, rows);
        KernelArgs.length(k, "dx", dx, (long) rows * c);
        KernelArgs.length(k, "dgamma", dgamma, c);
        if (dbeta != null) {
            KernelArgs.length(k, "dbeta", dbeta, c);
        }
        par.forRange(rows, KernelMath.rowGrain(c), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * c;
                float mu = mean[r];
                float rs = rstd[r];
                FloatVector vmu = FloatVector.broadcast(F, mu);
                FloatVector vrs = FloatVector.broadcast(F, rs);
                FloatVector accDn = FloatVector.zero(F);
                FloatVector accDnX = FloatVector.zero(F);
                int j = 0;
                for (int bound = F.loopBound(c); j < bound; j += L) {
                    FloatVector xhat = FloatVector.fromArray(F, x, base + j).sub(vmu).mul(vrs);
                    FloatVector dn = FloatVector.fromArray(F, dout, base + j).mul(FloatVector.fromArray(F, gamma, j));
                    accDn = accDn.add(dn);
                    accDnX = dn.fma(xhat, accDnX);
                }
                float sDn = KernelMath.sumLanes(accDn);
                float sDnX = KernelMath.sumLanes(accDnX);
                for (; j < c; j++) {
                    float xhat = (x[base + j] - mu) * rs;
                    float dn = dout[base + j] * gamma[j];
                    sDn += dn;
                    sDnX = Math.fma(dn, xhat, sDnX);
                }
                float m1 = sDn / c;
                float m2 = sDnX / c;
                FloatVector vm1 = FloatVector.broadcast(F, m1);
                FloatVector vm2 = FloatVector.broadcast(F, m2);
                j = 0;
                for (int bound = F.loopBound(c); j < bound; j += L) {
                    FloatVector xhat = FloatVector.fromArray(F, x, base + j).sub(vmu).mul(vrs);
                    FloatVector dn = FloatVector.fromArray(F, dout, base + j).mul(FloatVector.fromArray(F, gamma, j));
                    FloatVector t = dn.sub(vm1).sub(xhat.mul(vm2));
                    FloatVector d = overwriteDx ? t.mul(vrs) : t.fma(vrs, FloatVector.fromArray(F, dx, base + j));
                    d.intoArray(dx, base + j);
                }
                for (; j < c; j++) {
                    float xhat = (x[base + j] - mu) * rs;
                    float dn = dout[base + j] * gamma[j];
                    float t = dn - m1 - xhat * m2;
                    dx[base + j] = overwriteDx ? t * rs : Math.fma(t, rs, dx[base + j]);
                }
            }
        });
        // Parameter gradients: split over columns, rows summed in order (deterministic, no shared writes).
        int grain = Math.max(4 * L, (int) Math.min(c, (64L * 1024 + rows - 1) / Math.max(1, rows)));
        par.forRange(c, grain, (from, to) -> {
            int j = from;
            for (int bound = from + F.loopBound(to - from); j < bound; j += L) {
                FloatVector g = FloatVector.fromArray(F, dgamma, j);
                FloatVector b = dbeta == null ? null : FloatVector.fromArray(F, dbeta, j);
                for (int r = 0; r < rows; r++) {
                    int base = r * c;
                    FloatVector xhat = FloatVector.fromArray(F, x, base + j).sub(mean[r]).mul(rstd[r]);
                    FloatVector d = FloatVector.fromArray(F, dout, base + j);
                    g = d.fma(xhat, g);
                    if (b != null) {
                        b = b.add(d);
                    }
                }
                g.intoArray(dgamma, j);
                if (b != null) {
                    b.intoArray(dbeta, j);
                }
            }
            for (; j < to; j++) {
                float g = dgamma[j];
                float b = dbeta == null ? 0f : dbeta[j];
                for (int r = 0; r < rows; r++) {
                    int idx = r * c + j;
                    float xhat = (x[idx] - mean[r]) * rstd[r];
                    g = Math.fma(dout[idx], xhat, g);
                    b += dout[idx];
                }
                dgamma[j] = g;
                if (dbeta != null) {
                    dbeta[j] = b;
                }
            }
        });
    }

    private static float sum(float[] a, int off, int len) {
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (int bound = F.loopBound(len); j < bound; j += L) {
            acc = acc.add(FloatVector.fromArray(F, a, off + j));
        }
        float s = KernelMath.sumLanes(acc);
        for (; j < len; j++) {
            s += a[off + j];
        }
        return s;
    }

    private static void checkCommon(String k, float[] x, float[] gamma, int rows, int c) {
        KernelArgs.nonNegative(k, "rows", rows);
        KernelArgs.positive(k, "c", c);
        KernelArgs.length(k, "x", x, (long) rows * c);
        KernelArgs.length(k, "gamma", gamma, c);
    }
}
