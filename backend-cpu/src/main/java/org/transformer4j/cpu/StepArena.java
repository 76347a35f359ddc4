package org.transformer4j.cpu;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.transformer4j.cpu.kernel.ElementwiseKernels;
import org.transformer4j.cpu.kernel.Parallelism;

/**
 * The activation, gradient and mask arrays of one training pass, reused by the next: a pass of the same model on
 * the same batch shape asks for the same sizes in the same order, so after the first step a training loop allocates
 * (almost) nothing on the heap and the garbage collector has nothing to do. {@link #recycle()} hands every array
 * back at the start of a pass, when the previous pass's tape has run and nothing refers to them any more;
 * {@link #giveBack} hands one back within a pass (the tape does so with each gradient its backward is done with).
 *
 * <p>Not thread-safe: one training program's passes run one at a time, on the caller's thread (kernels may split
 * work across threads, but arrays are taken before).
 */
final class StepArena {
    private final Map<Integer, ArrayDeque<float[]>> freeFloats = new HashMap<>();
    private final Map<Integer, ArrayDeque<byte[]>> freeBytes = new HashMap<>();
    private final ArrayList<float[]> takenFloats = new ArrayList<>();
    private final ArrayList<byte[]> takenBytes = new ArrayList<>();
    private final Parallelism par;
    private long allocatedBytes;
    private long handedOutBytes;

    /** @param par the threads that zero the arrays {@link #floats} hands out */
    StepArena(Parallelism par) {
        this.par = par;
    }

    /** A zeroed array of {@code n} floats, valid until the next {@link #recycle()}. */
    float[] floats(int n) {
        float[] a = floatsForOverwrite(n);
        ElementwiseKernels.zero(par, a, n);
        return a;
    }

    /**
     * An array of {@code n} floats holding whatever the last pass left there: only for outputs that a kernel writes
     * in full before anything reads them.
     */
    float[] floatsForOverwrite(int n) {
        ArrayDeque<float[]> q = freeFloats.get(n);
        float[] a = q == null ? null : q.pollLast();
        if (a == null) {
            a = new float[n];
            allocatedBytes += 4L * n;
        }
        takenFloats.add(a);
        handedOutBytes += 4L * n;
        return a;
    }

    /** An array of {@code n} bytes for a kernel to overwrite in full (dropout masks). */
    byte[] bytesForOverwrite(int n) {
        ArrayDeque<byte[]> q = freeBytes.get(n);
        byte[] a = q == null ? null : q.pollLast();
        if (a == null) {
            a = new byte[n];
            allocatedBytes += n;
        }
        takenBytes.add(a);
        handedOutBytes += n;
        return a;
    }

    /**
     * Makes one array taken since the last {@link #recycle()} available again at once, ahead of the others of its
     * size: the next request for that size gets it back while it is still in cache (a gradient the backward has
     * finished with). The caller must not touch it afterwards.
     *
     * @throws IllegalStateException if the array is not one this arena handed out since the last recycle
     */
    void giveBack(float[] a) {
        int i = takenFloats.lastIndexOf(a); // arrays compare by identity
        if (i < 0) {
            throw new IllegalStateException("an array of " + a.length + " floats was given back to the step arena "
                    + "that did not hand it out in this pass (or was given back twice)");
        }
        takenFloats.remove(i);
        freeFloats.computeIfAbsent(a.length, x -> new ArrayDeque<>()).addLast(a);
    }

    /** Makes every array taken since the last call available again. */
    void recycle() {
        for (float[] a : takenFloats) {
            freeFloats.computeIfAbsent(a.length, x -> new ArrayDeque<>()).addLast(a);
        }
        for (byte[] a : takenBytes) {
            freeBytes.computeIfAbsent(a.length, x -> new ArrayDeque<>()).addLast(a);
        }
        takenFloats.clear();
        takenBytes.clear();
        handedOutBytes = 0;
    }

    /**
     * Bytes of the arrays handed out since the last {@link #recycle()}, an array {@linkplain #giveBack given back} and
     * handed out again counted each time: what the pass would hold without reuse.
     */
    long handedOutBytes() {
        return handedOutBytes;
    }

    /** Bytes of arrays this arena has allocated in all (it never frees them): its footprint. */
    long allocatedBytes() {
        return allocatedBytes;
    }
}
