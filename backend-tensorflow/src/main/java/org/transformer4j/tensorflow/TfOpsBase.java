package org.transformer4j.tensorflow;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.ShapeMismatchException;
import org.transformer4j.tensor.Tensor;

/**
 * What both kinds of TensorFlow ops share: every layer contract validated in Java (shapes, dtypes, token ids, with
 * the cpu backend's messages) before any graph node exists, and its output shapes computed here, so a bad input is
 * an {@link IllegalArgumentException} naming the op rather than a TensorFlow error deep in a session run. The
 * computation itself is a {@link TfLayers} builder that a subclass either adds to the training graph
 * ({@link TfGraphOps}) or runs as a small cached graph ({@link TfInferenceOps}).
 */
abstract class TfOpsBase implements Ops {

    /** Builds one op's graph nodes from its operands (in order; null for an absent optional operand). */
    @FunctionalInterface
    interface Builder {
        List<Operand<?>> build(org.tensorflow.op.Ops tf, List<Operand<?>> in);
    }

    /**
     * Computes {@code builder} on {@code inputs} (nulls allowed for absent optional operands).
     *
     * @param key        identifies the builder and every attribute baked into it (for caching compiled graphs)
     * @param outShapes  the shape of each output, already validated
     */
    protected abstract Tensor[] run(String key, Builder builder, Shape[] outShapes, DType outType, Tensor... inputs);

    /**
     * Fails unless every value of the int32 {@code ids} is in {@code [0, bound)} (or equals {@code ignoreIndex} when
     * that is not null); where the values are not known yet (a training batch), the check runs on every batch fed.
     */
    protected abstract void requireIdsBelow(String op, String what, Tensor ids, int bound, Integer ignoreIndex);

    /** Fails unless {@code t} is a tensor of this backend (a {@link TfSymbol} or {@link TfValue} as appropriate). */
    protected abstract void requireOwn(String op, String what, Tensor t);

    @SuppressWarnings("unchecked")
    static Operand<TFloat32> f(Operand<?> o) {
        return (Operand<TFloat32>) o;
    }

    @SuppressWarnings("unchecked")
    static Operand<TInt32> i(Operand<?> o) {
        return (Operand<TInt32>) o;
    }

    private Tensor floats(Tensor t, String op, String what) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + what + " is null");
        }
        requireOwn(op, what, t);
        if (t.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": " + what + " must be float32 but is " + t.dtype() + " " + t.shape());
        }
        return t;
    }

    private Tensor ints(Tensor t, String op, String what) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + what + " is null");
        }
        requireOwn(op, what, t);
        if (t.dtype() != DType.INT32) {
            throw new IllegalArgumentException(op + ": " + what + " must be int32 ids but is " + t.dtype() + " " + t.shape());
        }
        return t;
    }

    private static void requireAxis(String op, String what, Tensor t) {
        if (t.shape().rank() < 1) {
            throw new ShapeMismatchException(op + ": " + what + " must have at least one axis but is a scalar " + t.shape());
        }
    }

    private Tensor one(String key, Builder b, Shape shape, Tensor... in) {
        return run(key, b, new Shape[] {shape}, DType.FLOAT32, in)[0];
    }

    @Override
    public Tensor embedding(Tensor table, Tensor ids) {
        floats(table, "embedding", "table");
        ints(ids, "embedding", "ids");
        Shape.requireRank("embedding", "table", table.shape(), 2);
        int vocab = table.shape().dim(0);
        requireIdsBelow("embedding", "ids", ids, vocab, null);
        int[] dims = Arrays.copyOf(ids.shape().toArray(), ids.shape().rank() + 1);
        dims[dims.length - 1] = table.shape().dim(1);
        return one("embedding", (tf, in) -> List.of(TfLayers.embedding(tf, f(in.get(0)), i(in.get(1)))),
                Shape.of(dims), table, ids);
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor b) {
        floats(x, "linear", "x");
        floats(w, "linear", "weight");
        if (b != null) {
            floats(b, "linear", "bias");
        }
        Shape.requireRank("linear", "weight", w.shape(), 2);
        int out = w.shape().dim(0);
        int in = w.shape().dim(1);
        if (x.shape().rank() < 1 || x.shape().dim(-1) != in) {
            throw new ShapeMismatchException("linear: x " + x.shape() + " must end with the weight's input width " + in
                    + " (weight " + w.shape() + ")");
        }
        if (b != null) {
            Shape.requireEqual("linear", "bias", Shape.of(out), b.shape());
        }
        return one(b == null ? "linear" : "linear_bias",
                (tf, ops) -> List.of(TfLayers.linear(tf, f(ops.get(0)), f(ops.get(1)), b == null ? null : f(ops.get(2)))),
                x.shape().withLast(out), x, w, b);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor g, Tensor b, float eps) {
        floats(x, "layerNorm", "x");
        floats(g, "layerNorm", "gamma");
        if (b != null) {
            floats(b, "layerNorm", "beta");
        }
        requireAxis("layerNorm", "x", x);
        if (!(eps >= 0f) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("layerNorm: eps must be finite and >= 0, was " + eps);
        }
        int c = x.shape().dim(-1);
        Shape.requireEqual("layerNorm", "gamma", Shape.of(c), g.shape());
        if (b != null) {
            Shape.requireEqual("layerNorm", "beta", Shape.of(c), b.shape());
        }
        return one("layerNorm/" + Float.floatToIntBits(eps) + (b == null ? "" : "/beta"),
                (tf, in) -> List.of(TfLayers.layerNorm(tf, f(in.get(0)), f(in.get(1)), b == null ? null : f(in.get(2)), eps)),
                x.shape(), x, g, b);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        floats(a, "add", "a");
        floats(b, "add", "b");
        if (!a.shape().endsWith(b.shape())) {
            throw new ShapeMismatchException("add: b " + b.shape() + " must equal a " + a.shape() + " or its trailing axes");
        }
        return one("add", (tf, in) -> List.of(tf.math.add(f(in.get(0)), f(in.get(1)))), a.shape(), a, b);
    }

    @Override
    public Tensor scale(Tensor x, float factor) {
        floats(x, "scale", "x");
        return one("scale/" + Float.floatToIntBits(factor),
                (tf, in) -> List.of(tf.math.mul(f(in.get(0)), tf.constant(factor))), x.shape(), x);
    }

    @Override
    public Tensor gelu(Tensor x) {
        floats(x, "gelu", "x");
        return one("gelu", (tf, in) -> List.of(TfLayers.gelu(tf, f(in.get(0)))), x.shape(), x);
    }

    @Override
    public Tensor geluTanh(Tensor x) {
        floats(x, "geluTanh", "x");
        return one("geluTanh", (tf, in) -> List.of(TfLayers.geluTanh(tf, f(in.get(0)))), x.shape(), x);
    }

    @Override
    public Tensor relu(Tensor x) {
        floats(x, "relu", "x");
        return one("relu", (tf, in) -> List.of(tf.nn.relu(f(in.get(0)))), x.shape(), x);
    }

    @Override
    public Tensor dropout(Tensor x, float p) {
        floats(x, "dropout", "x");
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1), was " + p);
        }
        if (!training() || p == 0f) {
            return x;
        }
        return trainingDropout(x, p);
    }

    /** Dropout with {@code 0 < p < 1} while training; only the training graph has it. */
    protected Tensor trainingDropout(Tensor x, float p) {
        throw new IllegalStateException("dropout while training needs the training graph");
    }

    @Override
    public Tensor[] split(Tensor x, int parts) {
        floats(x, "split", "x");
        requireAxis("split", "x", x);
        int width = x.shape().dim(-1);
        if (parts < 1 || width % parts != 0) {
            throw new ShapeMismatchException("split: the last axis of " + x.shape() + " does not split into " + parts
                    + " equal parts");
        }
        Shape[] shapes = new Shape[parts];
        Arrays.fill(shapes, x.shape().withLast(width / parts));
        return run("split/" + parts, (tf, in) -> List.copyOf(
                tf.split(tf.constant(-1), f(in.get(0)), (long) parts).output()), shapes, DType.FLOAT32, x);
    }

    @Override
    public Tensor concatTime(Tensor a, Tensor b) {
        floats(a, "concatTime", "a");
        floats(b, "concatTime", "b");
        Shape sa = a.shape();
        Shape sb = b.shape();
        boolean ok = sa.rank() >= 2 && sb.rank() == sa.rank() && sa.dim(0) == sb.dim(0);
        for (int d = 2; ok && d < sa.rank(); d++) {
            ok = sa.dim(d) == sb.dim(d);
        }
        if (!ok) {
            throw new ShapeMismatchException("concatTime: " + sa + " and " + sb + " must agree on every axis but axis 1");
        }
        int[] dims = sa.toArray();
        dims[1] += sb.dim(1);
        return one("concatTime", (tf, in) -> List.of(tf.concat(List.of(f(in.get(0)), f(in.get(1))), tf.constant(1))),
                Shape.of(dims), a, b);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal, Tensor mask, float dropout) {
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("attention: dropout must be in [0, 1), was " + dropout);
        }
        if (!training() || dropout == 0f) {
            return attention(q, k, v, heads, causal, mask);
        }
        checkAttention(q, k, v, heads, causal, mask);
        return trainingAttention(q, k, v, heads, causal, mask, dropout);
    }

    /** Attention with dropout {@code 0 < p < 1} on its probabilities while training; only the training graph has it. */
    protected Tensor trainingAttention(Tensor q, Tensor k, Tensor v, int heads, boolean causal, Tensor mask, float p) {
        throw new IllegalStateException("attention dropout while training needs the training graph");
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal, Tensor mask) {
        checkAttention(q, k, v, heads, causal, mask);
        int c = q.shape().dim(2);
        boolean masked = mask != null;
        return one("attention/" + c + "/" + heads + "/" + causal + "/" + masked,
                (tf, in) -> List.of(TfLayers.attention(tf, f(in.get(0)), f(in.get(1)), f(in.get(2)), c, heads, causal,
                        masked ? i(in.get(3)) : null, null)),
                q.shape(), q, k, v, mask);
    }

    private void checkAttention(Tensor q, Tensor k, Tensor v, int heads, boolean causal, Tensor mask) {
        floats(q, "attention", "q");
        floats(k, "attention", "k");
        floats(v, "attention", "v");
        Shape.requireRank("attention", "q", q.shape(), 3);
        Shape.requireRank("attention", "k", k.shape(), 3);
        Shape.requireEqual("attention", "v", k.shape(), v.shape());
        int b = q.shape().dim(0);
        int tq = q.shape().dim(1);
        int c = q.shape().dim(2);
        int tk = k.shape().dim(1);
        if (k.shape().dim(0) != b || k.shape().dim(2) != c) {
            throw new ShapeMismatchException("attention: q " + q.shape() + " and k " + k.shape()
                    + " must agree on batch and width");
        }
        if (heads < 1 || c % heads != 0) {
            throw new ShapeMismatchException("attention: width " + c + " does not split into " + heads + " heads");
        }
        if (causal && tq > tk) {
            throw new ShapeMismatchException("attention: causal attention needs at least as many keys (" + tk
                    + ") as queries (" + tq + ")");
        }
        if (mask != null) {
            ints(mask, "attention", "keyMask");
            Shape.requireEqual("attention", "keyMask", Shape.of(b, tk), mask.shape());
        }
    }

    @Override
    public Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex) {
        floats(logits, "crossEntropy", "logits");
        ints(targets, "crossEntropy", "targets");
        requireAxis("crossEntropy", "logits", logits);
        int vocab = logits.shape().dim(-1);
        int[] lead = Arrays.copyOf(logits.shape().toArray(), logits.shape().rank() - 1);
        if (!Shape.of(lead).equals(targets.shape())) {
            throw new ShapeMismatchException("crossEntropy: targets " + targets.shape() + " must match logits "
                    + logits.shape() + " without its last axis");
        }
        requireIdsBelow("crossEntropy", "targets", targets, vocab, ignoreIndex);
        return one("crossEntropy/" + ignoreIndex,
                (tf, in) -> List.of(TfLayers.crossEntropy(tf, f(in.get(0)), i(in.get(1)), ignoreIndex)),
                Shape.scalar(), logits, targets);
    }

    /** The message of an id outside its range, as the cpu backend words it. */
    static String idOutOfRange(String op, String what, int value, int index, Shape shape, int bound, Integer ignore) {
        return op + ": " + what + " " + shape + " holds " + value + " at flat index " + index + ", outside [0, " + bound
                + ")" + (ignore == null ? "" : " (and not the ignore index " + ignore + ")")
                + "; every id must be a row of the table (check the tokenizer's vocabulary against the model's)";
    }

    /** Checks host ids; shared by both subclasses. */
    static void checkIds(String op, String what, int[] ids, Shape shape, int bound, Integer ignore) {
        for (int j = 0; j < ids.length; j++) {
            int id = ids[j];
            if ((id < 0 || id >= bound) && (ignore == null || id != ignore)) {
                throw new IllegalArgumentException(idOutOfRange(op, what, id, j, shape, bound, ignore));
            }
        }
    }
}
