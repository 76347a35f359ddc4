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
import org.transformer4j.cpu.kernel.Bf16;
import org.transformer4j.cpu.kernel.Parallelism;
import org.transformer4j.cpu.kernel.Sgemm;

/**
 * The memory-bandwidth bound of decoding: a STREAM-like triad ({@code a = b + s*c} over 3 x 64 MB, far past the
 * 32 MB L3) gives the machine's bandwidth, and {@code gemv} times the products of one GPT-2-small decoding step
 * (C[rows x n] = X . W^T with W stored n x k, as the linear layers keep it; rows 1 = batch 1, 8 = batch 8), which read
 * every weight once, in float32 ({@code weights=f32}, {@link Sgemm}) or bfloat16 ({@code weights=bf16},
 * {@link Bf16#linear}). Both report {@code gbs}, GB/s of memory streamed (the triad counts its 3 arrays, gemv the
 * weights' bytes), so the two compare directly. The triad ignores the gemv parameters: run it with one value of each,
 * e.g. {@code BandwidthBenchmark.triad -p gemv=768x768 -p rows=1 -p weights=f32}.
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

    /** Rows of X: the decoding batch. */
    @Param({"1", "8"})
    public int rows;

    /** How W is stored: {@code f32} or {@code bf16}. */
    @Param({"f32", "bf16"})
    public String weights;

    private Parallelism par;
    private float[] a;
    private float[] b;
    private float[] c;
    private float[] w;
    private int[][] wBf16;
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
        if (weights.equals("bf16")) {
            wBf16 = new int[2 * copies][];
            for (int i = 0; i < wBf16.length; i++) {
                wBf16[i] = Bf16.encode(RandomArrays.uniform(n * k, rnd), n, k);
            }
        } else if (weights.equals("f32")) {
            w = RandomArrays.uniform(copies * n * k, rnd);
        } else {
            throw new IllegalArgumentException("weights must be f32 or bf16, was " + weights);
        }
        x = RandomArrays.uniform(rows * k, rnd);
        y = new float[rows * n];
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
        if (wBf16 != null) {
            copy = (copy + 1) % wBf16.length;
            Bf16.linear(par, rows, n, k, x, wBf16[copy], y);
            bytes.gbs += 1e-9 * 2 * n * k;
        } else {
            int copies = w.length / (n * k);
            copy = (copy + 1) % copies;
            Sgemm.sgemm(par, false, true, rows, n, k, 1f, x, 0, k, w, copy * n * k, k, 0f, y, 0, n);
            bytes.gbs += 1e-9 * 4 * n * k;
        }
        return y;
    }
}
