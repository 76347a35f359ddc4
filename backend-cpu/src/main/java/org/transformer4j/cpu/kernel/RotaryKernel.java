package org.transformer4j.cpu.kernel;

import static org.transformer4j.cpu.kernel.KernelMath.F;
import static org.transformer4j.cpu.kernel.KernelMath.L;

import jdk.incubator.vector.FloatVector;

/**
 * Rotary position embedding in Hugging Face's {@code rotate_half} convention, forward and backward, on
 * {@code x [rows, heads·2d]} (heads as contiguous slices) with angle tables {@code cos, sin [tableRows, d]}: in
 * every head, {@code y[i] = x[i]·cos[i] - x[i+d]·sin[i]} and {@code y[i+d] = x[i+d]·cos[i] + x[i]·sin[i]} for
 * {@code i < d}. Row {@code r} of {@code x} uses table row {@code r % tableRows}: {@code tableRows == rows} gives
 * each token its own angles ({@code [B, T]} position ids), {@code tableRows == T} shares them over the batch.
 */
public final class RotaryKernel {
    private static final String KERNEL = "RotaryKernel";

    private RotaryKernel() {
    }

    /** @param out receives {@code [rows, heads·2d]} (must not alias x) */
    public static void forward(Parallelism par, float[] x, float[] cos, float[] sin, int rows, int heads, int d,
                               int tableRows, float[] out) {
        String k = KERNEL + ".forward";
        check(k, x, cos, sin, rows, heads, d, tableRows);
        int width = heads * 2 * d;
        KernelArgs.length(k, "out", out, (long) rows * width);
        par.forRange(rows, KernelMath.rowGrain(width), (from, to) -> {
            for (int r = from; r < to; r++) {
                int t = (r % tableRows) * d;
                for (int h = 0; h < heads; h++) {
                    int a = r * width + h * 2 * d;
                    int b = a + d;
                    int i = 0;
                    for (int bound = F.loopBound(d); i < bound; i += L) {
                        FloatVector x1 = FloatVector.fromArray(F, x, a + i);
                        FloatVector x2 = FloatVector.fromArray(F, x, b + i);
                        FloatVector c = FloatVector.fromArray(F, cos, t + i);
                        FloatVector s = FloatVector.fromArray(F, sin, t + i);
                        x1.mul(c).sub(x2.mul(s)).intoArray(out, a + i);
                        x2.mul(c).add(x1.mul(s)).intoArray(out, b + i);
                    }
                    for (; i < d; i++) {
                        float x1 = x[a + i];
                        float x2 = x[b + i];
                        out[a + i] = x1 * cos[t + i] - x2 * sin[t + i];
                        out[b + i] = x2 * cos[t + i] + x1 * sin[t + i];
                    }
                }
            }
        });
    }

    /**
     * Adds the gradients: {@code dx[i] += dy[i]·cos + dy[i+d]·sin}, {@code dx[i+d] += dy[i+d]·cos - dy[i]·sin}
     * (the transposed rotation); and, when {@code dcos}/{@code dsin} are not null, {@code dcos[i] += dy[i]·x[i] +
     * dy[i+d]·x[i+d]} and {@code dsin[i] += dy[i+d]·x[i] - dy[i]·x[i+d]} summed over heads and the rows sharing a
     * table row (in row order, on one thread: the tables are constants in every model, so this is rare).
     *
     * @param dx   may be null when x needs no gradient
     */
    public static void backward(Parallelism par, float[] dy, float[] x, float[] cos, float[] sin, int rows, int heads, int d,
                                int tableRows, float[] dx, float[] dcos, float[] dsin) {
        String k = KERNEL + ".backward";
        check(k, x, cos, sin, rows, heads, d, tableRows);
        int width = heads * 2 * d;
        KernelArgs.length(k, "dy", dy, (long) rows * width);
        if (dx != null) {
            KernelArgs.length(k, "dx", dx, (long) rows * width);
            par.forRange(rows, KernelMath.rowGrain(width), (from, to) -> {
                for (int r = from; r < to; r++) {
                    int t = (r % tableRows) * d;
                    for (int h = 0; h < heads; h++) {
                        int a = r * width + h * 2 * d;
                        int b = a + d;
                        int i = 0;
                        for (int bound = F.loopBound(d); i < bound; i += L) {
                            FloatVector g1 = FloatVector.fromArray(F, dy, a + i);
                            FloatVector g2 = FloatVector.fromArray(F, dy, b + i);
                            FloatVector c = FloatVector.fromArray(F, cos, t + i);
                            FloatVector s = FloatVector.fromArray(F, sin, t + i);
                            g1.mul(c).add(g2.mul(s)).add(FloatVector.fromArray(F, dx, a + i)).intoArray(dx, a + i);
                            g2.mul(c).sub(g1.mul(s)).add(FloatVector.fromArray(F, dx, b + i)).intoArray(dx, b + i);
                        }
                        for (; i < d; i++) {
                            float g1 = dy[a + i];
                            float g2 = dy[b + i];
                            dx[a + i] += g1 * cos[t + i] + g2 * sin[t + i];
                            dx[b + i] += g2 * cos[t + i] - g1 * sin[t + i];
                        }
                    }
                }
            });
        }
        if (dcos != null || dsin != null) {
            for (int r = 0; r < rows; r++) {
                int t = (r % tableRows) * d;
                for (int h = 0; h < heads; h++) {
                    int a = r * width + h * 2 * d;
                    int b = a + d;
                    for (int i = 0; i < d; i++) {
                        if (dcos != null) {
                            dcos[t + i] += dy[a + i] * x[a + i] + dy[b + i] * x[b + i];
                        }
                        if (dsin != null) {
                            dsin[t + i] += dy[b + i] * x[a + i] - dy[a + i] * x[b + i];
                        }
                    }
                }
            }
        }
    }

    private static void check(String k, float[] x, float[] cos, float[] sin, int rows, int heads, int d, int tableRows) {
        KernelArgs.nonNegative(k, "rows", rows);
        KernelArgs.positive(k, "heads", heads);
        KernelArgs.positive(k, "d", d);
        KernelArgs.positive(k, "tableRows", tableRows);
        if (rows % tableRows != 0) {
            throw new IllegalArgumentException(k + ": tableRows (" + tableRows + ") must divide rows (" + rows
                    + "): the tables hold one row per token or one per time step shared by the batch");
        }
        KernelArgs.length(k, "x", x, (long) rows * heads * 2 * d);
        KernelArgs.length(k, "cos", cos, (long) tableRows * d);
        KernelArgs.length(k, "sin", sin, (long) tableRows * d);
    }
}
