package org.transformer4j.onnx;

import java.util.Locale;
import org.transformer4j.backend.EngineOptions;

/**
 * How ONNX Runtime runs a model: on which device and with how many threads.
 *
 * @param device  {@code cpu} (or null: the default), or {@code cuda}, {@code cuda:N}, {@code gpu}, {@code gpu:N}
 *                for the CUDA execution provider on GPU N (needs the {@code onnxruntime_gpu} build: Maven profile
 *                {@code onnx-gpu}); when CUDA cannot be enabled, opening a model fails, it never falls back to the CPU
 * @param threads intra-op threads, 0 for ONNX Runtime's default (one per physical core)
 */
public record OnnxOptions(String device, int threads) {

    /** Checks the threads and the device name (an unknown device fails here, not when a model opens). */
    public OnnxOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = ONNX Runtime's default), was " + threads);
        }
        cudaDevice(device); // validates
    }

    /**
     * The CPU with ONNX Runtime's default threads.
     *
     * @return the options for ONNX Runtime's CPU provider
     */
    public static OnnxOptions defaults() {
        return new OnnxOptions("cpu", 0);
    }

    /**
     * The device and threads of engine options.
     *
     * @param options the engine options, whose device and threads carry over; the seed does not apply to serving
     * @return the matching ONNX Runtime options
     */
    public static OnnxOptions of(EngineOptions options) {
        return new OnnxOptions(options.device(), options.threads());
    }

    /**
     * The CUDA device index asked for, or -1 for the CPU.
     *
     * @return the GPU index for the CUDA provider, or -1
     */
    public int cudaDeviceIndex() {
        return cudaDevice(device);
    }

    private static int cudaDevice(String device) {
        if (device == null || device.isBlank() || device.equalsIgnoreCase("cpu")) {
            return -1;
        }
        String d = device.trim().toLowerCase(Locale.ROOT);
        for (String prefix : new String[] {"cuda", "gpu"}) {
            if (d.equals(prefix)) {
                return 0;
            }
            if (d.startsWith(prefix + ":")) {
                try {
                    int index = Integer.parseInt(d.substring(prefix.length() + 1));
                    if (index >= 0) {
                        return index;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
        }
        throw new IllegalArgumentException("unknown ONNX Runtime device '" + device
                + "'; use cpu, cuda, cuda:N, gpu or gpu:N");
    }
}
