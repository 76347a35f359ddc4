package org.transformer4j.nn.layers;

import java.util.List;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * Position information added to token embeddings: a learned table ({@code <name>.weight [context, dim]},
 * GPT-2's {@code wpe}) or the fixed sinusoids of "Attention Is All You Need":
 * {@code PE(pos, 2i) = sin(pos / 10000^(2i/dim))}, {@code PE(pos, 2i+1) = cos(pos / 10000^(2i/dim))}.
 */
public final class PositionalEncoding {
    private final String name;
    private final int context;
    private final int dim;
    private final float[] sinusoids;

    private PositionalEncoding(String name, int context, int dim, float[] sinusoids) {
        this.name = name;
        this.context = context;
        this.dim = dim;
        this.sinusoids = sinusoids;
    }

    /**
     * A learned table called {@code <name>.weight}.
     *
     * @param name the prefix, e.g. {@code transformer.wpe}
     * @param context the number of positions
     * @param dim the width
     * @return the encoding
     */
    public static PositionalEncoding learned(String name, int context, int dim) {
        return new PositionalEncoding(name, context, dim, null);
    }

    /**
     * Fixed sinusoids; no weights.
     *
     * @param context the number of positions
     * @param dim the width
     * @return the encoding
     */
    public static PositionalEncoding sinusoidal(int context, int dim) {
        return new PositionalEncoding(null, context, dim, table(context, dim));
    }

    /**
     * The sinusoid table {@code [context, dim]} in row-major order, computed in double.
     *
     * @param context the number of positions
     * @param dim the width, even
     * @return {@code context · dim} values
     */
    public static float[] table(int context, int dim) {
        float[] t = new float[context * dim];
        for (int pos = 0; pos < context; pos++) {
            for (int i = 0; i < dim; i += 2) {
                double angle = pos / Math.pow(10000.0, (double) i / dim);
                t[pos * dim + i] = (float) Math.sin(angle);
                if (i + 1 < dim) {
                    t[pos * dim + i + 1] = (float) Math.cos(angle);
                }
            }
        }
        return t;
    }

    /**
     * Whether the encoding is a trained table.
     *
     * @return true for a learned table
     */
    public boolean isLearned() {
        return sinusoids == null;
    }

    /**
     * The table's spec when learned; none for sinusoids.
     *
     * @return zero or one spec
     */
    public List<ParameterSpec> parameterSpecs() {
        return isLearned() ? List.of(ParameterSpec.normal(name + ".weight", Shape.of(context, dim), 0.02f)) : List.of();
    }

    /**
     * The encodings of positions {@code offset .. offset+length-1} as {@code [length, dim]}; fails with a clear
     * message when they run past the context length.
     *
     * @param ops the backend's ops
     * @param p the weights
     * @param offset the first position
     * @param length the number of positions
     * @return {@code [length, dim]}
     */
    public Tensor forward(Ops ops, Parameters p, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > context) {
            throw new IllegalArgumentException("positions " + offset + ".." + (offset + length - 1)
                    + " exceed the model's context length " + context
                    + "; shorten the input or crop it to the last " + context + " tokens");
        }
        if (isLearned()) {
            int[] ids = new int[length];
            for (int i = 0; i < length; i++) {
                ids[i] = offset + i;
            }
            return ops.embedding(p.get(name + ".weight"), ops.constant(HostTensor.ofInts(Shape.of(length), ids)));
        }
        float[] rows = java.util.Arrays.copyOfRange(sinusoids, offset * dim, (offset + length) * dim);
        return ops.constant(HostTensor.ofFloats(Shape.of(length, dim), rows));
    }
}
