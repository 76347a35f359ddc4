package org.transformer4j.onnx;

import java.io.File;
import java.util.List;
import java.util.Map;
import org.transformer4j.backend.Availability;
import org.transformer4j.backend.NativePlatform;

/**
 * Whether ONNX Runtime can run here, decided without loading it, and what to do when it cannot. The CPU jar
 * {@code com.microsoft.onnxruntime:onnxruntime} carries its classes and the native libraries of four platforms, the
 * CUDA jar {@code onnxruntime_gpu} those of Linux and Windows on x86-64; elsewhere ONNX Runtime loads a library built
 * for the machine from the directory named by the system property {@code onnxruntime.native.path} or from
 * {@code java.library.path}. Loading the library maps ~0.1 GB into the process, so listing the backends (which every
 * command does) must not do it: {@link #present} only looks for classes and files; {@link #load()} loads it, on
 * {@code open()}.
 */
final class OrtNativeProbe {
    /** ONNX Runtime's resource folder for each platform its CPU jar supports. */
    private static final Map<String, String> FOLDERS = Map.of(
            "linux/x86_64", "linux-x64",
            "linux/aarch64", "linux-aarch64",
            "macos/aarch64", "osx-aarch64",
            "windows/x86_64", "win-x64");
    private static final List<String> CUDA = List.of("linux/x86_64", "windows/x86_64");

    /** The system property ONNX Runtime reads for a directory holding its native libraries. */
    static final String NATIVE_PATH_PROPERTY = "onnxruntime.native.path";

    private OrtNativeProbe() {}

    /** Present or not on this JVM's platform, class path and native directories, without loading anything. */
    static Availability present() {
        String nativePath = System.getProperty(NATIVE_PATH_PROPERTY);
        return present(NativePlatform.current(), OrtNativeProbe.class.getClassLoader(),
                (nativePath == null ? "" : nativePath + File.pathSeparator)
                        + System.getProperty("java.library.path", ""));
    }

    /**
     * Present or not, without loading anything: ONNX Runtime's classes must be visible to {@code loader}, and its
     * native libraries for {@code platform} either resources there or files in one of the {@code libraryPath}
     * directories.
     *
     * @param platform    the platform whose native libraries are looked for
     * @param loader      where the classes and the bundled libraries are looked for
     * @param libraryPath directories separated by {@link File#pathSeparator}: {@code onnxruntime.native.path}, then
     *                    {@code java.library.path}
     * @return available, or unavailable with "no native library for this platform (os/arch), ..." and the fix
     */
    static Availability present(NativePlatform platform, ClassLoader loader, String libraryPath) {
        String artifact = "com.microsoft.onnxruntime:onnxruntime:" + version(loader);
        String gpu = CUDA.contains(platform.toString()) ? " (or onnxruntime_gpu for CUDA)" : "";
        if (!NativePlatform.hasClass(loader, "ai.onnxruntime.OrtEnvironment")) {
            return Availability.no("ONNX Runtime's Java classes are not on the class path; add " + artifact + gpu
                    + " to the application's dependencies");
        }
        String folder = FOLDERS.get(platform.toString());
        String jni = platform.libraryFileName("onnxruntime4j_jni");
        String runtime = platform.libraryFileName("onnxruntime");
        if (folder != null && NativePlatform.hasResource(loader, "ai/onnxruntime/native/" + folder + "/" + jni)
                || NativePlatform.onLibraryPath(libraryPath, jni, runtime)) {
            return Availability.yes();
        }
        if (folder == null) {
            return platform.noNativeLibrary("and ONNX Runtime " + version(loader) + " publishes none for it (its CPU "
                    + "jar has " + String.join(", ", FOLDERS.keySet().stream().sorted().toList()) + "); build ONNX "
                    + "Runtime for this machine and set -D" + NATIVE_PATH_PROPERTY + "=<the folder with " + jni
                    + " and " + runtime + ">, or use the cpu backend");
        }
        return platform.noNativeLibrary("add " + artifact + gpu + " to the application's dependencies (the "
                + "onnxruntime jar on the class path has no ai/onnxruntime/native/" + folder + "/" + jni + ")");
    }

    /** Loads the native library (on {@code open()}); unavailable, with ONNX Runtime's message, if it does not load. */
    static Availability load() {
        Availability a = present();
        return a.available() ? Availability.probe(OnnxSessions::environment) : a;
    }

    /** The version of the ONNX Runtime jar visible to {@code loader}, read from its manifest without initializing it. */
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
