package org.transformer4j.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * {@link TfNativeProbe}: the native library is found here, a platform without it gets a message naming the artifact
 * to add, and listing the backend does not map the library into the process (it is ~0.1-0.6 GB) while opening it
 * does.
 */
class TfNativeProbeTest {

    private static final ClassLoader HERE = TfNativeProbeTest.class.getClassLoader();

    @Test
    void theBuildsNativeLibraryIsFoundOnThisPlatform() {
        assertThat(TfNativeProbe.present(NativePlatform.current(), HERE, "").available()).isTrue();
        assertThat(TfNativeProbe.version(HERE)).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void aSupportedPlatformWithoutItsJarNamesTheArtifactToAdd() throws IOException {
        String version = TfNativeProbe.version(HERE);
        Availability a = TfNativeProbe.present(NativePlatform.of("Mac OS X", "aarch64"), HERE, "");
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).isEqualTo("no native library for this platform (macos/aarch64), add "
                + "org.tensorflow:tensorflow-core-native:" + version + ":macosx-arm64 to the application's dependencies");
        // The API jar alone, as an application that forgot the native jar has it:
        URL apiJar = org.tensorflow.TensorFlow.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader apiOnly = new URLClassLoader(new URL[] {apiJar}, null)) {
            assertThat(TfNativeProbe.present(NativePlatform.of("Linux", "amd64"), apiOnly, "").reason())
                    .isEqualTo("no native library for this platform (linux/x86_64), add "
                            + "org.tensorflow:tensorflow-core-native:" + version
                            + ":linux-x86_64 (or :linux-x86_64-gpu for CUDA) to the application's dependencies");
        }
    }

    @Test
    void withoutTheApiJarTheMessageNamesIt() throws IOException {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            Availability a = TfNativeProbe.present(NativePlatform.current(), empty, "");
            assertThat(a.available()).isFalse();
            assertThat(a.reason()).contains("org.tensorflow:tensorflow-core-api").contains("not on the class path");
        }
    }

    @Test
    void anUnsupportedPlatformSaysSoAndPointsToTheCpuBackend() {
        Availability a = TfNativeProbe.present(NativePlatform.of("Mac OS X", "x86_64"), HERE, "");
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).startsWith("no native library for this platform (macos/x86_64), and TensorFlow Java")
                .contains("linux-arm64, linux-x86_64, macosx-arm64, windows-x86_64")
                .contains("libjnitensorflow.dylib on java.library.path")
                .endsWith("use the cpu backend here");
    }

    @Test
    void aLibraryInstalledOnTheLibraryPathCounts(@TempDir Path dir) throws IOException {
        NativePlatform intelMac = NativePlatform.of("Mac OS X", "x86_64");
        String path = "/nonexistent" + java.io.File.pathSeparator + dir;
        assertThat(TfNativeProbe.present(intelMac, HERE, path).available()).isFalse();
        Files.writeString(dir.resolve("libjnitensorflow.dylib"), "");
        assertThat(TfNativeProbe.present(intelMac, HERE, path).available()).isTrue();
    }

    /** Run in the child JVM: prints whether the library is mapped after availability() and after open(). */
    public static void main(String[] args) throws IOException {
        TensorFlowBackend backend = new TensorFlowBackend();
        System.out.println("available=" + backend.availability().available() + " mapped=" + mapped());
        backend.open(EngineOptions.defaults().withThreads(1)).close();
        System.out.println("opened mapped=" + mapped());
    }

    private static boolean mapped() throws IOException {
        return Files.readString(Path.of("/proc/self/maps")).contains("libjnitensorflow");
    }

    /** In a fresh JVM (this one may have loaded the library in another test), reading its /proc/self/maps. */
    @Test
    void availabilityDoesNotLoadTheNativeLibraryAndOpenDoes() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs Linux's /proc/self/maps");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                TfNativeProbeTest.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("available=true mapped=false") && out.contains("opened mapped=true"), out);
    }
}
