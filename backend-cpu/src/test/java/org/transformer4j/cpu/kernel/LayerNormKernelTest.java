package org.transformer4j.cpu.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.transformer4j.cpu.kernel.KernelTestSupport.assertClose;
import static org.transformer4j.cpu.kernel.KernelTestSupport.numericGradient;
import static org.transformer4j.cpu.kernel.KernelTestSupport.plus;
import static org.transformer4j.cpu.kernel.KernelTestSupport.randomFloats;
import static org.transformer4j.cpu.kernel.KernelTestSupport.toDouble;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LayerNormKernelTest {
    private static final float EPS = 1e-5f;

    /** Plain double layer norm: two-pass mean and biased variance per row. */
    static double[] reference(double[] x, double[] gamma, double[] beta, double eps, int rows, int c) {
        double[] out = new double[rows * c];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int j = 0; j < c; j++) {
                mean += x[r * c + j];
            }
            mean /= c;
            double var = 0;
            for (int j = 0; j < c; j++) {
                double d = x[r * c + j] - mean;
                var += d * d;
            }
            var /= c;
            double rstd = 1 / Math.sqrt(var + eps);
            for (int j = 0; j < c; j++) {
                out[r * c + j] = (x[r * c + j] - mean) * rstd * gamma[j] + (beta == null ? 0 : beta[j]);
            }
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"1,1", "3,7", "5,33", "2,130", "7,8"})
    void forwardMatchesDoubleReference(int rows, int c) {
        Random rnd = new Random(rows * 1000 + c);
        float[] x = randomFloats(rnd, rows * c, 2.0);
        for (int i = 0; i < x.length; i++) {
            x[i] += 3f; // an offset the mean must remove
        }
        float[] gamma = randomFloats(rnd, c, 1.0);
        float[] beta = randomFloats(rnd, c, 1.0);
        for (boolean withBeta : new boolean[] {true, false}) {
            float[] out = new float[rows * c];
            float[] mean = new float[rows];
            float[] rstd = new float[rows];
            LayerNormKernel.forward(Parallelism.sequential(), x, gamma, withBeta ? beta : null, EPS, rows, c, out, mean, rstd);
            double[] expected = reference(toDouble(x), toDouble(gamma), withBeta ? toDouble(beta) : null, EPS, rows, c);
            assertClose("layernorm rows=" + rows + " c=" + c + " beta=" + withBeta, expected, out, 1e-5, 1e-5);
            for (int r = 0; r < rows; r++) {
                double m = 0;
                for (int j = 0; j < c; j++) {
                    m += x[r * c + j];
                }
                assertClose("mean", new double[] {m / c}, new float[] {mean[r]}, 1e-5, 1e-6);
            }
        }
    }

    /**
     * Backward against central differences (eps 1e-3, double) of the double reference under L = Σ out·r.
     * Inputs are O(1) and c >= 2 so the normalization is well conditioned; truncation error ~1e-6, float
     * kernel ~1e-6, tolerance 1e-4 absolute + 1e-3 relative. Gradient buffers are pre-filled (+= convention).
     */
    @ParameterizedTest
    @CsvSource({"1,2", "3,7", "2,33"})
    void backwardMatchesFiniteDifferencesAndAccumulates(int rows, int c) {
        Random rnd = new Random(7 * rows + c);
        float[] x = randomFloats(rnd, rows * c, 1.0);
        float[] gamma = randomFloats(rnd, c, 1.0);
        float[] beta = randomFloats(rnd, c, 1.0);
        float[] r = randomFloats(rnd, rows * c, 1.0);
        double[] xd = toDouble(x);
        double[] gd = toDouble(gamma);
        double[] bd = toDouble(beta);
        double[] rd = toDouble(r);

        double[] fdX = numericGradient(xd, 1e-3, xs -> KernelTestSupport.dot(reference(xs, gd, bd, EPS, rows, c), rd));
        double[] fdG = numericGradient(gd, 1e-3, gs -> KernelTestSupport.dot(reference(xd, gs, bd, EPS, rows, c), rd));
        double[] fdB = numericGradient(bd, 1e-3, bs -> KernelTestSupport.dot(reference(xd, gd, bs, EPS, rows, c), rd));

        float[] out = new float[rows * c];
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        LayerNormKernel.forward(Parallelism.sequential(), x, gamma, beta, EPS, rows, c, out, mean, rstd);
        float[] dxPre = randomFloats(rnd, rows * c, 1.0);
        float[] dgPre = randomFloats(rnd, c, 1.0);
        float[] dbPre = randomFloats(rnd, c, 1.0);
        float[] dx = dxPre.clone();
        float[] dg = dgPre.clone();
        float[] db = dbPre.clone();
        LayerNormKernel.backward(Parallelism.sequential(), r, x, gamma, mean, rstd, rows, c, dx, dg, db);
        assertClose("dx", plus(dxPre, fdX), dx, 1e-4, 1e-3);
        assertClose("dgamma", plus(dgPre, fdG), dg, 1e-4, 1e-3);
        assertClose("dbeta", plus(dbPre, fdB), db, 1e-4, 1e-3);

        // without beta: same dx and dgamma, dbeta untouched
        float[] dx2 = dxPre.clone();
        float[] dg2 = dgPre.clone();
        LayerNormKernel.backward(Parallelism.sequential(), r, x, gamma, mean, rstd, rows, c, dx2, dg2, null);
        assertArrayEquals(dx, dx2);
        assertArrayEquals(dg, dg2);
    }

    /**
     * With {@code overwriteDx} the backward sets dx without reading it (NaN there must not survive), with the bits of
     * adding into zeros, while dgamma and dbeta are still added into; rows of 130 leave a partial last vector.
     */
    @Test
    void overwritingBackwardSetsDxAndStillAddsTheParameterGradients() {
        int rows = 300;
        int c = 130;
        Random rnd = new Random(4);
        float[] x = randomFloats(rnd, rows * c, 1.0);
        float[] gamma = randomFloats(rnd, c, 1.0);
        float[] dout = randomFloats(rnd, rows * c, 1.0);
        float[] dgPrefill = randomFloats(rnd, c, 1.0);
        float[] dbPrefill = randomFloats(rnd, c, 1.0);
        float[] out = new float[rows * c];
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        try (Parallelism two = Parallelism.of(2)) {
            for (Parallelism par : new Parallelism[] {Parallelism.sequential(), two}) {
                LayerNormKernel.forward(par, x, gamma, null, EPS, rows, c, out, mean, rstd);
                float[] dx = new float[rows * c];
                float[] dg = dgPrefill.clone();
                float[] db = dbPrefill.clone();
                LayerNormKernel.backward(par, dout, x, gamma, mean, rstd, rows, c, dx, dg, db);
                float[] sx = new float[rows * c];
                java.util.Arrays.fill(sx, Float.NaN);
                float[] sg = dgPrefill.clone();
                float[] sb = dbPrefill.clone();
                LayerNormKernel.backward(par, dout, x, gamma, mean, rstd, rows, c, sx, sg, sb, true);
                String what = par.threads() + " thread(s)";
                assertArrayEquals(dx, sx, 0f, "dx, " + what);
                assertArrayEquals(dg, sg, 0f, "dgamma, " + what);
                assertArrayEquals(db, sb, 0f, "dbeta, " + what);
            }
        }
    }

    @Test
    void oneAndTwoThreadsGiveIdenticalResults() {
        int rows = 300;
        int c = 130;
        Random rnd = new Random(3);
        float[] x = randomFloats(rnd, rows * c, 1.0);
        float[] gamma = randomFloats(rnd, c, 1.0);
        float[] beta = randomFloats(rnd, c, 1.0);
        float[] dout = randomFloats(rnd, rows * c, 1.0);
        float[][] results = new float[2][];
        float[][] grads = new float[2][];
        try (Parallelism two = Parallelism.of(2)) {
            Parallelism[] pars = {Parallelism.sequential(), two};
            for (int p = 0; p < 2; p++) {
                float[] out = new float[rows * c];
                float[] mean = new float[rows];
                float[] rstd = new float[rows];
                LayerNormKernel.forward(pars[p], x, gamma, beta, EPS, rows, c, out, mean, rstd);
                float[] dx = new float[rows * c];
                float[] dg = new float[c];
                float[] db = new float[c];
                LayerNormKernel.backward(pars[p], dout, x, gamma, mean, rstd, rows, c, dx, dg, db);
                results[p] = out;
                float[] all = new float[rows * c + 2 * c];
                System.arraycopy(dx, 0, all, 0, rows * c);
                System.arraycopy(dg, 0, all, rows * c, c);
                System.arraycopy(db, 0, all, rows * c + c, c);
                grads[p] = all;
            }
        }
        assertArrayEquals(results[0], results[1]);
        assertArrayEquals(grads[0], grads[1]);
    }

    @Test
    void shortGammaIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> LayerNormKernel.forward(Parallelism.sequential(), new float[8],
                new float[3], null, EPS, 2, 4, new float[8], new float[2], new float[2]));
    }
}
