package org.transformer4j.cpu.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.transformer4j.cpu.kernel.AttentionKernel;
import org.transformer4j.cpu.kernel.Parallelism;

/**
 * Time per call of {@link AttentionKernel}'s causal forward and backward for one layer: the shakespeare-char
 * training step (batch 12, 64 tokens, 128 channels, 4 heads) and one-token decoding against a 64-token cache
 * (batch 8). Run it with {@code backend-cpu/bench AttentionBenchmark} (see BENCHMARKS.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AttentionBenchmark {
    /** {@code B_TQ_TK}: batch, queries, keys (c = 128, 4 heads, causal). */
    @Param({"12_64_64", "8_1_64"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private static final int C = 128;
    private static final int HEADS = 4;

    private int b;
    private int tq;
    private int tk;
    private float[] q;
    private float[] k;
    private float[] v;
    private float[] out;
    private float[] probs;
    private float[] dout;
    private float[] dq;
    private float[] dk;
    private float[] dv;
    private Parallelism par;

    @Setup(Level.Trial)
    public void setUp() {
        String[] sizes = shape.split("_");
        b = Integer.parseInt(sizes[0]);
        tq = Integer.parseInt(sizes[1]);
        tk = Integer.parseInt(sizes[2]);
        SplittableRandom rnd = new SplittableRandom(42);
        q = RandomArrays.uniform(b * tq * C, rnd);
        k = RandomArrays.uniform(b * tk * C, rnd);
        v = RandomArrays.uniform(b * tk * C, rnd);
        dout = RandomArrays.uniform(b * tq * C, rnd);
        out = new float[b * tq * C];
        probs = new float[b * HEADS * tq * tk];
        dq = new float[q.length];
        dk = new float[k.length];
        dv = new float[v.length];
        par = Parallelism.of(threads);
        AttentionKernel.forward(par, q, k, v, b, tq, tk, C, HEADS, true, null, out, probs);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        par.close();
    }

    @Benchmark
    public float[] forward() {
        AttentionKernel.forward(par, q, k, v, b, tq, tk, C, HEADS, true, null, out, probs);
        return out;
    }

    @Benchmark
    public float[] backward() {
        AttentionKernel.backward(par, dout, q, k, v, probs, b, tq, tk, C, HEADS, true, null, dq, dk, dv);
        return dq;
    }
}
