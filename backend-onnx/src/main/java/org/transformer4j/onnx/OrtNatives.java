package org.transformer4j.onnx;

import java.util.List;
import java.util.Map;
import org.transformer4j.backend.Availability;
import org.transformer4j.backend.NativePlatform;

/**
 * Where ONNX Runtime's native library for a platform lives, and what to do when it is missing. The CPU jar
 * {@code com.microsoft.onnxruntime:onnxruntime} carries the libraries of four platforms, the CUDA jar
 * {@code onnxruntime_gpu} those of Linux and Windows on x86-64; elsewhere ONNX Runtime can load a library built
 * for the machine from the directory named by the system property {@code onnxruntime.native.path}. This check
 * only looks for the resource or the property: it loads nothing.
 */
final class OrtNatives {
    /** ONNX Runtime's resource folder for each platform its CPU jar supports. */
    private static final Map<String, String> FOLDERS = Map.of(
            "linux/x86_64", "linux-x64",
            "linux/aarch64", "linux-aarch64",
            "macos/aarch64", "osx-aarch64",
            "windows/x86_64", "win-x64");
    private static final List<String> CUDA = List.of("linux/x86_64", "windows/x86_64");

    /** The system property ONNX Runtime reads for a directory holding its native libraries. */
    static final String NATIVE_PATH_PROPERTY = "onnxruntime.native.path";

    private OrtNatives() {
    }

    /**
     * Null when ONNX Runtime's JNI library for {@code platform} is visible to {@code loader} or a native directory
     * is configured, else the unavailability that says what to do.
     */
    static Availability missing(NativePlatform platform, ClassLoader loader, String nativePath) {
        if (nativePath != null && !nativePath.isBlank()) {
            return null; // ONNX Runtime loads from there; a wrong directory is reported by the probe that follows
        }
        String folder = FOLDERS.get(platform.toString());
        String library = platform.libraryFileName("onnxruntime4j_jni");
        if (folder != null && NativePlatform.hasResource(loader, "ai/onnxruntime/native/" + folder + "/" + library)) {
            return null;
        }
        String version = version(loader);
        if (folder == null) {
            return platform.noNativeLibrary("and ONNX Runtime " + version + " publishes none for it (its CPU jar has "
                    + String.join(", ", FOLDERS.keySet().stream().sorted().toList()) + "); build ONNX Runtime for "
                    + "this machine and set -D" + NATIVE_PATH_PROPERTY + "=<its lib folder>, or use the cpu backend");
        }
        return platform.noNativeLibrary("add com.microsoft.onnxruntime:onnxruntime:" + version
                + (CUDA.contains(platform.toString()) ? " (or onnxruntime_gpu for CUDA)" : "")
                + " to the application's dependencies");
    }

    /** The version of the ONNX Runtime jar on the classpath, read from its manifest without initializing it. */
    static String version(ClassLoader loader) {
        try {
            Package p = Class.forName("ai.onnxruntime.OrtEnvironment", false, loader).getPackage();
            String v = p == null ? null : p.getImplementationVersion();
            if (v != null && !v.isBlank()) {
                return v;
            }
        } catch (ClassNotFoundException | LinkageError e) {
            // fall through
        }
        return "<version>";
    }
}
