package org.transformer4j.cpu.kernel;

import static org.transformer4j.cpu.kernel.KernelMath.ELEMENT_GRAIN;
import static org.transformer4j.cpu.kernel.KernelMath.F;
import static org.transformer4j.cpu.kernel.KernelMath.L;

import java.util.List;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;

/**
 * The fused AdamW update of a model's parameter arrays, as {@link org.transformer4j.train.AdamWStep} defines it:
 * <pre>
 *   g = gradScale·grad ;  m = beta1·m + (1-beta1)·g ;  v = beta2·v + (1-beta2)·g²
 *   p -= lr·( (m/(1-beta1^t)) / (sqrt(v/(1-beta2^t)) + eps) + weightDecay·p )
 * </pre>
 * with the decoupled decay term only when {@code weightDecay != 0}. Updates each {@code param}, {@code m} and
 * {@code v} in place; reads {@code grad}. One pass over memory, vectorized; element-wise, so independent of
 * the thread count.
 *
 * <p>All arrays go through one parallel loop over their blocks ({@link ArrayBlocks}), not one loop per array: a small model's
 * arrays are each below the size worth splitting, and updated one by one they would run on one thread.
 */
public final class AdamWKernel {
    private static final String KERNEL = "AdamWKernel.update";
    /** Elements per block of the one loop over all slots ({@link ArrayBlocks}). */
    private static final int BLOCK = 8192;

    /**
     * One parameter's arrays: its values, gradient and the two moment estimates (all of one length), and the
     * weight decay that applies to it (0 for none).
     */
    public record Slot(float[] param, float[] grad, float[] m, float[] v, float weightDecay) {
        public Slot {
            Objects.requireNonNull(param, "param");
            int n = param.length;
            KernelArgs.length(KERNEL, "grad", grad, n);
            KernelArgs.length(KERNEL, "m", m, n);
            KernelArgs.length(KERNEL, "v", v, n);
        }
    }

    private AdamWKernel() {
    }

    /**
     * Updates every slot.
     *
     * @param t the step number after its increment, 1 on the first step (drives the bias corrections)
     */
    public static void update(Parallelism par, List<Slot> slots, float lr, float beta1, float beta2, float eps,
                              float gradScale, long t) {
        if (t < 1) {
            throw new IllegalArgumentException(KERNEL + ": step t must be >= 1 (the step number after its increment), was " + t);
        }
        if (!(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f)) {
            throw new IllegalArgumentException(KERNEL + ": beta1 and beta2 must be in [0, 1), were " + beta1 + " and " + beta2);
        }
        float c1 = (float) (1.0 / (1.0 - Math.pow(beta1, t))); // 1/bias correction of m
        float c2 = (float) (1.0 / (1.0 - Math.pow(beta2, t))); // 1/bias correction of v
        int[] lengths = new int[slots.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = slots.get(i).param.length;
        }
        new ArrayBlocks(lengths, BLOCK).forEach(par, ELEMENT_GRAIN / BLOCK, (block, slot, from, to) ->
                update(slots.get(slot), from, to, lr, beta1, beta2, eps, gradScale, c1, c2));
    }

    /** Elements {@code [from, to)} of one slot. */
    private static void update(Slot s, int from, int to, float lr, float beta1, float beta2, float eps,
                               float gradScale, float c1, float c2) {
        float[] param = s.param, grad = s.grad, m = s.m, v = s.v;
        float a1 = 1f - beta1;
        float a2 = 1f - beta2;
        float decay = lr * s.weightDecay;
        boolean decays = s.weightDecay != 0f;
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(F, grad, i).mul(gradScale);
            FloatVector mi = FloatVector.fromArray(F, m, i).mul(beta1).add(g.mul(a1));
            FloatVector vi = FloatVector.fromArray(F, v, i).mul(beta2).add(g.mul(g).mul(a2));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector p = FloatVector.fromArray(F, param, i);
            FloatVector stepv = mi.mul(c1).div(vi.mul(c2).sqrt().add(eps)).mul(lr);
            FloatVector np = decays ? p.sub(stepv).sub(p.mul(decay)) : p.sub(stepv);
            np.intoArray(param, i);
        }
        for (; i < to; i++) {
            float g = grad[i] * gradScale;
            float mi = m[i] * beta1 + g * a1;
            float vi = v[i] * beta2 + g * g * a2;
            m[i] = mi;
            v[i] = vi;
            float p = param[i];
            float stepv = mi * c1 / ((float) Math.sqrt(vi * c2) + eps) * lr;
            param[i] = decays ? p - stepv - p * decay : p - stepv;
        }
    }
}
