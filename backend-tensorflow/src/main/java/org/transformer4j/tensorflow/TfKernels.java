package org.transformer4j.tensorflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * The compiled graphs of the inference ops: one small graph and session per op and attribute set (e.g.
 * {@code attention/384/6/true/false}), built on first use from the same {@link TfLayers} builder the training graph
 * uses, with placeholders of unknown shape so one graph serves every batch and sequence length. Thread-safe: sessions
 * may run concurrently. Closing frees every session and graph.
 */
final class TfKernels implements AutoCloseable {
    private final TfDevice device;
    private final Map<String, Kernel> kernels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** One op's graph: its placeholders (null where the operand is absent) and outputs. */
    private record Kernel(Graph graph, Session session, List<Operand<?>> placeholders, List<Operand<?>> outputs) {
    }

    TfKernels(TfDevice device) {
        this.device = device;
    }

    /** Runs the op {@code key} (built by {@code builder} on first use) on {@code inputs}; outputs come back to the heap. */
    Tensor[] run(String key, TfOpsBase.Builder builder, Shape[] outShapes, DType outType, Tensor... inputs) {
        if (closed) {
            throw new IllegalStateException("the tensorflow engine is closed; open a new one");
        }
        Kernel k = kernels.computeIfAbsent(key, x -> compile(x, builder, inputs));
        List<org.tensorflow.Tensor> created = new ArrayList<>();
        try {
            Session.Runner r = k.session().runner();
            for (int j = 0; j < inputs.length; j++) {
                if (inputs[j] == null) {
                    continue;
                }
                TfValue v = (TfValue) inputs[j];
                org.tensorflow.Tensor t = v.toNative();
                if (!v.isNativeWeight()) {
                    created.add(t);
                }
                r.feed(k.placeholders().get(j), t);
            }
            for (Operand<?> o : k.outputs()) {
                r.fetch(o);
            }
            Tensor[] out = new Tensor[outShapes.length];
            try (Result res = r.run()) {
                for (int j = 0; j < out.length; j++) {
                    org.tensorflow.Tensor t = res.get(j);
                    Shape got = TfTensors.shape(t.shape());
                    if (!got.equals(outShapes[j])) {
                        throw new IllegalStateException("tensorflow op " + key + " gave output " + j + " of shape " + got
                                + " where " + outShapes[j] + " was expected; this is a bug of the tensorflow backend");
                    }
                    out[j] = outType == DType.FLOAT32 ? TfValue.ofFloats(got, TfTensors.floats((TFloat32) t))
                            : TfValue.ofInts(got, TfTensors.ints((TInt32) t));
                }
            }
            return out;
        } finally {
            created.forEach(org.tensorflow.Tensor::close);
        }
    }

    private Kernel compile(String key, TfOpsBase.Builder builder, Tensor[] inputs) {
        Graph g = new Graph();
        try {
            org.tensorflow.op.Ops tf = device.scope(org.tensorflow.op.Ops.create(g));
            List<Operand<?>> ph = new ArrayList<>();
            for (Tensor in : inputs) {
                ph.add(in == null ? null : in.dtype() == DType.FLOAT32 ? tf.placeholder(TFloat32.class)
                        : tf.placeholder(TInt32.class));
            }
            List<Operand<?>> outs = builder.build(tf, java.util.Collections.unmodifiableList(ph));
            return new Kernel(g, device.newSession(g), ph, List.copyOf(outs));
        } catch (RuntimeException | Error e) {
            g.close();
            throw e;
        }
    }

    /** Number of compiled op graphs (for tests). */
    int size() {
        return kernels.size();
    }

    @Override
    public void close() {
        closed = true;
        for (Kernel k : kernels.values()) {
            k.session().close();
            k.graph().close();
        }
        kernels.clear();
    }
}
