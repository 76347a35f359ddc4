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
import org.transformer4j.cpu.kernel.ActivationKernels;
import org.transformer4j.cpu.kernel.ElementwiseKernels;
import org.transformer4j.cpu.kernel.LayerNormKernel;
import org.transformer4j.cpu.kernel.Parallelism;

/**
 * Time per call of the small kernels between the matrix products of a shakespeare-char training step (12 x 64 rows,
 * 128 channels, a 512-wide MLP), and of an empty parallel loop: what a thread hand-off costs against the work it
 * splits. A training step runs each of these a few to a few dozen times. Run it with
 * {@code backend-cpu/bench StepKernelsBenchmark} (see BENCHMARKS.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class StepKernelsBenchmark {
    private static final int ROWS = 12 * 64;
    private static final int C = 128;
    private static final int HIDDEN = 4 * C;

    @Param({"1", "2"})
    public int threads;

    private float[] x;
    private float[] y;
    private float[] out;
    private float[] hidden;
    private float[] hiddenGrad;
    private float[] hiddenOut;
    private float[] gamma;
    private float[] beta;
    private float[] mean;
    private float[] rstd;
    private float[] dgamma;
    private float[] dbeta;
    private Parallelism par;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom rnd = new SplittableRandom(42);
        x = RandomArrays.uniform(ROWS * C, rnd);
        y = RandomArrays.uniform(ROWS * C, rnd);
        out = new float[ROWS * C];
        hidden = RandomArrays.uniform(ROWS * HIDDEN, rnd);
        hiddenGrad = RandomArrays.uniform(ROWS * HIDDEN, rnd);
        hiddenOut = new float[ROWS * HIDDEN];
        gamma = RandomArrays.uniform(C, rnd);
        beta = RandomArrays.uniform(C, rnd);
        mean = new float[ROWS];
        rstd = new float[ROWS];
        dgamma = new float[C];
        dbeta = new float[C];
        par = Parallelism.of(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        par.close();
    }

    /** A parallel loop whose chunks do nothing: the hand-off alone. */
    @Benchmark
    public void emptyLoop() {
        par.forRange(ROWS, 1, (from, to) -> { });
    }

    /** The residual add, {@code [768, 128]}. */
    @Benchmark
    public float[] add() {
        ElementwiseKernels.add(par, x, y, out, ROWS * C);
        return out;
    }

    @Benchmark
    public float[] geluForward() {
        ActivationKernels.geluForward(par, hidden, hiddenOut, ROWS * HIDDEN);
        return hiddenOut;
    }

    @Benchmark
    public float[] geluBackward() {
        ActivationKernels.geluBackward(par, hidden, hiddenGrad, hiddenOut, ROWS * HIDDEN);
        return hiddenOut;
    }

    @Benchmark
    public float[] layerNormForward() {
        LayerNormKernel.forward(par, x, gamma, beta, 1e-5f, ROWS, C, out, mean, rstd);
        return out;
    }

    @Benchmark
    public float[] layerNormBackward() {
        LayerNormKernel.backward(par, y, x, gamma, mean, rstd, ROWS, C, out, dgamma, dbeta);
        return out;
    }
}
