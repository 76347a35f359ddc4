package org.transformer4j.tensorflow;

import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * Where the TensorFlow graphs run: {@code cpu} (the default) or {@code gpu:N}, and the session options that go with
 * it (thread counts; on a GPU, memory grown on demand and soft placement so that integer shape arithmetic may stay on
 * the CPU). {@link #check()} proves that a requested GPU exists before any model is built.
 */
final class TfDevice {
    /** What the tensorflow-core-native artifact on the class path can use. */
    static final String GPU_HINT = "check that the GPU build of TensorFlow is on the class path (Maven profile "
            + "-Ptensorflow-gpu: tensorflow-core-native classifier linux-x86_64-gpu; the default linux-x86_64 build has no"
            + " GPU support), that the NVIDIA driver and CUDA 12 are installed, and the GPU's index";

    private final boolean gpu;
    private final int index;
    private final int threads;

    private TfDevice(boolean gpu, int index, int threads) {
        this.gpu = gpu;
        this.index = index;
        this.threads = threads;
    }

    /**
     * Parses {@code cpu}, {@code cpu:0}, {@code gpu} or {@code gpu:N} (null means cpu).
     *
     * @throws IllegalArgumentException for anything else
     */
    static TfDevice parse(String device, int threads) {
        if (device == null) {
            return new TfDevice(false, 0, threads);
        }
        String d = device.trim().toLowerCase(java.util.Locale.ROOT);
        if (d.equals("cpu") || d.equals("cpu:0")) {
            return new TfDevice(false, 0, threads);
        }
        if (d.equals("gpu") || d.equals("cuda")) {
            return new TfDevice(true, 0, threads);
        }
        if (d.startsWith("gpu:") || d.startsWith("cuda:")) {
            try {
                int n = Integer.parseInt(d.substring(d.indexOf(':') + 1));
                if (n >= 0) {
                    return new TfDevice(true, n, threads);
                }
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
        }
        throw new IllegalArgumentException("the tensorflow backend does not know the device '" + device
                + "': use 'cpu' or 'gpu:N' (N the GPU's index, e.g. gpu:0)");
    }

    boolean isGpu() {
        return gpu;
    }

    /** The device as users write it: {@code cpu} or {@code gpu:N}. */
    String name() {
        return gpu ? "gpu:" + index : "cpu";
    }

    /** TensorFlow's device name, e.g. {@code /device:GPU:0}. */
    String tfName() {
        return gpu ? "/device:GPU:" + index : "/device:CPU:0";
    }

    /** {@code tf} with every op it builds placed on this device. */
    org.tensorflow.op.Ops scope(org.tensorflow.op.Ops tf) {
        return tf.withDevice(DeviceSpec.newBuilder().deviceType(gpu ? DeviceSpec.DeviceType.GPU : DeviceSpec.DeviceType.CPU)
                .deviceIndex(gpu ? index : 0).build());
    }

    ConfigProto config(boolean softPlacement) {
        ConfigProto.Builder c = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(threads)
                .setInterOpParallelismThreads(threads)
                .setAllowSoftPlacement(softPlacement);
        if (gpu) {
            c.setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true).build());
        } else {
            c.putDeviceCount("GPU", 0);
        }
        return c.build();
    }

    /** A session on {@code g} with this device's options; the caller closes it. */
    Session newSession(Graph g) {
        return new Session(g, config(gpu));
    }

    /**
     * Fails with an {@link IllegalArgumentException} naming the device unless TensorFlow can place an op on it: a
     * GPU that the native library cannot see (no CUDA build, no driver, index too high) is refused here, not later.
     */
    void check() {
        if (!gpu) {
            return;
        }
        try (Graph g = new Graph(); Session s = new Session(g, config(false))) {
            org.tensorflow.op.Ops tf = scope(org.tensorflow.op.Ops.create(g));
            var probe = tf.math.add(tf.constant(1f), tf.constant(1f));
            s.runner().fetch(probe).run().close(); // placed and ran on the GPU
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("device '" + name() + "' was requested but TensorFlow "
                    + org.tensorflow.TensorFlow.version() + " found no GPU " + index + " (looked for " + tfName()
                    + "): " + firstLine(e.getMessage()) + ". If this machine has no GPU, use the device 'cpu'; otherwise "
                    + GPU_HINT, e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        int nl = s.indexOf('\n');
        String line = (nl < 0 ? s : s.substring(0, nl)).strip();
        while (line.endsWith(".")) { // the caller adds its own full stop
            line = line.substring(0, line.length() - 1);
        }
        return line;
    }
}
