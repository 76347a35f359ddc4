package org.transformer4j.generate;

/**
 * Host-side row and column surgery on cached keys or values laid out {@code [rows, outer, length, inner]}
 * (row-major; {@code [B, T, C]} is {@code outer = 1}, {@code [B, heads, T, headDim]} is {@code outer = heads}), shared
 * by the {@link GptCache} implementations of every runtime so that {@link GptCache#selectRows},
 * {@link GptCache#append} and {@link GptCache#dropFirst} mean the same everywhere. Each call copies the data once.
 */
public final class CacheRows {
    private CacheRows() {
    }

    /**
     * Row {@code i} of the result is row {@code rows[i]} of {@code from} ({@code rowSize} floats per row).
     *
     * @param from the rows, row-major
     * @param rowSize floats per row
     * @param rows the old row of each new row
     * @return a new array
     * @throws IllegalArgumentException for no rows or a row outside {@code [0, from.length / rowSize)}
     */
    public static float[] select(float[] from, int rowSize, int[] rows) {
        int have = rowSize == 0 ? 0 : from.length / rowSize;
        if (rows.length == 0) {
            throw new IllegalArgumentException("selectRows: no rows given; a cache keeps at least one row");
        }
        float[] to = new float[rows.length * rowSize];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= have) {
                throw new IllegalArgumentException("selectRows: row " + rows[i] + " (at index " + i
                        + ") is outside the cache's rows [0, " + have + ")");
            }
            System.arraycopy(from, rows[i] * rowSize, to, i * rowSize, rowSize);
        }
        return to;
    }

    /**
     * Checks the row indices of a selection against {@code have} rows (for caches that hold no data yet).
     *
     * @param rows the row indices
     * @param have the number of rows there are
     */
    public static void checkRows(int[] rows, int have) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("selectRows: no rows given; a cache keeps at least one row");
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= have) {
                throw new IllegalArgumentException("selectRows: row " + rows[i] + " (at index " + i
                        + ") is outside the cache's rows [0, " + have + ")");
            }
        }
    }

    /**
     * The rows of {@code a} ({@code rowsA} rows of {@code lengthA} positions; null when it holds no data) followed by
     * those of {@code b}, both left-padded with zeros to {@code max(lengthA, lengthB)} positions.
     *
     * @param a the first cache's data, or null
     * @param rowsA its rows
     * @param lengthA its positions
     * @param b the second cache's data
     * @param rowsB its rows
     * @param lengthB its positions
     * @param outer the axes between row and position (1, or heads)
     * @param inner the floats per position (C, or headDim)
     * @return a new array of {@code rowsA + rowsB} rows
     */
    public static float[] appendPadded(float[] a, int rowsA, int lengthA, float[] b, int rowsB, int lengthB,
            int outer, int inner) {
        int length = Math.max(lengthA, lengthB);
        float[] out = new float[(rowsA + rowsB) * outer * length * inner];
        copyPadded(a, rowsA, lengthA, out, 0, length, outer, inner);
        copyPadded(b, rowsB, lengthB, out, rowsA, length, outer, inner);
        return out;
    }

    private static void copyPadded(float[] from, int rows, int fromLength, float[] to, int firstRow, int toLength,
            int outer, int inner) {
        if (from == null || fromLength == 0) {
            return;
        }
        int pad = toLength - fromLength;
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < outer; o++) {
                int src = ((r * outer) + o) * fromLength * inner;
                int dst = (((firstRow + r) * outer) + o) * toLength * inner + pad * inner;
                System.arraycopy(from, src, to, dst, fromLength * inner);
            }
        }
    }

    /**
     * {@code from} without the first {@code columns} of its {@code length} positions.
     *
     * @param from the data
     * @param rows its rows
     * @param length its positions
     * @param columns how many leading positions to drop
     * @param outer the axes between row and position
     * @param inner the floats per position
     * @return a new array
     */
    public static float[] dropFirst(float[] from, int rows, int length, int columns, int outer, int inner) {
        int kept = length - columns;
        float[] out = new float[rows * outer * kept * inner];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < outer; o++) {
                int src = ((r * outer) + o) * length * inner + columns * inner;
                int dst = ((r * outer) + o) * kept * inner;
                System.arraycopy(from, src, out, dst, kept * inner);
            }
        }
        return out;
    }

    /**
     * The last position's row of logits {@code [rows, V]} out of logits {@code [rows, t, V]}: what a runtime returns
     * for {@code lastOnly} when its graph computes every position. Returns {@code all} itself when {@code t == 1}.
     *
     * @param all the logits {@code [rows, t, V]}
     * @param rows the rows
     * @param t the positions
     * @param vocab V
     * @return the logits {@code [rows, V]}
     */
    public static float[] lastPositions(float[] all, int rows, int t, int vocab) {
        if (t == 1) {
            return all;
        }
        float[] out = new float[rows * vocab];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(all, (r * t + t - 1) * vocab, out, r * vocab, vocab);
        }
        return out;
    }

    /**
     * Checks a {@link GptCache#dropFirst} count against the cache's length.
     *
     * @param columns the count asked for
     * @param length the cache's length
     */
    public static void checkDrop(int columns, int length) {
        if (columns < 0 || columns > length) {
            throw new IllegalArgumentException("dropFirst: cannot drop " + columns + " positions of a cache holding "
                    + length + "; give a count in [0, " + length + "]");
        }
    }
}
