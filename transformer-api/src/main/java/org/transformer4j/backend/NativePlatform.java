package org.transformer4j.backend;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * The operating system and processor this JVM runs on, in the normalized names that native-library jars use
 * ({@code linux}, {@code macos}, {@code windows}; {@code x86_64}, {@code aarch64}), and the check a backend with
 * native code makes before it loads anything: is its library for this platform on the classpath? A platform
 * for which the application has no native jar then reads "no native library for this platform (macos/x86_64),
 * add ..." in the backend's availability, instead of an {@link UnsatisfiedLinkError} at first use.
 *
 * @param os   the operating system: {@code linux}, {@code macos}, {@code windows}, else {@code os.name} lower-cased
 * @param arch the processor: {@code x86_64}, {@code aarch64}, else {@code os.arch} lower-cased
 */
public record NativePlatform(String os, String arch) {

    /** Checks the names are present. */
    public NativePlatform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(arch, "arch");
    }

    /**
     * The platform of this JVM, from the system properties {@code os.name} and {@code os.arch}.
     *
     * @return the normalized platform, e.g. {@code linux/x86_64}
     */
    public static NativePlatform current() {
        return of(System.getProperty("os.name", "unknown"), System.getProperty("os.arch", "unknown"));
    }

    /**
     * Normalizes the JVM's names: {@code "Linux"} is {@code linux}, {@code "Mac OS X"} is {@code macos},
     * {@code "Windows 11"} is {@code windows}; {@code amd64}/{@code x86_64} are {@code x86_64},
     * {@code aarch64}/{@code arm64} are {@code aarch64}.
     *
     * @param osName the value of {@code os.name}
     * @param osArch the value of {@code os.arch}
     * @return the normalized platform
     */
    public static NativePlatform of(String osName, String osArch) {
        String o = osName.trim().toLowerCase(Locale.ROOT);
        String a = osArch.trim().toLowerCase(Locale.ROOT);
        String os = o.startsWith("linux") ? "linux"
                : o.startsWith("mac") || o.startsWith("darwin") ? "macos"
                : o.startsWith("windows") ? "windows"
                : o.replace(' ', '-');
        String arch = a.equals("amd64") || a.equals("x86_64") || a.equals("x86-64") ? "x86_64"
                : a.equals("aarch64") || a.equals("arm64") ? "aarch64"
                : a;
        return new NativePlatform(os, arch);
    }

    /**
     * The file name of a native library on this platform, as {@link System#mapLibraryName} gives it on the JVM of
     * that platform: {@code libNAME.so} on Linux (and other Unix), {@code libNAME.dylib} on macOS, {@code NAME.dll}
     * on Windows.
     *
     * @param name the library's name, e.g. {@code onnxruntime4j_jni}
     * @return its file name on this platform
     */
    public String libraryFileName(String name) {
        return switch (os) {
            case "macos" -> "lib" + name + ".dylib";
            case "windows" -> name + ".dll";
            default -> "lib" + name + ".so";
        };
    }

    /**
     * Whether one of the given classpath resources (a native library inside a jar) is visible to {@code loader},
     * looked up without loading anything.
     *
     * @param loader    where to look
     * @param resources the resource paths, e.g. {@code org/tensorflow/internal/c_api/linux-x86_64/libjnitensorflow.so}
     * @return true when at least one is found
     */
    public static boolean hasResource(ClassLoader loader, String... resources) {
        for (String r : resources) {
            if (loader.getResource(r) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code className} is visible to {@code loader}, looked up without initializing it (so no static
     * initializer loads a native library).
     *
     * @param loader    where to look
     * @param className the binary name of the class, e.g. {@code ai.onnxruntime.OrtEnvironment}
     * @return true when the class is found and links
     */
    public static boolean hasClass(ClassLoader loader, String className) {
        try {
            Class.forName(className, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Whether one directory of a search path holds all the given files (a native library installed outside any
     * jar), checked without loading anything.
     *
     * @param searchPath directories separated by {@link File#pathSeparator}, e.g. the value of
     *                   {@code java.library.path}; empty entries are skipped
     * @param fileNames  the library file names, e.g. from {@link #libraryFileName}
     * @return true when some directory has every one of them
     */
    public static boolean onLibraryPath(String searchPath, String... fileNames) {
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            boolean all = true;
            for (String f : fileNames) {
                try {
                    all &= Files.isRegularFile(Path.of(dir, f));
                } catch (InvalidPathException e) {
                    all = false; // a malformed entry holds nothing
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /**
     * The availability of a backend whose native library for this platform is not on the classpath.
     *
     * @param fix what the application does, e.g. {@code "add org.tensorflow:tensorflow-core-native:1.1.0:linux-arm64"}
     * @return "no native library for this platform (os/arch), fix" as an unavailable {@link Availability}
     */
    public Availability noNativeLibrary(String fix) {
        return Availability.no("no native library for this platform (" + this + "), " + fix);
    }

    /** {@code os/arch}, e.g. {@code linux/x86_64}. */
    @Override
    public String toString() {
        return os + "/" + arch;
    }
}
