package org.transformer4j.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Availability;
import org.transformer4j.backend.NativePlatform;

/** The native-library check of the tensorflow backend: found here, and a clear message where it is missing. */
class TfNativesTest {

    private static final ClassLoader HERE = TfNativesTest.class.getClassLoader();

    @Test
    void theBuildsNativeLibraryIsFoundOnThisPlatform() {
        assertThat(TfNatives.missing(NativePlatform.current(), HERE)).isNull();
        assertThat(TfNatives.version(HERE)).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void aSupportedPlatformWithoutItsJarNamesTheArtifactToAdd() throws IOException {
        String version = TfNatives.version(HERE);
        Availability a = TfNatives.missing(NativePlatform.of("Mac OS X", "aarch64"), HERE);
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).isEqualTo("no native library for this platform (macos/aarch64), add "
                + "org.tensorflow:tensorflow-core-native:" + version + ":macosx-arm64 to the application's dependencies");
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            assertThat(TfNatives.missing(NativePlatform.of("Linux", "amd64"), empty).reason())
                    .startsWith("no native library for this platform (linux/x86_64), add "
                            + "org.tensorflow:tensorflow-core-native:")
                    .contains(":linux-x86_64 (or :linux-x86_64-gpu for CUDA)");
        }
    }

    @Test
    void anUnsupportedPlatformSaysSoAndPointsToTheCpuBackend() {
        Availability a = TfNatives.missing(NativePlatform.of("Mac OS X", "x86_64"), HERE);
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).startsWith("no native library for this platform (macos/x86_64), and TensorFlow Java")
                .contains("linux-arm64, linux-x86_64, macosx-arm64, windows-x86_64")
                .endsWith("use the cpu backend here");
    }
}
