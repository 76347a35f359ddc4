package org.transformer4j.tensorflow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether TensorFlow may run float32 matrix products in TensorFloat-32 on NVIDIA GPUs (Ampere and later): TF32 keeps
 * a 10-bit mantissa, about 1e-3 relative error per product. TensorFlow turns it on by default; this backend turns it
 * <b>off</b> unless asked, so that GPU results match backend-cpu's float32 within the conformance kit's tolerances
 * (on an H100, with TF32 19 of its 66 cases fail; without, all pass; nanoGPT's 6-layer recipe ran 45.5 vs 46.4 ms per
 * step, so exactness costs little there).
 *
 * <p>Ask for TF32 with the system property {@code transformer4j.tensorflow.tf32=true} or the environment variable
 * {@code TRANSFORMER4J_TF32=1} (e.g. {@code TRANSFORMER4J_JAVA_OPTS=-Dtransformer4j.tensorflow.tf32=true}). The
 * setting is TensorFlow's, for the whole process; it has no effect on CPUs. It is made through TensorFlow's exported
 * {@code tsl::enable_tensor_float_32_execution(bool)}, which TensorFlow Java does not wrap, with the Java FFM API.
 */
final class TfMatmulPrecision {
    static final String PROPERTY = "transformer4j.tensorflow.tf32";
    static final String ENV = "TRANSFORMER4J_TF32";
    private static final String SET = "_ZN3tsl32enable_tensor_float_32_executionEb";
    private static final String GET = "_ZN3tsl33tensor_float_32_execution_enabledEv";
    private static final String LIBRARY = "libtensorflow_framework.so.2";

    private TfMatmulPrecision() {
    }

    /** TF32 as configured: the system property, else the environment variable, else off. */
    static boolean tf32Requested() {
        String v = System.getProperty(PROPERTY);
        String from = "-D" + PROPERTY;
        if (v == null) {
            v = System.getenv(ENV);
            from = ENV;
        }
        if (v == null || v.isBlank()) {
            return false;
        }
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException(from + " is '" + v + "': use true or false");
        };
    }

    /** Applies {@link #tf32Requested()} to TensorFlow (which must be loaded); returns the setting now in force. */
    static boolean apply() {
        boolean wanted = tf32Requested();
        set(wanted);
        return enabled();
    }

    /** Turns TF32 for float32 matrix products on or off in this process's TensorFlow. */
    static void set(boolean enabled) {
        try {
            Linker.nativeLinker().downcallHandle(symbol(SET), FunctionDescriptor.ofVoid(ValueLayout.JAVA_BOOLEAN))
                    .invokeExact(enabled);
        } catch (Throwable e) {
            throw failure("set", e);
        }
    }

    /** Whether TensorFlow currently allows TF32 for float32 matrix products. */
    static boolean enabled() {
        try {
            MethodHandle get = Linker.nativeLinker().downcallHandle(symbol(GET), FunctionDescriptor.of(ValueLayout.JAVA_BOOLEAN));
            return (boolean) get.invokeExact();
        } catch (Throwable e) {
            throw failure("read", e);
        }
    }

    private static MemorySegment symbol(String name) {
        org.tensorflow.TensorFlow.version(); // loads the native libraries
        Optional<MemorySegment> s = SymbolLookup.loaderLookup().find(name);
        if (s.isEmpty()) {
            s = SymbolLookup.libraryLookup(LIBRARY, Arena.global()).find(name);
        }
        return s.orElseThrow(() -> new IllegalStateException("TensorFlow " + org.tensorflow.TensorFlow.version()
                + " does not export " + name + " from " + LIBRARY));
    }

    private static IllegalStateException failure(String what, Throwable e) {
        return new IllegalStateException("could not " + what + " TensorFlow's TensorFloat-32 setting (" + e
                + "); the JVM needs --enable-native-access=ALL-UNNAMED, which ./transformer4j and the tests pass", e);
    }
}
