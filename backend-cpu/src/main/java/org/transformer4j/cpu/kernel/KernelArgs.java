package org.transformer4j.cpu.kernel;

/**
 * Argument checks shared by the layer kernels, so a wrong size fails up front with a message naming the
 * kernel, the array and the sizes rather than as an index error deep inside a worker thread.
 */
final class KernelArgs {
    private KernelArgs() {
    }

    static void positive(String kernel, String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(kernel + ": " + name + " must be > 0, was " + value);
        }
    }

    static void nonNegative(String kernel, String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(kernel + ": " + name + " must be >= 0, was " + value);
        }
    }

    static void length(String kernel, String name, float[] array, long needed) {
        if (array == null) {
            throw new IllegalArgumentException(kernel + ": " + name + " is null; pass an array of at least " + needed + " floats");
        }
        check(kernel, name, array.length, needed);
    }

    static void length(String kernel, String name, int[] array, long needed) {
        if (array == null) {
            throw new IllegalArgumentException(kernel + ": " + name + " is null; pass an array of at least " + needed + " ints");
        }
        check(kernel, name, array.length, needed);
    }

    static void length(String kernel, String name, byte[] array, long needed) {
        if (array == null) {
            throw new IllegalArgumentException(kernel + ": " + name + " is null; pass an array of at least " + needed + " bytes");
        }
        check(kernel, name, array.length, needed);
    }

    private static void check(String kernel, String name, int actual, long needed) {
        if (needed > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(kernel + ": " + name + " would need " + needed
                    + " elements, more than a Java array can hold; split the work into smaller batches");
        }
        if (actual < needed) {
            throw new IllegalArgumentException(kernel + ": " + name + " has " + actual
                    + " elements but the sizes passed need " + needed);
        }
    }

    static void notNull(String kernel, String name, Object o) {
        if (o == null) {
            throw new IllegalArgumentException(kernel + ": " + name + " must not be null");
        }
    }
}
