package org.transformer4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Availability;
import org.transformer4j.backend.NativePlatform;

/** The native-library check of the onnx backend: found here, and a clear message where it is missing. */
class OrtNativesTest {

    private static final ClassLoader HERE = OrtNativesTest.class.getClassLoader();

    @Test
    void theJarsNativeLibraryIsFoundOnThisPlatform() {
        assertThat(OrtNatives.missing(NativePlatform.current(), HERE, null)).isNull();
        assertThat(OrtNatives.version(HERE)).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void aPlatformTheJarCoversIsFoundInIt() {
        // The CPU jar carries these four platforms' libraries, whatever machine runs the test.
        assertThat(OrtNatives.missing(NativePlatform.of("Mac OS X", "aarch64"), HERE, null)).isNull();
        assertThat(OrtNatives.missing(NativePlatform.of("Windows 11", "amd64"), HERE, null)).isNull();
    }

    @Test
    void withoutTheJarTheMessageNamesTheArtifact() throws IOException {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            Availability a = OrtNatives.missing(NativePlatform.of("Linux", "amd64"), empty, null);
            assertThat(a.available()).isFalse();
            assertThat(a.reason()).startsWith("no native library for this platform (linux/x86_64), add "
                    + "com.microsoft.onnxruntime:onnxruntime:").contains("(or onnxruntime_gpu for CUDA)");
        }
    }

    @Test
    void anUnsupportedPlatformPointsToANativePathOrTheCpuBackend() {
        Availability a = OrtNatives.missing(NativePlatform.of("Mac OS X", "x86_64"), HERE, null);
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).startsWith("no native library for this platform (macos/x86_64), and ONNX Runtime "
                + OrtNatives.version(HERE) + " publishes none for it")
                .contains("-Donnxruntime.native.path=");
        assertThat(OrtNatives.missing(NativePlatform.of("Mac OS X", "x86_64"), HERE, "/opt/onnxruntime/lib")).isNull();
    }
}
