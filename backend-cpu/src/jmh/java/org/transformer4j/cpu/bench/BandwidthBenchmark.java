package org.transformer4j.cpu.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.transformer4j.cpu.kernel.Parallelism;
import org.transformer4j.cpu.kernel.Sgemm;

/**
 * The memory-bandwidth bound of batch-1 decoding: a STREAM-like triad ({@code a = b + s*c} over 3 x 64 MB, far past
 * the L3) gives the machine's bandwidth, and {@code gemv} times the one-row products of one GPT-2-small decoding step
 * (C[1 x n] = x . W^T with W stored n x k, as the linear layers keep it), which read every weight once. Both report
 * {@code gbs}, GB/s of memory streamed (the triad counts 3 arrays; gemv the weights only), so the two compare directly.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class BandwidthBenchmark {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int TRIAD = 16 << 20; // floats per array: 64 MB

    /** {@code NxK} of one weight matrix of GPT-2 small: QKV, attention output, MLP up, MLP down, tied vocabulary. */
    @Param({"2304x768", "768x768", "3072x768", "768x3072", "50257x768"})
    public String gemv;

    @Param({"1", "2"})
    public int threads;

    private Parallelism par;
    private float[] a;
    private float[] b;
    private float[] c;
    private float[] w;
    private float[] x;
    private float[] y;
    private int n;
    private int k;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom rnd = new SplittableRandom(7);
        a = new float[TRIAD];
        b = RandomArrays.uniform(TRIAD, rnd);
        c = RandomArrays.uniform(TRIAD, rnd);
        String[] nk = gemv.split("x");
        n = Integer.parseInt(nk[0]);
        k = Integer.parseInt(nk[1]);
        // Enough copies of W that successive calls do not find it in the 32 MB L3.
        int copies = (int) Math.max(1, (96L << 20) / (4L * n * k));
        w = RandomArrays.uniform(copies * n * k, rnd);
        x = RandomArrays.uniform(k, rnd);
        y = new float[n];
        par = Parallelism.of(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        par.close();
    }

    /** GB/s of memory streamed. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public double gbs;
    }

    @Benchmark
    public float[] triad(Bytes bytes) {
        FloatVector s = FloatVector.broadcast(F, 1.5f);
        par.forRange(TRIAD, 1 << 16, (from, to) -> {
            for (int i = from; i < to; i += F.length()) {
                FloatVector.fromArray(F, c, i).fma(s, FloatVector.fromArray(F, b, i)).intoArray(a, i);
            }
        });
        bytes.gbs += 3e-9 * 4 * TRIAD;
        return a;
    }

    private int copy;

    @Benchmark
    public float[] gemv(Bytes bytes) {
        int copies = w.length / (n * k);
        copy = (copy + 1) % copies;
        Sgemm.sgemm(par, false, true, 1, n, k, 1f, x, 0, k, w, copy * n * k, k, 0f, y, 0, n);
        bytes.gbs += 1e-9 * 4 * n * k;
        return y;
    }
}
