package org.transformer4j.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.EngineOptions;

/**
 * {@link TfNativeProbe}: listing the backend must not map its native library into the process (it is ~0.1-0.6 GB);
 * opening it does. Checked in a fresh JVM (this one may have loaded the library in another test) by reading the
 * child's own {@code /proc/self/maps}, so Linux only.
 */
class TfNativeProbeTest {

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
