package org.transformer4j.tensorflow;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TInt64;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * The layer contracts as nodes of a TensorFlow graph: what {@link TfTrainingGraph} hands the model's loss to trace
 * it once. Every call validates in Java (see {@link TfOpsBase}) and adds the op's {@link TfLayers} nodes; token ids
 * that come from the batch cannot be checked at trace time, so their checks are collected ({@link #idChecks()}) and
 * run on every batch fed. Dropout, when training, draws a stateless mask from a per-step seed input plus the
 * dropout site's index, so the same seed gives the same masks run after run.
 */
final class TfGraphOps extends TfOpsBase {

    /** A check of a batch input's values: every id in {@code [0, bound)} or equal to {@code ignoreIndex}. */
    record IdCheck(String op, String what, String input, int bound, Integer ignoreIndex) {
        void check(HostTensor values) {
            checkIds(op, what + " (batch input '" + input + "')", values.toIntArray(), values.shape(), bound, ignoreIndex);
        }
    }

    private final org.tensorflow.op.Ops tf;
    private final boolean training;
    private final Operand<TInt64> seed;
    private final List<IdCheck> idChecks = new ArrayList<>();
    private int dropoutSites;

    /**
     * @param seed int64 {@code [2]} input of the dropout masks; may be null when not training
     */
    TfGraphOps(org.tensorflow.op.Ops tf, boolean training, Operand<TInt64> seed) {
        this.tf = tf;
        this.training = training;
        this.seed = seed;
    }

    List<IdCheck> idChecks() {
        return List.copyOf(idChecks);
    }

    @Override
    public boolean training() {
        return training;
    }

    @Override
    public Tensor constant(HostTensor value) {
        org.tensorflow.ndarray.Shape s = TfTensors.shape(value.shape());
        return switch (value.dtype()) {
            case FLOAT32 -> new TfSymbol(tf.constant(s, DataBuffers.of(value.floats(), true, false)), value.shape(),
                    DType.FLOAT32, null, null);
            case INT32, INT64 -> {
                int[] v = value.toIntArray();
                yield new TfSymbol(tf.constant(s, DataBuffers.of(v, true, false)), value.shape(), DType.INT32, null, v);
            }
        };
    }

    @Override
    protected Tensor[] run(String key, Builder builder, Shape[] outShapes, DType outType, Tensor... inputs) {
        List<Operand<?>> in = new ArrayList<>();
        for (Tensor t : inputs) {
            in.add(t == null ? null : ((TfSymbol) t).operand());
        }
        List<Operand<?>> outs = builder.build(tf, java.util.Collections.unmodifiableList(in));
        Tensor[] result = new Tensor[outShapes.length];
        for (int j = 0; j < result.length; j++) {
            result[j] = new TfSymbol(outs.get(j), outShapes[j], outType, null, null);
        }
        return result;
    }

    @Override
    protected Tensor trainingDropout(Tensor x, float p) {
        if (seed == null) {
            throw new IllegalStateException("dropout in a training graph built without a seed input");
        }
        long site = ++dropoutSites;
        Operand<TInt64> siteSeed = tf.math.add(seed, tf.constant(new long[] {0L, site}));
        Operand<?> y = TfLayers.dropout(tf, f(((TfSymbol) x).operand()), p, siteSeed);
        return new TfSymbol(y, x.shape(), DType.FLOAT32, null, null);
    }

    @Override
    protected Tensor trainingAttention(Tensor q, Tensor k, Tensor v, int heads, boolean causal, Tensor mask, float p) {
        if (seed == null) {
            throw new IllegalStateException("attention dropout in a training graph built without a seed input");
        }
        long site = ++dropoutSites;
        Operand<TInt64> siteSeed = tf.math.add(seed, tf.constant(new long[] {0L, site}));
        Operand<?> y = TfLayers.attention(tf, f(((TfSymbol) q).operand()), f(((TfSymbol) k).operand()),
                f(((TfSymbol) v).operand()), q.shape().dim(2), heads, causal,
                mask == null ? null : i(((TfSymbol) mask).operand()),
                probs -> TfLayers.dropout(tf, probs, p, siteSeed));
        return new TfSymbol(y, q.shape(), DType.FLOAT32, null, null);
    }

    @Override
    protected void requireIdsBelow(String op, String what, Tensor ids, int bound, Integer ignoreIndex) {
        TfSymbol s = (TfSymbol) ids;
        if (s.constantInts() != null) {
            checkIds(op, what, s.constantInts(), s.shape(), bound, ignoreIndex);
        } else if (s.feedName() != null) {
            idChecks.add(new IdCheck(op, what, s.feedName(), bound, ignoreIndex));
        }
        // ids computed inside the graph: none of the models make any
    }

    @Override
    protected void requireOwn(String op, String what, Tensor t) {
        if (!(t instanceof TfSymbol)) {
            throw new IllegalArgumentException(op + ": " + what + " is a " + t.getClass().getSimpleName()
                    + ", not a node of the tensorflow training graph; create it with ops.constant(...)");
        }
    }
}
