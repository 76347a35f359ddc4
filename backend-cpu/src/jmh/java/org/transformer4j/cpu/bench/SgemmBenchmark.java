package org.transformer4j.cpu.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * Throughput of {@link Sgemm#sgemm}: square products (NN and NT) and the shapes the shakespeare-char recipe's training
 * step multiplies (batch x time = 768 rows; d_model 128, MLP 512, QKV 384, vocabulary 65).
 *
 * <p>The {@code gflops} secondary result is the rate in GFLOP/s (2*m*n*k per call); the primary
 * result is calls per second. Run it with {@code backend-cpu/bench} (see BENCHMARKS.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SgemmBenchmark {
    /**
     * {@code OP_MxNxK}: OP is the transposes (N or T for A, then B), then the sizes of
     * {@code C[m x n] = op(A)[m x k] op(B)[k x n]}. NT is a linear layer's forward (Y = X W^T), NN its
     * input gradient (dX += dY W), TN its weight gradient (dW += dY^T X).
     */
    @Param({
        "NN_128x128x128", "NN_256x256x256", "NN_512x512x512", "NN_1024x1024x1024", "NN_2048x2048x2048",
        "NT_128x128x128", "NT_256x256x256", "NT_512x512x512", "NT_1024x1024x1024", "NT_2048x2048x2048",
        "NT_768x384x128", "NT_768x512x128", "NT_768x128x512", "NT_768x65x128",
        "NN_768x128x384", "NN_768x128x512", "NN_768x512x128",
        "TN_384x128x768", "TN_128x512x768", "TN_512x128x768", "TN_65x128x768",
    })
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private boolean transA;
    private boolean transB;
    private int m;
    private int n;
    private int k;
    private float beta;
    private float[] a;
    private float[] b;
    private float[] c;
    private Parallelism par;

    @Setup(Level.Trial)
    public void setUp() {
        String[] opAndSizes = shape.split("_");
        transA = opAndSizes[0].charAt(0) == 'T';
        transB = opAndSizes[0].charAt(1) == 'T';
        String[] sizes = opAndSizes[1].split("x");
        m = Integer.parseInt(sizes[0]);
        n = Integer.parseInt(sizes[1]);
        k = Integer.parseInt(sizes[2]);
        // Gradients accumulate (beta = 1), as in training; forward products overwrite (beta = 0).
        beta = transA || (!transB && m == 768) ? 1f : 0f;
        SplittableRandom rnd = new SplittableRandom(42);
        a = RandomArrays.uniform(m * k, rnd);
        b = RandomArrays.uniform(k * n, rnd);
        c = RandomArrays.uniform(m * n, rnd);
        par = Parallelism.of(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        par.close();
    }

    /** Reports floating-point operations as a rate: the {@code gflops} column is GFLOP/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflops;
    }

    @Benchmark
    public float[] sgemm(Flops flops) {
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        Sgemm.sgemm(par, transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, beta, c, 0, n);
        flops.gflops += 2e-9 * m * n * k;
        return c;
    }
}
