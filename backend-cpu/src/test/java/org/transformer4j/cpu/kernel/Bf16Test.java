package org.transformer4j.cpu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Bf16}: rounding against a reference built from the two neighbouring bfloat16 values, products against double loops. */
class Bf16Test {
    private static Parallelism two;

    @BeforeAll
    static void startPool() {
        two = Parallelism.of(2);
    }

    @AfterAll
    static void stopPool() {
        two.close();
    }

    /** Nearest of the two bfloat16 values around f (truncated, and one ulp up), ties to the even one. */
    private static int referenceBits(float f) {
        int b = Float.floatToRawIntBits(f);
        int down = b >>> 16;
        int up = down + 1;
        double lo = Float.intBitsToFloat(down << 16);
        double hi = Float.intBitsToFloat(up << 16);
        double dLo = Math.abs(f - lo);
        double dHi = Double.isInfinite(hi) ? Math.abs(f - Math.copySign(0x1.ff8p127, f)) * 2 : Math.abs(hi - f);
        if (dLo < dHi) {
            return down & 0xFFFF;
        }
        if (dHi < dLo) {
            return up & 0xFFFF;
        }
        return ((down & 1) == 0 ? down : up) & 0xFFFF;
    }

    @Test
    void roundsToNearestTiesToEven() {
        Random rnd = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(rnd.nextInt());
            if (Float.isNaN(f)) {
                assertThat(Float.isNaN(Bf16.value(Bf16.bits(f)))).as("NaN %08x", Float.floatToRawIntBits(f)).isTrue();
                continue;
            }
            assertEquals(referenceBits(f), Bf16.bits(f), () -> "bits of " + f);
        }
        // exact ties: halfway between two bfloat16 values, rounding to the even neighbour
        assertEquals(0x3F80, Bf16.bits(Float.intBitsToFloat(0x3F808000))); // 1 + 2^-8: even is 0x3F80
        assertEquals(0x3F82, Bf16.bits(Float.intBitsToFloat(0x3F818000))); // odd 0x3F81 rounds up to 0x3F82
        assertEquals(Float.POSITIVE_INFINITY, Bf16.value(Bf16.bits(Float.POSITIVE_INFINITY)));
        assertEquals(Float.POSITIVE_INFINITY, Bf16.value(Bf16.bits(Float.MAX_VALUE))); // past the largest bfloat16
        assertEquals(-0f, Bf16.value(Bf16.bits(-0f)));
        assertEquals(1.5f, Bf16.value(Bf16.bits(1.5f))); // representable values are kept exactly
    }

    @Test
    void encodeDecodeKeepsTheRoundedValuesForOddAndEvenRows() {
        Random rnd = new Random(5);
        for (int k : new int[] {1, 2, 7, 32, 33}) {
            float[] w = KernelTestSupport.randomFloats(rnd, 3 * k, 1.0);
            int[] enc = Bf16.encode(w, 3, k);
            assertEquals(3 * Bf16.rowInts(k), enc.length);
            float[] dec = Bf16.decode(enc, 3, k);
            for (int i = 0; i < w.length; i++) {
                assertEquals(Bf16.value(referenceBits(w[i])), dec[i], "k=" + k + " element " + i);
            }
        }
    }

    @Test
    void linearMatchesDoubleLoopOnTheRoundedWeights() {
        Random rnd = new Random(11);
        int[] ms = {1, 2, 3, 7, 8, 9, 20};
        int[][] nk = {{1, 1}, {5, 31}, {33, 32}, {64, 33}, {130, 100}, {67, 771}, {200, 64}};
        for (int m : ms) {
            for (int[] s : nk) {
                int n = s[0];
                int k = s[1];
                float[] x = KernelTestSupport.randomFloats(rnd, m * k, 1.0);
                float[] w = KernelTestSupport.randomFloats(rnd, n * k, 0.5);
                int[] enc = Bf16.encode(w, n, k);
                float[] wr = Bf16.decode(enc, n, k);
                float[] y = new float[m * n];
                Bf16.linear(Parallelism.sequential(), m, n, k, x, enc, y);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double want = 0;
                        double mag = 0;
                        for (int p = 0; p < k; p++) {
                            double t = (double) x[i * k + p] * wr[j * k + p];
                            want += t;
                            mag += Math.abs(t);
                        }
                        double got = y[i * n + j];
                        if (!(Math.abs(got - want) <= 1e-5 * mag + 1e-30)) {
                            fail("m=" + m + " n=" + n + " k=" + k + ": y(" + i + "," + j + ") = " + got + ", want " + want);
                        }
                    }
                }
                float[] y2 = new float[m * n];
                Bf16.linear(two, m, n, k, x, enc, y2);
                assertArrayEquals(y, y2, "m=" + m + " n=" + n + " k=" + k + ": 1 vs 2 threads");
            }
        }
    }
}
