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
    private final String[] dimValues;
    private final int heads;

    /**
     * @param name  the graph value's name
     * @param dtype its element type
     * @param shape its shape in the trace
     */
    public SymbolicTensor(String name, DType dtype, Shape shape) {
        this(name, dtype, shape, new String[shape.rank()]);
    }

    /** As the public constructor, with the graph values (int64 scalars) holding each axis's run-time size, or nulls. */
    SymbolicTensor(String name, DType dtype, Shape shape, String[] dimValues) {
        this(name, dtype, shape, dimValues, 0);
    }

    /**
     * A tensor that the trace sees as {@code [B, T, heads · d]} (its {@code shape}) but whose graph value is laid out
     * {@code [B, heads, T, d]}, as key/value caches are: {@code heads > 0}; 0 for the plain layout.
     */
    SymbolicTensor(String name, DType dtype, Shape shape, String[] dimValues, int heads) {
        if (dimValues.length != shape.rank()) {
            throw new IllegalArgumentException("tensor '" + name + "' " + shape + ": " + dimValues.length
                    + " dimension values for rank " + shape.rank());
        }
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.dimValues = dimValues.clone();
        if (heads < 0 || (heads > 0 && (shape.rank() != 3 || shape.dim(2) % heads != 0))) {
            throw new IllegalArgumentException("tensor '" + name + "' " + shape + " cannot be laid out in " + heads
                    + " heads");
        }
        this.heads = heads;
    }

    /** The heads of the {@code [B, heads, T, d]} layout of the graph value, or 0 when it is laid out as its shape. */
    int heads() {
        return heads;
    }

    /**
     * The graph value holding the run-time size of {@code axis}, or null when not tracked. Tracking lets equal
     * sizes share one value, so e.g. every layer's attention mask is one computation.
     */
    String dimValue(int axis) {
        return dimValues[axis < 0 ? dimValues.length + axis : axis];
    }

    /** A copy of the tracked dimension values. */
    String[] dimValues() {
        return dimValues.clone();
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
