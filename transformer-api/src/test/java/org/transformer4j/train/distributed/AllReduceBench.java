package org.transformer4j.train.distributed;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Loopback all-reduce throughput over {@link TcpCollective} (one JVM, one thread per rank), for the module README's
 * step-time model. Not a test: run with
 * {@code java --add-modules jdk.incubator.vector -cp transformer-api/target/classes:transformer-api/target/test-classes
 * org.transformer4j.train.distributed.AllReduceBench 800000 124000000}. Prints, per size and rank count, the median
 * seconds per all-reduce and the "bus bandwidth" 2(N-1)/N x bytes / time (the bytes each rank sends per second).
 */
public final class AllReduceBench {
    private AllReduceBench() {
    }

    public static void main(String[] args) throws Exception {
        for (String a : args) {
            int floats = Integer.parseInt(a);
            for (int ranks : new int[] {2, 4}) {
                int reps = floats > 10_000_000 ? 3 : 20;
                List<double[]> times = Groups.run(Groups.Transport.TCP, ranks, Duration.ofSeconds(120), c -> {
                    float[] data = new float[floats];
                    c.allReduce(data, Collective.Reduction.SUM); // warm-up
                    double[] t = new double[reps];
                    for (int i = 0; i < reps; i++) {
                        c.barrier();
                        long t0 = System.nanoTime();
                        c.allReduce(data, Collective.Reduction.SUM);
                        t[i] = (System.nanoTime() - t0) / 1e9;
                    }
                    return t;
                });
                double[] t = times.getFirst().clone();
                java.util.Arrays.sort(t);
                double median = t[t.length / 2];
                double bytes = 4.0 * floats;
                double bus = 2.0 * (ranks - 1) / ranks * bytes / median / 1e9;
                System.out.printf(Locale.ROOT, "%,d floats (%.1f MB), %d ranks: %.4f s per all-reduce, algorithm %.2f GB/s,"
                        + " bus %.2f GB/s%n", floats, bytes / 1e6, ranks, median, bytes / median / 1e9, bus);
            }
        }
    }
}
