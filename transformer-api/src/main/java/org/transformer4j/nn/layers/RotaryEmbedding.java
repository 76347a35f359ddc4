package org.transformer4j.nn.layers;

import java.util.Arrays;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * Rotary position embedding (RoPE) as Hugging Face's {@code LlamaRotaryEmbedding} computes it: inverse frequencies
 * {@code f_i = 1 / theta^(2i/headDim)} for {@code i < headDim/2} (then {@link RopeScaling} if any, rounded to float32
 * as HF keeps them), and for a token at position {@code p} the angles {@code p·f_i} as a float32 product (HF's
 * {@code inv_freq @ position_ids} in float32), whose cosine and sine are tabulated here on the host and applied by
 * {@link Ops#rotary}. No weights.
 */
public final class RotaryEmbedding {
    private final int headDim;
    private final float[] inverseFrequencies;

    /**
     * The inverse frequencies of a head width and base, scaled if {@code scaling} is given.
     *
     * @param headDim width of one attention head, even
     * @param theta   the base ({@code rope_theta}: 10000 for Llama 2, 500000 for Llama 3), > 1
     * @param scaling {@code rope_scaling}, or null for none
     * @throws IllegalArgumentException for an odd or too small head width, or a base that is not finite and above 1
     */
    public RotaryEmbedding(int headDim, double theta, RopeScaling scaling) {
        if (headDim < 2 || headDim % 2 != 0) {
            throw new IllegalArgumentException("rotary embedding: the head width must be even and >= 2, was " + headDim);
        }
        if (!(theta > 1) || Double.isInfinite(theta)) {
            throw new IllegalArgumentException("rope_theta must be a finite number > 1, was " + theta);
        }
        this.headDim = headDim;
        this.inverseFrequencies = new float[headDim / 2];
        for (int i = 0; i < inverseFrequencies.length; i++) {
            double f = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
            inverseFrequencies[i] = (float) (scaling == null ? f : scaling.apply(f));
        }
    }

    /** {@return the inverse frequencies {@code [headDim/2]}, a copy} */
    public float[] inverseFrequencies() {
        return inverseFrequencies.clone();
    }

    /** {@return the width of one attention head} */
    public int headDim() {
        return headDim;
    }

    /**
     * The cosine and sine tables of the given positions: for positions of shape {@code dims} (e.g. {@code [T]} or
     * {@code [B, T]}) two constants of shape {@code dims + [headDim/2]}, as {@link Ops#rotary} takes them.
     *
     * @param ops       the ops that make the constants
     * @param positions non-negative, row-major over {@code dims}
     * @param dims      the shape of the positions
     * @return {@code {cos, sin}}
     */
    public Tensor[] tables(Ops ops, int[] positions, int... dims) {
        HostTensor[] t = hostTables(positions, dims);
        return new Tensor[] {ops.constant(t[0]), ops.constant(t[1])};
    }

    /**
     * {@link #tables} on the host.
     *
     * @param positions non-negative, row-major over {@code dims}
     * @param dims      the shape of the positions
     * @return {@code {cos, sin}}, each of shape {@code dims + [headDim/2]}
     * @throws IllegalArgumentException when the positions do not fill {@code dims} or one is negative
     */
    public HostTensor[] hostTables(int[] positions, int... dims) {
        Shape s = Shape.of(dims);
        if (s.size() != positions.length) {
            throw new IllegalArgumentException("rotary embedding: " + positions.length + " positions for shape " + s);
        }
        int d = inverseFrequencies.length;
        float[] cos = new float[positions.length * d];
        float[] sin = new float[positions.length * d];
        for (int n = 0; n < positions.length; n++) {
            int p = positions[n];
            if (p < 0) {
                throw new IllegalArgumentException("rotary embedding: position " + p + " at index " + n
                        + " is negative; positions count from 0");
            }
            for (int i = 0; i < d; i++) {
                float angle = (float) p * inverseFrequencies[i];
                cos[n * d + i] = (float) Math.cos(angle);
                sin[n * d + i] = (float) Math.sin(angle);
            }
        }
        int[] tableDims = Arrays.copyOf(dims, dims.length + 1);
        tableDims[dims.length] = d;
        Shape ts = Shape.of(tableDims);
        return new HostTensor[] {HostTensor.ofFloats(ts, cos), HostTensor.ofFloats(ts, sin)};
    }

    /**
     * Consecutive positions, e.g. those following a cache of {@code offset} tokens.
     *
     * @param offset the first position
     * @param length how many
     * @return {@code offset .. offset + length - 1}
     */
    public static int[] range(int offset, int length) {
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = offset + i;
        }
        return p;
    }
}
