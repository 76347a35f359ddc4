package org.transformer4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import java.nio.LongBuffer;

/** Builds int64 input tensors from Java arrays, checking that the rows form a rectangle of valid values. */
final class OnnxInputs {
    private OnnxInputs() {
    }

    /** The width of {@code rows}, failing unless every row has it and it is at least 1. */
    static int width(String what, int[][] rows) {
        if (rows == null || rows.length == 0) {
            throw new IllegalArgumentException(what + ": no rows given; give at least one");
        }
        int t = rows[0].length;
        for (int b = 0; b < rows.length; b++) {
            if (rows[b].length != t) {
                throw new IllegalArgumentException(what + ": row " + b + " has " + rows[b].length + " values but row 0 has "
                        + t + "; rows of a batch must have the same length (pad them)");
            }
        }
        if (t == 0) {
            throw new IllegalArgumentException(what + ": the rows are empty; give at least one token");
        }
        return t;
    }

    /** Fails unless every id is in {@code [0, vocab)}. */
    static void checkIds(String what, int[][] ids, int vocab) {
        for (int b = 0; b < ids.length; b++) {
            for (int t = 0; t < ids[b].length; t++) {
                if (ids[b][t] < 0 || ids[b][t] >= vocab) {
                    throw new IllegalArgumentException(what + ": token " + ids[b][t] + " at [" + b + ", " + t
                            + "] is outside the vocabulary [0, " + vocab + ")");
                }
            }
        }
    }

    /** An int64 {@code [rows, width]} tensor of {@code values}. */
    static OnnxTensor longs(int[][] values, int width) throws OrtException {
        LongBuffer buf = LongBuffer.allocate(values.length * width);
        for (int[] row : values) {
            for (int v : row) {
                buf.put(v);
            }
        }
        buf.flip();
        return OnnxTensor.createTensor(OnnxSessions.environment(), buf, new long[] {values.length, width});
    }

    /** An int64 {@code [rows, width]} tensor of ones. */
    static OnnxTensor ones(int rows, int width) throws OrtException {
        long[] ones = new long[rows * width];
        java.util.Arrays.fill(ones, 1L);
        return OnnxTensor.createTensor(OnnxSessions.environment(), LongBuffer.wrap(ones), new long[] {rows, width});
    }
}
