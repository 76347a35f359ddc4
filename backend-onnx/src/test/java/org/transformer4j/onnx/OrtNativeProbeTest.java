package org.transformer4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.backend.Availability;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.NativePlatform;

/**
 * {@link OrtNativeProbe}: the native library is found here and for every platform the jar covers, a platform
 * without it gets a message saying what to do, and listing the backend does not map the library into the process
 * (it is ~0.1 GB) while opening it does.
 */
class OrtNativeProbeTest {

    private static final ClassLoader HERE = OrtNativeProbeTest.class.getClassLoader();

    @Test
    void theJarsNativeLibraryIsFoundOnThisPlatform() {
        assertThat(OrtNativeProbe.present(NativePlatform.current(), HERE, "").available()).isTrue();
        assertThat(OrtNativeProbe.version(HERE)).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void aPlatformTheJarCoversIsFoundInIt() {
        // The CPU jar carries these four platforms' libraries, whatever machine runs the test.
        assertThat(OrtNativeProbe.present(NativePlatform.of("Mac OS X", "aarch64"), HERE, "").available()).isTrue();
        assertThat(OrtNativeProbe.present(NativePlatform.of("Windows 11", "amd64"), HERE, "").available()).isTrue();
        assertThat(OrtNativeProbe.present(NativePlatform.of("Linux", "aarch64"), HERE, "").available()).isTrue();
    }

    @Test
    void withoutTheJarTheMessageNamesTheArtifact() throws IOException {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            Availability a = OrtNativeProbe.present(NativePlatform.of("Linux", "amd64"), empty, "");
            assertThat(a.available()).isFalse();
            assertThat(a.reason()).contains("add com.microsoft.onnxruntime:onnxruntime:")
                    .contains("(or onnxruntime_gpu for CUDA)");
        }
    }

    @Test
    void anUnsupportedPlatformPointsToANativePathOrTheCpuBackend(@TempDir Path dir) throws IOException {
        NativePlatform intelMac = NativePlatform.of("Mac OS X", "x86_64");
        Availability a = OrtNativeProbe.present(intelMac, HERE, "");
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).startsWith("no native library for this platform (macos/x86_64), and ONNX Runtime "
                + OrtNativeProbe.version(HERE) + " publishes none for it")
                .contains("-Donnxruntime.native.path=");
        // A machine-built ONNX Runtime in a native directory: both libraries are needed.
        String path = "/nonexistent" + File.pathSeparator + dir;
        Files.writeString(dir.resolve("libonnxruntime4j_jni.dylib"), "");
        assertThat(OrtNativeProbe.present(intelMac, HERE, path).available()).isFalse();
        Files.writeString(dir.resolve("libonnxruntime.dylib"), "");
        assertThat(OrtNativeProbe.present(intelMac, HERE, path).available()).isTrue();
    }

    /** Run in the child JVM: prints whether the library is mapped after availability() and after open(). */
    public static void main(String[] args) throws IOException {
        OnnxBackend backend = new OnnxBackend();
        System.out.println("available=" + backend.availability().available() + " mapped=" + mapped());
        backend.open(EngineOptions.defaults().withThreads(1)).close();
        System.out.println("opened mapped=" + mapped());
    }

    private static boolean mapped() throws IOException {
        return Files.readString(Path.of("/proc/self/maps")).contains("libonnxruntime");
    }

    /** In a fresh JVM (this one may have loaded the library in another test), reading its /proc/self/maps. */
    @Test
    void availabilityDoesNotLoadTheNativeLibraryAndOpenDoes() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs Linux's /proc/self/maps");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                OrtNativeProbeTest.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("available=true mapped=false") && out.contains("opened mapped=true"), out);
    }
}
