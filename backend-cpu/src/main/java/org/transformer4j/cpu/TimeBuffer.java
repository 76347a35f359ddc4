package org.transformer4j.cpu;

/**
 * The storage of a key/value cache on the CPU backend: {@code [batch, capacity, inner]} floats of which the first
 * {@link #filled} positions of every batch row hold data. {@link CpuOps#appendTime} writes a step's keys or values
 * after them in place while there is room, and moves to a buffer of twice the needed capacity when there is not, so
 * a decoding step copies only its own positions (amortised), not the whole cache.
 *
 * <p>Views ({@link CpuTensor#timeView}) of fewer positions than {@link #filled} stay valid (their positions are never
 * written again); appending to such a stale view copies into a new buffer rather than overwrite what a newer view
 * holds.
 */
final class TimeBuffer {
    /** Least capacity a new buffer gets, in positions. */
    static final int MIN_CAPACITY = 16;

    final float[] data;
    final int batch;
    final int capacity;
    final int inner;
    int filled;

    private TimeBuffer(int batch, int capacity, int inner) {
        long size = (long) batch * capacity * inner;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a key/value cache of " + batch + " rows x " + capacity + " positions x "
                    + inner + " floats does not fit in one Java array; generate fewer rows or a shorter text");
        }
        this.data = new float[(int) size];
        this.batch = batch;
        this.capacity = capacity;
        this.inner = inner;
    }

    /** A buffer for {@code needed} positions with room to grow: twice that (at least {@link #MIN_CAPACITY}). */
    static TimeBuffer forPositions(int batch, int needed, int inner) {
        return new TimeBuffer(batch, Math.max(MIN_CAPACITY, 2 * needed), inner);
    }

    /** Offset of position {@code t} of batch row {@code b}. */
    int offset(int b, int t) {
        return (b * capacity + t) * inner;
    }

    /** Writes {@code positions} positions per row of a dense {@code [batch, positions, inner]} array at {@link #filled}. */
    void append(float[] from, int positions) {
        for (int b = 0; b < batch; b++) {
            System.arraycopy(from, b * positions * inner, data, offset(b, filled), positions * inner);
        }
        filled += positions;
    }

    /** Writes the first {@code positions} positions of another buffer at {@link #filled}. */
    void append(TimeBuffer from, int positions) {
        for (int b = 0; b < batch; b++) {
            System.arraycopy(from.data, from.offset(b, 0), data, offset(b, filled), positions * inner);
        }
        filled += positions;
    }

    /** The first {@code positions} positions as a dense {@code [batch, positions, inner]} array. */
    float[] copy(int positions) {
        float[] out = new float[batch * positions * inner];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(data, offset(b, 0), out, b * positions * inner, positions * inner);
        }
        return out;
    }
}
