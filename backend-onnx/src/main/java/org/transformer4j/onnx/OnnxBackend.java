package org.transformer4j.onnx;

import java.util.List;
import org.transformer4j.backend.Availability;
import org.transformer4j.backend.Backend;
import org.transformer4j.backend.Capabilities;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;

/**
 * The ONNX Runtime serving backend ({@code onnx}): serves models exported to ONNX ({@link OnnxModel},
 * {@link OnnxSeq2SeqModel}); it serves and exports graphs and does not train. Its priority (30) is below the cpu
 * backend's, so it is used when asked for by name. Available when ONNX Runtime's classes and a native library for
 * this platform are present, checked without loading it ("no native library for this platform (os/arch), add ..."
 * otherwise; {@link OrtNativeProbe}); {@link #open} loads it.
 */
public final class OnnxBackend implements Backend {
    /** The backend's name. */
    public static final String NAME = "onnx";

    /** The backend; the {@link java.util.ServiceLoader} makes it, applications name it instead ({@value #NAME}). */
    public OnnxBackend() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 30;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(false, false, true, List.of("cpu", "cuda:N"));
    }

    @Override
    public Availability availability() {
        return OrtNativeProbe.present();
    }

    @Override
    public Engine open(EngineOptions options) {
        Availability a = availability();
        if (a.available()) {
            a = OrtNativeProbe.load();
        }
        if (!a.available()) {
            throw new IllegalStateException("the onnx backend is not available: ONNX Runtime's native library does not "
                    + "load (" + a.reason() + ")");
        }
        return new OnnxEngine(OnnxOptions.of(options));
    }
}
