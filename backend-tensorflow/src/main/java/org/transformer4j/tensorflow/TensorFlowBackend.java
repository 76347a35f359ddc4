package org.transformer4j.tensorflow;

import java.util.List;
import org.transformer4j.backend.Availability;
import org.transformer4j.backend.Backend;
import org.transformer4j.backend.Capabilities;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;

/**
 * The TensorFlow Java backend: trains and infers in graph mode on TensorFlow's CPU kernels, or on a GPU
 * ({@code device gpu:0}) with the CUDA build of the native library (Maven profile {@code tensorflow-gpu}).
 * On a GPU, float32 matrix products are exact float32 unless TensorFloat-32 is asked for ({@link TfMatmulPrecision}).
 * Priority 50, below the embedded cpu backend's 100: it is picked when named (e.g. {@code --backend tensorflow}).
 * Availability checks without loading it that TensorFlow's classes and the native library of this platform are
 * present ("no native library for this platform (os/arch), add org.tensorflow:tensorflow-core-native:VERSION:CLASSIFIER"
 * when it is missing; {@link TfNativeProbe}); {@link #open} loads it and asks its version, and a failure there (a
 * missing system library) is reported with TensorFlow's message.
 */
public final class TensorFlowBackend implements Backend {
    /** The name used in configuration. */
    public static final String NAME = "tensorflow";

    /** The backend; the {@link java.util.ServiceLoader} makes it, applications name it instead ({@value #NAME}). */
    public TensorFlowBackend() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 50;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true, List.of("cpu", "gpu:0"));
    }

    @Override
    public Availability availability() {
        return TfNativeProbe.present();
    }

    @Override
    public TrainingEngine open(EngineOptions options) {
        Availability a = availability();
        if (a.available()) {
            a = TfNativeProbe.load();
        }
        if (!a.available()) {
            throw new IllegalStateException("the tensorflow backend is not available: " + a.reason());
        }
        TfDevice device = TfDevice.parse(options.device(), options.threads());
        device.check();
        if (device.isGpu()) {
            TfMatmulPrecision.apply(); // exact float32 matrix products unless TF32 was asked for
        }
        return new TfEngine(device, options.seed());
    }
}
