package org.transformer4j.tensorflow;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import org.transformer4j.backend.Availability;
import org.transformer4j.backend.NativePlatform;

/**
 * Whether TensorFlow can run here, decided without loading it, and what to add when it cannot. TensorFlow Java's
 * classes come in {@code org.tensorflow:tensorflow-core-api}, its native code in
 * {@code org.tensorflow:tensorflow-core-native} jars, one per platform (Maven classifier; {@code backend-tensorflow}'s
 * POM picks the build machine's, an application on another platform or one that wants CUDA adds its own), or
 * installed on {@code java.library.path}. Loading the native library maps ~0.1-0.6 GB into the process, so listing
 * the backends (which every command does) must not do it: {@link #present} only looks for classes and files;
 * {@link #load()} loads it, on {@code open()}, and reports what went wrong there.
 */
final class TfNativeProbe {
    /** TensorFlow Java's classifier (JavaCPP platform name) for each platform it publishes a native jar for. */
    private static final Map<String, String> CLASSIFIERS = Map.of(
            "linux/x86_64", "linux-x86_64",
            "linux/aarch64", "linux-arm64",
            "macos/aarch64", "macosx-arm64",
            "windows/x86_64", "windows-x86_64");
    private static final String LIBRARY = "jnitensorflow";

    private TfNativeProbe() {}

    /** Present or not on this JVM's platform, class path and {@code java.library.path}, without loading anything. */
    static Availability present() {
        return present(NativePlatform.current(), TfNativeProbe.class.getClassLoader(),
                System.getProperty("java.library.path", ""));
    }

    /**
     * Present or not, without loading anything: TensorFlow's classes must be visible to {@code loader}, and its
     * native library for {@code platform} (CPU or CUDA build) either a resource there or a file in one of the
     * {@code libraryPath} directories.
     *
     * @param platform    the platform whose native library is looked for
     * @param loader      where the classes and the native jar are looked for
     * @param libraryPath directories separated by {@link java.io.File#pathSeparator}, as {@code java.library.path}
     * @return available, or unavailable with "no native library for this platform (os/arch), add ..."
     */
    static Availability present(NativePlatform platform, ClassLoader loader, String libraryPath) {
        if (!NativePlatform.hasClass(loader, "org.tensorflow.TensorFlow")) {
            return Availability.no("TensorFlow's Java classes (org.tensorflow:tensorflow-core-api) are not on the class "
                    + "path; add that artifact to the application's dependencies");
        }
        String classifier = CLASSIFIERS.get(platform.toString());
        String library = platform.libraryFileName(LIBRARY);
        String base = "org/tensorflow/internal/c_api/" + classifier;
        if (classifier != null && NativePlatform.hasResource(loader, base + "/" + library, base + "-gpu/" + library)
                || NativePlatform.onLibraryPath(libraryPath, library)) {
            return Availability.yes();
        }
        String version = version(loader);
        if (classifier == null) {
            return platform.noNativeLibrary("and TensorFlow Java " + version + " publishes none for it (it has "
                    + String.join(", ", CLASSIFIERS.values().stream().sorted().toList())
                    + " and linux-x86_64-gpu); put a TensorFlow build's " + library + " on java.library.path, "
                    + "or use the cpu backend here");
        }
        return platform.noNativeLibrary("add org.tensorflow:tensorflow-core-native:" + version + ":" + classifier
                + (classifier.equals("linux-x86_64") ? " (or :linux-x86_64-gpu for CUDA)" : "")
                + " to the application's dependencies");
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

    /** The version of the TensorFlow Java API jar visible to {@code loader}, which the native jar must match. */
    static String version(ClassLoader loader) {
        try (InputStream in = loader.getResourceAsStream(
                "META-INF/maven/org.tensorflow/tensorflow-core-api/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank()) {
                    return v.trim();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // fall through: the message then names no version
        }
        return "<the tensorflow-core-api version>";
    }
}
