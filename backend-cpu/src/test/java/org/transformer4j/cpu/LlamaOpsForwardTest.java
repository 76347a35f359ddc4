package org.transformer4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.transformer4j.cpu.kernel.Parallelism;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.ShapeMismatchException;
import org.transformer4j.tensor.Tensor;

/**
 * The forwards of the Llama-family layer contracts on {@link CpuOps} against the published formulas written out
 * here in double precision (not the reference backend): RMSNorm {@code x / sqrt(mean(x²) + eps) · g}, SiLU
 * {@code x / (1 + e^-x)}, the product, HF's {@code x·cos + rotate_half(x)·sin}, and grouped-query attention as
 * HF's {@code repeat_kv} followed by plain softmax attention. Errors are float32 rounding: at most a few 1e-6.
 */
class LlamaOpsForwardTest {
    private static final Parallelism TWO = Parallelism.of(2);
    private static final double TOL = 2e-5;

    @AfterAll
    static void closePool() {
        TWO.close();
    }

    private static Ops ops() {
        return new CpuOps(TWO, null, 0L);
    }

    private static float[] random(Random r, double lo, double hi, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return v;
    }

    private static Tensor t(Ops ops, float[] v, int... dims) {
        return ops.constant(HostTensor.ofFloats(Shape.of(dims), v));
    }

    private static void assertClose(float[] actual, double[] expected) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOL * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    @Test
    void rmsNormIsXOverRootMeanSquareTimesGamma() {
        Random r = new Random(1);
        int rows = 5;
        int c = 37;
        float[] x = random(r, -3, 3, rows * c);
        float[] g = random(r, 0.5, 1.5, c);
        float eps = 1e-6f;
        double[] want = new double[x.length];
        for (int row = 0; row < rows; row++) {
            double ms = 0;
            for (int j = 0; j < c; j++) {
                ms += (double) x[row * c + j] * x[row * c + j] / c;
            }
            for (int j = 0; j < c; j++) {
                want[row * c + j] = x[row * c + j] / Math.sqrt(ms + eps) * g[j];
            }
        }
        Ops ops = ops();
        assertClose(ops.rmsNorm(t(ops, x, 1, rows, c), t(ops, g, c), eps).toFloatArray(), want);
    }

    @Test
    void siluAndMultiply() {
        Random r = new Random(2);
        float[] x = random(r, -90, 90, 203);
        x[0] = 0f;
        x[1] = -1e-3f;
        float[] y = random(r, -2, 2, 203);
        Ops ops = ops();
        double[] silu = new double[x.length];
        double[] prod = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            silu[i] = x[i] / (1 + Math.exp(-x[i]));
            prod[i] = (double) x[i] * y[i];
        }
        assertClose(ops.silu(t(ops, x, 7, 29)).toFloatArray(), silu);
        assertClose(ops.multiply(t(ops, x, 7, 29), t(ops, y, 7, 29)).toFloatArray(), prod);
        float[] row = java.util.Arrays.copyOf(y, 29);
        double[] broadcast = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            broadcast[i] = (double) x[i] * row[i % 29];
        }
        assertClose(ops.multiply(t(ops, x, 7, 29), t(ops, row, 29)).toFloatArray(), broadcast);
    }

    @Test
    void rotaryIsRotateHalfOfEachHead() {
        Random r = new Random(3);
        int b = 2;
        int tt = 3;
        int heads = 2;
        int hd = 22;
        int d = hd / 2;
        float[] x = random(r, -1, 1, b * tt * heads * hd);
        int[] pos = {4, 5, 6, 0, 1, 2};
        float[] cos = new float[b * tt * d];
        float[] sin = new float[b * tt * d];
        for (int n = 0; n < b * tt; n++) {
            for (int i = 0; i < d; i++) {
                double angle = pos[n] * Math.pow(10000, -2.0 * i / hd);
                cos[n * d + i] = (float) Math.cos(angle);
                sin[n * d + i] = (float) Math.sin(angle);
            }
        }
        double[] want = new double[x.length];
        for (int n = 0; n < b * tt; n++) {
            for (int h = 0; h < heads; h++) {
                int base = n * heads * hd + h * hd;
                for (int j = 0; j < hd; j++) {
                    // q·cos + rotate_half(q)·sin with cos, sin = cat(freqs, freqs) and rotate_half(q) = cat(-q2, q1)
                    double c = cos[n * d + j % d];
                    double s = sin[n * d + j % d];
                    double rotated = j < d ? -x[base + j + d] : x[base + j - d];
                    want[base + j] = x[base + j] * c + rotated * s;
                }
            }
        }
        Ops ops = ops();
        assertClose(ops.rotary(t(ops, x, b, tt, heads * hd), t(ops, cos, b, tt, d), t(ops, sin, b, tt, d), heads)
                .toFloatArray(), want);
    }

    @Test
    void groupedQueryAttentionIsRepeatKvThenAttention() {
        Random r = new Random(4);
        int b = 2;
        int tq = 3;
        int tk = 5;
        int heads = 4;
        int kvHeads = 2;
        int hd = 5;
        float[] q = random(r, -1, 1, b * tq * heads * hd);
        float[] k = random(r, -1, 1, b * tk * kvHeads * hd);
        float[] v = random(r, -1, 1, b * tk * kvHeads * hd);
        double[] want = new double[q.length];
        int group = heads / kvHeads;
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                int kh = h / group; // repeat_kv: key/value head kh is repeated for query heads kh·group .. kh·group+group-1
                for (int i = 0; i < tq; i++) {
                    int last = tk - tq + i; // causal, queries are the last tq positions
                    double[] w = new double[tk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= last; j++) {
                        double dot = 0;
                        for (int e = 0; e < hd; e++) {
                            dot += (double) q[((bi * tq + i) * heads + h) * hd + e] * k[((bi * tk + j) * kvHeads + kh) * hd + e];
                        }
                        w[j] = dot / Math.sqrt(hd);
                        max = Math.max(max, w[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= last; j++) {
                        w[j] = Math.exp(w[j] - max);
                        sum += w[j];
                    }
                    for (int e = 0; e < hd; e++) {
                        double acc = 0;
                        for (int j = 0; j <= last; j++) {
                            acc += w[j] / sum * v[((bi * tk + j) * kvHeads + kh) * hd + e];
                        }
                        want[((bi * tq + i) * heads + h) * hd + e] = acc;
                    }
                }
            }
        }
        Ops ops = ops();
        assertClose(ops.attention(t(ops, q, b, tq, heads * hd), t(ops, k, b, tk, kvHeads * hd),
                t(ops, v, b, tk, kvHeads * hd), heads, kvHeads, true, null).toFloatArray(), want);
    }

    @Test
    void shapesThatDoNotFitAreRefusedByName() {
        Ops ops = ops();
        Tensor q = t(ops, new float[2 * 3 * 8], 2, 3, 8);
        Tensor k = t(ops, new float[2 * 3 * 6], 2, 3, 6);
        assertTrue(assertThrows(ShapeMismatchException.class, () -> ops.attention(q, k, k, 4, 3, true, null))
                .getMessage().contains("do not divide"));
        assertTrue(assertThrows(ShapeMismatchException.class, () -> ops.attention(q, k, k, 4, 2, true, null))
                .getMessage().contains("key/value heads"));
        assertTrue(assertThrows(ShapeMismatchException.class, () -> ops.rotary(q, t(ops, new float[6], 3, 2),
                t(ops, new float[6], 3, 2), 4)).getMessage().contains("rotary"));
        assertTrue(assertThrows(ShapeMismatchException.class, () -> ops.rmsNorm(q, t(ops, new float[7], 7), 1e-5f))
                .getMessage().contains("rmsNorm"));
    }
}
