package org.transformer4j.tensorflow;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.transformer4j.backend.Availability;

/**
 * Whether TensorFlow can run here, decided without loading it: its Java classes and a native library for this
 * platform (bundled in {@code tensorflow-core-native}'s jar, or installed on {@code java.library.path}) must be
 * present. Loading the native library maps ~0.1-0.6 GB into the process, so listing the backends (which every command
 * does) must not do it; {@link #load()} does, on {@code open()}, and reports what went wrong there.
 */
final class TfNativeProbe {
    private static final String LIBRARY = "jnitensorflow";

    private TfNativeProbe() {}

    /** Present or not, without loading anything. */
    static Availability present() {
        ClassLoader loader = TfNativeProbe.class.getClassLoader();
        try {
            Class.forName("org.tensorflow.TensorFlow", false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return Availability.no("TensorFlow's Java classes (org.tensorflow:tensorflow-core-api) are not on the class "
                    + "path: " + e);
        }
        String platform = platform();
        String file = System.mapLibraryName(LIBRARY);
        for (String dir : new String[] {platform, platform + "-gpu"}) {
            if (loader.getResource("org/tensorflow/internal/c_api/" + dir + "/" + file) != null) {
                return Availability.yes();
            }
        }
        for (String dir : System.getProperty("java.library.path", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isRegularFile(Path.of(dir, file))) {
                return Availability.yes();
            }
        }
        return Availability.no("no TensorFlow native library for " + platform + ": the class path has no "
                + "org.tensorflow:tensorflow-core-native jar with classifier " + platform
                + " and java.library.path has no " + file + "; add that jar (or install the library)");
    }

    /** Loads the native library (on {@code open()}); unavailable, with TensorFlow's message, if it does not load. */
    static Availability load() {
        Availability a = present();
        if (!a.available()) {
            return a;
        }
        return Availability.probe(() -> {
            String v = org.tensorflow.TensorFlow.version();
            if (v == null || v.isBlank()) {
                throw new IllegalStateException("the TensorFlow native library loaded but reported no version");
            }
        });
    }

    /** This platform as JavaCPP names it in tensorflow-core-native's classifiers (e.g. {@code linux-x86_64}). */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.startsWith("mac") || os.startsWith("darwin") ? "macosx" : os.startsWith("windows") ? "windows"
                : os.replaceAll("[^a-z]", "");
        String a = switch (arch) {
            case "amd64", "x86_64", "x86-64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
        return o + "-" + a;
    }
}
