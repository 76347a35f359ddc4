package org.transformer4j.onnx;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.transformer4j.backend.Availability;

/**
 * Whether ONNX Runtime can run here, decided without loading it: its Java classes and a native library for this
 * platform (bundled in the {@code onnxruntime} jar, named by the {@code onnxruntime.native.path} system property, or on
 * {@code java.library.path}) must be present. Loading the library maps ~0.1 GB into the process, so listing the
 * backends (which every command does) must not do it; {@link #load()} does, on {@code open()}.
 */
final class OrtNativeProbe {
    private static final String LIBRARY = "onnxruntime";

    private OrtNativeProbe() {}

    /** Present or not, without loading anything. */
    static Availability present() {
        ClassLoader loader = OrtNativeProbe.class.getClassLoader();
        try {
            Class.forName("ai.onnxruntime.OrtEnvironment", false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return Availability.no("ONNX Runtime's Java classes (com.microsoft.onnxruntime:onnxruntime) are not on the "
                    + "class path: " + e);
        }
        String platform = platform();
        String file = System.mapLibraryName(LIBRARY);
        if (loader.getResource("ai/onnxruntime/native/" + platform + "/" + file) != null) {
            return Availability.yes();
        }
        String nativePath = System.getProperty("onnxruntime.native.path");
        String libraryPath = System.getProperty("java.library.path", "")
                + (nativePath == null ? "" : File.pathSeparator + nativePath);
        for (String dir : libraryPath.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isRegularFile(Path.of(dir, file))) {
                return Availability.yes();
            }
        }
        return Availability.no("no ONNX Runtime native library for " + platform + ": the onnxruntime jar on the class "
                + "path has no ai/onnxruntime/native/" + platform + "/" + file + ", and neither java.library.path nor "
                + "-Donnxruntime.native.path has " + file + "; use an onnxruntime build for this platform");
    }

    /** Loads the native library (on {@code open()}); unavailable, with ONNX Runtime's message, if it does not load. */
    static Availability load() {
        Availability a = present();
        return a.available() ? Availability.probe(OnnxSessions::environment) : a;
    }

    /** This platform as ONNX Runtime names its bundled libraries (e.g. {@code linux-x64}, {@code osx-aarch64}). */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.startsWith("mac") || os.startsWith("darwin") ? "osx" : os.startsWith("windows") ? "win"
                : os.replaceAll("[^a-z]", "");
        String a = switch (arch) {
            case "amd64", "x86_64", "x86-64" -> "x64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return o + "-" + a;
    }
}
