package org.transformer4j.testing;

import java.util.Arrays;
import java.util.Objects;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.ShapeMismatchException;
import org.transformer4j.tensor.Tensor;

/**
 * The scalar reference implementation of {@link Ops}: forward only, plain readable loops that accumulate in
 * double and round to float32 once per output element. It is the independent yardstick of every backend's
 * tests and of the conformance kit, so it favours being obviously right over being fast.
 *
 * <p>It accepts any {@link Tensor} as input (reading it through {@code toFloatArray()}/{@code toIntArray()}) and
 * returns {@link ReferenceTensor}s. {@link #training()} is false, so {@link #dropout} is the identity.
 *
 * <p>Choices where {@link Ops} leaves room, documented so other backends can match them:
 * <ul>
 *   <li>{@link #attention}: a query row that can see no key at all (every visible key masked out by the key mask,
 *       or a causal query before the first key when {@code Tq > Tk}) outputs zeros, not NaN;</li>
 *   <li>{@link #attention}: key mask values must be 0 or 1, anything else is an error;</li>
 *   <li>{@link #crossEntropy}: when every target is {@code ignoreIndex} the loss is 0; a target that is neither
 *       {@code ignoreIndex} nor in {@code [0, V)} is an error;</li>
 *   <li>integer tensors may be int32 or int64; {@link #constant} converts int64 to int32.</li>
 * </ul>
 * The class is not final so that tests can derive deliberately wrong variants (e.g. a tanh GELU) to prove that
 * the conformance kit notices.
 */
public class ReferenceOps implements Ops {

    @Override
    public boolean training() {
        return false;
    }

    @Override
    public Tensor constant(HostTensor value) {
        Objects.requireNonNull(value, "constant: value");
        return ReferenceTensor.copyOf(value);
    }

    /** Row lookup for ids of any shape {@code S}: gives {@code S + [C]} ({@code [B, T]} ids give {@code [B, T, C]}). */
    @Override
    public Tensor embedding(Tensor table, Tensor ids) {
        Shape.requireRank("embedding", "table", table.shape(), 2);
        requireFloat("embedding", "table", table);
        requireInteger("embedding", "ids", ids);
        int vocab = table.shape().dim(0);
        int channels = table.shape().dim(1);
        float[] w = table.toFloatArray();
        int[] id = ids.toIntArray();
        float[] out = new float[id.length * channels];
        for (int n = 0; n < id.length; n++) {
            int token = id[n];
            if (token < 0 || token >= vocab) {
                throw new IllegalArgumentException("embedding: id " + token + " at position "
                        + Arrays.toString(coordinates(n, ids.shape())) + " of ids " + ids.shape() + " is outside [0, "
                        + vocab + ") (vocab size " + vocab + " from table " + table.shape() + ")");
            }
            System.arraycopy(w, token * channels, out, n * channels, channels);
        }
        int[] dims = Arrays.copyOf(ids.shape().toArray(), ids.shape().rank() + 1);
        dims[dims.length - 1] = channels;
        return ReferenceTensor.ofFloats(Shape.of(dims), out);
    }

    /** The row-major multi-index of flat index {@code flat} in {@code shape}. */
    private static int[] coordinates(int flat, Shape shape) {
        int[] dims = shape.toArray();
        int[] at = new int[dims.length];
        for (int a = dims.length - 1; a >= 0; a--) {
            at[a] = flat % dims[a];
            flat /= dims[a];
        }
        return at;
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        requireFloat("linear", "x", x);
        requireFloat("linear", "weight", weight);
        Shape.requireRank("linear", "weight", weight.shape(), 2);
        if (x.shape().rank() < 1) {
            throw new ShapeMismatchException("linear: x must have rank >= 1 but has shape " + x.shape());
        }
        int outFeatures = weight.shape().dim(0);
        int inFeatures = weight.shape().dim(1);
        if (x.shape().dim(-1) != inFeatures) {
            throw new ShapeMismatchException("linear: x " + x.shape() + " has " + x.shape().dim(-1)
                    + " input features but weight " + weight.shape() + " expects " + inFeatures);
        }
        float[] bv = null;
        if (bias != null) {
            requireFloat("linear", "bias", bias);
            Shape.requireEqual("linear", "bias", Shape.of(outFeatures), bias.shape());
            bv = bias.toFloatArray();
        }
        float[] xv = x.toFloatArray();
        float[] wv = weight.toFloatArray();
        int rows = x.shape().rows();
        float[] out = new float[rows * outFeatures];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < outFeatures; o++) {
                double acc = bv == null ? 0.0 : bv[o];
                for (int i = 0; i < inFeatures; i++) {
                    acc += (double) xv[r * inFeatures + i] * wv[o * inFeatures + i];
                }
                out[r * outFeatures + o] = (float) acc;
            }
        }
        return ReferenceTensor.ofFloats(x.shape().withLast(outFeatures), out);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        requireFloat("layerNorm", "x", x);
        requireFloat("layerNorm", "gamma", gamma);
        if (x.shape().rank() < 1) {
            throw new ShapeMismatchException("layerNorm: x must have rank >= 1 but has shape " + x.shape());
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("layerNorm: eps must be >= 0, was " + eps);
        }
        int c = x.shape().dim(-1);
        Shape.requireEqual("layerNorm", "gamma (for x " + x.shape() + ")", Shape.of(c), gamma.shape());
        float[] bv = null;
        if (beta != null) {
            requireFloat("layerNorm", "beta", beta);
            Shape.requireEqual("layerNorm", "beta (for x " + x.shape() + ")", Shape.of(c), beta.shape());
            bv = beta.toFloatArray();
        }
        float[] xv = x.toFloatArray();
        float[] g = gamma.toFloatArray();
        int rows = x.shape().rows();
        float[] out = new float[xv.length];
        for (int r = 0; r < rows; r++) {
            int off = r * c;
            double mean = 0;
            for (int i = 0; i < c; i++) {
                mean += xv[off + i];
            }
            mean /= c;
            double variance = 0;
            for (int i = 0; i < c; i++) {
                double d = xv[off + i] - mean;
                variance += d * d;
            }
            variance /= c;
            double inv = 1.0 / Math.sqrt(variance + eps);
            for (int i = 0; i < c; i++) {
                double y = (xv[off + i] - mean) * inv * g[i] + (bv == null ? 0.0 : bv[i]);
                out[off + i] = (float) y;
            }
        }
        return ReferenceTensor.ofFloats(x.shape(), out);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        requireFloat("add", "a", a);
        requireFloat("add", "b", b);
        if (!a.shape().endsWith(b.shape())) {
            throw new ShapeMismatchException("add: b " + b.shape() + " must have the shape of a " + a.shape()
                    + " or of its trailing axes");
        }
        float[] av = a.toFloatArray();
        float[] bv = b.toFloatArray();
        float[] out = new float[av.length];
        for (int i = 0; i < av.length; i++) {
            out[i] = (float) ((double) av[i] + bv[i % bv.length]);
        }
        return ReferenceTensor.ofFloats(a.shape(), out);
    }

    @Override
    public Tensor scale(Tensor x, float factor) {
        requireFloat("scale", "x", x);
        float[] xv = x.toFloatArray();
        float[] out = new float[xv.length];
        for (int i = 0; i < xv.length; i++) {
            out[i] = (float) ((double) xv[i] * factor);
        }
        return ReferenceTensor.ofFloats(x.shape(), out);
    }

    @Override
    public Tensor gelu(Tensor x) {
        requireFloat("gelu", "x", x);
        float[] xv = x.toFloatArray();
        float[] out = new float[xv.length];
        for (int i = 0; i < xv.length; i++) {
            out[i] = (float) Erf.gelu(xv[i]);
        }
        return ReferenceTensor.ofFloats(x.shape(), out);
    }

    @Override
    public Tensor geluTanh(Tensor x) {
        requireFloat("geluTanh", "x", x);
        float[] xv = x.toFloatArray();
        float[] out = new float[xv.length];
        for (int i = 0; i < xv.length; i++) {
            out[i] = (float) geluTanh(xv[i]);
        }
        return ReferenceTensor.ofFloats(x.shape(), out);
    }

    /** GELU's tanh approximation in double, straight from the formula. */
    public static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    @Override
    public Tensor relu(Tensor x) {
        requireFloat("relu", "x", x);
        float[] xv = x.toFloatArray();
        float[] out = new float[xv.length];
        for (int i = 0; i < xv.length; i++) {
            out[i] = xv[i] > 0 ? xv[i] : 0f;
        }
        return ReferenceTensor.ofFloats(x.shape(), out);
    }

    @Override
    public Tensor dropout(Tensor x, float p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1), was " + p);
        }
        requireFloat("dropout", "x", x);
        return ReferenceTensor.ofFloats(x.shape(), x.toFloatArray());
    }

    @Override
    public Tensor[] split(Tensor x, int parts) {
        requireFloat("split", "x", x);
        if (x.shape().rank() < 1) {
            throw new ShapeMismatchException("split: x must have rank >= 1 but has shape " + x.shape());
        }
        int last = x.shape().dim(-1);
        if (parts < 1 || last % parts != 0) {
            throw new ShapeMismatchException("split: cannot split the last axis of " + x.shape() + " into "
                    + parts + " equal parts");
        }
        int width = last / parts;
        int rows = x.shape().rows();
        float[] xv = x.toFloatArray();
        Tensor[] out = new Tensor[parts];
        for (int p = 0; p < parts; p++) {
            float[] slice = new float[rows * width];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(xv, r * last + p * width, slice, r * width, width);
            }
            out[p] = ReferenceTensor.ofFloats(x.shape().withLast(width), slice);
        }
        return out;
    }

    @Override
    public Tensor concatTime(Tensor a, Tensor b) {
        if (a.shape().rank() < 2 || a.shape().rank() != b.shape().rank()) {
            throw new ShapeMismatchException("concatTime: a " + a.shape() + " and b " + b.shape()
                    + " must have the same rank, at least 2");
        }
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("concatTime: a is " + a.dtype() + " but b is " + b.dtype());
        }
        int[] ad = a.shape().toArray();
        int[] bd = b.shape().toArray();
        for (int i = 0; i < ad.length; i++) {
            if (i != 1 && ad[i] != bd[i]) {
                throw new ShapeMismatchException("concatTime: a " + a.shape() + " and b " + b.shape()
                        + " must agree on every axis but 1 (time); axis " + i + " differs");
            }
        }
        int batch = ad[0];
        int inner = 1;
        for (int i = 2; i < ad.length; i++) {
            inner *= ad[i];
        }
        int aBlock = ad[1] * inner;
        int bBlock = bd[1] * inner;
        int[] od = ad.clone();
        od[1] = ad[1] + bd[1];
        Shape shape = Shape.of(od);
        if (a.dtype() == DType.FLOAT32) {
            float[] av = a.toFloatArray();
            float[] bv = b.toFloatArray();
            float[] out = new float[shape.size()];
            for (int n = 0; n < batch; n++) {
                System.arraycopy(av, n * aBlock, out, n * (aBlock + bBlock), aBlock);
                System.arraycopy(bv, n * bBlock, out, n * (aBlock + bBlock) + aBlock, bBlock);
            }
            return ReferenceTensor.ofFloats(shape, out);
        }
        int[] av = a.toIntArray();
        int[] bv = b.toIntArray();
        int[] out = new int[shape.size()];
        for (int n = 0; n < batch; n++) {
            System.arraycopy(av, n * aBlock, out, n * (aBlock + bBlock), aBlock);
            System.arraycopy(bv, n * bBlock, out, n * (aBlock + bBlock) + aBlock, bBlock);
        }
        return ReferenceTensor.ofInts(shape, out);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal, Tensor keyMask) {
        requireFloat("attention", "q", q);
        requireFloat("attention", "k", k);
        requireFloat("attention", "v", v);
        Shape.requireRank("attention", "q", q.shape(), 3);
        Shape.requireRank("attention", "k", k.shape(), 3);
        Shape.requireRank("attention", "v", v.shape(), 3);
        int batch = q.shape().dim(0);
        int tq = q.shape().dim(1);
        int c = q.shape().dim(2);
        int tk = k.shape().dim(1);
        if (k.shape().dim(0) != batch || k.shape().dim(2) != c || !k.shape().equals(v.shape())) {
            throw new ShapeMismatchException("attention: q " + q.shape() + ", k " + k.shape() + " and v "
                    + v.shape() + " must be [B, Tq, C], [B, Tk, C] and [B, Tk, C]");
        }
        if (heads < 1 || c % heads != 0) {
            throw new ShapeMismatchException("attention: heads " + heads + " must be >= 1 and divide C = " + c
                    + " (q " + q.shape() + ")");
        }
        int[] mask = null;
        if (keyMask != null) {
            requireInteger("attention", "keyMask", keyMask);
            Shape.requireEqual("attention", "keyMask (for k " + k.shape() + ")", Shape.of(batch, tk),
                    keyMask.shape());
            mask = keyMask.toIntArray();
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] != 0 && mask[i] != 1) {
                    throw new IllegalArgumentException("attention: keyMask value " + mask[i] + " at position ["
                            + i / tk + ", " + i % tk + "] must be 1 (attend) or 0 (padding)");
                }
            }
        }
        int d = c / heads;
        double scale = 1.0 / Math.sqrt(d);
        float[] qv = q.toFloatArray();
        float[] kv = k.toFloatArray();
        float[] vv = v.toFloatArray();
        float[] out = new float[batch * tq * c];
        double[] weights = new double[tk];
        boolean[] visible = new boolean[tk];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < tq; i++) {
                    int lastVisible = causal ? tk - tq + i : tk - 1;
                    double max = Double.NEGATIVE_INFINITY;
                    boolean any = false;
                    for (int j = 0; j < tk; j++) {
                        visible[j] = j <= lastVisible && (mask == null || mask[b * tk + j] == 1);
                        if (!visible[j]) {
                            continue;
                        }
                        double dot = 0;
                        for (int e = 0; e < d; e++) {
                            dot += (double) qv[(b * tq + i) * c + h * d + e] * kv[(b * tk + j) * c + h * d + e];
                        }
                        weights[j] = dot * scale;
                        max = Math.max(max, weights[j]);
                        any = true;
                    }
                    if (!any) {
                        continue; // no visible key: the output row stays zero (documented above)
                    }
                    double sum = 0;
                    for (int j = 0; j < tk; j++) {
                        weights[j] = visible[j] ? Math.exp(weights[j] - max) : 0.0;
                        sum += weights[j];
                    }
                    for (int e = 0; e < d; e++) {
                        double acc = 0;
                        for (int j = 0; j < tk; j++) {
                            if (visible[j]) {
                                acc += weights[j] * vv[(b * tk + j) * c + h * d + e];
                            }
                        }
                        out[(b * tq + i) * c + h * d + e] = (float) (acc / sum);
                    }
                }
            }
        }
        return ReferenceTensor.ofFloats(Shape.of(batch, tq, c), out);
    }

    @Override
    public Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex) {
        requireFloat("crossEntropy", "logits", logits);
        requireInteger("crossEntropy", "targets", targets);
        Shape.requireRank("crossEntropy", "logits", logits.shape(), 3);
        int batch = logits.shape().dim(0);
        int time = logits.shape().dim(1);
        int vocab = logits.shape().dim(2);
        Shape.requireEqual("crossEntropy", "targets (for logits " + logits.shape() + ")", Shape.of(batch, time),
                targets.shape());
        float[] lv = logits.toFloatArray();
        int[] tv = targets.toIntArray();
        double total = 0;
        int counted = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                int target = tv[b * time + t];
                if (target == ignoreIndex) {
                    continue;
                }
                if (target < 0 || target >= vocab) {
                    throw new IllegalArgumentException("crossEntropy: target " + target + " at position [" + b
                            + ", " + t + "] is outside [0, " + vocab + ") (vocab size " + vocab
                            + ") and is not ignoreIndex " + ignoreIndex);
                }
                int off = (b * time + t) * vocab;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < vocab; j++) {
                    max = Math.max(max, lv[off + j]);
                }
                double sum = 0;
                for (int j = 0; j < vocab; j++) {
                    sum += Math.exp(lv[off + j] - max);
                }
                total += max + Math.log(sum) - lv[off + target];
                counted++;
            }
        }
        float loss = counted == 0 ? 0f : (float) (total / counted);
        return ReferenceTensor.ofFloats(Shape.scalar(), new float[] {loss});
    }

    private static void requireFloat(String op, String what, Tensor t) {
        Objects.requireNonNull(t, op + ": " + what);
        if (t.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": " + what + " " + t.shape() + " must be FLOAT32 but is "
                    + t.dtype());
        }
    }

    private static void requireInteger(String op, String what, Tensor t) {
        Objects.requireNonNull(t, op + ": " + what);
        if (!t.dtype().isInteger()) {
            throw new IllegalArgumentException(op + ": " + what + " " + t.shape() + " must be INT32 or INT64 but is "
                    + t.dtype());
        }
    }

    @Override
    public String toString() {
        return "ReferenceOps (scalar loops, double accumulation)";
    }
}
