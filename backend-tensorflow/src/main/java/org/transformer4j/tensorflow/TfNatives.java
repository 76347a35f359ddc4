package org.transformer4j.tensorflow;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import org.transformer4j.backend.Availability;
import org.transformer4j.backend.NativePlatform;

/**
 * Where TensorFlow Java's native library for a platform lives, and what to add when it is missing. TensorFlow
 * Java ships its native code in {@code org.tensorflow:tensorflow-core-native} jars, one per platform (Maven
 * classifier); {@code backend-tensorflow}'s POM picks the one for the build machine's OS and processor, and an
 * application on another platform (or one that wants CUDA) adds its own. This check only looks for the resource:
 * it loads nothing.
 */
final class TfNatives {
    /** TensorFlow Java's classifier (JavaCPP platform name) for each supported platform. */
    private static final Map<String, String> CLASSIFIERS = Map.of(
            "linux/x86_64", "linux-x86_64",
            "linux/aarch64", "linux-arm64",
            "macos/aarch64", "macosx-arm64",
            "windows/x86_64", "windows-x86_64");

    private TfNatives() {
    }

    /**
     * Null when the native library for {@code platform} (CPU or CUDA build) is visible to {@code loader}, else
     * the unavailability that says what to add.
     */
    static Availability missing(NativePlatform platform, ClassLoader loader) {
        String classifier = CLASSIFIERS.get(platform.toString());
        String version = version(loader);
        if (classifier == null) {
            return platform.noNativeLibrary("and TensorFlow Java " + version + " publishes none for it (it has "
                    + String.join(", ", CLASSIFIERS.values().stream().sorted().toList())
                    + " and linux-x86_64-gpu); use the cpu backend here");
        }
        String library = platform.libraryFileName("jnitensorflow");
        String base = "org/tensorflow/internal/c_api/" + classifier;
        if (NativePlatform.hasResource(loader, base + "/" + library, base + "-gpu/" + library)) {
            return null;
        }
        return platform.noNativeLibrary("add org.tensorflow:tensorflow-core-native:" + version + ":" + classifier
                + (classifier.equals("linux-x86_64") ? " (or :linux-x86_64-gpu for CUDA)" : "")
                + " to the application's dependencies");
    }

    /** The version of the TensorFlow Java API jar on the classpath, which the native jar must match. */
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
