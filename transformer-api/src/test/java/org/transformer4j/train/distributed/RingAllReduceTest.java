package org.transformer4j.train.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.transformer4j.train.distributed.Groups.Transport;

/**
 * The ring all-reduce, broadcast and barrier against plain loops: on odd sizes (fewer floats than ranks, sizes not
 * divisible by the rank count, one over a million) and 2 to 5 ranks, in process and over loopback TCP.
 */
class RingAllReduceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    static List<Arguments> cases() {
        List<Arguments> out = new java.util.ArrayList<>();
        for (Transport t : Transport.values()) {
            for (int ranks = 2; ranks <= 5; ranks++) {
                for (int size : new int[] {1, 7, 1_000_003}) {
                    out.add(Arguments.of(t, ranks, size));
                }
            }
        }
        return out;
    }

    /** Rank r's input: small integers (so every float sum is exact and the order cannot matter). */
    private static float[] integers(int rank, int size) {
        SplittableRandom random = new SplittableRandom(1000L * rank + size);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = random.nextInt(-1000, 1001);
        }
        return x;
    }

    /** Rank r's input: Gaussian floats, whose float sum depends on the order. */
    private static float[] gaussians(int rank, int size) {
        SplittableRandom random = new SplittableRandom(77L * rank + size);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (nextGaussian(random) * 3.0);
        }
        return x;
    }

    private static double nextGaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @ParameterizedTest(name = "{0}, {1} ranks, {2} floats")
    @MethodSource("cases")
    void sumOfIntegersIsExactOnEveryRank(Transport transport, int ranks, int size) throws Exception {
        List<float[]> results = Groups.run(transport, ranks, TIMEOUT, c -> {
            float[] data = integers(c.rank(), size);
            c.allReduce(data, Collective.Reduction.SUM);
            return data;
        });
        float[] expected = new float[size];
        for (int r = 0; r < ranks; r++) {
            float[] x = integers(r, size);
            for (int i = 0; i < size; i++) {
                expected[i] += x[i];
            }
        }
        for (int r = 0; r < ranks; r++) {
            assertArrayEquals(expected, results.get(r), "rank " + r);
        }
    }

    @ParameterizedTest(name = "{0}, {1} ranks, {2} floats")
    @MethodSource("cases")
    void meanOfGaussiansMatchesADoubleSumAndIsBitIdenticalOnEveryRank(Transport transport, int ranks, int size)
            throws Exception {
        List<float[]> results = Groups.run(transport, ranks, TIMEOUT, c -> {
            float[] data = gaussians(c.rank(), size);
            c.allReduce(data, Collective.Reduction.MEAN);
            return data;
        });
        double[] sum = new double[size];
        double[] abs = new double[size];
        for (int r = 0; r < ranks; r++) {
            float[] x = gaussians(r, size);
            for (int i = 0; i < size; i++) {
                sum[i] += x[i];
                abs[i] += Math.abs(x[i]);
            }
        }
        float[] first = results.getFirst();
        for (int i = 0; i < size; i++) {
            // N-1 float additions and a division, each rounding by at most half an ulp of a partial sum
            double bound = ranks * Math.ulp((float) abs[i]) / ranks + Math.ulp((float) (sum[i] / ranks));
            double error = Math.abs(first[i] - sum[i] / ranks);
            assertTrue(error <= bound, () -> "element " + error + " off, more than " + bound);
        }
        for (int r = 1; r < ranks; r++) {
            assertArrayEquals(first, results.get(r), "rank " + r + " differs from rank 0 (the ranks must agree bit for bit)");
        }
    }

    @ParameterizedTest(name = "{0}, {1} ranks, {2} floats")
    @MethodSource("cases")
    void broadcastGivesEveryRankRankZerosBuffer(Transport transport, int ranks, int size) throws Exception {
        List<float[]> results = Groups.run(transport, ranks, TIMEOUT, c -> {
            float[] data = gaussians(c.rank(), size);
            c.broadcast(data);
            c.barrier();
            return data;
        });
        for (int r = 0; r < ranks; r++) {
            assertArrayEquals(gaussians(0, size), results.get(r), "rank " + r);
        }
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(Transport.class)
    void aGroupOfOneLeavesTheBufferAsItIs(Transport transport) throws Exception {
        List<float[]> results = Groups.run(transport, 1, TIMEOUT, c -> {
            float[] data = gaussians(0, 5);
            c.allReduce(data, Collective.Reduction.MEAN);
            c.broadcast(data);
            c.barrier();
            return data;
        });
        assertArrayEquals(gaussians(0, 5), results.getFirst());
        assertEquals(1, results.size());
    }
}
