package org.transformer4j.tensor;

import java.util.Arrays;

/**
 * The dimensions of a tensor, outermost first. Immutable; a scalar has rank 0 and size 1.
 * The {@code require*} helpers throw {@link ShapeMismatchException} naming the operation and the shapes.
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /**
     * A shape with the given dimensions; every dimension must be at least 0.
     *
     * @param dims the dimensions, outermost first
     * @return the shape
     */
    public static Shape of(int... dims) {
        if (dims.length == 0) {
            return SCALAR;
        }
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(dims) + ": dimension " + i + " is negative (" + dims[i] + ")");
            }
        }
        long size = 1;
        for (int d : dims) {
            size *= d;
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims)
                        + " has more than " + Integer.MAX_VALUE + " elements; split the tensor");
            }
        }
        return new Shape(dims.clone());
    }

    /**
     * The rank-0 shape of a scalar.
     *
     * @return the shape with no dimensions
     */
    public static Shape scalar() {
        return SCALAR;
    }

    /**
     * The number of dimensions.
     *
     * @return 0 for a scalar
     */
    public int rank() {
        return dims.length;
    }

    /**
     * Dimension {@code axis}; negative axes count from the end ({@code -1} is the last).
     *
     * @param axis from {@code -rank()} to {@code rank() - 1}
     * @return the dimension
     */
    public int dim(int axis) {
        int a = axis < 0 ? dims.length + axis : axis;
        if (a < 0 || a >= dims.length) {
            throw new IndexOutOfBoundsException("axis " + axis + " is out of range for shape " + this);
        }
        return dims[a];
    }

    /**
     * Number of elements: the product of the dimensions (1 for a scalar).
     *
     * @return the element count
     */
    public int size() {
        int s = 1;
        for (int d : dims) {
            s *= d;
        }
        return s;
    }

    /**
     * A copy of the dimensions.
     *
     * @return a new array
     */
    public int[] toArray() {
        return dims.clone();
    }

    /**
     * Product of all dimensions but the last: the number of rows when the tensor is seen as a matrix.
     *
     * @return the row count
     */
    public int rows() {
        int r = 1;
        for (int i = 0; i < dims.length - 1; i++) {
            r *= dims[i];
        }
        return r;
    }

    /**
     * This shape with its last dimension replaced.
     *
     * @param last the new last dimension
     * @return a new shape
     */
    public Shape withLast(int last) {
        if (dims.length == 0) {
            throw new IllegalStateException("a scalar has no last dimension");
        }
        int[] d = dims.clone();
        d[d.length - 1] = last;
        return of(d);
    }

    /**
     * True when {@code suffix} equals the trailing dimensions of this shape.
     *
     * @param suffix the trailing dimensions to compare
     * @return whether they match
     */
    public boolean endsWith(Shape suffix) {
        if (suffix.rank() > rank()) {
            return false;
        }
        int off = rank() - suffix.rank();
        for (int i = 0; i < suffix.rank(); i++) {
            if (dims[off + i] != suffix.dims[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Fails unless {@code actual} equals {@code expected}.
     *
     * @param operation the operation, for the message
     * @param what the tensor's role, for the message
     * @param expected the shape it must have
     * @param actual the shape it has
     * @throws ShapeMismatchException when they differ
     */
    public static void requireEqual(String operation, String what, Shape expected, Shape actual) {
        if (!expected.equals(actual)) {
            throw new ShapeMismatchException(operation + ": " + what + " must have shape " + expected
                    + " but has shape " + actual);
        }
    }

    /**
     * Fails unless {@code shape} has the given rank.
     *
     * @param operation the operation, for the message
     * @param what the tensor's role, for the message
     * @param shape the shape it has
     * @param rank the rank it must have
     * @throws ShapeMismatchException when the rank differs
     */
    public static void requireRank(String operation, String what, Shape shape, int rank) {
        if (shape.rank() != rank) {
            throw new ShapeMismatchException(operation + ": " + what + " must have rank " + rank
                    + " but has shape " + shape);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
