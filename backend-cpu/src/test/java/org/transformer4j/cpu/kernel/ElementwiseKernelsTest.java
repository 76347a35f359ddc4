package org.transformer4j.cpu.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.cpu.kernel.KernelTestSupport.assertClose;
import static org.transformer4j.cpu.kernel.KernelTestSupport.numericGradient;
import static org.transformer4j.cpu.kernel.KernelTestSupport.plus;
import static org.transformer4j.cpu.kernel.KernelTestSupport.randomFloats;
import static org.transformer4j.cpu.kernel.KernelTestSupport.toDouble;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ElementwiseKernelsTest {
    private static final Parallelism SEQ = Parallelism.sequential();

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 130})
    void pointwiseKernelsMatchScalarLoops(int n) {
        Random rnd = new Random(n);
        float[] a = randomFloats(rnd, n, 1.0);
        float[] b = randomFloats(rnd, n, 1.0);
        double[] sum = new double[n];
        double[] scaled = new double[n];
        double[] acc = new double[n];
        double[] axpy = new double[n];
        double squares = 0;
        for (int i = 0; i < n; i++) {
            sum[i] = (double) a[i] + b[i];
            scaled[i] = 2.5 * a[i];
            acc[i] = (double) b[i] + a[i];
            axpy[i] = b[i] - 0.75 * a[i];
            squares += (double) a[i] * a[i];
        }
        float[] out = new float[n];
        ElementwiseKernels.add(SEQ, a, b, out, n);
        assertClose("add", sum, out, 1e-7, 1e-6);
        ElementwiseKernels.scale(SEQ, a, 2.5f, out, n);
        assertClose("scale", scaled, out, 1e-7, 1e-6);
        float[] dst = b.clone();
        ElementwiseKernels.accumulate(SEQ, a, dst, n);
        assertClose("accumulate", acc, dst, 1e-7, 1e-6);
        dst = b.clone();
        ElementwiseKernels.axpy(SEQ, -0.75f, a, dst, n);
        assertClose("axpy", axpy, dst, 1e-7, 1e-6);
        assertEquals(squares, ElementwiseKernels.sumOfSquares(SEQ, a, n), 1e-12 * squares);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 130})
    void broadcastAddAndItsGradient(int inner) {
        int rows = 5;
        Random rnd = new Random(inner);
        float[] a = randomFloats(rnd, rows * inner, 1.0);
        float[] b = randomFloats(rnd, inner, 1.0);
        double[] expected = new double[rows * inner];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < inner; j++) {
                expected[r * inner + j] = (double) a[r * inner + j] + b[j];
            }
        }
        float[] out = new float[rows * inner];
        ElementwiseKernels.addBroadcast(SEQ, a, b, rows, inner, out);
        assertClose("addBroadcast", expected, out, 1e-7, 1e-6);

        // the gradient of b under L = Σ out·r is sumRows(r): check against central differences (linear: exact)
        float[] r = randomFloats(rnd, rows * inner, 1.0);
        double[] rd = toDouble(r);
        double[] ad = toDouble(a);
        double[] fd = numericGradient(toDouble(b), 1e-2, bs -> {
            double s = 0;
            for (int row = 0; row < rows; row++) {
                for (int j = 0; j < inner; j++) {
                    s += (ad[row * inner + j] + bs[j]) * rd[row * inner + j];
                }
            }
            return s;
        });
        float[] pre = randomFloats(rnd, inner, 1.0);
        float[] db = pre.clone();
        ElementwiseKernels.sumRows(SEQ, r, rows, inner, db);
        assertClose("sumRows", plus(pre, fd), db, 1e-5, 1e-5);
    }

    @Test
    void oneAndTwoThreadsGiveIdenticalResults() {
        int n = 70_001;
        int rows = 301;
        int inner = 233;
        Random rnd = new Random(6);
        float[] a = randomFloats(rnd, n, 1.0);
        float[] b = randomFloats(rnd, n, 1.0);
        float[] m = randomFloats(rnd, rows * inner, 1.0);
        float[] bias = randomFloats(rnd, inner, 1.0);
        try (Parallelism two = Parallelism.of(2)) {
            Parallelism[] pars = {SEQ, two};
            float[][] res = new float[2][];
            double[] sq = new double[2];
            for (int p = 0; p < 2; p++) {
                float[] o1 = new float[n];
                ElementwiseKernels.add(pars[p], a, b, o1, n);
                float[] o2 = new float[n];
                ElementwiseKernels.scale(pars[p], a, 0.3f, o2, n);
                float[] o3 = b.clone();
                ElementwiseKernels.axpy(pars[p], 0.3f, a, o3, n);
                float[] o4 = b.clone();
                ElementwiseKernels.accumulate(pars[p], a, o4, n);
                float[] o5 = new float[rows * inner];
                ElementwiseKernels.addBroadcast(pars[p], m, bias, rows, inner, o5);
                float[] o6 = new float[inner];
                ElementwiseKernels.sumRows(pars[p], m, rows, inner, o6);
                sq[p] = ElementwiseKernels.sumOfSquares(pars[p], a, n);
                float[] all = new float[4 * n + rows * inner + inner];
                int off = 0;
                for (float[] o : new float[][] {o1, o2, o3, o4, o5, o6}) {
                    System.arraycopy(o, 0, all, off, o.length);
                    off += o.length;
                }
                res[p] = all;
            }
            assertArrayEquals(res[0], res[1]);
            assertEquals(sq[0], sq[1]);
        }
    }

    @Test
    void zeroClearsExactlyTheFirstNElementsOnAnyThreadCount() {
        int n = 3 * KernelMath.ELEMENT_GRAIN + 5; // several parallel chunks and a ragged end
        try (Parallelism two = Parallelism.of(2)) {
            for (Parallelism par : new Parallelism[] {SEQ, two}) {
                float[] x = randomFloats(new Random(3), n + 7, 1.0);
                float[] tail = java.util.Arrays.copyOfRange(x, n, n + 7);
                ElementwiseKernels.zero(par, x, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(0f, x[i], "element " + i);
                }
                assertArrayEquals(tail, java.util.Arrays.copyOfRange(x, n, n + 7), "past n nothing changes");
            }
        }
    }

    @Test
    void copySetsExactlyTheFirstNElementsOnAnyThreadCount() {
        int n = 3 * KernelMath.ELEMENT_GRAIN + 5;
        float[] src = randomFloats(new Random(4), n, 1.0);
        try (Parallelism two = Parallelism.of(2)) {
            for (Parallelism par : new Parallelism[] {SEQ, two}) {
                float[] dst = new float[n + 7];
                java.util.Arrays.fill(dst, Float.NaN);
                ElementwiseKernels.copy(par, src, dst, n);
                assertArrayEquals(src, java.util.Arrays.copyOf(dst, n), par.threads() + " thread(s)");
                for (int i = n; i < n + 7; i++) {
                    assertTrue(Float.isNaN(dst[i]), "past n nothing changes, element " + i);
                }
            }
        }
    }
}
