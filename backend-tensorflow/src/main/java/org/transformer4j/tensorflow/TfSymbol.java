package org.transformer4j.tensorflow;

import org.tensorflow.Operand;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * A symbolic tensor of the training graph: a TensorFlow graph output with the shape and dtype this backend validated
 * for it. It has no values until a session runs the graph, so reading it fails with a message; the exceptions are
 * integer constants, whose host values are kept (token ids of positions are checked against their table).
 */
final class TfSymbol implements Tensor {
    private final Operand<?> operand;
    private final Shape shape;
    private final DType dtype;
    /** The batch input this symbol is the placeholder of, or null. */
    private final String feedName;
    /** Host values of an int32 constant, or null. */
    private final int[] constantInts;

    TfSymbol(Operand<?> operand, Shape shape, DType dtype, String feedName, int[] constantInts) {
        this.operand = operand;
        this.shape = shape;
        this.dtype = dtype;
        this.feedName = feedName;
        this.constantInts = constantInts;
    }

    Operand<?> operand() {
        return operand;
    }

    String feedName() {
        return feedName;
    }

    int[] constantInts() {
        return constantInts;
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
        throw new IllegalStateException("tensor " + shape + " is a node of the tensorflow training graph: it has no "
                + "values while the model's loss is traced; read results from the TrainingProgram instead");
    }

    @Override
    public int[] toIntArray() {
        if (constantInts != null) {
            return constantInts.clone();
        }
        throw new IllegalStateException("tensor " + shape + " is a node of the tensorflow training graph: it has no "
                + "values while the model's loss is traced");
    }

    @Override
    public String toString() {
        return "TfSymbol" + shape + " " + dtype + " " + operand;
    }
}
