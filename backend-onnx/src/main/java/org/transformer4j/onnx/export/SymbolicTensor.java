package org.transformer4j.onnx.export;

import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * A tensor of an ONNX graph being traced: the name of the graph value that holds it, its element type, and its
 * shape in the trace. The trace runs with small example sizes (the composition checks shapes as it goes);
 * the graph itself keeps the batch and time axes dynamic. It has no values.
 */
public final class SymbolicTensor implements Tensor {
    private final String name;
    private final DType dtype;
    private final Shape shape;

    /**
     * @param name  the graph value's name
     * @param dtype its element type
     * @param shape its shape in the trace
     */
    public SymbolicTensor(String name, DType dtype, Shape shape) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
    }

    /** The name of the graph value. */
    public String name() {
        return name;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public float[] toFloatArray() {
        throw noValues();
    }

    @Override
    public int[] toIntArray() {
        throw noValues();
    }

    private UnsupportedOperationException noValues() {
        return new UnsupportedOperationException("tensor '" + name + "' " + shape + " is a value of an ONNX graph being "
                + "exported and has no numbers; run the exported file with OnnxModel to compute them");
    }

    @Override
    public String toString() {
        return "SymbolicTensor(" + name + " " + shape + " " + dtype + ")";
    }
}
