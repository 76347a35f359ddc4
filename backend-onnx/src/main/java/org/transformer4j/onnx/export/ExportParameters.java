package org.transformer4j.onnx.export;

import java.util.HashMap;
import java.util.Map;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Tensor;

/**
 * A model's weights as seen by an export trace: the first time the composition reads a weight, it becomes an
 * initializer of the graph under its own name ({@code transformer.h.0.attn.c_attn.weight}...), so each file holds
 * exactly the weights its graph uses.
 */
final class ExportParameters implements Parameters {
    private final Map<String, HostTensor> weights;
    private final OnnxGraph graph;
    private final Map<String, SymbolicTensor> added = new HashMap<>();

    ExportParameters(Map<String, HostTensor> weights, OnnxGraph graph) {
        this.weights = weights;
        this.graph = graph;
    }

    @Override
    public Tensor get(String name) {
        SymbolicTensor t = added.get(name);
        if (t != null) {
            return t;
        }
        HostTensor w = weights.get(name);
        if (w == null) {
            throw new IllegalArgumentException("ONNX export: the model needs the weight '" + name
                    + "' but the weights given have no such name (" + weights.size() + " weights given)");
        }
        if (w.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("ONNX export: weight '" + name + "' " + w.shape() + " is " + w.dtype()
                    + "; weights must be FLOAT32");
        }
        graph.initializer(name, w);
        t = new SymbolicTensor(name, DType.FLOAT32, w.shape());
        added.put(name, t);
        return t;
    }
}
