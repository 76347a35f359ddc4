package org.transformer4j.tensorflow;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The layer contracts as TensorFlow graph nodes, written once for both uses of this backend: the training graph
 * (traced from the model's loss, differentiated by TensorFlow) and the small per-op inference graphs. Every builder
 * works on dynamic shapes (it reads sizes with {@code Shape} ops, never from the operands' static shapes), so one
 * graph serves every batch and sequence length. Only ops with C++ gradients are used ({@code MatMul},
 * {@code BatchMatMul}, {@code GatherV2}, {@code Softmax}, {@code LogSoftmax}, {@code Erf}, {@code Relu}, element-wise
 * math, reductions, reshapes, {@code Split}, {@code ConcatV2}), so {@code Graph.addGradients} differentiates the
 * whole model. Shapes and values are validated in Java before a builder is called.
 */
final class TfLayers {
    /** Added to the scores of hidden keys: far below any real score, finite so a fully hidden row stays NaN-free. */
    static final float HIDDEN = -1e30f;

    private TfLayers() {
    }

    /** {@code table [V, C]} rows at {@code ids} of any shape: {@code ids.shape + [C]}. */
    static Operand<TFloat32> embedding(Ops tf, Operand<TFloat32> table, Operand<TInt32> ids) {
        return tf.gather(table, ids, tf.constant(0));
    }

    /** {@code x [..., in] · weightᵀ + bias}, as one 2-d {@code MatMul} over the flattened rows. */
    static Operand<TFloat32> linear(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weight, Operand<TFloat32> bias) {
        Operand<TInt32> xShape = tf.shape(x);
        Operand<TInt32> wShape = tf.shape(weight);
        Operand<TInt32> in = slice(tf, wShape, 1, 2);
        Operand<TInt32> out = slice(tf, wShape, 0, 1);
        Operand<TFloat32> rows = tf.reshape(x, tf.concat(List.of(tf.constant(new int[] {-1}), in), tf.constant(0)));
        Operand<TFloat32> y = tf.linalg.matMul(rows, weight, MatMul.transposeB(true));
        if (bias != null) {
            y = tf.math.add(y, bias);
        }
        Operand<TInt32> lead = tf.stridedSlice(xShape, tf.constant(new int[] {0}), tf.constant(new int[] {-1}),
                tf.constant(new int[] {1}));
        return tf.reshape(y, tf.concat(List.of(lead, out), tf.constant(0)));
    }

    /** Layer norm over the last axis with the biased variance; {@code beta} may be null. */
    static Operand<TFloat32> layerNorm(Ops tf, Operand<TFloat32> x, Operand<TFloat32> gamma, Operand<TFloat32> beta,
            float eps) {
        Operand<TInt32> last = tf.constant(-1);
        Operand<TFloat32> mean = tf.math.mean(x, last, Mean.keepDims(true));
        Operand<TFloat32> d = tf.math.sub(x, mean);
        Operand<TFloat32> var = tf.math.mean(tf.math.mul(d, d), last, Mean.keepDims(true));
        Operand<TFloat32> y = tf.math.mul(tf.math.mul(d, tf.math.rsqrt(tf.math.add(var, tf.constant(eps)))), gamma);
        return beta == null ? y : tf.math.add(y, beta);
    }

    /** GELU, exact erf form: {@code x · ½ · (1 + erf(x/√2))}. */
    static Operand<TFloat32> gelu(Ops tf, Operand<TFloat32> x) {
        Operand<TFloat32> phi = tf.math.mul(tf.constant(0.5f),
                tf.math.add(tf.constant(1f), tf.math.erf(tf.math.mul(x, tf.constant((float) (1 / Math.sqrt(2)))))));
        return tf.math.mul(x, phi);
    }

    /** GELU, tanh approximation: {@code x · ½ · (1 + tanh(√(2/π)·(x + 0.044715·x³)))}. */
    static Operand<TFloat32> geluTanh(Ops tf, Operand<TFloat32> x) {
        Operand<TFloat32> cube = tf.math.mul(tf.math.mul(x, x), x);
        Operand<TFloat32> u = tf.math.mul(tf.constant((float) Math.sqrt(2 / Math.PI)),
                tf.math.add(x, tf.math.mul(tf.constant(0.044715f), cube)));
        Operand<TFloat32> half = tf.math.mul(tf.constant(0.5f), tf.math.add(tf.constant(1f), tf.math.tanh(u)));
        return tf.math.mul(x, half);
    }

    /**
     * Inverted dropout with a stateless random mask: element kept when its uniform draw is at least {@code p}, then
     * scaled by {@code 1/(1-p)}. The mask depends only on {@code seed} (int64 {@code [2]}) and the shape.
     */
    static Operand<TFloat32> dropout(Ops tf, Operand<TFloat32> x, float p, Operand<TInt64> seed) {
        Operand<TFloat32> u = tf.random.statelessRandomUniform(tf.shape(x), seed);
        Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(u, tf.constant(p)), TFloat32.class);
        return tf.math.mul(x, tf.math.mul(keep, tf.constant(1f / (1f - p))));
    }

    /**
     * Multi-head attention on {@code [B, Tq, C]} queries and {@code [B, Tk, C]} keys/values, {@code C} split into
     * {@code heads} slices of {@code C/heads}. Causal: query i sits at position {@code Tk - Tq + i}. A query that sees
     * no key (all its keys masked) outputs zeros, as the cpu backend. {@code probsDropout}, when not null, is applied
     * to the probabilities {@code [B, heads, Tq, Tk]} before they weight the values (attention dropout).
     */
    static Operand<TFloat32> attention(Ops tf, Operand<TFloat32> q, Operand<TFloat32> k, Operand<TFloat32> v,
            int width, int heads, boolean causal, Operand<TInt32> keyMask,
            java.util.function.UnaryOperator<Operand<TFloat32>> probsDropout) {
        int hs = width / heads;
        Operand<TInt32> qShape = tf.shape(q);
        Operand<TInt32> kShape = tf.shape(k);
        Operand<TInt32> b = slice(tf, qShape, 0, 1);
        Operand<TInt32> tq = slice(tf, qShape, 1, 2);
        Operand<TInt32> tk = slice(tf, kShape, 1, 2);
        Operand<TInt32> perm = tf.constant(new int[] {0, 2, 1, 3});
        Operand<TFloat32> qh = tf.linalg.transpose(tf.reshape(q, headsShape(tf, b, tq, heads, hs)), perm);
        Operand<TFloat32> kh = tf.linalg.transpose(tf.reshape(k, headsShape(tf, b, tk, heads, hs)), perm);
        Operand<TFloat32> vh = tf.linalg.transpose(tf.reshape(v, headsShape(tf, b, tk, heads, hs)), perm);
        Operand<TFloat32> scores = tf.math.mul(tf.train.batchMatMul(qh, kh, TFloat32.class, BatchMatMul.adjY(true)),
                tf.constant((float) (1.0 / Math.sqrt(hs))));
        Operand<org.tensorflow.types.TBool> allowed = null;
        if (causal) {
            Operand<TInt32> tqScalar = tf.reshape(tq, tf.constant(new int[0]));
            Operand<TInt32> tkScalar = tf.reshape(tk, tf.constant(new int[0]));
            Operand<TInt32> qi = tf.math.add(tf.range(tf.constant(0), tqScalar, tf.constant(1)),
                    tf.math.sub(tkScalar, tqScalar));
            Operand<TInt32> kj = tf.range(tf.constant(0), tkScalar, tf.constant(1));
            // [Tq, Tk]: key j visible to query i when j <= Tk - Tq + i
            allowed = tf.math.lessEqual(tf.expandDims(kj, tf.constant(0)), tf.expandDims(qi, tf.constant(1)));
        }
        Operand<TFloat32> anyVisible = null;
        if (keyMask != null) {
            // [B, 1, 1, Tk]
            Operand<org.tensorflow.types.TBool> keys = tf.math.notEqual(
                    tf.reshape(keyMask, tf.concat(List.of(b, tf.constant(new int[] {1, 1}), tk), tf.constant(0))),
                    tf.constant(0));
            allowed = allowed == null ? keys : tf.math.logicalAnd(keys, allowed);
        }
        if (allowed != null) {
            Operand<TFloat32> allowedF = tf.dtypes.cast(allowed, TFloat32.class);
            scores = tf.math.add(scores, tf.math.mul(tf.math.sub(tf.constant(1f), allowedF), tf.constant(HIDDEN)));
            if (keyMask != null) {
                anyVisible = tf.max(allowedF, tf.constant(-1), Max.keepDims(true));
            }
        }
        Operand<TFloat32> probs = tf.nn.softmax(scores);
        if (anyVisible != null) {
            probs = tf.math.mul(probs, anyVisible);
        }
        if (probsDropout != null) {
            probs = probsDropout.apply(probs);
        }
        Operand<TFloat32> out = tf.linalg.transpose(tf.train.batchMatMul(probs, vh, TFloat32.class), perm);
        return tf.reshape(out, tf.concat(List.of(b, tq, tf.constant(new int[] {width})), tf.constant(0)));
    }

    private static Operand<TInt32> headsShape(Ops tf, Operand<TInt32> b, Operand<TInt32> t, int heads, int hs) {
        return tf.concat(List.of(b, t, tf.constant(new int[] {heads, hs})), tf.constant(0));
    }

    /**
     * Mean of {@code -log softmax(logits)[target]} over the positions whose target is not {@code ignoreIndex}
     * (0 when every target is ignored, as the cpu backend). {@code logits [..., V]}, {@code targets [...]} int32.
     */
    static Operand<TFloat32> crossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TInt32> targets, int ignoreIndex) {
        Operand<TInt32> vocab = slice(tf, tf.shape(logits), -1, 0);
        Operand<TFloat32> rows = tf.reshape(logits, tf.concat(List.of(tf.constant(new int[] {-1}), vocab), tf.constant(0)));
        Operand<TInt32> flatTargets = tf.reshape(targets, tf.constant(new int[] {-1}));
        Operand<org.tensorflow.types.TBool> counted = tf.math.notEqual(flatTargets, tf.constant(ignoreIndex));
        Operand<TInt32> safe = tf.select(counted, flatTargets, tf.zerosLike(flatTargets));
        Operand<TInt32> n = tf.reshape(slice(tf, tf.shape(rows), 0, 1), tf.constant(new int[0]));
        Operand<TInt32> vocabScalar = tf.reshape(vocab, tf.constant(new int[0]));
        Operand<TInt32> index = tf.math.add(tf.math.mul(tf.range(tf.constant(0), n, tf.constant(1)), vocabScalar), safe);
        Operand<TFloat32> logp = tf.reshape(tf.nn.logSoftmax(rows), tf.constant(new int[] {-1}));
        Operand<TFloat32> picked = tf.gather(logp, index, tf.constant(0));
        Operand<TFloat32> weight = tf.dtypes.cast(counted, TFloat32.class);
        Operand<TInt32> all = tf.constant(0);
        Operand<TFloat32> total = tf.math.neg(tf.reduceSum(tf.math.mul(picked, weight), all));
        Operand<TFloat32> count = tf.math.maximum(tf.reduceSum(weight, all), tf.constant(1f));
        return tf.math.div(total, count);
    }

    /** Elements {@code [from, to)} of a 1-d int32 tensor ({@code to == 0} with a negative {@code from}: to the end). */
    static Operand<TInt32> slice(Ops tf, Operand<TInt32> v, int from, int to) {
        if (to == 0 && from < 0) {
            return tf.stridedSlice(v, tf.constant(new int[] {from}), tf.constant(new int[] {0}),
                    tf.constant(new int[] {1}), org.tensorflow.op.core.StridedSlice.endMask(1L));
        }
        return tf.stridedSlice(v, tf.constant(new int[] {from}), tf.constant(new int[] {to}), tf.constant(new int[] {1}));
    }
}
