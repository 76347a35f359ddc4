package org.transformer4j.generate;

import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/** Shape checks and packing of the row-major {@code int[][]} inputs of the runtimes. */
final class Inputs {
    private Inputs() {
    }

    static int rows(String what, int[][] m) {
        if (m == null || m.length == 0) {
            throw new IllegalArgumentException(what + " has no rows; give at least one");
        }
        return m.length;
    }

    /** The common width of the rows of {@code m}, which must be at least 1. */
    static int width(String what, int[][] m) {
        rows(what, m);
        int w = m[0] == null ? 0 : m[0].length;
        for (int r = 0; r < m.length; r++) {
            if (m[r] == null || m[r].length != w) {
                throw new IllegalArgumentException(what + ": row " + r + " has " + (m[r] == null ? 0 : m[r].length)
                        + " entries but row 0 has " + w + "; every row must have the same length");
            }
        }
        if (w == 0) {
            throw new IllegalArgumentException(what + " has no columns; give at least one token per row");
        }
        return w;
    }

    static void requireShape(String what, int[][] m, int rows, int columns) {
        if (m.length != rows || width(what, m) != columns) {
            throw new IllegalArgumentException(what + " is [" + m.length + ", " + m[0].length + "] but must be ["
                    + rows + ", " + columns + "]");
        }
    }

    static HostTensor matrix(int[][] rows) {
        int columns = rows[0].length;
        int[] flat = new int[rows.length * columns];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * columns, columns);
        }
        return HostTensor.ofInts(Shape.of(rows.length, columns), flat);
    }
}
