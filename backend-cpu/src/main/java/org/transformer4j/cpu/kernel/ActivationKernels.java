package org.transformer4j.cpu.kernel;

import static org.transformer4j.cpu.kernel.KernelMath.ELEMENT_GRAIN;
import static org.transformer4j.cpu.kernel.KernelMath.F;
import static org.transformer4j.cpu.kernel.KernelMath.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Point-wise activations and their backward passes: the exact (erf) GELU of PyTorch's {@code nn.GELU()},
 * ReLU, and SiLU ({@code x·sigmoid(x)}, Llama's MLP activation). Backward passes add into {@code dx}. GELU loop tails run as masked vectors, so every element goes
 * through the same arithmetic wherever it lies and results do not depend on the thread count.
 */
public final class ActivationKernels {
    private static final String KERNEL = "ActivationKernels";

    private ActivationKernels() {
    }

    /** {@code out = x·Φ(x) = 0.5·x·(1 + erf(x/√2))}; out may alias x. */
    public static void geluForward(Parallelism par, float[] x, float[] out, int n) {
        check(KERNEL + ".geluForward", x, out, "out", n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                v.mul(KernelMath.normalCdf(v)).intoArray(out, i);
            }
            if (i < to) {
                VectorMask<Float> m = F.indexInRange(i, to);
                FloatVector v = FloatVector.fromArray(F, x, i, m);
                v.mul(KernelMath.normalCdf(v)).intoArray(out, i, m);
            }
        });
    }

    /** {@code dx += dout·(Φ(x) + x·φ(x))}, the derivative of the exact GELU at the forward input x. */
    public static void geluBackward(Parallelism par, float[] x, float[] dout, float[] dx, int n) {
        geluBackward(par, x, dout, dx, n, false);
    }

    /**
     * {@link #geluBackward(Parallelism, float[], float[], float[], int)}, or with {@code overwrite}
     * {@code dx = dout·(Φ(x) + x·φ(x))}: dx's old contents are not read (a gradient buffer nothing has added into yet
     * need not be zeroed first). The same bits as adding into zeros.
     */
    public static void geluBackward(Parallelism par, float[] x, float[] dout, float[] dx, int n, boolean overwrite) {
        String k = KERNEL + ".geluBackward";
        check(k, x, dx, "dx", n);
        KernelArgs.length(k, "dout", dout, n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                FloatVector g = KernelMath.geluGrad(v);
                FloatVector d = FloatVector.fromArray(F, dout, i);
                (overwrite ? d.mul(g) : d.fma(g, FloatVector.fromArray(F, dx, i))).intoArray(dx, i);
            }
            if (i < to) {
                VectorMask<Float> m = F.indexInRange(i, to);
                FloatVector v = FloatVector.fromArray(F, x, i, m);
                FloatVector g = KernelMath.geluGrad(v);
                FloatVector d = FloatVector.fromArray(F, dout, i, m);
                (overwrite ? d.mul(g) : d.fma(g, FloatVector.fromArray(F, dx, i, m))).intoArray(dx, i, m);
            }
        });
    }

    /**
     * {@code out = 0.5·x·(1 + tanh(u))} with {@code u = √(2/π)·(x + 0.044715·x³)}, GPT-2's {@code gelu_new}, computed
     * as {@code x·σ(2u) = x / (1 + e^(-2u))} (the same function; one exp); out may alias x.
     */
    public static void geluTanhForward(Parallelism par, float[] x, float[] out, int n) {
        check(KERNEL + ".geluTanhForward", x, out, "out", n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                v.mul(KernelMath.tanhGeluGate(v)).intoArray(out, i);
            }
            if (i < to) {
                VectorMask<Float> m = F.indexInRange(i, to);
                FloatVector v = FloatVector.fromArray(F, x, i, m);
                v.mul(KernelMath.tanhGeluGate(v)).intoArray(out, i, m);
            }
        });
    }

    /** {@code dx += dout·(s + x·2u'·s·(1 - s))} with {@code s = σ(2u)}: the derivative of {@link #geluTanhForward}. */
    public static void geluTanhBackward(Parallelism par, float[] x, float[] dout, float[] dx, int n) {
        String k = KERNEL + ".geluTanhBackward";
        check(k, x, dx, "dx", n);
        KernelArgs.length(k, "dout", dout, n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector g = KernelMath.geluTanhGrad(FloatVector.fromArray(F, x, i));
                FloatVector.fromArray(F, dout, i).fma(g, FloatVector.fromArray(F, dx, i)).intoArray(dx, i);
            }
            if (i < to) {
                VectorMask<Float> m = F.indexInRange(i, to);
                FloatVector g = KernelMath.geluTanhGrad(FloatVector.fromArray(F, x, i, m));
                FloatVector.fromArray(F, dout, i, m).fma(g, FloatVector.fromArray(F, dx, i, m)).intoArray(dx, i, m);
            }
        });
    }

    /** {@code out = max(0, x)}; out may alias x. */
    public static void reluForward(Parallelism par, float[] x, float[] out, int n) {
        check(KERNEL + ".reluForward", x, out, "out", n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector.fromArray(F, x, i).max(0f).intoArray(out, i);
            }
            for (; i < to; i++) {
                out[i] = Math.max(0f, x[i]);
            }
        });
    }

    /** {@code dx += x > 0 ? dout : 0} (the subgradient at 0 is taken as 0, as PyTorch does). */
    public static void reluBackward(Parallelism par, float[] x, float[] dout, float[] dx, int n) {
        String k = KERNEL + ".reluBackward";
        check(k, x, dx, "dx", n);
        KernelArgs.length(k, "dout", dout, n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                FloatVector d = FloatVector.fromArray(F, dx, i);
                d.add(FloatVector.fromArray(F, dout, i), v.compare(VectorOperators.GT, 0f)).intoArray(dx, i);
            }
            for (; i < to; i++) {
                if (x[i] > 0f) {
                    dx[i] += dout[i];
                }
            }
        });
    }

    /** {@code out = x·sigmoid(x) = x / (1 + e^-x)}; out may alias x. */
    public static void siluForward(Parallelism par, float[] x, float[] out, int n) {
        check(KERNEL + ".siluForward", x, out, "out", n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                v.mul(sigmoid(v)).intoArray(out, i);
            }
            if (i < to) {
                VectorMask<Float> m = F.indexInRange(i, to);
                FloatVector v = FloatVector.fromArray(F, x, i, m);
                v.mul(sigmoid(v)).intoArray(out, i, m);
            }
        });
    }

    /** {@code dx += dout·s·(1 + x·(1 - s))} with {@code s = sigmoid(x)}: the derivative of SiLU at the forward input x. */
    public static void siluBackward(Parallelism par, float[] x, float[] dout, float[] dx, int n) {
        String k = KERNEL + ".siluBackward";
        check(k, x, dx, "dx", n);
        KernelArgs.length(k, "dout", dout, n);
        par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, i);
                FloatVector.fromArray(F, dout, i).fma(siluGrad(v), FloatVector.fromArray(F, dx, i)).intoArray(dx, i);
            }
            if (i < to) {
                VectorMask<Float> m = F.indexInRange(i, to);
                FloatVector v = FloatVector.fromArray(F, x, i, m);
                FloatVector.fromArray(F, dout, i, m).fma(siluGrad(v), FloatVector.fromArray(F, dx, i, m))
                        .intoArray(dx, i, m);
            }
        });
    }

    /** {@code 1 / (1 + e^-x)}; e^-x is clamped by the kernels' exp, so large |x| give 0 or 1, never NaN. */
    private static FloatVector sigmoid(FloatVector x) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        return one.div(one.add(KernelMath.exp(x.neg())));
    }

    private static FloatVector siluGrad(FloatVector x) {
        FloatVector s = sigmoid(x);
        FloatVector one = FloatVector.broadcast(F, 1f);
        return s.mul(x.mul(one.sub(s)).add(one));
    }

    /** erf lane by lane over an array: the kernels' erf, exposed for its accuracy test. */
    static void erf(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = F.indexInRange(i, n);
            KernelMath.erf(FloatVector.fromArray(F, x, i, m)).intoArray(out, i, m);
        }
    }

    private static void check(String kernel, float[] x, float[] out, String outName, int n) {
        KernelArgs.nonNegative(kernel, "n", n);
        KernelArgs.length(kernel, "x", x, n);
        KernelArgs.length(kernel, outName, out, n);
    }
}
